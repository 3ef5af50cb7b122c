"""Where the store is when a base path holds none: the folder above `.art`, or a project or
model folder inside a store, are the mistakes a newcomer makes with --base-path. Only names
what is on disk; never raises."""

from __future__ import annotations

from pathlib import Path


def _is_model(folder: Path) -> bool:
    """A folder a run logged into (a code repository's `models/x` is not one)."""
    return (folder / "history.jsonl").is_file() or (folder / "trajectories").is_dir()


def _holds_runs(base: Path) -> bool:
    try:
        return any(_is_model(m) for m in base.glob("*/models/*"))
    except OSError:
        return False


def _store_above(base: Path) -> Path | None:
    """The store that `base` lies in: a project folder (`models/` inside) or a model folder."""
    if (base / "models").is_dir():
        return base.parent
    if base.parent.name == "models" and _is_model(base):
        return base.parent.parent.parent
    return None


def misplaced_hint(base: Path) -> str:
    """' (...: --base-path STORE)' when `base` holds no runs but a store is beside it, else ''."""
    try:
        if not base.is_dir() or _holds_runs(base):
            return ""
        if _holds_runs(base / ".art"):
            return f" (no runs here; {base / '.art'} is a store: --base-path {base / '.art'})"
        store = _store_above(base)
        if store is not None and _holds_runs(store):
            return f" (a folder inside the store {store}: --base-path {store})"
    except OSError:
        return ""
    return ""
