"""A read-only, consistent view of the store: one manifest, read once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from workbench.store.metadata import read_small
from workbench.store.schema import POSITION_COLUMNS, QUARANTINE_COLUMNS, SENSOR_COLUMNS, iso_utc
from workbench.store.sql import parquet_sql

if TYPE_CHECKING:
    from workbench.store.directory import Store


class Snapshot:
    """A read-only, consistent view of the store (see :meth:`Store.snapshot`).

    Parameters
    ----------
    store : Store
        The store.
    manifest : dict
        The manifest read when the snapshot was taken.
    """

    def __init__(self, store: Store, manifest: dict[str, Any]) -> None:
        self.store = store
        self.manifest = manifest

    @property
    def version(self) -> int:
        """The manifest version (0 before the first commit)."""
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
        """Sensor metadata."""
        return read_small(self.store.path, self.manifest.get("sensors"), SENSOR_COLUMNS)

    def positions(self) -> pd.DataFrame:
        """Position history."""
        return read_small(self.store.path, self.manifest.get("positions"), POSITION_COLUMNS)

    def quarantine(self) -> pd.DataFrame:
        """Every quarantined record, oldest first."""
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
        """The stream ingest's checkpoint and counters."""
        return self.manifest.get("ingest")

    def quarantine_count(self) -> int:
        """Number of quarantined records."""
        return int(sum(e["rows"] for e in self.manifest["quarantine"]))

    def observation_counts(self) -> dict[str, int]:
        """Stored observations per quantity, in quantity order."""
        counts: dict[str, int] = {}
        for ent in self.manifest["observations"]:
            counts[ent["quantity"]] = counts.get(ent["quantity"], 0) + int(ent["rows"])
        return dict(sorted(counts.items()))


__all__ = ["Snapshot"]
