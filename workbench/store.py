"""The observation store: Parquet files made visible by an atomically replaced manifest.

Layout under ``WORKSPACE/store``::

    manifest.json                     the current snapshot: every visible file, nothing else
    .lock                             held (flock) by the one writer at a time
    observations/quantity=Q/month=YYYY-MM/<batch>.parquet
    sensors/<batch>.parquet           sensor metadata (one consolidated file per snapshot)
    positions/<batch>.parquet         position history: a new record when a sensor moves
    quarantine/<batch>.parquet        rejected records with the reason
    raw/month=YYYY-MM/<batch>.parquet raw MQTT payloads, kept for ``workbench reprocess``

Why a manifest: a writer writes new immutable files first, then commits by replacing
``manifest.json`` with ``os.replace`` (atomic on POSIX). A reader reads the manifest once
and queries exactly the files it lists, so it sees either the whole batch or none of it,
without taking a lock. A writer that fails (bad input, crash, ``kill -9``) leaves at most
unreferenced files, which :meth:`Store.vacuum` removes; the visible store is unchanged.
Files replaced by compaction are deleted only after a grace period, so readers holding an
older snapshot can finish.

Deduplication: the key is ``(sensor_id, quantity, time)``. Within a batch the first
occurrence wins; against the store the stored value wins, so re-importing a file or a
redelivered MQTT message adds nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time as _time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

OBSERVATION_SCHEMA = pa.schema(
    [
        ("sensor_id", pa.dictionary(pa.int32(), pa.string())),
        ("quantity", pa.dictionary(pa.int32(), pa.string())),
        ("time", pa.timestamp("us", tz="UTC")),
        ("value", pa.float64()),
        ("source", pa.dictionary(pa.int32(), pa.string())),
        ("qc", pa.int32()),
    ]
)
SENSOR_COLUMNS = ["sensor_id", "source", "sensor_type", "name", "exposure", "attributes"]
POSITION_COLUMNS = ["sensor_id", "lat", "lon", "valid_from", "area_id"]
QUARANTINE_COLUMNS = ["received_at", "source", "origin", "line", "field", "reason", "raw"]
RAW_SCHEMA = pa.schema(
    [
        ("received_at", pa.timestamp("us", tz="UTC")),
        ("topic", pa.string()),
        ("format", pa.string()),
        ("payload", pa.binary()),
        ("outcome", pa.string()),
    ]
)

MANIFEST_FORMAT = 1
SUBDIRS = ("observations", "sensors", "positions", "quarantine", "raw")
COMPRESSION = "zstd"
# Files replaced by compaction stay on disk this long for readers of older snapshots.
DELETE_GRACE_S = 600.0
# A partition with more files than this is compacted after a commit.
COMPACT_THRESHOLD = 64


class StoreError(RuntimeError):
    """The store cannot do what was asked (locked, corrupt manifest, ...)."""


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def iso_utc(ts: Any) -> str:
    """Fixed-width ISO 8601 UTC text, so that text order is time order."""
    t = pd.Timestamp(ts)
    t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
    return t.isoformat(timespec="microseconds")


def fsync_dir(path: Path) -> None:
    """Make a directory's entries (new, renamed files) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def try_lock(path: Path) -> int | None:
    """Take an exclusive ``flock`` on ``path`` without waiting.

    Returns the open descriptor (closing it releases the lock), or None when another
    process holds the lock.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _empty_manifest() -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "version": 0,
        "committed_at": None,
        "observations": [],
        "sensors": None,
        "positions": None,
        "quarantine": [],
        "imports": [],
        "pending_delete": [],
        "raw": [],
        "ingest": None,
    }


def query_arrow(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> pa.Table:
    """Run a query and return a pyarrow Table (without the DB-API extra copy)."""
    rel = con.sql(sql, params=list(params) if params else None)
    fetch = getattr(rel, "to_arrow_table", None) or rel.arrow
    out = fetch()
    return out if isinstance(out, pa.Table) else out.read_all()


def _sql_list(paths: Sequence[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def parquet_sql(paths: Sequence[str], **options: str) -> str:
    """``read_parquet`` over exact files; partition folders are not read as columns."""
    opts = "".join(f", {k}={v}" for k, v in {"hive_partitioning": "false", **options}.items())
    return f"read_parquet({_sql_list(paths)}{opts})"


class Store:
    """A workspace's observation store.

    Parameters
    ----------
    path : str or Path
        The ``store`` directory (created if missing).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        for sub in SUBDIRS:
            (self.path / sub).mkdir(exist_ok=True)

    # ------------------------------------------------------------------ snapshots
    @property
    def manifest_path(self) -> Path:
        return self.path / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        """Read the current snapshot (no lock needed)."""
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty_manifest()
        try:
            m = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StoreError(f"{self.manifest_path}: corrupt manifest ({exc})") from exc
        if m.get("format") != MANIFEST_FORMAT:
            raise StoreError(
                f"{self.manifest_path}: manifest format {m.get('format')!r}, "
                f"this version reads {MANIFEST_FORMAT}"
            )
        return m

    def snapshot(self) -> Snapshot:
        """A consistent, read-only view of the store as of now."""
        return Snapshot(self, self.manifest())

    @contextlib.contextmanager
    def transaction(self, timeout: float = 600.0) -> Iterator[Transaction]:
        """Open a write transaction; commits on normal exit, rolls back on exception.

        Only one writer at a time (an exclusive ``flock`` on ``store/.lock``); readers
        are never blocked.
        """
        lock_path = self.path / ".lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = _time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if _time.monotonic() > deadline:
                        raise StoreError(
                            f"{self.path}: another import or ingest holds the write lock"
                        ) from None
                    _time.sleep(0.05)
            tx = Transaction(self, self.manifest())
            try:
                yield tx
            except BaseException:
                tx.rollback()
                raise
            tx.commit()
        finally:
            os.close(fd)  # releases the flock

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.path / f".manifest-{uuid.uuid4().hex}.tmp"
        data = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.manifest_path)
        fsync_dir(self.path)

    # ------------------------------------------------------------------ maintenance
    def vacuum(self, min_age_s: float = 3600.0) -> int:
        """Delete files no snapshot references (left by failed writers) older than ``min_age_s``.

        Returns the number of files removed.
        """
        with self.transaction() as tx:
            referenced = tx.referenced_paths()
            now = _time.time()
            removed = 0
            for sub in SUBDIRS:
                for p in (self.path / sub).rglob("*.parquet"):
                    rel = p.relative_to(self.path).as_posix()
                    if rel in referenced or rel in tx.written:
                        continue
                    if now - p.stat().st_mtime >= min_age_s:
                        p.unlink(missing_ok=True)
                        removed += 1
            return removed

    def compact(self, min_files: int = 2) -> int:
        """Merge each observation partition with at least ``min_files`` files into one.

        Returns the number of partitions compacted. Old files are deleted after the
        grace period, so concurrent readers are unaffected.
        """
        with self.transaction() as tx:
            return tx.compact(min_files=min_files)

    def size_bytes(self) -> int:
        """Bytes on disk of all files the current snapshot references."""
        m = self.manifest()
        total = 0
        for rel in Transaction._paths_of(m):
            with contextlib.suppress(FileNotFoundError):
                total += (self.path / rel).stat().st_size
        return total


