"""``workbench rank``: proposals ranked by need and the budget allocations, as a new run.

The new run holds everything of ``results/latest`` (cells, areas, sensors, metrics)
plus ``proposals.parquet``, ``allocation.parquet``, ``allocation_summary.parquet`` and
``allocation_districts.parquet``, and a ``ranking`` section in ``metrics.json``. It is
published like a fit (``results/latest`` swaps only when it is complete). A workspace
with participation data but no fit yet gets the vote-based allocations only, and a
warning says why.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.allocation.compare import allocate
from workbench.errors import InputError
from workbench.models.need import DEFAULT_WEIGHTS, check_weights
from workbench.models.ranking import effect_table, rank_proposals
from workbench.pipeline.result import Echo, StepResult, quiet
from workbench.privacy import RUN_PROPOSAL_COLUMNS, public_proposals
from workbench.run_summary import write_run_summary
from workbench.rundir import carry_over, jsonable, publish_run, write_json
from workbench.workspace import Workspace

# tables this step writes; every other table of the latest run is carried over
RANK_TABLES = {"proposals", "allocation", "allocation_summary", "allocation_districts"}


def resolve_budget(cli_budget: float | None, meta: dict[str, Any], cfg: dict[str, Any]) -> float:
    """``--budget``, else the participation data's budget (e.g. pabulib META), else config."""
    for value, where in (
        (cli_budget, "--budget"),
        (meta.get("budget"), "the participation data"),
        (cfg.get("budget", {}).get("total_eur"), "workbench.toml [budget] total_eur"),
    ):
        if value is not None:
            try:
                b = float(value)
            except (TypeError, ValueError):
                raise InputError(f"budget from {where} must be a number, got {value!r}") from None
            if b <= 0:
                raise InputError(f"budget from {where} must be positive, got {b}")
            return b
    raise InputError("no budget: pass --budget or set [budget] total_eur in workbench.toml")


def run(ws: Workspace, *, budget: float | None = None, echo: Echo = quiet) -> StepResult:
    """Rank proposals by need and compare the budget allocations, as a new results run.

    ``summary`` holds the ``ranking`` section of ``metrics.json``.
    """
    part = ws.participation()
    if part is None:
        raise InputError(
            f"{ws.root}: no participation data; import it with "
            f"workbench participation --workspace {ws.root} FILE..."
        )
    cfg = ws.config
    with ws.setting_errors():
        weights = check_weights(cfg.get("need", {}).get("weights", DEFAULT_WEIGHTS))
        effects = effect_table(cfg.get("ranking", {}).get("effects"))
    alloc_cfg = cfg.get("allocation", {})
    need_cfg = cfg.get("need", {})
    seed = int(cfg.get("model", {}).get("seed", 0))
    b = resolve_budget(budget, part.meta, cfg)
    latest = ws.latest_run()
    warnings: list[str] = []
    cells = None
    if latest is not None and (latest / "cells.parquet").exists():
        cells = pd.read_parquet(latest / "cells.parquet")
        if "need_index" not in cells:
            cells = None
    if cells is None:
        warnings.append(
            "no sensor results (run `workbench fit`): proposals are ranked by votes and only "
            "the vote-based allocations are computed; need-based columns stay empty"
        )
    unplaced = int((part.proposals["placement"] == "unplaced").sum())
    if unplaced and cells is not None:
        warnings.append(f"{unplaced} proposals could not be placed on the map; they rank last")
    echo("ranking proposals by need (with rank intervals)")
    ranked = rank_proposals(
        part.proposals,
        cells,
        weights=weights,
        effects=effects,
        draws=int(need_cfg.get("draws", 500)),
        concentration=float(need_cfg.get("concentration", 20.0)),
        seed=seed,
    )
    echo("allocating the budget (votes, need-optimal, Equal Shares, need-informed Equal Shares)")
    need_share = float(alloc_cfg.get("need_share", 0.3))
    alloc, summary, districts = allocate(
        ranked,
        part.ballots,
        b,
        n_voters=int(part.meta.get("voters") or 0),
        need_share=need_share,
        district_min_share=alloc_cfg.get("district_min_share") or None,
        district_max_share=alloc_cfg.get("district_max_share") or None,
        category_cap=alloc_cfg.get("category_cap") or None,
        increment=float(alloc_cfg.get("increment", 1.0)),
    )
    if part.ballots.empty:
        warnings.append("no ballots: Equal Shares needs individual ballots and was left out")
    public = public_proposals(ranked, RUN_PROPOSAL_COLUMNS)
    metrics: dict[str, Any] = {}
    if latest is not None and (latest / "metrics.json").exists():
        metrics = json.loads((latest / "metrics.json").read_text(encoding="utf-8"))
    metrics["ranking"] = {
        "ranked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "budget_eur": b,
        "proposals": len(ranked),
        "voters": int(part.meta.get("voters") or 0),
        "need_based": cells is not None,
        "need_share": need_share,
        "weights": weights,
        "effects": effects.to_dict("records"),
        "warnings": warnings,
        "summary": summary.to_dict("records"),
        "participation_sources": part.meta.get("sources"),
    }

    def write(tmp: Path) -> None:
        carry_over(latest, tmp, RANK_TABLES)
        public.to_parquet(tmp / "proposals.parquet", index=False)
        alloc.to_parquet(tmp / "allocation.parquet", index=False)
        summary.to_parquet(tmp / "allocation_summary.parquet", index=False)
        districts.to_parquet(tmp / "allocation_districts.parquet", index=False)
        write_json(tmp / "metrics.json", metrics)
        write_run_summary(tmp, ws.areas())

    echo("writing the run")
    run_dir = publish_run(ws.root / "results", "latest", write)
    return StepResult(
        "rank",
        run=run_dir,
        warnings=warnings,
        summary=jsonable(metrics["ranking"]),
        lines=summary_lines(run_dir),
    )


def summary_lines(run: Path) -> list[str]:
    """The allocation comparison as text."""
    s = pd.read_parquet(run / "allocation_summary.parquet")
    p = pd.read_parquet(run / "proposals.parquet")
    lines = [f"run         {run}", f"proposals   {len(p)} ranked"]
    for r in p.head(5).itertuples():
        lines.append(f"  {r.rank:>3}. {r.title}")
    lines.append(
        f"{'method':<20} {'funded':>6} {'spent €':>12} {'to hotspots':>11} {'voters served':>13}"
    )
    for r in s.itertuples():
        lines.append(
            f"{r.method:<20} {r.funded:>6} {r.spent_eur:>12,.0f} {r.to_hotspots_share:>11.0%} "
            f"{r.voters_with_funded_project_share:>13.0%}"
        )
    return lines
