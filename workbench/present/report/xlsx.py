"""Write the report's tables to a spreadsheet (``ranking.xlsx``) with openpyxl.

Numbers stay numbers (with a display format), so the jury can sort and sum. Each money
table ends in a total row; totals are written as values (openpyxl computes no formulas), and
equal the sums of the rows above them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from workbench.i18n import fmt_votes, t
from workbench.present.report.content import ReportContent, Table
from workbench.privacy import small_group

NUMBER_FORMATS = {
    "int": "#,##0",
    "eur": '#,##0 "€"',
    "eur_change": '+#,##0 "€";-#,##0 "€";0 "€"',
    "pct": "0%",
    "dec1": "0.0",
    "dec2": "0.00",
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


# a text starting with one of these would be a formula (or become one when a user edits
# the cell): =, +, -, @, tab, carriage return, and their full-width forms
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def as_text(cell: Any) -> None:
    """Keep a text cell a text: never stored as a formula, and quote-prefixed (like typing
    ``'`` in Excel or LibreOffice) when it starts like one, so that editing the cell does
    not turn citizen text into a formula either."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.lstrip(" ").startswith(FORMULA_START):
            cell.quotePrefix = True


def _sheet(wb: Any, name: str, tables: list[Table], lang: str, totals: bool = False) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(name[:31])
    row = 1
    head_fill = PatternFill("solid", fgColor="E8F5E9")
    for tb in tables:
        ws.cell(row=row, column=1, value=tb.title).font = Font(bold=True, size=12)
        row += 1
        cols = list(tb.frame.columns)
        for j, c in enumerate(cols, 1):
            cell = ws.cell(row=row, column=j, value=str(c))
            cell.font = Font(bold=True)
            cell.fill = head_fill
        row += 1
        for rec in tb.frame.itertuples(index=False):
            for j, (c, v) in enumerate(zip(cols, rec, strict=True), 1):
                cell = ws.cell(row=row, column=j, value=_cell_value(v, tb.formats[c], lang))
                if tb.formats[c] in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[tb.formats[c]]
                if tb.formats[c] == "text":
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
        if totals and any(tb.formats[c] == "eur" for c in cols):
            ws.cell(row=row, column=1, value=t("total", lang)).font = Font(bold=True)
            for j, c in enumerate(cols, 1):
                if tb.formats[c] == "eur":
                    total = float(pd.to_numeric(tb.frame[c], errors="coerce").sum())
                    cell = ws.cell(row=row, column=j, value=total)
                    cell.number_format = NUMBER_FORMATS["eur"]
                    cell.font = Font(bold=True)
            row += 1
        if tb.note:
            ws.cell(row=row, column=1, value=tb.note)
            row += 1
        row += 1
    for cells in ws.iter_rows():
        for cell in cells:
            as_text(cell)
    for col in ws.columns:
        letter = col[0].column_letter
        width = max((len(str(c.value)) for c in col if c.value is not None), default=8)
        ws.column_dimensions[letter].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = None


def allocation_tables(
    content: ReportContent, alloc: pd.DataFrame, props: pd.DataFrame, lang: str
) -> list[Table]:
    """One table per method: the funded proposals and their cost."""
    from workbench import i18n

    out = []
    titles = props.set_index("proposal_id")["title"]
    ranks = props.set_index("proposal_id")["rank"]
    for m, g in alloc[alloc["selected"]].groupby("method", sort=False):
        frame = pd.DataFrame(
            {
                t("rank", lang): ranks.reindex(g["proposal_id"]).to_numpy(),
                t("proposal", lang): titles.reindex(g["proposal_id"]).astype(str).to_numpy(),
                t("cost", lang): g["cost_eur"].to_numpy(float),
            }
        ).sort_values(t("rank", lang))
        formats = dict(zip(frame.columns, ["int", "text", "eur"], strict=True))
        out.append(Table(f"alloc_{m}", i18n.method(str(m), lang), frame, formats))
    return out


def render_xlsx(content: ReportContent, run: str | Path, path: str | Path) -> Path:
    """Write ``ranking.xlsx``: ranking, scenarios, districts, allocations, metadata."""
    from openpyxl import Workbook

    from workbench.present.report.content import scenario_numbers

    lang = content.lang
    run = Path(run)
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, t("ranking", lang), [content.table("ranking")], lang)
    summary = pd.read_parquet(run / "allocation_summary.parquet")
    _sheet(wb, t("scenarios", lang), [scenario_numbers(summary, lang)], lang)
    districts = [tb for s in content.sections for tb in s.tables if tb.key == "districts"]
    if districts:
        _sheet(wb, t("district", lang), districts, lang, totals=True)
    alloc = pd.read_parquet(run / "allocation.parquet")
    props = pd.read_parquet(run / "proposals.parquet")
    _sheet(
        wb,
        t("xlsx_allocation", lang),
        allocation_tables(content, alloc, props, lang),
        lang,
        totals=True,
    )
    _sheet(wb, t("reproduce", lang)[:31], content.section("reproduce").tables, lang)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path
