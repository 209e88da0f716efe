"""What changed since the previous computation: new or lost sensors, hotspots that moved,
and proposals whose rank moved by 3 or more places.

The previous computation is the newest earlier run of the workspace whose fit or ranking
differs from the current one. Steps such as ``evaluate`` copy a run without changing
either, and a fit not yet ranked is only a step on the way to the current computation
when the current one ranks that same fit: both are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.i18n import fmt_datetime, fmt_int, fmt_pct, t, tf
from workbench.present.report.tables import Section, Table, area_names

MOVED = 3  # a rank change of at least this many places is reported
HOTSPOT_POINTS = 0.10  # a district's hotspot share changing by this much is reported


def _stamp(run: Path) -> tuple[Any, Any] | None:
    f = run / "metrics.json"
    if not f.exists():
        return None
    m = json.loads(f.read_text(encoding="utf-8"))
    return m.get("finished_at"), m.get("ranking", {}).get("ranked_at")


def previous_run(run: Path) -> Path | None:
    """The newest run beside ``run`` (older by name) that is another computation.

    A run counts when its fit or its ranking differs from ``run``'s; the same fit without
    a ranking is the step before ``run``'s own ranking and does not count.
    """
    here = _stamp(run)
    if here is None:
        return None

    def other(stamp: tuple[Any, Any] | None) -> bool:
        if stamp is None or stamp == here:
            return False
        return not (stamp[0] == here[0] and stamp[1] is None)

    runs = [p for p in run.parent.iterdir() if p.is_dir() and not p.is_symlink()]
    older = sorted((p for p in runs if p.name < run.name), reverse=True)
    return next((p for p in older if other(_stamp(p))), None)


def _ids(run: Path, name: str, col: str) -> set[str]:
    f = run / f"{name}.parquet"
    return set(pd.read_parquet(f, columns=[col])[col].astype(str)) if f.exists() else set()


def moved_proposals(before: pd.DataFrame, after: pd.DataFrame, places: int = MOVED) -> pd.DataFrame:
    """Proposals in both rankings whose rank moved by at least ``places``, largest first.

    >>> b = pd.DataFrame({"proposal_id": ["a", "b", "c"], "rank": [1, 2, 3], "title": list("ABC")})
    >>> a = pd.DataFrame({"proposal_id": ["a", "b", "c"], "rank": [3, 2, 1], "title": list("ABC")})
    >>> moved_proposals(b, a, places=2)[["proposal_id", "rank_before", "rank"]].values.tolist()
    [['c', 3, 1], ['a', 1, 3]]
    """
    m = after[["proposal_id", "title", "rank"]].merge(
        before[["proposal_id", "rank"]].rename(columns={"rank": "rank_before"}), on="proposal_id"
    )
    m["moved"] = m["rank"] - m["rank_before"]
    m = m[m["moved"].abs() >= places]
    m = m.assign(size=m["moved"].abs()).sort_values(["size", "rank"], ascending=[False, True])
    return m.drop(columns="size").reset_index(drop=True)


def hotspot_changes(before: pd.DataFrame, after: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Districts whose ``<kind>_hotspot_share`` changed by :data:`HOTSPOT_POINTS` or more."""
    col = f"{kind}_hotspot_share"
    if col not in before or col not in after:
        return pd.DataFrame(columns=["area_id", "before", "after"])
    m = before[["area_id", col]].merge(after[["area_id", col]], on="area_id", suffixes=("_b", "_a"))
    m = m.rename(columns={f"{col}_b": "before", f"{col}_a": "after"})
    return m[(m["after"] - m["before"]).abs() >= HOTSPOT_POINTS].reset_index(drop=True)


def changes_section(run: Path, areas: pd.DataFrame | None, lang: str) -> Section | None:
    """The section, or ``None`` when the workspace has no earlier computation."""
    prev = previous_run(run)
    if prev is None:
        return None
    names = area_names(areas)
    finished = _stamp(prev)[0]
    when = fmt_datetime(finished, lang) if finished else prev.name
    paragraphs = [tf("changes_since", lang, run=when)]
    new = sorted(_ids(run, "sensors", "sensor_id") - _ids(prev, "sensors", "sensor_id"))
    lost = sorted(_ids(prev, "sensors", "sensor_id") - _ids(run, "sensors", "sensor_id"))
    paragraphs.append(
        tf("changes_sensors", lang, new=fmt_int(len(new), lang), lost=fmt_int(len(lost), lang))
    )
    if (run / "areas.parquet").exists() and (prev / "areas.parquet").exists():
        b, a = pd.read_parquet(prev / "areas.parquet"), pd.read_parquet(run / "areas.parquet")
        for kind in ("heat", "air"):
            ch = hotspot_changes(b, a, kind)
            if ch.empty:
                continue
            items = "; ".join(
                f"{names.get(r.area_id, r.area_id)} "
                f"{fmt_pct(r.before, lang)} → {fmt_pct(r.after, lang)}"
                for r in ch.itertuples()
            )
            paragraphs.append(tf(f"changes_hotspots_{kind}", lang, items=items))
    tables = []
    if (run / "proposals.parquet").exists() and (prev / "proposals.parquet").exists():
        moved = moved_proposals(
            pd.read_parquet(prev / "proposals.parquet"), pd.read_parquet(run / "proposals.parquet")
        )
        paragraphs.append(tf("changes_moved", lang, n=len(moved), places=MOVED))
        if not moved.empty:
            frame = pd.DataFrame(
                {
                    t("proposal_no", lang): moved["proposal_id"].astype(str).to_numpy(),
                    t("proposal", lang): moved["title"].astype(str).to_numpy(),
                    t("changes_rank_before", lang): moved["rank_before"].to_numpy(int),
                    t("changes_rank_now", lang): moved["rank"].to_numpy(int),
                }
            )
            fmts = dict(zip(frame.columns, ("text", "text", "int", "int"), strict=True))
            tables.append(Table("moved", t("changes_moved_title", lang), frame, fmts))
    return Section("changes", t("changes", lang), paragraphs, tables)
