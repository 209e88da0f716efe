"""The citizen page: search, a ranked and sortable list, a map with heat, air, need and
proposals, the consultation's money and the legal footer.

:func:`build_citizen` assembles widgets around a :class:`~.state.CitizenState`; the Voila
notebook ``present/notebooks/public/citizens.ipynb`` only calls it and displays the result.
Every text that came from a citizen is escaped before it reaches an HTML widget. The page
order is the keyboard order: search and filters, the list, then the map (proposal dots are
not tab stops; "Auf der Karte zeigen" brings one into view).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from importlib import resources
from typing import Any

import ipywidgets as W
from traitlets import TraitError

from workbench import i18n
from workbench.i18n import t, tf
from workbench.present.dashboard.citizen_map import (
    SHOWN_AT_START,
    build_citizen_map,
)
from workbench.present.dashboard.data import PublicData, public_data
from workbench.present.dashboard.page_html import (
    about_html,
    budget_html,
    footer_html,
    legend_html,
    proposal_list_html,
)
from workbench.present.dashboard.private_errors import keep_tracebacks_private, under_voila
from workbench.present.dashboard.state import CitizenState, PlaceNotFound
from workbench.present.publication import legal_sections
from workbench.workspace import Workspace

# the page's style sheet, shipped beside this module
CSS = (
    "<style>" + resources.files(__package__).joinpath("citizen.css").read_text("utf-8") + "</style>"
)

GEO = re.compile(r"^geo:(-?\d{1,3}\.\d+),(-?\d{1,3}\.\d+)$")
PAGE = 10  # proposals shown at first; "more" adds this many


class CitizenPage:
    """Widgets of the citizen page around one :class:`CitizenState`.

    ``page.widget`` is what the notebook displays; tests drive ``page.language``,
    ``page.district``, ``page.category``, ``page.sort``, ``page.address``, ``page.find``,
    ``page.layer_boxes`` and ``page.show`` directly.
    """

    def __init__(self, data: PublicData, *, lang: str = "de") -> None:
        self.data = data
        self._syncing = False
        south, west, north, east = data.bbox()
        index = None
        if data.addresses is not None and len(data.addresses):
            from workbench.addresses import AddressIndex, district_points

            points = district_points(data.areas) if not data.areas.empty else None
            index = AddressIndex(data.addresses, points)
        self.state = CitizenState(
            data.proposals,
            districts=data.districts(),
            bbox=(south, west, north, east),
            addresses=index,
            district_points=data.district_points(),
            lang=lang,
        )
        self.links = {
            str(pid): data.publication.proposal_url(pid) for pid in data.proposals["proposal_id"]
        }
        self.language = W.ToggleButtons(options=[("Deutsch", "de"), ("English", "en")], value=lang)
        self.language.add_class("wb-lang")
        self.title = W.HTML()
        self.intro = W.HTML()
        self.banner = W.HTML()  # "simulated data" at the top, before anything else is read
        wide = {"description_width": "initial"}
        self.address = W.Text(
            continuous_update=False, style=wide, layout=W.Layout(width="30em", max_width="100%")
        )
        self.find = W.Button()
        self.locate_button = W.HTML()
        self.geo = W.Text(continuous_update=False)  # "Mein Standort" writes geo:lat,lon here
        self.geo.add_class("wb-geo")
        self.district = W.Dropdown(style=wide)
        self.category = W.Dropdown(style=wide)
        self.sort = W.Dropdown(style=wide)
        self.reset = W.Button()
        self.message = W.HTML()
        self.count = W.HTML()
        self.list_head = W.HTML()
        self.listing = W.HTML()
        self.listing.add_class("wb-listing")
        self.limit = PAGE
        self.more = W.Button(layout=W.Layout(width="auto"))
        self.more.add_class("wb-more")
        self.map_head = W.HTML()
        self.show = W.Dropdown(style=wide, layout=W.Layout(max_width="100%"))
        self.legends = W.HTML()
        self.budget = W.HTML()
        self.about = W.HTML()
        self.footer = W.HTML()
        cm = build_citizen_map(data, *data.tiles)
        self.map, self.overlays, self.markers = cm.map, cm.overlays, cm.markers
        self.street_layers, self.marker_by_id = cm.street_layers, cm.marker_by_id
        self.districts_layer = cm.districts_layer  # None without districts
        self.map.on_interaction(self._on_map)
        self.layer_boxes = {
            key: W.Checkbox(value=key in SHOWN_AT_START, indent=False) for key in self.overlays
        }
        self._wire()
        self.render()
        search = W.HBox(
            [self.address, self.find, self.locate_button, self.geo],
            layout=W.Layout(flex_flow="row wrap", align_items="flex-end"),
        )
        filters = W.HBox(
            [self.district, self.category, self.sort, self.reset],
            layout=W.Layout(flex_flow="row wrap", align_items="flex-end"),
        )
        layers = W.HBox(list(self.layer_boxes.values()), layout=W.Layout(flex_flow="row wrap"))
        self.widget = W.VBox(
            [
                W.HTML(CSS),
                self.banner,
                self.language,
                self.title,
                self.intro,
                search,
                self.message,
                filters,
                self.list_head,
                self.count,
                self.listing,
                self.more,
                self.map_head,
                self.show,
                self.map,
                layers,
                self.legends,
                self.budget,
                self.about,
                self.footer,
            ],
            layout=W.Layout(width="100%"),
        )
        self.widget.add_class("wb-app")

    # ---------------------------------------------------------------- map
    def _on_map(self, **kw: Any) -> None:
        if kw.get("type") != "click":
            return
        lat, lon = kw.get("coordinates", (None, None))
        try:
            self.state.set_near(float(lat), float(lon), t("chosen_point", self.state.lang))
            self._say(lambda lg: t("sorted_from_point", lg), ok=True)
        except (TraitError, TypeError, ValueError):
            self._say(lambda lg: t("click_outside", lg))

    def toggle_layer(self, key: str, on: bool) -> None:
        """Show or hide an overlay (added to or removed from the map) and its legend."""
        ov = self.overlays[key]
        if on and ov not in self.map.layers:
            # above the other overlays, below streets, district boundaries and proposals
            top = [*self.street_layers, self.districts_layer, self.markers]
            top = [x for x in top if x is not None]
            rest = [x for x in self.map.layers if all(x is not y for y in top)]
            self.map.layers = (*rest, ov, *top)
        elif not on and ov in self.map.layers:
            self.map.remove(ov)
        self.render_legends()

    # ---------------------------------------------------------------- wiring
    def _wire(self) -> None:
        def on_lang(change: dict) -> None:
            self.state.lang = change["new"]

        def on_choice(name: str) -> Any:
            def handler(change: dict) -> None:
                if self._syncing:
                    return
                try:
                    setattr(self.state, name, change["new"] or ("value" if name == "sort" else ""))
                except TraitError as exc:
                    self._say(str(exc))

            return handler

        self.language.observe(on_lang, "value")
        self.district.observe(on_choice("district"), "value")
        self.category.observe(on_choice("category"), "value")
        self.sort.observe(on_choice("sort"), "value")
        self.find.on_click(lambda _b: self.locate())
        self.address.observe(lambda _c: self.locate(), "value")
        self.geo.observe(lambda c: self.use_location(c["new"]), "value")
        self.reset.on_click(lambda _b: self.clear())
        self.more.on_click(lambda _b: self.show_more())
        self.show.observe(lambda c: self.show_on_map(c["new"]), "value")
        for key, box in self.layer_boxes.items():
            box.observe(lambda c, k=key: self.toggle_layer(k, bool(c["new"])), "value")
        self.state.observe(lambda _c: self.render(), ["lang"])
        self.state.observe(
            lambda _c: self.refresh(reset_limit=True),
            ["district", "category", "near_lat", "near_lon", "sort"],
        )

    def _say(self, make: Callable[[str], str] | str, *, ok: bool = False) -> None:
        """The message at the search box; ``make(lang)`` words it, again after a language
        switch (a plain string stays as it is)."""
        self._message = (make, ok) if make else None
        self._show_message()

    def _show_message(self) -> None:
        if not getattr(self, "_message", None):
            self.message.value = ""
            return
        make, ok = self._message
        text = make(self.state.lang) if callable(make) else make
        cls = "wb-message wb-ok" if ok else "wb-message"
        self.message.value = f'<p class="{cls}" role="status">{escape(text)}</p>'

    def locate(self) -> None:
        """Find what the visitor typed; unknown input clears the old point and says why."""
        text = self.address.value
        if not text.strip():
            return
        try:
            lat, lon, label = self.state.find_place(text)
        except PlaceNotFound as exc:
            self.state.set_near(None, None)
            key, values = exc.key, exc.values  # exc is gone after the block
            self._say(lambda lg: tf(key, lg, **values))
            return
        except TraitError:
            self.state.set_near(None, None)
            self._say(lambda lg: f"{t('not_found', lg)}: {t('place_invalid', lg)}")
            return
        try:
            self.state.set_near(lat, lon, label)
        except TraitError:
            self._say(lambda lg: t("click_outside", lg))
            return
        self._say(lambda lg: tf("found_place", lg, label=label), ok=True)
        self.map.center = (lat, lon)

    def use_location(self, value: str) -> None:
        """The browser's position, written by the page's script as ``geo:lat,lon``."""
        if not value:
            return
        lang = self.state.lang
        m = GEO.match(value.strip())
        try:
            if not m:
                raise ValueError(value)
            self.state.set_near(float(m.group(1)), float(m.group(2)), t("my_location", lang))
        except (TraitError, ValueError):
            key = "geo_failed" if not m else "geo_outside"
            self._say(lambda lg: t(key, lg))
        else:
            self._say(lambda lg: tf("found_place", lg, label=t("my_location", lg)), ok=True)
            self.map.center = (self.state.near_lat, self.state.near_lon)
        finally:
            self.geo.value = ""

    def show_more(self) -> None:
        self.limit += PAGE
        self.refresh()

    def show_on_map(self, pid: str) -> None:
        """Centre the map on one proposal and mark it."""
        if not pid or pid not in self.marker_by_id:
            return
        for other, mk in self.marker_by_id.items():
            mk.weight, mk.color = (4, "#0b4f9c") if other == pid else (1, "#222222")
        self.map.center = self.marker_by_id[pid].location
        self.map.zoom = 14

    def clear(self) -> None:
        with self.state.hold_trait_notifications():
            self.state.set_near(None, None)
            self.state.district = ""
            self.state.category = ""
            self.state.sort = "value"
        self.district.value = ""
        self.category.value = ""
        self.sort.value = "value"
        self.address.value = ""
        self._say("")

    # ---------------------------------------------------------------- rendering
    def render(self) -> None:
        """Every label in the current language, then the list."""
        lang = self.state.lang
        self._show_message()
        zoom = getattr(self.map, "zoom_control_instance", None)
        if zoom is not None:  # the buttons' names for screen readers, in the page's language
            zoom.zoom_in_title, zoom.zoom_out_title = t("zoom_in", lang), t("zoom_out", lang)
        marker = (
            f'<span hidden data-wb-lang="{lang}" data-wb-title="{escape(t("page_title", lang))}">'
            "</span>"
        )
        self.title.value = (
            f'{marker}<p class="wb-brand">GE grünt</p><h1>{escape(t("citizen_title", lang))}</h1>'
        )
        self.intro.value = f"<p>{escape(t('citizen_intro', lang))}</p>"
        self.banner.value = (
            f'<p class="wb-banner" role="note">{escape(t("simulated", lang))}</p>'
            if self.data.meta.get("simulated")
            else ""
        )
        self.address.description = t("near_me", lang)
        self.address.placeholder = t("address", lang)
        self.find.description = t("search", lang)
        self.find.tooltip = t("search", lang)
        self.locate_button.value = (
            f'<button type="button" class="wb-locate" data-wait="{escape(t("locating", lang))}">'
            f"{escape(t('locate', lang))}</button>"
        )
        self.geo.description = t("my_location", lang)
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
        self.render_sort()
        self.reset.description = t("reset", lang)
        self.list_head.value = f"<h2>{escape(t('list_title', lang))}</h2>"
        self.map_head.value = (
            f"<h2>{escape(t('map_title', lang))}</h2>"
            f"<p>{escape(t('map_hint', lang))}"
            f'<span class="wb-vh"> {escape(t("site_map_alt", lang))}</span></p>'
        )
        self.show.description = t("show_on_map", lang)
        self.show.options = [("–", "")] + [
            (f"{int(r.rank)}. {r.title}", str(r.proposal_id))
            for r in self.data.proposals.itertuples()
            if str(r.proposal_id) in self.marker_by_id
        ]
        for key, box in self.layer_boxes.items():
            box.description = t(f"layer_{key}", lang)
        self.render_legends()
        by_id = self.data.proposals.set_index(self.data.proposals["proposal_id"].astype(str))
        for pid, mk in self.marker_by_id.items():
            r = by_id.loc[pid]
            why = r["explanation_de" if lang == "de" else "explanation_en"]
            mk.popup.value = (
                f"<strong>{escape(t('place', lang))} {int(r['rank'])}: {escape(str(r['title']))}"
                f"</strong><br>{escape(str(why))}"
            )
        names = dict(
            zip(self.data.areas.get("area_id", []), self.data.areas.get("name", []), strict=True)
        )
        budget = budget_html(self.data.allocations, self.data.proposals, names, lang)
        self.budget.value = f"<h2>{escape(t('budget_title', lang))}</h2>{budget}" if budget else ""
        self.about.value = f"<h2>{escape(t('about_data', lang))}</h2>" + about_html(
            self.data.meta, lang
        )
        pub = self.data.publication
        sections = legal_sections(pub, lang, tiles=self.data.tiles[0], server=True)
        self.footer.value = footer_html(sections, pub.operator, pub.feedback_email, lang)
        self.refresh()

    def render_sort(self) -> None:
        lang = self.state.lang
        keys = ["value", "need", "votes"] + (
            ["distance"] if self.state.near_lat is not None else []
        )
        self._syncing = True  # the dropdown follows the state here, not the other way
        try:
            self.sort.options = [(t(f"sort_{k}", lang), k) for k in keys]
            self.sort.value = self.state.sort if self.state.sort in keys else "value"
        finally:
            self._syncing = False
        self.sort.description = t("sort", lang)

    def render_legends(self) -> None:
        lang = self.state.lang
        shown = [k for k in self.overlays if self.overlays[k] in self.map.layers]
        first, last = self.data.proposals.iloc[0], self.data.proposals.iloc[-1]
        swatch = '<span class="wb-swatch wb-round" aria-hidden="true" style="background:{}"></span>'
        dots = (
            f'<div class="wb-legend"><strong>{escape(t("marker_legend", lang))}</strong>: '
            + swatch.format(escape(str(first["colour"])))
            + f"{escape(t('marker_first', lang))} "
            + swatch.format(escape(str(last["colour"])))
            + f"{escape(t('marker_last', lang))}</div>"
        )
        self.legends.value = (
            "".join(legend_html(self.data.layers[k], t(f"layer_{k}", lang), lang) for k in shown)
            + dots
        )

    def refresh(self, *, reset_limit: bool = False) -> None:
        """The list and the markers after a filter, the order or the point changed."""
        lang = self.state.lang
        if reset_limit:
            self.limit = PAGE
        if self.sort.value != self.state.sort or (
            (self.state.near_lat is not None) != ("distance" in [v for _k, v in self.sort.options])
        ):
            self.render_sort()
        visible = self.state.visible()
        total = len(self.data.proposals)
        shown = visible.head(self.limit)
        rest = len(visible) - len(shown)
        # the button first: when the longer list arrives, the button is already right
        self.more.description = tf("show_more", lang, n=min(PAGE, rest))
        self.more.layout.display = "flex" if rest > 0 else "none"
        self.listing.value = proposal_list_html(shown, lang, total=total, links=self.links)
        where = f" ({self.state.near_label})" if self.state.near_lat is not None else ""
        of = f" ({tf('filtered_of', lang, n=total)})" if len(visible) < total else ""
        self.count.value = (
            f"<p aria-live='polite'>"
            f"{escape(tf('shown_of', lang, shown=len(shown), n=len(visible)) + of)} · "
            f"{escape(t('sort', lang))}: {escape(t('sort_' + self.state.sort, lang))}"
            f"{escape(where)}</p>"
        )
        ids = set(visible["proposal_id"].astype(str))
        for pid, mk in self.marker_by_id.items():
            mk.opacity = 1.0 if pid in ids else 0.15
            mk.fill_opacity = 0.9 if pid in ids else 0.1


def build_citizen(ws: Workspace, *, lang: str = "de") -> CitizenPage:
    """The citizen page for the latest run of a workspace; in a kernel, errors of its
    callbacks go to the server log, never to the visitor (:mod:`.private_errors`)."""
    if under_voila():
        keep_tracebacks_private()
    return CitizenPage(public_data(ws), lang=lang)
