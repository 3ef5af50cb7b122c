"""The library's bytecode, compiled before a benchmark times fresh processes.

A user's Python writes `__pycache__` on the first import (and `pip install` of a wheel
compiles at install, as it did for openpipe-art in the peer's venv), so every later process
loads bytecode. Where PYTHONDONTWRITEBYTECODE is set (this project's CI and VM set it), an
editable checkout is compiled from source by every process: ~30 ms of each cold run that a
user's machine does not pay. Compiling it once first measures what users run.
"""

from __future__ import annotations

import compileall
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "art"


def compile_package() -> None:
    """Write the package's bytecode next to its sources (`__pycache__`, ignored by git)."""
    compileall.compile_dir(PACKAGE, quiet=1)
