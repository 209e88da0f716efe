"""The Method of Equal Shares (MES) for approval ballots, with completion.

Every voter starts with an equal share of the budget. A project is *affordable* at
price-per-utility ρ when its supporters, each paying ``min(budget_i, ρ·u_p)``, together
cover its cost; in each round the project with the lowest ρ is funded and its
supporters pay. With cost utilities (``u_p = cost_p``, the default; Peters, Pierczyński
& Skowron 2021) a supporter pays at most an equal share of the cost.

Completion (what equalshares.net and Wieliczka's 2023 green budget use): MES alone
often leaves money unspent, so the voters' initial budget is raised by
``increment`` per voter ("Add1") until the outcome would exceed the real budget or no
further project fits; the last feasible outcome is then completed greedily by
votes. Ties are broken by a fixed order of the projects (by default their ids as
text, as pabutools' lexicographic tie-breaking does).

The computation uses floating point with relative tolerance ``1e-9`` where exact
rational arithmetic (pabutools) decides ties and affordability; on every real
pabulib file in the test suite both give the same outcome.

Examples
--------
>>> costs = np.array([60.0, 50.0, 40.0])
>>> supporters = [np.array([0, 1]), np.array([2]), np.array([1, 2, 3])]
>>> mes(costs, supporters, n_voters=4, budget=100.0).tolist()
[False, False, True]
>>> equal_shares(costs, supporters, n_voters=4, budget=100.0, votes=np.array([2, 1, 3])).tolist()
[True, False, True]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from workbench.allocation.greedy import greedy

EPS = 1e-9


def _price(budgets: np.ndarray, cost: float, utility: float) -> float:
    """Lowest ρ at which supporters with these budgets cover ``cost``; inf if they cannot."""
    k = budgets.size
    if k == 0:
        return np.inf
    total = budgets.sum()
    if total < cost * (1 - EPS):
        return np.inf
    s = np.sort(budgets)
    paid_before = np.concatenate(([0.0], np.cumsum(s[:-1])))
    share = (cost - paid_before) / (k - np.arange(k))  # payment cap if the first j pay all
    ok = share <= s * (1 + EPS)
    j = int(np.argmax(ok)) if ok.any() else k - 1
    return float(share[j] / utility)


def mes(
    costs: np.ndarray,
    supporters: Sequence[np.ndarray],
    *,
    n_voters: int,
    budget: float,
    utilities: np.ndarray | None = None,
    voter_budget: float | None = None,
    voter_weights: np.ndarray | None = None,
    tie_order: np.ndarray | None = None,
) -> np.ndarray:
    """One run of MES; returns a boolean mask of funded projects.

    Parameters
    ----------
    costs : array (m,)
    supporters : list of int arrays
        Voter indices approving each project.
    n_voters : int
        All voters who cast a ballot (empty ballots count: they own a share too).
    budget : float
        The budget split among the voters (``voter_budget`` overrides the per-voter share).
    utilities : array (m,), optional
        Utility of project p to each of its supporters (default: its cost).
    voter_weights : array (n,), optional
        Relative budget shares (default equal); normalised to sum to ``n_voters``.
    tie_order : array (m,), optional
        Rank of each project in the tie-breaking order (lower wins); default: index.
    """
    costs = np.asarray(costs, float)
    m = costs.size
    util = costs.copy() if utilities is None else np.asarray(utilities, float)
    order = np.arange(m) if tie_order is None else np.asarray(tie_order)
    share = budget / n_voters if voter_budget is None else voter_budget
    if voter_weights is None:
        b = np.full(n_voters, share, dtype=float)
    else:
        w = np.asarray(voter_weights, float)
        b = share * w * (n_voters / w.sum())
    funded = np.zeros(m, dtype=bool)
    active = [p for p in range(m) if len(supporters[p]) > 0 and util[p] > 0]
    for p in [p for p in range(m) if costs[p] <= 0 and len(supporters[p]) > 0]:
        funded[p] = True  # free projects cost nobody anything
    active = [p for p in active if not funded[p]]
    lower = {p: costs[p] / (len(supporters[p]) * util[p]) for p in active}
    while active:
        active.sort(key=lambda p: (lower[p], order[p]))
        best, best_rho = -1, np.inf
        keep = []
        for p in active:
            if lower[p] > best_rho * (1 + EPS):
                keep.append(p)
                continue
            rho = _price(b[supporters[p]], costs[p], util[p])
            if not np.isfinite(rho):
                continue  # can never become affordable again: budgets only shrink
            lower[p] = rho
            keep.append(p)
            if rho < best_rho * (1 - EPS) or (
                rho <= best_rho * (1 + EPS) and order[p] < order[best]
            ):
                best, best_rho = p, min(rho, best_rho) if best >= 0 else rho
        active = keep
        if best < 0:
            break
        sup = supporters[best]
        b[sup] -= np.minimum(b[sup], best_rho * util[best])
        funded[best] = True
        active.remove(best)
    return funded


def equal_shares(
    costs: np.ndarray,
    supporters: Sequence[np.ndarray],
    *,
    n_voters: int,
    budget: float,
    votes: np.ndarray | None = None,
    utilities: np.ndarray | None = None,
    voter_weights: np.ndarray | None = None,
    increment: float | None = 1.0,
    tie_order: np.ndarray | None = None,
    max_rounds: int = 1_000_000,
) -> np.ndarray:
    """MES with Add1 completion (``increment`` per voter) and greedy completion by votes.

    ``increment=None`` runs MES once, then completes greedily. ``votes`` (default: the
    number of supporters) order the greedy completion.
    """
    costs = np.asarray(costs, float)
    nsup = np.array([len(s) for s in supporters])
    supported = nsup > 0
    share = budget / n_voters
    current = mes(
        costs, supporters, n_voters=n_voters, budget=budget, utilities=utilities,
        voter_budget=share, voter_weights=voter_weights, tie_order=tie_order,
    )  # fmt: skip
    if increment is not None:
        if increment <= 0:
            raise ValueError(f"increment must be positive, got {increment}")
        for _ in range(max_rounds):
            spent = costs[current].sum()
            if spent > budget * (1 + EPS):
                raise AssertionError("unreachable: the first MES run is always feasible")
            if _exhaustive(costs, current, supported, budget):
                break
            share += increment
            nxt = mes(
                costs, supporters, n_voters=n_voters, budget=budget, utilities=utilities,
                voter_budget=share, voter_weights=voter_weights, tie_order=tie_order,
            )  # fmt: skip
            if costs[nxt].sum() > budget * (1 + EPS):
                break  # the previous outcome was the last feasible one
            current = nxt
    score = nsup.astype(float) if votes is None else np.asarray(votes, float)
    return greedy(costs, score, budget, tie_order=tie_order, initial=current)


def _exhaustive(
    costs: np.ndarray, funded: np.ndarray, supported: np.ndarray, budget: float
) -> bool:
    """No supported, unfunded project fits in what is left."""
    left = budget - costs[funded].sum()
    rest = costs[supported & ~funded]
    return bool(rest.size == 0 or rest.min() > left * (1 + EPS))
