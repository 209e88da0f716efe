"""Synthetic MQTT traffic with known truth, for tests, benchmarks and trying out ingest.

:func:`mixed_stream` builds TTN v3 uplinks, most valid and some malformed in every way a
real network produces (not JSON, wrong types, impossible values, clocks far ahead,
oversized payloads, raw payloads without a decoder), and records for each message which
readings must be stored and how many quarantine records it must produce.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

BASE_TIME = 1_751_328_000  # 2025-07-01T00:00:00Z


@dataclass
class Message:
    """A payload to publish and what ingest must make of it."""

    topic: str
    payload: bytes
    readings: list[tuple[str, str, int, float]] = field(default_factory=list)
    rejects: int = 0
    kind: str = "valid"


def _iso(t_us: int) -> str:
    s, us = divmod(t_us, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + f".{us:06d}Z"


def ttn_uplink(
    device: str,
    f_cnt: int,
    t_us: int,
    decoded: dict[str, object] | None,
    rssi: float | None = -97.0,
    snr: float | None = 7.25,
    frm_payload: str | None = None,
) -> dict[str, object]:
    """A The Things Stack v3 uplink message as a dict."""
    msg: dict[str, object] = {"f_port": 1, "f_cnt": f_cnt}
    if decoded is not None:
        msg["decoded_payload"] = decoded
    if frm_payload is not None:
        msg["frm_payload"] = frm_payload
    if rssi is not None:
        msg["rx_metadata"] = [{"gateway_ids": {"gateway_id": "ge-gw-01"}, "rssi": rssi, "snr": snr}]
    return {
        "end_device_ids": {
            "device_id": device,
            "application_ids": {"application_id": "ge-gruent"},
        },
        "received_at": _iso(t_us),
        "uplink_message": msg,
    }


def valid_message(device: str, f_cnt: int, t_us: int, rng: random.Random) -> Message:
    temp = round(rng.uniform(12.0, 34.0), 2)
    rh = round(rng.uniform(30.0, 95.0), 1)
    pm = round(rng.uniform(2.0, 40.0), 1)
    up = ttn_uplink(device, f_cnt, t_us, {"Temperature": temp, "rh": rh, "pm2_5": pm})
    sid = f"ttn:{device}"
    return Message(
        f"v3/ge-gruent@ttn/devices/{device}/up",
        json.dumps(up).encode(),
        [
            (sid, "air_temperature", t_us, temp),
            (sid, "relative_humidity", t_us, rh),
            (sid, "pm2_5", t_us, pm),
            (sid, "rssi", t_us, -97.0),
            (sid, "snr", t_us, 7.25),
        ],
    )


def malformed_message(kind: str, device: str, f_cnt: int, t_us: int, rng: random.Random) -> Message:
    """One malformed (or partly malformed) message of the given kind."""
    topic = f"v3/ge-gruent@ttn/devices/{device}/up"
    sid = f"ttn:{device}"
    if kind == "not-json":
        return Message(topic, b"\x00\xff garbage {" + bytes(rng.randbytes(8)), [], 1, kind)
    if kind == "truncated":
        whole = json.dumps(ttn_uplink(device, f_cnt, t_us, {"Temperature": 20.0})).encode()
        return Message(topic, whole[: len(whole) // 2], [], 1, kind)
    if kind == "wrong-type":
        up = ttn_uplink(device, f_cnt, t_us, {"Temperature": "warm"}, rssi=None)
        return Message(topic, json.dumps(up).encode(), [], 1, kind)
    if kind == "impossible":
        # the impossible temperature is rejected, the humidity in the same message kept
        up = ttn_uplink(device, f_cnt, t_us, {"Temperature": 412.0, "rh": 55.0}, rssi=None)
        return Message(
            topic, json.dumps(up).encode(), [(sid, "relative_humidity", t_us, 55.0)], 1, kind
        )
    if kind == "future":
        far = t_us + 400 * 86400 * 1_000_000
        up = ttn_uplink(device, f_cnt, far, {"Temperature": 20.0}, rssi=None)
        return Message(topic, json.dumps(up).encode(), [], 1, kind)
    if kind == "oversized":
        up = ttn_uplink(device, f_cnt, t_us, {"Temperature": 20.0, "note": "x" * 70_000})
        return Message(topic, json.dumps(up).encode(), [], 1, kind)
    if kind == "raw-no-decoder":
        up = ttn_uplink(device, f_cnt, t_us, None, rssi=None, frm_payload="AhtQAAEMJQ==")
        return Message(topic, json.dumps(up).encode(), [], 1, kind)
    if kind == "no-device":
        up = ttn_uplink(device, f_cnt, t_us, {"Temperature": 20.0})
        del up["end_device_ids"]
        return Message(topic, json.dumps(up).encode(), [], 1, kind)
    raise ValueError(f"unknown malformed kind {kind!r}")


MALFORMED_KINDS = (
    "not-json",
    "truncated",
    "wrong-type",
    "impossible",
    "future",
    "oversized",
    "raw-no-decoder",
    "no-device",
)


def mixed_stream(
    n: int,
    *,
    devices: int = 200,
    malformed_share: float = 0.1,
    seed: int = 1,
    start_us: int | None = None,
) -> list[Message]:
    """``n`` messages from ``devices`` sensors reporting once a minute, some malformed.

    Every valid reading has a unique key, so the expected store content is exact. By
    default the last reading is an hour old, so none is too old or in the future.
    """
    rng = random.Random(seed)
    minutes = n // devices + 60
    t0 = start_us if start_us is not None else int((time.time() - minutes * 60) * 1e6)
    out = []
    for i in range(n):
        dev = f"ge-{i % devices:04d}"
        f_cnt = i // devices
        t_us = t0 + f_cnt * 60_000_000 + (i % devices) * 1000
        if rng.random() < malformed_share:
            out.append(malformed_message(rng.choice(MALFORMED_KINDS), dev, f_cnt, t_us, rng))
        else:
            out.append(valid_message(dev, f_cnt, t_us, rng))
    return out


def expected_readings(messages: Iterable[Message]) -> dict[tuple[str, str, int], float]:
    """Every reading the store must hold, keyed like the store."""
    return {(s, q, t): v for m in messages for s, q, t, v in m.readings}


def publish(
    host: str,
    port: int,
    messages: Sequence[Message],
    *,
    qos: int = 1,
    client_id: str = "workbench-traffic",
    inflight: int = 1000,
    chunk: int = 20000,
    ca_file: str | None = None,
    username: str | None = None,
    password: str | None = None,
) -> float:
    """Publish ``messages`` and wait until the broker has accepted all; returns seconds."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
    if ca_file:
        client.tls_set(ca_certs=ca_file)
    if username:
        client.username_pw_set(username, password)
    client.max_inflight_messages_set(inflight)
    client.max_queued_messages_set(0)
    client.reconnect_delay_set(0.2, 2)
    confirmed: set[int] = set()
    lock = threading.Lock()

    def on_publish(_c: object, _u: object, mid: int, _rc: object, _p: object) -> None:
        with lock:
            confirmed.add(mid)

    # not MQTTMessageInfo.wait_for_publish(): it raises for messages published while the
    # broker was away, which paho keeps and sends again after reconnecting
    client.on_publish = on_publish
    client.connect(host, port)
    client.loop_start()
    try:
        t0 = time.perf_counter()
        # packet ids wrap at 65535: keep fewer than that unconfirmed
        for i in range(0, len(messages), chunk):
            with lock:
                confirmed.clear()
            mids = {
                client.publish(m.topic, m.payload, qos=qos).mid for m in messages[i : i + chunk]
            }
            if qos == 0:
                continue
            deadline = time.monotonic() + 300
            while True:
                with lock:
                    if mids <= confirmed:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError("the broker did not confirm a message within 300 s")
                time.sleep(0.01)
        return time.perf_counter() - t0
    finally:
        client.disconnect()
        client.loop_stop()
