"""Cross-validation of spatial models: leave-one-sensor-out and spatial blocks.

Leave-one-sensor-out (LOSO) tells how well the model predicts at a new site between
existing sensors; spatial-block CV removes whole blocks of the city at once (default
2 km squares), so spatial autocorrelation cannot flatter the score. Every model is
always scored beside the two baselines (inverse-distance weighting and covariates-only
regression) on the same folds.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from workbench.models.spatial import IDW
>>> X = pd.DataFrame({"x": np.arange(10.0) * 100, "y": np.zeros(10)})
>>> pred = cross_predict(IDW(), X, np.arange(10.0), loso_groups(10))
>>> round(float(pred[5]), 2)
4.93
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone


def loso_groups(n: int) -> np.ndarray:
    """One group per sensor (leave-one-sensor-out)."""
    return np.arange(n)


def block_groups(X: pd.DataFrame, block_size: float = 2000.0) -> np.ndarray:
    """Group id of the ``block_size`` × ``block_size`` m square each point lies in."""
    if block_size <= 0:
        raise ValueError(f"block_size must be positive, got {block_size}")
    bx = np.floor(X["x"].to_numpy(float) / block_size).astype(np.int64)
    by = np.floor(X["y"].to_numpy(float) / block_size).astype(np.int64)
    _, ids = np.unique(np.column_stack([bx, by]), axis=0, return_inverse=True)
    return ids.ravel()


def cross_predict(estimator: Any, X: pd.DataFrame, y: Any, groups: np.ndarray) -> np.ndarray:
    """Out-of-fold prediction for each point: fit without its group, predict it.

    Groups whose removal leaves too few points for the estimator get NaN.
    """
    y = np.asarray(y, float)
    pred = np.full(len(y), np.nan)
    for g in np.unique(groups):
        test = groups == g
        try:
            m = clone(estimator).fit(X.loc[~test], y[~test])
        except ValueError:
            continue
        pred[test] = m.predict(X.loc[test])
    return pred


def scores(y: Any, pred: Any) -> dict[str, float]:
    """RMSE, MAE, bias and R² (1 − SSE/SST) over the finite predictions."""
    y, pred = np.asarray(y, float), np.asarray(pred, float)
    ok = np.isfinite(pred) & np.isfinite(y)
    e = pred[ok] - y[ok]
    sst = float(((y[ok] - y[ok].mean()) ** 2).sum())
    return {
        "rmse": float(np.sqrt(np.mean(e**2))) if ok.any() else float("nan"),
        "mae": float(np.mean(np.abs(e))) if ok.any() else float("nan"),
        "bias": float(np.mean(e)) if ok.any() else float("nan"),
        "r2": float(1 - (e**2).sum() / sst) if sst > 0 else float("nan"),
        "n": int(ok.sum()),
    }


def validate(
    models: Mapping[str, Any],
    X: pd.DataFrame,
    y: Any,
    *,
    block_size: float = 2000.0,
) -> dict[str, Any]:
    """Score each named model by LOSO and spatial-block CV.

    A model may be given as ``{"loso": est, "block": est}`` to use a different
    estimator per scheme (e.g. a fixed covariance for LOSO).

    Returns
    -------
    dict
        ``{"loso": {name: scores}, "block": {name: scores}, "block_size_m": …,
        "n_blocks": …, "predictions": DataFrame}`` with the out-of-fold predictions.
    """
    schemes = {"loso": loso_groups(len(X)), "block": block_groups(X, block_size)}
    out: dict[str, Any] = {"block_size_m": block_size, "n_blocks": int(schemes["block"].max() + 1)}
    preds = pd.DataFrame(index=X.index)
    for scheme, groups in schemes.items():
        out[scheme] = {}
        for name, est in models.items():
            if isinstance(est, Mapping):
                est = est[scheme]
            p = cross_predict(est, X, y, groups)
            preds[f"{scheme}_{name}"] = p
            out[scheme][name] = scores(y, p)
    out["predictions"] = preds
    return out


def improvement(cv: Mapping[str, Any], model: str, baselines: list[str]) -> dict[str, Any]:
    """How much ``model`` lowers the CV RMSE against each baseline, per scheme (percent).

    ``beats_all`` is True when the model's RMSE is lower than every baseline's under
    both schemes.
    """
    out: dict[str, Any] = {}
    beats = True
    for scheme in ("loso", "block"):
        m = cv[scheme][model]["rmse"]
        for b in baselines:
            r = cv[scheme][b]["rmse"]
            out[f"{scheme}_vs_{b}_pct"] = float(100 * (r - m) / r) if r > 0 else float("nan")
            beats &= bool(m < r)
    out["beats_all"] = beats
    return out
