"""Humidity correction of low-cost optical PM readings (κ-Köhler, Crilley et al. 2018).

Optical counters (SDS011, PMS5003, ...) size particles as they are in the air: at high
humidity hygroscopic particles take up water and grow, and the sensor reports more mass
than a reference instrument, which dries the sample. Crilley et al. (2018, *Atmos.
Meas. Tech.* 11, 709–720, doi:10.5194/amt-11-709-2018) correct this with κ-Köhler
theory::

    C = 1 + (κ / 1.65) / (-1 + 1 / a_w),   a_w = RH / 100,   PM_corrected = PM / C

with κ the particles' hygroscopicity (0.4 in their urban study; configurable as
``[qc.humidity] kappa``) and 1.65 g/cm³ the assumed particle density. The growth
diverges as RH approaches 100 %, so readings at or above ``max_rh`` (95 %) are not
trusted: they are flagged ``HUMID`` and corrected at ``max_rh`` only for display.

Examples
--------
>>> float(round(kohler_growth(np.array([80.0]), 0.4)[0], 3))
1.97
>>> corrected, humid = correct_pm(np.array([30.0, 30.0]), np.array([50.0, 97.0]), kappa=0.4)
>>> corrected.round(2).tolist(), humid.tolist()
([24.15, 5.35], [False, True])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PARTICLE_DENSITY = 1.65  # g/cm³, as in Crilley et al. (2018)


def kohler_growth(rh: np.ndarray, kappa: float) -> np.ndarray:
    """Mass growth factor ``C`` of hygroscopic particles at relative humidity ``rh`` (%).

    Raises
    ------
    ValueError
        If ``kappa`` is negative.
    """
    if not kappa >= 0:
        raise ValueError(f"kappa must be non-negative, got {kappa!r}")
    aw = np.clip(np.asarray(rh, dtype=float), 0.0, 99.9) / 100.0
    with np.errstate(divide="ignore"):
        return 1.0 + (kappa / PARTICLE_DENSITY) / (-1.0 + 1.0 / aw)


def correct_pm(
    pm: np.ndarray, rh: np.ndarray, *, kappa: float, max_rh: float = 95.0
) -> tuple[np.ndarray, np.ndarray]:
    """Humidity-corrected PM and a mask of readings at ``rh >= max_rh``.

    Where ``rh`` is NaN the reading is returned unchanged (the caller flags it
    ``NO_RH``).
    """
    pm = np.asarray(pm, dtype=float)
    rh = np.asarray(rh, dtype=float)
    humid = np.nan_to_num(rh >= max_rh, nan=False).astype(bool)
    growth = kohler_growth(np.minimum(rh, max_rh), kappa)
    out = np.where(np.isfinite(rh), pm / growth, pm)
    return out, humid


def rh_sources(
    pm_sensors: list[str],
    rh_positions: pd.DataFrame,
    pm_positions: pd.DataFrame,
    *,
    max_distance_m: float,
) -> dict[str, list[str]]:
    """For each PM sensor, the humidity sensors to use, in order of preference.

    The sensor itself first (when it measures RH), then the others within
    ``max_distance_m``, nearest first. Positions have ``sensor_id, x, y`` in metres.
    """
    rh_ids = rh_positions["sensor_id"].astype(str).to_numpy()
    rxy = rh_positions[["x", "y"]].to_numpy(dtype=float)
    pxy = pm_positions.set_index("sensor_id")[["x", "y"]]
    out: dict[str, list[str]] = {}
    for sid in pm_sensors:
        order: list[str] = [sid] if sid in set(rh_ids) else []
        if sid in pxy.index and rxy.size:
            x, y = pxy.loc[sid].to_numpy(dtype=float)
            d = np.hypot(rxy[:, 0] - x, rxy[:, 1] - y)
            for j in np.argsort(d, kind="stable"):
                if d[j] > max_distance_m:
                    break
                if rh_ids[j] != sid:
                    order.append(str(rh_ids[j]))
        out[sid] = order
    return out


def hourly_rh(rh_wide: pd.DataFrame, sources: list[str]) -> tuple[pd.Series, pd.Series]:
    """Per hour, the first available RH among ``sources`` and which sensor gave it."""
    value = pd.Series(np.nan, index=rh_wide.index)
    source = pd.Series(pd.NA, index=rh_wide.index, dtype="string")
    for sid in sources:
        if sid not in rh_wide.columns:
            continue
        fill = value.isna() & rh_wide[sid].notna()
        value[fill] = rh_wide.loc[fill, sid]
        source[fill] = sid
    return value, source


__all__ = ["PARTICLE_DENSITY", "correct_pm", "hourly_rh", "kohler_growth", "rh_sources"]
