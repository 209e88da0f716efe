"""The ranked proposals as report tables: the full ranking and the top five.

Only whitelisted columns of the proposals reach the report: no author, e-mail or voter id
can leak, whatever the participation export contained; vote counts below 5 are shown as
"fewer than 5".
"""

from __future__ import annotations

import pandas as pd

from workbench import i18n
from workbench.i18n import t
from workbench.present.report.tables import Section, Table, area_names

RANKING_FORMATS = ("int", "range", "text", "text", "text", "eur", "votes", "dec2", "int", "text")


def proposal_table(props: pd.DataFrame, areas: pd.DataFrame | None, lang: str) -> Table:
    """The ranked proposals with the evidence for each rank.

    Parameters
    ----------
    props : ranked proposals (``rank``, ``rank_lo``, ``rank_hi``, ``title``, ``category``,
        ``area_id``, ``cost_eur``, ``votes``, ``need_at_site``, ``beneficiaries`` and the
        explanations in both languages)
    areas : district polygons, for the district names
    lang : ``"de"`` or ``"en"``
    """
    names = area_names(areas)
    p = props.sort_values("rank")
    expl = p["explanation_de" if lang == "de" else "explanation_en"]
    frame = pd.DataFrame(
        {
            t("rank", lang): p["rank"].astype(int).to_numpy(),
            t("rank_range", lang): list(zip(p["rank_lo"], p["rank_hi"], strict=True)),
            t("proposal", lang): p["title"].astype(str).to_numpy(),
            t("category", lang): [i18n.category(c, lang) for c in p["category"]],
            t("district", lang): [
                names.get(a, t("not_placed", lang)) if isinstance(a, str) else t("not_placed", lang)
                for a in p["area_id"]
            ],
            t("cost", lang): p["cost_eur"].to_numpy(float),
            t("votes", lang): p["votes"].to_numpy(float),
            t("need", lang): p["need_at_site"].to_numpy(float),
            t("people", lang): p["beneficiaries"].to_numpy(float),
            t("why", lang): expl.astype(str).to_numpy(),
        }
    )
    formats = dict(zip(frame.columns, RANKING_FORMATS, strict=True))
    return Table("ranking", t("ranking_table", lang), frame, formats, long_text=(t("why", lang),))


def top_five_table(props: pd.DataFrame, areas: pd.DataFrame | None, lang: str) -> Table:
    """The first five rows of ``props`` as in :func:`proposal_table`, without the reasons."""
    top = proposal_table(props.head(5), areas, lang)
    top.key, top.title = "top5", t("top5_title", lang)
    top.frame = top.frame.drop(columns=[t("why", lang)])
    top.formats.pop(t("why", lang))
    return top


def ranking_section(props: pd.DataFrame, areas: pd.DataFrame | None, lang: str) -> Section:
    """The full ranking with a note on what the rank range means."""
    return Section(
        "ranking",
        t("ranking", lang),
        [t("rank_range_note", lang)],
        [proposal_table(props, areas, lang)],
    )
