"""Housekeeping of the store's files: compaction, dropping rows, deleting what is unused.

Rewrites never change a file in place: the rows are written to a new file, the old one
is listed under ``pending_delete`` and removed only after :data:`DELETE_GRACE_S`, so a
reader holding an older snapshot can finish.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from workbench.store.partitions import n_distinct, observation_entry, time_span
from workbench.store.schema import DELETE_GRACE_S, OBSERVATION_SCHEMA, SUBDIRS, iso_utc
from workbench.store.sql import parquet_sql, query_once

if TYPE_CHECKING:
    from workbench.store.transaction import Transaction


def purge_pending(root: Path, pending: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """Delete files whose grace period is over; return the entries still waiting.

    Parameters
    ----------
    root : Path
        The store directory.
    pending : list of dict
        ``pending_delete`` entries (``path``, ``since``).
    now : float
        The current time (``time.time()``).

    Returns
    -------
    list of dict
        The entries not yet due.
    """
    still = []
    for ent in pending:
        if now - ent["since"] >= DELETE_GRACE_S:
            (root / ent["path"]).unlink(missing_ok=True)
        else:
            still.append(ent)
    return still


def remove_unreferenced(root: Path, keep: set[str], min_age_s: float) -> int:
    """Delete Parquet files not in ``keep`` and older than ``min_age_s``.

    Parameters
    ----------
    root : Path
        The store directory.
    keep : set of str
        Store-relative paths that must stay (referenced or being written).
    min_age_s : float
        Files modified more recently are left alone.

    Returns
    -------
    int
        The number of files removed.
    """
    now = _time.time()
    removed = 0
    for sub in SUBDIRS:
        for p in (root / sub).rglob("*.parquet"):
            rel = p.relative_to(root).as_posix()
            if rel in keep:
                continue
            if now - p.stat().st_mtime >= min_age_s:
                p.unlink(missing_ok=True)
                removed += 1
    return removed


def compact_partitions(tx: Transaction, min_files: int = 2) -> int:
    """Merge each observation partition with at least ``min_files`` files into one.

    Parameters
    ----------
    tx : Transaction
        The open transaction whose manifest is changed.
    min_files : int
        Partitions with fewer files are left as they are.

    Returns
    -------
    int
        The number of partitions compacted.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for ent in tx.manifest["observations"]:
        part = ent["path"].rsplit("/", 1)[0]
        groups.setdefault((ent["quantity"], part), []).append(ent)
    done = 0
    for (quantity, part), ents in sorted(groups.items()):
        if len(ents) < min_files:
            continue
        files = [str(tx.store.path / e["path"]) for e in ents]
        tbl = query_once(f"SELECT * FROM {parquet_sql(files)} ORDER BY sensor_id, time").cast(
            OBSERVATION_SCHEMA
        )
        rel = tx.new_path(part, "c")
        tx.write(tbl, rel)
        keep = [e for e in tx.manifest["observations"] if e not in ents]
        tmin = min(e["tmin"] for e in ents)
        tmax = max(e["tmax"] for e in ents)
        keep.append(observation_entry(rel, quantity, tmin, tmax, tbl, tx.batch))
        tx.manifest["observations"] = keep
        now = _time.time()
        tx.manifest["pending_delete"].extend({"path": e["path"], "since": now} for e in ents)
        done += 1
    return done


def drop_observations(tx: Transaction, source_prefix: str) -> int:
    """Remove every observation whose ``source`` starts with ``source_prefix``.

    Parameters
    ----------
    tx : Transaction
        The open transaction whose manifest is changed.
    source_prefix : str
        For example ``"mqtt:"``.

    Returns
    -------
    int
        The number of rows removed.
    """

    def match(tbl: pa.Table) -> pa.Array:
        return pc.fill_null(pc.starts_with(tbl["source"].cast(pa.string()), source_prefix), False)

    return _drop_where(tx, match)


def delete_readings(
    tx: Transaction,
    sensor_id: str,
    start: datetime | None = None,
    end: datetime | None = None,
    quantity: str | None = None,
) -> int:
    """Remove the readings of one sensor in ``[start, end)`` (all its readings without
    bounds), optionally of one quantity; returns the number of rows removed."""

    def overlaps(ent: dict) -> bool:
        if start is not None and ent.get("tmax") and ent["tmax"] < iso_utc(start):
            return False
        return not (end is not None and ent.get("tmin") and ent["tmin"] >= iso_utc(end))

    def match(tbl: pa.Table) -> pa.Array:
        m = pc.equal(tbl["sensor_id"].cast(pa.string()), sensor_id)
        if quantity is not None:
            m = pc.and_(m, pc.equal(tbl["quantity"].cast(pa.string()), quantity))
        if start is not None:
            m = pc.and_(m, pc.greater_equal(tbl["time"], pa.scalar(start, tbl["time"].type)))
        if end is not None:
            m = pc.and_(m, pc.less(tbl["time"], pa.scalar(end, tbl["time"].type)))
        return pc.fill_null(m, False)

    return _drop_where(tx, match, overlaps)


def _drop_where(
    tx: Transaction,
    match: Callable[[pa.Table], pa.Array],
    candidate: Callable[[dict], bool] = lambda _e: True,
) -> int:
    """Rewrite the observation files holding rows that ``match`` without them."""
    dropped = 0
    keep_entries = []
    now = _time.time()
    for ent in tx.manifest["observations"]:
        if not candidate(ent):
            keep_entries.append(ent)
            continue
        tbl = query_once(f"SELECT * FROM {parquet_sql([str(tx.store.path / ent['path'])])}")
        hit = match(tbl)
        n = int(pc.sum(hit).as_py() or 0)
        if n == 0:
            keep_entries.append(ent)
            continue
        dropped += n
        tx.manifest["pending_delete"].append({"path": ent["path"], "since": now})
        rest = tbl.filter(pc.invert(hit)).cast(OBSERVATION_SCHEMA)
        if rest.num_rows == 0:
            continue
        rel = tx.new_path(ent["path"].rsplit("/", 1)[0], "d")
        tx.write(rest, rel)
        tmin, tmax = time_span(rest)
        keep_entries.append(
            {
                **ent,
                "path": rel,
                "rows": rest.num_rows,
                "tmin": tmin,
                "tmax": tmax,
                "sensors": n_distinct(rest["sensor_id"]),
                "batch": tx.batch,
            }
        )
    tx.manifest["observations"] = keep_entries
    return dropped


__all__ = [
    "compact_partitions",
    "delete_readings",
    "drop_observations",
    "purge_pending",
    "remove_unreferenced",
]
