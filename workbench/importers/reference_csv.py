"""Reference-station CSV in the Aberdeen City Council style: one station per file.

::

    DateTime;Nitrogen Dioxide;PM10;PM2.5
    2017-10-01 01:00:00;31;7;4

The station id is the file name without extension (``ref:<stem>``); every column after
the time names a quantity (any registry alias). Values are hourly means in µg/m³. The
timestamps carry no zone, so a zone must be given.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from workbench.importers.base import (
    ImportFormatError,
    ParsedBatch,
    empty_observations,
    numeric_column,
    observations_from_columns,
    parse_times,
    read_csv_table,
)
from workbench.quantities import try_resolve_quantity

FORMAT = "reference-csv"
TIME_COLUMNS = ("datetime", "date_time", "date", "time", "zeit", "datum")


def looks_like(head: str) -> bool:
    first = head.splitlines()[0] if head else ""
    cols = [c.strip() for c in first.replace(",", ";").split(";")]
    if not cols or cols[0].lower() not in TIME_COLUMNS or len(cols) < 2:
        return False
    return all(try_resolve_quantity(c) is not None for c in cols[1:] if c)


def parse_reference_csv(
    data: bytes,
    *,
    station_id: str,
    source: str = "<bytes>",
    tz: str | None = None,
    unit: str = "µg/m³",
) -> ParsedBatch:
    """Parse a reference-station CSV.

    Parameters
    ----------
    station_id : str
        Station id without prefix (the importer uses the file name).
    tz : str
        Zone of the timestamps (e.g. ``Europe/London``); required.

    Examples
    --------
    >>> b = parse_reference_csv(b"DateTime;Nitrogen Dioxide;PM10;PM2.5\\n2017-10-01 01:00:00;31;7;4\\n",
    ...                         station_id="king-street", tz="UTC")
    >>> sorted(b.observations.to_pandas()["quantity"])
    ['no2', 'pm10', 'pm2_5']
    """
    table, _ = read_csv_table(data, source)
    cols = table.column_names
    if not cols or cols[0].strip().lower() not in TIME_COLUMNS:
        raise ImportFormatError(source, "first column must be the time (e.g. 'DateTime')", line=1)
    if table.num_rows == 0:
        return ParsedBatch(FORMAT, source, empty_observations())
    sid = f"ref:{station_id}"
    times = parse_times(table[cols[0]], source=source, field=cols[0], tz=tz)
    ids = pa.repeat(pa.scalar(sid, pa.string()), table.num_rows)
    parts = []
    for c in cols[1:]:
        q = try_resolve_quantity(c)
        if q is None:
            raise ImportFormatError(source, f"unknown quantity column {c!r}", line=1, field=c)
        vals = numeric_column(table, c, source)
        parts.append(
            observations_from_columns(ids, q, times, vals, unit if q != "co" else None, source)
        )
    obs = pa.concat_tables(parts) if parts else empty_observations()
    sensors = pd.DataFrame(
        {"sensor_id": [sid], "source": [FORMAT], "sensor_type": ["reference"], "name": [station_id]}
    )
    return ParsedBatch(FORMAT, source, obs, sensors=sensors)


def read_reference_csv(path: str | Path, tz: str | None = None) -> ParsedBatch:
    p = Path(path)
    return parse_reference_csv(p.read_bytes(), station_id=p.stem, source=str(p), tz=tz)
