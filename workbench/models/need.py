"""The need index: where green measures are needed most, with rank intervals.

Five indicators per cell (or area), each normalised to [0, 1] and combined by weights
from ``workbench.toml`` (``[need.weights]``) following composite-indicator practice
(OECD/JRC Handbook, 2008):

* ``heat`` — heat hazard: modelled nocturnal urban heat island (K);
* ``air`` — air hazard: modelled PM2.5 period mean (µg/m³);
* ``green_deficit`` — ``1 − green`` share of the cell;
* ``exposure`` — residents;
* ``vulnerability`` — share of residents aged 65+ or under 6, shrunk towards the city
  share in thinly populated cells (``(v + k·s) / (p + k)`` with ``k = 10`` people), so a
  cell with one pensioner does not top the list.

The index is ``Σ wᵢ·nᵢ / Σ wᵢ`` with the normalised indicators ``nᵢ``, so it lies in
[0, 1]; ``need_rank`` 1 is the highest need. Monte-Carlo sensitivity analysis
(:func:`need_sensitivity`) redraws (a) the weights from a Dirichlet distribution centred
on the configured ones, (b) the normalisation (min–max, percentile rank, or min–max
after winsorising at the 5th/95th percentiles), and (c) the hazards within their model
standard errors; ``need_rank_lo``/``need_rank_hi`` are the 5th/95th percentiles of the
ranks over the draws.

Examples
--------
>>> import pandas as pd
>>> ind = pd.DataFrame({"heat": [0.0, 1.0, 2.0], "air": [8.0, 9.0, 12.0],
...                     "green_deficit": [0.2, 0.5, 0.9], "exposure": [10, 200, 50],
...                     "vulnerability": [0.2, 0.3, 0.25]})
>>> idx = need_index(ind, DEFAULT_WEIGHTS)
>>> idx.round(3).tolist(), need_rank(idx).tolist()
([0.0, 0.586, 0.807], [3, 2, 1])
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

INDICATORS = ["heat", "air", "green_deficit", "exposure", "vulnerability"]
DEFAULT_WEIGHTS = {
    "heat": 0.30,
    "air": 0.20,
    "green_deficit": 0.20,
    "exposure": 0.15,
    "vulnerability": 0.15,
}
NORMALISATIONS = ("minmax", "rank", "winsor")
SHRINK_PEOPLE = 10.0


def normalise(x: np.ndarray, method: str = "minmax") -> np.ndarray:
    """Map values to [0, 1]; a constant indicator maps to 0 everywhere.

    >>> normalise(np.array([1.0, 2.0, 5.0])).tolist()
    [0.0, 0.25, 1.0]
    >>> normalise(np.array([1.0, 2.0, 5.0]), "rank").tolist()
    [0.0, 0.5, 1.0]
    """
    x = np.asarray(x, float)
    if method == "winsor":
        lo, hi = np.nanpercentile(x, [5, 95]) if x.size else (0.0, 0.0)
        x = np.clip(x, lo, hi)
        method = "minmax"
    if method == "minmax":
        lo, hi = (np.nanmin(x), np.nanmax(x)) if x.size else (0.0, 0.0)
        return np.zeros_like(x) if hi <= lo else (x - lo) / (hi - lo)
    if method == "rank":
        if x.size < 2:
            return np.zeros_like(x)
        r = pd.Series(x).rank(method="average").to_numpy()
        return (r - 1) / (x.size - 1)
    raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {method!r}")


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Validate weights: known indicator names, non-negative, not all zero."""
    unknown = set(weights) - set(INDICATORS)
    if unknown:
        raise ValueError(f"unknown need weight(s) {sorted(unknown)}; allowed: {INDICATORS}")
    w = {k: float(weights.get(k, 0.0)) for k in INDICATORS}
    if any(v < 0 or not np.isfinite(v) for v in w.values()):
        raise ValueError(f"need weights must be finite and non-negative, got {w}")
    if sum(w.values()) <= 0:
        raise ValueError("need weights must not all be zero")
    return w


def indicators(
    frame: pd.DataFrame,
    *,
    heat: str = "heat_uhi_k",
    air: str = "pm2_5_ugm3",
    city_vulnerable_share: float | None = None,
) -> pd.DataFrame:
    """The five raw indicators from a cell or area table.

    ``frame`` needs ``green``, ``population``, ``pop_65plus``, ``pop_under6`` and the
    hazard columns named by ``heat`` and ``air`` (a missing hazard column gives NaN,
    which :func:`need_index` treats as the indicator being unavailable).
    """
    missing = {"green", "population", "pop_65plus", "pop_under6"} - set(frame.columns)
    if missing:
        raise ValueError(f"need indicators require columns {sorted(missing)}")
    pop = frame["population"].to_numpy(float)
    vul = frame["pop_65plus"].to_numpy(float) + frame["pop_under6"].to_numpy(float)
    s = city_vulnerable_share
    if s is None:
        s = float(vul.sum() / pop.sum()) if pop.sum() > 0 else 0.0
    nan = np.full(len(frame), np.nan)
    return pd.DataFrame(
        {
            "heat": frame[heat].to_numpy(float) if heat in frame else nan,
            "air": frame[air].to_numpy(float) if air in frame else nan,
            "green_deficit": 1.0 - frame["green"].to_numpy(float),
            "exposure": pop,
            "vulnerability": (vul + SHRINK_PEOPLE * s) / (pop + SHRINK_PEOPLE),
        },
        index=frame.index,
    )


