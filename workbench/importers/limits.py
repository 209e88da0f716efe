"""How much one input file may ask of the machine: unpacked size, columns, field length.

A 1 MB gzip "bomb" once unpacked to 2.2 GB, a CSV header of 10⁶ columns aborted the
process and a 1 MiB sensor id was stored. Every file import is held to these limits, and
each refusal is one line naming the file (and line and field where there is one). The
defaults fit any real sensor or participation export by orders of magnitude; a city can
change them in ``workbench.toml``::

    [import]
    max_unpacked_bytes = 1073741824   # what one (gzip) file may unpack to
    max_columns = 2000                # columns of a table
    max_field_bytes = 1048576         # one cell of a table

A JSON document nested deeper than Python's recursion limit (about 1,000 levels) is
refused as well; that limit is not a setting.

The limits in force are set for the duration of one :func:`workbench.importers.parse`
call (:func:`applied`), so every parser reads them without passing them down.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from workbench.errors import InputError


@dataclass(frozen=True)
class InputLimits:
    """Limits for one input file (see the module notes)."""

    max_unpacked_bytes: int = 1 << 30
    max_columns: int = 2_000
    max_field_bytes: int = 1 << 20

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> InputLimits:
        """The ``[import]`` limits of a workspace configuration.

        >>> InputLimits.from_config({"import": {"max_columns": 50}}).max_columns
        50
        >>> InputLimits.from_config({"import": {"max_columns": 0}})
        Traceback (most recent call last):
        ...
        workbench.errors.InputError: workbench.toml: import.max_columns must be a whole number ≥ 1, got 0
        """
        section = cfg.get("import", {}) or {}
        kw = {}
        for f in fields(cls):
            if f.name in section:
                v = section[f.name]
                if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                    raise InputError(
                        f"workbench.toml: import.{f.name} must be a whole number ≥ 1, got {v!r}"
                    )
                kw[f.name] = v
        return cls(**kw)


_ACTIVE: contextvars.ContextVar[InputLimits | None] = contextvars.ContextVar(
    "workbench_input_limits", default=None
)
DEFAULT = InputLimits()


def current() -> InputLimits:
    """The limits in force (the defaults outside :func:`applied`)."""
    return _ACTIVE.get() or DEFAULT


@contextlib.contextmanager
def applied(limits: InputLimits | None) -> Iterator[InputLimits]:
    """Put ``limits`` in force for the ``with`` block (``None``: keep those in force)."""
    if limits is None:
        yield current()
        return
    token = _ACTIVE.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)
