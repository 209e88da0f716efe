"""Run directories made visible atomically: ``BASE/<run-id>/`` and a ``BASE/<link>`` link.

Used by QC (``qc/current``) and by model runs (``results/latest``). A run is written into
a hidden temporary directory, its files are fsync-ed, the directory is renamed to its
final name, and only then the symbolic link is swapped with one ``rename``. A reader
sees the old run or the new one, never a mix, and a run that fails (or is killed)
leaves the link where it was.

>>> import tempfile
>>> base = Path(tempfile.mkdtemp())
>>> run = publish_run(base, "latest", lambda d: (d / "a.txt").write_text("x"))
>>> (base / "latest" / "a.txt").read_text()
'x'
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def new_run_name() -> str:
    """``YYYYmmddTHHMMSSZ-xxxxxx``: sortable by time, unique."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def _fsync_tree(d: Path) -> None:
    for f in d.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_run(
    base: Path, link: str, write: Callable[[Path], Any], *, name: str | None = None
) -> Path:
    """Create ``base/<name>`` with ``write(tmpdir)``, then point ``base/link`` at it."""
    base.mkdir(parents=True, exist_ok=True)
    run = base / (name or new_run_name())
    tmp = base / f".tmp-{run.name}"
    tmp.mkdir()
    try:
        write(tmp)
        _fsync_tree(tmp)
        os.rename(tmp, run)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    link_tmp = base / f".{link}-{uuid.uuid4().hex}"
    os.symlink(run.name, link_tmp)
    os.replace(link_tmp, base / link)
    return run


def prune_runs(base: Path, keep: int, current: Path) -> None:
    """Delete all but the newest ``keep`` runs (never ``current``)."""
    runs = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in runs[:-keep]:
        if old.resolve() != current.resolve() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)


def carry_over(latest: Path | None, tmp: Path, rewritten: set[str]) -> None:
    """Copy every table of the ``latest`` run into ``tmp`` except those being rewritten.

    Derived steps (rank, evaluate, plan-sensors) add tables to a copy of the latest run,
    so no step loses what another wrote.
    """
    if latest is None:
        return
    for f in sorted(latest.glob("*.parquet")):
        if f.stem not in rewritten:
            shutil.copy2(f, tmp / f.name)
