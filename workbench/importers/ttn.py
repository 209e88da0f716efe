"""The Things Stack (TTN v3) uplink messages, from a file or an MQTT payload.

An uplink has ``end_device_ids.device_id``, ``received_at`` and ``uplink_message`` with
``f_cnt``, ``rx_metadata`` and, where the application has a payload formatter,
``decoded_payload``. The event-stream wrapper (``{"name": "as.up.data.forward",
"data": {...}}``) is unwrapped. Decoded field names differ per device type, so numeric
fields are mapped to quantities through the registry's aliases, case-insensitively
(``Temperature``, ``temp``, ``rh``, ``pm25`` ...), and a per-device-type ``field_map``
adds or overrides names (``{"rs26x-int-temp-sensor": {"Temp_C": "air_temperature"}}``,
keyed by ``version_ids.model_id`` or device id). The strongest gateway's ``rssi`` and
``snr`` are stored for sensor health. Sensor ids become ``ttn:<device_id>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from workbench.importers.base import (
    ImportFormatError,
    ParsedBatch,
    batch_from_records,
    parse_times,
)
from workbench.importers.jsonutil import load_json
from workbench.importers.lorawan import PayloadError, decode_frm_payload
from workbench.quantities import try_resolve_quantity

FORMAT = "ttn"


def unwrap(doc: Any) -> Any:
    """Return the ApplicationUp inside an event-stream wrapper, or the document itself."""
    if (
        isinstance(doc, dict)
        and "data" in doc
        and isinstance(doc["data"], dict)
        and "end_device_ids" in doc["data"]
    ):
        return doc["data"]
    if isinstance(doc, dict) and "result" in doc and isinstance(doc["result"], dict):
        return unwrap(doc["result"])
    return doc


def looks_like(doc: Any) -> bool:
    first = doc[0] if isinstance(doc, list) and doc else doc
    first = unwrap(first)
    return isinstance(first, dict) and "end_device_ids" in first


def _record(sid: str, q: str, t: str, value: float, unit: str | None, f_cnt: Any) -> dict[str, Any]:
    """One long record of an uplink."""
    return {"sensor_id": sid, "quantity": q, "t": t, "value": value, "unit": unit, "f_cnt": f_cnt}


def _model_id(msg: dict[str, Any]) -> str | None:
    """``uplink_message.version_ids.model_id``, or None."""
    return (
        ((msg.get("version_ids") or {}).get("model_id"))
        if isinstance(msg.get("version_ids"), dict)
        else None
    )


def _field_overrides(
    field_map: dict[str, dict[str, str]] | None, model: str | None, device: str
) -> dict[str, str]:
    """Lower-case decoded field name -> quantity, from the model's then the device's map.

    Examples
    --------
    >>> _field_overrides({"m": {"Temp_C": "air_temperature"}, "d": {"temp_c": "x"}}, "m", "d")
    {'temp_c': 'x'}
    """
    overrides: dict[str, str] = {}
    for key in (model, device):
        if key and field_map and key in field_map:
            overrides.update({k.lower(): v for k, v in field_map[key].items()})
    return overrides


def _decoded_records(
    decoded: dict[str, Any], overrides: dict[str, str], sid: str, t: str, f_cnt: Any
) -> list[dict[str, Any]]:
    """Records of the numeric fields of a ``decoded_payload`` that name a quantity."""
    recs = []
    for name, value in decoded.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue  # status texts and nested objects are not measurements
        q = overrides.get(name.lower()) or try_resolve_quantity(name)
        if q is None:
            continue
        recs.append(_record(sid, q, t, float(value), None, f_cnt))
    return recs


def _frm_payload_records(
    msg: dict[str, Any],
    ids: dict[str, Any],
    model: str | None,
    byte_decoders: dict[str, str] | None,
    t: str,
    f_cnt: Any,
) -> tuple[list[dict[str, Any]], str | None]:
    """Decode a raw ``frm_payload`` with the configured byte decoder.

    The decoder is the one ``byte_decoders`` names for the device id, else the model
    id, else the application id. Returns ``(records, reason_if_rejected)``.
    """
    device = ids["device_id"]
    app = ids.get("application_ids")
    app_id = app.get("application_id") if isinstance(app, dict) else None
    name = next(
        (byte_decoders[k] for k in (device, model, app_id) if k and k in (byte_decoders or {})),
        None,
    )
    if name is None:
        return [], (
            "no decoded_payload, and no byte decoder configured for device "
            f"{device!r} (set [mqtt.byte_decoder] in workbench.toml)"
        )
    if not isinstance(msg["frm_payload"], str):
        return [], "frm_payload must be base64 text"
    try:
        decoded_bytes = decode_frm_payload(msg["frm_payload"], name)
    except PayloadError as exc:
        return [], f"frm_payload: {exc}"
    sid = f"ttn:{device}"
    return [_record(sid, q, t, value, unit, f_cnt) for q, value, unit in decoded_bytes], None


def _gateway_metadata(msg: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``rx_metadata`` entries (one per gateway that heard the uplink) that are objects."""
    return [m for m in msg.get("rx_metadata") or [] if isinstance(m, dict)]


