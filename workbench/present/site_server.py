"""Serve a published static site (``workbench publish``) the way a crowd needs it.

The static site is the path for many visitors: files only, no kernel per visitor. This
small Tornado server is what ``workbench serve --site DIR`` runs beside the Voila pages,
and a model for the city's own web server (docs/dashboards.md has the nginx equivalent):

* ``assets/*.<hash>.*`` (the code, named after its content) are cached for a year
  (``Cache-Control: public, max-age=31536000, immutable``); everything else
  (``index.html``, ``data/*.json``, ``layers/*.png``) is revalidated on every visit
  (``no-cache`` with an ETag, so an unchanged file costs a 304);
* responses are gzip-compressed when the browser accepts it;
* the security headers of the Voila pages (Content-Security-Policy with
  ``frame-ancestors``, which a ``<meta>`` tag cannot set, ``nosniff``, no referrer) on
  every answer, also 404s; no directory listings; nothing outside the folder.

Run it as ``python -m workbench.present.site_server DIR --port N [--ip 127.0.0.1]``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

HASHED = re.compile(r"^assets/[\w-]+\.[0-9a-f]{10}\.(js|css)$")
YEAR = 365 * 24 * 3600


def cache_control(path: str) -> str:
    """The ``Cache-Control`` header for a file of the site (path relative to its root).

    >>> cache_control("assets/app.2d711642b7.js")
    'public, max-age=31536000, immutable'
    >>> cache_control("data/meta.json"), cache_control("index.html")
    ('no-cache', 'no-cache')
    """
    return f"public, max-age={YEAR}, immutable" if HASHED.match(path) else "no-cache"


DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)
_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"')


def site_headers(index_html: str = "") -> dict[str, str]:
    """The security headers of every answer: the page's own Content-Security-Policy (from
    its ``<meta>`` tag, which allows exactly the tile host when one is configured) plus
    ``frame-ancestors``, which only a header can set.

    >>> site_headers('<meta http-equiv="Content-Security-Policy" content="img-src x">')[
    ...     "Content-Security-Policy"]
    "img-src x; frame-ancestors 'self'"
    """
    m = _META_CSP.search(index_html)
    csp = (m.group(1) if m else DEFAULT_CSP) + "; frame-ancestors 'self'"
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def not_found_handler(headers: dict[str, str]) -> Any:
    """A Tornado handler answering 404 with ``headers`` (Tornado's own sends none); used
    here and by the Voila servers (:mod:`workbench.present.voila_server`)."""
    import tornado.web

    class NotFound(tornado.web.RequestHandler):
        def set_default_headers(self) -> None:
            for k, v in headers.items():
                self.set_header(k, v)

        def prepare(self) -> None:
            raise tornado.web.HTTPError(404)

    return NotFound


def make_app(root: Path) -> Any:
    """The Tornado application serving ``root`` (index.html at ``/``)."""
    import tornado.web

    index = root / "index.html"
    headers = site_headers(index.read_text("utf-8") if index.exists() else "")

    class SiteFiles(tornado.web.StaticFileHandler):
        def set_default_headers(self) -> None:
            for k, v in headers.items():
                self.set_header(k, v)

        def set_extra_headers(self, path: str) -> None:
            self.set_header("Cache-Control", cache_control(path.replace("\\", "/")))

        @classmethod
        def get_cache_time(cls, path: str, modified: Any, mime_type: str) -> int:
            return YEAR if HASHED.match(path) else 0

    return tornado.web.Application(
        [(r"/(.*)", SiteFiles, {"path": str(root), "default_filename": "index.html"})],
        compress_response=True,
        default_handler_class=not_found_handler(headers),
    )


def main(argv: list[str] | None = None) -> None:
    import asyncio

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("directory", type=Path)
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--ip", default="127.0.0.1")
    a = p.parse_args(argv)

    async def run() -> None:
        # the folder as named (a link that `workbench publish` swaps stays followed)
        make_app(a.directory.absolute()).listen(a.port, a.ip)
        await asyncio.Event().wait()

    asyncio.run(run())


if __name__ == "__main__":
    main()
