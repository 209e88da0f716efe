"""The inner loop of the Method of Equal Shares, compiled with numba.

Kept apart from :mod:`workbench.allocation.equal_shares` so the algorithm reads in
plain Python there; this kernel does exactly the same steps on CSR arrays
(``indptr``/``indices``: the supporters of each project) and is what runs. Its
equivalence with the readable version is tested.
"""

from __future__ import annotations

import numpy as np
from numba import njit

EPS = 1e-9


@njit(cache=True)
def price(b: np.ndarray, sup: np.ndarray, cost: float, utility: float) -> float:  # pragma: no cover
    """Lowest ρ at which supporters ``sup`` with budgets ``b`` cover ``cost``; inf if never."""
    k = sup.size
    if k == 0:
        return np.inf
    s = np.empty(k)
    total = 0.0
    for t in range(k):
        s[t] = b[sup[t]]
        total += s[t]
    if total < cost * (1 - EPS):
        return np.inf
    s.sort()
    paid = 0.0
    for j in range(k):
        share = (cost - paid) / (k - j)
        if share <= s[j] * (1 + EPS):
            return share / utility
        paid += s[j]
    return (cost - paid + s[k - 1]) / utility  # unreachable in exact arithmetic


@njit(cache=True)
def mes_kernel(
    indptr: np.ndarray,
    indices: np.ndarray,
    costs: np.ndarray,
    util: np.ndarray,
    order: np.ndarray,
    b: np.ndarray,
    active: np.ndarray,
) -> np.ndarray:  # pragma: no cover
    """Run MES from budgets ``b`` (modified) over the ``active`` projects; funded mask."""
    m = costs.size
    funded = np.zeros(m, dtype=np.bool_)
    lower = np.full(m, np.inf)
    for p in range(m):
        if active[p]:
            lower[p] = costs[p] / ((indptr[p + 1] - indptr[p]) * util[p])
    alive = active.copy()
    seen = np.zeros(m, dtype=np.bool_)
    while True:
        best = -1
        best_rho = np.inf
        seen[:] = False
        while True:
            # the unevaluated live project with the smallest (lower bound, tie order)
            p = -1
            for q in range(m):
                if alive[q] and not seen[q]:
                    if (
                        p < 0
                        or lower[q] < lower[p]
                        or (lower[q] == lower[p] and order[q] < order[p])
                    ):
                        p = q
            if p < 0 or lower[p] > best_rho * (1 + EPS):
                break
            seen[p] = True
            rho = price(b, indices[indptr[p] : indptr[p + 1]], costs[p], util[p])
            if not np.isfinite(rho):
                alive[p] = False  # budgets only shrink: it can never become affordable
                continue
            lower[p] = rho
            if (
                best < 0
                or rho < best_rho * (1 - EPS)
                or (rho <= best_rho * (1 + EPS) and order[p] < order[best])
            ):
                best_rho = rho if best < 0 else min(rho, best_rho)
                best = p
        if best < 0:
            break
        pay = best_rho * util[best]
        for t in range(indptr[best], indptr[best + 1]):
            v = indices[t]
            b[v] -= min(b[v], pay)
        funded[best] = True
        alive[best] = False
    return funded
