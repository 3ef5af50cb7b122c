"""The store: files under base_path (the truth) and the DuckDB catalog that indexes them."""

from __future__ import annotations

from art.store.catalog import Catalog, rebuild

__all__ = ["Catalog", "rebuild"]
