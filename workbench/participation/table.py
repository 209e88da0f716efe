"""The canonical participation data every importer produces, and shared helpers.

``proposals``: ``proposal_id, title, description, category, cost_eur, lat, lon,
area_id, address, votes, selected, feasible`` (more columns are kept); ``ballots``:
``voter_id, proposal_id, points`` (1 for approval). Only an allow-list of proposal
columns is kept (:func:`keep_allowed`): a column the list does not name (an author, an
e-mail, "Kontakt", "Geburtsdatum", anything new) is never stored, and the import says
which ones it dropped. E-mail addresses and phone numbers inside the free text are
masked (:func:`mask_contacts`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import InputError
from workbench.importers import check_columns
from workbench.importers.base import decode_text, sniff_delimiter
from workbench.importers.limits import current as current_limits
from workbench.privacy import mask_contacts

CATEGORIES = [
    "trees",
    "unsealing",
    "green_roof",
    "green_facade",
    "pocket_park",
    "shade",
    "water",
    "other",
]
PROPOSAL_COLUMNS = [
    "proposal_id",
    "title",
    "description",
    "category",
    "cost_eur",
    "lat",
    "lon",
    "area_id",
    "address",
    "votes",
    "selected",
    "feasible",
]
# proposal columns kept besides PROPOSAL_COLUMNS (pabulib's reported votes, score and
# beneficiaries); everything else is dropped before anything is stored
ALLOWED_EXTRA = ["votes_reported", "score", "beneficiaries"]
# free-text category → canonical category (first match wins; German and English)
_CATEGORY_WORDS = [
    ("green_roof", r"dach|roof"),
    ("green_facade", r"fassade|fa[cç]ade|wall|kletter"),
    ("unsealing", r"entsiegel|unseal|desiegel|pflaster|asphalt"),
    ("shade", r"schatten|shade|sonnensegel|pergola"),
    ("water", r"wasser|water|brunnen|fountain|teich|pond"),
    ("trees", r"baum|baeum|b[aä]ume|tree|allee"),
    ("pocket_park", r"park|garten|garden|wiese|meadow"),
]


class ParticipationError(InputError):
    """Malformed participation input; the message names the file, line and field."""


@dataclass
class Participation:
    """Proposals, ballots and what the source says about the process."""

    proposals: pd.DataFrame
    ballots: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["voter_id", "proposal_id", "points"])
    )
    meta: dict[str, Any] = field(default_factory=dict)


# plausible ranges of the numbers a proposal carries: outside them a value would rig the
# ranking (a cost of 0 or 1e-300 wins everything) or break the allocation (inf, 1e308)
NUMBER_RANGES = {
    "cost_eur": (1.0, 1e9, "a cost between 1 € and 1,000,000,000 €"),
    "votes": (0.0, 1e8, "a vote count between 0 and 100,000,000"),
    "lat": (-90.0, 90.0, "degrees of latitude (-90 to 90)"),
    "lon": (-180.0, 180.0, "degrees of longitude (-180 to 180)"),
    # a ballot's points (approval 1, or a score): inf or 1e308 would outweigh every voter
    "points": (0.0, 1e6, "points between 0 and 1,000,000"),
}


def first_out_of_range(values: Any, field_name: str, *, missing_ok: bool = True) -> int | None:
    """Index of the first value outside :data:`NUMBER_RANGES` for ``field_name`` (or not
    finite; or missing, unless ``missing_ok``), else ``None``.

    >>> first_out_of_range([1.0, 3.0, float("inf")], "points")
    2
    >>> first_out_of_range([1.0, None], "points", missing_ok=False)
    1
    """
    lo, hi, _ = NUMBER_RANGES[field_name]
    v = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
    bad = ~(np.isfinite(v) & v.between(lo, hi))
    if missing_ok:
        bad &= v.notna()
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def norm(name: str) -> str:
    """Lower-case ASCII-ish key of a column name or place name (umlauts folded)."""
    s = unicodedata.normalize("NFKD", str(name).strip().lower())
    s = s.replace("ß", "ss")
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def read_rows(data: bytes, source: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a delimited text file (``;``, ``,`` or tab; UTF-8 or Latin-1)."""
    text = decode_text(data)
    if not text.strip():
        raise ParticipationError(f"{source}: the file is empty")
    limits = current_limits()
    check_columns(data, source, limits.max_columns)  # 10⁶ columns once took 700 MB
    delim = sniff_delimiter(text[:4096])
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        rows = list(reader)
    except csv.Error as exc:  # a field over the csv module's limit (128 KiB), a stray quote
        raise ParticipationError(
            f"{source}, line {reader.line_num}: cannot be read as a table ({exc})"
        ) from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    for no, r in enumerate(rows, start=1):
        longest = max((len(c.encode("utf-8", "surrogatepass")) for c in r), default=0)
        if longest > limits.max_field_bytes:
            raise ParticipationError(
                f"{source}, line {no}: a field of {longest:,} bytes; "
                f"at most {limits.max_field_bytes:,} are read"
            )
    header = [c.strip() for c in rows[0]]
    for no, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise ParticipationError(
                f"{source}, line {no}: {len(r)} fields, the header has {len(header)}"
            )
    return header, rows[1:]


