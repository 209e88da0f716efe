"""Shared pieces of the file importers: the parsed-batch type, errors, CSV reading, times.

Every importer is a pure function ``parse_<format>(data: bytes, *, source=..., ...) ->
ParsedBatch``; nothing here touches the store.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from workbench.errors import InputError
from workbench.importers.limits import current as current_limits
from workbench.quantities import conversion

OBS_COLUMNS = ["sensor_id", "quantity", "time", "value", "source"]


class ImportFormatError(InputError):
    """Input that does not match its format; names the file, line and field.

    Examples
    --------
    >>> str(ImportFormatError("a.csv", "expected a number, got 'x'", line=3, field="P1"))
    "a.csv, line 3, field 'P1': expected a number, got 'x'"
    """

    def __init__(
        self, source: str, message: str, line: int | None = None, field: str | None = None
    ) -> None:
        self.source = source
        self.line = line
        self.field = field
        self.message = message
        where = source
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


@dataclass
class ParsedBatch:
    """The result of parsing one input: observations plus what goes beside them."""

    format: str
    source: str
    observations: pa.Table
    sensors: pd.DataFrame = field(default_factory=pd.DataFrame)
    positions: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarantine: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    @property
    def n_observations(self) -> int:
        return self.observations.num_rows


def empty_observations() -> pa.Table:
    dict_type = pa.dictionary(pa.int32(), pa.string())
    return pa.table(
        {
            "sensor_id": pa.array([], pa.string()),
            "quantity": pa.array([], dict_type),
            "time": pa.array([], pa.timestamp("us", tz="UTC")),
            "value": pa.array([], pa.float64()),
            "source": pa.array([], dict_type),
        }
    )


# ---------------------------------------------------------------------- text decoding
def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (BOM stripped), falling back to Latin-1.

    Examples
    --------
    >>> decode_text("Straße".encode("latin-1"))
    'Straße'
    >>> decode_text(b"\\xef\\xbb\\xbfok")
    'ok'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def sniff_delimiter(sample: str) -> str:
    """Pick ``;``, ``,`` or tab from the header line of a CSV sample."""
    header = sample.splitlines()[0] if sample else ""
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


_DECIMAL_COMMA = re.compile(r"(?:^|[;\t])\s*-?\d+,\d+\s*(?=[;\t]|$)", re.MULTILINE)


def read_csv_table(data: bytes, source: str, delimiter: str | None = None) -> tuple[pa.Table, str]:
    """Read a delimited text table with pyarrow, typed by inference.

    Handles a UTF-8 BOM, Latin-1 files, ``;``/``,``/tab delimiters and decimal commas in
    ``;``- or tab-separated files. Returns the table and the delimiter used.

    Raises
    ------
    ImportFormatError
        For rows with the wrong number of fields (naming the line).
    """
    head = data[:65536]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    sample = decode_text(head[: head.rfind(b"\n") + 1] if b"\n" in head else head)
    delim = delimiter or sniff_delimiter(sample)
    decimal = "," if delim != "," and _DECIMAL_COMMA.search(sample) else "."
    encoding = "utf8"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte char cut at the sample end
            encoding = "latin1"
    for attempt in range(2):
        try:
            table = pv.read_csv(
                io.BytesIO(data),
                read_options=pv.ReadOptions(encoding=encoding, block_size=1 << 24),
                parse_options=pv.ParseOptions(delimiter=delim),
                convert_options=pv.ConvertOptions(
                    decimal_point=decimal, strings_can_be_null=True, quoted_strings_can_be_null=True
                ),
            )
        except pa.ArrowInvalid as exc:
            msg = str(exc)
            if "Expected" in msg and "columns" in msg:
                line = _find_ragged_line(data, delim)
                raise ImportFormatError(
                    source,
                    f"wrong number of fields ({msg.split(':', 1)[-1].strip()[:80]})",
                    line=line,
                ) from None
            if "Empty CSV file" in msg:
                raise ImportFormatError(source, "the file is empty") from None
            if "straddling" in msg:  # one field longer than pyarrow's 16 MiB block
                raise ImportFormatError(
                    source, f"a field is longer than {current_limits().max_field_bytes:,} bytes"
                ) from None
            raise ImportFormatError(source, f"not a readable CSV table ({msg[:120]})") from None
        if (
            attempt == 0
            and encoding == "utf8"
            and any(pa.types.is_binary(t) for t in table.schema.types)
        ):
            encoding = "latin1"  # invalid UTF-8 somewhere past the sample
            continue
        break
    check_field_sizes(table, source)
    return table, delim


def check_field_sizes(table: pa.Table, source: str, limit: int | None = None) -> None:
    """Refuse a table with a text cell longer than ``limit`` bytes (default: the limit in
    force, :mod:`workbench.importers.limits`), naming its line and field.

    >>> t = pa.table({"sensor_id": ["a", "b" * 50]})
    >>> check_field_sizes(t, "x.csv", limit=10)
    Traceback (most recent call last):
    ...
    workbench.importers.base.ImportFormatError: x.csv, line 3, field 'sensor_id': a text of 50 bytes; at most 10 are read
    """
    limit = current_limits().max_field_bytes if limit is None else limit
    for name in table.column_names:
        col = table[name]
        t = col.type
        if not any(
            f(t) for f in (pa.types.is_string, pa.types.is_large_string, pa.types.is_binary)
        ):
            continue
        lengths = pc.binary_length(col)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limit:
            i = pc.index(pc.greater(lengths, limit), True).as_py()
            raise ImportFormatError(
                source,
                f"a text of {lengths[i].as_py():,} bytes; at most {limit:,} are read",
                line=i + 2,
                field=name,
            )


def _find_ragged_line(data: bytes, delim: str) -> int | None:
    text = decode_text(data)
    lines = text.splitlines()
    if not lines:
        return None
    n = lines[0].count(delim)
    for i, line in enumerate(lines[1:], start=2):
        if line.strip() and line.count(delim) != n:
            return i
    return None


def numeric_column(table: pa.Table, name: str, source: str, header_lines: int = 1) -> pa.Array:
    """Return column ``name`` as float64, or raise naming the first non-number and its line."""
    col = table[name].combine_chunks() if isinstance(table[name], pa.ChunkedArray) else table[name]
    t = col.type
    if pa.types.is_null(t):
        return pa.nulls(len(col), pa.float64())
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return col.cast(pa.float64())
    if pa.types.is_boolean(t):
        raise ImportFormatError(source, "expected a number, got true/false", field=name)
    strings = col.cast(pa.string())
    stripped = pc.utf8_trim_whitespace(strings)
    stripped = pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)
    normalised = pc.replace_substring(stripped, ",", ".")
    values = pd.to_numeric(pd.Series(normalised.to_pylist(), dtype="object"), errors="coerce")
    bad = values.isna().to_numpy() & ~pc.is_null(normalised).to_numpy(zero_copy_only=False)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ImportFormatError(
            source,
            f"expected a number, got {strings[i].as_py()!r}",
            line=i + 1 + header_lines,
            field=name,
        )
    return pa.array(values.to_numpy(dtype="float64"), pa.float64(), from_pandas=True)


# ---------------------------------------------------------------------- times
_ZONE_SUFFIX = re.compile(r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")


def parse_times(
    values: Iterable[object] | pa.Array,
    *,
    source: str,
    field: str,
    tz: str | None,
    header_lines: int = 1,
    naive_is_utc: bool = False,
) -> pa.Array:
    """Parse timestamps to UTC microseconds.

    Text with an offset or ``Z`` is converted to UTC. Text without zone is rejected
    unless ``tz`` names one (an IANA zone such as ``Europe/Berlin``) or the format
    defines it as UTC (``naive_is_utc``). ``24:00:00`` means midnight of the next day.
    Numbers are Unix epoch seconds (or milliseconds when larger than 1e11).

    Raises
    ------
    ImportFormatError
        Naming the line of the first value that is not a time, or that has no zone.
    """
    arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(list(values))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is not None or (naive_is_utc and tz is None):
            return arr.cast(pa.timestamp("us", tz="UTC"))
        return _localise(pd.Series(arr.to_pandas()), source, field, tz, naive_is_utc, header_lines)
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        num = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
        ms = np.abs(num) > 1e11
        us = np.where(ms, num * 1e3, num * 1e6)
        # a time must be finite and between 1900 and 2300 (beyond, int64 microseconds
        # overflow or the number is not a time at all)
        bad = ~np.isfinite(us) | (us < -2.2e15) | (us > 1.05e16)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ImportFormatError(
                source,
                f"{num[i]!r} is not a time (expected seconds or milliseconds since 1970)",
                line=i + 1 + header_lines,
                field=field,
            )
        return pa.array(us.astype("int64"), pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    s = pd.Series(arr.cast(pa.string()).to_pylist(), dtype="string").str.strip()
    if s.isna().any():
        i = int(np.flatnonzero(s.isna().to_numpy())[0])
        raise ImportFormatError(source, "missing timestamp", line=i + 1 + header_lines, field=field)
    plus_day = s.str.contains(r"[T ]24:00", regex=True).to_numpy()
    if plus_day.any():
        s = s.str.replace(r"([T ])24:00", r"\g<1>00:00", regex=True)
    has_zone = s.str.contains(_ZONE_SUFFIX.pattern, regex=True).to_numpy()
    if has_zone.all():
        parsed = pd.to_datetime(s, utc=True, format="ISO8601", errors="coerce")
        _raise_unparsed(parsed, s, source, field, header_lines)
        out = parsed
    elif not has_zone.any():
        parsed = pd.to_datetime(s, format="ISO8601", errors="coerce")
        _raise_unparsed(parsed, s, source, field, header_lines)
        out = _localise_series(parsed, source, field, tz, naive_is_utc, header_lines)
    else:
        i = int(np.flatnonzero(~has_zone)[0])
        raise ImportFormatError(
            source,
            f"timestamp {s.iloc[i]!r} has no time zone while others have one",
            line=i + 1 + header_lines,
            field=field,
        )
    if plus_day.any():
        out = out + pd.to_timedelta(plus_day.astype(int), unit="D")
    return pa.array(out.dt.as_unit("us"), pa.timestamp("us", tz="UTC"))


def _raise_unparsed(parsed: pd.Series, s: pd.Series, source: str, field: str, hl: int) -> None:
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ImportFormatError(
            source,
            f"expected an ISO 8601 timestamp, got {s.iloc[i]!r}",
            line=i + 1 + hl,
            field=field,
        )


def _localise(
    s: pd.Series, source: str, field: str, tz: str | None, naive_is_utc: bool, hl: int
) -> pa.Array:
    out = _localise_series(s, source, field, tz, naive_is_utc, hl)
    return pa.array(out.dt.as_unit("us"), pa.timestamp("us", tz="UTC"))


def _localise_series(
    s: pd.Series, source: str, field: str, tz: str | None, naive_is_utc: bool, hl: int
) -> pd.Series:
    if tz is None:
        if naive_is_utc:
            return s.dt.tz_localize("UTC")
        raise ImportFormatError(
            source,
            f"timestamps have no time zone (first: {s.iloc[0]!s}); "
            "give one with --timezone (e.g. Europe/Berlin or UTC)",
            line=1 + hl,
            field=field,
        )
    try:
        local = s.dt.tz_localize(tz, ambiguous="infer", nonexistent="shift_forward")
    except Exception:
        # A lone ambiguous hour (e.g. hourly data that skips the repeated hour when
        # clocks go back) cannot be inferred; take it as the first (summer-time) one.
        try:
            local = s.dt.tz_localize(
                tz, ambiguous=np.ones(len(s), dtype=bool), nonexistent="shift_forward"
            )
        except Exception as exc:
            raise ImportFormatError(
                source, f"cannot place local times in zone {tz!r}: {exc}", field=field
            ) from None
    return local.dt.tz_convert("UTC")


# ---------------------------------------------------------------------- building blocks
def observations_from_columns(
    sensor_id: pa.Array,
    quantity: str,
    time: pa.Array,
    value: pa.Array,
    unit: str | None,
    source: str,
) -> pa.Table:
    """One quantity's observations, null values dropped, converted to the canonical unit."""
    scale, offset = conversion(unit, quantity)
    if scale != 1.0 or offset != 0.0:
        value = pc.add(pc.multiply(value, scale), offset)
    n = len(value)
    zeros = pa.array(np.zeros(n, dtype=np.int32))
    tbl = pa.table(
        {
            "sensor_id": sensor_id,
            "quantity": pa.DictionaryArray.from_arrays(zeros, pa.array([quantity], pa.string())),
            "time": time,
            "value": value,
            "source": pa.DictionaryArray.from_arrays(zeros, pa.array([source], pa.string())),
        }
    )
    if value.null_count == 0:
        return tbl
    return tbl.filter(pc.is_valid(value))


