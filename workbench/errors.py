"""The project's error types: bad input is the user's to fix, everything else is a bug.

:class:`InputError` (and its subclasses in the importers, participation, store and
workspace) means the input was wrong: a file, a line, a field, a setting or an argument.
The command line prints its message as one line and exits 1. Any other exception is a
bug: the command line prints a short apology with the path of a log file holding the
traceback and exits 2, so a bug never looks like the user's fault.

:class:`InputError` subclasses :class:`ValueError`, so code that already catches
``ValueError`` keeps working.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path


class InputError(ValueError):
    """Bad input: names the file (and line and field, where there are any) or the setting."""


EXIT_BAD_INPUT = 1
EXIT_BUG = 2


def log_dir() -> Path:
    """Where tracebacks of bugs go: ``$WORKBENCH_LOG_DIR`` or the system's temp folder."""
    return Path(
        os.environ.get("WORKBENCH_LOG_DIR") or Path(tempfile.gettempdir()) / "workbench-logs"
    )


def report_bug(exc: BaseException, prefix: str = "error") -> Path:
    """Write the traceback of ``exc`` to a new log file and return its path.

    Used by the command line (a bug: exit 2 with the path) and by the dashboard kernels
    (an error in a widget callback, which a visitor must never see).
    """
    from workbench import __version__

    d = log_dir()
    d.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    path = d / f"{prefix}-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    path.write_text(f"workbench {__version__}\n{' '.join(sys.argv)}\n\n{text}", encoding="utf-8")
    return path
