"""What runs inside the Voila server process of ``workbench serve``.

Voila loads our config file (``jupyter_data/voila_config/voila.py``), which calls
:func:`tornado_settings`. Besides the settings it adjusts three things Voila does not do
by itself, all in that process only:

* **security headers on every answer**, also Tornado's own 404 and the 403/404 of Voila's
  static-file handlers (:func:`headers_on_every_handler`);
* **the anti-forgery cookie** (``_xsrf``) on the page: when a visitor leaves, Voila's page
  asks the server to shut its kernel down (``POST /voila/api/shutdown/<kernel>``) and
  sends the cookie's value along, but Voila never set the cookie, so every such request
  was refused (403) and each kernel lived until idle culling, about 200 MB for 15 minutes
  per visit. The page handler now sets it (:func:`page_handler_patch`);
* **a cap on kernels** (``[dashboard] max_kernels``): a visitor beyond it gets a short
  German/English page (HTTP 503, ``Retry-After``) pointing to the static site instead of
  a server that runs out of memory for everybody.

The values come from the environment :func:`workbench.present.serve.start` sets.
"""

from __future__ import annotations

import inspect
import os
from html import escape
from typing import Any

from workbench.present.serve import (
    MAX_KERNELS_ENV,
    POOL_ENV,
    SITE_URL_ENV,
    TILES_ENV,
    security_headers,
)
from workbench.present.site_server import not_found_handler


def busy_page(site_url: str = "") -> str:
    """The page a visitor beyond the kernel cap sees: German first, English below.

    >>> "lang=\\"de\\"" in busy_page() and "Gerade" in busy_page()
    True
    >>> 'href="https://ge.de/site/"' in busy_page("https://ge.de/site/")
    True
    """
    link_de = link_en = ""
    if site_url:
        u = escape(site_url, quote=True)
        link_de = (
            f'<p>Dieselben Ergebnisse ohne Wartezeit: <a href="{u}">die einfache Fassung '
            "dieser Seite</a>.</p>"
        )
        link_en = f'<p lang="en">The same results without waiting: <a href="{u}">the simple version of this page</a>.</p>'  # noqa: E501
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>GE grünt – gerade viel besucht</title>"
        "<style>body{font-family:sans-serif;font-size:18px;max-width:36rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5;color:#1a1a1a}a{color:#0b4f9c}</style></head>"
        "<body><main><h1>Gerade sind sehr viele Menschen auf dieser Seite</h1>"
        "<p>Bitte versuchen Sie es in einer Minute noch einmal.</p>"
        f"{link_de}"
        '<h2 lang="en">Many people are visiting this page right now</h2>'
        '<p lang="en">Please try again in a minute.</p>'
        f"{link_en}</main></body></html>"
    )


def headers_on_every_handler(headers: dict[str, str]) -> None:
    """Make Tornado's base handler send ``headers`` by default (in this process only: the
    Voila server that loads our config file). Jupyter's handlers set them themselves from
    the ``headers`` setting; this covers Tornado's static-file and error answers."""
    import tornado.web

    base = tornado.web.RequestHandler
    original = getattr(base, "_workbench_original_default_headers", base.set_default_headers)

    def set_default_headers(self: tornado.web.RequestHandler) -> None:
        original(self)
        for k, v in headers.items():
            self.set_header(k, v)

    base._workbench_original_default_headers = original  # type: ignore[attr-defined]
    base.set_default_headers = set_default_headers  # type: ignore[method-assign]


def page_handler_patch(max_kernels: int, pool: int, site_url: str) -> None:
    """Before Voila renders a page: refuse it with :func:`busy_page` when ``max_kernels``
    visitors are on the server, else set the ``_xsrf`` cookie that the page's leave request
    needs.

    Visitors are the running kernels beyond the ``pool`` preheated ones plus the pages
    being rendered right now: a kernel registers only once it has started, so in a crowd
    arriving together every visitor passed a count of registered kernels alone (the cap of
    30 let 51 kernels start). A page being rendered whose kernel has registered already is
    counted twice for those seconds, which errs on the side of memory.
    """
    from voila.handler import VoilaHandler

    original = getattr(VoilaHandler, "_workbench_original_prepare", VoilaHandler.prepare)
    finish = getattr(VoilaHandler, "_workbench_original_on_finish", VoilaHandler.on_finish)
    closed = getattr(VoilaHandler, "_workbench_original_on_close", VoilaHandler.on_connection_close)
    rendering = {"n": 0}

    def done(handler: Any) -> None:
        """The page is rendered, or its visitor went away: it no longer counts."""
        if getattr(handler, "_workbench_rendering", False):
            handler._workbench_rendering = False
            rendering["n"] -= 1

    async def prepare(self: Any, *args: Any, **kwargs: Any) -> None:
        result = original(self, *args, **kwargs)
        if inspect.isawaitable(result):
            await result
        if self._finished:
            return
        visitors = max(len(self.kernel_manager.list_kernel_ids()) - pool, 0) + rendering["n"]
        if max_kernels and visitors >= max_kernels:
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(busy_page(site_url))
            return
        rendering["n"] += 1
        self._workbench_rendering = True
        self.xsrf_token  # noqa: B018 - reading it sets the _xsrf cookie

    def on_finish(self: Any) -> None:
        done(self)
        finish(self)

    def on_connection_close(self: Any) -> None:
        done(self)
        closed(self)

    VoilaHandler._workbench_original_prepare = original  # type: ignore[attr-defined]
    VoilaHandler._workbench_original_on_finish = finish  # type: ignore[attr-defined]
    VoilaHandler.prepare = prepare  # type: ignore[method-assign]
    VoilaHandler.on_finish = on_finish  # type: ignore[method-assign]
    VoilaHandler._workbench_original_on_close = closed  # type: ignore[attr-defined]
    VoilaHandler.on_connection_close = on_connection_close  # type: ignore[method-assign]


def tornado_settings() -> dict[str, Any]:
    """Tornado settings of both Voila servers, and the adjustments of the module notes."""

    headers = security_headers(os.environ.get(TILES_ENV) or None)
    headers_on_every_handler(headers)
    page_handler_patch(
        int(os.environ.get(MAX_KERNELS_ENV) or 0),
        int(os.environ.get(POOL_ENV) or 0),
        os.environ.get(SITE_URL_ENV, ""),
    )

    return {"headers": headers, "default_handler_class": not_found_handler(headers)}
