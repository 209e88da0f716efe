"""The manifest: the one JSON document that says which files make up the store.

A reader reads it once and queries exactly the files it lists; a writer commits by
replacing it atomically. These functions read, check and serialise it, and list the
files it references.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.store.schema import StoreError

MANIFEST_FORMAT = 1


def now_iso() -> str:
    """The current time as ISO 8601 UTC text with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def empty_manifest() -> dict[str, Any]:
    """The manifest of a store nothing was committed to.

    Returns
    -------
    dict
        Version 0 with empty file lists.
    """
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


def read_manifest(path: Path) -> dict[str, Any]:
    """Read and check a manifest file; a missing file is the empty manifest.

    Parameters
    ----------
    path : Path
        ``store/manifest.json``.

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    StoreError
        If the file is not JSON or has another format version.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return empty_manifest()
    try:
        m = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path}: corrupt manifest ({exc})") from exc
    if m.get("format") != MANIFEST_FORMAT:
        raise StoreError(
            f"{path}: manifest format {m.get('format')!r}, this version reads {MANIFEST_FORMAT}"
        )
    return m


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The manifest as written to disk (indented, sorted keys, UTF-8)."""
    return json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")


def paths_of(m: dict[str, Any]) -> set[str]:
    """Store-relative paths of every data file the manifest makes visible.

    Parameters
    ----------
    m : dict
        A manifest.

    Returns
    -------
    set of str
        Observation, quarantine and raw files, and the sensor and position tables
        (files only waiting for deletion are not included).
    """
    paths = {e["path"] for e in m["observations"]}
    paths |= {e["path"] for e in m["quarantine"]}
    paths |= {e["path"] for e in m.get("raw", [])}
    for k in ("sensors", "positions"):
        if m.get(k):
            paths.add(m[k])
    return paths


__all__ = [
    "MANIFEST_FORMAT",
    "empty_manifest",
    "manifest_bytes",
    "now_iso",
    "paths_of",
    "read_manifest",
]
