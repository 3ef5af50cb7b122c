"""How fast `art ui` is in a real browser, and whether an open page slows a trainer.

    python -m bench.ui [--runs 200] [--steps 1000] [--metrics 30] [--repeats 5] [--store DIR]

Builds a store (200 runs; 3 of them with 1,000 steps x 30 metrics; the last 5 steps of the
first run with 256 trajectories each), serves it with `python -m art ui`, and times each
page in headless Chromium from navigation start to its data drawn (for the curves page:
every chart on the first screen; the others draw as they scroll into view), and the span of
its API fetches (the browser's resource timings). "first" loads ask for answers the server
has not computed yet (another window, another step); "again" reloads the same URL (the
server answers from its cache, the browser from its own for the scripts). Medians with the
range of `--repeats` loads. Then the p50 of `Model.log()` without and with an open, polling
page, in alternating rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import art
from bench.ui_store import build_large, trajectory
from tests.ui_support import chromium, ui_server

GOALS_MS = {"runs": 300, "curves": 500, "trajectories": 300}

FIRST_SCREEN_DRAWN = """n => {
  const charts = [...document.querySelectorAll('.chart')];
  return charts.length === n && charts.filter(c => c.getBoundingClientRect().top < innerHeight)
    .every(c => c.dataset.drawn);
}"""

TIMINGS = """() => {
  const api = performance.getEntriesByType('resource')
    .filter(e => e.name.includes('/api/') && !e.name.includes('/api/stamp'));
  return { drawn: performance.now(),
           api: Math.max(...api.map(e => e.responseEnd)) - Math.min(...api.map(e => e.startTime)),
           server: api.reduce((n, e) => n + e.serverTiming.reduce((m, t) => m + t.duration, 0), 0) };
}"""


def load(page: Any, url: str, ready: Any) -> dict[str, float]:
    """Navigate to `url` and wait for `ready(page)`: ms to drawn, and the API span."""
    page.goto("about:blank")
    page.goto(url)
    ready(page)
    return page.evaluate(TIMINGS)


def summary(xs: list[float]) -> str:
    return f"{statistics.median(xs):.0f} ({min(xs):.0f}-{max(xs):.0f})"


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
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--log-calls", type=int, default=150)
    ap.add_argument("--store", type=Path, help="build the store here (or reuse it) instead of a temp dir")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = a.store or Path(tmp) / ".art"
        if not base.exists():
            t = time.perf_counter()
            asyncio.run(build_large(base, runs=a.runs, steps=a.steps, metrics=a.metrics, long_runs=3,
                                    trajectory_steps=a.repeats))
            print(f"store: {a.runs} runs, 3 x {a.steps} steps x {a.metrics} metrics, built in "
                  f"{time.perf_counter() - t:.0f} s")
        with ui_server(base) as url, chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            three = "&".join(f"run=proj-{i}/run-{i:03d}" for i in range(3))
            last = a.steps - 1
            charts = a.metrics + 3  # and val/reward_std_dev, val/exception_rate, val/turns

            def runs_ready(p: Any) -> None:
                p.wait_for_selector(f"#runs-table tbody tr:nth-child({a.runs})")

            def curves_ready(p: Any) -> None:
                p.wait_for_function(FIRST_SCREEN_DRAWN, arg=charts)

            def trajectories_ready(p: Any) -> None:
                p.locator("#traj-count").filter(has_text="256 trajectories").wait_for()
                p.wait_for_selector("#pane-b .transcript")

            cases = {
                "runs": (lambda i: f"{url}#/runs?window={i + 2}", runs_ready),
                "curves": (lambda i: f"{url}#/curves?{three}&window={i + 2}", curves_ready),
                "trajectories": (lambda i: f"{url}#/trajectories?run=proj-0/run-000&split=val"
                                 f"&step={last - i}", trajectories_ready),
            }
            load(page, cases["runs"][0](a.repeats), runs_ready)  # the server's first snapshot
            print(f"median (range) of {a.repeats} loads, ms")
            print(f"{'page':<14}{'':<7}{'drawn':>16}{'API':>16}{'server':>16}{'goal':>6}")
            for name, (make_url, ready) in cases.items():
                first = [load(page, make_url(i), ready) for i in range(a.repeats)]
                again = [load(page, make_url(0), ready) for _ in range(a.repeats)]
                for label, got in (("first", first), ("again", again)):
                    print(f"{name:<14}{label:<7}{summary([g['drawn'] for g in got]):>16}"
                          f"{summary([g['api'] for g in got]):>16}{summary([g['server'] for g in got]):>16}"
                          f"{GOALS_MS[name]:>6}")
            rounds: dict[str, list[float]] = {"without": [], "with": []}
            for _ in range(2):
                page.goto("about:blank")
                rounds["without"].append(log_p50(base, a.log_calls))
                page.goto(f"{url}#/curves?run=live/trainer")
                rounds["with"].append(log_p50(base, a.log_calls))
            print("log() p50 (8x8 trajectories), two rounds each: "
                  f"{' / '.join(f'{x:.1f}' for x in rounds['without'])} ms without a page open, "
                  f"{' / '.join(f'{x:.1f}' for x in rounds['with'])} ms with the curves page open "
                  "(polling every 2 s)")


if __name__ == "__main__":
    main()
