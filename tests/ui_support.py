"""The dashboard as a user runs it: `python -m art ui` in its own process on a free loopback
port, and a headless Chromium (Debian's package) driven by Playwright. Shared with bench/ui.py."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.servers import free_port, wait_for_port

CHROMIUM = Path("/usr/bin/chromium")


@contextlib.contextmanager
def ui_server(base: Path, *args: str) -> Iterator[str]:
    """Serve `base` and yield the page's URL; the process is stopped on exit."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "art", "ui", "--base-path", str(base), "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_for_port(port, 30)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser (Playwright's sync API over /usr/bin/chromium)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
