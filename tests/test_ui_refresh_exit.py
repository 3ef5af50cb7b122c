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


STUCK = """
import sys
import art.ui.snapshot as s
snap = s.Snapshot(sys.argv[1], ttl=0.0)
with snap.connection():
    pass
print("held", flush=True)
sys.stdin.readline()  # the test holds the catalog open as a writer meanwhile
snap._due = 0.0
with snap.connection():  # starts a refresh that waits for the catalog (up to 60 s)
    print("served", flush=True)
"""


def test_exit_during_a_refresh_stuck_on_a_busy_catalog_takes_seconds_not_its_lock_timeout(
    tmp_path: Path,
) -> None:
    """Ctrl-C on `art ui` while a writer holds the catalog: the refresh waiting for it (60 s)
    is waited for a few seconds at most, and leaves no traceback (it took 60 s and printed
    CatalogBusyError)."""
    import time

    import duckdb

    from art.ui.snapshot import EXIT_WAIT

    model = art.Model(name="m", project="p", base_path=str(tmp_path), report_metrics=[])
    asyncio.run(model.log([art.TrajectoryGroup([art.Trajectory(reward=1.0)])], split="val"))
    art.LocalStore(tmp_path).flush()
    proc = subprocess.Popen(
        [sys.executable, "-c", STUCK, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    assert proc.stdout.readline() == "held\n"
    writer = duckdb.connect(str(tmp_path / "catalog.duckdb"))
    try:
        started = time.monotonic()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=50)
        took = time.monotonic() - started
    finally:
        proc.kill()
        writer.close()
    assert (proc.returncode, out, err) == (0, "served\n", "")
    assert took < EXIT_WAIT + 10
