"""Shared test helpers: paths to fixtures, a fresh workspace, running the CLI for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.pipeline import participation

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SHARED_REAL = REPO.parent / "shared" / "data" / "real"
DEMO = REPO / "workbench" / "simulate" / "demo_data"
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
    # spreadsheet formula injection (DDE and hyperlink payloads, other formula starts)
    "GB-004": "=cmd|' /C calc'!A0",
    "GB-005": '=HYPERLINK("https://evil.example/","Klick")',
    "GB-006": "+49 Bäume für die Schule",
    "GB-007": "@SUM(1+1) Schatten",
}


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory):
    """The full demo (fit, rank, report) on the bundled data, built once per test session.

    Tests must not modify it; copy it (``copy_workspace``) to change anything.
    """
    from workbench.pipeline.demo import run_demo

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

    from workbench.pipeline import rank

    base = tmp_path_factory.mktemp("hostile")
    ws = copy_workspace(demo_workspace, base / "ws")
    props = pd.read_csv(DEMO / "proposals.csv", dtype=str)
    for pid, title in HOSTILE_TITLES.items():
        props.loc[props["proposal_id"] == pid, "title"] = title
        props.loc[props["proposal_id"] == pid, "description"] = title + " & mehr"
    src = base / "proposals.csv"
    props.to_csv(src, index=False)
    participation.run(ws, [src, DEMO / "votes.csv"])
    rank.run(ws)
    return ws


# ---------------------------------------------------------------- the package as users get it
@pytest.fixture(scope="session")
def installed_workbench(tmp_path_factory) -> Path:
    """``pip install .`` (not editable) into a fresh venv; returns its ``workbench`` command.

    The package is built from a copy of the files a wheel is made of (pyproject, README,
    LICENSE, ``workbench/``), so nothing of the source tree is importable from the venv; the
    dependencies come from this test environment's site-packages through a ``.pth`` file
    (the test is about what the wheel ships, not about PyPI).
    """
    import shutil
    import site
    import venv

    base = tmp_path_factory.mktemp("installed")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(
        REPO / "workbench", src / "workbench", ignore=shutil.ignore_patterns("__pycache__")
    )
    env = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    py = env / "bin" / "python"
    site_dir = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(site_dir, "test-deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    # the dependencies' data files (Voila's and nbconvert's templates, kernel specs) live
    # in the test environment's share/jupyter, where a real install of them would put them
    (env / "share").mkdir(exist_ok=True)
    (env / "share" / "jupyter").symlink_to(Path(sys.prefix) / "share" / "jupyter")
    proc = subprocess.run(
        [py, "-m", "pip", "install", "--quiet", "--no-deps", str(src)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    where = subprocess.run(
        [py, "-c", "import workbench; print(workbench.__file__)"],
        capture_output=True, text=True, cwd=base, check=True,
    ).stdout.strip()  # fmt: skip
    assert where.startswith(site_dir), f"workbench imported from {where}, not the installed wheel"
    return env / "bin" / "workbench"


# ---------------------------------------------------------------- the real browser
CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by scripts/system-deps.sh
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_JS = REPO / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright, one per test module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/system-deps.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()
    pw.stop()


def axe_violations(page) -> list:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: scripts/system-deps.sh installs axe-core with npm")
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => {
          const r = await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
          return r.violations.map(v => ({id: v.id, impact: v.impact,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )


def one_finger_swipe_up(page, x: float, y: float, distance: float = 250) -> None:
    """One finger moves ``distance`` px up from (x, y): real touch events through the
    DevTools protocol (the page must come from a context with ``has_touch=True``)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for i in range(1, 11):
        point = {"x": x, "y": y - distance * i / 10}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(300)
