"""``workbench demo``: the whole chain on the bundled, simulated Gelsenkirchen data.

The chain grows with the product; today it builds the workspace (districts, grid),
imports the sensor network, the weather stations and the reference stations, runs
quality control and calibration, fits the heat and air models, hotspots and need index
(``workbench fit``), ranks the green-budget proposals (``workbench rank``), writes the
report (``workbench report``) and the static citizen site (``workbench publish``), prints
what it made, compared with the simulation's truth, and serves the dashboards
(``workbench serve``) until interrupted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench.config import default_config_text
from workbench.workspace import Workspace, remove_workspace

DEMO_MARKER = ".workbench-demo"


def demo_data_dir() -> Path:
    """The bundled demo data (``data/demo`` of the source tree)."""
    here = Path(__file__).resolve().parent.parent / "data" / "demo"
    if not (here / "areas.geojson").exists():
        raise FileNotFoundError(
            f"demo data not found at {here}; run from a source checkout or pass --data DIR "
            "(generate it with: python data/generate_demo.py --out DIR)"
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

    from workbench.synthetic import compare_with_truth

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


def run_demo(
    workspace: str | Path,
    *,
    data_dir: str | Path | None = None,
    serve: bool = True,
    port: int | None = None,
    fit: bool = True,
    echo: Callable[[str], Any] = print,
) -> Workspace:
    """Build the demo workspace from scratch and run every available stage."""
    from workbench.fit import summary_lines
    from workbench.rank import rank_workspace
    from workbench.rank import summary_lines as rank_summary_lines

    data = Path(data_dir) if data_dir else demo_data_dir()
    root = Path(workspace)
    if root.exists() and any(root.iterdir()):
        if not (root / DEMO_MARKER).exists():
            raise ValueError(
                f"{root} exists and is not a demo workspace; choose another "
                "--workspace (the demo starts from scratch)"
            )
        remove_workspace(root)
    echo("GE grünt workbench demo — SIMULATED data for Gelsenkirchen (not measurements)")
    echo(f"[1/7] workspace {root}: districts (approximate) and 100 m grid")
    ws = Workspace.init(
        root, areas=data / "areas.geojson", grid=data / "grid.parquet", config_text=demo_config()
    )
    (root / DEMO_MARKER).write_text("created by workbench demo\n", encoding="utf-8")
    files = [
        data / "network_observations.csv.gz",
        data / "urbanpulse_weather.geojson.gz",
        *sorted(data.glob("uba_*.json")),
    ]
    echo(f"[2/7] importing {len(files)} files (sensor network, weather stations, UBA reference)")
    report = ws.import_files(files)
    echo("[3/7] quality control, humidity correction and calibration against DENW022/DENW208")
    qc = ws.run_qc()
    run = None
    if fit:
        echo("[4/7] heat and air models, hotspots, need index (workbench fit)")
        run = ws.fit(echo=lambda s: echo(f"      {s}"))
    echo("[5/7] green-budget proposals: ranking by need and budget allocations (workbench rank)")
    part = ws.import_participation([data / "proposals.csv", data / "votes.csv"])
    ranked_run, rank_warnings = rank_workspace(ws, echo=lambda s: echo(f"      {s}"))
    evaluation = None
    if fit and (data / "measures.csv").exists():
        echo(
            "[6/7] implemented measures: impact (workbench evaluate) and sensor plan (plan-sensors)"
        )
        import pandas as pd

        from workbench.evaluate import evaluate_workspace
        from workbench.measures import parse_measures, write_register
        from workbench.plan import plan_workspace

        write_register(
            ws.root,
            parse_measures((data / "measures.csv").read_bytes(), str(data / "measures.csv")),
            replace=True,
        )
        ev_run = evaluate_workspace(ws, echo=lambda s: echo(f"      {s}"))
        evaluation = pd.read_parquet(ev_run / "evaluation.parquet")
        plan_workspace(ws, k=6, echo=lambda s: echo(f"      {s}"))
    echo("[7/7] report for decision-makers and the static citizen site (report, publish)")
    from workbench.publish import publish_site
    from workbench.report import write_report

    files = write_report(ws)
    site = publish_site(ws, ws.root / "site")
    st = ws.status()
    echo("")
    echo(f"workspace   {ws.root.resolve()}")
    echo(f"areas       {st['areas']} Stadtteile (approximate boundaries)")
    echo(f"grid        {st['grid_cells']} cells of 100 m")
    echo(f"sensors     {len(st['sensors'])}")
    echo(
        f"readings    {report.added} stored, {report.duplicates} duplicates skipped, "
        f"{report.quarantined} quarantined"
    )
    for q, n in st["observations"].items():
        echo(f"  {q:<20} {n:>9}")
    echo(f"proposals   {part['proposals']} proposals, {part['voters']} voters (pseudonymised)")
    cal = qc.calibrations
    applied = cal[cal["applied"] & (cal["stage"] == "calibrated")] if not cal.empty else cal
    echo(
        f"qc          {qc.summary['passed']} of {qc.summary['readings']} readings passed; "
        + ", ".join(f"{k} {v}" for k, v in qc.summary["status"].items())
        + f" sensors; {len(applied)} calibrations applied"
    )
    if run is not None:
        for line in summary_lines(run):
            echo(line)
        truth = data / "truth" / "truth_cells.parquet"
        if truth.exists():
            for line in truth_lines(ws, truth):
                echo(line)
    if evaluation is not None:
        from workbench.evaluate import summary_lines as evaluation_lines

        echo("measures    impact of implemented measures (difference in differences):")
        for line in evaluation_lines(evaluation):
            echo(line)
        truth_json = data / "truth" / "truth.json"
        if truth_json.exists():
            import json

            for m in json.loads(truth_json.read_text(encoding="utf-8")).get("measures", []):
                echo(
                    f"truth       {m['measure_id']}: true effect {m['effect_k']:+.2f} K on "
                    f"{m['quantity']} (simulation)"
                )
    for w in rank_warnings:
        echo(f"warning     {w}")
    for line in rank_summary_lines(ranked_run)[1:]:
        echo(line)
    echo(f"report      {files.pdf.resolve()}")
    echo(f"            {files.html.resolve()}")
    echo(f"            {files.xlsx.resolve()}")
    echo(f"static site {(site / 'index.html').resolve()}")
    if serve:
        from workbench.serve import ServeSettings
        from workbench.serve import serve as serve_pages

        echo("dashboards  starting Voila (citizen and analyst pages); Ctrl-C stops")
        settings = ServeSettings.from_config(ws.config, port=port)
        tiles = ws.config.get("dashboard", {}).get("tiles") or None
        serve_pages(ws.root, settings, tiles=tiles, echo=lambda s: echo(f"            {s}"))
    echo("next        workbench status --workspace " + str(root))
    return ws


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
