"""A write transaction: stage new files, then commit them with one manifest replacement.

Everything a transaction writes is a new, immutable file; the store only sees it when
:meth:`Transaction.commit` replaces the manifest. Deduplication: the key is
``(sensor_id, quantity, time)``. Within a batch the first occurrence wins; against the
store the stored value wins, so re-importing a file or a redelivered MQTT message adds
nothing.
"""

from __future__ import annotations

import json
import os
import time as _time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.store import maintenance
from workbench.store.durable import fsync_dir, write_parquet_synced
from workbench.store.manifest import now_iso, paths_of
from workbench.store.metadata import (
    AreaLookup,
    conform_quarantine,
    merge_positions,
    merge_sensors,
    read_small,
    small_table,
    with_areas,
)
from workbench.store.partitions import (
    observation_entry,
    partition_dir,
    sorted_unique,
    split_by_month,
    split_by_quantity,
    time_span,
)
from workbench.store.schema import (
    OBSERVATION_SCHEMA,
    POSITION_COLUMNS,
    RAW_SCHEMA,
    SENSOR_COLUMNS,
    conform_observations,
    iso_utc,
)
from workbench.store.sql import parquet_sql, query_arrow

if TYPE_CHECKING:
    from workbench.store.directory import Store

# (store-relative path, rows, quantity, tmin, tmax) of an observation file to write
_Staged = tuple[str, pa.Table, str, str, str]


