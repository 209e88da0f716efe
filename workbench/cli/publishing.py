"""Commands that publish: report, serve, publish, demo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbench.cli.app import echo_step, main, workspace_option
from workbench.errors import InputError
from workbench.workspace import Workspace


@main.command()
@workspace_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: WORKSPACE/report).",
)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", help="Language.")
def report(workspace: Path, out: Path | None, lang: str) -> None:
    """Write report.pdf, report.html and ranking.xlsx from the latest run."""
    from workbench.pipeline import report as step

    echo_step(step.run(Workspace.open(workspace), out, lang=lang))


@main.command()
@workspace_option
@click.option("--port", type=int, default=None, help="TCP port (default 8866 or config).")
@click.option("--ip", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--pool-size", type=int, default=None, help="Preheated kernels per page.")
@click.option(
    "--analyst-port", type=int, default=None, help="Port of the analyst page (default port+1)."
)
@click.option(
    "--site",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also serve this static site (written by `workbench publish`).",
)
@click.option("--site-port", type=int, default=None, help="Port of the static site (port+2).")
def serve(
    workspace: Path,
    port: int | None,
    ip: str | None,
    pool_size: int | None,
    analyst_port: int | None,
    site: Path | None,
    site_port: int | None,
) -> None:
    """Serve the citizen page (public) and the analyst page (behind a token) with Voila,
    and with --site the static citizen site beside them (the path for a crowd).

    The analyst page's token is $WORKBENCH_ANALYST_TOKEN, or a new one printed with its
    address. Ctrl-C stops all of them.
    """
    from workbench.present.serve import ServeSettings
    from workbench.present.serve import serve as run

    ws = Workspace.open(workspace)
    if ws.latest_run() is None:
        raise InputError(f"{workspace} has no results: run `workbench fit` and `workbench rank`")
    s = ServeSettings.from_config(
        ws.config, port=port, ip=ip, pool_size=pool_size, analyst_port=analyst_port,
        site_port=site_port,
    )  # fmt: skip
    from workbench.present.publication import tile_settings

    tiles = tile_settings(ws.config)[0] or None
    sys.exit(run(ws.root, s, tiles=tiles, echo=click.echo, site=site))


@main.command()
@workspace_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory for the static site (index.html at its root).",
)
def publish(workspace: Path, out: Path) -> None:
    """Write the static citizen site (no kernel per visitor) into OUT."""
    from workbench.pipeline import publish as step

    echo_step(step.run(Workspace.open(workspace), out))


@main.command()
@workspace_option
@click.option("--no-serve", is_flag=True, help="Do not start the dashboards at the end.")
@click.option("--port", type=int, default=None, help="Port of the dashboards (default 8866).")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Demo data directory (default: the bundled demo data).",
)
@click.option(
    "--analyst-port", type=int, default=None, help="Port of the analyst page (default port+1)."
)
@click.option("--site-port", type=int, default=None, help="Port of the static site (port+2).")
def demo(
    workspace: Path,
    no_serve: bool,
    port: int | None,
    data_dir: Path | None,
    analyst_port: int | None,
    site_port: int | None,
) -> None:
    """Run the whole chain on the bundled (simulated) Gelsenkirchen demo data."""
    from workbench.pipeline import demo as step

    step.run(
        workspace,
        data_dir=data_dir,
        serve=not no_serve,
        port=port,
        analyst_port=analyst_port,
        site_port=site_port,
        echo=click.echo,
    )
