"""The simulated sensor network: where the boxes stand, what is true there, what they read.

Boxes are placed in populated cells (the first, ``ge-001``, in the coolest green cell as
the rural reference); every box measures temperature and humidity, some also PM. Readings
carry sensor noise and a per-box offset; low-cost optical PM is inflated by humidity
(κ-Köhler growth) and carries a per-box gain and offset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.simulate.fields import pm_diurnal, true_temperature
from workbench.simulate.geography import TO_LONLAT
from workbench.simulate.weather import KAPPA, Period, pm_growth, relative_humidity

QUANTITIES = {  # key: (quantity, unit, digits as measured, digits of the true value)
    "t": ("air_temperature", "°C", 2, 3),
    "rh": ("relative_humidity", "%", 1, 2),
    "pm25": ("pm2_5", "µg/m³", 1, 3),
    "pm10": ("pm10", "µg/m³", 1, 3),
}


@dataclass
class Network:
    """The network boxes and where they stand.

    Attributes
    ----------
    sens : pandas.DataFrame
        ``sensor_id``, ``kind``, ``cell`` (grid row), ``has_pm``, ``lon``, ``lat``,
        ``cell_id``, ``area_id``.
    idx : numpy.ndarray
        Grid row of each box.
    rural : int
        Grid row of the rural reference box (``idx[0]``).
    has_pm : numpy.ndarray
        True for boxes that also measure PM.
    sx, sy : numpy.ndarray
        Box positions in metres (EPSG:25832).
    """

    sens: pd.DataFrame
    idx: np.ndarray
    rural: int
    has_pm: np.ndarray
    sx: np.ndarray
    sy: np.ndarray

    @property
    def ids(self) -> np.ndarray:
        """Sensor ids of the network boxes."""
        return self.sens["sensor_id"].to_numpy()


@dataclass
class Readings:
    """True and measured series of the network boxes (one row per box, one column per time).

    Attributes
    ----------
    true, measured : dict of numpy.ndarray
        Keyed ``t``, ``rh``, ``pm25``, ``pm10`` (see :data:`QUANTITIES`).
    gain, offset : numpy.ndarray
        Per-box gain and offset of the PM readings.
    """

    true: dict[str, np.ndarray]
    measured: dict[str, np.ndarray]
    gain: np.ndarray
    offset: np.ndarray


def place_sensors(
    rng: np.random.Generator,
    grid: pd.DataFrame,
    cellf: pd.DataFrame,
    n_sensors: int,
    n_pm: int,
    cell_size: float,
) -> Network:
    """Place the network boxes in populated cells, the first in the rural reference cell.

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream.
    grid, cellf : pandas.DataFrame
        The grid and its true cell fields.
    n_sensors, n_pm : int
        Number of boxes, and how many of them (never the rural reference) measure PM.
    cell_size : float
        Cell size in metres (boxes are jittered within 40 % of it).

    Returns
    -------
    Network
        The boxes.
    """
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
    sens["lon"], sens["lat"] = TO_LONLAT.transform(sx, sy)
    sens["cell_id"] = grid["cell_id"].to_numpy()[idx]
    sens["area_id"] = grid["area_id"].to_numpy()[idx]
    return Network(sens=sens, idx=idx, rural=rural, has_pm=has_pm, sx=sx, sy=sy)


def true_series(
    grid: pd.DataFrame, cellf: pd.DataFrame, net: Network, period: Period
) -> dict[str, np.ndarray]:
    """True temperature, humidity, PM2.5 and PM10 at the network boxes.

    Parameters
    ----------
    grid, cellf : pandas.DataFrame
        The grid and its true cell fields.
    net : Network
        The boxes.
    period : Period
        Times and rural weather.

    Returns
    -------
    dict of numpy.ndarray
        Keyed ``t``, ``rh``, ``pm25``, ``pm10``.
    """
    w = period.weather
    t_true = true_temperature(grid, cellf, net.rural, period, net.idx)
    rh_true = relative_humidity(t_true, w["dew"][None, :])
    pm_fac = cellf["pm_factor"].to_numpy()[net.idx]
    pm_loc = cellf["pm_local"].to_numpy()[net.idx]
    pm25_true = (
        w["pm_bg"][None, :] * pm_fac[:, None] + pm_loc[:, None] * pm_diurnal(period.hour)[None, :]
    )
    pm10_true = pm25_true * 1.45 + 2.0
    return {"t": t_true, "rh": rh_true, "pm25": pm25_true, "pm10": pm10_true}


def measure(
    rng: np.random.Generator,
    true: dict[str, np.ndarray],
    pm_gain: tuple[float, float],
    pm_offset_sd: float,
) -> Readings:
    """What the boxes read: sensor noise, per-box calibration, humidity growth of optical PM.

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream.
    true : dict of numpy.ndarray
        True series from :func:`true_series`.
    pm_gain : (float, float)
        Range of the per-box PM gain (uniform).
    pm_offset_sd : float
        Spread of the per-box PM offset (normal, mean 0.5 µg/m³).

    Returns
    -------
    Readings
        True and measured series, PM gains and offsets.
    """
    t_true, rh_true = true["t"], true["rh"]
    pm25_true, pm10_true = true["pm25"], true["pm10"]
    n_sensors = t_true.shape[0]
    t_meas = t_true + rng.normal(0, 0.15, n_sensors)[:, None] + rng.normal(0, 0.2, t_true.shape)
    rh_meas = np.clip(
        rh_true + rng.normal(0, 2.0, n_sensors)[:, None] + rng.normal(0, 1.5, rh_true.shape), 0, 100
    )
    rh_c = np.clip(rh_true, 0, 99.0) / 100.0
    growth = pm_growth(rh_c, KAPPA)
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
    measured = {"t": t_meas, "rh": rh_meas, "pm25": pm25_meas, "pm10": pm10_meas}
    return Readings(true=true, measured=measured, gain=gain, offset=offset)


def long_table(
    values: np.ndarray,
    mask: np.ndarray,
    ids: np.ndarray,
    times: pd.DatetimeIndex,
    quantity: str,
    unit: str,
    digits: int,
) -> pd.DataFrame:
    """A (box × time) array as a long table of the readings where ``mask`` is true.

    Parameters
    ----------
    values : numpy.ndarray
        One row per box, one column per time.
    mask : numpy.ndarray
        Which values to keep (broadcast to ``values``' shape).
    ids : numpy.ndarray
        Sensor id of each row.
    times : pandas.DatetimeIndex
        Time of each column.
    quantity, unit : str
        Written into every row.
    digits : int
        Values are rounded to this many decimals.

    Returns
    -------
    pandas.DataFrame
        ``sensor_id``, ``quantity``, ``time``, ``value``, ``unit``.
    """
    ii, jj = np.nonzero(mask)
    return pd.DataFrame(
        {
            "sensor_id": ids[ii],
            "quantity": quantity,
            "time": times[jj],
            "value": np.round(values[ii, jj], digits),
            "unit": unit,
        }
    )


def series_tables(
    true: dict[str, np.ndarray],
    measured: dict[str, np.ndarray],
    keep: dict[str, np.ndarray],
    has_pm: np.ndarray,
    ids: np.ndarray,
    times: pd.DatetimeIndex,
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Long tables of the measured readings (where kept) and of their true values.

    Parameters
    ----------
    true, measured : dict of numpy.ndarray
        Series keyed as :data:`QUANTITIES`.
    keep : dict of numpy.ndarray
        Which measured values were reported (same keys); true values are all kept.
    has_pm : numpy.ndarray
        True for the rows that measure PM.
    ids : numpy.ndarray
        Sensor id of each row.
    times : pandas.DatetimeIndex
        Time of each column.

    Returns
    -------
    observations, truth : list of pandas.DataFrame
        One long table per quantity, in the order of :data:`QUANTITIES`.
    """
    pm_mask = has_pm[:, None]
    full = np.ones(true["t"].shape, dtype=bool)
    obs, truth = [], []
    for key, (quantity, unit, digits, _) in QUANTITIES.items():
        kept = keep[key] & pm_mask if key.startswith("pm") else keep[key]
        obs.append(long_table(measured[key], kept, ids, times, quantity, unit, digits))
    for key, (quantity, unit, _, true_digits) in QUANTITIES.items():
        everything = full & pm_mask if key.startswith("pm") else full
        truth.append(long_table(true[key], everything, ids, times, quantity, unit, true_digits))
    return obs, truth
