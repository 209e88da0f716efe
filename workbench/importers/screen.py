"""Readings that cannot be true are quarantined at import, before they reach the store.

One reading stamped ``9999-12-31`` (or year 1) used to be accepted, and every later step
that lays out hours between the first and the last reading (QC, fit, export) then tried
to allocate millions of years. A value that is not a finite number (``inf`` from a unit
conversion, ``nan`` written as text) cannot be a measurement either. These are screened
here, with a reason per reading; what is merely unusual stays and is flagged by QC.

A finite value far outside anything a sensor can report (``1e308`` µg/m³: its square
overflows every variance) is screened too: beyond :data:`ABSURD_FACTOR` times the width of
the quantity's possible range around it. Values just outside the possible range (a
DHT22's ``-999``, an SDS011 stuck at ``1999.9``) are real sensor faults: they are stored
and flagged by the QC range test, so the sensor's health shows them.

The window comes from ``[import]`` in ``workbench.toml``: ``earliest`` (default
``2000-01-01``) and ``max_future_hours`` (default 24, counted from the time of import).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.errors import InputError
from workbench.quantities import QUANTITIES

ABSURD_FACTOR = 10.0


def absurd_bounds(quantity: str) -> tuple[float, float]:
    """Values outside these are no reading of ``quantity`` at all.

    >>> absurd_bounds("air_temperature")
    (-1040.0, 1060.0)
    """
    q = QUANTITIES.get(quantity)
    if q is None:
        return (-1e12, 1e12)
    width = q.valid_max - q.valid_min
    return (q.valid_min - ABSURD_FACTOR * width, q.valid_max + ABSURD_FACTOR * width)


@dataclass(frozen=True)
class TimeWindow:
    """The plausible times of a reading."""

    earliest: pd.Timestamp = field(default_factory=lambda: pd.Timestamp("2000-01-01", tz="UTC"))
    max_future_hours: float = 24.0

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> TimeWindow:
        section = cfg.get("import", {}) or {}
        try:
            earliest = pd.Timestamp(section.get("earliest", "2000-01-01"))
        except (TypeError, ValueError):
            raise InputError(
                f"import.earliest must be a date like 2000-01-01, got {section['earliest']!r}"
            ) from None
        earliest = earliest.tz_localize("UTC") if earliest.tzinfo is None else earliest
        future = section.get("max_future_hours", 24.0)
        if isinstance(future, bool) or not isinstance(future, int | float) or future < 0:
            raise InputError(f"import.max_future_hours must be a number ≥ 0, got {future!r}")
        return cls(earliest.tz_convert("UTC"), float(future))

    def latest(self, now: pd.Timestamp) -> pd.Timestamp:
        return now + pd.Timedelta(hours=self.max_future_hours)


def screen(
    table: pa.Table, source: str, window: TimeWindow, now: pd.Timestamp
) -> tuple[pa.Table, list[dict[str, object]]]:
    """Split canonical observations into those that may be stored and quarantine rows.

    Examples
    --------
    >>> t = pa.table({"sensor_id": ["a", "a", "b"], "quantity": ["pm2_5"] * 3,
    ...               "time": pd.to_datetime(["2025-07-01", "9999-12-31", "2025-07-01"],
    ...                                      utc=True),
    ...               "value": [3.0, 4.0, float("inf")]})
    >>> kept, bad = screen(t, "x.csv", TimeWindow(), pd.Timestamp("2026-01-01", tz="UTC"))
    >>> kept.num_rows, [b["field"] for b in bad]
    (1, ['time', 'value'])
    """
    if table.num_rows == 0:
        return table, []
    t = table["time"]
    lo = pa.scalar(window.earliest.to_pydatetime(), t.type)
    hi = pa.scalar(window.latest(now).to_pydatetime(), t.type)
    bad_time = pc.or_(pc.less(t, lo), pc.greater(t, hi))
    # bounds per distinct quantity, spread over the rows without a Python loop per row
    quantity = table["quantity"]
    if pa.types.is_dictionary(quantity.type):  # the distinct names without a cast per row
        names = pc.unique(pa.chunked_array([c.dictionary for c in quantity.chunks], pa.string()))
    else:
        names = pc.unique(quantity)
    bounds = [absurd_bounds(q) for q in names.to_pylist()] or [(-1e12, 1e12)]
    v = table["value"]
    bad_value = pc.invert(pc.is_finite(v))
    # one pass for the common case: every value inside the narrowest of the bounds
    mm = pc.min_max(v).as_py()
    inside = mm["min"] is not None and (
        max(b[0] for b in bounds) <= mm["min"] and mm["max"] <= min(b[1] for b in bounds)
    )
    if not inside:
        if pa.types.is_dictionary(quantity.type):
            quantity = pc.cast(quantity, pa.string())
        at = pc.index_in(quantity, value_set=names)
        lo_v = pc.take(pa.array([b[0] for b in bounds], pa.float64()), at)
        hi_v = pc.take(pa.array([b[1] for b in bounds], pa.float64()), at)
        bad_value = pc.or_(bad_value, pc.or_(pc.less(v, lo_v), pc.greater(v, hi_v)))
    bad = pc.fill_null(pc.or_(bad_time, bad_value), True)
    if not pc.any(bad).as_py():
        return table, []
    rejected = table.filter(bad).to_pylist()
    rows = []
    for r in rejected:
        time_ok = r["time"] is not None and lo.as_py() <= r["time"] <= hi.as_py()
        field = "value" if time_ok else "time"
        if field == "time":
            reason = (
                f"time {r['time']} lies outside the plausible window "
                f"{window.earliest.date()} to {window.max_future_hours:g} h after the import"
            )
        elif r["value"] is not None and math.isfinite(r["value"]):
            a, b = absurd_bounds(r["quantity"])
            reason = f"{r['quantity']} value {r['value']:g} is no reading (beyond {a:g} to {b:g})"
        else:
            reason = f"{r['quantity']} value {r['value']} is not a finite number"
        rows.append(
            {
                "line": None,
                "field": field,
                "reason": reason,
                "raw": f"{r['sensor_id']},{r['quantity']},{r['time']},{r['value']}",
            }
        )
    return table.filter(pc.invert(bad)), rows
