"""Catch a catalog connection up with the files: model.json, history.jsonl and trajectory files.

Each source is compared with what the catalog recorded of it (size, inode, mtime), so an
unchanged file costs a stat; a model whose folder is gone is forgotten. A split folder whose
inode and mtime are as recorded is not listed again: adding, replacing or removing a file
changes its folder's mtime. A folder mtime younger than MTIME_SETTLE_NS is not recorded (a
file could land within the same clock tick), so that folder is listed again next time.
New or changed trajectory files are gathered first and counted together (bulk_stats), while
the histories are read, then recorded in one statement. openpipe-art writes a step logged
again over its old file, which changes no folder, and then appends the step's history line:
the files of the steps that new history lines name are looked at again (O(new lines)).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import duckdb

from art.store.catch_up import CatchUpCancelled
from art.store.confined import stat_regular
from art.store.history_ingest import (
    HistoryProgress,
    appended_to,
    catch_up_history,
    is_unchanged,
    record_source,
)
from art.store.own_files import OwnFile
from art.store.paths import (
    is_stale_temp,
    is_step_name,
    is_valid_name,
    keeps_no_catalog,
    listed_once,
    model_dirs,
    step_name,
)
from art.store.sql import run_checked as run

if TYPE_CHECKING:  # loaded where files are counted: an open that finds none never needs them
    from art.store.file_stats import FileStats

MTIME_SETTLE_NS = 2_000_000_000
SLOW_OPEN_FILES = 1_000  # a reader that counts this many files the catalog lacks says how to stop it
_told: set[Path] = set()


class UncataloguedFilesWarning(UserWarning):
    """A reader counted many trajectory files its store's catalog does not hold (a store written
    by openpipe-art, say): every new process counts them again until a writer records them."""


Sources = dict[tuple[str, str], dict[str, tuple[Any, ...]]]
# folders a catch-up found, for the sandbox's link checks: a folder's lstat (None: not a real
# folder), or True for a model folder (a real folder, as its listing's entry type says)
Folders = dict[str, "os.stat_result | bool | None"]
# what a catch-up's decision for one model rests on (model_key): its split folders (name,
# inode, mtime), model.json and history.jsonl (inode, size, mtime; None: no such file)
FileKey = tuple[int, int, int] | None
ModelKey = tuple[tuple[tuple[str, int, int], ...], FileKey, FileKey]


class CatalogRows(Protocol):
    """Where a catch-up finds what its catalog recorded and how it records changes: a writer's
    catalog in place (WriterRows), or a reader's snapshot (catalog_snapshot.Snapshot), which
    takes a model's rows into memory only before changing them and records no progress."""

    def changing(self, project: str, model: str, rows: str) -> None:
        """Before a model's "models", "files" or "history" rows are changed (or its files read
        by name)."""
        ...

    def recorded_files(self, project: str, model: str, prefix: str) -> list[tuple[str, int, int]]:
        """The files recorded whose path starts with `prefix` (a split folder's, ending with
        `/`, or one file's path): path, bytes, mtime_ns."""
        ...

    def recorded_sources(self) -> Sources:
        """Every source's progress (local/all_sources' rows), by model (`sources_by_model`);
        only read, never changed."""
        ...

    def recorded_models(self) -> list[tuple[str, str]]:
        """Every model the catalog knows (project, model), before the catch-up changes any."""
        ...

    def record(self, rel: str, project: str, model: str, kind: str, progress: HistoryProgress) -> None:
        """Keep how far a source was read, for the next catch-up."""
        ...

    def listed_before(self, rel_dir: str, inode: int, mtime_ns: int) -> bool:
        """This split folder, as it is now, was found as recorded by an earlier listing."""
        ...

    def found_as_recorded(self, rel_dir: str, inode: int, mtime_ns: int) -> None:
        """A listing after the folder's mtime had settled found it as recorded."""
        ...

    def quiet_models(self) -> dict[tuple[str, str], ModelKey] | None:
        """The models an earlier catch-up over these same rows found needing nothing, each
        with what it saw of the model's files (`model_key`); None: none are kept (a writer)."""
        ...

    def found_quiet(self, project: str, model: str, key: ModelKey) -> None:
        """This catch-up found the model needing nothing, its files as `key` says."""
        ...


