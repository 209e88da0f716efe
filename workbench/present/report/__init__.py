"""The decision-maker report: ``report.pdf``, ``report.html`` and ``ranking.xlsx``.

Data first (:mod:`.content` builds the sections from a run), then one renderer per format
(:mod:`.html`, :mod:`.xlsx`; :mod:`.pdf` prints the HTML as a tagged PDF).
:func:`render_report` writes the three files;
:mod:`workbench.pipeline.report` is the step that ``workbench report`` and the demo call.
"""

from __future__ import annotations

from pathlib import Path

from workbench.present.report.content import ReportContent, build_content
from workbench.rundir import publish_folder

__all__ = ["ReportContent", "build_content", "render_report"]


def render_report(content: ReportContent, run: Path, out: Path) -> dict[str, Path]:
    """Write ``report.html``, ``report.pdf`` and ``ranking.xlsx`` of ``content`` and make
    the three visible at ``out`` together (:func:`workbench.rundir.publish_folder`): a
    reader never finds the HTML of one round beside the PDF of another, and a renderer
    that fails leaves the previous report whole."""
    from workbench.i18n import t
    from workbench.present.report.html import render_html
    from workbench.present.report.pdf import render_pdf
    from workbench.present.report.xlsx import render_xlsx

    def write(d: Path) -> None:
        html = render_html(content)
        (d / "report.html").write_text(html, encoding="utf-8")
        footer = " · ".join(x for x in (content.title, content.computed) if x)
        header = t("simulated", content.lang) if content.simulated else ""
        render_pdf(html, d / "report.pdf", footer=footer, header=header)
        render_xlsx(content, run, d / "ranking.xlsx")

    out = publish_folder(Path(out), write, what="report")
    return {"pdf": out / "report.pdf", "html": out / "report.html", "xlsx": out / "ranking.xlsx"}