class Transaction:
    """A write transaction on a :class:`Store`; create with :meth:`Store.transaction`."""

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

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _paths_of(m: dict[str, Any]) -> set[str]:
        paths = {e["path"] for e in m["observations"]}
        paths |= {e["path"] for e in m["quarantine"]}
        paths |= {e["path"] for e in m.get("raw", [])}
        for k in ("sensors", "positions"):
            if m.get(k):
                paths.add(m[k])
        return paths

    def referenced_paths(self) -> set[str]:
        return self._paths_of(self.manifest) | {e["path"] for e in self.manifest["pending_delete"]}

    def _new_path(self, sub: str, name: str) -> str:
        self._seq += 1
        rel = f"{sub}/{name}-{self.batch}-{self._seq:04d}.parquet"
        (self.store.path / rel).parent.mkdir(parents=True, exist_ok=True)
        return rel

    def _write(self, table: pa.Table, rel: str) -> None:
        full = self.store.path / rel
        self.written.add(rel)
        pq.write_table(table, full, compression=COMPRESSION, row_group_size=1 << 20)
        with open(full, "rb") as fh:
            os.fsync(fh.fileno())

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
        for quantity, qtable in _split_by_quantity(table):
            lo, hi = (v.as_py() for v in pc.min_max(qtable["time"]).values())
            if (lo.year, lo.month) == (hi.year, hi.month):
                splits = [(lo.year * 100 + lo.month, qtable)]
            else:
                months = pc.add(
                    pc.multiply(pc.year(qtable["time"]), 100), pc.month(qtable["time"])
                ).to_numpy()
                splits = [(int(m), qtable.filter(months == m)) for m in np.unique(months)]
            for month, part in splits:
                part, dups = _sorted_unique(part)
                duplicates += dups
                parts.append((quantity, int(month), part))
        staged = []
        for quantity, month, part in parts:
            tmin = iso_utc(pc.min(part["time"]).as_py())
            tmax = iso_utc(pc.max(part["time"]).as_py())
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
                tmin = iso_utc(pc.min(part["time"]).as_py())
                tmax = iso_utc(pc.max(part["time"]).as_py())
            rel = self._new_path(
                f"observations/quantity={quantity}/month={month // 100:04d}-{month % 100:02d}", "b"
            )
            staged.append((rel, part, quantity, tmin, tmax))
        # Parquet encoding releases the GIL: write partitions side by side
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            list(pool.map(lambda item: self._write(item[1], item[0]), staged))
        added = 0
        for rel, part, quantity, tmin, tmax in staged:
            self.manifest["observations"].append(
                {
                    "path": rel,
                    "quantity": quantity,
                    "tmin": tmin,
                    "tmax": tmax,
                    "rows": part.num_rows,
                    "sensors": _n_distinct(part["sensor_id"]),
                    "batch": self.batch,
                }
            )
            added += part.num_rows
        return added, duplicates

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

    # ------------------------------------------------------------------ metadata
    def sensors(self) -> pd.DataFrame:
        if self._sensors is None:
            self._sensors = _read_small(
                self.store.path, self.manifest.get("sensors"), SENSOR_COLUMNS
            )
        return self._sensors

    def positions(self) -> pd.DataFrame:
        if self._positions is None:
            self._positions = _read_small(
                self.store.path, self.manifest.get("positions"), POSITION_COLUMNS
            )
        return self._positions

    def upsert_sensors(self, df: pd.DataFrame) -> None:
        """Add or update sensor metadata; non-null new values replace old ones."""
        if df is None or df.empty:
            return
        new = df.reindex(columns=SENSOR_COLUMNS).astype(object)
        old = self.sensors()
        merged = pd.concat([old.astype(object), new], ignore_index=True)
        merged = merged.groupby("sensor_id", sort=True, as_index=False).last()
        self._sensors = merged.reindex(columns=SENSOR_COLUMNS)

    def add_positions(self, df: pd.DataFrame, area_lookup: Any = None) -> None:
        """Record positions ``(sensor_id, lat, lon, valid_from)``.

        A sensor gets a new record only where its position differs (more than about a
        metre) from the record valid just before; re-importing adds nothing.
        """
        if df is None or df.empty:
            return
        new = df.reindex(columns=POSITION_COLUMNS).copy()
        new["valid_from"] = pd.to_datetime(new["valid_from"], utc=True)
        merged = pd.concat([self.positions(), new], ignore_index=True)
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
        self._positions = merged.reindex(columns=POSITION_COLUMNS)

    def set_position_areas(self, area_lookup: Any) -> None:
        """Recompute ``area_id`` of every position (after the areas changed)."""
        pos = self.positions().copy()
        if not pos.empty:
            pos["area_id"] = area_lookup(pos["lon"].to_numpy(float), pos["lat"].to_numpy(float))
        self._positions = pos

    def add_quarantine(self, df: pd.DataFrame) -> int:
        """Store rejected records (columns of ``QUARANTINE_COLUMNS``)."""
        if df is None or df.empty:
            return 0
        q = df.reindex(columns=QUARANTINE_COLUMNS).copy()
        q["received_at"] = pd.to_datetime(q["received_at"], utc=True).fillna(
            pd.Timestamp.now("UTC")
        )
        for c in ("source", "origin", "field", "reason", "raw"):
            q[c] = q[c].astype("string")
        q["line"] = pd.to_numeric(q["line"], errors="coerce").astype("Int64")
        rel = self._new_path("quarantine", "q")
        self._write(pa.Table.from_pandas(q, preserve_index=False), rel)
        self.manifest["quarantine"].append({"path": rel, "rows": len(q), "batch": self.batch})
        return len(q)

    def add_raw(self, table: pa.Table) -> int:
        """Keep raw stream payloads (``RAW_SCHEMA``) so they can be decoded again later."""
        if table.num_rows == 0:
            return 0
        table = table.select(RAW_SCHEMA.names).cast(RAW_SCHEMA)
        lo, hi = (v.as_py() for v in pc.min_max(table["received_at"]).values())
        rel = self._new_path(f"raw/month={lo.year:04d}-{lo.month:02d}", "r")
        self._write(table, rel)
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

    def drop_observations(self, source_prefix: str) -> int:
        """Remove every observation whose ``source`` starts with ``source_prefix``.

        Files holding such rows are rewritten without them (old files are deleted after
        the grace period). Returns the number of rows removed.
        """
        dropped = 0
        keep_entries = []
        now = _time.time()
        for ent in self.manifest["observations"]:
            path = str(self.store.path / ent["path"])
            con = duckdb.connect()
            try:
                tbl = query_arrow(con, f"SELECT * FROM {parquet_sql([path])}")
            finally:
                con.close()
            src = tbl["source"].cast(pa.string())
            match = pc.fill_null(pc.starts_with(src, source_prefix), False)
            n = int(pc.sum(match).as_py() or 0)
            if n == 0:
                keep_entries.append(ent)
                continue
            dropped += n
            self.manifest["pending_delete"].append({"path": ent["path"], "since": now})
            rest = tbl.filter(pc.invert(match)).cast(OBSERVATION_SCHEMA)
            if rest.num_rows == 0:
                continue
            rel = self._new_path(ent["path"].rsplit("/", 1)[0], "d")
            self._write(rest, rel)
            keep_entries.append(
                {
                    **ent,
                    "path": rel,
                    "rows": rest.num_rows,
                    "tmin": iso_utc(pc.min(rest["time"]).as_py()),
                    "tmax": iso_utc(pc.max(rest["time"]).as_py()),
                    "sensors": _n_distinct(rest["sensor_id"]),
                    "batch": self.batch,
                }
            )
        self.manifest["observations"] = keep_entries
        return dropped

    def record_import(self, entry: dict[str, Any]) -> None:
        """Append an entry to the import log kept in the manifest."""
        self.manifest["imports"].append({"at": _now_iso(), "batch": self.batch, **entry})

    # ------------------------------------------------------------------ compaction
    def compact(self, min_files: int = 2) -> int:
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for ent in self.manifest["observations"]:
            part = ent["path"].rsplit("/", 1)[0]
            groups.setdefault((ent["quantity"], part), []).append(ent)
        done = 0
        for (quantity, part), ents in sorted(groups.items()):
            if len(ents) < min_files:
                continue
            files = [str(self.store.path / e["path"]) for e in ents]
            con = duckdb.connect()
            try:
                tbl = query_arrow(
                    con, f"SELECT * FROM {parquet_sql(files)} ORDER BY sensor_id, time"
                ).cast(OBSERVATION_SCHEMA)
            finally:
                con.close()
            rel = self._new_path(part, "c")
            self._write(tbl, rel)
            keep = [e for e in self.manifest["observations"] if e not in ents]
            keep.append(
                {
                    "path": rel,
                    "quantity": quantity,
                    "tmin": min(e["tmin"] for e in ents),
                    "tmax": max(e["tmax"] for e in ents),
                    "rows": tbl.num_rows,
                    "sensors": _n_distinct(tbl["sensor_id"]),
                    "batch": self.batch,
                }
            )
            self.manifest["observations"] = keep
            now = _time.time()
            self.manifest["pending_delete"].extend({"path": e["path"], "since": now} for e in ents)
            done += 1
        return done

    # ------------------------------------------------------------------ commit
    def commit(self) -> None:
        if self._done:
            return
        if self._sensors is not None:
            rel = self._new_path("sensors", "s")
            self._write(_small_table(self._sensors, SENSOR_COLUMNS), rel)
            if self.manifest.get("sensors"):
                self.manifest["pending_delete"].append(
                    {"path": self.manifest["sensors"], "since": _time.time()}
                )
            self.manifest["sensors"] = rel
        if self._positions is not None:
            rel = self._new_path("positions", "p")
            self._write(_small_table(self._positions, POSITION_COLUMNS), rel)
            if self.manifest.get("positions"):
                self.manifest["pending_delete"].append(
                    {"path": self.manifest["positions"], "since": _time.time()}
                )
            self.manifest["positions"] = rel
        # delete what was replaced long enough ago that no reader can still use it
        now = _time.time()
        still = []
        for ent in self.manifest["pending_delete"]:
            if now - ent["since"] >= DELETE_GRACE_S:
                (self.store.path / ent["path"]).unlink(missing_ok=True)
            else:
                still.append(ent)
        self.manifest["pending_delete"] = still
        self.manifest["version"] = int(self.base.get("version", 0)) + 1
        self.manifest["committed_at"] = _now_iso()
        for d in {(self.store.path / p).parent for p in self.written}:
            fsync_dir(d)
        self.store._write_manifest(self.manifest)
        self._done = True

    def rollback(self) -> None:
        for rel in self.written:
            (self.store.path / rel).unlink(missing_ok=True)
        self.written.clear()
        self._done = True


