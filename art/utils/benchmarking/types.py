"""ART's `BenchmarkModelKey`: a model to compare, the name shown for it and its split."""

from __future__ import annotations


class BenchmarkModelKey:
    """`name` (the model's folder), `display_name` (defaults to `name`) and `split`
    (defaults to "val"); printed as its display name."""

    def __init__(self, name: str, display_name: str | None = None, split: str | None = None) -> None:
        self.name = name
        self.display_name = display_name or name
        self.split = split or "val"

    def __str__(self) -> str:
        return self.display_name

    def __repr__(self) -> str:
        return f"BenchmarkModelKey({self.name!r}, {self.display_name!r}, {self.split!r})"
