"""All allocation methods side by side on one ranked proposal table.

Methods (``allocation.parquet``: ``method, proposal_id, selected, cost_eur``):

* ``votes_greedy`` — by votes, skipping what does not fit (what CONSUL computes);
* ``need_optimal`` — the largest total need-based ``score`` within budget (exact
  knapsack), optionally with per-district minimum/maximum shares and category caps;
* ``equal_shares`` — Method of Equal Shares on the ballots (cost utilities, Add1 and
  greedy completion);
* ``equal_shares_need`` — the need-informed variant: measured need joins the vote as a
  constituency of its own. A share ``need_share`` of the budget (30 % by default) is
  held by virtual voters who approve every proposal whose ``need_at_site`` is at least
  the median of the placed proposals; the citizens hold the rest. Equal Shares then
  runs as usual (same completion), so the measurements can co-fund what is needed
  but cannot fund anything alone that costs more than their share, and every
  citizen's share still buys what citizens approve. (Weighting project utilities by
  need was tried first: with Add1 completion it changed almost nothing, because the
  raised budgets end up buying what voters support either way.)

Without need results the need-based methods are left out (and the caller says why).
The summary compares money to hotspot sites, money per district, and the share of
voters with at least one funded project.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from workbench.allocation.equal_shares import equal_shares
from workbench.allocation.greedy import greedy, text_order
from workbench.allocation.knapsack import optimal

METHODS = ("votes_greedy", "need_optimal", "equal_shares", "equal_shares_need")


def supporters_of(
    proposal_ids: list[str], ballots: pd.DataFrame, voter_ids: list[str] | None = None
) -> tuple[list[np.ndarray], int, list[str]]:
    """Voter index arrays per proposal (approval: any positive points) and voter count."""
    b = ballots[ballots["points"] > 0]
    voters = sorted(set(b["voter_id"]) | set(voter_ids or []))
    index = {v: i for i, v in enumerate(voters)}
    vi = b["voter_id"].map(index).to_numpy(np.int64)
    by = pd.Series(vi).groupby(b["proposal_id"].to_numpy()).apply(lambda s: s.to_numpy())
    sup = [by.get(p, np.array([], np.int64)) for p in proposal_ids]
    return sup, len(voters), voters


def allocate(
    ranked: pd.DataFrame,
    ballots: pd.DataFrame,
    budget: float,
    *,
    n_voters: int | None = None,
    need_share: float = 0.3,
    district_min_share: Mapping[str, float] | None = None,
    district_max_share: Mapping[str, float] | None = None,
    category_cap: Mapping[str, float] | None = None,
    increment: float = 1.0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run every applicable method.

    Returns
    -------
    (allocation, summary, districts)
        ``allocation``: long table per method and proposal; ``summary``: one row per
        method; ``districts``: money per method and district.
    """
    if budget <= 0 or not np.isfinite(budget):
        raise ValueError(f"budget must be a positive number, got {budget}")
    ids = ranked["proposal_id"].astype(str).tolist()
    costs = ranked["cost_eur"].to_numpy(float)
    if np.isnan(costs).any():
        bad = ids[int(np.flatnonzero(np.isnan(costs))[0])]
        raise ValueError(f"proposal {bad!r} has no cost; every proposal needs cost_eur")
    order = text_order(ids)
    votes = ranked["votes"].fillna(0.0).to_numpy(float)
    sup, nv, _ = supporters_of(ids, ballots)
    n_all = max(n_voters or 0, nv)
    chosen: dict[str, np.ndarray] = {"votes_greedy": greedy(costs, votes, budget, tie_order=order)}
    have_need = "score" in ranked and ranked["score"].notna().any()
    if have_need:
        score = ranked["score"].fillna(0.0).to_numpy(float)
        chosen["need_optimal"] = optimal(
            costs,
            score,
            budget,
            groups=ranked["area_id"].astype(object).to_numpy(),
            min_share=district_min_share,
            max_share=district_max_share,
            categories=ranked["category"].to_numpy(object),
            category_cap=category_cap,
            tie_order=order,
        )
    if len(ballots):
        chosen["equal_shares"] = equal_shares(
            costs, sup, n_voters=n_all, budget=budget, votes=votes, increment=increment,
            tie_order=order,
        )  # fmt: skip
        if have_need:
            sup_need, n_need = need_constituency(
                sup, n_all, ranked["need_at_site"].to_numpy(float), need_share
            )
            chosen["equal_shares_need"] = equal_shares(
                costs, sup_need, n_voters=n_need, budget=budget, votes=votes,
                increment=increment, tie_order=order,
            )  # fmt: skip
    alloc = pd.concat(
        [
            pd.DataFrame({"method": m, "proposal_id": ids, "selected": sel, "cost_eur": costs})
            for m, sel in chosen.items()
        ],
        ignore_index=True,
    )
    return alloc, summarise(chosen, ranked, sup, n_all, budget), districts(chosen, ranked)


