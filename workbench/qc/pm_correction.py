"""Humidity correction of PM readings within a QC run.

Each PM box gets RH from its own humidity sensor, else from the nearest box within
reach; readings are corrected for hygroscopic growth and flagged where the air was too
humid (fog) or no RH was available. Reference stations are never corrected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.qc.flags import QC
from workbench.qc.humidity import correct_pm, hourly_rh, rh_sources
from workbench.qc.settings import QCSettings


@dataclass
class PMCorrection:
    """The humidity correction of one PM quantity.

    Attributes
    ----------
    corrected : ndarray
        Corrected value per reading (raw for reference stations).
    bits : ndarray of int64
        ``HUMID`` and ``NO_RH`` flags per reading.
    rh_read : ndarray
        RH used for each reading (NaN where none).
    rh_for : dict
        Box -> hourly RH series used.
    used : dict
        Box -> the RH sensors used, comma-separated (None when none).
    """

    corrected: np.ndarray
    bits: np.ndarray
    rh_read: np.ndarray
    rh_for: dict[str, pd.Series]
    used: dict[str, str | None]


def is_pm(q: str, s: QCSettings) -> bool:
    """Whether quantity ``q`` is treated as PM (calibrated or named ``pm...``)."""
    return q in s.calibrate or q.startswith("pm")


def attach_rh(
    df: pd.DataFrame, rh_wide: pd.DataFrame, pos: pd.DataFrame, refs: set[str], s: QCSettings
) -> tuple[np.ndarray, dict[str, pd.Series], dict[str, str | None]]:
    """RH for each PM reading (same box, else the nearest), per-box hourly RH, sources.

    Parameters
    ----------
    df : DataFrame
        PM readings (``sensor_id, hrow``).
    rh_wide : DataFrame
        Hours × sensors of checked relative humidity.
    pos : DataFrame
        Positions in metres.
    refs : set of str
        Reference stations (get no RH).
    s : QCSettings
        ``rh_max_distance_m``.

    Returns
    -------
    ndarray
        RH per reading.
    dict
        Box -> hourly RH series.
    dict
        Box -> RH sensors used.
    """
    pm_sensors = sorted(set(df["sensor_id"]) - refs)
    rh_pos = pos[pos["sensor_id"].isin(rh_wide.columns)]
    src = rh_sources(pm_sensors, rh_pos, pos, max_distance_m=s.rh_max_distance_m)
    rh_read = np.full(len(df), np.nan)
    rh_for: dict[str, pd.Series] = {}
    used: dict[str, str | None] = {}
    sid_arr = df["sensor_id"].to_numpy()
    rows = df["hrow"].to_numpy()
    for sid in pm_sensors:
        val, who = hourly_rh(rh_wide, src[sid])
        rh_for[sid] = val
        m = sid_arr == sid
        rh_read[m] = val.to_numpy()[rows[m]]
        used[sid] = ",".join(str(u) for u in who.dropna().unique()) or None
    return rh_read, rh_for, used


def correct_for_humidity(
    df: pd.DataFrame, rh_wide: pd.DataFrame, pos: pd.DataFrame, refs: set[str], s: QCSettings
) -> PMCorrection:
    """Humidity-correct one PM quantity's readings and flag fog and missing RH.

    Parameters
    ----------
    df : DataFrame
        The quantity's readings (``sensor_id, hrow, value``).
    rh_wide : DataFrame
        Hours × sensors of checked relative humidity.
    pos : DataFrame
        Positions in metres.
    refs : set of str
        Reference stations (left uncorrected and unflagged).
    s : QCSettings
        ``kappa``, ``max_rh`` and ``rh_max_distance_m``.

    Returns
    -------
    PMCorrection
        Corrected values, flags and the RH used.
    """
    is_box = ~df["sensor_id"].isin(refs).to_numpy()
    rh_read, rh_for, used = attach_rh(df, rh_wide, pos, refs, s)
    corr, humid = correct_pm(df["value"].to_numpy(float), rh_read, kappa=s.kappa, max_rh=s.max_rh)
    corr = np.where(is_box, corr, df["value"].to_numpy(float))
    bits = np.where(is_box & humid, int(QC.HUMID), 0)
    bits = bits | np.where(is_box & ~np.isfinite(rh_read), int(QC.NO_RH), 0)
    return PMCorrection(corr, bits, rh_read, rh_for, used)


__all__ = ["PMCorrection", "attach_rh", "correct_for_humidity", "is_pm"]
