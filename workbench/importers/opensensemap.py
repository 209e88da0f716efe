"""openSenseMap exports: measurement CSV, measurement JSON and box JSON.

CSV (``/boxes/data?...&format=csv`` or a single sensor's download) has ``createdAt`` and
``value`` and usually ``sensorId``, ``lat``, ``lon``, ``phenomenon``, ``unit``, ``boxId``,
``boxName``, ``exposure``, ``sensorType``. JSON is either an array of measurements
(``value``, ``createdAt``, ``location``) or box documents with ``sensors[].lastMeasurement``.
Sensor ids become ``osem:<sensorId>``. When an export carries no phenomenon, the
quantity must be given.
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
from workbench.importers.jsonutil import load_json
from workbench.quantities import UnitError, conversion, try_resolve_quantity

FORMAT = "opensensemap"


def looks_like_csv(head: str) -> bool:
    first = head.splitlines()[0] if head else ""
    cols = {c.strip().strip('"') for c in first.replace(";", ",").split(",")}
    return {"createdAt", "value"} <= cols


def looks_like_json(doc: Any) -> bool:
    items = doc if isinstance(doc, list) else [doc]
    if not items or not isinstance(items[0], dict):
        return False
    first = items[0]
    return ("createdAt" in first and "value" in first) or (
        "sensors" in first and ("currentLocation" in first or "_id" in first)
    )


def _resolve(
    df: pd.DataFrame, source: str, quantity: str | None
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Add canonical ``quantity``; rows that cannot be resolved are returned as quarantine."""
    if quantity is not None:
        q = try_resolve_quantity(quantity)
        if q is None:
            raise ImportFormatError(source, f"unknown quantity {quantity!r}")
        df = df.assign(quantity=q)
    elif "phenomenon" in df:
        pairs = {(p, u) for p, u in zip(df["phenomenon"], df["unit"], strict=True)}
        lookup = {
            (p, u): try_resolve_quantity(str(p), u) if isinstance(p, str) else None
            for p, u in pairs
        }
        df = df.assign(
            quantity=[lookup[(p, u)] for p, u in zip(df["phenomenon"], df["unit"], strict=True)]
        )
    else:
        raise ImportFormatError(
            source,
            "the export names no phenomenon; give the quantity (--quantity)",
            field="phenomenon",
        )
    bad_rows = df["quantity"].isna()
    bad = [
        {
            "line": r.get("line"),
            "field": "phenomenon",
            "reason": f"unknown quantity {r.get('phenomenon')!r}",
            "raw": str(r.get("raw")),
        }
        for r in df[bad_rows].to_dict("records")
    ]
    df = df[~bad_rows]
    for (q, u), idx in df.groupby(["quantity", df["unit"].fillna("")]).groups.items():
        try:
            conversion(u or None, q)
        except UnitError as exc:
            first = df.loc[idx].iloc[0]
            raise ImportFormatError(
                source, str(exc), line=first.get("line"), field="unit"
            ) from None
    return df, bad


