"""Write the workbook ``ranking.xlsx`` with openpyxl: one table per sheet, for analysts.

Every data sheet has its header in row 1, frozen, with an autofilter; numbers are numbers
with the unit in the header, so the jury can sort, filter and sum. The first sheet,
"Hinweise", says whether the data are simulated, which run it is, the recommendation and
the method in one paragraph — from the run's summary, the figures of the PDF's page 1.
Citizen text is always stored as text and never as a formula (:func:`as_text`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import i18n
from workbench.i18n import fmt_date, fmt_votes, t
from workbench.present.report.caveats import note_sentences
from workbench.present.report.content import ReportContent, Table
from workbench.present.report.tables import METHODS, display_text
from workbench.privacy import small_group, starts_like_formula

NUMBER_FORMATS = {
    "int": "#,##0",
    "eur": '#,##0 "€"',
    "eur_change": '+#,##0 "€";-#,##0 "€";0 "€"',
    "pct": "0%",
    "dec1": "0.0",
    "dec2": "0.00",
    "coord": "0.000000",
}


def _cell_value(v: Any, fmt: str, lang: str) -> Any:
    if fmt == "range":
        lo, hi = v
        return None if pd.isna(lo) else f"{int(lo)}–{int(hi)}"
    if fmt == "check":
        return "✓" if bool(v) else ""
    if fmt == "votes":
        if pd.isna(v):
            return None
        return fmt_votes(float(v), lang) if small_group(float(v)) else int(v)
    if fmt == "text":
        return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
    return None if pd.isna(v) else float(v)


def as_text(cell: Any) -> None:
    """Keep a text cell a text: never stored as a formula, and quote-prefixed (like typing
    ``'`` in Excel or LibreOffice) when it starts like one, so that editing the cell does
    not turn citizen text into a formula either."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if starts_like_formula(cell.value):
            cell.quotePrefix = True


def counted(v: Any, lang: str) -> Any:
    """A count or euro amount that a report table holds as display text ("11.972",
    "500.000 €") as a number again, for a spreadsheet; anything else unchanged.

    >>> counted("11.972", "de"), counted("500.000 €", "de"), counted("2,025", "en")
    (11972, 500000, 2025)
    >>> counted("GB-004", "de"), counted("0,05", "de"), counted(3, "de")
    ('GB-004', '0,05', 3)
    """
    if not isinstance(v, str):
        return v
    sep = "." if lang == "de" else ","
    m = re.fullmatch(r"(\d{1,3}(?:" + re.escape(sep) + r"\d{3})*|\d+)(?:[ \u00a0]€)?", v.strip())
    return int(m.group(1).replace(sep, "")) if m else v


def table_sheet(wb: Any, name: str, tb: Table, lang: str) -> Any:
    """One table on a sheet of its own: header in row 1 (bold, frozen, with an autofilter),
    values with their number formats, text wrapped, widths fitted; the note under it."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name[:31])
    cols = list(tb.frame.columns)
    for j, c in enumerate(cols, 1):
        cell = ws.cell(row=1, column=j, value=str(c))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8F5E9")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, rec in enumerate(tb.frame.itertuples(index=False), 2):
        for j, (c, v) in enumerate(zip(cols, rec, strict=True), 1):
            value = _cell_value(v, tb.formats[c], lang)
            if tb.key == "coverage":  # the data basis: counts are numbers in a workbook
                value = counted(value, lang)
            cell = ws.cell(row=i, column=j, value=value)
            if isinstance(value, int) and tb.formats[c] == "text":
                cell.number_format = "#,##0"
            if tb.formats[c] in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[tb.formats[c]]
            if tb.formats[c] == "text":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = len(tb.frame) + 1
    if tb.note:
        ws.cell(row=last + 2, column=1, value=tb.note)
    for row in ws.iter_rows():
        for cell in row:
            as_text(cell)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(cols), 1))}{last}"
    for j, c in enumerate(cols, 1):
        values = [str(c)] + [str(v) for v in tb.frame[c].head(200) if v is not None]
        width = max(len(v) for v in values)
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 9), 60)
    return ws


def ranking_table(props: pd.DataFrame, funded: set[str], names: dict[str, str], lang: str) -> Table:
    """Every proposal with its number, rank range, district, cost, votes, need, people,
    whether the recommendation funds it, its coordinates and the reasons."""
    p = props.sort_values("rank")
    expl = p["explanation_de" if lang == "de" else "explanation_en"]
    cols: dict[str, tuple[Any, str]] = {
        t("proposal_no", lang): (p["proposal_id"].astype(str), "text"),
        t("rank", lang): (p["rank"].astype(int), "int"),
        t("col_rank_lo", lang): (p["rank_lo"], "int"),
        t("col_rank_hi", lang): (p["rank_hi"], "int"),
        t("proposal", lang): (p["title"].astype(str), "text"),
        t("category", lang): ([i18n.category(c, lang) for c in p["category"]], "text"),
        t("district", lang): (
            [
                names.get(a, t("not_placed", lang)) if isinstance(a, str) else t("not_placed", lang)
                for a in p["area_id"]
            ],
            "text",
        ),
        t("col_cost_eur", lang): (p["cost_eur"], "eur"),
        t("votes", lang): (p["votes"], "votes"),
        t("col_need_site", lang): (p["need_at_site"], "dec2"),
        t("col_people", lang): (p["beneficiaries"], "int"),
        t("col_funded_rec", lang): (
            [t("yes" if i in funded else "no", lang) for i in p["proposal_id"]],
            "text",
        ),
        t("col_lat", lang): (p["lat"], "coord"),
        t("col_lon", lang): (p["lon"], "coord"),
        t("why", lang): (expl.astype(str), "text"),
    }
    frame = pd.DataFrame({k: list(v) for k, (v, _) in cols.items()})
    formats = {k: f for k, (_, f) in cols.items()}
    return Table(
        "ranking", t("ranking", lang), frame, formats, t("xlsx_votes_note", lang),
        long_text=(t("why", lang),),
    )  # fmt: skip


def scenario_table(summary: pd.DataFrame, lang: str) -> Table:
    """The allocation methods with raw numbers, one row per method."""
    s = summary[summary["method"].isin(METHODS)]
    frame = pd.DataFrame(
        {
            t("method", lang): [i18n.method(m, lang) for m in s["method"]],
            t("row_funded", lang): s["funded"].to_numpy(int),
            t("col_budget_eur", lang): s["budget_eur"].to_numpy(float),
            t("col_spent_eur", lang): s["spent_eur"].to_numpy(float),
            t("col_hot_eur", lang): s["to_hotspots_eur"].to_numpy(float),
            t("col_hot_share", lang): s["to_hotspots_share"].to_numpy(float),
            t("col_voters_share", lang): s["voters_with_funded_project_share"].to_numpy(float),
            t("col_need_funded", lang): s["need_at_funded_sites"].to_numpy(float),
        }
    )
    fmts = ["text", "int", "eur", "eur", "eur", "pct", "pct", "dec2"]
    return Table("scenarios", t("scenarios", lang), frame, dict(zip(frame, fmts, strict=True)))


def allocation_table(alloc: pd.DataFrame, props: pd.DataFrame, lang: str) -> Table:
    """One row per proposal, one column per method: funded (yes/no)."""
    wide = alloc.pivot_table(
        index="proposal_id", columns="method", values="selected", aggfunc="any"
    ).reindex(props.sort_values("rank")["proposal_id"])
    wide = wide[[m for m in METHODS if m in wide.columns]]
    p = props.set_index("proposal_id")
    frame = pd.DataFrame(
        {
            t("proposal_no", lang): wide.index.astype(str),
            t("rank", lang): p.loc[wide.index, "rank"].astype(int).to_numpy(),
            t("proposal", lang): p.loc[wide.index, "title"].astype(str).to_numpy(),
            t("col_cost_eur", lang): p.loc[wide.index, "cost_eur"].to_numpy(float),
        }
    )
    fmts = ["text", "int", "text", "eur"]
    for m in wide.columns:
        frame[i18n.method(str(m), lang)] = [
            t("yes" if bool(v) else "no", lang) for v in wide[m].fillna(False)
        ]
        fmts.append("text")
    return Table(
        "allocation", t("xlsx_allocation", lang), frame, dict(zip(frame, fmts, strict=True))
    )


def notes_sheet(wb: Any, content: ReportContent, metrics: dict[str, Any]) -> None:
    """The first sheet: data status, run, period, recommendation, method, sheets, notes."""
    from openpyxl.styles import Alignment, Font

    lang, s = content.lang, content.summary
    period = s.get("period") or {}
    budget = s.get("budget") or {}
    status = t("xlsx_simulated" if s.get("simulated") else "xlsx_measured", lang)
    rows: list[tuple[str, str]] = [
        (t("xlsx_data_status", lang), status),
        (t("xlsx_computed", lang), content.computed),
        (
            t("xlsx_period", lang),
            f"{fmt_date(period.get('start'), lang)} – {fmt_date(period.get('end'), lang)}",
        ),
        (t("xlsx_run", lang), content.run_id),  # the one technical row
    ]
    if budget:
        rec = budget["methods"][budget["recommended"]]
        rows.append(
            (
                t("xlsx_recommendation", lang),
                f"{i18n.method(budget['recommended'], lang)}: "
                + tf_funded(rec["funded"], rec["spent_eur"], lang),
            )
        )
    rows += [
        (t("xlsx_method", lang), t("xlsx_method_text", lang)),
        # the sheets as they are in this workbook (written before this one)
        (t("xlsx_sheets", lang), ", ".join(wb.sheetnames)),
    ]
    for n in metrics.get("notes", []):  # known notes in the reader's language
        said = note_sentences([n], lang)
        if said and said[0] != t("note_other", lang):
            rows.append((t("xlsx_run_note", lang), display_text(said[0])))
        else:
            rows.append((t("xlsx_technical", lang), display_text(n)))
    ws = wb.create_sheet(t("xlsx_notes", lang), 0)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100
    for i, (k, v) in enumerate(rows, 1):
        ws.cell(row=i, column=1, value=k).font = Font(bold=True)
        cell = ws.cell(row=i, column=2, value=v)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        as_text(cell)


def without_run_id(tb: Table, lang: str) -> Table:
    """``tb`` without the run-id row: the workbook names the run once, on "Hinweise"."""
    first = tb.frame.columns[0]
    keep = tb.frame[first] != t("repro_run", lang)
    if keep.all():
        return tb
    return Table(tb.key, tb.title, tb.frame[keep].reset_index(drop=True), tb.formats, tb.note)


def tf_funded(n: int, spent: float | None, lang: str) -> str:
    """E.g. "20 Vorschläge für zusammen 498.000 €"."""
    from workbench.i18n import fmt_eur, tf

    return tf("budget_funded", lang, n=n, spent=fmt_eur(spent or 0.0, lang))


def render_xlsx(content: ReportContent, run: str | Path, path: str | Path) -> Path:
    """Write ``ranking.xlsx``: notes, ranking, scenarios, allocation, districts,
    reproducibility — one table per sheet."""
    import json

    from openpyxl import Workbook

    lang = content.lang
    run, path = Path(run), Path(path)
    props = pd.read_parquet(run / "proposals.parquet")
    funded = {f["proposal_id"] for f in (content.summary.get("budget") or {}).get("funded", [])}
    wb = Workbook()
    wb.remove(wb.active)
    table_sheet(wb, t("ranking", lang), ranking_table(props, funded, content.names, lang), lang)
    summary = pd.read_parquet(run / "allocation_summary.parquet")
    table_sheet(wb, t("scenarios", lang), scenario_table(summary, lang), lang)
    alloc = pd.read_parquet(run / "allocation.parquet")
    table_sheet(wb, t("xlsx_allocation", lang), allocation_table(alloc, props, lang), lang)
    districts = [tb for s in content.sections for tb in s.tables if tb.key == "districts"]
    if districts:
        table_sheet(wb, t("budget_districts", lang), districts[0], lang)
    repro = content.section("reproduce").tables
    for tb in repro:
        table_sheet(wb, tb.title, without_run_id(tb, lang), lang)
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    notes_sheet(wb, content, metrics)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path
