"""The report's data model: tables, figures, sections and the whole report, as data.

Tables carry raw values plus a format per column (:data:`FORMATS`), so the spreadsheet keeps
numbers as numbers while the PDF and HTML show them in the reader's language
(:func:`format_value`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench import i18n
from workbench.i18n import fmt_dec, fmt_eur, fmt_int, fmt_pct, t
from workbench.privacy import MAX_TEXT as PRIVACY_MAX_TEXT
from workbench.privacy import public_text

METHODS = ("votes_greedy", "need_optimal", "equal_shares", "equal_shares_need")
# formats a table column can have; renderers know each of them
FORMATS = (
    "text", "int", "eur", "eur_change", "pct", "dec1", "dec2", "coord", "votes", "range", "check",
)  # fmt: skip
# citizen text on the report's pages follows the one publication rule (workbench.privacy)
MAX_TEXT = PRIVACY_MAX_TEXT
display_text = public_text


@dataclass
class Table:
    """A titled table: raw values in ``frame``, one format per column (see :data:`FORMATS`)."""

    key: str
    title: str
    frame: pd.DataFrame
    formats: dict[str, str]
    note: str = ""
    # text columns that may be longer than MAX_TEXT (the workbench's own reasons, which must
    # never end mid-word); citizen text is cut at MAX_TEXT for the layout
    long_text: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        bad = {c: f for c, f in self.formats.items() if f not in FORMATS}
        if bad or set(self.formats) != set(self.frame.columns):
            raise ValueError(f"table {self.key}: formats {bad or self.formats} do not fit columns")
        text = [c for c, f in self.formats.items() if f == "text"]
        if text:
            limit = {c: 4 * MAX_TEXT if c in self.long_text else MAX_TEXT for c in text}
            self.frame = self.frame.assign(
                **{c: self.frame[c].map(lambda v, n=limit[c]: display_text(v, n)) for c in text}
            )
        self.title, self.note = display_text(self.title), display_text(self.note)

    def formatted(self, lang: str) -> list[list[str]]:
        """Every cell as display text in ``lang``."""
        cols = list(self.frame.columns)
        return [
            [format_value(v, self.formats[c], lang) for c, v in zip(cols, row, strict=True)]
            for row in self.frame.itertuples(index=False)
        ]


@dataclass
class Figure:
    """A map or chart: PNG bytes with a title and a text alternative."""

    key: str
    title: str
    png: bytes
    alt: str


@dataclass
class Section:
    """One chapter of the report: paragraphs, terms, a list, figures, then tables."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    # terms explained where they first appear: (term, two plain sentences)
    terms: list[tuple[str, str]] = field(default_factory=list)
    # a titled list (e.g. the key caveats): (title, items)
    bullets: tuple[str, list[str]] | None = None
    emphasis: tuple[int, ...] = ()  # paragraphs shown highlighted (e.g. the recommendation)

    def __post_init__(self) -> None:
        self.paragraphs = [
            display_text(p, limit=4 * MAX_TEXT, newlines=True) for p in self.paragraphs
        ]


@dataclass
class ReportContent:
    """Everything the report shows, in one language."""

    lang: str
    title: str
    subtitle: str
    run_id: str
    simulated: bool
    sections: list[Section]
    # the run's figures (:mod:`workbench.run_summary`), for the workbook's notes
    summary: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # district id -> name
    # when the run was computed, for people ("Berechnung vom 08.12.2026, 03:03 Uhr")
    computed: str = ""
    # the closing block: (label, link or "", sentences), see :mod:`.legal`
    legal: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def section(self, key: str) -> Section:
        """The section with ``key``."""
        return next(s for s in self.sections if s.key == key)

    def table(self, key: str) -> Table:
        """The first table with ``key`` in any section."""
        return next(tb for s in self.sections for tb in s.tables if tb.key == key)


def format_value(v: Any, fmt: str, lang: str) -> str:
    """Display text of one table value.

    >>> format_value(94000.0, "eur", "de"), format_value(0.5, "pct", "en")
    ('94.000 €', '50%')
    >>> format_value((2, 6), "range", "de"), format_value(3, "votes", "en")
    ('2–6', 'fewer than 5')
    >>> format_value(-98000.0, "eur_change", "de")
    '−98.000 €'
    """
    if fmt == "text":
        return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
    if fmt == "range":
        lo, hi = v
        return "–" if lo is None or pd.isna(lo) else f"{int(lo)}–{int(hi)}"
    if fmt == "check":
        return "✓" if bool(v) else ""
    if v is None or pd.isna(v):
        return "–"
    if fmt == "int":
        return fmt_int(float(v), lang)
    if fmt == "eur":
        return fmt_eur(float(v), lang)
    if fmt == "eur_change":
        f = float(v)
        return ("+" if f > 0 else "−" if f < 0 else "±") + fmt_eur(abs(f), lang)
    if fmt == "pct":
        return fmt_pct(float(v), lang)
    if fmt == "dec1":
        return fmt_dec(float(v), lang, 1)
    if fmt == "dec2":
        return fmt_dec(float(v), lang, 2)
    if fmt == "coord":
        return fmt_dec(float(v), lang, 6)
    if fmt == "votes":
        return i18n.fmt_votes(float(v), lang)
    raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")


def kv_table(
    key: str, title: str, items: list[tuple[str, Any]], lang: str, *, key_title: str | None = None
) -> Table:
    """A two-column table of items and their values, all as text.

    >>> kv_table("k", "K", [("a", 1)], "en").frame.to_dict("list")
    {'Item': ['a'], 'Value': ['1']}
    """
    frame = pd.DataFrame(
        {
            key_title or t("item", lang): [k for k, _ in items],
            t("value", lang): [str(v) for _, v in items],
        }
    )
    return Table(key, title, frame, dict.fromkeys(frame.columns, "text"))


def area_names(areas: pd.DataFrame | None) -> dict[str, str]:
    """District id → display name (empty without districts).

    >>> area_names(pd.DataFrame({"area_id": ["a"], "name": ["Altstadt"]}))
    {'a': 'Altstadt'}
    """
    return dict(zip(areas["area_id"], areas["name"], strict=True)) if areas is not None else {}


def label(prefix: str, value: Any, lang: str) -> Any:
    """The i18n text ``prefix + value``, or ``value`` itself when there is none.

    >>> label("purpose_", "control", "en"), label("purpose_", "other", "en")
    ('control site', 'other')
    """
    key = f"{prefix}{value}"
    return t(key, lang) if key in i18n.TEXT else value
