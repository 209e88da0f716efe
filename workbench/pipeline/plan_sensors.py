"""``workbench plan-sensors``: k new sensor sites for the funded proposals, as a table
(``sensor_plan.parquet`` in a new run) and a map layer.

Targets are the sites of the proposals funded by the allocation named in
``[evaluation] plan_method`` (default: need-informed Equal Shares; all funded proposals of
any method if it is missing). Candidates are grid cells within 3 km of a target. See
:mod:`workbench.models.sensor_plan` for the method.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial.distance import cdist

from workbench.errors import InputError
from workbench.models.sensor_plan import Kernel, control_sites, greedy_sites, posterior_variance
from workbench.pipeline.result import Echo, StepResult, quiet
from workbench.run_summary import write_run_summary
from workbench.rundir import carry_over, jsonable, publish_run, write_json
from workbench.workspace import Workspace

MAX_CANDIDATES = 4000


def funded_targets(run: Path, method: str | None) -> pd.DataFrame:
    """The funded proposals (with ``x``, ``y``) the plan serves."""
    props = pd.read_parquet(run / "proposals.parquet")
    if not (run / "allocation.parquet").exists():
        raise InputError(f"{run}: no allocation; run `workbench rank` first")
    alloc = pd.read_parquet(run / "allocation.parquet")
    sel = alloc[alloc["selected"]]
    if method and method in set(sel["method"]):
        sel = sel[sel["method"] == method]
    ids = set(sel["proposal_id"].astype(str))
    t = props[props["proposal_id"].astype(str).isin(ids)]
    return t[np.isfinite(t["x"]) & np.isfinite(t["y"])].reset_index(drop=True)


def plan_table(
    cells: pd.DataFrame,
    sensors_xy: np.ndarray,
    targets: pd.DataFrame,
    kernel: Kernel,
    *,
    k: int,
    controls: int | None = None,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The recommended sites and the figures that justify them."""
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    n_ctrl = (k // 3 if k >= 3 else 0) if controls is None else controls
    if not 0 <= n_ctrl <= k:
        raise InputError(f"controls must be between 0 and k ({k}), got {n_ctrl}")
    n_unc = k - n_ctrl
    t_xy = targets[["x", "y"]].to_numpy(float)
    c_xy_all = cells[["x", "y"]].to_numpy(float)
    near = cdist(c_xy_all, t_xy).min(axis=1) <= 3000.0
    cand_idx = np.flatnonzero(near)
    if len(cand_idx) > MAX_CANDIDATES:
        cand_idx = cand_idx[:: int(np.ceil(len(cand_idx) / MAX_CANDIDATES))]
    cand = c_xy_all[cand_idx]
    before = float(posterior_variance(kernel, sensors_xy, t_xy).sum())
    chosen, history = greedy_sites(kernel, sensors_xy, t_xy, cand, n_unc) if n_unc else ([], [])
    rng = np.random.default_rng(seed)
    random_after = []
    for _ in range(20):
        pick = cand[rng.choice(len(cand), size=min(n_unc, len(cand)), replace=False)]
        random_after.append(
            float(posterior_variance(kernel, np.vstack([sensors_xy, pick]), t_xy).sum())
        )
    rows = []
    prev = before
    for j, after in zip(chosen, history, strict=True):
        rows.append(
            {"row": int(cand_idx[j]), "purpose": "uncertainty", "variance_reduction": prev - after}
        )
        prev = after
    tcells = cells.iloc[cdist(t_xy, c_xy_all).argmin(axis=1)]
    placed = np.vstack([sensors_xy, c_xy_all[[r["row"] for r in rows]]]) if rows else sensors_xy
    for i in control_sites(cells, t_xy, placed, n_ctrl, target_cells=tcells):
        rows.append({"row": i, "purpose": "control", "variance_reduction": 0.0})
    plan = pd.DataFrame(rows)
    cols = [c for c in ("cell_id", "x", "y", "area_id", "impervious", "green") if c in cells]
    plan = pd.concat(
        [plan.drop(columns="row"), cells.iloc[plan["row"].to_numpy()][cols].reset_index(drop=True)],
        axis=1,
    )
    lon, lat = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True).transform(
        plan["x"].to_numpy(), plan["y"].to_numpy()
    )
    plan["lon"], plan["lat"] = lon, lat
    plan.insert(0, "site", [f"S{i + 1:02d}" for i in range(len(plan))])
    stats = {
        "k": k,
        "controls": n_ctrl,
        "targets": len(targets),
        "target_variance_before": before,
        "target_variance_after": history[-1] if history else before,
        "target_variance_after_random_mean": float(np.mean(random_after)),
        "candidates": len(cand),
    }
    return plan, stats


