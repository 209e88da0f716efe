"""The small tables beside the observations: sensors, positions and quarantine.

Pure functions over DataFrames: merge new sensor metadata and positions into the
stored ones, bring quarantine records to their columns, and convert the small tables
to and from Parquet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.store.schema import POSITION_COLUMNS, QUARANTINE_COLUMNS, SENSOR_COLUMNS

AreaLookup = Callable[[Any, Any], Any]


def small_table(df: pd.DataFrame, columns: list[str]) -> pa.Table:
    """A sensors or positions DataFrame as the Arrow table that is stored.

    Parameters
    ----------
    df : DataFrame
        The table.
    columns : list of str
        :data:`SENSOR_COLUMNS` or :data:`POSITION_COLUMNS`.

    Returns
    -------
    pyarrow.Table
        ``lat``/``lon`` as float, ``valid_from`` as UTC time, everything else as text.
    """
    df = df.reindex(columns=columns).copy()
    for c in df.columns:
        if c in ("lat", "lon"):
            df[c] = df[c].astype(float)
        elif c == "valid_from":
            df[c] = pd.to_datetime(df[c], utc=True)
        else:
            df[c] = df[c].astype("string")
    return pa.Table.from_pandas(df, preserve_index=False)


def read_small(root: Path, rel: str | None, columns: list[str]) -> pd.DataFrame:
    """Read a sensors or positions table; an empty, typed table when there is none.

    Parameters
    ----------
    root : Path
        The store directory.
    rel : str or None
        The file's store-relative path from the manifest.
    columns : list of str
        The columns to return.

    Returns
    -------
    DataFrame
        The table with exactly ``columns``.
    """
    if not rel:
        df = pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
        if "lat" in columns:
            df["lat"] = pd.Series(dtype=float)
            df["lon"] = pd.Series(dtype=float)
            df["valid_from"] = pd.Series(dtype="datetime64[us, UTC]")
        return df
    return pq.read_table(root / rel).to_pandas().reindex(columns=columns)


def merge_sensors(old: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """Add or update sensor metadata; non-null new values replace old ones.

    Parameters
    ----------
    old : DataFrame
        The stored sensors.
    df : DataFrame
        New or changed sensors (columns of :data:`SENSOR_COLUMNS`).

    Returns
    -------
    DataFrame
        One row per sensor, ordered by ``sensor_id``.
    """
    new = df.reindex(columns=SENSOR_COLUMNS).astype(object)
    merged = pd.concat([old.astype(object), new], ignore_index=True)
    merged = merged.groupby("sensor_id", sort=True, as_index=False).last()
    return merged.reindex(columns=SENSOR_COLUMNS)


def merge_positions(
    old: pd.DataFrame, df: pd.DataFrame, area_lookup: AreaLookup | None = None
) -> pd.DataFrame:
    """Merge positions ``(sensor_id, lat, lon, valid_from)`` into the position history.

    A sensor gets a new record only where its position differs (more than about a
    metre) from the record valid just before; re-importing adds nothing.

    Parameters
    ----------
    old : DataFrame
        The stored position history.
    df : DataFrame
        New positions.
    area_lookup : callable, optional
        ``(lon, lat) -> area_id`` arrays; when given, ``area_id`` is recomputed.

    Returns
    -------
    DataFrame
        The history with :data:`POSITION_COLUMNS`.
    """
    new = df.reindex(columns=POSITION_COLUMNS).copy()
    new["valid_from"] = pd.to_datetime(new["valid_from"], utc=True)
    merged = pd.concat([old, new], ignore_index=True)
    merged["lat"] = merged["lat"].astype(float)
    merged["lon"] = merged["lon"].astype(float)
    merged = merged.dropna(subset=["lat", "lon"])
    merged = merged.sort_values(["sensor_id", "valid_from"], kind="stable")
    sid = merged["sensor_id"].astype(object)
    prev_same_sensor = (sid == sid.shift()).to_numpy(dtype=bool)
    moved = (merged["lat"] - merged["lat"].shift()).abs().gt(1e-5) | (
        merged["lon"] - merged["lon"].shift()
    ).abs().gt(1e-5)
    keep = ~prev_same_sensor | moved.to_numpy(dtype=bool)
    merged = merged[keep].reset_index(drop=True)
    if area_lookup is not None:
        merged["area_id"] = area_lookup(merged["lon"].to_numpy(), merged["lat"].to_numpy())
    return merged.reindex(columns=POSITION_COLUMNS)


def with_areas(positions: pd.DataFrame, area_lookup: AreaLookup) -> pd.DataFrame:
    """A copy of the positions with ``area_id`` recomputed (after the areas changed)."""
    pos = positions.copy()
    if not pos.empty:
        pos["area_id"] = area_lookup(pos["lon"].to_numpy(float), pos["lat"].to_numpy(float))
    return pos


def conform_quarantine(df: pd.DataFrame) -> pd.DataFrame:
    """Rejected records with the columns and types of :data:`QUARANTINE_COLUMNS`.

    Parameters
    ----------
    df : DataFrame
        Records; missing ``received_at`` becomes now.

    Returns
    -------
    DataFrame
        The records, ready to store.
    """
    q = df.reindex(columns=QUARANTINE_COLUMNS).copy()
    q["received_at"] = pd.to_datetime(q["received_at"], utc=True).fillna(pd.Timestamp.now("UTC"))
    for c in ("source", "origin", "field", "reason", "raw"):
        q[c] = q[c].astype("string")
    q["line"] = pd.to_numeric(q["line"], errors="coerce").astype("Int64")
    return q


__all__ = [
    "conform_quarantine",
    "merge_positions",
    "merge_sensors",
    "read_small",
    "small_table",
    "with_areas",
]
