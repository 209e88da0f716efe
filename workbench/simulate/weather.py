"""Rural reference weather of the simulated summer, and the humidity physics of the readings.

Examples
--------
>>> import numpy as np
>>> float(night_factor(np.array([2.0]))[0])
1.0
>>> float(relative_humidity(np.array([20.0]), np.array([20.0]))[0])
100.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

KAPPA = 0.4  # hygroscopicity of the simulated aerosol (κ-Köhler growth)


@dataclass
class Period:
    """The simulated period and its rural reference weather.

    Attributes
    ----------
    times : pandas.DatetimeIndex
        Time stamps (UTC).
    freq : str
        Step between time stamps.
    weather : dict of numpy.ndarray
        ``t_ref``, ``dew``, ``pm_bg``, ``no2_bg``, ``hour`` and ``heatwave`` (see
        :func:`rural_weather`).
    nf : numpy.ndarray
        Share of the peak urban heat island present at each time (stronger in a heat wave).
    night : numpy.ndarray
        True for local night-time hours (22–06).
    per_day : int
        Time steps per day.
    """

    times: pd.DatetimeIndex
    freq: str
    weather: dict[str, np.ndarray]
    nf: np.ndarray
    night: np.ndarray
    per_day: int

    @property
    def hour(self) -> np.ndarray:
        """Local hour of day (fractional) at each time."""
        return self.weather["hour"]

    @property
    def n_t(self) -> int:
        """Number of time steps."""
        return self.times.size

    def mean_night_factor(self) -> float:
        """Mean share of the peak urban heat island over the night-time hours."""
        return float(self.nf[self.night].mean()) if self.night.any() else 1.0


def make_period(rng: np.random.Generator, start: str, days: int, freq: str) -> Period:
    """Time stamps of the simulated period and its rural reference weather.

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream.
    start : str
        First day (UTC).
    days : int
        Length of the period in days.
    freq : str
        Step between readings (pandas offset alias).

    Returns
    -------
    Period
        Times, weather, night factor and night-time mask.
    """
    times = pd.date_range(
        start, periods=int(days * pd.Timedelta("1D") / pd.Timedelta(freq)), freq=freq, tz="UTC"
    )
    w = rural_weather(rng, times)
    nf = night_factor(w["hour"]) * (1 + 0.5 * w["heatwave"])
    hour = w["hour"]
    night = (hour >= 22) | (hour < 6)
    per_day = max(1, int(pd.Timedelta("1D") / pd.Timedelta(freq)))
    return Period(times=times, freq=freq, weather=w, nf=nf, night=night, per_day=per_day)


def rural_weather(rng: np.random.Generator, times: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Rural reference weather: temperature, dew point, PM background, NO2 background.

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream.
    times : pandas.DatetimeIndex
        Time stamps (UTC).

    Returns
    -------
    dict of numpy.ndarray
        ``t_ref`` (°C; seasonal curve, AR(1) weather and a heat wave), ``dew`` (dew point,
        °C), ``pm_bg`` and ``no2_bg`` (regional backgrounds, µg/m³), ``hour`` (local hour)
        and ``heatwave`` (0–1 strength of the heat wave).
    """
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


def pm_growth(water_activity: np.ndarray, kappa: float) -> np.ndarray:
    """Hygroscopic mass growth of PM seen by an optical sensor (Crilley et al. 2018).

    Parameters
    ----------
    water_activity : numpy.ndarray
        Relative humidity as a fraction (below 1).
    kappa : float
        Hygroscopicity parameter of κ-Köhler theory.

    Returns
    -------
    numpy.ndarray
        Factor by which the optical sensor overstates the dry mass.
    """
    return 1 + (kappa / 1.65) / (-1 + 1 / water_activity)


def relative_humidity(t: np.ndarray, dew: np.ndarray) -> np.ndarray:
    """Relative humidity (%) from temperature and dew point (Magnus formula).

    Parameters
    ----------
    t, dew : numpy.ndarray
        Air temperature and dew point (°C), broadcastable.

    Returns
    -------
    numpy.ndarray
        Relative humidity in %, clipped to 5–100.
    """
    a, b = 17.625, 243.04
    return np.clip(100 * np.exp(a * dew / (b + dew) - a * t / (b + t)), 5, 100)


def night_factor(hour_local: np.ndarray) -> np.ndarray:
    """Share of the peak urban heat island present at a local hour (1 at night).

    Parameters
    ----------
    hour_local : numpy.ndarray
        Local hour of day (fractional).

    Returns
    -------
    numpy.ndarray
        Between 0.2 (14:00) and 1 (02:00).
    """
    return 0.6 + 0.4 * np.cos(2 * np.pi * (hour_local - 2.0) / 24.0)
