"""Geography of the simulated city: districts, outline, land cover and population on a grid.

District polygons are an *approximation* (Voronoi cells around approximate district
centres, clipped to an approximate city outline). The official boundaries come from the
city's WFS (Verwaltungsgrenzen); load them with ``workbench init --areas FILE``.

Examples
--------
>>> areas = make_areas()
>>> len(areas), bool(areas["approximate"].all())
(18, True)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.ops import voronoi_diagram

# Approximate district centres (lat, lon) and their Stadtbezirk.
DISTRICTS: list[tuple[str, str, str, float, float]] = [
    ("altstadt", "Altstadt", "Mitte", 51.5080, 7.0960),
    ("bismarck", "Bismarck", "Mitte", 51.5290, 7.1040),
    ("bulmke-huellen", "Bulmke-Hüllen", "Mitte", 51.5170, 7.1190),
    ("feldmark", "Feldmark", "Mitte", 51.5030, 7.0740),
    ("hessler", "Heßler", "Mitte", 51.5190, 7.0600),
    ("schalke", "Schalke", "Mitte", 51.5200, 7.0820),
    ("schalke-nord", "Schalke-Nord", "Mitte", 51.5360, 7.0780),
    ("buer", "Buer", "Nord", 51.5780, 7.0520),
    ("hassel", "Hassel", "Nord", 51.6040, 7.0660),
    ("scholven", "Scholven", "Nord", 51.6150, 7.0250),
    ("erle", "Erle", "Ost", 51.5570, 7.0900),
    ("resse", "Resse", "Ost", 51.5740, 7.1180),
    ("resser-mark", "Resser Mark", "Ost", 51.5580, 7.1380),
    ("neustadt", "Neustadt", "Süd", 51.4990, 7.0960),
    ("rotthausen", "Rotthausen", "Süd", 51.4820, 7.0880),
    ("ueckendorf", "Ückendorf", "Süd", 51.4930, 7.1170),
    ("beckhausen", "Beckhausen", "West", 51.5570, 7.0360),
    ("horst", "Horst", "West", 51.5440, 7.0110),
]
POPULATION = 259_645
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)

# Centres of dense urban fabric, industry, parks and water (lat, lon, radius m, weight).
URBAN = [
    (51.5080, 7.0960, 900, 1.0),
    (51.5770, 7.0500, 800, 0.9),
    (51.4990, 7.0960, 700, 0.7),
    (51.5200, 7.0820, 700, 0.6),
    (51.4930, 7.1170, 600, 0.6),
    (51.5440, 7.0110, 600, 0.5),
    (51.5570, 7.0900, 600, 0.5),
    (51.5290, 7.1040, 700, 0.5),
]
INDUSTRY = [(51.6150, 7.0250, 900, 1.0), (51.5360, 7.0650, 600, 0.6)]
PARKS = [
    (51.5580, 7.1380, 1200, 1.0),
    (51.5650, 7.0680, 500, 0.8),
    (51.5490, 7.0170, 500, 0.7),
    (51.4880, 7.0700, 500, 0.5),
    (51.6000, 7.0900, 900, 0.7),
]
CANAL_LAT = 51.5360  # Rhein-Herne-Kanal / Emscher run east-west here


def city_outline() -> shapely.Polygon:
    """Approximate city outline in EPSG:25832 (hull of district centres, buffered).

    Returns
    -------
    shapely.Polygon
        The outline, buffered by 1 km and simplified to 50 m.
    """
    xs, ys = TO_UTM.transform([d[4] for d in DISTRICTS], [d[3] for d in DISTRICTS])
    hull = shapely.MultiPoint(list(zip(xs, ys, strict=True))).convex_hull
    return hull.buffer(1000, quad_segs=4).simplify(50)


def make_areas() -> pd.DataFrame:
    """Approximate district polygons (lon/lat) by Voronoi partition of the outline.

    Returns
    -------
    pandas.DataFrame
        ``area_id``, ``name``, ``district`` (Stadtbezirk), ``approximate`` and
        ``geometry`` (shapely polygon in lon/lat, 1e-6 precision).
    """
    outline = city_outline()
    xs, ys = TO_UTM.transform([d[4] for d in DISTRICTS], [d[3] for d in DISTRICTS])
    pts = shapely.MultiPoint(list(zip(xs, ys, strict=True)))
    cells = voronoi_diagram(pts, envelope=outline.buffer(5000))
    rows = []
    for (aid, name, bezirk, _, _), x, y in zip(DISTRICTS, xs, ys, strict=True):
        cell = next(c for c in cells.geoms if c.contains(shapely.Point(x, y)))
        poly = cell.intersection(outline)
        poly_ll = shapely.transform(
            poly, lambda c: np.column_stack(TO_LONLAT.transform(c[:, 0], c[:, 1]))
        )
        rows.append(
            {
                "area_id": aid,
                "name": name,
                "district": bezirk,
                "approximate": True,
                "geometry": shapely.set_precision(poly_ll, 1e-6),
            }
        )
    return pd.DataFrame(rows)


def smooth_field(
    rng: np.random.Generator, x: np.ndarray, y: np.ndarray, scale: float, n: int = 24
) -> np.ndarray:
    """A smooth random field (random Fourier features), zero mean, unit variance.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the random wave vectors and phases.
    x, y : numpy.ndarray
        Positions in metres (EPSG:25832).
    scale : float
        Correlation length in metres.
    n : int
        Number of random Fourier features.

    Returns
    -------
    numpy.ndarray
        The standardised field at ``x, y``.
    """
    k = rng.normal(0, 1.0 / scale, size=(n, 2))
    ph = rng.uniform(0, 2 * np.pi, n)
    f = np.cos(np.outer(x, k[:, 0]) + np.outer(y, k[:, 1]) + ph).sum(axis=1)
    return (f - f.mean()) / (f.std() + 1e-12)


def bump(x: np.ndarray, y: np.ndarray, lat: float, lon: float, radius: float) -> np.ndarray:
    """A Gaussian bump of height 1 centred at ``lat, lon`` with sd ``radius`` metres.

    Parameters
    ----------
    x, y : numpy.ndarray
        Positions in metres (EPSG:25832).
    lat, lon : float
        Centre of the bump.
    radius : float
        Standard deviation in metres.

    Returns
    -------
    numpy.ndarray
        The bump at ``x, y``.
    """
    cx, cy = TO_UTM.transform(lon, lat)
    return np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius**2))


def _weighted_bumps(
    x: np.ndarray, y: np.ndarray, centres: list[tuple[float, float, int, float]]
) -> np.ndarray:
    """Sum of weighted bumps around ``(lat, lon, radius, weight)`` centres."""
    return sum(w * bump(x, y, la, lo, r) for la, lo, r, w in centres)


def grid_points(cell_size: float) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the grid cells inside the city outline.

    Parameters
    ----------
    cell_size : float
        Cell size in metres.

    Returns
    -------
    tuple of numpy.ndarray
        ``x`` and ``y`` of the cell centres (EPSG:25832).
    """
    outline = city_outline()
    minx, miny, maxx, maxy = outline.bounds
    xs = np.arange(np.floor(minx / cell_size) * cell_size + cell_size / 2, maxx, cell_size)
    ys = np.arange(np.floor(miny / cell_size) * cell_size + cell_size / 2, maxy, cell_size)
    X, Y = np.meshgrid(xs, ys)
    x, y = X.ravel(), Y.ravel()
    inside = shapely.contains_xy(outline, x, y)
    return x[inside], y[inside]