def need_index(
    ind: pd.DataFrame, weights: Mapping[str, float], normalisation: str = "minmax"
) -> pd.Series:
    """Weighted mean of the normalised indicators, in [0, 1].

    An indicator that is entirely missing (e.g. no air model) drops out and the other
    weights are renormalised; single missing values count as 0 (no evidence of need).
    """
    w = check_weights(weights)
    num = np.zeros(len(ind))
    total = 0.0
    for k in INDICATORS:
        if w[k] == 0 or k not in ind or ind[k].isna().all():
            continue
        num += w[k] * np.nan_to_num(normalise(ind[k].to_numpy(float), normalisation))
        total += w[k]
    if total == 0:
        raise ValueError("no indicator with a positive weight has data")
    return pd.Series(np.clip(num / total, 0.0, 1.0), index=ind.index, name="need_index")


def need_rank(index: pd.Series) -> pd.Series:
    """Rank 1 = highest need; ties share the best rank."""
    return index.rank(ascending=False, method="min").astype(int).rename("need_rank")


def need_draws(
    ind: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    heat_se: np.ndarray | None = None,
    air_se: np.ndarray | None = None,
    draws: int = 500,
    concentration: float = 20.0,
    normalisations: tuple[str, ...] = NORMALISATIONS,
    seed: int = 0,
) -> np.ndarray:
    """Monte-Carlo draws of the need index, shape ``(draws, len(ind))``.

    Each draw takes weights from ``Dirichlet(concentration·w)``, one normalisation at
    random, and the hazards perturbed by independent normal noise of their standard
    errors. The same inputs and seed give the same draws.
    """
    w = check_weights(weights)
    if draws < 1:
        raise ValueError(f"draws must be positive, got {draws}")
    bad = set(normalisations) - set(NORMALISATIONS)
    if bad:
        raise ValueError(f"unknown normalisation(s) {sorted(bad)}; allowed: {NORMALISATIONS}")
    rng = np.random.default_rng(seed)
    active = [k for k in INDICATORS if w[k] > 0 and k in ind and not ind[k].isna().all()]
    if not active:
        raise ValueError("no indicator with a positive weight has data")
    base = np.array([w[k] for k in active])
    alpha = concentration * base / base.sum()
    n = len(ind)
    values = np.empty((draws, n))
    se = {"heat": heat_se, "air": air_se}
    for d in range(draws):
        ww = rng.dirichlet(alpha)
        norm = normalisations[int(rng.integers(len(normalisations)))]
        acc = np.zeros(n)
        for wk, k in zip(ww, active, strict=True):
            x = ind[k].to_numpy(float)
            if se.get(k) is not None:
                x = x + rng.standard_normal(n) * np.nan_to_num(np.asarray(se[k], float))
            acc += wk * np.nan_to_num(normalise(x, norm))
        values[d] = acc
    return values


def rank_interval(values: np.ndarray, *, higher_is_better: bool = True) -> pd.DataFrame:
    """5th/50th/95th percentile of each item's rank over draws (rows) of its value."""
    draws, n = values.shape
    ranks = np.empty((draws, n), dtype=np.int32)
    for d in range(draws):
        order = np.argsort(-values[d] if higher_is_better else values[d], kind="stable")
        ranks[d, order] = np.arange(1, n + 1)
    lo, med, hi = np.percentile(ranks, [5, 50, 95], axis=0)
    return pd.DataFrame(
        {
            "rank_lo": np.floor(lo).astype(int),
            "rank_hi": np.ceil(hi).astype(int),
            "rank_median": med,
        }
    )


def need_sensitivity(
    ind: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    heat_se: np.ndarray | None = None,
    air_se: np.ndarray | None = None,
    draws: int = 500,
    concentration: float = 20.0,
    normalisations: tuple[str, ...] = NORMALISATIONS,
    seed: int = 0,
) -> pd.DataFrame:
    """Monte-Carlo rank intervals over weights, normalisation and hazard uncertainty.

    Parameters
    ----------
    heat_se, air_se : arrays, optional
        Standard errors of the hazards; each draw perturbs them by independent normal
        noise (omit to hold the hazards fixed).
    draws : int
        Number of Monte-Carlo draws.
    concentration : float
        Dirichlet concentration: weights are drawn from ``Dirichlet(concentration·w)``
        (about ±30 % relative spread of a 0.2 weight at the default 20).
    seed : int
        Seed: the same inputs and seed give the same intervals.

    Returns
    -------
    DataFrame
        ``need_rank_lo``, ``need_rank_hi`` (5th/95th percentile), ``need_rank_median``
        and ``need_index_sd`` over the draws.
    """
    values = need_draws(
        ind, weights, heat_se=heat_se, air_se=air_se, draws=draws,
        concentration=concentration, normalisations=normalisations, seed=seed,
    )  # fmt: skip
    r = rank_interval(values)
    return pd.DataFrame(
        {
            "need_rank_lo": r["rank_lo"].to_numpy(),
            "need_rank_hi": r["rank_hi"].to_numpy(),
            "need_rank_median": r["rank_median"].to_numpy(),
            "need_index_sd": values.std(axis=0),
        },
        index=ind.index,
    )