def _signal_records(
    meta: list[dict[str, Any]], sid: str, t: str, f_cnt: Any
) -> list[dict[str, Any]]:
    """``rssi`` (and ``snr``) of the gateway that heard the uplink best, if any reported."""
    rssi = [m["rssi"] for m in meta if isinstance(m.get("rssi"), int | float)]
    if not rssi:
        return []
    best = max(meta, key=lambda m: m.get("rssi", -999))
    recs = [_record(sid, "rssi", t, float(best["rssi"]), "dBm", f_cnt)]
    if isinstance(best.get("snr"), int | float):
        recs.append(_record(sid, "snr", t, float(best["snr"]), "dB", f_cnt))
    return recs


def uplink_records(
    doc: Any,
    field_map: dict[str, dict[str, str]] | None = None,
    byte_decoders: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Decode one uplink into long records; returns ``(records, reason_if_rejected)``.

    Records have ``sensor_id, quantity, t (text), value, unit, f_cnt``. A raw
    ``frm_payload`` is decoded with the byte decoder that ``byte_decoders`` names for the
    device id, model id or application id (see :mod:`workbench.importers.lorawan`).
    """
    up = unwrap(doc)
    if not isinstance(up, dict):
        return [], "not a JSON object"
    ids = up.get("end_device_ids")
    if not isinstance(ids, dict) or not isinstance(ids.get("device_id"), str):
        return [], "missing end_device_ids.device_id"
    msg = up.get("uplink_message")
    if not isinstance(msg, dict):
        return [], "not an uplink (no uplink_message)"
    t = up.get("received_at") or msg.get("received_at")
    if not isinstance(t, str):
        return [], "missing received_at"
    device = ids["device_id"]
    sid = f"ttn:{device}"
    model = _model_id(msg)
    overrides = _field_overrides(field_map, model, device)
    f_cnt = msg.get("f_cnt")
    recs: list[dict[str, Any]] = []
    decoded = msg.get("decoded_payload")
    if isinstance(decoded, dict):
        recs = _decoded_records(decoded, overrides, sid, t, f_cnt)
    elif "frm_payload" in msg:
        recs, reason = _frm_payload_records(msg, ids, model, byte_decoders, t, f_cnt)
        if reason is not None:
            return [], reason
    meta = _gateway_metadata(msg)
    if recs:
        recs += _signal_records(meta, sid, t, f_cnt)
    if not recs:
        return [], "no measurement fields in decoded_payload"
    return recs, None


def parse_ttn(
    data: bytes,
    *,
    source: str = "<bytes>",
    field_map: dict[str, dict[str, str]] | None = None,
    byte_decoders: dict[str, str] | None = None,
) -> ParsedBatch:
    """Parse TTN v3 uplinks: one JSON document, an array, or JSON lines.

    Uplinks that cannot be decoded go to quarantine with the reason.

    Examples
    --------
    >>> up = (b'{"end_device_ids": {"device_id": "ge-t-001"}, "received_at": "2025-07-01T12:00:00Z",'
    ...       b' "uplink_message": {"f_cnt": 7, "decoded_payload": {"Temperature": 24.1, "rh": 51}}}')
    >>> parse_ttn(up).observations.to_pandas()[["sensor_id", "quantity", "value"]].values.tolist()
    [['ttn:ge-t-001', 'air_temperature', 24.1], ['ttn:ge-t-001', 'relative_humidity', 51.0]]
    """
    doc = load_json(data, source)
    docs = doc if isinstance(doc, list) else [doc]
    rows, bad = [], []
    for i, d in enumerate(docs, start=1):
        recs, reason = uplink_records(d, field_map, byte_decoders)
        if reason:
            bad.append(
                {
                    "line": i,
                    "field": "uplink_message",
                    "reason": reason,
                    "raw": json.dumps(d, ensure_ascii=False)[:4000],
                }
            )
        rows.extend(recs)
    df = pd.DataFrame(rows, columns=["sensor_id", "quantity", "t", "value", "unit", "f_cnt"])
    if df.empty and bad and len(docs) == 1:
        raise ImportFormatError(source, bad[0]["reason"], field="uplink_message")
    if not df.empty:
        df["time"] = parse_times(
            pa.array(df["t"].tolist()), source=source, field="received_at", tz=None, header_lines=0
        ).to_pandas()
    else:
        df["time"] = pd.Series(dtype="datetime64[us, UTC]")
    return batch_from_records(FORMAT, source, df, bad)


def read_ttn(
    path: str | Path,
    field_map: dict[str, dict[str, str]] | None = None,
    byte_decoders: dict[str, str] | None = None,
) -> ParsedBatch:
    p = Path(path)
    return parse_ttn(
        p.read_bytes(), source=str(p), field_map=field_map, byte_decoders=byte_decoders
    )
