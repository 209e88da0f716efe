"""One implemented green measure of known effect (what ``workbench evaluate`` must find).

Street trees are built next to the warmest fault-free network box, mid-period; from then
on every night-time hour of the boxes within the measure's radius is cooler by a known
amount, in the truth and in the readings alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.simulate.faults import FaultLog
from workbench.simulate.geography import TO_LONLAT
from workbench.simulate.sensors import Network, Readings
from workbench.simulate.weather import Period


def plant_measure(
    net: Network,
    cellf: pd.DataFrame,
    readings: Readings,
    faults: FaultLog,
    period: Period,
    *,
    days: int,
    effect_k: float,
    radius_m: float,
    day_frac: float,
) -> list[dict[str, Any]]:
    """Place the measure, apply its effect to the temperatures (in place), describe it.

    Parameters
    ----------
    net : Network
        The boxes.
    cellf : pandas.DataFrame
        True cell fields (the measure goes next to the box with the highest heat island).
    readings : Readings
        True and measured temperatures (``t``) are changed in place.
    faults : FaultLog
        Boxes with injected faults are not chosen.
    period : Period
        Times and the night-time mask.
    days : int
        Length of the period in days.
    effect_k : float
        Change of every night-time hour (K) after the build date within ``radius_m``.
    radius_m : float
        Radius of the effect in metres.
    day_frac : float
        Build date as a fraction of the period.

    Returns
    -------
    list of dict
        The register entry of the measure, with its true effect and treated boxes.
    """
    sens, sx, sy = net.sens, net.sx, net.sy
    n_sensors = len(sens)
    faulty = faults.sensor_ids()
    peak = cellf["uhi_peak_k"].to_numpy()[net.idx]
    fine = [i for i in range(1, n_sensors) if sens.at[i, "sensor_id"] not in faulty]
    ti = max(fine, key=lambda i: peak[i])
    mx, my = sx[ti] + 40.0, sy[ti] + 30.0
    m_lon, m_lat = TO_LONLAT.transform(mx, my)
    local = period.times.tz_convert("Europe/Berlin")
    built_on = (local[0].normalize() + pd.Timedelta(days=int(days * day_frac))).date()
    after = np.asarray(local.date >= built_on) & period.night
    treated_idx = np.nonzero((np.hypot(sx - mx, sy - my) <= radius_m) & (np.arange(n_sensors) > 0))[
        0
    ]
    for i in treated_idx:
        readings.true["t"][i, after] += effect_k
        readings.measured["t"][i, after] += effect_k
    return [
        {
            "measure_id": "M-001",
            "category": "trees",
            "lat": round(float(m_lat), 6),
            "lon": round(float(m_lon), 6),
            "built_on": str(built_on),
            "cost_eur": 48000.0,
            "radius_m": radius_m,
            "effect_k": effect_k,
            "quantity": "uhi_night",
            "treated_sensors": sens["sensor_id"].to_numpy()[treated_idx].tolist(),
        }
    ]
