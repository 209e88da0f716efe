"""MQTT ingest: sustained end-to-end rate of `workbench ingest` against a bare paho subscriber.

One local Mosquitto (its default in-flight window of 20), the same publisher process
sending N TTN-like uplinks at QoS 1 in both runs:

* baseline: a bare paho subscriber (QoS 1, automatic acknowledgement) that only counts;
* workbench: ``workbench ingest`` (decode, validate, journal + fsync before the manual
  acknowledgement, load into the store), timed until the store's committed ingest state
  says all N messages are in.

Prints both rates, the ratio (target >= 0.7) and the number of readings lost (target 0).

    python benchmarks/mqtt_ingest.py [N]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from _common import scratch

from workbench.simulate.broker import LocalBroker
from workbench.simulate.traffic import expected_readings, mixed_stream
from workbench.store import Store
from workbench.workspace import Workspace

PUBLISHER = """
import pickle, sys
from workbench.simulate.traffic import publish
msgs = pickle.load(open(sys.argv[1], "rb"))
print(publish("127.0.0.1", int(sys.argv[2]), msgs), flush=True)
"""

BARE = """
import sys, threading, time
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
n = int(sys.argv[2]); got = 0; done = threading.Event(); last = [0.0]
def on_message(c, u, m):
    global got
    got += 1
    if got >= n:
        last[0] = time.time(); done.set()
c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bare", clean_session=False)
c.on_message = on_message
c.on_connect = lambda c, u, f, rc, p: c.subscribe("v3/+/devices/+/up", qos=1)
c.connect("127.0.0.1", int(sys.argv[1])); c.loop_start()
print("ready", flush=True)
done.wait(3600)
print(last[0], flush=True)
"""


def run_publisher(port: int, msgs_path: Path) -> tuple[float, subprocess.Popen[str]]:
    t0 = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(msgs_path), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    return t0, proc


def bare_rate(broker: LocalBroker, n: int, msgs_path: Path) -> float:
    sub = subprocess.Popen(
        [sys.executable, "-c", BARE, str(broker.port), str(n)], stdout=subprocess.PIPE, text=True
    )
    assert sub.stdout is not None
    assert sub.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    t0, pub = run_publisher(broker.port, msgs_path)
    t_last = float(sub.stdout.readline())
    pub.wait()
    sub.wait()
    return n / (t_last - t0)


def ingest_rate(broker: LocalBroker, n: int, msgs_path: Path, work: Path) -> tuple[float, Path]:
    ws_path = work / "ws"
    Workspace.init(ws_path)
    log = open(work / "ingest.log", "w")
    proc = subprocess.Popen(
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
            "v3/+/devices/+/up",
            "--flush-interval",
            "1",
        ],
        stderr=log,
    )
    store = Store(ws_path / "store")
    deadline = time.time() + 30
    while not (ws_path / "ingest" / "heartbeat.json").exists() and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    t0, pub = run_publisher(broker.port, msgs_path)
    while True:
        st = store.snapshot().ingest_state or {}
        if st.get("counters", {}).get("received", 0) >= n:
            t_end = time.time()
            break
        time.sleep(0.05)
    pub.wait()
    proc.terminate()
    proc.wait(60)
    log.close()
    return n / (t_end - t0), ws_path


def main() -> None:
    import pickle

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    work = scratch("mqtt_ingest")
    msgs = mixed_stream(n, devices=500, malformed_share=0.0, seed=7)
    msgs_path = work / "messages.pkl"
    msgs_path.write_bytes(pickle.dumps(msgs))
    with LocalBroker(work / "broker-bare") as broker:
        bare = bare_rate(broker, n, msgs_path)
    with LocalBroker(work / "broker-ingest") as broker:
        rate, ws_path = ingest_rate(broker, n, msgs_path, work)
    ws = Workspace.open(ws_path)
    want = expected_readings(msgs)
    got = ws.observations()
    keys = set(
        zip(
            got["sensor_id"].astype(str),
            got["quantity"].astype(str),
            got["time"].dt.as_unit("us").astype("int64"),
            strict=True,
        )
    )
    lost = len(set(want) - keys)
    counters = ws.store.snapshot().ingest_state["counters"]
    print(f"messages                 {n}")
    print(f"bare paho subscriber     {bare:10.0f} msg/s")
    print(f"workbench ingest         {rate:10.0f} msg/s")
    print(f"ratio                    {rate / bare:10.2f}   (target >= 0.7)")
    print(f"readings expected        {len(want)}")
    print(f"readings lost            {lost}   (target 0)")
    print(f"duplicates absorbed      {counters['duplicates']}")
    print(f"quarantined              {counters['quarantined']}   (expected 0)")
    print(json.dumps({"bare": bare, "ingest": rate, "ratio": rate / bare, "lost": lost}))


if __name__ == "__main__":
    main()