def conform_observations(table: pa.Table) -> pa.Table:
    """Cast an observation table to the store schema, filling optional columns."""
    n = table.num_rows
    cols = {}
    for f in OBSERVATION_SCHEMA:
        if f.name in table.column_names:
            col = table[f.name]
            if f.name == "time" and pa.types.is_timestamp(col.type) and col.type.tz is None:
                raise ValueError("observation times must be timezone-aware (UTC)")
            if pa.types.is_dictionary(f.type) and not pa.types.is_dictionary(col.type):
                col = pc.dictionary_encode(col.cast(pa.string()))
            cols[f.name] = col.cast(f.type)
        elif f.name == "source":
            cols[f.name] = pa.nulls(n, pa.string()).dictionary_encode()
        elif f.name == "qc":
            cols[f.name] = pa.array(np.zeros(n, dtype=np.int32))
        else:
            raise ValueError(f"observation table lacks column {f.name!r}")
    out = pa.table(cols, schema=OBSERVATION_SCHEMA)
    for name in ("sensor_id", "quantity", "time", "value"):
        if out[name].null_count:
            raise ValueError(f"observation column {name!r} has {out[name].null_count} nulls")
    return out


def _n_distinct(col: pa.ChunkedArray) -> int:
    """Number of distinct values (dictionary columns counted by their used indices)."""
    if pa.types.is_dictionary(col.type):
        col = pa.chunked_array(col.chunks, type=col.type).unify_dictionaries().combine_chunks()
        return int(np.count_nonzero(np.bincount(col.indices.to_numpy(zero_copy_only=False))))
    return int(pc.count_distinct(col).as_py())


