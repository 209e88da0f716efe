"""`workbench ingest` against a real Mosquitto: exactly once through crashes and restarts.

Each test starts its own broker (Debian ``mosquitto``) on a free loopback port and runs
the ingest service as a separate process, the way the city IT runs it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

from workbench.pipeline.status import status as status_of
from workbench.simulate.broker import LocalBroker, find_mosquitto
from workbench.simulate.traffic import Message, expected_readings, mixed_stream, publish
from workbench.workspace import Workspace

TOPIC = "v3/+/devices/+/up"

# what each malformed kind must say in quarantine
REASONS = {
    "not-json": "not JSON",
    "truncated": "not JSON",
    "wrong-type": "no measurement fields",
    "impossible": "outside the possible range",
    "future": "after the message arrived",
    "oversized": "exceeds 65536 bytes",
    "raw-no-decoder": "no byte decoder configured",
    "no-device": "missing end_device_ids.device_id",
}


@pytest.fixture(scope="module", autouse=True)
def _mosquitto_present():
    # fails loudly (never skips) where the broker is missing: CI installs it
    find_mosquitto()


@pytest.fixture
def broker(tmp_path):
    with LocalBroker(tmp_path / "broker") as b:
        yield b


@pytest.fixture
def ws_path(tmp_path):
    Workspace.init(tmp_path / "ws")
    return tmp_path / "ws"


class Ingest:
    """The ingest service as a child process, restartable."""

    def __init__(
        self, ws_path: Path, broker: LocalBroker, *extra: str, env: dict | None = None
    ) -> None:
        self.env = env
        self.ws_path = ws_path
        self.broker = broker
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = ws_path.parent / "ingest.log"
        self.starts = 0

    def start(self) -> Ingest:
        cmd = [
            sys.executable,
            "-m",
            "workbench.cli",
            "ingest",
            "-w",
            str(self.ws_path),
            "--broker",
            self.broker.url,
            "--topic",
            TOPIC,
            "--flush-interval",
            "0.5",
            *self.extra,
        ]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, stderr=log, cwd=REPO, env=self.env)
        self.starts += 1
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        """Until this process has connected and written its heartbeat."""
        beat = self.ws_path / "ingest" / "heartbeat.json"

        def ready() -> bool:
            try:
                doc = json.loads(beat.read_text())
            except (FileNotFoundError, json.JSONDecodeError):
                return False
            return doc.get("pid") == self.proc.pid and doc.get("connected")

        wait_for(ready, timeout, "ingest to connect", self)

    def kill9(self) -> None:
        assert self.proc is not None and self.proc.poll() is None, "ingest died on its own"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self) -> int:
        assert self.proc is not None
        self.wait_ready()  # SIGTERM before the handlers exist would just end the process
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=120)

    def log_events(self) -> list[dict]:
        out = []
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                out.append({"event": line})
        return out


def counters(ws_path: Path) -> dict:
    st = Workspace.open(ws_path).store.snapshot().ingest_state or {}
    return st.get("counters", {})


def wait_for(cond, timeout: float, what: str, ingest: Ingest | None = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        if ingest is not None and ingest.proc is not None and ingest.proc.poll() is not None:
            raise AssertionError(f"ingest exited early:\n{ingest.log.read_text()[-3000:]}")
        time.sleep(0.1)
    # say where it stood, so a failure under load can be told from a lost message
    state = ""
    if ingest is not None:
        state = (
            f"; counters {counters(ingest.ws_path)}; ingest log:\n{ingest.log.read_text()[-3000:]}"
        )
    raise AssertionError(f"timed out waiting for {what}{state}")


def assert_exactly_once(ws_path: Path, messages: list[Message]) -> pd.DataFrame:
    want = expected_readings(messages)
    obs = Workspace.open(ws_path).observations()
    keys = list(
        zip(
            obs["sensor_id"].astype(str),
            obs["quantity"].astype(str),
            obs["time"].dt.as_unit("us").astype("int64"),
            strict=True,
        )
    )
    assert len(keys) == len(set(keys)), "a reading is stored twice"
    missing = set(want) - set(keys)
    extra = set(keys) - set(want)
    assert not missing, f"{len(missing)} readings lost, e.g. {sorted(missing)[:3]}"
    assert not extra, f"{len(extra)} unexpected readings, e.g. {sorted(extra)[:3]}"
    values = dict(zip(keys, obs["value"].astype(float), strict=True))
    assert all(values[k] == pytest.approx(v) for k, v in want.items())
    return obs


def publish_in_background(broker: LocalBroker, messages: list[Message]) -> threading.Thread:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            publish("127.0.0.1", broker.port, messages, chunk=2000)
        except BaseException as exc:
            errors.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.errors = errors  # type: ignore[attr-defined]
    t.start()
    return t


def unreadable_frames_between_readable_ones(messages: list[Message]) -> int:
    unreadable_kinds = {"not-json", "truncated", "oversized", "no-device"}
    frames: dict[str, list[tuple[int, bool]]] = {}
    for i, m in enumerate(messages):
        dev = m.topic.split("/")[3]
        frames.setdefault(dev, []).append((i, m.kind not in unreadable_kinds))
    n = 0
    for seq in frames.values():
        readable = [i for i, ok in seq if ok]
        if readable:
            n += sum(1 for i, ok in seq if not ok and readable[0] < i < readable[-1])
    return n


# ---------------------------------------------------------------------- tests
def test_mixed_stream_every_valid_reading_once_every_bad_one_quarantined(broker, ws_path):
    messages = mixed_stream(20_000, devices=200, malformed_share=0.08, seed=11)
    kinds = {m.kind for m in messages}
    assert kinds == {"valid", *REASONS}, "the stream must exercise every kind of bad payload"
    ingest = Ingest(ws_path, broker).start()
    ingest.wait_ready()
    publish("127.0.0.1", broker.port, messages)
    wait_for(lambda: counters(ws_path).get("received", 0) >= len(messages), 180, "load", ingest)
    assert ingest.terminate() == 0
    assert_exactly_once(ws_path, messages)

    ws = Workspace.open(ws_path)
    q = ws.quarantine()
    assert len(q) == sum(m.rejects for m in messages)
    assert q["source"].str.startswith("v3/ge-gruent@ttn/devices/").all()  # the topic
    assert (q["origin"] == "mqtt:ttn").all() and q["reason"].str.len().gt(0).all()
    for kind, text in REASONS.items():
        n_kind = sum(m.rejects for m in messages if m.kind == kind)
        hits = q["reason"].str.contains(text, regex=False).sum()
        assert hits >= n_kind, f"{kind}: {hits} quarantine records say {text!r}, want {n_kind}"

    st = status_of(ws)["ingest"]
    c = st["counters"]
    assert c["received"] == len(messages)
    assert c["stored"] == len(expected_readings(messages))
    assert c["quarantined"] == len(q)
    assert c["messages_partial"] == sum(1 for m in messages if m.kind == "impossible")
    assert c["duplicates"] == 0
    # payloads whose device and frame counter cannot be read look like lost frames once a
    # later frame of the same device arrives
    assert c["gaps"] == unreadable_frames_between_readable_ones(messages)
    assert st["service"]["running"] is False
    # raw payloads are kept, one per message
    raw = ws.store.snapshot().manifest["raw"]
    assert sum(e["rows"] for e in raw) == len(messages)
    # the journal is empty after a clean stop
    assert not list((ws_path / "ingest" / "journal").glob("*.wal"))
    events = [e["event"] for e in ingest.log_events()]
    assert "connected" in events and "loaded" in events and events[-1] == "stopped"


def test_oversized_payloads_are_kept_as_a_bounded_prefix_and_a_hash(broker, ws_path):
    """Four 5.2 MB payloads used to be journalled, archived and quarantined whole (16 MB);
    now each leaves its size, SHA-256 and 4 KiB, and the valid readings around them land."""
    import hashlib
    import random as _random

    from workbench.simulate.traffic import valid_message

    rng = _random.Random(5)
    t0 = (int(time.time()) - 3600) * 1_000_000
    good = [valid_message(f"dev-{i}", i, t0 + i * 60_000_000, rng) for i in range(6)]
    junk = [rng.randbytes(5_200_000) for _ in range(4)]  # incompressible
    big = [Message(f"v3/ge-gruent@ttn/devices/big-{i}/up", p, [], 1) for i, p in enumerate(junk)]
    # a sender imitating the stand-in (a broken header, a well-formed one) stops nothing
    marker = b"\x00workbench-oversized\x00"
    fake = {"bytes": 9, "sha256": "0" * 64}
    forged = [marker + b"{broken", marker + json.dumps(fake).encode() + b"\nxyz"]
    forged = [Message("v3/ge-gruent@ttn/devices/forger/up", p, [], 1) for p in forged]
    ingest = Ingest(ws_path, broker).start()
    ingest.wait_ready()
    publish("127.0.0.1", broker.port, good[:3] + big + forged + good[3:])
    wait_for(lambda: counters(ws_path).get("received", 0) >= 12, 120, "load", ingest)
    assert ingest.terminate() == 0
    assert_exactly_once(ws_path, good)

    ws = Workspace.open(ws_path)
    q = ws.quarantine()
    assert len(q) == 6
    assert q["reason"].str.contains("imitates the marker").sum() == 2
    for payload in junk:
        digest = hashlib.sha256(payload).hexdigest()
        row = q[q["reason"].str.contains(digest)]
        assert len(row) == 1
        assert "payload of 5200000 bytes exceeds 65536 bytes" in row.iloc[0]["reason"]
        assert row.iloc[0]["raw"] == payload[:4000].decode(errors="replace")
    # journal, raw archive and quarantine together: far below the 21 MB received
    kept = sum(f.stat().st_size for f in ws_path.rglob("*") if f.is_file())
    assert kept < 2_000_000, f"the workspace holds {kept} bytes after 21 MB of junk"


def test_kill_minus_9_at_random_points_loses_and_duplicates_nothing(broker, ws_path):
    messages = mixed_stream(20_000, devices=250, malformed_share=0.05, seed=23)
    rng = random.Random(5)
    ingest = Ingest(ws_path, broker).start()
    ingest.wait_ready()
    pub = publish_in_background(broker, messages)
    kills = 0
    for _ in range(4):
        time.sleep(rng.uniform(0.3, 2.0))
        ingest.kill9()
        kills += 1
        ingest.start()
    pub.join(timeout=300)
    assert not pub.errors, pub.errors  # type: ignore[attr-defined]
    n_expected = len(expected_readings(messages))
    wait_for(lambda: counters(ws_path).get("stored", 0) >= n_expected, 240, "load", ingest)
    assert ingest.terminate() == 0
    assert kills == 4
    assert_exactly_once(ws_path, messages)
    c = counters(ws_path)
    # at least every message once; redeliveries after the kills are absorbed as duplicates
    assert c["received"] >= len(messages)
    q = Workspace.open(ws_path).quarantine()
    assert len(q) >= sum(m.rejects for m in messages)


def test_broker_restart_mid_stream_loses_and_duplicates_nothing(broker, ws_path):
    messages = mixed_stream(20_000, devices=200, malformed_share=0.05, seed=31)
    ingest = Ingest(ws_path, broker).start()
    ingest.wait_ready()
    pub = publish_in_background(broker, messages)
    wait_for(lambda: counters(ws_path).get("received", 0) > 2000, 60, "first loads", ingest)
    broker.restart()  # clean stop: Mosquitto saves queued messages and sessions
    pub.join(timeout=300)
    assert not pub.errors, pub.errors  # type: ignore[attr-defined]
    n_expected = len(expected_readings(messages))
    wait_for(lambda: counters(ws_path).get("stored", 0) >= n_expected, 240, "load", ingest)
    assert ingest.terminate() == 0
    assert_exactly_once(ws_path, messages)
    events = [e["event"] for e in ingest.log_events()]
    assert events.count("connected") >= 2, "ingest must have reconnected"
    assert any(e.startswith("disconnected") for e in events)


def test_ttn_qos0_frame_gaps_are_reported(broker, ws_path):
    from workbench.simulate.traffic import valid_message

    rng = random.Random(3)
    t0 = int((time.time() - 7200) * 1e6)
    frames = [1, 2, 3, 7, 8, 12]  # 4-6 and 9-11 lost upstream
    messages = [valid_message("gap-dev", f, t0 + f * 60_000_000, rng) for f in frames]
    ingest = Ingest(ws_path, broker, "--qos", "0").start()
    ingest.wait_ready()
    publish("127.0.0.1", broker.port, messages, qos=1)
    wait_for(lambda: counters(ws_path).get("received", 0) >= len(frames), 60, "load", ingest)
    assert ingest.terminate() == 0
    st = status_of(Workspace.open(ws_path))["ingest"]
    assert st["counters"]["gaps"] == 6
    assert st["devices_with_gaps"] == [["ttn:gap-dev", 6]] or st["devices_with_gaps"] == [
        ("ttn:gap-dev", 6)
    ]
    gap_events = [e for e in ingest.log_events() if e.get("event") == "frame gap"]
    assert [(e["missing_from"], e["missing_to"]) for e in gap_events] == [(4, 6), (9, 11)]
    out = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "status", "-w", str(ws_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "gaps 6" in out and "6 frames missing  ttn:gap-dev" in out


def test_reprocess_after_adding_a_byte_decoder(broker, ws_path):
    raw_up = json.loads(
        (Path(__file__).parent / "fixtures" / "decentlab_DL-PM_tts_uplink.json").read_text()
    )
    raw_up["received_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    msg = Message("v3/test-decentlab/devices/03022/up", json.dumps(raw_up).encode())
    ingest = Ingest(ws_path, broker).start()
    ingest.wait_ready()
    publish("127.0.0.1", broker.port, [msg])
    wait_for(lambda: counters(ws_path).get("received", 0) >= 1, 60, "load", ingest)
    assert ingest.terminate() == 0
    ws = Workspace.open(ws_path)
    assert ws.observations().empty and len(ws.quarantine()) == 1
    # the decoder fix: configure the byte decoder, then decode the kept payload again
    cfg = ws_path / "workbench.toml"
    cfg.write_text(cfg.read_text() + '\n[mqtt.byte_decoder]\ntest-decentlab = "decentlab-dl-pm"\n')
    run = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "reprocess", "-w", str(ws_path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "10 readings stored" in run.stdout  # 8 from the payload + rssi + snr
    obs = Workspace.open(ws_path).observations()
    assert obs.set_index("quantity").loc["pm2_5", "value"] == pytest.approx(3.9)
    # again: nothing new; with --replace the same readings are rebuilt, not doubled
    again = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "reprocess", "-w", str(ws_path), "--replace"],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert "10 readings stored" in again.stdout and "10 old readings replaced" in again.stdout
    assert len(Workspace.open(ws_path).observations()) == 10


def test_second_ingest_on_the_same_workspace_is_refused(broker, ws_path):
    first = Ingest(ws_path, broker).start()
    first.wait_ready()
    second = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "ingest",
            "-w",
            str(ws_path),
            "--broker",
            broker.url,
            "--topic",
            TOPIC,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1
    assert "another `workbench ingest` is running" in second.stderr
    assert first.terminate() == 0


def test_bad_settings_are_one_line_errors(ws_path):
    run = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "ingest", "-w", str(ws_path), "--topic", "x"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and "no broker" in run.stderr
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "ingest",
            "-w",
            str(ws_path),
            "--broker",
            "http://x",
            "--topic",
            "x",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and "use mqtt:// or mqtts://" in run.stderr
    env = {**os.environ}
    env.pop("NO_SUCH_PW", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "ingest",
            "-w",
            str(ws_path),
            "--broker",
            "mqtt://127.0.0.1:1",
            "--topic",
            "x",
            "--password-env",
            "NO_SUCH_PW",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 1 and "NO_SUCH_PW" in run.stderr


def make_tls_files(d: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate for 127.0.0.1 (openssl CLI)."""

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=workbench-test-ca",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    )
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    )
    return d / "ca.crt", d / "server.crt", d / "server.key"


