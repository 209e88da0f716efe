"""A seeded, simulated Gelsenkirchen: districts, grid, sensors, a summer of readings, proposals.

Everything here is SIMULATED. It exists so the workbench can be demonstrated and tested
against known truth: the generator returns the true fields (nocturnal urban heat island,
PM2.5 period mean) and the true value behind every simulated reading, plus a log of the
faults it injected (gaps, spikes, stuck values, a level shift, drift, a dying sensor with
a failing battery, an indoor-like placement, humidity-inflated PM from low-cost optical
sensors), and a low-cost box co-located with each reference station for calibration.

District polygons are an *approximation* (Voronoi cells around approximate district
centres, clipped to an approximate city outline). The official boundaries come from the
city's WFS (Verwaltungsgrenzen); load them with ``workbench init --areas FILE``.

Examples
--------
>>> city = generate_city(seed=1, n_sensors=12, n_pm=4, days=3, cell_size=500)
>>> sorted(city.observations["quantity"].unique())
['air_temperature', 'battery_voltage', 'pm10', 'pm2_5', 'relative_humidity']
>>> bool((city.truth_cells["uhi_k"] >= 0).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.ops import voronoi_diagram

from workbench.geo import area_lookup
from workbench.participation.table import CATEGORIES

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
REFERENCE_STATIONS = {
    "DENW022": ("Gelsenkirchen-Bismarck", "background", 51.53363, 7.10172),
    "DENW208": ("Gelsenkirchen Kurt-Schumacher-Straße", "traffic", 51.52787, 7.08454),
}
POPULATION = 259_645
_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
_TO_LONLAT = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


@dataclass
class SyntheticCity:
    """Everything the generator makes; all frames are plain pandas."""

    areas: pd.DataFrame  # area_id, name, district, geometry (lon/lat)
    grid: pd.DataFrame  # cell_id, x, y, covariates, area_id
    sensors: pd.DataFrame  # sensor_id, kind, lat, lon, cell_id, has_pm, ...
    observations: pd.DataFrame  # sensor_id, quantity, time, value, unit (as measured)
    truth_observations: pd.DataFrame  # sensor_id, quantity, time, true value
    truth_cells: pd.DataFrame  # cell_id, uhi_k, pm2_5_ugm3, heat_hotspot, air_hotspot
    faults: pd.DataFrame  # sensor_id, quantity, fault, start, end, detail
    proposals: pd.DataFrame  # generic proposal CSV columns (+ author fields)
    votes: pd.DataFrame  # voter_id, proposal_id (approval ballots)
    meta: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------- geography
def city_outline() -> shapely.Polygon:
    """Approximate city outline in EPSG:25832 (hull of district centres, buffered)."""
    xs, ys = _TO_UTM.transform([d[4] for d in DISTRICTS], [d[3] for d in DISTRICTS])
    hull = shapely.MultiPoint(list(zip(xs, ys, strict=True))).convex_hull
    return hull.buffer(1000, quad_segs=4).simplify(50)


def make_areas() -> pd.DataFrame:
    """Approximate district polygons (lon/lat) by Voronoi partition of the outline."""
    outline = city_outline()
    xs, ys = _TO_UTM.transform([d[4] for d in DISTRICTS], [d[3] for d in DISTRICTS])
    pts = shapely.MultiPoint(list(zip(xs, ys, strict=True)))
    cells = voronoi_diagram(pts, envelope=outline.buffer(5000))
    rows = []
    for (aid, name, bezirk, _, _), x, y in zip(DISTRICTS, xs, ys, strict=True):
        cell = next(c for c in cells.geoms if c.contains(shapely.Point(x, y)))
        poly = cell.intersection(outline)
        poly_ll = shapely.transform(
            poly, lambda c: np.column_stack(_TO_LONLAT.transform(c[:, 0], c[:, 1]))
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


def _smooth_field(
    rng: np.random.Generator, x: np.ndarray, y: np.ndarray, scale: float, n: int = 24
) -> np.ndarray:
    """A smooth random field (random Fourier features), zero mean, unit variance."""
    k = rng.normal(0, 1.0 / scale, size=(n, 2))
    ph = rng.uniform(0, 2 * np.pi, n)
    f = np.cos(np.outer(x, k[:, 0]) + np.outer(y, k[:, 1]) + ph).sum(axis=1)
    return (f - f.mean()) / (f.std() + 1e-12)


def _bump(x: np.ndarray, y: np.ndarray, lat: float, lon: float, radius: float) -> np.ndarray:
    cx, cy = _TO_UTM.transform(lon, lat)
    return np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius**2))


# Centres of dense urban fabric, industry, parks and water (lat, lon, radius m, weight).
_URBAN = [
    (51.5080, 7.0960, 900, 1.0),
    (51.5770, 7.0500, 800, 0.9),
    (51.4990, 7.0960, 700, 0.7),
    (51.5200, 7.0820, 700, 0.6),
    (51.4930, 7.1170, 600, 0.6),
    (51.5440, 7.0110, 600, 0.5),
    (51.5570, 7.0900, 600, 0.5),
    (51.5290, 7.1040, 700, 0.5),
]
_INDUSTRY = [(51.6150, 7.0250, 900, 1.0), (51.5360, 7.0650, 600, 0.6)]
_PARKS = [
    (51.5580, 7.1380, 1200, 1.0),
    (51.5650, 7.0680, 500, 0.8),
    (51.5490, 7.0170, 500, 0.7),
    (51.4880, 7.0700, 500, 0.5),
    (51.6000, 7.0900, 900, 0.7),
]
_CANAL_LAT = 51.5360  # Rhein-Herne-Kanal / Emscher run east-west here
# Planted hotspots of the true fields (lat, lon, radius m, amplitude)
_HEAT_HOTSPOTS = [(51.5085, 7.0955, 700, 1.2), (51.6130, 7.0290, 700, 1.0)]
_PM_HOTSPOTS = [(51.5279, 7.0845, 500, 6.0), (51.6140, 7.0260, 800, 5.0)]


def make_grid(
    rng: np.random.Generator, cell_size: float = 100.0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Grid cells with plausible covariates and population, and the true cell fields."""
    outline = city_outline()
    minx, miny, maxx, maxy = outline.bounds
    xs = np.arange(np.floor(minx / cell_size) * cell_size + cell_size / 2, maxx, cell_size)
    ys = np.arange(np.floor(miny / cell_size) * cell_size + cell_size / 2, maxy, cell_size)
    X, Y = np.meshgrid(xs, ys)
    x, y = X.ravel(), Y.ravel()
    inside = shapely.contains_xy(outline, x, y)
    x, y = x[inside], y[inside]
    urban = sum(w * _bump(x, y, la, lo, r) for la, lo, r, w in _URBAN)
    industry = sum(w * _bump(x, y, la, lo, r) for la, lo, r, w in _INDUSTRY)
    parks = sum(w * _bump(x, y, la, lo, r) for la, lo, r, w in _PARKS)
    noise = _smooth_field(rng, x, y, 900.0)
    _, canal_y = _TO_UTM.transform(7.08, _CANAL_LAT)
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
    old_share = np.clip(0.22 + 0.06 * _smooth_field(rng, x, y, 1500.0), 0.1, 0.4)
    young_share = np.clip(0.06 + 0.015 * _smooth_field(rng, x, y, 1500.0), 0.02, 0.12)
    lon, lat = _TO_LONLAT.transform(x, y)
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
    heat_spots = sum(a * _bump(x, y, la, lo, r) for la, lo, r, a in _HEAT_HOTSPOTS)
    pm_spots = sum(a * _bump(x, y, la, lo, r) for la, lo, r, a in _PM_HOTSPOTS)
    uhi_peak = np.clip(
        0.3
        + 2.6 * impervious
        + 0.04 * building_height
        - 1.2 * green
        - 1.0 * water
        + 0.25 * _smooth_field(rng, x, y, 1200.0)
        + heat_spots,
        0.0,
        None,
    )
    pm_factor = 1.0 + 0.10 * _smooth_field(rng, x, y, 2500.0)
    pm_local = 0.12 * road_density + pm_spots
    truth = pd.DataFrame(
        {
            "cell_id": grid["cell_id"],
            "x": x,
            "y": y,
            "lon": lon,
            "lat": lat,
            "uhi_peak_k": uhi_peak,
            "pm_factor": pm_factor,
            "pm_local": pm_local,
            "heat_spot": heat_spots,
            "pm_spot": pm_spots,
        }
    )
    return grid, truth


