"""Stations beside the network: weather stations, reference stations, co-located boxes.

Three weather stations (UrbanPulse feed) report temperature, humidity, pressure,
irradiation and wind; the two UBA reference stations DENW022 (background) and DENW208
(traffic) report PM10, PM2.5 and NO₂ with small noise only; one low-cost network box
stands at each reference station, measuring the same air as the reference analyser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.simulate.fields import nearest_cell, pm_diurnal, true_temperature
from workbench.simulate.geography import TO_LONLAT, TO_UTM
from workbench.simulate.sensors import series_tables
from workbench.simulate.weather import KAPPA, Period, pm_growth, relative_humidity

REFERENCE_STATIONS = {
    "DENW022": ("Gelsenkirchen-Bismarck", "background", 51.53363, 7.10172),
    "DENW208": ("Gelsenkirchen Kurt-Schumacher-Straße", "traffic", 51.52787, 7.08454),
}
WEATHER_STATIONS = [  # (name, lat, lon)
    ("Wetterstation Buer", 51.5770, 7.0480),
    ("Wetterstation Altstadt", 51.5100, 7.0990),
    ("Wetterstation Ückendorf", 51.4880, 7.1100),
]


@dataclass
class Colocated:
    """The low-cost boxes at the reference stations.

    Attributes
    ----------
    rows : list of dict
        Sensor rows (as in the network's sensor table, plus ``colocated_with``).
    obs, truth : list of pandas.DataFrame
        Long tables of their readings and of the true values.
    gain, offset : dict
        Per-box PM gain and offset, by sensor id.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    obs: list[pd.DataFrame] = field(default_factory=list)
    truth: list[pd.DataFrame] = field(default_factory=list)
    gain: dict[str, float] = field(default_factory=dict)
    offset: dict[str, float] = field(default_factory=dict)


def weather_stations(
    rng: np.random.Generator, cellf: pd.DataFrame, rural: int, period: Period
) -> list[dict[str, Any]]:
    """The weather stations and their series.

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream.
    cellf : pandas.DataFrame
        True cell fields.
    rural : int
        Grid row of the rural reference (the heat island is relative to it).
    period : Period
        Times and rural weather.

    Returns
    -------
    list of dict
        ``sensor_id``, ``name``, ``lat``, ``lon`` (cell centre) and ``series``: label →
        (values, unit, digits) for ``temperature``, ``humidity``, ``pressure``,
        ``irradiation`` and ``wind_speed_avg``.
    """
    w, nf, hour, n_t = period.weather, period.nf, period.hour, period.n_t
    ws_cells = [nearest_cell(cellf, la, lo) for _, la, lo in WEATHER_STATIONS]
    stations = []
    for k, (c, (name, _, _)) in enumerate(zip(ws_cells, WEATHER_STATIONS, strict=True)):
        sid = f"ws-{k + 1:02d}"
        u = max(0.0, cellf["uhi_peak_k"].iat[c] - cellf["uhi_peak_k"].iat[rural])
        t = w["t_ref"] + u * nf + rng.normal(0, 0.1, n_t)
        rad = np.clip(850 * np.sin(np.pi * (hour - 5.5) / 16), 0, None) * rng.uniform(0.4, 1.0, n_t)
        series = {
            "temperature": (t, "°C", 2),
            "humidity": (relative_humidity(t, w["dew"]), "%", 1),
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
    return stations


def reference_stations(
    rng: np.random.Generator, cellf: pd.DataFrame, period: Period
) -> list[dict[str, Any]]:
    """The UBA reference stations and their hourly PM2.5, PM10 and NO₂.

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream.
    cellf : pandas.DataFrame
        True cell fields.
    period : Period
        Times and rural weather.

    Returns
    -------
    list of dict
        ``code``, ``name``, ``kind``, ``lat``, ``lon``, the true PM2.5 (``pm2_5_true``,
        taken out by :func:`colocated_boxes`) and the readings ``pm2_5``, ``pm10``, ``no2``.
    """
    w, hour, n_t = period.weather, period.hour, period.n_t
    refs = []
    for code, (name, kind, la, lo) in REFERENCE_STATIONS.items():
        c = nearest_cell(cellf, la, lo)
        traffic = 1.0 if kind == "traffic" else 0.0
        pm25 = (
            w["pm_bg"] * cellf["pm_factor"].iat[c]
            + cellf["pm_local"].iat[c] * pm_diurnal(hour)
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
    return refs


def colocated_boxes(
    rng2: np.random.Generator,
    refs: list[dict[str, Any]],
    grid: pd.DataFrame,
    cellf: pd.DataFrame,
    rural: int,
    n_sensors: int,
    period: Period,
) -> Colocated:
    """One low-cost box (T, RH, PM) at each reference station.

    Parameters
    ----------
    rng2 : numpy.random.Generator
        The stream of series added later.
    refs : list of dict
        Reference stations from :func:`reference_stations`; their ``pm2_5_true`` is
        removed (it becomes the box's true PM2.5).
    grid, cellf : pandas.DataFrame
        The grid and its true cell fields.
    rural : int
        Grid row of the rural reference.
    n_sensors : int
        Number of network boxes (the co-located boxes are numbered after them).
    period : Period
        Times and rural weather.

    Returns
    -------
    Colocated
        Sensor rows, readings, true values, PM gains and offsets.
    """
    out = Colocated()
    for k, ref in enumerate(refs):
        c = nearest_cell(cellf, ref["lat"], ref["lon"])
        sid = f"ge-{n_sensors + k + 1:03d}"
        tt = true_temperature(grid, cellf, rural, period, np.array([c]))
        rt = relative_humidity(tt, period.weather["dew"][None, :])
        tm = tt + rng2.normal(0, 0.15) + rng2.normal(0, 0.2, tt.shape)
        rm = np.clip(rt + rng2.normal(0, 2.0) + rng2.normal(0, 1.5, rt.shape), 0, 100)
        g, o = rng2.uniform(0.8, 1.35), rng2.normal(0.5, 0.5)
        gr = pm_growth(np.clip(rt, 0, 99.0) / 100.0, KAPPA)
        p25 = ref.pop("pm2_5_true")[None, :]
        p10 = p25 * 1.45 + 2.0
        p25m = np.clip(p25 * gr * g + o + rng2.normal(0, 0.8, p25.shape), 0, None)
        p10m = np.clip(p10 * gr * g * 1.05 + o + rng2.normal(0, 1.5, p10.shape), 0, None)
        true = {"t": tt, "rh": rt, "pm25": p25, "pm10": p10}
        measured = {"t": tm, "rh": rm, "pm25": p25m, "pm10": p10m}
        ones = {key: np.ones(tt.shape, dtype=bool) for key in true}
        obs, truth = series_tables(
            true, measured, ones, np.array([True]), np.array([sid]), period.times
        )
        out.obs += obs
        out.truth += truth
        x0, y0 = TO_UTM.transform(ref["lon"], ref["lat"])
        dx, dy = rng2.uniform(-15, 15, 2)
        lon, lat = TO_LONLAT.transform(x0 + dx, y0 + dy)
        out.rows.append(
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
        out.gain[sid], out.offset[sid] = round(float(g), 4), round(float(o), 4)
    return out
