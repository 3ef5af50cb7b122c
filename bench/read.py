"""Read-path benchmark: each question in fresh processes, interleaved with the raw-DuckDB floor
on the same files and with openpipe-art 0.5.23 where it has an equivalent.

    python bench/read.py [--quick] [--only queries|best|runs|first_open] [--peer PEER_PYTHON]
    python bench/read.py --only first_open [--art-store BASE]   first open of an ART-written store

Every measurement is a new process (cold: the question's first run in it, imports included)
that also repeats the question (warm: the median of the repeats). The sides of one question
run in turn, round by round, so machine load hits them alike. Printed: median (min-max) of
the rounds; the JSON keeps every run. Stores are built once per size (one real 32x8 step file
copied to every step; the catalog written by a real writer catch-up), then only read.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from compiled import compile_package  # noqa: E402

# -- what each side runs, in a fresh process -------------------------------------------------

PRELUDE = """
import json, sys, time
t0 = time.perf_counter()
"""
# ours: import art, connect, question (cold); then the question again (warm)
OURS = (
    PRELUDE
    + """
import art
t1 = time.perf_counter()
con = art.connect(sys.argv[1])
t2 = time.perf_counter()
q = sys.argv[2]
if q: con.execute(q).fetchall()
t3 = time.perf_counter()
warm = []
for _ in range(3):
    s = time.perf_counter()
    if q: con.execute(q).fetchall()
    else: art.connect(sys.argv[1]).close()
    warm.append(time.perf_counter() - s)
print(json.dumps({"import": t1 - t0, "connect": t2 - t1, "cold": t3 - t0, "warm": warm}))
"""
)
# the floor: DuckDB alone on the same files (a view over the glob, then the question)
RAW = (
    PRELUDE
    + """
import duckdb
t1 = time.perf_counter()
con = duckdb.connect()
con.execute(sys.argv[2])
t2 = time.perf_counter()
q = sys.argv[3]
if q: con.execute(q).fetchall()
t3 = time.perf_counter()
warm = []
for _ in range(3):
    s = time.perf_counter()
    if q: con.execute(q).fetchall()
    else: duckdb.connect().execute(sys.argv[2])
    warm.append(time.perf_counter() - s)
print(json.dumps({"import": t1 - t0, "connect": t2 - t1, "cold": t3 - t0, "warm": warm}))
"""
)
OURS_BEST = (
    PRELUDE
    + """
from art.checkpoints import best_steps
t1 = time.perf_counter()
best = best_steps(sys.argv[1], "bench", "big", "val/reward", window=1)[0].step
t2 = time.perf_counter()
warm = []
for _ in range(3):
    s = time.perf_counter()
    best_steps(sys.argv[1], "bench", "big", "val/reward", window=1)
    warm.append(time.perf_counter() - s)
# a training loop's call: one val line appended since the last (a value that never wins)
hist = sys.argv[1] + "/bench/models/big/history.jsonl"
appended = []
for _ in range(3):
    with open(hist, "a") as f:
        f.write(json.dumps({"val/reward": -1.0, "training_step": 0, "step": 0}) + "\\n")
    s = time.perf_counter()
    best_steps(sys.argv[1], "bench", "big", "val/reward", window=1)
    appended.append(time.perf_counter() - s)
print(json.dumps({"import": t1 - t0, "cold": t2 - t0, "op": t2 - t1, "warm": warm, "best": best,
                  "warm_appended": appended}))
"""
)
RAW_BEST = (
    PRELUDE
    + """
import duckdb
t1 = time.perf_counter()
con = duckdb.connect()
sql = ("SELECT step FROM read_json(?, format='newline_delimited', columns={'step': 'BIGINT', "
       "'val/reward': 'DOUBLE'}) WHERE \\"val/reward\\" IS NOT NULL GROUP BY step "
       "ORDER BY avg(\\"val/reward\\") DESC, step DESC LIMIT 1")
best = con.execute(sql, [sys.argv[1]]).fetchone()[0]
t2 = time.perf_counter()
warm = []
for _ in range(3):
    s = time.perf_counter()
    con.execute(sql, [sys.argv[1]]).fetchone()
    warm.append(time.perf_counter() - s)
print(json.dumps({"import": t1 - t0, "cold": t2 - t0, "op": t2 - t1, "warm": warm, "best": best}))
"""
)
# openpipe-art 0.5.23's own choice in delete_checkpoints: polars over history.jsonl
PEER_BEST = (
    PRELUDE
    + """
