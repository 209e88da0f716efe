"""The ``workbench`` command line (DESIGN §5).

Every command takes ``--workspace`` (default: the current directory) and exits non-zero
with one actionable line on bad input.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from workbench import __version__
from workbench.importers import FORMATS, ImportFormatError
from workbench.ingest.decoders import STREAM_FORMATS
from workbench.participation.table import ParticipationError
from workbench.qc.text import report_lines as qc_report_lines
from workbench.store import StoreError
from workbench.workspace import Workspace, WorkspaceError

EXIT_BAD_INPUT = 1

workspace_option = click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Workspace directory.",
)


def friendly_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected errors into one line on stderr and a non-zero exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (
            ImportFormatError,
            ParticipationError,
            WorkspaceError,
            StoreError,
            ValueError,
            FileNotFoundError,
        ) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper


class _ProgressIter:
    """Adapt click's progressbar context manager to a plain iterable."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def __iter__(self) -> Any:
        with self.bar as b:
            yield from b


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
def main() -> None:
    """GE grünt workbench: urban climate sensors and the Green Citizens' Budget."""


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
@friendly_errors
def init(workspace: Path, areas: Path | None, grid: Path | None, grid_crs: str) -> None:
    """Create a workspace (or add areas and grid to an existing one)."""
    ws = Workspace.init(workspace, areas=areas, grid=grid, grid_crs=grid_crs)
    st = ws.status()
    click.echo(
        f"workspace {ws.root}: {st['areas']} areas, {st['grid_cells']} grid cells, "
        f"{sum(st['observations'].values())} observations"
    )


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
@friendly_errors
def import_(
    workspace: Path, files: tuple[Path, ...], fmt: str, tz: str | None, quantity: str | None
) -> None:
    """Import sensor data files; all or nothing, duplicates are skipped."""
    ws = Workspace.open(workspace)
    items = list(files)
    prog = None
    if len(items) > 1:

        def prog(xs: list[Any]) -> Any:
            return _ProgressIter(
                click.progressbar(
                    xs,
                    label="importing",
                    file=sys.stderr,
                    item_show_func=lambda p: Path(p).name if p else "",
                )
            )

    report = ws.import_files(items, format=fmt, tz=tz, quantity=quantity, progress=prog)
    for f in report.files:
        click.echo(f"{f.path}: {f.format}, {f.parsed} readings, {f.quarantined} quarantined")
    click.echo(
        f"total: {report.added} added, {report.duplicates} duplicates, "
        f"{report.quarantined} quarantined"
    )