def parse_opensensemap_csv(
    data: bytes,
    *,
    source: str = "<bytes>",
    sensor_id: str | None = None,
    quantity: str | None = None,
) -> ParsedBatch:
    """Parse an openSenseMap measurement CSV.

    Examples
    --------
    >>> csv = (b"sensorId,createdAt,value,lat,lon,phenomenon,unit\\n"
    ...        b"5a1f,2025-07-01T12:00:00.000Z,24.5,51.5,7.1,Temperatur,\\xc2\\xb0C\\n")
    >>> parse_opensensemap_csv(csv).observations.to_pandas()[["sensor_id", "quantity"]].values.tolist()
    [['osem:5a1f', 'air_temperature']]
    """
    table, _ = read_csv_table(data, source)
    if not {"createdAt", "value"} <= set(table.column_names):
        raise ImportFormatError(
            source, "not an openSenseMap CSV (needs createdAt and value)", line=1
        )
    if table.num_rows == 0:
        return ParsedBatch(FORMAT, source, empty_observations())
    n = table.num_rows

    def col(name: str) -> list[Any]:
        return (
            table[name].cast(pa.string()).to_pylist() if name in table.column_names else [None] * n
        )

    if "sensorId" in table.column_names:
        ids = [f"osem:{s}" for s in col("sensorId")]
    elif sensor_id:
        ids = [f"osem:{sensor_id}"] * n
    else:
        ids = [f"osem:{Path(source).stem}"] * n
    df = pd.DataFrame(
        {
            "sensor_id": ids,
            "phenomenon": col("phenomenon"),
            "unit": col("unit"),
            "line": np.arange(2, n + 2),
            "raw": col("createdAt"),
        }
    )
    if "phenomenon" not in table.column_names:
        df = df.drop(columns="phenomenon")
    df["value"] = numeric_column(table, "value", source).to_numpy(zero_copy_only=False)
    df["time"] = parse_times(
        table["createdAt"], source=source, field="createdAt", tz=None
    ).to_pandas()
    if "lat" in table.column_names and "lon" in table.column_names:
        df["lat"] = numeric_column(table, "lat", source).to_numpy(zero_copy_only=False)
        df["lon"] = numeric_column(table, "lon", source).to_numpy(zero_copy_only=False)
    df, bad = _resolve(df, source, quantity)
    sensors = df.groupby("sensor_id", as_index=False).first()[["sensor_id"]].assign(source=FORMAT)
    if "sensorType" in table.column_names:
        types = dict(zip(ids, col("sensorType"), strict=True))
        sensors["sensor_type"] = sensors["sensor_id"].map(types)
    if "boxName" in table.column_names:
        names = dict(zip(ids, col("boxName"), strict=True))
        sensors["name"] = sensors["sensor_id"].map(names)
    if "exposure" in table.column_names:
        expo = dict(zip(ids, col("exposure"), strict=True))
        sensors["exposure"] = sensors["sensor_id"].map(expo)
    positions = positions_from(df) if "lat" in df else pd.DataFrame()
    return ParsedBatch(
        FORMAT,
        source,
        observations_from_records(df, source),
        sensors=sensors,
        positions=positions,
        quarantine=quarantine_records(source, bad, FORMAT),
    )


def _location(loc: Any) -> tuple[float | None, float | None]:
    if isinstance(loc, list) and len(loc) >= 2:
        return float(loc[1]), float(loc[0])
    if isinstance(loc, dict):
        if "coordinates" in loc:
            return _location(loc["coordinates"])
        lat, lon = loc.get("lat"), loc.get("lng", loc.get("lon"))
        if lat is not None and lon is not None:
            return float(lat), float(lon)
    return None, None


_JSON_COLUMNS = ["sensor_id", "phenomenon", "unit", "v", "t", "lat", "lon", "line", "raw", "where"]


