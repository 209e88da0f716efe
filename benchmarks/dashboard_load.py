"""Dashboard load: crowds on the Voila citizen page, at protocol level, against a bare Voila
notebook showing one ipyleaflet map, in the same run and with the same settings; one real
Chromium visitor in the middle of the largest crowd; the static site's weight and speed.

    python benchmarks/dashboard_load.py                      # builds the demo workspace first
    python benchmarks/dashboard_load.py --workspace W --visitors 1,10,50 --pool-size 1,16

Every visitor is an HTTP and a kernel-websocket client (``_voila_client.visit``): it loads
the page, asks the kernel for every widget state (what Voila's frontend does before it
draws) and leaves the way the page does (``POST /voila/api/shutdown/<kernel>``). Visitors
arrive evenly spread over ``--window`` seconds. The server is the real one
(``workbench.present.serve.start`` with ``ServeSettings``: pool of preheated kernels, kernel
cap, culling); for each page and pool size one server serves all crowd sizes, and before
each crowd the pool is full and the server idle. Memory is the resident memory of Voila and
its kernels (psutil), sampled every 0.5 s during the crowd and for ``--after`` seconds after
it. On a 2-core machine read the ratio to the bare notebook, not only the seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from _common import WORK
from _voila_client import Monitor, Visit, crowd, tree

from workbench.present.serve import ServeSettings, site_process, start, stop, wait_ready
from workbench.simulate.broker import free_port

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# what a visitor must see: the map and (on the citizen page) the ranked list
READY = {
    "bare.ipynb": [".leaflet-container"],
    "citizens.ipynb": [".leaflet-container", ".wb-proposal"],
    "static": ["#map #districts path", "#list li"],
}

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


def stats(xs: list[float]) -> dict[str, float]:
    """Median, 95th percentile and maximum of the finite values (NaN if there are none)."""
    a = np.array([x for x in xs if math.isfinite(x)])
    if not len(a):
        return {"median": math.nan, "p95": math.nan, "max": math.nan}
    return {
        "median": float(np.median(a)),
        "p95": float(np.percentile(a, 95)),
        "max": float(a.max()),
    }


async def browser_visit(url: str, ready: list[str], delay: float, timeout: float) -> dict:
    """One Chromium visitor arriving after ``delay`` seconds: seconds until every ``ready``
    selector is visible, bytes and number of requests (NaN seconds: not within timeout)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            await asyncio.sleep(delay)
            context = await browser.new_context()  # a cold visitor: no cache, no cookies
            page = await context.new_page()
            finished: list[Any] = []
            page.on("requestfinished", lambda r: finished.append(r))
            t0 = time.perf_counter()
            seen: dict[str, float] = {}
            status = 0
            try:
                resp = await page.goto(url, timeout=timeout * 1000)
                status = resp.status if resp else 0
                for sel in ready if status == 200 else []:  # not on the busy page (503)
                    await page.wait_for_selector(sel, state="visible", timeout=timeout * 1000)
                    seen[sel] = time.perf_counter() - t0
            except Exception as exc:  # a visitor who gave up: reported, not fatal
                seen["error"] = math.nan
                print(f"  chromium visitor: {type(exc).__name__}: {str(exc)[:200]}")
            size = 0
            for r in finished:
                try:
                    s = await r.sizes()
                    size += s["responseBodySize"] + s["responseHeadersSize"]
                except Exception:  # a request the page no longer knows
                    pass
            await context.close()  # the page's leave request goes out here
        finally:
            await browser.close()
    return {
        "seen_s": {k: v for k, v in seen.items() if k != "error"},
        "s": max(seen.values()) if len(seen) == len(ready) else math.nan,
        "bytes": size,
        "requests": len(finished),
        "status": status,
    }


async def settle(server: psutil.Process, pool: int, timeout: float = 600) -> float:
    """Wait until at least ``pool`` kernels run and the server tree is idle (< 0.1 cores
    over 2 s): the preheated kernels have run their notebook. Returns the seconds waited."""
    t0 = time.perf_counter()
    _, _, cpu0 = tree(server)
    while time.perf_counter() - t0 < timeout:
        await asyncio.sleep(2)
        _, kernels, cpu = tree(server)
        if kernels >= pool and cpu - cpu0 < 0.2:
            return time.perf_counter() - t0
        cpu0 = cpu
    raise RuntimeError(f"the pool of {pool} did not fill within {timeout:.0f} s")


