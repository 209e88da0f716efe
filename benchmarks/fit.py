"""``workbench fit``: time and peak memory as the network and the grid grow, and the
spatial step against PyKrige's universal kriging on the same points and grid.

    python benchmarks/fit.py            # the full sweep (about an hour on 2 cores)
    python benchmarks/fit.py --quick    # small sizes only, to check the script

For each size a simulated city is generated (``workbench.simulate.city``), written as the
generic CSV, imported and quality-controlled (timed apart), then ``workbench fit`` runs
in a fresh process that reports its own peak memory (``ru_maxrss``). Sizes: sensors
50 / 200 / 1,000 on the 100 m grid (≈12k cells); grids of ≈12k / 48k / 190k cells
(100 / 50 / 25 m) with 200 sensors; and the largest, 1,000 sensors on ≈190k cells with
a year of hourly data.

Baseline, same run, same points: PyKrige ``UniversalKriging`` with the same covariates
as specified drift terms (its regression-kriging equivalent) and a fitted spherical
variogram. Compared: time to fit and predict the grid, and RMSE of spatial-block
cross-validation (2 km squares, same folds) — our regression kriging vs PyKrige.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import scratch

from workbench.geo import areas_to_geojson
from workbench.pipeline import import_files, qc
from workbench.pipeline.demo import demo_config
from workbench.simulate.city import generate_city
from workbench.workspace import Workspace

FIT_CHILD = r"""
import json, resource, sys, time
from workbench.pipeline import fit
from workbench.workspace import Workspace
ws = Workspace.open(sys.argv[1])
t = time.perf_counter()
marks = []
run = fit.run(ws, echo=lambda s: marks.append((s, time.perf_counter()))).run
end = time.perf_counter()
steps = [(s, b - a) for (s, a), (_, b) in zip(marks, marks[1:] + [("", end)])]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": end - t, "peak_mib": peak, "run": str(run), "steps": steps}))
"""


def build_workspace(root: Path, *, sensors: int, cell: float, days: int) -> dict:
    city = generate_city(
        seed=7, n_sensors=sensors, n_pm=max(10, sensors // 3), days=days, cell_size=cell,
        n_proposals=5, n_voters=10,
    )  # fmt: skip
    data = root / "data"
    data.mkdir(parents=True)
    (data / "areas.geojson").write_text(json.dumps(areas_to_geojson(city.areas)))
    city.grid.drop(columns=["area_id"]).to_parquet(data / "grid.parquet", index=False)
    obs = city.observations.merge(city.sensors[["sensor_id", "lat", "lon"]], on="sensor_id")
    table = pa.Table.from_pandas(
        obs[["sensor_id", "time", "quantity", "value", "unit", "lat", "lon"]], preserve_index=False
    )
    pv.write_csv(table, data / "network.csv")
    ws = Workspace.init(
        root / "ws",
        areas=data / "areas.geojson",
        grid=data / "grid.parquet",
        config_text=demo_config(),
    )
    t = time.perf_counter()
    import_files.import_report(ws, [data / "network.csv"])
    t_import = time.perf_counter() - t
    t = time.perf_counter()
    qc.run(ws)
    t_qc = time.perf_counter() - t
    return {
        "ws": ws,
        "cells": len(city.grid),
        "rows": len(city.observations),
        "import_s": t_import,
        "qc_s": t_qc,
    }


def time_fit(ws_root: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", FIT_CHILD, str(ws_root)], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pykrige_comparison(ws: Workspace, run: Path) -> dict:
    """Our spatial step vs PyKrige universal kriging: time and block-CV RMSE, same data."""
    from pykrige.uk import UniversalKriging

    from workbench.config import FitSettings
    from workbench.models.spatial import RegressionKriging, covariates_at
    from workbench.models.validation import block_groups, scores
    from workbench.pipeline.fit import cell_size

    s = FitSettings.from_config(ws.config)
    sensors = pd.read_parquet(run / "sensors.parquet")
    d = sensors[sensors["heat_oof_observed"].notna()].reset_index(drop=True)
    grid = ws.grid()
    covs = list(s.heat_covariates)
    X = pd.concat(
        [d[["x", "y"]], covariates_at(d, grid, covs, max_distance=1.5 * cell_size(grid))],
        axis=1,
    )
    y = d["heat_oof_observed"].to_numpy()

    def ours_fit_predict(Xt, yt, Xp):
        return RegressionKriging(covariates=covs, random_state=0).fit(Xt, yt).predict(Xp)

    def pyk_fit_predict(Xt, yt, Xp):
        uk = UniversalKriging(
            Xt["x"].to_numpy(), Xt["y"].to_numpy(), yt, variogram_model="spherical",
            drift_terms=["specified"],
            specified_drift=[Xt[c].to_numpy(float) for c in covs],
        )  # fmt: skip
        out = np.empty(len(Xp))
        for a in range(0, len(Xp), 5000):
            part = Xp.iloc[a : a + 5000]
            z, _ = uk.execute(
                "points", part["x"].to_numpy(), part["y"].to_numpy(),
                specified_drift_arrays=[part[c].to_numpy(float) for c in covs],
                backend="vectorized",
            )  # fmt: skip
            out[a : a + 5000] = z
        return out

    res = {}
    for name, fn in (("workbench", ours_fit_predict), ("pykrige", pyk_fit_predict)):
        t = time.perf_counter()
        fn(X, y, grid)
        t_grid = time.perf_counter() - t
        groups = block_groups(X, 2000.0)
        pred = np.full(len(y), np.nan)
        t = time.perf_counter()
        for g in np.unique(groups):
            m = groups == g
            pred[m] = fn(X[~m], y[~m], X[m])
        t_cv = time.perf_counter() - t
        res[name] = {"grid_s": t_grid, "cv_s": t_cv, "block_cv_rmse": scores(y, pred)["rmse"]}
    res["n_points"] = len(y)
    res["grid_cells"] = len(grid)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument(
        "--sizes",
        default=None,
        help="comma-separated SENSORS:CELL_M:DAYS runs, e.g. 1000:100:30,200:25:30",
    )
    args = ap.parse_args()
    if args.sizes:
        plan = []
        for item in args.sizes.split(","):
            a, b, c = item.split(":")
            plan.append((int(a), float(b), int(c)))
    elif args.quick:
        plan = [(50, 200.0, 14), (200, 200.0, 14)]
    else:
        plan = [
            (50, 100.0, 30),
            (200, 100.0, 30),
            (1000, 100.0, 30),
            (200, 50.0, 30),
            (200, 25.0, 30),
            (1000, 25.0, 365),
        ]
    rows = []
    for sensors, cell, days in plan:
        root = scratch(f"fit_{sensors}_{int(cell)}_{days}")
        b = build_workspace(root, sensors=sensors, cell=cell, days=days)
        f = time_fit(b["ws"].root)
        cmp = pykrige_comparison(b["ws"], Path(f["run"])) if cell >= 50 or args.quick else None
        row = {
            "sensors": sensors,
            "cells": b["cells"],
            "days": days,
            "rows": b["rows"],
            "import_s": round(b["import_s"], 1),
            "qc_s": round(b["qc_s"], 1),
            "fit_s": round(f["seconds"], 1),
            "fit_peak_mib": round(f["peak_mib"]),
            "steps": {k: round(v, 1) for k, v in f["steps"]},
        }
        if cmp:
            row["ours_grid_s"] = round(cmp["workbench"]["grid_s"], 2)
            row["pykrige_grid_s"] = round(cmp["pykrige"]["grid_s"], 2)
            row["ours_block_cv_rmse"] = round(cmp["workbench"]["block_cv_rmse"], 3)
            row["pykrige_block_cv_rmse"] = round(cmp["pykrige"]["block_cv_rmse"], 3)
            row["time_ratio_pykrige_over_ours"] = round(
                (cmp["pykrige"]["grid_s"] + cmp["pykrige"]["cv_s"])
                / (cmp["workbench"]["grid_s"] + cmp["workbench"]["cv_s"]),
                2,
            )
        print(json.dumps(row), flush=True)
        rows.append(row)
    print()
    cols = ["sensors", "cells", "days", "rows", "qc_s", "fit_s", "fit_peak_mib"]
    print(pd.DataFrame(rows)[cols].to_string(index=False))
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        print(
            f"\ngrowth: {b['rows'] / a['rows']:.0f}x rows and {b['cells'] / a['cells']:.0f}x "
            f"cells -> fit {b['fit_s'] / max(a['fit_s'], 1e-9):.1f}x time, "
            f"{b['fit_peak_mib'] / max(a['fit_peak_mib'], 1):.1f}x peak memory"
        )


if __name__ == "__main__":
    main()
