"""``workbench addresses``: the address list behind the citizen page's search box."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from workbench.addresses import read_addresses, within_box
from workbench.errors import InputError
from workbench.pipeline.result import StepResult
from workbench.workspace import Workspace

MARGIN_M = 2000.0


def run(ws: Workspace, path: str | Path, *, margin_m: float = MARGIN_M) -> StepResult:
    """Read an address file and make it the workspace's address list (replacing the old one).

    Addresses outside the districts' bounding box widened by ``margin_m`` are dropped and
    counted. The list is written to ``WORKSPACE/addresses.parquet`` through a temporary
    file and ``os.replace``: a bad file leaves the previous list as it was. ``detail`` is
    the stored DataFrame; ``summary`` and ``attrs["source"]`` of the stored file name the
    file, its SHA-256 and the counts.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    df = read_addresses(p)
    areas = ws.areas()
    warnings = []
    if areas is None or areas.empty:
        keep = np.ones(len(df), dtype=bool)
        warnings.append("the workspace has no districts: no address was checked for its place")
    else:
        keep = within_box(df, areas, margin_m).to_numpy()
    kept = df[keep].reset_index(drop=True)
    dropped = int(len(df) - len(kept))
    if kept.empty:
        raise InputError(
            f"{p}: none of the {len(df)} addresses lies within {margin_m / 1000:g} km of the "
            "workspace's districts (another city's file?)"
        )
    summary = {
        "file": str(p),
        "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        "read": len(df),
        "stored": len(kept),
        "dropped_outside": dropped,
        "streets": int(kept["street"].nunique()),
        "postcodes": int(kept["postcode"].nunique()),
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    ws.set_addresses(kept, summary)
    lines = [
        f"addresses   {len(kept):,} stored ({summary['streets']:,} streets, "
        f"{summary['postcodes']} postcodes) from {p}",
    ]
    if dropped:
        lines.append(
            f"dropped     {dropped:,} addresses more than {margin_m / 1000:g} km outside the "
            "districts' bounding box"
        )
    return StepResult(
        "addresses",
        files={"addresses": ws.addresses_path},
        warnings=warnings,
        summary=summary,
        lines=lines,
        detail=kept,
    )
