"""The checkpoint choice's per-metric cache (art/store/metric_series.py): it holds exactly what
Python's parser reads for the metric from history.jsonl, however the file was read, and follows
the file as it grows, is rewritten, replaced, truncated or torn."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from art.checkpoints import BestStep, best_steps
from art.errors import MetricNotFoundError
from art.store import history
from art.store.metric_series import MetricSeries
from art.store.mirror import HistoryMirror
from art.store.sql import run

METRIC = "val/reward"


def history_file(base: Path, model: str = "m") -> Path:
    d = base / "p" / "models" / model
    d.mkdir(parents=True, exist_ok=True)
    return d / "history.jsonl"


def line(step: object, value: object, key: str = METRIC, **more: object) -> str:
    return json.dumps({key: value, **more, "training_step": step, "step": step}) + "\n"


def cached(series: MetricSeries, metric: str = METRIC, model: str = "m") -> Counter:
    with series.current("p", model, metric) as cur:
        rows = cur.execute(
            "SELECT step, value FROM history WHERE project = 'p' AND model = ? AND metric = ?",
            [model, metric],
        ).fetchall()
    return Counter(rows)


def python_reads(data: bytes, metric: str = METRIC) -> Counter:
    """The reference: history.parse_line on every complete line (a step must fit in 64 bits)."""
    complete = data[: data.rfind(b"\n") + 1].split(b"\n")[:-1]
    rows = [history.parse_line(i, raw) for i, raw in enumerate(complete) if raw.strip()]
    return Counter(
        (r.step, r.metrics[metric])
        for r in rows
        if r is not None and metric in r.metrics and -(2**63) <= r.step < 2**63
    )


TRICKY = [
    '{"val/reward": 0.5, "step": 1}',
    '{"val/reward": true, "step": 2}',
    '{"val/reward": false, "step": 2.9}',
    '{"val/reward": "0.7", "step": 3}',
    '{"val/reward": null, "step": 3}',
    '{"val/reward": [1], "step": 3}',
    '{"val/reward": 1, "step": "4"}',
    '{"val/reward": 1, "step": true}',
    '{"val/reward": 1, "step": null}',
    '{"val/reward": 1}',
    '{"val/reward": NaN, "step": 5}',
    '{"val/reward": Infinity, "step": 5}',
    '{"val/reward": 0.25, "other": NaN, "step": 5}',
    '{"val/reward": 0.25, "step": NaN}',
    '{"val/reward": 1, "val/reward": 0.125, "step": 6}',
    '{"val/reward": 0.375, "step": 6, "step": 7}',
    '{"val\\/reward": 0.625, "step": 8}',
    '{"v\\u0061l/reward": 0.75, "step": 8}',
    '{"val/reward": 0.875, "st\\u0065p": 9}',
    '{"note": "val/reward", "step": 10}',
    '{"note": "\\"val/reward\\"", "step": 10}',
    '{"val/reward": 2.5, "step": 11}{"val/reward": 3, "step": 11}',
    '{"val/reward": 2.5, "step": 12,}',
    '{"val/reward": 2.5, "x": [1,], "step": 12}',
    '{"val/reward": 2.5, "x": nan, "step": 12}',
    '{"val/reward": 2.5, "x": -Inf, "step": 12}',
    '{"val/reward": 0.5, "x": -Infinity, "step": 17}',
    '{"val/reward": 0.5, "x": "a:nan, b]", "step": 18}',
    '{"val/reward": 0.5, "time/inference_nanos": 1, "step": 20}',
    '{"val/reward": 0.5, "x": [NAN], "step": 21}',
    '["val/reward", 1, "step", 2]',
    '"val/reward"',
    "not json val/reward",
    "",
    "   ",
    '{"val/reward": 1e400, "step": 13}',
    '{"val/reward": 18446744073709551615, "step": 14}',
    '{"val/reward": -0.0, "step": -0.5}',
    '{"val/reward": 4, "step": 1e300}',
    '{"val/reward": 4, "step": 1e300, "x": NaN}',
    '{"val/reward": 4, "x": NaN, "y": 1' + "0" * 400 + ', "step": 19}',
    '{ "val/reward" : 1.5e2 , "step" : 15 }',
    '{"val/reward": 0.5, "step": 16, "recorded_at": "2026-01-01T00:00:00+00:00"}',
]


def test_tricky_lines_read_as_python_reads_them(tmp_path: Path) -> None:
    """Lines DuckDB reads unlike Python (NaN, repeated keys, escapes, trailing commas) end up as
    Python reads them: the values of a metric decide which checkpoints survive."""
    data = ("\n".join(TRICKY) + "\n").encode()
    history_file(tmp_path).write_bytes(data)
    expected = python_reads(data)
    assert (6, 0.125) in expected and (8, 0.625) in expected and (8, 0.75) in expected
    assert cached(MetricSeries(tmp_path)) == expected
    # the same lines arriving one by one (read from the last offset, not by DuckDB's file
    # reader), parsed in Python (a few lines) or in DuckDB (many: python_bytes=0)
    for python_bytes in (0, 1 << 16):
        path = history_file(tmp_path, f"grown{python_bytes}")
        series = MetricSeries(tmp_path)
        series.python_bytes = python_bytes
        for text in TRICKY:
            with path.open("a") as f:
                f.write(text + "\n")
            cached(series, model=path.parent.name)
        assert cached(series, model=path.parent.name) == expected


names = st.one_of(
    st.sampled_from(
        [METRIC, "train/reward", "a~1b", "$x", "/odd", "ünï/cödé", 'q"uote', "back\\slash", "step"]
    ),
    st.text(min_size=1, max_size=6),
)
values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**70), 2**70),
    st.booleans(),
    st.none(),
    st.text(max_size=4),
)
steps = st.one_of(st.integers(-3, 50), st.floats(-3, 50), st.booleans(), st.none(), st.text(max_size=2))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    metric=names,
    docs=st.lists(
        st.tuples(st.dictionaries(names, values, max_size=4), steps, st.booleans(), st.booleans()),
        min_size=1,
        max_size=10,
    ),
    split_at=st.integers(0, 10),
)
def test_random_histories_read_as_python_reads_them(
    tmp_path_factory: pytest.TempPathFactory, metric: str, docs: list, split_at: int
) -> None:
    lines = []
    for doc, step, ascii_only, spaced in docs:
        d = {k: v for k, v in doc.items() if k != "step"}
        if step is not None:
            d["step"] = step
        sep = (", ", ": ") if spaced else (",", ":")
        lines.append(json.dumps(d, ensure_ascii=ascii_only, separators=sep).encode() + b"\n")
    base = tmp_path_factory.mktemp("h")
    path = history_file(base)
    data = b"".join(lines)
    path.write_bytes(data)
    assert cached(MetricSeries(base), metric) == python_reads(data, metric)
    # first part read whole, the rest appended and read from the offset (by DuckDB)
    path.write_bytes(b"".join(lines[:split_at]))
    series = MetricSeries(base)
    series.python_bytes = 0
    cached(series, metric)
    with path.open("ab") as f:
        f.write(b"".join(lines[split_at:]))
    assert cached(series, metric) == python_reads(data, metric)


def test_appended_lines_are_seen_and_counted_once(tmp_path: Path) -> None:
    path = history_file(tmp_path)
    path.write_text(line(1, 0.5) + line(2, 0.25))
    series = MetricSeries(tmp_path)
    assert cached(series) == Counter({(1, 0.5): 1, (2, 0.25): 1})
    for _ in range(2):  # the answer is kept while the file stays the same...
        assert best_steps(tmp_path, "p", "m", METRIC)[0].step == 1
    with path.open("a") as f:
        f.write(line(3, 0.75) + line(3, 0.5, key="train/reward"))
    for _ in range(2):
        assert cached(series) == Counter({(1, 0.5): 1, (2, 0.25): 1, (3, 0.75): 1})
    assert best_steps(tmp_path, "p", "m", METRIC)[0].step == 3  # ...and given anew once it grows
    with path.open("a") as f:
        f.write(line(3, 1.0))
    assert best_steps(tmp_path, "p", "m", METRIC)[0] == BestStep(3, 0.875, 0.875)


def test_a_rewritten_file_of_the_same_size_is_read_again(tmp_path: Path) -> None:
    path = history_file(tmp_path)
    path.write_text(line(1, 0.5) + line(2, 0.25))
    series = MetricSeries(tmp_path)
    cached(series)
    stat = path.stat()
    with path.open("r+") as f:  # same inode, same size, another value
        f.write(line(1, 0.1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert path.stat().st_size == stat.st_size and path.stat().st_ino == stat.st_ino
    assert cached(series) == Counter({(1, 0.1): 1, (2, 0.25): 1})


def test_a_rewritten_file_that_grew_is_read_again(tmp_path: Path) -> None:
    """Same inode, larger: but the bytes already read changed, so it is not an append."""
    path = history_file(tmp_path)
    path.write_text(line(1, 0.5) + line(2, 0.25))
    series = MetricSeries(tmp_path)
    cached(series)
    with path.open("r+") as f:
        f.write(line(5, 0.875) + line(6, 0.125) + line(7, 0.625))
    assert cached(series) == Counter({(5, 0.875): 1, (6, 0.125): 1, (7, 0.625): 1})


def test_a_truncated_or_replaced_or_removed_file_is_followed(tmp_path: Path) -> None:
    path = history_file(tmp_path)
    path.write_text(line(1, 0.5) + line(2, 0.25) + line(3, 0.75))
    series = MetricSeries(tmp_path)
    cached(series)
    with path.open("r+") as f:
        f.truncate(len(line(1, 0.5)))
    assert cached(series) == Counter({(1, 0.5): 1})
    other = path.with_name("new.jsonl")
    other.write_text(line(9, 0.5))
    os.replace(other, path)
    assert cached(series) == Counter({(9, 0.5): 1})
    path.unlink()
    assert cached(series) == Counter()
    path.write_text(line(4, 0.5))
    assert cached(series) == Counter({(4, 0.5): 1})


def test_a_torn_last_line_waits_until_it_is_whole(tmp_path: Path) -> None:
    path = history_file(tmp_path)
    whole = line(2, 0.25)
    path.write_text(line(1, 0.5) + whole[:-1])  # complete object, newline not yet written
    series = MetricSeries(tmp_path)
    assert cached(series) == Counter({(1, 0.5): 1})
    assert cached(MetricSeries(tmp_path)) == Counter({(1, 0.5): 1})
    with path.open("a") as f:
        f.write("\n")
    assert cached(series) == Counter({(1, 0.5): 1, (2, 0.25): 1})
    # a torn line cut off (as the writer does after a crash) and another line written
    path.write_text(line(1, 0.5) + whole[:10])
    series = MetricSeries(tmp_path)
    cached(series)
    with path.open("r+") as f:
        f.truncate(len(line(1, 0.5)))
        f.seek(0, os.SEEK_END)
        f.write(line(3, 0.875))
    assert cached(series) == Counter({(1, 0.5): 1, (3, 0.875): 1})


def test_a_metric_logged_only_later_is_found_then(tmp_path: Path) -> None:
    path = history_file(tmp_path)
    path.write_text(line(1, 0.5, key="train/reward"))
    with pytest.raises(MetricNotFoundError, match=r"'val/reward'.*train/reward"):
        best_steps(tmp_path, "p", "m", METRIC)
    with path.open("a") as f:
        f.write(line(2, 0.25) + line(3, 0.75) + line(4, 0.5))
    assert [b.step for b in best_steps(tmp_path, "p", "m", METRIC, top_k=2)] == [3, 4]


def test_lines_appended_while_reading_are_counted_once(tmp_path: Path) -> None:
    """A writer appends while caches read, over and over: no line is lost or read twice."""
    path = history_file(tmp_path)
    path.write_text("".join(line(i, i / 1000) for i in range(2000)))
    series = MetricSeries(tmp_path)
    done = threading.Event()

    def write() -> None:
        with path.open("a") as f:
            for i in range(2000, 2600):
                f.write(line(i, i / 1000, **{"train/reward": 1.0}))
                f.flush()
                time.sleep(0.001)
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    while not done.is_set():
        cached(series)
        fresh = cached(MetricSeries(tmp_path))  # a whole read racing the writer: a prefix
        assert set(fresh.values()) == {1} and {s for s, _ in fresh} == set(range(len(fresh)))
    writer.join()
    assert cached(series) == Counter({(i, i / 1000): 1 for i in range(2600)})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    evals=st.lists(st.tuples(st.integers(0, 12), st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])), max_size=20),
    window=st.integers(1, 4),
    mode=st.sampled_from(["max", "min"]),
    top_k=st.integers(1, 3),
)
def test_choices_match_the_whole_history_mirror(
    tmp_path_factory: pytest.TempPathFactory, evals: list, window: int, mode: str, top_k: int
) -> None:
    """The same sql/best_step.sql on the metric's rows chooses what it chose on the whole history
    (repeated steps, ties, windows, other metrics on the same lines)."""
    base = tmp_path_factory.mktemp("b")
    history_file(base).write_text(
        "".join(line(s, v, **{"train/reward": 1 - v}) for s, v in evals) + line(99, 0.5, key="train/reward")
    )
    args = dict(project="p", model="m", metric=METRIC, window=window, mode=mode, top_k=top_k)
    with MetricSeries(base).current("p", "m", METRIC) as cur:
        ours = run(cur, "best_step", **args).fetchall()
    with HistoryMirror(base).current("p", "m") as cur:
        whole = run(cur, "best_step", **args).fetchall()
    assert ours == whole
    assert bool(ours) == bool(evals)


def _choose_in_child(base: str, out: mp.Queue) -> None:
    try:
        with history_file(Path(base)).open("a") as f:
            f.write(line(7, 0.99))
        out.put(("ok", best_steps(base, "p", "m", METRIC)[0].step))
    except Exception as e:
        out.put(("error", f"{type(e).__name__}: {e}"))


def test_a_forked_child_has_its_own_cache(tmp_path: Path) -> None:
    """The parent's in-memory DuckDB is not used by a forked child (its state is not the child's)."""
    history_file(tmp_path).write_text(line(1, 0.5))
    assert best_steps(tmp_path, "p", "m", METRIC)[0].step == 1
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    child = ctx.Process(target=_choose_in_child, args=(str(tmp_path), out))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert out.get(timeout=10) == ("ok", 7)
    assert best_steps(tmp_path, "p", "m", METRIC)[0].step == 7