def frame(header: list[str], rows: list[list[str]], aliases: dict[str, list[str]]) -> pd.DataFrame:
    """A frame with canonical column names: each alias list names accepted headers."""
    df = pd.DataFrame(rows, columns=header, dtype=object)
    by_norm = {norm(c): c for c in header}
    rename = {}
    for canon, names in aliases.items():
        for n in names:
            if norm(n) in by_norm and by_norm[norm(n)] not in rename:
                rename[by_norm[norm(n)]] = canon
                break
    return df.rename(columns=rename)


def keep_allowed(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Only the allowed proposal columns, and the names of those dropped."""
    allowed = set(PROPOSAL_COLUMNS) | set(ALLOWED_EXTRA)
    keep = [c for c in df.columns if c in allowed]
    return df[keep], [str(c) for c in df.columns if c not in allowed]


def number(
    series: pd.Series,
    source: str,
    field_name: str,
    *,
    line_offset: int = 2,
    thousands: bool = True,
) -> pd.Series:
    """Parse numbers written as ``12000``, ``12.000`` (German thousands), ``12,5``,
    ``12.000,50 €`` or ``€12,000``; empty stays missing. ``thousands=False`` (for
    coordinates) reads ``51.578`` and ``51,578`` as decimals."""
    out = []
    for i, v in enumerate(series.fillna("").astype(str)):
        s = re.sub(r"[€$\s]|EUR|PLN|CHF", "", v.strip(), flags=re.I)
        if s == "":
            out.append(np.nan)
            continue
        if thousands and re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", s):
            s = s.replace(".", "").replace(",", ".")
        elif thousands and re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s):
            s = s.replace(",", "")
        else:
            s = s.replace(",", ".")
        try:
            out.append(float(s))
        except ValueError:
            raise ParticipationError(
                f"{source}, line {i + line_offset}, field {field_name!r}: expected a number, "
                f"got {v!r}"
            ) from None
    return pd.Series(out, index=series.index, dtype=float)


def truthy(series: pd.Series) -> pd.Series:
    """``1/true/yes/ja/x/selected/ausgewählt/feasible/machbar`` → True, else False."""
    s = series.fillna("").astype(str).map(norm)
    yes = {"1", "true", "yes", "ja", "x", "selected", "ausgewahlt", "feasible", "machbar", "wahr"}
    return s.isin(yes)


def canonical_category(text: object) -> str:
    """Map a platform's category or tag text to one of :data:`CATEGORIES`.

    >>> canonical_category("Bäume & Alleen"), canonical_category("green_roof")
    ('trees', 'green_roof')
    """
    t = norm(str(text)) if text is not None and str(text) != "nan" else ""
    if t in CATEGORIES:
        return t
    for cat, pattern in _CATEGORY_WORDS:
        if re.search(pattern, t):
            return cat
    return "other"


def _category_or_title(category: object, title: object) -> str:
    """The category; the title's only when the category text is unknown ("Stadtgrün").

    >>> _category_or_title("other", "Insektenwiese"), _category_or_title("Stadtgrün", "Bäume")
    ('other', 'trees')
    """
    c = canonical_category(category)
    known = category is not None and norm(str(category)) in CATEGORIES
    return c if c != "other" or known else canonical_category(title)


def finish(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Canonical proposal frame: required ids, types, categories; personal data removed."""
    if "proposal_id" not in df:
        raise ParticipationError(f"{source}: no proposal id column (e.g. 'proposal_id' or 'ID')")
    if "title" not in df:
        raise ParticipationError(f"{source}: no title column (e.g. 'title' or 'Titel')")
    df, dropped = keep_allowed(df)
    df = df.copy()
    df["proposal_id"] = df["proposal_id"].astype(str).str.strip()
    empty = df["proposal_id"] == ""
    if empty.any():
        raise ParticipationError(
            f"{source}, line {int(np.flatnonzero(empty)[0]) + 2}, field 'proposal_id': empty"
        )
    dup = df["proposal_id"].duplicated()
    if dup.any():
        raise ParticipationError(
            f"{source}: proposal_id {df.loc[dup, 'proposal_id'].iloc[0]!r} appears twice"
        )
    for col in ("cost_eur", "lat", "lon", "votes"):
        if col in df and df[col].dtype == object:
            df[col] = number(df[col], source, col, thousands=col not in ("lat", "lon"))
    for col in ("cost_eur", "votes", "lat", "lon"):
        if col in df:
            # a proposal without a cost cannot be allocated
            i = first_out_of_range(df[col], col, missing_ok=col != "cost_eur")
            if i is not None:
                what = NUMBER_RANGES[col][2]
                raise ParticipationError(
                    f"{source}, line {i + 2}, field {col!r}: expected {what}, got {df[col].iat[i]}"
                )
    for col in ("selected", "feasible"):
        if col in df and df[col].dtype == object:
            df[col] = truthy(df[col])
    cats = df.get("category", pd.Series("", index=df.index))
    # a platform category the table does not know ("Stadtgrün"): try the title
    df["category"] = [_category_or_title(c, t) for c, t in zip(cats, df["title"], strict=True)]
    for col in PROPOSAL_COLUMNS:
        if col not in df:
            df[col] = np.nan
    for col in ("title", "description", "address", "area_id"):
        df[col] = df[col].where(df[col].notna(), None)
    for col in ("title", "description", "address"):
        df[col] = df[col].map(mask_contacts)
    df["votes"] = df["votes"].astype(float)
    out = df[PROPOSAL_COLUMNS + [c for c in df.columns if c not in PROPOSAL_COLUMNS]]
    out.attrs["dropped_columns"] = dropped
    return out
