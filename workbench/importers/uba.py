"""Umweltbundesamt (UBA) ``air_data`` API v3 ``measures`` JSON.

::

    {"request": {"station": "DENW022", "component": "9", "scope": "2", ...},
     "data": {"<station>": {"2025-07-01 01:00:00": [9, 2, 12.3, "2025-07-01 02:00:00", "1"]}}}

Each entry is ``[component, scope, value, date_end, index]`` keyed by the start of the
averaging period. Only hourly means (scope 2) are stored as observations; other scopes
(daily means, maxima, 8-hour means) go to quarantine with the reason, so nothing is
silently dropped. UBA writes hour 24 for midnight and gives times in CET (UTC+01:00)
all year; pass ``tz`` to override.
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
    batch_from_records,
    parse_times,
)
from workbench.importers.jsonutil import load_json

FORMAT = "uba"
DEFAULT_TZ = "Etc/GMT-1"  # CET without daylight saving (POSIX sign convention)
COMPONENTS: dict[int, tuple[str, str]] = {
    1: ("pm10", "µg/m³"),
    2: ("co", "mg/m³"),
    3: ("o3", "µg/m³"),
    4: ("so2", "µg/m³"),
    5: ("no2", "µg/m³"),
    9: ("pm2_5", "µg/m³"),
}
HOURLY_MEAN_SCOPE = 2


def looks_like(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("data"), dict)
        and ("request" in doc or "indices" in doc or "count" in doc)
    )


def parse_uba(data: bytes, *, source: str = "<bytes>", tz: str | None = None) -> ParsedBatch:
    """Parse a UBA air_data v3 measures JSON document.

    Examples
    --------
    >>> doc = (b'{"request": {"station": "DENW022"}, "data": {"DENW022": '
    ...        b'{"2025-07-01 24:00:00": [9, 2, 12.3, "2025-07-02 01:00:00", "1"]}}}')
    >>> o = parse_uba(doc).observations.to_pandas()
    >>> o["sensor_id"][0], o["quantity"][0], str(o["time"][0]), float(o["value"][0])
    ('uba:DENW022', 'pm2_5', '2025-07-01 23:00:00+00:00', 12.3)
    """
    doc = load_json(data, source)
    if not looks_like(doc):
        raise ImportFormatError(
            source, "not a UBA air_data v3 document (expected 'request' and 'data' objects)"
        )
    request = doc.get("request") or {}
    stations = doc["data"]
    code = request.get("station") if isinstance(request, dict) else None
    rows, bad = [], []
    for key, series in stations.items():
        sid = f"uba:{code}" if code and len(stations) == 1 else f"uba:{key}"
        if not isinstance(series, dict):
            raise ImportFormatError(source, f"data[{key!r}] must be an object of time -> entry")
        for start, entry in series.items():
            where = f"data[{key!r}][{start!r}]"
            if not isinstance(entry, list) or len(entry) < 3:
                raise ImportFormatError(
                    source,
                    f"{where}: expected [component, scope, value, "
                    f"date_end, index], got {entry!r:.60}",
                    field=where,
                )
            try:
                comp, scope = int(entry[0]), int(entry[1])
            except (TypeError, ValueError):
                raise ImportFormatError(
                    source,
                    f"{where}: component and scope must be integers, got {entry[:2]!r}",
                    field=where,
                ) from None
            value = entry[2]
            if value is None:
                continue  # UBA marks missing hours with null
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ImportFormatError(
                    source, f"{where}: expected a number, got {value!r}", field=where
                ) from None
            raw = json.dumps({start: entry})
            if comp not in COMPONENTS:
                bad.append(
                    {"field": where, "reason": f"UBA component {comp} not supported", "raw": raw}
                )
                continue
            if scope != HOURLY_MEAN_SCOPE:
                bad.append(
                    {
                        "field": where,
                        "reason": f"UBA scope {scope} is not an hourly "
                        "mean (only scope 2 is stored)",
                        "raw": raw,
                    }
                )
                continue
            quantity, unit = COMPONENTS[comp]
            rows.append(
                {"sensor_id": sid, "quantity": quantity, "t": start, "value": value, "unit": unit}
            )
    df = pd.DataFrame(rows, columns=["sensor_id", "quantity", "t", "value", "unit"])
    if not df.empty:
        times = parse_times(
            pa.array(df["t"].astype(str)),
            source=source,
            field="date_start",
            tz=tz or DEFAULT_TZ,
            header_lines=0,
        )
        df["time"] = times.to_pandas()
    else:
        df["time"] = pd.Series(dtype="datetime64[us, UTC]")
    return batch_from_records(FORMAT, source, df, bad, sensor_type="reference")


def read_uba(path: str | Path, tz: str | None = None) -> ParsedBatch:
    p = Path(path)
    return parse_uba(p.read_bytes(), source=str(p), tz=tz)
