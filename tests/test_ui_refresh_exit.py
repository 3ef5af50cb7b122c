"""The dashboard's background refresh runs to its end when the process exits meanwhile: a
daemon thread would be stopped inside DuckDB's open as the interpreter finalizes (an abort,
"terminate called without an active exception", exit code 134, or a refresh cut short)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import art

CODE = """
import sys, time
import art.ui.snapshot as s
snap = s.Snapshot(sys.argv[1], ttl=0.0)
with snap.connection():
    pass
real = s.open_connection
def slow_open(path):
    time.sleep(0.5)
    con = real(path)
    print("refreshed", flush=True)
    return con
s.open_connection = slow_open
snap._due = 0.0  # its refresh interval is over
with snap.connection():  # past its ttl: starts a background refresh, served from the old one
    print("served", flush=True)
"""


def test_exit_during_a_refresh_waits_for_it(tmp_path: Path) -> None:
    model = art.Model(name="m", project="p", base_path=str(tmp_path), report_metrics=[])
    asyncio.run(model.log([art.TrajectoryGroup([art.Trajectory(reward=1.0)])], split="val"))
    out = subprocess.run(
        [sys.executable, "-c", CODE, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert (out.returncode, out.stdout, out.stderr) == (0, "served\nrefreshed\n", "")
