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

import hashlib
import json
import os
import platform
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import InputError


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
    base: Path, link: str | None, write: Callable[[Path], Any], *, name: str | None = None
) -> Path:
    """Create ``base/<name>`` with ``write(tmpdir)``, then point ``base/link`` at it (no
    link when ``link`` is None: the caller links the run from elsewhere)."""
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
    if link is None:
        return run
    link_tmp = base / f".{link}-{uuid.uuid4().hex}"
    os.symlink(run.name, link_tmp)
    os.replace(link_tmp, base / link)
    return run


MARKER = ".written-by-ge-gruent-workbench"


def publish_folder(out: Path, write: Callable[[Path], Any], *, what: str) -> Path:
    """Write a folder of outputs (a site, a report) and make it visible at ``out`` at once.

    ``out`` becomes a symbolic link to ``.<name>.versions/<run-id>/`` beside it, swapped
    with one ``rename``: a reader (a web server, a council member's browser) sees the old
    folder or the new one, never a mix or nothing; a failed or killed write leaves the old
    one. Each version carries a marker file, and ``out`` is only ever replaced when it is
    such a link, or an empty folder: a folder someone else made is refused, never deleted.
    Versions other than the new one are removed afterwards, also those a killed run left.
    """
    out = Path(out).absolute()
    versions = out.with_name(f".{out.name}.versions")
    for stale in out.parent.glob(f".{out.name}.link-*"):  # left by a killed swap
        stale.unlink(missing_ok=True)
    if out.is_symlink():
        if not (out / MARKER).exists():
            raise InputError(f"{out} links to a folder the workbench did not write; choose "
                             f"another --out")  # fmt: skip
    elif out.exists():
        if not out.is_dir() or any(out.iterdir()):
            raise InputError(
                f"{out} exists and was not written by the workbench (it is not a {what} "
                "published before); choose an empty or new folder"
            )
        out.rmdir()
    versions.mkdir(parents=True, exist_ok=True)

    def write_marked(d: Path) -> None:
        write(d)
        (d / MARKER).write_text(f"{what}\n", encoding="utf-8")

    run = publish_run(versions, None, write_marked)
    link_tmp = out.with_name(f".{out.name}.link-{uuid.uuid4().hex}")
    os.symlink(os.path.relpath(run, out.parent), link_tmp)
    os.replace(link_tmp, out)
    for old in versions.iterdir():  # the previous version and what killed runs left
        if old.name != run.name:
            shutil.rmtree(old, ignore_errors=True)
    return out


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


def jsonable(x: Any) -> Any:
    """``x`` with numpy scalars as Python numbers and non-finite floats as None."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating | float):
        return None if not np.isfinite(x) else float(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` as indented UTF-8 JSON (numpy values converted, NaN as null)."""
    path.write_text(
        json.dumps(jsonable(obj), indent=1, ensure_ascii=False, default=str), encoding="utf-8"
    )


def software_versions(packages: tuple[str, ...]) -> dict[str, str]:
    """Python's and the named distributions' versions, for a run's ``metrics.json``."""
    out = {"python": platform.python_version()}
    for p in ["ge-gruent-workbench", *packages]:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def frame_digest(df: pd.DataFrame) -> str:
    """Content hash of a table, floats rounded to 9 decimals (last-bit differences of
    vectorised sums are not differences of results)."""
    h = hashlib.sha256()
    h.update(",".join(map(str, df.columns)).encode())
    floats = df.select_dtypes("float").columns
    rounded = df.assign(**{c: df[c].round(9) for c in floats})
    h.update(pd.util.hash_pandas_object(rounded, index=False).to_numpy().tobytes())
    return h.hexdigest()