import polars as pl
t1 = time.perf_counter()
def choose():
    df = pl.read_ndjson(sys.argv[1])
    m = "val/reward"
    return int(df.filter(pl.col(m).is_not_null()).group_by("step").agg(pl.col(m).mean()).sort(m)["step"][-1])
best = choose()
t2 = time.perf_counter()
warm = []
for _ in range(3):
    s = time.perf_counter()
    choose()
    warm.append(time.perf_counter() - s)
print(json.dumps({"import": t1 - t0, "cold": t2 - t0, "op": t2 - t1, "warm": warm, "best": best}))
"""
)
# openpipe-art's reader on one step's file (its only way to a step's trajectories)
PEER_STEP = (
    PRELUDE
    + """
from art.utils.trajectory_logging import read_trajectory_groups_parquet as read
t1 = time.perf_counter()
n = sum(len(g.trajectories) for g in read(sys.argv[1]))
t2 = time.perf_counter()
warm = []
for _ in range(3):
    s = time.perf_counter()
    read(sys.argv[1])
    warm.append(time.perf_counter() - s)
print(json.dumps({"import": t1 - t0, "cold": t2 - t0, "op": t2 - t1, "warm": warm, "rows": n}))
"""
)
OURS_CLI = (
    PRELUDE
    + """
import runpy
sys.argv = ["art", "runs", "--base-path", sys.argv[1], "--json"]
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    try:
        runpy.run_module("art", run_name="__main__")
    except SystemExit:
        pass
t1 = time.perf_counter()
sys.stdout.write(json.dumps({"import": 0.0, "cold": t1 - t0, "warm": []}) + "\\n")
"""
)

MEAN_REWARD = "SELECT step, avg(reward) FROM trajectories WHERE split = 'train' GROUP BY step ORDER BY step"
WORST = "SELECT reward, messages FROM trajectories ORDER BY reward LIMIT 10"
RAW_VIEW = (
    "CREATE VIEW trajectories AS SELECT CAST(regexp_extract(filename, '([0-9]+)[.]parquet$', 1) "
    "AS BIGINT) AS step, 'train' AS split, * EXCLUDE (filename) FROM read_parquet('{glob}', "
    "filename = true) WHERE reward IS NOT NULL"
)
# the same question a first open answers, asked of DuckDB alone: each file's rows, groups,
# trajectories and exceptions (as local/bulk_counts counts them; summed, so that DuckDB cannot
# drop the unused aggregates and read no column), each file's format marker, and every
# history line read as JSON with its keys (the open turns each into metric rows)
RAW_SAME = (
    "SELECT (SELECT [count(*), sum(r), sum(g), sum(t), sum(e)] FROM (SELECT filename, count(*) AS r, "
    "count(DISTINCT group_index) AS g, count(trajectory_index) AS t, sum(CASE WHEN "
    "coalesce(trajectory_index, 0) = 0 THEN json_array_length(group_json, '$.exceptions') END) AS e "
    "FROM read_parquet('{glob}', filename = true) GROUP BY filename)), "
    "(SELECT count(*) FROM parquet_kv_metadata('{glob}') "
    "WHERE decode(key) = 'art.trajectory_parquet.version'), (SELECT sum(len(json_keys(json))) "
    "FROM read_json_objects('{history}', format = 'newline_delimited'))"
)
RAW_RUNS_VIEW = (
    "CREATE VIEW h AS SELECT * FROM read_json('{glob}', format = 'newline_delimited', "
    "filename = true, union_by_name = true)"
)
RAW_RUNS = 'SELECT filename, count(*), max(step), last("train/reward" ORDER BY step) FROM h GROUP BY filename'


def one(python: str, code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [python, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd="/",
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "WANDB_MODE": "disabled"},
    )
    if out.returncode != 0:
        raise RuntimeError(f"{python} failed: {out.stderr[-2000:]}")
    t0 = json.loads(out.stdout.strip().splitlines()[-1])
    return t0


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def interleave(sides: dict[str, tuple[str, str, list[str]]], rounds: int) -> dict[str, Any]:
    """Run every side once per round, in turn; summarize cold and warm per side."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, (python, code, args) in sides.items():
            runs[name].append(one(python, code, *args))
    out = {}
    for name, rs in runs.items():
        warm = [statistics.median(r["warm"]) for r in rs if r["warm"]]
        out[name] = {
            "cold": spread([r["cold"] for r in rs]),
            "import": spread([r["import"] for r in rs]),
            "warm": spread(warm) if warm else None,
            "runs": rs,
        }
    return out


# -- stores ----------------------------------------------------------------------------------