def _split_by_quantity(table: pa.Table) -> list[tuple[str, pa.Table]]:
    """One sub-table per quantity.

    The column is dictionary-encoded and batches usually hold one quantity each (one
    per importer column), so most batches are routed without copying.
    """
    groups: dict[str, list[pa.RecordBatch]] = {}
    for batch in table.to_batches():
        col = batch.column(batch.schema.get_field_index("quantity"))
        if not pa.types.is_dictionary(col.type):
            col = pc.dictionary_encode(col)
        idx = col.indices.to_numpy(zero_copy_only=False)
        names = col.dictionary.to_pylist()
        if idx.size and idx.min() == idx.max():
            groups.setdefault(names[int(idx[0])], []).append(batch)
            continue
        for k in np.unique(idx):
            groups.setdefault(names[int(k)], []).append(batch.filter(pa.array(idx == k)))
    return [(q, pa.Table.from_batches(bs, schema=table.schema)) for q, bs in sorted(groups.items())]


def _sorted_unique(part: pa.Table) -> tuple[pa.Table, int]:
    """Order rows by sensor then time (unless they already are) and drop repeated keys.

    Rows count as ordered when each sensor's rows are contiguous and ascending in time;
    then no sort is needed. The first of equal keys is kept.
    """
    n = part.num_rows
    if n < 2:
        return part, 0

    def keys(tbl: pa.Table) -> tuple[np.ndarray, np.ndarray]:
        sid = tbl.unify_dictionaries()["sensor_id"].combine_chunks()
        codes = sid.indices.to_numpy(zero_copy_only=False)
        return codes, tbl["time"].combine_chunks().cast(pa.int64()).to_numpy()

    codes, t = keys(part)
    same = codes[1:] == codes[:-1]
    runs = 1 + int((~same).sum())
    ordered = runs == np.count_nonzero(np.bincount(codes)) and bool(
        np.all(~same | (t[1:] >= t[:-1]))
    )
    if not ordered:
        order = np.lexsort((t, codes))
        part = part.take(pa.array(order))
        codes, t = codes[order], t[order]
        same = codes[1:] == codes[:-1]
    dup = np.zeros(n, dtype=bool)
    dup[1:] = same & (t[1:] == t[:-1])
    k = int(dup.sum())
    return (part.filter(~dup) if k else part), k


