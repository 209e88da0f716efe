"""Dashboard state without any UI: what is selected, validated like any other input.

Values arriving from a browser (a dropdown, a text box, a map click, a slider) are set on
these objects; traitlets validators reject anything outside the allowed set with a
``TraitError`` naming the value and what is allowed. The views in :mod:`.citizen` and
:mod:`.analyst` only link widgets to these traits.
"""

from __future__ import annotations

import math
import re
import unicodedata
from html import escape
from typing import Any

import numpy as np
import pandas as pd
from traitlets import Float, HasTraits, List, TraitError, Unicode, observe, validate

from workbench import i18n
from workbench.i18n import LANGUAGES, fmt_eur, fmt_int, t

MAX_TEXT = 120  # longest address a visitor may type
NEED_KEYS = ("heat", "air", "green_deficit", "exposure", "vulnerability")
SORT_KEYS = ("value", "need", "votes", "distance")
DATA_OLD_DAYS = 30  # older data than this (before the run) is pointed out on the pages


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """Visitor text without control characters, trimmed, at most ``limit`` characters.

    >>> clean_text("  Hochstr.\\x00 12\\n ")
    'Hochstr. 12'
    """
    if not isinstance(text, str):
        raise TraitError(f"expected text, got {type(text).__name__}")
    s = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    s = re.sub(r"\s+", " ", s).strip()
    if len(s) > limit:
        raise TraitError(f"text of {len(s)} characters; at most {limit} are allowed")
    return s


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.lower()).replace("ß", "ss")
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"str\.?\b", "strasse", s)


def distance_m(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat), np.radians(lats)
    dphi = p2 - p1
    dlmb = np.radians(lons) - math.radians(lon)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * 6_371_000 * np.arcsin(np.sqrt(a))


class PlaceNotFound(ValueError):
    """A visitor's place search found nothing; ``key`` and ``values`` give the message in
    the visitor's language (:func:`workbench.i18n.tf`)."""

    def __init__(self, key: str, **values: str) -> None:
        self.key, self.values = key, values
        super().__init__(i18n.tf(key, "en", **values))


