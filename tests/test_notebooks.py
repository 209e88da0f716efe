"""The analyst notebooks run top to bottom on the demo workspace, and show their plots."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from conftest import ARTIFACTS, REPO
from nbclient import NotebookClient

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_the_five_analyst_notebooks_exist():
    names = [p.name[:2] for p in NOTEBOOKS]
    assert names == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_the_demo(path: Path, demo_workspace, monkeypatch):
    monkeypatch.setenv("WORKBENCH_WORKSPACE", str(demo_workspace.root))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError with the failing cell's traceback
    ARTIFACTS.mkdir(exist_ok=True)
    nbformat.write(nb, ARTIFACTS / path.name)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name} shows no plot"
    # the notebook worked on the workspace it was given, not on a fresh demo
    first = "".join(o.get("text", "") for o in nb.cells[1].get("outputs", []))
    assert str(demo_workspace.root) in first
    assert os.environ["WORKBENCH_WORKSPACE"] == str(demo_workspace.root)
