"""The figures of one run, computed once: the single source for every output.

``fit`` and ``rank`` write ``summary.json`` into the run they create
(:func:`write_run_summary`); the report (PDF, HTML, workbook), both citizen pages and the
command line read it with :func:`load_run_summary`, so no two outputs can show different
counts, shares or sums. The summary holds numbers and ids only, no sentences: every output
words them in its reader's language.

>>> s = run_summary({"coverage": {"sensors_with_position": 3}}, None, None, None, None, None)
>>> s["sensors"]["with_position"], s["budget"]
(3, None)
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

SUMMARY_FILE = "summary.json"
VERSION = 1
# the allocation the workbench recommends and the one it is compared with
RECOMMENDED = ("equal_shares_need", "need_optimal")
BASELINE = "votes_greedy"
TOP = 3  # districts and proposals named in the summary


def _num(v: Any) -> float | None:
    """A finite float, or ``None`` (JSON has no NaN)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _names(areas: pd.DataFrame | None) -> dict[str, str]:
    if areas is None or "area_id" not in areas or "name" not in areas:
        return {}
    return {str(a): str(n) for a, n in zip(areas["area_id"], areas["name"], strict=True)}


def heat_summary(
    metrics: dict[str, Any], area_res: pd.DataFrame | None, names: dict[str, str]
) -> dict[str, Any] | None:
    """Sensors in the heat model, the warmest districts, hotspot share and CV error."""
    h = metrics.get("heat", {})
    if h.get("status") != "ok":
        return None
    warmest = []
    if area_res is not None and "heat_uhi_k" in area_res:
        top = area_res.dropna(subset=["heat_uhi_k"]).nlargest(TOP, "heat_uhi_k")
        warmest = [
            {"area_id": str(r.area_id), "name": names.get(str(r.area_id), str(r.area_id)),
             "uhi_k": _num(r.heat_uhi_k)}
            for r in top.itertuples()
        ]  # fmt: skip
    cells = metrics.get("coverage", {}).get("grid_cells") or 0
    hot = metrics.get("hotspots", {}).get("heat", {}).get("hotspot_cells")
    cv = h.get("cv", {}).get("loso", {}).get("regression_kriging", {})
    return {
        "n_sensors": int(h["n_sensors"]),
        "warmest": warmest,
        "hotspot_cells": None if hot is None else int(hot),
        "hotspot_share": _num(hot / cells) if hot is not None and cells else None,
        "cv_rmse_k": _num(cv.get("rmse")),
    }


def air_summary(metrics: dict[str, Any]) -> dict[str, Any] | None:
    """PM2.5 sensors of the surface, how many exceed the WHO guideline and the EU limit."""
    a = metrics.get("air", {}).get("pm2_5", {})
    if a.get("status") != "ok":
        return None
    std = metrics.get("air", {}).get("standards", {}).get("pm2_5", {})
    return {
        "n_sensors": int(a["n_sensors"]),
        "over_who": int(a["sensors_over_who_annual"]),
        "over_eu": int(a["sensors_over_eu_annual"]),
        "who_limit": _num(std.get("who_annual")),
        "eu_limit": _num(std.get("eu_annual")),
    }


def need_summary(
    metrics: dict[str, Any], area_res: pd.DataFrame | None, names: dict[str, str]
) -> dict[str, Any] | None:
    """The districts with the highest need index."""
    ranking = metrics.get("need", {}).get("area_ranking", [])[:TOP]
    if not ranking:
        return None
    value = {}
    if area_res is not None and "need_index" in area_res:
        value = dict(zip(area_res["area_id"].astype(str), area_res["need_index"], strict=True))
    return {
        "top": [
            {"area_id": str(a), "name": names.get(str(a), str(a)), "need_index": _num(value.get(a))}
            for a in ranking
        ]
    }


def _method_row(row: pd.Series) -> dict[str, Any]:
    return {
        "funded": int(row["funded"]),
        "spent_eur": _num(row["spent_eur"]),
        "to_hotspots_eur": _num(row.get("to_hotspots_eur")),
        "to_hotspots_share": _num(row["to_hotspots_share"]),
        "voters_share": _num(row["voters_with_funded_project_share"]),
        "need_at_funded_sites": _num(row.get("need_at_funded_sites")),
    }