async def one_crowd(
    base: str, page: str, n: int, a: argparse.Namespace, server: psutil.Process, browser: bool
) -> dict:
    """One crowd of ``n`` visitors (and, if ``browser``, a Chromium visitor in the middle)
    with memory and kernels sampled during it and ``a.after`` seconds after it."""
    mon = Monitor(server)
    mon.mark("during")
    cpu0 = mon.last["cpu"]
    mon.start()
    t0 = time.perf_counter()
    jobs: list[Any] = [crowd(base, page, n, a.window, a.timeout)]
    if browser:
        url = f"{base}/voila/render/{page}"
        jobs.append(browser_visit(url, READY[page], a.window / 2, a.timeout))
    done = await asyncio.gather(*jobs)
    visits: list[Visit] = done[0]
    crowd_s = time.perf_counter() - t0
    mon.mark("after")
    await asyncio.sleep(a.after)
    await mon.stop()
    ok = [v for v in visits if v.ok]
    return {
        "page": page,
        "visitors": n,
        "ok": len(ok),
        "busy_503": sum(v.busy for v in visits),
        "http_errors": sum(v.status not in (200, 503) for v in visits),
        "other_failures": sum(v.status == 200 and not v.ok for v in visits),
        "errors": sorted({v.error for v in visits if v.error})[:5],
        "shutdown_204": sum(v.shutdown == 204 for v in visits),
        "html_s": stats([v.html_s for v in ok]),
        "state_s": stats([v.state_s for v in ok]),
        "widgets": max((v.widgets for v in ok), default=0),
        "state_kb": max((v.state_bytes for v in ok), default=0) / 1e3,
        "crowd_s": crowd_s,
        "kernels_peak": mon.peaks["during"]["kernels"],
        "kernels_after_peak": mon.peaks["after"]["kernels"],
        "kernels_end": mon.last["kernels"],
        "rss_peak_gb": mon.peaks["during"]["rss"] / 2**30,
        "rss_after_peak_gb": mon.peaks["after"]["rss"] / 2**30,
        "rss_end_gb": mon.last["rss"] / 2**30,
        "cpu_s": mon.last["cpu"] - cpu0,  # server and kernels, crowd and after
        "browser": done[1] if browser else None,
    }


async def serve_crowds(
    ws: Path, folder: Path | None, page: str, pool: int, a: argparse.Namespace
) -> list[dict]:
    """One server for ``page`` with a pool of ``pool``; every crowd size in turn."""
    port = free_port()
    s = ServeSettings(port=port, pool_size=pool, max_kernels=a.max_kernels)
    log = (WORK / f"voila-{page}-{pool}.log").open("w")
    proc = start(ws, s, log=log, notebooks=folder)
    base = f"http://127.0.0.1:{port}"
    out = []
    try:
        await asyncio.to_thread(wait_ready, f"{base}/", proc, 300)  # not the page: no kernel
        server = psutil.Process(proc.pid)
        sizes = [int(x) for x in a.visitors.split(",")]
        for n in sizes:
            waited = await settle(server, pool)
            rss, kernels, _ = tree(server)
            print(f"  {page} pool {pool}: ready after {waited:.0f} s, {kernels} kernels, "
                  f"{rss / 2**30:.2f} GB; {n} visitors")  # fmt: skip
            r = await one_crowd(base, page, n, a, server, a.browser and n == max(sizes))
            r.update(pool=pool, idle_rss_gb=rss / 2**30, idle_kernels=kernels)
            out.append(r)
            print_row(r)
    finally:
        stop(proc)
        log.close()
    return out


def print_row(r: dict) -> None:
    """One line per page and crowd."""
    h, w = r["html_s"], r["state_s"]
    print(
        f"{r['pool']:>4} {r['visitors']:>4} {r['page']:<15} "
        f"{h['median']:6.2f} {h['p95']:6.2f} {h['max']:6.2f} | "
        f"{w['median']:6.2f} {w['p95']:6.2f} {w['max']:6.2f} | "
        f"ok {r['ok']:>3} 503 {r['busy_503']:>3} err {r['http_errors'] + r['other_failures']:>3} | "
        f"kernels {r['kernels_peak']:>3}/{r['kernels_end']:>3} "
        f"RSS {r['rss_peak_gb']:5.2f}/{r['rss_after_peak_gb']:5.2f}/{r['rss_end_gb']:5.2f} GB "
        f"CPU {r['cpu_s']:6.1f} s"
    )
    if r["browser"]:
        b = r["browser"]
        print(
            f"     chromium visitor in the middle: HTTP {b['status']}, {b['s']:.2f} s "
            f"{b['seen_s']}, "
            f"{b['bytes'] / 1e3:.0f} kB in {b['requests']} requests"
        )


