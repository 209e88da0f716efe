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
from typing import Any

import numpy as np
import pandas as pd
from traitlets import Float, HasTraits, List, TraitError, Unicode, observe, validate

from workbench import i18n
from workbench.i18n import LANGUAGES

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
