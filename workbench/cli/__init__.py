"""The ``workbench`` command line.

Every command takes ``--workspace`` (default: the current directory), calls one step of
:mod:`workbench.pipeline` and prints the step's lines. Bad input (an
:class:`~workbench.errors.InputError`) prints one line and exits 1; anything else is a bug:
a short apology, the log file with the traceback, exit 2.
"""

from __future__ import annotations

from workbench.cli import analysis, data, publishing  # noqa: F401  (register the commands)
from workbench.cli.app import main

__all__ = ["main"]
