"""Objects that hold a DuckDB connection, one per key per process.

A forked child must not use its parent's DuckDB instance (its writes are silently lost),
so the cache is emptied in a forked child (and whenever the process id changes), and its
lock, which another thread of the parent may have held at the fork, is made anew.
"""

from __future__ import annotations

import os
import threading
import weakref
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
        _instances.add(self)

    def _reset_in_child(self) -> None:
        # The parent's objects are kept, unused: closing a DuckDB instance that was copied
        # mid-operation by fork could touch locks held by the parent's threads.
        _orphans.append(self.items)
        self.items = {}
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


_instances: weakref.WeakSet[PerProcess] = weakref.WeakSet()
_orphans: list[dict] = []


def _reset_all_in_child() -> None:
    for instance in list(_instances):
        instance._reset_in_child()


os.register_at_fork(after_in_child=_reset_all_in_child)
