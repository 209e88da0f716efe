"""The decision-maker report: ``report.pdf``, ``report.html`` and ``ranking.xlsx``.

Data first (:mod:`.content` builds the sections from a run), then one renderer per format
(:mod:`.html`, :mod:`.pdf`, :mod:`.xlsx`). :func:`render_report` writes the three files;
:mod:`workbench.pipeline.report` is the step that ``workbench report`` and the demo call.
"""

from __future__ import annotations

from pathlib import Path

from workbench.present.report.content import ReportContent, build_content

__all__ = ["ReportContent", "build_content", "render_report"]


def render_report(content: ReportContent, run: Path, out: Path) -> dict[str, Path]:
    """Write ``report.html``, ``report.pdf`` and ``ranking.xlsx`` of ``content`` into ``out``."""
    from workbench.present.report.html import render_html
    from workbench.present.report.pdf import render_pdf
    from workbench.present.report.xlsx import render_xlsx

    out.mkdir(parents=True, exist_ok=True)
    html = out / "report.html"
    tmp = out / ".report.html.tmp"
    tmp.write_text(render_html(content), encoding="utf-8")
    tmp.replace(html)
    pdf = render_pdf(content, out / "report.pdf")
    xlsx = render_xlsx(content, run, out / "ranking.xlsx")
    return {"pdf": pdf, "html": html, "xlsx": xlsx}
