"""Addresses for the citizen page's search box: read, normalise, index, compact.

A citizen types "Cranger Straße 100", "cranger str. 100", a postcode ("45891") or a district
name; :class:`AddressIndex` turns that into proposals (:class:`Match`) with a point to show.
Addresses come from our own CSV, the NRW house coordinates (HK-DE layout) or an OSM extract
(:func:`read_addresses`); :func:`compact` packs them for the static site, whose JavaScript
search applies the same :func:`normalise` rules. Formats and sources: docs/addresses.md.

Examples
--------
>>> df = pd.DataFrame({"street": ["Cranger Straße"] * 2, "housenumber": ["100", "102a"],
...                    "postcode": ["45891"] * 2, "lat": [51.557, 51.5571], "lon": [7.09, 7.0901]})
>>> AddressIndex(df).search("cranger str. 100")[0].label
'Cranger Straße 100, 45891'
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.address_files import AddressError, parse_addresses, read_addresses

COLUMNS = ["street", "housenumber", "postcode", "lat", "lon"]
MAX_QUERY_CHARS = 120
MAX_MATCHES = 10
KINDS = ("address", "street", "postcode", "district")

_UMLAUTS = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue"})
_STR_DOT = re.compile(r"str\.")
_STR_END = re.compile(r"str\b")
_SEPARATORS = re.compile(r"[-.,]")
_SUFFIX = re.compile(r"\b(\d+) ([a-z])\b")
_SPACES = re.compile(r"\s+")
_POSTCODE = re.compile(r"\d{5}")
_STREET_NUMBER = re.compile(r"(.*\D) (\d+)([a-z]?)")


def normalise(text: str) -> str:
    """The form in which addresses are compared (German rules).

    The rules, applied in this order (the static site's JavaScript applies the same ones):

    1. Unicode NFC, then lower case.
    2. ``ß`` → ``ss``, ``ä`` → ``ae``, ``ö`` → ``oe``, ``ü`` → ``ue``.
    3. Any other accent is stripped (NFKD, combining marks dropped: ``é`` → ``e``).
    4. ``str.`` anywhere → ``strasse`` followed by a space (``hohenzollernstr. 5``,
       ``-str.``, ``str.100``).
    5. Hyphens, dots and commas → spaces.
    6. A word ending in ``str`` → ending in ``strasse`` (``cranger str 100``).
    7. Runs of whitespace → one space; leading and trailing space removed.
    8. A number followed by a space and a single letter becomes one token: ``12 a`` →
       ``12a`` (``12-a`` became ``12 a`` in rule 5).

    ``Straße`` and ``Strasse`` need no rule of their own: rule 2 makes both ``strasse``.

    Parameters
    ----------
    text : str
        What a person typed, or a street and house number from a file.

    Returns
    -------
    str
        The normalised text (lower-case ASCII letters, digits, single spaces, and any other
        character that none of the rules touches, such as ``/``).

    Examples
    --------
    >>> normalise("Cranger Str. 100") == normalise("cranger strasse 100") == normalise(
    ...     "Cranger Straße 100")
    True
    >>> normalise("Hohenzollernstr. 5"), normalise("Hohenzollernstraße 5")
    ('hohenzollernstrasse 5', 'hohenzollernstrasse 5')
    >>> normalise("Ückendorfer Str 12 a"), normalise("Ueckendorfer Straße 12-a")
    ('ueckendorfer strasse 12a', 'ueckendorfer strasse 12a')
    >>> normalise("  Kurt-Schumacher-Str.  7,  Café "), normalise("12A")
    ('kurt schumacher strasse 7 cafe', '12a')
    """
    s = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = _STR_DOT.sub("strasse ", s)
    s = _SEPARATORS.sub(" ", s)
    s = _STR_END.sub("strasse", s)
    s = _SPACES.sub(" ", s).strip()
    return _SUFFIX.sub(r"\1\2", s)


def street_key(text: str) -> str:
    """The key a street is looked up by: :func:`normalise` without spaces, so that
    ``Cranger Straße`` and ``Crangerstraße`` meet.

    >>> street_key("Kurt-Schumacher-Str."), street_key("Crangerstr")
    ('kurtschumacherstrasse', 'crangerstrasse')
    """
    return normalise(text).replace(" ", "")


def check_query(text: str) -> None:
    """Refuse a search text that no person types: too long or with control characters.

    Raises
    ------
    ValueError
        Naming what is wrong.
    """
    if not isinstance(text, str):
        raise TypeError(f"search text must be a str, got {type(text).__name__}")
    if len(text) > MAX_QUERY_CHARS:
        raise ValueError(f"search text has {len(text)} characters, at most {MAX_QUERY_CHARS}")
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Cs")), None)
    if bad is not None:
        raise ValueError(f"search text contains the control character {bad!r}")


@dataclass(frozen=True)
class Match:
    """One proposal of the search: what to show and where.

    ``kind`` is ``"address"``, ``"street"``, ``"postcode"`` or ``"district"``.
    """

    label: str
    lat: float
    lon: float
    kind: str


def _number(hn: str) -> int:
    m = re.match(r"\d+", hn)
    return int(m.group(0)) if m else -1


class AddressIndex:
    """An index of addresses (and district points) answering :meth:`search`.

    Parameters
    ----------
    addresses : DataFrame
        ``street, housenumber, postcode, lat, lon`` as :func:`read_addresses` returns them.
    districts : sequence of (area_id, name, lon, lat), optional
        Points to show for district names.

    Notes
    -----
    Building normalises each distinct street and house number once; a search is a few
    dictionary look-ups and one binary search over the sorted street keys.
    """

    def __init__(
        self,
        addresses: pd.DataFrame,
        districts: Sequence[tuple[str, str, float, float]] | None = None,
    ) -> None:
        missing = [c for c in COLUMNS if c not in addresses]
        if missing:
            raise ValueError(f"addresses lack the columns {missing}; expected {COLUMNS}")
        street = np.asarray(addresses["street"].astype(str), dtype=object)
        hn_display = np.asarray(addresses["housenumber"].astype(str), dtype=object)
        postcode = np.asarray(addresses["postcode"].astype(str), dtype=object)
        self._lat = np.asarray(addresses["lat"], dtype=float)
        self._lon = np.asarray(addresses["lon"], dtype=float)
        self._label, self._hn_display, self._postcode = street, hn_display, postcode
        # normalise each distinct street and house number once
        s_codes, s_uniques = pd.factorize(street)
        s_keys = [street_key(s) for s in s_uniques]
        k_codes, k_uniques = pd.factorize(np.array(s_keys, dtype=object)[s_codes])
        h_codes, h_uniques = pd.factorize(hn_display)
        h_keys = [normalise(h).replace(" ", "") for h in h_uniques]
        self._num = np.array([_number(h) for h in h_keys], dtype=np.int64)[h_codes]
        self._hn_len = np.array([len(h) for h in h_uniques], dtype=np.int64)[h_codes]
        keys = [str(k) for k in k_uniques]
        self._exact: dict[tuple[str, str], int] = {}
        for i, (k, h) in enumerate(zip(k_codes.tolist(), h_codes.tolist(), strict=True)):
            self._exact.setdefault((keys[k], h_keys[h]), i)
        order = np.argsort(k_codes, kind="stable")
        bounds = np.cumsum(np.bincount(k_codes, minlength=len(keys)))[:-1]
        self._rows = dict(zip(keys, np.split(order, bounds), strict=True))
        self._keys = sorted(keys)
        self._streets = self._street_matches(keys, k_codes, postcode)
        p_codes, p_uniques = pd.factorize(postcode)
        lat, lon = _means(p_codes, len(p_uniques), self._lat, self._lon)
        self._postcodes = {
            str(pc): Match(str(pc), float(a), float(o), "postcode")
            for pc, a, o in zip(p_uniques, lat, lon, strict=True)
        }
        self._districts = sorted(
            (
                (street_key(name), Match(str(name), float(lat), float(lon), "district"))
                for _aid, name, lon, lat in (districts or ())
            ),
            key=lambda km: km[0],
        )

    def _street_matches(
        self, keys: list[str], k_codes: np.ndarray, postcode: np.ndarray
    ) -> dict[str, list[Match]]:
        """Per street key, one match per postcode: the centre of those addresses, labelled
        with the street's first spelling (and the postcode when there are several)."""
        p_codes, p_uniques = pd.factorize(postcode)
        pair = k_codes.astype(np.int64) * len(p_uniques) + p_codes
        g_codes, g_uniques = pd.factorize(pair, sort=True)
        lat, lon = _means(g_codes, len(g_uniques), self._lat, self._lon)
        first_row = {int(k): int(self._rows[keys[k]][0]) for k in range(len(keys))}
        out: dict[str, list[Match]] = {}
        for g, a, o in zip(g_uniques.tolist(), lat, lon, strict=True):
            k, p = divmod(g, len(p_uniques))
            name = self._label[first_row[k]]
            out.setdefault(keys[k], []).append(Match(name, float(a), float(o), p_uniques[p]))
        return {
            key: [
                Match(f"{m.label} ({m.kind})" if len(ms) > 1 else m.label, m.lat, m.lon, "street")
                for m in ms
            ]
            for key, ms in out.items()
        }

    def __len__(self) -> int:
        return len(self._lat)

    # ------------------------------------------------------------------ search
    def search(self, text: str) -> list[Match]:
        """Proposals for what a person typed, best first, at most :data:`MAX_MATCHES`.

        * ``street number`` → that address (normalised, suffix included); a number the
          street does not have → the nearest house number on it (the label says which);
        * a five-digit postcode → the centre of its addresses;
        * a street → the centre of its addresses (one proposal per postcode it spans);
          a street prefix ("cranger") finds the street; several streets with that prefix
          are all proposed, in alphabetical order;
        * a district name or its prefix → the district's point.

        Raises
        ------
        ValueError
            If the text is longer than 120 characters or holds control characters.

        Examples
        --------
        >>> df = pd.DataFrame({"street": ["Cranger Straße", "Cranger Straße"],
        ...     "housenumber": ["98", "104"], "postcode": ["45891", "45891"],
        ...     "lat": [51.55, 51.56], "lon": [7.09, 7.09]})
        >>> [m.label for m in AddressIndex(df).search("Cranger Str. 99")]
        ['Cranger Straße 98, 45891']
        """
        check_query(text)
        q = normalise(text)
        if not q:
            return []
        if _POSTCODE.fullmatch(q):
            m = self._postcodes.get(q)
            return [m] if m else []
        out: list[Match] = []
        sn = _STREET_NUMBER.fullmatch(q)
        if sn:
            out += self._addresses(sn.group(1).replace(" ", ""), sn.group(2), sn.group(3))
        if not out:
            key = q.replace(" ", "")
            out += self._district_matches(key)
            out += [m for k in self._street_keys(key) for m in self._streets[k]]
        return _unique(out)[:MAX_MATCHES]

    def _street_keys(self, key: str) -> list[str]:
        """The street with exactly this key, else the streets starting with it."""
        if key in self._rows:
            return [key]
        lo = bisect.bisect_left(self._keys, key)
        hi = bisect.bisect_left(self._keys, key + "\uffff")
        return self._keys[lo : min(hi, lo + MAX_MATCHES)]

    def _addresses(self, key: str, number: str, suffix: str) -> list[Match]:
        out = []
        for k in self._street_keys(key):
            i = self._exact.get((k, number + suffix))
            if i is None:
                rows = self._rows[k]
                nums = self._num[rows]
                # nearest number; on a tie the lower one, and "12" before "12a"
                order = np.lexsort((self._hn_len[rows], nums, np.abs(nums - int(number))))
                i = int(rows[order[0]])
            out.append(self._address_match(int(i)))
        return out

    def _address_match(self, i: int) -> Match:
        label = f"{self._label[i]} {self._hn_display[i]}, {self._postcode[i]}"
        return Match(label, float(self._lat[i]), float(self._lon[i]), "address")

    def _district_matches(self, key: str) -> list[Match]:
        exact = [m for k, m in self._districts if k == key]
        return exact or [m for k, m in self._districts if k.startswith(key)]


def _means(
    codes: np.ndarray, n: int, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean lat and lon per group code."""
    count = np.bincount(codes, minlength=n)
    return (
        np.bincount(codes, weights=lat, minlength=n) / count,
        np.bincount(codes, weights=lon, minlength=n) / count,
    )


def _unique(matches: list[Match]) -> list[Match]:
    seen: set[tuple[str, str]] = set()
    out = []
    for m in matches:
        if (m.kind, m.label) not in seen:
            seen.add((m.kind, m.label))
            out.append(m)
    return out


# ---------------------------------------------------------------------- the workspace's districts
def within_box(df: pd.DataFrame, areas: pd.DataFrame, margin_m: float = 2000.0) -> pd.Series:
    """Which addresses lie inside the districts' bounding box widened by ``margin_m``.

    The margin is converted to degrees at the box's mean latitude (1° of latitude =
    111,320 m), which is exact enough for a filter against addresses of another city.

    >>> import shapely
    >>> areas = pd.DataFrame({"geometry": [shapely.box(7.0, 51.5, 7.1, 51.6)]})
    >>> df = pd.DataFrame({"lat": [51.55, 51.61, 51.7], "lon": [7.05, 7.05, 7.05]})
    >>> within_box(df, areas).tolist()
    [True, True, False]
    """
    import shapely

    x0, y0, x1, y1 = shapely.total_bounds(np.asarray(areas["geometry"], dtype=object))
    dlat = margin_m / 111_320.0
    dlon = dlat / np.cos(np.radians((y0 + y1) / 2))
    return df["lon"].between(x0 - dlon, x1 + dlon) & df["lat"].between(y0 - dlat, y1 + dlat)


def district_points(areas: pd.DataFrame) -> list[tuple[str, str, float, float]]:
    """``(area_id, name, lon, lat)`` of each district: a point inside its polygon (what
    :class:`AddressIndex` shows for a district name)."""
    out = []
    for aid, name, geom in zip(areas["area_id"], areas["name"], areas["geometry"], strict=True):
        p = geom.representative_point()
        out.append((str(aid), str(name), float(p.x), float(p.y)))
    return out


# ---------------------------------------------------------------------- the static site
def compact(df: pd.DataFrame) -> dict[str, list]:
    """The addresses in a compact JSON-able form for the static site's search.

    ``{"streets": [display names, sorted], "rows": [[street_index, housenumber, postcode,
    lat_1e5, lon_1e5], ...]}``: ``street_index`` points into ``streets``, house number and
    postcode are strings as read, ``lat_1e5``/``lon_1e5`` are the WGS84 degrees times
    100,000 rounded to integers (about 1 m). Rows are sorted by street, then house number.
    Serialise with ``json.dumps(..., separators=(",", ":"))``: 60,000 addresses are about
    2 MB, and the site normalises street names with the rules of :func:`normalise`.

    Examples
    --------
    >>> df = pd.DataFrame({"street": ["Neumarkt", "Bahnhofstraße"], "housenumber": ["1", "2a"],
    ...     "postcode": ["45879", "45879"], "lat": [51.508, 51.5066], "lon": [7.0961, 7.1]})
    >>> c = compact(df)
    >>> c["streets"]
    ['Bahnhofstraße', 'Neumarkt']
    >>> c["rows"]
    [[0, '2a', '45879', 5150660, 710000], [1, '1', '45879', 5150800, 709610]]
    """
    streets = sorted(df["street"].astype(str).unique())
    index = {s: i for i, s in enumerate(streets)}
    d = df.assign(
        _s=df["street"].astype(str).map(index),
        _n=df["housenumber"].astype(str).map(_number),
    ).sort_values(["_s", "_n", "housenumber"], kind="stable")
    lat = np.rint(d["lat"].to_numpy(float) * 1e5).astype(np.int64).tolist()
    lon = np.rint(d["lon"].to_numpy(float) * 1e5).astype(np.int64).tolist()
    rows = [
        [s, h, p, a, o]
        for s, h, p, a, o in zip(
            d["_s"].tolist(), d["housenumber"].astype(str).tolist(),
            d["postcode"].astype(str).tolist(), lat, lon, strict=True,
        )
    ]  # fmt: skip
    return {"streets": streets, "rows": rows}


__all__ = [
    "AddressError",
    "AddressIndex",
    "Match",
    "check_query",
    "compact",
    "district_points",
    "normalise",
    "parse_addresses",
    "read_addresses",
    "street_key",
    "within_box",
]
