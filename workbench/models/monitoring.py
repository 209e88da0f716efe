"""Live monitoring per district: heat stress of the last 24 hours and this year's
air-quality exceedances against the EU 2030 daily limits, with an alert list.

"Now" is the newest reading in the store (a replayed or archived store gives the picture
at its end). Thresholds come from ``[monitoring]`` in ``workbench.toml``.

* ``tmax_24h``: the district's median of the sensors' highest hourly mean in the last 24 h
  (``tmax_24h_max``: the hottest sensor);
* ``tropical_night_streak``: consecutive nights up to the latest in which the district's
  median night minimum stayed at or above 20 °C;
* ``heat_class``: NWS heat-index class of the district's highest heat index in 24 h;
* ``<q>_days_over_eu``: days this calendar year on which the district's mean of sensor
  daily means exceeded the EU 2030 daily limit (PM2.5 25 µg/m³, PM10 45 µg/m³; 18 such days
  are allowed per year).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.i18n import tf
from workbench.models.air import EU_DAILY_ALLOWED, LIMITS
from workbench.models.indicators import HEAT_STRESS_CLASSES, heat_index, heat_stress_class

CLASS_ORDER = ["none"] + [c for _, c in HEAT_STRESS_CLASSES]


@dataclass(frozen=True)
class MonitoringSettings:
    tmax_alert_c: float = 30.0
    tropical_night_c: float = 20.0
    streak_alert: int = 3
    heat_class_alert: str = "extreme_caution"
    exceedance_alert_days: int = EU_DAILY_ALLOWED

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> MonitoringSettings:
        m = cfg.get("monitoring", {})
        d = cls()
        s = cls(
            tmax_alert_c=float(m.get("tmax_alert_c", d.tmax_alert_c)),
            tropical_night_c=float(m.get("tropical_night_c", d.tropical_night_c)),
            streak_alert=int(m.get("streak_alert", d.streak_alert)),
            heat_class_alert=str(m.get("heat_class_alert", d.heat_class_alert)),
            exceedance_alert_days=int(m.get("exceedance_alert_days", d.exceedance_alert_days)),
        )
        if s.heat_class_alert not in CLASS_ORDER:
            raise ValueError(
                f"monitoring.heat_class_alert {s.heat_class_alert!r}; use one of {CLASS_ORDER}"
            )
        return s


def _streak(flags: pd.Series) -> int:
    """Length of the run of True at the end of a date-ordered series."""
    n = 0
    for v in flags.to_numpy()[::-1]:
        if not v:
            break
        n += 1
    return n


def district_heat(
    t_hourly: pd.DataFrame,
    rh_hourly: pd.DataFrame,
    areas_of: pd.Series,
    *,
    tz: str,
    night: tuple[int, int] = (22, 6),
    tropical_c: float = 20.0,
) -> pd.DataFrame:
    """Heat stress of the last 24 h per district (see the module docstring).

    ``t_hourly``/``rh_hourly``: ``sensor_id, time, value``; ``areas_of``: sensor → area.
    """
    t = t_hourly.assign(area_id=t_hourly["sensor_id"].map(areas_of)).dropna(subset=["area_id"])
    if t.empty:
        return pd.DataFrame(
            columns=[
                "area_id",
                "tmax_24h",
                "tmax_24h_max",
                "tropical_night_streak",
                "heat_index_max_24h",
                "heat_class",
            ]
        )
    now = t["time"].max()
    last = t[t["time"] > now - pd.Timedelta(hours=24)]
    per_sensor = last.groupby(["area_id", "sensor_id"])["value"].max()
    out = per_sensor.groupby("area_id").agg(tmax_24h="median", tmax_24h_max="max")
    # nights: minimum of the night hours per sensor, median per district
    local = pd.to_datetime(t["time"], utc=True).dt.tz_convert(tz)
    h = local.dt.hour
    is_night = (h >= night[0]) | (h < night[1])
    nights = t[is_night.to_numpy()].assign(
        night=(local[is_night] - pd.Timedelta(hours=night[1])).dt.date
    )
    tmin = nights.groupby(["area_id", "night", "sensor_id"])["value"].min()
    dist_tmin = tmin.groupby(["area_id", "night"]).median().reset_index()
    streak = (
        dist_tmin.sort_values("night")
        .groupby("area_id")["value"]
        .apply(lambda s: _streak(s >= tropical_c))
    )
    out["tropical_night_streak"] = streak.reindex(out.index).fillna(0).astype(int)
    m = last.merge(rh_hourly, on=["sensor_id", "time"], suffixes=("", "_rh"))
    if not m.empty:
        m["hi"] = heat_index(m["value"].to_numpy(), m["value_rh"].to_numpy())
        hi = m.groupby("area_id")["hi"].max()
        out["heat_index_max_24h"] = hi.reindex(out.index)
    else:
        out["heat_index_max_24h"] = np.nan
    out["heat_class"] = heat_stress_class(out["heat_index_max_24h"].fillna(-99).to_numpy())
    out["as_of"] = now
    return out.reset_index()


def district_exceedances(daily: dict[str, pd.DataFrame], areas_of: pd.Series) -> pd.DataFrame:
    """Days over the EU 2030 daily limit this calendar year, per district and quantity.

    ``daily[q]``: ``sensor_id, time, mean, n_hours`` (valid daily means).
    """
    parts = []
    for q, d in daily.items():
        if d.empty or q not in LIMITS:
            continue
        d = d.assign(area_id=d["sensor_id"].map(areas_of)).dropna(subset=["area_id"])
        year = pd.to_datetime(d["time"]).dt.year
        d = d[year == year.max()]
        m = d.groupby(["area_id", "time"])["mean"].mean()
        over = (m > LIMITS[q]["eu_daily"]).groupby("area_id").sum()
        parts.append(over.rename(f"{q}_days_over_eu").astype(int))
    if not parts:
        return pd.DataFrame(columns=["area_id"])
    return pd.concat(parts, axis=1).fillna(0).astype(int).reset_index()


def alerts(table: pd.DataFrame, s: MonitoringSettings, names: dict[str, str]) -> list[dict]:
    """Alerts for districts over a threshold, worst first, in German and English."""
    out = []
    rank = {c: i for i, c in enumerate(CLASS_ORDER)}
    for r in table.itertuples():
        name = names.get(r.area_id, r.area_id)
        tmax = getattr(r, "tmax_24h", np.nan)
        if np.isfinite(tmax) and tmax >= s.tmax_alert_c:
            out.append(
                {
                    "area_id": r.area_id,
                    "kind": "heat",
                    "severity": float(tmax),
                    "de": tf("alert_tmax", "de", name=name, tmax=f"{tmax:.1f}".replace(".", ",")),
                    "en": tf("alert_tmax", "en", name=name, tmax=f"{tmax:.1f}"),
                }
            )
        streak = int(getattr(r, "tropical_night_streak", 0) or 0)
        if streak >= s.streak_alert:
            out.append(
                {
                    "area_id": r.area_id,
                    "kind": "tropical_nights",
                    "severity": streak,
                    "de": tf("alert_tropical", "de", name=name, streak=streak),
                    "en": tf("alert_tropical", "en", name=name, streak=streak),
                }
            )
        cls = getattr(r, "heat_class", "none")
        if rank.get(cls, 0) >= rank[s.heat_class_alert] and cls != "none":
            out.append(
                {
                    "area_id": r.area_id,
                    "kind": "heat_index",
                    "severity": rank[cls],
                    "de": tf("alert_heat_index", "de", name=name, cls=cls),
                    "en": tf("alert_heat_index", "en", name=name, cls=cls),
                }
            )
        for q in ("pm2_5", "pm10"):
            n = getattr(r, f"{q}_days_over_eu", 0)
            if n is not None and np.isfinite(n) and n > s.exceedance_alert_days:
                label = "PM2,5" if q == "pm2_5" else "PM10"
                out.append(
                    {
                        "area_id": r.area_id,
                        "kind": q,
                        "severity": float(n),
                        "de": tf(
                            "alert_pm",
                            "de",
                            name=name,
                            n=int(n),
                            label=label,
                            allowed=s.exceedance_alert_days,
                        ),
                        "en": tf(
                            "alert_pm",
                            "en",
                            name=name,
                            n=int(n),
                            label=q.upper().replace("_", "."),
                            allowed=s.exceedance_alert_days,
                        ),
                    }
                )
    return sorted(out, key=lambda a: (a["kind"], -a["severity"]))
