"""The budget scenarios: allocation methods side by side, money per district, and which
method funds which proposal."""

from __future__ import annotations

import pandas as pd

from workbench import i18n
from workbench.i18n import fmt_eur, t
from workbench.present.report.tables import METHODS, Section, Table, area_names, format_value


def scenario_table(summary: pd.DataFrame, lang: str) -> Table:
    """Allocation methods side by side (one column per method).

    Parameters
    ----------
    summary : one row per method (``allocation_summary.parquet`` of a run)
    lang : ``"de"`` or ``"en"``
    """
    s = summary.set_index("method").reindex([m for m in METHODS if m in set(summary["method"])])
    rows = [
        (t("funded", lang), "funded", "int"),
        (t("spent", lang), "spent_eur", "eur"),
        (t("to_hotspots", lang) + " (€)", "to_hotspots_eur", "eur"),
        (t("to_hotspots", lang) + " (%)", "to_hotspots_share", "pct"),
        (t("voters_served", lang), "voters_with_funded_project_share", "pct"),
        (t("need_funded", lang), "need_at_funded_sites", "dec2"),
    ]
    # one format per column: keep values as text so each row can use its own format
    data = {t("item", lang): [r[0] for r in rows]}
    for m in s.index:
        data[i18n.method(m, lang)] = [
            format_value(s.loc[m, col], fmt, lang) for _, col, fmt in rows
        ]
    frame = pd.DataFrame(data)
    return Table(
        "scenarios",
        t("scenarios_table", lang),
        frame,
        dict.fromkeys(frame.columns, "text"),
        note=t("budget", lang) + ": " + fmt_eur(float(s["budget_eur"].iloc[0]), lang),
    )


def scenario_numbers(summary: pd.DataFrame, lang: str) -> Table:
    """The same comparison with raw numbers (for the spreadsheet)."""
    s = summary[summary["method"].isin(METHODS)].copy()
    frame = pd.DataFrame(
        {
            t("method", lang): [i18n.method(m, lang) for m in s["method"]],
            t("funded", lang): s["funded"].to_numpy(int),
            t("spent", lang): s["spent_eur"].to_numpy(float),
            "budget_eur": s["budget_eur"].to_numpy(float),
            t("to_hotspots", lang) + " (€)": s["to_hotspots_eur"].to_numpy(float),
            t("to_hotspots", lang) + " (%)": s["to_hotspots_share"].to_numpy(float),
            t("voters_served", lang): s["voters_with_funded_project_share"].to_numpy(float),
            t("need_funded", lang): s["need_at_funded_sites"].to_numpy(float),
        }
    )
    formats = dict(
        zip(frame.columns, ["text", "int", "eur", "eur", "eur", "pct", "pct", "dec2"], strict=True)
    )
    return Table("scenario_numbers", t("scenarios", lang), frame, formats)


def sort_key(name: object) -> str:
    """A name as an alphabetical list sorts it: umlauts with their vowel, ß as ss.

    >>> sorted(["Ückendorf", "Scholven", "Altstadt"], key=sort_key)
    ['Altstadt', 'Scholven', 'Ückendorf']
    """
    import unicodedata

    s = unicodedata.normalize("NFD", str(name).replace("ß", "ss"))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()


def district_table(districts: pd.DataFrame, areas: pd.DataFrame | None, lang: str) -> Table:
    """Money per district and method, one row for every district of the city (0 € where
    no method funds anything), the district with the most money first, then by name."""
    names = area_names(areas)
    w = districts.pivot_table(
        index="area_id", columns="method", values="eur", aggfunc="sum", fill_value=0.0
    )
    w = w.reindex(columns=[m for m in METHODS if m in w.columns])
    every = list(dict.fromkeys([*names, *w.index]))
    w = w.reindex(every, fill_value=0.0)
    order = pd.DataFrame(
        {"total": w.sum(axis=1), "name": [sort_key(names.get(a, a)) for a in w.index]},
        index=w.index,
    ).sort_values(["total", "name"], ascending=[False, True])
    w = w.loc[order.index]
    frame = pd.DataFrame({t("district", lang): [names.get(a, a) for a in w.index]})
    for m in w.columns:
        frame[i18n.method(m, lang)] = w[m].to_numpy(float)
    formats = {c: ("text" if i == 0 else "eur") for i, c in enumerate(frame.columns)}
    return Table("districts", t("districts_money", lang), frame, formats)


def funded_matrix(props: pd.DataFrame, alloc: pd.DataFrame, lang: str) -> Table:
    """Which method funds which proposal (proposals funded by at least one method)."""
    sel = (
        alloc[alloc["selected"]]
        .assign(v=True)
        .pivot_table(
            index="proposal_id", columns="method", values="v", aggfunc="any", fill_value=False
        )
    )
    sel = sel.reindex(columns=[m for m in METHODS if m in sel.columns], fill_value=False)
    p = props.sort_values("rank").set_index("proposal_id")
    p = p[p.index.isin(sel.index)]
    frame = pd.DataFrame(
        {
            t("rank", lang): p["rank"].astype(int).to_numpy(),
            t("proposal", lang): p["title"].astype(str).to_numpy(),
            t("cost", lang): p["cost_eur"].to_numpy(float),
        }
    )
    for m in sel.columns:
        frame[i18n.method(m, lang)] = sel.reindex(p.index)[m].fillna(False).to_numpy(bool)
    formats = {c: f for c, f in zip(frame.columns, ["int", "text", "eur"], strict=False)}
    formats.update({c: "check" for c in frame.columns[3:]})
    return Table("funded", t("funded_by_method", lang), frame, formats)


def scenarios_section(
    props: pd.DataFrame,
    alloc: pd.DataFrame,
    summary: pd.DataFrame,
    districts: pd.DataFrame | None,
    areas: pd.DataFrame | None,
    lang: str,
) -> Section:
    """Methods side by side, money per district (if the run has it) and the funded matrix."""
    scen = Section("scenarios", t("scenarios", lang), tables=[scenario_table(summary, lang)])
    if districts is not None:
        scen.tables.append(district_table(districts, areas, lang))
    scen.tables.append(funded_matrix(props, alloc, lang))
    return scen
