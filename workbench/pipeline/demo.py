"""``workbench demo``: the whole chain on the bundled, simulated Gelsenkirchen data.

It builds the workspace (districts, grid), imports the sensor network, the weather stations
and the reference stations, runs quality control and calibration, fits the heat and air
models, hotspots and need index, ranks the green-budget proposals, evaluates the demo's
implemented measure and plans sensors, writes the report and the static citizen site,
prints what it made, compared with the simulation's truth, and serves the dashboards
until interrupted. Every stage is the same pipeline step the command line runs.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from workbench.config import default_config_text
from workbench.errors import InputError
from workbench.pipeline import (
    addresses,
    evaluate,
    fit,
    import_files,
    measures,
    participation,
    plan_sensors,
    publish,
    qc,
    rank,
    report,
)
from workbench.pipeline.result import Echo, StepResult
from workbench.workspace import Workspace, remove_workspace

DEMO_MARKER = ".workbench-demo"


def demo_data_dir() -> Path:
    """The bundled demo data (package data of :mod:`workbench.simulate`)."""
    here = Path(str(resources.files("workbench.simulate") / "demo_data"))
    if not (here / "areas.geojson").exists():
        raise InputError(
            f"demo data not found at {here} (the package was installed without its data); "
            "reinstall it, or pass --data DIR (generate it with: python data/generate_demo.py "
            "--out DIR)"
        )
    return here


def demo_config() -> str:
    text = default_config_text()
    text = text.replace("simulated = false", "simulated = true", 1)
    # the demo network has a rural reference box (ge-001)
    return text.replace('reference = "quantile:0.1"', 'reference = "ge-001"', 1)


def truth_lines(ws: Workspace, truth_path: Path) -> list[str]:
    """Compare the latest run with the simulation's truth (demo data only)."""
    import pandas as pd

    from workbench.simulate.city import compare_with_truth

    m = ws.metrics()
    hs = m["hotspots"]
    r = compare_with_truth(
        ws.results("cells"),
        ws.results("areas"),
        pd.read_parquet(truth_path),
        weights=m["need"]["weights"],
        distance=hs["distance_m"],
        permutations=hs["permutations"],
        seed=hs["seed"],
        alpha=hs["alpha"],
    )
    out = ["truth       (demo only) the run against the simulation's true fields:"]
    if "heat_rmse" in r:
        out.append(
            f"            heat surface RMSE {r['heat_rmse']:.2f} K; hotspots precision "
            f"{r['heat_hotspot_precision']:.2f}, recall {r['heat_hotspot_recall']:.2f}"
        )
    if "air_rmse" in r:
        out.append(
            f"            PM2.5 surface RMSE {r['air_rmse']:.2f} µg/m³; hotspots precision "
            f"{r['air_hotspot_precision']:.2f}, recall {r['air_hotspot_recall']:.2f}"
        )
    out.append(
        f"            true district need rank inside the rank interval for "
        f"{r['area_rank_interval_coverage']:.0%} of districts"
    )
    return out


def _fresh_workspace(root: Path, data: Path, echo: Echo) -> Workspace:
    if root.exists() and any(root.iterdir()):
        if not (root / DEMO_MARKER).exists():
            raise InputError(
                f"{root} exists and is not a demo workspace; choose another "
                "--workspace (the demo starts from scratch)"
            )
        remove_workspace(root)
    echo(f"[1/7] workspace {root}: districts (approximate) and 100 m grid")
    ws = Workspace.init(
        root, areas=data / "areas.geojson", grid=data / "grid.parquet", config_text=demo_config()
    )
    (root / DEMO_MARKER).write_text("created by workbench demo\n", encoding="utf-8")
    return ws


def _measures(ws: Workspace, data: Path, echo: Echo) -> StepResult | None:
    if not (data / "measures.csv").exists():
        return None
    echo("[6/7] implemented measures: impact (workbench evaluate) and sensor plan (plan-sensors)")
    measures.run(ws, [data / "measures.csv"], replace=True)
    ev = evaluate.run(ws, echo=lambda s: echo(f"      {s}"))
    plan_sensors.run(ws, k=6, echo=lambda s: echo(f"      {s}"))
    return ev


def _addresses(ws: Workspace, data: Path, echo: Echo) -> StepResult | None:
    """The simulated address list for the search box (older demo folders have none)."""
    if not (data / "addresses.csv").exists():
        return None
    result = addresses.run(ws, data / "addresses.csv")
    echo(f"      address list for the search box: {result.summary['stored']} simulated addresses")
    return result


def _truth_measure_lines(data: Path) -> list[str]:
    import json

    truth_json = data / "truth" / "truth.json"
    if not truth_json.exists():
        return []
    return [
        f"truth       {m['measure_id']}: true effect {m['effect_k']:+.2f} K on "
        f"{m['quantity']} (simulation)"
        for m in json.loads(truth_json.read_text(encoding="utf-8")).get("measures", [])
    ]


