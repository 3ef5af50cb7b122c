"""Keep DuckDB's Python client from importing pandas for our own statements.

DuckDB's client imports pandas on each parameterized `execute` and each `register` (to ask
whether a value is a DataFrame): 0.3-0.5 s on the first call when pandas is installed, and a
failed import (a search of sys.path) on every call when it is not. Our values are never
pandas objects. Inside `no_pandas()`, an import of pandas *from this thread* fails at once;
other threads, and every import once the block ends, are untouched. Once pandas is imported
(by the user, say) the block does nothing: DuckDB finds it in sys.modules.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.abc import MetaPathFinder
from typing import Any

_blocked = threading.local()


class _Finder(MetaPathFinder):
    """First on sys.meta_path; refuses pandas only while this thread is inside `no_pandas()`."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if getattr(_blocked, "depth", 0) and (fullname == "pandas" or fullname.startswith("pandas.")):
            raise ModuleNotFoundError(f"no pandas inside art's own DuckDB calls ({fullname})", name=fullname)
        return None


_finder = _Finder()


@contextmanager
def no_pandas() -> Iterator[None]:
    if "pandas" in sys.modules:
        yield
        return
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    _blocked.depth = getattr(_blocked, "depth", 0) + 1
    try:
        yield
    finally:
        _blocked.depth -= 1