def step_file(work: Path, seed: int, groups: int = 32, per_group: int = 8) -> Path:
    """One real step file of the shared workload, written by this library."""
    from openai.types.chat.chat_completion import Choice
    from workload import build, group_specs

    import art
    from art.store.parquet import groups_to_table, write_table

    path = work / f"template-{seed}-{groups}x{per_group}.parquet"
    if not path.exists():
        write_table(groups_to_table(build(group_specs(seed, groups, per_group), art, Choice)), path)
    return path


def history_lines(steps: int, val_every: int = 10) -> str:
    import random

    rng = random.Random(steps)
    lines = []
    for step in range(steps):
        row = {f"train/m{i}": rng.random() for i in range(8)}
        row.update({"train/reward": rng.random(), "training_step": step, "step": step})
        row["recorded_at"] = "2026-11-26T12:00:00+00:00"
        lines.append(json.dumps(row))
        if step % val_every == 0:
            val = {"val/reward": rng.random(), "training_step": step, "step": step}
            val["recorded_at"] = "2026-11-26T12:00:00+00:00"
            lines.append(json.dumps(val))
    return "\n".join(lines) + "\n"


def make_model(base: Path, model: str, steps: int, templates: list[Path]) -> Path:
    model_dir = base / "bench" / "models" / model
    split = model_dir / "trajectories" / "train"
    split.mkdir(parents=True, exist_ok=True)
    for step in range(steps):
        shutil.copyfile(templates[step % len(templates)], split / f"{step:04d}.parquet")
    (model_dir / "history.jsonl").write_text(history_lines(steps))
    (model_dir / "model.json").write_text(json.dumps({"name": model, "project": "bench"}))
    return model_dir


def catalogued(base: Path) -> float:
    """A trainer's catalog for the store (a real writer catch-up); returns its seconds."""
    from art.store.catalog import catalog_for

    t0 = time.perf_counter()
    catalog_for(base).sync()
    took = time.perf_counter() - t0
    time.sleep(2.1)  # folders older than the catalog's settle time are recorded as unchanged
    catalog_for(base).sync()
    # an unchanged store: a catalog written in the last 2 s is copied and checked again by
    # every open (a reader cannot yet trust its stat); measured apart, ~+12 ms at 5,000 steps
    time.sleep(2.1)
    return took


def art_store(work: Path, steps: int, peer: str, given: Path | None) -> Path:
    """A store written by openpipe-art 0.5.23 itself (32x8 steps: ~7 min for 2,000), or `given`
    (one made before by this function), with no catalog of ours."""
    base = given or work / f"art-store-{steps}"
    if given is None:
        subprocess.run(
            [peer, str(HERE / "peer_art.py"), "write", str(base), str(steps), "32", "8"],
            check=True,
            capture_output=True,
            cwd="/",
        )
    return base


def _no_catalog(base: Path) -> None:
    """Each run of ours starts as a first open: no catalog file (readers never write one)."""
    for p in base.glob("catalog.*"):
        p.unlink()


def bench_first_open(
    work: Path, steps: int, rounds: int, peer: str | None, given: Path | None
) -> dict[str, Any]:
    """`art.connect()` and a count on a store written by openpipe-art (no catalog of ours) vs
    DuckDB alone counting the same files (a view over the glob) in a fresh process, and vs
    DuckDB alone answering what the open answers (RAW_SAME: per-file counts, markers, history)."""
    if peer is None and given is None:
        return {}
    base = art_store(work, steps, peer or "", given)
    files = list(base.glob("*/models/*/trajectories/*/*.parquet"))
    view = RAW_VIEW.format(glob=str(base / "*" / "models" / "*" / "trajectories" / "*" / "*.parquet"))
    py = sys.executable
    glob = str(base / "*" / "models" / "*" / "trajectories" / "*" / "*.parquet")
    same = RAW_SAME.format(glob=glob, history=str(base / "*" / "models" / "*" / "history.jsonl"))
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "raw": [], "raw_same": []}
    for _ in range(rounds):
        _no_catalog(base)
        runs["ours"].append(one(py, OURS, str(base), "SELECT count(*) FROM trajectory_files"))
        assert not list(base.glob("catalog.*")), "a reader wrote a catalog"
        runs["raw"].append(one(py, RAW, "", view, "SELECT count(*) FROM trajectories"))
        runs["raw_same"].append(one(py, RAW, "", "SET enable_progress_bar = false", same))
    out: dict[str, Any] = {"steps": steps, "files": len(files), "base": str(base)}
    for name, rs in runs.items():
        out[name] = {"cold": spread([r["cold"] for r in rs]), "warm": None, "runs": rs}
    return out


