"""``workbench qc``: flag, humidity-correct and calibrate; judge sensor health."""

from __future__ import annotations

from datetime import datetime

from workbench.pipeline.result import StepResult
from workbench.qc import layer as qc_layer
from workbench.qc.refresh import refresh_qc
from workbench.qc.text import report_lines
from workbench.workspace import Workspace


def run(ws: Workspace, *, as_of: datetime | str | None = None) -> StepResult:
    """Run QC over the whole store and make it ``qc/current``.

    ``detail`` is the :class:`~workbench.qc.run_checks.QCResult`; the raw store is unchanged.
    """
    result = refresh_qc(ws.root, ws.store, ws.qc_settings(), as_of=as_of)
    return StepResult(
        "qc",
        run=qc_layer.current(ws.root),
        summary=result.summary,
        lines=list(report_lines(result)),
        detail=result,
    )