def budget_summary(
    props: pd.DataFrame,
    alloc: pd.DataFrame,
    alloc_summary: pd.DataFrame,
    districts: pd.DataFrame | None,
    names: dict[str, str],
) -> dict[str, Any] | None:
    """The recommended allocation against votes alone: methods, funded list, districts."""
    s = alloc_summary.set_index("method")
    recommended = next((m for m in RECOMMENDED if m in s.index), None)
    if recommended is None:
        return None
    sel = alloc[(alloc["method"] == recommended) & alloc["selected"].astype(bool)]
    funded = props[props["proposal_id"].isin(sel["proposal_id"])].sort_values("rank")
    out: dict[str, Any] = {
        "budget_eur": _num(s["budget_eur"].iloc[0]),
        "recommended": recommended,
        "baseline": BASELINE if BASELINE in s.index else None,
        "methods": {str(m): _method_row(r) for m, r in s.iterrows()},
        "funded": [
            {
                "proposal_id": str(r.proposal_id),
                "rank": int(r.rank),
                "title": str(r.title),
                "area_id": None if pd.isna(r.area_id) else str(r.area_id),
                "cost_eur": _num(r.cost_eur),
                "votes": _num(r.votes),
            }
            for r in funded.itertuples()
        ],
        "districts": [],
    }
    if districts is not None and not districts.empty:
        wide = districts.pivot_table(index="area_id", columns="method", values="eur", aggfunc="sum")
        base = out["baseline"]
        for a, r in wide.iterrows():
            out["districts"].append(
                {"area_id": str(a), "name": names.get(str(a), str(a)),
                 "baseline_eur": _num(r.get(base)) if base else None,
                 "recommended_eur": _num(r.get(recommended))}
            )  # fmt: skip
    return out


def run_summary(
    metrics: dict[str, Any],
    area_res: pd.DataFrame | None,
    areas: pd.DataFrame | None,
    props: pd.DataFrame | None,
    alloc: pd.DataFrame | None,
    alloc_summary: pd.DataFrame | None,
    districts: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Every figure a summary of the run shows, as numbers and ids.

    Parameters
    ----------
    metrics : ``metrics.json`` of the run
    area_res : per-district results (``areas.parquet`` of the run)
    areas : district polygons with ``area_id`` and ``name``
    props, alloc, alloc_summary, districts : the ranking and allocation tables (``None``
        for a run without participation data)
    """
    names = _names(areas)
    budget = None
    if props is not None and alloc is not None and alloc_summary is not None:
        budget = budget_summary(props, alloc, alloc_summary, districts, names)
        if budget is not None:
            budget["need_share"] = _num(metrics.get("ranking", {}).get("need_share", 0.3))
            budget["voters"] = metrics.get("ranking", {}).get("voters")
    heat = heat_summary(metrics, area_res, names)
    air = air_summary(metrics)
    period = metrics.get("heat", {}).get("period")
    days = None
    if period:
        span = pd.Timestamp(period[1]) - pd.Timestamp(period[0])
        days = round(span / pd.Timedelta(days=1))
    return {
        "version": VERSION,
        "simulated": bool(metrics.get("simulated")),
        "period": {"start": period[0], "end": period[1], "days": days} if period else None,
        "sensors": {
            "with_position": metrics.get("coverage", {}).get("sensors_with_position"),
            "heat_model": heat["n_sensors"] if heat else None,
            "air_model": air["n_sensors"] if air else None,
        },
        "heat": heat,
        "air": air,
        "need": need_summary(metrics, area_res, names),
        "proposals": None
        if props is None
        else {
            "n": len(props),
            "leading": [
                {"proposal_id": str(r.proposal_id), "rank": int(r.rank), "title": str(r.title)}
                for r in props.sort_values("rank").head(TOP).itertuples()
            ],
        },
        "budget": budget,
    }


def _table(run: Path, name: str) -> pd.DataFrame | None:
    f = run / f"{name}.parquet"
    return pd.read_parquet(f) if f.exists() else None


def compute_run_summary(run: str | Path, areas: pd.DataFrame | None) -> dict[str, Any]:
    """:func:`run_summary` from the tables of a run directory."""
    run = Path(run)
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    return run_summary(
        metrics,
        _table(run, "areas"),
        areas,
        _table(run, "proposals"),
        _table(run, "allocation"),
        _table(run, "allocation_summary"),
        _table(run, "allocation_districts"),
    )


def write_run_summary(run: str | Path, areas: pd.DataFrame | None) -> dict[str, Any]:
    """Compute the summary of a run being written and store it as ``summary.json``."""
    from workbench.rundir import write_json

    summary = compute_run_summary(run, areas)
    write_json(Path(run) / SUMMARY_FILE, summary)
    return summary


def load_run_summary(run: str | Path, areas: pd.DataFrame | None = None) -> dict[str, Any]:
    """The run's ``summary.json``; for a run written before it existed, computed now."""
    f = Path(run) / SUMMARY_FILE
    if f.exists():
        data = json.loads(f.read_text(encoding="utf-8"))
        if data.get("version") == VERSION:
            return data
    return compute_run_summary(run, areas)
