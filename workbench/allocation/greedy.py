"""Greedy allocation: fund projects in order of a score, skipping what does not fit.

``votes_greedy`` — what CONSUL's results computation and most cities do — is this rule
with the vote count as score. Ties in the score are broken by ``tie_order`` (default:
the project index; :func:`text_order` gives pabutools' lexicographic order by id).

>>> greedy(np.array([60.0, 50.0, 30.0]), np.array([10, 9, 8]), 100.0).tolist()
[True, False, True]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def text_order(ids: Sequence[object]) -> np.ndarray:
    """Rank of each id in lexicographic order of its text (0 first)."""
    keys = [str(i) for i in ids]
    order = sorted(range(len(keys)), key=lambda k: keys[k])
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    return rank


def greedy(
    costs: np.ndarray,
    score: np.ndarray,
    budget: float,
    *,
    tie_order: np.ndarray | None = None,
    initial: np.ndarray | None = None,
) -> np.ndarray:
    """Fund by descending ``score``; a project that no longer fits is skipped.

    ``initial`` (bool mask) is kept and its cost counted first (greedy completion).
    """
    costs = np.asarray(costs, float)
    score = np.asarray(score, float)
    if costs.shape != score.shape:
        raise ValueError(f"costs and score differ in length: {costs.size} vs {score.size}")
    if budget < 0 or not np.isfinite(budget):
        raise ValueError(f"budget must be a non-negative number, got {budget}")
    if (costs < 0).any():
        raise ValueError("costs must be non-negative")
    m = costs.size
    order = np.arange(m) if tie_order is None else np.asarray(tie_order)
    funded = np.zeros(m, bool) if initial is None else np.asarray(initial, bool).copy()
    left = budget - costs[funded].sum()
    for p in sorted(range(m), key=lambda q: (-score[q], order[q])):
        if not funded[p] and costs[p] <= left + 1e-9 * max(budget, 1.0):
            funded[p] = True
            left -= costs[p]
    return funded
