from __future__ import annotations

import subprocess
import sys


def test_import_art_loads_no_heavy_modules() -> None:
    code = (
        "import sys, art; heavy = [m for m in ('duckdb', 'pyarrow', 'wandb', 'pydantic', "
        "'starlette', 'uvicorn', 'art.ui') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names_resolve() -> None:
    import art

    for name in art.__all__:
        assert getattr(art, name) is not None
