"""Faults injected into the simulated network readings, each logged for scoring QC.

Gaps (outages), temperature and PM10 spikes, stuck temperatures, a drifting temperature
box and a drifting PM box, a box that dies for good (its battery runs down first), an
indoor-like placement and a level shift. The log becomes ``truth/faults.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.simulate.sensors import Network, Readings
from workbench.simulate.weather import Period


@dataclass
class FaultLog:
    """What was injected, and which readings are still reported.

    Attributes
    ----------
    sens : pandas.DataFrame
        The network boxes (for their ids).
    times : pandas.DatetimeIndex
        Time stamps of the period.
    keep : dict of numpy.ndarray
        Per quantity key (``t``, ``rh``, ``pm25``, ``pm10``): False where no reading is
        reported.
    rows : list of dict
        One entry per fault: ``sensor_id``, ``quantity``, ``fault``, ``start``, ``end``,
        ``detail``.
    dead, death : int
        The box that dies, and the time step from which it is silent.
    """

    sens: pd.DataFrame
    times: pd.DatetimeIndex
    keep: dict[str, np.ndarray]
    rows: list[dict[str, Any]] = field(default_factory=list)
    dead: int = 0
    death: int = 0

    def add(self, i: int, quantity: str, kind: str, a: int, b: int, detail: str) -> None:
        """Log a fault of box ``i`` from time step ``a`` to ``b`` (clipped to the period)."""
        self.rows.append(
            {
                "sensor_id": self.sens.at[i, "sensor_id"],
                "quantity": quantity,
                "fault": kind,
                "start": self.times[a],
                "end": self.times[min(b, self.times.size - 1)],
                "detail": detail,
            }
        )

    def sensor_ids(self) -> set[str]:
        """Ids of the boxes with any injected fault."""
        return {f["sensor_id"] for f in self.rows}


def _span(
    rng: np.random.Generator, n_t: int, lo_frac: float, hi_frac: float, length: int
) -> tuple[int, int]:
    """A random window of ``length`` steps starting between the two fractions of the period."""
    a = int(
        rng.integers(int(n_t * lo_frac), max(int(n_t * hi_frac) - length, int(n_t * lo_frac) + 1))
    )
    return a, min(n_t, a + length)


def inject_faults(
    rng: np.random.Generator,
    rng2: np.random.Generator,
    net: Network,
    readings: Readings,
    period: Period,
) -> FaultLog:
    """Inject the faults into the measured series (in place) and log them.

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream.
    rng2 : numpy.random.Generator
        The stream of faults added later (the level shift), so that everything drawn
        from ``rng`` stays as it was.
    net : Network
        The boxes.
    readings : Readings
        True and measured series; ``measured`` is changed in place.
    period : Period
        Times and steps per day.

    Returns
    -------
    FaultLog
        The log, the masks of reported readings and the box that dies.
    """
    n_sensors, n_t = len(net.sens), period.n_t
    t_meas = readings.measured["t"]
    keep = {q: np.ones(t_meas.shape, dtype=bool) for q in ("t", "rh", "pm25", "pm10")}
    log = FaultLog(sens=net.sens, times=period.times, keep=keep)
    candidates = list(rng.permutation(np.arange(1, n_sensors)))
    pm_candidates = [i for i in candidates if net.has_pm[i]]
    _gaps_and_spikes(rng, log, readings, candidates, pm_candidates, period.per_day)
    # stuck values
    for i in candidates[n_sensors // 5 : n_sensors // 5 + max(1, n_sensors // 20)]:
        a, b = _span(rng, n_t, 0.1, 0.9, int(rng.integers(1, 4)) * period.per_day)
        t_meas[i, a:b] = t_meas[i, a]
        log.add(i, "air_temperature", "stuck", a, b, f"constant {t_meas[i, a]:.2f} °C")
    # drift: a temperature sensor and a PM sensor drift linearly
    di = candidates[n_sensors // 4]
    t_meas[di] += np.linspace(0, 2.5, n_t)
    log.add(di, "air_temperature", "drift", 0, n_t - 1, "+2.5 K over the period")
    if pm_candidates:
        dp = pm_candidates[-1]
        readings.measured["pm25"][dp] *= np.linspace(1.0, 1.6, n_t)
        readings.measured["pm10"][dp] *= np.linspace(1.0, 1.6, n_t)
        log.add(dp, "pm2_5", "drift", 0, n_t - 1, "gain rising to 1.6x")
    # a sensor that dies for good
    log.dead, log.death = candidates[n_sensors // 3], int(n_t * 0.55)
    for q in keep:
        keep[q][log.dead, log.death :] = False
    log.add(log.dead, "*", "dead", log.death, n_t - 1, "stops reporting")
    # indoor-like placement: damped diurnal cycle, warm
    ind = candidates[n_sensors // 2]
    t_true = readings.true["t"]
    t_meas[ind] = 23.0 + 0.25 * (t_true[ind] - t_true[ind].mean()) + rng.normal(0, 0.1, n_t)
    log.add(ind, "air_temperature", "indoor", 0, n_t - 1, "damped diurnal range")
    # a level shift: the box is replaced by one reading warmer (or moved to a sunny wall)
    st_i = candidates[n_sensors // 2 + 1]
    st_a = int(rng2.integers(int(n_t * 0.2), int(n_t * 0.8)))
    t_meas[st_i, st_a:] += 3.5
    log.add(st_i, "air_temperature", "step", st_a, n_t - 1, "+3.5 K level shift")
    return log


def _gaps_and_spikes(
    rng: np.random.Generator,
    log: FaultLog,
    readings: Readings,
    candidates: list[int],
    pm_candidates: list[int],
    per_day: int,
) -> None:
    """Outages of one to five days, then temperature spikes, then PM10 spikes."""
    n_sensors = len(log.sens)
    n_t = log.times.size
    t_meas, pm10_meas = readings.measured["t"], readings.measured["pm10"]
    for i in candidates[: max(1, n_sensors // 8)]:
        a, b = _span(rng, n_t, 0.05, 0.95, int(rng.integers(1, 6)) * per_day)
        for q in log.keep:
            log.keep[q][i, a:b] = False
        log.add(i, "*", "gap", a, b, "no data (outage)")
    for i in candidates[: max(1, n_sensors // 5)]:
        for _ in range(int(rng.integers(2, 6))):
            j = int(rng.integers(0, n_t))
            t_meas[i, j] += rng.choice([-1, 1]) * rng.uniform(8, 20)
            log.add(i, "air_temperature", "spike", j, j, f"{t_meas[i, j]:.1f} °C")
    for i in pm_candidates[: max(1, len(pm_candidates) // 3)]:
        for _ in range(int(rng.integers(2, 6))):
            j = int(rng.integers(0, n_t))
            pm10_meas[i, j] = rng.uniform(300, 1500)
            log.add(i, "pm10", "spike", j, j, f"{pm10_meas[i, j]:.1f} µg/m³")


def battery_voltage(
    rng2: np.random.Generator, ids: np.ndarray, log: FaultLog, period: Period
) -> pd.DataFrame:
    """Battery voltage of the network boxes every 6 hours; the box that dies runs down first.

    Parameters
    ----------
    rng2 : numpy.random.Generator
        The stream of series added later.
    ids : numpy.ndarray
        Sensor ids of the network boxes.
    log : FaultLog
        Reported temperature readings (a box reports its voltage with them) and the box
        that dies.
    period : Period
        Times and steps per day.

    Returns
    -------
    pandas.DataFrame
        Long table of ``battery_voltage`` readings (V).
    """
    n_sensors, n_t, times = ids.size, period.n_t, period.times
    bat_t = np.arange(0, n_t, max(1, period.per_day // 4))
    volts = 3.95 - rng2.uniform(0.0, 0.25, n_sensors)[:, None] * (bat_t / n_t)[None, :]
    volts = volts + rng2.normal(0, 0.01, volts.shape)
    volts[log.dead] = np.interp(bat_t, [0, log.death], [3.9, 3.0]) + rng2.normal(
        0, 0.01, bat_t.size
    )
    bmask = log.keep["t"][:, bat_t]
    bi, bj = np.nonzero(bmask)
    return pd.DataFrame(
        {
            "sensor_id": ids[bi],
            "quantity": "battery_voltage",
            "time": times[bat_t[bj]],
            "value": np.round(volts[bi, bj], 3),
            "unit": "V",
        }
    )
