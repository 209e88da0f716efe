"""Stream payload decoders: pure functions ``decode(payload, topic) -> Decoded``.

One decoder per stream format (``ttn``, ``senml``, ``json``, ``urbanpulse``). A decoder
never raises on bad input: what it cannot use becomes a *reject* with the field and the
reason, and every usable reading in the same payload is still returned. The per-record
logic is shared with the file importers (:mod:`workbench.importers`), so a file and a
stream of the same format decode identically.

Readings are ``(sensor_id, quantity, time_us, value)`` with the value already in the
quantity's canonical unit and ``time_us`` in microseconds since the epoch (UTC).
Nothing here validates plausibility (ranges, future times); :mod:`.validate` does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from workbench.importers.base import ImportFormatError
from workbench.importers.senml import senml_rows
from workbench.importers.ttn import unwrap, uplink_records
from workbench.importers.urbanpulse import urbanpulse_rows
from workbench.quantities import UnitError, conversion, try_resolve_quantity

STREAM_FORMATS = ("ttn", "senml", "json", "urbanpulse")

Reading = tuple[str, str, int, float]


@dataclass
class Decoded:
    """What one payload yields."""

    readings: list[Reading] = field(default_factory=list)
    rejects: list[tuple[str, str]] = field(default_factory=list)  # (field, reason)
    sensors: dict[str, dict[str, Any]] = field(default_factory=dict)
    positions: list[tuple[str, float, float, int]] = field(default_factory=list)
    f_cnt: tuple[str, int] | None = None  # (sensor_id, LoRaWAN frame counter)

    def reject(self, where: str, reason: str) -> Decoded:
        self.rejects.append((where, reason))
        return self


Decoder = Callable[[bytes, str, float], Decoded]


# ---------------------------------------------------------------------- helpers
@lru_cache(maxsize=1024)
def _conversion(unit: str | None, quantity: str) -> tuple[float, float]:
    return conversion(unit, quantity)


def _canonical(value: float, unit: str | None, quantity: str) -> float:
    scale, offset = _conversion(unit or None, quantity)
    return value * scale + offset


def _finite_number(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    v = float(x)
    return v if math.isfinite(v) else None


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def time_us(x: Any, tz: str | None = None) -> int:
    """Microseconds since the epoch for an ISO 8601 text or epoch seconds/milliseconds.

    Text without an offset is read in ``tz``; without ``tz`` it is rejected.

    Raises
    ------
    ValueError
        If ``x`` is not a timestamp.

    Examples
    --------
    >>> time_us("2025-07-01T12:00:00.123456789Z")
    1751371200123456
    >>> time_us(1751371200)
    1751371200000000
    """
    if isinstance(x, str):
        try:
            t = datetime.fromisoformat(x.strip())
        except ValueError:
            raise ValueError(f"not an ISO 8601 time: {x[:40]!r}") from None
        if t.tzinfo is None:
            if not tz:
                raise ValueError(f"time {x[:40]!r} has no UTC offset")
            t = t.replace(tzinfo=_zone(tz))
        return _to_us(t)
    v = _finite_number(x)
    if v is None:
        raise ValueError(f"not a time: {str(x)[:40]!r}")
    if abs(v) > 1e11:  # epoch milliseconds
        v /= 1000.0
    if not -1e10 < v < 1e10:
        raise ValueError(f"time {v} is out of range")
    return round(v * 1_000_000)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _to_us(t: datetime) -> int:
    d = t - _EPOCH
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


def _load(payload: bytes, out: Decoded) -> Any:
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, ValueError) as exc:
        out.reject("payload", f"not JSON ({exc})")
        return None
    except RecursionError:
        out.reject("payload", "not JSON (nested too deeply)")
        return None


def _last_topic_level(topic: str) -> str:
    parts = [p for p in topic.split("/") if p]
    return parts[-1] if parts else ""


# ---------------------------------------------------------------------- TTN v3
def decode_ttn(
    payload: bytes,
    topic: str,
    received_at: float,
    *,
    field_map: dict[str, dict[str, str]] | None = None,
    byte_decoders: dict[str, str] | None = None,
) -> Decoded:
    """A The Things Stack v3 uplink (``v3/<app>/devices/<dev>/up``).

    Examples
    --------
    >>> up = (b'{"end_device_ids": {"device_id": "t1"}, "received_at": "2025-07-01T12:00:00Z",'
    ...       b' "uplink_message": {"f_cnt": 7, "decoded_payload": {"Temperature": 24.1}}}')
    >>> d = decode_ttn(up, "v3/ge@ttn/devices/t1/up", 0.0)
    >>> d.readings, d.f_cnt
    ([('ttn:t1', 'air_temperature', 1751371200000000, 24.1)], ('ttn:t1', 7))
    """
    out = Decoded()
    doc = _load(payload, out)
    if out.rejects:
        return out
    out.f_cnt = _frame_of(doc)  # counted even when the content is rejected: it arrived
    try:
        recs, reason = uplink_records(doc, field_map, byte_decoders)
    except (TypeError, ValueError, AttributeError) as exc:
        return out.reject("uplink_message", f"malformed uplink ({exc})")
    if reason:
        return out.reject("uplink_message", reason)
    sid = recs[0]["sensor_id"]
    try:
        t = time_us(recs[0]["t"])
    except ValueError as exc:
        return out.reject("received_at", str(exc))
    for r in recs:
        try:
            out.readings.append(
                (sid, r["quantity"], t, _canonical(float(r["value"]), r["unit"], r["quantity"]))
            )
        except (UnitError, ValueError) as exc:
            out.reject(r["quantity"], str(exc))
    out.sensors[sid] = {"sensor_id": sid, "source": "ttn"}
    return out


def _frame_of(doc: Any) -> tuple[str, int] | None:
    """``(sensor_id, f_cnt)`` of an uplink, if both are readable."""
    up = unwrap(doc)
    if not isinstance(up, dict):
        return None
    ids, msg = up.get("end_device_ids"), up.get("uplink_message")
    if not isinstance(ids, dict) or not isinstance(msg, dict):
        return None
    dev, f_cnt = ids.get("device_id"), msg.get("f_cnt", 0)
    if not isinstance(dev, str) or isinstance(f_cnt, bool) or not isinstance(f_cnt, int):
        return None
    # TTN omits f_cnt when it is 0
    return (f"ttn:{dev}", f_cnt) if 0 <= f_cnt < 2**32 else None


# ---------------------------------------------------------------------- SenML
def _importer_records(
    payload: bytes, out: Decoded, parse: Callable[[Any], tuple[Any, ...]], what: str, time_key: str
) -> list[tuple[dict[str, Any], int]]:
    """Run a file importer's record function on one payload.

    Structural errors and rejected records become rejects; returns the usable records
    with their time in microseconds (values converted in place to canonical units).
    """
    doc = _load(payload, out)
    if out.rejects:
        return []
    try:
        rows, bad, *_ = parse(doc)
    except ImportFormatError as exc:
        out.reject(exc.field or what, exc.message)
        return []
    except (TypeError, ValueError, AttributeError) as exc:
        out.reject(what, f"malformed {what} ({exc})")
        return []
    for b in bad:
        out.reject(str(b.get("field")), str(b.get("reason")))
    usable = []
    for r in rows:
        try:
            t = time_us(r[time_key])
            r["value"] = _canonical(r["value"], r["unit"], r["quantity"])
        except (UnitError, ValueError, TypeError) as exc:
            out.reject(f"{r['quantity']} {time_key}", str(exc))
            continue
        out.readings.append((r["sensor_id"], r["quantity"], t, r["value"]))
        usable.append((r, t))
    return usable


def decode_senml(payload: bytes, topic: str, received_at: float) -> Decoded:
    """A SenML JSON pack; relative times count from the time the message was received.

    Examples
    --------
    >>> d = decode_senml(b'[{"bn":"dev1:","n":"temp","u":"Cel","v":21.5,"t":-60}]', "s", 1.7e9)
    >>> d.readings
    [('dev1', 'air_temperature', 1699999940000000, 21.5)]
    """
    out = Decoded()
    parse = partial(senml_rows, source=topic, now=received_at)
    for r, _ in _importer_records(payload, out, parse, "SenML pack", "time"):
        out.sensors.setdefault(r["sensor_id"], {"sensor_id": r["sensor_id"], "source": "senml"})
    return out


# ---------------------------------------------------------------------- UrbanPulse
def decode_urbanpulse(payload: bytes, topic: str, received_at: float) -> Decoded:
    """UrbanPulse GeoJSON features (a Feature or a FeatureCollection)."""
    out = Decoded()
    meta: dict[str, dict[str, Any]] = {}

    def parse(doc: Any) -> tuple[Any, ...]:
        rows, bad, m = urbanpulse_rows(doc, topic)
        meta.update(m)
        return rows, bad

    for r, t in _importer_records(payload, out, parse, "UrbanPulse feature", "t"):
        lat, lon = _finite_number(r.get("lat")), _finite_number(r.get("lon"))
        if lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
            out.positions.append((r["sensor_id"], lat, lon, t))
    for sid, m in meta.items():
        out.sensors[sid] = {k: (None if v is None else str(v)) for k, v in m.items()}
    return out


# ---------------------------------------------------------------------- generic JSON
_ID_KEYS = ("sensor_id", "sensor", "device_id", "device", "deviceId", "id")
_TIME_KEYS = ("time", "timestamp", "ts", "datetime", "date")
_SKIP_KEYS = frozenset(_ID_KEYS + _TIME_KEYS + ("unit", "units", "quantity", "value", "lat", "lon"))


def decode_json(
    payload: bytes, topic: str, received_at: float, *, tz: str | None = None
) -> Decoded:
    """Generic JSON: one object or an array of them, long or wide.

    Long: ``{"sensor_id", "time", "quantity", "value", "unit"}``. Wide: ``{"sensor_id",
    "time", "temperature": 21.3, "humidity": 55}`` (names resolved through the registry's
    aliases; a nested ``"values"`` object works too). The sensor id defaults to the last
    topic level and the time to the moment the broker delivered the message.

    Examples
    --------
    >>> d = decode_json(b'{"temperature": 21.5, "humidity": 40}', "ge/sensors/k-7", 1.7e9)
    >>> [(sid, q, v) for sid, q, _, v in d.readings]
    [('k-7', 'air_temperature', 21.5), ('k-7', 'relative_humidity', 40.0)]
    """
    out = Decoded()
    doc = _load(payload, out)
    if out.rejects:
        return out
    items = doc if isinstance(doc, list) else [doc]
    for i, item in enumerate(items):
        where = f"[{i}]" if isinstance(doc, list) else ""
        if not isinstance(item, dict):
            out.reject(where or "payload", "expected a JSON object of readings")
            continue
        sid_raw = next((item[k] for k in _ID_KEYS if k in item), None) or _last_topic_level(topic)
        if not isinstance(sid_raw, str | int) or isinstance(sid_raw, bool) or sid_raw == "":
            out.reject(f"{where}sensor_id", "no sensor id in the payload or the topic")
            continue
        sid = str(sid_raw)
        t_raw = next((item[k] for k in _TIME_KEYS if k in item), None)
        try:
            t = time_us(t_raw, tz) if t_raw is not None else round(received_at * 1e6)
        except ValueError as exc:
            out.reject(f"{where}time", str(exc))
            continue
        if "quantity" in item or "value" in item:
            fields = {str(item.get("quantity")): item.get("value")}
            unit = item.get("unit", item.get("units"))
        else:
            vals = item.get("values") if isinstance(item.get("values"), dict) else item
            fields = {k: v for k, v in vals.items() if k not in _SKIP_KEYS}
            unit = None
        if unit is not None and not isinstance(unit, str):
            out.reject(f"{where}unit", f"unit must be text, got {str(unit)[:40]!r}")
            continue
        n_before = len(out.readings) + len(out.rejects)
        for name, value in fields.items():
            q = try_resolve_quantity(name, unit)
            if q is None:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    out.reject(f"{where}{name}", f"unknown quantity {name[:40]!r}")
                continue
            v = _finite_number(value)
            if v is None:
                out.reject(f"{where}{name}", f"expected a finite number, got {str(value)[:40]!r}")
                continue
            try:
                out.readings.append((sid, q, t, _canonical(v, unit, q)))
            except UnitError as exc:
                out.reject(f"{where}unit", str(exc))
        if len(out.readings) + len(out.rejects) == n_before:
            out.reject(where or "payload", "no measurement fields")
        lat, lon = _finite_number(item.get("lat")), _finite_number(item.get("lon"))
        if lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
            out.positions.append((sid, lat, lon, t))
        out.sensors.setdefault(sid, {"sensor_id": sid, "source": "mqtt-json"})
    return out


# ---------------------------------------------------------------------- dispatch
def make_decoder(
    fmt: str, mqtt_config: dict[str, Any] | None = None, tz: str | None = None
) -> Decoder:
    """The decoder for ``fmt`` with the workspace's field maps and byte decoders bound.

    Raises
    ------
    ValueError
        For an unknown format.
    """
    cfg = mqtt_config or {}
    if fmt == "ttn":
        return partial(
            decode_ttn,
            field_map=cfg.get("field_map") or None,
            byte_decoders=cfg.get("byte_decoder") or None,
        )
    if fmt == "senml":
        return decode_senml
    if fmt == "json":
        return partial(decode_json, tz=tz or None)
    if fmt == "urbanpulse":
        return decode_urbanpulse
    raise ValueError(f"unknown stream format {fmt!r}; choose one of {', '.join(STREAM_FORMATS)}")
