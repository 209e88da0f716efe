"""``workbench evaluate``: the impact of every registered measure on night-time heat,
daytime maximum temperature and PM2.5, written as ``evaluation.parquet`` into a new run.

Treated sensors lie within the measure's radius. Controls are healthy sensors at least
``max(500 m, 3 × radius)`` from every registered measure, matched on the land cover of
their grid cell (sealed and green share); the reference sensor is never a control. The
estimator is :func:`workbench.models.impact.did`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from workbench.config import FitSettings
from workbench.errors import InputError
from workbench.measures import read_register
from workbench.models.impact import QUANTITIES, did, explain
from workbench.models.indicators import daily_temperature, nightly_differences
from workbench.pipeline.result import Echo, StepResult, quiet
from workbench.run_summary import write_run_summary
from workbench.rundir import carry_over, jsonable, publish_run, write_json
from workbench.workspace import Workspace

MIN_CONTROLS = 8
CALIPER = 0.3  # |Δ sealed share| + |Δ green share| for a control to count as comparable


def _hourly(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"mean": "value"})[["sensor_id", "time", "value"]]


def evaluation_panels(ws: Workspace, s: FitSettings) -> dict[str, pd.DataFrame]:
    """Weather-normalised daily panels (``sensor_id, day, value``) per quantity."""
    panels: dict[str, pd.DataFrame] = {}
    t = _hourly(ws.clean_aggregate("air_temperature", freq="hour", refresh=False))
    if not t.empty:
        n = nightly_differences(t, reference=s.reference, tz=s.timezone, night=s.night)
        panels["uhi_night"] = n.reset_index().rename(columns={"night": "day", "mean": "value"})[
            ["sensor_id", "day", "value"]
        ]
        d = daily_temperature(t, tz=s.timezone, min_hours=s.min_daily_hours)
        d = d[d["valid"]]
        if s.reference.startswith("quantile:"):
            ref = d.groupby("date")["tmax"].quantile(float(s.reference.split(":")[1]))
        else:
            ref = d[d["sensor_id"] == s.reference].set_index("date")["tmax"]
        d = d.assign(value=d["tmax"] - d["date"].map(ref)).dropna(subset=["value"])
        panels["tmax_day"] = d.rename(columns={"date": "day"})[["sensor_id", "day", "value"]]
    pm = ws.clean_aggregate("pm2_5", freq="day", tz=s.timezone, refresh=False)
    if not pm.empty:
        pm = pm[pm["n_hours"] >= s.min_daily_hours]
        day = pd.to_datetime(pm["time"]).dt.date
        med = pm.groupby(day)["mean"].transform("median")
        panels["pm2_5"] = pd.DataFrame(
            {
                "sensor_id": pm["sensor_id"].to_numpy(),
                "day": day.to_numpy(),
                "value": (pm["mean"] - med).to_numpy(),
            }
        )
    return panels


def sensor_sites(ws: Workspace) -> pd.DataFrame:
    """Sensors with position (EPSG:25832), land cover of their cell and health status."""
    run = ws.latest_run()
    if run is None or not (run / "sensors.parquet").exists():
        raise InputError(f"{ws.root}: no fitted run; run `workbench fit` first")
    s = pd.read_parquet(run / "sensors.parquet")[["sensor_id", "x", "y"]]
    grid = ws.grid()
    tree = cKDTree(grid[["x", "y"]].to_numpy())
    _, idx = tree.query(s[["x", "y"]].to_numpy())
    for c in ("impervious", "green"):
        s[c] = grid[c].to_numpy()[idx] if c in grid else 0.0
    h = ws.health()[["sensor_id", "status"]]
    return s.merge(h, on="sensor_id", how="left")


def choose_groups(
    sites: pd.DataFrame,
    measure: pd.Series,
    measures: pd.DataFrame,
    *,
    reference: str,
) -> tuple[list[str], list[str]]:
    """Treated sensors (within the radius) and comparable controls for one measure."""
    tr = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    mx, my = tr.transform(measures["lon"].to_numpy(float), measures["lat"].to_numpy(float))
    me = measures.reset_index(drop=True)
    k = int(np.flatnonzero(me["measure_id"].to_numpy() == measure["measure_id"])[0])
    xy = sites[["x", "y"]].to_numpy()
    d_this = np.hypot(xy[:, 0] - mx[k], xy[:, 1] - my[k])
    ok = (sites["status"].fillna("ok") == "ok").to_numpy() & (
        sites["sensor_id"] != reference
    ).to_numpy()
    treated = sites.loc[(d_this <= float(measure["radius_m"])) & ok, "sensor_id"].tolist()
    far = np.ones(len(sites), dtype=bool)
    for j in range(len(me)):
        gap = max(500.0, 3 * float(me.loc[j, "radius_m"]))
        far &= np.hypot(xy[:, 0] - mx[j], xy[:, 1] - my[j]) > gap
    pool = sites[far & ok].copy()
    if not treated or pool.empty:
        return treated, pool["sensor_id"].tolist()
    t = sites[sites["sensor_id"].isin(treated)]
    dist = (pool["impervious"] - t["impervious"].mean()).abs() + (
        pool["green"] - t["green"].mean()
    ).abs()
    pool = pool.assign(_d=dist.to_numpy()).sort_values(["_d", "sensor_id"])
    close = pool[pool["_d"] <= CALIPER]
    chosen = close if len(close) >= MIN_CONTROLS else pool.head(MIN_CONTROLS)
    return treated, sorted(chosen["sensor_id"].tolist())


def evaluate_measures(
    panels: dict[str, pd.DataFrame],
    sites: pd.DataFrame,
    measures: pd.DataFrame,
    *,
    reference: str,
    min_days: int = 7,
) -> pd.DataFrame:
    """One row per measure and quantity (ARCHITECTURE.md's ``evaluation.parquet`` columns, more)."""
    rows = []
    for m in measures.itertuples(index=False):
        ms = pd.Series(m._asdict())
        treated, controls = choose_groups(sites, ms, measures, reference=reference)
        for q in QUANTITIES:
            if q not in panels:
                continue
            r = did(
                panels[q],
                quantity=q,
                treated=treated,
                controls=controls,
                built_on=m.built_on,
                min_days=min_days,
            )
            row = {
                "measure_id": m.measure_id,
                "category": m.category,
                "built_on": str(m.built_on),
                **r.as_row(),
                "explanation_de": explain(r, "de"),
                "explanation_en": explain(r, "en"),
            }
            rows.append(row)
    cols = [
        "measure_id",
        "quantity",
        "effect",
        "ci_low",
        "ci_high",
        "n_treated",
        "n_control",
        "verdict",
    ]
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=cols)
    return out[cols + [c for c in out.columns if c not in cols]]


