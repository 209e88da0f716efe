"""The static citizen site: files only, which any web server can host.

The site is files only: ``index.html``, ``assets/app.<hash>.js`` and
``assets/app.<hash>.css`` (the workbench's own code, no third-party library; the name
carries a hash of the content, so a web server may let browsers keep them for a year, see
:mod:`workbench.present.site_server`), ``data/*.json`` and ``layers/*.png``. The
page draws its map as SVG from those files, so there is no kernel per visitor, no CDN and
no tile server; a Content-Security-Policy in the page forbids loading anything from
elsewhere. Citizen text is inserted with ``textContent`` only, never as HTML.

The data written is what :func:`workbench.present.dashboard.data.public_data` allows: whitelisted
proposal columns, vote counts below five hidden.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

from workbench.i18n import CATEGORY, TEXT
from workbench.present.dashboard.data import PublicData
from workbench.present.publication import legal_sections, tile_origin
from workbench.rundir import publish_folder

CSP_IMG = "img-src 'self' data:"

# texts the static page needs (German and English)
SITE_TEXT_KEYS = (
    "citizen_title", "page_title", "citizen_intro", "simulated", "about_data", "about_text",
    "caveat_lowcost", "latest_data", "run", "sensors", "sensors_used", "district", "category",
    "all_districts", "all_categories", "near_me", "address", "search", "reset", "map_hint",
    "shown", "not_found", "rank", "rank_range", "votes", "few_votes", "no_proposals",
    "layer_heat", "layer_heat_hotspots", "layer_air", "layer_air_hotspots", "layer_eaqi",
    "layer_need", "layer_districts", "layer_proposals", "hotspot", "map_label", "language",
    "eaqi_good", "eaqi_fair", "eaqi_moderate", "eaqi_poor", "eaqi_very_poor",
    "eaqi_extremely_poor", "click_outside", "place_too_short", "place_unknown",
    "search_title", "list_title", "map_title", "sort", "sort_value", "sort_need",
    "sort_votes", "sort_distance", "locate", "locating", "geo_failed", "found_place",
    "my_location", "chosen_point", "distance_from", "show_on_map", "participate",
    "participate_about", "need_level", "budget_title", "budget_text", "budget_funded",
    "budget_proposals", "budget_districts", "budget_method_votes_greedy",
    "budget_method_need_optimal", "budget_method_equal_shares",
    "budget_method_equal_shares_need", "marker_legend", "marker_first", "marker_last",
    "site_map_alt", "map_touch", "zoom_in", "zoom_out", "skip_list", "published_by",
    "data_state", "computed", "place", "of_total", "place_invalid", "show_more", "shown_of",
    "filtered_of", "hotspot_plain", "unit_K", "unit_need", "sorted_from_point", "geo_outside",
    "about_simulated", "data_old",
)  # fmt: skip
ASSETS = ("app.js", "app.css", "index.html")


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item"):
        return _clean(v.item())
    return v


def site_files(data: PublicData) -> dict[str, bytes]:
    """Every data file of the site (relative path -> bytes)."""
    # data.proposals passed the publication rules already (page_proposals): the site
    # carries exactly what the citizen page shows, no column list of its own
    records = [{k: _clean(v) for k, v in r.items()} for r in data.proposals.to_dict("records")]
    layers = {
        key: {"file": f"layers/{key}.png", "bounds": layer.bounds, "legend": layer.legend,
              "unit": layer.unit}
        for key, layer in data.layers.items()
    }  # fmt: skip
    texts = {lang: {k: TEXT[k][i] for k in SITE_TEXT_KEYS} for i, lang in enumerate(("de", "en"))}
    meta = {k: _clean(v) for k, v in data.meta.items() if k != "center"}
    meta["center"] = list(data.meta.get("center", (51.54, 7.08)))

    def dump(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    pub = data.publication
    tiles, attribution = data.tiles
    legal = {lang: legal_sections(pub, lang, tiles=tiles) for lang in ("de", "en")}
    site = {
        "operator": pub.operator,
        "feedback_email": pub.feedback_email,
        "participation": {str(pid): pub.proposal_url(pid) for pid in data.proposals["proposal_id"]}
        if pub.participation_url
        else {},
        "legal": legal,
        "tiles": tiles,
        "tiles_attribution": attribution,
    }
    files = {
        "data/proposals.json": dump(records),
        "data/districts.geojson": dump(data.areas_geojson() if not data.areas.empty else
                                       {"type": "FeatureCollection", "features": []}),
        "data/layers.json": dump(layers),
        "data/texts.json": dump({"texts": texts, "categories": CATEGORY}),
        "data/meta.json": dump(meta),
        "data/site.json": dump(site),
        "data/budget.json": dump(data.allocations),
        "data/streets.geojson": dump(data.streets or {"type": "FeatureCollection", "features": []}),
    }  # fmt: skip
    # always written (empty without an address list), so the page never asks for a missing file
    from workbench.addresses import compact

    have = data.addresses is not None and len(data.addresses)
    files["data/addresses.json"] = dump(
        compact(data.addresses) if have else {"streets": [], "rows": []}
    )
    for key, layer in data.layers.items():
        files[f"layers/{key}.png"] = layer.png
    return files


def write_site(data: PublicData, out: str | Path) -> Path:
    """Write the static site for ``data`` and make it visible at ``out`` in one step.

    See :func:`workbench.rundir.publish_folder`: a web server never serves a half-written
    site, and a folder the workbench did not write is refused, never deleted.
    """

    def write(d: Path) -> None:
        (d / "assets").mkdir()
        static = resources.files("workbench.present") / "site_assets"
        names = {}
        for name in ASSETS[:-1]:  # the code, under names that change with its content
            blob = (static / name).read_bytes()
            names[name] = hashed_name(name, blob)
            (d / "assets" / names[name]).write_bytes(blob)
        page = page_html((static / "index.html").read_text("utf-8"), tile_origin(data.tiles[0]))
        for name, hashed in names.items():
            page = page.replace(f'"assets/{name}"', f'"assets/{hashed}"')
        (d / "index.html").write_text(page, encoding="utf-8")
        for rel, blob in site_files(data).items():
            p = d / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(blob)

    return publish_folder(Path(out), write, what="static site")


def hashed_name(name: str, blob: bytes) -> str:
    """``app.js`` → ``app.<first 10 hex digits of its SHA-256>.js``.

    >>> hashed_name("app.js", b"x")
    'app.2d711642b7.js'
    """
    import hashlib

    stem, _, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(blob).hexdigest()[:10]}.{ext}"


def page_html(template: str, tile_origin: str = "") -> str:
    """``index.html`` with its Content-Security-Policy allowing exactly the tile server
    (when one is configured) besides the site itself.

    >>> page_html("<meta content='img-src 'self' data:; x'>", "https://t.example")
    "<meta content='img-src 'self' data: https://t.example; x'>"
    """
    if CSP_IMG not in template:
        raise ValueError("index.html has no img-src directive to extend")
    if not tile_origin:
        return template
    return template.replace(CSP_IMG, f"{CSP_IMG} {tile_origin}", 1)
