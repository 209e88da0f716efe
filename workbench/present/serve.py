"""``workbench serve``: the citizen and analyst pages under Voila.

Voila runs the notebooks in ``workbench/present/notebooks/public`` (the citizen page) and
``notebooks/analyst`` (the analyst page, behind a token) with ``WORKBENCH_WORKSPACE`` set to the
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workbench.errors import InputError

PUBLIC_PAGES = ("citizens.ipynb",)
ANALYST_PAGES = ("analyst.ipynb",)
PAGES = PUBLIC_PAGES + ANALYST_PAGES
TOKEN_ENV = "WORKBENCH_ANALYST_TOKEN"
# our Voila template (workbench/present/jupyter_data/voila/templates/gegruent): lang="de",
# no CDN links, a visible focus; found through JUPYTER_PATH
TEMPLATE = "gegruent"


def jupyter_data_dir() -> Path:
    """The package's Jupyter data folder (Voila looks for templates in ``voila/templates``)."""
    return Path(__file__).resolve().parent / "jupyter_data"


def dashboards_dir(kind: str = "public") -> Path:
    """The Voila notebooks, shipped as package data: ``public`` (the citizen page) or
    ``analyst`` (the analyst page, served by its own Voila behind a token)."""
    here = Path(__file__).resolve().parent / "notebooks" / kind
    pages = PUBLIC_PAGES if kind == "public" else ANALYST_PAGES
    if not all((here / p).exists() for p in pages):
        raise FileNotFoundError(f"dashboard notebooks not found in {here}")
    return here


def analyst_token() -> str:
    """The analyst page's token: ``$WORKBENCH_ANALYST_TOKEN``, or a new random one.

    Raises
    ------
    InputError
        If the variable is set but shorter than 16 characters.
    """
    import secrets

    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        return secrets.token_urlsafe(24)
    if len(token) < 16 or not token.isprintable() or " " in token:
        raise InputError(f"{TOKEN_ENV} must be at least 16 printable characters without spaces")
    return token


@dataclass(frozen=True)
class ServeSettings:
    port: int = 8866
    ip: str = "127.0.0.1"
    pool_size: int = 1
    # a kernel nobody is connected to (a closed tab whose leave request did not arrive)
    # is shut down within cull_idle_timeout + cull_interval seconds
    cull_idle_timeout: int = 45
    cull_interval: int = 10
    base_url: str = "/"
    analyst_port: int = 0  # 0: the port after ``port``
    max_kernels: int = 30  # visitor kernels at once (≈ 200 MB each); beyond: the busy page
    site_url: str = ""  # the published static site, linked from the busy page
    site_port: int = 0  # 0: ``port`` + 2 (``workbench serve --site``)

    @property
    def analyst(self) -> int:
        """The analyst page's port."""
        return self.analyst_port or self.port + 1

    @property
    def site(self) -> int:
        """The static site's port (with ``workbench serve --site``)."""
        return self.site_port or self.port + 2

    @classmethod
    def from_config(cls, cfg: dict[str, Any], **override: Any) -> ServeSettings:
        d = dict(cfg.get("dashboard", {}))
        kw = {
            k: d[k]
            for k in (
                "port",
                "ip",
                "pool_size",
                "cull_idle_timeout",
                "cull_interval",
                "base_url",
                "analyst_port",
                "max_kernels",
                "site_url",
                "site_port",
            )
            if k in d
        }
        kw.update({k: v for k, v in override.items() if v is not None})
        s = cls(**kw)
        s.validate()
        return s

    def validate(self) -> None:
        if not (0 <= self.port <= 65535):
            raise InputError(f"port {self.port} is not a TCP port (0–65535)")
        if not (0 <= self.analyst <= 65535) or self.analyst == self.port:
            raise InputError(
                f"analyst_port {self.analyst} must be a TCP port other than port {self.port}"
            )
        if self.pool_size < 0 or self.pool_size > 32:
            raise InputError(f"pool_size {self.pool_size}; allowed are 0–32")
        if self.cull_idle_timeout < 0 or self.cull_interval <= 0:
            raise InputError("cull_idle_timeout must be ≥ 0 and cull_interval > 0 seconds")
        if not (0 <= self.site <= 65535) or self.site in (self.port, self.analyst):
            raise InputError(f"site_port {self.site} must be a TCP port of its own")
        if (
            isinstance(self.max_kernels, bool)
            or not isinstance(self.max_kernels, int)
            or not (0 <= self.max_kernels <= 1000)
        ):
            raise InputError(f"max_kernels {self.max_kernels!r}; allowed are 0 (no cap) to 1000")
        if self.site_url and not (
            self.site_url.startswith("/")
            and self.site_url.isprintable()
            and not any(c in self.site_url for c in " \"'<>")
        ):  # a path on this host, or an absolute http(s) link
            from workbench.present.publication import check_url

            check_url(self.site_url, "dashboard.site_url")
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


TILES_ENV = "WORKBENCH_TILES"  # the tile URL, passed to the Voila config file
# and for the page handler in the Voila process (workbench.present.voila_server)
MAX_KERNELS_ENV = "WORKBENCH_MAX_KERNELS"
POOL_ENV = "WORKBENCH_POOL_SIZE"
SITE_URL_ENV = "WORKBENCH_SITE_URL"