class CitizenState(HasTraits):
    """Language, district and category filters and a "near me" point.

    Examples
    --------
    >>> props = pd.DataFrame({"proposal_id": ["a", "b"], "title": ["Bäume an der Hochstraße",
    ...     "Park"], "category": ["trees", "pocket_park"], "area_id": ["buer", "altstadt"],
    ...     "lat": [51.57, 51.50], "lon": [7.05, 7.10], "rank": [1, 2]})
    >>> s = CitizenState(props, districts=[("buer", "Buer"), ("altstadt", "Altstadt")],
    ...                  bbox=(51.4, 6.9, 51.7, 7.3))
    >>> s.district = "buer"
    >>> s.visible()["proposal_id"].tolist()
    ['a']
    >>> s.district = "<script>"  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    traitlets.traitlets.TraitError: unknown district '<script>'; choose one of [...]
    """

    lang = Unicode("de")
    district = Unicode("")  # "" = all
    category = Unicode("")  # "" = all
    near_lat = Float(None, allow_none=True)
    near_lon = Float(None, allow_none=True)
    near_label = Unicode("")  # what the point is: an address, "your location", a map click
    radius_m = Float(1000.0)  # the circle drawn around the point
    sort = Unicode("value")  # value (rank), need, votes, distance (with a point)

    def __init__(
        self,
        proposals: pd.DataFrame,
        *,
        districts: list[tuple[str, str]],
        bbox: tuple[float, float, float, float],
        addresses: Any = None,
        district_points: dict[str, tuple[float, float]] | None = None,
        **kw: Any,
    ) -> None:
        self._proposals = proposals
        self._districts = dict(districts)
        # (lat, lon) a district name stands for, as on the static site; else the mean of
        # its proposals' positions
        self._district_points = district_points or {}
        self._bbox = bbox  # south, west, north, east
        self._addresses = addresses  # a workbench.addresses.AddressIndex, or None
        super().__init__(**kw)

    @validate("sort")
    def _v_sort(self, proposal: dict) -> str:
        v = proposal["value"]
        if v not in SORT_KEYS:
            raise TraitError(f"unknown order {v!r}; choose one of {SORT_KEYS}")
        return v

    # ---------------------------------------------------------------- validation
    @validate("lang")
    def _v_lang(self, proposal: dict) -> str:
        if proposal["value"] not in LANGUAGES:
            raise TraitError(f"unknown language {proposal['value']!r}; use one of {LANGUAGES}")
        return proposal["value"]

    @validate("district")
    def _v_district(self, proposal: dict) -> str:
        v = proposal["value"]
        if v and v not in self._districts:
            allowed = sorted(["", *self._districts])
            raise TraitError(f"unknown district {v!r}; choose one of {allowed}")
        return v

    @validate("category")
    def _v_category(self, proposal: dict) -> str:
        v = proposal["value"]
        if v and v not in i18n.CATEGORY["de"]:
            raise TraitError(f"unknown category {v!r}; choose one of {sorted(i18n.CATEGORY['de'])}")
        return v

    @validate("near_lat", "near_lon")
    def _v_point(self, proposal: dict) -> float | None:
        v = proposal["value"]
        if v is None:
            return None
        s, w, n, e = self._bbox
        lo, hi = (s, n) if proposal["trait"].name == "near_lat" else (w, e)
        if not (math.isfinite(v) and lo - 0.05 <= v <= hi + 0.05):
            raise TraitError(f"{proposal['trait'].name} {v} lies outside the city ({lo}–{hi})")
        return float(v)

    @validate("radius_m")
    def _v_radius(self, proposal: dict) -> float:
        v = proposal["value"]
        if not (50 <= v <= 10_000):
            raise TraitError(f"radius {v} m; allowed are 50–10,000 m")
        return float(v)

    # ---------------------------------------------------------------- logic
    def set_near(self, lat: float | None, lon: float | None, label: str = "") -> None:
        """Set (or clear, with None) the "near me" point; both or neither. A point sorts
        the list by distance; clearing it returns to the ranking."""
        with self.hold_trait_notifications():
            self.near_lat = lat
            self.near_lon = lon
            self.near_label = label if lat is not None else ""
            if lat is not None:
                self.sort = "distance"
            elif self.sort == "distance":
                self.sort = "value"

    def find_place(self, text: str) -> tuple[float, float, str]:
        """A point and its label for what a visitor typed: an address, street or postcode
        from the workspace's address list, a district, or a street named in a proposal.

        Raises :class:`PlaceNotFound` when nothing matches (no geocoding service is
        contacted: the address list is the city's own open data, imported with
        ``workbench addresses``).
        """
        clean = clean_text(text)
        q = _fold(clean)
        if len(q) < 3:
            raise PlaceNotFound("place_too_short")
        if self._addresses is not None:
            try:
                hits = self._addresses.search(clean)
            except ValueError:
                hits = []
            if hits:
                return hits[0].lat, hits[0].lon, hits[0].label
        lat, lon = self.locate(clean)
        return lat, lon, clean

    def locate(self, text: str) -> tuple[float, float]:
        """A point for a district name or a street named in a proposal (the fallback
        without an address list); raises :class:`PlaceNotFound` when nothing matches.
        """
        q = _fold(clean_text(text))
        if len(q) < 3:
            raise PlaceNotFound("place_too_short")
        for area_id, name in self._districts.items():
            if (_fold(name) == q or _fold(area_id) == q) and area_id in self._district_points:
                return self._district_points[area_id]
            if _fold(name) == q or _fold(area_id) == q:
                sel = self._proposals[self._proposals["area_id"] == area_id][["lat", "lon"]]
                sel = sel.dropna()
                if len(sel):
                    return float(sel["lat"].mean()), float(sel["lon"].mean())
        street = re.sub(r"\s*\d+\s*[a-z]?$", "", q).strip()
        for r in self._proposals.itertuples():
            text_ = _fold(f"{r.title} {getattr(r, 'description', '')}")
            if street and street in text_ and np.isfinite(r.lat) and np.isfinite(r.lon):
                return float(r.lat), float(r.lon)
        raise PlaceNotFound("place_unknown", text=clean_text(text))

    def visible(self) -> pd.DataFrame:
        """The proposals passing the filters, in the chosen order, with ``distance_m`` when
        a point is set."""
        p = self._proposals
        if self.district:
            p = p[p["area_id"] == self.district]
        if self.category:
            p = p[p["category"] == self.category]
        p = p.copy()
        if self.near_lat is not None and self.near_lon is not None:
            d = distance_m(
                self.near_lat, self.near_lon, p["lat"].to_numpy(float), p["lon"].to_numpy(float)
            )
            p["distance_m"] = d
        if self.sort == "distance" and "distance_m" in p:
            return p.sort_values(["distance_m", "rank"], na_position="last")
        if self.sort in ("need", "votes"):
            col = "need_at_site" if self.sort == "need" else "votes"
            if col in p:
                return p.sort_values([col, "rank"], ascending=[False, True], na_position="last")
        return p.sort_values("rank")