def test_tls_and_password_login(tmp_path, ws_path):
    certs = tmp_path / "certs"
    certs.mkdir()
    ca, crt, key = make_tls_files(certs)
    pwfile = tmp_path / "passwd"
    subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(pwfile), "ingest", "s3cret pw"],
        check=True,
        capture_output=True,
    )
    messages = mixed_stream(300, devices=10, malformed_share=0.0, seed=41)
    with LocalBroker(tmp_path / "broker", tls=(ca, crt, key), password_file=pwfile) as b:
        assert b.url.startswith("mqtts://")
        ingest = Ingest(
            ws_path,
            b,
            *("--ca-file", str(ca), "--username", "ingest", "--password-env", "MQTT_PW"),
            env={**os.environ, "MQTT_PW": "s3cret pw"},
        ).start()
        ingest.wait_ready()
        publish(
            "127.0.0.1", b.port, messages, ca_file=str(ca), username="ingest", password="s3cret pw"
        )
        wait_for(lambda: counters(ws_path).get("received", 0) >= 300, 60, "load", ingest)
        assert ingest.terminate() == 0
        assert_exactly_once(ws_path, messages)
        # a wrong password is refused by the broker and logged, the service keeps retrying
        bad = Ingest(ws_path, b, "--ca-file", str(ca), "--username", "ingest")
        bad.start()
        wait_for(
            lambda: any(e.get("event") == "connect refused" for e in bad.log_events()),
            30,
            "the refusal to be logged",
            bad,
        )
        bad.proc.send_signal(signal.SIGTERM)
        assert bad.proc.wait(timeout=60) == 0
