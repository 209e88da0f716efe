"""Sensor health: is each box alive, complete, plausible and powered?

One row per sensor with what an operator needs to decide whether to visit it: last
seen, completeness, share of flagged readings, drift against neighbours, battery and
radio signal where the stream carries them, and a status:

``dead``
    no reading for ``dead_after_h`` hours (default a week);
``stale``
    no reading for ``stale_after_h`` hours (default 6) but not yet dead;
``degraded``
    reporting, but with a reason listed in ``reasons`` (low completeness, many flagged
    readings, drift, level shift, indoor placement suspected, low battery, weak signal,
    excluded by the analyst);
``ok``
    none of the above.

Times are judged against ``as_of``: by default the newest reading in the workspace, so a
replayed or historical dataset is judged as of its end; pass the wall clock for a live
network (``workbench status`` does so when ingest is running).

Examples
--------
>>> s = pd.DataFrame({"sensor_id": ["a", "b"], "last_seen": pd.to_datetime(
...     ["2025-07-01 10:00", "2025-06-20 00:00"], utc=True), "completeness": [0.9, 0.9],
...     "flagged_share": [0.0, 0.0]})
>>> sensor_status(s, as_of=pd.Timestamp("2025-07-01 12:00", tz="UTC"))["status"].tolist()
['ok', 'dead']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

STATUSES = ("ok", "degraded", "stale", "dead")


@dataclass(frozen=True)
class HealthLimits:
    """Thresholds of the status (``[qc.health]`` in ``workbench.toml``)."""

    stale_after_h: float = 6.0
    dead_after_h: float = 168.0
    min_completeness: float = 0.75
    max_flagged_share: float = 0.10
    battery_low_v: float = 3.3
    battery_low_pct: float = 15.0
    rssi_min_dbm: float = -120.0
    snr_min_db: float = -15.0


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series(np.nan, index=df.index)


def _flag(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        return pd.Series(False, index=df.index)
    return df[name].astype("boolean").fillna(False).astype(bool)


def sensor_status(
    table: pd.DataFrame, *, as_of: pd.Timestamp, limits: HealthLimits | None = None
) -> pd.DataFrame:
    """Add ``hours_since_seen``, ``status`` and ``reasons`` to a per-sensor table.

    ``table`` needs ``sensor_id, last_seen, completeness, flagged_share``; optional
    columns ``drift_flag, step_flag, indoor_flag, excluded`` (bool) and ``battery_v,
    battery_pct, rssi_dbm, snr_db`` add reasons. The input is not modified.
    """
    lim = limits or HealthLimits()
    out = table.copy()
    since = (as_of - pd.to_datetime(out["last_seen"], utc=True)) / pd.Timedelta("1h")
    out["hours_since_seen"] = since.astype(float).round(2)
    checks = {
        "low_completeness": out["completeness"] < lim.min_completeness,
        "many_flagged": out["flagged_share"] > lim.max_flagged_share,
        "drift": _flag(out, "drift_flag"),
        "level_shift": _flag(out, "step_flag"),
        "indoor_suspected": _flag(out, "indoor_flag"),
        "excluded": _flag(out, "excluded"),
        "battery_low": (_col(out, "battery_v") < lim.battery_low_v)
        | (_col(out, "battery_pct") < lim.battery_low_pct),
        "weak_signal": (_col(out, "rssi_dbm") < lim.rssi_min_dbm)
        | (_col(out, "snr_db") < lim.snr_min_db),
    }
    reasons = [
        ";".join(name for name, mask in checks.items() if bool(mask.iat[i]))
        for i in range(len(out))
    ]
    out["reasons"] = reasons
    status = np.where(pd.Series(reasons, index=out.index) != "", "degraded", "ok")
    status = np.where(since >= lim.stale_after_h, "stale", status)
    status = np.where(since >= lim.dead_after_h, "dead", status)
    out["status"] = pd.Categorical(status, categories=list(STATUSES))
    return out


__all__ = ["STATUSES", "HealthLimits", "sensor_status"]
