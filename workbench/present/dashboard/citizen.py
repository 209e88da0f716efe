"""The citizen page: map with heat, air, need and proposals; a ranked, filterable list.

:func:`build_citizen` assembles widgets around a :class:`~.state.CitizenState`; the Voila
notebook ``present/notebooks/citizens.ipynb`` only calls it and displays the result. Every text that
came from a citizen is escaped before it reaches an HTML widget.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as W
from traitlets import TraitError

from workbench import i18n
from workbench.i18n import t, tf
from workbench.present.dashboard.data import PublicData, public_data
from workbench.present.dashboard.state import (
    CitizenState,
    PlaceNotFound,
    about_html,
    legend_html,
    proposal_list_html,
)
from workbench.workspace import Workspace

CSS = """
<style>
.wb-app { max-width: 1200px; margin: 0 auto; font-size: 16px; color: #1a1a1a; }
.wb-app h1 { font-size: 1.5rem; margin: 0.3rem 0; }
.wb-banner { background: #fff3cd; border: 2px solid #8a6d00; padding: 0.4rem 0.7rem; }
.wb-list { padding-left: 0; list-style: none; }
.wb-proposal { border-bottom: 1px solid #ccc; padding: 0.45rem 0; line-height: 1.35; }
.wb-rank { display: inline-block; min-width: 2rem; text-align: center; font-weight: bold;
           border: 3px solid #999; border-radius: 1rem; }
.wb-why { color: #333; font-size: 0.92rem; }
.wb-swatch { display: inline-block; width: 0.9rem; height: 0.9rem; margin: 0 0.2rem 0 0.5rem;
             border: 1px solid #555; vertical-align: middle; }
.wb-legend { font-size: 0.9rem; margin: 0.15rem 0; }
.wb-app .widget-button:focus, .wb-app select:focus, .wb-app input:focus {
    outline: 3px solid #1565c0; outline-offset: 1px; }
@media (max-width: 700px) { .wb-app { font-size: 15px; } }
</style>
"""

LAYER_KEYS = ("heat", "heat_hotspots", "air", "air_hotspots", "eaqi", "need")


class CitizenPage:
    """Widgets of the citizen page around one :class:`CitizenState`.

    ``page.widget`` is what the notebook displays; tests drive ``page.language``,
    ``page.district``, ``page.category``, ``page.address`` and ``page.find`` directly.
    """

    def __init__(self, data: PublicData, *, lang: str = "de", tiles: str | None = None) -> None:
        self.data = data
        south, west, north, east = _bbox(data)
        self.state = CitizenState(
            data.proposals, districts=data.districts(), bbox=(south, west, north, east), lang=lang
        )
        self.language = W.ToggleButtons(options=[("Deutsch", "de"), ("English", "en")], value=lang)
        self.language.add_class("wb-lang")
        self.title = W.HTML()
        self.district = W.Dropdown()
        self.category = W.Dropdown()
        self.address = W.Text(continuous_update=False)
        self.find = W.Button()
        self.reset = W.Button()
        self.message = W.HTML()
        self.count = W.HTML()
        self.listing = W.HTML()
        self.listing.add_class("wb-listing")
        self.about = W.HTML()
        self.banner = W.HTML()  # "simulated data" at the top, before anything else is read
        self.legends = W.HTML()
        self.map = self._build_map(tiles)
        self._wire()
        self.render()
        controls = W.HBox([self.district, self.category], layout=W.Layout(flex_flow="row wrap"))
        near = W.HBox([self.address, self.find, self.reset], layout=W.Layout(flex_flow="row wrap"))
        self.widget = W.VBox(
            [
                W.HTML(CSS),
                self.language,
                self.title,
                self.banner,
                self.map,
                self.legends,
                controls,
                near,
                self.message,
                self.count,
                self.listing,
                self.about,
            ],
            layout=W.Layout(width="100%"),
        )
        self.widget.add_class("wb-app")

    # ---------------------------------------------------------------- map
    def _build_map(self, tiles: str | None) -> Any:
        import ipyleaflet as L

        lat, lon = self.data.meta.get("center", (51.54, 7.08))
        kw: dict[str, Any] = {}
        if tiles:
            kw["basemap"] = L.TileLayer(
                url=tiles, attribution="© OpenStreetMap contributors", name="Basemap"
            )
        m = L.Map(
            center=(lat, lon),
            zoom=12,
            scroll_wheel_zoom=True,
            keyboard=True,
            layout=W.Layout(height="480px", width="100%"),
            **kw,
        )
        if not tiles:  # no third-party tile server unless configured ([dashboard] tiles)
            for base in [layer for layer in m.layers if getattr(layer, "base", False)]:
                m.remove(base)
        self.overlays: dict[str, Any] = {}
        for key in LAYER_KEYS:
            layer = self.data.layers.get(key)
            if layer is None:
                continue
            ov = L.ImageOverlay(
                url=layer.data_url(),
                bounds=layer.bounds,
                name=key,
                visible=key in ("heat", "heat_hotspots"),
            )
            self.overlays[key] = ov
            m.add(ov)
        if not self.data.areas.empty:
            self.districts_layer = L.GeoJSON(
                data=self.data.areas_geojson(),
                name="districts",
                style={"color": "#222222", "weight": 1.5, "fill": False, "opacity": 0.8},
            )
            m.add(self.districts_layer)
        self.markers = L.LayerGroup(name="proposals")
        self.marker_by_id: dict[str, Any] = {}
        for r in self.data.proposals.itertuples():
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
            self.marker_by_id[str(r.proposal_id)] = mk
            self.markers.add(mk)
        m.add(self.markers)
        m.add(L.LayersControl(position="topright"))
        m.add(L.ScaleControl(position="bottomleft", imperial=False))
        m.on_interaction(self._on_map)
        return m

    def _on_map(self, **kw: Any) -> None:
        if kw.get("type") != "click":
            return
        lat, lon = kw.get("coordinates", (None, None))
        try:
            self.state.set_near(float(lat), float(lon))
            self.message.value = ""
        except (TraitError, TypeError, ValueError):
            why = escape(t("click_outside", self.state.lang))
            self.message.value = f"<p role='alert'>{why}</p>"

    # ---------------------------------------------------------------- wiring
    def _wire(self) -> None:
        def on_lang(change: dict) -> None:
            self.state.lang = change["new"]

        def on_district(change: dict) -> None:
            try:
                self.state.district = change["new"] or ""
            except TraitError as exc:
                self.message.value = f"<p role='alert'>{escape(str(exc))}</p>"

        def on_category(change: dict) -> None:
            try:
                self.state.category = change["new"] or ""
            except TraitError as exc:
                self.message.value = f"<p role='alert'>{escape(str(exc))}</p>"

        self.language.observe(on_lang, "value")
        self.district.observe(on_district, "value")
        self.category.observe(on_category, "value")
        self.find.on_click(lambda _b: self.locate())
        self.address.observe(lambda _c: self.locate(), "value")
        self.reset.on_click(lambda _b: self.clear())
        self.state.observe(lambda _c: self.render(), ["lang"])
        self.state.observe(
            lambda _c: self.refresh(), ["district", "category", "near_lat", "near_lon"]
        )

    def locate(self) -> None:
        text = self.address.value
        if not text.strip():
            return
        lang = self.state.lang
        try:
            lat, lon = self.state.locate(text)
        except PlaceNotFound as exc:
            why = tf(exc.key, lang, **exc.values)
        except TraitError:
            why = t("place_invalid", lang)
        else:
            why = ""
        if why:
            self.message.value = (
                f"<p role='alert'>{escape(t('not_found', lang))}: {escape(why)}</p>"
            )
            return
        self.message.value = ""
        self.state.set_near(lat, lon)
        self.map.center = (lat, lon)

    def clear(self) -> None:
        with self.state.hold_trait_notifications():
            self.state.set_near(None, None)
            self.state.district = ""
            self.state.category = ""
        self.district.value = ""
        self.category.value = ""
        self.address.value = ""
        self.message.value = ""

    # ---------------------------------------------------------------- rendering
    def render(self) -> None:
        """Every label in the current language, then the list."""
        lang = self.state.lang
        self.title.value = f"<h1>{escape(t('citizen_title', lang))}</h1>"
        self.banner.value = (
            f'<p class="wb-banner" role="note"><strong>{escape(t("simulated", lang))}</strong></p>'
            if self.data.meta.get("simulated")
            else ""
        )
        d, c = self.state.district, self.state.category
        self.district.options = [(t("all_districts", lang), "")] + [
            (name, aid) for aid, name in self.data.districts()
        ]
        self.district.value = d
        self.district.description = t("district", lang)
        cats = sorted(
            {str(x) for x in self.data.proposals["category"].dropna()},
            key=lambda k: i18n.category(k, lang),
        )
        self.category.options = [(t("all_categories", lang), "")] + [
            (i18n.category(k, lang), k) for k in cats
        ]
        self.category.value = c
        self.category.description = t("category", lang)
        self.address.placeholder = t("address", lang)
        self.address.description = t("near_me", lang)
        self.find.description = t("search", lang)
        self.find.tooltip = t("search", lang)
        self.reset.description = t("reset", lang)
        self.about.value = f"<h2>{escape(t('about_data', lang))}</h2>" + about_html(
            self.data.meta, lang
        )
        for key, ov in self.overlays.items():
            ov.name = t(f"layer_{key}", lang)
        if hasattr(self, "districts_layer"):
            self.districts_layer.name = t("layer_districts", lang)
        self.markers.name = t("layer_proposals", lang)
        self.legends.value = f"<p>{escape(t('map_hint', lang))}</p>" + "".join(
            legend_html(self.data.layers[k], t(f"layer_{k}", lang), lang) for k in self.overlays
        )
        self.map.layout.width = "100%"
        by_id = self.data.proposals.set_index(self.data.proposals["proposal_id"].astype(str))
        for pid, mk in self.marker_by_id.items():
            r = by_id.loc[pid]
            why = r["explanation_de" if lang == "de" else "explanation_en"]
            mk.popup.value = (
                f"<strong>{escape(str(r['title']))}</strong><br><small>{escape(str(why))}</small>"
            )
        self.refresh()

    def refresh(self) -> None:
        """The list and the markers after a filter changed."""
        lang = self.state.lang
        visible = self.state.visible()
        total = len(self.data.proposals)
        self.listing.value = proposal_list_html(visible, lang, total=total)
        near = ""
        if self.state.near_lat is not None:
            near = f" · {escape(t('near_point', lang))} ({int(self.state.radius_m)} m)"
        self.count.value = (
            f"<p aria-live='polite'><strong>{len(visible)}</strong> / {total} "
            f"{escape(t('shown', lang))}{near}</p>"
        )
        ids = set(visible["proposal_id"].astype(str))
        for pid, mk in self.marker_by_id.items():
            mk.opacity = 1.0 if pid in ids else 0.15
            mk.fill_opacity = 0.9 if pid in ids else 0.1


def _bbox(data: PublicData) -> tuple[float, float, float, float]:
    if not data.areas.empty:
        import shapely

        w, s, e, n = shapely.union_all(list(data.areas["geometry"])).bounds
        return s, w, n, e
    p = data.proposals
    return (
        float(p["lat"].min()),
        float(p["lon"].min()),
        float(p["lat"].max()),
        float(p["lon"].max()),
    )


def build_citizen(ws: Workspace, *, lang: str = "de") -> CitizenPage:
    """The citizen page for the latest run of a workspace."""
    tiles = ws.config.get("dashboard", {}).get("tiles") or None
    return CitizenPage(public_data(ws), lang=lang, tiles=tiles)
