"""``workbench participation``: one participation round (proposals and ballots)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.importers.limits import InputLimits, applied
from workbench.participation.store import import_round
from workbench.pipeline.result import StepResult
from workbench.workspace import Workspace


def named(items: list[str], most: int = 20) -> str:
    """At most ``most`` names, then how many more.

    >>> named(["a", "b", "c"], most=2)
    'a, b … and 1 more'
    """
    shown = ", ".join(str(i)[:80] for i in items[:most])
    return shown + (f" … and {len(items) - most:,} more" if len(items) > most else "")


def run(ws: Workspace, paths: Sequence[str | Path], *, format: str = "auto") -> StepResult:
    """Import a round (replacing the previous one); voters pseudonymised, no author data.

    ``summary`` is the round's meta (``proposals``, ``voters``, ``ballots``, ``budget``,
    ``placement``).
    """
    with applied(InputLimits.from_config(ws.config)):  # [import] limits hold here too
        meta = import_round(ws.root, paths, areas=ws.areas(), grid=ws.grid(), format=format)
    placed = meta["placement"]
    lines = [
        f"imported {meta['proposals']} proposals and {meta['ballots']} ballot lines of "
        f"{meta['voters']} voters (voter ids pseudonymised; e-mail addresses and phone numbers "
        "in the texts masked)",
        "placed      "
        + ", ".join(f"{placed.get(k, 0)} by {k}" for k in ("coordinates", "area"))
        + f", {placed.get('unplaced', 0)} unplaced",
    ]
    if meta.get("dropped_columns"):
        lines.append(
            "not stored  columns " + named(meta["dropped_columns"])
            + " (only the proposal fields of docs/ranking.md are kept)"
        )  # fmt: skip
    if meta.get("budget"):
        lines.append(f"budget      {meta['budget']:,.0f} (from the data)")
    return StepResult("participation", summary=meta, lines=lines)
