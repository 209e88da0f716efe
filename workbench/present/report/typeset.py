"""Typography of printed numbers: a real minus sign and no line break inside a quantity.

The i18n formatters (:mod:`workbench.i18n`) write ``-0,81`` and ``500.000 €`` with a plain
hyphen and a plain space, the forms the citizen pages and their tests use. A printed page
needs more: a minus sign (U+2212), which a screen reader reads as "minus", and a no-break
space (U+00A0) between a number and its unit, so that "500.000 €" never wraps as
"500.000 / €". :func:`typeset` applies both to any text the report shows, and the HTML
renderer (and so the PDF) passes every text through it.

>>> typeset("Wirkung -0,81 K, Budget 500.000 €, GB-004, 2-km-Blöcke") == (
...     "Wirkung \\u22120,81\\u00a0K, Budget 500.000\\u00a0€, GB-004, 2-km-Blöcke")
True
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
MINUS = "\u2212"
# a hyphen that starts a number: not inside a word, a code (GB-004) or a date (2025-06-01)
_NEGATIVE = re.compile(r"(?<![\w.,\-/])-(?=\d)")
# the units a report number carries; the space before them must not break
UNITS = ("€", "%", "K²", "K", "°C", "µg/m³", "m", "km", "Grad", "Uhr", "Tage", "Jahre")
_UNIT = re.compile(r"(?<=\d) (?=(?:" + "|".join(map(re.escape, UNITS)) + r")(?![\w]))")


def real_minus(text: str) -> str:
    """``text`` with every hyphen that starts a number replaced by a minus sign.

    >>> real_minus("-0,93 … -0,69 (GB-004, 2025-06-01)") == "\\u22120,93 … \\u22120,69 (GB-004, 2025-06-01)"
    True
    """  # noqa: E501
    return _NEGATIVE.sub(MINUS, text)


def unit_spaces(text: str) -> str:
    """``text`` with a no-break space between each number and its unit (:data:`UNITS`).

    >>> unit_spaces("3,6 K und 71 % von 5 Menschen") == "3,6\\u00a0K und 71\\u00a0% von 5 Menschen"
    True
    """
    return _UNIT.sub(NBSP, text)


def typeset(text: str) -> str:
    """:func:`real_minus` and :func:`unit_spaces` of ``text``."""
    return unit_spaces(real_minus(text))
