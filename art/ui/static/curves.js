// Curves: every metric of the selected runs, grouped by section (val/, train/, ...), runs
// overlaid: raw points, the trailing mean over `window` evaluated steps (the rule of
// sql/best_step.sql), and the best step marked. Click a point to see that step's trajectories.
// A chart is drawn when it scrolls near the screen: the first screen draws first.
"use strict";

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

class CurvesPage {
  constructor(root, params) {
    this.root = root;
    this.runs = params.getAll("run");
    this.window = params.get("window") || "1";
    this.mode = params.get("mode") || "max";
    this.charts = {};
    window.artCharts = this.charts; // read by the browser tests
    this.body = h("div", {});
    root.append(this.controls(), this.body);
  }

  controls() {
    const set = (key) => (e) => { this[key] = e.target.value; setParam(key, e.target.value); this.load(); };
    return h("form", { class: "controls", onsubmit: (e) => e.preventDefault() },
      h("span", { class: "runs" }, this.runs.length ? `runs: ${this.runs.join(", ")}` : ""),
      h("label", {}, "smoothing window ", h("input", { id: "window", type: "number", min: 1, max: 1000, value: this.window, onchange: set("window") })),
      h("label", {}, "best by ", h("select", { id: "mode", onchange: set("mode") },
        ["max", "min"].map((m) => h("option", { value: m, selected: m === this.mode }, m)))));
  }

  async refresh() { await this.load(); }

  async load() {
    if (!this.runs.length) {
      const { runs } = await api("/api/steps", {});
      if (!runs.length) { this.body.replaceChildren(h("p", {}, "No runs in this store yet.")); return; }
      this.runs = [runs[0]];
      setParam("run", this.runs[0]);
    }
    const ticket = (this.ticket = (this.ticket || 0) + 1); // only the latest request draws
    let data;
    try {
      data = await api("/api/curves", { run: this.runs, window: this.window, mode: this.mode });
    } catch (e) {
      if (ticket === this.ticket) this.body.replaceChildren(errorBox(e));
      return;
    }
    if (ticket !== this.ticket) return;
    if (this.observer) this.observer.disconnect();
    for (const c of Object.values(this.charts)) c.destroy();
    for (const k of Object.keys(this.charts)) delete this.charts[k];
    const pending = new Map();
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting || !pending.has(e.target)) continue;
        this.observer.unobserve(e.target);
        pending.get(e.target)();
        pending.delete(e.target);
      }
    }, { rootMargin: "200px" });
    // Within a section the reward comes first (it is what a run is judged by), then by name.
    const first = (m) => (m.endsWith("/reward") ? 0 : 1);
    const metrics = [...new Set(data.runs.flatMap((r) => Object.keys(r.metrics)))]
      .sort((a, b) => first(a) - first(b) || a.localeCompare(b));
    const sections = new Map();
    for (const m of metrics) {
      const s = m.includes("/") ? m.split("/")[0] : "other";
      if (!sections.has(s)) sections.set(s, []);
      sections.get(s).push(m);
    }
    const order = [...sections.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    // A run with nothing logged (a typo in a link, another store's run) is named, not a blank page.
    const empty = data.runs.filter((r) => !Object.keys(r.metrics).length).map((r) => `${r.project}/${r.model}`);
    const notice = empty.length
      ? [h("p", { class: "note", id: "curves-notice" }, `Nothing logged for ${empty.join(", ")} in this store.`)] : [];
    this.body.replaceChildren(...notice, ...order.map((s) => h("section", { class: "section", dataset: { section: s } },
      h("h2", {}, `${s}/`),
      h("div", { class: "charts" }, sections.get(s).map((m) => this.chart(m, data, pending))))));
    for (const box of pending.keys()) this.observer.observe(box);
  }

  chart(metric, data, pending) {
    const runs = data.runs.filter((r) => r.metrics[metric]);
    const captions = runs.map((r, i) => {
      const s = r.metrics[metric];
      return h("div", { class: "best", style: `color:${COLORS[i % COLORS.length]}` },
        s.best_step === null ? `${r.model}: no full window` : `${r.model}: best step ${s.best_step} (${fmt(s.best_smoothed)})`,
        s.points > s.steps.length ? ` · ${s.steps.length} of ${s.points} points shown` : "");
    });
    const plot = h("div", { class: "plot" });
    const box = h("div", { class: "chart", dataset: { metric } }, h("h3", {}, metric), captions, plot);
    pending.set(box, () => this.draw(box, plot, metric, runs));
    return box;
  }

  draw(box, plot, metric, runs) {
    const joined = uPlot.join(runs.map((r) => {
      const s = r.metrics[metric];
      const best = s.steps.map((x, i) => (x === s.best_step ? s.smoothed[i] : null));
      return [s.steps, s.values, s.smoothed, best];
    }));
    const series = [{ label: "step" }];
    runs.forEach((r, i) => {
      const color = COLORS[i % COLORS.length];
      const name = runs.length > 1 ? `${r.project}/${r.model}` : "";
      series.push(
        { label: `${name} raw`.trim(), stroke: color, width: 0, paths: () => null, points: { show: true, size: 4, stroke: color, fill: color + "55" } },
        { label: `${name} smoothed`.trim(), stroke: color, width: 2, spanGaps: true, points: { show: false } },
        { label: `${name} best`.trim(), stroke: "#000", width: 0, paths: () => null, points: { show: true, size: 11, width: 2, stroke: "#000", fill: "#ffd700" } });
    });
    const u = new uPlot({
      width: 420, height: 220, series, legend: { live: true },
      scales: { x: { time: false } },
      axes: [{ label: "step" }, { size: 60 }],
      cursor: { drag: { x: true, y: false } },
    }, joined, plot);
    u.over.title = "click: this step's trajectories";
    u.over.addEventListener("click", () => {
      const idx = u.cursor.idx;
      if (idx === null || idx === undefined) return;
      const split = metric.includes("/") ? metric.split("/")[0] : "train";
      go("trajectories", { run: `${runs[0].project}/${runs[0].model}`, split, step: joined[0][idx] });
    });
    this.charts[metric] = u;
    box.dataset.drawn = "1";
  }
}

function rank(section) {
  return { val: 0, train: 1, test: 2 }[section] ?? 3;
}
