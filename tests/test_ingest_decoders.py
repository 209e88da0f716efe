"""Stream decoders, validation, the journal and frame-gap tracking (no broker needed)."""

from __future__ import annotations

import base64
import json
import os

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.ingest import decoders, journal
from workbench.ingest.decoders import decode_json, decode_senml, decode_ttn, decode_urbanpulse
from workbench.ingest.loader import track_frames
from workbench.ingest.validate import Limits, check_reading
from workbench.quantities import QUANTITIES

T0 = 1_751_371_200.0  # 2025-07-01T12:00:00Z


# ---------------------------------------------------------------------- real TTN uplinks
def test_ttn_real_event_payload_as_mqtt_delivers_it():
    doc = json.loads((FIXTURES / "ezurio_RS26x_tts_event_with_decoded_payload.json").read_bytes())
    inner = dict(doc["data"])
    inner.pop("@type", None)
    for payload in (json.dumps(doc).encode(), json.dumps(inner).encode()):
        d = decode_ttn(payload, "v3/app/devices/rs261-erik-internal/up", T0)
        assert not d.rejects
        got = {q: v for _, q, _, v in d.readings}
        assert got["air_temperature"] == 22.12
        assert got["rssi"] == -67 and got["snr"] == 10.25
        assert d.f_cnt is not None and d.f_cnt[0] == "ttn:rs261-erik-internal"


def test_ttn_raw_decentlab_payload_needs_and_uses_a_byte_decoder():
    payload = (FIXTURES / "decentlab_DL-PM_tts_uplink.json").read_bytes()
    without = decode_ttn(payload, "t", T0)
    assert not without.readings
    assert "no byte decoder configured for device '03022'" in without.rejects[0][1]
    dec = decoders.make_decoder("ttn", {"byte_decoder": {"test-decentlab": "decentlab-dl-pm"}})
    d = dec(payload, "t", T0)
    got = {q: v for _, q, _, v in d.readings}
    assert got["pm2_5"] == pytest.approx(3.9) and got["pm10"] == pytest.approx(3.9)
    assert got["air_pressure"] == pytest.approx(968.0)
    assert got["battery_voltage"] == pytest.approx(3.109)
    assert d.f_cnt == ("ttn:03022", 101)


def test_ttn_raw_payload_of_wrong_length_is_rejected_with_reason():
    doc = json.loads((FIXTURES / "decentlab_DL-PM_tts_uplink.json").read_bytes())
    raw = base64.b64decode(doc["uplink_message"]["frm_payload"])
    doc["uplink_message"]["frm_payload"] = base64.b64encode(raw[:-3]).decode()
    dec = decoders.make_decoder("ttn", {"byte_decoder": {"03022": "decentlab-dl-pm"}})
    d = dec(json.dumps(doc).encode(), "t", T0)
    assert not d.readings
    assert "DL-PM payload has 30 bytes" in d.rejects[0][1]


def test_ttn_field_map_per_model():
    up = {
        "end_device_ids": {"device_id": "x1"},
        "received_at": "2025-07-01T12:00:00Z",
        "uplink_message": {
            "f_cnt": 3,
            "version_ids": {"model_id": "acme-th"},
            "decoded_payload": {"Temp_C": 18.5, "status": "ok"},
        },
    }
    dec = decoders.make_decoder("ttn", {"field_map": {"acme-th": {"Temp_C": "air_temperature"}}})
    d = dec(json.dumps(up).encode(), "t", T0)
    assert d.readings == [("ttn:x1", "air_temperature", int(T0 * 1e6), 18.5)]


# ---------------------------------------------------------------------- other formats
def test_senml_pack_keeps_good_records_and_rejects_bad_ones():
    pack = [
        {"bn": "urn:dev:ge-9:", "bt": T0, "n": "temp", "u": "Cel", "v": 21.5},
        {"n": "humidity", "u": "%RH", "v": 55},
        {"n": "colour", "vs": "green"},
        {"n": "mystery", "v": 1},
        {"n": "temp", "u": "furlong", "v": 3},
    ]
    d = decode_senml(json.dumps(pack).encode(), "ge/senml", T0)
    assert [(s, q, v) for s, q, _, v in d.readings] == [
        ("urn:dev:ge-9", "air_temperature", 21.5),
        ("urn:dev:ge-9", "relative_humidity", 55.0),
    ]
    reasons = " | ".join(r for _, r in d.rejects)
    assert "no numeric value" in reasons and "unknown quantity 'mystery'" in reasons
    assert "furlong" in reasons


