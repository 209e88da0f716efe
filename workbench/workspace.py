"""A workspace: a directory with ``workbench.toml``, the store, geodata and results.

This is the analyst's entry point::

    >>> import tempfile
    >>> from workbench.workspace import Workspace
    >>> ws = Workspace.init(tempfile.mkdtemp())
    >>> ws.snapshot().observation_counts()
    {}

Workflows over a workspace (import, QC, fit, rank, report, ...) live in
:mod:`workbench.pipeline`; the workspace itself only reads and writes its data.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import importers, query
from workbench.config import CONFIG_NAME, default_config_text, load_config
from workbench.errors import InputError
from workbench.geo import (
    WORK_CRS,
    area_lookup,
    areas_to_geojson,
    assign_areas,
    read_areas,
    read_grid,
)
from workbench.importers.base import ImportFormatError, ParsedBatch
from workbench.importers.limits import InputLimits
from workbench.qc import layer as qc_layer
from workbench.qc.refresh import refresh_qc
from workbench.qc.settings import QCSettings
from workbench.store import Snapshot, Store
from workbench.streets import read_streets, streets_geojson


class WorkspaceError(InputError):
    """The directory is not a usable workspace."""


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
        streets: str | Path | None = None,
    ) -> Workspace:
        """Create (or update) a workspace; existing data are kept.

        Areas and grid are validated before anything is written.
        """
        root = Path(root)
        areas_df = read_areas(areas) if areas is not None else None
        grid_df = read_grid(grid, grid_crs) if grid is not None else None
        streets_df = read_streets(streets) if streets is not None else None
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
        if streets_df is not None:
            data = json.dumps(streets_geojson(streets_df), ensure_ascii=False).encode("utf-8")
            _atomic_write_bytes(ws.streets_path, data)
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

    @property
    def streets_path(self) -> Path:
        return self.root / "geo" / "streets.geojson"

    def streets(self) -> dict | None:
        """Main streets as a GeoJSON FeatureCollection in lon/lat (``init --streets``)."""
        if not self.streets_path.exists():
            return None
        return json.loads(self.streets_path.read_text(encoding="utf-8"))

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

    # ------------------------------------------------------------------ addresses
    @property
    def addresses_path(self) -> Path:
        return self.root / "addresses.parquet"

    def addresses(self) -> pd.DataFrame | None:
        """The address list of the search box (``street, housenumber, postcode, lat, lon``),
        or None before ``workbench addresses``; ``attrs["source"]`` says where it came from."""
        if not self.addresses_path.exists():
            return None
        return pd.read_parquet(self.addresses_path)

    def set_addresses(self, addresses: pd.DataFrame, source: dict[str, Any]) -> None:
        """Replace the address list as a whole (temporary file, fsync, ``os.replace``).

        ``source`` (file, digest, counts) is kept in the file's metadata, so the list and
        the record of where it came from are replaced together.
        """
        df = addresses.reset_index(drop=True)
        df.attrs = {"source": dict(source)}
        tmp = self.addresses_path.with_name(f".{self.addresses_path.name}.tmp")
        try:
            df.to_parquet(tmp, index=False)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, self.addresses_path)
        finally:
            tmp.unlink(missing_ok=True)

    def area_lookup(self) -> Callable[..., Any] | None:
        """A function from (lon, lat) arrays to ``area_id`` (None without areas)."""
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
            "limits": InputLimits.from_config(self.config),
        }
        if data is None:
            return importers.read(path, **kw)
        return importers.parse(data, source=str(path), **kw)

    def add_batch(self, batch: ParsedBatch) -> tuple[int, int]:
        """Store an already parsed batch in its own transaction; returns (added, duplicates)."""
        with self.store.transaction() as tx:
            added, dups = tx.add_observations(batch.observations)
            tx.upsert_sensors(batch.sensors)
            if not batch.positions.empty:
                tx.add_positions(batch.positions, self.area_lookup())
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
    @contextmanager
    def setting_errors(self) -> Iterator[None]:
        """Read settings inside this block: a ``ValueError`` a settings parser raises is a
        mistake in ``workbench.toml``, reported as bad input naming the file."""
        try:
            yield
        except ValueError as exc:
            raise WorkspaceError(f"{self.root / CONFIG_NAME}: {exc}") from None

    def qc_settings(self) -> QCSettings:
        """QC thresholds from ``workbench.toml`` (validated)."""
        with self.setting_errors():
            return QCSettings.from_config(self.config)

    def qc_state(self) -> dict[str, Any] | None:
        """The current QC run: summary plus ``stale`` (observations changed since), or None."""
        run = qc_layer.current(self.root)
        if run is None:
            return None
        summ = qc_layer.summary(run)
        rows = int(sum(self.snapshot().observation_counts().values()))
        return {**summ, "run": str(run), "stale": rows != summ.get("observation_rows")}

    def current_qc(self, *, refresh: bool = True) -> Path:
        """The current QC run directory; with ``refresh``, QC runs first if it never ran or
        the store changed since.

        Raises
        ------
        WorkspaceError
            If there is no QC run and ``refresh`` is False.
        """
        state = self.qc_state()
        if state is None or (refresh and state["stale"]):
            refresh_qc(self.root, self.store, self.qc_settings())
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
        run = self.current_qc(refresh=refresh)
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

        The 18-hour rule for valid days is applied by the callers (``n_hours`` is returned).
        """
        run = self.current_qc(refresh=refresh)
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
        run = qc_layer.current(self.root) if not refresh else self.current_qc(refresh=True)
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
    def participation(self) -> Any:
        """The current participation round (proposals, pseudonymous ballots, meta), or None."""
        from workbench.participation.store import load

        return load(self.root)

    # ------------------------------------------------------------------ results
    def results(self, table: str = "cells") -> pd.DataFrame:
        """A table of the latest run: ``cells``, ``areas``, ``sensors`` (and later
        ``proposals``, ``allocation``)."""
        run = self.latest_run()
        if run is None:
            raise WorkspaceError(f"{self.root}: no results yet; run `workbench fit` first")
        path = run / f"{table}.parquet"
        if not path.exists():
            have = sorted(p.stem for p in run.glob("*.parquet"))
            raise InputError(f"the latest run has no table {table!r}; it has {have}")
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


def remove_workspace(root: str | Path) -> None:
    """Delete a workspace directory (used by the demo to start fresh)."""
    root = Path(root)
    if (root / CONFIG_NAME).exists():
        shutil.rmtree(root)


__all__ = ["ImportFormatError", "Workspace", "WorkspaceError"]
