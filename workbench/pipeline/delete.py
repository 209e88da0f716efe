"""``workbench delete``: remove readings an analyst judges wrong, atomically and logged."""

from __future__ import annotations

from datetime import datetime

from workbench.errors import InputError
from workbench.pipeline.result import StepResult
from workbench.query import utc_timestamp
from workbench.workspace import Workspace


def run(
    ws: Workspace,
    sensor: str,
    *,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    quantity: str | None = None,
    reason: str = "",
) -> StepResult:
    """Delete one sensor's readings in ``[start, end)`` (all of them without bounds).

    One transaction: the store shows all of the deletion or none of it. The manifest
    keeps a log entry (who asked is the operator's business; when, what, how many rows,
    the reason given). QC runs again on the next read, since the store changed.
    ``summary["rows"]`` is the number of readings removed.
    """
    s, e = utc_timestamp(start, "start"), utc_timestamp(end, "end")
    if s is not None and e is not None and e <= s:
        raise InputError(f"--end {end} is not after --start {start}")
    known = set(ws.sensors()["sensor_id"].astype(str))
    if sensor not in known:
        raise InputError(f"{ws.root}: no sensor {sensor!r} in the store")
    with ws.store.transaction() as tx:
        n = tx.delete_readings(
            sensor,
            s.to_pydatetime() if s is not None else None,
            e.to_pydatetime() if e is not None else None,
            quantity,
            reason=reason,
        )
    span = f" from {start or 'the first'} to {end or 'the last'} reading"
    what = f" of {quantity}" if quantity else ""
    warnings = [] if n else [f"no readings of {sensor}{what}{span}: nothing deleted"]
    return StepResult(
        "delete",
        summary={"rows": n, "sensor": sensor},
        warnings=warnings,
        lines=[f"deleted     {n} readings of {sensor}{what}{span} (logged in the manifest)"],
    )
