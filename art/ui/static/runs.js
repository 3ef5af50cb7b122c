// Runs: one row per project/model, the chosen metric's latest and best (windowed) values,
// the config keys that differ; filter by project, tick runs and compare their curves.
"use strict";

class RunsPage {
  constructor(root, params) {
    this.root = root;
    this.metric = params.get("metric") || "val/reward";
    this.window = params.get("window") || "1";
    this.mode = params.get("mode") || "max";
    this.project = params.get("project") || "";
    this.selected = new Set(params.getAll("run"));
    this.body = h("div", {});
    root.append(this.controls(), this.body);
  }

  controls() {
    const set = (key) => (e) => { this[key] = e.target.value; setParam(key, e.target.value); this.load(); };
    this.projectSelect = h("select", { id: "project-filter", onchange: set("project") }, h("option", { value: "" }, "all projects"));
    this.metricSelect = h("select", { id: "metric", onchange: set("metric") }, h("option", { value: this.metric }, this.metric));
    return h("form", { class: "controls", onsubmit: (e) => e.preventDefault() },
      h("label", {}, "metric ", this.metricSelect),
      h("label", {}, "window ", h("input", { id: "window", type: "number", min: 1, max: 1000, value: this.window, onchange: set("window") })),
      h("label", {}, "mode ", h("select", { id: "mode", onchange: set("mode") },
        ["max", "min"].map((m) => h("option", { value: m, selected: m === this.mode }, m)))),
      h("label", {}, "project ", this.projectSelect),
      h("button", { id: "compare", type: "button", onclick: () => this.compare() }, "Compare selected"));
  }

  compare() {
    const runs = [...this.selected];
    if (runs.length) go("curves", { run: runs, window: this.window, mode: this.mode });
  }

  async refresh() { await this.load(); }

  async load() {
    const ticket = (this.ticket = (this.ticket || 0) + 1); // only the latest request draws
    let data;
    try {
      data = await api("/api/runs", { metric: this.metric, window: this.window, mode: this.mode });
    } catch (e) {
      if (ticket === this.ticket) this.body.replaceChildren(errorBox(e));
      return;
    }
    if (ticket !== this.ticket) return;
    const projects = [...new Set(data.runs.map((r) => r.project))];
    this.projectSelect.replaceChildren(h("option", { value: "" }, "all projects"),
      ...projects.map((p) => h("option", { value: p, selected: p === this.project }, p)));
    const metrics = data.metrics.includes(this.metric) ? data.metrics : [this.metric, ...data.metrics];
    this.metricSelect.replaceChildren(...metrics.map((m) => h("option", { value: m, selected: m === this.metric }, m)));
    const rows = data.runs.filter((r) => !this.project || r.project === this.project);
    // A metric no run logged (a typo in a link) would be an empty column: say so above it.
    const unknown = data.metrics.includes(this.metric) ? [] : [h("p", { class: "note", id: "metric-notice" },
      `No run in this store logged ${this.metric}; pick a metric above.`)];
    // A table wider than the window scrolls in its own box: the page (and its header) stay put.
    this.body.replaceChildren(...unknown, h("div", { class: "table-box" }, this.table(data, rows)),
      h("p", { class: "note" }, `${rows.length} of ${data.runs.length} runs · best = trailing mean over ${data.window} evaluated step(s), ${data.mode}, ties to the latest step (as delete_checkpoints)`));
  }

  table(data, rows) {
    const m = data.metric;
    const head = ["", "project", "model", "trainable", "base model", "first", "last", "log calls",
      "trajectories", "exceptions", `latest ${m}`, `best ${m} (w=${data.window})`, ...data.config_keys];
    return h("table", { id: "runs-table", class: "grid" },
      h("thead", {}, h("tr", {}, head.map((c) => h("th", {}, c)))),
      h("tbody", {}, rows.map((r) => this.row(r, data.config_keys))));
  }

  row(r, configKeys) {
    const id = `${r.project}/${r.model}`;
    const box = h("input", { type: "checkbox", checked: this.selected.has(id), "aria-label": `select ${id}`,
      onchange: (e) => { e.target.checked ? this.selected.add(id) : this.selected.delete(id); } });
    const latest = r.latest_value === null ? "" : `${fmt(r.latest_value)} @${r.latest_step}`;
    const best = r.best_value === null ? "" : `${fmt(r.best_value)} @${r.best_step}`;
    return h("tr", { dataset: { run: id } },
      h("td", {}, box),
      h("td", {}, r.project),
      h("td", {}, h("a", { href: `#/curves?run=${encodeURIComponent(id)}` }, r.model)),
      h("td", {}, r.trainable === null ? "" : r.trainable ? "yes" : "no"),
      h("td", {}, r.base_model),
      h("td", { class: "num" }, fmt(r.first_step)),
      h("td", { class: "num" }, fmt(r.last_step)),
      h("td", { class: "num" }, fmt(r.log_calls)),
      h("td", { class: "num" }, h("a", { href: `#/trajectories?run=${encodeURIComponent(id)}` }, fmt(r.trajectories))),
      h("td", { class: "num" }, fmt(r.exceptions)),
      h("td", { class: "num latest" }, latest),
      h("td", { class: "num best" }, best),
      configKeys.map((k) => h("td", { class: "config" }, r.config[k] ?? "")));
  }
}