class WeightState(HasTraits):
    """Need weights set by an analyst; always non-negative, normalised to sum 1.

    >>> w = WeightState()
    >>> w.set(heat=1, air=0, green_deficit=0, exposure=0, vulnerability=1)
    >>> w.normalised()
    {'heat': 0.5, 'air': 0.0, 'green_deficit': 0.0, 'exposure': 0.0, 'vulnerability': 0.5}
    """

    weights = List(Float(), default_value=[0.3, 0.2, 0.2, 0.15, 0.15], minlen=5, maxlen=5)

    @validate("weights")
    def _v_weights(self, proposal: dict) -> list[float]:
        w = [float(x) for x in proposal["value"]]
        if any(not math.isfinite(x) or x < 0 or x > 1 for x in w):
            raise TraitError(f"weights {w}: each must lie in [0, 1]")
        if sum(w) <= 0:
            raise TraitError("at least one weight must be positive")
        return w

    def set(self, **kw: float) -> None:
        unknown = set(kw) - set(NEED_KEYS)
        if unknown:
            raise TraitError(f"unknown weights {sorted(unknown)}; use {NEED_KEYS}")
        current = dict(zip(NEED_KEYS, self.weights, strict=True))
        current.update(kw)
        self.weights = [current[k] for k in NEED_KEYS]

    def normalised(self) -> dict[str, float]:
        total = sum(self.weights)
        return {k: round(v / total, 6) for k, v in zip(NEED_KEYS, self.weights, strict=True)}

    @observe("weights")
    def _changed(self, _change: dict) -> None:  # a hook for views; nothing to do here
        pass


# ------------------------------------------------------------------------ rendering
# need at the site (0–1) in words, on the steps the explanations use
# (workbench.models.ranking.NEED_LEVELS); the static site's app.js repeats them
NEED_WORDS = {"very_high": ("sehr hoch", "very high"), "high": ("hoch", "high"),
              "medium": ("mittel", "medium"), "low": ("gering", "low")}  # fmt: skip


def need_word(v: float, lang: str) -> str:
    """The need at a site in words.

    >>> need_word(0.7, "de"), need_word(0.31, "en"), need_word(float("nan"), "de")
    ('sehr hoch', 'medium', '–')
    """
    from workbench.models.ranking import NEED_LEVELS

    if v is None or not math.isfinite(float(v)):
        return "–"
    level = next(name for lo, name in NEED_LEVELS if v >= lo)
    return NEED_WORDS[level][0 if lang == "de" else 1]


def distance_text(m: float, lang: str) -> str:
    """``350 m`` or ``1,2 km`` (German) / ``1.2 km`` (English).

    >>> distance_text(347, "de"), distance_text(1240, "de"), distance_text(1240, "en")
    ('350 m', '1,2 km', '1.2 km')
    """
    if m < 1000:
        return f"{fmt_int(round(m / 10) * 10, lang)} m"
    return f"{i18n.fmt_dec(m / 1000, lang, 1)} km"


