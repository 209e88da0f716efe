"""Durability and exclusion on POSIX: ``fsync`` of files and folders, ``flock`` locks.

A commit is only as safe as its order of writes: data files are written and synced
first, their folders synced, and only then the manifest replaced (``os.replace``) and its
folder synced. One writer at a time holds an exclusive ``flock``; readers never lock.
"""

from __future__ import annotations

import fcntl
import os
import time as _time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from workbench.store.schema import COMPRESSION, StoreError


def fsync_dir(path: Path) -> None:
    """Make a directory's entries (new, renamed files) durable.

    Parameters
    ----------
    path : Path
        The directory.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def try_lock(path: Path) -> int | None:
    """Take an exclusive ``flock`` on ``path`` without waiting.

    Parameters
    ----------
    path : Path
        The lock file (created if missing).

    Returns
    -------
    int or None
        The open descriptor (closing it releases the lock), or None when another
        process holds the lock.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def wait_for_lock(fd: int, timeout: float, holder: Path) -> None:
    """Take an exclusive ``flock`` on an open descriptor, polling until ``timeout``.

    Parameters
    ----------
    fd : int
        Descriptor of the lock file.
    timeout : float
        Seconds to keep trying.
    holder : Path
        The store directory, named in the error.

    Raises
    ------
    StoreError
        If another writer still holds the lock when the time is up.
    """
    deadline = _time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if _time.monotonic() > deadline:
                raise StoreError(
                    f"{holder}: another import or ingest holds the write lock"
                ) from None
            _time.sleep(0.05)


def write_parquet_synced(table: pa.Table, full: Path) -> None:
    """Write ``table`` as a zstd Parquet file and ``fsync`` it.

    Parameters
    ----------
    table : pyarrow.Table
        The rows.
    full : Path
        Absolute file path; the folder must exist.
    """
    pq.write_table(table, full, compression=COMPRESSION, row_group_size=1 << 20)
    with open(full, "rb") as fh:
        os.fsync(fh.fileno())


def write_bytes_atomic(folder: Path, target: Path, data: bytes, tmp_name: str) -> None:
    """Replace ``target`` by ``data`` atomically: write and sync a temporary file, rename.

    Parameters
    ----------
    folder : Path
        The folder of ``target``, synced after the rename.
    target : Path
        The file to replace.
    data : bytes
        Its new content.
    tmp_name : str
        Name of the temporary file in ``folder``.
    """
    tmp = folder / tmp_name
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    fsync_dir(folder)


__all__ = ["fsync_dir", "try_lock", "wait_for_lock", "write_bytes_atomic", "write_parquet_synced"]
