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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.ingest.decoders import Decoded, Decoder
from workbench.ingest.journal import Entry
from workbench.ingest.validate import (
    US,
    Limits,
    bounded_payload,
    check_reading,
    oversized,
    payload_prefix,
)
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
        "raw": payload_prefix(entry.payload)[:4000].decode("utf-8", errors="replace"),
    }


@dataclass
class _Staging:
    """What one load collects from its entries before anything is written."""

    sids: list[str] = field(default_factory=list)
    quantities: list[str] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    new_sensors: dict[str, dict[str, Any]] = field(default_factory=dict)
    positions: list[tuple[str, float, float, int]] = field(default_factory=list)


def _decode_entry(e: Entry, decoder: Decoder, limits: Limits) -> Decoded:
    """Decode one payload; an oversized payload or a failing decoder is a rejection."""
    big = oversized(e.payload)  # the entries are bounded already (load_entries)
    if big is not None:
        size, digest = big["bytes"], big["sha256"]
        if size <= limits.max_payload_bytes:  # wrapped on arrival because it imitated one
            return Decoded().reject(
                "payload", f"payload imitates the marker of an oversized payload (SHA-256 {digest})"
            )
        return Decoded().reject(
            "payload",
            f"payload of {size} bytes exceeds {limits.max_payload_bytes} bytes "
            f"(SHA-256 {digest}; the first bytes are kept)",
        )
    try:
        return decoder(e.payload, e.topic, e.received_at)
    except Exception as exc:
        return Decoded().reject("payload", f"decoder failed: {type(exc).__name__}: {exc}")


def _accept_readings(
    d: Decoded, received_us: int, limits: Limits, sensors_before: set[str], st: _Staging
) -> int:
    """Stage the readings that pass validation; add the others to ``d.rejects``.

    Returns the number of readings staged.
    """
    n_ok = 0
    for sid, q, t, v in d.readings:
        if limits.known_devices_only and sid not in sensors_before:
            d.rejects.append((sid, f"unknown device {sid!r}"))
            continue
        reason = check_reading(q, v, t, received_us, limits)
        if reason is not None:
            d.rejects.append((q, reason))
            continue
        st.sids.append(sid)
        st.quantities.append(q)
        st.times.append(t)
        st.values.append(v)
        st.lags.append((received_us - t) / US)
        n_ok += 1
    return n_ok


def _outcome(d: Decoded, n_ok: int, c: dict[str, int]) -> str:
    """``ok``, ``partial`` or ``rejected`` for a message; counts the last two in ``c``."""
    if d.rejects and n_ok == 0:
        c["messages_rejected"] += 1
        return "rejected"
    if d.rejects:
        c["messages_partial"] += 1
        return "partial"
    return "ok"


def _count_frames(
    d: Decoded, devices: dict[str, dict[str, Any]], received: pd.Timestamp, result: LoadResult
) -> None:
    """Track a message's frame counter; count gaps and resets, note new gaps."""
    if d.f_cnt is None:
        return
    c = result.counters
    missed, filled, reset = track_frames(devices, d.f_cnt[0], d.f_cnt[1], iso_utc(received))
    c["gaps"] += missed - filled
    c["frame_resets"] += int(reset)
    if missed:
        f = d.f_cnt[1]
        result.new_gaps.append((d.f_cnt[0], f - missed, f - 1))


def _stage_in(
    tx: Transaction,
    st: _Staging,
    origin: str,
    c: dict[str, int],
    area_lookup: Callable[..., Any] | None,
    keep_quarantine: bool,
) -> None:
    """Add the collected observations, quarantine, sensors and positions to ``tx``."""
    if st.sids:
        table = pa.table(
            {
                "sensor_id": pa.array(st.sids, pa.string()),
                "quantity": pa.array(st.quantities, pa.string()),
                "time": pa.array(np.asarray(st.times, dtype=np.int64)).cast(
                    pa.timestamp("us", tz="UTC")
                ),
                "value": pa.array(st.values, pa.float64()),
                "source": pa.array([origin] * len(st.sids), pa.string()),
            }
        )
        added, dups = tx.add_observations(table)
        c["stored"] += added
        c["duplicates"] += dups
    if st.quarantine and keep_quarantine:
        tx.add_quarantine(pd.DataFrame(st.quarantine))
    if st.new_sensors:
        tx.upsert_sensors(pd.DataFrame(list(st.new_sensors.values())))
    if st.positions:
        pos = pd.DataFrame(st.positions, columns=["sensor_id", "lat", "lon", "t"])
        pos["valid_from"] = pd.to_datetime(pos["t"], unit="us", utc=True)
        pos = pos.groupby(["sensor_id", "lat", "lon"], as_index=False)["valid_from"].min()
        tx.add_positions(pos, area_lookup)


def _raw_table(entries: Sequence[Entry], fmt: str, outcomes: list[str]) -> pa.Table:
    """The entries' (bounded) payloads with topic, format and outcome (``RAW_SCHEMA``)."""
    return pa.table(
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


def _update_state(
    state: dict[str, Any], c: dict[str, int], entries: Sequence[Entry], lags: list[float]
) -> None:
    """Add this load's counters to the running totals; note message time, load time, lag."""
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

    Parameters
    ----------
    tx : Transaction
        The open store transaction.
    entries : sequence of Entry
        Journal entries (payload, topic, arrival time).
    decoder : Decoder
        Turns a payload into readings, rejects, sensors, positions, frame counter.
    fmt : str
        The stream format; observations get source ``mqtt:<fmt>``.
    limits : Limits
        Validation limits.
    state : dict
        The ingest state (counters, devices, times); updated in place.
    area_lookup : callable, optional
        ``(lon, lat) -> area_id`` for new positions.
    keep_raw : bool
        Keep every payload for ``workbench reprocess``.
    keep_quarantine : bool
        Store rejected payloads and readings in quarantine.

    Returns
    -------
    LoadResult
        This load's counters and new frame gaps.
    """
    result = LoadResult()
    c = result.counters
    origin = f"mqtt:{fmt}"
    sensors_before = set(tx.sensors()["sensor_id"].astype(str))
    st = _Staging()
    devices = state.setdefault("devices", {})
    # an oversized payload (from the journal of an older version, or a file) becomes its
    # bounded stand-in once, for the decision, the quarantine and the raw archive alike
    entries = [
        e if len(e.payload) <= limits.max_payload_bytes and oversized(e.payload) is None
        else replace(e, payload=bounded_payload(e.payload, limits.max_payload_bytes))
        for e in entries
    ]  # fmt: skip
    for e in entries:
        c["received"] += 1
        received_us = round(e.received_at * US)
        received = pd.Timestamp(received_us, unit="us", tz="UTC")
        d = _decode_entry(e, decoder, limits)
        n_ok = _accept_readings(d, received_us, limits, sensors_before, st)
        for where, reason in d.rejects:
            st.quarantine.append(_quarantine_row(e, origin, where, reason, received))
        st.outcomes.append(_outcome(d, n_ok, c))
        _count_frames(d, devices, received, result)
        if n_ok == 0:
            continue
        for sid, meta in d.sensors.items():
            if sid not in sensors_before:
                st.new_sensors[sid] = meta
        st.positions.extend(d.positions)
    c["quarantined"] = len(st.quarantine)
    _stage_in(tx, st, origin, c, area_lookup, keep_quarantine)
    if keep_raw and entries:
        tx.add_raw(_raw_table(entries, fmt, st.outcomes))
    _update_state(state, c, entries, st.lags)
    return result