def _closing_lines(ws: Workspace, steps: dict[str, StepResult | None], data: Path) -> list[str]:
    from workbench.pipeline.status import status

    st = status(ws)
    imp, q, part = steps["import"].detail, steps["qc"].detail, steps["participation"].summary
    cal = q.calibrations
    applied = cal[cal["applied"] & (cal["stage"] == "calibrated")] if not cal.empty else cal
    lines = [
        "",
        f"workspace   {ws.root.resolve()}",
        f"areas       {st['areas']} Stadtteile (approximate boundaries)",
        f"grid        {st['grid_cells']} cells of 100 m",
        f"sensors     {len(st['sensors'])}",
        f"readings    {imp.added} stored, {imp.duplicates} duplicates skipped, "
        f"{imp.quarantined} quarantined",
        *(f"  {k:<20} {n:>9}" for k, n in st["observations"].items()),
        f"proposals   {part['proposals']} proposals, {part['voters']} voters (pseudonymised)",
        *(
            [f"addresses   {steps['addresses'].summary['stored']} (simulated, for the search box)"]
            if steps["addresses"] is not None
            else []
        ),
        f"qc          {q.summary['passed']} of {q.summary['readings']} readings passed; "
        + ", ".join(f"{k} {v}" for k, v in q.summary["status"].items())
        + f" sensors; {len(applied)} calibrations applied",
    ]
    if steps["fit"] is not None:
        lines += steps["fit"].lines
        truth = data / "truth" / "truth_cells.parquet"
        if truth.exists():
            lines += truth_lines(ws, truth)
    if steps["evaluate"] is not None:
        lines.append("measures    impact of implemented measures (difference in differences):")
        lines += steps["evaluate"].lines[1:] + _truth_measure_lines(data)
    lines += [f"warning     {w}" for w in steps["rank"].warnings]
    lines += steps["rank"].lines[1:]
    files = steps["report"].files
    lines += [
        f"report      {files['pdf']}",
        f"            {files['html']}",
        f"            {files['xlsx']}",
        f"static site {steps['publish'].files['index']}",
    ]
    return lines


def run(
    workspace: str | Path,
    *,
    data_dir: str | Path | None = None,
    serve: bool = True,
    port: int | None = None,
    analyst_port: int | None = None,
    site_port: int | None = None,
    fit_models: bool = True,
    echo: Echo = print,
) -> StepResult:
    """Build the demo workspace from scratch and run every stage; ``detail`` is the
    :class:`~workbench.workspace.Workspace`."""
    data = Path(data_dir) if data_dir else demo_data_dir()
    root = Path(workspace)
    echo("GE grünt workbench demo — SIMULATED data for Gelsenkirchen (not measurements)")
    ws = _fresh_workspace(root, data, echo)
    files = [
        data / "network_observations.csv.gz",
        data / "urbanpulse_weather.geojson.gz",
        *sorted(data.glob("uba_*.json")),
    ]
    sub = {"echo": lambda s: echo(f"      {s}")}
    steps: dict[str, StepResult | None] = {"fit": None, "evaluate": None, "addresses": None}
    echo(f"[2/7] importing {len(files)} files (sensor network, weather stations, UBA reference)")
    steps["import"] = import_files.run(ws, files)
    echo("[3/7] quality control, humidity correction and calibration against DENW022/DENW208")
    steps["qc"] = qc.run(ws)
    if fit_models:
        echo("[4/7] heat and air models, hotspots, need index (workbench fit)")
        steps["fit"] = fit.run(ws, **sub)
    echo("[5/7] green-budget proposals: ranking by need and budget allocations (workbench rank)")
    steps["participation"] = participation.run(ws, [data / "proposals.csv", data / "votes.csv"])
    steps["addresses"] = _addresses(ws, data, echo)
    steps["rank"] = rank.run(ws, **sub)
    if fit_models:
        steps["evaluate"] = _measures(ws, data, echo)
    echo("[7/7] report for decision-makers and the static citizen site (report, publish)")
    steps["report"] = report.run(ws)
    steps["publish"] = publish.run(ws, ws.root / "site")
    lines = _closing_lines(ws, steps, data)
    for line in lines:
        echo(line)
    if serve:
        from workbench.present.publication import tile_settings
        from workbench.present.serve import ServeSettings
        from workbench.present.serve import serve as serve_pages

        echo(
            "dashboards  starting Voila (citizen page, and the analyst page behind a token) "
            "and the static site"
        )
        settings = ServeSettings.from_config(
            ws.config, port=port, analyst_port=analyst_port, site_port=site_port
        )
        tiles = tile_settings(ws.config)[0] or None
        serve_pages(
            ws.root, settings, tiles=tiles, echo=lambda s: echo(f"            {s}"),
            site=steps["publish"].files["site"],
        )  # fmt: skip
    echo("next        workbench status --workspace " + str(root))
    warnings = [w for s in steps.values() if s is not None for w in s.warnings]
    return StepResult("demo", run=ws.latest_run(), warnings=warnings, lines=lines, detail=ws)


def run_demo(workspace: str | Path, **kwargs: object) -> Workspace:
    """:func:`run` for Python callers that want the workspace (tests, notebooks)."""
    return run(workspace, **kwargs).detail  # type: ignore[arg-type]


def notebook_workspace(default: str | Path = "../demo-workspace") -> Workspace:
    """The workspace a notebook or dashboard works on.

    ``WORKBENCH_WORKSPACE`` names it; otherwise ``default``, which is built with the demo
    the first time (a few minutes) when it holds no results yet.
    """
    import os

    env = os.environ.get("WORKBENCH_WORKSPACE")
    root = Path(env) if env else Path(default)
    if env is None and not (root / "results" / "latest").exists():
        return run_demo(root, serve=False)
    return Workspace.open(root)
