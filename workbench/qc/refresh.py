"""Run QC over a workspace's store and make it the current QC layer.

This is QC's own persistence step: take the QC lock, read one store snapshot, run every
check (:func:`workbench.qc.run_checks.run_qc`) and write the result as ``qc/current``
(:mod:`workbench.qc.layer`). The raw store is never modified.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from workbench import query
from workbench.errors import InputError
from workbench.qc import layer as qc_layer
from workbench.qc.run_checks import QCResult, run_qc
from workbench.qc.settings import QCSettings
from workbench.store import Store, try_lock


class QCBusyError(InputError):
    """Another QC run holds the lock."""


def refresh_qc(
    root: Path, store: Store, settings: QCSettings, *, as_of: datetime | str | None = None
) -> QCResult:
    """Check, correct and calibrate all observations; store the result as ``qc/current``.

    Raises
    ------
    QCBusyError
        If another QC run of this workspace is under way.
    """
    lock = Path(root) / "qc" / ".lock"
    lock.parent.mkdir(exist_ok=True)
    fd = try_lock(lock)
    if fd is None:
        raise QCBusyError(f"{root}: another `workbench qc` is running")
    try:
        snap = store.snapshot()
        obs = query.observations(snap)
        when = query.utc_timestamp(as_of, "as_of")
        if when is None and settings.as_of == "now":
            when = pd.Timestamp.now(tz="UTC")
        result = run_qc(
            obs, sensors=snap.sensors(), positions=snap.positions(), settings=settings, as_of=when
        )
        meta = {
            "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "store_version": snap.version,
            "observation_rows": int(sum(snap.observation_counts().values())),
            "settings": {
                "kappa": settings.kappa,
                "max_rh": settings.max_rh,
                "calibration_method": settings.calibration_method,
                "informational": int(settings.informational),
                "thresholds": settings.quantities,
            },
        }
        qc_layer.write(root, result, meta)
        return result
    finally:
        os.close(fd)
