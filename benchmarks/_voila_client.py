"""Protocol-level Voila visitors and a server monitor (used by ``dashboard_load.py`` and
``tests/test_dashboard_load.py``).

One visitor does what a browser on a Voila page does, without the browser:

1. ``GET /voila/render/<page>``, reading the streamed HTML to its end; the kernel id comes
   from the page config (``"kernelId"``), the ``_xsrf`` cookie from the answer's headers;
2. the kernel websocket (``/api/kernels/<id>/channels``, Jupyter messaging protocol v5 as
   JSON frames): ``kernel_info_request``, then a comm with target ``jupyter.widget.control``
   and ``{"method": "request_states"}``; the reply (``update_states``) holds every widget
   model the page needs, which is what Voila's frontend waits for before it draws;
3. leaving like the page: ``POST /voila/api/shutdown/<id>`` with the form field ``_xsrf``.

Only tornado is used (Voila brings it).
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


@dataclass
class Visit:
    """What one visitor saw; times in seconds from the visitor's arrival (NaN: never)."""

    arrival: float = 0.0  # seconds after the crowd's start
    status: int = 0  # HTTP status of the page (599: no answer)
    html_s: float = float("nan")  # the whole streamed HTML read
    state_s: float = float("nan")  # the widget states received
    widgets: int = 0  # widget models in the reply
    state_bytes: int = 0  # size of the update_states message (JSON and buffers)
    html_bytes: int = 0
    shutdown: int = 0  # HTTP status of the leave request (204: kernel freed)
    error: str = ""

    @property
    def busy(self) -> bool:
        """Refused with the busy page ([dashboard] max_kernels)."""
        return self.status == 503

    @property
    def ok(self) -> bool:
        """HTML and widget states both arrived."""
        return self.status == 200 and self.widgets > 0 and not self.error


def _message(msg_type: str, content: dict, session: str, channel: str = "shell") -> dict:
    """A Jupyter protocol v5 message as the websocket's JSON frame expects it."""
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "visitor",
            "session": session,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
            "version": "5.3",
        },
        "parent_header": {},
        # ipywidgets 8's control comm speaks version 1.0.0 (the widget comms 2.1.0)
        "metadata": {"version": "1.0.0"} if msg_type == "comm_open" else {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


def decode_frame(frame: str | bytes) -> tuple[dict, int]:
    """A websocket frame as a message and its size in bytes; binary frames carry buffers
    (jupyter_server's format: a count, offsets, the JSON part, then the buffers)."""
    if isinstance(frame, str):
        return json.loads(frame), len(frame.encode())
    (nbufs,) = struct.unpack_from("!I", frame)
    offsets = struct.unpack_from("!" + "I" * nbufs, frame, 4)
    end = offsets[1] if nbufs > 1 else len(frame)
    return json.loads(frame[offsets[0] : end].decode()), len(frame)


async def _widget_states(url: str, cookie: str, timeout: float) -> tuple[int, int]:
    """Connect to a kernel's websocket and ask for every widget state, as Voila's frontend
    does; returns (widget models, bytes of the reply)."""
    session = uuid.uuid4().hex
    req = HTTPRequest(f"{url}?session_id={session}", headers={"Cookie": cookie})
    ws = await asyncio.wait_for(websocket_connect(req, max_message_size=1 << 30), timeout)
    try:
        info = _message("kernel_info_request", {}, session)
        ws.write_message(json.dumps(info))
        comm = uuid.uuid4().hex
        opened = _message(
            "comm_open",
            {"comm_id": comm, "target_name": "jupyter.widget.control", "data": {}},
            session,
        )
        ask = _message("comm_msg", {"comm_id": comm, "data": {"method": "request_states"}}, session)
        deadline = time.monotonic() + timeout
        got_info = False
        while True:
            left = deadline - time.monotonic()
            frame = await asyncio.wait_for(ws.read_message(), max(left, 0.001))
            if frame is None:
                raise ConnectionError("the kernel websocket closed")
            msg, size = decode_frame(frame)
            parent = msg.get("parent_header", {}).get("msg_id")
            if not got_info and msg["msg_type"] == "kernel_info_reply":
                got_info = True
                ws.write_message(json.dumps(opened))
                ws.write_message(json.dumps(ask))
            elif parent == ask["header"]["msg_id"] and msg["msg_type"] == "comm_msg":
                data = msg["content"].get("data", {})
                if data.get("method") == "update_states":
                    return len(data.get("states", {})), size
    finally:
        ws.close()


async def visit(base: str, page: str, timeout: float = 180.0, leave: bool = True) -> Visit:
    """One visitor on ``base`` (``http://127.0.0.1:port``): the page, its widget states and
    the leave request; never raises (a failure is in :attr:`Visit.error`)."""
    v = Visit()
    http = AsyncHTTPClient(force_instance=True)  # its own connection: no shared queue
    t0 = time.perf_counter()
    try:
        r = await http.fetch(
            f"{base}/voila/render/{page}", request_timeout=timeout, raise_error=False
        )
        v.status = r.code
        if r.code != 200:
            v.error = f"HTTP {r.code}" if r.code != 599 else f"no answer ({r.error})"
            return v
        html = r.body.decode("utf-8", "replace")
        v.html_s, v.html_bytes = time.perf_counter() - t0, len(r.body)
        kernel = KERNEL_ID.search(html)
        jar = SimpleCookie()
        for c in r.headers.get_list("Set-Cookie"):
            jar.load(c)
        if kernel is None or "_xsrf" not in jar:
            v.error = "no kernel id or no _xsrf cookie in the page"
            return v
        xsrf = jar["_xsrf"].value
        cookie = f"_xsrf={xsrf}"
        ws_url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel.group(1)}/channels"
        try:
            v.widgets, v.state_bytes = await _widget_states(ws_url, cookie, timeout)
            v.state_s = time.perf_counter() - t0
        except Exception as exc:  # counted as a failure, the visitor still leaves
            v.error = f"widget state: {type(exc).__name__} {exc}"
        if leave:
            try:
                r = await http.fetch(
                    f"{base}/voila/api/shutdown/{kernel.group(1)}",
                    method="POST",
                    body=f"_xsrf={xsrf}",
                    headers={"Cookie": cookie},
                    request_timeout=60,
                )
                v.shutdown = r.code
            except HTTPClientError as exc:
                v.shutdown = exc.code
    except Exception as exc:  # a visitor who gave up: counted, not fatal
        v.error = v.error or f"{type(exc).__name__} {exc}"
    finally:
        http.close()
    return v


