"""Dashboard load: time until the citizen page's map and list are visible, for 1, 10 and 50
visitors arriving together, against a bare Voila notebook showing one ipyleaflet map, in
the same run and with the same Voila settings; memory per visitor; requests per second of
the static site.

    python benchmarks/dashboard_load.py                      # builds the demo workspace first
    python benchmarks/dashboard_load.py --workspace W --visitors 1,10,50 --pool-size 2

Visitors are Chromium pages (Debian's chromium, driven by Playwright) opened at the same
moment; each page gets its own kernel. Preheated kernels serve the first ``pool_size``
visitors; the rest wait for a kernel to start and the notebook to run. Memory per visitor is
the growth of the resident memory of Voila and its kernels, divided by the visitors. On a
2-core machine the browser competes with Voila for the CPU: read the ratio to the bare
notebook, not the absolute seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from _common import WORK

from workbench.present.serve import ServeSettings, static_server, stop, voila_command, wait_ready
from workbench.simulate.broker import free_port

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # every visitor's page is in the foreground, as on the visitor's own screen
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
]

BARE = {
    "cells": [
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "import ipyleaflet\nm = ipyleaflet.Map(center=(51.54, 7.08), zoom=12)\n"
            "for b in [x for x in m.layers if x.base]:\n    m.remove(b)\nm",
        },
    ],
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def rss_tree(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total


async def visit(browser, url: str, ready: list[str], timeout: float) -> float:
    """Seconds until every ``ready`` selector is visible (NaN if not within ``timeout``)."""
    context = await browser.new_context()  # one visitor, one browser profile
    page = await context.new_page()
    t0 = time.perf_counter()
    try:
        await page.goto(url, timeout=timeout * 1000)
        for sel in ready:
            await page.wait_for_selector(sel, timeout=timeout * 1000)
        return time.perf_counter() - t0
    except Exception:  # a visitor who gave up: counted, not fatal
        return float("nan")
    finally:
        await context.close()


async def crowd(url: str, n: int, ready: list[str], server_pid: int, timeout: float) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        before = rss_tree(server_pid)
        times = await asyncio.gather(*[visit(browser, url, ready, timeout) for _ in range(n)])
        after = rss_tree(server_pid)
        await browser.close()
    return {
        "n": n,
        "median_s": statistics.median(times),
        "max_s": max(times),
        "mem_per_visitor_mb": (after - before) / n / 2**20,
    }


def run_server(folder: Path, ws: Path, pool: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    s = ServeSettings(port=port, pool_size=pool, cull_idle_timeout=0)
    env = dict(os.environ, WORKBENCH_WORKSPACE=str(ws.resolve()))
    proc = subprocess.Popen(
        voila_command(folder, s),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return proc, port


def measure(folder: Path, page: str, ws: Path, pool: int, n: int, ready: list[str]) -> dict:
    proc, port = run_server(folder, ws, pool)
    url = f"http://127.0.0.1:{port}/voila/render/{page}"
    try:
        wait_ready(url, proc, timeout=300)
        time.sleep(5 + 10 * pool)  # let the pool fill (preheated kernels run the notebook)
        return asyncio.run(crowd(url, n, ready, proc.pid, timeout=300))
    finally:
        stop(proc)


def static_rps(site: Path, seconds: float = 5.0, threads: int = 8) -> float:
    """Requests per second against a plain threaded HTTP server (index + data files)."""
    port = free_port()
    proc = static_server(site, port)
    try:
        wait_ready(f"http://127.0.0.1:{port}/index.html", proc, timeout=30)
        paths = ["index.html", "assets/app.js", "data/proposals.json", "data/meta.json"]
        count = [0]
        lock = threading.Lock()
        end = time.perf_counter() + seconds

        def worker() -> None:
            i = 0
            while time.perf_counter() < end:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/{paths[i % 4]}") as r:
                    r.read()
                i += 1
                with lock:
                    count[0] += 1

        ts = [threading.Thread(target=worker) for _ in range(threads)]
        t0 = time.perf_counter()
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return count[0] / (time.perf_counter() - t0)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path, default=None)
    ap.add_argument("--visitors", default="1,10,50")
    ap.add_argument("--pool-size", type=int, default=1)
    a = ap.parse_args()
    ws = a.workspace
    if ws is None:
        from workbench.pipeline.demo import run_demo

        ws = WORK / "dashboard-demo"
        if not (ws / "results" / "latest").exists():
            run_demo(ws, serve=False, echo=lambda _s: None)
    from workbench.pipeline import publish
    from workbench.present.serve import dashboards_dir
    from workbench.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        bare_dir = Path(tmp) / "bare"
        bare_dir.mkdir()
        import json

        (bare_dir / "bare.ipynb").write_text(json.dumps(BARE))
        print(
            f"{'visitors':>8} {'page':<10} {'median s':>9} {'max s':>7} {'MB/visitor':>10} "
            f"{'failed':>6}"
        )
        for n in [int(x) for x in a.visitors.split(",")]:
            bare = measure(bare_dir, "bare.ipynb", ws, a.pool_size, n, [".leaflet-container"])
            cit = measure(
                dashboards_dir(),
                "citizens.ipynb",
                ws,
                a.pool_size,
                n,
                [".leaflet-container", ".wb-proposal"],
            )
            for name, r in (("bare map", bare), ("citizens", cit)):
                print(
                    f"{n:>8} {name:<10} {r['median_s']:>9.2f} {r['max_s']:>7.2f} "
                    f"{r['mem_per_visitor_mb']:>10.0f}"
                )
            print(
                f"{n:>8} ratio citizens / bare map (median): "
                f"{cit['median_s'] / bare['median_s']:.2f}"
            )
        site = publish.run(Workspace.open(ws), Path(tmp) / "site").files["site"]
        rps = static_rps(site)
        print(f"static site: {rps:,.0f} requests/s (python -m http.server, 8 client threads)")


if __name__ == "__main__":
    main()
