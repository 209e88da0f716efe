"""``workbench status``: store, sensors, quarantine, QC, ingest, participation, monitoring."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from workbench import query
from workbench.ingest.status import ingest_status
from workbench.pipeline import monitor
from workbench.pipeline.result import StepResult
from workbench.run_summary import load_run_summary
from workbench.workspace import Workspace


def _sensor_rows(sensors: pd.DataFrame, health: pd.DataFrame) -> list[dict[str, Any]]:
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
                "reasons": (str(h["reasons"]).split(";") if h is not None and h["reasons"] else []),
                "flagged_share": round(float(h["flagged_share"]), 4) if h is not None else None,
            }
        )
    return rows


def _participation(ws: Workspace) -> dict[str, Any] | None:
    cur = ws.root / "participation" / "current" / "meta.json"
    if not cur.exists():
        return None
    m = json.loads(cur.read_text(encoding="utf-8"))
    return {k: m.get(k) for k in ("proposals", "voters", "ballots", "budget", "placement")}


def _qc(qc: dict[str, Any] | None) -> dict[str, Any] | None:
    if qc is None:
        return None
    keys = ("computed_at", "as_of", "stale", "readings", "passed", "status", "calibrated_sensors")
    return {k: qc.get(k) for k in keys}


def status(ws: Workspace) -> dict[str, Any]:
    """A JSON-ready summary: counts per quantity, sensors, quarantine, store size, runs."""
    snap = ws.snapshot()
    qc = ws.qc_state()
    health = ws.health() if qc else pd.DataFrame(columns=["sensor_id"])
    q = snap.quarantine()
    latest = ws.latest_run()
    return {
        "workspace": str(ws.root),
        "store_version": snap.version,
        "store_bytes": ws.store.size_bytes(),
        "observations": snap.observation_counts(),
        "sensors": _sensor_rows(query.sensor_summary(snap), health),
        "quarantine": snap.quarantine_count(),
        "quarantine_reasons": q["reason"].value_counts().head(10).to_dict() if not q.empty else {},
        "imports": len(snap.manifest["imports"]),
        "areas": 0 if ws.areas() is None else len(ws.areas()),
        "grid_cells": 0 if ws.grid() is None else len(ws.grid()),
        "latest_run": str(latest) if latest else None,
        # the run's figures, the same summary.json the report and the citizen pages show
        "results": load_run_summary(latest, ws.areas()) if latest else None,
        "participation": _participation(ws),
        "simulated": bool(ws.config["workspace"].get("simulated", False)),
        "ingest": ingest_status(ws.root, snap),
        "qc": _qc(qc),
    }


def _store_lines(st: dict[str, Any]) -> list[str]:
    out = [
        f"workspace   {st['workspace']}" + ("  (SIMULATED demo data)" if st["simulated"] else ""),
        f"store       version {st['store_version']}, {st['store_bytes'] / 1e6:.1f} MB, "
        f"{st['imports']} imports",
        f"geodata     {st['areas']} areas, {st['grid_cells']} grid cells",
        f"observations {sum(st['observations'].values())}",
    ]
    out += [f"  {q:<20} {n:>12}" for q, n in st["observations"].items()]
    out.append(f"quarantine  {st['quarantine']}")
    out += [f"  {n:>8}  {reason}" for reason, n in st["quarantine_reasons"].items()]
    out.append(f"sensors     {len(st['sensors'])}")
    if st["sensors"]:
        out.append(f"  {'sensor':<28} {'last seen (UTC)':<26} {'complete':>8}  {'status':<9} area")
    for s in st["sensors"]:
        why = f"  ({', '.join(s['reasons'])})" if s["reasons"] else ""
        out.append(
            f"  {s['sensor_id']:<28} {s['last_seen'] or '-':<26} "
            f"{s['completeness']:>8.1%}  {s['status']:<9} {s['area_id'] or '-'}{why}"
        )
    return out


def _qc_lines(qc: dict[str, Any] | None) -> list[str]:
    if not qc:
        return ["qc          never run (workbench qc)"]
    counts = ", ".join(f"{k} {v}" for k, v in (qc["status"] or {}).items())
    return [
        f"qc          {qc['computed_at']}{'  (STALE: run workbench qc)' if qc['stale'] else ''}"
        f"; {qc['passed']} of {qc['readings']} readings passed; sensors: {counts}"
    ]


def _ingest_lines(ing: dict[str, Any] | None) -> list[str]:
    if not ing:
        return []
    c = ing["counters"]
    svc = ing.get("service") or {}
    state = (
        "running, connected"
        if svc.get("connected")
        else ("running, NOT connected" if svc.get("running") else "not running")
    )
    lag = ing.get("lag_s") or {}
    out = [
        f"ingest      {state}" + (f"  {svc['broker']}" if svc.get("broker") else ""),
        f"  received {c.get('received', 0)}, stored {c.get('stored', 0)}, "
        f"duplicates {c.get('duplicates', 0)}, quarantined {c.get('quarantined', 0)}, "
        f"gaps {c.get('gaps', 0)}",
        f"  last message {ing.get('last_message_at') or '-'}, "
        f"lag median {lag.get('median', float('nan')):.1f} s, "
        f"max {lag.get('max', float('nan')):.1f} s",
    ]
    out += [f"  {n:>8} frames missing  {dev}" for dev, n in ing.get("devices_with_gaps", [])[:5]]
    return out


def _participation_lines(pt: dict[str, Any] | None) -> list[str]:
    if not pt:
        return []
    return [
        f"participation {pt['proposals']} proposals, {pt['voters']} voters "
        f"({pt['placement'].get('unplaced', 0)} proposals unplaced)"
    ]


def _result_lines(res: dict[str, Any] | None) -> list[str]:
    """The latest run's headline figures (those of the report's first page)."""
    if not res:
        return []
    out = []
    if res.get("heat"):
        h = res["heat"]
        share = h.get("hotspot_share")
        out.append(
            f"  heat        {h['n_sensors']} sensors"
            + (f", {share:.0%} of the city in hotspots" if share is not None else "")
            + (f", CV RMSE {h['cv_rmse_k']:.2f} K" if h.get("cv_rmse_k") is not None else "")
        )
    if res.get("air"):
        a = res["air"]
        out.append(
            f"  air         {a['n_sensors']} PM2.5 sensors, {a['over_who']} over the WHO "
            f"guideline, {a['over_eu']} over the EU limit from 2030"
        )
    b = res.get("budget")
    if b:
        m = b["methods"][b["recommended"]]
        out.append(
            f"  budget      {b['recommended']} funds {m['funded']} proposals, "
            f"{m['spent_eur']:,.0f} of {b['budget_eur']:,.0f} EUR"
        )
    return out


def run(ws: Workspace) -> StepResult:
    """The workspace's state; ``summary`` is :func:`status` plus ``monitoring`` after a QC."""
    st = status(ws)
    mon_lines: list[str] = []
    if st["qc"] is not None:
        mon = monitor.run(ws)
        st["monitoring"] = mon.summary
        mon_lines = mon.lines
    lines = (
        _store_lines(st)
        + _qc_lines(st["qc"])
        + _ingest_lines(st.get("ingest"))
        + _participation_lines(st.get("participation"))
        + mon_lines
        + [f"latest run  {st['latest_run'] or '-'}"]
        + _result_lines(st.get("results"))
    )
    return StepResult("status", summary=st, lines=lines)
