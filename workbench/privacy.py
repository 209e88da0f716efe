"""What may be published: the one place for the public-data rules.

Every published output (the citizen pages, the static site, the report, the spreadsheet,
the results run itself) takes proposals through :func:`public_proposals` and shows counts
of people through :func:`small_group`. Change a rule here and every output follows.

>>> small_group(4), small_group(5), small_group(float("nan"))
(True, False, False)
"""

from __future__ import annotations

import math

import pandas as pd

# never show a count of fewer people than this (votes, voters of a district, ...)
MIN_GROUP = 5

# the proposal columns a results run keeps (no author, e-mail, phone or voter id)
RUN_PROPOSAL_COLUMNS = (
    "proposal_id", "title", "description", "category", "cost_eur", "votes", "lat", "lon",
    "area_id", "cell_id", "x", "y", "placement", "rank", "rank_lo", "rank_hi", "score",
    "need_at_site", "beneficiaries", "vulnerable_share", "radius_m", "effect",
    "heat_hotspot", "heat_gi_confidence", "air_hotspot", "air_gi_confidence",
    "heat_uhi_k_at_site", "pm2_5_ugm3_at_site", "selected", "feasible",
    "explanation", "explanation_de", "explanation_en",
)  # fmt: skip

# the subset a published page (citizen page, static site) carries, nothing else
PAGE_PROPOSAL_COLUMNS = (
    "proposal_id", "title", "description", "category", "cost_eur", "votes", "lat", "lon",
    "area_id", "rank", "rank_lo", "rank_hi", "score", "need_at_site", "beneficiaries",
    "heat_hotspot", "air_hotspot", "explanation_de", "explanation_en",
)  # fmt: skip


def public_proposals(proposals: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Only the allowed ``columns`` of ``proposals`` (those present), in that order."""
    return proposals[[c for c in columns if c in proposals.columns]].copy()


def small_group(n: float) -> bool:
    """True if a count of people is too small to publish (``n < MIN_GROUP``)."""
    return not (isinstance(n, float) and math.isnan(n)) and n < MIN_GROUP
