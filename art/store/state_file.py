"""A model's `state.json`, read once per process and written cheaply.

ART keeps its running totals (and the user's own state, `Model.merge_state`) in this file and
rewrites it on every log(). Its list of scenario ids grows with every train step (32,000 ids,
half a megabyte, after 1,000 steps of 32 groups), so parsing it on each call and dumping it
with `json.dumps(indent=2)` (pure Python) grew every log() by ~15 ms by then. Here:

- the parsed document is kept per process with the file's identity (inode, size, mtime,
  ctime); the next call re-reads only when another writer changed the file;
- it is dumped by orjson in the same indented layout when that gives the bytes json would
  give a reader (ASCII only, no NaN/Infinity, integers in range), else by json.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from art.store.confined import open_file, replace_file

NAME = "state.json"

Signature = tuple[int, int, int, int]


@dataclass
class StateDoc:
    """A parsed `state.json` (`{}` when missing or unreadable) and where it came from."""

    doc: dict[str, Any]
    signature: Signature | None  # None: the file did not exist (or could not be parsed)
    plain: bool  # the text held no NaN/Infinity token: orjson can write the document back
    totals: Any = None  # the running totals built from `doc` (art/store/ledger.py), kept with it


_cache: dict[Path, StateDoc] = {}
_cache_lock = threading.Lock()


def _signature(model_fd: int) -> Signature | None:
    try:
        st = os.stat(NAME, dir_fd=model_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _parse(raw: bytes) -> tuple[dict[str, Any], bool]:
    try:
        doc = json.loads(raw)
    except ValueError:
        return {}, True
    if not isinstance(doc, dict):
        return {}, True
    return doc, b"NaN" not in raw and b"Infinity" not in raw


def read(model_fd: int, shown: Path) -> StateDoc:
    """The document of `state.json` in the model folder `model_fd`; a link there is refused.

    The caller holds the model's lock. The returned document is the caller's to change until
    it calls `write` or `forget` (the cached copy is taken out meanwhile).
    """
    sig = _signature(model_fd)
    with _cache_lock:
        cached = _cache.pop(shown, None)
    if cached is not None and sig is not None and cached.signature == sig:
        return cached
    try:
        fd = open_file(model_fd, NAME, os.O_RDONLY, shown)  # refuses a link with a clear error
    except FileNotFoundError:
        return StateDoc({}, None, True)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        raw = f.read()
    doc, plain = _parse(raw)
    return StateDoc(doc, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns), plain)


def keep(shown: Path, state: StateDoc) -> None:
    """Return an unchanged document to the cache (its file was not written)."""
    if state.signature is not None:
        with _cache_lock:
            _cache[shown] = state


def dumps(doc: dict[str, Any], plain: bool = True) -> bytes:
    """`json.dumps(doc, indent=2)`'s document, by orjson when `plain` (the caller knows no
    float in it is NaN or infinite: orjson would write null) and the text is ASCII."""
    if plain:
        try:
            data = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
        except (orjson.JSONEncodeError, TypeError):  # an integer out of range, say
            data = b""
        if data and data.isascii():
            return data
    return json.dumps(doc, indent=2).encode()


def write(model_fd: int, shown: Path, state: StateDoc, finite: bool = True) -> None:
    """Replace `state.json` with the document (atomically, not synced, as ART) and cache it.

    `finite`: the values the caller put into the document are all finite numbers."""
    data = dumps(state.doc, state.plain and finite)
    replace_file(model_fd, NAME, data, shown, durable=False)
    state.signature = _signature(model_fd)
    state.plain = b"NaN" not in data and b"Infinity" not in data
    keep(shown, state)


def forget(shown: Path) -> None:
    with _cache_lock:
        _cache.pop(shown, None)


def _reset_in_child() -> None:
    global _cache_lock
    _cache.clear()
    _cache_lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_in_child)
