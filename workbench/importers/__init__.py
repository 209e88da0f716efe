"""File importers: one parser per format, and detection of the format from content.

Each format module has ``parse_<format>(data: bytes, ...)`` (no files needed) and
``read_<format>(path, ...)``. :func:`parse` dispatches on the format name or detects it.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from workbench.importers import (
    generic_csv,
    opensensemap,
    reference_csv,
    senml,
    sensor_community,
    ttn,
    uba,
    urbanpulse,
)
from workbench.importers.base import ImportFormatError, ParsedBatch, decode_text
from workbench.importers.jsonutil import load_json
from workbench.importers.limits import InputLimits, applied
from workbench.importers.limits import current as current_limits

FORMATS = (
    "sensor-community",
    "opensensemap",
    "senml",
    "ttn",
    "urbanpulse",
    "uba",
    "reference-csv",
    "csv",
)

__all__ = ["FORMATS", "ImportFormatError", "ParsedBatch", "detect_format", "parse", "read"]


# the default limits (workbench.importers.limits; [import] in workbench.toml changes them)
MAX_UNPACKED_BYTES = InputLimits.max_unpacked_bytes
MAX_COLUMNS = InputLimits.max_columns
CHUNK = 1 << 20


def gunzip_limited(data: bytes, source: str, limit: int | None = None) -> bytes:
    """Unpack gzip ``data`` (one or more members) in 1 MiB steps, refusing to produce more
    than ``limit`` bytes, so a small file cannot fill the memory.

    >>> import gzip
    >>> gunzip_limited(gzip.compress(b"abc" * 3), "x.gz")
    b'abcabcabc'
    >>> gunzip_limited(gzip.compress(b"0" * 5000), "bomb.gz", limit=4096)
    Traceback (most recent call last):
    ...
    workbench.importers.base.ImportFormatError: bomb.gz: unpacks to more than 4,096 bytes (the limit for one file); split it or unpack it yourself
    """
    limit = current_limits().max_unpacked_bytes if limit is None else limit
    out = bytearray()
    rest = data
    while rest[:2] == b"\x1f\x8b":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        buf = rest
        try:
            while True:
                chunk = d.decompress(buf, CHUNK)
                out += chunk
                if len(out) > limit:
                    raise ImportFormatError(
                        source,
                        f"unpacks to more than {limit:,} bytes (the limit for one file); "
                        "split it or unpack it yourself",
                    )
                buf = d.unconsumed_tail
                if not chunk and not buf:
                    break
        except zlib.error as exc:
            raise ImportFormatError(source, f"damaged gzip file ({exc})") from None
        if not d.eof:
            raise ImportFormatError(source, "damaged gzip file (it ends too early)")
        rest = d.unused_data
    return bytes(out)


def _maybe_gunzip(data: bytes, source: str) -> bytes:
    return gunzip_limited(data, source) if data[:2] == b"\x1f\x8b" else data


def check_columns(data: bytes, source: str, limit: int | None = None) -> None:
    r"""Refuse a table whose header has more than ``limit`` columns (before any parser
    allocates memory for them; 10⁶ columns once aborted the process).

    >>> check_columns(b"a,b,c\n1,2,3\n", "t.csv")
    >>> check_columns(b",".join([b"c"] * 3000) + b"\n", "wide.csv")
    Traceback (most recent call last):
    ...
    workbench.importers.base.ImportFormatError: wide.csv, line 1: 3,000 columns; at most 2,000 are read
    """
    limit = current_limits().max_columns if limit is None else limit
    end = data.find(b"\n", 0, 64 << 20)  # counting separators is cheap, even in 64 MiB
    head = data[: end if end >= 0 else 64 << 20]
    n = max(head.count(sep) for sep in (b",", b";", b"\t")) + 1
    if n > limit:
        raise ImportFormatError(source, f"{n:,} columns; at most {limit:,} are read", line=1)


def detect_format(data: bytes, source: str = "<bytes>") -> str:
    """Tell the format of an input from its content.

    Examples
    --------
    >>> detect_format(b"sensor_id;sensor_type;location;lat;lon;timestamp;P1;P2\\n")
    'sensor-community'
    >>> detect_format(b'[{"bn": "dev1:", "n": "temp", "v": 1}]')
    'senml'
    """
    data = _maybe_gunzip(data, source)
    head = decode_text(data[:8192]).lstrip()
    if not head:
        raise ImportFormatError(source, "the file is empty")
    if head[0] not in "[{":
        check_columns(data, source)
    if head[0] in "[{":
        doc = load_json(data, source)
        for name, mod_check in (
            ("ttn", ttn.looks_like),
            ("senml", senml.looks_like),
            ("urbanpulse", urbanpulse.looks_like),
            ("uba", uba.looks_like),
            ("opensensemap", opensensemap.looks_like_json),
        ):
            if mod_check(doc):
                return name
        raise ImportFormatError(
            source,
            "JSON of unknown shape; expected TTN v3 uplinks, SenML, UrbanPulse GeoJSON, "
            "UBA air_data v3 or openSenseMap JSON (or pass --format)",
        )
    if sensor_community.looks_like(head):
        return "sensor-community"
    if opensensemap.looks_like_csv(head):
        return "opensensemap"
    if generic_csv.looks_like(head):
        return "csv"
    if reference_csv.looks_like(head):
        return "reference-csv"
    first = head.splitlines()[0][:100]
    raise ImportFormatError(
        source,
        f"cannot tell the format from the header {first!r}; expected a sensor.community, "
        "openSenseMap, reference-station or generic CSV (sensor_id,time,quantity,value,unit) "
        "header, or pass --format",
        line=1,
    )


def parse(
    data: bytes,
    *,
    format: str = "auto",
    source: str = "<bytes>",
    tz: str | None = None,
    quantity: str | None = None,
    station_id: str | None = None,
    field_map: dict[str, dict[str, str]] | None = None,
    byte_decoders: dict[str, str] | None = None,
    limits: InputLimits | None = None,
) -> ParsedBatch:
    """Parse input of the given format (or detect it) into a :class:`ParsedBatch`, under
    ``limits`` (default: those in force, :mod:`workbench.importers.limits`)."""
    with applied(limits):
        return _parse(data, format, source, tz, quantity, station_id, field_map, byte_decoders)


def _parse(
    data: bytes,
    format: str,
    source: str,
    tz: str | None,
    quantity: str | None,
    station_id: str | None,
    field_map: dict[str, dict[str, str]] | None,
    byte_decoders: dict[str, str] | None,
) -> ParsedBatch:
    data = _maybe_gunzip(data, source)
    if decode_text(data[:64]).lstrip()[:1] not in ("[", "{"):
        check_columns(data, source)
    fmt = detect_format(data, source) if format == "auto" else format
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose auto or one of {', '.join(FORMATS)}")
    kw: dict[str, Any] = {"source": source}
    if fmt == "sensor-community":
        return sensor_community.parse_sensor_community(data, **kw)
    if fmt == "opensensemap":
        if decode_text(data[:64]).lstrip()[:1] in ("[", "{"):
            return opensensemap.parse_opensensemap_json(data, quantity=quantity, **kw)
        return opensensemap.parse_opensensemap_csv(data, quantity=quantity, **kw)
    if fmt == "senml":
        return senml.parse_senml(data, **kw)
    if fmt == "ttn":
        return ttn.parse_ttn(data, field_map=field_map, byte_decoders=byte_decoders, **kw)
    if fmt == "urbanpulse":
        return urbanpulse.parse_urbanpulse(data, **kw)
    if fmt == "uba":
        return uba.parse_uba(data, tz=tz, **kw)
    if fmt == "reference-csv":
        sid = station_id or Path(source).name.split(".")[0]
        return reference_csv.parse_reference_csv(data, station_id=sid, tz=tz, **kw)
    return generic_csv.parse_generic_csv(data, tz=tz, **kw)


def read(path: str | Path, **kwargs: Any) -> ParsedBatch:
    """Read and parse a file; keyword arguments as for :func:`parse`."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ImportFormatError(str(p), f"cannot read the file ({exc.strerror})") from None
    return parse(data, source=str(p), **kwargs)
