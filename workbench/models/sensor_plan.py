"""Where should new sensors go? Greedy variance reduction of the heat model's Gaussian
process at the funded proposals, plus comparable control sites for their evaluation.

The heat model's residual field is a Gaussian process (Matérn 3/2, sill, length scale,
nugget from the fitted run, ``metrics.json``). Conditioning on the existing sensors gives
the predictive variance at every place; adding a sensor at ``c`` lowers the variance at a
target ``t`` by ``cov(t, c | S)² / (var(c | S) + nugget)``. The greedy rule adds, one at a
time, the candidate cell that lowers the summed variance at the targets (the funded
proposal sites) most, then conditions on it (Krause, Singh & Guestrin 2008 show greedy
variance reduction is near-optimal for such objectives).

Control sites are chosen apart: cells at least ``control_gap_m`` from every target and
existing sensor whose land cover (sealed, green share) is closest to the targets', spread
at least 1 km apart, so a before/after comparison has controls like the treated sites.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist


@dataclass(frozen=True)
class Kernel:
    """Matérn 3/2 covariance with a nugget (the heat model's fitted residual GP)."""

    sill: float
    length_scale_m: float
    nugget: float

    def __call__(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        d = cdist(a, b) / self.length_scale_m
        s3 = np.sqrt(3.0) * d
        return self.sill * (1.0 + s3) * np.exp(-s3)


def posterior_variance(kernel: Kernel, sensors: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Predictive variance of the latent field at ``targets`` given sensors at ``sensors``."""
    if len(sensors) == 0:
        return np.full(len(targets), kernel.sill)
    k_ss = kernel(sensors, sensors) + kernel.nugget * np.eye(len(sensors))
    chol = np.linalg.cholesky(k_ss)
    v = np.linalg.solve(chol, kernel(sensors, targets))
    return np.maximum(kernel.sill - (v * v).sum(axis=0), 0.0)


def greedy_sites(
    kernel: Kernel,
    sensors: np.ndarray,
    targets: np.ndarray,
    candidates: np.ndarray,
    k: int,
) -> tuple[list[int], list[float]]:
    """Indices of ``k`` candidates chosen greedily, and the summed target variance after each.

    Examples
    --------
    >>> kern = Kernel(sill=1.0, length_scale_m=500.0, nugget=0.01)
    >>> targets = np.array([[0.0, 0.0], [3000.0, 0.0]])
    >>> cand = np.array([[0.0, 10.0], [1500.0, 0.0], [3000.0, 10.0], [9000.0, 0.0]])
    >>> idx, var = greedy_sites(kern, np.empty((0, 2)), targets, cand, 2)
    >>> sorted(idx), round(var[-1], 3)
    ([0, 2], 0.022)
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    n_s = len(sensors)
    # innovations: rows v_j with cov(a, b | S) = k(a, b) - Σ_j v_j(a) v_j(b)
    pts = np.vstack([targets, candidates])
    if n_s:
        k_ss = kernel(sensors, sensors) + kernel.nugget * np.eye(n_s)
        chol = np.linalg.cholesky(k_ss)
        v = np.linalg.solve(chol, kernel(sensors, pts))
    else:
        v = np.zeros((0, len(pts)))
    nt = len(targets)
    prior_diag = np.full(len(pts), kernel.sill)
    var = prior_diag - (v * v).sum(axis=0)
    chosen: list[int] = []
    history: list[float] = []
    for _ in range(min(k, len(candidates))):
        # cov(targets, candidates | S): k(T, C) − Vᵀ_T V_C
        cov_tc = kernel(targets, candidates) - v[:, :nt].T @ v[:, nt:]
        gain = (cov_tc**2).sum(axis=0) / (var[nt:] + kernel.nugget)
        gain[chosen] = -np.inf
        j = int(np.argmax(gain))
        chosen.append(j)
        c = candidates[j : j + 1]
        cov_c_all = kernel(c, pts)[0] - v[:, nt + j] @ v
        row = cov_c_all / np.sqrt(var[nt + j] + kernel.nugget)
        v = np.vstack([v, row])
        var = var - row * row
        history.append(float(np.maximum(var[:nt], 0).sum()))
    return chosen, history


def control_sites(
    cells: pd.DataFrame,
    targets: np.ndarray,
    sensors: np.ndarray,
    k: int,
    *,
    control_gap_m: float = 1000.0,
    spacing_m: float = 1000.0,
    covariates: tuple[str, ...] = ("impervious", "green"),
    target_cells: pd.DataFrame | None = None,
) -> list[int]:
    """Row positions in ``cells`` of ``k`` control sites (see the module docstring)."""
    if k <= 0:
        return []
    xy = cells[["x", "y"]].to_numpy(float)
    far = np.ones(len(cells), dtype=bool)
    for pts, gap in ((targets, control_gap_m), (sensors, 300.0)):
        if len(pts):
            far &= cdist(xy, pts).min(axis=1) > gap
    ref = target_cells if target_cells is not None else cells.iloc[:0]
    cols = [c for c in covariates if c in cells]
    if len(ref) and cols:
        dist = sum((cells[c] - ref[c].mean()).abs() for c in cols).to_numpy(float)
    else:
        dist = np.zeros(len(cells))
    order = [i for i in np.argsort(dist, kind="stable") if far[i]]
    chosen: list[int] = []
    for i in order:
        if all(np.hypot(*(xy[i] - xy[j])) >= spacing_m for j in chosen):
            chosen.append(int(i))
        if len(chosen) == k:
            break
    return chosen
