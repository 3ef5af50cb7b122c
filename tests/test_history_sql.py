"""history.jsonl parsed in DuckDB (the fast path) gives exactly the rows Python's parser gives."""

from __future__ import annotations

import json

import duckdb
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from art.store import history
from art.store.history_ingest import _insert_in_sql, insert_history
from art.store.sql import run

LINES = [
    '{"train/reward": 0.5, "train/n": 3, "training_step": 1, "step": 1, '
    '"recorded_at": "2026-01-02T03:04:05+02"}',
    '{"val/reward": 1, "step": 2.7, "training_step": true, "recorded_at": "2026-01-02T03:04:05"}',
    '{"loss/x": 1.5, "data/y": 2, "custom/z": 3, "step": 3}',
    '{"loss/x": 1.5, "step": 4, "recorded_at": "not a date"}',
    '{"flag": true, "name": "x", "nested": {"a": 1}, "list/x": [1], "step": 5, "val/ok": -0.0}',
    '{"/odd": 1, "step": 6}',
    '{"step": "7", "train/reward": 1}',
    '{"step": null, "train/reward": 1}',
    "[1, 2, 3]",
    "not json at all",
    "",
    "   ",
    '{"train/reward": 1e308, "train/big": 18446744073709551615, "step": 8}',
    '{"ünï/cödé": 2.5, "step": 9, "recorded_at": "2026-03-01T00:00:00Z"}',
    '{"step": 10}',
    # a key repeated: Python keeps its last value at the place of its first (it was left out)
    '{"val/reward": 0.9, "val/acc": 1.0, "step": 11, "val/reward": 0.95}',
    '{"x": 1, "train/a": 2, "x": 3, "step": 12, "step": 13, "recorded_at": "2026-01-01"}',
]


def _rows(text: bytes, fast: bool) -> list[tuple] | None:
    con = duckdb.connect()
    run(con, "local/schema_history")
    if fast:
        if not _insert_in_sql(con, "p", "m", text, 5):
            return None  # left to Python's parser
    else:
        rows = [
            r
            for i, raw in enumerate(text.split(b"\n")[:-1])
            if raw.strip() and (r := history.parse_line(5 + i, raw))
        ]
        if rows:
            insert_history(con, "p", "m", rows)
    return sorted(con.execute("SELECT * FROM history").fetchall(), key=repr)


def test_tricky_lines_parse_alike() -> None:
    text = ("\n".join(LINES) + "\n").encode()
    assert _rows(text, True) == _rows(text, False)
    assert len(_rows(text, True)) > 10


def test_nan_and_bad_utf8_stay_with_python() -> None:
    con = duckdb.connect()
    run(con, "local/schema_history")
    assert not _insert_in_sql(con, "p", "m", b'{"a/b": NaN, "step": 1}\n', 0)
    assert not _insert_in_sql(con, "p", "m", b'{"a/b": 1, "step": 1, "x": "\xff"}\n', 0)


values = st.one_of(
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.text(max_size=5),
)
keys = st.one_of(
    st.sampled_from(["train/reward", "val/r", "loss/l", "data/d", "x", "a/b/c", "time/t"]),
    st.text(max_size=6),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dictionaries(keys, values, max_size=5),
            st.one_of(st.integers(0, 10**6), st.floats(0, 1e6), st.none()),
        ),
        max_size=8,
    )
)
def test_random_lines_parse_alike(docs: list) -> None:
    lines = []
    for doc, step in docs:
        d = {k: v for k, v in doc.items() if k != "step"}
        if step is not None:
            d["step"] = step
        lines.append(json.dumps(d))
    assume(lines)
    text = ("\n".join(lines) + "\n").encode()
    fast = _rows(text, True)
    assume(fast is not None)
    assert fast == _rows(text, False)


ODD_TIMES = [
    "infinity",
    "epoch",
    "2026-1-1",
    "2026-01-01 5:00",
    "20260101",
    "2026-W01-1",
    "2026-01-01 00:00:00 America/New_York",
    "2026-01-01T05:00Z",
    "2026-01-01T05:00+02",
    "2026-01-01T24:00",
    "2026-01-01T05:00:01,5",
    "2026-01-01T05:00:00+24:00",
    "0000-01-01",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2026-02-30",
    "2026-01-01T05:00:00.1234567",
    "2026-01-01T05:00:00-02:30",
    "٢٠٢٦-01-01",
]


def test_odd_recorded_at_reads_alike() -> None:
    """A recorded_at that is not a plain ISO time reads the same on both paths (DuckDB's cast took
    'infinity', 'epoch' and zone names; Python's fromisoformat took ISO basic and week dates)."""
    lines = [json.dumps({"step": i, "a/x": 1, "recorded_at": t}) for i, t in enumerate(ODD_TIMES)]
    text = ("\n".join(lines) + "\n").encode()
    assert _rows(text, True) == _rows(text, False)


def test_a_time_past_year_9999_in_utc_reads_as_none_on_the_python_path() -> None:
    """Python's astimezone overflowed (OverflowError), and the reader's catch-up failed."""
    assert history.parse_recorded_at("9999-12-31T23:59:59-01:00") is None
    assert history.parse_recorded_at("0001-01-01T00:00:00+01:00") is None


async def test_a_store_with_a_time_past_year_9999_stays_readable(tmp_path) -> None:
    import art

    m = art.Model(name="agent", project="proj", base_path=str(tmp_path), report_metrics=[])
    await m.log(split="val", step=0, metrics={"reward": 1.0})
    with open(tmp_path / "proj/models/agent/history.jsonl", "a") as f:  # NaN: Python's parser
        f.write('{"val/x": NaN, "val/y": 1, "step": 1, "recorded_at": "9999-12-31T23:59:59-01:00"}\n')
    with art.connect(tmp_path) as con:
        rows = con.execute("SELECT metric, recorded_at FROM history WHERE step = 1").fetchall()
    assert rows == [("val/y", None)]
