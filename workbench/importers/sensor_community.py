"""sensor.community (formerly luftdaten.info) archive CSV files.

One file per sensor and day (``2019-05-22_sds011_sensor_15092.csv``), ``;``-separated::

    sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2

Timestamps carry no zone and are UTC by definition of the archive. ``P1`` is PM10,
``P2`` PM2.5, ``P0`` PM1 and ``P4`` PM4 (SPS30); BME280/BMP280 pressure is in Pa.
Other columns (durations, ratios, particle counts, sea-level pressure) are not stored.
Sensor ids become ``sc:<sensor_id>``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.importers.base import (
    ImportFormatError,
    ParsedBatch,
    empty_observations,
    numeric_column,
    observations_from_columns,
    parse_times,
    read_csv_table,
)

FORMAT = "sensor-community"
REQUIRED = ("sensor_id", "sensor_type", "timestamp")
# column -> (quantity, unit in the file)
COLUMNS: dict[str, tuple[str, str]] = {
    "P1": ("pm10", "µg/m³"),
    "P2": ("pm2_5", "µg/m³"),
    "P0": ("pm1", "µg/m³"),
    "P4": ("pm4", "µg/m³"),
    "temperature": ("air_temperature", "°C"),
    "humidity": ("relative_humidity", "%"),
    "pressure": ("air_pressure", "Pa"),
    "noise_LAeq": ("noise_level", "dB"),
}


def looks_like(head: str) -> bool:
    """True if the first line is a sensor.community archive header."""
    first = head.splitlines()[0].replace('"', "") if head else ""
    return first.startswith("sensor_id;sensor_type;") and ";timestamp" in first


def parse_sensor_community(data: bytes, *, source: str = "<bytes>") -> ParsedBatch:
    """Parse one sensor.community archive CSV.

    Parameters
    ----------
    data : bytes
        File content.
    source : str
        Name used in error messages and as the observations' ``source``.

    Examples
    --------
    >>> csv = (b"sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\\n"
    ...        b"15092;SDS011;7647;56.964;-2.212;2019-05-22T00:02:25;1.07;;;0.50;;\\n")
    >>> b = parse_sensor_community(csv)
    >>> b.observations.to_pandas()[["sensor_id", "quantity", "value"]].values.tolist()
    [['sc:15092', 'pm10', 1.07], ['sc:15092', 'pm2_5', 0.5]]
    """
    table, _ = read_csv_table(data, source, delimiter=";")
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise ImportFormatError(
            source, f"not a sensor.community archive file: missing column(s) {missing}", line=1
        )
    if table.num_rows == 0:
        return ParsedBatch(FORMAT, source, empty_observations())
    raw_ids = table["sensor_id"]
    if not (pa.types.is_integer(raw_ids.type) or pa.types.is_string(raw_ids.type)):
        raw_ids = raw_ids.cast(pa.string())
    if raw_ids.null_count:
        i = int(pc.index(pc.is_null(raw_ids), True).as_py())
        raise ImportFormatError(source, "missing sensor_id", line=i + 2, field="sensor_id")
    # ids repeat on every row: prefix the dictionary, not millions of strings
    enc = pc.dictionary_encode(raw_ids).combine_chunks()
    prefixed = pc.binary_join_element_wise("sc:", enc.dictionary.cast(pa.string()), "")
    ids = pa.DictionaryArray.from_arrays(enc.indices, prefixed)
    times = parse_times(
        table["timestamp"], source=source, field="timestamp", tz=None, naive_is_utc=True
    )
    parts = []
    for col, (quantity, unit) in COLUMNS.items():
        if col not in table.column_names:
            continue
        values = numeric_column(table, col, source)
        parts.append(observations_from_columns(ids, quantity, times, values, unit, source))
    obs = pa.concat_tables(parts) if parts else empty_observations()

    meta = pa.table({"sensor_id": ids, "sensor_type": table["sensor_type"].cast(pa.string())})
    sensors = (
        meta.group_by(["sensor_id", "sensor_type"])
        .aggregate([])
        .to_pandas()
        .assign(source="sensor.community", name=None, exposure=None, attributes=None)
    )
    positions = pd.DataFrame(columns=["sensor_id", "lat", "lon", "valid_from"])
    if "lat" in table.column_names and "lon" in table.column_names:
        lat = numeric_column(table, "lat", source)
        lon = numeric_column(table, "lon", source)
        pos = pa.table({"sensor_id": ids, "lat": lat, "lon": lon, "time": times})
        if lat.null_count or lon.null_count:
            pos = pos.filter(pc.and_(pc.is_valid(lat), pc.is_valid(lon)))
        positions = (
            pos.group_by(["sensor_id", "lat", "lon"])
            .aggregate([("time", "min")])
            .rename_columns(["sensor_id", "lat", "lon", "valid_from"])
            .to_pandas()
        )
    return ParsedBatch(FORMAT, source, obs, sensors=sensors, positions=positions)


def read_sensor_community(path: str | Path) -> ParsedBatch:
    """Read a sensor.community archive CSV file (see :func:`parse_sensor_community`)."""
    p = Path(path)
    return parse_sensor_community(p.read_bytes(), source=str(p))
