"""Trajectory files damaged after they were written: a file whose footer is intact but whose
pages are not is flagged in `trajectory_files.error`, and every query over the others works;
counts in a footer are believed only when they match the rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import art
from art import Model

from .conftest import group


def damage_pages(path: Path) -> None:
    """Flip the last bytes of the trajectory_json column's data (its data page's payload, past
    the page header); the footer stays as it was."""
    meta = pq.ParquetFile(path).metadata
    names = [meta.row_group(0).column(i).path_in_schema for i in range(meta.num_columns)]
    column = meta.row_group(0).column(names.index("trajectory_json"))
    end = (column.dictionary_page_offset or column.data_page_offset) + column.total_compressed_size
    data = bytearray(path.read_bytes())
    for i in range(end - 16, end):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    assert pq.ParquetFile(path).metadata.num_rows == meta.num_rows  # the footer still reads


async def test_a_file_with_damaged_pages_is_flagged_and_the_rest_stay_queryable(tmp_path: Path) -> None:
    m = Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    for step in range(3):
        await m.log([group(1.0, 0.5), group(0.25)], split="val", step=step)
    damaged = tmp_path / "proj/models/agent/trajectories/val/0001.parquet"
    damage_pages(damaged)
    with art.connect(tmp_path) as con:
        errors = dict(con.execute("SELECT step, error FROM trajectory_files ORDER BY step").fetchall())
        assert errors[0] is None and errors[2] is None
        assert errors[1] is not None and "0001.parquet" in errors[1]
        rows = con.execute(
            "SELECT step, count(*), sum(length(trajectory_json::VARCHAR)) > 0, count(messages) "
            "FROM trajectories GROUP BY step ORDER BY step"
        ).fetchall()
        assert rows == [(0, 3, True, 3), (2, 3, True, 3)]
        assert con.execute("SELECT count(*) FROM trajectories_of('proj', 'agent')").fetchone() == (6,)


async def test_footer_counts_that_disagree_with_the_rows_are_not_believed(tmp_path: Path) -> None:
    from art.store.parquet import COUNT_KEYS, groups_to_table

    table = groups_to_table([group(1.0, 0.5), group(0.25)])
    forged = {**table.schema.metadata, COUNT_KEYS["groups"]: b"1000", COUNT_KEYS["trajectories"]: b"7"}
    path = tmp_path / "proj/models/agent/trajectories/val/0000.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(table.replace_schema_metadata(forged), path)
    with art.connect(tmp_path) as con:
        counts = con.execute(
            "SELECT rows, groups, trajectories, exceptions, error FROM trajectory_files"
        ).fetchall()
    assert counts == [(3, 2, 3, 0, None)]
    assert isinstance(table, pa.Table)