class WriterRows:
    """A writer's catalog connection: rows read and changed in place, progress recorded."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def changing(self, project: str, model: str, rows: str) -> None:
        pass

    def recorded_files(self, project: str, model: str, prefix: str) -> list[tuple[str, int, int]]:
        return run(self.con, "local/files_under", prefix=prefix).fetchall()

    def recorded_sources(self) -> Sources:
        return sources_by_model(run(self.con, "local/all_sources").fetchall())

    def recorded_models(self) -> list[tuple[str, str]]:
        return run(self.con, "local/list_models").fetchall()

    def record(self, rel: str, project: str, model: str, kind: str, progress: HistoryProgress) -> None:
        record_source(self.con, rel, project, model, kind, progress)

    def listed_before(self, rel_dir: str, inode: int, mtime_ns: int) -> bool:
        return False  # the recorded mtime says it: a settled listing is recorded with it

    def found_as_recorded(self, rel_dir: str, inode: int, mtime_ns: int) -> None:
        pass

    def quiet_models(self) -> dict[tuple[str, str], ModelKey] | None:
        return None  # the rows change with every catch-up: nothing found before holds

    def found_quiet(self, project: str, model: str, key: ModelKey) -> None:
        pass


class NewFile(NamedTuple):
    """A trajectory file the catalog has not seen as it is now: counted after the walk, in bulk."""

    rel: str
    project: str
    model: str
    split: str
    step: int
    path: Path
    bytes: int
    mtime_ns: int


def _rel(base_path: Path, path: Path) -> str:
    return path.relative_to(base_path).as_posix()


def _rel_model(project: str, model: str) -> str:
    """A model folder relative to base_path (model_dirs: BASE/PROJECT/models/MODEL), built as
    text: Path.relative_to cost ~10 us a call, three calls a model on every open."""
    return f"{project}/models/{model}"


def sources_by_model(rows: list[tuple[Any, ...]]) -> Sources:
    """Every recorded source (local/all_sources' rows), by model."""
    out: Sources = {}
    for path, project, model, *rest in rows:
        out.setdefault((project, model), {})[path] = tuple(rest)
    return out


def sync_models(
    con: duckdb.DuckDBPyConnection,
    base_path: Path,
    only: list[tuple[str, str]] | None,
    progress: Callable[[str, int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    remove_stale: bool = True,
    thorough: bool = True,
    snapshot: CatalogRows | None = None,
    own: dict[tuple[str, str], list[OwnFile]] | None = None,
    folders: Folders | None = None,
) -> int:
    """Ingest every model (or those in `only`) into `con`; returns how many were looked at.

    `remove_stale=False` (readers) leaves writers' stale temp files alone: reading writes nothing.
    `thorough=False` (readers) counts openpipe-art's new files in bulk without decoding every
    page; a writer's catalog keeps what it records, so writers decode every page of every file.
    `snapshot` (a reader's, see CatalogRows): `changing(project, model, rows)` is called
    before the catch-up replaces or forgets a model's "models" row, changes its "files" rows
    (a split folder's files changed), reads them by file (a step logged again), or deletes its
    "history" rows (history.jsonl replaced, shrunk or gone; appended lines are only added), so
    an unchanged model costs no copy of its rows; a folder listed again and found as recorded is no change.
    `cancelled()` is asked before each model and file; when true, CatchUpCancelled is raised
    (the caller's transaction is then never committed).
    `own`: models whose only file changes since this catalog last caught up with them are files
    this process wrote; those still as written are recorded from their records (own_files.py).
    `folders`: filled with what the walk found of each model folder (True: real), its
    `trajectories` folder and split folders (their lstat; None: not a real folder), for the
    sandbox's link checks (local_views).
    """
    check = _canceller(cancelled)
    rows: CatalogRows = snapshot if snapshot is not None else WriterRows(con)
    all_sources = rows.recorded_sources()
    found = {(p, m): d for p, m, d in model_dirs(base_path)}
    if folders is not None:
        folders.update(dict.fromkeys(found.values(), True))
    known_models = set(rows.recorded_models())
    if only is None:
        for project, model in known_models:
            if (project, model) not in found:
                rows.changing(project, model, "files")
                rows.changing(project, model, "history")
                rows.changing(project, model, "models")
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
    new_files: list[NewFile] = []
    known_stats: dict[Path, FileStats] = {}
    unlisted: dict[tuple[str, str], set[str]] = {}
    quiet = rows.quiet_models()
    keys: dict[tuple[str, str], ModelKey] = {}  # models looked at in full, as found first
    skipped: set[tuple[str, str]] = set()  # as an earlier catch-up over these rows found them
    for (project, model), model_dir in targets.items():
        check()
        splits = None  # its split folders, listed once for the key and the walk
        if quiet is not None:
            splits = list(_split_dirs(model_dir, folders))
            key = model_key(model_dir, splits)
            if quiet.get((project, model)) == key:
                skipped.add((project, model))
                continue
            keys[(project, model)] = key
        sources = all_sources.get((project, model), {})
        written = (own or {}).get((project, model))
        if written is not None:
            written = list({f.path: f for f in written}.values())  # a step logged twice: its last file
        if written is not None and _own_files_suffice(base_path, sources, written):
            rows.changing(project, model, "files")
            _own_files(con, base_path, project, model, written, new_files, known_stats)
            continue
        if splits is None:
            splits = list(_split_dirs(model_dir, folders))
        unlisted[(project, model)] = _sync_files(
            con, base_path, project, model, splits, sources, remove_stale, check, new_files, rows
        )
    # the new files are counted (bulk_stats: a DuckDB of its own) while the histories are read
    unknown = [f.path for f in new_files if f.path not in known_stats]
    started = time.monotonic()
    counted: Callable[[], dict[Path, FileStats]] = dict  # nothing new: no count (nor its modules)
    if unknown:
        from art.store.bulk_stats import bulk_file_stats_soon

        counted = bulk_file_stats_soon(unknown, check, bulk=not thorough)
    rewritten: list[NewFile] = []
    history_read: set[tuple[str, str]] = set()
    try:
        for i, ((project, model), model_dir) in enumerate(targets.items()):
            check()
            if (project, model) in skipped:
                continue
            sources = all_sources.get((project, model), {})
            known_model = (project, model) in known_models
            _sync_model_json(con, project, model, model_dir, sources, known_model, rows)
            first = _sync_history(con, project, model, model_dir, sources, rows)
            not_listed = unlisted.get((project, model))  # folders this catch-up did not list
            if first is not None:
                history_read.add((project, model))
                if not_listed:
                    rewritten += _logged_again(con, project, model, model_dir, first, not_listed, rows)
            if progress is not None:
                progress(f"{project}/{model}", i + 1, len(targets))
    except BaseException:
        with contextlib.suppress(BaseException):
            counted()  # never leave with the counting thread still inside DuckDB
        raise
    stats = {**counted(), **known_stats}
    if rewritten:  # a few files: counted here, each in full
        from art.store.bulk_stats import bulk_file_stats

        stats.update(bulk_file_stats([f.path for f in rewritten], check, bulk=not thorough))
        new_files += rewritten
    _register_files(con, new_files, stats)
    if not thorough and len(unknown) >= SLOW_OPEN_FILES:
        _tell_uncatalogued(base_path, len(unknown), time.monotonic() - started)
    changed = history_read | {(f.project, f.model) for f in new_files}
    for (project, model), key in keys.items():
        # nothing read, listed or changed, every split folder as recorded
        if (project, model) not in changed and unlisted.get((project, model)) == {s for s, _, _ in key[0]}:
            rows.found_quiet(project, model, key)
    return len(targets)


def _logged_again(
    con: duckdb.DuckDBPyConnection,
    project: str,
    model: str,
    model_dir: str,
    first: int,
    unlisted: set[str],
    rows: CatalogRows,
) -> list[NewFile]:
    """The files of the steps that history lines from `first` on logged, in folders that were
    not listed, whose size or mtime differ from the catalog's: openpipe-art writes a step logged
    again over its old file (same inode), which changes no folder, then appends its history
    line. O(new lines), not O(files)."""
    rel_model = _rel_model(project, model)
    found: list[NewFile] = []
    logged = run(con, "local/logged_steps", project=project, model=model, first_seq=first).fetchall()
    for split, step in logged:
        if split not in unlisted or step < 0:
            continue
        name = f"{step_name(step)}.parquet"
        path = f"{model_dir}/trajectories/{split}/{name}"
        try:
            st = stat_regular(path)
        except FileNotFoundError:
            continue
        rel = f"{rel_model}/trajectories/{split}/{name}"
        # read where it is recorded (a reader's snapshot: nothing taken for a file as recorded)
        recorded = {p: (b, m) for p, b, m in rows.recorded_files(project, model, rel)}
        if recorded.get(rel) != (st.st_size, st.st_mtime_ns):
            found.append(NewFile(rel, project, model, split, step, Path(path), st.st_size, st.st_mtime_ns))
    if found:
        rows.changing(project, model, "files")  # before the files are recorded anew
    return found


def _tell_uncatalogued(base_path: Path, files: int, seconds: float) -> None:
    """Once per process and store: a reader's open is O(files) until the catalog holds them."""
    if base_path in _told:
        return
    _told.add(base_path)
    if keeps_no_catalog(base_path) or not os.access(base_path, os.W_OK):
        return  # no catalog can be kept or written there: rebuild cannot help
    import shlex

    warnings.warn(
        f"{files:,} trajectory files under {base_path} are not in its catalog (a store written by "
        f"openpipe-art, say), so every new process counts them again ({seconds:.1f} s this time): "
        f"`art rebuild --base-path {shlex.quote(str(base_path))}` records them once",
        UncataloguedFilesWarning,
        stacklevel=2,
    )


FILE_FIELDS = ("project", "model", "split", "step", "bytes", "mtime_ns")  # NewFile's, as stored


def _register_files(
    con: duckdb.DuckDBPyConnection, files: list[NewFile], stats: dict[Path, FileStats]
) -> None:
    """Record every new or changed file with its stats in one statement (by columns)."""
    if not files:
        return
    # by column: both records are named tuples, so a transpose gives each field's values
    # (the stats are the hook where a file's validity is decided: the error column)
    found = dict(zip(NewFile._fields, zip(*files, strict=True), strict=True))
    import json

    from art.store.file_stats import FileStats

    counted = dict(zip(FileStats._fields, zip(*(stats[f.path] for f in files), strict=True), strict=True))
    columns = {"path": found["rel"], **{k: found[k] for k in FILE_FIELDS}, **counted}
    run(con, "local/insert_files", files=json.dumps(columns))


def _canceller(cancelled: Callable[[], bool] | None) -> Callable[[], None]:
    def check() -> None:
        if cancelled is not None and cancelled():
            raise CatchUpCancelled

    return check


def _own_files_suffice(base_path: Path, sources: dict[str, tuple[Any, ...]], written: list[OwnFile]) -> bool:
    """The written files can be recorded from their records: each is as written, and the catalog
    has listed its folder before (not so in a catalog that was deleted or rebuilt meanwhile,
    or for a new split)."""
    return all(_rel(base_path, f.path.parent) in sources and f.unchanged() for f in written)


def _own_files(
    con: duckdb.DuckDBPyConnection,
    base_path: Path,
    project: str,
    model: str,
    written: list[OwnFile],
    new_files: list[NewFile],
    known_stats: dict[Path, FileStats],
) -> None:
    """Record the files this process wrote, as written, without listing their folders; each
    folder is marked to be listed by the next full catch-up (a reader's, or a writer's first)."""
    for f in written:
        rel = _rel(base_path, f.path)
        new_files.append(NewFile(rel, project, model, f.split, f.step, f.path, f.bytes, f.mtime_ns))
        known_stats[f.path] = f.stats
    for split_dir in {f.path.parent for f in written}:
        try:
            inode = split_dir.stat(follow_symlinks=False).st_ino
        except OSError:
            inode = 0
        # mtime 0: not a listing's mark, so the folder is listed again by the next full catch-up
        record_source(con, _rel(base_path, split_dir), project, model, "dir", HistoryProgress(0, 0, inode, 0))


def _sync_model_json(
    con: duckdb.DuckDBPyConnection,
    project: str,
    model: str,
    model_dir: str,
    sources: dict[str, tuple[Any, ...]],
    known_model: bool,
    rows: CatalogRows,
) -> None:
    path = f"{model_dir}/model.json"
    rel = f"{_rel_model(project, model)}/model.json"
    try:
        st = stat_regular(path)
    except FileNotFoundError:
        st = None
    known = sources.get(rel)
    if known is not None and st is not None and known[4] == st.st_mtime_ns and known[1] == st.st_size:
        return
    if known is None and st is None and known_model:
        return
    rows.changing(project, model, "models")  # before its row is replaced
    doc: dict[str, Any] = {}
    text = None
    if st is not None:
        try:
            import json  # a model.json read: not on an open that finds every model as recorded

            text = Path(path).read_text(encoding="utf-8")
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
        rows.record(rel, project, model, "model_json", progress)


def _sync_history(
    con: duckdb.DuckDBPyConnection,
    project: str,
    model: str,
    model_dir: str,
    sources: dict[str, tuple[Any, ...]],
    rows: CatalogRows,
) -> int | None:
    """Catch up with the model's history.jsonl; returns the number of the first line it read
    (0 when it read the file from the start), None when nothing was new."""
    path = f"{model_dir}/history.jsonl"
    rel = f"{_rel_model(project, model)}/history.jsonl"
    row = sources.get(rel)
    known = HistoryProgress(*row[1:]) if row is not None and row[3] else None
    if known is not None:
        try:
            st = stat_regular(path)  # a link or FIFO: no history
        except FileNotFoundError:
            st = None
        if st is not None and is_unchanged(st, known):
            return None  # as catch_up_history would find it: nothing new (one stat, no call)
        if st is None or not appended_to(st, known, path):
            rows.changing(project, model, "history")  # it will read the file again from the start
            known_lines = 0
        else:
            known_lines = known.lines
    else:
        known_lines = 0
    new = catch_up_history(con, project, model, Path(path), known)
    if new == known:
        return None
    rows.record(rel, project, model, "history", new or HistoryProgress(0, 0, 0, 0))
    return known_lines


# a model's trajectories folder -> ((device, inode, ctime), its split folders' names), settled
# ones (paths.listed_once: a listing per model per open cost ~1.5 ms with 200 models)
_splits_seen: dict[str, tuple[tuple[int, int, int], tuple[str, ...]]] = {}


def _split_dirs(
    model_dir: str, folders: Folders | None = None
) -> Iterator[tuple[str, os.stat_result, str]]:
    """(split, stat, folder) of each valid split folder (symlinks are not followed); `folders`
    gets the lstat of the `trajectories` folder and of each split folder (None: not a real
    folder)."""
    if folders is None:
        folders = {}
    root = f"{model_dir}/trajectories"
    try:
        st = os.lstat(root)
    except (FileNotFoundError, NotADirectoryError):
        return
    if not stat.S_ISDIR(st.st_mode):
        folders[root] = None
        return  # a `trajectories` that is a link leads out of the store: readers drop it too
    folders[root] = st
    try:
        names = listed_once(_splits_seen, root, st, _split_names)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        path = f"{root}/{name}"
        try:
            dst = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(dst.st_mode):
            folders[path] = dst
            yield name, dst, path
        else:
            folders[path] = None


def model_key(model_dir: str, splits: list[tuple[str, os.stat_result, str]]) -> ModelKey:
    """What one model's catch-up decides on, by lstat (the same calls it makes): each split
    folder (`splits`: `_split_dirs`'), model.json and history.jsonl. A catch-up over the same
    catalog rows that found a model needing nothing finds the same again while this is
    unchanged (its every decision compares these fields with the rows)."""
    key = tuple((split, st.st_ino, st.st_mtime_ns) for split, st, _ in splits)
    return key, _file_key(f"{model_dir}/model.json"), _file_key(f"{model_dir}/history.jsonl")


def _file_key(path: str) -> FileKey:
    try:
        st = stat_regular(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _split_names(root: str) -> tuple[str, ...]:
    with os.scandir(root) as entries:
        names = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
    return tuple(sorted(n for n in names if is_valid_name(n)))


def _sync_files(
    con: duckdb.DuckDBPyConnection,
    base_path: Path,
    project: str,
    model: str,
    splits: list[tuple[str, os.stat_result, str]],
    sources: dict[str, tuple[Any, ...]],
    remove_stale: bool,
    check: Callable[[], None],
    new_files: list[NewFile],
    rows: CatalogRows,
) -> set[str]:
    """Walk the split folders of one model (`splits`: `_split_dirs`'); new or changed files are
    added to `new_files`.
    Returns the splits whose folders were not listed (unchanged since they last were).
    A folder listed again (its mtime too recent to have been recorded, say: the last one a
    writer touched before it stopped) and found as recorded changes nothing."""
    known_dirs = {path: row for path, row in sources.items() if row[0] == "dir"}
    seen_dirs: set[str] = set()
    unlisted: set[str] = set()
    now = time.time_ns()
    rel_model = _rel_model(project, model)
    for split, dst, split_dir in splits:
        rel_dir = f"{rel_model}/trajectories/{split}"
        seen_dirs.add(rel_dir)
        row = known_dirs.get(rel_dir)
        recorded_settled = row is not None and row[3] == dst.st_ino and row[4] == dst.st_mtime_ns != 0
        if recorded_settled or rows.listed_before(rel_dir, dst.st_ino, dst.st_mtime_ns):
            unlisted.add(split)
            continue  # nothing added, replaced or removed in this folder since
        recorded = rows.recorded_files(project, model, rel_dir + "/")
        found, gone = _sync_split(
            Path(split_dir), rel_dir, project, model, split, recorded, remove_stale, check
        )
        settled = now - dst.st_mtime_ns > MTIME_SETTLE_NS  # `now` was taken before the listing
        if found or gone:
            rows.changing(project, model, "files")
            for rel in gone:
                run(con, "local/delete_file", path=rel)
            new_files += found
        elif settled:
            rows.found_as_recorded(rel_dir, dst.st_ino, dst.st_mtime_ns)
        progress = HistoryProgress(0, 0, dst.st_ino, dst.st_mtime_ns if settled else 0)
        rows.record(rel_dir, project, model, "dir", progress)
    for rel_dir in known_dirs.keys() - seen_dirs:
        rows.changing(project, model, "files")
        run(con, "local/delete_files_under", prefix=rel_dir + "/")
        run(con, "local/delete_source", path=rel_dir)
    if not known_dirs and seen_dirs:  # a catalog from before folders were recorded
        rows.changing(project, model, "files")
        for (rel,) in run(con, "local/files_of_model", project=project, model=model).fetchall():
            if rel.rsplit("/", 1)[0] not in seen_dirs:
                run(con, "local/delete_file", path=rel)
    return unlisted


def _sync_split(
    split_dir: Path,
    rel_dir: str,
    project: str,
    model: str,
    split: str,
    recorded: list[tuple[str, int, int]],
    remove_stale: bool,
    check: Callable[[], None],
) -> tuple[list[NewFile], list[str]]:
    """One split folder's NNNN.parquet files (regular files, links not followed) against those
    `recorded` there: (new or changed, gone), in path order. One tight loop over the listing,
    by name (no sort of the listing, no path per unchanged file), each file stat'd by its name
    in the opened folder (a folder swapped for a link since it was walked is not followed, and
    the kernel resolves one name, not the whole path): a folder listed again, the last one a
    writer touched before it stopped, is ~5,000 files at 5,000 steps, on every cold open."""
    cut = len(rel_dir) + 1
    known = {path[cut:]: (size, mtime) for path, size, mtime in recorded}
    found: list[NewFile] = []
    try:
        fd = os.open(split_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as e:
        if e.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            raise
        return found, sorted(f"{rel_dir}/{name}" for name in known)  # gone, or a link now
    try:
        with os.scandir(fd) as listing:
            entries = list(listing)
        for e in entries:
            name = e.name
            if name.endswith(".parquet") and is_step_name(name[:-8]):
                check()
                try:
                    if not e.is_file(follow_symlinks=False):
                        continue
                    st = e.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if known.pop(name, None) == (st.st_size, st.st_mtime_ns):
                    continue
                rel, step = f"{rel_dir}/{name}", int(name[:-8])
                path = split_dir / name
                found.append(NewFile(rel, project, model, split, step, path, st.st_size, st.st_mtime_ns))
            elif remove_stale and is_stale_temp(split_dir / name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=fd)  # in the folder opened, never through a link
    finally:
        os.close(fd)
    found.sort(key=lambda f: f.rel)
    return found, sorted(f"{rel_dir}/{name}" for name in known)
