// Trajectories: pick run, split and step; groups with their trajectories best first; two
// transcripts side by side (the best and the worst of the first group to start with);
// filter by a metadata value and a reward range.
"use strict";

// ART stores an exception's type as Python prints the class: "<class 'TimeoutError'>".
function excType(t) {
  return (t || "exception").replace(/^<class '(.*)'>$/, "$1");
}

class TrajectoriesPage {
  constructor(root, params) {
    this.root = root;
    this.run = params.get("run") || "";
    this.split = params.get("split") || "";
    this.step = params.get("step") || "";
    this.linked = this.step !== ""; // a link to a step (from a curve): say if it cannot be shown
    this.notice = "";
    this.filter = { meta: params.get("meta") || "", min: params.get("min") || "", max: params.get("max") || "" };
    this.picked = [null, null];
    this.pickers = h("span", { class: "pickers" });
    this.list = h("div", { class: "groups" });
    this.panes = h("div", { class: "panes" });
    root.append(h("form", { class: "controls", onsubmit: (e) => e.preventDefault() }, this.pickers, this.filters()),
      h("div", { class: "split-view" }, this.list, this.panes));
  }

  filters() {
    const set = (key) => (e) => { this.filter[key] = e.target.value; setParam(key, e.target.value); this.render(); };
    return [
      h("label", {}, "metadata ", h("input", { id: "meta-filter", placeholder: "key=value", value: this.filter.meta, onchange: set("meta") })),
      h("label", {}, "reward ", h("input", { id: "reward-min", type: "number", step: "any", placeholder: "min", value: this.filter.min, onchange: set("min") }),
        " to ", h("input", { id: "reward-max", type: "number", step: "any", placeholder: "max", value: this.filter.max, onchange: set("max") })),
    ];
  }

  async refresh() { await this.load(true); }

  async load(keepPicks) {
    // With run, split and step in the URL (a link from a curve), ask for the pickers and the
    // step's trajectories at once; otherwise the pickers first, to choose a step.
    const [project, model] = this.run.split("/");
    const wanted = { project, model, split: this.split, step: this.step };
    const early = this.run && this.split && this.step !== "" ? api("/api/trajectories", wanted) : null;
    if (early) early.catch(() => {}); // a stale pick is answered below, not here
    try {
      const picks = await api("/api/steps", this.run ? { project, model } : {});
      if (!picks.runs.length) { this.list.replaceChildren(h("p", {}, "No runs in this store yet.")); return; }
      // only steps with trajectories are listed: a link to one that logged only metrics (a
      // point of a loss curve) shows the nearest step before it, and says so
      const asked = this.linked && this.run === `${picks.project}/${picks.model}` ? { split: this.split, step: this.step } : null;
      if (this.linked || !keepPicks) this.notice = "";
      this.linked = false;
      this.run = `${picks.project}/${picks.model}`;
      const names = Object.keys(picks.splits);
      if (!names.includes(this.split)) this.split = names.includes("val") ? "val" : names[0] || "";
      const steps = picks.splits[this.split] || [];
      if (!steps.map(String).includes(String(this.step))) this.step = nearest(steps, this.step);
      const moved = asked && (asked.split !== this.split || Number(asked.step) !== Number(this.step));
      if (moved && this.step !== "") {
        this.notice = `${asked.split} step ${asked.step} has no trajectories; showing ${this.split} step ${this.step}.`;
      }
      this.pickers.replaceChildren(
        this.select("run", picks.runs), this.select("split", names), this.select("step", steps.map(String)));
      if (this.step === "") {
        this.list.replaceChildren(h("p", { id: "traj-none" }, "No trajectories logged for this run (only metrics)."));
        this.panes.replaceChildren();
        return;
      }
      const why = ((picks.unreadable || {})[this.split] || {})[this.step];
      if (why) { // a damaged file: the views leave it out, so its page would show nothing
        this.list.replaceChildren(h("p", { class: "error", id: "traj-unreadable" }, `This step's file could not be read: ${why}`));
        this.panes.replaceChildren();
        return;
      }
      const same = early && this.run === `${project}/${model}` && this.split === wanted.split && this.step === wanted.step;
      this.data = await (same ? early : api("/api/trajectories",
        { project: picks.project, model: picks.model, split: this.split, step: this.step }));
    } catch (e) {
      this.list.replaceChildren(errorBox(e));
      return;
    }
    if (!keepPicks) this.picked = [null, null];
    this.render();
  }

