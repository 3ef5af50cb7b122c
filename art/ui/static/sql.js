// SQL: a read-only console over the same views as art.connect(); results as a table, CSV.
"use strict";

class SqlPage {
  constructor(root, params) {
    this.root = root;
    this.text = h("textarea", { id: "sql-text", rows: 6, spellcheck: false },
      params.get("q") || "SELECT * FROM runs");
    this.out = h("div", { id: "sql-out" });
    this.csv = h("a", { id: "sql-csv", download: "query.csv" }, "Download CSV");
    root.append(h("form", { class: "sql", onsubmit: (e) => { e.preventDefault(); this.run(); } },
      this.text, h("div", {}, h("button", { id: "sql-run", type: "submit" }, "Run"), " ", this.csv,
        h("span", { class: "note" }, " read-only: runs, models, history, history_by_step, trajectory_files, trajectories, trajectories_of(project, model[, split][, at_step := N])"))),
    this.out);
  }

  async load() { this.run(); }

  async run() {
    const q = this.text.value;
    const turn = this.turn = (this.turn || 0) + 1;  // a late answer to an older query is dropped
    setParam("q", q);
    this.csv.href = `/api/sql?${new URLSearchParams({ q, format: "csv" })}`;
    try {
      const r = await api("/api/sql", { q });
      if (turn !== this.turn) return;
      this.out.replaceChildren(h("table", { class: "grid", id: "sql-table" },
        h("thead", {}, h("tr", {}, r.columns.map((c) => h("th", {}, c)))),
        h("tbody", {}, r.rows.map((row) => h("tr", {}, row.map((v) => h("td", {}, fmt(v))))))),
      h("p", { class: "note" }, `${r.rows.length} row(s)${r.truncated ? " (truncated)" : ""}`));
    } catch (e) {
      if (turn === this.turn) this.out.replaceChildren(errorBox(e));
    }
  }
}
