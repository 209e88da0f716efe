"""Heat indicators per sensor: DWD threshold days, degree-hours, nocturnal UHI, heat index.

All functions take *hourly* means in long form (``sensor_id, time, value``; ``time`` in
UTC), the shape :meth:`workbench.workspace.Workspace.clean_aggregate` returns, and never
modify their input.

Definitions (Deutscher Wetterdienst): summer day Tmax ≥ 25 °C, hot day Tmax ≥ 30 °C,
tropical night Tmin ≥ 20 °C. A day counts only if it has at least ``min_hours`` valid
hourly means (18 of 24 by default), so a sensor with gaps is not credited with fewer
hot days than it saw.

Examples
--------
>>> import pandas as pd
>>> t = pd.date_range("2025-07-01", periods=48, freq="h", tz="UTC")
>>> hourly = pd.DataFrame({"sensor_id": "a", "time": t,
...                        "value": [22.0 + 9 * (h % 24 >= 12) for h in range(48)]})
>>> d = daily_temperature(hourly, tz="UTC")
>>> d[["tmax", "tmin"]].iloc[0].tolist()
[31.0, 22.0]
>>> heat_days(d)[["summer_days", "hot_days", "tropical_nights"]].iloc[0].tolist()
[2, 2, 2]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import InputError

DWD_THRESHOLDS = {"summer_days": 25.0, "hot_days": 30.0}
TROPICAL_NIGHT_C = 20.0


def _check_hourly(hourly: pd.DataFrame, name: str = "hourly") -> None:
    missing = {"sensor_id", "time", "value"} - set(hourly.columns)
    if missing:
        raise ValueError(f"{name} needs columns sensor_id, time, value; missing {sorted(missing)}")


def daily_temperature(hourly: pd.DataFrame, *, tz: str, min_hours: int = 18) -> pd.DataFrame:
    """Daily Tmax, Tmin and mean per sensor on the local calendar of ``tz``.

    Returns
    -------
    DataFrame
        ``sensor_id, date, tmax, tmin, tmean, n_hours, valid`` (``valid``: at least
        ``min_hours`` hourly values).
    """
    _check_hourly(hourly)
    if not 1 <= min_hours <= 24:
        raise ValueError(f"min_hours must be in 1..24, got {min_hours}")
    local = pd.to_datetime(hourly["time"], utc=True).dt.tz_convert(tz)
    df = pd.DataFrame(
        {"sensor_id": hourly["sensor_id"].to_numpy(), "date": local.dt.date, "v": hourly["value"]}
    )
    g = df.groupby(["sensor_id", "date"], sort=True)["v"]
    out = g.agg(tmax="max", tmin="min", tmean="mean", n_hours="count").reset_index()
    out["valid"] = out["n_hours"] >= min_hours
    return out


def heat_days(daily: pd.DataFrame) -> pd.DataFrame:
    """Per sensor: summer days, hot days, tropical nights and the number of valid days."""
    v = daily[daily["valid"]]
    out = v.groupby("sensor_id").agg(
        valid_days=("tmax", "size"),
        summer_days=("tmax", lambda s: int((s >= DWD_THRESHOLDS["summer_days"]).sum())),
        hot_days=("tmax", lambda s: int((s >= DWD_THRESHOLDS["hot_days"]).sum())),
        tropical_nights=("tmin", lambda s: int((s >= TROPICAL_NIGHT_C).sum())),
        tmax_mean=("tmax", "mean"),
        tmin_mean=("tmin", "mean"),
        tmean=("tmean", "mean"),
    )
    return out.reset_index()


def degree_hours(hourly: pd.DataFrame, thresholds: Sequence[float] = (25.0, 30.0)) -> pd.DataFrame:
    """Per sensor: Σ max(T − threshold, 0) over hours, in K·h, one column per threshold.

    Divide by ``n_hours`` for a rate that is comparable between sensors with gaps.
    """
    _check_hourly(hourly)
    v = hourly["value"].to_numpy(float)
    cols = {f"degree_hours_{t:g}": np.clip(v - t, 0, None) for t in thresholds}
    df = pd.DataFrame({"sensor_id": hourly["sensor_id"].to_numpy(), **cols})
    out = df.groupby("sensor_id").sum()
    out["n_hours"] = df.groupby("sensor_id").size()
    return out.reset_index()


def is_night(time: pd.Series, *, tz: str, start_hour: int = 22, end_hour: int = 6) -> np.ndarray:
    """True for local hours in ``[start_hour, 24) ∪ [0, end_hour)``."""
    h = pd.to_datetime(time, utc=True).dt.tz_convert(tz).dt.hour.to_numpy()
    if start_hour > end_hour:
        return (h >= start_hour) | (h < end_hour)
    return (h >= start_hour) & (h < end_hour)


def reference_series(hourly: pd.DataFrame, reference: str) -> pd.Series:
    """The hourly reference temperature the UHI is measured against.

    ``reference`` is a sensor id, or ``"quantile:Q"`` for the Q-quantile of all sensors
    in each hour (the network's cool end, e.g. ``quantile:0.1``) when no rural sensor
    exists.
    """
    _check_hourly(hourly)
    if reference.startswith("quantile:"):
        try:
            q = float(reference.split(":", 1)[1])
        except ValueError:
            raise InputError(
                f"reference must be 'quantile:Q' with 0<Q<1, got {reference!r}"
            ) from None
        if not 0 < q < 1:
            raise InputError(f"reference quantile must be in (0, 1), got {q}")
        g = hourly.groupby("time")["value"]
        ref = g.quantile(q)
        return ref[g.size() >= 5]
    sel = hourly[hourly["sensor_id"] == reference]
    if sel.empty:
        raise InputError(
            f"reference sensor {reference!r} has no valid temperature; set [heat] reference to "
            "a sensor id with data or to 'quantile:0.1'"
        )
    return sel.set_index("time")["value"]


def nightly_differences(
    hourly: pd.DataFrame, *, reference: str, tz: str, night: tuple[int, int] = (22, 6)
) -> pd.DataFrame:
    """Per sensor and night, the mean of ``T_sensor − T_reference`` over the night hours.

    A night starting at 22:00 on day D and ending at 06:00 on D+1 is labelled D; nights
    with fewer than 3 valid hours are dropped. Returns a frame indexed by
    ``(sensor_id, night)`` with columns ``mean`` and ``size`` (hours).
    """
    _check_hourly(hourly)
    ref = reference_series(hourly, reference)
    mask = is_night(hourly["time"], tz=tz, start_hour=night[0], end_hour=night[1])
    h = hourly.loc[mask, ["sensor_id", "time", "value"]]
    r = h["time"].map(ref)
    d = h.assign(diff=h["value"].to_numpy() - r.to_numpy()).dropna(subset=["diff"])
    local = pd.to_datetime(d["time"], utc=True).dt.tz_convert(tz)
    shift = pd.Timedelta(hours=night[1] if night[0] > night[1] else 0)
    d = d.assign(night=(local - shift).dt.date)
    nightly = d.groupby(["sensor_id", "night"])["diff"].agg(["mean", "size"])
    return nightly[nightly["size"] >= 3]  # at least 3 night hours make a night


def nocturnal_uhi(
    hourly: pd.DataFrame,
    *,
    reference: str,
    tz: str,
    night: tuple[int, int] = (22, 6),
    min_nights: int = 7,
) -> pd.DataFrame:
    """Mean nocturnal urban-heat-island intensity per sensor, with its standard error.

    For each night hour in which both the sensor and the reference have a valid hourly
    mean, ``T_sensor − T_reference``; these are averaged per night (a night is labelled
    by the local date on which it starts), then over nights. The standard error is the
    spread of the nightly means over √nights, so hour-to-hour autocorrelation within a
    night does not shrink it.

    Returns
    -------
    DataFrame
        ``sensor_id, uhi_k, uhi_se, n_nights, valid`` (``valid``: at least
        ``min_nights`` nights).
    """
    nightly = nightly_differences(hourly, reference=reference, tz=tz, night=night)
    g = nightly.groupby("sensor_id")["mean"]
    out = pd.DataFrame({"uhi_k": g.mean(), "sd": g.std(ddof=1), "n_nights": g.size()}).reset_index()
    out["uhi_se"] = out["sd"].fillna(0) / np.sqrt(out["n_nights"].clip(lower=1))
    out["valid"] = out["n_nights"] >= min_nights
    if not reference.startswith("quantile:"):
        out.loc[out["sensor_id"] == reference, ["uhi_k", "uhi_se"]] = 0.0
    return out[["sensor_id", "uhi_k", "uhi_se", "n_nights", "valid"]]


def heat_index(t_c: np.ndarray, rh: np.ndarray) -> np.ndarray:
    """Felt temperature (NWS heat index, Rothfusz with adjustments) in °C.

    Computed by ECMWF's ``thermofeel`` from air temperature and the dew point derived
    from relative humidity. Below about 27 °C the heat index equals a simple
    temperature-humidity blend close to the air temperature.

    >>> round(float(heat_index(np.array([32.0]), np.array([60.0]))[0]), 1)
    37.1
    """
    import thermofeel as tf

    t_k = np.asarray(t_c, float) + 273.15
    rh = np.clip(np.asarray(rh, float), 1.0, 100.0)
    td_k = tf.calculate_dew_point_from_relative_humidity(rh, t_k)
    return np.asarray(tf.calculate_heat_index_adjusted(t_k, td_k), float) - 273.15


HEAT_STRESS_CLASSES = [  # NWS heat index categories, °C
    (27.0, "caution"),
    (32.0, "extreme_caution"),
    (41.0, "danger"),
    (54.0, "extreme_danger"),
]


def heat_stress_class(hi_c: np.ndarray) -> np.ndarray:
    """NWS category of a heat index: ``none``, ``caution``, … ``extreme_danger``."""
    hi = np.asarray(hi_c, float)
    out = np.full(hi.shape, "none", dtype=object)
    for lo, name in HEAT_STRESS_CLASSES:
        out[hi >= lo] = name
    return out


def felt_heat(temp_hourly: pd.DataFrame, rh_hourly: pd.DataFrame) -> pd.DataFrame:
    """Per sensor: hours in each heat-stress class and the maximum heat index.

    Humidity is matched by sensor and hour; sensors without humidity are left out.
    """
    _check_hourly(temp_hourly, "temp_hourly")
    _check_hourly(rh_hourly, "rh_hourly")
    m = temp_hourly[["sensor_id", "time", "value"]].merge(
        rh_hourly[["sensor_id", "time", "value"]], on=["sensor_id", "time"], suffixes=("_t", "_rh")
    )
    if m.empty:
        return pd.DataFrame(columns=["sensor_id", "heat_index_max"])
    m["hi"] = heat_index(m["value_t"].to_numpy(), m["value_rh"].to_numpy())
    m["cls"] = heat_stress_class(m["hi"].to_numpy())
    counts = pd.crosstab(m["sensor_id"], m["cls"])
    counts = counts.reindex(columns=[c for _, c in HEAT_STRESS_CLASSES], fill_value=0)
    counts.columns = [f"hours_{c}" for c in counts.columns]
    out = counts.join(m.groupby("sensor_id")["hi"].max().rename("heat_index_max"))
    return out.reset_index()


def heat_indicators(
    temp_hourly: pd.DataFrame,
    rh_hourly: pd.DataFrame | None = None,
    *,
    reference: str,
    tz: str = "Europe/Berlin",
    min_hours: int = 18,
    min_nights: int = 7,
) -> pd.DataFrame:
    """All heat indicators per sensor in one table (one row per sensor)."""
    days = heat_days(daily_temperature(temp_hourly, tz=tz, min_hours=min_hours))
    out = days.merge(degree_hours(temp_hourly), on="sensor_id", how="outer")
    out = out.merge(
        nocturnal_uhi(temp_hourly, reference=reference, tz=tz, min_nights=min_nights),
        on="sensor_id",
        how="left",
    )
    if rh_hourly is not None and not rh_hourly.empty:
        out = out.merge(felt_heat(temp_hourly, rh_hourly), on="sensor_id", how="left")
    out["valid"] = out["valid"].fillna(False).astype(bool)
    return out.sort_values("sensor_id").reset_index(drop=True)