def test_json_long_wide_topic_id_and_delivery_time():
    long = {"sensor_id": "k1", "time": "2025-07-01T12:00:00Z", "quantity": "PM10", "value": 12}
    d = decode_json(json.dumps(long).encode(), "x", 0.0)
    assert d.readings == [("k1", "pm10", int(T0 * 1e6), 12.0)]
    wide = {"values": {"temperature": 20.0, "pressure": 1013.2}}
    d = decode_json(json.dumps(wide).encode(), "ge/json/kiosk-3", T0)
    assert {(s, q) for s, q, _, _ in d.readings} == {
        ("kiosk-3", "air_temperature"),
        ("kiosk-3", "air_pressure"),
    }
    assert all(t == int(T0 * 1e6) for _, _, t, _ in d.readings)
    naive = {"sensor_id": "k1", "time": "2025-07-01 14:00:00", "temperature": 20}
    assert "no UTC offset" in decode_json(json.dumps(naive).encode(), "x", T0).rejects[0][1]
    berlin = decoders.make_decoder("json", tz="Europe/Berlin")
    assert berlin(json.dumps(naive).encode(), "x", T0).readings[0][2] == int(T0 * 1e6)


def test_urbanpulse_feature():
    feat = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [7.09, 51.51]},
        "properties": {
            "deviceId": "ws-03",
            "sensorLabel": "pressure",
            "timestamp": "2025-07-01T12:00:00Z",
            "units": "Pa",
            "value": 101325,
        },
    }
    d = decode_urbanpulse(json.dumps(feat).encode(), "up/ws-03", T0)
    assert d.readings == [("up:ws-03", "air_pressure", int(T0 * 1e6), 1013.25)]
    assert d.positions == [("up:ws-03", 51.51, 7.09, int(T0 * 1e6))]


# ---------------------------------------------------------------------- fuzzing
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "end_device_ids",
                    "device_id",
                    "uplink_message",
                    "decoded_payload",
                    "received_at",
                    "f_cnt",
                    "frm_payload",
                    "rx_metadata",
                    "rssi",
                    "snr",
                    "data",
                    "bn",
                    "bt",
                    "bu",
                    "bv",
                    "n",
                    "u",
                    "v",
                    "t",
                    "vs",
                    "type",
                    "features",
                    "properties",
                    "deviceId",
                    "sensorLabel",
                    "timestamp",
                    "value",
                    "units",
                    "geometry",
                    "coordinates",
                    "sensor_id",
                    "time",
                    "quantity",
                    "unit",
                    "values",
                    "temperature",
                    "pm2_5",
                    "lat",
                    "lon",
                    "Temperature",
                    "version_ids",
                    "model_id",
                    "application_ids",
                    "application_id",
                ]
            )
            | st.text(max_size=10),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)

FUZZ_DECODERS = [
    decode_senml,
    decode_json,
    decode_urbanpulse,
    decoders.make_decoder(
        "ttn",
        {
            "byte_decoder": {"d": "decentlab-dl-pm", "device_id": "decentlab-dl-pm"},
            "field_map": {"device_id": {"v": "air_temperature"}},
        },
    ),
]


def _check(decoded: decoders.Decoded) -> None:
    for sid, q, t, v in decoded.readings:
        assert isinstance(sid, str) and q in QUANTITIES
        assert isinstance(t, int) and isinstance(v, float)
    for where, reason in decoded.rejects:
        assert isinstance(where, str) and isinstance(reason, str) and reason


@pytest.mark.parametrize("decode", FUZZ_DECODERS, ids=lambda f: getattr(f, "__name__", "ttn"))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=st.binary(max_size=300), topic=st.text(max_size=40))
def test_fuzz_bytes_never_raise(decode, payload, topic):
    _check(decode(payload, topic, T0))


@pytest.mark.parametrize("decode", FUZZ_DECODERS, ids=lambda f: getattr(f, "__name__", "ttn"))
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=json_values, topic=st.text(max_size=40), received=st.floats(-1e12, 1e12))
def test_fuzz_json_documents_never_raise(decode, doc, topic, received):
    payload = json.dumps(doc, allow_nan=True).encode()
    _check(decode(payload, topic, received))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64))
def test_fuzz_decentlab_bytes_raise_only_payload_errors(data):
    from workbench.importers.lorawan import PayloadError, decode_decentlab_dl_pm

    try:
        out = decode_decentlab_dl_pm(data)
    except PayloadError:
        return
    assert all(isinstance(v, float) for _, v, _ in out)