def run(ws: Workspace, *, k: int, controls: int | None = None, echo: Echo = quiet) -> StepResult:
    """Plan ``k`` sensor sites for the latest run and publish them as a new run.

    ``detail`` is the plan table (``sensor_plan.parquet``); ``summary`` its statistics.
    """
    run = ws.latest_run()
    if run is None or not (run / "metrics.json").exists():
        raise InputError(f"{ws.root}: no results; run `workbench fit` and `rank` first")
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    kr = metrics.get("heat", {}).get("kriging")
    if not kr:
        raise InputError(f"{run}: the heat model was not fitted; run `workbench fit` first")
    kernel = Kernel(float(kr["sill"]), float(kr["length_scale_m"]), float(kr["nugget"]))
    method = ws.config.get("evaluation", {}).get("plan_method", "equal_shares_need")
    targets = funded_targets(run, method)
    if targets.empty:
        raise InputError(f"{run}: no funded proposal with a location to plan sensors for")
    sensors = pd.read_parquet(run / "sensors.parquet")
    s = sensors[np.isfinite(sensors.get("uhi_k", pd.Series(np.nan, index=sensors.index)))]
    echo(f"greedy variance reduction at {len(targets)} funded sites, {len(s)} existing sensors")
    cells = pd.read_parquet(run / "cells.parquet")
    plan, stats = plan_table(
        cells,
        s[["x", "y"]].to_numpy(float),
        targets,
        kernel,
        k=k,
        controls=controls,
        seed=int(ws.config.get("model", {}).get("seed", 0)),
    )
    stats["method"] = method
    stats["mde_night_k"] = mde_table(ws)
    metrics["sensor_plan"] = stats

    def write(tmp: Path) -> None:
        carry_over(run, tmp, {"sensor_plan"})
        plan.to_parquet(tmp / "sensor_plan.parquet", index=False)
        (tmp / "sensor_plan.geojson").write_text(json.dumps(plan_geojson(plan)), encoding="utf-8")
        write_json(tmp / "metrics.json", metrics)
        write_run_summary(tmp, ws.areas())

    new = publish_run(ws.root / "results", "latest", write)
    return StepResult(
        "plan-sensors",
        run=new,
        files={"geojson": new / "sensor_plan.geojson"},
        summary=jsonable(stats),
        lines=summary_lines(new, plan, stats),
        detail=plan,
    )


def summary_lines(run: Path, plan: pd.DataFrame, stats: dict[str, Any]) -> list[str]:
    """The plan and the detectable effects as text."""
    lines = [
        f"run         {run}",
        f"variance    at {stats['targets']} funded sites: {stats['target_variance_before']:.4f} "
        f"-> {stats['target_variance_after']:.4f} K² with the plan "
        f"({stats['target_variance_after_random_mean']:.4f} with as many random sites)",
    ]
    for r in plan.itertuples():
        lines.append(
            f"  {r.site}  {r.purpose:<11} {r.lat:.5f} {r.lon:.5f}  {r.area_id or '-':<14} "
            f"-{r.variance_reduction:.4f} K²"
        )
    if stats.get("mde_night_k"):
        lines += [
            "evaluation  smallest night-time effect (K) a before/after comparison can detect",
            "            (5 % test, 80 % power, 8 controls; noise of the existing data):",
            "            sensors near   2 weeks   4 weeks   8 weeks  (before and after each)",
        ]
        for n in (1, 2, 3):
            row = [m["mde_k"] for m in stats["mde_night_k"] if m["sensors_near"] == n]
            lines.append(f"            {n:>12}" + "".join(f"{v:>10.2f}" for v in row))
    return lines


def mde_table(ws: Workspace, n_control: int = 8) -> list[dict[str, Any]]:
    """Minimum detectable effect on the night-time heat island (K) for 1–3 sensors near a
    measure and 2, 4 or 8 weeks before and after, from the noise of the existing data."""
    from workbench.config import FitSettings
    from workbench.models.impact import panel_noise, planned_mde
    from workbench.pipeline.evaluate import evaluation_panels

    panels = evaluation_panels(ws, FitSettings.from_config(ws.config))
    if "uhi_night" not in panels or panels["uhi_night"].empty:
        return []
    sigma, rho = panel_noise(panels["uhi_night"])
    return [
        {
            "sensors_near": n,
            "weeks_each_side": w,
            "mde_k": planned_mde(
                sigma, rho, n_treated=n, n_control=n_control, days_pre=7 * w, days_post=7 * w
            ),
        }
        for n in (1, 2, 3)
        for w in (2, 4, 8)
    ]


def plan_geojson(plan: pd.DataFrame) -> dict[str, Any]:
    """The plan as a GeoJSON map layer."""
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(r.lon, 6), round(r.lat, 6)]},
            "properties": {
                "site": r.site,
                "purpose": r.purpose,
                "variance_reduction": round(float(r.variance_reduction), 5),
            },
        }
        for r in plan.itertuples()
    ]
    return {"type": "FeatureCollection", "features": feats}
