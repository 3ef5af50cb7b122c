"""Runs one side of the write benchmarks in a fresh process; prints one JSON line.

python bench/log_child.py log-bench BASE STEPS GROUPS PER_GROUP   p50 of Model.log (ours)
python bench/log_child.py memory BASE STEPS GROUPS PER_GROUP      RSS of a process that only logs

bench/peer_art.py has the same commands for openpipe-art 0.5.23, on the same workload.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
os.environ.pop("WANDB_API_KEY", None)

from workload import build, group_specs


def rss_mb() -> dict[str, float]:
    """This process's resident set now and at its peak (ru_maxrss is in KiB on Linux)."""
    with open("/proc/self/status") as f:
        now = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return {"rss_mb": now / 1024, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def log_bench(art: Any, choice: Any, base: str, steps: int, groups: int, per_group: int) -> dict[str, Any]:
    model = art.Model(name="m", project="bench", base_path=base, report_metrics=[])
    batches = [build(group_specs(s, groups, per_group), art, choice) for s in range(steps)]
    times: list[float] = []

    async def go() -> None:
        for step, batch in enumerate(batches):
            t0 = time.perf_counter()
            await model.log(batch, split="train", step=step)
            times.append(time.perf_counter() - t0)

    asyncio.run(go())
    return {"first": times[0], "p50": statistics.median(times[1:]), "times": times}


def memory(art: Any, choice: Any, base: str, steps: int, groups: int, per_group: int) -> dict[str, Any]:
    """Log `steps` train steps, each built just before it is logged (the workload's objects of
    one step at a time, as a training loop holds them); RSS after import, first log, the end."""
    out: dict[str, Any] = {"after_import": rss_mb()}
    model = art.Model(name="m", project="bench", base_path=base, report_metrics=[])
    times: list[float] = []

    async def go() -> None:
        for step in range(steps):
            batch = build(group_specs(step, groups, per_group), art, choice)
            t0 = time.perf_counter()
            await model.log(batch, split="train", step=step)
            times.append(time.perf_counter() - t0)
            if step == 0:
                out["after_first_log"] = rss_mb()

    asyncio.run(go())
    out["end"] = rss_mb()
    out["log_p50"] = statistics.median(times[1:])
    out["log_last_100_p50"] = statistics.median(times[-100:])
    return out


COMMANDS = {"log-bench": log_bench, "memory": memory}


def main(argv: list[str]) -> None:
    if len(argv) != 5 or argv[0] not in COMMANDS:
        raise SystemExit(__doc__)
    t0 = time.perf_counter()
    from openai.types.chat.chat_completion import Choice

    import art

    import_s = time.perf_counter() - t0
    result = COMMANDS[argv[0]](art, Choice, argv[1], *map(int, argv[2:]))
    print(json.dumps({"import_s": import_s, **result}))


if __name__ == "__main__":
    main(sys.argv[1:])
