"""The one-page summary in plain language: heat, air, need, proposals and budget.

The sentences carry many run-specific numbers, so they are written here as German/English
templates rather than in :data:`workbench.i18n.TEXT`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.i18n import fmt_dec, fmt_eur, fmt_pct
from workbench.present.report.tables import area_names


def _de_en(lang: str, de: str, en: str) -> str:
    return de if lang == "de" else en


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
    return _de_en(
        lang,
        f"Hitze: {h['n_sensors']} Sensoren zeigen, wie viel wärmer die Stadt nachts ist als "
        f"ihr Umland. Am wärmsten sind {warm}. {fmt_pct(hs / cells, lang)} der Stadtfläche "
        f"sind statistisch gesicherte Hitze-Hotspots. Das Modell trifft die Messungen "
        f"unabhängiger Sensoren auf {rmse} K genau.",
        f"Heat: {h['n_sensors']} sensors show how much warmer the city is at night than its "
        f"surroundings. Warmest are {warm}. {fmt_pct(hs / cells, lang)} of the city area are "
        f"statistically significant heat hotspots. The model predicts held-out sensors to "
        f"within {rmse} K.",
    )


def air_sentence(metrics: dict[str, Any], lang: str) -> str | None:
    """Fine-dust sensors above the WHO guideline and the EU 2030 limit."""
    a = metrics.get("air", {}).get("pm2_5", {})
    if a.get("status") != "ok":
        return None
    return _de_en(
        lang,
        f"Luft: {a['n_sensors']} Feinstaub-Sensoren; {a['sensors_over_who_annual']} liegen "
        f"im Mittel über dem WHO-Richtwert für PM2,5 (5 µg/m³), "
        f"{a['sensors_over_eu_annual']} über dem EU-Grenzwert ab 2030 (10 µg/m³) – "
        f"ein Hinweis, denn der Zeitraum ist kürzer als ein Jahr.",
        f"Air: {a['n_sensors']} fine-dust sensors; {a['sensors_over_who_annual']} exceed the "
        f"WHO PM2.5 guideline (5 µg/m³) on average, {a['sensors_over_eu_annual']} the EU "
        f"2030 limit (10 µg/m³) – an indication only, as the period is shorter than a year.",
    )


def need_sentence(metrics: dict[str, Any], names: dict[str, str], lang: str) -> str | None:
    """The three districts with the highest need index."""
    ranking = metrics.get("need", {}).get("area_ranking", [])[:3]
    if not ranking:
        return None
    top = ", ".join(names.get(a, a) for a in ranking)
    return _de_en(
        lang, f"Den höchsten Bedarf an Grün haben {top}.", f"Need for green is highest in {top}."
    )


def proposals_sentence(props: pd.DataFrame, lang: str) -> str | None:
    """How the proposals were ranked and the first three."""
    if props.empty:
        return None
    best = props.sort_values("rank").head(3)
    lst = "; ".join(f"{int(r.rank)}. {r.title}" for r in best.itertuples())
    return _de_en(
        lang,
        f"{len(props)} Vorschläge wurden nach gemessenem Bedarf, erreichten Menschen, "
        f"erwarteter Wirkung und Kosten gereiht. Vorne liegen: {lst}.",
        f"{len(props)} proposals were ranked by measured need, people reached, expected "
        f"effect and cost. Leading: {lst}.",
    )


def budget_sentence(summary: pd.DataFrame, lang: str) -> str | None:
    """Votes alone against need-informed Equal Shares: money to hotspots, voters served."""
    s = summary.set_index("method")
    if not {"votes_greedy", "equal_shares_need"} <= set(s.index):
        return None
    v, n = s.loc["votes_greedy"], s.loc["equal_shares_need"]
    return _de_en(
        lang,
        f"Budget {fmt_eur(v['budget_eur'], lang)}: Nach Stimmen allein (bisheriges "
        f"Verfahren) fließen {fmt_pct(v['to_hotspots_share'], lang)} an Hotspots und "
        f"{fmt_pct(v['voters_with_funded_project_share'], lang)} der Abstimmenden "
        f"erhalten ein Projekt; mit Equal Shares und Bedarf sind es "
        f"{fmt_pct(n['to_hotspots_share'], lang)} und "
        f"{fmt_pct(n['voters_with_funded_project_share'], lang)}.",
        f"Budget {fmt_eur(v['budget_eur'], lang)}: by votes alone (current practice) "
        f"{fmt_pct(v['to_hotspots_share'], lang)} goes to hotspots and "
        f"{fmt_pct(v['voters_with_funded_project_share'], lang)} of voters get a funded "
        f"project; with need-informed Equal Shares it is "
        f"{fmt_pct(n['to_hotspots_share'], lang)} and "
        f"{fmt_pct(n['voters_with_funded_project_share'], lang)}.",
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
