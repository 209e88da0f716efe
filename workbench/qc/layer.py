"""The QC layer on disk: ``WORKSPACE/qc/<run-id>/`` and the ``qc/current`` link.

The raw store is never rewritten by QC. Each ``workbench qc`` writes a new directory::

    qc/<run-id>/observations-<quantity>.parquet   sensor_id, quantity, time, value (clean),
                                                  raw_value, qc (bit mask), source
    qc/<run-id>/sensor_quantities.parquet         per sensor and quantity: flag counts, ...
    qc/<run-id>/calibrations.parquet              fitted calibrations and their quality
    qc/<run-id>/health.parquet                    per-sensor health and status
    qc/<run-id>/summary.json                      counts, parameters, store version used

and then swaps the symbolic link ``qc/current`` to it in one ``rename``: a reader sees
the old or the new QC, never a mix, and a failed run leaves ``current`` as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.qc.run_checks import QCResult
from workbench.rundir import prune_runs, publish_run

KEEP_RUNS = 2


def qc_dir(root: Path) -> Path:
    return Path(root) / "qc"


def current(root: Path) -> Path | None:
    """The current QC run directory, or None before the first ``workbench qc``."""
    link = qc_dir(root) / "current"
    return link.resolve() if link.exists() else None


def write(root: Path, result: QCResult, meta: dict[str, Any]) -> Path:
    """Write a QC result as a new run and make it current; returns its directory."""

    def _write(tmp: Path) -> None:
        obs = result.observations
        for q, part in obs.groupby("quantity", sort=True):
            part.to_parquet(tmp / f"observations-{q}.parquet", index=False, compression="zstd")
        result.sensor_quantities.to_parquet(tmp / "sensor_quantities.parquet", index=False)
        result.calibrations.to_parquet(tmp / "calibrations.parquet", index=False)
        health = result.health.assign(status=result.health["status"].astype(str))
        health.to_parquet(tmp / "health.parquet", index=False)
        summary = {**result.summary, **meta}
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=1, default=str), encoding="utf-8"
        )

    base = qc_dir(root)
    run = publish_run(base, "current", _write)
    prune_runs(base, KEEP_RUNS, run)
    return run


def files(run: Path, quantity: str | list[str] | None = None) -> list[str]:
    """The run's observation files, for one or more quantities (all by default)."""
    qs = [quantity] if isinstance(quantity, str) else quantity
    out = sorted(run.glob("observations-*.parquet"))
    if qs is not None:
        out = [p for p in out if p.name[len("observations-") : -len(".parquet")] in qs]
    return [str(p) for p in out]


def summary(run: Path) -> dict[str, Any]:
    return json.loads((run / "summary.json").read_text(encoding="utf-8"))


def table(run: Path, name: str) -> pd.DataFrame:
    """One of ``health``, ``calibrations``, ``sensor_quantities``."""
    if name not in ("health", "calibrations", "sensor_quantities"):
        raise ValueError(f"unknown QC table {name!r}")
    return pd.read_parquet(run / f"{name}.parquet")


__all__ = ["current", "files", "summary", "table", "write"]
