"""Benchmarks, side by side with openpipe-art 0.5.23 and with the physical floor.

    python bench/run.py [--quick] [--peer PATH_TO_PEER_PYTHON] [--out bench/results/latest.json]

Prints a table (medians of several runs, with the min-max spread) and writes it as JSON.
The peer is optional: `bash bench/setup_peer.sh` makes it (bench/.peer-venv).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
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
from workload import build, group_specs  # noqa: E402

import art  # noqa: E402
from art.store.catalog import catalog_for  # noqa: E402


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def ms(d: dict[str, float]) -> str:
    return f"{d['median'] * 1000:.2f} ms ({d['min'] * 1000:.2f}-{d['max'] * 1000:.2f})"


def batches(steps: int, groups: int = 32, per_group: int = 8, seed: int = 0) -> list[Any]:
    from openai.types.chat.chat_completion import Choice

    return [build(group_specs(s, groups, per_group, seed), art, Choice) for s in range(steps)]


# -- Model.log and its parts --------------------------------------------------------------


def bench_log(work: list[Any], runs: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from art.store.parquet import groups_to_table, write_table

    p50s, parts, floors, flushes = [], [], [], []
    for _ in range(runs):
        base = Path(tempfile.mkdtemp(prefix="art-bench-"))
        model = art.Model(name="m", project="bench", base_path=str(base), report_metrics=[])
        times: list[float] = []

        async def go(model: art.Model = model, times: list[float] = times) -> None:
            for step, groups in enumerate(work):
                t0 = time.perf_counter()
                await model.log(groups, split="train", step=step)
                times.append(time.perf_counter() - t0)

        asyncio.run(go())
        t0 = time.perf_counter()
        catalog_for(base).flush()
        flushes.append(time.perf_counter() - t0)
        p50s.append(statistics.median(times[1:]))
        conv, floor = [], []
        for step, groups in enumerate(work):
            t0 = time.perf_counter()
            table = groups_to_table(groups)
            write_table(table, base / "plain" / f"{step:04d}.parquet")
            conv.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            pq.write_table(table, base / "bare.parquet", compression="zstd")
            floor.append(time.perf_counter() - t0)
        parts.append(statistics.median(conv))
        floors.append(statistics.median(floor))
        shutil.rmtree(base, ignore_errors=True)
    return {
        "log_p50": spread(p50s),
        "convert_write_p50": spread(parts),
        "bare_write_p50": spread(floors),
        "catalog_flush_after_run": spread(flushes),
    }


def peer_run(peer: Path | None, *args: str) -> dict[str, Any] | None:
    if peer is None or not peer.exists():
        return None
    out = subprocess.run(
        [str(peer), str(HERE / "peer_art.py"), *args], capture_output=True, text=True, cwd="/", check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


LOG_SHAPES = {"4x4": (4, 4), "32x8": (32, 8), "64x16": (64, 16)}


def child(python: Path, *args: str) -> dict[str, Any]:
    """bench/log_child.py in a fresh process of `python` (ours, or the peer's venv: the same
    script then imports openpipe-art as `art`)."""
    out = subprocess.run(
        [str(python), str(HERE / "log_child.py"), *args],
        capture_output=True,
        text=True,
        cwd="/",
        check=True,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def sides(peer: Path | None) -> dict[str, Path]:
    return {"ours": Path(sys.executable), **({"art": peer} if peer is not None and peer.exists() else {})}


def bench_log_shapes(peer: Path | None, steps: dict[str, int], rounds: int) -> dict[str, Any]:
    """Model.log p50 per shape, ours and openpipe-art in fresh processes, interleaved round by
    round (the side that goes first alternates), so both meet the same machine noise."""
    runs: dict[str, dict[str, list[float]]] = {shape: {} for shape in steps}
    for r in range(rounds):
        for shape, n in steps.items():
            g, k = LOG_SHAPES[shape]
            order = list(sides(peer).items())
            for name, python in order[::-1] if r % 2 else order:
                base = tempfile.mkdtemp(prefix=f"art-log-{name}-")
                result = child(python, "log-bench", base, str(n), str(g), str(k))
                runs[shape].setdefault(name, []).append(result["p50"])
                shutil.rmtree(base, ignore_errors=True)
    out: dict[str, Any] = {}
    for shape, by_side in runs.items():
        out[shape] = {name: spread(v) for name, v in by_side.items()}
        out[shape]["steps"] = steps[shape]
        if "art" in by_side:
            out[shape]["ratio"] = statistics.median(by_side["ours"]) / statistics.median(by_side["art"])
    return out


def bench_import(python: str, runs: int, cwd: str | None = None) -> dict[str, float]:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [
                python,
                "-c",
                "import time; t = time.perf_counter(); import art; print(time.perf_counter() - t)",
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd or "/",
            env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return spread(times)


# -- best step over a history of N rows ----------------------------------------------------


def write_history(model_dir: Path, rows: int) -> None:
    """N history.jsonl lines: a train row each step, a val row every 10th step."""
    import random

    rng = random.Random(rows)
    model_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    step = 0
    while len(lines) < rows:
        train = {f"train/m{i}": rng.random() for i in range(8)}
        train.update(
            {
                "train/reward": rng.random(),
                "training_step": step,
                "step": step,
                "recorded_at": "2026-11-26T12:00:00+00:00",
            }
        )
        lines.append(json.dumps(train))
        if step % 10 == 0 and len(lines) < rows:
            lines.append(
                json.dumps(
                    {
                        "val/reward": rng.random(),
                        "val/exception_rate": 0.0,
                        "training_step": step,
                        "step": step,
                        "recorded_at": "2026-11-26T12:00:00+00:00",
                    }
                )
            )
        step += 1
    (model_dir / "history.jsonl").write_text("\n".join(lines) + "\n")


def bench_best_step(peer: Path | None, sizes: list[int], repeats: int) -> dict[str, Any]:
    from art.checkpoints import best_steps
    from art.store import sql

    out: dict[str, Any] = {}
    for n in sizes:
        base = Path(tempfile.mkdtemp(prefix="art-best-"))
        model_dir = base / "bench" / "models" / "m"
        write_history(model_dir, n)
        t0 = time.perf_counter()
        best_steps(base, "bench", "m", "val/reward", window=5)  # first call ingests the history
        ingest = time.perf_counter() - t0
        calls, queries = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            best = best_steps(base, "bench", "m", "val/reward", window=1)
            calls.append(time.perf_counter() - t0)
        with catalog_for(base).writing([("bench", "m")]) as con:
            for _ in range(repeats):
                t0 = time.perf_counter()
                sql.run(
                    con,
                    "best_step",
                    project="bench",
                    model="m",
                    metric="val/reward",
                    window=5,
                    mode="max",
                    top_k=1,
                ).fetchall()
                queries.append(time.perf_counter() - t0)
        peer_result = peer_run(peer, "best-step", str(model_dir), str(repeats))
        long_rows = sum(len(json.loads(line)) - 3 for line in (model_dir / "history.jsonl").open())
        out[str(n)] = {
            "history_lines": n,
            "catalog_rows": long_rows,
            "first_call_with_ingest": ingest,
            "call": spread(calls),
            "query": spread(queries),
            "best": best[0].step,
            "art_choice": peer_result,
        }
        shutil.rmtree(base, ignore_errors=True)
    return out


# -- a large store: queries, visibility, memory ----------------------------------------------

MEAN_REWARD = "SELECT step, avg(reward) FROM trajectories WHERE split = 'train' GROUP BY step ORDER BY step"


def build_store(base: Path, steps: int) -> dict[str, Any]:
    """Log `steps` steps of 32 x 8; sample this process's RSS along the way."""
    from openai.types.chat.chat_completion import Choice

    model = art.Model(name="big", project="bench", base_path=str(base), report_metrics=[])
    rss: dict[int, float] = {}

    def current_rss_mb() -> float:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    async def go() -> None:
        for step in range(steps):
            groups = build(group_specs(step % 50, 32, 8), art, Choice)
            await model.log(groups, split="train", step=step)
            await model.log(split="train", step=step + 1, metrics={"loss": 1.0 / (step + 1)})
            if step + 1 in (10, steps // 10, steps // 4, steps // 2, steps):
                rss[step + 1] = current_rss_mb()

    t0 = time.perf_counter()
    asyncio.run(go())
    catalog_for(base).flush()
    return {
        "seconds": time.perf_counter() - t0,
        "rss_mb_after_steps": rss,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


COLD_QUERY = """
import sys, time, json
t0 = time.perf_counter()
import art
con = art.connect(sys.argv[1])
t1 = time.perf_counter()
rows = con.execute(sys.argv[2]).fetchall()
t2 = time.perf_counter()
print(json.dumps({"connect": t1 - t0, "query": t2 - t1, "rows": len(rows)}))
"""


def bench_queries(base: Path, runs: int) -> dict[str, Any]:
    connects, queries, totals = [], [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD_QUERY, str(base), MEAN_REWARD],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout)
        connects.append(r["connect"])
        queries.append(r["query"])
        totals.append(r["connect"] + r["query"])
    cli = {}
    for name, args in {
        "art history": ["history", "bench", "big", "--metric", "train/reward", "--window", "5", "--json"],
        "art sql (mean reward by step)": ["sql", MEAN_REWARD, "--json"],
    }.items():
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "art", *args, "--base-path", str(base)],
                capture_output=True,
                check=True,
            )
            times.append(time.perf_counter() - t0)
        cli[name] = spread(times)
    return {
        "cold_connect": spread(connects),
        "cold_query": spread(queries),
        "cold_total": spread(totals),
        "cli_seconds": cli,
    }