def print_ratios(rows: list[dict]) -> None:
    """Citizen page / bare page, per pool and crowd size."""
    key = {(r["pool"], r["visitors"], r["page"]): r for r in rows}
    for (pool, n, page), c in key.items():
        b = key.get((pool, n, "bare.ipynb"))
        if page != "citizens.ipynb" or b is None:
            continue
        q = [
            c[k]["median"] / b[k]["median"] if b[k]["median"] > 0 else math.nan
            for k in ("html_s", "state_s")
        ]
        print(
            f"ratio citizen/bare, pool {pool}, {n} visitors: HTML {q[0]:.2f}, widget state "
            f"{q[1]:.2f}, RSS peak {c['rss_peak_gb'] / b['rss_peak_gb']:.2f}, "
            f"CPU {c['cpu_s'] / max(b['cpu_s'], 1e-9):.2f}"
        )


async def static_site(site: Path, timeout: float, runs: int = 3) -> list[dict]:
    """The published site as `workbench serve --site` serves it: cold Chromium visits."""
    port = free_port()
    proc = site_process(site, port)
    try:
        url = f"http://127.0.0.1:{port}/index.html"
        await asyncio.to_thread(wait_ready, url, proc, 30)
        return [await browser_visit(url, READY["static"], 0, timeout) for _ in range(runs)]
    finally:
        stop(proc)


def demo_workspace(path: Path | None) -> Path:
    """The given workspace, or the demo in ``benchmarks/_work`` (built once)."""
    if path is not None:
        return path
    from workbench.pipeline.demo import run_demo

    ws = WORK / "dashboard-demo"
    if not (ws / "results" / "latest").exists():
        run_demo(ws, serve=False, echo=lambda _s: None)
    return ws


async def run(a: argparse.Namespace) -> None:
    """Every pool size, both pages, every crowd; then the static site."""
    from workbench.pipeline import publish
    from workbench.present.serve import dashboards_dir
    from workbench.workspace import Workspace

    ws = demo_workspace(a.workspace)
    WORK.mkdir(exist_ok=True)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        bare_dir = Path(tmp) / "bare"
        bare_dir.mkdir()
        (bare_dir / "bare.ipynb").write_text(json.dumps(BARE))
        print("pool    n page            HTML s: median p95 max | widget state s: median p95 max "
              "| visitors | kernels peak/end | RSS peak/after-peak/end | CPU")  # fmt: skip
        for pool in [int(x) for x in str(a.pool_size).split(",")]:
            rows += await serve_crowds(ws, bare_dir, "bare.ipynb", pool, a)
            rows += await serve_crowds(ws, dashboards_dir(), "citizens.ipynb", pool, a)
        print_ratios(rows)
        static = []
        if a.static:
            site = publish.run(Workspace.open(ws), Path(tmp) / "site").files["site"]
            static = await static_site(site, a.timeout)
            for b in static:
                print(
                    f"static site (cold Chromium): map and list {b['s']:.2f} s {b['seen_s']}, "
                    f"{b['bytes'] / 1e3:.0f} kB in {b['requests']} requests"
                )
    out = WORK / "dashboard_load.json"
    out.write_text(json.dumps({"args": vars(a) | {"workspace": str(ws)}, "rows": rows,
                               "static": static}, indent=1, default=str))  # fmt: skip
    print(f"figures in {out}")


def main() -> None:
    """Parse the options and run."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path, default=None)
    ap.add_argument("--visitors", default="1,10,50", help="crowd sizes, e.g. 1,10,50")
    ap.add_argument("--pool-size", default="1", help="preheated kernels; a list runs each")
    ap.add_argument("--window", type=float, default=10.0, help="seconds over which they arrive")
    ap.add_argument("--max-kernels", type=int, default=ServeSettings.max_kernels)
    ap.add_argument("--timeout", type=float, default=180.0, help="a visitor gives up after")
    ap.add_argument("--after", type=float, default=30.0, help="seconds observed after a crowd")
    ap.add_argument("--no-browser", dest="browser", action="store_false")
    ap.add_argument("--no-static", dest="static", action="store_false")
    asyncio.run(run(ap.parse_args()))


if __name__ == "__main__":
    main()
