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

Modules
-------
schema
    Table schemas, layout constants, :class:`StoreError`, :func:`conform_observations`.
partitions
    Routing a batch to quantity/month partitions and dropping repeated keys.
manifest
    Reading, checking and serialising ``manifest.json``.
metadata
    Sensors, positions and quarantine tables (pure DataFrame merges).
durable
    ``fsync`` and ``flock`` helpers.
sql
    DuckDB over exact Parquet files.
transaction, snapshot, directory
    :class:`Transaction`, :class:`Snapshot` and :class:`Store`.
maintenance
    Compaction, dropping rows, deleting unreferenced and expired files.
"""

from workbench.store.directory import Store
from workbench.store.durable import fsync_dir, try_lock
from workbench.store.manifest import MANIFEST_FORMAT
from workbench.store.schema import (
    COMPACT_THRESHOLD,
    COMPRESSION,
    DELETE_GRACE_S,
    OBSERVATION_SCHEMA,
    POSITION_COLUMNS,
    QUARANTINE_COLUMNS,
    RAW_SCHEMA,
    SENSOR_COLUMNS,
    SUBDIRS,
    StoreError,
    conform_observations,
    iso_utc,
)
from workbench.store.snapshot import Snapshot
from workbench.store.sql import parquet_sql, query_arrow
from workbench.store.transaction import Transaction

__all__ = [
    "COMPACT_THRESHOLD",
    "COMPRESSION",
    "DELETE_GRACE_S",
    "MANIFEST_FORMAT",
    "OBSERVATION_SCHEMA",
    "POSITION_COLUMNS",
    "QUARANTINE_COLUMNS",
    "RAW_SCHEMA",
    "SENSOR_COLUMNS",
    "SUBDIRS",
    "Snapshot",
    "Store",
    "StoreError",
    "Transaction",
    "conform_observations",
    "fsync_dir",
    "iso_utc",
    "parquet_sql",
    "query_arrow",
    "try_lock",
]
