"""Commands of the analysis: fit, participation, rank, measures, evaluate, plan-sensors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from workbench.cli.app import echo_step, main, progress_echo, workspace_option
from workbench.errors import InputError
from workbench.workspace import Workspace


@main.command()
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print the run's metrics.json.")
def fit(workspace: Path, as_json: bool) -> None:
    """QC, heat and air models, hotspots and need index -> results/<run-id>/."""
    from workbench.pipeline import fit as step

    ws = Workspace.open(workspace)
    result = step.run(ws, echo=(lambda _s: None) if as_json else progress_echo())
    if as_json:
        click.echo((result.run / "metrics.json").read_text(encoding="utf-8"))
        return
    for line in result.lines:
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
def participation(workspace: Path, files: tuple[Path, ...], fmt: str) -> None:
    """Import one participation round: proposals and ballots (replaces the previous round)."""
    from workbench.pipeline import participation as step

    echo_step(step.run(Workspace.open(workspace), list(files), format=fmt))


@main.command()
@workspace_option
@click.option("--budget", type=float, default=None, help="Budget (default: data, then config).")
def rank(workspace: Path, budget: float | None) -> None:
    """Rank proposals by measured need and compare budget allocations -> results/<run-id>/."""
    from workbench.pipeline import rank as step

    echo_step(step.run(Workspace.open(workspace), budget=budget, echo=progress_echo()))


def _built_marks(built: tuple[str, ...]) -> dict[str, str]:
    marks = {}
    for b in built:
        pid, sep, day = b.partition("=")
        if not sep:
            raise InputError(f"--proposal {b!r}: expected ID=YYYY-MM-DD")
        marks[pid.strip()] = day.strip()
    return marks


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
def measures(
    workspace: Path, files: tuple[Path, ...], built: tuple[str, ...], replace: bool
) -> None:
    """Register implemented measures (CSV/GeoJSON files, or built proposals)."""
    from workbench.pipeline import measures as measures_step

    marks = _built_marks(built) if built else None
    echo_step(measures_step.run(Workspace.open(workspace), files, built=marks, replace=replace))


@main.command()
@workspace_option
def evaluate(workspace: Path) -> None:
    """Impact of implemented measures (difference in differences) -> evaluation.parquet."""
    from workbench.pipeline import evaluate as step

    echo_step(step.run(Workspace.open(workspace), echo=progress_echo()))


@main.command("plan-sensors")
@workspace_option
@click.option("--k", "k", type=click.IntRange(1, 200), required=True, help="New sensor sites.")
@click.option("--controls", type=int, default=None, help="How many of them are control sites.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan's statistics as JSON.")
def plan_sensors(workspace: Path, k: int, controls: int | None, as_json: bool) -> None:
    """Where k new sensors reduce the heat model's uncertainty at funded proposals most."""
    from workbench.pipeline import plan_sensors as step

    result = step.run(
        Workspace.open(workspace),
        k=k,
        controls=controls,
        echo=(lambda _s: None) if as_json else progress_echo(),
    )
    if as_json:
        click.echo(json.dumps(result.summary, indent=1, default=str))
        return
    echo_step(result)