def proposal_list_html(
    p: pd.DataFrame, lang: str, *, total: int, links: dict[str, str] | None = None
) -> str:
    """The proposals as an HTML ordered list; every citizen text escaped.

    ``links`` maps proposal ids to their page on the participation platform.
    """
    if p.empty:
        return f"<p>{escape(t('no_proposals', lang))}</p>"
    items = []
    for r in p.itertuples():
        votes = (
            t("few_votes", lang)
            if getattr(r, "votes_hidden", False)
            else fmt_int(getattr(r, "votes", float("nan")), lang)
        )
        rank = int(r.rank)
        parts = []  # the place itself opens the explanation ("Platz 3 von 50. …")
        if "distance_m" in p.columns and pd.notna(r.distance_m):
            parts.append(i18n.tf("distance_from", lang, distance=distance_text(r.distance_m, lang)))
        parts += [
            i18n.category(r.category, lang),
            str(r.district or ""),
            fmt_eur(r.cost_eur, lang),
            f"{t('need_level', lang)}: {need_word(getattr(r, 'need_at_site', float('nan')), lang)}",
            f"{t('votes', lang)}: {votes}",
        ]
        why = getattr(r, "explanation_de" if lang == "de" else "explanation_en", "")
        text = getattr(r, "description", None)
        desc = (
            f'<p class="wb-desc">{escape(str(text))}</p>' if isinstance(text, str) and text else ""
        )
        colour = escape(str(getattr(r, "colour", "#999")))
        link = ""
        href = (links or {}).get(str(r.proposal_id), "")
        if href.startswith(("https://", "http://")):
            link = (
                f'<p class="wb-actions"><a href="{escape(href)}" rel="noopener noreferrer">'
                f'{escape(t("participate", lang))}<span class="wb-vh">: {escape(str(r.title))} '
                f"{escape(t('participate_about', lang))}</span></a></p>"
            )
        items.append(
            f'<li class="wb-proposal" data-id="{escape(str(r.proposal_id))}">'
            f'<span class="wb-rank" aria-hidden="true" style="border-color:{colour}">{rank}</span> '
            f'<h3 class="wb-title"><span class="wb-vh">{escape(t("place", lang))} {rank}: </span>'
            f"{escape(str(r.title))}</h3>"
            f'<p class="wb-meta">{escape(" · ".join(x for x in parts if x))}</p>'
            f"{desc}"
            f'<p class="wb-why">{escape(str(why))}</p>{link}</li>'
        )
    return '<ol class="wb-list" id="wb-list">' + "".join(items) + "</ol>"


def about_html(meta: dict[str, Any], lang: str) -> str:
    """What the data is and is not, for the citizen page."""
    parts = []
    if meta.get("simulated"):
        parts.append(
            f'<p class="wb-banner" role="note"><strong>{escape(t("simulated", lang))}</strong></p>'
        )
    parts.append(f"<p>{escape(t('about_text', lang))}</p>")
    if meta.get("simulated"):
        parts.append(f"<p>{escape(t('about_simulated', lang))}</p>")
    parts.append(f"<p>{escape(t('caveat_lowcost', lang))}</p>")
    when = (meta.get("latest_data_text") or {}).get(lang)
    if when:
        run = (meta.get("run_text") or {}).get(lang)
        computed = f" · {t('computed', lang)} {run}" if run and run != "–" else ""
        parts.append(f"<p>{escape(t('data_state', lang))}: {escape(when + computed)}</p>")
        age = meta.get("data_age_days")
        if age is not None and age > DATA_OLD_DAYS:
            parts.append(f"<p><strong>{escape(i18n.tf('data_old', lang, days=age))}</strong></p>")
    parts.append(sensors_text(meta, lang))
    return "".join(parts)


def sensors_text(meta: dict[str, Any], lang: str) -> str:
    """How many sensors the results rest on: all with a position, and those of each map.

    >>> sensors_text({"sensors": 122, "sensors_heat": 119, "sensors_air": 41}, "de")
    '<p>Sensoren: 122. 119 davon liefern Werte für die Hitzekarte, 41 für die Feinstaubkarte.</p>'
    >>> sensors_text({"sensors": 3}, "en"), sensors_text({}, "de")
    ('<p>Sensors: 3</p>', '')
    """
    if not meta.get("sensors"):
        return ""
    total = fmt_int(meta["sensors"], lang)
    if meta.get("sensors_heat") is not None and meta.get("sensors_air") is not None:
        heat, air = fmt_int(meta["sensors_heat"], lang), fmt_int(meta["sensors_air"], lang)
        return f"<p>{escape(i18n.tf('sensors_used', lang, total=total, heat=heat, air=air))}</p>"
    return f"<p>{escape(t('sensors', lang))}: {total}</p>"


