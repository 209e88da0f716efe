"""The hourly grid of a QC run: readings to hour rows, wide hour × sensor tables, lookups."""

from __future__ import annotations

import numpy as np
import pandas as pd

HOUR = pd.Timedelta("1h")


def hour_grid(obs: pd.DataFrame) -> tuple[pd.DatetimeIndex, pd.Series]:
    """The regular hourly index spanning the readings, and each reading's row in it.

    Parameters
    ----------
    obs : DataFrame
        Readings with an ``hour`` column (time floored to the hour, UTC).

    Returns
    -------
    DatetimeIndex
        Every hour from the first to the last reading (the current hour when empty).
    Series
        ``int64`` row of each reading's hour (index of ``obs``).
    """
    t0 = obs["hour"].min() if len(obs) else pd.Timestamp.now(tz="UTC").floor("1h")
    index = pd.date_range(t0, obs["hour"].max() if len(obs) else t0, freq="1h")
    return index, ((obs["hour"] - t0) // HOUR).astype(np.int64)


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


__all__ = ["HOUR", "hour_grid", "hourly_wide", "lookup_hourly", "quantity_slices"]