def voila_command(
    folder: Path,
    s: ServeSettings,
    *,
    port: int | None = None,
    token: str | None = None,
    pool_size: int | None = None,
) -> list[str]:
    """The Voila command line for a dashboards folder; with ``token``, every request needs
    it (``?token=…`` or ``Authorization: token …``, then a cookie) or gets the login page.
    The headers (and the tile host they allow) come from our Voila config file, which reads
    ``$WORKBENCH_TILES`` (:func:`start` sets it)."""
    pool = s.pool_size if pool_size is None else pool_size
    config_dir = jupyter_data_dir() / "voila_config"
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(folder),
        "--no-browser",
        f"--port={s.port if port is None else port}",
        f"--Voila.ip={s.ip}",
        f"--Voila.base_url={s.base_url}",
        "--Voila.port_retries=0",
        # our config only (a voila.py in the working directory is never read), which sets
        # the headers (tornado_settings); the tile host comes through $WORKBENCH_TILES
        f"--Voila.config_file_paths={json.dumps([str(config_dir)])}",
        f"--template={TEMPLATE}",
        "--VoilaExporter.language_code=de",
        "--show_tracebacks=False",
        "--strip_sources=True",
        f"--preheat_kernel={pool > 0}",
        f"--pool_size={pool}",
        f"--MappingKernelManager.cull_idle_timeout={s.cull_idle_timeout}",
        f"--MappingKernelManager.cull_interval={s.cull_interval}",
        "--MappingKernelManager.cull_connected=False",
    ]
    if token:
        cmd.append(f"--Voila.token={token}")
    return cmd


def page_urls(s: ServeSettings, host: str | None = None, token: str = "") -> dict[str, str]:
    """Where the pages are: the citizen page, and the analyst page with its token."""
    h = host or (s.ip if s.ip not in ("0.0.0.0", "") else "127.0.0.1")
    query = f"?token={token}" if token else ""
    return {
        "citizens": f"http://{h}:{s.port}{s.base_url}voila/render/citizens.ipynb",
        "analyst": f"http://{h}:{s.analyst}{s.base_url}voila/render/analyst.ipynb{query}",
    }


def start(
    ws_root: Path,
    s: ServeSettings,
    *,
    log: Any = None,
    tiles: str | None = None,
    analyst_token: str | None = None,
    notebooks: Path | None = None,
) -> subprocess.Popen:
    """Start one Voila in the background (own process group) and return the process: the
    citizen page, or with ``analyst_token`` the analyst page on ``s.analyst`` behind it.
    ``notebooks`` serves another folder with the citizen page's settings (the benchmarks'
    bare one-map notebook)."""
    env = dict(os.environ, WORKBENCH_WORKSPACE=str(Path(ws_root).resolve()))
    env.pop(TOKEN_ENV, None)  # the kernels need no token
    env[TILES_ENV] = tiles or ""
    env[MAX_KERNELS_ENV] = "0" if analyst_token else str(s.max_kernels)
    env[POOL_ENV] = "0" if analyst_token else str(s.pool_size)
    env[SITE_URL_ENV] = s.site_url
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(jupyter_data_dir()), os.environ.get("JUPYTER_PATH", "")) if p
    )
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if analyst_token:
        cmd = voila_command(
            dashboards_dir("analyst"), s, port=s.analyst, token=analyst_token, pool_size=0
        )
    else:
        cmd = voila_command(notebooks or dashboards_dir("public"), s)
    return subprocess.Popen(
        cmd,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
        cwd=Path(cmd[3]),  # the notebooks folder: no stray voila.py can shadow Voila
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
    site: Path | None = None,
) -> int:
    """Run Voila in the foreground until interrupted; returns its exit code.

    With ``site`` (a folder written by ``workbench publish``) the static site is served
    beside the Voila pages on ``s.site`` (:mod:`workbench.present.site_server`), and the
    busy page of the citizen page links to it unless ``site_url`` says otherwise.

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
    token = analyst_token()
    host = s.ip if s.ip not in ("0.0.0.0", "") else "127.0.0.1"
    site_url = f"http://{host}:{s.site}/" if site is not None else ""
    if site is not None and not s.site_url:
        s = replace(s, site_url=site_url)
    procs = [
        start(ws_root, s, log=sys.stderr, tiles=tiles),
        start(ws_root, s, log=sys.stderr, tiles=tiles, analyst_token=token),
    ]
    checks = [
        ("citizen", procs[0], s.port, s.base_url),
        ("analyst", procs[1], s.analyst, f"{s.base_url}login"),
    ]
    if site is not None:
        procs.append(site_process(Path(site), s.site, s.ip))
        checks.append(("static site", procs[-1], s.site, "/"))
    try:
        for name, proc, port, path in checks:
            try:
                wait_ready(f"http://127.0.0.1:{port}{path}", proc)
            except RuntimeError as exc:  # most often the port is taken: the operator's call
                raise InputError(
                    f"the {name} page did not start on port {port} ({exc}); is the port in "
                    "use? Choose another with --port / --analyst-port / --site-port"
                ) from None
        urls = page_urls(s, token=token)
        echo(f"{'citizens':<10} {urls['citizens']}")
        echo(f"{'analyst':<10} {urls['analyst']}  (private: keep the token to yourself)")
        if site is not None:
            echo(f"{'site':<10} {site_url}  (the static site: for many visitors at once)")
        echo("stop with Ctrl-C")
        while all(p.poll() is None for p in procs):
            try:
                procs[0].wait(1.0)
            except subprocess.TimeoutExpired:
                pass
        return max(p.returncode or 0 for p in procs)
    except KeyboardInterrupt:
        return 0
    finally:
        for p in procs:
            stop(p)


def site_process(directory: Path, port: int, ip: str = "127.0.0.1") -> subprocess.Popen:
    """The static site server (:mod:`workbench.present.site_server`) in its own process
    group, stopped with :func:`stop` like Voila."""
    if not (Path(directory) / "index.html").is_file():
        raise InputError(f"{directory} holds no index.html: write it with `workbench publish`")
    cmd = [sys.executable, "-m", "workbench.present.site_server", str(directory),
           "--port", str(port), "--ip", ip]  # fmt: skip
    return subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
