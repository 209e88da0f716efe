"""The one-page summary in plain language: heat, air, need, proposals and budget.

The sentences are templates in :data:`workbench.i18n.TEXT` (``report_*_sentence``); the
run-specific numbers are formatted here and filled in with :func:`~workbench.i18n.tf`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.i18n import fmt_dec, fmt_eur, fmt_pct, tf
from workbench.present.report.tables import area_names


def heat_sentence(
    metrics: dict[str, Any], area_res: pd.DataFrame, names: dict[str, str], lang: str
) -> str | None:
    """Sensors, warmest districts, hotspot share and model error of the heat model."""
    h = metrics.get("heat", {})
    if h.get("status") != "ok":
        return None
    top = area_res.sort_values("heat_uhi_k", ascending=False).head(3)
    warm = ", ".join(
        f"{names.get(r.area_id, r.area_id)} ({fmt_dec(r.heat_uhi_k, lang, 1)} K)"
        for r in top.itertuples()
    )
    hs = metrics.get("hotspots", {}).get("heat", {}).get("hotspot_cells", 0)
    cells = metrics.get("coverage", {}).get("grid_cells", 0) or 1
    rmse = fmt_dec(h["cv"]["loso"]["regression_kriging"]["rmse"], lang)
    return tf(
        "report_heat_sentence",
        lang,
        n_sensors=h["n_sensors"],
        warm=warm,
        hotspot_share=fmt_pct(hs / cells, lang),
        rmse=rmse,
    )


def air_sentence(metrics: dict[str, Any], lang: str) -> str | None:
    """Fine-dust sensors above the WHO guideline and the EU 2030 limit."""
    a = metrics.get("air", {}).get("pm2_5", {})
    if a.get("status") != "ok":
        return None
    return tf(
        "report_air_sentence",
        lang,
        n_sensors=a["n_sensors"],
        over_who=a["sensors_over_who_annual"],
        over_eu=a["sensors_over_eu_annual"],
    )


def need_sentence(metrics: dict[str, Any], names: dict[str, str], lang: str) -> str | None:
    """The three districts with the highest need index."""
    ranking = metrics.get("need", {}).get("area_ranking", [])[:3]
    if not ranking:
        return None
    top = ", ".join(names.get(a, a) for a in ranking)
    return tf("report_need_sentence", lang, top=top)


def proposals_sentence(props: pd.DataFrame, lang: str) -> str | None:
    """How the proposals were ranked and the first three."""
    if props.empty:
        return None
    best = props.sort_values("rank").head(3)
    lst = "; ".join(f"{int(r.rank)}. {r.title}" for r in best.itertuples())
    return tf("report_proposals_sentence", lang, n=len(props), leading=lst)


def budget_sentence(summary: pd.DataFrame, lang: str) -> str | None:
    """Votes alone against need-informed Equal Shares: money to hotspots, voters served."""
    s = summary.set_index("method")
    if not {"votes_greedy", "equal_shares_need"} <= set(s.index):
        return None
    v, n = s.loc["votes_greedy"], s.loc["equal_shares_need"]
    return tf(
        "report_budget_sentence",
        lang,
        budget=fmt_eur(v["budget_eur"], lang),
        votes_hotspots=fmt_pct(v["to_hotspots_share"], lang),
        votes_voters=fmt_pct(v["voters_with_funded_project_share"], lang),
        need_hotspots=fmt_pct(n["to_hotspots_share"], lang),
        need_voters=fmt_pct(n["voters_with_funded_project_share"], lang),
    )


def summary_paragraphs(
    metrics: dict[str, Any],
    props: pd.DataFrame,
    summary: pd.DataFrame,
    areas: pd.DataFrame | None,
    area_res: pd.DataFrame,
    lang: str,
) -> list[str]:
    """The one-page summary in plain language.

    Parameters
    ----------
    metrics : ``metrics.json`` of the run
    props : ranked proposals
    summary : allocation summary, one row per method
    areas : district polygons, for the district names
    area_res : per-district results (``area_id``, ``heat_uhi_k``)
    lang : ``"de"`` or ``"en"``

    Returns
    -------
    list of str
        One paragraph per topic the run has results for.
    """
    names = area_names(areas)
    sentences = [
        heat_sentence(metrics, area_res, names, lang),
        air_sentence(metrics, lang),
        need_sentence(metrics, names, lang),
        proposals_sentence(props, lang),
        budget_sentence(summary, lang),
    ]
    out = [s for s in sentences if s is not None]
    if lang != "de" and not out:
        out.append("No results yet.")
    return out
