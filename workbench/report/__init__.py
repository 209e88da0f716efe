"""The decision-maker report: ``report.pdf``, ``report.html`` and ``ranking.xlsx``.

Data first (:mod:`.content` builds the sections from a run), then one renderer per format
(:mod:`.html`, :mod:`.pdf`, :mod:`.xlsx`). :func:`write_report` is what ``workbench report``
and ``workbench demo`` call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.report.content import ReportContent, build_content

__all__ = ["ReportContent", "ReportFiles", "build_content", "write_report"]


@dataclass(frozen=True)
class ReportFiles:
    pdf: Path
    html: Path
    xlsx: Path
    run: Path


def write_report(ws: Any, out: str | Path | None = None, *, lang: str = "de") -> ReportFiles:
    """Render the latest run of a workspace into ``out`` (default ``W/report``).

    Parameters
    ----------
    ws : :class:`workbench.workspace.Workspace`
    out : directory for ``report.pdf``, ``report.html`` and ``ranking.xlsx`` (created)
    lang : ``"de"`` (default) or ``"en"``
    """
    from workbench.report.html import render_html
    from workbench.report.pdf import render_pdf
    from workbench.report.xlsx import render_xlsx

    run = ws.latest_run()
    if run is None:
        raise FileNotFoundError(
            f"{ws.root} has no results yet: run `workbench fit` and `workbench rank` first"
        )
    from workbench.monitoring import monitor_workspace

    health = ws.health()
    monitoring = monitor_workspace(ws) if ws.qc_state() is not None else None
    content = build_content(run, areas=ws.areas(), health=health, lang=lang, monitoring=monitoring)
    out = Path(out) if out is not None else ws.root / "report"
    out.mkdir(parents=True, exist_ok=True)
    html = out / "report.html"
    tmp = out / ".report.html.tmp"
    tmp.write_text(render_html(content), encoding="utf-8")
    tmp.replace(html)
    pdf = render_pdf(content, out / "report.pdf")
    xlsx = render_xlsx(content, run, out / "ranking.xlsx")
    return ReportFiles(pdf=pdf, html=html, xlsx=xlsx, run=Path(run).resolve())
