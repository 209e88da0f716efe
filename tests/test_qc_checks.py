"""The QC building blocks on small series with planted truth."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.config import default_config
from workbench.qc import QC, QCSettings, describe, passed
from workbench.qc.calibration import ColocationCalibration
from workbench.qc.checks import (
    drift,
    level_shifts,
    range_flags,
    shifted_segments,
    spike_flags,
    stuck_flags,
)
from workbench.qc.health import sensor_status
from workbench.qc.humidity import correct_pm, kohler_growth, rh_sources
from workbench.qc.neighbours import indoor_flags, neighbour_flags, neighbour_median, neighbour_sets


def diurnal(days: int, seed: int = 0, amp: float = 5.0, noise: float = 0.2) -> pd.Series:
    t = pd.date_range("2025-07-01", periods=24 * days, freq="1h", tz="UTC")
    rng = np.random.default_rng(seed)
    v = 20 + amp * np.sin(2 * np.pi * (t.hour - 9) / 24) + rng.normal(0, noise, t.size)
    return pd.Series(v, index=t)


# ---------------------------------------------------------------------- single sensor
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    positions=st.lists(st.integers(3, 24 * 10 - 4), min_size=1, max_size=6, unique=True),
    size=st.floats(8, 20),
    sign=st.sampled_from([-1, 1]),
)
def test_spikes_are_found_and_nothing_else(seed, positions, size, sign):
    # spikes of 8-20 K as in the demo; the threshold is 5 K beyond the running median,
    # which on the steepest part of the daily cycle sits up to 1.3 K off the true value
    s = diurnal(10, seed)
    pos: list[int] = []
    for p in sorted(positions):  # two spikes in one window are a plateau, not spikes
        if not pos or p - pos[-1] > 3:
            pos.append(p)
    size = sign * size
    v = s.to_numpy().copy()
    v[pos] += size
    flags = spike_flags(s.index, v, abs_min=5.0)
    assert set(np.flatnonzero(flags)) == set(pos)


def test_a_steep_smooth_rise_is_not_a_spike_but_irregular_spacing_works():
    t = pd.date_range("2025-07-01", periods=200, freq="150s", tz="UTC")
    t = t + pd.to_timedelta(np.random.default_rng(1).integers(0, 30, t.size), unit="s")
    v = np.linspace(10, 60, t.size)  # +50 in eight hours
    assert not spike_flags(t, v, abs_min=5.0).any()
    v[100] = 400.0
    assert np.flatnonzero(spike_flags(t, v, abs_min=50.0, rel=2.0)).tolist() == [100]


def test_stuck_runs_need_duration_and_count():
    t = pd.date_range("2025-07-01", periods=30, freq="1h", tz="UTC")
    v = np.arange(30, dtype=float)
    v[5:12] = 7.0  # 7 readings over 6 hours
    v[20:23] = 9.0  # 3 readings: too short
    flags = stuck_flags(t, v, min_duration="6h")
    assert np.flatnonzero(flags).tolist() == list(range(5, 12))
    assert not stuck_flags(t, v, min_duration="7h").any()


def test_range():
    assert range_flags(np.array([-1, 0, 5, 1000, 1489.6, np.nan]), 0, 1000).tolist() == [
        True,
        False,
        False,
        False,
        True,
        True,
    ]


def test_level_shift_found_where_planted_and_later_segment_flagged():
    d = diurnal(20, 3, amp=0.5, noise=0.3) - 20
    at = d.index[300]
    d[d.index >= at] += 3.0
    cps = level_shifts(d, min_shift=2.0)
    assert len(cps) == 1 and abs((cps[0] - at) / pd.Timedelta("1h")) <= 2
    flagged = shifted_segments(d, cps, min_shift=2.0)
    assert flagged[d.index >= at + pd.Timedelta("3h")].all()
    assert not flagged[d.index < at - pd.Timedelta("3h")].any()
    # no shift, no change point
    assert level_shifts(diurnal(20, 4, amp=0.5, noise=0.3) - 20, min_shift=2.0) == []


def test_drift_recovers_the_planted_slope_and_ignores_a_step():
    d = diurnal(40, 5, amp=0.3, noise=0.3) - 20
    ramp = np.linspace(0, 2.0, d.size)
    total, acc = drift(d + ramp)
    assert total == pytest.approx(2.0, abs=0.15)
    assert acc.iloc[-1] == pytest.approx(2.0, abs=0.15)
    stepped = d.copy()
    stepped[stepped.index >= stepped.index[500]] += 3.0
    total_step, _ = drift(stepped, change_points=[stepped.index[500]])
    assert abs(total_step) < 0.3


# ---------------------------------------------------------------------- neighbours
def _network(n: int = 6, days: int = 14):
    idx = diurnal(days).index
    rng = np.random.default_rng(7)
    base = diurnal(days, 8, noise=0.0)
    wide = pd.DataFrame(
        {f"s{i}": base.to_numpy() + rng.normal(0, 0.3, idx.size) for i in range(n)}, index=idx
    )
    pos = pd.DataFrame({"sensor_id": wide.columns, "x": np.arange(n) * 400.0, "y": 0.0})
    return wide, pos


def test_neighbour_test_flags_the_odd_sensor_only():
    wide, pos = _network()
    wide.loc[wide.index[50:60], "s2"] += 8.0
    nb = neighbour_sets(pos, radius_m=3000, min_n=3, max_n=8)
    med, sd = neighbour_median(wide, nb)
    bad = neighbour_flags(wide, med, sd, mode="difference", threshold=4.0)
    assert bad["s2"].iloc[50:60].all()
    assert bad.to_numpy().sum() == 10


def test_indoor_box_is_recognised_by_its_damped_daily_cycle():
    wide, pos = _network()
    wide["s3"] = 23 + 0.25 * (wide["s3"] - wide["s3"].mean())
    nb = neighbour_sets(pos, radius_m=3000, min_n=3, max_n=8)
    days = indoor_flags(wide, nb, min_ratio=0.4)
    assert days["s3"].all() and not days.drop(columns="s3").to_numpy().any()


# ---------------------------------------------------------------------- humidity
def test_kohler_growth_matches_crilley_formula_at_known_points():
    # C = 1 + (κ/1.65) / (1/aw − 1): at RH 50 % that is 1 + κ/1.65, at RH 90 % 1 + 9κ/1.65
    rh = np.array([50.0, 90.0])
    for kappa in (0.2, 0.4, 0.62):
        assert kohler_growth(rh, kappa) == pytest.approx([1 + kappa / 1.65, 1 + 9 * kappa / 1.65])
    with pytest.raises(ValueError, match="kappa"):
        kohler_growth(rh, -0.1)


def test_correction_inverts_growth_and_flags_fog():
    rng = np.random.default_rng(2)
    true = rng.gamma(3, 4, 500)
    rh = rng.uniform(30, 99, 500)
    aw = np.clip(rh, 0, 99.9) / 100
    measured = true * (1 + (0.4 / 1.65) / (1 / aw - 1))
    corrected, humid = correct_pm(measured, rh, kappa=0.4, max_rh=95)
    assert np.allclose(corrected[~humid], true[~humid])
    assert (humid == (rh >= 95)).all()
    # no RH: unchanged (the pipeline flags NO_RH)
    out, _ = correct_pm(np.array([10.0]), np.array([np.nan]), kappa=0.4)
    assert out.tolist() == [10.0]


def test_rh_comes_from_the_same_box_else_the_nearest_within_reach():
    pos = pd.DataFrame({"sensor_id": ["pm", "rh-near", "rh-far"], "x": [0, 50, 5000], "y": 0})
    rh_pos = pos[pos["sensor_id"] != "pm"]
    assert rh_sources(["pm"], rh_pos, pos, max_distance_m=2000) == {"pm": ["rh-near"]}
    both = pd.concat([rh_pos, pos[pos["sensor_id"] == "pm"]])
    assert rh_sources(["pm"], both, pos, max_distance_m=2000) == {"pm": ["pm", "rh-near"]}


# ---------------------------------------------------------------------- calibration
def _colocation(n_days=30, seed=0, gain=1.3, offset=2.0, outliers=0, noise=0.2):
    rng = np.random.default_rng(seed)
    t = pd.date_range("2025-06-01", periods=24 * n_days, freq="1h", tz="UTC")
    ref = rng.gamma(4, 3, t.size)
    rh = rng.uniform(40, 90, t.size)
    pm = gain * ref + offset + 0.02 * rh + rng.normal(0, noise, t.size)
    if outliers:
        pm[rng.choice(t.size, outliers, replace=False)] += 80
    return pd.DataFrame({"time": t, "pm": pm, "rh": rh}), ref


@pytest.mark.parametrize("method", ["ols", "robust"])
def test_calibration_recovers_known_gain_with_intervals(method):
    X, ref = _colocation()
    cal = ColocationCalibration(method=method).fit(X, ref)
    lo, hi = cal.conf_int_.loc["pm"]
    assert lo <= 1 / 1.3 <= hi and hi - lo < 0.05
    m = cal.evaluate(X, ref)
    assert m.loc["calibrated", "rmse"] < 0.3 * m.loc["humidity_corrected", "rmse"]
    assert abs(m.loc["calibrated", "bias"]) < 0.2
    for stage in m.index:
        r = m.loc[stage]
        assert r["rmse_lo"] <= r["rmse"] <= r["rmse_hi"]


def test_robust_fit_resists_outliers_that_pull_least_squares():
    X, ref = _colocation(outliers=40, seed=3)
    ols = ColocationCalibration(method="ols").fit(X, ref)
    rob = ColocationCalibration(method="robust").fit(X, ref)
    assert abs(rob.coef_["pm"] - 1 / 1.3) < abs(ols.coef_["pm"] - 1 / 1.3)


def test_calibration_refuses_too_little_data_and_bad_method():
    X, ref = _colocation(n_days=1)
    with pytest.raises(ValueError, match="at least 10"):
        ColocationCalibration().fit(X.iloc[:5], ref[:5])
    with pytest.raises(ValueError, match="method"):
        ColocationCalibration(method="magic").fit(X, ref)


# ---------------------------------------------------------------------- flags, health, config
def test_flag_names_and_passing():
    assert describe(QC.STUCK | QC.HUMID) == ["stuck", "humid"]
    assert passed(np.array([0, int(QC.NO_RH), int(QC.SPIKE)]), QC.NO_RH).tolist() == [
        True,
        True,
        False,
    ]


def test_health_status_rules():
    now = pd.Timestamp("2025-08-01 12:00", tz="UTC")
    t = pd.DataFrame(
        {
            "sensor_id": list("abcdef"),
            "last_seen": [now, now - pd.Timedelta("8h"), now - pd.Timedelta("9D"), now, now, now],
            "completeness": [0.99, 0.99, 0.99, 0.5, 0.99, 0.99],
            "flagged_share": [0.0, 0.0, 0.0, 0.0, 0.3, 0.0],
            "battery_v": [3.9, 3.9, 3.9, 3.9, 3.9, 3.1],
        }
    )
    h = sensor_status(t, as_of=now)
    assert h["status"].tolist() == ["ok", "stale", "dead", "degraded", "degraded", "degraded"]
    assert h["reasons"].tolist()[3:] == ["low_completeness", "many_flagged", "battery_low"]


def test_bad_qc_config_is_named():
    cfg = default_config()
    cfg["qc"]["pm2_5"] = {**cfg["qc"]["pm2_5"], "neighbour": 0.5}
    with pytest.raises(ValueError, match=r"\[qc.pm2_5\] neighbour"):
        QCSettings.from_config(cfg)
    cfg = default_config()
    cfg["qc"]["informational"] = ["no_such_check"]
    with pytest.raises(ValueError, match="no_such_check"):
        QCSettings.from_config(cfg)
    cfg = default_config()
    cfg["qc"]["calibration"]["method"] = "magic"
    with pytest.raises(ValueError, match="method"):
        QCSettings.from_config(cfg)
