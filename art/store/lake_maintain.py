"""The lake's maintenance: flush, merge, expire, delete old files, then delete orphaned files
(left on S3 by writers killed between upload and commit); each step retried like a write."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from art.store import sql
from art.store.lake_connection import check_seconds, lake_connection

if TYPE_CHECKING:
    from art.store.lake import DuckLakeStore

log = logging.getLogger(__name__)
ORPHAN_MIN_SECONDS = 900
"""Orphans younger than this stay unless asked: a writer may be about to commit them."""


@dataclass
class MaintainReport:
    """What maintain() did: data-file counts per table and the files it deleted."""

    files_before: dict[str, int]
    files_after: dict[str, int]
    old_files_deleted: list[str] = field(default_factory=list)
    orphans_deleted: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            **{f"{k}_files_before": v for k, v in self.files_before.items()},
            **{f"{k}_files_after": v for k, v in self.files_after.items()},
            "old_files_deleted": len(self.old_files_deleted),
            "orphans_deleted": len(self.orphans_deleted),
        }


def maintain(
    store: DuckLakeStore, keep_seconds: int = 3600, orphan_seconds: int | None = None
) -> MaintainReport:
    """DuckLakeStore.maintain, with the paths of the files removed."""
    check_seconds("keep_seconds", keep_seconds)
    if orphan_seconds is None:
        orphan_seconds = max(keep_seconds, ORPHAN_MIN_SECONDS)
    check_seconds("orphan_seconds", orphan_seconds)
    lake = lake_connection(store)

    def file_count() -> dict[str, int]:
        return dict(
            lake.read(lambda cur: sql.run(cur, "lake/file_count").fetchall(), "count the lake's files")
        )

    before = file_count()
    for name in ("lake/maintain_flush", "lake/maintain_merge"):
        lake.retry(lambda cur, name=name: sql.run(cur, name).fetchall(), what=f"maintain the lake ({name})")
    lake.retry(
        lambda cur: sql.run(cur, "lake/maintain_expire", keep_seconds=keep_seconds).fetchall(),
        what="expire old snapshots",
    )
    old = lake.retry(
        lambda cur: sql.run(cur, "lake/maintain_cleanup", keep_seconds=keep_seconds).fetchall(),
        what="delete old files",
    )
    orphans = lake.retry(
        lambda cur: sql.run(cur, "lake/maintain_orphans", orphan_seconds=orphan_seconds).fetchall(),
        what="delete orphaned files",
    )
    report = MaintainReport(before, file_count(), [r[0] for r in old], [r[0] for r in orphans])
    for path in report.orphans_deleted:
        log.info("lake maintain: deleted orphaned file %s", path)
    return report
