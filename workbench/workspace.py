"""A workspace: a directory with ``workbench.toml``, the store, geodata and results.

This is the analyst's entry point::

    >>> import tempfile
    >>> from workbench.workspace import Workspace
    >>> ws = Workspace.init(tempfile.mkdtemp())
    >>> ws.status()["observations"]
    {}
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq

from workbench import importers, query
from workbench.config import CONFIG_NAME, default_config_text, load_config
from workbench.geo import (
    WORK_CRS,
    area_lookup,
    areas_to_geojson,
    assign_areas,
    read_areas,
    read_grid,
)
from workbench.importers.base import ImportFormatError, ParsedBatch
from workbench.ingest.status import ingest_status
from workbench.qc import layer as qc_layer
from workbench.qc.pipeline import QCResult, run_qc
from workbench.qc.settings import QCSettings
from workbench.quantities import canonical_unit
from workbench.store import Snapshot, Store, conform_observations, try_lock


class WorkspaceError(RuntimeError):
    """The directory is not a usable workspace."""


@dataclass
class FileReport:
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


# Parsed observations are buffered up to this many rows before they are written, so
# a thousand small daily files become a few large Parquet files, not thousands.
IMPORT_BUFFER_ROWS = 4_000_000


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Workspace:
    """An opened workspace. Use :meth:`init` to create one and :meth:`open` to open one."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        cfg_path = self.root / CONFIG_NAME
        if not cfg_path.is_file():
            raise WorkspaceError(
                f"{self.root} is not a workspace (no {CONFIG_NAME}); "
                f"create one with: workbench init --workspace {self.root}"
            )
        self.config = load_config(cfg_path)
        self.store = Store(self.root / "store")
        self._areas: pd.DataFrame | None = None
        self._grid: pd.DataFrame | None = None

    # ------------------------------------------------------------------ creation
    @classmethod
    def init(
        cls,
        root: str | Path,
        *,
        areas: str | Path | None = None,
        grid: str | Path | None = None,
        grid_crs: str = WORK_CRS,
        config_text: str | None = None,
    ) -> Workspace:
        """Create (or update) a workspace; existing data are kept.

        Areas and grid are validated before anything is written.
        """
        root = Path(root)
        areas_df = read_areas(areas) if areas is not None else None
        grid_df = read_grid(grid, grid_crs) if grid is not None else None
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("store", "geo", "results"):
            (root / sub).mkdir(exist_ok=True)
        cfg = root / CONFIG_NAME
        if not cfg.exists() or config_text is not None:
            _atomic_write_bytes(cfg, (config_text or default_config_text()).encode("utf-8"))
        ws = cls(root)
        if areas_df is not None:
            ws._set_areas(areas_df)
        if grid_df is not None:
            ws._set_grid(grid_df)
        return ws

    @classmethod
    def open(cls, root: str | Path) -> Workspace:
        """Open an existing workspace."""
        return cls(root)

    # ------------------------------------------------------------------ geodata
    @property
    def areas_path(self) -> Path:
        return self.root / "geo" / "areas.geojson"

    @property
    def grid_path(self) -> Path:
        return self.root / "geo" / "grid.parquet"

    def _set_areas(self, areas: pd.DataFrame) -> None:
        data = json.dumps(areas_to_geojson(areas), ensure_ascii=False).encode("utf-8")
        _atomic_write_bytes(self.areas_path, data)
        self._areas = None
        lookup = area_lookup(areas)
        with self.store.transaction() as tx:
            tx.set_position_areas(lookup)
        if self.grid_path.exists():
            self._set_grid(self.grid())

    def _set_grid(self, grid: pd.DataFrame) -> None:
        g = assign_areas(grid.drop(columns=["area_id"], errors="ignore"), self.areas())
        tmp = self.grid_path.with_name(".grid.parquet.tmp")
        g.to_parquet(tmp, index=False)
        os.replace(tmp, self.grid_path)
        self._grid = None

    def areas(self) -> pd.DataFrame | None:
        """District polygons (``area_id``, ``name``, ``geometry`` in lon/lat), or None."""
        if self._areas is None and self.areas_path.exists():
            self._areas = read_areas(self.areas_path)
        return self._areas

    def grid(self) -> pd.DataFrame | None:
        """Grid cells (``cell_id``, ``x``, ``y`` in EPSG:25832, covariates, ``area_id``)."""
        if self._grid is None and self.grid_path.exists():
            self._grid = pd.read_parquet(self.grid_path)
        return self._grid

    def _area_lookup(self) -> Callable[..., Any] | None:
        a = self.areas()
        return area_lookup(a) if a is not None else None

    # ------------------------------------------------------------------ import
    def parse_file(
        self,
        path: str | Path,
        *,
        format: str = "auto",
        tz: str | None = None,
        quantity: str | None = None,
        data: bytes | None = None,
    ) -> ParsedBatch:
        """Parse one file with this workspace's settings (nothing is written)."""
        tz = tz or self.config["import"].get("timezone") or None
        mqtt = self.config.get("mqtt", {})
        kw = {
            "format": format,
            "tz": tz,
            "quantity": quantity,
            "field_map": mqtt.get("field_map") or None,
            "byte_decoders": mqtt.get("byte_decoder") or None,
        }
        if data is None:
            return importers.read(path, **kw)
        return importers.parse(data, source=str(path), **kw)

    def import_files(
        self,
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
        lookup = self._area_lookup()
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

        with self.store.transaction() as tx, ThreadPoolExecutor(1) as hasher:
            for path in progress(items) if progress else items:
                try:
                    data = Path(path).read_bytes()
                except OSError as exc:
                    raise ImportFormatError(str(path), f"cannot read ({exc.strerror})") from None
                # hashing releases the GIL: run it beside the parser
                digest_future = hasher.submit(lambda d: hashlib.sha256(d).hexdigest(), data)
                batch = self.parse_file(path, format=format, tz=tz, quantity=quantity, data=data)
                digest = digest_future.result()
                del data
                buffer.append(batch.observations)
                buffered += batch.n_observations
                if buffered >= IMPORT_BUFFER_ROWS:
                    flush(tx)
                tx.upsert_sensors(batch.sensors)
                if not batch.positions.empty:
                    tx.add_positions(batch.positions, lookup)
                nq = tx.add_quarantine(batch.quarantine)
                tx.record_import(
                    {
                        "file": str(path),
                        "sha256": digest,
                        "format": batch.format,
                        "parsed": batch.n_observations,
                        "quarantined": nq,
                    }
                )
                report.files.append(
                    FileReport(str(path), batch.format, batch.n_observations, nq, batch.notes)
                )
            flush(tx)
        return report

    def add_batch(self, batch: ParsedBatch) -> tuple[int, int]:
        """Store an already parsed batch in its own transaction; returns (added, duplicates)."""
        with self.store.transaction() as tx:
            added, dups = tx.add_observations(batch.observations)
            tx.upsert_sensors(batch.sensors)
            if not batch.positions.empty:
                tx.add_positions(batch.positions, self._area_lookup())
            tx.add_quarantine(batch.quarantine)
        return added, dups

    # ------------------------------------------------------------------ queries
    def snapshot(self) -> Snapshot:
        return self.store.snapshot()

    def observations(
        self,
        quantity: str | Sequence[str] | None = None,
        *,
        sensors: Sequence[str] | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        area: str | Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Observations as a DataFrame (see :func:`workbench.query.observations`)."""
        return query.observations(
            self.snapshot(), quantity=quantity, sensors=sensors, start=start, end=end, area=area
        )

    def aggregate(
        self,
        quantity: str | Sequence[str] | None = None,
        *,
        freq: str = "hour",
        sensors: Sequence[str] | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        area: str | Sequence[str] | None = None,
        tz: str = "UTC",
    ) -> pd.DataFrame:
        """Hourly/daily means with coverage (see :func:`workbench.query.aggregate`)."""
        return query.aggregate(
            self.snapshot(),
            freq=freq,
            quantity=quantity,
            sensors=sensors,
            start=start,
            end=end,
            area=area,
            tz=tz,
        )

    def sensors(self) -> pd.DataFrame:
        """Per-sensor summary: metadata, latest position and area, last seen, completeness."""
        return query.sensor_summary(self.snapshot())

    def quarantine(self) -> pd.DataFrame:
        """Rejected records with their reason."""
        return self.snapshot().quarantine()

    # ------------------------------------------------------------------ quality control
    def qc_settings(self) -> QCSettings:
        """QC thresholds from ``workbench.toml`` (validated)."""
        try:
            return QCSettings.from_config(self.config)
        except ValueError as exc:
            raise WorkspaceError(f"{self.root / CONFIG_NAME}: {exc}") from None

    def run_qc(self, *, as_of: datetime | str | None = None) -> QCResult:
        """Check, correct and calibrate all observations; store the result as the current QC.

        The raw store is not modified. Returns the :class:`~workbench.qc.QCResult`.
        """
        settings = self.qc_settings()
        lock = self.root / "qc" / ".lock"
        lock.parent.mkdir(exist_ok=True)
        fd = try_lock(lock)
        if fd is None:
            raise WorkspaceError(f"{self.root}: another `workbench qc` is running")
        try:
            snap = self.snapshot()
            obs = query.observations(snap)
            when = query.utc_timestamp(as_of, "as_of")
            if when is None and settings.as_of == "now":
                when = pd.Timestamp.now(tz="UTC")
            result = run_qc(
                obs,
                sensors=snap.sensors(),
                positions=snap.positions(),
                settings=settings,
                as_of=when,
            )
            meta = {
                "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "store_version": snap.version,
                "observation_rows": int(sum(snap.observation_counts().values())),
                "settings": {
                    "kappa": settings.kappa,
                    "max_rh": settings.max_rh,
                    "calibration_method": settings.calibration_method,
                    "informational": int(settings.informational),
                    "thresholds": settings.quantities,
                },
            }
            qc_layer.write(self.root, result, meta)
            return result
        finally:
            os.close(fd)

    def qc_state(self) -> dict[str, Any] | None:
        """The current QC run: summary plus ``stale`` (observations changed since), or None."""
        run = qc_layer.current(self.root)
        if run is None:
            return None
        summ = qc_layer.summary(run)
        rows = int(sum(self.snapshot().observation_counts().values()))
        return {**summ, "run": str(run), "stale": rows != summ.get("observation_rows")}

    def _qc_run(self, refresh: bool) -> Path:
        state = self.qc_state()
        if state is None or (refresh and state["stale"]):
            self.run_qc()
            state = self.qc_state()
        if state is None:
            raise WorkspaceError(f"{self.root}: no QC results; run `workbench qc` first")
        return Path(state["run"])

    def clean(
        self,
        quantity: str | Sequence[str] | None = None,
        *,
        sensors: Sequence[str] | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        area: str | Sequence[str] | None = None,
        include_flagged: bool = False,
        refresh: bool = True,
    ) -> pd.DataFrame:
        """Checked observations: cleaned (humidity-corrected, calibrated) values with flags.

        By default only readings that passed QC are returned; ``include_flagged=True``
        returns all, with the ``qc`` bit mask (see :class:`workbench.qc.QC`) and the
        ``raw_value``. QC runs first when it never ran or the store changed since
        (``refresh=False`` uses the current QC as it is).

        Returns
        -------
        DataFrame
            ``sensor_id, quantity, time, value, source, qc, raw_value``.
        """
        run = self._qc_run(refresh)
        informational = None if include_flagged else int(self.qc_settings().informational)
        files = qc_layer.files(run, quantity)
        return query.observations(
            self.snapshot(),
            quantity=quantity,
            sensors=sensors,
            start=start,
            end=end,
            area=area,
            qc_files=files,
            informational=informational,
        )

    def clean_aggregate(
        self,
        quantity: str | Sequence[str] | None = None,
        *,
        freq: str = "hour",
        sensors: Sequence[str] | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        area: str | Sequence[str] | None = None,
        tz: str = "UTC",
        refresh: bool = True,
    ) -> pd.DataFrame:
        """Hourly/daily means of the cleaned values that passed QC (see :meth:`aggregate`).

        Pair with :func:`workbench.qc.completeness.valid_daily` for the 18-hour rule.
        """
        run = self._qc_run(refresh)
        return query.aggregate(
            self.snapshot(),
            freq=freq,
            quantity=quantity,
            sensors=sensors,
            start=start,
            end=end,
            area=area,
            tz=tz,
            qc_files=qc_layer.files(run, quantity),
            informational=int(self.qc_settings().informational),
        )

    def health(self, *, refresh: bool = False) -> pd.DataFrame:
        """Per-sensor health and status from the current QC (empty before the first QC)."""
        run = qc_layer.current(self.root) if not refresh else self._qc_run(True)
        if run is None:
            return pd.DataFrame(columns=["sensor_id", "status", "reasons"])
        return qc_layer.table(run, "health")

    def calibrations(self) -> pd.DataFrame:
        """The calibrations fitted by the current QC, with quality before and after."""
        run = qc_layer.current(self.root)
        if run is None:
            return pd.DataFrame()
        return qc_layer.table(run, "calibrations")

    # ------------------------------------------------------------------ participation
    def import_participation(
        self, paths: Sequence[str | Path], *, format: str = "auto"
    ) -> dict[str, Any]:
        """Import one participation round (proposals and ballots); see
        :mod:`workbench.participation.store`. Returns a summary."""
        from workbench.participation.store import import_round

        return import_round(self.root, paths, areas=self.areas(), grid=self.grid(), format=format)

    def participation(self) -> Any:
        """The current participation round (proposals, pseudonymous ballots, meta), or None."""
        from workbench.participation.store import load

        return load(self.root)

    # ------------------------------------------------------------------ models
    def fit(self, *, echo: Callable[[str], Any] = lambda _s: None) -> Path:
        """QC, heat and air models, hotspots and the need index as a new results run.

        Returns the run directory; ``results/latest`` points at it (see
        :mod:`workbench.fit`). A failed fit leaves the previous run as latest.
        """
        from workbench.fit import fit_workspace

        return fit_workspace(self, echo=echo)

    def results(self, table: str = "cells") -> pd.DataFrame:
        """A table of the latest run: ``cells``, ``areas``, ``sensors`` (and later
        ``proposals``, ``allocation``)."""
        run = self.latest_run()
        if run is None:
            raise WorkspaceError(f"{self.root}: no results yet; run `workbench fit` first")
        path = run / f"{table}.parquet"
        if not path.exists():
            have = sorted(p.stem for p in run.glob("*.parquet"))
            raise ValueError(f"the latest run has no table {table!r}; it has {have}")
        return pd.read_parquet(path)

    def metrics(self) -> dict[str, Any]:
        """``metrics.json`` of the latest run: validation, coverage, parameters, versions."""
        run = self.latest_run()
        if run is None:
            raise WorkspaceError(f"{self.root}: no results yet; run `workbench fit` first")
        return json.loads((run / "metrics.json").read_text(encoding="utf-8"))

    # ------------------------------------------------------------------ status and export
    def latest_run(self) -> Path | None:
        latest = self.root / "results" / "latest"
        return latest.resolve() if latest.exists() else None

    def status(self) -> dict[str, Any]:
        """A JSON-ready summary: counts per quantity, sensors, quarantine, store size, runs."""
        snap = self.snapshot()
        sensors = query.sensor_summary(snap)
        qc = self.qc_state()
        health = self.health() if qc else pd.DataFrame(columns=["sensor_id"])
        health = health.set_index("sensor_id")
        rows = []
        for r in sensors.to_dict("records"):
            h = health.loc[r["sensor_id"]] if r["sensor_id"] in health.index else None
            rows.append(
                {
                    "sensor_id": r["sensor_id"],
                    "quantities": r["quantities"].split(",") if r.get("quantities") else [],
                    "last_seen": r["last_seen"].isoformat() if pd.notna(r["last_seen"]) else None,
                    "completeness": round(float(r["completeness"]), 4),
                    "observations": int(r["n_observations"]),
                    "area_id": r.get("area_id") if isinstance(r.get("area_id"), str) else None,
                    # health from the latest QC ("unknown" before the first `workbench qc`)
                    "status": str(h["status"]) if h is not None else "unknown",
                    "reasons": (
                        str(h["reasons"]).split(";") if h is not None and h["reasons"] else []
                    ),
                    "flagged_share": round(float(h["flagged_share"]), 4) if h is not None else None,
                }
            )
        q = snap.quarantine()
        reasons = q["reason"].value_counts().head(10).to_dict() if not q.empty else {}
        latest = self.latest_run()
        return {
            "workspace": str(self.root),
            "store_version": snap.version,
            "store_bytes": self.store.size_bytes(),
            "observations": snap.observation_counts(),
            "sensors": rows,
            "quarantine": snap.quarantine_count(),
            "quarantine_reasons": reasons,
            "imports": len(snap.manifest["imports"]),
            "areas": 0 if self.areas() is None else len(self.areas()),
            "grid_cells": 0 if self.grid() is None else len(self.grid()),
            "latest_run": str(latest) if latest else None,
            "participation": self._participation_status(),
            "simulated": bool(self.config["workspace"].get("simulated", False)),
            "ingest": ingest_status(self.root, snap),
            "qc": None
            if qc is None
            else {
                "computed_at": qc.get("computed_at"),
                "as_of": qc.get("as_of"),
                "stale": qc["stale"],
                "readings": qc.get("readings"),
                "passed": qc.get("passed"),
                "status": qc.get("status"),
                "calibrated_sensors": qc.get("calibrated_sensors"),
            },
        }

    def _participation_status(self) -> dict[str, Any] | None:
        cur = self.root / "participation" / "current" / "meta.json"
        if not cur.exists():
            return None
        m = json.loads(cur.read_text(encoding="utf-8"))
        return {k: m.get(k) for k in ("proposals", "voters", "ballots", "budget", "placement")}

    def export(
        self,
        out: str | Path,
        *,
        quantity: str | Sequence[str] | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
    ) -> int:
        """Write canonical observations to Parquet or CSV (by extension); returns rows.

        Columns: ``sensor_id, quantity, time (UTC), value, unit, qc, value_clean,
        source``: ``value`` as measured, ``qc`` the QC bit mask (0 = passed every check),
        ``value_clean`` humidity-corrected and calibrated. QC runs first if the store
        changed since the last run, so the flags always describe the exported rows.
        """
        out = Path(out)
        df = self.clean(quantity, start=start, end=end, include_flagged=True)
        df = df.rename(columns={"value": "value_clean", "raw_value": "value"})
        units = {q: canonical_unit(q) for q in df["quantity"].unique()}
        df["unit"] = df["quantity"].map(units)
        table = pa.Table.from_pandas(
            df[["sensor_id", "quantity", "time", "value", "unit", "qc", "value_clean", "source"]],
            preserve_index=False,
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        suffix = "".join(out.suffixes[-2:]).lower()
        if suffix.endswith(".parquet"):
            pq.write_table(table, tmp, compression="zstd")
        elif suffix.endswith(".csv"):
            pv.write_csv(table, tmp)
        else:
            raise ValueError(f"--out must end in .parquet or .csv, got {out.name!r}")
        os.replace(tmp, out)
        return table.num_rows


def remove_workspace(root: str | Path) -> None:
    """Delete a workspace directory (used by the demo to start fresh)."""
    root = Path(root)
    if (root / CONFIG_NAME).exists():
        shutil.rmtree(root)


__all__ = ["ImportFormatError", "ImportReport", "Workspace", "WorkspaceError"]
