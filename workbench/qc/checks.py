"""The single-sensor quality-control tests: range, spike, stuck value, level shift, drift.

Each test is a pure function of one sensor's series (times ascending, no duplicates) and
returns a boolean array: True marks a reading that fails. Thresholds are parameters; the
workspace defaults are in ``[qc.<quantity>]`` of ``workbench.toml`` and documented in
``docs/qc.md``. The tests that compare a sensor with its neighbours (and the level-shift
and drift tests, which run on the difference to the neighbours) live in
:mod:`workbench.qc.neighbours`.

Examples
--------
>>> t = pd.date_range("2025-07-01", periods=9, freq="1h", tz="UTC")
>>> v = np.array([20.0, 20.5, 21.0, 35.0, 21.8, 22.0, 22.1, 22.1, 22.3])
>>> spike_flags(t, v, abs_min=5.0).nonzero()[0].tolist()
[3]
>>> stuck_flags(t, np.r_[np.full(7, 15.0), 16.0, 17.0], min_duration="6h").tolist()
[True, True, True, True, True, True, True, False, False]
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

MAD_TO_SD = 1.4826  # the MAD of a normal sample times this estimates its sd


def range_flags(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Readings outside ``[lo, hi]`` (or not finite)."""
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return ~((v >= lo) & (v <= hi))


def spike_flags(
    times: pd.DatetimeIndex | np.ndarray,
    values: np.ndarray,
    *,
    abs_min: float,
    rel: float = 0.0,
    k: float = 6.0,
    window: str = "5h",
    scale_window: str = "24h",
) -> np.ndarray:
    """Readings that depart from their running median by more than a threshold.

    The departure ``|x - median(window)|`` (centred time window, so irregular reporting
    intervals work) is compared with ``max(abs_min, k * sd, rel * |median|)`` where
    ``sd`` is a robust estimate (scaled MAD) of the sensor's departures over
    ``scale_window``. A smooth rise, however steep, has departures near zero; a lone
    reading far off has a large one. Windows with fewer than three readings are not
    judged.

    Parameters
    ----------
    abs_min : float
        Smallest departure that counts, in the quantity's unit (e.g. 5 K).
    rel : float
        Also require the departure to exceed this multiple of the median (for PM,
        where a jump of 50 µg/m³ is noise in smog and a spike in clean air).
    k : float
        Multiple of the robust sd of departures.
    """
    v = np.asarray(values, dtype=float)
    if v.size < 3:
        return np.zeros(v.size, dtype=bool)
    s = pd.Series(v, index=pd.DatetimeIndex(times))
    med = s.rolling(window, center=True, min_periods=3).median()
    dev = (s - med).abs()
    sd = MAD_TO_SD * dev.rolling(scale_window, center=True, min_periods=3).median()
    thr = np.maximum(abs_min, k * sd.to_numpy())
    if rel:
        thr = np.maximum(thr, rel * med.abs().to_numpy())
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(dev.to_numpy() > thr, nan=False).astype(bool)


def stuck_flags(
    times: pd.DatetimeIndex | np.ndarray,
    values: np.ndarray,
    *,
    min_duration: str = "6h",
    min_count: int = 4,
    tolerance: float = 0.0,
) -> np.ndarray:
    """Runs of unchanged values lasting at least ``min_duration`` (and ``min_count`` readings).

    Consecutive readings count as unchanged when they differ by at most ``tolerance``.
    The whole run is flagged, including its first reading: a frozen sensor repeats a
    value it may never have measured.
    """
    v = np.asarray(values, dtype=float)
    n = v.size
    if n == 0:
        return np.zeros(0, dtype=bool)
    t = pd.DatetimeIndex(times).as_unit("ns").asi8
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = np.abs(np.diff(v)) > tolerance
    run = np.cumsum(new_run) - 1
    first = np.flatnonzero(new_run)
    last = np.r_[first[1:] - 1, n - 1]
    count = last - first + 1
    duration = t[last] - t[first]
    bad = (count >= min_count) & (duration >= pd.Timedelta(min_duration).value)
    return bad[run]