async def crowd(base: str, page: str, n: int, window: float, timeout: float = 180.0) -> list[Visit]:
    """``n`` visitors arriving evenly spread over ``window`` seconds."""

    async def one(i: int) -> Visit:
        at = window * i / n if n > 1 else 0.0
        await asyncio.sleep(at)
        v = await visit(base, page, timeout)
        v.arrival = at
        return v

    return list(await asyncio.gather(*[one(i) for i in range(n)]))


def kernel_processes(server: psutil.Process) -> list[psutil.Process]:
    """The server's kernels (``ipykernel_launcher`` descendants)."""
    out = []
    for p in server.children(recursive=True):
        try:
            if "ipykernel" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:
            pass
    return out


def tree(server: psutil.Process) -> tuple[int, int, float]:
    """(resident bytes, kernels, CPU seconds) of the server and its descendants; CPU
    seconds include kernels that have already ended (reaped by the server)."""
    rss, cpu, kernels = 0, 0.0, 0
    for p in [server, *server.children(recursive=True)]:
        try:
            rss += p.memory_info().rss
            t = p.cpu_times()
            cpu += t.user + t.system
            if p is server:
                cpu += t.children_user + t.children_system
            elif "ipykernel" in " ".join(p.cmdline()):
                kernels += 1
        except psutil.Error:
            pass
    return rss, kernels, cpu


@dataclass
class Monitor:
    """Samples the server's memory and kernels every ``every`` seconds in the event loop;
    :meth:`mark` starts a new phase (``during``, ``after``), each with its own peaks."""

    server: psutil.Process
    every: float = 0.5
    phase: str = "idle"
    peaks: dict[str, dict[str, float]] = field(default_factory=dict)
    last: dict[str, float] = field(default_factory=dict)
    _task: Any = None

    def mark(self, phase: str) -> None:
        """Start ``phase`` (its peaks begin with the current sample)."""
        self.phase = phase
        self._sample()

    def _sample(self) -> None:
        rss, kernels, cpu = tree(self.server)
        self.last = {"rss": rss, "kernels": kernels, "cpu": cpu, "t": time.perf_counter()}
        pk = self.peaks.setdefault(self.phase, {"rss": 0, "kernels": 0})
        pk["rss"] = max(pk["rss"], rss)
        pk["kernels"] = max(pk["kernels"], kernels)

    async def _run(self) -> None:
        while True:
            self._sample()
            await asyncio.sleep(self.every)

    def start(self) -> None:
        """Sample in the background of the running event loop."""
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """Stop sampling (after one last sample)."""
        self._sample()
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
