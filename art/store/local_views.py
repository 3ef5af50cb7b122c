"""The local store's analysis connection: an in-memory DuckDB, caught up with the files.

Opening it writes nothing into the store: it copies the catalog file's bytes into an
anonymous memory file (under DuckDB's shared file lock for a millisecond or two) and attaches
that copy read-only (catalog_snapshot), catches up with the files in memory (copying only the
rows of the models whose files changed), and points the views at an explicit list of files.
So it works on a full disk, a read-only mount or a shared store the user cannot write, keeps
no handle on the catalog (never blocking a trainer) and leaves nothing behind when killed.
Open it again to see steps logged since.

For users (`art.connect()`, `art sql`) the connection is then sandboxed by DuckDB itself:
no file access except in the store's split folders that hold the views' files (real folders
inside the store: DuckDB resolves symlinks before it compares, so a link in or to a folder
that points elsewhere is refused), no extensions, and a locked configuration. One folder per
split, not one entry per file: DuckDB's `allowed_paths` costs ~35 us an entry, which made
every open O(files); and one per model, its `trajectories` folder, when that holds nothing
but files and such split folders. A folder that holds a link or a subfolder, or whose path
has glob characters, is allowed file by file instead (see `_sandbox_plan`). The surfaces that take SQL
text from someone else (`art sql`, the dashboard) also refuse COPY, EXPORT and ATTACH before
they run: DuckDB's allowed folders are writable as well as readable.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import NamedTuple

import duckdb

from art.errors import OutsideStoreError, StoreNotFoundError, UnreadableStorePathError
from art.store.catalog import catalog_for
from art.store.catalog_file import create_reader_schema
from art.store.ingest import Folders, sync_models
from art.store.paths import listed_once
from art.store.sandbox import close_doors
from art.store.sql import run_all_checked as run_all
from art.store.sql import run_checked as run

VIEWS = ("local/view_runs", "view_history_by_step", "local/macro_trajectory_steps")
# an all-v2 store: the view and trajectories_of() read through art_trajectory_rows, and
# trajectories_of() and the dashboard's art_groups_without_trajectories() pick their files
# from the list (art_trajectory_files_of)
V2_MACROS = (
    "local/macro_trajectory_rows",
    "local/macro_glob_escaped",
    "local/macro_listed_regex",
    "local/macro_first_path",
    "local/macro_trajectory_files_of",
    "local/macro_trajectories_of_files",
    "local/macro_groups_without_trajectories_files",
)
Plan = tuple[list[str], list[str], list[str]]
# DuckDB's glob takes a backslash as an escape: `\*` can be neither matched nor escaped
_UNSPELLABLE = re.compile(r"\\[*?\[]")


class FileIndex(NamedTuple):
    """What the views take from local/file_index: the files' patterns (NUL-separated), the
    first one, how many (and how many v2), and their split folders (folder, escaped). Kept
    with an unchanged catalog snapshot for the next open (the folders are checked again)."""

    paths: str
    first: str | None
    files: int
    v2_files: int
    folders: list[tuple[str, str]]


def open_snapshot(base: Path, *, sandbox: bool = True) -> duckdb.DuckDBPyConnection:
    """`runs`, `models`, `history`, `history_by_step`, `trajectory_files`, `trajectories` and
    `trajectories_of(project, model[, split][, at_step := N])` over the store at `base` (an
    absolute path)."""
    if not base.is_dir():
        raise StoreNotFoundError(base)
    if _UNSPELLABLE.search(str(base)):
        raise UnreadableStorePathError(base)
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "threads": 1})
    try:
        create_reader_schema(con)
        snapshot = catalog_for(base).read_into(con)
        # what the catch-up's walk found of each model, trajectories and split folder, for the
        # link checks (`_sandbox_plan` takes the model folders' from it: ~200 lstat calls
        # fewer with 200 models; a model folder swapped for a link since is refused by
        # `_check_resolved`, as one swapped after the checks)
        seen: Folders = {}
        con.begin()
        sync_models(con, base, None, remove_stale=False, thorough=False, snapshot=snapshot, folders=seen)
        con.commit()
        run(con, "local/set_base_path", base_path=str(base))
        # the views and macros go to DuckDB in one call (its fixed cost per call counts here);
        # file_index reads the snapshot's views, so a first open makes those first
        pending = snapshot.views() if snapshot is not None else []
        kept = snapshot.index(str(base)) if snapshot is not None else None
        plan = _sandbox_plan(base, kept.folders, seen) if kept is not None and sandbox else None
        if kept is None or (plan is not None and (plan[1] or plan[2])):
            if pending:
                run_all(con, pending)
            pending = []
            kept, plan = _build_index(con, base, sandbox, seen)
            if snapshot is not None and not (plan[1] or plan[2]):
                snapshot.keep_index(str(base), kept)
        pending += VIEWS
        if kept.files and kept.files == kept.v2_files:
            # the view is bound over the first file alone (DuckDB takes the schema from the
            # first file anyway): binding over every path costs ~1 us a file
            run(con, "local/set_trajectory_paths_to", paths=kept.first)
            run_all(con, [*pending, *V2_MACROS, "local/view_trajectories", "local/reset_threads"])
            run(con, "local/set_trajectory_paths_to", paths=kept.paths)
        else:
            run(con, "local/set_trajectory_paths_to", paths=kept.paths)
            kind = "mixed" if kept.files else "empty"
            run_all(
                con,
                [
                    *pending,
                    f"local/view_trajectories_{kind}",
                    "local/macro_trajectories_of",
                    f"local/macro_groups_without_trajectories_{kind}",
                    "local/reset_threads",
                ],
            )
        if sandbox:
            lock_down(con, base, plan[0], plan[1])
    except BaseException:
        con.close()
        raise
    return con


def _build_index(
    con: duckdb.DuckDBPyConnection, base: Path, sandbox: bool, seen: Folders
) -> tuple[FileIndex, Plan]:
    """The readable files' index (local/file_index), its split folders checked for the sandbox
    (files under a link are dropped from it), and what the views take from it."""
    run(con, "local/file_index")
    rows = [tuple(r) for r in run(con, "local/sandbox_folders").fetchall()]
    plan: Plan = _sandbox_plan(base, rows, seen) if sandbox else ([], [], [])
    folders, one_by_one, dropped = plan
    for folder in dropped:
        run(con, "local/drop_folder_files", prefix=folder + "/")
    files, v2_files = run(con, "local/file_index_versions").fetchone() or (0, 0)
    first, paths = run(con, "local/file_index_paths").fetchone()
    allowed = []
    if one_by_one:
        allowed = [p for (p,) in run(con, "local/sandbox_folder_files", folders=one_by_one).fetchall()]
    return FileIndex(paths, first, files, v2_files, rows), (folders, allowed, dropped)


def _sandbox_plan(base: Path, rows: list[tuple[str, str]], seen: Folders) -> Plan:
    """(whole folders, folders to allow file by file, folders to drop) for the sandbox, from
    each split folder of the views' files (`rows`: folder, its escaped spelling): a real folder
    inside the store is allowed whole (ending with `/`) when it holds only files and its path
    no glob character, else its files one by one; the files of a folder that is, or lies
    under, a link are left out of the views; `seen`: folders the catch-up found, of which only
    the model folders its listing found real are taken (a model folder swapped for a link
    since is refused by `_check_resolved`: every allowed folder lies below one). The
    `trajectories` and split folders are lstat'd here again: their listings are remembered by
    that lstat's ctime, and one taken at the catch-up's start (seconds before, on a first
    open) would vouch for a folder a link was planted in, or swapped for one, since. (DuckDB
    checks a glob's text and the files it opens, not the names it lists: a whole folder
    holding a link to `/etc`, or spelt `st?re` beside a `store`, would let glob() list names
    beyond it.)"""
    real_dirs: Folders = {path: st for path, st in seen.items() if st is True}
    folders: list[str] = []
    one_by_one: list[str] = []
    dropped: list[str] = []
    for folder, pattern in rows:
        if not _real_below(str(base), folder, real_dirs):
            dropped.append(folder)
        elif folder == pattern and _only_files(folder, real_dirs[folder]):
            folders.append(folder)
        else:
            one_by_one.append(folder)
    return _whole_trajectories(folders, real_dirs), one_by_one, dropped


def _whole_trajectories(folders: list[str], known: Folders) -> list[str]:
    """The split folders allowed whole, as allowed folders (ending with `/`): a model's
    `trajectories` folder stands for its splits when all it holds is regular files and split
    folders among `folders` (real, holding only files). Then nothing below it is a link or
    deeper than a split folder, and DuckDB checks half as many entries: `allowed_directories`
    is linear in them (7.4 ms for 400 folders, 3.9 ms for 200, on every open)."""
    splits: dict[str, set[str]] = {}
    for folder in folders:
        parent, _, split = folder.rpartition("/")
        splits.setdefault(parent, set()).add(split)
    allowed = []
    for parent, names in splits.items():
        if _only_files_and_dirs(parent, known.get(parent), names):
            allowed.append(parent + "/")
        else:
            allowed.extend(f"{parent}/{name}/" for name in sorted(names))
    return allowed


def _real_below(base: str, folder: str, known: Folders) -> bool:
    """Every folder from below `base` down to `folder` is a real folder, not a link (each
    checked once per open: the models of a store share their first levels); `known` keeps
    each one's lstat (None: not a real folder; True: real, as its parent's listing said)."""
    path = base
    for part in folder[len(base) + 1 :].split("/"):
        path = f"{path}/{part}"
        if path not in known:
            try:
                st: os.stat_result | None = os.lstat(path)
            except OSError:
                st = None
            known[path] = st if st is not None and stat.S_ISDIR(st.st_mode) else None
        if known[path] is None:
            return False
    return True


# folder -> ((device, inode, ctime), whether it held only files), settled ones (listed_once)
_only_files_seen: dict[str, tuple[tuple[int, int, int], bool]] = {}


def _only_files(folder: str, st: os.stat_result | bool | None) -> bool:
    """No link and no subfolder in `folder` (the entries' types come with the listing); not
    listed again while its inode and ctime stay as they were (paths.listed_once)."""
    if not isinstance(st, os.stat_result):
        return False
    try:
        return listed_once(_only_files_seen, folder, st, _holds_only_files)
    except OSError:
        return False


def _holds_only_files(folder: str) -> bool:
    with os.scandir(folder) as entries:
        return all(not e.is_symlink() and not e.is_dir(follow_symlinks=False) for e in entries)


# folder -> ((device, inode, ctime), its subfolders' names, or None when it holds a link, fifo
# or device), settled ones (listed_once)
_dirs_seen: dict[str, tuple[tuple[int, int, int], frozenset[str] | None]] = {}


def _only_files_and_dirs(folder: str, st: os.stat_result | bool | None, dirs: set[str]) -> bool:
    """`folder` holds regular files and the subfolders named in `dirs`, nothing else (no link,
    no other folder, no fifo or device)."""
    if not isinstance(st, os.stat_result):
        return False
    try:
        subfolders = listed_once(_dirs_seen, folder, st, _subfolders_of_plain)
    except OSError:
        return False
    return subfolders is not None and subfolders <= dirs


def _subfolders_of_plain(folder: str) -> frozenset[str] | None:
    """The subfolders of a folder that holds only those and regular files; else None."""
    subfolders = set()
    with os.scandir(folder) as entries:
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                subfolders.add(e.name)
            elif e.is_symlink() or not e.is_file(follow_symlinks=False):
                return None
    return frozenset(subfolders)


def lock_down(con: duckdb.DuckDBPyConnection, base: Path, folders: list[str], files: list[str]) -> None:
    """Let DuckDB refuse every file outside `folders` and `files`, every extension and setting."""
    if files:  # usually none: a fresh DuckDB allows no single file (one call fewer)
        import json  # only here: an open that needs no file allowed by name never loads it

        run(con, "local/sandbox_allowed_paths", paths=json.dumps(files))
    (held,) = close_doors(con, folders, then=("local/sandbox_allowed",)).fetchone()
    _check_resolved(con, base, folders, files, held)


def _check_resolved(
    con: duckdb.DuckDBPyConnection, base: Path, folders: list[str], files: list[str], held: list[str]
) -> None:
    """Refuse the connection if DuckDB allowed anything but the store's own paths: it resolves an
    allowed folder's (or file's) links when it is set, so a folder of the store swapped for a link
    after the checks above (by someone else writing the store) would allow the link's target
    whole, the reader's home folder say. (An entry that does not exist is kept as it is; DuckDB
    adds an attached database's file and its logs to the files, the catalog's private copy.)"""
    text = str(base)
    real = os.path.realpath(text)
    cut = len(text)
    mine = (*folders, *files)  # a file's escaped glob pattern too, kept as it is (no such path)
    ours = {f"{real}{p[cut:]}" for p in mine if p.startswith(f"{text}/")} | set(mine)
    beyond = set(held) - ours  # `held`: local/sandbox_allowed
    if files:  # usually none: the attached databases are looked up only then (~0.3 ms)
        held_files, attached = run(con, "local/sandbox_allowed_files").fetchone()
        dbs = tuple(
            {form for db in attached for form in (db, db.replace("/proc/self/", f"/proc/{os.getpid()}/", 1))}
        )
        beyond |= {p for p in set(held_files) - ours if not (dbs and p.startswith(dbs))}
    if beyond:
        raise OutsideStoreError(min(beyond), "a folder of the store became a link as it was opened")
