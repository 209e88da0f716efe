"""The HTML pieces of the citizen page (list, about, budget, footer, legends), built from
data and the visitor's language. Every text from the data goes through :func:`html.escape`.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import pandas as pd

from workbench import i18n
from workbench.i18n import fmt_eur, fmt_int, t
from workbench.present.dashboard.state import DATA_OLD_DAYS
from workbench.present.report.typeset import unit_spaces

# ------------------------------------------------------------------------ rendering
# need at the site (0–1) in words, on the steps the explanations use
# (workbench.models.ranking.NEED_LEVELS); the static site's app.js repeats them
NEED_WORDS = {"very_high": ("sehr hoch", "very high"), "high": ("hoch", "high"),
              "medium": ("mittel", "medium"), "low": ("gering", "low")}  # fmt: skip


def need_word(v: float, lang: str) -> str:
    """The need at a site in words.

    >>> need_word(0.7, "de"), need_word(0.31, "en"), need_word(float("nan"), "de")
    ('sehr hoch', 'medium', '–')
    """
    from workbench.models.ranking import NEED_LEVELS

    if v is None or not math.isfinite(float(v)):
        return "–"
    level = next(name for lo, name in NEED_LEVELS if v >= lo)
    return NEED_WORDS[level][0 if lang == "de" else 1]


def distance_text(m: float, lang: str) -> str:
    """``350 m`` or ``1,2 km`` (German) / ``1.2 km`` (English), with a no-break space.

    >>> distance_text(347, "de"), distance_text(1240, "de"), distance_text(1240, "en")
    ('350\xa0m', '1,2\xa0km', '1.2\xa0km')
    """
    if m < 1000:
        return f"{fmt_int(round(m / 10) * 10, lang)}\u00a0m"
    return f"{i18n.fmt_dec(m / 1000, lang, 1)}\u00a0km"


def proposal_list_html(
    p: pd.DataFrame, lang: str, *, total: int, links: dict[str, str] | None = None
) -> str:
    """The proposals as an HTML ordered list; every citizen text escaped.

    ``links`` maps proposal ids to their page on the participation platform.
    """
    if p.empty:
        return f"<p>{escape(t('no_proposals', lang))}</p>"
    items = []
    for r in p.itertuples():
        votes = (
            t("few_votes", lang)
            if getattr(r, "votes_hidden", False)
            else fmt_int(getattr(r, "votes", float("nan")), lang)
        )
        rank = int(r.rank)
        parts = []  # the place itself opens the explanation ("Platz 3 von 50. …")
        if "distance_m" in p.columns and pd.notna(r.distance_m):
            parts.append(i18n.tf("distance_from", lang, distance=distance_text(r.distance_m, lang)))
        parts += [
            i18n.category(r.category, lang),
            str(r.district or ""),
            fmt_eur(r.cost_eur, lang),
            f"{t('need_level', lang)}: {need_word(getattr(r, 'need_at_site', float('nan')), lang)}",
            f"{t('votes', lang)}: {votes}",
        ]
        why = getattr(r, "explanation_de" if lang == "de" else "explanation_en", "")
        text = getattr(r, "description", None)
        desc = (
            f'<p class="wb-desc">{escape(str(text))}</p>' if isinstance(text, str) and text else ""
        )
        colour = escape(str(getattr(r, "colour", "#999")))
        link = ""
        href = (links or {}).get(str(r.proposal_id), "")
        if href.startswith(("https://", "http://")):
            link = (
                f'<p class="wb-actions"><a href="{escape(href)}" rel="noopener noreferrer">'
                f'{escape(t("participate", lang))}<span class="wb-vh">: {escape(str(r.title))} '
                f"{escape(t('participate_about', lang))}</span></a></p>"
            )
        items.append(
            f'<li class="wb-proposal" data-id="{escape(str(r.proposal_id))}">'
            f'<span class="wb-rank" aria-hidden="true" style="border-color:{colour}">{rank}</span> '
            f'<h3 class="wb-title"><span class="wb-vh">{escape(t("place", lang))} {rank}: </span>'
            f"{escape(str(r.title))}</h3>"
            f'<p class="wb-meta">{escape(" · ".join(x for x in parts if x))}</p>'
            f"{desc}"
            f'<p class="wb-why">{escape(str(why))}</p>{link}</li>'
        )
    return unit_spaces('<ol class="wb-list" id="wb-list">' + "".join(items) + "</ol>")


def about_html(meta: dict[str, Any], lang: str) -> str:
    """What the data is and is not, for the citizen page."""
    parts = []
    if meta.get("simulated"):
        parts.append(
            f'<p class="wb-banner" role="note"><strong>{escape(t("simulated", lang))}</strong></p>'
        )
    parts.append(f"<p>{escape(t('about_text', lang))}</p>")
    if meta.get("simulated"):
        parts.append(f"<p>{escape(t('about_simulated', lang))}</p>")
    parts.append(f"<p>{escape(t('caveat_lowcost', lang))}</p>")
    when = (meta.get("latest_data_text") or {}).get(lang)
    if when:
        run = (meta.get("run_text") or {}).get(lang)
        computed = f" · {t('computed', lang)} {run}" if run and run != "–" else ""
        parts.append(f"<p>{escape(t('data_state', lang))}: {escape(when + computed)}</p>")
        age = meta.get("data_age_days")
        if age is not None and age > DATA_OLD_DAYS:
            parts.append(f"<p><strong>{escape(i18n.tf('data_old', lang, days=age))}</strong></p>")
    parts.append(sensors_text(meta, lang))
    return "".join(parts)


def sensors_text(meta: dict[str, Any], lang: str) -> str:
    """How many sensors the results rest on: all with a position, and those of each map.

    >>> sensors_text({"sensors": 122, "sensors_heat": 119, "sensors_air": 41}, "de")
    '<p>Sensoren: 122. 119 davon liefern Werte für die Hitzekarte, 41 für die Feinstaubkarte.</p>'
    >>> sensors_text({"sensors": 3}, "en"), sensors_text({}, "de")
    ('<p>Sensors: 3</p>', '')
    """
    if not meta.get("sensors"):
        return ""
    total = fmt_int(meta["sensors"], lang)
    if meta.get("sensors_heat") is not None and meta.get("sensors_air") is not None:
        heat, air = fmt_int(meta["sensors_heat"], lang), fmt_int(meta["sensors_air"], lang)
        return f"<p>{escape(i18n.tf('sensors_used', lang, total=total, heat=heat, air=air))}</p>"
    return f"<p>{escape(t('sensors', lang))}: {total}</p>"


def budget_html(allocations: list[dict[str, Any]], proposals: pd.DataFrame,
                districts: dict[str, str], lang: str) -> str:  # fmt: skip
    """The consultation's money: the budget and, per allocation method, what is funded and
    how much reaches each district (all escaped; no voter data)."""
    if not allocations:
        return ""
    by_id = proposals.set_index(proposals["proposal_id"].astype(str))
    cost = "Kosten" if lang == "de" else "Cost"
    budget = fmt_eur(allocations[0]["budget_eur"], lang)
    out = [f"<p>{escape(i18n.tf('budget_text', lang, budget=budget))}</p>"]
    for a in allocations:
        head = (
            a["label"][lang]
            + ": "
            + i18n.tf(
                "budget_funded", lang, n=len(a["funded"]), spent=fmt_eur(a["spent_eur"], lang)
            )
        )
        rows = "".join(
            f'<tr><td class="wb-num">{int(by_id.loc[i, "rank"])}</td>'
            f"<td>{escape(str(by_id.loc[i, 'title']))}</td>"
            f'<td class="wb-num">{escape(fmt_eur(by_id.loc[i, "cost_eur"], lang))}</td></tr>'
            for i in a["funded"]
            if i in by_id.index
        )
        money = "".join(
            f"<tr><td>{escape(districts.get(area, '–'))}</td>"
            f'<td class="wb-num">{escape(fmt_eur(eur, lang))}</td></tr>'
            for area, eur in a["districts"]
        )
        out.append(
            f"<details><summary>{escape(head)}</summary>"
            f"<p>{escape(t('budget_method_' + a['method'], lang))}</p>"
            f'<table><caption class="wb-vh">{escape(a["label"][lang])} – '
            f"{escape(t('budget_proposals', lang))}</caption>"
            f'<tr><th scope="col">{escape(t("place", lang))}</th>'
            f'<th scope="col">{escape(t("budget_proposals", lang))}</th>'
            f'<th scope="col" class="wb-num">{cost}</th></tr>{rows}</table>'
            f"<table><caption>{escape(t('budget_districts', lang))}</caption>"
            f'<tr><th scope="col">{escape(t("district", lang))}</th>'
            f'<th scope="col" class="wb-num">€</th></tr>{money}</table></details>'
        )
    return unit_spaces("".join(out))  # "500.000 €" never breaks before the €


def footer_html(sections: list[dict[str, Any]], operator: str, email: str, lang: str) -> str:
    """Footer of a public page: who publishes it, Impressum, Datenschutz, Barrierefreiheit
    (links, or the provisional texts in place), and where to report a barrier."""
    items, texts = [], []
    for s in sections:
        if s.get("url"):
            items.append(f'<li><a href="{escape(s["url"])}" rel="noopener noreferrer">'
                         f"{escape(s['label'])}</a></li>")  # fmt: skip
        else:
            paras = "".join(f"<p>{escape(x)}</p>" for x in s["paragraphs"])
            texts.append(f"<details><summary>{escape(s['label'])}</summary>{paras}</details>")
    if email:
        label = "Barriere melden" if lang == "de" else "Report a barrier"
        items.append(f'<li><a href="mailto:{escape(email)}">{label}</a></li>')
    who = f"<p>{escape(t('published_by', lang))}: {escape(operator)}</p>" if operator else ""
    ul = f'<ul class="wb-legal">{"".join(items)}</ul>' if items else ""
    return f'<footer class="wb-footer">{who}{ul}{"".join(texts)}</footer>'


def legend_label(label: str, lang: str) -> str:
    """A legend label in the reader's language: layers keep language-neutral labels (a
    number written with a point, ``hotspot``, an EAQI band name).

    >>> legend_label("-0.4", "de"), legend_label("fair", "de"), legend_label(">=1.5", "en")
    ('−0,4', 'ziemlich gut', '≥ 1.5')
    """
    if label == "hotspot":
        return t("hotspot_plain", lang)
    if f"eaqi_{label}" in i18n.TEXT:
        return t(f"eaqi_{label}", lang)
    prefix = {"<=": "≤ ", ">=": "≥ "}.get(label[:2], "")
    number = label[2:] if prefix else label
    try:
        return prefix + i18n.fmt_dec(float(number), lang, 1).replace("-", "−")
    except ValueError:
        return label


def unit_text(unit: str, lang: str) -> str:
    """A layer's unit as a citizen reads it: ``K`` is a difference in degrees.

    >>> unit_text("K", "de"), unit_text("µg/m³", "de")
    ('Grad wärmer als der Stadtrand', 'µg/m³')
    """
    key = {"K": "unit_K", "0–1": "unit_need"}.get(unit)
    return t(key, lang) if key else unit


def legend_html(layer: Any, title: str, lang: str) -> str:
    """A small legend (colour swatches with labels) as text alternative for an overlay."""
    items = "".join(
        f'<span class="wb-swatch" style="background:{escape(c)}"></span>'
        f"{escape(legend_label(lab, lang))} "
        for c, lab in layer.legend
    )
    unit = f" ({escape(unit_text(layer.unit, lang))})" if layer.unit else ""
    return f'<div class="wb-legend"><strong>{escape(title)}{unit}</strong>: {items}</div>'
