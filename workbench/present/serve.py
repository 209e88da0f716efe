"""``workbench serve``: the citizen and analyst pages under Voila.

Voila runs the notebooks in ``workbench/present/notebooks/`` with ``WORKBENCH_WORKSPACE`` set to the
workspace. Settings for a public deployment (see docs/dashboards.md):

* binds to 127.0.0.1 unless ``--ip`` says otherwise (put a reverse proxy with TLS in front);
* preheated kernels (``pool_size``), so the first visitor does not wait for the models;
* idle kernels are culled (``cull_idle_timeout``), so abandoned tabs free their memory;
* no tracebacks, no notebook sources, no file downloads from the dashboards folder;
* security headers (CSP with ``frame-ancestors 'self'``, ``X-Content-Type-Options``,
  ``Referrer-Policy``) on every response.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import InputError

PAGES = ("citizens.ipynb", "analyst.ipynb")
# our Voila template (workbench/present/jupyter_data/voila/templates/gegruent): lang="de",
# no CDN links, a visible focus; found through JUPYTER_PATH
TEMPLATE = "gegruent"


def jupyter_data_dir() -> Path:
    """The package's Jupyter data folder (Voila looks for templates in ``voila/templates``)."""
    return Path(__file__).resolve().parent / "jupyter_data"


def dashboards_dir() -> Path:
    """The Voila notebooks, shipped as package data (``workbench/present/notebooks``)."""
    here = Path(__file__).resolve().parent / "notebooks"
    if not all((here / p).exists() for p in PAGES):
        raise FileNotFoundError(f"dashboard notebooks not found in {here}")
    return here


@dataclass(frozen=True)
class ServeSettings:
    port: int = 8866
    ip: str = "127.0.0.1"
    pool_size: int = 1
    cull_idle_timeout: int = 900
    cull_interval: int = 60
    base_url: str = "/"

    @classmethod
    def from_config(cls, cfg: dict[str, Any], **override: Any) -> ServeSettings:
        d = dict(cfg.get("dashboard", {}))
        kw = {
            k: d[k]
            for k in ("port", "ip", "pool_size", "cull_idle_timeout", "cull_interval", "base_url")
            if k in d
        }
        kw.update({k: v for k, v in override.items() if v is not None})
        s = cls(**kw)
        s.validate()
        return s

    def validate(self) -> None:
        if not (0 <= self.port <= 65535):
            raise InputError(f"port {self.port} is not a TCP port (0–65535)")
        if self.pool_size < 0 or self.pool_size > 32:
            raise InputError(f"pool_size {self.pool_size}; allowed are 0–32")
        if self.cull_idle_timeout < 0 or self.cull_interval <= 0:
            raise InputError("cull_idle_timeout must be ≥ 0 and cull_interval > 0 seconds")
        if not self.base_url.startswith("/") or not self.base_url.endswith("/"):
            raise InputError(f"base_url {self.base_url!r} must start and end with '/'")


def security_headers(tiles: str | None = None) -> dict[str, str]:
    """HTTP headers for every page: a Content-Security-Policy that lets the browser load
    nothing but this server (and the tile server, if one is configured), so Voila's
    template links to a CDN are never followed."""
    from workbench.present.publication import tile_origin

    img = "'self' data: blob:"
    if tiles:
        img += f" {tile_origin(tiles)}"
    csp = (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        f"style-src 'self' 'unsafe-inline'; img-src {img}; font-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def voila_command(folder: Path, s: ServeSettings, tiles: str | None = None) -> list[str]:
    """The Voila command line for the dashboards folder."""
    tornado = {"headers": security_headers(tiles)}
    return [
        sys.executable,
        "-m",
        "voila",
        str(folder),
        "--no-browser",
        f"--port={s.port}",
        f"--Voila.ip={s.ip}",
        f"--Voila.base_url={s.base_url}",
        "--Voila.port_retries=0",
        f"--Voila.tornado_settings={json.dumps(tornado)}",
        f"--template={TEMPLATE}",
        "--VoilaExporter.language_code=de",
        "--show_tracebacks=False",
        "--strip_sources=True",
        f"--preheat_kernel={s.pool_size > 0}",
        f"--pool_size={s.pool_size}",
        f"--MappingKernelManager.cull_idle_timeout={s.cull_idle_timeout}",
        f"--MappingKernelManager.cull_interval={s.cull_interval}",
        "--MappingKernelManager.cull_connected=False",
    ]


def page_urls(s: ServeSettings, host: str | None = None) -> dict[str, str]:
    h = host or (s.ip if s.ip not in ("0.0.0.0", "") else "127.0.0.1")
    return {
        p.removesuffix(".ipynb"): f"http://{h}:{s.port}{s.base_url}voila/render/{p}" for p in PAGES
    }


def start(
    ws_root: Path, s: ServeSettings, *, log: Any = None, tiles: str | None = None
) -> subprocess.Popen:
    """Start Voila in the background (own process group) and return the process."""
    env = dict(os.environ, WORKBENCH_WORKSPACE=str(Path(ws_root).resolve()))
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(jupyter_data_dir()), os.environ.get("JUPYTER_PATH", "")) if p
    )
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return subprocess.Popen(
        voila_command(dashboards_dir(), s, tiles),
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop Voila and its kernels."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout)


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Wait until Voila answers ``url`` (raises RuntimeError if it died or timed out)."""
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"voila did not answer {url} within {timeout:.0f} s")


def serve(
    ws_root: Path,
    s: ServeSettings,
    *,
    tiles: str | None = None,
    echo: Callable[[str], Any] = print,
) -> int:
    """Run Voila in the foreground until interrupted; returns its exit code.

    Ctrl-C, SIGTERM (``systemctl stop``, ``kill``) and SIGHUP all stop Voila and its
    kernels before returning, so the port is free again and no kernel is left behind.
    """

    def interrupted(_sig: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            signal.signal(sig, interrupted)
        except ValueError:  # not the main thread: the caller handles signals
            pass
    proc = start(ws_root, s, log=sys.stderr, tiles=tiles)
    root = f"http://127.0.0.1:{s.port}{s.base_url}"
    try:
        wait_ready(root, proc)
        for name, url in page_urls(s).items():
            echo(f"{name:<10} {url}")
        echo("stop with Ctrl-C")
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop(proc)


def static_server(directory: Path, port: int) -> subprocess.Popen:
    """A plain HTTP server for a published site on 127.0.0.1 (tests, benchmarks, a preview)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
