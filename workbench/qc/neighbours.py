"""Tests that compare a sensor with its spatial neighbours at the same hour.

All functions work on a *wide* hourly table: a regular hourly ``DatetimeIndex`` and one
column per sensor (NaN where a sensor has no valid hourly value).

Examples
--------
>>> pos = pd.DataFrame({"sensor_id": list("abcd"), "x": [0, 500, 900, 40_000],
...                     "y": [0, 0, 300, 0]})
>>> nb = neighbour_sets(pos, radius_m=2000, min_n=2, max_n=5)
>>> nb["a"], nb["d"]
(['b', 'c'], [])
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from workbench.qc.checks import MAD_TO_SD

#: Added to PM concentrations before ratios are taken, so that 1 vs 3 µg/m³ in clean
#: air is not a factor-3 disagreement.
RATIO_OFFSET = 5.0


def neighbour_sets(
    positions: pd.DataFrame, *, radius_m: float, min_n: int = 3, max_n: int = 8
) -> dict[str, list[str]]:
    """The nearest other sensors within ``radius_m`` (at most ``max_n``), per sensor.

    ``positions`` has ``sensor_id, x, y`` in metres. A sensor with fewer than ``min_n``
    neighbours gets an empty list: it is not judged by the neighbour tests.
    """
    ids = positions["sensor_id"].astype(str).to_numpy()
    xy = positions[["x", "y"]].to_numpy(dtype=float)
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    np.fill_diagonal(dist, np.inf)
    out: dict[str, list[str]] = {}
    for i, sid in enumerate(ids):
        order = np.argsort(dist[i], kind="stable")
        near = [j for j in order[:max_n] if dist[i, j] <= radius_m]
        out[sid] = [str(ids[j]) for j in near] if len(near) >= min_n else []
    return out


def to_residual(values: np.ndarray, reference: np.ndarray, mode: str) -> np.ndarray:
    """A sensor's departure from a reference: a difference, or a log ratio for PM."""
    if mode == "difference":
        return values - reference
    if mode == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.log((values + RATIO_OFFSET) / (reference + RATIO_OFFSET))
    raise ValueError(f"mode must be 'difference' or 'ratio', got {mode!r}")


def threshold_in_residual(threshold: float, mode: str) -> float:
    """A threshold from config (K, or a factor such as 3.0) in residual units."""
    if mode == "ratio":
        if threshold <= 1:
            raise ValueError(f"a ratio threshold must exceed 1, got {threshold}")
        return float(np.log(threshold))
    return float(threshold)


def neighbour_median(
    wide: pd.DataFrame, neighbours: dict[str, list[str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per sensor and hour: the median and robust sd of its neighbours' values.

    Sensors without neighbours get NaN. The sd is the scaled MAD across neighbours and
    needs at least three of them reporting in that hour.
    """
    med = pd.DataFrame(np.nan, index=wide.index, columns=wide.columns)
    sd = med.copy()
    cols = {c: i for i, c in enumerate(wide.columns)}
    arr = wide.to_numpy(dtype=float)
    for sid, nb in neighbours.items():
        idx = [cols[n] for n in nb if n in cols]
        if sid not in cols or not idx:
            continue
        block = arr[:, idx]
        n_ok = np.isfinite(block).sum(axis=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN hours give NaN
            m = np.nanmedian(block, axis=1)
            mad = np.nanmedian(np.abs(block - m[:, None]), axis=1)
        m[n_ok == 0] = np.nan
        s = MAD_TO_SD * mad
        s[n_ok < 3] = np.nan
        med.iloc[:, cols[sid]] = m
        sd.iloc[:, cols[sid]] = s
    return med, sd


def neighbour_flags(
    wide: pd.DataFrame,
    med: pd.DataFrame,
    sd: pd.DataFrame,
    *,
    mode: str,
    threshold: float,
    abs_min: float = 0.0,
    k: float = 3.0,
) -> pd.DataFrame:
    """Hours in which a sensor is far from its neighbours' median.

    ``difference`` mode: ``|x - m| > max(threshold, k * sd)``. ``ratio`` mode (PM):
    ``|log((x + 5) / (m + 5))| > log(threshold)`` and ``|x - m| > abs_min``.
    """
    x = wide.to_numpy(dtype=float)
    m = med.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        if mode == "difference":
            thr = np.fmax(threshold, k * sd.to_numpy(dtype=float))
            bad = np.abs(x - m) > thr
        else:
            r = np.abs(to_residual(x, m, mode))
            bad = (r > threshold_in_residual(threshold, mode)) & (np.abs(x - m) > abs_min)
    return pd.DataFrame(bad, index=wide.index, columns=wide.columns)


def daily_range(wide: pd.DataFrame, *, min_hours: int = 18) -> pd.DataFrame:
    """Per sensor and UTC day: max minus min of the hourly values (NaN if incomplete)."""
    days = wide.index.floor("1D")
    g = wide.groupby(days)
    rng = g.max() - g.min()
    return rng.where(g.count() >= min_hours)


def indoor_flags(
    wide: pd.DataFrame,
    neighbours: dict[str, list[str]],
    *,
    min_ratio: float = 0.4,
    window_days: int = 7,
    min_hours: int = 18,
) -> pd.DataFrame:
    """Days on which a sensor's diurnal range is far smaller than its surroundings'.

    An indoor box, a sensor in a shaft or under a dense canopy sees a damped daily
    cycle. The ratio of a sensor's daily range to the median daily range of its
    neighbours (of the whole network when it has none) is smoothed with a centred
    ``window_days`` median; days where it is below ``min_ratio`` are flagged.

    Returns a wide boolean table indexed by day.
    """
    rng = daily_range(wide, min_hours=min_hours)
    network = rng.median(axis=1)
    ratio = pd.DataFrame(np.nan, index=rng.index, columns=rng.columns)
    for sid in rng.columns:
        nb = [n for n in neighbours.get(sid, []) if n in rng.columns]
        ref = rng[nb].median(axis=1) if nb else network
        ratio[sid] = rng[sid] / ref.where(ref > 0)
    smooth = ratio.rolling(window_days, center=True, min_periods=max(1, window_days // 2)).median()
    return smooth < min_ratio


__all__ = [
    "RATIO_OFFSET",
    "daily_range",
    "indoor_flags",
    "neighbour_flags",
    "neighbour_median",
    "neighbour_sets",
    "threshold_in_residual",
    "to_residual",
]
