"""Shared test helpers: paths to fixtures, a fresh workspace, running the CLI for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SHARED_REAL = REPO.parent / "shared" / "data" / "real"
DEMO = REPO / "data" / "demo"
# screenshots and rendered pages kept for people to look at after a run (not committed)
ARTIFACTS = REPO / "test-artifacts"


def shared_real(sub: str) -> Path:
    """A folder of ../shared/data/real; missing it is a failure in CI, a skip elsewhere."""
    p = SHARED_REAL / sub
    if not p.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{p} is missing: CI must run with shared/ beside the clone")
        pytest.skip(f"{p} not present on this machine")
    return p


def run_cli(*args: str, check: bool = False, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``workbench`` in a subprocess, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"workbench {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def workspace(tmp_path: Path):
    from workbench.workspace import Workspace

    return Workspace.init(tmp_path / "ws")


def store_state(root: Path) -> dict[str, bytes]:
    """Every file under a store (path -> bytes) except the writer lock."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


# ---------------------------------------------------------------- shared demo workspace
# Payloads a citizen could type into a proposal; every page and report must show them as text.
HOSTILE_TITLES = {
    "GB-001": "<script>window.__pwned = 1</script>Entsiegelung",
    "GB-002": '<img src=x onerror="window.__pwned = 2">Bäume',
    "GB-003": '<a href="javascript:window.__pwned = 3">Klick mich</a>',
}


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory):
    """The full demo (fit, rank, report) on the bundled data, built once per test session.

    Tests must not modify it; copy it (``copy_workspace``) to change anything.
    """
    from workbench.demo import run_demo

    root = tmp_path_factory.mktemp("demo") / "ws"
    return run_demo(root, serve=False, echo=lambda _s: None)


def copy_workspace(ws, dest: Path):
    import shutil

    from workbench.workspace import Workspace

    shutil.copytree(ws.root, dest, symlinks=True)
    return Workspace.open(dest)


@pytest.fixture(scope="session")
def hostile_workspace(demo_workspace, tmp_path_factory):
    """The demo with script and HTML payloads in proposal titles and descriptions, ranked."""
    import pandas as pd

    from workbench.rank import rank_workspace

    base = tmp_path_factory.mktemp("hostile")
    ws = copy_workspace(demo_workspace, base / "ws")
    props = pd.read_csv(DEMO / "proposals.csv", dtype=str)
    for pid, title in HOSTILE_TITLES.items():
        props.loc[props["proposal_id"] == pid, "title"] = title
        props.loc[props["proposal_id"] == pid, "description"] = title + " & mehr"
    src = base / "proposals.csv"
    props.to_csv(src, index=False)
    ws.import_participation([src, DEMO / "votes.csv"])
    rank_workspace(ws, echo=lambda _s: None)
    return ws
