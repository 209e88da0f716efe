"""Render a :class:`~workbench.present.report.content.ReportContent` as PDF with ReportLab.

Pure PyPI: ReportLab draws the pages, and the DejaVu Sans font that ships with matplotlib
is embedded, so German umlauts, €, µ, ³ and – print on a machine with no system fonts.
Citizen text is passed to ReportLab's mini-markup escaped (``<`` and ``&`` would otherwise be
read as tags).
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

from workbench.present.report.content import ReportContent, Table

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
LONG_TEXT = 60  # text columns longer than this on average become a full-width row


def _register_fonts() -> None:
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(ttf / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def _styles() -> dict[str, object]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=5)
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=4
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, textColor=colors.HexColor("#444444")),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=16,
            spaceBefore=8,
            spaceAfter=6,
            textColor=colors.HexColor("#1b5e20"),
        ),
        "h3": ParagraphStyle("h3", parent=base, fontName=FONT_BOLD, fontSize=10, spaceBefore=4),
        "banner": ParagraphStyle(
            "banner",
            parent=base,
            fontName=FONT_BOLD,
            borderPadding=5,
            borderColor=colors.HexColor("#8a6d00"),
            borderWidth=1.2,
            backColor=colors.HexColor("#fff3cd"),
            spaceBefore=4,
            spaceAfter=10,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.2, leading=8.8, spaceAfter=0),
        "cellhead": ParagraphStyle(
            "cellhead", parent=base, fontName=FONT_BOLD, fontSize=7.2, leading=8.8, spaceAfter=0
        ),
        "caption": ParagraphStyle(
            "caption", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#333333")
        ),
    }


def _p(text: str, style: object) -> object:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _column_widths(cols: list[object], rows: list[list[str]], width: float) -> list[float]:
    """Widths that fit numbers and header words unbroken; long text takes what is left."""
    char, bold = 4.6, 5.6  # points per character at 7.2 pt (regular, bold header)
    need = []
    for j, c in enumerate(cols):
        word = max((len(w) for w in str(c).split()), default=1)
        longest = max([len(r[j]) for r in rows], default=1)
        need.append(max(word * bold, min(longest, 48) * char) + 14)
    total = sum(need)
    if total <= width:
        return [w * width / total for w in need]
    # shrink the widest columns first, never below their header word
    floor = [max((len(w) for w in str(c).split()), default=1) * bold + 14 for c in cols]
    over = total - width
    order = sorted(range(len(cols)), key=lambda j: need[j] - floor[j], reverse=True)
    for j in order:
        cut = min(over, need[j] - floor[j])
        need[j] -= cut
        over -= cut
        if over <= 0:
            break
    return [w * width / sum(need) for w in need]


def _table_flowables(
    table: Table, lang: str, width: float, st: dict, section_title: str = ""
) -> list[object]:
    from reportlab.lib import colors
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    cols = list(table.frame.columns)
    rows = table.formatted(lang)
    long = [
        i
        for i, c in enumerate(cols)
        if table.formats[c] == "text"
        and rows
        and sum(len(r[i]) for r in rows) / len(rows) > LONG_TEXT
    ]
    short = [i for i in range(len(cols)) if i not in long]
    colw = _column_widths([cols[i] for i in short], [[r[i] for i in short] for r in rows], width)
    data = [[_p(str(cols[i]), st["cellhead"]) for i in short]]
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 7.2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f5e9")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#2e7d32")),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for row in rows:
        data.append([_p(row[i], st["cell"]) for i in short])
        for i in long:
            r = len(data)
            data.append([_p(f"{cols[i]}: {row[i]}", st["cell"])] + [""] * (len(short) - 1))
            style.append(("SPAN", (0, r), (-1, r)))
            style.append(("TEXTCOLOR", (0, r), (-1, r), colors.HexColor("#333333")))
        style.append(("LINEBELOW", (0, len(data) - 1), (-1, len(data) - 1), 0.3, colors.grey))
    out: list[object] = [] if table.title == section_title else [_p(table.title, st["h3"])]
    t = RLTable(data, colWidths=colw, repeatRows=1)
    t.setStyle(TableStyle(style))
    out.append(t)
    if table.note:
        out.append(_p(table.note, st["caption"]))
    return out


def render_pdf(content: ReportContent, path: str | Path) -> Path:
    """Write the report as a PDF file (A4) and return its path."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, KeepTogether, PageBreak, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable

    from workbench.i18n import t

    _register_fonts()
    st = _styles()
    path = Path(path)
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.6 * cm,
        bottomMargin=1.6 * cm,
        title=content.title,
        author="GE grünt workbench",
        subject=content.run_id,
        lang=content.lang,
    )
    width = doc.width
    story: list[object] = [
        _p(content.title, st["title"]),
        _p(f"{content.subtitle} · {content.run_id}", st["subtitle"]),
    ]
    if content.simulated:
        story.append(_p(t("simulated", content.lang), st["banner"]))
    for k, s in enumerate(content.sections):
        if k > 0 and s.key in {"maps", "ranking", "scenarios", "evaluation", "methods"}:
            story.append(PageBreak())
        story.append(_p(s.title, st["h2"]))
        story.extend(_p(p, st["body"]) for p in s.paragraphs)
        if s.figures:
            cells = []
            for f in s.figures:
                img = Image(io.BytesIO(f.png))
                scale = min((width / 2 - 0.3 * cm) / img.drawWidth, 10.0 * cm / img.drawHeight)
                img.drawWidth *= scale
                img.drawHeight *= scale
                cells.append((img, _p(f.alt, st["caption"])))
            for i in range(0, len(cells), 2):
                pair = cells[i : i + 2]
                grid = RLTable(
                    [[c[0] for c in pair], [c[1] for c in pair]],
                    colWidths=[width / 2] * len(pair),
                )
                grid.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
                story.append(KeepTogether([grid, Spacer(1, 0.3 * cm)]))
        for tb in s.tables:
            story.extend(_table_flowables(tb, content.lang, width, st, s.title))
            story.append(Spacer(1, 0.3 * cm))

    def footer(canvas: object, doc_: object) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(1.8 * cm, 1.0 * cm, f"GE grünt workbench · {content.run_id}")
        canvas.drawRightString(A4[0] - 1.8 * cm, 1.0 * cm, str(canvas.getPageNumber()))
        canvas.restoreState()

    tmp = path.with_name(f".{path.name}.tmp")
    doc.filename = str(tmp)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    tmp.replace(path)
    return path
