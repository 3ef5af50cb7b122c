"""Runs inside the peer venv (openpipe-art 0.5.23); prints JSON. Never imports this project.

python bench/peer_art.py write BASE STEPS GROUPS PER_GROUP   log the workload with ART
python bench/peer_art.py read FILE [FILE ...]               ART's reader on parquet files ({file: groups})
python bench/peer_art.py log-bench BASE STEPS GROUPS PER_GROUP
python bench/peer_art.py best-step HISTORY_DIR REPEATS        time ART's checkpoint choice
python bench/peer_art.py scenario BASE                          tests/compat/scenario.py under ART
python bench/peer_art.py relog BASE SPLIT STEP GROUPS PER_GROUP  log one split and step (again)
Commands chain with "+": `write ... + read FILE` prints one JSON line per command.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.pop("WANDB_API_KEY", None)
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network look-up at import

from workload import feed


def _peer():
    from openai.types.chat.chat_completion import Choice

    import art

    return art, Choice


def write(base: str, steps: int, groups: int, per_group: int) -> None:
    art, Choice = _peer()
    model = art.Model(name="peer", project="bench", base_path=base, report_metrics=[])

    asyncio.run(feed(model, art, Choice, steps, groups, per_group))
    print(json.dumps({"ok": True}))


def read(*paths: str) -> None:
    from art.utils.trajectory_logging import read_trajectory_groups_parquet

    result = {}
    for path in paths:
        out = []
        for g in read_trajectory_groups_parquet(path):
            d = g.model_dump(mode="json")
            d["choice_types"] = [[type(m).__name__ for m in t.messages_and_choices] for t in g.trajectories]
            out.append(d)
        result[path] = out
    print(json.dumps(result))


def log_bench(base: str, steps: int, groups: int, per_group: int) -> None:
    from log_child import log_bench as timed_logs  # the same loop as ours (bench/log_child.py)

    art, Choice = _peer()
    print(json.dumps(timed_logs(art, Choice, base, steps, groups, per_group)))


def best_step(history_dir: str, repeats: int) -> None:
    """ART 0.5.23's choice in delete_checkpoints: polars read of history.jsonl, mean per step, max."""
    import polars as pl

    path = Path(history_dir) / "history.jsonl"
    times = []
    best = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        df = pl.read_ndjson(path)
        metric = "val/reward"
        best_df = (
            df.filter(pl.col(metric).is_not_null()).group_by("step").agg(pl.col(metric).mean()).sort(metric)
        )
        best = int(best_df["step"][-1])
        times.append(time.perf_counter() - t0)
    print(json.dumps({"p50": statistics.median(times), "best": best}))


def relog(base: str, split: str, step: int, groups: int, per_group: int) -> None:
    """One log() of `groups` x `per_group` at `split` and `step` (a step logged again, as a
    resumed run or a repeated eval does)."""
    from workload import build, group_specs

    art, Choice = _peer()
    model = art.Model(name="peer", project="bench", base_path=base, report_metrics=[])
    batch = build(group_specs(7000 + step, groups, per_group), art, Choice)
    asyncio.run(model.log(batch, split=split, step=step))
    print(json.dumps({"ok": True}))


def scenario(base: str) -> None:
    """tests/compat/scenario.py run by ART (in this process: one ART import for the lot)."""
    import importlib.util

    path = Path(__file__).parents[1] / "tests" / "compat" / "scenario.py"
    spec = importlib.util.spec_from_file_location("art_scenario", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    print(json.dumps(asyncio.run(module.main(Path(base)))))


COMMANDS = {
    "write": lambda a: write(a[0], *map(int, a[1:])),
    "read": lambda a: read(*a),
    "log-bench": lambda a: log_bench(a[0], *map(int, a[1:])),
    "best-step": lambda a: best_step(a[0], int(a[1])),
    "scenario": lambda a: scenario(a[0]),
    "relog": lambda a: relog(a[0], a[1], *map(int, a[2:])),
}


if __name__ == "__main__":
    # commands may be chained with "+" (one JSON line each), to pay ART's slow import once
    argv = sys.argv[1:]
    while argv:
        cmd, *rest = argv
        args = rest[: rest.index("+")] if "+" in rest else rest
        argv = rest[len(args) + 1 :]
        if cmd not in COMMANDS:
            raise SystemExit(__doc__)
        COMMANDS[cmd](args)
