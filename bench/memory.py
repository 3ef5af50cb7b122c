"""Memory of a process that only logs: ours and openpipe-art 0.5.23 on the same workload.

    python bench/memory.py [--steps 1000] [--shape 32x8] [--rounds 3] [--peer PYTHON]

Each round runs bench/log_child.py `memory` in a fresh process of each side (the side that
goes first alternates) and reads its peak RSS (ru_maxrss) and its RSS after import, after the
first log() and at the end. Prints medians with min-max and writes bench/results/memory.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from run import HERE, child, sides

MEASURES = {
    "after_import": "rss_mb",
    "after_first_log": "rss_mb",
    "end": "rss_mb",
    "peak": "max_rss_mb",
}


def measure(peer: Path | None, steps: int, shape: str, rounds: int) -> dict[str, Any]:
    groups, per_group = (int(x) for x in shape.split("x"))
    runs: dict[str, list[dict[str, Any]]] = {}
    for r in range(rounds):
        order = list(sides(peer).items())
        for name, python in order[::-1] if r % 2 else order:
            base = tempfile.mkdtemp(prefix=f"art-mem-{name}-")
            runs.setdefault(name, []).append(
                child(python, "memory", base, str(steps), str(groups), str(per_group))
            )
            shutil.rmtree(base, ignore_errors=True)
            print(f"  round {r + 1} {name}: peak {runs[name][-1]['end']['max_rss_mb']:.0f} MB", flush=True)
    out: dict[str, Any] = {"steps": steps, "shape": shape, "rounds": rounds}
    for name, results in runs.items():
        side: dict[str, Any] = {}
        for label, key in MEASURES.items():
            where = "end" if label == "peak" else label
            values = [res[where][key] for res in results]
            side[label] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
        side["log_p50_ms"] = statistics.median(res["log_p50"] for res in results) * 1000
        side["log_last_100_p50_ms"] = statistics.median(res["log_last_100_p50"] for res in results) * 1000
        out[name] = side
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--shape", default="32x8", help="GROUPSxTRAJECTORIES per step")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--peer", type=Path, default=HERE / ".peer-venv" / "bin" / "python")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "memory.json")
    args = parser.parse_args()
    result = measure(args.peer if args.peer.exists() else None, args.steps, args.shape, args.rounds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"\n{args.steps} steps of {args.shape}, {args.rounds} rounds, fresh processes, interleaved")
    print("| side | after import | after first log | end | peak (ru_maxrss) | log p50 | last 100 p50 |")
    print("|---|---|---|---|---|---|---|")
    for name in ("ours", "art"):
        if name not in result:
            continue
        d = result[name]
        cells = [f"{d[k]['median']:.0f} MB ({d[k]['min']:.0f}-{d[k]['max']:.0f})" for k in MEASURES]
        cells += [f"{d['log_p50_ms']:.1f} ms", f"{d['log_last_100_p50_ms']:.1f} ms"]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
