"""DuckLake throughput and query time before/after maintenance, on real local servers.

    python bench/lake.py [--hosts 4] [--calls 100] [--groups 8] [--per-group 8]

Starts PostgreSQL and moto's S3 server on 127.0.0.1 (as the tests do), runs N writer
processes (spawned, one per "host") logging to one lake, then times "mean reward per step"
before and after `maintain()`.
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


def _host(store, host: int, calls: int, groups: int, per_group: int, out) -> None:
    from openai.types.chat.chat_completion import Choice
    from workload import build, group_specs

    import art

    model = art.Model(name=f"host-{host}", project="bench", report_metrics=[], store=store)
    work = [build(group_specs(s, groups, per_group, seed=host), art, Choice) for s in range(min(calls, 20))]
    times = []

    async def go() -> None:
        for step in range(calls):
            t0 = time.perf_counter()
            await model.log(work[step % len(work)], split="train", step=step)
            times.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    asyncio.run(go())
    out.put((host, time.perf_counter() - t0, statistics.median(times), max(times)))


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


def main() -> None:
    from servers import local_lake

    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--groups", type=int, default=8)
    parser.add_argument("--per-group", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="art-lake-bench-"))
    with local_lake(work, prefix="bench") as store:
        from art.store.lake_connection import lake_connection

        lake_connection(store)  # create the tables once before the hosts race to
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        procs = [
            ctx.Process(target=_host, args=(store, h, args.calls, args.groups, args.per_group, out))
            for h in range(args.hosts)
        ]
        t0 = time.perf_counter()
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        wall = time.perf_counter() - t0
        results = [out.get() for _ in procs]
        total = args.hosts * args.calls
        before = timed_query(store)
        t1 = time.perf_counter()
        files = store.maintain(keep_seconds=0)
        maintain_s = time.perf_counter() - t1
        after = timed_query(store)
        print(f"{args.hosts} hosts x {args.calls} log() calls of {args.groups}x{args.per_group} trajectories")
        print(
            f"  wall {wall:.1f} s (incl. process start and attach), {total / wall:.1f} log() calls/s overall"
        )
        for host, seconds, p50, worst in sorted(results):
            print(f"  host {host}: {seconds:.1f} s, log() p50 {p50 * 1000:.0f} ms, max {worst * 1000:.0f} ms")
        print(
            f"  mean reward per step (all hosts): before maintenance {before * 1000:.1f} ms, "
            f"after {after * 1000:.1f} ms; maintain() took {maintain_s:.2f} s; files {files}"
        )


if __name__ == "__main__":
    main()
