"""German and English words and number formats for everything a citizen or council reads.

German is the default language of every page and report; English is the switch. Texts live
in one table (:data:`TEXT`) so the report, the dashboards and the static site say the same
thing in the same words. The table is kept in three parts, merged here: :mod:`.page_text`
(shared words, the citizen and analyst pages), :mod:`.report_text` (the report) and
:mod:`.explain_text` (explanations the models write); a key may be defined only once.

Examples
--------
>>> fmt_int(4200, "de"), fmt_int(4200, "en")
('4.200', '4,200')
>>> fmt_eur(94000, "de"), fmt_eur(94000, "en")
('94.000 €', '€94,000')
>>> fmt_pct(0.711, "de"), fmt_pct(0.711, "en")
('71 %', '71%')
>>> t("rank", "en")
'Rank'
"""

from __future__ import annotations

import math
from typing import Any

from workbench.i18n.decision_text import DECISION_TEXT
from workbench.i18n.explain_text import EXPLAIN_TEXT
from workbench.i18n.page_text import PAGE_TEXT
from workbench.i18n.report_text import REPORT_TEXT
from workbench.privacy import small_group

LANGUAGES = ("de", "en")

CATEGORY = {
    "de": {
        "trees": "Bäume",
        "pocket_park": "Kleiner Park",
        "unsealing": "Entsiegelung",
        "green_roof": "Gründach",
        "green_facade": "Fassadengrün",
        "shade": "Schatten",
        "water": "Trinkwasser",
        "other": "Sonstiges",
    },
    "en": {
        "trees": "trees",
        "pocket_park": "pocket park",
        "unsealing": "unsealing",
        "green_roof": "green roof",
        "green_facade": "green facade",
        "shade": "shade",
        "water": "drinking water",
        "other": "other",
    },
}

METHOD = {
    "de": {
        "votes_greedy": "Nur Stimmen (wie bisher)",
        "need_optimal": "Nach Bedarf (optimal)",
        "equal_shares": "Equal Shares (Stimmen)",
        "equal_shares_need": "Equal Shares mit Bedarf",
    },
    "en": {
        "votes_greedy": "Votes only (current practice)",
        "need_optimal": "By need (optimal)",
        "equal_shares": "Equal Shares (votes)",
        "equal_shares_need": "Need-informed Equal Shares",
    },
}


def _merge(*tables: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """One table from several; a key defined in two of them is an error.

    >>> _merge({"a": ("A", "A")}, {"b": ("B", "B")})
    {'a': ('A', 'A'), 'b': ('B', 'B')}
    >>> _merge({"a": ("A", "A")}, {"a": ("Ä", "A")})
    Traceback (most recent call last):
    ...
    ValueError: i18n keys defined twice: ['a']
    """
    merged: dict[str, tuple[str, str]] = {}
    for table in tables:
        twice = sorted(set(merged) & set(table))
        if twice:
            raise ValueError(f"i18n keys defined twice: {twice}")
        merged.update(table)
    return merged


# key -> (German, English), from the three tables; defined twice is an import error
TEXT: dict[str, tuple[str, str]] = _merge(PAGE_TEXT, REPORT_TEXT, EXPLAIN_TEXT, DECISION_TEXT)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise ``ValueError``."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not supported; use one of {LANGUAGES}")
    return lang


def t(key: str, lang: str) -> str:
    """The text for ``key`` in ``lang`` (``"de"`` or ``"en"``)."""
    return TEXT[key][LANGUAGES.index(check_lang(lang))]


def tf(key: str, lang: str, **values: Any) -> str:
    """The text for ``key`` in ``lang`` with its ``{placeholders}`` filled in."""
    return t(key, lang).format(**values)


def category(name: Any, lang: str) -> str:
    """Display name of a proposal category."""
    return CATEGORY[check_lang(lang)].get(str(name), str(name))


def method(name: str, lang: str) -> str:
    """Display name of an allocation method."""
    return METHOD[check_lang(lang)].get(name, name)


def fmt_int(x: float, lang: str) -> str:
    """``4200`` → ``4.200`` (German) or ``4,200`` (English); ``–`` for a missing value."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    s = f"{round(x):,}"
    return s.replace(",", ".") if lang == "de" else s


def fmt_dec(x: float, lang: str, digits: int = 2) -> str:
    """``0.5`` → ``0,50`` (German) or ``0.50`` (English); ``–`` for a missing value."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    s = f"{x:,.{digits}f}"
    if lang == "de":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def fmt_eur(x: float, lang: str) -> str:
    """Euros without cents, in the language's style."""
    s = fmt_int(x, lang)
    if s == "–":
        return s
    return f"{s} €" if lang == "de" else f"€{s}"


def fmt_pct(share: float, lang: str, digits: int = 0) -> str:
    """A share in [0, 1] as a percentage: ``71 %`` (German) or ``71%`` (English)."""
    if share is None or not math.isfinite(float(share)):
        return "–"
    s = fmt_dec(100 * share, lang, digits)
    return f"{s} %" if lang == "de" else f"{s}%"


def fmt_votes(n: float, lang: str) -> str:
    """A vote count, or "fewer than 5" for groups too small to show.

    >>> fmt_votes(3, "en"), fmt_votes(1234, "de")
    ('fewer than 5', '1.234')
    """
    if n is None or (isinstance(n, float) and not math.isfinite(n)):
        return "–"
    if small_group(n):
        return t("few_votes", lang)
    return fmt_int(n, lang)


def fmt_datetime(ts: Any, lang: str, tz: str = "Europe/Berlin") -> str:
    """A point in time as people in Gelsenkirchen read it: local time, German style.

    >>> fmt_datetime("2025-08-31 23:00:00+00:00", "de")
    '01.09.2025, 01:00 Uhr'
    >>> fmt_datetime("2025-08-31 23:00:00+00:00", "en")
    '1 Sep 2025, 01:00'
    >>> fmt_datetime(None, "de")
    '–'
    """
    import pandas as pd

    if ts is None or (isinstance(ts, float) and not math.isfinite(ts)):
        return "–"
    try:
        t0 = pd.Timestamp(ts)
    except (ValueError, TypeError):
        return "–"
    if t0 is pd.NaT:
        return "–"
    t0 = (t0.tz_localize("UTC") if t0.tzinfo is None else t0).tz_convert(tz)
    if check_lang(lang) == "de":
        return t0.strftime("%d.%m.%Y, %H:%M Uhr")
    return f"{t0.day} {t0.strftime('%b %Y, %H:%M')}"


def fmt_date(ts: Any, lang: str, tz: str = "Europe/Berlin") -> str:
    """The date part of :func:`fmt_datetime`: ``01.09.2025`` or ``1 Sep 2025``."""
    s = fmt_datetime(ts, lang, tz)
    return s.split(",")[0]