# -- the questions -----------------------------------------------------------------------------


def bench_size(work: Path, steps: int, rounds: int, peer: str | None) -> dict[str, Any]:
    templates = [step_file(work, s) for s in range(8)]
    base = work / f"store-{steps}"
    model_dir = make_model(base, "big", steps, templates)
    build_s = catalogued(base)
    glob = str(model_dir / "trajectories" / "train" / "*.parquet")
    view = RAW_VIEW.format(glob=glob)
    py = sys.executable
    middle = steps // 2
    one_step = f"SELECT * FROM trajectories WHERE model = 'big' AND split = 'train' AND step = {middle}"
    step_of = f"SELECT * FROM trajectories_of('bench', 'big', 'train', at_step := {middle})"
    raw_step_view = RAW_VIEW.format(glob=str(model_dir / "trajectories" / "train" / f"{middle:04d}.parquet"))
    out: dict[str, Any] = {"steps": steps, "catalog_build_seconds": build_s}
    out["connect"] = interleave(
        {"ours": (py, OURS, [str(base), ""]), "raw": (py, RAW, ["", view, ""])}, rounds
    )
    out["mean_reward"] = interleave(
        {"ours": (py, OURS, [str(base), MEAN_REWARD]), "raw": (py, RAW, ["", view, MEAN_REWARD])}, rounds
    )
    sides = {
        "ours": (py, OURS, [str(base), one_step]),
        "ours_of": (py, OURS, [str(base), step_of]),
        "raw": (py, RAW, ["", raw_step_view, "SELECT * FROM trajectories"]),
    }
    if peer:
        sides["art"] = (
            peer,
            PEER_STEP,
            [str(model_dir / "trajectories" / "train" / f"{middle:04d}.parquet")],
        )
    out["one_step"] = interleave(sides, rounds)
    out["worst10"] = interleave(
        {"ours": (py, OURS, [str(base), WORST]), "raw": (py, RAW, ["", view, WORST])}, rounds
    )
    just_left(base)
    out["connect_after_writer"] = interleave(
        {"ours": (py, OURS, [str(base), ""]), "raw": (py, RAW, ["", view, ""])}, rounds
    )
    return out


def just_left(base: Path) -> None:
    """The store as a trainer leaves it: its last catch-up ran within a second of its last
    step, so the split folders it touched are recorded as not yet settled (their mtimes too
    recent to trust); the catalog file itself settles before the rounds."""
    from art.store.catalog import catalog_for

    for split in base.glob("*/models/*/trajectories/*"):
        os.utime(split)  # the folder's last change: now
    catalog_for(base).sync()
    time.sleep(2.1)


