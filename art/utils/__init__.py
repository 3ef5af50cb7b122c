"""`art.utils`: the helpers of ART's `art.utils` that training scripts import.

`iterate_dataset` (with its `DatasetBatch`), `limit_concurrency` and `retry`, as openpipe-art
0.5.23 has them, so `from art.utils import iterate_dataset` runs unchanged;
`art.utils.trajectory_logging` reads and writes one trajectory file as ART does (an
attribute too, as in ART, imported on first use).
"""

import importlib
from typing import Any

from art.utils.iterate_dataset import DatasetBatch, iterate_dataset
from art.utils.limit_concurrency import limit_concurrency
from art.utils.retry import retry

__all__ = ["DatasetBatch", "iterate_dataset", "limit_concurrency", "retry"]


def __getattr__(name: str) -> Any:
    if name == "trajectory_logging":
        return importlib.import_module("art.utils.trajectory_logging")
    raise AttributeError(f"module 'art.utils' has no attribute {name!r}")
