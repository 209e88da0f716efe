"""Commands on the data: init, import, addresses, status, export, qc, compact, delete,
ingest, reprocess."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from workbench.cli.app import echo_step, file_progress, main, workspace_option
from workbench.errors import InputError
from workbench.importers import FORMATS
from workbench.ingest.decoders import STREAM_FORMATS
from workbench.pipeline import export as export_step
from workbench.pipeline import import_files, qc
from workbench.pipeline import reprocess as reprocess_step
from workbench.pipeline import status as status_step
from workbench.workspace import Workspace


@main.command()
@workspace_option
@click.option(
    "--areas",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="District polygons (GeoJSON, EPSG:4326, properties area_id and name).",
)
@click.option(
    "--grid",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Grid cells with covariates (CSV/Parquet) or a Zensus 2022 100 m CSV.",
)
@click.option(
    "--grid-crs",
    default="EPSG:25832",
    show_default=True,
    help="CRS of the grid's x/y (Zensus files are always EPSG:3035).",
)
@click.option(
    "--streets",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Main streets for the maps (lines from OSM or ATKIS, GeoJSON or GeoPackage).",
)
def init(
    workspace: Path, areas: Path | None, grid: Path | None, grid_crs: str, streets: Path | None
) -> None:
    """Create a workspace (or add areas, grid and streets to an existing one)."""
    ws = Workspace.init(workspace, areas=areas, grid=grid, grid_crs=grid_crs, streets=streets)
    n_areas = 0 if ws.areas() is None else len(ws.areas())
    n_cells = 0 if ws.grid() is None else len(ws.grid())
    n_obs = sum(ws.snapshot().observation_counts().values())
    click.echo(f"workspace {ws.root}: {n_areas} areas, {n_cells} grid cells, {n_obs} observations")


@main.command("import")
@workspace_option
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("auto", *FORMATS)),
    default="auto",
    show_default=True,
    help="Input format; auto detects it from the content.",
)
@click.option(
    "--timezone",
    "tz",
    default=None,
    help="Zone of timestamps without one (e.g. Europe/Berlin, UTC).",
)
@click.option(
    "--quantity",
    default=None,
    help="Quantity of single-quantity exports that do not name it (openSenseMap).",
)
def import_(
    workspace: Path, files: tuple[Path, ...], fmt: str, tz: str | None, quantity: str | None
) -> None:
    """Import sensor data files; all or nothing, duplicates are skipped."""
    ws = Workspace.open(workspace)
    items = list(files)
    prog = file_progress if len(items) > 1 else None
    echo_step(import_files.run(ws, items, format=fmt, tz=tz, quantity=quantity, progress=prog))


@main.command()
@workspace_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def addresses(workspace: Path, file: Path) -> None:
    """Import the address list for the citizen page's search (replaces the previous one).

    FILE: our CSV (street,housenumber,postcode,lat,lon), NRW house coordinates (HK-DE) or
    an OSM extract; see docs/addresses.md.
    """
    from workbench.pipeline import addresses as step

    echo_step(step.run(Workspace.open(workspace), file))


@main.command()
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(workspace: Path, as_json: bool) -> None:
    """Store size, sensors (last seen, completeness), quarantine and latest run."""
    result = status_step.run(Workspace.open(workspace))
    if as_json:
        click.echo(json.dumps(result.summary, indent=1, ensure_ascii=False, default=str))
        return
    echo_step(result)


@main.command()
@workspace_option
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .parquet or .csv.",
)
@click.option("--quantity", multiple=True, help="Only these quantities (repeatable).")
@click.option("--start", default=None, help="From this time (ISO 8601, UTC if no zone).")
@click.option("--end", default=None, help="Before this time (ISO 8601, UTC if no zone).")
def export(
    workspace: Path, out: Path, quantity: tuple[str, ...], start: str | None, end: str | None
) -> None:
    """Write canonical observations (sensor_id, quantity, time, value, unit, qc)."""
    ws = Workspace.open(workspace)
    echo_step(export_step.run(ws, out, quantity=list(quantity) or None, start=start, end=end))


@main.command(name="qc")
@workspace_option
@click.option("--as-of", default=None, help="Judge sensor health at this time (default: config).")
@click.option("--json", "as_json", is_flag=True, help="Print the QC summary as JSON.")
def qc_command(workspace: Path, as_of: str | None, as_json: bool) -> None:
    """Quality control: flag, humidity-correct and calibrate; judge sensor health."""
    result = qc.run(Workspace.open(workspace), as_of=as_of)
    if as_json:
        click.echo(json.dumps(result.summary, indent=1, default=str))
        return
    echo_step(result)


@main.command()
@workspace_option
def compact(workspace: Path) -> None:
    """Merge small store files (many accumulate under live ingest)."""
    ws = Workspace.open(workspace)
    n = ws.store.compact()
    removed = ws.store.vacuum()
    click.echo(f"compacted {n} partitions, removed {removed} orphaned files")


@main.command()
@workspace_option
@click.option("--sensor", required=True, help="The sensor whose readings are wrong.")
@click.option("--start", default=None, help="First time to delete (ISO 8601; default: all).")
@click.option("--end", default=None, help="Delete before this time (ISO 8601; default: all).")
@click.option("--quantity", default=None, help="Only this quantity (default: all).")
@click.option("--reason", default="", help="Why, for the log in the manifest.")
def delete(
    workspace: Path,
    sensor: str,
    start: str | None,
    end: str | None,
    quantity: str | None,
    reason: str,
) -> None:
    """Delete readings judged wrong (one sensor, a time span), atomically and logged."""
    from workbench.pipeline import delete as delete_step

    ws = Workspace.open(workspace)
    echo_step(delete_step.run(ws, sensor, start=start, end=end, quantity=quantity, reason=reason))


@main.command()
@workspace_option
@click.option("--broker", default=None, help="mqtt://HOST:PORT or mqtts://HOST:PORT.")
@click.option("--topic", "topics", multiple=True, help="Topic filter (repeatable).")
@click.option(
    "--format", "fmt", type=click.Choice(STREAM_FORMATS), default=None, help="Payload format."
)
@click.option("--username", default=None, help="Broker user name.")
@click.option(
    "--password-env",
    default=None,
    help="Name of the environment variable holding the password (never on the command line).",
)
@click.option("--ca-file", type=click.Path(dir_okay=False), default=None, help="CA for TLS.")
@click.option("--client-id", default=None, help="Session id (keep it fixed).")
@click.option("--qos", type=click.IntRange(0, 1), default=None, help="Subscription QoS.")
@click.option("--flush-interval", type=float, default=None, help="Seconds between store loads.")
@click.option(
    "--log-format", type=click.Choice(["json", "text"]), default="json", show_default=True
)
@click.option("--duration", type=float, default=None, hidden=True)
def ingest(
    workspace: Path,
    broker: str | None,
    topics: tuple[str, ...],
    fmt: str | None,
    username: str | None,
    password_env: str | None,
    ca_file: str | None,
    client_id: str | None,
    qos: int | None,
    flush_interval: float | None,
    log_format: str,
    duration: float | None,
) -> None:
    """Subscribe to an MQTT broker and store every reading exactly once.

    Flags override [mqtt] in workbench.toml. Runs until SIGTERM or Ctrl-C, which
    store what was received and exit cleanly.
    """
    from workbench.ingest.service import IngestService, MqttSettings, setup_logging

    ws = Workspace.open(workspace)
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise InputError(f"--password-env names {password_env!r}, which is not set")
    try:
        settings = MqttSettings.resolve(
            ws.config,
            broker=broker,
            topics=list(topics) or None,
            fmt=fmt,
            username=username,
            password=password,
            ca_file=ca_file,
            client_id=client_id,
            qos=qos,
        )
    except ValueError as exc:
        raise InputError(str(exc)) from None
    setup_logging(log_format)
    service = IngestService(ws, settings, flush_interval=flush_interval)
    service.install_signal_handlers()
    try:
        code = service.run(duration=duration)
    except RuntimeError as exc:
        raise InputError(str(exc)) from None
    sys.exit(code)


@main.command()
@workspace_option
@click.option(
    "--replace",
    is_flag=True,
    help="Drop every MQTT observation first and rebuild it from the raw payloads.",
)
def reprocess(workspace: Path, replace: bool) -> None:
    """Decode kept raw MQTT payloads again (after a decoder or field-map fix)."""
    echo_step(reprocess_step.run(Workspace.open(workspace), replace=replace))
