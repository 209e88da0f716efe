"""Hot and cold spots: local Getis-Ord Gi* with permutation inference and FDR control.

Gi* (Getis & Ord 1992; Ord & Getis 1995) compares the sum of values within a distance
band around each cell (the cell included) with what random placement of the values
would give. Inference is by conditional permutation (esda, ``permutations`` draws from a
fixed ``seed``), two-sided, and the Benjamini–Hochberg procedure controls the
false-discovery rate over all cells: a cell is a hot spot when its FDR-adjusted p-value
is at most ``alpha`` and its z is positive, a cold spot when z is negative.

Examples
--------
>>> import numpy as np
>>> xx, yy = np.meshgrid(np.arange(20) * 100.0, np.arange(20) * 100.0)
>>> xy = np.column_stack([xx.ravel(), yy.ravel()])
>>> v = np.exp(-((xy - 500) ** 2).sum(axis=1) / 2e5)     # one bump at (500, 500)
>>> h = gi_star(v, xy, distance=250, permutations=199, seed=1)
>>> bool(h["hotspot"].iloc[5 * 20 + 5]), bool(h["hotspot"].iloc[19 * 20 + 19])
(True, False)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree


def distance_band(xy: np.ndarray, distance: float) -> sparse.csr_matrix:
    """Binary weights: 1 for pairs of distinct points at most ``distance`` apart."""
    if distance <= 0:
        raise ValueError(f"distance must be positive, got {distance}")
    tree = cKDTree(np.asarray(xy, float))
    d = tree.sparse_distance_matrix(tree, distance * (1 + 1e-9), output_type="coo_matrix")
    keep = d.row != d.col
    return sparse.csr_matrix(
        (np.ones(int(keep.sum())), (d.row[keep], d.col[keep])), shape=(len(xy), len(xy))
    )


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """FDR-adjusted p-values (Benjamini–Hochberg step-up), in (0, 1].

    >>> benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5])).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, float)
    if p.size == 0:
        return p
    return np.clip(multipletests(p, method="fdr_bh")[1], 0, 1)


def gi_star(
    values: np.ndarray,
    xy: np.ndarray,
    *,
    distance: float = 500.0,
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Local Gi* with permutation p-values and FDR-controlled hot/cold spots.

    Parameters
    ----------
    values : array (n,)
        The surface (e.g. predicted nocturnal UHI of every grid cell). Must be finite.
    xy : array (n, 2)
        Coordinates in metres.
    distance : float
        Neighbourhood radius (m); binary weights, the cell itself included (Gi*).
    permutations : int
        Conditional permutations; p-values are at least ``2 / (permutations + 1)``.
    seed : int
        Seed of the permutations: the same inputs and seed give the same result.
    alpha : float
        False-discovery rate.

    Returns
    -------
    DataFrame
        ``gi_z`` (z of the observed Gi* against its permutation distribution), ``gi_p``
        (two-sided permutation p), ``gi_p_fdr`` (BH-adjusted), ``hotspot``,
        ``coldspot`` (bool), ``confidence`` (0, 90, 95 or 99: the highest level at which
        the cell is significant after FDR).
    """
    v = np.asarray(values, float)
    xy = np.asarray(xy, float)
    if v.ndim != 1 or xy.shape != (v.size, 2):
        raise ValueError(f"values must be (n,) and xy (n, 2); got {v.shape} and {xy.shape}")
    if not np.isfinite(v).all():
        raise ValueError("values contain NaN or infinite entries; drop those cells first")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if permutations < 19:
        raise ValueError(f"permutations must be at least 19, got {permutations}")
    n = v.size
    cols = ["gi_z", "gi_p", "gi_p_fdr", "hotspot", "coldspot", "confidence"]
    if n < 3 or np.ptp(v) == 0:
        return pd.DataFrame(
            {
                "gi_z": np.zeros(n),
                "gi_p": np.ones(n),
                "gi_p_fdr": np.ones(n),
                "hotspot": np.zeros(n, bool),
                "coldspot": np.zeros(n, bool),
                "confidence": np.zeros(n, int),
            }
        )[cols]
    import esda
    from libpysal.graph import Graph

    w = Graph.from_sparse(distance_band(xy, distance))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands and numba-less fallbacks are expected
        g = esda.G_Local(
            v, w, transform="B", star=True, permutations=permutations, seed=seed, n_jobs=1
        )
    z = np.nan_to_num(np.asarray(g.z_sim, float))
    p = np.clip(2 * np.asarray(g.p_sim, float), 2 / (permutations + 1), 1.0)
    p_fdr = benjamini_hochberg(p)
    conf = np.select([p_fdr <= 0.01, p_fdr <= 0.05, p_fdr <= 0.10], [99, 95, 90], 0)
    sig = p_fdr <= alpha
    return pd.DataFrame(
        {
            "gi_z": z,
            "gi_p": p,
            "gi_p_fdr": p_fdr,
            "hotspot": sig & (z > 0),
            "coldspot": sig & (z < 0),
            "confidence": conf,
        }
    )[cols]
