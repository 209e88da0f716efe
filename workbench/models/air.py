"""Air-quality indicators per sensor: period means, exceedances and index bands.

Inputs are *daily* means in long form (``sensor_id, time, mean, n_hours``) as
:meth:`workbench.workspace.Workspace.clean_aggregate` returns with ``freq="day"`` — for
low-cost PM these are the humidity-corrected, calibrated values that passed QC.

Standards (µg/m³):

========  ==========================  ==========================
          EU 2024/2881 (from 2030)    WHO 2021 guideline
========  ==========================  ==========================
PM2.5     annual 10, daily 25 (18×)   annual 5, 24-h 15 (3–4×)
PM10      annual 20, daily 45 (18×)   annual 15, 24-h 45 (3–4×)
NO₂       annual 20, daily 50 (18×)   annual 10, 24-h 25 (3–4×)
========  ==========================  ==========================

The daily limit values may be exceeded 18 times per calendar year; the WHO 24-hour
guidelines are 99th percentiles (3–4 days a year). A period mean over less than a year
(e.g. one summer) is compared with the annual values only as an indication, and
``metrics.json`` says so.

Examples
--------
>>> import pandas as pd
>>> d = pd.DataFrame({"sensor_id": "a", "time": pd.date_range("2025-07-01", periods=4,
...                   tz="UTC"), "mean": [8.0, 16.0, 30.0, 6.0], "n_hours": 24})
>>> r = exceedances(d, "pm2_5").iloc[0]
>>> int(r["days_over_eu_daily"]), int(r["days_over_who_daily"])
(1, 2)
>>> eaqi_band("pm2_5", [3.0, 12.0, 60.0]).tolist()
['good', 'fair', 'poor']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

LIMITS: dict[str, dict[str, float]] = {
    "pm2_5": {"eu_annual": 10.0, "eu_daily": 25.0, "who_annual": 5.0, "who_daily": 15.0},
    "pm10": {"eu_annual": 20.0, "eu_daily": 45.0, "who_annual": 15.0, "who_daily": 45.0},
    "no2": {"eu_annual": 20.0, "eu_daily": 50.0, "who_annual": 10.0, "who_daily": 25.0},
}
EU_DAILY_ALLOWED = 18  # exceedances of the daily limit value allowed per calendar year

# European Air Quality Index (EEA, bands revised 2024 in line with the WHO 2021
# guidelines): upper bounds of good, fair, moderate, poor, very poor; above: extremely poor.
EAQI_LEVELS = ["good", "fair", "moderate", "poor", "very_poor", "extremely_poor"]
EAQI_BOUNDS: dict[str, list[float]] = {
    "pm2_5": [5, 15, 50, 90, 140],
    "pm10": [15, 45, 120, 195, 270],
    "no2": [10, 25, 60, 100, 150],
}
EAQI_COLOURS = ["#50f0e6", "#50ccaa", "#f0e641", "#ff5050", "#960032", "#7d2181"]


def _check_daily(daily: pd.DataFrame) -> None:
    missing = {"sensor_id", "time", "mean", "n_hours"} - set(daily.columns)
    if missing:
        raise ValueError(f"daily needs sensor_id, time, mean, n_hours; missing {sorted(missing)}")


def _check_quantity(quantity: str) -> None:
    if quantity not in LIMITS:
        raise ValueError(f"quantity must be one of {sorted(LIMITS)}, got {quantity!r}")


def period_means(
    daily: pd.DataFrame,
    *,
    min_hours: int = 18,
    min_coverage: float = 0.75,
    period_days: int | None = None,
    adjust: bool = True,
) -> pd.DataFrame:
    """Per sensor: period mean of the valid daily means, its standard error and coverage.

    A day is valid with at least ``min_hours`` hourly values; the period mean is valid
    when valid days cover ``min_coverage`` of ``period_days`` (default: the days from the
    first to the last day in ``daily``).

    With ``adjust`` (default) the mean is *temporally adjusted* for missing days by the
    difference method used in land-use-regression campaigns (ESCAPE): the network's
    daily median stands in for the regional level, each sensor's mean difference from it
    over its valid days is added to the median's period mean. A sensor that missed a
    smoggy week is then not mistaken for a clean place. The standard error comes from
    the daily values (differences when adjusted) with the effective sample size of
    their lag-1 autocorrelation.

    Returns
    -------
    DataFrame
        ``sensor_id, mean, mean_unadjusted, se, valid_days, coverage, valid``.
    """
    _check_daily(daily)
    v = daily[daily["n_hours"] >= min_hours]
    if period_days is None:
        t = pd.to_datetime(daily["time"], utc=True)
        period_days = int((t.max() - t.min()).days) + 1 if len(t) else 1
    network = v.groupby("time")["mean"].median()
    network = network[v.groupby("time").size() >= 3]
    level = float(network.mean()) if len(network) else float("nan")
    rows = []
    for sid, g in v.sort_values("time").groupby("sensor_id"):
        x = g["mean"].to_numpy(float)
        n = x.size
        raw = float(x.mean())
        d = x - g["time"].map(network).to_numpy(float)
        use_adj = adjust and np.isfinite(d).sum() >= max(3, n // 2)
        z = d[np.isfinite(d)] if use_adj else x
        mean = float(z.mean() + level) if use_adj else raw
        m = z.size
        r1 = float(np.corrcoef(z[:-1], z[1:])[0, 1]) if m > 3 and z.std() > 0 else 0.0
        r1 = min(max(r1, 0.0), 0.95)
        n_eff = m * (1 - r1) / (1 + r1)
        se = float(z.std(ddof=1) / np.sqrt(max(n_eff, 1.0))) if m > 1 else float("nan")
        cov = n / max(period_days, 1)
        rows.append((sid, mean, raw, se, n, cov, cov >= min_coverage))
    cols = ["sensor_id", "mean", "mean_unadjusted", "se", "valid_days", "coverage", "valid"]
    return pd.DataFrame(rows, columns=cols)


def exceedances(daily: pd.DataFrame, quantity: str, *, min_hours: int = 18) -> pd.DataFrame:
    """Per sensor: valid days over the EU 2030 daily limit and the WHO 24-hour guideline."""
    _check_daily(daily)
    _check_quantity(quantity)
    lim = LIMITS[quantity]
    v = daily[daily["n_hours"] >= min_hours]
    g = v.groupby("sensor_id")["mean"]
    out = pd.DataFrame(
        {
            "days_over_eu_daily": g.apply(lambda s: int((s > lim["eu_daily"]).sum())),
            "days_over_who_daily": g.apply(lambda s: int((s > lim["who_daily"]).sum())),
            "valid_days": g.size(),
        }
    ).reset_index()
    out["eu_daily_allowed"] = EU_DAILY_ALLOWED
    return out


def annual_assessment(means: pd.Series, quantity: str) -> pd.DataFrame:
    """Compare period means with the EU 2030 and WHO annual values (True = above)."""
    _check_quantity(quantity)
    lim = LIMITS[quantity]
    m = pd.to_numeric(means, errors="coerce")
    return pd.DataFrame(
        {"over_eu_annual": m > lim["eu_annual"], "over_who_annual": m > lim["who_annual"]},
        index=means.index,
    )


def eaqi_band(quantity: str, values: Sequence[float] | np.ndarray | pd.Series) -> pd.Series:
    """European Air Quality Index level of each concentration (NaN stays missing)."""
    if quantity not in EAQI_BOUNDS:
        raise ValueError(f"EAQI is defined for {sorted(EAQI_BOUNDS)}, got {quantity!r}")
    v = np.asarray(values, float)
    idx = np.searchsorted(np.asarray(EAQI_BOUNDS[quantity], float), v, side="left")
    out = np.array(EAQI_LEVELS, dtype=object)[np.clip(idx, 0, len(EAQI_LEVELS) - 1)]
    out[~np.isfinite(v)] = None
    return pd.Series(out, dtype=object)


def air_indicators(
    daily: pd.DataFrame,
    quantity: str,
    *,
    min_hours: int = 18,
    min_coverage: float = 0.75,
    adjust: bool = True,
) -> pd.DataFrame:
    """Period mean, exceedances, annual comparisons and EAQI band per sensor."""
    _check_quantity(quantity)
    pm = period_means(daily, min_hours=min_hours, min_coverage=min_coverage, adjust=adjust)
    ex = exceedances(daily, quantity, min_hours=min_hours).drop(columns=["valid_days"])
    out = pm.merge(ex, on="sensor_id", how="left")
    out = pd.concat([out, annual_assessment(out["mean"], quantity)], axis=1)
    out["eaqi"] = eaqi_band(quantity, out["mean"]).to_numpy()
    out.insert(1, "quantity", quantity)
    return out
