"""``workbench report``: ``report.pdf``, ``report.html`` and ``ranking.xlsx`` of the latest run.

Data first (:func:`workbench.present.report.build_content`), then one renderer per format
(:func:`workbench.present.report.render_report`).
"""

from __future__ import annotations

from pathlib import Path

from workbench.errors import InputError
from workbench.pipeline import monitor
from workbench.pipeline.result import StepResult
from workbench.workspace import Workspace

LANGUAGES = ("de", "en")


def run(ws: Workspace, out: str | Path | None = None, *, lang: str = "de") -> StepResult:
    """Render the latest run of a workspace into ``out`` (default ``W/report``).

    ``files`` has ``pdf``, ``html`` and ``xlsx``; ``run`` is the results run reported on.
    """
    from workbench.present.publication import Publication
    from workbench.present.report import build_content, render_report

    if lang not in LANGUAGES:
        raise InputError(f"--lang must be one of {LANGUAGES}, got {lang!r}")
    run_dir = ws.latest_run()
    if run_dir is None:
        raise InputError(
            f"{ws.root} has no results yet: run `workbench fit` and `workbench rank` first"
        )
    monitoring = monitor.monitoring(ws) if ws.qc_state() is not None else None
    content = build_content(
        run_dir,
        areas=ws.areas(),
        health=ws.health(),
        lang=lang,
        monitoring=monitoring,
        streets=ws.streets(),
        publication=Publication.from_config(ws.config),
    )
    target = Path(out) if out is not None else ws.root / "report"
    if out is None:
        _forget_unlinked_report(target)
    files = render_report(content, run_dir, target)
    lines = [f"run         {run_dir.resolve()}"]
    lines += [f"wrote       {files[k]}" for k in ("pdf", "html", "xlsx")]
    return StepResult("report", run=Path(run_dir).resolve(), files=files, lines=lines)


REPORT_FILES = {"report.pdf", "report.html", "ranking.xlsx", ".report.html.tmp"}


def _forget_unlinked_report(target: Path) -> None:
    """Before reports were swapped in whole, ``W/report`` was a plain folder of the three
    files; remove such a folder (only if it holds nothing else) so the new one can take
    its place."""
    if target.is_dir() and not target.is_symlink():
        names = {p.name for p in target.iterdir()}
        if names <= REPORT_FILES:
            for name in names:
                (target / name).unlink()
