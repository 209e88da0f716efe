"""Render a :class:`~workbench.present.report.content.ReportContent` as one self-contained
HTML file.

Every text from the data (proposal titles and explanations come from citizens) goes through
:func:`html.escape`; images are embedded as ``data:`` URIs, so the file needs no server, no
script and nothing from the internet.
"""

from __future__ import annotations

import base64
import re
from html import escape

from workbench.present.report.content import ReportContent, Section, Table
from workbench.present.report.typeset import typeset

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; max-width: 64rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.45; overflow-wrap: break-word; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { border-bottom: 2px solid #2e7d32;
     padding-bottom: 0.2rem; margin-top: 2.2rem; } h3 { font-size: 1.05rem; }
.subtitle { color: #444; } .banner { background: #fff3cd; border: 2px solid #8a6d00;
     padding: 0.6rem 0.9rem; font-weight: bold; }
.recommendation { background: #e8f5e9; border-left: 6px solid #2e7d32; padding: 0.5rem 0.9rem; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 0.85rem; width: 100%; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.4rem; vertical-align: top;
         hyphens: manual; overflow-wrap: normal; word-break: normal; }
th { background: #e8f5e9; text-align: left; } td.num { text-align: right; white-space: nowrap; }
tr.long td { border-top: none; color: #333; } tr.long .lbl { font-weight: bold; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
figure { display: inline-block; margin: 0.5rem; max-width: 30rem; vertical-align: top; }
figure img { width: 100%; height: auto; border: 1px solid #ccc; }
figcaption { font-size: 0.85rem; color: #333; } .note { font-size: 0.85rem; color: #444; }
footer { border-top: 1px solid #bbb; margin-top: 2rem; font-size: 0.85rem; color: #333; }
dl.terms dt { font-weight: bold; } dl.terms dd { margin: 0 0 0.4rem 0; }
@media (max-width: 40rem) { body { margin: 1rem auto; } figure { margin: 0.5rem 0; } }
@media print {
  html { font-size: 9.5pt; } body { max-width: none; margin: 0; padding: 0; line-height: 1.35; }
  h2 { font-size: 12.5pt; margin-top: 1.1em; }
  h2, h3, caption { break-after: avoid; }
  h1 { font-size: 13pt; margin: 0; } .subtitle { display: none; }
  .banner { padding: 0.3rem 0.6rem; margin: 0.3rem 0; }
  section#decision h2 { margin-top: 0.5rem; }
  section#decision p { margin: 0.2rem 0; font-size: 9pt; }
  section#decision table { font-size: 7.5pt; margin: 0.2rem 0 0.5rem; }
  section#decision td, section#decision th { padding: 0.1rem 0.3rem; }
  section#decision dl.terms, section#decision ul { font-size: 8pt; margin: 0.2rem 0; }
  section#decision h3 { margin: 0.4rem 0 0.1rem; font-size: 9pt; }
  p { orphans: 3; widows: 3; } table { font-size: 8pt; } thead { display: table-header-group; }
  tr, figure, dl.terms dd { break-inside: avoid; } .table-wrap { overflow: visible; }
  figure { display: block; max-width: none; margin: 0.3em 0 0.8em; text-align: center; }
  figure img { width: auto; max-width: 16.5cm; max-height: 16.5cm; border: none; }
  .table-wrap.small { break-inside: avoid; } figcaption { text-align: left; }
  footer { display: none; } section#legal { break-inside: avoid; }
}
"""

NUMERIC = {"int", "eur", "eur_change", "pct", "dec1", "dec2", "coord", "votes", "range", "check"}


SMALL = 15  # a table of at most this many rows is kept on one page
LONG_TEXT = 60  # a text column longer than this on average is shown as a row of its own


def txt(s: str) -> str:
    """Report text for HTML: :func:`~.typeset.typeset` (a real minus, no break inside a
    quantity), then escaped.

    >>> txt("<b> -1 €")
    '&lt;b&gt; \u22121\xa0€'
    """
    return escape(typeset(str(s)))


def long_columns(table: Table, rows: list[list[str]]) -> list[str]:
    """Text columns whose cells average more than :data:`LONG_TEXT` characters: they get a
    full-width row under their record instead of a column squeezed to a few letters."""
    cols = list(table.frame.columns)
    if not rows or len(cols) < 3:
        return []
    return [
        c
        for i, c in enumerate(cols)
        if table.formats[c] == "text" and sum(len(r[i]) for r in rows) / len(rows) > LONG_TEXT
    ]


NUMBER_TEXT = re.compile(r"^[−+\-]?[\d.,\s]+(\s?[€%KB]|\s?µg/m³)?$")


def numeric_text_columns(table: Table, rows: list[list[str]]) -> set[str]:
    """Text columns whose every filled cell reads as a number (e.g. the mixed-format rows of
    a comparison table): right-aligned like numbers."""
    cols = list(table.frame.columns)
    out = set()
    for i, c in enumerate(cols):
        vals = [r[i] for r in rows if r[i] not in ("", "–")]
        if table.formats[c] == "text" and vals and all(NUMBER_TEXT.match(v) for v in vals):
            out.add(c)
    return out


def table_html(table: Table, lang: str) -> str:
    """One table with a caption and column headers; every cell escaped.

    The table sits in a region that scrolls by itself on a narrow screen, so the page never
    scrolls sideways; long text columns become a row of their own under each record.
    """
    cols = list(table.frame.columns)
    rows = table.formatted(lang)
    long = long_columns(table, rows)
    right = numeric_text_columns(table, rows)
    short = [c for c in cols if c not in long]
    tid = f"table-{escape(table.key)}"
    head = "".join(f'<th scope="col">{txt(c)}</th>' for c in short)
    body = []
    for n, row in enumerate(rows):
        cells = []
        for c, v in zip(cols, row, strict=True):
            if c in long:
                continue
            cls = ' class="num"' if table.formats[c] in NUMERIC or c in right else ""
            cells.append(f"<td{cls}>{txt(v)}</td>")
        body.append(f'<tr id="{tid}-r{n}">' + "".join(cells) + "</tr>")
        for c in long:
            v = row[cols.index(c)]
            if v:
                body.append(
                    f'<tr class="long"><td colspan="{len(short)}">'
                    f'<span class="lbl">{txt(c)}:</span> '
                    f"{txt(v)}</td></tr>"
                )
    note = f'<p class="note">{txt(table.note)}</p>' if table.note else ""
    return (
        f'<div class="table-wrap{" small" if len(rows) <= SMALL else ""}" role="region" '
        f'tabindex="0" aria-labelledby="{tid}-cap">'
        f'<table id="{tid}"><caption id="{tid}-cap">{txt(table.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{note}"
    )


def section_html(s: Section, lang: str) -> str:
    """One section: heading, paragraphs, terms, a list, figures, then tables."""
    parts = [f'<section id="{escape(s.key)}"><h2>{txt(s.title)}</h2>']
    for i, p in enumerate(s.paragraphs):
        cls = ' class="recommendation"' if i in s.emphasis else ""
        parts.append(f"<p{cls}>{txt(p)}</p>")
    if s.terms:
        parts.append('<dl class="terms">')
        parts.extend(f"<dt>{txt(k)}</dt><dd>{txt(v)}</dd>" for k, v in s.terms)
        parts.append("</dl>")
    if s.bullets and s.bullets[1]:
        parts.append(f"<h3>{txt(s.bullets[0])}</h3><ul>")
        parts.extend(f"<li>{txt(b)}</li>" for b in s.bullets[1])
        parts.append("</ul>")
    for f in s.figures:
        data = base64.b64encode(f.png).decode("ascii")
        parts.append(
            f'<figure id="map-{escape(f.key)}"><img src="data:image/png;base64,{data}" '
            f'alt="{txt(f.alt)}"><figcaption>{txt(f.title)}</figcaption></figure>'
        )
    parts.extend(table_html(tb, lang) for tb in s.tables)
    parts.append("</section>")
    return "\n".join(parts)


def legal_html(content: ReportContent) -> str:
    """The closing block: Impressum, Datenschutz and Erklärung zur Barrierefreiheit, each
    with the city's link (a validated http(s) address, :mod:`workbench.present.publication`)
    or what the report can say without one."""
    from workbench.i18n import t

    parts = [f'<section id="legal"><h2>{txt(t("legal", content.lang))}</h2>']
    for label, url, texts in content.legal:
        parts.append(f"<h3>{txt(label)}</h3>")
        if url:
            parts.append(f'<p><a href="{escape(url)}">{escape(url)}</a></p>')
        parts.extend(f"<p>{txt(x)}</p>" for x in texts)
    parts.append("</section>")
    return "\n".join(parts)


def footer_html(content: ReportContent) -> str:
    """The page footer of the HTML report: computation date and the three legal entries
    (linked where the city gave a link; the closing block says more)."""
    items = [
        f'<a href="{escape(url)}">{txt(label)}</a>' if url else txt(label)
        for label, url, _ in content.legal
    ]
    return f"<footer><p>{txt(content.computed)}</p><p>{' · '.join(items)}</p></footer>"


def render_html(content: ReportContent) -> str:
    """The whole report as an HTML document (UTF-8 text)."""
    from workbench.i18n import t

    lang = content.lang
    subtitle = " · ".join(x for x in (content.subtitle, content.computed) if x)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{escape(content.title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{escape(content.title)}</h1>",
        f'<p class="subtitle">{txt(subtitle)}</p>',
    ]
    if content.simulated:
        parts.append(f'<p class="banner" role="note">{escape(t("simulated", lang))}</p>')
    parts.append("</header><main>")
    parts.extend(section_html(s, lang) for s in content.sections)
    if content.legal:
        parts.append(legal_html(content))
    parts.append("</main>")
    if content.legal:
        parts.append(footer_html(content))
    parts.append("</body></html>")
    return "\n".join(parts)
