"""Tests on each sensor's own readings: range, spike and stuck values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.qc import checks
from workbench.qc.flags import QC
from workbench.qc.settings import QCSettings
from workbench.quantities import QUANTITIES


def single_sensor_flags(df: pd.DataFrame, th: dict[str, Any] | None, s: QCSettings) -> np.ndarray:
    """Range, spike and stuck flags of one quantity's readings.

    The range test uses the quantity's thresholds, else the registry's valid range;
    spike and stuck tests run per sensor on the readings that passed the range test.

    Parameters
    ----------
    df : DataFrame
        Readings of one quantity, sorted by sensor and time (``sensor_id, quantity,
        time, value``).
    th : dict or None
        The quantity's thresholds (``range``, ``spike``, ``spike_rel``,
        ``stuck_hours``); None for range only.
    s : QCSettings
        Spike parameters.

    Returns
    -------
    ndarray of int64
        :class:`~workbench.qc.flags.QC` bits per reading.
    """
    q = str(df["quantity"].iat[0]) if len(df) else ""
    flags = np.zeros(len(df), dtype=np.int64)
    lo, hi = (th or {}).get("range") or (QUANTITIES[q].valid_min, QUANTITIES[q].valid_max)
    flags |= np.where(checks.range_flags(df["value"].to_numpy(), lo, hi), int(QC.RANGE), 0)
    if th is None:
        return flags
    bounds = np.flatnonzero(
        np.r_[True, df["sensor_id"].to_numpy()[1:] != df["sensor_id"].to_numpy()[:-1]]
    )
    ends = np.r_[bounds[1:], len(df)]
    times = pd.DatetimeIndex(df["time"])
    values = df["value"].to_numpy(dtype=float)
    for a, b in zip(bounds, ends, strict=True):
        ok = flags[a:b] == 0
        idx = np.flatnonzero(ok) + a
        if idx.size < 3:
            continue
        t, v = times[idx], values[idx]
        if "spike" in th:
            sp = checks.spike_flags(
                t,
                v,
                abs_min=th["spike"],
                rel=th.get("spike_rel", 0.0),
                k=s.spike_k,
                window=s.spike_window,
            )
            flags[idx[sp]] |= int(QC.SPIKE)
        if "stuck_hours" in th:
            st = checks.stuck_flags(t, v, min_duration=f"{th['stuck_hours']}h")
            flags[idx[st]] |= int(QC.STUCK)
    return flags


__all__ = ["single_sensor_flags"]