def observations_from_records(df: pd.DataFrame, source: str) -> pa.Table:
    """Build observations from long records with ``sensor_id, quantity, time, value, unit``.

    ``quantity`` must already be canonical; values are converted per distinct unit.
    """
    if df.empty:
        return empty_observations()
    parts = []
    units = df["unit"].fillna("") if "unit" in df else pd.Series("", index=df.index)
    for (q, u), idx in df.groupby([df["quantity"], units], sort=False).groups.items():
        sub = df.loc[idx]
        parts.append(
            observations_from_columns(
                pa.array(sub["sensor_id"].astype(str).to_numpy(dtype=object), pa.string()),
                str(q),
                pa.array(
                    pd.to_datetime(sub["time"], utc=True).dt.as_unit("us"),
                    pa.timestamp("us", tz="UTC"),
                ),
                pa.array(sub["value"].to_numpy(dtype="float64"), pa.float64(), from_pandas=True),
                u or None,
                source,
            )
        )
    return pa.concat_tables(parts)


def positions_from(df: pd.DataFrame) -> pd.DataFrame:
    """Reduce ``sensor_id, lat, lon, time`` rows to the first time each position was seen."""
    if df.empty:
        return pd.DataFrame(columns=["sensor_id", "lat", "lon", "valid_from"])
    d = df.dropna(subset=["lat", "lon"])
    d = d[(d["lat"].abs() <= 90) & (d["lon"].abs() <= 180) & ~((d["lat"] == 0) & (d["lon"] == 0))]
    out = (
        d.groupby(["sensor_id", "lat", "lon"], as_index=False, sort=False)["time"]
        .min()
        .rename(columns={"time": "valid_from"})
    )
    return out


def quarantine_records(origin: str, rows: list[dict[str, object]], source: str) -> pd.DataFrame:
    """Quarantine rows (``line``, ``field``, ``reason``, ``raw``) for one input."""
    if not rows:
        return pd.DataFrame()
    q = pd.DataFrame(rows)
    q["origin"] = origin
    q["source"] = source
    q["received_at"] = pd.Timestamp.now("UTC")
    return q


def batch_from_records(
    fmt: str,
    source: str,
    records: pd.DataFrame,
    bad: list[dict[str, object]],
    *,
    sensor_type: str | None = None,
) -> ParsedBatch:
    """A batch from long records (canonical quantities) and quarantine rows, with one
    metadata row per sensor."""
    sensors = pd.DataFrame({"sensor_id": sorted(records["sensor_id"].unique())})
    sensors["source"] = fmt
    if sensor_type is not None:
        sensors["sensor_type"] = sensor_type
    return ParsedBatch(
        fmt,
        source,
        observations_from_records(records, source),
        sensors=sensors,
        quarantine=quarantine_records(source, bad, fmt),
    )
