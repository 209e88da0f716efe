"""``workbench fit``: QC → heat and air models → hotspots → need index → ``results/<run-id>/``.

The run is written into a temporary directory and made visible by swapping
``results/latest`` (see :mod:`workbench.rundir`): a failed fit never replaces the
latest complete run. Same inputs and seed give the same tables.

Files of a run (the output contracts in ARCHITECTURE.md; more columns are welcome):

``cells.parquet``
    per grid cell: ``cell_id, x, y, lon, lat, area_id``, covariates and population,
    ``heat_uhi_k, heat_uhi_se, heat_gi_z, heat_gi_p_fdr, heat_hotspot, heat_coldspot``,
    ``pm2_5_ugm3, pm2_5_se, pm2_5_eaqi, air_gi_z, air_gi_p_fdr, air_hotspot,
    air_coldspot`` (and ``pm10_*``/``no2_*`` where modelled), ``need_index, need_rank,
    need_rank_lo, need_rank_hi``.
``areas.parquet``
    per area: ``area_id, name``, plain and population-weighted area means, hotspot
    shares, population, ``need_index, need_rank, need_rank_lo, need_rank_hi``.
``sensors.parquet``
    per sensor: position, heat indicators (DWD days, degree-hours, nocturnal UHI, heat
    index hours), air indicators (period means, exceedances, EAQI), out-of-fold
    predictions of every model.
``metrics.json``
    validation (``heat.cv_rmse_k``, ``heat.cv_r2``, baselines, improvement), air
    validation, model diagnostics, data coverage, parameters, software versions.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from workbench.config import AIR_QUANTITIES, FitSettings
from workbench.errors import InputError
from workbench.geo import WORK_CRS
from workbench.models import air as air_ind
from workbench.models import indicators as heat_ind
from workbench.models.area_means import area_means
from workbench.models.hotspots import gi_star
from workbench.models.need import (
    indicators,
    need_index,
    need_rank,
    need_sensitivity,
)
from workbench.models.spatial import IDW, CovariateRegression, RegressionKriging, covariates_at
from workbench.models.validation import improvement, validate
from workbench.pipeline.result import Echo, StepResult, quiet
from workbench.run_summary import write_run_summary
from workbench.rundir import frame_digest, jsonable, publish_run, software_versions
from workbench.workspace import Workspace

MIN_SENSORS = 8  # fewer valid sensors: no spatial model (the surface would be a guess)
PACKAGES = ("numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "esda", "libpysal")


# ---------------------------------------------------------------------- inputs
def sensor_positions(
    sensors: pd.DataFrame, reference_stations: dict[str, Any] | None = None
) -> pd.DataFrame:
    """``sensor_id, x, y`` (EPSG:25832) of every sensor with a known position.

    Official stations imported from UBA (``uba:CODE``) take their position from the
    ``[reference_stations]`` table when the file carried none.
    """
    s = sensors[["sensor_id", "lat", "lon"]].copy()
    for code, st in (reference_stations or {}).items():
        m = (s["sensor_id"] == f"uba:{code}") & s["lat"].isna()
        s.loc[m, "lat"], s.loc[m, "lon"] = st.get("lat"), st.get("lon")
    s = s.dropna(subset=["lat", "lon"])
    tr = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    x, y = tr.transform(s["lon"].to_numpy(float), s["lat"].to_numpy(float))
    return pd.DataFrame({"sensor_id": s["sensor_id"].to_numpy(), "x": x, "y": y})


def cell_size(grid: pd.DataFrame) -> float:
    """The grid's cell size in metres (median nearest-neighbour distance of cell centres)."""
    from scipy.spatial import cKDTree

    xy = grid[["x", "y"]].to_numpy(float)[:2000]
    if len(xy) < 2:
        return 100.0
    d, _ = cKDTree(xy).query(xy, k=2)
    return float(np.median(d[:, 1]))


def _hourly(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={"mean": "value"})[["sensor_id", "time", "value"]]


