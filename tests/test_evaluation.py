"""Measures, impact evaluation, sensor planning and monitoring, checked against truth:
the demo's measure of known effect, placebo measures with none, synthetic panels."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO, run_cli
from pyproj import Transformer

from workbench.config import FitSettings
from workbench.importers.base import ImportFormatError
from workbench.measures import from_proposals, parse_measures, read_register, write_register
from workbench.models.impact import did, explain, panel_noise, planned_mde
from workbench.models.monitoring import MonitoringSettings, alerts, district_heat
from workbench.models.sensor_plan import Kernel, posterior_variance
from workbench.pipeline.evaluate import evaluation_panels, sensor_sites
from workbench.pipeline.plan_sensors import funded_targets, plan_table

TRUTH = json.loads((DEMO / "truth" / "truth.json").read_text())["measures"][0]


# ---------------------------------------------------------------- the demo's measure
def test_demo_measure_effect_is_recovered(demo_workspace):
    ev = demo_workspace.results("evaluation")
    r = ev[(ev["measure_id"] == TRUTH["measure_id"]) & (ev["quantity"] == "uhi_night")].iloc[0]
    assert r["verdict"] == "effect"
    assert r["ci_low"] <= TRUTH["effect_k"] <= r["ci_high"]
    assert r["ci_high"] < 0  # excludes zero
    assert r["n_treated"] >= 1 and r["n_control"] >= 3
    assert set(r["treated"].split(",")) == set(TRUTH["treated_sensors"])
    # the daytime maximum was not touched by the simulated measure
    tmax = ev[(ev["measure_id"] == TRUTH["measure_id"]) & (ev["quantity"] == "tmax_day")].iloc[0]
    assert tmax["ci_low"] <= 0 <= tmax["ci_high"]
    assert "Annahme" in r["explanation_de"] and "Assumption" in r["explanation_en"]
    assert r["explanation_de"].startswith(
        "Nachttemperatur: Verglichen wurden Sensoren nahe der Maßnahme ("
    )
    assert "Geschätzte Wirkung: -0," in r["explanation_de"]
    assert not ev["explanation_de"].str.contains(r"\(en\)|\bnan\b").any()
    assert not ev["explanation_en"].str.contains(r"\(s\)|\bnan\b").any()


@pytest.fixture(scope="module")
def demo_panels(demo_workspace):
    s = FitSettings.from_config(demo_workspace.config)
    return evaluation_panels(demo_workspace, s), sensor_sites(demo_workspace), s


def test_placebo_measures_are_calibrated(demo_panels):
    """Measures with no effect: the 95 % interval contains zero in about 95 % of cases."""
    panels, sites, s = demo_panels
    to_ll = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    tx, ty = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True).transform(
        TRUTH["lon"], TRUTH["lat"]
    )
    far = np.hypot(sites["x"] - tx, sites["y"] - ty) > 1000
    pool = sites[(sites["status"] == "ok") & (sites["sensor_id"] != s.reference) & far]
    rng = np.random.default_rng(7)
    z, cover = [], []
    for k in range(120):
        r = pool.iloc[int(rng.integers(len(pool)))]
        lon, lat = to_ll.transform(r.x + 15, r.y + 15)
        built = date(2025, 6, 20) + timedelta(days=int(rng.integers(0, 55)))
        m = pd.DataFrame(
            [
                {
                    "measure_id": f"P{k}",
                    "category": "trees",
                    "lat": lat,
                    "lon": lon,
                    "built_on": built,
                    "radius_m": 60.0,
                }
            ]
        )
        treated = [r.sensor_id]
        from workbench.pipeline.evaluate import choose_groups

        _, controls = choose_groups(sites, m.iloc[0], m, reference=s.reference)
        res = did(
            panels["uhi_night"],
            quantity="uhi_night",
            treated=treated,
            controls=controls,
            built_on=built,
            cross_check=False,
        )
        if res.verdict == "insufficient_data":
            continue
        cover.append(res.ci_low <= 0 <= res.ci_high)
        z.append(res.effect / res.se)
    assert len(cover) >= 100
    coverage = float(np.mean(cover))
    assert 0.90 <= coverage <= 1.0, coverage
    # calibrated spread, not merely wide intervals
    assert 0.6 <= float(np.std(z)) <= 1.3, np.std(z)


def _synthetic_panel(rng, *, n=21, days=60, rho=0.5, effect=0.0, build=31):
    d0 = date(2025, 6, 1)
    weather = rng.normal(0, 1, days)
    rows = []
    for i in range(n):
        sd = rng.uniform(0.1, 0.4)  # sensors differ in noise
        b = rng.uniform(0.5, 1.5)  # and in how strongly they follow the weather
        e = np.zeros(days)
        e[0] = rng.normal(0, sd)
        for t in range(1, days):  # AR(1): days are not independent
            e[t] = rho * e[t - 1] + rng.normal(0, sd * np.sqrt(1 - rho**2))
        y = i / n + b * weather + e
        if i == 0:
            y[build:] += effect
        rows += [(f"s{i:02d}", d0 + timedelta(days=t), y[t]) for t in range(days)]
    return pd.DataFrame(rows, columns=["sensor_id", "day", "value"])


def test_did_interval_coverage_on_synthetic_panels():
    rng = np.random.default_rng(11)
    cover = {0.0: [], -0.5: []}
    for effect in cover:
        for _ in range(150):
            p = _synthetic_panel(rng, effect=effect)
            r = did(
                p,
                quantity="uhi_night",
                treated=["s00"],
                controls=[f"s{i:02d}" for i in range(1, 21)],
                built_on=date(2025, 7, 1),
                cross_check=False,
            )
            cover[effect].append(r.ci_low <= effect <= r.ci_high)
    # 300 intervals: a calibrated 95 % interval covers 91–99 % of them (±2.5 binomial sd)
    pooled = np.mean(cover[0.0] + cover[-0.5])
    assert 0.91 <= pooled <= 0.99, {e: np.mean(c) for e, c in cover.items()}


def test_did_says_when_the_data_cannot_carry_a_claim():
    rng = np.random.default_rng(1)
    p = _synthetic_panel(rng, n=6)
    ctrl = [f"s{i:02d}" for i in range(1, 6)]
    r = did(p, quantity="uhi_night", treated=["nobody"], controls=ctrl, built_on=date(2025, 7, 1))
    assert r.verdict == "insufficient_data" and np.isnan(r.effect) and "no sensor" in r.reason
    r = did(p, quantity="uhi_night", treated=["s00"], controls=ctrl[:2], built_on=date(2025, 7, 1))
    assert r.verdict == "insufficient_data" and "control" in r.reason
    assert r.reason_de == (
        "zu wenige vergleichbare Kontrollsensoren mit Daten (2; nötig sind mindestens 3)"
    )
    r = did(p, quantity="uhi_night", treated=["s00"], controls=ctrl, built_on=date(2025, 6, 5))
    assert r.verdict == "insufficient_data" and "too few days" in r.reason
    assert r.reason_de.startswith("zu wenige Tage mit Daten (vor dem Bau: ")
    text = explain(r, "de")
    assert text.startswith("Nachttemperatur: keine belastbare Aussage möglich – zu wenige Tage")
    with pytest.raises(ValueError, match="quantity"):
        did(p, quantity="noise", treated=["s00"], controls=ctrl, built_on=date(2025, 7, 1))


def test_power_analysis_matches_the_observed_precision(demo_workspace, demo_panels):
    panels, _, _ = demo_panels
    sigma, rho = panel_noise(panels["uhi_night"])
    ev = demo_workspace.results("evaluation")
    r = ev[(ev["measure_id"] == TRUTH["measure_id"]) & (ev["quantity"] == "uhi_night")].iloc[0]
    planned = planned_mde(
        sigma,
        rho,
        n_treated=int(r["n_treated"]),
        n_control=int(r["n_control"]),
        days_pre=int(r["days_pre"]),
        days_post=int(r["days_post"]),
    )
    assert 0.33 < planned / r["mde"] < 3.0, (planned, r["mde"])
    kw = {"n_treated": 1, "n_control": 10, "days_pre": 28, "days_post": 28}
    base = planned_mde(0.2, 0.3, **kw)
    assert planned_mde(0.2, 0.3, **{**kw, "days_pre": 56, "days_post": 56}) < base
    assert planned_mde(0.2, 0.3, **{**kw, "n_treated": 3}) < base
    assert planned_mde(0.2, 0.6, **kw) > base


# ---------------------------------------------------------------- sensor plan
def test_recommended_sites_beat_random_sites(demo_workspace):
    run = demo_workspace.latest_run()
    m = demo_workspace.metrics()["heat"]["kriging"]
    kernel = Kernel(m["sill"], m["length_scale_m"], m["nugget"])
    targets = funded_targets(run, "equal_shares_need")
    sensors = demo_workspace.results("sensors")
    s_xy = sensors[np.isfinite(sensors["uhi_k"])][["x", "y"]].to_numpy(float)
    cells = demo_workspace.results("cells")
    plan, stats = plan_table(cells, s_xy, targets, kernel, k=6, controls=2)
    assert (plan["purpose"] == "uncertainty").sum() == 4 and (
        plan["purpose"] == "control"
    ).sum() == 2
    t_xy = targets[["x", "y"]].to_numpy(float)
    unc = plan[plan["purpose"] == "uncertainty"][["x", "y"]].to_numpy(float)
    after = posterior_variance(kernel, np.vstack([s_xy, unc]), t_xy).sum()
    assert after == pytest.approx(stats["target_variance_after"], rel=1e-6)
    rng = np.random.default_rng(3)
    near = cells[
        np.min(
            np.hypot(
                cells["x"].to_numpy()[:, None] - t_xy[:, 0],
                cells["y"].to_numpy()[:, None] - t_xy[:, 1],
            ),
            axis=1,
        )
        < 3000
    ]
    randoms = [
        posterior_variance(
            kernel,
            np.vstack(
                [s_xy, near[["x", "y"]].to_numpy(float)[rng.choice(len(near), 4, replace=False)]]
            ),
            t_xy,
        ).sum()
        for _ in range(30)
    ]
    assert after < min(randoms)
    assert stats["target_variance_after"] < stats["target_variance_before"]
    # controls: far from the funded sites, land cover like theirs
    c = plan[plan["purpose"] == "control"]
    d = np.hypot(c["x"].to_numpy()[:, None] - t_xy[:, 0], c["y"].to_numpy()[:, None] - t_xy[:, 1])
    assert (d.min(axis=1) > 1000).all()


# ---------------------------------------------------------------- register and CLI
def test_measure_files_are_validated(tmp_path):
    with pytest.raises(ImportFormatError, match=r"m.csv: line 3, field 'built_on'"):
        parse_measures(
            b"measure_id,category,lat,lon,built_on\nA,trees,51.5,7.1,2025-07-01\n"
            b"B,trees,51.5,7.1,someday\n",
            "m.csv",
        )
    with pytest.raises(ImportFormatError, match="missing columns"):
        parse_measures(b"id,lat\n1,2\n", "m.csv")
    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "measure_id": "U-1",
                    "category": "unsealing",
                    "built_on": "2025-07-01",
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[7.10, 51.50], [7.104, 51.50], [7.104, 51.502], [7.10, 51.50]]
                    ],
                },
            }
        ],
    }
    m = parse_measures(json.dumps(gj).encode(), "u.geojson")
    assert m["lat"].iloc[0] == pytest.approx(51.5007, abs=1e-3) and m["radius_m"].iloc[0] > 100
    write_register(tmp_path, m)
    write_register(tmp_path, m.assign(radius_m=200.0))  # same id: updated, not duplicated
    reg = read_register(tmp_path)
    assert len(reg) == 1 and reg["radius_m"].iloc[0] == 200.0


def test_cli_measures_evaluate_plan_and_status(demo_workspace, tmp_path):
    from conftest import copy_workspace

    ws = copy_workspace(demo_workspace, tmp_path / "ws")
    proc = run_cli("measures", "--workspace", str(ws.root), "--proposal", "GB-004=2025-07-20")
    assert proc.returncode == 0, proc.stderr
    assert "GB-004" in proc.stdout and "2 registered" in proc.stdout
    bad = run_cli("measures", "--workspace", str(ws.root), "--proposal", "GB-999=2025-07-20")
    assert bad.returncode != 0 and "unknown proposal" in bad.stderr
    proc = run_cli("evaluate", "--workspace", str(ws.root))
    assert proc.returncode == 0, proc.stderr
    assert "M-001" in proc.stdout and "GB-004" in proc.stdout
    proc = run_cli("plan-sensors", "--workspace", str(ws.root), "--k", "3")
    assert proc.returncode == 0, proc.stderr
    assert "smallest night-time effect" in proc.stdout  # the power analysis for planning
    run = ws.latest_run()
    assert (run / "sensor_plan.parquet").exists() and (run / "evaluation.parquet").exists()
    layer = json.loads((run / "sensor_plan.geojson").read_text())
    assert len(layer["features"]) == 3
    st = json.loads(run_cli("status", "--workspace", str(ws.root), "--json", check=True).stdout)
    assert len(st["monitoring"]["districts"]) == 18
    text = run_cli("status", "--workspace", str(ws.root), check=True).stdout
    assert "monitoring" in text and "Altstadt" in text


def test_from_proposals_uses_the_proposal_site():
    props = pd.DataFrame(
        {
            "proposal_id": ["P1"],
            "category": ["pocket_park"],
            "lat": [51.5],
            "lon": [7.1],
            "cost_eur": [90000.0],
        }
    )
    m = from_proposals(props, {"P1": "2025-07-01"})
    assert m["radius_m"].iloc[0] == 250.0 and m["proposal_id"].iloc[0] == "P1"
    with pytest.raises(ValueError, match="unknown proposal"):
        from_proposals(props, {"P9": "2025-07-01"})


# ---------------------------------------------------------------- monitoring
def test_monitoring_finds_a_heat_wave_and_tropical_nights():
    times = pd.date_range("2025-07-20", periods=24 * 6, freq="h", tz="UTC")
    hour = times.tz_convert("Europe/Berlin").hour.to_numpy()
    rows = []
    for sid, hot in (("a1", True), ("a2", True), ("b1", False)):
        base = 24.0 if hot else 14.0
        t = base + 8 * np.sin((hour - 9) / 24 * 2 * np.pi)  # min ≈ base − 8 at night
        rows.append(pd.DataFrame({"sensor_id": sid, "time": times, "value": t}))
    th = pd.concat(rows, ignore_index=True)
    rh = th.assign(value=55.0)
    areas = pd.Series({"a1": "hot", "a2": "hot", "b1": "cool"})
    d = district_heat(th, rh, areas, tz="Europe/Berlin").set_index("area_id")
    assert d.loc["hot", "tmax_24h"] == pytest.approx(32.0, abs=0.3)
    assert d.loc["hot", "tropical_night_streak"] == 0  # night minimum ≈ 16 °C
    warm = th.assign(value=th["value"] + np.where(th["sensor_id"] != "b1", 6.0, 0.0))
    d = district_heat(warm, rh, areas, tz="Europe/Berlin").set_index("area_id")
    assert (
        d.loc["hot", "tropical_night_streak"] >= 5 and d.loc["cool", "tropical_night_streak"] == 0
    )
    table = d.reset_index()
    table["pm2_5_days_over_eu"] = table["area_id"].map({"hot": 30, "cool": 0})
    a = alerts(table, MonitoringSettings(), {"hot": "Altstadt", "cool": "Buer"})
    kinds = {(x["area_id"], x["kind"]) for x in a}
    assert ("hot", "heat") in kinds and ("hot", "tropical_nights") in kinds
    assert ("hot", "pm2_5") in kinds and not any(k[0] == "cool" for k in kinds)
    with pytest.raises(ValueError, match="heat_class_alert"):
        MonitoringSettings.from_config({"monitoring": {"heat_class_alert": "boiling"}})
