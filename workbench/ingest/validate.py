"""Plausibility checks a stream reading must pass before it is stored.

These reject what cannot be true (a value outside the quantity's physical range, a time
far in the future, a payload too large to be a reading); they are not the QC tests,
which flag what is unusual and keep it. Limits come from ``[ingest]`` in
``workbench.toml``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from workbench.quantities import QUANTITIES

US = 1_000_000


@dataclass(frozen=True)
class Limits:
    """Stream validation limits.

    Attributes
    ----------
    max_payload_bytes : int
        Larger payloads are quarantined undecoded (64 KiB by default).
    max_future_s : float
        Readings stamped later than this after their arrival are rejected (clock errors).
    max_age_days : float
        Readings older than this at arrival are rejected (a device with a reset clock).
    known_devices_only : bool
        Reject readings of sensors not yet in the workspace's sensor table.
    """

    max_payload_bytes: int = 65536
    max_future_s: float = 600.0
    max_age_days: float = 400.0
    known_devices_only: bool = False

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> Limits:
        section = cfg.get("ingest", {}) or {}
        kw = {k: section[k] for k in cls.__dataclass_fields__ if k in section}
        lim = cls(**kw)
        for name in ("max_payload_bytes", "max_future_s", "max_age_days"):
            v = getattr(lim, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or v <= 0:
                raise ValueError(f"ingest.{name} must be a positive number, got {v!r}")
        return lim


def check_reading(
    quantity: str, value: float, time_us: int, received_us: int, limits: Limits
) -> str | None:
    """The reason a reading is impossible, or ``None`` if it may be stored.

    Examples
    --------
    >>> check_reading("air_temperature", 85.0, 0, 0, Limits())
    'air_temperature 85.0 °C outside the possible range -40.0 to 60.0 °C'
    >>> check_reading("air_temperature", 21.0, 0, 0, Limits()) is None
    True
    """
    if not math.isfinite(value):
        return f"{quantity} is not a finite number"
    q = QUANTITIES.get(quantity)
    if q is not None and not q.valid_min <= value <= q.valid_max:
        return (
            f"{quantity} {value} {q.unit} outside the possible range "
            f"{q.valid_min} to {q.valid_max} {q.unit}"
        )
    ahead = (time_us - received_us) / US
    if ahead > limits.max_future_s:
        return f"time is {ahead / 3600:.1f} h after the message arrived (clock error?)"
    if -ahead > limits.max_age_days * 86400:
        return f"time is {-ahead / 86400:.0f} days before the message arrived"
    return None
