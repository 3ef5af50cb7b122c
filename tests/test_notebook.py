"""examples/compare_runs.ipynb runs as written (nbclient, a real Jupyter kernel) against a demo
store: curves of several runs with their best steps, and the worst trajectories' messages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from art.demo import run_demo

NOTEBOOK = Path(__file__).parent.parent / "examples" / "compare_runs.ipynb"


def test_the_example_notebook_runs_against_the_demo_store(tmp_path: Path) -> None:
    asyncio.run(run_demo(tmp_path / ".art", steps=6, seed=7))
    asyncio.run(run_demo(tmp_path / ".art", steps=6, seed=3))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "arith-seed7: best step" in text and "arith-seed3: best step" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert "  user: What is " in text and "  assistant: " in text
    table = next(o["data"]["text/plain"] for o in outputs if o.output_type == "execute_result")
    assert "arith-seed3" in table and "arith-seed7" in table
