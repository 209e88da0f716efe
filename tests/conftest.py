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
