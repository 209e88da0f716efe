"""``workbench fit`` end to end on a small seeded city, checked against the simulation's truth."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO, run_cli
from pyproj import Transformer

from workbench.models.hotspots import gi_star
from workbench.models.spatial import IDW
from workbench.pipeline import fit as fit_module
from workbench.pipeline.demo import run_demo
from workbench.pipeline.fit import spatial_step
from workbench.simulate.city import compare_with_truth, generate_city
from workbench.simulate.demo_files import write_demo
from workbench.workspace import Workspace

CITY = {
    "n_sensors": 110,
    "n_pm": 110,
    "days": 14,
    "cell_size": 200.0,
    "n_proposals": 10,
    "n_voters": 100,
}


@pytest.fixture(scope="module")
def city_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("city")
    data = base / "data"
    write_demo(data, seed=11, **CITY)
    ws = run_demo(base / "ws", data_dir=data, serve=False, echo=lambda _s: None)
    truth = pd.read_parquet(data / "truth" / "truth_cells.parquet")
    return ws, truth


def _truth_scores(ws, truth):
    m = ws.metrics()
    hs = m["hotspots"]
    return compare_with_truth(
        ws.results("cells"),
        ws.results("areas"),
        truth,
        weights=m["need"]["weights"],
        distance=hs["distance_m"],
        permutations=hs["permutations"],
        seed=hs["seed"],
        alpha=hs["alpha"],
    )


def test_run_has_the_contract_columns(city_run):
    ws, _ = city_run
    cells = ws.results("cells")
    for col in [
        "cell_id", "x", "y", "area_id", "heat_uhi_k", "heat_uhi_se", "heat_gi_z",
        "heat_hotspot", "pm2_5_ugm3", "pm2_5_se", "air_gi_z", "air_hotspot",
        "need_index", "need_rank", "need_rank_lo", "need_rank_hi",
    ]:  # fmt: skip
        assert col in cells, col
    assert cells["heat_hotspot"].dtype == bool and cells["air_hotspot"].dtype == bool
    assert cells["need_index"].between(0, 1).all()
    assert (cells["need_rank_lo"] <= cells["need_rank_hi"]).all()
    areas = ws.results("areas")
    assert {"area_id", "name", "need_index", "need_rank", "need_rank_lo", "need_rank_hi"} <= set(
        areas
    )
    assert len(areas) == 18 and sorted(areas["need_rank"]) == list(range(1, 19))
    m = ws.metrics()
    assert m["heat"]["cv_rmse_k"] > 0 and 0 < m["heat"]["cv_r2"] <= 1
    assert m["air"]["cv_rmse"] > 0
    for key in ("python", "numpy", "esda", "scikit-learn", "statsmodels"):
        assert m["software"][key]
    assert m["parameters"]["seed"] == 0 and m["coverage"]["grid_cells"] == len(cells)
    sensors = ws.results("sensors")
    assert {"summer_days", "hot_days", "tropical_nights", "uhi_k", "pm2_5_mean"} <= set(sensors)


def test_heat_model_beats_both_baselines_in_cv_and_against_truth(city_run):
    ws, truth = city_run
    m = ws.metrics()["heat"]
    imp = m["improvement"]
    # (on the full demo it beats both under both schemes: test_synthetic_and_demo)
    assert imp["loso_vs_idw_pct"] > 0 and imp["loso_vs_covariates_only_pct"] > 0, imp
    assert imp["block_vs_idw_pct"] > 0, imp
    # whole 2 km blocks removed: kriging has nothing near to lean on, so it may only tie
    assert imp["block_vs_covariates_only_pct"] > -2, imp
    r = _truth_scores(ws, truth)
    # the IDW baseline on the same sensors, scored against the same truth
    sensors = ws.results("sensors")
    used = sensors[sensors["heat_oof_observed"].notna()]
    cells = ws.results("cells")
    idw = IDW().fit(used, used["heat_oof_observed"]).predict(cells)
    t = truth.set_index("cell_id").loc[cells["cell_id"], "uhi_k"].to_numpy()
    idw_rmse = float(np.sqrt(np.mean((idw - t) ** 2)))
    assert r["heat_rmse"] < idw_rmse, (r["heat_rmse"], idw_rmse)
    assert r["heat_coverage95"] > 0.7  # standard errors are not wildly optimistic


def test_planted_heat_hotspots_are_recovered(city_run):
    ws, truth = city_run
    r = _truth_scores(ws, truth)
    assert r["heat_hotspot_precision"] >= 0.7, r
    assert r["heat_hotspot_recall"] >= 0.7, r
    assert r["heat_planted_recall"] >= 0.7, r


def test_pm_hotspots_end_to_end_are_found_where_planted(city_run):
    # Through QC, humidity correction and one pooled calibration, uncalibrated boxes
    # keep per-box errors (≈0.6 µg/m³) close to the true spatial spread (≈0.9 µg/m³):
    # the planted PM hotspots are still mostly found, cell-exact recovery is not
    # possible (see test_air_model_recovers_pm_hotspots_from_sound_sensor_means).
    ws, truth = city_run
    r = _truth_scores(ws, truth)
    assert r["air_planted_recall"] >= 0.5, r
    assert ws.metrics()["air"]["pm2_5"]["improvement"]["loso_vs_covariates_only_pct"] > 0


def test_true_area_need_rank_lies_in_most_rank_intervals(city_run):
    ws, truth = city_run
    r = _truth_scores(ws, truth)
    assert r["area_rank_interval_coverage"] >= 0.75, r["areas"]


def test_air_model_recovers_pm_hotspots_from_sound_sensor_means():
    """The air model itself (LUR + kriging + Gi*), fed sensor means with 0.2 µg/m³ error."""
    city = generate_city(seed=5, n_sensors=120, n_pm=1, days=2, cell_size=250.0, n_proposals=2,
                         n_voters=5)  # fmt: skip
    grid = city.grid
    truth = city.truth_cells.set_index("cell_id")
    s = city.sensors[city.sensors["kind"] != "colocated"].copy()
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    s["x"], s["y"] = to_utm.transform(s["lon"].to_numpy(), s["lat"].to_numpy())
    rng = np.random.default_rng(0)
    s["pm"] = truth.loc[s["cell_id"], "pm2_5_ugm3"].to_numpy() + rng.normal(0, 0.2, len(s))
    pred, metrics, _ = spatial_step(
        s, "pm", grid, ("road_density", "impervious", "green"), block_m=2000,
        max_distance=375, seed=0,
    )  # fmt: skip
    assert metrics["improvement"]["beats_all"]
    xy = grid[["x", "y"]].to_numpy()
    est = gi_star(pred["mean"].to_numpy(), xy, distance=500)["hotspot"].to_numpy()
    true = gi_star(truth.loc[grid["cell_id"], "pm2_5_ugm3"].to_numpy(), xy, distance=500)
    tp = (est & true["hotspot"].to_numpy()).sum()
    assert tp / est.sum() >= 0.7 and tp / true["hotspot"].sum() >= 0.7
    planted = truth.loc[grid["cell_id"], "air_hotspot"].to_numpy()
    assert (est & planted).sum() / planted.sum() >= 0.5  # the 500 m bump is 2 cells wide
    # and the order of the sensors does not matter
    shuffled = s.sample(frac=1.0, random_state=3)
    pred2, _, _ = spatial_step(
        shuffled, "pm", grid, ("road_density", "impervious", "green"), block_m=2000,
        max_distance=375, seed=0,
    )  # fmt: skip
    assert np.allclose(pred["mean"], pred2["mean"], atol=1e-8)


def test_fit_is_reproducible_and_a_failed_fit_keeps_latest(city_run, tmp_path, monkeypatch):
    ws, _ = city_run
    copy = tmp_path / "ws"
    shutil.copytree(ws.root, copy, symlinks=True)
    w2 = Workspace.open(copy)
    before = w2.latest_run()
    run = fit_module.run(w2).run
    assert run != before and w2.latest_run() == run
    for table in ("cells", "areas", "sensors"):  # same inputs and seed: same tables
        pd.testing.assert_frame_equal(
            pd.read_parquet(before / f"{table}.parquet"),
            pd.read_parquet(run / f"{table}.parquet"),
            check_exact=False,
            rtol=1e-9,
        )
    a = json.loads((before / "metrics.json").read_text())["outputs_sha256"]
    b = json.loads((run / "metrics.json").read_text())["outputs_sha256"]
    assert a == b

    def broken(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fit_module, "need_tables", broken)
    with pytest.raises(RuntimeError):
        fit_module.run(w2)
    assert w2.latest_run() == run
    assert not [p for p in (copy / "results").iterdir() if p.name.startswith(".tmp")]


def test_cli_fit_prints_validation_and_fails_cleanly_without_grid(city_run, tmp_path):
    ws, _ = city_run
    proc = run_cli("fit", "--workspace", str(ws.root), check=True, timeout=600)
    assert "CV RMSE" in proc.stdout and "IDW" in proc.stdout and "hotspots" in proc.stdout
    st = json.loads(run_cli("status", "--workspace", str(ws.root), "--json", check=True).stdout)
    assert st["latest_run"] and st["latest_run"].endswith(ws.latest_run().name)
    empty = tmp_path / "empty"
    run_cli("init", "--workspace", str(empty), check=True)
    bad = run_cli("fit", "--workspace", str(empty))
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1 and "no grid" in bad.stderr
    cfg = empty / "workbench.toml"
    cfg.write_text(cfg.read_text().replace("alpha = 0.05", "alpha = 3", 1))
    bad = run_cli("fit", "--workspace", str(empty))
    assert bad.returncode == 1 and "alpha" in bad.stderr


def test_air_counts_in_metrics_are_counts_of_the_mapped_sensors(city_run):
    """ "n of N sensors over the WHO guideline" is read by the council: n can never exceed N."""
    ws, _ = city_run
    a = ws.metrics()["air"]["pm2_5"]
    assert a["sensors_over_eu_annual"] <= a["sensors_over_who_annual"] <= a["n_sensors"]
    assert a["n_sensors"] <= a["sensors_valid_period_mean"] <= a["sensors"]


def test_pm_surface_does_not_draw_the_canal_the_sensors_never_saw(demo_workspace):
    """No PM box of the demo stands on water; the canal's cells (water share > 0.3) are far
    from every sensor's land-cover mix. The land-use regression must not invent PM there:
    with green beside impervious it predicted ≈ 4 µg/m³ above the truth along the whole
    canal, a straight line of false air hotspots across every map."""
    cells = demo_workspace.results("cells")
    truth = pd.read_parquet(DEMO / "truth" / "truth_cells.parquet").set_index("cell_id")
    canal = cells[cells["water"] > 0.3]
    assert len(canal) > 100
    excess = canal["pm2_5_ugm3"].to_numpy() - truth.loc[canal["cell_id"], "pm2_5_ugm3"].to_numpy()
    assert abs(excess.mean()) < 1.5, excess.mean()
    assert canal["air_hotspot"].mean() < 0.5  # no true hotspot lies on the canal
    assert not truth.loc[canal["cell_id"], "air_hotspot"].any()
