"""Queries over a store snapshot, executed by DuckDB on the Parquet files.

Filtering and aggregation run inside DuckDB; only the result reaches pandas. All
functions take a :class:`~workbench.store.Snapshot`, so one call sees one consistent
version of the store even while an import or ingest commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from workbench.errors import InputError
from workbench.store import Snapshot, parquet_sql

FREQS = {"hour": "1 hour", "day": "1 day"}


def utc_timestamp(x: Any, name: str) -> pd.Timestamp | None:
    """``x`` as a UTC timestamp (naive times are UTC); None stays None."""
    if x is None:
        return None
    try:
        t = pd.Timestamp(x)
    except (ValueError, TypeError):
        raise InputError(f"{name} must be a time (ISO 8601), got {x!r}") from None
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


def _where(
    quantity: str | Sequence[str] | None,
    sensors: Sequence[str] | None,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if quantity is not None:
        qs = [quantity] if isinstance(quantity, str) else list(quantity)
        clauses.append(f"o.quantity IN ({', '.join('?' * len(qs))})")
        params.extend(qs)
    if sensors is not None:
        ss = list(sensors)
        if not ss:
            clauses.append("FALSE")
        else:
            clauses.append(f"o.sensor_id IN ({', '.join('?' * len(ss))})")
            params.extend(ss)
    if start is not None:
        clauses.append("o.time >= ?")
        params.append(start.to_pydatetime())
    if end is not None:
        clauses.append("o.time < ?")
        params.append(end.to_pydatetime())
    return (" AND ".join(clauses) or "TRUE"), params


def _source(
    snap: Snapshot,
    con: duckdb.DuckDBPyConnection,
    quantity: Any,
    start: Any,
    end: Any,
    area: str | Sequence[str] | None,
    files: list[str] | None = None,
) -> str | None:
    """SQL for the relation of candidate observations (with area filter applied).

    ``files`` replaces the snapshot's observation files (the QC layer has the same key
    columns plus ``raw_value``).
    """
    files = snap.files(quantity, start, end) if files is None else files
    if not files:
        return None
    rel = parquet_sql(files)
    if area is None:
        return f"{rel} o"
    areas = [area] if isinstance(area, str) else list(area)
    all_pos = snap.positions()
    if all_pos.empty:
        raise InputError("no sensor positions in the store: cannot filter by area")
    # the first position of a sensor is valid from the beginning of time
    first = all_pos.groupby("sensor_id")["valid_from"].transform("min")
    all_pos = all_pos.assign(
        valid_from=all_pos["valid_from"].where(
            all_pos["valid_from"] != first, pd.Timestamp("1900-01-01", tz="UTC")
        )
    )
    con.register("_positions", all_pos[["sensor_id", "valid_from", "area_id"]])
    area_list = ", ".join("'" + a.replace("'", "''") + "'" for a in areas)
    return (
        f"(SELECT o.* FROM {rel} o ASOF JOIN _positions p "
        f"ON o.sensor_id = p.sensor_id AND o.time >= p.valid_from "
        f"WHERE p.area_id IN ({area_list})) o"
    )


def observations(
    snap: Snapshot,
    *,
    quantity: str | Sequence[str] | None = None,
    sensors: Sequence[str] | None = None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    area: str | Sequence[str] | None = None,
    qc_files: list[str] | None = None,
    informational: int | None = None,
) -> pd.DataFrame:
    """Observations matching all filters, ordered by sensor and time.

    Parameters
    ----------
    quantity : str or list of str, optional
        Canonical quantity name(s).
    sensors : list of str, optional
        Sensor ids.
    start, end : datetime or ISO text, optional
        Half-open time range ``[start, end)``; naive times are UTC.
    area : str or list of str, optional
        Area id(s): observations made while the sensor stood in the area.
    qc_files : list of str, optional
        Read the QC layer instead of the raw store (adds ``raw_value``).
    informational : int, optional
        With ``qc_files``: keep only readings whose ``qc`` has no bit other than these
        (None keeps flagged readings too).

    Returns
    -------
    DataFrame
        ``sensor_id, quantity, time (UTC), value, source, qc`` (and ``raw_value``).
    """
    s, e = utc_timestamp(start, "start"), utc_timestamp(end, "end")
    con = duckdb.connect()
    try:
        src = _source(snap, con, quantity, s, e, area, qc_files)
        cols = "o.sensor_id, o.quantity, o.time, o.value, o.source, o.qc"
        if qc_files is not None:
            cols += ", o.raw_value"
        if src is None:
            return _empty_observations()
        where, params = _where(quantity, sensors, s, e)
        if qc_files is not None and informational is not None:
            where += f" AND (o.qc & ~{int(informational)}) = 0"
        df = con.execute(
            f"SELECT {cols} FROM {src} WHERE {where} ORDER BY o.sensor_id, o.quantity, o.time",
            params,
        ).df()
    finally:
        con.close()
    df["time"] = pd.to_datetime(df["time"], utc=True)
    return df


def _empty_observations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sensor_id": pd.Series(dtype=object),
            "quantity": pd.Series(dtype=object),
            "time": pd.Series(dtype="datetime64[us, UTC]"),
            "value": pd.Series(dtype=float),
            "source": pd.Series(dtype=object),
            "qc": pd.Series(dtype="int32"),
        }
    )


def aggregate(
    snap: Snapshot,
    *,
    freq: str = "hour",
    quantity: str | Sequence[str] | None = None,
    sensors: Sequence[str] | None = None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    area: str | Sequence[str] | None = None,
    tz: str = "UTC",
    qc_files: list[str] | None = None,
    informational: int | None = None,
) -> pd.DataFrame:
    """Hourly or daily means per sensor and quantity, computed in DuckDB.

    A daily value is the mean of the day's hourly means (so a burst of readings in one
    hour does not dominate), and ``n_hours`` says how many hours had data: the QC rule
    "a valid daily mean needs at least 18 hourly values" reads it directly.

    Parameters
    ----------
    freq : {"hour", "day"}
    tz : str
        Zone whose calendar days are used for ``freq="day"`` (e.g. ``Europe/Berlin``).
    qc_files, informational
        As for :func:`observations`: aggregate the QC layer's cleaned values, only
        readings that passed.

    Returns
    -------
    DataFrame
        ``sensor_id, quantity, time`` (bucket start, UTC), ``mean, min, max, n`` (raw
        readings), ``n_hours`` (hours with data) and ``coverage`` (``n_hours`` / hours in
        the bucket).
    """
    if freq not in FREQS:
        raise InputError(f"freq must be one of {sorted(FREQS)}, got {freq!r}")
    s, e = utc_timestamp(start, "start"), utc_timestamp(end, "end")
    con = duckdb.connect()
    try:
        con.execute(f"SET TimeZone = '{tz.replace(chr(39), '')}'")
        src = _source(snap, con, quantity, s, e, area, qc_files)
        if src is None:
            return _empty_aggregate()
        where, params = _where(quantity, sensors, s, e)
        if qc_files is not None and informational is not None:
            where += f" AND (o.qc & ~{int(informational)}) = 0"
        hourly = (
            f"SELECT o.sensor_id, o.quantity, date_trunc('hour', o.time) AS hour, "
            f"favg(o.value) AS mean, min(o.value) AS min, max(o.value) AS max, "
            f"count(*) AS n FROM {src} WHERE {where} GROUP BY ALL"
        )
        if freq == "hour":
            sql = (
                f"SELECT sensor_id, quantity, hour AS time, mean, min, max, n, "
                f"1 AS n_hours, 1.0 AS coverage FROM ({hourly}) ORDER BY ALL"
            )
        else:
            sql = (
                # ordered, compensated sum: plain avg() of a day's hours differed in the
                # last bit from call to call (DuckDB splits groups across threads)
                f"SELECT sensor_id, quantity, date_trunc('day', hour) AS time, "
                f"favg(mean ORDER BY hour) AS mean, "
                f"min(min) AS min, max(max) AS max, sum(n) AS n, count(*) AS n_hours, "
                f"count(*) / 24.0 AS coverage FROM ({hourly}) GROUP BY ALL ORDER BY ALL"
            )
        df = con.execute(sql, params).df()
    finally:
        con.close()
    df["time"] = pd.to_datetime(df["time"], utc=True)
    df["n"] = df["n"].astype("int64")
    df["n_hours"] = df["n_hours"].astype("int64")
    return df


def _empty_aggregate() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sensor_id": pd.Series(dtype=object),
            "quantity": pd.Series(dtype=object),
            "time": pd.Series(dtype="datetime64[us, UTC]"),
            "mean": pd.Series(dtype=float),
            "min": pd.Series(dtype=float),
            "max": pd.Series(dtype=float),
            "n": pd.Series(dtype="int64"),
            "n_hours": pd.Series(dtype="int64"),
            "coverage": pd.Series(dtype=float),
        }
    )


def sensor_summary(snap: Snapshot) -> pd.DataFrame:
    """Per sensor: quantities, first/last seen, reading count and completeness.

    ``completeness`` is the share of hours in the store's time span (first to last
    reading of any sensor) in which the sensor reported at least once.
    """
    files = snap.files()
    meta = snap.sensors()
    if not files:
        return _with_summary_columns(pd.DataFrame(columns=["sensor_id"]))
    con = duckdb.connect()
    try:
        df = con.execute(
            f"""
            WITH o AS (SELECT sensor_id, quantity, time FROM {parquet_sql(files)}),
            span AS (SELECT greatest(1, (epoch(max(time)) - epoch(min(time))) / 3600 + 1) AS hours
                     FROM o)
            SELECT sensor_id, string_agg(DISTINCT quantity, ',' ORDER BY quantity) AS quantities,
                   min(time) AS first_seen, max(time) AS last_seen, count(*) AS n_observations,
                   count(DISTINCT date_trunc('hour', time)) / any_value(span.hours) AS completeness
            FROM o, span GROUP BY sensor_id ORDER BY sensor_id
            """
        ).df()
    finally:
        con.close()
    for c in ("first_seen", "last_seen"):
        df[c] = pd.to_datetime(df[c], utc=True)
    df["completeness"] = df["completeness"].clip(upper=1.0)
    if not meta.empty:
        df = df.merge(
            meta[["sensor_id", "source", "sensor_type", "name"]], on="sensor_id", how="left"
        )
    pos = snap.positions()
    if not pos.empty:
        latest = pos.sort_values("valid_from").groupby("sensor_id").tail(1)
        df = df.merge(latest[["sensor_id", "lat", "lon", "area_id"]], on="sensor_id", how="left")
    return _with_summary_columns(df)


SUMMARY_COLUMNS = {
    "sensor_id": "object", "quantities": "object", "first_seen": "datetime64[ns, UTC]",
    "last_seen": "datetime64[ns, UTC]", "n_observations": "int64", "completeness": "float64",
    "source": "object", "sensor_type": "object", "name": "object", "lat": "float64",
    "lon": "float64", "area_id": "object",
}  # fmt: skip


def _with_summary_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Every column of :func:`sensor_summary`, also for an empty store or missing metadata."""
    for c, dtype in SUMMARY_COLUMNS.items():
        if c not in df:
            df[c] = pd.Series(index=df.index, dtype=dtype)
    return df
