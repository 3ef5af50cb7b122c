"""Running a short Python script in a fresh process, its stderr a terminal or not."""

from __future__ import annotations

import os
import subprocess
import sys


def run_script(code: str, *, terminal: bool) -> subprocess.CompletedProcess[str]:
    """`python -c code` (the caller checks its exit code); with `terminal`, rich treats its
    stderr (a pipe) as a terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR")}
    if terminal:
        env["FORCE_COLOR"] = "1"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
