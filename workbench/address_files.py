"""Address files: our CSV, the NRW house coordinates (HK-DE) and OSM extracts, read and checked.

Three layouts, told apart by their columns (names compared case-insensitively):

``workbench``
    ``street, housenumber, postcode, lat, lon`` (WGS84 degrees), the layout the workbench
    writes (``simulate/demo_data/addresses.csv``).
``hk-de``
    The official house coordinates ("Hauskoordinaten", georeferenzierte Gebäudeadressen) of
    Geobasis NRW in the nationwide HK-DE layout: semicolon-separated, ``STN`` street name,
    ``HNR`` house number, ``ADZ`` its suffix, ``PLZ`` postcode, ``EAST``/``NORTH`` in
    ETRS89/UTM zone 32 (EPSG:25832, decimal comma, the east value with or without the zone
    prefix ``32``). Files without a header line are read by position (the 18 HK-DE fields
    ``NBA;OI;QUA;LAN;RBZ;KRS;GMD;OTT;SSS;HNR;ADZ;EAST;NORTH;STN;PLZ;ONM;ZON;POT``).
``osm``
    An OpenStreetMap extract: ``addr:street, addr:housenumber, addr:postcode`` and ``lat,
    lon`` (or ``@lat, @lon`` or ``latitude, longitude``).

Text is UTF-8 (with or without BOM) or Windows-1252. A bad value refuses the whole file
with one line naming the file, the line, the field and what was expected.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.importers.base import ImportFormatError

COLUMNS = ["street", "housenumber", "postcode", "lat", "lon"]
MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 2_000_000
LAT_NAMES = ("lat", "@lat", "latitude")
LON_NAMES = ("lon", "@lon", "longitude")
# canonical field → accepted column names, per layout (the suffix column is optional)
LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "workbench": {
        "street": ("street",),
        "housenumber": ("housenumber",),
        "postcode": ("postcode",),
        "lat": LAT_NAMES,
        "lon": LON_NAMES,
    },
    "hk-de": {
        "street": ("stn",),
        "housenumber": ("hnr",),
        "suffix": ("adz",),
        "postcode": ("plz",),
        "east": ("east", "ost"),
        "north": ("north", "nord"),
    },
    "osm": {
        "street": ("addr:street",),
        "housenumber": ("addr:housenumber",),
        "postcode": ("addr:postcode",),
        "lat": LAT_NAMES,
        "lon": LON_NAMES,
    },
}
HK_DE_FIELDS = "nba oi qua lan rbz krs gmd ott sss hnr adz east north stn plz onm zon pot".split()
_HK_DE_NAMES = [f.upper() for f in HK_DE_FIELDS]
_NUMBER = re.compile(r"[+-]?\d+(\.\d*)?([eE][+-]?\d+)?")
_POSTCODE = re.compile(r"\d{5}")
EXPECTED = (
    "street,housenumber,postcode,lat,lon; or NRW house coordinates STN;HNR;ADZ;PLZ;EAST;NORTH; "
    "or an OSM extract with addr:street, addr:housenumber, addr:postcode, lat, lon"
)


class AddressError(ImportFormatError):
    """An address file that cannot be used; names the file, line and field."""


def read_addresses(
    path: str | Path, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> pd.DataFrame:
    """Read an address file in any of the three layouts (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The file.
    max_bytes, max_rows : int
        Larger files are refused before (bytes) or while (rows) they are read.

    Returns
    -------
    DataFrame
        ``street, housenumber, postcode, lat, lon``: house number with its suffix
        (``"12a"``), postcode a five-digit string, lat/lon WGS84 degrees.

    Raises
    ------
    AddressError
        One line naming the file, line and field of the first bad value.
    """
    p = Path(path)
    size = p.stat().st_size
    if size > max_bytes:
        raise AddressError(
            str(p), f"{size / 1e6:,.0f} MB, more than the {max_bytes / 1e6:,.0f} MB accepted"
        )
    return parse_addresses(p.read_bytes(), str(p), max_rows=max_rows)


def parse_addresses(
    data: bytes, source: str = "<bytes>", *, max_rows: int = MAX_ROWS
) -> pd.DataFrame:
    """:func:`read_addresses` for bytes.

    Examples
    --------
    >>> parse_addresses("street,housenumber,postcode,lat,lon\\nNeumarkt,1,45879,51.508,7.096\\n"
    ...     .encode()).values.tolist()
    [['Neumarkt', '1', '45879', 51.508, 7.096]]
    >>> bad = b"street,housenumber,postcode,lat,lon\\nNeumarkt,1,4587,51.5,7.1\\n"
    >>> parse_addresses(bad, "a.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.address_files.AddressError: a.csv, line 2, field 'postcode': expected 5 digits, ...
    """
    text = decode(data, source)
    first = text.split("\n", 1)[0]
    delim = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        header = next(reader, [])
        layout, columns, names = detect(header, source)
        rows = itertools.chain([header], reader) if names is None else reader
        fields = _read_rows(rows, reader, columns, names or _HK_DE_NAMES, delim, source, max_rows)
    except csv.Error as exc:  # a field over the csv module's limit, a NUL, a stray quote
        raise AddressError(
            source, f"cannot be read as a table ({exc})", line=reader.line_num
        ) from None
    if layout == "hk-de":
        fields["lon"], fields["lat"] = _utm_to_lonlat(fields.pop("east"), fields.pop("north"))
    return pd.DataFrame(
        {
            "street": pd.Series(fields["street"], dtype=object),
            "housenumber": pd.Series(fields["housenumber"], dtype=object),
            "postcode": pd.Series(fields["postcode"], dtype=object),
            "lat": np.asarray(fields["lat"], dtype=float),
            "lon": np.asarray(fields["lon"], dtype=float),
        }
    )


def decode(data: bytes, source: str) -> str:
    """UTF-8 (BOM stripped), else Windows-1252; anything else is refused.

    >>> decode("Straße".encode("cp1252"), "a.csv"), decode(b"\\xef\\xbb\\xbfok", "a.csv")
    ('Straße', 'ok')
    """
    if b"\x00" in data:
        raise AddressError(
            source, "holds NUL bytes: not a text file in UTF-8 or Windows-1252 (UTF-16?)"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise AddressError(
            source,
            f"byte 0x{data[exc.start]:02x} is neither UTF-8 nor Windows-1252 text",
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None


def detect(header: list[str], source: str) -> tuple[str, dict[str, int], list[str] | None]:
    """The layout, the column of each canonical field, and the column names (None: the
    file has no header line, its first line is a row)."""
    names = [h.strip().strip('"').lower() for h in header]
    if {"stn", "hnr", "plz"} <= set(names):
        layout = "hk-de"
    elif "addr:street" in names:
        layout = "osm"
    elif "street" in names:
        layout = "workbench"
    elif len(header) >= 15 and _NUMBER.fullmatch(header[11].strip().replace(",", ".")):
        # HK-DE without a header line: the fields by position
        return "hk-de", _positions(), None
    else:
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise AddressError(
            source, f"not an address table; expected {EXPECTED}; found {shown}", line=1
        )
    columns = {}
    for canon, accepted in LAYOUTS[layout].items():
        col = next((names.index(a) for a in accepted if a in names), None)
        if col is None and canon != "suffix":
            raise AddressError(
                source,
                f"missing column {accepted[0]!r} (the {layout} layout needs "
                + ", ".join(a[0] for k, a in LAYOUTS[layout].items() if k != "suffix")
                + ")",
                line=1,
            )
        if col is not None:
            columns[canon] = col
    return layout, columns, [h.strip().strip('"') for h in header]


def _positions() -> dict[str, int]:
    at = {name: i for i, name in enumerate(HK_DE_FIELDS)}
    return {
        "street": at["stn"],
        "housenumber": at["hnr"],
        "suffix": at["adz"],
        "postcode": at["plz"],
        "east": at["east"],
        "north": at["north"],
    }


class _Problems:
    """The first bad value of a file and how many more there are."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.first: tuple[int, str | None, str] | None = None
        self.more = 0

    def add(self, line: int, field: str | None, message: str) -> None:
        if self.first is None:
            self.first = (line, field, message)
        else:
            self.more += 1

    def raise_any(self) -> None:
        if self.first is None:
            return
        line, field, message = self.first
        if self.more:
            message += f" ({self.more} further bad values in the file)"
        raise AddressError(self.source, message, line=line, field=field)


def _read_rows(
    rows: Any,
    reader: Any,
    columns: dict[str, int],
    names: list[str],
    delim: str,
    source: str,
    max_rows: int,
) -> dict[str, list[Any]]:
    """Check and collect every row; the first problem (and the count of the rest) is raised."""
    out: dict[str, list[Any]] = {k: [] for k in columns if k != "suffix"}
    need = max(columns.values()) + 1
    coords = [k for k in ("lat", "lon", "east", "north") if k in columns]
    problems = _Problems(source)
    for row in rows:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        line = reader.line_num
        if len(out["street"]) >= max_rows:
            raise AddressError(source, f"more than {max_rows:,} rows; split the file", line=line)
        if len(row) < need:
            problems.add(line, None, f"{len(row)} fields, expected at least {need}")
            continue
        street = row[columns["street"]].strip()
        hn = row[columns["housenumber"]].strip()
        if "suffix" in columns:
            hn += row[columns["suffix"]].strip()
        pc = row[columns["postcode"]].strip()
        ok = True
        for name, value, good, what in (
            ("street", street, bool(street), "a street name"),
            ("housenumber", hn, bool(hn), "a house number"),
            ("postcode", pc, bool(_POSTCODE.fullmatch(pc)), "5 digits"),
        ):
            if not good:
                problems.add(line, names[columns[name]], f"expected {what}, got {value!r}")
                ok = False
        values = []
        for name in coords:
            v = _coordinate(row[columns[name]], name, delim)
            if v is None:
                got = row[columns[name]].strip()
                problems.add(line, names[columns[name]], f"expected {_WHAT[name]}, got {got!r}")
                ok = False
            values.append(v)
        if ok and problems.first is None:
            out["street"].append(street)
            out["housenumber"].append(hn)
            out["postcode"].append(pc)
            for name, v in zip(coords, values, strict=True):
                out[name].append(v)
    problems.raise_any()
    return out


_WHAT = {
    "lat": "degrees of latitude (-90 to 90)",
    "lon": "degrees of longitude (-180 to 180)",
    "east": "an ETRS89/UTM32 east value in metres (e.g. 363100,5 or 32363100,5)",
    "north": "an ETRS89/UTM32 north value in metres (e.g. 5708500,2)",
}
_RANGES = {
    "lat": (-90.0, 90.0),
    "lon": (-180.0, 180.0),
    "east": (100_000.0, 900_000.0),
    "north": (0.0, 9_400_000.0),
}


def _coordinate(raw: str, name: str, delim: str) -> float | None:
    s = raw.strip()
    if delim != ",":
        s = s.replace(",", ".")
    if not _NUMBER.fullmatch(s):
        return None
    v = float(s)
    if name == "east" and 32_000_000 <= v < 33_000_000:
        v -= 32_000_000  # the zone prefix of HK-DE east values
    lo, hi = _RANGES[name]
    return v if math.isfinite(v) and lo <= v <= hi else None


@lru_cache(maxsize=1)
def _to_lonlat() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


def _utm_to_lonlat(east: list[float], north: list[float]) -> tuple[np.ndarray, np.ndarray]:
    if not east:
        return np.array([], dtype=float), np.array([], dtype=float)
    lon, lat = _to_lonlat().transform(np.asarray(east, float), np.asarray(north, float))
    return np.asarray(lon, float), np.asarray(lat, float)
