"""The store directory: its manifest, its write lock, and transactions and snapshots of it."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench.store import maintenance
from workbench.store.durable import wait_for_lock, write_bytes_atomic
from workbench.store.manifest import manifest_bytes, paths_of, read_manifest
from workbench.store.schema import SUBDIRS
from workbench.store.snapshot import Snapshot
from workbench.store.transaction import Transaction


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
        """``store/manifest.json``."""
        return self.path / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        """Read the current snapshot (no lock needed)."""
        return read_manifest(self.manifest_path)

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
            wait_for_lock(fd, timeout, self.path)
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
        write_bytes_atomic(
            self.path,
            self.manifest_path,
            manifest_bytes(manifest),
            f".manifest-{uuid.uuid4().hex}.tmp",
        )

    # ------------------------------------------------------------------ maintenance
    def vacuum(self, min_age_s: float = 3600.0) -> int:
        """Delete files no snapshot references (left by failed writers) older than ``min_age_s``.

        Returns the number of files removed.
        """
        with self.transaction() as tx:
            keep = tx.referenced_paths() | tx.written
            return maintenance.remove_unreferenced(self.path, keep, min_age_s)

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
        for rel in paths_of(m):
            with contextlib.suppress(FileNotFoundError):
                total += (self.path / rel).stat().st_size
        return total


__all__ = ["Store"]
