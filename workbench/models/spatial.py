"""Spatial estimators for sensor-derived fields: regression kriging and its two baselines.

All three are scikit-learn estimators over the same input: a DataFrame ``X`` with the
point coordinates ``x``, ``y`` (metres, EPSG:25832) and covariate columns, and a target
vector ``y`` (e.g. each sensor's nocturnal UHI or PM2.5 period mean).

* :class:`RegressionKriging` — ordinary least squares on the covariates (statsmodels,
  with diagnostics) plus a Gaussian-process (simple kriging) model of the residuals
  (scikit-learn, Matérn 3/2 covariance with a nugget). Predictions carry a standard error
  combining the regression's mean uncertainty and the kriging variance of the latent
  (noise-free) residual field.
* :class:`CovariateRegression` — the same regression without kriging (baseline).
* :class:`IDW` — inverse-distance weighting of the observed values (baseline).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame({"x": rng.uniform(0, 5000, 60), "y": rng.uniform(0, 5000, 60),
...                   "impervious": rng.uniform(0, 1, 60)})
>>> y = 2.0 * X["impervious"] + np.sin(X["x"] / 1500) + rng.normal(0, 0.05, 60)
>>> m = RegressionKriging(covariates=["impervious"]).fit(X, y)
>>> mean, se = m.predict(X.head(3), return_std=True)
>>> bool(np.all(se > 0)) and bool(np.abs(mean - y[:3]).max() < 0.3)
True
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.linalg import solve_triangular
from scipy.spatial import cKDTree
from sklearn.base import BaseEstimator, RegressorMixin

_KM = 1000.0  # the GP works in kilometres (better conditioned length scales)
_CHUNK = 20_000  # prediction rows per block (bounds memory for large grids)
_AT_BOUND = re.compile(r"parameter (\S+) is close to the specified (lower|upper)")


def _xy(X: pd.DataFrame) -> np.ndarray:
    missing = {"x", "y"} - set(X.columns)
    if missing:
        raise ValueError(f"X needs coordinate columns x and y; missing {sorted(missing)}")
    return X[["x", "y"]].to_numpy(float)


def _canonical(X: pd.DataFrame, y: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Points in a fixed order (by x, y, value): fits do not depend on input order."""
    order = np.lexsort((y, X["y"].to_numpy(float), X["x"].to_numpy(float)))
    return X.iloc[order], y[order]


def _design(X: pd.DataFrame, covariates: Sequence[str]) -> np.ndarray:
    missing = [c for c in covariates if c not in X.columns]
    if missing:
        raise ValueError(f"X lacks covariate column(s) {missing}")
    A = X[list(covariates)].to_numpy(float)
    if not np.isfinite(A).all():
        raise ValueError("covariates contain missing or infinite values")
    return np.column_stack([np.ones(len(X)), A])


class IDW(RegressorMixin, BaseEstimator):
    """Inverse-distance weighting: ``Σ wᵢ yᵢ / Σ wᵢ`` with ``wᵢ = dᵢ^−power``.

    Parameters
    ----------
    power : float
        Distance exponent (2 is the customary default).
    n_neighbours : int or None
        Use only the nearest this many points (all when None).
    """

    def __init__(self, power: float = 2.0, n_neighbours: int | None = 12) -> None:
        self.power = power
        self.n_neighbours = n_neighbours

    def fit(self, X: pd.DataFrame, y: Any) -> IDW:
        _xy(X)
        X, yy = _canonical(X, np.asarray(y, float))
        self.xy_ = _xy(X)
        self.y_ = yy
        if len(self.y_) == 0:
            raise ValueError("IDW needs at least one point")
        self.tree_ = cKDTree(self.xy_)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        q = _xy(X)
        k = len(self.y_) if self.n_neighbours is None else min(self.n_neighbours, len(self.y_))
        d, i = self.tree_.query(q, k=k)
        d, i = d.reshape(len(q), k), i.reshape(len(q), k)
        w = 1.0 / np.maximum(d, 1.0) ** self.power  # within 1 m: the point itself dominates
        return (w * self.y_[i]).sum(axis=1) / w.sum(axis=1)


class CovariateRegression(RegressorMixin, BaseEstimator):
    """Ordinary least squares of the target on the covariates (statsmodels).

    Fitted attributes: ``result_`` (statsmodels results), ``diagnostics_`` (dict).
    """

    def __init__(self, covariates: Sequence[str] = ("impervious",)) -> None:
        self.covariates = covariates

    def fit(self, X: pd.DataFrame, y: Any) -> CovariateRegression:
        import statsmodels.api as sm

        A = _design(X, self.covariates)
        yy = np.asarray(y, float)
        if len(yy) <= A.shape[1]:
            raise ValueError(
                f"{len(yy)} points cannot fit {A.shape[1]} regression coefficients; "
                "use fewer covariates or more sensors"
            )
        self.result_ = sm.OLS(yy, A).fit()
        self.diagnostics_ = regression_diagnostics(self.result_, ["const", *self.covariates])
        return self

    def predict(self, X: pd.DataFrame, return_std: bool = False) -> Any:
        A = _design(X, self.covariates)
        mean = A @ self.result_.params
        if not return_std:
            return mean
        cov = self.result_.cov_params()
        se = np.sqrt(np.einsum("ij,jk,ik->i", A, cov, A))
        return mean, se