def run(ws: Workspace, *, echo: Echo = quiet) -> StepResult:
    """Evaluate every registered measure and publish a run with ``evaluation.parquet``.

    ``detail`` is the evaluation table; ``summary`` the ``evaluation`` section of the
    run's ``metrics.json``.
    """
    measures = read_register(ws.root)
    if measures.empty:
        raise InputError(
            f"{ws.root}: no measures registered; add them with "
            f"workbench measures --workspace {ws.root} FILE"
        )
    s = FitSettings.from_config(ws.config)
    latest = ws.latest_run()
    echo("weather-normalised daily panels (night-time heat island, daytime Tmax, PM2.5)")
    panels = evaluation_panels(ws, s)
    sites = sensor_sites(ws)
    echo(f"difference in differences for {len(measures)} measures")
    ev = evaluate_measures(panels, sites, measures, reference=s.reference)
    metrics: dict[str, Any] = {}
    if latest is not None and (latest / "metrics.json").exists():
        metrics = json.loads((latest / "metrics.json").read_text(encoding="utf-8"))
    metrics["evaluation"] = {
        "measures": len(measures),
        "verdicts": ev["verdict"].value_counts().to_dict() if not ev.empty else {},
        "method": "difference in differences on sensor-level before/after changes, "
        "weather-normalised against the reference and the control mean",
    }

    def write(tmp: Path) -> None:
        carry_over(latest, tmp, {"evaluation"})
        ev.to_parquet(tmp / "evaluation.parquet", index=False)
        write_json(tmp / "metrics.json", metrics)
        write_run_summary(tmp, ws.areas())

    run_dir = publish_run(ws.root / "results", "latest", write)
    return StepResult(
        "evaluate",
        run=run_dir,
        summary=jsonable(metrics["evaluation"]),
        lines=[f"run         {run_dir}", *summary_lines(ev)],
        detail=ev,
    )


def summary_lines(ev: pd.DataFrame) -> list[str]:
    lines = []
    for r in ev.itertuples():
        if r.verdict == "insufficient_data":
            lines.append(f"  {r.measure_id:<8} {r.quantity:<10} insufficient data: {r.reason}")
        else:
            lines.append(
                f"  {r.measure_id:<8} {r.quantity:<10} {r.effect:+.2f} "
                f"[{r.ci_low:+.2f}, {r.ci_high:+.2f}] {QUANTITIES[r.quantity]}  {r.verdict} "
                f"({r.n_treated} treated, {r.n_control} controls, MDE {r.mde:.2f})"
            )
    return lines
