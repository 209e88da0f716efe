"""Participation data in a workspace: ``WORKSPACE/participation/current/``.

One import is one process round: the files given together (proposals and ballots,
or one pabulib file holding both) replace the previous round as a whole. The round
is written to a new directory and made current by swapping a link (see
:mod:`workbench.rundir`); a failed import leaves the previous round in place.

Stored: ``proposals.parquet`` (canonical columns, placement, no personal columns),
``ballots.parquet`` (pseudonymous ``voter_id``, ``proposal_id``, ``points``),
``meta.json`` (sources, budget, vote type, counts; no voter ids).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.participation import read
from workbench.participation.placement import place
from workbench.participation.privacy import pseudonymise, workspace_secret
from workbench.participation.table import Participation, ParticipationError, mask_contacts
from workbench.rundir import prune_runs, publish_run

KEEP_ROUNDS = 3


def base(root: Path) -> Path:
    return Path(root) / "participation"


def combine(parts: Sequence[Participation]) -> Participation:
    """Merge what several files of one round hold (proposals from some, ballots from others)."""
    props = [p.proposals for p in parts if len(p.proposals)]
    if not props:
        raise ParticipationError("no proposals among the files (only ballots?)")
    proposals = pd.concat(props, ignore_index=True)
    dup = proposals["proposal_id"].duplicated()
    if dup.any():
        raise ParticipationError(
            f"proposal_id {proposals.loc[dup, 'proposal_id'].iloc[0]!r} appears in two files"
        )
    ballots = pd.concat(
        [p.ballots for p in parts if len(p.ballots)] or [parts[0].ballots], ignore_index=True
    )
    meta: dict[str, Any] = {"sources": [p.meta.get("source") for p in parts]}
    meta["dropped_columns"] = sorted(
        {c for p in parts for c in p.proposals.attrs.get("dropped_columns", [])}
    )
    for p in parts:
        for k in ("budget", "vote_type", "currency", "platform", "voters", "description"):
            if k in p.meta and k not in meta:
                meta[k] = mask_contacts(p.meta[k])
    meta["all_voter_ids"] = next(
        (p.meta["voter_ids"] for p in parts if p.meta.get("voter_ids")), None
    )
    return Participation(proposals=proposals, ballots=ballots, meta=meta)


def import_round(
    root: Path,
    paths: Sequence[str | Path],
    *,
    areas: pd.DataFrame | None,
    grid: pd.DataFrame | None,
    format: str = "auto",
) -> dict[str, Any]:
    """Read, check, pseudonymise, place and store one round; returns a summary."""
    parts = [read(p, format=format) for p in paths]
    round_ = combine(parts)
    props, ballots = round_.proposals, round_.ballots
    known = set(props["proposal_id"])
    unknown = ~ballots["proposal_id"].isin(known)
    if unknown.any():
        raise ParticipationError(
            f"ballots name proposal {ballots.loc[unknown, 'proposal_id'].iloc[0]!r}, "
            "which no proposal file contains"
        )
    secret = workspace_secret(root)
    ballots = ballots.assign(voter_id=pseudonymise(ballots["voter_id"], secret))
    counts = ballots.groupby("proposal_id")["points"].sum()
    if len(ballots):
        props["votes_ballots"] = props["proposal_id"].map(counts).fillna(0.0)
        props["votes"] = props["votes"].fillna(props["votes_ballots"])
    placed = place(props, areas, grid)
    ids = round_.meta.pop("all_voter_ids", None)
    n_voters = len(set(ids)) if ids else int(ballots["voter_id"].nunique())
    meta = {
        **{k: v for k, v in round_.meta.items() if k != "voter_ids"},
        "proposals": len(placed),
        "ballots": len(ballots),
        "voters": n_voters,
        "placement": placed["placement"].value_counts().to_dict(),
    }

    def write(tmp: Path) -> None:
        placed.to_parquet(tmp / "proposals.parquet", index=False)
        ballots.to_parquet(tmp / "ballots.parquet", index=False)
        (tmp / "meta.json").write_text(
            json.dumps(meta, indent=1, ensure_ascii=False, default=str), encoding="utf-8"
        )

    run = publish_run(base(root), "current", write)
    prune_runs(base(root), KEEP_ROUNDS, run)
    return meta


def load(root: Path) -> Participation | None:
    """The current round, or None before the first import."""
    cur = base(root) / "current"
    if not cur.exists():
        return None
    return Participation(
        proposals=pd.read_parquet(cur / "proposals.parquet"),
        ballots=pd.read_parquet(cur / "ballots.parquet"),
        meta=json.loads((cur / "meta.json").read_text(encoding="utf-8")),
    )
