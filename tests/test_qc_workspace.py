"""QC end to end: against the demo city's known faults and truth, and on real files."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO, FIXTURES, run_cli, store_state

from workbench.pipeline import import_files, qc
from workbench.pipeline.demo import run_demo
from workbench.pipeline.status import status as status_of
from workbench.qc import QC
from workbench.qc import layer as qc_layer
from workbench.simulate.scoring import score_calibration, score_flags
from workbench.workspace import Workspace

ABERDEEN_REF = (
    'aberdeen-union-street-roadside = { name = "Aberdeen Union Street Roadside", '
    'kind = "traffic", lat = 57.144555, lon = -2.106472 }\n'
)


# ---------------------------------------------------------------------- demo city
@pytest.fixture(scope="module")
def demo_qc(tmp_path_factory):
    root = tmp_path_factory.mktemp("qc") / "demo"
    ws = run_demo(root, serve=False, fit_models=False, echo=lambda _s: None)
    before = store_state(root / "store")
    result = qc.run(ws).detail
    return ws, result, before


@pytest.fixture(scope="module")
def faults():
    return pd.read_csv(DEMO / "truth" / "faults.csv")


@pytest.fixture(scope="module")
def truth():
    return json.loads((DEMO / "truth" / "truth.json").read_text())


def test_each_qc_test_finds_the_faults_injected_for_it(demo_qc, faults):
    _ws, result, _ = demo_qc
    scores = score_flags(
        result.observations, faults, drift_thresholds={"air_temperature": 1.0, "pm2_5": 1.25}
    ).set_index("test")
    # recall: the share of injected faulty readings the test flags
    assert scores.loc["spike", "recall"] >= 0.95
    assert scores.loc["stuck", "recall"] >= 0.95
    assert scores.loc["step", "recall"] >= 0.95
    assert scores.loc["indoor", "recall"] >= 0.95
    assert scores.loc["drift", "recall"] >= 0.7
    # precision: flags on injected faults of that kind (own) or of any kind (any)
    assert scores.loc["stuck", "precision"] >= 0.95
    assert scores.loc["indoor", "precision"] >= 0.95
    for test in ("step", "drift", "neighbour"):
        assert scores.loc[test, "precision_any"] >= 0.9, test
    # the spike test also fires on fog hours, where optical PM really jumps
    assert scores.loc["spike", "precision_any"] >= 0.7


def test_sensor_health_names_the_broken_boxes(demo_qc, faults):
    _ws, result, _ = demo_qc
    h = result.health.set_index("sensor_id")
    kind = {k: set(g["sensor_id"]) for k, g in faults.groupby("fault")}
    (dead,) = kind["dead"]
    assert h.loc[dead, "status"] == "dead"
    for sid in kind["drift"]:
        assert h.loc[sid, "status"] == "degraded" and "drift" in h.loc[sid, "reasons"]
    for sid in kind["indoor"]:
        assert "indoor_suspected" in h.loc[sid, "reasons"]
    for sid in kind["step"]:
        assert "level_shift" in h.loc[sid, "reasons"]
    broken = set().union(*(kind[k] for k in ("dead", "drift", "indoor", "step")))
    # few false alarms: at most two healthy boxes are not ok
    healthy = h.drop(index=[s for s in broken if s in h.index])
    assert (healthy["status"] != "ok").sum() <= 2
    assert h.loc[dead, "battery_v"] < 3.3


def test_calibration_recovers_the_true_pm(demo_qc, truth):
    _ws, result, _ = demo_qc
    tob = pd.read_parquet(DEMO / "truth" / "truth_observations.parquet")
    for q in ("pm2_5", "pm10"):
        s = score_calibration(result.observations, tob, quantity=q).set_index("stage")
        assert s.loc["cleaned", "rmse"] < 0.25 * s.loc["raw", "rmse"], q
        assert abs(s.loc["cleaned", "bias"]) < 0.5, q
        assert 0.9 < s.loc["cleaned", "median_ratio"] < 1.1, q
        assert s.loc["raw", "median_ratio"] > 1.3, q  # the humidity-inflated start
    cal = result.calibrations
    per_box = cal[(cal["scope"] == "sensor") & (cal["quantity"] == "pm2_5")]
    assert set(per_box["sensor_id"]) == set(truth["colocated"])
    for sid, g in per_box.groupby("sensor_id"):
        row = g.iloc[0]
        assert row["applied"]
        assert row["coef_pm"] == pytest.approx(1 / truth["pm_gain"][sid], rel=0.1)
        st = g.set_index("stage")
        assert st.loc["calibrated", "rmse"] < st.loc["humidity_corrected", "rmse"]
        assert st.loc["humidity_corrected", "rmse"] < st.loc["raw", "rmse"]


def test_qc_never_deletes_and_downstream_sees_only_passed(demo_qc):
    ws, result, before = demo_qc
    assert store_state(ws.root / "store") == before  # raw store untouched
    total = sum(ws.snapshot().observation_counts().values())
    assert len(result.observations) == total
    run = qc_layer.current(ws.root)
    assert sum(len(pd.read_parquet(f)) for f in qc_layer.files(run)) == total
    clean = ws.clean("air_temperature", refresh=False)
    allrows = ws.clean("air_temperature", include_flagged=True, refresh=False)
    assert (clean["qc"] == 0).all()
    assert len(allrows) == ws.snapshot().observation_counts()["air_temperature"]
    assert len(clean) == int((allrows["qc"] == 0).sum()) < len(allrows)
    st = status_of(ws)
    assert st["qc"]["stale"] is False and st["qc"]["status"]["dead"] == 1
    statuses = {s["sensor_id"]: s["status"] for s in st["sensors"]}
    assert statuses["uba:DENW022"] in ("ok", "degraded")
    assert set(statuses.values()) <= {"ok", "degraded", "stale", "dead"}
    daily = ws.clean_aggregate("pm2_5", freq="day", refresh=False)
    assert daily["n_hours"].max() <= 24 and daily["mean"].notna().all()


# ---------------------------------------------------------------------- real files
@pytest.fixture(scope="module")
def aberdeen(tmp_path_factory):
    root = tmp_path_factory.mktemp("abd") / "ws"
    Workspace.init(root)
    cfg = (root / "workbench.toml").read_text()
    cfg = cfg.replace('timezone = ""', 'timezone = "UTC"')
    cfg = cfg.replace("[reference_stations]\n", "[reference_stations]\n" + ABERDEEN_REF)
    # the only real pair is ~600 m apart and shares one day: loosen the gates
    cfg = cfg.replace("colocation_radius_m = 250", "colocation_radius_m = 1000")
    cfg = cfg.replace("min_hours = 72", "min_hours = 12")
    (root / "workbench.toml").write_text(cfg)
    ws = Workspace.open(root)
    files = [
        *sorted(FIXTURES.glob("2019-05-22_*.csv")),
        FIXTURES / "aberdeen-union-street-roadside.csv",
    ]
    import_files.import_report(ws, files)
    return ws, qc.run(ws, as_of="2019-05-23").detail


def test_real_pm10_spike_and_stuck_humidity_are_flagged(aberdeen):
    _ws, result = aberdeen
    o = result.observations
    spike = o[(o["sensor_id"] == "sc:16422") & (o["quantity"] == "pm10")]
    worst = spike.loc[spike["raw_value"].idxmax()]
    assert worst["raw_value"] == pytest.approx(1489.6)
    assert worst["qc"] & int(QC.RANGE | QC.SPIKE)
    # a DHT22 that reads 99.9 % all day is stuck (sensor.community's known fault)
    rh = o[(o["sensor_id"] == "sc:23008") & (o["quantity"] == "relative_humidity")]
    assert (rh["raw_value"] == 99.9).all() and (rh["qc"] & int(QC.STUCK)).all()
    # its PM partner therefore has no humidity correction and says so
    pm = o[(o["sensor_id"] == "sc:23007") & (o["quantity"] == "pm2_5")]
    assert (pm["qc"] & int(QC.NO_RH)).all()
    # the BME280 paired with SDS011 15092 supplies its RH
    sq = result.sensor_quantities.set_index(["sensor_id", "quantity"])
    assert sq.loc[("sc:15092", "pm2_5"), "rh_source"] == "sc:15093"


def test_real_colocation_is_fitted_reported_and_refused_when_weak(aberdeen):
    _ws, result = aberdeen
    cal = result.calibrations
    box = cal[cal["sensor_id"] == "sc:23007"]
    assert set(box["quantity"]) == {"pm2_5", "pm10"}
    assert (box["reference"] == "ref:aberdeen-union-street-roadside").all()
    assert (box["n_hours"] >= 18).all() and not box["rh_term"].any()
    # one day 600 m from the analyser does not support a calibration: it is not applied
    assert not box["applied"].any()
    assert box["rejected_because"].str.contains("R²|slope").all()
    sq = result.sensor_quantities
    assert sq["calibration"].isna().all()
    o = result.observations
    pm = o[o["quantity"] == "pm2_5"]
    unflagged_rh = pm[(pm["qc"] & int(QC.NO_RH)) != 0]
    assert np.allclose(unflagged_rh["value"], unflagged_rh["raw_value"])


def test_cli_qc_status_and_export(aberdeen, tmp_path):
    ws, _ = aberdeen
    copy = tmp_path / "ws"
    shutil.copytree(ws.root, copy, symlinks=True)
    out = run_cli("qc", "--workspace", str(copy), "--as-of", "2019-05-23", check=True).stdout
    assert "NOT APPLIED" in out and "readings passed" in out
    text = run_cli("status", "--workspace", str(copy), check=True).stdout
    assert "degraded" in text and "qc " in text
    run_cli("export", "--workspace", str(copy), "--out", str(tmp_path / "e.csv"), check=True)
    e = pd.read_csv(tmp_path / "e.csv")
    assert list(e.columns)[:7] == [
        "sensor_id",
        "quantity",
        "time",
        "value",
        "unit",
        "qc",
        "value_clean",
    ]
    assert e.loc[e["value"] == 1489.6, "qc"].iloc[0] & int(QC.SPIKE | QC.RANGE)


def test_bad_qc_config_is_one_line_error(tmp_path):
    root = tmp_path / "ws"
    run_cli("init", "--workspace", str(root), check=True)
    cfg = (root / "workbench.toml").read_text().replace("kappa = 0.4", 'kappa = "much"')
    (root / "workbench.toml").write_text(cfg)
    proc = run_cli("qc", "--workspace", str(root))
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "kappa" in proc.stderr


def test_failed_qc_write_leaves_current_qc(aberdeen, tmp_path):
    ws, result = aberdeen
    before = qc_layer.current(ws.root)
    broken = type(result)(
        result.observations,
        result.sensor_quantities,
        pd.DataFrame({"x": [object()]}),  # cannot be written as Parquet
        result.health,
        result.summary,
    )
    with pytest.raises(Exception):  # noqa: B017 - whatever pyarrow raises
        qc_layer.write(ws.root, broken, {})
    assert qc_layer.current(ws.root) == before
    assert not [p for p in (ws.root / "qc").iterdir() if p.name.startswith(".tmp")]