def budget_html(allocations: list[dict[str, Any]], proposals: pd.DataFrame,
                districts: dict[str, str], lang: str) -> str:  # fmt: skip
    """The consultation's money: the budget and, per allocation method, what is funded and
    how much reaches each district (all escaped; no voter data)."""
    if not allocations:
        return ""
    by_id = proposals.set_index(proposals["proposal_id"].astype(str))
    cost = "Kosten" if lang == "de" else "Cost"
    budget = fmt_eur(allocations[0]["budget_eur"], lang)
    out = [f"<p>{escape(i18n.tf('budget_text', lang, budget=budget))}</p>"]
    for a in allocations:
        head = (
            a["label"][lang]
            + ": "
            + i18n.tf(
                "budget_funded", lang, n=len(a["funded"]), spent=fmt_eur(a["spent_eur"], lang)
            )
        )
        rows = "".join(
            f'<tr><td class="wb-num">{int(by_id.loc[i, "rank"])}</td>'
            f"<td>{escape(str(by_id.loc[i, 'title']))}</td>"
            f'<td class="wb-num">{escape(fmt_eur(by_id.loc[i, "cost_eur"], lang))}</td></tr>'
            for i in a["funded"]
            if i in by_id.index
        )
        money = "".join(
            f"<tr><td>{escape(districts.get(area, '–'))}</td>"
            f'<td class="wb-num">{escape(fmt_eur(eur, lang))}</td></tr>'
            for area, eur in a["districts"]
        )
        out.append(
            f"<details><summary>{escape(head)}</summary>"
            f"<p>{escape(t('budget_method_' + a['method'], lang))}</p>"
            f'<table><caption class="wb-vh">{escape(a["label"][lang])} – '
            f"{escape(t('budget_proposals', lang))}</caption>"
            f'<tr><th scope="col">{escape(t("place", lang))}</th>'
            f'<th scope="col">{escape(t("budget_proposals", lang))}</th>'
            f'<th scope="col" class="wb-num">{cost}</th></tr>{rows}</table>'
            f"<table><caption>{escape(t('budget_districts', lang))}</caption>"
            f'<tr><th scope="col">{escape(t("district", lang))}</th>'
            f'<th scope="col" class="wb-num">€</th></tr>{money}</table></details>'
        )
    return "".join(out)


def footer_html(sections: list[dict[str, Any]], operator: str, email: str, lang: str) -> str:
    """Footer of a public page: who publishes it, Impressum, Datenschutz, Barrierefreiheit
    (links, or the provisional texts in place), and where to report a barrier."""
    items, texts = [], []
    for s in sections:
        if s.get("url"):
            items.append(f'<li><a href="{escape(s["url"])}" rel="noopener noreferrer">'
                         f"{escape(s['label'])}</a></li>")  # fmt: skip
        else:
            paras = "".join(f"<p>{escape(x)}</p>" for x in s["paragraphs"])
            texts.append(f"<details><summary>{escape(s['label'])}</summary>{paras}</details>")
    if email:
        label = "Barriere melden" if lang == "de" else "Report a barrier"
        items.append(f'<li><a href="mailto:{escape(email)}">{label}</a></li>')
    who = f"<p>{escape(t('published_by', lang))}: {escape(operator)}</p>" if operator else ""
    ul = f'<ul class="wb-legal">{"".join(items)}</ul>' if items else ""
    return f'<footer class="wb-footer">{who}{ul}{"".join(texts)}</footer>'


def legend_label(label: str, lang: str) -> str:
    """A legend label in the reader's language: layers keep language-neutral labels (a
    number written with a point, ``hotspot``, an EAQI band name).

    >>> legend_label("-0.4", "de"), legend_label("fair", "de"), legend_label(">=1.5", "en")
    ('−0,4', 'mittelmäßig', '≥ 1.5')
    """
    if label == "hotspot":
        return t("hotspot_plain", lang)
    if f"eaqi_{label}" in i18n.TEXT:
        return t(f"eaqi_{label}", lang)
    prefix = {"<=": "≤ ", ">=": "≥ "}.get(label[:2], "")
    number = label[2:] if prefix else label
    try:
        return prefix + i18n.fmt_dec(float(number), lang, 1).replace("-", "−")
    except ValueError:
        return label


def unit_text(unit: str, lang: str) -> str:
    """A layer's unit as a citizen reads it: ``K`` is a difference in degrees.

    >>> unit_text("K", "de"), unit_text("µg/m³", "de")
    ('Grad wärmer als der Stadtrand', 'µg/m³')
    """
    key = {"K": "unit_K", "0–1": "unit_need"}.get(unit)
    return t(key, lang) if key else unit


def legend_html(layer: Any, title: str, lang: str) -> str:
    """A small legend (colour swatches with labels) as text alternative for an overlay."""
    items = "".join(
        f'<span class="wb-swatch" style="background:{escape(c)}"></span>'
        f"{escape(legend_label(lab, lang))} "
        for c, lab in layer.legend
    )
    unit = f" ({escape(unit_text(layer.unit, lang))})" if layer.unit else ""
    return f'<div class="wb-legend"><strong>{escape(title)}{unit}</strong>: {items}</div>'