def level_shifts(
    d: pd.Series, *, min_shift: float, window_h: int = 48, min_valid: int = 12
) -> list[pd.Timestamp]:
    """Times where the level of an hourly series shifts by more than ``min_shift``.

    For each hour the median of the ``window_h`` hours after it is compared with the
    median of the ``window_h`` hours before it; a change point is where that
    difference is largest within ``± window_h`` and exceeds ``min_shift``. Run on a
    sensor's difference to its neighbours, weather (a front, a heatwave) cancels and
    only the sensor's own shifts remain.

    Parameters
    ----------
    d : Series
        Hourly values on a regular hourly ``DatetimeIndex`` (NaN where missing).
    """
    if d.size < 2 * min_valid:
        return []
    before = d.rolling(window_h, min_periods=min_valid).median().shift(1)
    after = d[::-1].rolling(window_h, min_periods=min_valid).median()[::-1]
    delta = (after - before).abs()
    peak = delta.rolling(2 * window_h + 1, center=True, min_periods=1).max()
    cand = (delta > min_shift) & (delta >= peak)
    # medians find shifts robustly but are flat near them; the difference of means
    # peaks sharply at the shift and places it
    mb = d.rolling(window_h, min_periods=min_valid).mean().shift(1)
    ma = d[::-1].rolling(window_h, min_periods=min_valid).mean()[::-1]
    sharp = (ma - mb).abs().to_numpy()
    out: list[pd.Timestamp] = []
    for i in np.flatnonzero(cand.to_numpy()):
        lo, hi = max(0, i - window_h // 2), min(d.size, i + window_h // 2 + 1)
        j = lo + int(np.nanargmax(sharp[lo:hi])) if np.isfinite(sharp[lo:hi]).any() else i
        t = d.index[j]
        if not out or t - out[-1] > pd.Timedelta(hours=window_h):
            out.append(t)
    return out


def shifted_segments(
    d: pd.Series, change_points: list[pd.Timestamp], *, min_shift: float
) -> np.ndarray:
    """Hours lying in a segment whose level differs from the sensor's usual level.

    The series is cut at the change points; the segment with most valid hours is the
    sensor's usual level, and every segment whose median differs from it by more than
    ``min_shift`` is flagged.
    """
    flags = np.zeros(d.size, dtype=bool)
    if not change_points:
        return flags
    idx = pd.DatetimeIndex(d.index).as_unit("ns").asi8
    seg = np.searchsorted(idx, [pd.Timestamp(t).as_unit("ns").value for t in change_points])
    bounds = np.r_[0, seg, d.size]
    vals = d.to_numpy()
    meds, sizes = [], []
    for a, b in itertools.pairwise(bounds):
        part = vals[a:b]
        ok = np.isfinite(part)
        sizes.append(int(ok.sum()))
        meds.append(float(np.median(part[ok])) if ok.any() else np.nan)
    base = meds[int(np.argmax(sizes))]
    for (a, b), m in zip(itertools.pairwise(bounds), meds, strict=True):
        if np.isfinite(m) and abs(m - base) > min_shift:
            flags[a:b] = True
    return flags


def drift(
    d: pd.Series,
    *,
    change_points: list[pd.Timestamp] | None = None,
    min_days: int = 14,
    min_hours: int = 12,
) -> tuple[float, pd.Series]:
    """Linear drift of an hourly difference series, per day and accumulated.

    Daily medians (days with at least ``min_hours`` values) are regressed on time
    within each segment between level shifts (a shift is not a drift), with a common
    slope. Returns the drift accumulated over the whole span (slope times span, in the
    series' unit; NaN with fewer than ``min_days`` days) and, per hour, the drift
    accumulated since the first day.
    """
    acc = pd.Series(np.zeros(d.size), index=d.index)
    grp = d.groupby(d.index.floor("1D"))
    daily = grp.median()[grp.count() >= min_hours]
    # a day that contains a level shift mixes two levels: leave it out
    mixed = [pd.Timestamp(t).floor("1D") for t in change_points or []]
    daily = daily[~daily.index.isin(mixed)]
    if daily.size < min_days:
        return float("nan"), acc
    day0 = d.index[0].floor("1D")
    x = (daily.index - day0) / pd.Timedelta("1D")
    x = np.asarray(x, dtype=float)
    y = daily.to_numpy()
    seg = np.zeros(daily.size, dtype=int)
    for t in change_points or []:
        seg += daily.index >= t.floor("1D")
    xc = x.copy()
    yc = y.copy()
    for s in np.unique(seg):
        m = seg == s
        xc[m] -= x[m].mean()
        yc[m] -= y[m].mean()
    denom = float((xc**2).sum())
    if denom == 0:
        return float("nan"), acc
    slope = float((xc * yc).sum() / denom)
    span = float(x.max() - x.min())
    acc[:] = slope * ((d.index - day0) / pd.Timedelta("1D")).to_numpy(dtype=float)
    return slope * span, acc


__all__ = [
    "drift",
    "level_shifts",
    "range_flags",
    "shifted_segments",
    "spike_flags",
    "stuck_flags",
]
