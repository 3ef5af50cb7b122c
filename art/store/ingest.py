"""Catch a catalog connection up with the files: model.json, history.jsonl and trajectory files.

Each source is compared with what the catalog recorded of it (size, inode, mtime), so an
unchanged file costs a stat; a model whose folder is gone is forgotten.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from art.store.catch_up import CatchUpCancelled
from art.store.file_stats import file_stats, trajectory_files
from art.store.history_ingest import HistoryProgress, catch_up_history, record_source
from art.store.paths import model_dirs
from art.store.sql import run_checked as run


def _rel(base_path: Path, path: Path) -> str:
    return path.relative_to(base_path).as_posix()


def sync_models(
    con: duckdb.DuckDBPyConnection,
    base_path: Path,
    only: list[tuple[str, str]] | None,
    progress: Callable[[str, int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Ingest every model (or those in `only`) into `con`; returns how many were looked at.

    `cancelled()` is asked before each file; when true, CatchUpCancelled is raised (the
    caller's transaction is then never committed).
    """
    check = _canceller(cancelled)
    found = {(p, m): d for p, m, d in model_dirs(base_path)}
    known_models = set(run(con, "local/list_models").fetchall())
    if only is None:
        for project, model in known_models:
            if (project, model) not in found:
                for q in (
                    "local/forget_model",
                    "local/forget_model_files",
                    "local/forget_model_sources",
                    "local/delete_model_history",
                ):
                    run(con, q, project=project, model=model)
        targets = found
    else:
        targets = {key: found[key] for key in only if key in found}
    for i, ((project, model), model_dir) in enumerate(targets.items()):
        check()
        _sync_model(con, base_path, project, model, model_dir, (project, model) in known_models, check)
        if progress is not None:
            progress(f"{project}/{model}", i + 1, len(targets))
    return len(targets)


def _sync_model(
    con: duckdb.DuckDBPyConnection,
    base_path: Path,
    project: str,
    model: str,
    model_dir: Path,
    known_model: bool,
    check: Callable[[], None],
) -> None:
    sources = {
        row[0]: row[1:] for row in run(con, "local/sources_of_model", project=project, model=model).fetchall()
    }
    _sync_model_json(con, base_path, project, model, model_dir, sources, known_model)
    _sync_history(con, base_path, project, model, model_dir, sources)
    _sync_files(con, base_path, project, model, model_dir, check)


def _canceller(cancelled: Callable[[], bool] | None) -> Callable[[], None]:
    def check() -> None:
        if cancelled is not None and cancelled():
            raise CatchUpCancelled

    return check


def _sync_model_json(
    con: duckdb.DuckDBPyConnection,
    base_path: Path,
    project: str,
    model: str,
    model_dir: Path,
    sources: dict[str, tuple[Any, ...]],
    known_model: bool,
) -> None:
    path = model_dir / "model.json"
    rel = _rel(base_path, path)
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    known = sources.get(rel)
    if known is not None and st is not None and known[4] == st.st_mtime_ns and known[1] == st.st_size:
        return
    if known is None and st is None and known_model:
        return
    doc: dict[str, Any] = {}
    text = None
    if st is not None:
        try:
            text = path.read_text(encoding="utf-8")
            loaded = json.loads(text)
            doc = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            doc = {}
    run(
        con,
        "local/upsert_model",
        project=project,
        model=model,
        trainable=bool(doc.get("trainable", False)),
        base_model=doc.get("base_model") if isinstance(doc.get("base_model"), str) else None,
        model_json=text,
    )
    if st is not None:
        progress = HistoryProgress(st.st_size, 0, st.st_ino, st.st_mtime_ns)
        record_source(con, rel, project, model, "model_json", progress)


def _sync_history(
    con: duckdb.DuckDBPyConnection,
    base_path: Path,
    project: str,
    model: str,
    model_dir: Path,
    sources: dict[str, tuple[Any, ...]],
) -> None:
    path = model_dir / "history.jsonl"
    rel = _rel(base_path, path)
    row = sources.get(rel)
    known = HistoryProgress(*row[1:]) if row is not None and row[3] else None
    new = catch_up_history(con, project, model, path, known)
    if new == known:
        return
    record_source(con, rel, project, model, "history", new or HistoryProgress(0, 0, 0, 0))


def _sync_files(
    con: duckdb.DuckDBPyConnection,
    base_path: Path,
    project: str,
    model: str,
    model_dir: Path,
    check: Callable[[], None],
) -> None:
    known = {
        path: (size, mtime)
        for path, size, mtime in run(con, "local/files_of_model", project=project, model=model).fetchall()
    }
    seen: set[str] = set()
    for split, step, f in trajectory_files(model_dir):
        check()
        rel = _rel(base_path, f)
        seen.add(rel)
        try:
            st = f.stat()
        except FileNotFoundError:
            continue
        if known.get(rel) == (st.st_size, st.st_mtime_ns):
            continue
        s = file_stats(f)
        run(
            con,
            "local/upsert_file",
            path=rel,
            project=project,
            model=model,
            split=split,
            step=step,
            rows=s.rows,
            groups=s.groups,
            trajectories=s.trajectories,
            exceptions=s.exceptions,
            bytes=st.st_size,
            mtime_ns=st.st_mtime_ns,
            format_version=s.format_version,
            error=s.error,
        )
    for rel in known.keys() - seen:
        run(con, "local/delete_file", path=rel)