@main.command()
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@friendly_errors
def status(workspace: Path, as_json: bool) -> None:
    """Store size, sensors (last seen, completeness), quarantine and latest run."""
    ws = Workspace.open(workspace)
    st = ws.status()
    mon = None
    if ws.qc_state() is not None:
        from workbench.monitoring import monitor_workspace

        mon = monitor_workspace(ws)
        st["monitoring"] = {
            "as_of": mon["as_of"],
            "districts": json.loads(mon["districts"].to_json(orient="records")),
            "alerts": mon["alerts"],
        }
    if as_json:
        click.echo(json.dumps(st, indent=1, ensure_ascii=False, default=str))
        return
    click.echo(
        f"workspace   {st['workspace']}" + ("  (SIMULATED demo data)" if st["simulated"] else "")
    )
    click.echo(
        f"store       version {st['store_version']}, {st['store_bytes'] / 1e6:.1f} MB, "
        f"{st['imports']} imports"
    )
    click.echo(f"geodata     {st['areas']} areas, {st['grid_cells']} grid cells")
    total = sum(st["observations"].values())
    click.echo(f"observations {total}")
    for q, n in st["observations"].items():
        click.echo(f"  {q:<20} {n:>12}")
    click.echo(f"quarantine  {st['quarantine']}")
    for reason, n in st["quarantine_reasons"].items():
        click.echo(f"  {n:>8}  {reason}")
    click.echo(f"sensors     {len(st['sensors'])}")
    if st["sensors"]:
        click.echo(f"  {'sensor':<28} {'last seen (UTC)':<26} {'complete':>8}  {'status':<9} area")
        for s in st["sensors"]:
            why = f"  ({', '.join(s['reasons'])})" if s["reasons"] else ""
            click.echo(
                f"  {s['sensor_id']:<28} {s['last_seen'] or '-':<26} "
                f"{s['completeness']:>8.1%}  {s['status']:<9} {s['area_id'] or '-'}{why}"
            )
    qc = st.get("qc")
    if qc:
        counts = ", ".join(f"{k} {v}" for k, v in (qc["status"] or {}).items())
        click.echo(
            f"qc          {qc['computed_at']}{'  (STALE: run workbench qc)' if qc['stale'] else ''}"
            f"; {qc['passed']} of {qc['readings']} readings passed; sensors: {counts}"
        )
    else:
        click.echo("qc          never run (workbench qc)")
    ing = st.get("ingest")
    if ing:
        c = ing["counters"]
        svc = ing.get("service") or {}
        state = (
            "running, connected"
            if svc.get("connected")
            else ("running, NOT connected" if svc.get("running") else "not running")
        )
        click.echo(f"ingest      {state}" + (f"  {svc['broker']}" if svc.get("broker") else ""))
        click.echo(
            f"  received {c.get('received', 0)}, stored {c.get('stored', 0)}, "
            f"duplicates {c.get('duplicates', 0)}, quarantined {c.get('quarantined', 0)}, "
            f"gaps {c.get('gaps', 0)}"
        )
        lag = ing.get("lag_s") or {}
        click.echo(
            f"  last message {ing.get('last_message_at') or '-'}, "
            f"lag median {lag.get('median', float('nan')):.1f} s, "
            f"max {lag.get('max', float('nan')):.1f} s"
        )
        for dev, n in ing.get("devices_with_gaps", [])[:5]:
            click.echo(f"  {n:>8} frames missing  {dev}")
    pt = st.get("participation")
    if pt:
        click.echo(
            f"participation {pt['proposals']} proposals, {pt['voters']} voters "
            f"({pt['placement'].get('unplaced', 0)} proposals unplaced)"
        )
    if mon is not None and not mon["districts"].empty:
        click.echo(f"monitoring  as of {mon['as_of']} (last 24 h; this year's EU exceedances)")
        click.echo(
            f"  {'district':<16} {'Tmax °C':>8} {'tropical':>8} {'felt':<16} "
            f"{'PM2.5 d>EU':>10} {'PM10 d>EU':>9}"
        )
        for r in mon["districts"].itertuples():
            click.echo(
                f"  {r.name:<16} {r.tmax_24h:>8.1f} {r.tropical_night_streak:>8} "
                f"{r.heat_class.replace('_', ' '):<16} "
                f"{getattr(r, 'pm2_5_days_over_eu', float('nan')):>10.0f} "
                f"{getattr(r, 'pm10_days_over_eu', float('nan')):>9.0f}"
            )
        for a in mon["alerts"]:
            click.echo(f"  ALERT {a['en']}")
        if not mon["alerts"]:
            click.echo("  no alerts")
    click.echo(f"latest run  {st['latest_run'] or '-'}")


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
@friendly_errors
def export(
    workspace: Path, out: Path, quantity: tuple[str, ...], start: str | None, end: str | None
) -> None:
    """Write canonical observations (sensor_id, quantity, time, value, unit, qc)."""
    ws = Workspace.open(workspace)
    n = ws.export(out, quantity=list(quantity) or None, start=start, end=end)
    click.echo(f"wrote {n} observations to {out}")


@main.command(name="qc")
@workspace_option
@click.option("--as-of", default=None, help="Judge sensor health at this time (default: config).")
@click.option("--json", "as_json", is_flag=True, help="Print the QC summary as JSON.")
@friendly_errors
def qc_command(workspace: Path, as_of: str | None, as_json: bool) -> None:
    """Quality control: flag, humidity-correct and calibrate; judge sensor health."""
    ws = Workspace.open(workspace)
    result = ws.run_qc(as_of=as_of)
    if as_json:
        click.echo(json.dumps(result.summary, indent=1, default=str))
        return
    for line in qc_report_lines(result):
        click.echo(line)


@main.command()
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print the run's metrics.json.")
@friendly_errors
def fit(workspace: Path, as_json: bool) -> None:
    """QC, heat and air models, hotspots and need index -> results/<run-id>/."""
    from workbench.fit import summary_lines

    ws = Workspace.open(workspace)
    run = ws.fit(echo=(lambda _s: None) if as_json else (lambda s: click.echo(f"... {s}")))
    if as_json:
        click.echo((run / "metrics.json").read_text(encoding="utf-8"))
        return
    for line in summary_lines(run):
        click.echo(line)


