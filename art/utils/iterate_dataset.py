"""ART's `iterate_dataset`: a dataset in shuffled batches, epoch after epoch, resumable.

The same batches as openpipe-art 0.5.23 for the same arguments (each epoch's order is
`random.Random(epoch).shuffle` of the indices, so a resumed run sees the batches it would
have seen), with a progress bar drawn only on a terminal (art/progress.py) instead of tqdm's.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from art.errors import InvalidArgumentError

T = TypeVar("T")


@dataclass
class DatasetBatch(Generic[T]):
    """One step's items; `step` counts across epochs, `epoch_step` within `epoch` (from 0)."""

    items: list[T]
    step: int
    epoch: int
    epoch_step: int


def whole_number(field: str, value: object, least: int) -> int:
    """`value` as an int: any integer type (numpy's, pandas', through `__index__`, as ART
    takes them), never a bool, a float or one below `least`."""
    try:
        whole = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        whole = None
    if isinstance(value, bool) or whole is None or whole < least:
        raise InvalidArgumentError(field, value, f"must be a whole number >= {least}")
    return whole


def iterate_dataset(
    dataset: Sequence[T],
    groups_per_step: int = 1,
    num_epochs: int = 1,
    initial_step: int = 0,
    use_tqdm: bool = True,
) -> Iterator[DatasetBatch[T]]:
    """Yield `groups_per_step` items at a time for `num_epochs` epochs, skipping the steps
    before `initial_step` (pass `await model.get_step()` to resume); `use_tqdm=False` draws
    no bar."""
    return _batches(
        dataset,
        whole_number("groups_per_step", groups_per_step, 1),
        whole_number("num_epochs", num_epochs, 0),
        whole_number("initial_step", initial_step, 0),
        use_tqdm,
    )


def _batches(
    dataset: Sequence[T], per_step: int, epochs: int, initial_step: int, bar_wanted: bool
) -> Iterator[DatasetBatch[T]]:
    size = len(dataset)
    if size == 0:
        return
    steps_per_epoch = math.ceil(size / per_step)
    bar = None
    if bar_wanted:
        from art.progress import Bar

        bar = Bar("Iterating dataset", steps_per_epoch * epochs, completed=initial_step)
    try:
        for epoch in range(epochs):
            order = list(range(size))
            random.Random(epoch).shuffle(order)
            for epoch_step, start in enumerate(range(0, size, per_step)):
                step = epoch * steps_per_epoch + epoch_step
                if step < initial_step:
                    continue
                items = [dataset[i] for i in order[start : start + per_step]]
                yield DatasetBatch(items=items, step=step, epoch=epoch, epoch_step=epoch_step)
                if bar is not None:
                    bar.advance()
    finally:
        if bar is not None:
            bar.close()
