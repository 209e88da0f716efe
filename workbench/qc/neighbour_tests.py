"""Tests of each box against its neighbours, on the hourly table of one quantity.

Departure from the neighbours' median, level shifts and drift of the difference to the
neighbours, and (where configured) the indoor test on the diurnal range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.qc import checks, neighbours
from workbench.qc.flags import QC
from workbench.qc.hourly import lookup_hourly
from workbench.qc.settings import QCSettings


@dataclass
class NeighbourFindings:
    """What the neighbour tests found for one quantity.

    Attributes
    ----------
    bits : ndarray of int64
        :class:`~workbench.qc.flags.QC` bits per reading (0 for reference stations).
    info : dict
        Sensor id -> neighbours, level shifts, drift and the flags raised.
    indoor_days : dict
        Sensor id -> days the box looked indoor.
    """

    bits: np.ndarray
    info: dict[str, dict[str, Any]]
    indoor_days: dict[str, pd.DatetimeIndex]


def neighbour_tests(
    wide: pd.DataFrame,
    th: dict[str, Any],
    nb: dict[str, list[str]],
    judged: list[str],
    s: QCSettings,
) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Hour-level flags (int bits, wide) and per-sensor neighbour findings.

    Parameters
    ----------
    wide : DataFrame
        Hours × sensors of the passing readings.
    th : dict
        The quantity's thresholds (``mode``, ``neighbour``, ``step``, ``drift`` ...).
    nb : dict
        Sensor id -> neighbour ids.
    judged : list of str
        The sensors tested (boxes, not reference stations).
    s : QCSettings
        Test parameters.

    Returns
    -------
    DataFrame
        Hours × sensors of :class:`~workbench.qc.flags.QC` bits.
    dict
        Sensor id -> ``neighbours, level_shifts, drift`` and ``step_flag``/``drift_flag``.
    """
    mode = th.get("mode", "difference")
    bits = pd.DataFrame(0, index=wide.index, columns=wide.columns, dtype=np.int64)
    info: dict[str, dict[str, Any]] = {}
    med, sd = neighbours.neighbour_median(wide, nb)
    if "neighbour" in th:
        far = neighbours.neighbour_flags(
            wide,
            med,
            sd,
            mode=mode,
            threshold=th["neighbour"],
            abs_min=th.get("neighbour_abs", 0.0),
            k=s.neighbour_k,
        )
        bits = bits | np.where(far.to_numpy(), int(QC.NEIGHBOUR), 0)
    resid = pd.DataFrame(
        neighbours.to_residual(wide.to_numpy(float), med.to_numpy(float), mode),
        index=wide.index,
        columns=wide.columns,
    )
    for sid in judged:
        if sid not in wide.columns or not nb.get(sid):
            info[sid] = {"neighbours": len(nb.get(sid, []))}
            continue
        info[sid] = _shift_and_drift(resid[sid], th, mode, len(nb[sid]), bits, sid, s)
    return bits, info


def _shift_and_drift(
    d: pd.Series,
    th: dict[str, Any],
    mode: str,
    n_neighbours: int,
    bits: pd.DataFrame,
    sid: str,
    s: QCSettings,
) -> dict[str, Any]:
    """Level shifts and drift of one box's residual; marks ``bits`` in place."""
    rec: dict[str, Any] = {"neighbours": n_neighbours, "level_shifts": [], "drift": np.nan}
    col = bits.columns.get_loc(sid)
    if "step" in th:
        thr = neighbours.threshold_in_residual(th["step"], mode)
        cps = checks.level_shifts(d, min_shift=thr, window_h=s.level_window_h)
        shifted = checks.shifted_segments(d, cps, min_shift=thr)
        rec["level_shifts"] = [t.isoformat() for t in cps]
        rec["step_flag"] = bool(shifted.any())
        bits.iloc[shifted, col] |= int(QC.STEP)
    else:
        cps = []
    if "drift" in th:
        thr = neighbours.threshold_in_residual(th["drift"], mode)
        total, acc = checks.drift(d, change_points=cps)
        rec["drift"] = total if mode == "difference" else float(np.exp(total))
        if np.isfinite(total) and abs(total) > thr:
            rec["drift_flag"] = True
            bits.iloc[np.flatnonzero(np.abs(acc.to_numpy()) > thr), col] |= int(QC.DRIFT)
    return rec


def neighbour_findings(
    df: pd.DataFrame,
    wide: pd.DataFrame,
    th: dict[str, Any],
    pos: pd.DataFrame,
    refs: set[str],
    s: QCSettings,
) -> NeighbourFindings:
    """Run the neighbour and indoor tests of one quantity and map them to its readings.

    Parameters
    ----------
    df : DataFrame
        The quantity's readings (``sensor_id, hrow``).
    wide : DataFrame
        Hours × sensors of the passing readings.
    th : dict
        The quantity's thresholds.
    pos : DataFrame
        Positions in metres (``sensor_id, x, y``).
    refs : set of str
        Reference stations: neighbours of boxes, never judged.
    s : QCSettings
        Radii, neighbour counts and test parameters.

    Returns
    -------
    NeighbourFindings
        Reading bits, per-sensor findings and indoor days.
    """
    sub_pos = pos[pos["sensor_id"].isin(wide.columns)]
    nb = neighbours.neighbour_sets(
        sub_pos, radius_m=s.neighbour_radius_m, min_n=s.neighbour_min, max_n=s.neighbour_max
    )
    judged = [c for c in wide.columns if c not in refs]
    bits, info = neighbour_tests(wide, th, nb, judged, s)
    is_box = ~df["sensor_id"].isin(refs).to_numpy()
    hb = np.nan_to_num(lookup_hourly(bits.astype(float), df)).astype(np.int64)
    indoor: dict[str, pd.DatetimeIndex] = {}
    if th.get("indoor"):
        days = neighbours.indoor_flags(
            wide,
            nb,
            min_ratio=s.indoor_min_ratio,
            window_days=s.indoor_window_days,
            min_hours=s.min_daily_hours,
        )
        for sid in judged:
            if sid in days.columns and days[sid].any():
                indoor[sid] = days.index[days[sid].to_numpy()]
    return NeighbourFindings(np.where(is_box, hb, 0), info, indoor)


__all__ = ["NeighbourFindings", "neighbour_findings", "neighbour_tests"]