# ---------------------------------------------------------------------- spatial step
def spatial_step(
    target: pd.DataFrame,
    value: str,
    grid: pd.DataFrame,
    covariates: tuple[str, ...],
    *,
    block_m: float,
    max_distance: float,
    seed: int,
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """Fit regression kriging to one target, validate it against the baselines, predict.

    Parameters
    ----------
    target : DataFrame
        ``sensor_id, x, y, <value>`` for the sensors with a valid value.

    Returns
    -------
    (predictions, metrics, out_of_fold)
        ``predictions``: ``mean, se`` per grid row; ``metrics``: CV scores per scheme
        and model, improvement, diagnostics; ``out_of_fold``: per sensor.
    """
    covs = tuple(c for c in covariates if c in grid.columns)
    X = target[["sensor_id", "x", "y"]].reset_index(drop=True)
    X = pd.concat([X, covariates_at(X, grid, covs, max_distance=max_distance)], axis=1)
    y = target[value].to_numpy(float)
    inside = X[list(covs)].notna().all(axis=1).to_numpy() & np.isfinite(y)
    X, y = X[inside].reset_index(drop=True), y[inside]
    # drop covariates that do not vary at the sensors (the regression cannot use them)
    covs = tuple(c for c in covs if X[c].std() > 1e-9)
    if len(X) < max(MIN_SENSORS, len(covs) + 3):
        raise InsufficientData(f"{len(X)} sensors with a valid {value} inside the grid")
    model = RegressionKriging(covariates=covs, random_state=seed).fit(X, y)
    models = {
        # LOSO: covariance fixed from the full fit (classical kriging cross-validation);
        # blocks: covariance re-estimated without the block (fully out of sample)
        "regression_kriging": {
            "loso": RegressionKriging(covariates=covs, kernel=model.gp_.kernel_),
            "block": RegressionKriging(covariates=covs, random_state=seed, n_restarts=0),
        },
        "idw": IDW(),
        "covariates_only": CovariateRegression(covariates=covs),
    }
    cv = validate(models, X, y, block_size=block_m)
    mean, se = model.predict(grid, return_std=True)
    oof = cv.pop("predictions")
    oof.insert(0, "sensor_id", X["sensor_id"].to_numpy())
    oof["observed"] = y
    metrics = {
        "n_sensors": len(X),
        "covariates": list(covs),
        "cv": cv,
        "improvement": improvement(cv, "regression_kriging", ["idw", "covariates_only"]),
        "regression": model.regression_.diagnostics_,
        "kriging": model.kernel_params_,
        "cv_rmse": cv["loso"]["regression_kriging"]["rmse"],
        "cv_r2": cv["loso"]["regression_kriging"]["r2"],
        "cv_rmse_block": cv["block"]["regression_kriging"]["rmse"],
        "sensor_se_note": "kriging variance of the latent field plus regression mean variance",
    }
    return pd.DataFrame({"mean": mean, "se": se}, index=grid.index), metrics, oof


class InsufficientData(InputError):
    """Too few sensors or too little data for a model; the run records why."""


def _surface(
    target: pd.DataFrame,
    value: str,
    grid: pd.DataFrame,
    covariates: tuple[str, ...],
    s: FitSettings,
    max_d: float,
    prefix: str,
    into: dict[str, Any],
    sensor_table: pd.DataFrame,
    notes: list[str],
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """:func:`spatial_step` with its metrics recorded in ``into`` and its out-of-fold
    predictions joined to the sensor table; None (and a note) when data are too few."""
    try:
        pred, m, oof = spatial_step(
            target, value, grid, covariates, block_m=s.cv_block_m, max_distance=max_d,
            seed=s.seed,
        )  # fmt: skip
    except InsufficientData as exc:
        into["status"] = f"insufficient data: {exc}"
        notes.append(f"{prefix} model not fitted: {exc}")
        return None, sensor_table
    into.update(m)
    into["status"] = "ok"
    oof = oof.set_index("sensor_id").add_prefix(f"{prefix}_oof_").reset_index()
    return pred, sensor_table.merge(oof, on="sensor_id", how="left")


# ---------------------------------------------------------------------- the steps
def heat_step(
    ws: Workspace, s: FitSettings, cells: pd.DataFrame, positions: pd.DataFrame, notes: list[str]
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Heat indicators per sensor and the nocturnal-UHI surface (written into ``cells``).

    Returns the heat metrics and the sensor table (``positions`` with the indicators).
    """
    grid = ws.grid()
    sensor_table = positions.copy()
    t_hourly = _hourly(ws.clean_aggregate("air_temperature", freq="hour", refresh=False))
    rh_hourly = _hourly(ws.clean_aggregate("relative_humidity", freq="hour", refresh=False))
    heat_metrics: dict[str, Any] = {"reference": s.reference, "target": "nocturnal UHI (K)"}
    if t_hourly.empty:
        notes.append("no air temperature: no heat model")
        heat_metrics["status"] = "no data"
        return heat_metrics, sensor_table
    hi = heat_ind.heat_indicators(
        t_hourly,
        rh_hourly,
        reference=s.reference,
        tz=s.timezone,
        min_hours=s.min_daily_hours,
        min_nights=s.min_nights,
    )
    sensor_table = sensor_table.merge(hi, on="sensor_id", how="outer")
    target = hi[hi["valid"]].merge(positions, on="sensor_id")
    heat_metrics["period"] = [str(t_hourly["time"].min()), str(t_hourly["time"].max())]
    heat_metrics["sensors_with_temperature"] = int(hi["sensor_id"].nunique())
    heat_metrics["sensors_valid_uhi"] = int(hi["valid"].sum())
    max_d = 1.5 * cell_size(grid)
    pred, sensor_table = _surface(
        target, "uhi_k", grid, s.heat_covariates, s, max_d, "heat", heat_metrics,
        sensor_table, notes,
    )  # fmt: skip
    if pred is not None:
        cells["heat_uhi_k"], cells["heat_uhi_se"] = pred["mean"], pred["se"]
        heat_metrics["cv_rmse_k"] = heat_metrics["cv_rmse"]
    return heat_metrics, sensor_table


def air_step(
    ws: Workspace,
    s: FitSettings,
    cells: pd.DataFrame,
    positions: pd.DataFrame,
    sensor_table: pd.DataFrame,
    notes: list[str],
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Air indicators per sensor and a land-use regression surface per quantity."""
    grid = ws.grid()
    max_d = 1.5 * cell_size(grid)
    air_metrics: dict[str, Any] = {
        "standards": {q: air_ind.LIMITS[q] for q in s.air_quantities},
        "period_note": "period means are compared with annual values only as an indication",
    }
    for q in s.air_quantities:
        daily = ws.clean_aggregate(q, freq="day", tz=s.timezone, refresh=False)
        if daily.empty:
            continue
        ai = air_ind.air_indicators(
            daily, q, min_hours=s.min_daily_hours, min_coverage=s.min_period_coverage
        )
        keep = ai.drop(columns=["quantity"]).set_index("sensor_id").add_prefix(f"{q}_")
        sensor_table = sensor_table.merge(keep.reset_index(), on="sensor_id", how="outer")
        target = ai[ai["valid"]].merge(positions, on="sensor_id")
        mapped = ai["sensor_id"].isin(target["sensor_id"])
        qm: dict[str, Any] = {
            "sensors": len(ai),
            "sensors_valid_period_mean": int(ai["valid"].sum()),
            "days_over_eu_daily_max": int(ai["days_over_eu_daily"].max()),
            # counted among the sensors whose period mean is valid and mapped (the ones
            # the surface is fitted to), so that "n of N sensors" never has n > N
            "sensors_over_eu_annual": int(ai.loc[mapped, "over_eu_annual"].sum()),
            "sensors_over_who_annual": int(ai.loc[mapped, "over_who_annual"].sum()),
        }
        pred, sensor_table = _surface(
            target, "mean", grid, s.air_covariates, s, max_d, q, qm, sensor_table, notes,
        )  # fmt: skip
        if pred is not None:
            cells[f"{q}_ugm3"], cells[f"{q}_se"] = pred["mean"].clip(lower=0), pred["se"]
            if q in air_ind.EAQI_BOUNDS:
                cells[f"{q}_eaqi"] = air_ind.eaqi_band(q, cells[f"{q}_ugm3"]).to_numpy()
        air_metrics[q] = qm
    if "pm2_5" in air_metrics:
        air_metrics["cv_rmse"] = air_metrics["pm2_5"].get("cv_rmse")
        air_metrics["cv_r2"] = air_metrics["pm2_5"].get("cv_r2")
    return air_metrics, sensor_table


def hotspot_step(cells: pd.DataFrame, s: FitSettings) -> dict[str, Any]:
    """Gi* hot and cold spots of the heat and PM2.5 surfaces (written into ``cells``)."""
    xy = cells[["x", "y"]].to_numpy(float)
    hs_metrics: dict[str, Any] = {
        "distance_m": s.hotspot_distance_m,
        "permutations": s.permutations,
        "alpha": s.alpha,
        "fdr": "Benjamini-Hochberg",
        "seed": s.seed,
    }
    for prefix, col in (("heat", "heat_uhi_k"), ("air", "pm2_5_ugm3")):
        if col not in cells:
            continue
        g = gi_star(
            cells[col].to_numpy(float),
            xy,
            distance=s.hotspot_distance_m,
            permutations=s.permutations,
            seed=s.seed,
            alpha=s.alpha,
        )
        cells[f"{prefix}_gi_z"] = g["gi_z"].to_numpy()
        cells[f"{prefix}_gi_p_fdr"] = g["gi_p_fdr"].to_numpy()
        cells[f"{prefix}_gi_confidence"] = g["confidence"].to_numpy()
        cells[f"{prefix}_hotspot"] = g["hotspot"].to_numpy()
        cells[f"{prefix}_coldspot"] = g["coldspot"].to_numpy()
        hs_metrics[prefix] = {
            "hotspot_cells": int(g["hotspot"].sum()),
            "coldspot_cells": int(g["coldspot"].sum()),
        }
    return hs_metrics


def _coverage(ws: Workspace, positions: pd.DataFrame, cells: pd.DataFrame) -> dict[str, Any]:
    qc_state = ws.qc_state() or {}
    snap = ws.snapshot()
    return {
        "store_version": snap.version,
        "observations": snap.observation_counts(),
        "qc_computed_at": qc_state.get("computed_at"),
        "qc_passed": qc_state.get("passed"),
        "qc_readings": qc_state.get("readings"),
        "sensors_with_position": len(positions),
        "grid_cells": len(cells),
    }


def _settings(ws: Workspace, settings: FitSettings | None) -> FitSettings:
    with ws.setting_errors():
        return settings or FitSettings.from_config(ws.config)


# ---------------------------------------------------------------------- the run
def run(ws: Workspace, *, settings: FitSettings | None = None, echo: Echo = quiet) -> StepResult:
    """QC (if the store changed), heat and air models, hotspots and the need index,
    published as ``results/<run-id>/`` (``results/latest`` points at it afterwards).

    A failed fit leaves the previous run as latest.
    """
    s = _settings(ws, settings)
    grid = ws.grid()
    if grid is None or grid.empty:
        raise InputError(
            f"{ws.root}: no grid; add one with workbench init --workspace {ws.root} --grid FILE"
        )
    started = datetime.now(UTC)
    echo("quality control (runs only if the store changed)")
    ws.current_qc(refresh=True)
    positions = sensor_positions(ws.sensors(), ws.config.get("reference_stations"))
    cells = grid.copy()
    metrics: dict[str, Any] = {"notes": []}
    echo("heat indicators and spatial heat model")
    metrics["heat"], sensor_table = heat_step(ws, s, cells, positions, metrics["notes"])
    echo("air-quality indicators and land-use regression")
    notes = metrics["notes"]
    metrics["air"], sensor_table = air_step(ws, s, cells, positions, sensor_table, notes)
    echo("hotspots (Gi*, permutation inference, FDR)")
    metrics["hotspots"] = hotspot_step(cells, s)
    echo(f"need index and Monte-Carlo sensitivity ({s.draws} draws)")
    cells, areas, metrics["need"] = need_tables(cells, ws.areas(), s)
    metrics["coverage"] = _coverage(ws, positions, cells)
    metrics["parameters"] = asdict(s)
    metrics["software"] = software_versions(PACKAGES)
    metrics["simulated"] = bool(ws.config["workspace"].get("simulated", False))
    metrics["started_at"] = started.isoformat(timespec="seconds")
    metrics["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    cells = cells.reset_index(drop=True)
    sensor_table = sensor_table.sort_values("sensor_id").reset_index(drop=True)
    metrics["outputs_sha256"] = {
        "cells": frame_digest(cells),
        "areas": frame_digest(areas),
        "sensors": frame_digest(sensor_table),
    }

    def write(tmp: Path) -> None:
        cells.to_parquet(tmp / "cells.parquet", index=False)
        areas.to_parquet(tmp / "areas.parquet", index=False)
        sensor_table.to_parquet(tmp / "sensors.parquet", index=False)
        (tmp / "metrics.json").write_text(
            json.dumps(jsonable(metrics), indent=1, ensure_ascii=False), encoding="utf-8"
        )
        write_run_summary(tmp, ws.areas())

    echo("writing the run")
    run_dir = publish_run(ws.root / "results", "latest", write)
    return StepResult(
        "fit", run=run_dir, warnings=list(metrics["notes"]), summary=jsonable(metrics),
        lines=summary_lines(run_dir),
    )  # fmt: skip


def need_tables(
    cells: pd.DataFrame, areas: pd.DataFrame | None, s: FitSettings
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Need index, rank and rank interval per cell and per area."""
    cells = _with_need(cells, s, heat="heat_uhi_k", air="pm2_5_ugm3")
    a = area_means(cells)
    if areas is not None:
        a = areas[["area_id", "name"]].merge(a, on="area_id", how="left")
    a = _with_need(a, s, heat="heat_uhi_k_popw", air="pm2_5_ugm3_popw")
    metrics = {
        "weights": s.weights,
        "draws": s.draws,
        "concentration": s.concentration,
        "normalisations": ["minmax", "rank", "winsor"],
        "cell_rank_interval_median_width": float(
            (cells["need_rank_hi"] - cells["need_rank_lo"]).median()
        ),
        "area_ranking": a.sort_values("need_rank")["area_id"].tolist(),
    }
    return cells, a, metrics


def _with_need(frame: pd.DataFrame, s: FitSettings, *, heat: str, air: str) -> pd.DataFrame:
    """``frame`` plus need index, rank and the Monte-Carlo rank interval."""
    ind = indicators(frame, heat=heat, air=air)
    out = frame.copy()
    out["need_index"] = need_index(ind, s.weights)
    out["need_rank"] = need_rank(out["need_index"])
    sens = need_sensitivity(
        ind,
        s.weights,
        heat_se=frame.get("heat_uhi_se"),
        air_se=frame.get("pm2_5_se"),
        draws=s.draws,
        concentration=s.concentration,
        seed=s.seed,
    )
    return pd.concat([out, sens], axis=1)


def summary_lines(run: Path) -> list[str]:
    """A short plain-text account of a run for the command line."""
    m = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    lines = [f"run         {run}"]
    if m.get("simulated"):
        lines.append("data        SIMULATED demo data (not measurements)")
    h = m.get("heat", {})
    if h.get("status") == "ok":
        lo, bl = h["cv"]["loso"], h["cv"]["block"]
        lines.append(
            f"heat        nocturnal UHI from {h['n_sensors']} sensors "
            f"(reference {h['reference']}); "
            f"CV RMSE {lo['regression_kriging']['rmse']:.2f} K (LOSO), "
            f"{bl['regression_kriging']['rmse']:.2f} K (2 km blocks); "
            f"IDW {lo['idw']['rmse']:.2f}/{bl['idw']['rmse']:.2f}, "
            f"covariates only {lo['covariates_only']['rmse']:.2f}/"
            f"{bl['covariates_only']['rmse']:.2f}"
        )
    else:
        lines.append(f"heat        {h.get('status', 'not fitted')}")
    for q in AIR_QUANTITIES:
        a = m.get("air", {}).get(q)
        if not a:
            continue
        if a.get("status") == "ok":
            lo = a["cv"]["loso"]
            lines.append(
                f"{q:<11} period mean from {a['n_sensors']} sensors; CV RMSE "
                f"{lo['regression_kriging']['rmse']:.2f} µg/m³ (IDW {lo['idw']['rmse']:.2f}, "
                f"covariates only {lo['covariates_only']['rmse']:.2f}); "
                f"{a['sensors_over_who_annual']} sensors above the WHO annual guideline"
            )
        else:
            lines.append(f"{q:<11} {a.get('status')}")
    hs = m.get("hotspots", {})
    for k in ("heat", "air"):
        if k in hs:
            lines.append(
                f"hotspots    {k}: {hs[k]['hotspot_cells']} hot and {hs[k]['coldspot_cells']} "
                f"cold cells (Gi*, FDR {hs['alpha']:.0%})"
            )
    top = m.get("need", {}).get("area_ranking", [])[:5]
    if top:
        lines.append("need        highest need: " + ", ".join(top))
    for n in m.get("notes", []):
        lines.append(f"note        {n}")
    return lines
