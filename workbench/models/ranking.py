"""Rank green-budget proposals by measured need, with rank intervals and explanations.

For each proposal placed on the grid (:mod:`workbench.participation.placement`):

* ``need_at_site`` — the population-weighted mean need index of the cells within the
  category's catchment radius (plain mean where nobody lives);
* ``beneficiaries`` — residents within that radius, and the share aged 65+ or under 6;
* ``effect`` — the category's expected effect, ``Σ wₖ·eₖ`` over heat, air and green
  with the need weights of those three hazards (table :data:`EFFECTS`, configurable in
  ``[ranking.effects.<category>]``);
* ``score = need_at_site × effect × beneficiaries / cost × 1000`` — need-weighted people
  reached per €1,000.

``rank`` orders by score (1 = best); ``rank_lo``/``rank_hi`` are the 5th/95th percentile
ranks when the need index is redrawn as in its sensitivity analysis (weights,
normalisation, model uncertainty; :func:`workbench.models.need.need_draws`).
``explanation_de``/``explanation_en`` say in short plain sentences why: night-time heat in
degrees and words, residents reached, the need and the effect as levels, value for money
in words, and how certain the rank is (thresholds: :data:`UHI_LEVELS_K` and the constants
beside it; no index values, test statistics or kelvin). Without sensor results
(no need index) the need-based columns stay empty and ``rank`` follows the votes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from workbench.i18n import category, fmt_dec, fmt_eur, fmt_int, fmt_pct, fmt_votes, t, tf
from workbench.models.need import check_weights, indicators, need_draws, rank_interval

# Expected effect per category on heat, air and green deficit (0–1), catchment radius.
# Orders of magnitude from the literature; the city should calibrate them.
EFFECTS: dict[str, dict[str, Any]] = {
    "trees": {
        "radius_m": 100,
        "heat": 0.8,
        "air": 0.2,
        "green": 1.0,
        "source": "street trees cool air 1–2 K, felt temperature far more "
        "(Bowler et al. 2010; Rahman et al. 2020)",
    },
    "pocket_park": {
        "radius_m": 250,
        "heat": 0.7,
        "air": 0.1,
        "green": 1.0,
        "source": "park cool island ≈1 K reaching about one park width (Bowler et al. 2010)",
    },
    "unsealing": {
        "radius_m": 100,
        "heat": 0.5,
        "air": 0.0,
        "green": 0.7,
        "source": "less heat storage, evaporation (Santamouris 2014)",
    },
    "green_roof": {
        "radius_m": 50,
        "heat": 0.2,
        "air": 0.1,
        "green": 0.5,
        "source": "cools the building, little at street level (Santamouris 2014)",
    },
    "green_facade": {
        "radius_m": 30,
        "heat": 0.3,
        "air": 0.2,
        "green": 0.4,
        "source": "cooler wall surfaces at pedestrian level (Koch et al. 2020)",
    },
    "shade": {
        "radius_m": 50,
        "heat": 0.6,
        "air": 0.0,
        "green": 0.0,
        "source": "shade lowers mean radiant and felt temperature by 5–10 K",
    },
    "water": {
        "radius_m": 150,
        "heat": 0.4,
        "air": 0.0,
        "green": 0.1,
        "source": "drinking water protects in heat waves (WHO heat-health plans)",
    },
    "other": {
        "radius_m": 100,
        "heat": 0.1,
        "air": 0.1,
        "green": 0.3,
        "source": "no specific evidence; small default",
    },
}


def effect_table(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """The effect table with ``[ranking.effects]`` overrides applied and validated."""
    table = {k: dict(v) for k, v in EFFECTS.items()}
    for cat, vals in (overrides or {}).items():
        if cat not in table:
            raise ValueError(f"ranking.effects: unknown category {cat!r}; known: {list(table)}")
        for key, v in vals.items():
            if key not in ("radius_m", "heat", "air", "green", "source"):
                raise ValueError(f"ranking.effects.{cat}: unknown key {key!r}")
            if key != "source" and (not isinstance(v, int | float) or v < 0):
                raise ValueError(f"ranking.effects.{cat}.{key} must be ≥ 0, got {v!r}")
            table[cat][key] = v
    return pd.DataFrame.from_dict(table, orient="index").rename_axis("category").reset_index()


def site_table(
    proposals: pd.DataFrame, cells: pd.DataFrame, effects: pd.DataFrame
) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """Per proposal: need, people and hazards around the site; and the cells it reaches."""
    eff = effects.set_index("category")
    tree = cKDTree(cells[["x", "y"]].to_numpy(float))
    pop = cells["population"].to_numpy(float)
    vul = cells["pop_65plus"].to_numpy(float) + cells["pop_under6"].to_numpy(float)
    need = cells["need_index"].to_numpy(float) if "need_index" in cells else None
    rows, reach = [], []
    for p in proposals.itertuples(index=False):
        radius = float(eff.loc[p.category if p.category in eff.index else "other", "radius_m"])
        if not np.isfinite(p.x):
            reach.append(np.array([], dtype=np.int64))
            rows.append({"radius_m": radius, "beneficiaries": np.nan})
            continue
        idx = np.array(tree.query_ball_point([p.x, p.y], r=max(radius, 1.0)), dtype=np.int64)
        if idx.size == 0:
            idx = np.array([tree.query([p.x, p.y])[1]], dtype=np.int64)
        reach.append(idx)
        people = float(pop[idx].sum())
        row = {
            "radius_m": radius,
            "beneficiaries": people,
            "vulnerable_share": float(vul[idx].sum() / people) if people > 0 else np.nan,
        }
        for col in ("heat_uhi_k", "pm2_5_ugm3"):
            if col in cells:
                row[f"{col}_at_site"] = float(np.nanmean(cells[col].to_numpy(float)[idx]))
        for kind in ("heat", "air"):
            if f"{kind}_hotspot" in cells:
                row[f"{kind}_hotspot"] = bool(cells[f"{kind}_hotspot"].to_numpy(bool)[idx].any())
                row[f"{kind}_gi_confidence"] = int(
                    cells[f"{kind}_gi_confidence"].to_numpy()[idx].max()
                    if f"{kind}_gi_confidence" in cells
                    else 0
                )
        if need is not None:
            row["need_at_site"] = _need_at(need, pop, idx)
        rows.append(row)
    return pd.DataFrame(rows, index=proposals.index), reach


def _need_at(need: np.ndarray, pop: np.ndarray, idx: np.ndarray) -> float:
    w = pop[idx]
    return float(np.average(need[idx], weights=w) if w.sum() > 0 else need[idx].mean())


def category_effect(
    categories: pd.Series, effects: pd.DataFrame, weights: Mapping[str, float]
) -> pd.Series:
    """``Σ wₖ·eₖ / Σ wₖ`` over heat, air and green with the need weights."""
    w = check_weights(weights)
    wh, wa, wg = w["heat"], w["air"], w["green_deficit"]
    total = wh + wa + wg or 1.0
    eff = effects.set_index("category")
    cat = categories.where(categories.isin(eff.index), "other")
    e = eff.loc[cat]
    return pd.Series(
        (wh * e["heat"].to_numpy() + wa * e["air"].to_numpy() + wg * e["green"].to_numpy()) / total,
        index=categories.index,
    )


def rank_proposals(
    proposals: pd.DataFrame,
    cells: pd.DataFrame | None,
    *,
    weights: Mapping[str, float],
    effects: pd.DataFrame | None = None,
    draws: int = 500,
    concentration: float = 20.0,
    seed: int = 0,
) -> pd.DataFrame:
    """The ranked proposal table (the ``proposals.parquet`` columns of ARCHITECTURE.md and more)."""
    effects = effect_table() if effects is None else effects
    p = proposals.copy()
    p["effect"] = category_effect(p["category"], effects, weights).to_numpy()
    have_need = cells is not None and "need_index" in cells
    if have_need:
        site, reach = site_table(p, cells, effects)
        p = pd.concat([p, site], axis=1)
        cost = p["cost_eur"].to_numpy(float)
        p["score"] = _score(p["need_at_site"].to_numpy(float), p, cost)
        ind = indicators(cells)
        values = need_draws(
            ind,
            weights,
            heat_se=cells.get("heat_uhi_se"),
            air_se=cells.get("pm2_5_se"),
            draws=draws,
            concentration=concentration,
            seed=seed,
        )
        pop = cells["population"].to_numpy(float)
        sim = np.full((draws, len(p)), -np.inf)
        for j, idx in enumerate(reach):
            if idx.size and np.isfinite(p["score"].iat[j]):
                w = pop[idx]
                site_need = (
                    values[:, idx] @ (w / w.sum()) if w.sum() > 0 else values[:, idx].mean(axis=1)
                )
                sim[:, j] = _score(site_need, p.iloc[[j]], cost[j])
        interval = rank_interval(sim)
        p["rank_lo"], p["rank_hi"] = interval["rank_lo"].to_numpy(), interval["rank_hi"].to_numpy()
        key = p["score"].fillna(-np.inf)
    else:
        for col in ("need_at_site", "beneficiaries", "score", "rank_lo", "rank_hi"):
            p[col] = np.nan
        key = p["votes"].fillna(0.0)
    order = sorted(range(len(p)), key=lambda i: (-key.iat[i], str(p["proposal_id"].iat[i])))
    p["rank"] = 0
    p.iloc[order, p.columns.get_loc("rank")] = np.arange(1, len(p) + 1)
    p["explanation_de"] = [explain(r, len(p), "de", have_need) for r in p.itertuples()]
    p["explanation_en"] = [explain(r, len(p), "en", have_need) for r in p.itertuples()]
    p["explanation"] = p["explanation_de"] + "\n" + p["explanation_en"]
    return p.sort_values("rank").reset_index(drop=True)


def _score(need: np.ndarray, p: pd.DataFrame, cost: np.ndarray | float) -> np.ndarray:
    people = p["beneficiaries"].to_numpy(float)
    effect = p["effect"].to_numpy(float)
    c = np.maximum(np.asarray(cost, float), 1.0)
    return need * effect * people / c * 1000.0


# Words for levels in the explanations (a citizen reads words, not index values). A level
# applies from its threshold up; the thresholds are compared with the rounded number shown.
#: Night-time heat island at the site (°C above the reference at the edge of town), rounded
#: to 0.1: below ``UHI_SAME_K`` in either direction "about as warm"; from −``UHI_SAME_K``
#: down "a little cooler"; upwards "slightly" (0.3), "clearly" (1.0), "much" (2.0) warmer.
UHI_SAME_K = 0.3
UHI_LEVELS_K = ((2.0, "strong"), (1.0, "clear"), (UHI_SAME_K, "slight"))
#: Need index at the site (0–1, min–max over the city's cells): very high from 0.55, high
#: from 0.40, medium from 0.25, else low. In the demo city about half the cells lie below
#: 0.27, nine in ten below 0.40 and 97 in 100 below 0.55.
NEED_LEVELS = ((0.55, "very_high"), (0.40, "high"), (0.25, "medium"), (-np.inf, "low"))
#: Category effect (0–1, weighted over heat, air, green): "a lot" from 0.5, "somewhat" from
#: 0.25, else "only a little".
EFFECT_LEVELS = ((0.5, "much"), (0.25, "some"), (-np.inf, "little"))
#: Score (need × effect × residents per €1,000): "very many people who need it" from 3,
#: "many" from 1, "some" from 0.3, else "only a few". A score of 1 is, for example, four
#: residents per €1,000 where need and effect are both 0.5.
VALUE_LEVELS = ((3.0, "very_many"), (1.0, "many"), (0.3, "some"), (-np.inf, "few"))
#: Fewer residents than this within the radius: "only a few people live here" (never "0").
FEW_PEOPLE = 50
#: A rank interval (5th–95th percentile, widened to include the rank) at most this many
#: places wide is "fairly certain", a wider one "uncertain"; zero places wide is "certain".
RANK_NARROW = 4


def _level(x: float, levels: tuple[tuple[float, str], ...]) -> str:
    return next(name for lo, name in levels if x >= lo)


def explain(r: Any, n: int, lang: str, have_need: bool) -> str:
    """Short plain-language sentences on why a proposal ranks where it does.

    ``r`` is a row of the ranked table (attribute access); the level words follow
    :data:`UHI_LEVELS_K`, :data:`NEED_LEVELS`, :data:`EFFECT_LEVELS`, :data:`VALUE_LEVELS`,
    :data:`FEW_PEOPLE` and :data:`RANK_NARROW`.
    """
    if not have_need:
        return tf("why_votes_only", lang, rank=r.rank, n=n, votes=fmt_votes(r.votes or 0, lang))
    if not np.isfinite(r.score):
        return tf("why_unplaced", lang, rank=r.rank, n=n)
    radius = int(r.radius_m)
    parts = [tf("why_rank", lang, rank=r.rank, n=n), _heat_sentence(r, radius, lang)]
    if getattr(r, "air_hotspot", False):
        parts.append(tf("why_air_hotspot", lang, radius=radius))
    parts.append(_people_sentence(r, radius, lang))
    parts.append(tf("why_need", lang, level=t(f"why_need_{_level(r.need_at_site, NEED_LEVELS)}",
                                               lang)))  # fmt: skip
    effect = _level(r.effect, EFFECT_LEVELS)
    value = _level(r.score, VALUE_LEVELS)
    parts.append(tf("why_effect", lang, cat=category(r.category, lang),
                    level=t(f"why_effect_{effect}", lang)))  # fmt: skip
    # a small effect and yet a high benefit per euro: say why, or the two read as a clash
    cheap = effect == "little" and value in ("very_many", "many")
    key = "why_value_cheap" if cheap else "why_value"
    level = t(f"why_value_{value}", lang)
    parts.append(tf(key, lang, cost=fmt_eur(r.cost_eur, lang), level=level))
    parts.append(_certainty_sentence(r, lang))
    return " ".join(p for p in parts if p)


def _heat_sentence(r: Any, radius: int, lang: str) -> str:
    """Warmer, cooler or as warm as the edge of town, and whether a heat hot spot is near."""
    hotspot = bool(getattr(r, "heat_hotspot", False))
    uhi = round(float(getattr(r, "heat_uhi_k_at_site", np.nan)), 1)
    if np.isfinite(uhi) and uhi >= UHI_SAME_K:
        tail = t("why_heat_hotspot_tail", lang) if hotspot else ""
        level = t(f"why_heat_{_level(uhi, UHI_LEVELS_K)}", lang)
        return tf("why_heat_warmer", lang, level=level, uhi=fmt_dec(uhi, lang, 1), tail=tail)
    near = tf("why_heat_hotspot_near", lang, radius=radius) if hotspot else ""
    if not np.isfinite(uhi):
        return near
    if uhi <= -UHI_SAME_K:
        said = tf("why_heat_cooler", lang, uhi=fmt_dec(-uhi, lang, 1))
    else:
        said = t("why_heat_same", lang)
    return f"{said} {near}".strip()


def _people_sentence(r: Any, radius: int, lang: str) -> str:
    """Residents in the radius, rounded; "only a few" below :data:`FEW_PEOPLE`."""
    people = float(r.beneficiaries) if np.isfinite(r.beneficiaries) else 0.0
    if people < FEW_PEOPLE:
        return tf("why_people_few", lang, few=FEW_PEOPLE, radius=radius)
    rounded = round(people, -1 if people < 1000 else -2)
    share = getattr(r, "vulnerable_share", np.nan)
    vulnerable = (
        tf("why_people_vulnerable", lang, pct=fmt_pct(share, lang)) if np.isfinite(share) else ""
    )
    return tf("why_people", lang, people=fmt_int(rounded, lang), radius=radius,
              vulnerable=vulnerable)  # fmt: skip


def _certainty_sentence(r: Any, lang: str) -> str:
    """How far the rank moves when the need index is redrawn, in words."""
    if not (np.isfinite(r.rank_lo) and np.isfinite(r.rank_hi)):
        return ""
    lo, hi = int(min(r.rank_lo, r.rank)), int(max(r.rank_hi, r.rank))
    if lo == hi:
        return t("why_rank_certain", lang)
    key = "why_rank_narrow" if hi - lo <= RANK_NARROW else "why_rank_wide"
    return tf(key, lang, lo=lo, hi=hi)


def rerank(
    proposals: pd.DataFrame,
    cells: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    effects: pd.DataFrame | None = None,
    draws: int = 100,
    seed: int = 0,
) -> pd.DataFrame:
    """Rank proposals again under other need weights (what-if; nothing is written).

    The need index of every cell is recomputed with ``weights`` before ranking, so the
    weights move both the need at each site and the category effects.
    """
    from workbench.models.need import need_index

    w = check_weights(weights)
    c = cells.copy()
    c["need_index"] = need_index(indicators(c), w).to_numpy()
    base = proposals.drop(
        columns=[
            k
            for k in (
                "rank",
                "rank_lo",
                "rank_hi",
                "score",
                "need_at_site",
                "beneficiaries",
                "vulnerable_share",
                "radius_m",
                "effect",
                "explanation",
                "explanation_de",
                "explanation_en",
            )
            if k in proposals.columns
        ]
        + [
            k
            for k in proposals.columns
            if k.endswith("_at_site") or k.startswith(("heat_", "air_"))
        ],
    )
    return rank_proposals(base, c, weights=w, effects=effects, draws=draws, seed=seed)
