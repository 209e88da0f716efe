"""Render the report's HTML as a tagged PDF (PDF/UA-1) with WeasyPrint.

One layout, two outputs: the PDF is the HTML report (:func:`.html.render_html`) printed with
a print style sheet, so the two can never say different things. WeasyPrint writes the
structure tree (headings, paragraphs, tables with their header cells, figures with the
images' ``alt`` text), the document language from ``<html lang>`` and the title from
``<title>`` — what a screen reader needs and what BITV 2.0 asks of a public body's PDF.

The font is the DejaVu Sans that ships with matplotlib, loaded from its file, so German
umlauts, €, µ, ³ and – print the same on a machine without system fonts.
"""

from __future__ import annotations

from pathlib import Path

PRINT_CSS = """
@font-face { font-family: "Report Sans"; src: url("{regular}"); }
@font-face { font-family: "Report Sans"; font-weight: bold; src: url("{bold}"); }
body { font-family: "Report Sans", sans-serif; }
@page {
  size: A4; margin: 13mm 15mm 16mm 15mm;
  @top-center { content: "{header}"; font: bold 7.5pt "Report Sans"; color: #6b5400; }
  @bottom-left { content: "{footer}"; font: 7.5pt "Report Sans"; color: #444; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 7.5pt "Report Sans";
                  color: #444; }
}
"""


def css_string(text: str) -> str:
    """``text`` fit for a CSS string in double quotes.

    >>> print(css_string('say "hi"'))
    say \\"hi\\"
    """
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def print_css(footer: str, header: str = "") -> str:
    """The font files of matplotlib, the page size, a header line (the simulated-data
    banner, so that every page says it) and a footer line; the rest of the print layout is
    the ``@media print`` part of the HTML report's own style sheet."""
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return (
        PRINT_CSS.replace("{regular}", (ttf / "DejaVuSans.ttf").as_uri())
        .replace("{bold}", (ttf / "DejaVuSans-Bold.ttf").as_uri())
        .replace("{footer}", css_string(footer))
        .replace("{header}", css_string(header))
    )


def render_pdf(html: str, path: str | Path, *, footer: str = "", header: str = "") -> Path:
    """Write ``html`` (a whole report document) as a tagged PDF/UA-1 file at ``path``.

    Parameters
    ----------
    html : the report as HTML text; its ``lang`` and ``<title>`` become the PDF's
    path : where the PDF goes
    footer : a line printed at the bottom left of every page (title and computation date)
    header : a line printed at the top of every page (the simulated-data banner)
    """
    import logging

    from weasyprint import CSS, HTML

    # WeasyPrint logs every CSS property it does not know (e.g. of the screen style sheet)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    path = Path(path)
    # base_url: the report loads nothing, and file names must not resolve against the cwd
    doc = HTML(string=html, base_url="data:,")
    doc.write_pdf(
        path,
        stylesheets=[CSS(string=print_css(footer, header))],
        pdf_variant="pdf/ua-1",
        uncompressed_pdf=False,
    )
    return path
