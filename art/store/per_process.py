"""Objects that hold a DuckDB connection, one per key per process.

A forked child must not use its parent's DuckDB instance (its writes are silently lost),
so the cache is emptied when the process id changes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class PerProcess(Generic[K, V]):
    def __init__(self, factory: Callable[[K], V]) -> None:
        self.factory = factory
        self.items: dict[K, V] = {}
        self.pid = os.getpid()
        self.lock = threading.Lock()

    def get(self, key: K) -> V:
        with self.lock:
            if self.pid != os.getpid():
                self.items = {}
                self.pid = os.getpid()
            if key not in self.items:
                self.items[key] = self.factory(key)
            return self.items[key]
