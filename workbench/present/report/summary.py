"""The situation in plain language: heat, air, need, proposals and budget.

The sentences are templates in :data:`workbench.i18n.TEXT` (``report_*_sentence``); every
number comes from the run's summary (:mod:`workbench.run_summary`), the same figures the
decision page, the workbook and the citizen pages show.
"""

from __future__ import annotations

from typing import Any

from workbench.i18n import fmt_dec, fmt_eur, fmt_pct, t, tf


def heat_sentence(summary: dict[str, Any], lang: str) -> str | None:
    """Sensors, warmest districts, hotspot share and model error of the heat model."""
    h = summary.get("heat")
    if not h:
        return None
    # running text says "Grad" as the citizen pages do; K stays in table and map headers
    degrees = t("degrees", lang)
    warm = ", ".join(
        f"{w['name']} ({fmt_dec(w['uhi_k'], lang, 1)} {degrees})" for w in h["warmest"]
    )
    return tf(
        "report_heat_sentence",
        lang,
        n_sensors=h["n_sensors"],
        warm=warm,
        hotspot_share=fmt_pct(h["hotspot_share"] or 0.0, lang),
        rmse=fmt_dec(h["cv_rmse_k"], lang) if h["cv_rmse_k"] is not None else "–",
    )


def air_sentence(summary: dict[str, Any], lang: str) -> str | None:
    """Fine-dust sensors above the WHO guideline and the EU limit."""
    a = summary.get("air")
    if not a:
        return None
    return tf(
        "report_air_sentence", lang, n_sensors=a["n_sensors"], over_who=a["over_who"],
        over_eu=a["over_eu"],
    )  # fmt: skip


def need_sentence(summary: dict[str, Any], lang: str) -> str | None:
    """The districts with the highest need index."""
    n = summary.get("need")
    if not n:
        return None
    return tf("report_need_sentence", lang, top=", ".join(a["name"] for a in n["top"]))


def proposals_sentence(summary: dict[str, Any], lang: str) -> str | None:
    """How the proposals were ranked and the first three."""
    p = summary.get("proposals")
    if not p or not p["n"]:
        return None
    lst = "; ".join(f"{r['rank']}. {r['title']}" for r in p["leading"])
    return tf("report_proposals_sentence", lang, n=p["n"], leading=lst)


def budget_sentence(summary: dict[str, Any], lang: str) -> str | None:
    """Votes alone against the recommended allocation: money to hotspots, voters served."""
    b = summary.get("budget")
    if not b or b.get("baseline") is None:
        return None
    v, n = b["methods"][b["baseline"]], b["methods"][b["recommended"]]
    return tf(
        "report_budget_sentence",
        lang,
        budget=fmt_eur(b["budget_eur"], lang),
        votes_hotspots=fmt_pct(v["to_hotspots_share"], lang),
        votes_voters=fmt_pct(v["voters_share"], lang),
        need_hotspots=fmt_pct(n["to_hotspots_share"], lang),
        need_voters=fmt_pct(n["voters_share"], lang),
    )


def summary_paragraphs(summary: dict[str, Any], lang: str) -> list[str]:
    """The situation in plain language, one paragraph per topic the run has results for.

    Parameters
    ----------
    summary : the run's summary (:func:`workbench.run_summary.load_run_summary`)
    lang : ``"de"`` or ``"en"``
    """
    sentences = [
        heat_sentence(summary, lang),
        air_sentence(summary, lang),
        need_sentence(summary, lang),
        proposals_sentence(summary, lang),
        budget_sentence(summary, lang),
    ]
    return [s for s in sentences if s is not None]