def land_cover(
    rng: np.random.Generator, cell_size: float = 100.0
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Grid cells with plausible covariates and population.

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream.
    cell_size : float
        Cell size in metres.

    Returns
    -------
    grid : pandas.DataFrame
        ``cell_id``, ``x``, ``y``, the rounded covariates and population counts.
    cover : dict of numpy.ndarray
        ``x``, ``y`` and the unrounded ``impervious``, ``green``, ``water``,
        ``building_height`` and ``road_density`` the true fields are made from.
    """
    x, y = grid_points(cell_size)
    urban = _weighted_bumps(x, y, URBAN)
    industry = _weighted_bumps(x, y, INDUSTRY)
    parks = _weighted_bumps(x, y, PARKS)
    noise = smooth_field(rng, x, y, 900.0)
    _, canal_y = TO_UTM.transform(7.08, CANAL_LAT)
    canal = np.exp(-((y - canal_y - 0.04 * (x - x.mean())) ** 2) / (2 * 60.0**2))
    impervious = np.clip(
        0.25
        + 0.45 * urban
        + 0.5 * industry
        - 0.45 * parks
        + 0.10 * noise
        + rng.normal(0, 0.05, x.size),
        0.02,
        0.97,
    )
    water = np.clip(canal * 0.9 + rng.uniform(0, 0.02, x.size), 0, 1)
    impervious = np.clip(impervious - water * 0.8, 0.0, 1.0)
    green = np.clip(1.0 - impervious - water + rng.normal(0, 0.03, x.size), 0.0, 1.0)
    building_height = np.clip(
        4 + 14 * urban + 6 * industry + 2 * noise + rng.normal(0, 1.0, x.size), 0, 60
    ) * (impervious > 0.15)
    road_density = np.clip(4 + 18 * impervious + 4 * rng.standard_normal(x.size), 0, 40)
    resid = np.clip(0.2 + urban - 0.8 * industry - 0.6 * parks - water, 0, None)
    resid = resid * rng.gamma(4.0, 0.25, x.size)
    population = np.round(resid / resid.sum() * POPULATION * (cell_size / 100.0) ** 0).astype(int)
    old_share = np.clip(0.22 + 0.06 * smooth_field(rng, x, y, 1500.0), 0.1, 0.4)
    young_share = np.clip(0.06 + 0.015 * smooth_field(rng, x, y, 1500.0), 0.02, 0.12)
    grid = pd.DataFrame(
        {
            "cell_id": [f"E{int(a)}N{int(b)}" for a, b in zip(x, y, strict=True)],
            "x": x,
            "y": y,
            "impervious": impervious.round(3),
            "green": green.round(3),
            "water": water.round(3),
            "building_height": building_height.round(1),
            "road_density": road_density.round(2),
            "population": population,
            "pop_65plus": np.round(population * old_share).astype(int),
            "pop_under6": np.round(population * young_share).astype(int),
        }
    )
    cover = {
        "x": x,
        "y": y,
        "impervious": impervious,
        "green": green,
        "water": water,
        "building_height": building_height,
        "road_density": road_density,
    }
    return grid, cover