@main.command()
@workspace_option
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "consul", "decidim", "pabulib", "csv", "geojson"]),
    default="auto",
    show_default=True,
    help="Input format (auto: from name and content).",
)
@friendly_errors
def participation(workspace: Path, files: tuple[Path, ...], fmt: str) -> None:
    """Import one participation round: proposals and ballots (replaces the previous round)."""
    ws = Workspace.open(workspace)
    meta = ws.import_participation(list(files), format=fmt)
    placed = meta["placement"]
    click.echo(
        f"imported {meta['proposals']} proposals and {meta['ballots']} ballot lines of "
        f"{meta['voters']} voters (voter ids pseudonymised; author names and e-mails not stored)"
    )
    click.echo(
        "placed      "
        + ", ".join(f"{placed.get(k, 0)} by {k}" for k in ("coordinates", "area"))
        + f", {placed.get('unplaced', 0)} unplaced"
    )
    if meta.get("budget"):
        click.echo(f"budget      {meta['budget']:,.0f} (from the data)")


@main.command()
@workspace_option
@click.option("--budget", type=float, default=None, help="Budget (default: data, then config).")
@friendly_errors
def rank(workspace: Path, budget: float | None) -> None:
    """Rank proposals by measured need and compare budget allocations -> results/<run-id>/."""
    from workbench.rank import rank_workspace, summary_lines

    ws = Workspace.open(workspace)
    run, warnings = rank_workspace(ws, budget=budget, echo=lambda s: click.echo(f"... {s}"))
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    for line in summary_lines(run):
        click.echo(line)


@main.command()
@workspace_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: WORKSPACE/report).",
)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", help="Language.")
@friendly_errors
def report(workspace: Path, out: Path | None, lang: str) -> None:
    """Write report.pdf, report.html and ranking.xlsx from the latest run."""
    from workbench.report import write_report

    ws = Workspace.open(workspace)
    files = write_report(ws, out, lang=lang)
    click.echo(f"run         {files.run}")
    for f in (files.pdf, files.html, files.xlsx):
        click.echo(f"wrote       {f.resolve()}")


@main.command()
@workspace_option
@click.option("--port", type=int, default=None, help="TCP port (default 8866 or config).")
@click.option("--ip", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--pool-size", type=int, default=None, help="Preheated kernels per page.")
@friendly_errors
def serve(workspace: Path, port: int | None, ip: str | None, pool_size: int | None) -> None:
    """Serve the citizen and analyst pages with Voila (Ctrl-C stops)."""
    from workbench.serve import ServeSettings
    from workbench.serve import serve as run

    ws = Workspace.open(workspace)
    if ws.latest_run() is None:
        raise ValueError(f"{workspace} has no results: run `workbench fit` and `workbench rank`")
    s = ServeSettings.from_config(ws.config, port=port, ip=ip, pool_size=pool_size)
    tiles = ws.config.get("dashboard", {}).get("tiles") or None
    sys.exit(run(ws.root, s, tiles=tiles, echo=click.echo))


@main.command()
@workspace_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory for the static site (index.html at its root).",
)
@friendly_errors
def publish(workspace: Path, out: Path) -> None:
    """Write the static citizen site (no kernel per visitor) into OUT."""
    from workbench.publish import publish_site

    ws = Workspace.open(workspace)
    site = publish_site(ws, out)
    click.echo(f"wrote       {site.resolve() / 'index.html'}")
    click.echo(f"serve it    python -m http.server --directory {site.resolve()} 8000")


@main.command()
@workspace_option
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--proposal",
    "built",
    multiple=True,
    metavar="ID=DATE",
    help="Mark a green-budget proposal as built on DATE (repeatable).",
)
@click.option("--replace", is_flag=True, help="Replace the register instead of adding to it.")
@friendly_errors
def measures(
    workspace: Path, files: tuple[Path, ...], built: tuple[str, ...], replace: bool
) -> None:
    """Register implemented measures (CSV/GeoJSON files, or built proposals)."""
    import pandas as pd

    from workbench.measures import from_proposals, parse_measures, write_register

    ws = Workspace.open(workspace)
    parts = []
    for f in files:
        if not f.exists():
            raise FileNotFoundError(f"{f}: no such file")
        parts.append(parse_measures(f.read_bytes(), str(f)))
    if built:
        marks = {}
        for b in built:
            pid, sep, day = b.partition("=")
            if not sep:
                raise ValueError(f"--proposal {b!r}: expected ID=YYYY-MM-DD")
            marks[pid.strip()] = day.strip()
        part = ws.participation()
        if part is None:
            raise ValueError(f"{workspace}: no participation data to take proposals from")
        parts.append(from_proposals(part.proposals, marks))
    if not parts:
        raise ValueError("give measure files or --proposal ID=DATE")
    reg = write_register(ws.root, pd.concat(parts, ignore_index=True), replace=replace)
    click.echo(f"measures    {len(reg)} registered")
    for r in reg.itertuples():
        click.echo(
            f"  {r.measure_id:<10} {r.category:<12} built {r.built_on}  radius {r.radius_m:.0f} m"
        )