class Transaction:
    """A write transaction on a :class:`Store`; create with :meth:`Store.transaction`.

    Parameters
    ----------
    store : Store
        The store written to.
    manifest : dict
        The manifest the transaction starts from (copied; the copy is changed).
    """

    def __init__(self, store: Store, manifest: dict[str, Any]) -> None:
        self.store = store
        self.base = manifest
        self.manifest = json.loads(json.dumps(manifest))
        self.batch = uuid.uuid4().hex[:16]
        self.written: set[str] = set()
        self._sensors: pd.DataFrame | None = None
        self._positions: pd.DataFrame | None = None
        self._done = False
        self._seq = 0

    # ------------------------------------------------------------------ files
    def referenced_paths(self) -> set[str]:
        """Every file the manifest references, including those waiting for deletion."""
        return paths_of(self.manifest) | {e["path"] for e in self.manifest["pending_delete"]}

    def new_path(self, sub: str, name: str) -> str:
        """A fresh store-relative file path in folder ``sub`` (created if missing)."""
        self._seq += 1
        rel = f"{sub}/{name}-{self.batch}-{self._seq:04d}.parquet"
        (self.store.path / rel).parent.mkdir(parents=True, exist_ok=True)
        return rel

    def write(self, table: pa.Table, rel: str) -> None:
        """Write and sync a file of this transaction (removed again on rollback)."""
        self.written.add(rel)
        write_parquet_synced(table, self.store.path / rel)

    # ------------------------------------------------------------------ observations
    def add_observations(self, table: pa.Table) -> tuple[int, int]:
        """Stage observations; returns ``(added, duplicates)``.

        ``table`` needs ``sensor_id, quantity, time, value`` and may carry ``source``
        and ``qc``. Rows whose key is already stored (or repeated within the batch) are
        counted as duplicates and not written. Input already grouped by sensor and
        ordered by time (as exports usually are) is not re-sorted.
        """
        table = conform_observations(table)
        if table.num_rows == 0:
            return (0, 0)
        parts: list[tuple[str, int, pa.Table]] = []
        duplicates = 0
        for quantity, qtable in split_by_quantity(table):
            for month, part in split_by_month(qtable):
                part, dups = sorted_unique(part)
                duplicates += dups
                parts.append((quantity, int(month), part))
        staged, stored_dups = self._new_rows_only(parts)
        duplicates += stored_dups
        # Parquet encoding releases the GIL: write partitions side by side
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            list(pool.map(lambda item: self.write(item[1], item[0]), staged))
        added = 0
        for rel, part, quantity, tmin, tmax in staged:
            self.manifest["observations"].append(
                observation_entry(rel, quantity, tmin, tmax, part, self.batch)
            )
            added += part.num_rows
        return added, duplicates

    def _new_rows_only(self, parts: list[tuple[str, int, pa.Table]]) -> tuple[list[_Staged], int]:
        """Drop rows already stored from each partition; return what to write, duplicates."""
        staged: list[_Staged] = []
        duplicates = 0
        for quantity, month, part in parts:
            tmin, tmax = time_span(part)
            overlapping = [
                ent["path"]
                for ent in self.manifest["observations"]
                if ent["quantity"] == quantity and ent["tmin"] <= tmax and ent["tmax"] >= tmin
            ]
            if overlapping:
                before = part.num_rows
                part = self._anti_join(part, overlapping)
                duplicates += before - part.num_rows
                if part.num_rows == 0:
                    continue
                tmin, tmax = time_span(part)
            rel = self.new_path(partition_dir(quantity, month), "b")
            staged.append((rel, part, quantity, tmin, tmax))
        return staged, duplicates

    def _anti_join(self, part: pa.Table, rel_paths: list[str]) -> pa.Table:
        files = [str(self.store.path / p) for p in rel_paths]
        con = duckdb.connect()
        try:
            con.register("batch", part)
            out = query_arrow(
                con,
                f"""
                SELECT b.* FROM batch b
                ANTI JOIN (SELECT sensor_id, time FROM {parquet_sql(files)}
                           WHERE quantity = ?) s
                ON b.sensor_id = s.sensor_id AND b.time = s.time
                ORDER BY b.sensor_id, b.time
                """,
                [part["quantity"][0].as_py()],
            )
        finally:
            con.close()
        return out.cast(OBSERVATION_SCHEMA)

    def drop_observations(self, source_prefix: str) -> int:
        """Remove every observation whose ``source`` starts with ``source_prefix``.

        Files holding such rows are rewritten without them (old files are deleted after
        the grace period). Returns the number of rows removed.
        """
        return maintenance.drop_observations(self, source_prefix)

    def delete_readings(
        self,
        sensor_id: str,
        start: datetime | None = None,
        end: datetime | None = None,
        quantity: str | None = None,
        *,
        reason: str = "",
    ) -> int:
        """Remove one sensor's readings in ``[start, end)`` (of one ``quantity``, if given)
        and log the deletion in the manifest (``deletions``). Returns the rows removed."""
        n = maintenance.delete_readings(self, sensor_id, start, end, quantity)
        self.manifest.setdefault("deletions", []).append(
            {
                "at": now_iso(),
                "batch": self.batch,
                "sensor_id": sensor_id,
                "quantity": quantity,
                "start": iso_utc(start) if start is not None else None,
                "end": iso_utc(end) if end is not None else None,
                "rows": n,
                "reason": reason,
            }
        )
        return n

    def compact(self, min_files: int = 2) -> int:
        """Merge each observation partition with at least ``min_files`` files into one."""
        return maintenance.compact_partitions(self, min_files)

    # ------------------------------------------------------------------ metadata
    def sensors(self) -> pd.DataFrame:
        """Sensor metadata as staged so far."""
        if self._sensors is None:
            self._sensors = read_small(
                self.store.path, self.manifest.get("sensors"), SENSOR_COLUMNS
            )
        return self._sensors

    def positions(self) -> pd.DataFrame:
        """Position history as staged so far."""
        if self._positions is None:
            self._positions = read_small(
                self.store.path, self.manifest.get("positions"), POSITION_COLUMNS
            )
        return self._positions

    def upsert_sensors(self, df: pd.DataFrame) -> None:
        """Add or update sensor metadata; non-null new values replace old ones."""
        if df is None or df.empty:
            return
        self._sensors = merge_sensors(self.sensors(), df)

    def add_positions(self, df: pd.DataFrame, area_lookup: AreaLookup | None = None) -> None:
        """Record positions ``(sensor_id, lat, lon, valid_from)``.

        A sensor gets a new record only where its position differs (more than about a
        metre) from the record valid just before; re-importing adds nothing.
        """
        if df is None or df.empty:
            return
        self._positions = merge_positions(self.positions(), df, area_lookup)

    def set_position_areas(self, area_lookup: AreaLookup) -> None:
        """Recompute ``area_id`` of every position (after the areas changed)."""
        self._positions = with_areas(self.positions(), area_lookup)

    def add_quarantine(self, df: pd.DataFrame) -> int:
        """Store rejected records (columns of ``QUARANTINE_COLUMNS``)."""
        if df is None or df.empty:
            return 0
        q = conform_quarantine(df)
        rel = self.new_path("quarantine", "q")
        self.write(pa.Table.from_pandas(q, preserve_index=False), rel)
        self.manifest["quarantine"].append({"path": rel, "rows": len(q), "batch": self.batch})
        return len(q)

    def add_raw(self, table: pa.Table) -> int:
        """Keep raw stream payloads (``RAW_SCHEMA``) so they can be decoded again later."""
        if table.num_rows == 0:
            return 0
        table = table.select(RAW_SCHEMA.names).cast(RAW_SCHEMA)
        lo, hi = (v.as_py() for v in pc.min_max(table["received_at"]).values())
        rel = self.new_path(f"raw/month={lo.year:04d}-{lo.month:02d}", "r")
        self.write(table, rel)
        self.manifest.setdefault("raw", []).append(
            {
                "path": rel,
                "rows": table.num_rows,
                "tmin": iso_utc(lo),
                "tmax": iso_utc(hi),
                "batch": self.batch,
            }
        )
        return table.num_rows

    @property
    def ingest_state(self) -> dict[str, Any] | None:
        """The stream ingest's checkpoint and counters, committed with the data."""
        return self.manifest.get("ingest")

    @ingest_state.setter
    def ingest_state(self, state: dict[str, Any]) -> None:
        self.manifest["ingest"] = state

    def record_import(self, entry: dict[str, Any]) -> None:
        """Append an entry to the import log kept in the manifest."""
        self.manifest["imports"].append({"at": now_iso(), "batch": self.batch, **entry})

    # ------------------------------------------------------------------ commit
    def _replace_small(self, key: str, df: pd.DataFrame, columns: list[str], name: str) -> None:
        """Write a new sensors or positions table; the old one waits for deletion."""
        rel = self.new_path(key, name)
        self.write(small_table(df, columns), rel)
        if self.manifest.get(key):
            self.manifest["pending_delete"].append(
                {"path": self.manifest[key], "since": _time.time()}
            )
        self.manifest[key] = rel

    def commit(self) -> None:
        """Make everything staged visible by replacing the manifest (once)."""
        if self._done:
            return
        if self._sensors is not None:
            self._replace_small("sensors", self._sensors, SENSOR_COLUMNS, "s")
        if self._positions is not None:
            self._replace_small("positions", self._positions, POSITION_COLUMNS, "p")
        # delete what was replaced long enough ago that no reader can still use it
        self.manifest["pending_delete"] = maintenance.purge_pending(
            self.store.path, self.manifest["pending_delete"], _time.time()
        )
        self.manifest["version"] = int(self.base.get("version", 0)) + 1
        self.manifest["committed_at"] = now_iso()
        for d in {(self.store.path / p).parent for p in self.written}:
            fsync_dir(d)
        self.store._write_manifest(self.manifest)
        self._done = True

    def rollback(self) -> None:
        """Delete every file this transaction wrote; the manifest stays as it was."""
        for rel in self.written:
            (self.store.path / rel).unlink(missing_ok=True)
        self.written.clear()
        self._done = True


__all__ = ["Transaction"]
