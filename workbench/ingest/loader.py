"""Load journalled stream messages into the store: decode, validate, deduplicate.

:func:`load_entries` turns a list of journal entries into one store transaction:
readings that pass validation become observations (source ``mqtt:<format>``), rejected
payloads and readings go to quarantine with their reason and topic, every raw payload is
kept for ``workbench reprocess``, and the ingest state (journal checkpoint, counters,
frame counters per device) is committed in the same manifest. Loading the same entries
twice therefore stores nothing twice: the checkpoint skips loaded segments, and the
store's key deduplication absorbs messages the broker delivered again.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.ingest.decoders import Decoded, Decoder
from workbench.ingest.journal import Entry
from workbench.ingest.validate import US, Limits, check_reading
from workbench.store import RAW_SCHEMA, Transaction, iso_utc

COUNTERS = (
    "received",
    "stored",
    "duplicates",
    "quarantined",
    "messages_rejected",
    "messages_partial",
    "gaps",
    "frame_resets",
)
# frame counters further back than this are a device reset, not a late frame
_LATE_FRAME_WINDOW = 256
# gap ranges remembered per device (older ones can no longer be filled)
_MAX_RANGES = 32


def empty_state() -> dict[str, Any]:
    """The ingest state before anything was loaded."""
    return {
        "journal_loaded_through": 0,
        "counters": dict.fromkeys(COUNTERS, 0),
        "devices": {},
        "last_load_at": None,
        "last_message_at": None,
        "lag_s": None,
    }


@dataclass
class LoadResult:
    """What one load added; also the change to the running counters."""

    counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    new_gaps: list[tuple[str, int, int]] = field(default_factory=list)  # device, from, to

    def __getitem__(self, key: str) -> int:
        return self.counters[key]


def track_frames(
    devices: dict[str, dict[str, Any]], sensor_id: str, f_cnt: int, seen_at: str
) -> tuple[int, int, bool]:
    """Update a device's frame-counter record; returns ``(missed, filled, reset)``.

    ``missed`` frames open a gap (TTN's own MQTT server delivers at QoS 0 only, so frames
    can be lost between it and us); a frame that arrives late ``filled`` part of an
    earlier gap; a frame seen before (a redelivery) changes nothing; a counter far below
    the last one means the device re-joined and counts from zero again (``reset``).

    Examples
    --------
    >>> d = {}
    >>> [track_frames(d, "ttn:a", n, "t") for n in (1, 2, 5, 4, 2, 9)]
    [(0, 0, False), (0, 0, False), (2, 0, False), (0, 1, False), (0, 0, False), (3, 0, False)]
    >>> d["ttn:a"]["gaps"], d["ttn:a"]["missing"]
    (4, [[3, 3], [6, 8]])
    """
    rec = devices.get(sensor_id)
    if rec is None:
        devices[sensor_id] = {
            "f_cnt": f_cnt,
            "gaps": 0,
            "resets": 0,
            "missing": [],
            "last_seen": seen_at,
        }
        return 0, 0, False
    rec["last_seen"] = max(rec.get("last_seen") or "", seen_at)
    last = int(rec["f_cnt"])
    missing: list[list[int]] = rec.setdefault("missing", [])
    if f_cnt > last:
        missed = f_cnt - last - 1
        if missed:
            rec["gaps"] = int(rec.get("gaps", 0)) + missed
            missing.append([last + 1, f_cnt - 1])
            del missing[:-_MAX_RANGES]
        rec["f_cnt"] = f_cnt
        return missed, 0, False
    if last - f_cnt >= _LATE_FRAME_WINDOW:
        rec["f_cnt"] = f_cnt
        rec["resets"] = int(rec.get("resets", 0)) + 1
        rec["missing"] = []
        return 0, 0, True
    for i, (lo, hi) in enumerate(missing):
        if lo <= f_cnt <= hi:
            parts = [[lo, f_cnt - 1], [f_cnt + 1, hi]]
            missing[i : i + 1] = [p for p in parts if p[0] <= p[1]]
            rec["gaps"] = int(rec.get("gaps", 0)) - 1
            return 0, 1, False
    return 0, 0, False  # seen before: a redelivery


def _quarantine_row(
    entry: Entry, origin: str, where: str, reason: str, received: pd.Timestamp
) -> dict[str, Any]:
    return {
        "received_at": received,
        "source": entry.topic,
        "origin": origin,
        "line": None,
        "field": where,
        "reason": reason,
        "raw": entry.payload[:4000].decode("utf-8", errors="replace"),
    }


def load_entries(
    tx: Transaction,
    entries: Sequence[Entry],
    decoder: Decoder,
    fmt: str,
    limits: Limits,
    state: dict[str, Any],
    *,
    area_lookup: Callable[..., Any] | None = None,
    keep_raw: bool = True,
    keep_quarantine: bool = True,
) -> LoadResult:
    """Decode, validate and stage ``entries`` in ``tx``; updates ``state`` in place.

    The caller sets ``tx.ingest_state = state`` (with its checkpoint) before commit.
    """
    result = LoadResult()
    c = result.counters
    origin = f"mqtt:{fmt}"
    sensors_before = set(tx.sensors()["sensor_id"].astype(str))
    sids: list[str] = []
    quantities: list[str] = []
    times: list[int] = []
    values: list[float] = []
    quarantine: list[dict[str, Any]] = []
    outcomes: list[str] = []
    new_sensors: dict[str, dict[str, Any]] = {}
    positions: list[tuple[str, float, float, int]] = []
    lags: list[float] = []
    devices = state.setdefault("devices", {})
    for e in entries:
        c["received"] += 1
        received_us = round(e.received_at * US)
        received = pd.Timestamp(received_us, unit="us", tz="UTC")
        if len(e.payload) > limits.max_payload_bytes:
            d = Decoded().reject(
                "payload",
                f"payload of {len(e.payload)} bytes exceeds {limits.max_payload_bytes} bytes",
            )
        else:
            try:
                d = decoder(e.payload, e.topic, e.received_at)
            except Exception as exc:
                d = Decoded().reject("payload", f"decoder failed: {type(exc).__name__}: {exc}")
        n_ok = 0
        for sid, q, t, v in d.readings:
            if limits.known_devices_only and sid not in sensors_before:
                d.rejects.append((sid, f"unknown device {sid!r}"))
                continue
            reason = check_reading(q, v, t, received_us, limits)
            if reason is not None:
                d.rejects.append((q, reason))
                continue
            sids.append(sid)
            quantities.append(q)
            times.append(t)
            values.append(v)
            lags.append((received_us - t) / US)
            n_ok += 1
        for where, reason in d.rejects:
            quarantine.append(_quarantine_row(e, origin, where, reason, received))
        if d.rejects and n_ok == 0:
            c["messages_rejected"] += 1
            outcomes.append("rejected")
        elif d.rejects:
            c["messages_partial"] += 1
            outcomes.append("partial")
        else:
            outcomes.append("ok")
        if d.f_cnt is not None:
            missed, filled, reset = track_frames(devices, d.f_cnt[0], d.f_cnt[1], iso_utc(received))
            c["gaps"] += missed - filled
            c["frame_resets"] += int(reset)
            if missed:
                f = d.f_cnt[1]
                result.new_gaps.append((d.f_cnt[0], f - missed, f - 1))
        if n_ok == 0:
            continue
        for sid, meta in d.sensors.items():
            if sid not in sensors_before:
                new_sensors[sid] = meta
        positions.extend(d.positions)
    c["quarantined"] = len(quarantine)
    if sids:
        table = pa.table(
            {
                "sensor_id": pa.array(sids, pa.string()),
                "quantity": pa.array(quantities, pa.string()),
                "time": pa.array(np.asarray(times, dtype=np.int64)).cast(
                    pa.timestamp("us", tz="UTC")
                ),
                "value": pa.array(values, pa.float64()),
                "source": pa.array([origin] * len(sids), pa.string()),
            }
        )
        added, dups = tx.add_observations(table)
        c["stored"] += added
        c["duplicates"] += dups
    if quarantine and keep_quarantine:
        tx.add_quarantine(pd.DataFrame(quarantine))
    if new_sensors:
        tx.upsert_sensors(pd.DataFrame(list(new_sensors.values())))
    if positions:
        pos = pd.DataFrame(positions, columns=["sensor_id", "lat", "lon", "t"])
        pos["valid_from"] = pd.to_datetime(pos["t"], unit="us", utc=True)
        pos = pos.groupby(["sensor_id", "lat", "lon"], as_index=False)["valid_from"].min()
        tx.add_positions(pos, area_lookup)
    if keep_raw and entries:
        tx.add_raw(
            pa.table(
                {
                    "received_at": pa.array(
                        np.asarray([round(e.received_at * US) for e in entries], dtype=np.int64)
                    ).cast(pa.timestamp("us", tz="UTC")),
                    "topic": [e.topic for e in entries],
                    "format": [fmt] * len(entries),
                    "payload": pa.array([e.payload for e in entries], pa.binary()),
                    "outcome": outcomes,
                },
                schema=RAW_SCHEMA,
            )
        )
    totals = state.setdefault("counters", dict.fromkeys(COUNTERS, 0))
    for k, v in c.items():
        totals[k] = int(totals.get(k, 0)) + int(v)
    if entries:
        state["last_message_at"] = iso_utc(
            pd.Timestamp(max(e.received_at for e in entries), unit="s", tz="UTC")
        )
    state["last_load_at"] = iso_utc(pd.Timestamp(_time.time(), unit="s", tz="UTC"))
    if lags:
        arr = np.asarray(lags)
        state["lag_s"] = {"median": float(np.median(arr)), "max": float(arr.max())}
    return result
