"""What the store holds: table schemas, layout constants, and the conforming of a batch.

Every observation file has :data:`OBSERVATION_SCHEMA`; sensors, positions and
quarantine are small tables with the listed columns; raw stream payloads have
:data:`RAW_SCHEMA`. Times in the manifest are fixed-width ISO 8601 UTC text
(:func:`iso_utc`), so comparing the text compares the times.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

OBSERVATION_SCHEMA = pa.schema(
    [
        ("sensor_id", pa.dictionary(pa.int32(), pa.string())),
        ("quantity", pa.dictionary(pa.int32(), pa.string())),
        ("time", pa.timestamp("us", tz="UTC")),
        ("value", pa.float64()),
        ("source", pa.dictionary(pa.int32(), pa.string())),
        ("qc", pa.int32()),
    ]
)
SENSOR_COLUMNS = ["sensor_id", "source", "sensor_type", "name", "exposure", "attributes"]
POSITION_COLUMNS = ["sensor_id", "lat", "lon", "valid_from", "area_id"]
QUARANTINE_COLUMNS = ["received_at", "source", "origin", "line", "field", "reason", "raw"]
RAW_SCHEMA = pa.schema(
    [
        ("received_at", pa.timestamp("us", tz="UTC")),
        ("topic", pa.string()),
        ("format", pa.string()),
        ("payload", pa.binary()),
        ("outcome", pa.string()),
    ]
)

SUBDIRS = ("observations", "sensors", "positions", "quarantine", "raw")
COMPRESSION = "zstd"
# Files replaced by compaction stay on disk this long for readers of older snapshots.
DELETE_GRACE_S = 600.0
# A partition with more files than this is compacted after a commit.
COMPACT_THRESHOLD = 64


class StoreError(RuntimeError):
    """The store cannot do what was asked (locked, corrupt manifest, ...)."""


def iso_utc(ts: Any) -> str:
    """Fixed-width ISO 8601 UTC text, so that text order is time order.

    Parameters
    ----------
    ts : Any
        Anything :class:`pandas.Timestamp` accepts; naive times are taken as UTC.

    Returns
    -------
    str
        ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``.

    Examples
    --------
    >>> iso_utc("2025-07-01 12:00")
    '2025-07-01T12:00:00.000000+00:00'
    """
    t = pd.Timestamp(ts)
    t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
    return t.isoformat(timespec="microseconds")


def conform_observations(table: pa.Table) -> pa.Table:
    """Cast an observation table to the store schema, filling optional columns.

    Parameters
    ----------
    table : pyarrow.Table
        Needs ``sensor_id, quantity, time, value``; ``source`` and ``qc`` are optional.

    Returns
    -------
    pyarrow.Table
        The table with :data:`OBSERVATION_SCHEMA`.

    Raises
    ------
    ValueError
        If a required column is missing or holds nulls, or times are naive.
    """
    n = table.num_rows
    cols = {}
    for f in OBSERVATION_SCHEMA:
        if f.name in table.column_names:
            col = table[f.name]
            if f.name == "time" and pa.types.is_timestamp(col.type) and col.type.tz is None:
                raise ValueError("observation times must be timezone-aware (UTC)")
            if pa.types.is_dictionary(f.type) and not pa.types.is_dictionary(col.type):
                col = pc.dictionary_encode(col.cast(pa.string()))
            cols[f.name] = col.cast(f.type)
        elif f.name == "source":
            cols[f.name] = pa.nulls(n, pa.string()).dictionary_encode()
        elif f.name == "qc":
            cols[f.name] = pa.array(np.zeros(n, dtype=np.int32))
        else:
            raise ValueError(f"observation table lacks column {f.name!r}")
    out = pa.table(cols, schema=OBSERVATION_SCHEMA)
    for name in ("sensor_id", "quantity", "time", "value"):
        if out[name].null_count:
            raise ValueError(f"observation column {name!r} has {out[name].null_count} nulls")
    return out


__all__ = [
    "COMPACT_THRESHOLD",
    "COMPRESSION",
    "DELETE_GRACE_S",
    "OBSERVATION_SCHEMA",
    "POSITION_COLUMNS",
    "QUARANTINE_COLUMNS",
    "RAW_SCHEMA",
    "SENSOR_COLUMNS",
    "SUBDIRS",
    "StoreError",
    "conform_observations",
    "iso_utc",
]
