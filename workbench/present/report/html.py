"""Render a :class:`~workbench.present.report.content.ReportContent` as one self-contained
HTML file.

Every text from the data (proposal titles and explanations come from citizens) goes through
:func:`html.escape`; images are embedded as ``data:`` URIs, so the file needs no server, no
script and nothing from the internet.
"""

from __future__ import annotations

import base64
from html import escape

from workbench.present.report.content import ReportContent, Table

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; max-width: 64rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { border-bottom: 2px solid #2e7d32;
     padding-bottom: 0.2rem; margin-top: 2.2rem; } h3 { font-size: 1.05rem; }
.subtitle { color: #444; } .banner { background: #fff3cd; border: 2px solid #8a6d00;
     padding: 0.6rem 0.9rem; font-weight: bold; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 0.85rem; width: 100%; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.4rem; vertical-align: top; }
th { background: #e8f5e9; text-align: left; } td.num { text-align: right; white-space: nowrap; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
figure { display: inline-block; margin: 0.5rem; max-width: 30rem; vertical-align: top; }
figure img { width: 100%; height: auto; border: 1px solid #ccc; }
figcaption { font-size: 0.85rem; color: #333; } .note { font-size: 0.85rem; color: #444; }
@media print { figure { max-width: 45%; } h2 { page-break-before: auto; } }
"""

NUMERIC = {"int", "eur", "pct", "dec1", "dec2", "votes", "range", "check"}


def table_html(table: Table, lang: str) -> str:
    """One table with a caption and column headers; every cell escaped."""
    cols = list(table.frame.columns)
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in cols)
    body = []
    for row in table.formatted(lang):
        cells = []
        for c, v in zip(cols, row, strict=True):
            cls = ' class="num"' if table.formats[c] in NUMERIC else ""
            cells.append(f"<td{cls}>{escape(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (
        f'<table id="table-{escape(table.key)}"><caption>{escape(table.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}"
    )


def render_html(content: ReportContent) -> str:
    """The whole report as an HTML document (UTF-8 text)."""
    lang = content.lang
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{escape(content.title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{escape(content.title)}</h1>",
        f'<p class="subtitle">{escape(content.subtitle)} · {escape(content.run_id)}</p>',
    ]
    if content.simulated:
        from workbench.i18n import t

        parts.append(f'<p class="banner" role="note">{escape(t("simulated", lang))}</p>')
    parts.append("</header><main>")
    for s in content.sections:
        parts.append(f'<section id="{escape(s.key)}"><h2>{escape(s.title)}</h2>')
        parts.extend(f"<p>{escape(p)}</p>" for p in s.paragraphs)
        for f in s.figures:
            data = base64.b64encode(f.png).decode("ascii")
            parts.append(
                f'<figure id="map-{escape(f.key)}"><img src="data:image/png;base64,{data}" '
                f'alt="{escape(f.alt)}"><figcaption>{escape(f.title)}</figcaption></figure>'
            )
        parts.extend(table_html(tb, lang) for tb in s.tables)
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts)
