"""The citizen page's map (ipyleaflet): layers, streets, districts with names, proposal dots."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

import ipywidgets as W

from workbench.present.dashboard.data import PublicData, district_labels

LAYER_KEYS = ("heat", "heat_hotspots", "air", "air_hotspots", "eaqi", "need")
SHOWN_AT_START = ("heat", "heat_hotspots")
# Leaflet zoom 11 keeps a city of about 15 × 20 km whole in a 390 px wide map
START_ZOOM = 11


@dataclass
class CitizenMap:
    """The map and the layers the page switches, orders and colours."""

    map: Any
    overlays: dict[str, Any]
    street_layers: list[Any]
    districts_layer: Any
    markers: Any
    marker_by_id: dict[str, Any]


def build_citizen_map(data: PublicData, tiles: str, attribution: str) -> CitizenMap:
    """The map: overlays (shown at the start: :data:`SHOWN_AT_START`), main streets,
    district boundaries with names that do not overlap at the start zoom, and the
    proposals as dots coloured by rank, each with an (empty) popup."""
    import ipyleaflet as L

    lat, lon = data.meta.get("center", (51.54, 7.08))
    kw: dict[str, Any] = {}
    if tiles:
        kw["basemap"] = L.TileLayer(url=tiles, attribution=attribution, name="Basemap")
    m = L.Map(
        center=(lat, lon),
        zoom=START_ZOOM,
        scroll_wheel_zoom=False,  # the wheel scrolls the page; zoom with + / −
        keyboard=True,
        layout=W.Layout(height="460px", width="100%"),
        **kw,
    )
    if not tiles:  # no third-party tile server unless configured ([dashboard] tiles)
        for base in [layer for layer in m.layers if getattr(layer, "base", False)]:
            m.remove(base)
    if getattr(m, "attribution_control_instance", None) is not None:
        m.attribution_control_instance.prefix = ""  # no "ipyleaflet" advert on a city's page
    if getattr(m, "zoom_control_instance", None) is not None:
        m.zoom_control_instance.zoom_out_text = "\u2212"  # a minus, not a hyphen
    overlays: dict[str, Any] = {}
    for key in LAYER_KEYS:
        layer = data.layers.get(key)
        if layer is None:
            continue
        overlays[key] = L.ImageOverlay(url=layer.data_url(), bounds=layer.bounds, name=key)
        if key in SHOWN_AT_START:
            m.add(overlays[key])
    street_layers: list[Any] = []
    if data.streets and data.streets.get("features"):
        for colour, weight in (("#777777", 4.5), ("#ffffff", 2.5)):  # casing, then line
            layer = L.GeoJSON(
                data=data.streets,
                name="streets",
                style={"color": colour, "weight": weight, "opacity": 0.9},
            )
            street_layers.append(layer)
            m.add(layer)
    districts_layer = None
    if not data.areas.empty:
        districts_layer = L.GeoJSON(
            data=data.areas_geojson(),
            name="districts",
            style={"color": "#222222", "weight": 1.5, "fill": False, "opacity": 0.8},
        )
        m.add(districts_layer)
        # names that would overlap at the start zoom are left out (larger districts win)
        for name, plat, plon in district_labels(data.areas, START_ZOOM):
            icon = L.DivIcon(
                html=f'<span class="wb-district-name">{escape(name)}</span>',
                icon_size=(120, 18), icon_anchor=(60, 9),
            )  # fmt: skip
            m.add(L.Marker(location=(plat, plon), icon=icon, keyboard=False, draggable=False))
    markers = L.LayerGroup(name="proposals")
    marker_by_id: dict[str, Any] = {}
    for r in data.proposals.itertuples():
        if r.lat != r.lat or r.lon != r.lon:  # NaN: not placed
            continue
        mk = L.CircleMarker(
            location=(r.lat, r.lon),
            radius=7,
            color="#222222",
            weight=1,
            fill_color=r.colour,
            fill_opacity=0.9,
        )
        mk.popup = W.HTML()
        marker_by_id[str(r.proposal_id)] = mk
        markers.add(mk)
    m.add(markers)
    m.add(L.ScaleControl(position="bottomleft", imperial=False))
    return CitizenMap(m, overlays, street_layers, districts_layer, markers, marker_by_id)
