"""Page 1 of the report: the decision the council is asked to take.

The question, the recommended allocation and why (against votes alone: money to hotspots,
voters with a funded project, money per district), the funded list and the key caveats,
with the need index and Equal Shares explained in two plain sentences each. Every figure
comes from the run's summary (:mod:`workbench.run_summary`), as on the citizen pages.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench import i18n
from workbench.i18n import fmt_eur, fmt_pct, t, tf
from workbench.present.report.tables import Section, Table, format_value

CHANGE_EUR = 1.0  # a district whose amount moves by less than this is "unchanged"


def tradeoff_table(budget: dict[str, Any], lang: str) -> Table:
    """The recommendation against votes alone, one row per figure."""
    base = budget["methods"][budget["baseline"]]
    rec = budget["methods"][budget["recommended"]]
    rows = [
        ("row_funded", "funded", "int"),
        ("row_spent", "spent_eur", "eur"),
        ("row_to_hotspots", "to_hotspots_share", "pct"),
        ("row_voters", "voters_share", "pct"),
        ("row_need", "need_at_funded_sites", "dec2"),
    ]
    frame = pd.DataFrame(
        {
            t("item", lang): [t(k, lang) for k, _, _ in rows],
            t("col_current", lang): [format_value(base[c], f, lang) for _, c, f in rows],
            t("col_recommended", lang): [format_value(rec[c], f, lang) for _, c, f in rows],
        }
    )
    return Table("tradeoff", t("decision_tradeoff", lang), frame, dict.fromkeys(frame, "text"))


def district_change_table(budget: dict[str, Any], lang: str) -> Table | None:
    """Districts whose money changes, largest change first, with a total row."""
    d = pd.DataFrame(budget["districts"])
    if d.empty or budget["baseline"] is None:
        return None
    d = d.fillna({"baseline_eur": 0.0, "recommended_eur": 0.0})
    d["change"] = d["recommended_eur"] - d["baseline_eur"]
    moved = d[d["change"].abs() >= CHANGE_EUR].sort_values("change", ascending=False)
    if moved.empty:
        return None
    frame = pd.DataFrame(
        {
            t("district", lang): [*moved["name"], t("total", lang)],
            t("col_current", lang): [*moved["baseline_eur"], d["baseline_eur"].sum()],
            t("col_recommended", lang): [*moved["recommended_eur"], d["recommended_eur"].sum()],
            t("col_change", lang): [*moved["change"], d["change"].sum()],
        }
    )
    fmts = dict.fromkeys(frame.columns, "eur") | {
        t("district", lang): "text",
        t("col_change", lang): "eur_change",
    }
    return Table(
        "district_change",
        t("decision_districts", lang),
        frame,
        fmts,
        note=t("decision_districts_note", lang),
    )


def funded_table(budget: dict[str, Any], names: dict[str, str], lang: str) -> Table:
    """The proposals the recommendation funds, by rank; the note gives the sum."""
    f = pd.DataFrame(budget["funded"])
    if f.empty:
        f = pd.DataFrame(columns=["rank", "proposal_id", "title", "area_id", "cost_eur", "votes"])
    frame = pd.DataFrame(
        {
            t("rank", lang): f["rank"].astype(int).to_numpy(),
            t("proposal_no", lang): f["proposal_id"].to_numpy(),
            t("proposal", lang): f["title"].to_numpy(),
            t("district", lang): [names.get(a, a or "") for a in f["area_id"]],
            t("cost", lang): f["cost_eur"].to_numpy(float),
            t("votes", lang): f["votes"].to_numpy(float),
        }
    )
    fmts = {
        t("rank", lang): "int",
        t("proposal_no", lang): "text",
        t("proposal", lang): "text",
        t("district", lang): "text",
        t("cost", lang): "eur",
        t("votes", lang): "votes",
    }
    note = tf(
        "decision_funded_total",
        lang,
        spent=fmt_eur(float(f["cost_eur"].sum()), lang),
        budget=fmt_eur(budget["budget_eur"], lang),
    )
    return Table("funded", t("decision_funded", lang), frame, fmts, note=note)


def caveats(summary: dict[str, Any], props: pd.DataFrame, lang: str) -> list[str]:
    """The few things a council member must know before deciding."""
    out = []
    if summary.get("simulated"):
        out.append(t("decision_caveat_simulated", lang))
    days = (summary.get("period") or {}).get("days")
    if days is not None and days < 365:
        out.append(tf("decision_caveat_period", lang, days=days))
    if {"rank", "rank_lo", "rank_hi"} <= set(props.columns):
        top = props.nsmallest(10, "rank")
        wide = int(((top["rank_hi"] - top["rank_lo"]) > 3).sum())
        if wide:
            out.append(tf("decision_caveat_ranks", lang, n=wide))
    out.append(t("decision_caveat_lowcost", lang))
    return out


def decision_section(
    summary: dict[str, Any], props: pd.DataFrame, names: dict[str, str], lang: str
) -> Section | None:
    """The first page; ``None`` when the run has no allocation to recommend."""
    b = summary.get("budget")
    if not b or b.get("baseline") is None:
        return None
    base, rec = b["methods"][b["baseline"]], b["methods"][b["recommended"]]
    paragraphs = [
        tf("decision_question", lang, budget=fmt_eur(b["budget_eur"], lang)),
        tf(
            "decision_recommendation",
            lang,
            method=i18n.method(b["recommended"], lang),
            n=rec["funded"],
            spent=fmt_eur(rec["spent_eur"], lang),
        ),
        tf(
            "decision_why",
            lang,
            rec_hot=fmt_pct(rec["to_hotspots_share"], lang),
            base_hot=fmt_pct(base["to_hotspots_share"], lang),
            rec_voters=fmt_pct(rec["voters_share"], lang),
            base_voters=fmt_pct(base["voters_share"], lang),
        ),
        t("decision_council", lang),
    ]
    share = fmt_pct(b.get("need_share") or 0.3, lang)
    terms = [
        (t("term_need", lang), t("term_need_text", lang)),
        (t("term_equal_shares", lang), tf("term_equal_shares_text", lang, share=share)),
    ]
    tables = [tradeoff_table(b, lang), funded_table(b, names, lang)]
    districts = district_change_table(b, lang)
    if districts is not None:
        tables.append(districts)
    return Section(
        "decision",
        t("decision", lang),
        paragraphs,
        tables,
        terms=terms,
        bullets=(t("decision_caveats", lang), caveats(summary, props, lang)),
        emphasis=(1,),
    )