def _box_records(i: int, box: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of a box document's ``lastMeasurement`` values, and its sensors' metadata.

    Parameters
    ----------
    i : int
        Position of the box in the document (named in errors).
    box : dict
        A box document with ``sensors``.

    Returns
    -------
    list of dict
        One row per sensor with a last measurement (columns ``_JSON_COLUMNS``).
    list of dict
        One metadata record per sensor.
    """
    rows, meta = [], []
    lat, lon = _location(box.get("currentLocation") or box.get("loc"))
    for s in box.get("sensors") or []:
        last = s.get("lastMeasurement")
        sid = f"osem:{s.get('_id')}"
        meta.append(
            {
                "sensor_id": sid,
                "source": FORMAT,
                "sensor_type": s.get("sensorType"),
                "name": box.get("name"),
                "exposure": box.get("exposure"),
            }
        )
        if not isinstance(last, dict) or "value" not in last:
            continue
        rows.append(
            {
                "sensor_id": sid,
                "phenomenon": s.get("title"),
                "unit": s.get("unit"),
                "v": last.get("value"),
                "t": last.get("createdAt"),
                "lat": lat,
                "lon": lon,
                "line": None,
                "raw": str(last)[:500],
                "where": f"[{i}].sensors.lastMeasurement",
            }
        )
    return rows, meta


def _measurement_record(
    i: int, it: dict[str, Any], source: str, sensor_id: str | None
) -> dict[str, Any]:
    """The row of one item of a measurement array (columns ``_JSON_COLUMNS``).

    The sensor id is the item's ``sensorId``, else ``sensor_id``, else the file's stem.
    """
    lat, lon = _location(it.get("location"))
    sid = it.get("sensorId") or sensor_id or Path(source).stem
    return {
        "sensor_id": f"osem:{sid}",
        "phenomenon": it.get("phenomenon"),
        "unit": it.get("unit"),
        "v": it.get("value"),
        "t": it.get("createdAt"),
        "lat": lat,
        "lon": lon,
        "line": None,
        "raw": str(it)[:500],
        "where": f"[{i}]",
    }


def _json_records(
    doc: Any, source: str, sensor_id: str | None
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """All measurement rows of a JSON document (box documents or a measurement array).

    Returns
    -------
    DataFrame
        Rows with ``_JSON_COLUMNS``; ``v`` and ``t`` still as given.
    list of dict
        Sensor metadata from box documents.

    Raises
    ------
    ImportFormatError
        If an item is not an object.
    """
    items = doc if isinstance(doc, list) else [doc]
    rows, meta = [], []
    for i, it in enumerate(items):
        if not isinstance(it, dict):
            raise ImportFormatError(source, f"item {i}: expected an object", field=f"[{i}]")
        if "sensors" in it:  # box document
            box_rows, box_meta = _box_records(i, it)
            rows += box_rows
            meta += box_meta
        else:
            rows.append(_measurement_record(i, it, source, sensor_id))
    return pd.DataFrame(rows, columns=_JSON_COLUMNS), meta


def _json_values_and_times(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Add numeric ``value`` and UTC ``time`` to the rows of :func:`_json_records`.

    Raises
    ------
    ImportFormatError
        At the first value that is given but not a number, or a bad time.
    """
    vals = pd.to_numeric(df["v"], errors="coerce")
    bad_v = vals.isna() & df["v"].notna()
    if bad_v.any():
        r = df[bad_v].iloc[0]
        raise ImportFormatError(
            source, f"expected a number, got {r['v']!r}", field=f"{r['where']}.value"
        )
    df["value"] = vals
    df["time"] = parse_times(
        pa.array(df["t"].astype(str).tolist()),
        source=source,
        field="createdAt",
        tz=None,
        header_lines=0,
    ).to_pandas()
    return df


def parse_opensensemap_json(
    data: bytes,
    *,
    source: str = "<bytes>",
    sensor_id: str | None = None,
    quantity: str | None = None,
) -> ParsedBatch:
    """Parse openSenseMap measurement JSON or box JSON.

    Examples
    --------
    >>> box = (b'{"_id": "b1", "name": "Box", "exposure": "outdoor", '
    ...        b'"currentLocation": {"coordinates": [7.1, 51.5]}, "sensors": [{"_id": "s1", '
    ...        b'"title": "PM2.5", "unit": "\\xc2\\xb5g/m\\xc2\\xb3", "sensorType": "SDS 011", '
    ...        b'"lastMeasurement": {"value": "7.3", "createdAt": "2025-07-01T12:00:00.000Z"}}]}')
    >>> parse_opensensemap_json(box).observations.to_pandas()[["sensor_id", "quantity", "value"]].values.tolist()
    [['osem:s1', 'pm2_5', 7.3]]
    """
    df, meta = _json_records(load_json(data, source), source, sensor_id)
    if df.empty:
        return ParsedBatch(FORMAT, source, empty_observations(), sensors=pd.DataFrame(meta))
    df = _json_values_and_times(df, source)
    if df["phenomenon"].isna().all() and quantity is None:
        df = df.drop(columns="phenomenon")
    df, bad = _resolve(df, source, quantity)
    sensors = (
        pd.DataFrame(meta)
        if meta
        else pd.DataFrame({"sensor_id": sorted(df["sensor_id"].unique())}).assign(source=FORMAT)
    )
    return ParsedBatch(
        FORMAT,
        source,
        observations_from_records(df.dropna(subset=["value"]), source),
        sensors=sensors,
        positions=positions_from(df.astype({"lat": float, "lon": float})),
        quarantine=quarantine_records(source, bad, FORMAT),
    )


def read_opensensemap(path: str | Path, quantity: str | None = None) -> ParsedBatch:
    p = Path(path)
    data = p.read_bytes()
    if data.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"[", b"{"):
        return parse_opensensemap_json(data, source=str(p), quantity=quantity)
    return parse_opensensemap_csv(data, source=str(p), quantity=quantity)