  select(key, options) {
    return h("label", {}, `${key} `, h("select", { id: `pick-${key}`, onchange: (e) => {
      this[key] = e.target.value; setParam(key, e.target.value); this.load(); } },
    options.map((o) => h("option", { value: o, selected: String(o) === String(this[key]) }, o))));
  }

  keep(t) {
    const { meta, min, max } = this.filter;
    if (min !== "" && !(t.reward >= Number(min))) return false;
    if (max !== "" && !(t.reward <= Number(max))) return false;
    if (meta) {
      const [k, ...rest] = meta.split("=");
      const v = rest.join("=");
      const have = (t.metadata || {})[k.trim()];
      if (have === undefined || (rest.length && String(have) !== v.trim())) return false;
    }
    return true;
  }

  render() {
    const groups = this.data.groups.map((g) => ({ ...g, shown: g.trajectories.filter((t) => this.keep(t)) }))
      .filter((g) => g.shown.length || (g.exceptions.length && !this.filter.meta && this.filter.min === "" && this.filter.max === ""));
    const first = groups.find((g) => g.shown.length);
    if (!this.picked[0] && first) this.picked = [first.shown[0], first.shown[first.shown.length - 1]];
    const total = groups.reduce((n, g) => n + g.shown.length, 0);
    this.list.replaceChildren(...(this.notice ? [h("p", { class: "note", id: "traj-notice" }, this.notice)] : []),
      h("p", { class: "note", id: "traj-count" }, `${total} trajectories in ${groups.length} groups`),
      ...groups.map((g) => this.groupCard(g)));
    this.panes.replaceChildren(...this.picked.map((t, i) => h("div", { class: "pane", id: `pane-${"ab"[i]}` },
      t ? transcript(t) : h("p", { class: "note" }, "Pick a trajectory (A or B)."))));
  }

  groupCard(g) {
    return h("div", { class: "group", dataset: { group: g.group_index } },
      h("h3", {}, `group ${g.group_index}`),
      kv(g.metadata), kv(g.metrics),
      g.exceptions.map((x) => h("div", { class: "exception" }, `${excType(x.type)}: ${x.message || ""}`)),
      (g.logs || []).map((l) => h("div", { class: "log" }, l)),
      h("ol", {}, g.shown.map((t) => h("li", { dataset: { trajectory: t.trajectory_index } },
        h("span", { class: "reward" }, rewardText(t.reward)), " ",
        h("span", { class: "meta" }, t.metadata ? JSON.stringify(t.metadata) : ""), " ",
        h("button", { type: "button", onclick: () => { this.picked[0] = t; this.render(); } }, "A"),
        h("button", { type: "button", onclick: () => { this.picked[1] = t; this.render(); } }, "B")))));
  }
}

// The step to show for `wanted` among `steps` (newest first): the nearest at or before it,
// else the earliest; the newest when none is wanted.
function nearest(steps, wanted) {
  if (!steps.length) return "";
  if (wanted === "" || Number.isNaN(Number(wanted))) return String(steps[0]);
  const before = steps.find((s) => s <= Number(wanted));
  return String(before ?? steps[steps.length - 1]);
}

// A trajectory's reward is never missing: JSON has no NaN, so a NaN reward arrives as null.
function rewardText(r) {
  return r === null || r === undefined ? "NaN" : fmt(r);
}

function transcript(t) {
  return h("article", { class: "transcript" },
    h("h3", {}, `group ${t.group_index} · trajectory ${t.trajectory_index} · reward ${rewardText(t.reward)}`),
    kv(t.metrics), kv(t.metadata),
    (t.logs || []).map((l) => h("div", { class: "log" }, l)),
    t.messages.map((m) => h("div", { class: `msg ${m.role}${m.trainable ? " trainable" : ""}` },
      h("div", { class: "role" }, m.role, m.trainable ? h("span", { class: "badge" }, "trainable") : null,
        m.tool_call_id ? h("span", { class: "call-id" }, `→ ${m.tool_call_id}`) : null),
      m.content ? h("div", { class: "content" }, m.content) : null,
      (m.tool_calls || []).map((c) => h("div", { class: "tool-call" },
        h("span", { class: "fn" }, (c.function && c.function.name) || c.name || "tool"),
        h("span", { class: "call-id" }, c.id || ""),
        h("pre", {}, pretty((c.function && c.function.arguments) ?? c.arguments)))))),
    t.tools ? h("details", {}, h("summary", {}, "tools"), h("pre", {}, JSON.stringify(t.tools, null, 2))) : null);
}

function pretty(args) {
  if (typeof args !== "string") return JSON.stringify(args, null, 2);
  try { return JSON.stringify(JSON.parse(args), null, 2); } catch { return args; }
}
