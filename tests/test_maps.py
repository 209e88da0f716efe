"""Maps of the grid: the report's static maps and the pages' lon/lat overlays, on grids with
known content."""

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from workbench.geo import WORK_CRS
from workbench.present.dashboard.data import lonlat_raster
from workbench.present.maps import cell_spacing, grid_raster

SIZE = 100.0
NX, NY = 150, 200  # 15 km east-west, 20 km north-south: a city


def city_grid(noise: float = 1e-7, seed: int = 0) -> pd.DataFrame:
    """100 m cell centres in EPSG:25832 around Gelsenkirchen, each coordinate off by up to
    ``noise`` metres (what a grid read through another CRS or a text file carries)."""
    rng = np.random.default_rng(seed)
    xs = 360_050.0 + SIZE * np.arange(NX)
    ys = 5_704_050.0 + SIZE * np.arange(NY)
    gx, gy = np.meshgrid(xs, ys)
    x = gx.ravel() + rng.uniform(-noise, noise, gx.size)
    y = gy.ravel() + rng.uniform(-noise, noise, gy.size)
    return pd.DataFrame({"x": x, "y": y, "col": np.tile(np.arange(NX), NY)})


def pixel_centres_utm(img: np.ndarray, bounds) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:25832 position of every pixel centre of a lon/lat raster, shaped like it."""
    (south, west), (north, east) = bounds
    h, w = img.shape
    lons = west + (np.arange(w) + 0.5) * (east - west) / w
    lats = north - (np.arange(h) + 0.5) * (north - south) / h
    glon, glat = np.meshgrid(lons, lats)
    px, py = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True).transform(glon, glat)
    return np.asarray(px), np.asarray(py)


def test_cell_spacing_ignores_float_noise_within_a_column():
    g = city_grid()
    assert len(np.unique(g["x"])) > NX  # the noise makes every column many distinct values
    assert cell_spacing(g["x"].to_numpy(), g["y"].to_numpy()) == pytest.approx(SIZE, abs=1e-6)


def test_grid_raster_of_a_noisy_grid_has_one_pixel_per_cell():
    g = city_grid().assign(v=1.0)
    img, extent, size = grid_raster(g, "v")
    assert img.shape == (NY, NX) and size == pytest.approx(SIZE)
    assert np.isfinite(img).all()
    assert extent == pytest.approx((360_000.0, 375_000.0, 5_704_000.0, 5_724_000.0), abs=1e-3)


def test_constant_grid_fills_every_lonlat_pixel_inside_it():
    g = city_grid().assign(v=1.0)
    img, bounds = lonlat_raster(g, "v")
    px, py = pixel_centres_utm(img, bounds)
    # pixel centres inside the grid's rectangle, kept a metre off its edges
    inside = (px > 360_001) & (px < 374_999) & (py > 5_704_001) & (py < 5_723_999)
    assert inside.sum() > 0.5 * img.size
    assert np.isfinite(img[inside]).all() and (img[inside] == 1.0).all()
    assert np.isnan(img[~inside & ((px < 359_999) | (py > 5_724_001))]).all()
    # no empty row or column between the grid's first and last ones
    rows, cols = np.isfinite(img).any(axis=1), np.isfinite(img).any(axis=0)
    assert rows[rows.argmax() : len(rows) - rows[::-1].argmax()].all()
    assert cols[cols.argmax() : len(cols) - cols[::-1].argmax()].all()


def test_linear_gradient_is_recovered_within_one_cell():
    g = city_grid()
    a, b = 0.01, 0.02  # per metre: one and two units per cell
    g["v"] = a * (g["x"] - 360_000) + b * (g["y"] - 5_704_000)
    img, bounds = lonlat_raster(g, "v")
    px, py = pixel_centres_utm(img, bounds)
    rng = np.random.default_rng(1)
    finite = np.flatnonzero(np.isfinite(img))
    sample = rng.choice(finite, 500, replace=False)
    truth = a * (px.ravel()[sample] - 360_000) + b * (py.ravel()[sample] - 5_704_000)
    # a pixel shows the cell its centre falls in: off by at most half a cell each way
    assert np.abs(img.ravel()[sample] - truth).max() <= (a + b) * SIZE / 2 + 1e-6


# ------------------------------------------------------------------ report maps
def districts() -> pd.DataFrame:
    """Four quadrants of the test grid and one 300 m square, as lon/lat polygons."""
    import shapely
    from shapely.geometry import box

    to_ll = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)
    x0, y0, xm, ym, x1, y1 = 360_000, 5_704_000, 367_500, 5_714_000, 375_000, 5_724_000
    boxes = {
        "Nord-West": box(x0, ym, xm, y1),
        "Nord-Ost": box(xm, ym, x1, y1),
        "Süd-West $x^2$": box(x0, y0, xm, ym),  # a name is text, never mathtext
        "Süd-Ost": box(xm, y0, x1, ym),
        "Kleinstgemeinde am Kanal": box(367_600, 5_714_100, 367_900, 5_714_400),
    }
    geoms = [
        shapely.transform(g, lambda xy: np.column_stack(to_ll.transform(xy[:, 0], xy[:, 1])))
        for g in boxes.values()
    ]
    return pd.DataFrame({"area_id": range(len(boxes)), "name": list(boxes), "geometry": geoms})


def map_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def test_report_map_names_every_district_its_name_fits_in():
    import matplotlib.pyplot as plt

    from workbench.present.maps import city_map

    g = city_grid().assign(v=lambda d: d["col"] / NX)
    areas = districts()
    points = pd.DataFrame({"x": [361_000.0, 370_000.0], "y": [5_705_000.0, 5_720_000.0]})
    fig = city_map(g, "v", areas=areas, points=points.assign(rank=[1, 12]), lang="de")
    texts = map_texts(fig)
    for name in ["Nord-West", "Nord-Ost", "Süd-West $x^2$", "Süd-Ost"]:
        assert texts.count(name) == 1, texts
    assert "Kleinstgemeinde am Kanal" not in texts  # 300 m: too small for its label
    dollar = next(t for t in fig.axes[0].texts if t.get_text().startswith("Süd-West"))
    assert not dollar.get_parse_math()
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Stadtteilgrenze", "Plätze 1–10", "weitere"]
    plt.close(fig)
    no_names = city_map(g, "v", areas=areas, area_names=False)
    assert not set(map_texts(no_names)) & set(areas["name"])
    plt.close(no_names)


@pytest.mark.parametrize(("lang", "mark", "other"), [("de", ",", "."), ("en", ".", ",")])
def test_colour_bar_ticks_use_the_languages_decimal_mark(lang, mark, other):
    import matplotlib.pyplot as plt

    from workbench.present.maps import city_map

    g = city_grid().assign(v=lambda d: 0.1 + 0.7 * d["col"] / NX)
    fig = city_map(g, "v", lang=lang, label="0–1")
    fig.canvas.draw()
    bar = fig.axes[1]
    labels = [t.get_text() for t in bar.get_yticklabels() if t.get_text()]
    assert len(labels) >= 3
    assert all(mark in s and other not in s for s in labels), labels
    assert len({len(s) for s in labels}) == 1  # the same number of decimals on every tick
    plt.close(fig)