def _small_table(df: pd.DataFrame, columns: list[str]) -> pa.Table:
    df = df.reindex(columns=columns).copy()
    for c in df.columns:
        if c in ("lat", "lon"):
            df[c] = df[c].astype(float)
        elif c == "valid_from":
            df[c] = pd.to_datetime(df[c], utc=True)
        else:
            df[c] = df[c].astype("string")
    return pa.Table.from_pandas(df, preserve_index=False)


def _read_small(root: Path, rel: str | None, columns: list[str]) -> pd.DataFrame:
    if not rel:
        df = pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
        if "lat" in columns:
            df["lat"] = pd.Series(dtype=float)
            df["lon"] = pd.Series(dtype=float)
            df["valid_from"] = pd.Series(dtype="datetime64[us, UTC]")
        return df
    return pq.read_table(root / rel).to_pandas().reindex(columns=columns)


class Snapshot:
    """A read-only, consistent view of the store (see :meth:`Store.snapshot`)."""

    def __init__(self, store: Store, manifest: dict[str, Any]) -> None:
        self.store = store
        self.manifest = manifest

    @property
    def version(self) -> int:
        return int(self.manifest.get("version", 0))

    def files(
        self,
        quantity: str | Sequence[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[str]:
        """Absolute paths of observation files that may hold matching rows."""
        qs = {quantity} if isinstance(quantity, str) else (set(quantity) if quantity else None)
        out = []
        for ent in self.manifest["observations"]:
            if qs is not None and ent["quantity"] not in qs:
                continue
            if start is not None and ent["tmax"] < iso_utc(start):
                continue
            if end is not None and ent["tmin"] >= iso_utc(end):
                continue
            out.append(str(self.store.path / ent["path"]))
        return out

    def sensors(self) -> pd.DataFrame:
        return _read_small(self.store.path, self.manifest.get("sensors"), SENSOR_COLUMNS)

    def positions(self) -> pd.DataFrame:
        return _read_small(self.store.path, self.manifest.get("positions"), POSITION_COLUMNS)

    def quarantine(self) -> pd.DataFrame:
        paths = [str(self.store.path / e["path"]) for e in self.manifest["quarantine"]]
        if not paths:
            return pd.DataFrame(columns=QUARANTINE_COLUMNS)
        con = duckdb.connect()
        try:
            return con.execute(
                f"SELECT * FROM {parquet_sql(paths, union_by_name='true')} ORDER BY received_at"
            ).df()
        finally:
            con.close()

    def raw_files(self, start: datetime | None = None) -> list[str]:
        """Absolute paths of raw-payload files received at or after ``start``."""
        out = []
        for ent in self.manifest.get("raw", []):
            if start is not None and ent["tmax"] < iso_utc(start):
                continue
            out.append(str(self.store.path / ent["path"]))
        return out

    @property
    def ingest_state(self) -> dict[str, Any] | None:
        return self.manifest.get("ingest")

    def quarantine_count(self) -> int:
        return int(sum(e["rows"] for e in self.manifest["quarantine"]))

    def observation_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for ent in self.manifest["observations"]:
            counts[ent["quantity"]] = counts.get(ent["quantity"], 0) + int(ent["rows"])
        return dict(sorted(counts.items()))
