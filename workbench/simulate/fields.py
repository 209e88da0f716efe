"""The true heat and PM fields of the simulated city, and the true values at any cell.

The nocturnal urban heat island grows with sealing and building height and shrinks with
green and water; PM2.5 is a regional background times a smooth spatial factor plus a local
part from traffic. Two heat and two PM hotspots are planted on top.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.simulate.geography import TO_LONLAT, bump, land_cover, smooth_field
from workbench.simulate.weather import Period, night_factor

# Planted hotspots of the true fields (lat, lon, radius m, amplitude)
HEAT_HOTSPOTS = [(51.5085, 7.0955, 700, 1.2), (51.6130, 7.0290, 700, 1.0)]
PM_HOTSPOTS = [(51.5279, 7.0845, 500, 6.0), (51.6140, 7.0260, 800, 5.0)]


def make_grid(
    rng: np.random.Generator, cell_size: float = 100.0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Grid cells with plausible covariates and population, and the true cell fields.

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream.
    cell_size : float
        Cell size in metres.

    Returns
    -------
    grid : pandas.DataFrame
        The grid (see :func:`workbench.simulate.geography.land_cover`).
    truth : pandas.DataFrame
        The true cell fields (see :func:`true_cell_fields`).
    """
    grid, cover = land_cover(rng, cell_size)
    return grid, true_cell_fields(rng, grid["cell_id"], cover)


def true_cell_fields(
    rng: np.random.Generator, cell_id: pd.Series, cover: dict[str, np.ndarray]
) -> pd.DataFrame:
    """The true fields behind every reading, per grid cell.

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream (drawn after the land cover).
    cell_id : pandas.Series
        Cell ids of the grid.
    cover : dict of numpy.ndarray
        Positions and unrounded covariates from
        :func:`workbench.simulate.geography.land_cover`.

    Returns
    -------
    pandas.DataFrame
        ``cell_id``, ``x``, ``y``, ``lon``, ``lat``, ``uhi_peak_k`` (peak heat island, K,
        not yet relative to the rural reference), ``pm_factor`` (spatial factor on the
        PM background), ``pm_local`` (local PM2.5, µg/m³) and the planted ``heat_spot`` and
        ``pm_spot`` bumps.
    """
    x, y = cover["x"], cover["y"]
    lon, lat = TO_LONLAT.transform(x, y)
    heat_spots = sum(a * bump(x, y, la, lo, r) for la, lo, r, a in HEAT_HOTSPOTS)
    pm_spots = sum(a * bump(x, y, la, lo, r) for la, lo, r, a in PM_HOTSPOTS)
    uhi_peak = np.clip(
        0.3
        + 2.6 * cover["impervious"]
        + 0.04 * cover["building_height"]
        - 1.2 * cover["green"]
        - 1.0 * cover["water"]
        + 0.25 * smooth_field(rng, x, y, 1200.0)
        + heat_spots,
        0.0,
        None,
    )
    pm_factor = 1.0 + 0.10 * smooth_field(rng, x, y, 2500.0)
    pm_local = 0.12 * cover["road_density"] + pm_spots
    return pd.DataFrame(
        {
            "cell_id": cell_id,
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


def nearest_cell(cellf: pd.DataFrame, lat: float, lon: float) -> int:
    """Position of the cell whose centre is nearest to ``lat, lon`` (in degrees).

    Parameters
    ----------
    cellf : pandas.DataFrame
        True cell fields with ``lat`` and ``lon``.
    lat, lon : float
        The point.

    Returns
    -------
    int
        Row position in ``cellf``.
    """
    return int(np.argmin((cellf["lat"] - lat) ** 2 + (cellf["lon"] - lon) ** 2))


def true_temperature(
    grid: pd.DataFrame, cellf: pd.DataFrame, rural: int, period: Period, cells: np.ndarray
) -> np.ndarray:
    """True air temperature at grid cells over the period.

    Parameters
    ----------
    grid, cellf : pandas.DataFrame
        The grid and its true cell fields.
    rural : int
        Row of the rural reference cell; the heat island is relative to it.
    period : Period
        Times and rural weather.
    cells : numpy.ndarray
        Rows of the cells.

    Returns
    -------
    numpy.ndarray
        Temperature (°C), one row per cell, one column per time.
    """
    w, nf, hour = period.weather, period.nf, period.hour
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


def pm_diurnal(hour: np.ndarray) -> np.ndarray:
    """Diurnal profile of local (traffic) PM: a morning rush peak on a constant floor.

    Parameters
    ----------
    hour : numpy.ndarray
        Local hour of day.

    Returns
    -------
    numpy.ndarray
        Factor on a cell's ``pm_local``.
    """
    return 0.6 + 0.8 * np.exp(-((hour - 8) ** 2) / 4)
