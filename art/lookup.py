"""Which names exist: an empty answer to a question about a project, model or split becomes an
error naming what is missing and the closest names that do exist (only on that path)."""

from __future__ import annotations

from art.errors import NotFoundError
from art.store.base import Store
from art.store.sql import run_checked as run


def check_run_exists(store: Store, project: str, model: str) -> None:
    """Raise NotFoundError naming the project, or the model within it, when the store lacks it."""
    con = store.connect()
    try:
        names = run(con, "run_names").fetchall()
    finally:
        con.close()
    projects = sorted({p for p, _ in names})
    if project not in projects:
        raise NotFoundError("project", project, projects, f" in {store.describe()}")
    models = sorted(m for p, m in names if p == project)
    if model not in models:
        raise NotFoundError("model", model, models, f" in project {project!r}")