def regression_diagnostics(result: Any, names: Sequence[str]) -> dict[str, Any]:
    """R², coefficients with p-values, condition number and residual tests of an OLS fit."""
    from statsmodels.stats.diagnostic import het_breuschpagan
    from statsmodels.stats.stattools import jarque_bera

    out: dict[str, Any] = {
        "n": int(result.nobs),
        "r2": float(result.rsquared),
        "r2_adj": float(result.rsquared_adj),
        "aic": float(result.aic),
        "condition_number": float(result.condition_number),
        "coefficients": {
            n: {"estimate": float(b), "se": float(s), "p": float(p)}
            for n, b, s, p in zip(names, result.params, result.bse, result.pvalues, strict=True)
        },
        "jarque_bera_p": float(jarque_bera(result.resid)[1]),
    }
    try:
        out["breusch_pagan_p"] = float(het_breuschpagan(result.resid, result.model.exog)[1])
    except (ValueError, np.linalg.LinAlgError):
        out["breusch_pagan_p"] = None
    return out


class RegressionKriging(RegressorMixin, BaseEstimator):
    """Regression on covariates plus kriging (Gaussian process) of the residuals.

    Parameters
    ----------
    covariates : sequence of str
        Columns of ``X`` used in the regression (may be empty: ordinary kriging of the
        demeaned target).
    length_scale : float
        Starting correlation length (m) of the residual field.
    length_scale_bounds : (float, float)
        Range (m) searched by maximum likelihood.
    n_restarts : int
        Extra optimiser starts (deterministic given ``random_state``).
    random_state : int
        Seed of the optimiser's restarts.
    kernel : sklearn kernel, optional
        A fitted covariance (``gp_.kernel_`` of another fit) to use as it is, without
        re-estimating it: classical kriging cross-validation fixes the covariance
        and re-solves only the regression and the kriging weights.

    Attributes
    ----------
    regression_ : CovariateRegression
    gp_ : sklearn.gaussian_process.GaussianProcessRegressor
        Fitted on the regression residuals (coordinates in km).
    kernel_params_ : dict
        ``sill``, ``length_scale_m`` and ``nugget`` of the fitted covariance.
    """

    def __init__(
        self,
        covariates: Sequence[str] = ("impervious",),
        length_scale: float = 1500.0,
        length_scale_bounds: tuple[float, float] = (150.0, 30_000.0),
        n_restarts: int = 2,
        random_state: int = 0,
        kernel: Any = None,
    ) -> None:
        self.covariates = covariates
        self.kernel = kernel
        self.length_scale = length_scale
        self.length_scale_bounds = length_scale_bounds
        self.n_restarts = n_restarts
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: Any) -> RegressionKriging:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        _xy(X)
        X, yy = _canonical(X, np.asarray(y, float))
        self.regression_ = CovariateRegression(self.covariates).fit(X, yy)
        resid = yy - self.regression_.predict(X)
        var = float(np.var(resid)) or 1e-6
        lo, hi = self.length_scale_bounds
        fixed = self.kernel is not None
        kernel = (
            self.kernel
            if fixed
            else ConstantKernel(var, (var * 1e-3, var * 1e2))
            * Matern(
                length_scale=self.length_scale / _KM,
                length_scale_bounds=(lo / _KM, hi / _KM),
                nu=1.5,
            )
            + WhiteKernel(var * 0.2, (var * 1e-4, var * 10))
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            self.gp_ = GaussianProcessRegressor(
                kernel=kernel,
                normalize_y=False,
                n_restarts_optimizer=0 if fixed else self.n_restarts,
                random_state=self.random_state,
                optimizer=None if fixed else "fmin_l_bfgs_b",
            ).fit(_xy(X) / _KM, resid)
        # a parameter at its bound is worth knowing, not worth a warning per CV fold
        self.at_bounds_ = sorted(
            {" ".join(m.groups()) for w in caught if (m := _AT_BOUND.search(str(w.message)))}
        )
        k = self.gp_.kernel_
        self.kernel_params_: dict[str, Any] = {
            "sill": float(k.k1.k1.constant_value),
            "length_scale_m": float(k.k1.k2.length_scale * _KM),
            "nugget": float(k.k2.noise_level),
            "at_bounds": self.at_bounds_,
        }
        return self

    def predict(self, X: pd.DataFrame, return_std: bool = False) -> Any:
        reg = self.regression_.predict(X, return_std=return_std)
        reg_mean, reg_se = reg if return_std else (reg, None)
        q = _xy(X) / _KM
        signal = self.gp_.kernel_.k1  # the residual field without the nugget
        train = self.gp_.X_train_
        mean = np.empty(len(q))
        var = np.empty(len(q)) if return_std else None
        for a in range(0, len(q), _CHUNK):
            Ks = signal(q[a : a + _CHUNK], train)
            mean[a : a + _CHUNK] = Ks @ self.gp_.alpha_
            if var is not None:
                v = solve_triangular(self.gp_.L_, Ks.T, lower=True, check_finite=False)
                var[a : a + _CHUNK] = signal.diag(q[a : a + _CHUNK]) - (v * v).sum(axis=0)
        mean += reg_mean
        if var is None:
            return mean
        se = np.sqrt(np.clip(var, 0, None) + reg_se**2)
        return mean, se


def covariates_at(
    points: pd.DataFrame, grid: pd.DataFrame, columns: Sequence[str], *, max_distance: float
) -> pd.DataFrame:
    """Grid covariates and ``cell_id`` of the cell nearest each point (``x``, ``y``).

    Points farther than ``max_distance`` (m) from every cell centre get NaN and
    ``cell_id`` missing (outside the grid).
    """
    tree = cKDTree(grid[["x", "y"]].to_numpy(float))
    d, i = tree.query(_xy(points))
    inside = d <= max_distance
    vals = grid[list(columns)].to_numpy(float)[i]
    vals[~inside] = np.nan
    out = pd.DataFrame(vals, columns=list(columns), index=points.index)
    ids = grid["cell_id"].to_numpy(object)[i].copy()
    ids[~inside] = None
    out["cell_id"] = ids
    return out
