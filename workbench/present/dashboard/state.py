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
    radius_m = Float(1000.0)

    def __init__(
        self,
        proposals: pd.DataFrame,
        *,
        districts: list[tuple[str, str]],
        bbox: tuple[float, float, float, float],
        **kw: Any,
    ) -> None:
        self._proposals = proposals
        self._districts = dict(districts)
        self._bbox = bbox  # south, west, north, east
        super().__init__(**kw)

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
    def set_near(self, lat: float | None, lon: float | None) -> None:
        """Set (or clear, with None) the "near me" point; both or neither."""
        with self.hold_trait_notifications():
            self.near_lat = lat
            self.near_lon = lon

    def locate(self, text: str) -> tuple[float, float]:
        """A point for an address or place typed by a visitor, from what the data knows.

        Looks for a district name, then for a street named in a proposal; raises
        :class:`PlaceNotFound` when nothing matches (no geocoding service is contacted).
        """
        q = _fold(clean_text(text))
        if len(q) < 3:
            raise PlaceNotFound("place_too_short")
        for area_id, name in self._districts.items():
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
        """The proposals passing the filters, best rank first, with ``distance_m`` when a
        near-me point is set (then only those within ``radius_m``)."""
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
            p = p[np.nan_to_num(d, nan=np.inf) <= self.radius_m]
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
def proposal_list_html(p: pd.DataFrame, lang: str, *, total: int) -> str:
    """The ranked list as an HTML ordered list; every citizen text escaped."""
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
        interval = ""
        if pd.notna(getattr(r, "rank_lo", None)):
            interval = f" ({t('rank_range', lang)} {int(r.rank_lo)}–{int(r.rank_hi)})"
        dist = ""
        if "distance_m" in p.columns and pd.notna(r.distance_m):
            dist = f" · {fmt_int(r.distance_m, lang)} m"
        why = getattr(r, "explanation_de" if lang == "de" else "explanation_en", "")
        colour = escape(str(getattr(r, "colour", "#999")))
        items.append(
            f'<li class="wb-proposal" data-id="{escape(str(r.proposal_id))}">'
            f'<span class="wb-rank" style="border-color:{colour}">'
            f"{rank}</span> <strong>{escape(str(r.title))}</strong>"
            f"<br><small>{escape(t('rank', lang))} {rank} / {total}{escape(interval)} · "
            f"{escape(i18n.category(r.category, lang))} · {escape(str(r.district or ''))} · "
            f"{escape(fmt_eur(r.cost_eur, lang))} · {escape(t('votes', lang))}: {escape(votes)}"
            f'{escape(dist)}</small><br><span class="wb-why">{escape(str(why))}</span></li>'
        )
    return '<ol class="wb-list">' + "".join(items) + "</ol>"


def about_html(meta: dict[str, Any], lang: str) -> str:
    """What the data is and is not, for the citizen page."""
    parts = []
    if meta.get("simulated"):
        parts.append(
            f'<p class="wb-banner" role="note"><strong>{escape(t("simulated", lang))}</strong></p>'
        )
    parts.append(f"<p>{escape(t('about_text', lang))}</p>")
    parts.append(f"<p>{escape(t('caveat_lowcost', lang))}</p>")
    if meta.get("latest_data"):
        parts.append(
            f"<p>{escape(t('latest_data', lang))}: {escape(str(meta['latest_data']))}"
            f" · {escape(t('run', lang))} {escape(str(meta.get('run_id', '')))}</p>"
        )
    if meta.get("sensors"):
        parts.append(f"<p>{escape(t('sensors', lang))}: {fmt_int(meta['sensors'], lang)}</p>")
    return "".join(parts)


def legend_label(label: str, lang: str) -> str:
    """A legend label in the reader's language: layers keep language-neutral labels (a
    number written with a point, ``hotspot``, an EAQI band name).

    >>> legend_label("-0.4", "de"), legend_label("fair", "de"), legend_label("1.5", "en")
    ('-0,4', 'mittelmäßig', '1.5')
    """
    if label == "hotspot":
        return t("hotspot", lang)
    if f"eaqi_{label}" in i18n.TEXT:
        return t(f"eaqi_{label}", lang)
    try:
        return i18n.fmt_dec(float(label), lang, 1)
    except ValueError:
        return label


def legend_html(layer: Any, title: str, lang: str) -> str:
    """A small legend (colour swatches with labels) as text alternative for an overlay."""
    items = "".join(
        f'<span class="wb-swatch" style="background:{escape(c)}"></span>'
        f"{escape(legend_label(lab, lang))} "
        for c, lab in layer.legend
    )
    unit = f" ({escape(layer.unit)})" if layer.unit else ""
    return f'<div class="wb-legend"><strong>{escape(title)}{unit}</strong>: {items}</div>'
