"""What may be published: the one place for the public-data rules.

Every published output (the citizen pages, the static site, the report, the spreadsheet,
the results run itself) takes proposals through :func:`public_proposals`, shows counts
of people through :func:`small_group` and citizen text through :func:`public_text`
(e-mail addresses and phone numbers masked, control characters removed, length cut);
text cells of a spreadsheet or CSV file never start like a formula (:func:`formula_safe`).
Change a rule here and every output follows.

>>> small_group(4), small_group(5), small_group(float("nan"))
(True, False, False)
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

# never show a count of fewer people than this (votes, voters of a district, ...)
MIN_GROUP = 5

# the proposal columns a results run keeps (no author, e-mail, phone or voter id)
RUN_PROPOSAL_COLUMNS = (
    "proposal_id", "title", "description", "category", "cost_eur", "votes", "lat", "lon",
    "area_id", "cell_id", "x", "y", "placement", "rank", "rank_lo", "rank_hi", "score",
    "need_at_site", "beneficiaries", "vulnerable_share", "radius_m", "effect",
    "heat_hotspot", "heat_gi_confidence", "air_hotspot", "air_gi_confidence",
    "heat_uhi_k_at_site", "pm2_5_ugm3_at_site", "selected", "feasible",
    "explanation", "explanation_de", "explanation_en",
)  # fmt: skip

# the subset a published page (citizen page, static site) carries, nothing else
PAGE_PROPOSAL_COLUMNS = (
    "proposal_id", "title", "description", "category", "cost_eur", "votes", "lat", "lon",
    "area_id", "rank", "rank_lo", "rank_hi", "score", "need_at_site", "beneficiaries",
    "heat_hotspot", "air_hotspot", "explanation_de", "explanation_en",
)  # fmt: skip


def public_proposals(proposals: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Only the allowed ``columns`` of ``proposals`` (those present), in that order."""
    return proposals[[c for c in columns if c in proposals.columns]].copy()


def small_group(n: float) -> bool:
    """True if a count of people is too small to publish (``n < MIN_GROUP``)."""
    return not (isinstance(n, float) and math.isnan(n)) and n < MIN_GROUP


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# +49 209 123456, 0209/123456, (0209) 12 34 56, 0170-1234567: starts with + or 0,
# at least seven digits (postcodes, years, amounts and dates do not match)
PHONE = re.compile(r"(?<![\w.,/-])(?:\+\d{1,3}[ ]?|\(?0)[\d ()/-]{5,}\d(?![\w.,]\d)")


def mask_contacts(text: object) -> object:
    """E-mail addresses and phone numbers in free text replaced by a placeholder.

    >>> mask_contacts("Fragen an anna.b@example.org oder 0209 / 12 34 56, Kosten 12.000 €")
    'Fragen an [E-Mail entfernt] oder [Telefonnummer entfernt], Kosten 12.000 €'
    >>> mask_contacts("Am 2025-07-01 in 45879 Gelsenkirchen, Haus 12")
    'Am 2025-07-01 in 45879 Gelsenkirchen, Haus 12'
    """
    if not isinstance(text, str):
        return text
    text = EMAIL.sub("[E-Mail entfernt]", text)

    def phone(m: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in m.group(0))
        return "[Telefonnummer entfernt]" if digits >= 7 else m.group(0)

    return PHONE.sub(phone, text)


# longest text a published cell, paragraph or list entry shows; the run keeps the full text
MAX_TEXT = 600
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def public_text(v: Any, limit: int = MAX_TEXT, *, newlines: bool = False) -> Any:
    """Citizen text fit for a published page: contacts masked (:func:`mask_contacts`, also
    for rounds imported before masking existed), control characters removed (a NUL byte
    breaks a spreadsheet), tabs and line breaks as spaces, cut at ``limit`` characters with
    "…" (a 100,000-character title cannot be laid out). Non-text values pass unchanged.

    >>> public_text("Bäume\\x00 für\\tdie Schule"), public_text("x" * 10, limit=4)
    ('Bäume für die Schule', 'xxx…')
    >>> public_text("Kontakt: a@b.de")
    'Kontakt: [E-Mail entfernt]'
    """
    if not isinstance(v, str):
        return v
    s = str(mask_contacts(v)).replace("\t", " ").replace("\r", " ")
    s = _CONTROL.sub("", s if newlines else s.replace("\n", " "))
    return s if len(s) <= limit else s[: limit - 1] + "…"


# a text starting with one of these would be a formula in a spreadsheet (or become one
# when a user edits the cell): =, +, -, @, tab, carriage return, and their full-width forms
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# the same as a regular expression (for column-wise checks, e.g. a CSV export)
FORMULA_PATTERN = "^ *[" + "".join(re.escape(c) for c in FORMULA_START) + "]"


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet program would read ``text`` as a formula."""
    return text.lstrip(" ").startswith(FORMULA_START)


def formula_safe(v: Any) -> Any:
    """A text for a CSV cell that Excel and LibreOffice show as text: one that starts like
    a formula gets a leading apostrophe (the usual guard against CSV injection).

    >>> formula_safe("=1+2"), formula_safe(" @SUM(A1)"), formula_safe("sc:123"), formula_safe(3)
    ("'=1+2", "' @SUM(A1)", 'sc:123', 3)
    """
    return "'" + v if isinstance(v, str) and starts_like_formula(v) else v