# ---------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("q", "value", "dt_s", "expected"),
    [
        ("air_temperature", 21.0, 0, None),
        ("air_temperature", 61.0, 0, "outside the possible range"),
        ("pm10", -1.0, 0, "outside the possible range"),
        ("pm10", float("nan"), 0, "not a finite number"),
        ("air_temperature", 20.0, 601, "after the message arrived"),
        ("air_temperature", 20.0, 599, None),
        ("air_temperature", 20.0, -401 * 86400, "days before"),
    ],
)
def test_check_reading(q, value, dt_s, expected):
    reason = check_reading(q, value, int((T0 + dt_s) * 1e6), int(T0 * 1e6), Limits())
    if expected is None:
        assert reason is None
    else:
        assert expected in reason


def test_limits_from_config_are_validated():
    assert Limits.from_config({"ingest": {"max_future_s": 60}}).max_future_s == 60
    with pytest.raises(ValueError, match=r"ingest\.max_payload_bytes"):
        Limits.from_config({"ingest": {"max_payload_bytes": -5}})


# ---------------------------------------------------------------------- journal
def test_journal_round_trip_and_torn_tail(tmp_path):
    j = journal.Journal(tmp_path)
    n = j.open_new()
    j.append([(1.5, "a/b", b"one"), (2.5, "a/\u00fc", b"")])
    j.append([(3.5, "c", b"x" * 1000)])
    path = tmp_path / f"{n:012d}.wal"
    whole = path.read_bytes()
    entries, end = journal.read_segment(path)
    assert [(e.received_at, e.topic, e.payload) for e in entries] == [
        (1.5, "a/b", b"one"),
        (2.5, "a/\u00fc", b""),
        (3.5, "c", b"x" * 1000),
    ]
    assert end == len(whole)
    # a crash mid-write: every cut keeps exactly the records written whole before it
    for cut in range(len(whole)):
        path.write_bytes(whole[:cut])
        got, end = journal.read_segment(path)
        assert [e.payload for e in got] == [e.payload for e in entries][: len(got)]
        assert end <= cut
    # a flipped byte ends the segment at the damaged record
    damaged = bytearray(whole)
    damaged[len(whole) - 10] ^= 0xFF
    path.write_bytes(bytes(damaged))
    assert len(journal.read_segment(path)[0]) == 2


def test_journal_rotation_and_checkpoint(tmp_path):
    j = journal.Journal(tmp_path)
    assert j.rotate() is None  # nothing open
    first = j.open_new()
    assert j.rotate() is None  # nothing written
    j.append([(1.0, "t", b"p")])
    closed = j.rotate()
    assert closed == first and list(j.pending(0)) == [first]
    j.append([(2.0, "t", b"q")])
    assert list(j.pending(0)) == [first]  # the open segment is not pending
    j.remove_through(first)
    assert list(j.pending(0)) == []
    j.close()
    j2 = journal.Journal(tmp_path)  # a restarted service never appends to old segments
    assert j2.open_new() == first + 2
    assert sorted(os.listdir(tmp_path)) == [f"{first + 1:012d}.wal", f"{first + 2:012d}.wal"]
    j2.close()
    # all segments loaded and deleted: numbering continues after the store's checkpoint,
    # or the loader would skip (and delete) the new segments as already loaded
    for p in tmp_path.glob("*.wal"):
        p.unlink()
    j3 = journal.Journal(tmp_path)
    j3.floor = 7
    assert j3.open_new() == 8


# ---------------------------------------------------------------------- frame counters
def test_frame_gaps_redeliveries_and_resets():
    dev: dict = {}
    seq = [10, 11, 15, 11, 13, 16, 16, 2, 3]
    got = [track_frames(dev, "ttn:x", f, "t") for f in seq]
    assert got == [
        (0, 0, False),
        (0, 0, False),
        (3, 0, False),  # 12, 13, 14 missing
        (0, 0, False),  # 11 again: a redelivery
        (0, 1, False),  # 13 late: fills part of the gap
        (0, 0, False),
        (0, 0, False),
        (0, 0, False),  # 2 is within the late window: seen-before or unknown, not a gap
        (0, 0, False),
    ]
    assert dev["ttn:x"]["gaps"] == 2
    assert dev["ttn:x"]["missing"] == [[12, 12], [14, 14]]
    track_frames(dev, "ttn:x", 16 + 300, "t")
    assert dev["ttn:x"]["gaps"] == 2 + 299
    assert track_frames(dev, "ttn:x", 1, "t") == (0, 0, True)  # re-join
    assert dev["ttn:x"]["f_cnt"] == 1 and dev["ttn:x"]["missing"] == []