def bench_best(work: Path, lines: int, rounds: int, peer: str | None) -> dict[str, Any]:
    base = work / f"best-{lines}"
    model_dir = base / "bench" / "models" / "big"
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "history.jsonl").write_text(history_lines(lines * 10 // 11))
    hist = str(model_dir / "history.jsonl")
    sides = {"ours": (sys.executable, OURS_BEST, [str(base)]), "raw": (sys.executable, RAW_BEST, [hist])}
    if peer:
        sides["art"] = (peer, PEER_BEST, [hist])
    lines_now = Path(hist).read_text().count("\n")  # ours appends a few lines per round
    out = interleave(sides, rounds)
    ours = out["ours"]
    ours["warm_appended"] = spread([statistics.median(r["warm_appended"]) for r in ours["runs"]])
    bests = {name: r["runs"][0]["best"] for name, r in out.items()}
    out["same_choice"] = len(set(bests.values())) == 1
    out["lines"] = lines_now
    return out


def bench_runs(work: Path, models: int, steps: int, rounds: int) -> dict[str, Any]:
    base = work / f"runs-{models}x{steps}"
    template = step_file(work, 0, 2, 2)
    for i in range(models):
        make_model(base, f"m{i:03d}", steps, [template])
    build_s = catalogued(base)
    glob = str(base / "bench" / "models" / "*" / "history.jsonl")
    out = interleave(
        {
            "ours_connect": (sys.executable, OURS, [str(base), ""]),
            "ours_cli": (sys.executable, OURS_CLI, [str(base)]),
            "raw": (sys.executable, RAW, ["", RAW_RUNS_VIEW.format(glob=glob), RAW_RUNS]),
        },
        rounds,
    )
    out["catalog_build_seconds"] = build_s
    return out


# -- output --------------------------------------------------------------------------------


def _ms(d: dict[str, float] | None) -> str:
    if not d:
        return "-"
    return f"{d['median'] * 1000:,.1f} ({d['min'] * 1000:,.0f}-{d['max'] * 1000:,.0f})"


def _row(name: str, r: dict[str, Any], ours: str = "ours", raw: str = "raw") -> str:
    ratio = r[ours]["cold"]["median"] / r[raw]["cold"]["median"]
    peer = r.get("art")
    cells = [
        name,
        _ms(r[ours]["cold"]),
        _ms(r[ours]["warm"]),
        _ms(r[raw]["cold"]),
        _ms(r[raw]["warm"]),
        f"{ratio:.1f}x",
        _ms(peer["cold"]) if peer else "-",
        _ms(peer["warm"]) if peer else "-",
    ]
    return "| " + " | ".join(cells) + " |"


def table(results: dict[str, Any]) -> str:
    head = (
        "| question | ours cold | ours warm | raw DuckDB cold | raw warm | ours/raw cold | "
        "openpipe-art cold | openpipe-art warm |\n|---|---|---|---|---|---|---|---|"
    )
    rows = [head]
    first = results.get("first_open")
    if first:
        rows.append(_row(f"first open of an openpipe-art store, {first['files']:,} files", first))
        if "raw_same" in first:
            name = "... against DuckDB alone answering the same question (per-file counts, markers, history)"
            rows.append(_row(name, first, raw="raw_same"))
    for size in results.get("sizes", []):
        n = size["steps"]
        rows.append(_row(f"`art.connect()` alone, {n:,} steps", size["connect"]))
        rows.append(_row(f"mean reward per step, {n:,} steps", size["mean_reward"]))
        rows.append(_row(f"one step's trajectories with messages, {n:,} steps", size["one_step"]))
        if "ours_of" in size["one_step"]:
            name = f"... the same step by `trajectories_of(..., at_step := N)`, {n:,} steps"
            rows.append(_row(name, size["one_step"], "ours_of"))
        rows.append(_row(f"top-10 worst-reward with messages, {n:,} steps", size["worst10"]))
        if "connect_after_writer" in size:
            name = f"`art.connect()` alone, {n:,} steps, its writer just gone"
            rows.append(_row(name, size["connect_after_writer"]))
    for best in results.get("best_step", []):
        rows.append(_row(f"best step, fresh process, {best['lines']:,} history lines", best))
    for best in results.get("best_step", []):
        rows.append(
            f"| best step, one val line appended since the last call, {best['lines']:,} lines | - | "
            f"{_ms(best['ours']['warm_appended'])} | - | - | - | - | - |"
        )
    r = results.get("runs")
    if r:
        rows.append(_row("`art.connect()`, 200 models x 50 steps", r, "ours_connect"))
        rows.append(_row("`art runs`, 200 models x 50 steps", r, "ours_cli"))
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 steps, 3 rounds (a few minutes)")
    parser.add_argument("--peer", type=Path, default=HERE / ".peer-venv" / "bin" / "python")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "read.json")
    parser.add_argument(
        "--only",
        choices=["queries", "best", "runs", "first_open"],
        help="run one part: store queries, best step, runs or the first open of an openpipe-art store",
    )
    parser.add_argument("--art-store", type=Path, help="an openpipe-art store made before (else written)")
    parser.add_argument("--first-open-steps", type=int, default=2_000)
    args = parser.parse_args()
    compile_package()  # fresh processes load bytecode, as on a user's machine
    peer = str(args.peer) if args.peer.exists() else None
    rounds = args.rounds or (3 if args.quick else 5)
    sizes = [100, 1_000] if args.quick else [100, 1_000, 5_000]
    lines = [1_000, 100_000] if args.quick else [1_000, 10_000, 100_000]
    work = Path(tempfile.mkdtemp(prefix="art-read-bench-"))
    results: dict[str, Any] = {"python": sys.version.split()[0], "peer": peer, "rounds": rounds}
    try:
        run = {part: args.only in (None, part) for part in ("queries", "best", "runs", "first_open")}
        results["sizes"] = [bench_size(work, n, rounds, peer) for n in sizes] if run["queries"] else []
        results["best_step"] = [bench_best(work, n, rounds, peer) for n in lines] if run["best"] else []
        results["runs"] = bench_runs(work, 200, 50, rounds) if run["runs"] else None
        if run["first_open"]:
            steps = args.first_open_steps
            results["first_open"] = bench_first_open(work, steps, rounds, peer, args.art_store)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["table"] = table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print(results["table"])
    print(f"\nmilliseconds, median (min-max) of {rounds} fresh processes per side; JSON: {args.out}")


if __name__ == "__main__":
    main()
