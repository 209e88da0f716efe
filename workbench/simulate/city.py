"""A seeded, simulated Gelsenkirchen: districts, grid, sensors, a summer of readings, proposals.

Everything here is SIMULATED. It exists so the workbench can be demonstrated and tested
against known truth: the generator returns the true fields (nocturnal urban heat island,
PM2.5 period mean) and the true value behind every simulated reading, plus a log of the
faults it injected (gaps, spikes, stuck values, a level shift, drift, a dying sensor with
a failing battery, an indoor-like placement, humidity-inflated PM from low-cost optical
sensors), and a low-cost box co-located with each reference station for calibration.

:func:`generate_city` calls one module per concern: :mod:`~workbench.simulate.geography`
(districts, grid), :mod:`~workbench.simulate.weather` (rural weather, humidity physics),
:mod:`~workbench.simulate.fields` (true heat and PM fields),
:mod:`~workbench.simulate.sensors` (network, readings), :mod:`~workbench.simulate.faults`
(injected faults), :mod:`~workbench.simulate.measure_effect` (a measure of known effect),
:mod:`~workbench.simulate.stations` (weather and reference stations),
:mod:`~workbench.simulate.proposals` (proposals, ballots) and
:mod:`~workbench.simulate.truth` (truth tables, :func:`compare_with_truth`).

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

from workbench.geo import area_lookup
from workbench.simulate.faults import battery_voltage, inject_faults
from workbench.simulate.fields import HEAT_HOTSPOTS, PM_HOTSPOTS, make_grid
from workbench.simulate.geography import DISTRICTS, POPULATION, city_outline, make_areas
from workbench.simulate.measure_effect import plant_measure
from workbench.simulate.proposals import make_proposals
from workbench.simulate.sensors import (
    Network,
    Readings,
    measure,
    place_sensors,
    series_tables,
    true_series,
)
from workbench.simulate.stations import (
    REFERENCE_STATIONS,
    Colocated,
    colocated_boxes,
    reference_stations,
    weather_stations,
)
from workbench.simulate.truth import compare_with_truth, make_truth_cells
from workbench.simulate.weather import KAPPA, Period, make_period, night_factor

__all__ = [
    "DISTRICTS",
    "POPULATION",
    "REFERENCE_STATIONS",
    "SyntheticCity",
    "city_outline",
    "compare_with_truth",
    "generate_city",
    "make_areas",
    "make_grid",
    "make_proposals",
    "night_factor",
]


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
    n_sensors, n_pm : int
        Network sensors (temperature and humidity); ``n_pm`` of them also measure PM.
    start, days, freq : str, int, str
        Start (UTC), length and step of the simulated period.
    cell_size : float
        Grid cell size in metres (100 for the demo; larger for quick tests).
    n_proposals, n_voters : int
        Green-budget proposals and voters casting approval ballots.
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

    Returns
    -------
    SyntheticCity
        The city; ``meta`` also holds the ``stations``, ``references`` and ``times`` of the
        weather and reference stations' series (see :mod:`workbench.simulate.demo_files`).
    """
    if n_pm > n_sensors:
        raise ValueError(f"n_pm ({n_pm}) cannot exceed n_sensors ({n_sensors})")
    # The draws from ``rng`` keep their original order. Faults and series added later draw
    # from their own stream ``rng2``, so that everything drawn from ``rng`` stays as it was.
    rng = np.random.default_rng(seed)
    rng2 = np.random.default_rng([seed, 1])
    areas = make_areas()
    grid, cellf = make_grid(rng, cell_size)
    grid["area_id"] = area_lookup(areas)(cellf["lon"].to_numpy(), cellf["lat"].to_numpy())
    period = make_period(rng, start, days, freq)

    net = place_sensors(rng, grid, cellf, n_sensors, n_pm, cell_size)
    readings = measure(rng, true_series(grid, cellf, net, period), pm_gain, pm_offset_sd)
    faults = inject_faults(rng, rng2, net, readings, period)
    measures = plant_measure(
        net,
        cellf,
        readings,
        faults,
        period,
        days=days,
        effect_k=measure_effect_k,
        radius_m=measure_radius_m,
        day_frac=measure_day_frac,
    )
    obs, truth_obs = series_tables(
        readings.true, readings.measured, faults.keep, net.has_pm, net.ids, period.times
    )
    stations = weather_stations(rng, cellf, net.rural, period)
    refs = reference_stations(rng, cellf, period)
    col = colocated_boxes(rng2, refs, grid, cellf, net.rural, n_sensors, period)
    battery = battery_voltage(rng2, net.ids, faults, period)
    proposals, votes = make_proposals(rng, grid, areas, n_proposals, n_voters)

    meta = _meta(seed, period, net.ids, readings, col, stations, measures)
    return SyntheticCity(
        areas=areas,
        grid=grid,
        sensors=_sensor_table(net, col),
        observations=pd.concat([*obs, *col.obs, battery], ignore_index=True),
        truth_observations=pd.concat([*truth_obs, *col.truth], ignore_index=True).rename(
            columns={"value": "true_value"}
        ),
        truth_cells=make_truth_cells(grid, cellf, net.rural, period),
        faults=pd.DataFrame(faults.rows),
        proposals=proposals,
        votes=votes,
        meta=meta | {"stations": stations, "references": refs, "times": period.times},
    )


def _sensor_table(net: Network, col: Colocated) -> pd.DataFrame:
    """Metadata of the network and co-located boxes, as written to ``sensors.csv``."""
    sens = pd.concat([net.sens, pd.DataFrame(col.rows)], ignore_index=True)
    return sens.drop(columns=["cell"]).assign(
        sensor_type=np.where(sens["has_pm"], "SHT31+SDS011", "SHT31"), source="ge-gruent"
    )


def _meta(
    seed: int,
    period: Period,
    ids: np.ndarray,
    readings: Readings,
    col: Colocated,
    stations: list[dict[str, Any]],
    measures: list[dict[str, Any]],
) -> dict[str, Any]:
    """What ``truth/truth.json`` records about the simulation (in this key order)."""
    return {
        "seed": seed,
        "start": str(period.times[0]),
        "end": str(period.times[-1]),
        "freq": period.freq,
        "rural_reference": str(ids[0]),
        "kappa": KAPPA,
        "pm_gain": dict(zip(ids.tolist(), readings.gain.round(4).tolist(), strict=True)) | col.gain,
        "pm_offset": dict(zip(ids.tolist(), readings.offset.round(4).tolist(), strict=True))
        | col.offset,
        "colocated": {r["sensor_id"]: r["colocated_with"] for r in col.rows},
        "night_hours_local": "22-06",
        "mean_night_factor": period.mean_night_factor(),
        "heat_hotspots": HEAT_HOTSPOTS,
        "pm_hotspots": PM_HOTSPOTS,
        "weather_stations": [{k: v for k, v in s.items() if k != "series"} for s in stations],
        "measures": measures,
        "simulated": True,
    }
