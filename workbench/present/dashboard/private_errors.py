"""Errors inside a dashboard kernel stay on the server.

ipywidgets reports an exception in a button, text or slider callback with the kernel's
``showtraceback``, which sends the whole traceback (file paths of the server, source
lines) over the kernel websocket to whoever has the page open. Voila's
``show_tracebacks=False`` covers cell execution, not these callbacks. A public page must
not show a visitor the server's insides, so :func:`keep_tracebacks_private` replaces the
kernel's reporting: the full traceback goes to a log file in ``$WORKBENCH_LOG_DIR`` (as for
a bug on the command line, :func:`workbench.errors.report_bug`), the visitor's websocket
gets nothing. (Not to standard error: ipykernel forwards the process's file descriptor 2
to the page as well.)
"""

from __future__ import annotations

import os
import sys
from typing import Any

from workbench.errors import report_bug

LOG_PREFIX = "dashboard-error"


def _log_current_exception() -> None:
    exc = sys.exc_info()[1]
    if exc is None:
        return
    try:
        report_bug(exc, prefix=LOG_PREFIX)
    except OSError:  # no writable log folder: still nothing for the visitor
        pass


def under_voila() -> bool:
    """Whether this kernel was started by Voila (it sets ``VOILA_SERVER_URL`` for every
    kernel, preheated or not); an analyst's own JupyterLab kernel keeps its tracebacks."""
    return "VOILA_SERVER_URL" in os.environ


def keep_tracebacks_private(shell: Any = None) -> bool:
    """Route the kernel's error reports to the server log instead of the page.

    Parameters
    ----------
    shell : the IPython shell of the kernel (default: the running one)

    Returns
    -------
    bool
        ``True`` when a kernel shell was found and changed (``False`` outside a kernel,
        e.g. when a page is built from pytest).
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython comes with ipykernel
            return False
        shell = get_ipython()
    if shell is None:
        return False

    def showtraceback(*_args: Any, **_kwargs: Any) -> None:
        _log_current_exception()

    def custom_exc(_shell: Any, _etype: Any, _value: Any, _tb: Any, tb_offset: Any = None) -> None:
        _log_current_exception()

    shell.showtraceback = showtraceback
    shell.set_custom_exc((Exception,), custom_exc)
    return True
