"""DuckLake throughput and query time before/after maintenance, on real local servers.

    python bench/lake.py [--hosts 4 8] [--runs 3] [--calls 50] [--groups 8] [--per-group 8]

Starts PostgreSQL and moto's S3 server on 127.0.0.1 (as the tests do). For each host count,
`--runs` times on a fresh lake: N writer processes (spawned, one per "host") log to one
lake, then "mean reward per step" is timed before and after `maintain()`. Prints medians
with their min-max spread over the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

QUERY = "SELECT model, step, avg(reward) FROM trajectories GROUP BY ALL ORDER BY ALL"


def _host(store, host: int, calls: int, groups: int, per_group: int, go, out) -> None:
    from openai.types.chat.chat_completion import Choice
    from workload import build, group_specs

    import art
    from art.store.lake_connection import lake_connection

    model = art.Model(name=f"host-{host}", project="bench", report_metrics=[], store=store)
    work = [build(group_specs(s, groups, per_group, seed=host), art, Choice) for s in range(min(calls, 20))]
    lake_connection(store)  # attach before the clock starts, as a long-running trainer has
    times = []

    async def run() -> None:
        for step in range(calls):
            t0 = time.perf_counter()
            await model.log(work[step % len(work)], split="train", step=step)
            times.append(time.perf_counter() - t0)

    out.put(("ready", host))
    go.wait()
    asyncio.run(run())
    out.put((host, statistics.median(times), max(times)))


def timed_query(store, repeats: int = 5) -> float:
    import art

    con = art.connect(store)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        con.execute(QUERY).fetchall()
        times.append(time.perf_counter() - t0)
    con.close()
    return statistics.median(times)


def one_run(store, hosts: int, args) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_host, args=(store, h, args.calls, args.groups, args.per_group, go, out))
        for h in range(hosts)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        out.get()  # every host imported, built its work and attached
    t0 = time.perf_counter()
    go.set()
    results = [out.get() for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    before = timed_query(store)
    t1 = time.perf_counter()
    store.maintain(keep_seconds=0, orphan_seconds=0)
    maintain_s = time.perf_counter() - t1
    return {
        "log() calls/s": hosts * args.calls / wall,
        "log() p50 ms": statistics.median(r[1] for r in results) * 1000,
        "log() max ms": max(r[2] for r in results) * 1000,
        "query before maintain ms": before * 1000,
        "maintain s": maintain_s,
        "query after maintain ms": timed_query(store) * 1000,
    }


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


def main() -> None:
    from servers import lake_store, local_servers

    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--groups", type=int, default=8)
    parser.add_argument("--per-group", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="art-lake-bench-"))
    with local_servers(work, prefix="bench") as servers:
        for hosts in args.hosts:
            runs = []
            for i in range(args.runs):
                name = f"bench_{hosts}_{i}"
                servers.pg.execute(f"CREATE DATABASE {name}")  # our own name, not input
                store = lake_store(servers.pg, servers.s3, work, prefix=name, dbname=name)
                from art.store.lake_admin import init

                init(store)
                runs.append(one_run(store, hosts, args))
            print(
                f"{hosts} hosts x {args.calls} log() calls of {args.groups}x{args.per_group} trajectories, "
                f"median (min-max) of {args.runs} runs, each on a fresh lake:"
            )
            for key in runs[0]:
                print(f"  {key:<26} {spread([r[key] for r in runs])}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
