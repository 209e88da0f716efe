"""Co-location calibration of low-cost PM sensors against a reference station.

A low-cost box placed next to a reference analyser (in Gelsenkirchen LANUV's DENW022
Bismarck or DENW208 Kurt-Schumacher-Straße) measures the same air; a regression of the
reference on the box's humidity-corrected reading (and on RH, which absorbs what the
κ-Köhler correction leaves) gives a calibration that is then applied to the boxes of the
same type across the network. The fit uses hourly means of readings that passed QC.

``method="ols"`` is ordinary least squares with autocorrelation-robust (HAC, Newey–West)
confidence intervals; ``method="robust"`` is a Huber M-estimator (statsmodels ``RLM``),
which a few odd hours cannot pull. Quality is reported before calibration (raw and
humidity-corrected) and after it, out-of-fold: the hours are cut into ``n_folds``
contiguous blocks of days and each block is predicted by a model fitted on the others.
Confidence intervals of R², RMSE and bias come from a bootstrap over days (the days are
resampled, keeping each day's hours together, because hours within a day are not
independent).

Examples
--------
>>> rng = np.random.default_rng(0)
>>> t = pd.date_range("2025-06-01", periods=24 * 20, freq="1h", tz="UTC")
>>> ref = rng.gamma(4, 3, t.size)
>>> X = pd.DataFrame({"time": t, "pm": 1.3 * ref + 2 + rng.normal(0, 1, t.size),
...                   "rh": rng.uniform(40, 90, t.size)})
>>> cal = ColocationCalibration(method="ols").fit(X, ref)
>>> bool(abs(cal.coef_["pm"] - 1 / 1.3) < 0.02)  # the true inverse gain
True
>>> m = cal.evaluate(X, ref)
>>> bool(m.loc["calibrated", "rmse"] < m.loc["humidity_corrected", "rmse"])
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

METHODS = ("robust", "ols")
STAGES = ("raw", "humidity_corrected", "calibrated")


def _design(X: pd.DataFrame, rh_term: bool) -> pd.DataFrame:
    cols = ["pm", "rh"] if rh_term else ["pm"]
    missing = [c for c in cols if c not in X.columns]
    if missing:
        raise ValueError(f"calibration input lacks column(s) {missing}; needs {cols}")
    import statsmodels.api as sm  # lazily: importing statsmodels takes about 2 s

    return sm.add_constant(X[cols].astype(float), has_constant="add")


class ColocationCalibration:
    """Reference ≈ a + b·PM_corrected (+ c·RH), fitted on co-located hourly means.

    Parameters
    ----------
    method : {"robust", "ols"}
        Huber M-estimation or least squares with HAC confidence intervals.
    rh_term : bool
        Include relative humidity as a regressor.
    n_folds : int
        Contiguous day blocks for the out-of-fold "after" metrics.
    n_boot : int
        Bootstrap replicates (resampling days) for metric confidence intervals.
    random_state : int
        Seed of the bootstrap.
    """

    def __init__(
        self,
        method: str = "robust",
        rh_term: bool = True,
        n_folds: int = 5,
        n_boot: int = 400,
        random_state: int = 0,
    ) -> None:
        self.method = method
        self.rh_term = rh_term
        self.n_folds = n_folds
        self.n_boot = n_boot
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def _fit_one(self, X: pd.DataFrame, y: np.ndarray) -> Any:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        import statsmodels.api as sm

        D = _design(X, self.rh_term)
        if self.method == "ols":
            return sm.OLS(y, D).fit(cov_type="HAC", cov_kwds={"maxlags": 24})
        return sm.RLM(y, D, M=sm.robust.norms.HuberT()).fit()

    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> ColocationCalibration:
        """Fit on hourly pairs: ``X`` has ``time, pm, rh``; ``y`` the reference.

        Raises
        ------
        ValueError
            With fewer than 10 complete hours, or a wrong ``method``.
        """
        y = np.asarray(y, dtype=float)
        ok = np.isfinite(y) & np.isfinite(X["pm"].to_numpy(dtype=float))
        if self.rh_term:
            ok &= np.isfinite(X["rh"].to_numpy(dtype=float))
        if ok.sum() < 10:
            raise ValueError(f"calibration needs at least 10 complete hours, got {int(ok.sum())}")
        Xo = X.loc[ok].reset_index(drop=True)
        res = self._fit_one(Xo, y[ok])
        self.result_ = res
        self.coef_ = {k: float(v) for k, v in res.params.items()}
        ci = res.conf_int(0.05)
        self.conf_int_ = pd.DataFrame(
            {"low": np.asarray(ci)[:, 0], "high": np.asarray(ci)[:, 1]}, index=res.params.index
        )
        self.n_ = int(ok.sum())
        times = pd.to_datetime(Xo["time"], utc=True)
        self.period_ = (times.min(), times.max())
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated concentrations (never below zero)."""
        D = _design(X, self.rh_term)
        b = np.array([self.coef_[c] for c in D.columns])
        return np.clip(D.to_numpy(dtype=float) @ b, 0.0, None)

    # ------------------------------------------------------------------ quality
    def cross_predict(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> np.ndarray:
        """Out-of-fold predictions: each block of days predicted by the other blocks."""
        y = np.asarray(y, dtype=float)
        days = resampling_units(X["time"])
        uniq = np.unique(days)
        block = np.searchsorted(uniq, days) * self.n_folds // max(1, uniq.size)
        out = np.full(y.size, np.nan)
        for b in np.unique(block):
            test = block == b
            train = ~test & np.isfinite(y) & np.isfinite(X["pm"].to_numpy(dtype=float))
            if self.rh_term:
                train &= np.isfinite(X["rh"].to_numpy(dtype=float))
            if train.sum() < 10:
                continue
            m = ColocationCalibration(self.method, self.rh_term).fit(
                X.loc[train].reset_index(drop=True), y[train]
            )
            out[test] = m.predict(X.loc[test])
        return out

    def evaluate(
        self, X: pd.DataFrame, y: np.ndarray | pd.Series, raw: np.ndarray | None = None
    ) -> pd.DataFrame:
        """R², RMSE and bias with 95 % bootstrap intervals, before and after calibration.

        Rows: ``raw`` (``raw`` readings, when given), ``humidity_corrected`` (``X.pm``)
        and ``calibrated`` (out-of-fold). Columns: ``n, r2, r2_lo, r2_hi, rmse, rmse_lo,
        rmse_hi, bias, bias_lo, bias_hi``. Bias is mean(sensor − reference).
        """
        y = np.asarray(y, dtype=float)
        days = resampling_units(X["time"])
        stages = {"humidity_corrected": X["pm"].to_numpy(dtype=float)}
        if raw is not None:
            stages = {"raw": np.asarray(raw, dtype=float), **stages}
        stages["calibrated"] = self.cross_predict(X, y)
        rows = {}
        for name, pred in stages.items():
            rows[name] = agreement(pred, y, days, n_boot=self.n_boot, seed=self.random_state)
        return pd.DataFrame.from_dict(rows, orient="index")


def resampling_units(times: pd.Series) -> np.ndarray:
    """Blocks kept together in cross-validation and bootstrap: days, or 3-hour blocks.

    Hours within a day are correlated, so days are the natural unit; a co-location
    shorter than ten days falls back to 3-hour blocks so that there is something to
    resample at all (the intervals are then optimistic, and the summary says how many
    hours the fit rests on).
    """
    t = pd.to_datetime(pd.Series(times), utc=True)
    unit = "1D" if t.dt.floor("1D").nunique() >= 10 else "3h"
    return t.dt.floor(unit).to_numpy()


def _scores(pred: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    err = pred - y
    ss_res = float((err**2).sum())
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")
    return r2, float(np.sqrt((err**2).mean())), float(err.mean())


def agreement(
    pred: np.ndarray, y: np.ndarray, days: np.ndarray, *, n_boot: int = 400, seed: int = 0
) -> dict[str, float]:
    """R² (1 − SSE/SST against the reference), RMSE and bias, with day-bootstrap 95 % CIs."""
    ok = np.isfinite(pred) & np.isfinite(y)
    pred, y, days = pred[ok], y[ok], days[ok]
    out: dict[str, float] = {"n": int(ok.sum())}
    if out["n"] < 3:
        return out | {k: float("nan") for k in _metric_keys()}
    r2, rmse, bias = _scores(pred, y)
    uniq, inv = np.unique(days, return_inverse=True)
    groups = [np.flatnonzero(inv == i) for i in range(uniq.size)]
    rng = np.random.default_rng(seed)
    boot = np.full((n_boot, 3), np.nan)
    if uniq.size >= 2:
        for b in range(n_boot):
            pick = np.concatenate([groups[i] for i in rng.integers(0, uniq.size, uniq.size)])
            boot[b] = _scores(pred[pick], y[pick])
    lo = np.nanpercentile(boot, 2.5, axis=0) if uniq.size >= 2 else [np.nan] * 3
    hi = np.nanpercentile(boot, 97.5, axis=0) if uniq.size >= 2 else [np.nan] * 3
    for i, (k, v) in enumerate((("r2", r2), ("rmse", rmse), ("bias", bias))):
        out[k], out[f"{k}_lo"], out[f"{k}_hi"] = v, float(lo[i]), float(hi[i])
    return out


def _metric_keys() -> list[str]:
    return [f"{m}{s}" for m in ("r2", "rmse", "bias") for s in ("", "_lo", "_hi")]


__all__ = ["METHODS", "STAGES", "ColocationCalibration", "agreement", "resampling_units"]
