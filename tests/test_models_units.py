"""Models piece by piece, on small data with known answers and against reference code."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.models import air, indicators, need, validation
from workbench.models.hotspots import benjamini_hochberg, distance_band, gi_star
from workbench.models.spatial import IDW, CovariateRegression, RegressionKriging, covariates_at

TZ = "Europe/Berlin"


# ---------------------------------------------------------------------- heat indicators
def _hourly(sensor: str, values: np.ndarray, start: str = "2025-07-01 00:00") -> pd.DataFrame:
    t = pd.date_range(start, periods=len(values), freq="h", tz=TZ).tz_convert("UTC")
    return pd.DataFrame({"sensor_id": sensor, "time": t, "value": values})


def _diurnal(days: int, tmin: float, tmax: float) -> np.ndarray:
    h = np.arange(days * 24) % 24
    return tmin + (tmax - tmin) * (1 + np.cos(2 * np.pi * (h - 15) / 24)) / 2


def test_dwd_days_count_only_valid_days():
    hot = _hourly("a", _diurnal(5, 21.0, 31.0))  # every day: summer, hot, tropical night
    mild = _hourly("b", _diurnal(5, 12.0, 26.0))  # summer days only
    gappy = _hourly("c", _diurnal(5, 21.0, 31.0)).iloc[::2]  # 12 hours a day: no valid day
    d = indicators.daily_temperature(pd.concat([hot, mild, gappy]), tz=TZ)
    days = indicators.heat_days(d).set_index("sensor_id")
    assert days.loc["a", ["summer_days", "hot_days", "tropical_nights"]].tolist() == [5, 5, 5]
    assert days.loc["b", ["summer_days", "hot_days", "tropical_nights"]].tolist() == [5, 0, 0]
    assert "c" not in days.index  # no valid day at all
    dh = indicators.degree_hours(hot, thresholds=(30.0,)).set_index("sensor_id")
    expected = np.clip(hot["value"] - 30, 0, None).sum()
    assert dh.loc["a", "degree_hours_30"] == pytest.approx(expected)


def test_nocturnal_uhi_recovers_a_known_night_excess_against_a_sensor_and_a_quantile():
    base = _diurnal(14, 14.0, 26.0)
    local_hour = np.arange(base.size) % 24
    night = (local_hour >= 22) | (local_hour < 6)
    rng = np.random.default_rng(0)
    frames = [_hourly("rural", base)]
    for k, excess in enumerate([0.5, 1.0, 2.0, 3.0]):
        frames.append(_hourly(f"s{k}", base + excess * night + rng.normal(0, 0.1, base.size)))
    hourly = pd.concat(frames)
    u = indicators.nocturnal_uhi(hourly, reference="rural", tz=TZ).set_index("sensor_id")
    assert u.loc["rural", "uhi_k"] == 0
    for k, excess in enumerate([0.5, 1.0, 2.0, 3.0]):
        assert u.loc[f"s{k}", "uhi_k"] == pytest.approx(excess, abs=0.03)
        assert 0 < u.loc[f"s{k}", "uhi_se"] < 0.05
    assert u["valid"].all() and (u["n_nights"] >= 13).all()
    # the cool quantile of five sensors is the rural one (quantile 0)
    q = indicators.nocturnal_uhi(hourly, reference="quantile:0.01", tz=TZ).set_index("sensor_id")
    assert q.loc["s3", "uhi_k"] == pytest.approx(3.0, abs=0.1)
    with pytest.raises(ValueError, match="reference sensor 'nope'"):
        indicators.nocturnal_uhi(hourly, reference="nope", tz=TZ)
    with pytest.raises(ValueError, match="quantile"):
        indicators.nocturnal_uhi(hourly, reference="quantile:2", tz=TZ)


def test_heat_index_matches_the_nws_table_and_classes():
    # NWS heat index table: 90 °F at 60 % RH -> 100 °F; 96 °F at 65 % -> 121 °F
    hi = indicators.heat_index(np.array([32.22, 35.56]), np.array([60.0, 65.0]))
    assert hi[0] == pytest.approx((100 - 32) / 1.8, abs=1.0)
    assert hi[1] == pytest.approx((121 - 32) / 1.8, abs=1.5)
    assert indicators.heat_stress_class(np.array([20.0, 30.0, 45.0])).tolist() == [
        "none",
        "caution",
        "danger",
    ]


# ---------------------------------------------------------------------- air indicators
def _daily(sensor: str, values: list[float]) -> pd.DataFrame:
    t = pd.date_range("2025-07-01", periods=len(values), freq="D", tz="UTC")
    return pd.DataFrame({"sensor_id": sensor, "time": t, "mean": values, "n_hours": 24})


def test_exceedances_and_annual_values_follow_eu_2030_and_who_2021():
    d = _daily("a", [10.0, 26.0, 30.0, 16.0, 4.0])
    ex = air.exceedances(d, "pm2_5").iloc[0]
    assert ex["days_over_eu_daily"] == 2 and ex["days_over_who_daily"] == 3
    a = air.annual_assessment(pd.Series([4.0, 7.0, 12.0]), "pm2_5")
    assert a["over_who_annual"].tolist() == [False, True, True]
    assert a["over_eu_annual"].tolist() == [False, False, True]
    assert air.LIMITS["no2"] == {
        "eu_annual": 20.0,
        "eu_daily": 50.0,
        "who_annual": 10.0,
        "who_daily": 25.0,
    }
    with pytest.raises(ValueError, match="quantity must be one of"):
        air.exceedances(d, "o3")


def test_eaqi_band_edges():
    bands = air.eaqi_band("pm10", [0, 15, 15.1, 45, 46, 300, np.nan]).tolist()
    assert bands == ["good", "good", "fair", "fair", "moderate", "extremely_poor", None]


def test_period_mean_is_adjusted_for_missing_smoggy_days():
    level = np.array([8, 8, 30, 30, 30, 8, 8, 8, 8, 8], float)  # a smoggy spell
    full = pd.concat([_daily(f"n{k}", list(level + k * 0.1)) for k in range(4)])
    clean_place = _daily("c", list(level - 2)).drop(index=[2, 3, 4])  # missed the spell
    pm = air.period_means(pd.concat([full, clean_place]), min_coverage=0.5)
    pm = pm.set_index("sensor_id")
    assert pm.loc["c", "mean_unadjusted"] == pytest.approx(6.0)  # looks clean
    true_mean = level.mean() - 2
    assert pm.loc["c", "mean"] == pytest.approx(true_mean, abs=0.2)  # adjusted: 2 below
    assert pm.loc["c", "coverage"] == pytest.approx(0.7)


# ---------------------------------------------------------------------- hotspots
def _lattice(n: int = 15, step: float = 100.0) -> np.ndarray:
    xx, yy = np.meshgrid(np.arange(n) * step, np.arange(n) * step)
    return np.column_stack([xx.ravel(), yy.ravel()])


def test_gi_star_z_matches_the_analytical_formula_direction_and_is_seeded():
    xy = _lattice()
    rng = np.random.default_rng(3)
    bump = np.exp(-(((xy - [400, 400]) ** 2).sum(axis=1)) / (2 * 200.0**2))
    v = 3 * bump + rng.normal(0, 0.2, len(xy))
    a = gi_star(v, xy, distance=250, permutations=199, seed=7)
    b = gi_star(v, xy, distance=250, permutations=199, seed=7)
    pd.testing.assert_frame_equal(a, b)
    # analytical Gi* (Ord & Getis 1995) with binary weights, self included
    W = distance_band(xy, 250).toarray() + np.eye(len(xy))
    n, xbar, s = len(v), v.mean(), v.std()
    wi = W.sum(axis=1)
    z = (W @ v - wi * xbar) / (s * np.sqrt((n * wi - wi**2) / (n - 1)))
    assert np.corrcoef(z, a["gi_z"])[0, 1] > 0.95
    centre = int(np.argmin(((xy - [400, 400]) ** 2).sum(axis=1)))
    assert a["hotspot"].iat[centre] and not a["coldspot"].iat[centre]
    assert not (a["hotspot"] & a["coldspot"]).any()


def test_benjamini_hochberg_agrees_with_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(1).uniform(0, 0.2, 300)
    assert np.allclose(benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1])


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=25, max_size=25), st.integers(0, 1000))
def test_gi_star_p_values_are_in_the_unit_interval(values, seed):
    xy = _lattice(5)
    out = gi_star(np.array(values), xy, distance=150, permutations=99, seed=seed)
    assert ((out["gi_p"] > 0) & (out["gi_p"] <= 1)).all()
    assert ((out["gi_p_fdr"] > 0) & (out["gi_p_fdr"] <= 1)).all()
    assert (out["gi_p_fdr"] >= out["gi_p"] - 1e-12).all()


def test_gi_star_rejects_bad_input():
    xy = _lattice(3)
    with pytest.raises(ValueError, match="NaN"):
        gi_star(np.r_[np.nan, np.ones(8)], xy)
    with pytest.raises(ValueError, match="alpha"):
        gi_star(np.arange(9.0), xy, alpha=1.5)


# ---------------------------------------------------------------------- spatial models
def _field(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
    """Points and a grid over a known field: 2·imp + a smooth bump (not in the covariate)."""
    rng = np.random.default_rng(seed)

    def truth(x, y, imp):
        return 2 * imp + 1.5 * np.exp(-((x - 3000) ** 2 + (y - 2000) ** 2) / (2 * 700.0**2))

    gx, gy = np.meshgrid(np.arange(0, 6000, 200.0), np.arange(0, 5000, 200.0))
    grid = pd.DataFrame({"x": gx.ravel(), "y": gy.ravel()})
    grid["impervious"] = (np.sin(grid["x"] / 900) + np.cos(grid["y"] / 700) + 2) / 4
    grid["cell_id"] = [f"c{i}" for i in range(len(grid))]
    idx = rng.choice(len(grid), n, replace=False)
    pts = grid.iloc[idx].reset_index(drop=True)
    y = truth(pts["x"], pts["y"], pts["impervious"]).to_numpy() + rng.normal(0, 0.05, n)
    return pts, y, grid, truth(grid["x"], grid["y"], grid["impervious"]).to_numpy()


def test_regression_kriging_recovers_the_field_better_than_both_baselines():
    pts, y, grid, true = _field(90)
    rk = RegressionKriging(covariates=["impervious"]).fit(pts, y)
    mean, se = rk.predict(grid, return_std=True)
    rmse = {
        "rk": np.sqrt(np.mean((mean - true) ** 2)),
        "idw": np.sqrt(np.mean((IDW().fit(pts, y).predict(grid) - true) ** 2)),
        "ols": np.sqrt(
            np.mean((CovariateRegression(["impervious"]).fit(pts, y).predict(grid) - true) ** 2)
        ),
    }
    assert rmse["rk"] < 0.7 * min(rmse["idw"], rmse["ols"]), rmse
    assert np.mean(np.abs(mean - true) <= 1.96 * se) > 0.8  # honest standard errors
    assert rk.regression_.diagnostics_["coefficients"]["impervious"]["estimate"] > 1.5
    cv = validation.validate(
        {"rk": RegressionKriging(covariates=["impervious"]), "idw": IDW()}, pts, y
    )
    assert cv["loso"]["rk"]["rmse"] < cv["loso"]["idw"]["rmse"]
    assert cv["block"]["rk"]["n"] == len(pts)


def test_spatial_models_do_not_depend_on_sensor_order():
    pts, y, grid, _ = _field(40, seed=2)
    perm = np.random.default_rng(0).permutation(len(pts))
    for make in (lambda: RegressionKriging(covariates=["impervious"]), IDW):
        a = make().fit(pts, y).predict(grid)
        b = make().fit(pts.iloc[perm].reset_index(drop=True), y[perm]).predict(grid)
        assert np.allclose(a, b, atol=1e-6)


def test_idw_is_exact_at_data_points_and_covariates_at_respects_the_grid():
    pts, y, grid, _ = _field(20)
    assert np.allclose(IDW().fit(pts, y).predict(pts), y, atol=1e-3)
    far = pd.DataFrame({"x": [100.0, 99_000.0], "y": [100.0, 99_000.0]})
    c = covariates_at(far, grid, ["impervious"], max_distance=300)
    assert c["cell_id"].iat[0] == "c1" and pd.isna(c["cell_id"].iat[1])
    assert np.isnan(c["impervious"].iat[1])


def test_block_groups_put_each_point_in_its_square():
    X = pd.DataFrame({"x": [100.0, 1900.0, 2100.0, 100.0], "y": [100.0, 100.0, 100.0, 2500.0]})
    g = validation.block_groups(X, 2000)
    assert g[0] == g[1] and len({g[0], g[2], g[3]}) == 3


# ---------------------------------------------------------------------- need index
indicator_frames = st.integers(3, 40).flatmap(
    lambda n: st.tuples(
        *[st.lists(st.floats(0, 1000, allow_nan=False), min_size=n, max_size=n)] * 5
    )
)


@settings(max_examples=30, deadline=None)
@given(indicator_frames, st.lists(st.floats(0.01, 1), min_size=5, max_size=5))
def test_need_index_is_in_the_unit_interval_and_ranks_are_a_permutation(cols, w):
    ind = pd.DataFrame(dict(zip(need.INDICATORS, cols, strict=True)))
    weights = dict(zip(need.INDICATORS, w, strict=True))
    for norm in need.NORMALISATIONS:
        idx = need.need_index(ind, weights, norm)
        assert ((idx >= 0) & (idx <= 1)).all()
    r = need.need_rank(need.need_index(ind, weights))
    assert r.min() == 1 and r.max() <= len(ind)
    s = need.need_sensitivity(ind, weights, draws=20, seed=1)
    assert (s["need_rank_lo"] <= s["need_rank_hi"]).all()
    assert ((s["need_rank_lo"] >= 1) & (s["need_rank_hi"] <= len(ind))).all()


def test_need_intervals_widen_with_hazard_uncertainty_and_are_seeded():
    rng = np.random.default_rng(0)
    n = 60
    ind = pd.DataFrame({k: rng.uniform(0, 1, n) for k in need.INDICATORS})
    fixed = need.need_sensitivity(ind, need.DEFAULT_WEIGHTS, draws=200, seed=3)
    again = need.need_sensitivity(ind, need.DEFAULT_WEIGHTS, draws=200, seed=3)
    pd.testing.assert_frame_equal(fixed, again)
    noisy = need.need_sensitivity(
        ind, need.DEFAULT_WEIGHTS, heat_se=np.full(n, 0.5), draws=200, seed=3
    )
    width = lambda s: (s["need_rank_hi"] - s["need_rank_lo"]).mean()  # noqa: E731
    assert width(noisy) > width(fixed)
    point = need.need_rank(need.need_index(ind, need.DEFAULT_WEIGHTS))
    inside = (point >= fixed["need_rank_lo"]) & (point <= fixed["need_rank_hi"])
    assert inside.mean() > 0.9


def test_need_weights_are_validated():
    with pytest.raises(ValueError, match="unknown need weight"):
        need.check_weights({"heat": 1, "noise": 1})
    with pytest.raises(ValueError, match="non-negative"):
        need.check_weights({"heat": -1})
    with pytest.raises(ValueError, match="all be zero"):
        need.check_weights({"heat": 0})


def test_vulnerability_is_shrunk_in_thinly_populated_cells():
    f = pd.DataFrame(
        {
            "green": [0.5, 0.5],
            "population": [1, 1000],
            "pop_65plus": [1, 500],
            "pop_under6": [0, 0],
        }
    )
    v = need.indicators(f, city_vulnerable_share=0.2)["vulnerability"]
    assert v.iat[0] < 0.3 < v.iat[1]  # one pensioner alone does not make a cell "vulnerable"
