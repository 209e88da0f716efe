"""A SIMULATED address list for the demo's search box.

Every street named in :data:`workbench.simulate.proposals.STREETS` gets 20–120 house
numbers placed along a short straight line inside its district, odd numbers on one side
and even on the other, some with an "a" house beside them, and the real postcode of the
district. The street names and postcodes are real Gelsenkirchen ones; the positions and
the number of houses are invented (real house coordinates: docs/addresses.md).

Examples
--------
>>> a = make_addresses()
>>> row = a[(a["street"] == "Cranger Straße") & (a["housenumber"] == "100")]
>>> row["postcode"].tolist()
['45891']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from workbench.simulate.geography import TO_LONLAT, TO_UTM, make_areas
from workbench.simulate.proposals import STREETS

# the postcode of each simulated district (Buer also has 45897, Hassel and Scholven share one)
POSTCODES = {
    "altstadt": "45879",
    "bismarck": "45889",
    "bulmke-huellen": "45888",
    "feldmark": "45883",
    "hessler": "45881",
    "schalke": "45881",
    "schalke-nord": "45881",
    "buer": "45894",
    "hassel": "45896",
    "scholven": "45896",
    "erle": "45891",
    "resse": "45892",
    "resser-mark": "45892",
    "neustadt": "45879",
    "rotthausen": "45884",
    "ueckendorf": "45886",
    "beckhausen": "45897",
    "horst": "45899",
}
# the demo's search examples need these houses
AT_LEAST = {"Cranger Straße": 110}
HOUSE_SPACING_M = 14.0  # along the street, per pair of houses
SIDE_OFFSET_M = 8.0  # from the street's centre line
SUFFIX_SHARE = 0.06  # share of houses with an "a" house beside them


def make_addresses(areas: pd.DataFrame | None = None, seed: int = 2025) -> pd.DataFrame:
    """The simulated address list.

    Parameters
    ----------
    areas : DataFrame, optional
        District polygons (``area_id``, ``geometry`` in lon/lat); default
        :func:`~workbench.simulate.geography.make_areas`.
    seed : int
        Seed of the random numbers (the same seed gives the same list).

    Returns
    -------
    DataFrame
        ``street, housenumber, postcode, lat, lon`` (our address CSV layout).
    """
    areas = make_areas() if areas is None else areas
    rng = np.random.default_rng(seed)
    polys = {
        aid: shapely.transform(geom, lambda c: np.column_stack(TO_UTM.transform(c[:, 0], c[:, 1])))
        for aid, geom in zip(areas["area_id"], areas["geometry"], strict=True)
    }
    used: dict[str, int] = {}  # a street in two districts continues its numbers
    parts = []
    for aid, streets in STREETS.items():
        if aid not in polys:
            continue
        for street in streets:
            n = max(int(rng.integers(20, 121)), AT_LEAST.get(street, 0))
            first = used.get(street, 0) + 1
            used[street] = first + n - 1
            parts.append(_street(street, first, n, polys[aid], POSTCODES[aid], rng))
    return pd.concat(parts, ignore_index=True)


def _street(
    name: str, first: int, n: int, poly: shapely.Geometry, postcode: str, rng: np.random.Generator
) -> pd.DataFrame:
    """``n`` houses numbered from ``first`` along a line inside ``poly`` (EPSG:25832)."""
    length = (n + 1) // 2 * HOUSE_SPACING_M
    inner = poly.buffer(-2 * SIDE_OFFSET_M)
    x0, y0, x1, y1 = inner.bounds
    for attempt in range(200):
        start = np.array([rng.uniform(x0, x1), rng.uniform(y0, y1)])
        angle = rng.uniform(0, np.pi)
        along = np.array([np.cos(angle), np.sin(angle)])
        scale = 1.0 if attempt < 100 else 0.5  # a small district: denser houses
        end = start + along * length * scale
        if inner.contains(shapely.LineString([start, end])):
            break
    else:
        raise RuntimeError(f"no room for {name} in its district")
    numbers = np.arange(first, first + n)
    k = np.arange(n) // 2 * HOUSE_SPACING_M * scale
    side = np.where(numbers % 2 == 1, 1.0, -1.0) * SIDE_OFFSET_M
    normal = np.array([-along[1], along[0]])
    xy = start + np.outer(k, along) + np.outer(side, normal)
    labels = numbers.astype(str).astype(object)
    extra = rng.random(n) < SUFFIX_SHARE
    xy = np.vstack([xy, xy[extra] + along * 5.0])
    labels = np.concatenate([labels, np.char.add(numbers[extra].astype(str), "a").astype(object)])
    lon, lat = TO_LONLAT.transform(xy[:, 0], xy[:, 1])
    df = pd.DataFrame(
        {
            "street": name,
            "housenumber": labels,
            "postcode": postcode,
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
        }
    )
    number = np.concatenate([numbers, numbers[extra]])
    order = np.lexsort((df["housenumber"].str.len().to_numpy(), number))
    return df.iloc[order].reset_index(drop=True)