def bench_peer_read(peer: Path | None, base: Path, files: int) -> dict[str, Any] | None:
    if peer is None or not peer.exists():
        return None
    code = (
        "import sys, time, glob, json\n"
        "from art.utils.trajectory_logging import read_trajectory_groups_parquet as read\n"
        "paths = sorted(glob.glob(sys.argv[1] + '/*.parquet'))[: int(sys.argv[2])]\n"
        "t = time.perf_counter(); means = []\n"
        "for p in paths:\n"
        "    rs = [t.reward for g in read(p) for t in g.trajectories]\n"
        "    means.append(sum(rs) / len(rs))\n"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'files': len(paths)}))\n"
    )
    out = subprocess.run(
        [str(peer), "-c", code, str(base / "bench/models/big/trajectories/train"), str(files)],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


VISIBILITY_READER = """
import sys, time, json
import art
base = sys.argv[1]
for line in sys.stdin:
    step = json.loads(line)
    while True:
        con = art.connect(base)
        seen = con.execute("SELECT count(*) FROM history WHERE step = ? AND metric = 'val/reward'",
                           [step]).fetchone()[0]
        con.close()
        if seen:
            print(json.dumps(time.time()), flush=True)
            break
"""


def bench_visibility(steps: int) -> dict[str, Any]:
    """From log() returning to the step answering a fresh art.connect() in another process.

    The writer waits for each step to be seen before logging the next, so the reader never
    falls behind and each number is one step's latency (it includes one art.connect())."""
    from openai.types.chat.chat_completion import Choice

    base = Path(tempfile.mkdtemp(prefix="art-vis-"))
    model = art.Model(name="vis", project="bench", base_path=str(base), report_metrics=[])
    reader = subprocess.Popen(
        [sys.executable, "-c", VISIBILITY_READER, str(base)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdin is not None and reader.stdout is not None
    work = build(group_specs(0, 8, 8), art, Choice)
    lat: list[float] = []

    async def go() -> None:
        for step in range(steps):
            await model.log(work, split="val", step=step)
            t_return = time.time()
            reader.stdin.write(json.dumps(step) + "\n")
            reader.stdin.flush()
            seen_at = json.loads(reader.stdout.readline())
            lat.append(seen_at - t_return)

    asyncio.run(go())
    reader.stdin.close()
    reader.wait(60)
    lat = sorted(lat[1:])
    shutil.rmtree(base, ignore_errors=True)
    return {"p50": statistics.median(lat), "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))], "n": len(lat)}


def bench_wandb(steps: int) -> dict[str, Any]:
    """First mirrored log() (starts the offline run) and later ones, against plain log()."""
    from openai.types.chat.chat_completion import Choice

    base = Path(tempfile.mkdtemp(prefix="art-wandb-"))
    os.environ["WANDB_MODE"] = "offline"
    os.environ["WANDB_DIR"] = str(base)
    os.environ["WANDB_SILENT"] = "true"
    model = art.Model(name="wb", project="bench", base_path=str(base / "store"))
    work = batches(1)[0] if steps else []
    del Choice
    times: list[float] = []

    async def go() -> None:
        for step in range(steps):
            t0 = time.perf_counter()
            await model.log(work, split="train", step=step)
            times.append(time.perf_counter() - t0)
        await model.close()

    asyncio.run(go())
    for key in ("WANDB_MODE", "WANDB_DIR"):
        os.environ.pop(key, None)
    shutil.rmtree(base, ignore_errors=True)
    return {"first": times[0], "later_p50": statistics.median(times[1:])}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--peer", type=Path, default=HERE / ".peer-venv" / "bin" / "python")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument(
        "--only-shapes", action="store_true", help="only Model.log per shape (ours and openpipe-art)"
    )
    args = parser.parse_args()
    compile_package()  # fresh processes load bytecode, as on a user's machine
    peer = args.peer if args.peer.exists() else None
    quick = args.quick
    steps, runs = (20, 2) if quick else (100, 3)
    store_steps = 50 if quick else 1000
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "peer": str(peer) if peer else None,
    }

    print("Model.log ...", flush=True)
    results["log"] = {} if args.only_shapes else bench_log(batches(steps), runs)
    shape_steps = {"4x4": 40, "32x8": 15, "64x16": 6} if quick else {"4x4": 200, "32x8": 60, "64x16": 20}
    results["log_shapes"] = bench_log_shapes(peer, shape_steps, 2 if quick else 5)
    if args.only_shapes:
        for shape, d in results["log_shapes"].items():
            art_side = f", openpipe-art {ms(d['art'])}, ratio {d['ratio']:.2f}x" if "art" in d else ""
            print(f"Model.log {shape}, p50 of {d['steps']} steps: ours {ms(d['ours'])}{art_side}")
        return
    print("import ...", flush=True)
    results["import_ours"] = bench_import(sys.executable, 5)
    results["import_peer"] = bench_import(str(peer), 3) if peer else None
    print("best step ...", flush=True)
    results["best_step"] = bench_best_step(peer, [1_000, 10_000] if quick else [1_000, 10_000, 100_000], 7)
    print(f"store of {store_steps} steps x 256 trajectories ...", flush=True)
    base = Path(tempfile.mkdtemp(prefix="art-store-"))
    results["store"] = build_store(base, store_steps)
    results["queries"] = bench_queries(base, 3)
    results["peer_read"] = bench_peer_read(peer, base, 20 if quick else 100)
    shutil.rmtree(base, ignore_errors=True)
    print("visibility ...", flush=True)
    results["visibility"] = bench_visibility(20 if quick else 100)
    print("wandb ...", flush=True)
    results["wandb"] = bench_wandb(10 if quick else 30)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print_table(results)
    print(f"\nwritten to {args.out}")


def print_table(r: dict[str, Any]) -> None:
    log = r["log"]
    rows = []
    for shape, d in r["log_shapes"].items():
        rows.append((f"Model.log {shape}, p50 of {d['steps']} steps, fresh processes (ours)", ms(d["ours"])))
        if "art" in d:
            rows.append((f"Model.log {shape}, openpipe-art 0.5.23 (interleaved)", ms(d["art"])))
            rows.append(("  ratio ours / ART", f"{d['ratio']:.2f}x"))
    rows.append(("Model.log 32x8, p50, in-process (v2 parquet + history + catalog)", ms(log["log_p50"])))
    rows.append(("groups -> v2 parquet (convert + write), p50", ms(log["convert_write_p50"])))
    rows.append(
        (
            "  ratio Model.log / convert+write",
            f"{log['log_p50']['median'] / log['convert_write_p50']['median']:.2f}x",
        )
    )
    rows.append(("floor: bare pyarrow write_table, p50", ms(log["bare_write_p50"])))
    rows.append(("import art, fresh process (ours)", ms(r["import_ours"])))
    if r["import_peer"]:
        rows.append(("import art, fresh process (openpipe-art)", ms(r["import_peer"])))
    for n, b in r["best_step"].items():
        line = f"call {ms(b['call'])}, query {ms(b['query'])}"
        if b["art_choice"]:
            art_p50 = b["art_choice"]["p50"]
            line += f"; ART {art_p50 * 1000:.2f} ms ({art_p50 / b['call']['median']:.1f}x)"
        rows.append((f"best step, {int(n):,} history lines ({b['catalog_rows']:,} catalog rows)", line))
    q = r["queries"]
    rows.append(("mean reward per step, cold process: connect + query", ms(q["cold_total"])))
    rows.append(("  of which art.connect()", ms(q["cold_connect"])))
    for name, d in q["cli_seconds"].items():
        rows.append((f"  `{name}` (whole command)", ms(d)))
    if r["peer_read"]:
        pr = r["peer_read"]
        rows.append((f"ART reader, mean reward of {pr['files']} files", f"{pr['seconds']:.2f} s"))
    v = r["visibility"]
    rows.append(
        (
            "log() return -> visible to art.connect() elsewhere",
            f"p50 {v['p50'] * 1000:.1f} ms, p99 {v['p99'] * 1000:.1f} ms",
        )
    )
    s = r["store"]
    rows.append(
        (
            "RSS (MB) after N steps while logging",
            ", ".join(f"{k}: {v:.0f}" for k, v in s["rss_mb_after_steps"].items()),
        )
    )
    w = r["wandb"]
    rows.append(
        (
            "wandb offline: first mirrored log / later p50",
            f"{w['first'] * 1000:.0f} ms / {w['later_p50'] * 1000:.2f} ms",
        )
    )
    width = max(len(a) for a, _ in rows)
    print()
    print(f"| {'measure':<{width}} | result |")
    print(f"|{'-' * (width + 2)}|--------|")
    for a, b in rows:
        print(f"| {a:<{width}} | {b} |")


if __name__ == "__main__":
    main()
