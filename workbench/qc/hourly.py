"""The hourly grid of a QC run: readings to hour rows, wide hour × sensor tables, lookups."""

from __future__ import annotations

import numpy as np
import pandas as pd

HOUR = pd.Timedelta("1h")
# hours kept on each side of a reading: longer than any window a check counts in rows
# (level shifts reach 2 × level_window_h + 1 hours), so no window ever spans a cut gap
PAD_HOURS = 168


def grid_hours(hours: np.ndarray, pad: int = PAD_HOURS) -> np.ndarray:
    """The hours (integers, sorted) of the QC grid for readings at ``hours``: every hour
    within ``pad`` of a reading, from the first to the last reading.

    Gaps longer than ``2 × pad`` are cut out, so the grid's size grows with the hours that
    have data, never with the time span alone: one reading in 2000 and one in 2026 give
    ``2 × (pad + 1)`` rows, not 236,000. Within ``pad`` of every reading the grid is the
    regular hourly one, so windowed checks see exactly what they saw before.

    >>> grid_hours(np.array([0, 2, 1000]), pad=3).tolist()
    [0, 1, 2, 3, 4, 5, 997, 998, 999, 1000]
    >>> grid_hours(np.array([5, 5, 9]), pad=2).tolist()
    [5, 6, 7, 8, 9]
    """
    h = np.unique(hours)
    if h.size == 0:
        return h
    cut = np.flatnonzero(np.diff(h) > 2 * pad + 1)
    firsts, lasts = h[np.r_[0, cut + 1]], h[np.r_[cut, h.size - 1]]
    lo = np.maximum(firsts - pad, h[0])
    hi = np.minimum(lasts + pad, h[-1])
    return np.concatenate([np.arange(a, b + 1) for a, b in zip(lo, hi, strict=True)])


def hour_grid(obs: pd.DataFrame, pad: int = PAD_HOURS) -> tuple[pd.DatetimeIndex, pd.Series]:
    """The hourly index of the readings (:func:`grid_hours`), and each reading's row in it.

    Parameters
    ----------
    obs : DataFrame
        Readings with an ``hour`` column (time floored to the hour, UTC).
    pad : int
        Hours kept on each side of every reading.

    Returns
    -------
    DatetimeIndex
        The grid's hours (the current hour when empty); regular hourly wherever data are
        less than ``2 × pad`` hours apart.
    Series
        ``int64`` row of each reading's hour (index of ``obs``).
    """
    if not len(obs):
        t0 = pd.Timestamp.now(tz="UTC").floor("1h")
        return pd.date_range(t0, t0, freq="1h"), pd.Series([], dtype=np.int64, index=obs.index)
    unit = obs["hour"].dt.unit
    t0 = obs["hour"].min()
    rel = ((obs["hour"] - t0) // HOUR).to_numpy(dtype=np.int64)
    hours = grid_hours(rel, pad)
    index = pd.DatetimeIndex(t0 + pd.to_timedelta(hours, unit="h")).as_unit(unit)
    if hours.size == hours[-1] + 1:  # no gap cut: the regular grid, as before
        index = pd.date_range(t0, periods=hours.size, freq="1h").as_unit(unit)
    return index, pd.Series(np.searchsorted(hours, rel), index=obs.index, dtype=np.int64)


def quantity_slices(obs: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Row range ``(start, stop)`` of each quantity in readings sorted by quantity.

    Examples
    --------
    >>> quantity_slices(pd.DataFrame({"quantity": ["a", "a", "b"]}))
    {'a': (0, 2), 'b': (2, 3)}
    >>> quantity_slices(pd.DataFrame({"quantity": []}))
    {}
    """
    if obs.empty:
        return {}
    qv = obs["quantity"].to_numpy()
    cut = np.flatnonzero(np.r_[True, qv[1:] != qv[:-1]])
    return {
        str(qv[a]): (int(a), int(b)) for a, b in zip(cut, np.r_[cut[1:], len(obs)], strict=True)
    }


def hourly_wide(df: pd.DataFrame, ok: np.ndarray, index: pd.DatetimeIndex) -> pd.DataFrame:
    """Mean of the passing readings per hour and sensor, on a regular hourly index.

    Parameters
    ----------
    df : DataFrame
        Readings with ``sensor_id, hour, value``.
    ok : ndarray of bool
        Which readings count.
    index : DatetimeIndex
        The hourly grid (:func:`hour_grid`).

    Returns
    -------
    DataFrame
        Hours × sensors.
    """
    sub = df.loc[ok, ["sensor_id", "hour", "value"]]
    wide = sub.groupby(["hour", "sensor_id"], observed=True)["value"].mean().unstack()
    return wide.reindex(index)


def lookup_hourly(wide: pd.DataFrame, df: pd.DataFrame) -> np.ndarray:
    """The wide table's value at each reading's hour and sensor (NaN where absent).

    Parameters
    ----------
    wide : DataFrame
        Hours × sensors on the run's hourly grid.
    df : DataFrame
        Readings with ``sensor_id`` and ``hrow``.

    Returns
    -------
    ndarray
        One float per reading.
    """
    out = np.full(len(df), np.nan)
    if wide.empty:
        return out
    cols = {c: i for i, c in enumerate(wide.columns)}
    col = df["sensor_id"].map(cols).to_numpy(dtype=float)
    row = df["hrow"].to_numpy(dtype=float)
    ok = np.isfinite(col) & (row >= 0) & (row < len(wide))
    arr = wide.to_numpy(dtype=float)
    out[ok] = arr[row[ok].astype(int), col[ok].astype(int)]
    return out


__all__ = [
    "HOUR",
    "PAD_HOURS",
    "grid_hours",
    "hour_grid",
    "hourly_wide",
    "lookup_hourly",
    "quantity_slices",
]
