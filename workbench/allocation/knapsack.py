"""Optimal allocation: the set of projects with the largest total score within budget.

A 0/1 knapsack solved exactly as a mixed-integer linear programme (HiGHS through
``scipy.optimize.milp``), with optional constraints that Gelsenkirchen's earlier
district budget used: a minimum and maximum share of the money per district (e.g.
by population) and caps per category. Among optimal sets the solver's choice is made
deterministic by a tiny tie-breaking bonus in ``tie_order``.

>>> optimal(np.array([60.0, 50.0, 40.0]), np.array([6.0, 5.0, 4.5]), 100.0).tolist()
[True, False, True]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


class Infeasible(ValueError):
    """No allocation satisfies the constraints (e.g. district minimums above the budget)."""


def optimal(
    costs: np.ndarray,
    score: np.ndarray,
    budget: float,
    *,
    groups: pd.Series | np.ndarray | None = None,
    min_share: Mapping[str, float] | None = None,
    max_share: Mapping[str, float] | None = None,
    categories: pd.Series | np.ndarray | None = None,
    category_cap: Mapping[str, float] | None = None,
    tie_order: np.ndarray | None = None,
) -> np.ndarray:
    """Maximise Σ score over funded projects subject to Σ cost ≤ budget.

    Parameters
    ----------
    groups : array of str, optional
        District of each project; ``min_share``/``max_share`` give, per district, the
        least and most share of ``budget`` its projects may receive. A minimum is only
        binding as far as the district's projects can reach it (a district whose
        projects cost less than its minimum gets all of them).
    categories, category_cap : optional
        Category of each project and the largest share of the budget per category.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    costs = np.asarray(costs, float)
    score = np.asarray(score, float)
    m = costs.size
    if m == 0:
        return np.zeros(0, bool)
    if not np.isfinite(score).all():
        raise ValueError("scores must be finite")
    order = np.arange(m) if tie_order is None else np.asarray(tie_order, float)
    # deterministic among equal optima: prefer earlier projects by a bonus far below any gap
    scale = max(float(np.abs(score).max()), 1e-12)
    bonus = 1e-7 * scale * (m - order) / m
    rows, lo, hi = [costs], [0.0], [budget]
    if groups is not None:
        g = np.asarray(groups, dtype=object)
        for name in set(min_share or {}) | set(max_share or {}):
            mask = (g == name).astype(float)
            reach = float(costs[g == name].sum())
            lo_v = min((min_share or {}).get(name, 0.0) * budget, reach)
            hi_v = (max_share or {}).get(name, 1.0) * budget
            rows.append(costs * mask)
            lo.append(lo_v)
            hi.append(hi_v)
    if categories is not None and category_cap:
        c = np.asarray(categories, dtype=object)
        for name, cap in category_cap.items():
            rows.append(costs * (c == name))
            lo.append(0.0)
            hi.append(cap * budget)
    res = milp(
        c=-(score + bonus),
        constraints=LinearConstraint(np.vstack(rows), lo, hi),
        integrality=np.ones(m),
        bounds=Bounds(0, 1),
    )
    if res.status != 0 or res.x is None:
        raise Infeasible(f"no allocation satisfies the constraints ({res.message})")
    return res.x > 0.5