@main.command()
@workspace_option
@friendly_errors
def evaluate(workspace: Path) -> None:
    """Impact of implemented measures (difference in differences) -> evaluation.parquet."""
    import pandas as pd

    from workbench.evaluate import evaluate_workspace, summary_lines

    ws = Workspace.open(workspace)
    run = evaluate_workspace(ws, echo=lambda s: click.echo(f"... {s}"))
    click.echo(f"run         {run}")
    for line in summary_lines(pd.read_parquet(run / "evaluation.parquet")):
        click.echo(line)


@main.command("plan-sensors")
@workspace_option
@click.option("--k", "k", type=click.IntRange(1, 200), required=True, help="New sensor sites.")
@click.option("--controls", type=int, default=None, help="How many of them are control sites.")
@friendly_errors
def plan_sensors(workspace: Path, k: int, controls: int | None) -> None:
    """Where k new sensors reduce the heat model's uncertainty at funded proposals most."""
    from workbench.plan import plan_workspace

    ws = Workspace.open(workspace)
    run, plan, stats = plan_workspace(
        ws, k=k, controls=controls, echo=lambda s: click.echo(f"... {s}")
    )
    click.echo(f"run         {run}")
    click.echo(
        f"variance    at {stats['targets']} funded sites: {stats['target_variance_before']:.4f} "
        f"-> {stats['target_variance_after']:.4f} K² with the plan "
        f"({stats['target_variance_after_random_mean']:.4f} with as many random sites)"
    )
    for r in plan.itertuples():
        click.echo(
            f"  {r.site}  {r.purpose:<11} {r.lat:.5f} {r.lon:.5f}  {r.area_id or '-':<14} "
            f"-{r.variance_reduction:.4f} K²"
        )
    if stats.get("mde_night_k"):
        click.echo(
            "evaluation  smallest night-time effect (K) a before/after comparison can detect"
        )
        click.echo("            (5 % test, 80 % power, 8 controls; noise of the existing data):")
        click.echo(
            "            sensors near   2 weeks   4 weeks   8 weeks  (before and after each)"
        )
        for n in (1, 2, 3):
            row = [m["mde_k"] for m in stats["mde_night_k"] if m["sensors_near"] == n]
            click.echo(f"            {n:>12}" + "".join(f"{v:>10.2f}" for v in row))


@main.command()
@workspace_option
@friendly_errors
def compact(workspace: Path) -> None:
    """Merge small store files (many accumulate under live ingest)."""
    ws = Workspace.open(workspace)
    n = ws.store.compact()
    removed = ws.store.vacuum()
    click.echo(f"compacted {n} partitions, removed {removed} orphaned files")


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
@friendly_errors
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
            raise ValueError(f"--password-env names {password_env!r}, which is not set")
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
    setup_logging(log_format)
    service = IngestService(ws, settings, flush_interval=flush_interval)
    service.install_signal_handlers()
    try:
        code = service.run(duration=duration)
    except RuntimeError as exc:
        raise ValueError(str(exc)) from None
    sys.exit(code)


@main.command()
@workspace_option
@click.option(
    "--replace",
    is_flag=True,
    help="Drop every MQTT observation first and rebuild it from the raw payloads.",
)
@friendly_errors
def reprocess(workspace: Path, replace: bool) -> None:
    """Decode kept raw MQTT payloads again (after a decoder or field-map fix)."""
    from workbench.ingest.reprocess import reprocess as run

    ws = Workspace.open(workspace)
    t = run(ws, replace=replace)
    click.echo(
        f"reprocessed {t['payloads']} payloads: {t['stored']} readings stored, "
        f"{t['duplicates']} already stored, {t['rejected']} payloads still rejected"
        + (f"; {t['dropped']} old readings replaced" if replace else "")
    )


@main.command()
@workspace_option
@click.option("--no-serve", is_flag=True, help="Do not start the dashboards at the end.")
@click.option("--port", type=int, default=None, help="Port of the dashboards (default 8866).")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Demo data directory (default: the bundled data/demo).",
)
@friendly_errors
def demo(workspace: Path, no_serve: bool, port: int | None, data_dir: Path | None) -> None:
    """Run the whole chain on the bundled (simulated) Gelsenkirchen demo data."""
    from workbench.demo import run_demo

    run_demo(workspace, data_dir=data_dir, serve=not no_serve, port=port, echo=click.echo)


if __name__ == "__main__":  # pragma: no cover
    main()
