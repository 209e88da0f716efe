"""Plausibility checks a stream reading must pass before it is stored.

These reject what cannot be true (a value outside the quantity's physical range, a time
far in the future, a payload too large to be a reading); they are not the QC tests,
which flag what is unusual and keep it. Limits come from ``[ingest]`` in
``workbench.toml``.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from workbench.quantities import QUANTITIES

US = 1_000_000
# an oversized payload is kept as this marker, a JSON line (size, SHA-256) and a prefix
OVERSIZED = b"\x00workbench-oversized\x00"
KEEP_BYTES = 4096


def bounded_payload(
    payload: bytes, limit: int, keep: int = KEEP_BYTES, *, from_network: bool = False
) -> bytes:
    """``payload``, or for one over ``limit`` bytes a stand-in of bounded size.

    The stand-in holds the original size, its SHA-256 and the first ``keep`` bytes: enough
    to tell what a device sent and to recognise it again, without letting one sender fill
    the journal, the raw archive or the quarantine (a 5 MB payload keeps 4 KiB).

    >>> small = bounded_payload(b"x" * 10, 100)
    >>> small
    b'xxxxxxxxxx'
    >>> big = bounded_payload(b"x" * 10_000, 100)
    >>> len(big) < 250, oversized(big)["bytes"], oversized(small)
    (True, 10000, None)
    >>> bounded_payload(big, 100) == big
    True
    >>> oversized(bounded_payload(big, 100, from_network=True))["bytes"] == len(big)
    True

    ``from_network`` is for payloads as received: one that starts like a stand-in is a
    sender's imitation and is wrapped like an oversized one, so it is never trusted.
    """
    if len(payload) <= limit and not payload.startswith(OVERSIZED):
        return payload
    small_enough = len(payload) <= len(OVERSIZED) + 200 + keep
    if not from_network and small_enough and oversized(payload) is not None:
        return payload  # already a stand-in of ours
    head = {"bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    return OVERSIZED + json.dumps(head).encode("ascii") + b"\n" + payload[: min(keep, limit)]


def oversized(payload: bytes) -> dict[str, Any] | None:
    """Size and SHA-256 of the payload a :func:`bounded_payload` stand-in replaced; ``None``
    for any other payload, also one that merely starts like a stand-in.

    >>> oversized(b"\\x00workbench-oversized\\x00{not json")
    >>> oversized(b"\\x00workbench-oversized\\x00[1, 2]\\nxyz")
    """
    if not payload.startswith(OVERSIZED):
        return None
    head = payload[len(OVERSIZED) :].partition(b"\n")[0]
    try:
        doc = json.loads(head)
    except (ValueError, RecursionError):
        return None
    ok = (
        isinstance(doc, dict)
        and isinstance(doc.get("bytes"), int)
        and isinstance(doc.get("sha256"), str)
        and len(doc["sha256"]) == 64
    )
    return doc if ok else None


def payload_prefix(payload: bytes) -> bytes:
    """What is kept of the original payload (all of it when it was not oversized)."""
    if not payload.startswith(OVERSIZED):
        return payload
    return payload[len(OVERSIZED) :].partition(b"\n")[2]


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
