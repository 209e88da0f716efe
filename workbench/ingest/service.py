"""``workbench ingest``: the long-running MQTT ingest service.

Three threads, one purpose each:

* paho's network thread receives messages and only queues them;
* the **committer** (the calling thread) writes each group of queued messages to the
  journal with one ``fsync`` and then acknowledges them to the broker (paho's manual
  acknowledgement) — a reading is acknowledged only once it is durable;
* the **loader** decodes closed journal segments into the store (one transaction each,
  with the checkpoint) and deletes them.

With QoS 1, a persistent session (fixed client id, clean session off) and this order, a
crash at any point loses nothing the broker considers delivered, and whatever the broker
delivers again is absorbed by the store's key deduplication. ``SIGTERM``/``SIGINT``
journal and acknowledge what is queued, disconnect, load everything and exit 0.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from workbench.ingest.decoders import STREAM_FORMATS, make_decoder
from workbench.ingest.journal import Journal
from workbench.ingest.loader import empty_state, load_entries
from workbench.ingest.status import HEARTBEAT_NAME
from workbench.ingest.validate import Limits, bounded_payload
from workbench.store import try_lock
from workbench.workspace import Workspace

log = logging.getLogger("workbench.ingest")


# ---------------------------------------------------------------------- settings
@dataclass
class MqttSettings:
    """Where and how to subscribe; built from flags over ``[mqtt]`` in ``workbench.toml``."""

    host: str
    port: int
    topics: list[str]
    format: str = "ttn"
    tls: bool = False
    ca_file: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    client_id: str = "workbench-ingest"
    qos: int = 1
    keepalive: int = 60

    @classmethod
    def resolve(
        cls,
        config: dict[str, Any],
        *,
        broker: str | None = None,
        topics: list[str] | None = None,
        fmt: str | None = None,
        username: str | None = None,
        password: str | None = None,
        ca_file: str | None = None,
        client_id: str | None = None,
        qos: int | None = None,
    ) -> MqttSettings:
        """Flags win over the config file; raises ``ValueError`` naming what is missing."""
        m = config.get("mqtt", {}) or {}
        url = broker or m.get("broker") or ""
        if not url:
            raise ValueError("no broker: pass --broker mqtt://HOST:PORT or set mqtt.broker")
        u = urlparse(url if "://" in url else f"mqtt://{url}")
        if u.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError(f"broker URL scheme {u.scheme!r}: use mqtt:// or mqtts://")
        tls = u.scheme in ("mqtts", "ssl")
        if not u.hostname:
            raise ValueError(f"broker URL {url!r} names no host")
        topic_cfg = m.get("topic") or []
        tlist = topics or ([topic_cfg] if isinstance(topic_cfg, str) else list(topic_cfg))
        tlist = [t for t in tlist if t]
        if not tlist:
            raise ValueError("no topic: pass --topic or set mqtt.topic")
        fmt = fmt or m.get("format") or "ttn"
        if fmt not in STREAM_FORMATS:
            raise ValueError(f"format {fmt!r}: choose one of {', '.join(STREAM_FORMATS)}")
        q = int(qos if qos is not None else m.get("qos", 1))
        if q not in (0, 1):
            raise ValueError(f"qos {q}: use 1 (or 0 where the broker offers only that)")
        pw = password or (unquote(u.password) if u.password else None)
        env = m.get("password_env") or ""
        if pw is None and env:
            pw = os.environ.get(env)
            if pw is None:
                raise ValueError(f"mqtt.password_env names {env!r}, which is not set")
        return cls(
            host=u.hostname,
            port=u.port or (8883 if tls else 1883),
            topics=tlist,
            format=fmt,
            tls=tls or bool(ca_file or m.get("ca_file")),
            ca_file=ca_file or m.get("ca_file") or None,
            username=username
            or (unquote(u.username) if u.username else None)
            or m.get("username")
            or None,
            password=pw,
            client_id=client_id or m.get("client_id") or "workbench-ingest",
            qos=q,
            keepalive=int(m.get("keepalive", 60)),
        )

    def describe(self) -> str:
        scheme = "mqtts" if self.tls else "mqtt"
        return f"{scheme}://{self.host}:{self.port} {','.join(self.topics)} ({self.format})"


# ---------------------------------------------------------------------- logging
class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, event and the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        doc.update(getattr(record, "fields", {}))
        return json.dumps(doc, ensure_ascii=False, default=str)


def setup_logging(fmt: str = "json", level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(message)s")
    )
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def _event(level: int, event: str, **fields: Any) -> None:
    if log.isEnabledFor(level):
        log.log(level, event, extra={"fields": fields})


# ---------------------------------------------------------------------- the service
class IngestService:
    """Subscribe, journal, acknowledge, load. See the module notes.

    Parameters
    ----------
    workspace : Workspace
    settings : MqttSettings
    flush_interval : float, optional
        Seconds between loads of the journal into the store (``ingest.flush_interval_s``).
    """

    def __init__(
        self,
        workspace: Workspace,
        settings: MqttSettings,
        flush_interval: float | None = None,
    ) -> None:
        self.ws = workspace
        self.settings = settings
        icfg = workspace.config.get("ingest", {}) or {}
        self.flush_interval = float(flush_interval or icfg.get("flush_interval_s", 5.0))
        self.max_group = int(icfg.get("max_group", 1000))
        self.compact_after = int(icfg.get("compact_after_files", 48))
        self.limits = Limits.from_config(workspace.config)
        self.decoder = make_decoder(
            settings.format,
            workspace.config.get("mqtt", {}),
            workspace.config.get("import", {}).get("timezone") or None,
        )
        # the areas do not change while the service runs: build their lookup once
        self.area_lookup = workspace.area_lookup()
        self.dir = workspace.root / "ingest"
        self.dir.mkdir(exist_ok=True)
        self.journal = Journal(self.dir / "journal")
        self._lock_fd: int | None = None
        self._cond = threading.Condition()
        self._queue: list[tuple[int, int, str, bytes, float]] = []
        self._stop = threading.Event()
        self._load_now = threading.Event()
        self._loader_error: BaseException | None = None
        self.connected = False
        self.stats = {"received": 0, "acknowledged": 0, "journal_groups": 0, "connects": 0}
        self.started_at = time.time()
        self.last_message_at: float | None = None
        self.client: mqtt.Client | None = None

    # ------------------------------------------------------------------ lifecycle
    def _take_lock(self) -> None:
        fd = try_lock(self.dir / ".lock")
        if fd is None:
            raise RuntimeError(
                f"{self.ws.root}: another `workbench ingest` is running on this workspace"
            )
        self._lock_fd = fd

    def stop(self) -> None:
        """Ask the service to finish (thread-safe; also what SIGTERM does)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop())

    def run(self, duration: float | None = None) -> int:
        """Run until :meth:`stop` (or ``duration`` seconds); returns the exit code."""
        self._take_lock()
        try:
            recovered = self.load_pending()
            if recovered:
                _event(logging.INFO, "recovered journal", messages=recovered)
            state = self.ws.store.snapshot().ingest_state or {}
            self.journal.floor = int(state.get("journal_loaded_through", 0))
            self.journal.open_new()
            loader = threading.Thread(target=self._loader_loop, name="loader", daemon=True)
            loader.start()
            self.client = self._make_client()
            _event(logging.INFO, "starting", broker=self.settings.describe(), pid=os.getpid())
            self.client.connect_async(
                self.settings.host, self.settings.port, keepalive=self.settings.keepalive
            )
            self.client.loop_start()
            deadline = None if duration is None else time.monotonic() + duration
            last_rotate = last_beat = time.monotonic()
            while not self._stop.is_set():
                if deadline is not None and time.monotonic() >= deadline:
                    break
                self._commit_group(wait=0.05)
                now = time.monotonic()
                if now - last_rotate >= self.flush_interval:
                    if self.journal.rotate() is not None:
                        self._load_now.set()
                    last_rotate = now
                if now - last_beat >= 1.0:
                    self._heartbeat()
                    last_beat = now
                if self._loader_error is not None:
                    raise self._loader_error
            # drain: journal and acknowledge what is queued, then stop receiving
            self._commit_group(wait=0.0)
            self.client.disconnect()
            self.client.loop_stop()
            self.journal.rotate()
            self._stop.set()
            self._load_now.set()
            loader.join()
            if self._loader_error is not None:
                raise self._loader_error
            self.load_pending()
            self._heartbeat(stopped=True)
            _event(logging.INFO, "stopped", **self.stats)
            return 0
        finally:
            self.journal.close()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    # ------------------------------------------------------------------ MQTT
    def _make_client(self) -> mqtt.Client:
        s = self.settings
        c = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=s.client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
            manual_ack=True,
        )
        if s.username:
            c.username_pw_set(s.username, s.password)
        if s.tls:
            c.tls_set(ca_certs=s.ca_file, cert_reqs=ssl.CERT_REQUIRED)
        c.reconnect_delay_set(min_delay=1, max_delay=60)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        return c

    def _on_connect(self, client: mqtt.Client, _u: Any, flags: Any, rc: Any, _p: Any) -> None:
        if rc.is_failure:
            _event(logging.WARNING, "connect refused", reason=str(rc))
            return
        self.connected = True
        self.stats["connects"] += 1
        client.subscribe([(t, self.settings.qos) for t in self.settings.topics])
        _event(
            logging.INFO,
            "connected",
            session_present=bool(getattr(flags, "session_present", False)),
            topics=self.settings.topics,
        )

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        self.connected = False
        if not self._stop.is_set():
            _event(logging.WARNING, "disconnected; reconnecting with backoff", reason=str(rc))

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        # an oversized payload is journalled as a bounded stand-in (size, hash, prefix)
        payload = bounded_payload(msg.payload, self.limits.max_payload_bytes, from_network=True)
        item = (msg.mid, msg.qos, msg.topic, payload, time.time())
        with self._cond:
            self._queue.append(item)
            if len(self._queue) == 1:
                self._cond.notify()

    # ------------------------------------------------------------------ commit
    def _commit_group(self, wait: float) -> int:
        with self._cond:
            if not self._queue and wait > 0:
                self._cond.wait(wait)
            group = self._queue[: self.max_group]
            del self._queue[: len(group)]
        if not group:
            return 0
        self.journal.append([(t, topic, payload) for _, _, topic, payload, t in group])
        client = self.client
        for mid, qos, *_ in group:
            if qos > 0 and client is not None:
                client.ack(mid, qos)
        self.stats["received"] += len(group)
        self.stats["acknowledged"] += sum(1 for g in group if g[1] > 0)
        self.stats["journal_groups"] += 1
        self.last_message_at = group[-1][4]
        return len(group)

    # ------------------------------------------------------------------ loading
    def _loader_loop(self) -> None:
        try:
            while True:
                self._load_now.wait(0.5)
                self._load_now.clear()
                self.load_pending()
                if self._stop.is_set():
                    return
        except BaseException as exc:  # surfaced by the committer thread
            self._loader_error = exc
            self.stop()

    def load_pending(self) -> int:
        """Load every closed journal segment into the store; returns messages loaded."""
        state = self.ws.store.snapshot().ingest_state or empty_state()
        done = int(state.get("journal_loaded_through", 0))
        self.journal.remove_through(done)
        total = 0
        for number in list(self.journal.pending(done)):
            entries = self.journal.entries(number)
            t0 = time.perf_counter()
            with self.ws.store.transaction() as tx:
                state = tx.ingest_state or empty_state()
                res = load_entries(
                    tx,
                    entries,
                    self.decoder,
                    self.settings.format,
                    self.limits,
                    state,
                    area_lookup=self.area_lookup,
                )
                state["journal_loaded_through"] = number
                state["format"] = self.settings.format
                tx.ingest_state = state
                tx.compact(min_files=self.compact_after + 1)
            self.journal.remove_through(number)
            total += len(entries)
            for dev, lo, hi in res.new_gaps[:20]:
                _event(logging.WARNING, "frame gap", device=dev, missing_from=lo, missing_to=hi)
            _event(
                logging.INFO,
                "loaded",
                segment=number,
                seconds=round(time.perf_counter() - t0, 3),
                **res.counters,
            )
        return total

    def _heartbeat(self, stopped: bool = False) -> None:
        doc = {
            "pid": os.getpid(),
            "running": not stopped,
            "connected": self.connected,
            "broker": self.settings.describe(),
            "started_at": self.started_at,
            "updated_at": time.time(),
            "last_message_at": self.last_message_at,
            "journal_segments": len(self.journal.segments()),
            **self.stats,
        }
        tmp = self.dir / f".{HEARTBEAT_NAME}.tmp"
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        os.replace(tmp, self.dir / HEARTBEAT_NAME)
