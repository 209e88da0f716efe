"""``workbench measures``: register built measures (files, or proposals marked built)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from workbench.errors import InputError
from workbench.measures import from_proposals, parse_measures, write_register
from workbench.pipeline.result import StepResult
from workbench.workspace import Workspace


def run(
    ws: Workspace,
    files: Sequence[str | Path] = (),
    *,
    built: Mapping[str, str] | None = None,
    replace: bool = False,
) -> StepResult:
    """Add measures to the register (``replace``: start it anew).

    ``files`` are measure CSV/GeoJSON files; ``built`` maps proposal ids of the imported
    round to their build date (``YYYY-MM-DD``). ``detail`` is the whole register.
    """
    parts = []
    for f in map(Path, files):
        if not f.exists():
            raise InputError(f"{f}: no such file")
        parts.append(parse_measures(f.read_bytes(), str(f)))
    if built:
        part = ws.participation()
        if part is None:
            raise InputError(f"{ws.root}: no participation data to take proposals from")
        parts.append(from_proposals(part.proposals, dict(built)))
    if not parts:
        raise InputError("give measure files or --proposal ID=DATE")
    reg = write_register(ws.root, pd.concat(parts, ignore_index=True), replace=replace)
    lines = [f"measures    {len(reg)} registered"]
    lines += [
        f"  {r.measure_id:<10} {r.category:<12} built {r.built_on}  radius {r.radius_m:.0f} m"
        for r in reg.itertuples()
    ]
    return StepResult("measures", summary={"registered": len(reg)}, lines=lines, detail=reg)
