"""`art ... --json` / `--csv` (a script's run) print without the table renderer: rich is
imported for a table only (~40 ms of import a script paid for nothing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from art import Model

from .conftest import group

RUN = (
    "import sys\n"
    "from art import cli\n"
    "sys.argv = ['art', *sys.argv[1:]]\n"
    "try:\n"
    "    cli.main()\n"
    "except SystemExit as e:\n"
    "    assert not e.code, e.code\n"
    "print('rich' in sys.modules, file=sys.stderr)\n"
)


@pytest.mark.parametrize(("flags", "rich"), [(["--json"], False), (["--csv"], False), ([], True)])
async def test_a_scripts_output_imports_no_table_renderer(
    tmp_path: Path, flags: list[str], rich: bool
) -> None:
    await Model(name="a", project="p", base_path=str(tmp_path), report_metrics=[]).log([group(0.5)], step=0)
    out = subprocess.run(
        [sys.executable, "-c", RUN, "runs", "--base-path", str(tmp_path), *flags],
        capture_output=True, text=True, check=True,
    )
    assert "a" in out.stdout
    assert out.stderr.strip().splitlines()[-1] == str(rich)
