"""``workbench publish``: the static citizen site (:mod:`workbench.present.static_site`).

What is written is what :func:`workbench.present.dashboard.data.public_data` allows:
the public proposal columns of :mod:`workbench.privacy`, vote counts below five hidden.
"""

from __future__ import annotations

from pathlib import Path

from workbench.pipeline.result import StepResult
from workbench.workspace import Workspace


def run(ws: Workspace, out: str | Path) -> StepResult:
    """Write the static site into ``out``; ``files["index"]`` is its ``index.html``."""
    from workbench.present.dashboard.data import public_data
    from workbench.present.static_site import write_site

    data = public_data(ws)
    site = write_site(data, out)
    lines = [
        f"wrote       {site / 'index.html'}",
        f"serve it    python -m http.server --directory {site} 8000",
    ]
    missing = data.publication.missing()
    if missing:
        names = ", ".join(f"publication.{k}" for k in missing)
        lines.append(
            f"not public  {names} missing in workbench.toml: the pages show provisional legal "
            "texts instead (Impressum, Datenschutz, Barrierefreiheit)"
        )
    if data.addresses is None:
        lines.append(
            "no address list: the search finds districts and streets named in proposals only "
            "(`workbench addresses` imports one)"
        )
    return StepResult("publish", files={"site": site, "index": site / "index.html"}, lines=lines)
