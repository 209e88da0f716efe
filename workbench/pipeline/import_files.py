"""``workbench import``: sensor data files into the store, all of them or none."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from workbench.importers.base import ImportFormatError, quarantine_records
from workbench.importers.screen import TimeWindow, screen
from workbench.pipeline.result import StepResult
from workbench.store import conform_observations
from workbench.workspace import Workspace

# Parsed observations are buffered up to this many rows before they are written, so
# a thousand small daily files become a few large Parquet files, not thousands.
IMPORT_BUFFER_ROWS = 4_000_000


@dataclass
class FileReport:
    """What was read from one file."""

    path: str
    format: str
    parsed: int
    quarantined: int
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What one ``import`` did: per file what was read, in total what was stored."""

    files: list[FileReport] = field(default_factory=list)
    added: int = 0
    duplicates: int = 0

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_report(
    ws: Workspace,
    paths: Sequence[str | Path],
    *,
    format: str = "auto",
    tz: str | None = None,
    quantity: str | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> ImportReport:
    """Import files in one transaction: all of them or, on any error, none.

    Raises
    ------
    ImportFormatError
        Naming the file, line and field of the first bad input; the store is unchanged.
    """
    report = ImportReport()
    lookup = ws.area_lookup()
    window = TimeWindow.from_config(ws.config)
    now = pd.Timestamp.now("UTC")
    items = list(paths)
    buffer: list[pa.Table] = []
    buffered = 0

    def flush(tx: Any) -> None:
        nonlocal buffer, buffered
        if buffer:
            added, dups = tx.add_observations(
                pa.concat_tables([conform_observations(t) for t in buffer])
            )
            report.added += added
            report.duplicates += dups
        buffer, buffered = [], 0

    with ws.store.transaction() as tx, ThreadPoolExecutor(1) as hasher:
        for path in progress(items) if progress else items:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                raise ImportFormatError(str(path), f"cannot read ({exc.strerror})") from None
            # hashing releases the GIL: run it beside the parser
            digest_future = hasher.submit(_sha256, data)
            batch = ws.parse_file(path, format=format, tz=tz, quantity=quantity, data=data)
            digest = digest_future.result()
            del data
            kept, impossible = screen(batch.observations, str(path), window, now)
            buffer.append(kept)
            buffered += kept.num_rows
            if buffered >= IMPORT_BUFFER_ROWS:
                flush(tx)
            tx.upsert_sensors(batch.sensors)
            if not batch.positions.empty:
                tx.add_positions(batch.positions, lookup)
            nq = tx.add_quarantine(
                pd.concat(
                    [batch.quarantine, quarantine_records(str(path), impossible, batch.format)]
                )
            )
            tx.record_import(
                {
                    "file": str(path),
                    "sha256": digest,
                    "format": batch.format,
                    "parsed": kept.num_rows,
                    "quarantined": nq,
                }
            )
            report.files.append(FileReport(str(path), batch.format, kept.num_rows, nq, batch.notes))
        flush(tx)
    return report


def run(
    ws: Workspace,
    paths: Sequence[str | Path],
    *,
    format: str = "auto",
    tz: str | None = None,
    quantity: str | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> StepResult:
    """Import files (see :func:`import_report`); ``detail`` is the :class:`ImportReport`."""
    report = import_report(ws, paths, format=format, tz=tz, quantity=quantity, progress=progress)
    lines = [
        f"{f.path}: {f.format}, {f.parsed} readings, {f.quarantined} quarantined"
        for f in report.files
    ]
    lines.append(
        f"total: {report.added} added, {report.duplicates} duplicates, "
        f"{report.quarantined} quarantined"
    )
    summary = {
        "added": report.added,
        "duplicates": report.duplicates,
        "quarantined": report.quarantined,
        "files": [f.__dict__ for f in report.files],
    }
    return StepResult("import", summary=summary, lines=lines, detail=report)
