"""The generic long CSV: one observation per row.

Columns ``sensor_id,time,quantity,value,unit`` and optionally ``lat,lon`` (WGS84).
``quantity`` may use any alias the registry knows (``temperature``, ``PM2.5``); values
are converted from ``unit`` to the canonical unit. Rows naming a quantity the registry
does not know go to quarantine with the reason; any other bad field fails the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.importers.base import (
    ImportFormatError,
    ParsedBatch,
    empty_observations,
    numeric_column,
    observations_from_records,
    parse_times,
    positions_from,
    quarantine_records,
    read_csv_table,
)
from workbench.quantities import UnitError, conversion, try_resolve_quantity

FORMAT = "csv"
REQUIRED = ("sensor_id", "time", "quantity", "value")


def looks_like(head: str) -> bool:
    first = head.splitlines()[0].lower() if head else ""
    cols = {c.strip().strip('"') for c in first.replace(";", ",").split(",")}
    return set(REQUIRED) <= cols


def parse_generic_csv(
    data: bytes, *, source: str = "<bytes>", tz: str | None = None
) -> ParsedBatch:
    """Parse a generic long CSV.

    Parameters
    ----------
    data : bytes
        File content (``,`` or ``;`` separated; UTF-8, UTF-8 with BOM or Latin-1).
    source : str
        Name used in messages and stored as the observations' source.
    tz : str, optional
        Zone of timestamps that carry none; without it such timestamps are rejected.

    Examples
    --------
    >>> b = parse_generic_csv(b"sensor_id,time,quantity,value,unit\\n"
    ...                       b"a,2025-07-01T12:00:00Z,temperature,300.15,K\\n")
    >>> b.observations.to_pandas()[["quantity", "value"]].values.tolist()
    [['air_temperature', 27.0]]
    """
    table, _ = read_csv_table(data, source)
    table = table.rename_columns([c.strip().lower() for c in table.column_names])
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise ImportFormatError(
            source,
            f"missing column(s) {missing}; expected sensor_id,time,quantity,value,unit[,lat,lon]",
            line=1,
        )
    if table.num_rows == 0:
        return ParsedBatch(FORMAT, source, empty_observations())
    df = pd.DataFrame(
        {
            "sensor_id": pd.Series(table["sensor_id"].cast(pa.string()).to_pylist(), dtype=object),
            "quantity_raw": table["quantity"].cast(pa.string()).to_pylist(),
            "value": numeric_column(table, "value", source).to_numpy(zero_copy_only=False),
            "unit": table["unit"].cast(pa.string()).to_pylist()
            if "unit" in table.column_names
            else [None] * table.num_rows,
        }
    )
    df["line"] = np.arange(2, len(df) + 2)
    blank_id = df["sensor_id"].isna() | (df["sensor_id"].astype(str).str.strip() == "")
    if blank_id.any():
        raise ImportFormatError(
            source,
            "missing sensor_id",
            line=int(df.loc[blank_id, "line"].iloc[0]),
            field="sensor_id",
        )
    df["time"] = parse_times(table["time"], source=source, field="time", tz=tz).to_pandas()
    lookup = {
        (q, u): try_resolve_quantity(q, u) if q is not None else None
        for q, u in set(zip(df["quantity_raw"], df["unit"], strict=True))
    }
    df["quantity"] = [lookup[(q, u)] for q, u in zip(df["quantity_raw"], df["unit"], strict=True)]
    unknown = df["quantity"].isna()
    # one reading per row: a row without a number (empty, or NaN written as text) is not
    # a reading, and is quarantined with its line instead of vanishing from the count
    no_value = ~unknown & df["value"].isna()

    def record(r: Any, field: str, reason: str) -> dict[str, Any]:
        raw = f"{r.sensor_id},{r.time},{r.quantity_raw},{r.value},{r.unit}"
        return {"line": int(r.line), "field": field, "reason": reason, "raw": raw}

    quarantine = quarantine_records(
        source,
        [
            record(r, "quantity", f"unknown quantity {r.quantity_raw!r}")
            for r in df[unknown].itertuples()
        ]
        + [
            record(r, "value", "no value: the cell is empty or not a number (NaN)")
            for r in df[no_value].itertuples()
        ],
        FORMAT,
    )
    good = df[~unknown & ~no_value]
    for (q, u), idx in good.groupby(["quantity", good["unit"].fillna("")]).groups.items():
        try:
            conversion(u or None, q)
        except UnitError as exc:
            line = int(good.loc[idx, "line"].iloc[0])
            raise ImportFormatError(source, str(exc), line=line, field="unit") from None
    obs = observations_from_records(good, source)
    positions = pd.DataFrame()
    if "lat" in table.column_names and "lon" in table.column_names:
        pos = df[["sensor_id", "time"]].copy()
        pos["lat"] = numeric_column(table, "lat", source).to_numpy(zero_copy_only=False)
        pos["lon"] = numeric_column(table, "lon", source).to_numpy(zero_copy_only=False)
        positions = positions_from(pos)
    sensors = pd.DataFrame({"sensor_id": sorted(df["sensor_id"].astype(str).unique())})
    sensors["source"] = FORMAT
    return ParsedBatch(
        FORMAT, source, obs, sensors=sensors, positions=positions, quarantine=quarantine
    )


def read_generic_csv(path: str | Path, tz: str | None = None) -> ParsedBatch:
    p = Path(path)
    return parse_generic_csv(p.read_bytes(), source=str(p), tz=tz)
