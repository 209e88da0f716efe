"""The city's UrbanPulse weather-station feed: a GeoJSON FeatureCollection.

Each feature is one reading: ``properties`` ``SID``, ``deviceId``, ``deviceName``,
``deviceType``, ``sensorLabel`` (temperature, humidity, irradiation, rain_counter,
pressure, wind_speed_avg, wind_dir_avg), ``timestamp``, ``units``, ``value``; the
geometry is the station's point. Sensor ids become ``up:<deviceId>``. Labels the
registry does not know go to quarantine with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from workbench.importers.base import (
    ImportFormatError,
    ParsedBatch,
    observations_from_records,
    parse_times,
    positions_from,
    quarantine_records,
)
from workbench.importers.jsonutil import load_json
from workbench.quantities import UnitError, conversion, try_resolve_quantity

FORMAT = "urbanpulse"


def looks_like(doc: Any) -> bool:
    feats = _features(doc)
    if not feats:
        return False
    props = feats[0].get("properties") or {}
    return "sensorLabel" in props and "deviceId" in props


def _features(doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        return [f for f in doc.get("features") or [] if isinstance(f, dict)]
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        return [doc]
    if isinstance(doc, list):
        return [f for f in doc if isinstance(f, dict) and f.get("type") == "Feature"]
    return []


def urbanpulse_records(
    doc: Any, source: str
) -> tuple[pd.DataFrame, list[dict[str, Any]], pd.DataFrame]:
    """Resolve features to long records, quarantine rows and sensor metadata."""
    rows, bad, meta = urbanpulse_rows(doc, source)
    df = pd.DataFrame(rows, columns=["sensor_id", "quantity", "t", "value", "unit", "lat", "lon"])
    if not df.empty:
        ts = df["t"]
        arr = (
            pa.array(ts.tolist())
            if ts.map(lambda x: isinstance(x, int | float)).all()
            else pa.array(ts.astype(str).tolist())
        )
        df["time"] = parse_times(
            arr, source=source, field="timestamp", tz=None, header_lines=0
        ).to_pandas()
    else:
        df["time"] = pd.Series(dtype="datetime64[us, UTC]")
    return df, bad, pd.DataFrame(list(meta.values()))


def urbanpulse_rows(
    doc: Any, source: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Like :func:`urbanpulse_records` as plain lists; ``t`` is the timestamp as given.

    Raises
    ------
    ImportFormatError
        If a feature lacks the properties every reading needs.
    """
    feats = _features(doc)
    if not feats:
        raise ImportFormatError(source, "expected a GeoJSON FeatureCollection of readings")
    rows, bad, meta = [], [], {}
    for i, f in enumerate(feats, start=1):
        p = f.get("properties") or {}
        where = f"features[{i - 1}]"
        if not isinstance(p, dict):
            raise ImportFormatError(
                source, f"{where}: properties must be an object", field=f"{where}.properties"
            )
        raw = json.dumps(f, ensure_ascii=False)[:2000]
        missing = [k for k in ("deviceId", "sensorLabel", "timestamp", "value") if k not in p]
        if missing:
            raise ImportFormatError(
                source, f"{where}: missing properties {missing}", field=f"{where}.properties"
            )
        sid = f"up:{p['deviceId']}"
        value = p["value"]
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ImportFormatError(
                source,
                f"{where}: value must be a number, got {value!r:.40}",
                field=f"{where}.properties.value",
            )
        try:
            value = float(str(value).replace(",", "."))
        except ValueError:
            raise ImportFormatError(
                source,
                f"{where}: value must be a number, got {value!r:.40}",
                field=f"{where}.properties.value",
            ) from None
        unit = p.get("units") or None
        q = try_resolve_quantity(str(p["sensorLabel"]), unit)
        if q is None:
            bad.append(
                {
                    "field": f"{where}.properties.sensorLabel",
                    "reason": f"unknown quantity {p['sensorLabel']!r}",
                    "raw": raw,
                }
            )
            continue
        try:
            conversion(unit, q)
        except UnitError as exc:
            bad.append({"field": f"{where}.properties.units", "reason": str(exc), "raw": raw})
            continue
        lon = lat = None
        geom = f.get("geometry") or {}
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if isinstance(coords, list) and len(coords) >= 2:
            lon, lat = coords[0], coords[1]
        rows.append(
            {
                "sensor_id": sid,
                "quantity": q,
                "t": p["timestamp"],
                "value": value,
                "unit": unit,
                "lat": lat,
                "lon": lon,
            }
        )
        meta[sid] = {
            "sensor_id": sid,
            "source": FORMAT,
            "sensor_type": p.get("deviceType"),
            "name": p.get("deviceName"),
        }
    return rows, bad, meta


def parse_urbanpulse(data: bytes, *, source: str = "<bytes>") -> ParsedBatch:
    """Parse an UrbanPulse GeoJSON feed document.

    Examples
    --------
    >>> doc = b'''{"type": "FeatureCollection", "features": [{"type": "Feature",
    ...   "geometry": {"type": "Point", "coordinates": [7.09, 51.51]},
    ...   "properties": {"SID": "s1", "deviceId": "ws-03", "deviceName": "Wetterstation Buer",
    ...     "deviceType": "weather", "sensorLabel": "pressure",
    ...     "timestamp": "2025-07-01T12:00:00Z", "units": "Pa", "value": 101325}}]}'''
    >>> parse_urbanpulse(doc).observations.to_pandas()[["sensor_id", "quantity", "value"]].values.tolist()
    [['up:ws-03', 'air_pressure', 1013.25]]
    """
    doc = load_json(data, source)
    df, bad, sensors = urbanpulse_records(doc, source)
    return ParsedBatch(
        FORMAT,
        source,
        observations_from_records(df, source),
        sensors=sensors,
        positions=positions_from(
            df[["sensor_id", "lat", "lon", "time"]].astype({"lat": float, "lon": float})
        )
        if not df.empty
        else pd.DataFrame(),
        quarantine=quarantine_records(source, bad, FORMAT),
    )


def read_urbanpulse(path: str | Path) -> ParsedBatch:
    p = Path(path)
    return parse_urbanpulse(p.read_bytes(), source=str(p))
