"""Which names exist: an empty answer to a question about a project, model or split becomes an
error naming what is missing and the closest names that do exist (only on that path)."""

from __future__ import annotations

import duckdb

from art.errors import NotFoundError
from art.store.base import Store
from art.store.sql import run, run_checked


def check_run_exists(store: Store, project: str, model: str) -> None:
    """Raise NotFoundError naming the project, or the model within it, when the store lacks it."""
    con = store.connect()
    try:
        names = run_checked(con, "run_names").fetchall()
        projects = sorted({p for p, _ in names})
        if project not in projects:
            raise NotFoundError("project", project, projects, f" in {store.describe()}")
        models = sorted(m for p, m in names if p == project)
        if model not in models:
            stored = _runs_named(con, project, model)
            hint = f" (model {model!r} is stored as run {', '.join(map(repr, stored))}: its run_name)"
            raise NotFoundError("model", model, models, f" in project {project!r}" + (hint if stored else ""))
    finally:
        con.close()


def _runs_named(con: duckdb.DuckDBPyConnection, project: str, name: str) -> list[str]:
    """The runs whose model.json gives `name` as the model's name; none where the store keeps
    no model.json (a lake knows models by what they logged)."""
    try:
        return [m for (m,) in run(con, "runs_named", project=project, model_name=name).fetchall()]
    except duckdb.CatalogException:
        return []