def need_constituency(
    sup: list[np.ndarray], n_voters: int, need: np.ndarray, share: float
) -> tuple[list[np.ndarray], int]:
    """Add virtual voters holding ``share`` of the budget who approve high-need proposals.

    >>> s, n = need_constituency([np.array([0]), np.array([1])], 2, np.array([0.9, 0.1]), 0.5)
    >>> n, s[0].tolist(), s[1].tolist()
    (4, [0, 2, 3], [1])
    """
    if not 0 <= share < 1:
        raise ValueError(f"allocation.need_share must be in [0, 1), got {share}")
    k = round(n_voters * share / (1 - share))
    if k == 0 or not np.isfinite(need).any():
        return list(sup), n_voters
    virtual = np.arange(n_voters, n_voters + k, dtype=np.int64)
    high = np.nan_to_num(need, nan=-np.inf) >= np.nanmedian(need)
    return [np.concatenate([s, virtual]) if high[j] else s for j, s in enumerate(sup)], n_voters + k


def summarise(
    chosen: Mapping[str, np.ndarray],
    ranked: pd.DataFrame,
    sup: list[np.ndarray],
    n_voters: int,
    budget: float,
) -> pd.DataFrame:
    """One row per method: funded, spent, money to hotspots, need reached, voters served."""
    costs = ranked["cost_eur"].to_numpy(float)
    hot = np.zeros(len(ranked), bool)
    for col in ("heat_hotspot", "air_hotspot"):
        if col in ranked:
            hot |= ranked[col].fillna(False).to_numpy(bool)
    rows: list[dict[str, Any]] = []
    for m, sel in chosen.items():
        served = np.zeros(max(n_voters, 1), bool)
        for j in np.flatnonzero(sel):
            served[sup[j]] = True
        spent = float(costs[sel].sum())
        row = {
            "method": m,
            "funded": int(sel.sum()),
            "spent_eur": spent,
            "budget_eur": budget,
            "to_hotspots_eur": float(costs[sel & hot].sum()),
            "to_hotspots_share": float(costs[sel & hot].sum() / spent) if spent else 0.0,
            "voters_with_funded_project_share": float(served.mean()) if n_voters else 0.0,
            "votes_of_funded": float(ranked["votes"].fillna(0).to_numpy()[sel].sum()),
        }
        if "score" in ranked:
            s = ranked["score"].fillna(0.0).to_numpy(float)
            row["total_score"] = float(s[sel].sum())
            need = ranked["need_at_site"].to_numpy(float)
            ok = sel & np.isfinite(need)
            row["need_at_funded_sites"] = (
                float(np.average(need[ok], weights=costs[ok])) if ok.any() else np.nan
            )
        rows.append(row)
    return pd.DataFrame(rows)


def districts(chosen: Mapping[str, np.ndarray], ranked: pd.DataFrame) -> pd.DataFrame:
    """Money per method and district (``unplaced`` for proposals without one)."""
    area = ranked["area_id"].astype(object).where(ranked["area_id"].notna(), "unplaced")
    costs = ranked["cost_eur"].to_numpy(float)
    frames = []
    for m, sel in chosen.items():
        g = pd.Series(costs * sel, index=area.to_numpy()).groupby(level=0).sum()
        frames.append(pd.DataFrame({"method": m, "area_id": g.index, "eur": g.to_numpy()}))
    return pd.concat(frames, ignore_index=True)
