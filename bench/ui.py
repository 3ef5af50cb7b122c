"""How fast `art ui` is in a real browser, and whether an open page slows a trainer.

    python -m bench.ui [--runs 200] [--steps 1000] [--metrics 30]

Builds a store (200 runs; 3 of them with 1,000 steps x 30 metrics; one step of 256
trajectories), serves it with `python -m art ui`, and times in headless Chromium, per page,
the navigation to the moment its data is drawn and the page's API fetches (the browser's
resource timings), median of 5 loads. Then the p50 of `Model.log()` with and without an
open, polling page.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import art
from bench.ui_store import build_large, trajectory
from tests.ui_support import chromium, ui_server

GOALS_MS = {"runs": 300, "curves": 500, "trajectories": 300}


def time_page(page, url: str, selector: str, repeats: int = 5) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median ms from navigation start to `selector` drawn, and median ms of its API fetches."""
    loads, fetches = [], []
    for _ in range(repeats):
        page.goto("about:blank")
        page.goto(url)
        page.wait_for_selector(selector)
        loads.append(page.evaluate("performance.now()"))
        api = page.evaluate(
            "performance.getEntriesByType('resource').filter(e => e.name.includes('/api/') "
            "&& !e.name.includes('/api/stamp')).map(e => e.duration)"
        )
        fetches.append(sum(api))
    return statistics.median(loads), statistics.median(fetches)


def log_p50(base: Path, calls: int) -> float:
    """p50 ms of a trainer's `log()` of one step of 8 groups x 8 trajectories."""
    import random

    rng = random.Random(1)
    model = art.Model(name="trainer", project="live", base_path=str(base))
    groups = [art.TrajectoryGroup([trajectory(rng, g * 8 + k) for k in range(8)]) for g in range(8)]

    async def go() -> list[float]:
        start = await model.get_step()
        took = []
        for step in range(start, start + calls):
            t = time.perf_counter()
            await model.log(groups, "train", step=step)
            took.append((time.perf_counter() - t) * 1000)
        return took

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's loop
        return statistics.median(pool.submit(asyncio.run, go()).result())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--metrics", type=int, default=30)
    ap.add_argument("--log-calls", type=int, default=150)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / ".art"
        t = time.perf_counter()
        asyncio.run(build_large(base, runs=a.runs, steps=a.steps, metrics=a.metrics, long_runs=3))
        print(f"store: {a.runs} runs, 3 x {a.steps} steps x {a.metrics} metrics, built in "
              f"{time.perf_counter() - t:.0f} s")
        with ui_server(base) as url, chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            three = "&".join(f"run=proj-{i}/run-{i:03d}" for i in range(3))
            cases = {
                "runs": (f"{url}#/runs?window=5", f"#runs-table tbody tr:nth-child({a.runs})"),
                "curves": (f"{url}#/curves?{three}&window=5",
                           f'.chart[data-metric="val/m{a.metrics - 3:02d}"] .best:nth-of-type(3)'),
                "trajectories": (f"{url}#/trajectories?run=proj-0/run-000&split=val&step={a.steps - 1}",
                                 "#pane-b .transcript"),
            }
            print(f"{'page':<14}{'load ms':>9}{'api ms':>9}{'goal ms':>9}")
            for name, (u, sel) in cases.items():
                load, api = time_page(page, u, sel)
                print(f"{name:<14}{load:>9.0f}{api:>9.0f}{GOALS_MS[name]:>9}")
            page.goto(url + "about:blank")
            without = log_p50(base, a.log_calls)
            page.goto(f"{url}#/curves?run=live/trainer")
            with_page = log_p50(base, a.log_calls)
            print(f"log() p50: {without:.1f} ms without a page open, {with_page:.1f} ms with the "
                  "curves page open (polling every 2 s)")


if __name__ == "__main__":
    main()
