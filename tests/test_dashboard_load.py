"""The dashboard load benchmark's visitors against the real server, at a small size, so the
benchmark cannot rot: each visitor gets the page and every widget state, leaves with a 204,
and no kernel outlives its visitor."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from _voila_client import crowd, tree

from workbench.present.serve import ServeSettings, start, stop, wait_ready
from workbench.simulate.broker import free_port


def test_protocol_visitors_get_page_and_widget_state_and_free_their_kernels(
    demo_workspace, tmp_path
):
    port = free_port()
    s = ServeSettings(port=port, pool_size=1)
    log = (tmp_path / "voila.log").open("w")
    proc = start(demo_workspace.root, s, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/", proc, timeout=120)  # the tree, not the page: takes no kernel
        server = psutil.Process(proc.pid)
        deadline = time.monotonic() + 60
        while tree(server)[1] < 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        visits = asyncio.run(crowd(base, "citizens.ipynb", 4, window=2.0, timeout=90))
        for v in visits:
            assert v.ok, v
            assert v.widgets > 100, v  # the map, its layers, the list, the controls
            assert v.html_s <= v.state_s, v
            assert v.shutdown == 204, v  # the leave request freed the kernel
        # no kernel beyond the (refilling) pool remains
        deadline = time.monotonic() + 30
        while tree(server)[1] > s.pool_size and time.monotonic() < deadline:
            time.sleep(0.5)
        assert tree(server)[1] <= s.pool_size, "a departed visitor's kernel is still running"
    finally:
        stop(proc)
        log.close()
    assert proc.poll() is not None
