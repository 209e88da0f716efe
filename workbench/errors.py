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


class InputError(ValueError):
    """Bad input: names the file (and line and field, where there are any) or the setting."""


EXIT_BAD_INPUT = 1
EXIT_BUG = 2