# ---------------------------------------------------------------------- weather
def _weather(rng: np.random.Generator, times: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Rural reference weather: temperature, dew point, PM background, NO2 background."""
    n = times.size
    local = times.tz_convert("Europe/Berlin")
    hour = local.hour.to_numpy() + local.minute.to_numpy() / 60
    day = (local.normalize() - local.normalize()[0]).days.to_numpy()
    n_days = int(day.max()) + 1
    # daily mean temperature: seasonal curve + AR(1) weather + a heat wave
    seasonal = 17.0 + 2.5 * np.sin(np.pi * np.arange(n_days) / max(n_days - 1, 1))
    ar = np.zeros(n_days)
    for d in range(1, n_days):
        ar[d] = 0.75 * ar[d - 1] + rng.normal(0, 1.4)
    heat = np.zeros(n_days)
    hw_start = int(n_days * 0.52)
    hw_len = max(2, min(9, n_days // 8))
    heat[hw_start : hw_start + hw_len] = np.hanning(hw_len + 2)[1:-1] * 9.0
    tmean = seasonal + ar + heat
    amp = np.clip(5.0 + 0.5 * rng.standard_normal(n_days) + 0.2 * heat, 3.0, 9.0)
    t_ref = tmean[day] + amp[day] * np.cos(2 * np.pi * (hour - 15.0) / 24.0)
    dew = np.clip(
        tmean[day]
        - 6.0
        - 1.5 * rng.standard_normal(n_days)[day]
        + 0.5 * np.sin(2 * np.pi * hour / 24),
        -5,
        22,
    )
    dew = np.minimum(dew, t_ref - 0.3)
    pm_ar = np.zeros(n)
    for i in range(1, n):
        pm_ar[i] = 0.97 * pm_ar[i - 1] + rng.normal(0, 0.08)
    pm_bg = 8.0 * np.exp(pm_ar - pm_ar.var() / 2) * (1 + 0.3 * heat[day] / 9.0)
    rush = np.exp(-((hour - 8) ** 2) / 3) + 0.8 * np.exp(-((hour - 18) ** 2) / 4)
    no2_bg = 14.0 + 12.0 * rush + 3 * np.exp(pm_ar)
    heatwave = heat[day] / 9.0
    return {
        "t_ref": t_ref,
        "dew": dew,
        "pm_bg": pm_bg,
        "no2_bg": no2_bg,
        "hour": hour,
        "heatwave": heatwave,
    }


def _growth(water_activity: np.ndarray, kappa: float) -> np.ndarray:
    """Hygroscopic mass growth of PM seen by an optical sensor (Crilley et al. 2018)."""
    return 1 + (kappa / 1.65) / (-1 + 1 / water_activity)


def _rh(t: np.ndarray, dew: np.ndarray) -> np.ndarray:
    """Relative humidity (%) from temperature and dew point (Magnus formula)."""
    a, b = 17.625, 243.04
    return np.clip(100 * np.exp(a * dew / (b + dew) - a * t / (b + t)), 5, 100)


def night_factor(hour_local: np.ndarray) -> np.ndarray:
    """Share of the peak urban heat island present at a local hour (1 at night)."""
    return 0.6 + 0.4 * np.cos(2 * np.pi * (hour_local - 2.0) / 24.0)


# ---------------------------------------------------------------------- the city
def generate_city(
    seed: int = 2025,
    *,
    n_sensors: int = 115,
    n_pm: int = 40,
    start: str = "2025-06-01",
    days: int = 92,
    freq: str = "1h",
    cell_size: float = 100.0,
    n_proposals: int = 50,
    n_voters: int = 3200,
    pm_gain: tuple[float, float] = (0.8, 1.35),
    pm_offset_sd: float = 0.5,
    measure_effect_k: float = -0.8,
    measure_radius_m: float = 150.0,
    measure_day_frac: float = 0.5,
) -> SyntheticCity:
    """Generate a simulated Gelsenkirchen with known truth.

    Parameters
    ----------
    seed : int
        All randomness derives from it: same seed, same city.
    n_sensors : int
        Network sensors (temperature and humidity); ``n_pm`` of them also measure PM.
    days, freq : int, str
        Length and step of the simulated period starting at ``start`` (UTC).
    cell_size : float
        Grid cell size in metres (100 for the demo; larger for quick tests).
    pm_gain, pm_offset_sd : (float, float), float
        Range of the per-box gain (uniform) and spread of the per-box offset (normal,
        mean 0.5 µg/m³) of the low-cost PM sensors. The defaults are what uncalibrated
        boxes show; narrow values simulate boxes that were each calibrated (e.g. by
        rotation through the reference station).
    measure_effect_k, measure_radius_m, measure_day_frac : float
        One implemented green measure (street trees) of known effect: from its build date
        (``measure_day_frac`` into the period) every night-time hour (22–06 local) of the
        sensors within ``measure_radius_m`` is ``measure_effect_k`` warmer (negative:
        cooler). It sits next to the warmest fault-free network sensor. ``meta["measures"]``
        holds it with its true effect; ``workbench evaluate`` should recover it.
    """
    if n_pm > n_sensors:
        raise ValueError(f"n_pm ({n_pm}) cannot exceed n_sensors ({n_sensors})")
    rng = np.random.default_rng(seed)
    areas = make_areas()
    grid, cellf = make_grid(rng, cell_size)
    lookup = area_lookup(areas)
    grid["area_id"] = lookup(cellf["lon"].to_numpy(), cellf["lat"].to_numpy())
    times = pd.date_range(
        start, periods=int(days * pd.Timedelta("1D") / pd.Timedelta(freq)), freq=freq, tz="UTC"
    )
    w = _weather(rng, times)
    nf = night_factor(w["hour"]) * (1 + 0.5 * w["heatwave"])
    hour = w["hour"]
    night = (hour >= 22) | (hour < 6)

    # --- sensors: placed in populated cells, one rural reference, weather stations
    weight = grid["population"].to_numpy(float) + 30.0
    idx = rng.choice(len(grid), size=n_sensors, replace=False, p=weight / weight.sum())
    rural = int(np.argmin(cellf["uhi_peak_k"].to_numpy() + 5 * (grid["green"] < 0.6)))
    idx[0] = rural
    sens = pd.DataFrame(
        {
            "sensor_id": [f"ge-{i + 1:03d}" for i in range(n_sensors)],
            "kind": "network",
            "cell": idx,
        }
    )
    sens.loc[0, "kind"] = "rural_reference"
    has_pm = np.zeros(n_sensors, dtype=bool)
    has_pm[rng.choice(np.arange(1, n_sensors), size=min(n_pm, n_sensors - 1), replace=False)] = True
    sens["has_pm"] = has_pm
    jitter_x = rng.uniform(-cell_size * 0.4, cell_size * 0.4, n_sensors)
    jitter_y = rng.uniform(-cell_size * 0.4, cell_size * 0.4, n_sensors)
    sx = grid["x"].to_numpy()[idx] + jitter_x
    sy = grid["y"].to_numpy()[idx] + jitter_y
    sens["lon"], sens["lat"] = _TO_LONLAT.transform(sx, sy)
    sens["cell_id"] = grid["cell_id"].to_numpy()[idx]
    sens["area_id"] = grid["area_id"].to_numpy()[idx]

    def true_temperature(cells: np.ndarray) -> np.ndarray:
        imp = grid["impervious"].to_numpy()[cells]
        grn = grid["green"].to_numpy()[cells]
        uhi = cellf["uhi_peak_k"].to_numpy()[cells] - cellf["uhi_peak_k"].to_numpy()[rural]
        uhi = np.clip(uhi, 0, None)
        day_eff = 1.2 * imp - 0.9 * grn
        return (
            w["t_ref"][None, :]
            + uhi[:, None] * nf[None, :]
            + day_eff[:, None] * (1 - night_factor(hour))[None, :] * 2.0
        )

    t_true = true_temperature(idx)
    rh_true = _rh(t_true, w["dew"][None, :])
    pm_fac = cellf["pm_factor"].to_numpy()[idx]
    pm_loc = cellf["pm_local"].to_numpy()[idx]
    pm25_true = (
        w["pm_bg"][None, :] * pm_fac[:, None]
        + pm_loc[:, None] * (0.6 + 0.8 * np.exp(-((hour - 8) ** 2) / 4))[None, :]
    )
    pm10_true = pm25_true * 1.45 + 2.0

    # measurement: sensor noise, per-sensor calibration, humidity growth for optical PM
    t_meas = t_true + rng.normal(0, 0.15, n_sensors)[:, None] + rng.normal(0, 0.2, t_true.shape)
    rh_meas = np.clip(
        rh_true + rng.normal(0, 2.0, n_sensors)[:, None] + rng.normal(0, 1.5, rh_true.shape), 0, 100
    )
    kappa = 0.4
    rh_c = np.clip(rh_true, 0, 99.0) / 100.0
    growth = _growth(rh_c, kappa)
    gain = rng.uniform(pm_gain[0], pm_gain[1], n_sensors)
    offset = rng.normal(0.5, pm_offset_sd, n_sensors)
    pm25_meas = np.clip(
        pm25_true * growth * gain[:, None] + offset[:, None] + rng.normal(0, 0.8, pm25_true.shape),
        0,
        None,
    )
    pm10_meas = np.clip(
        pm10_true * growth * gain[:, None] * 1.05
        + offset[:, None]
        + rng.normal(0, 1.5, pm10_true.shape),
        0,
        None,
    )

    faults: list[dict[str, Any]] = []
    keep = {q: np.ones(t_true.shape, dtype=bool) for q in ("t", "rh", "pm25", "pm10")}
    n_t = times.size

    def span(lo_frac: float, hi_frac: float, length: int) -> tuple[int, int]:
        a = int(
            rng.integers(
                int(n_t * lo_frac), max(int(n_t * hi_frac) - length, int(n_t * lo_frac) + 1)
            )
        )
        return a, min(n_t, a + length)

    def log(i: int, q: str, kind: str, a: int, b: int, detail: str) -> None:
        faults.append(
            {
                "sensor_id": sens.at[i, "sensor_id"],
                "quantity": q,
                "fault": kind,
                "start": times[a],
                "end": times[min(b, n_t - 1)],
                "detail": detail,
            }
        )

    per_day = max(1, int(pd.Timedelta("1D") / pd.Timedelta(freq)))
    candidates = list(rng.permutation(np.arange(1, n_sensors)))
    pm_candidates = [i for i in candidates if has_pm[i]]
    # gaps: outages of one to five days
    for i in candidates[: max(1, n_sensors // 8)]:
        a, b = span(0.05, 0.95, int(rng.integers(1, 6)) * per_day)
        for q in keep:
            keep[q][i, a:b] = False
        log(i, "*", "gap", a, b, "no data (outage)")
    # spikes in temperature and PM
    for i in candidates[: max(1, n_sensors // 5)]:
        for _ in range(int(rng.integers(2, 6))):
            j = int(rng.integers(0, n_t))
            t_meas[i, j] += rng.choice([-1, 1]) * rng.uniform(8, 20)
            log(i, "air_temperature", "spike", j, j, f"{t_meas[i, j]:.1f} °C")
    for i in pm_candidates[: max(1, len(pm_candidates) // 3)]:
        for _ in range(int(rng.integers(2, 6))):
            j = int(rng.integers(0, n_t))
            pm10_meas[i, j] = rng.uniform(300, 1500)
            log(i, "pm10", "spike", j, j, f"{pm10_meas[i, j]:.1f} µg/m³")
    # stuck values
    for i in candidates[n_sensors // 5 : n_sensors // 5 + max(1, n_sensors // 20)]:
        a, b = span(0.1, 0.9, int(rng.integers(1, 4)) * per_day)
        t_meas[i, a:b] = t_meas[i, a]
        log(i, "air_temperature", "stuck", a, b, f"constant {t_meas[i, a]:.2f} °C")
    # drift: a temperature sensor and a PM sensor drift linearly
    di = candidates[n_sensors // 4]
    t_meas[di] += np.linspace(0, 2.5, n_t)
    log(di, "air_temperature", "drift", 0, n_t - 1, "+2.5 K over the period")
    if pm_candidates:
        dp = pm_candidates[-1]
        pm25_meas[dp] *= np.linspace(1.0, 1.6, n_t)
        pm10_meas[dp] *= np.linspace(1.0, 1.6, n_t)
        log(dp, "pm2_5", "drift", 0, n_t - 1, "gain rising to 1.6x")
    # a sensor that dies for good
    dead = candidates[n_sensors // 3]
    death = int(n_t * 0.55)
    for q in keep:
        keep[q][dead, death:] = False
    log(dead, "*", "dead", death, n_t - 1, "stops reporting")
    # indoor-like placement: damped diurnal cycle, warm
    ind = candidates[n_sensors // 2]
    t_meas[ind] = 23.0 + 0.25 * (t_true[ind] - t_true[ind].mean()) + rng.normal(0, 0.1, n_t)
    log(ind, "air_temperature", "indoor", 0, n_t - 1, "damped diurnal range")
    # Faults and series added later draw from their own stream, so that everything
    # above stays exactly as it was.
    rng2 = np.random.default_rng([seed, 1])
    # a level shift: the box is replaced by one reading warmer (or moved to a sunny wall)
    st_i = candidates[n_sensors // 2 + 1]
    st_a = int(rng2.integers(int(n_t * 0.2), int(n_t * 0.8)))
    t_meas[st_i, st_a:] += 3.5
    log(st_i, "air_temperature", "step", st_a, n_t - 1, "+3.5 K level shift")

    # --- an implemented measure of known effect (what `workbench evaluate` must find)
    faulty = {f["sensor_id"] for f in faults}
    peak = cellf["uhi_peak_k"].to_numpy()[idx]
    fine = [i for i in range(1, n_sensors) if sens.at[i, "sensor_id"] not in faulty]
    ti = max(fine, key=lambda i: peak[i])
    mx, my = sx[ti] + 40.0, sy[ti] + 30.0
    m_lon, m_lat = _TO_LONLAT.transform(mx, my)
    local = times.tz_convert("Europe/Berlin")
    built_on = (local[0].normalize() + pd.Timedelta(days=int(days * measure_day_frac))).date()
    after = np.asarray(local.date >= built_on) & night
    treated_idx = np.nonzero(
        (np.hypot(sx - mx, sy - my) <= measure_radius_m) & (np.arange(n_sensors) > 0)
    )[0]
    for i in treated_idx:
        t_true[i, after] += measure_effect_k
        t_meas[i, after] += measure_effect_k
    measures = [
        {
            "measure_id": "M-001",
            "category": "trees",
            "lat": round(float(m_lat), 6),
            "lon": round(float(m_lon), 6),
            "built_on": str(built_on),
            "cost_eur": 48000.0,
            "radius_m": measure_radius_m,
            "effect_k": measure_effect_k,
            "quantity": "uhi_night",
            "treated_sensors": sens["sensor_id"].to_numpy()[treated_idx].tolist(),
        }
    ]

    # --- assemble long tables
    def long(
        values: np.ndarray, mask: np.ndarray, ids: np.ndarray, q: str, unit: str, digits: int
    ) -> pd.DataFrame:
        ii, jj = np.nonzero(mask)
        return pd.DataFrame(
            {
                "sensor_id": ids[ii],
                "quantity": q,
                "time": times[jj],
                "value": np.round(values[ii, jj], digits),
                "unit": unit,
            }
        )

    ids = sens["sensor_id"].to_numpy()
    pm_mask = has_pm[:, None]
    obs = [
        long(t_meas, keep["t"], ids, "air_temperature", "°C", 2),
        long(rh_meas, keep["rh"], ids, "relative_humidity", "%", 1),
        long(pm25_meas, keep["pm25"] & pm_mask, ids, "pm2_5", "µg/m³", 1),
        long(pm10_meas, keep["pm10"] & pm_mask, ids, "pm10", "µg/m³", 1),
    ]
    full = np.ones(t_true.shape, dtype=bool)
    truth_obs = [
        long(t_true, full, ids, "air_temperature", "°C", 3),
        long(rh_true, full, ids, "relative_humidity", "%", 2),
        long(pm25_true, full & pm_mask, ids, "pm2_5", "µg/m³", 3),
        long(pm10_true, full & pm_mask, ids, "pm10", "µg/m³", 3),
    ]

    # weather stations (UrbanPulse) and reference stations (UBA)
    stations = []
    ws_cells = [
        int(np.argmin((cellf["lat"] - la) ** 2 + (cellf["lon"] - lo) ** 2))
        for la, lo in ((51.5770, 7.0480), (51.5100, 7.0990), (51.4880, 7.1100))
    ]
    ws_names = ["Wetterstation Buer", "Wetterstation Altstadt", "Wetterstation Ückendorf"]
    for k, (c, name) in enumerate(zip(ws_cells, ws_names, strict=True)):
        sid = f"ws-{k + 1:02d}"
        u = max(0.0, cellf["uhi_peak_k"].iat[c] - cellf["uhi_peak_k"].iat[rural])
        t = w["t_ref"] + u * nf + rng.normal(0, 0.1, n_t)
        rad = np.clip(850 * np.sin(np.pi * (hour - 5.5) / 16), 0, None) * rng.uniform(0.4, 1.0, n_t)
        series = {
            "temperature": (t, "°C", 2),
            "humidity": (_rh(t, w["dew"]), "%", 1),
            "pressure": (
                101300 + 600 * np.sin(np.arange(n_t) / 90) + rng.normal(0, 20, n_t),
                "Pa",
                0,
            ),
            "irradiation": (rad, "W/m²", 0),
            "wind_speed_avg": (np.abs(2.5 + 1.2 * rng.standard_normal(n_t)), "m/s", 1),
        }
        stations.append(
            {
                "sensor_id": sid,
                "name": name,
                "lat": cellf["lat"].iat[c],
                "lon": cellf["lon"].iat[c],
                "series": series,
            }
        )
    refs = []
    for code, (name, kind, la, lo) in REFERENCE_STATIONS.items():
        c = int(np.argmin((cellf["lat"] - la) ** 2 + (cellf["lon"] - lo) ** 2))
        traffic = 1.0 if kind == "traffic" else 0.0
        pm25 = (
            w["pm_bg"] * cellf["pm_factor"].iat[c]
            + cellf["pm_local"].iat[c] * (0.6 + 0.8 * np.exp(-((hour - 8) ** 2) / 4))
            + 1.5 * traffic
        )
        refs.append(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "lat": la,
                "lon": lo,
                "pm2_5_true": pm25,
                "pm2_5": np.round(pm25 + rng.normal(0, 0.3, n_t), 1),
                "pm10": np.round(pm25 * 1.45 + 2 + rng.normal(0, 0.5, n_t), 1),
                "no2": np.round(w["no2_bg"] * (1 + 1.2 * traffic) + rng.normal(0, 1, n_t), 1),
            }
        )

    # co-location: one low-cost box (T, RH, PM) at each reference station, measuring
    # the same air as the reference analyser
    col_rows, col_obs, col_truth = [], [], []
    col_gain, col_offset = {}, {}
    for k, ref in enumerate(refs):
        c = int(np.argmin((cellf["lat"] - ref["lat"]) ** 2 + (cellf["lon"] - ref["lon"]) ** 2))
        sid = f"ge-{n_sensors + k + 1:03d}"
        tt = true_temperature(np.array([c]))
        rt = _rh(tt, w["dew"][None, :])
        tm = tt + rng2.normal(0, 0.15) + rng2.normal(0, 0.2, tt.shape)
        rm = np.clip(rt + rng2.normal(0, 2.0) + rng2.normal(0, 1.5, rt.shape), 0, 100)
        g, o = rng2.uniform(0.8, 1.35), rng2.normal(0.5, 0.5)
        gr = _growth(np.clip(rt, 0, 99.0) / 100.0, kappa)
        p25 = ref.pop("pm2_5_true")[None, :]
        p10 = p25 * 1.45 + 2.0
        p25m = np.clip(p25 * gr * g + o + rng2.normal(0, 0.8, p25.shape), 0, None)
        p10m = np.clip(p10 * gr * g * 1.05 + o + rng2.normal(0, 1.5, p10.shape), 0, None)
        ones = np.ones(tt.shape, dtype=bool)
        cid = np.array([sid])
        col_obs += [
            long(tm, ones, cid, "air_temperature", "°C", 2),
            long(rm, ones, cid, "relative_humidity", "%", 1),
            long(p25m, ones, cid, "pm2_5", "µg/m³", 1),
            long(p10m, ones, cid, "pm10", "µg/m³", 1),
        ]
        col_truth += [
            long(tt, ones, cid, "air_temperature", "°C", 3),
            long(rt, ones, cid, "relative_humidity", "%", 2),
            long(p25, ones, cid, "pm2_5", "µg/m³", 3),
            long(p10, ones, cid, "pm10", "µg/m³", 3),
        ]
        x0, y0 = _TO_UTM.transform(ref["lon"], ref["lat"])
        dx, dy = rng2.uniform(-15, 15, 2)
        lon, lat = _TO_LONLAT.transform(x0 + dx, y0 + dy)
        col_rows.append(
            {
                "sensor_id": sid,
                "kind": "colocated",
                "cell": c,
                "has_pm": True,
                "lon": float(lon),
                "lat": float(lat),
                "cell_id": grid["cell_id"].iat[c],
                "area_id": grid["area_id"].iat[c],
                "colocated_with": ref["code"],
            }
        )
        col_gain[sid], col_offset[sid] = round(float(g), 4), round(float(o), 4)
    obs += col_obs
    truth_obs += col_truth
    sens = pd.concat([sens, pd.DataFrame(col_rows)], ignore_index=True)
    # battery voltage every 6 hours; the box that dies runs its battery down first
    bat_t = np.arange(0, n_t, max(1, per_day // 4))
    volts = 3.95 - rng2.uniform(0.0, 0.25, n_sensors)[:, None] * (bat_t / n_t)[None, :]
    volts = volts + rng2.normal(0, 0.01, volts.shape)
    volts[dead] = np.interp(bat_t, [0, death], [3.9, 3.0]) + rng2.normal(0, 0.01, bat_t.size)
    bmask = keep["t"][:, bat_t]
    bi, bj = np.nonzero(bmask)
    obs.append(
        pd.DataFrame(
            {
                "sensor_id": ids[bi],
                "quantity": "battery_voltage",
                "time": times[bat_t[bj]],
                "value": np.round(volts[bi, bj], 3),
                "unit": "V",
            }
        )
    )

    # --- true cell fields (relative to the rural reference)
    mean_nf_night = float(nf[night].mean()) if night.any() else 1.0
    rural_peak = cellf["uhi_peak_k"].iat[rural]
    uhi_k = np.clip(cellf["uhi_peak_k"].to_numpy() - rural_peak, 0, None) * mean_nf_night
    pm_morning = float((0.6 + 0.8 * np.exp(-((hour - 8) ** 2) / 4)).mean())
    pm_mean = (
        w["pm_bg"].mean() * cellf["pm_factor"].to_numpy()
        + cellf["pm_local"].to_numpy() * pm_morning
    )
    truth_cells = pd.DataFrame(
        {
            "cell_id": grid["cell_id"],
            "uhi_k": uhi_k,
            "pm2_5_ugm3": pm_mean,
            "heat_hotspot": cellf["heat_spot"].to_numpy() > 0.5,
            "air_hotspot": cellf["pm_spot"].to_numpy() > 2.5,
        }
    )

    proposals, votes = make_proposals(rng, grid, areas, n_proposals, n_voters)
    sensors = sens.drop(columns=["cell"]).assign(
        sensor_type=np.where(sens["has_pm"], "SHT31+SDS011", "SHT31"), source="ge-gruent"
    )
    meta = {
        "seed": seed,
        "start": str(times[0]),
        "end": str(times[-1]),
        "freq": freq,
        "rural_reference": sens.at[0, "sensor_id"],
        "kappa": kappa,
        "pm_gain": dict(zip(ids.tolist(), gain.round(4).tolist(), strict=True)) | col_gain,
        "pm_offset": dict(zip(ids.tolist(), offset.round(4).tolist(), strict=True)) | col_offset,
        "colocated": {r["sensor_id"]: r["colocated_with"] for r in col_rows},
        "night_hours_local": "22-06",
        "mean_night_factor": mean_nf_night,
        "heat_hotspots": _HEAT_HOTSPOTS,
        "pm_hotspots": _PM_HOTSPOTS,
        "weather_stations": [{k: v for k, v in s.items() if k != "series"} for s in stations],
        "measures": measures,
        "simulated": True,
    }
    city = SyntheticCity(
        areas=areas,
        grid=grid,
        sensors=sensors,
        observations=pd.concat(obs, ignore_index=True),
        truth_observations=pd.concat(truth_obs, ignore_index=True).rename(
            columns={"value": "true_value"}
        ),
        truth_cells=truth_cells,
        faults=pd.DataFrame(faults),
        proposals=proposals,
        votes=votes,
        meta=meta,
    )
    city.meta["stations"] = stations
    city.meta["references"] = refs
    city.meta["times"] = times
    return city


# ---------------------------------------------------------------------- proposals
_STREETS = {
    "altstadt": ["Bahnhofstraße", "Ebertstraße", "Heinrich-König-Platz", "Neumarkt"],
    "bismarck": ["Bismarckstraße", "Consolstraße", "Brauckstraße"],
    "bulmke-huellen": ["Wanner Straße", "Florastraße", "Hohenzollernstraße"],
    "feldmark": ["Feldmarkstraße", "Uferstraße"],
    "hessler": ["Grothusstraße", "Hesslerstraße"],
    "schalke": ["Schalker Markt", "Grenzstraße", "Kurt-Schumacher-Straße"],
    "schalke-nord": ["Uechtingstraße", "Schalker Straße"],
    "buer": ["Hochstraße", "Horster Straße", "Goldbergplatz", "De-la-Chevallerie-Straße"],
    "hassel": ["Polsumer Straße", "Eppmannsweg"],
    "scholven": ["Feldhauser Straße", "Scholvener Straße"],
    "erle": ["Cranger Straße", "Middelicher Straße", "Darler Heide"],
    "resse": ["Ewaldstraße", "Resser Weg"],
    "resser-mark": ["Emscherbruchallee", "Surkampstraße"],
    "neustadt": ["Overwegstraße", "Augustastraße"],
    "rotthausen": ["Karl-Meyer-Straße", "Steeler Straße"],
    "ueckendorf": ["Bochumer Straße", "Ückendorfer Straße", "Flöz Sonnenschein"],
    "beckhausen": ["Horster Straße", "Bergmannstraße"],
    "horst": ["Essener Straße", "Turfstraße", "Schloss Horst"],
}
_TEMPLATES = {
    "trees": (
        "Straßenbäume für die {s}",
        "Neue, hitzeresistente Straßenbäume entlang der {s} spenden Schatten und kühlen im Sommer.",
        (15_000, 90_000),
    ),
    "unsealing": (
        "Entsiegelung an der {s}",
        "Asphalt an der {s} aufbrechen und durch "
        "Rasengittersteine und Beete ersetzen, damit Regen versickern kann.",
        (20_000, 150_000),
    ),
    "green_roof": (
        "Gründach für die Schule an der {s}",
        "Extensive Dachbegrünung auf dem "
        "Schulgebäude an der {s}: kühleres Gebäude, Lebensraum für Insekten.",
        (40_000, 150_000),
    ),
    "green_facade": (
        "Fassadengrün an der {s}",
        "Kletterpflanzen an einer Hauswand an der {s} gegen Aufheizung und für bessere Luft.",
        (8_000, 40_000),
    ),
    "pocket_park": (
        "Pocket Park an der {s}",
        "Eine ungenutzte Ecke an der {s} wird zum kleinen Park mit Bänken, Stauden und Bäumen.",
        (30_000, 120_000),
    ),
    "shade": (
        "Sonnensegel am Spielplatz {s}",
        "Sonnensegel über dem Spielplatz an der {s} schützen Kinder an heißen Tagen.",
        (5_000, 25_000),
    ),
    "water": (
        "Trinkbrunnen an der {s}",
        "Ein öffentlicher Trinkwasserbrunnen an der {s} für heiße Tage.",
        (6_000, 35_000),
    ),
    "other": ("Insektenwiese an der {s}", "Blühstreifen statt Rasen an der {s}.", (5_000, 20_000)),
}
_FIRST = [
    "Anna",
    "Murat",
    "Sabine",
    "Jonas",
    "Elif",
    "Thomas",
    "Katarzyna",
    "Lukas",
    "Fatma",
    "Peter",
    "Sandra",
    "Mehmet",
    "Julia",
    "Dieter",
    "Aylin",
    "Frank",
    "Monika",
    "Kevin",
]
_LAST = [
    "Schneider",
    "Yilmaz",
    "Kowalski",
    "Becker",
    "Hoffmann",
    "Demir",
    "Wagner",
    "Nowak",
    "Schulz",
    "Kaya",
    "Fischer",
    "Krüger",
    "Öztürk",
    "Lange",
    "Meyer",
    "Wolff",
]


def make_proposals(
    rng: np.random.Generator, grid: pd.DataFrame, areas: pd.DataFrame, n: int, n_voters: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Proposals like the 2024/25 round, plus approval ballots (pseudonymous voter ids)."""
    weights = np.array([0.26, 0.14, 0.08, 0.07, 0.12, 0.12, 0.09, 0.12])
    cats = rng.choice(CATEGORIES, size=n, p=weights / weights.sum())
    pop_area = grid.groupby("area_id")["population"].sum()
    area_ids = pop_area.index.to_numpy()
    area_p = (pop_area.to_numpy(float) + 2000) / (pop_area.to_numpy(float) + 2000).sum()
    rows = []
    used: set[str] = set()
    for k in range(n):
        cat = str(cats[k])
        for _ in range(20):
            aid = str(rng.choice(area_ids, p=area_p))
            street = str(rng.choice(_STREETS.get(aid, ["Hauptstraße"])))
            title_t, desc_t, (lo, hi) = _TEMPLATES[cat]
            title = title_t.format(s=street)
            if title not in used:
                break
        used.add(title)
        cells = grid[grid["area_id"] == aid]
        c = cells.sample(1, random_state=int(rng.integers(0, 2**31))).iloc[0]
        lon, lat = _TO_LONLAT.transform(
            c["x"] + rng.uniform(-40, 40), c["y"] + rng.uniform(-40, 40)
        )
        cost = int(round(rng.uniform(lo, hi) / 500) * 500)
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        rows.append(
            {
                "proposal_id": f"GB-{k + 1:03d}",
                "title": title,
                "description": desc_t.format(s=street),
                "category": cat,
                "cost_eur": cost,
                "lat": round(float(lat), 6),
                "lon": round(float(lon), 6),
                "area_id": aid,
                "author_name": f"{first} {last}",
                "author_email": f"{str(first).lower()}.{str(last).lower()}@example.org",
            }
        )
    props = pd.DataFrame(rows)
    # popularity: visibility of the category and the proposer's network, not need
    pop = rng.lognormal(0, 0.8, n) * np.where(
        props["category"].isin(["trees", "pocket_park"]), 1.6, 1.0
    )
    p = pop / pop.sum()
    ballots = []
    for v in range(n_voters):
        k = int(np.clip(rng.poisson(2.6), 1, 8))
        chosen = rng.choice(n, size=min(k, n), replace=False, p=p)
        ballots.extend((f"V{v + 1:05d}", props.at[int(j), "proposal_id"]) for j in chosen)
    votes = pd.DataFrame(ballots, columns=["voter_id", "proposal_id"])
    props["votes"] = props["proposal_id"].map(votes["proposal_id"].value_counts()).fillna(0)
    props["votes"] = props["votes"].astype(int)
    return props, votes


# ---------------------------------------------------------------------- checking a run
def compare_with_truth(
    cells: pd.DataFrame,
    areas: pd.DataFrame,
    truth_cells: pd.DataFrame,
    *,
    weights: dict[str, float],
    distance: float = 500.0,
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """Score a fitted run (``cells``, ``areas`` of ``results/latest``) against the truth.

    The true hotspots are the Gi* hot spots of the *true* fields with the run's own
    parameters (a hotspot is a significant cluster of high values, so the planted bumps
    lie inside larger hot clusters wherever they sit in dense, sealed fabric); the
    planted bumps are scored separately (``*_planted_recall``). The true need ranks are
    the need index of the true fields with the configured weights.
    """
    from workbench.fit import area_means
    from workbench.models.hotspots import gi_star
    from workbench.models.need import indicators, need_index, need_rank

    t = truth_cells.set_index("cell_id").loc[cells["cell_id"]]
    xy = cells[["x", "y"]].to_numpy(float)
    out: dict[str, Any] = {}
    for prefix, col, tcol in (("heat", "heat_uhi_k", "uhi_k"), ("air", "pm2_5_ugm3", "pm2_5_ugm3")):
        if col not in cells:
            continue
        true = t[tcol].to_numpy(float)
        est = cells[col].to_numpy(float)
        out[f"{prefix}_rmse"] = float(np.sqrt(np.mean((est - true) ** 2)))
        se = cells.get(col.replace("_k", "_se").replace("_ugm3", "_se"))
        if se is not None:
            out[f"{prefix}_coverage95"] = float(np.mean(np.abs(est - true) <= 1.96 * se))
        g = gi_star(true, xy, distance=distance, permutations=permutations, seed=seed, alpha=alpha)
        th, hot = g["hotspot"].to_numpy(), cells[f"{prefix}_hotspot"].to_numpy(bool)
        tp = int((th & hot).sum())
        out[f"{prefix}_hotspot_precision"] = tp / max(int(hot.sum()), 1)
        out[f"{prefix}_hotspot_recall"] = tp / max(int(th.sum()), 1)
        planted = t[f"{prefix}_hotspot"].to_numpy(bool)
        out[f"{prefix}_planted_recall"] = float((planted & hot).sum() / max(planted.sum(), 1))
    true_cells = cells.assign(
        heat_uhi_k=t["uhi_k"].to_numpy(float), pm2_5_ugm3=t["pm2_5_ugm3"].to_numpy(float)
    )
    ta = area_means(true_cells)
    ta["true_need_rank"] = need_rank(
        need_index(indicators(ta, heat="heat_uhi_k_popw", air="pm2_5_ugm3_popw"), weights)
    )
    m = areas.merge(ta[["area_id", "true_need_rank"]], on="area_id")
    inside = (m["true_need_rank"] >= m["need_rank_lo"]) & (m["true_need_rank"] <= m["need_rank_hi"])
    out["area_rank_interval_coverage"] = float(inside.mean())
    out["area_rank_exact"] = float((m["true_need_rank"] == m["need_rank"]).mean())
    out["areas"] = m[["area_id", "need_rank", "need_rank_lo", "need_rank_hi", "true_need_rank"]]
    return out
