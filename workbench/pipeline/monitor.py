"""District monitoring of a workspace: last 24 h heat stress, this year's EU exceedances,
alerts (the computations are in :mod:`workbench.models.monitoring`)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from workbench.config import FitSettings
from workbench.models.monitoring import (
    MonitoringSettings,
    alerts,
    district_exceedances,
    district_heat,
)
from workbench.pipeline.result import StepResult
from workbench.workspace import Workspace


def monitoring(ws: Workspace) -> dict[str, Any]:
    """The monitoring picture of a workspace: per-district table and alerts."""
    with ws.setting_errors():
        fs = FitSettings.from_config(ws.config)
        ms = MonitoringSettings.from_config(ws.config)
    sensors = ws.sensors()
    areas_of = sensors.set_index("sensor_id")["area_id"].dropna()

    def hourly(q: str) -> pd.DataFrame:
        a = ws.clean_aggregate(q, freq="hour", refresh=False)
        return a.rename(columns={"mean": "value"})[["sensor_id", "time", "value"]]

    t = hourly("air_temperature")
    if t.empty:
        return {"as_of": None, "districts": pd.DataFrame(), "alerts": []}
    rh = hourly("relative_humidity")
    heat = district_heat(
        t, rh, areas_of, tz=fs.timezone, night=fs.night, tropical_c=ms.tropical_night_c
    )
    daily = {}
    for q in ("pm2_5", "pm10"):
        d = ws.clean_aggregate(q, freq="day", tz=fs.timezone, refresh=False)
        daily[q] = d[d["n_hours"] >= fs.min_daily_hours] if not d.empty else d
    exc = district_exceedances(daily, areas_of)
    table = heat.merge(exc, on="area_id", how="left") if not exc.empty else heat
    areas = ws.areas()
    names = dict(zip(areas["area_id"], areas["name"], strict=True)) if areas is not None else {}
    table.insert(1, "name", table["area_id"].map(names).fillna(table["area_id"]))
    return {
        "as_of": str(heat["as_of"].max()) if not heat.empty else None,
        "districts": table.drop(columns=["as_of"], errors="ignore"),
        "alerts": alerts(table, ms, names),
    }


def lines(mon: dict[str, Any]) -> list[str]:
    """The district table and alerts as text (``workbench status``)."""
    if mon["districts"].empty:
        return []
    out = [
        f"monitoring  as of {mon['as_of']} (last 24 h; this year's EU exceedances)",
        f"  {'district':<16} {'Tmax °C':>8} {'tropical':>8} {'felt':<16} "
        f"{'PM2.5 d>EU':>10} {'PM10 d>EU':>9}",
    ]
    for r in mon["districts"].itertuples():
        out.append(
            f"  {r.name:<16} {r.tmax_24h:>8.1f} {r.tropical_night_streak:>8} "
            f"{r.heat_class.replace('_', ' '):<16} "
            f"{getattr(r, 'pm2_5_days_over_eu', float('nan')):>10.0f} "
            f"{getattr(r, 'pm10_days_over_eu', float('nan')):>9.0f}"
        )
    out += [f"  ALERT {a['en']}" for a in mon["alerts"]] or ["  no alerts"]
    return out


def run(ws: Workspace) -> StepResult:
    """The monitoring picture; ``detail`` is :func:`monitoring`'s dict."""
    mon = monitoring(ws)
    summary = {
        "as_of": mon["as_of"],
        "districts": json.loads(mon["districts"].to_json(orient="records")),
        "alerts": mon["alerts"],
    }
    return StepResult("monitor", summary=summary, lines=lines(mon), detail=mon)
