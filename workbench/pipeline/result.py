"""The one result type every pipeline step returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Echo = Callable[[str], Any]


def quiet(_line: str) -> None:
    """An ``echo`` that prints nothing (the default of every step)."""


@dataclass(frozen=True)
class StepResult:
    """What one step did.

    Attributes
    ----------
    step : the command's name (``"fit"``, ``"rank"``, ...)
    run : the run directory the step wrote (``results/<run-id>``, ``qc/<run-id>``), if any
    files : other files it wrote, by role (``{"pdf": ..., "html": ...}``)
    warnings : what the user should know (printed as ``warning: ...``)
    summary : JSON-ready figures of the step (what ``--json`` prints)
    lines : the human-readable summary the command line prints
    detail : the step's in-memory result for callers in Python (e.g. the
        :class:`~workbench.qc.run_checks.QCResult` of ``qc``), not serialised
    """

    step: str
    run: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    detail: Any = None
