"""A QC run: flags, humidity correction, calibration and sensor health in one pass.

:func:`run_qc` is a pure function of the observations, sensor metadata, positions and
settings. Order of work, per quantity:

1. range, spike and stuck tests on each sensor's raw readings;
2. hourly means of the readings that passed, in a wide hour × sensor table;
3. neighbour tests on the hourly table: departure from the neighbours' median, level
   shifts and drift of the difference to the neighbours, and (temperature) the indoor
   test on the diurnal range — an indoor box gets all its quantities flagged;
4. PM only: humidity correction with RH from the same or the nearest box, then the
   co-location calibration against the reference stations, applied to every box of a
   calibrated type.

Reference stations (``[reference_stations]`` and sensors of type ``reference``) get the
range, spike and stuck tests only: they are the yardstick, not the judged.

The steps live in their own modules: :mod:`~workbench.qc.single_sensor`,
:mod:`~workbench.qc.pm_correction`, :mod:`~workbench.qc.neighbour_tests`,
:mod:`~workbench.qc.colocation`, :mod:`~workbench.qc.quantity_checks` and
:mod:`~workbench.qc.sensor_tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.qc.flags import QC
from workbench.qc.hourly import PAD_HOURS, hour_grid, quantity_slices
from workbench.qc.network import positions_xy, reference_ids, sensor_types
from workbench.qc.quantity_checks import QCState, apply_calibrations, check_quantity, indoor_bits
from workbench.qc.sensor_tables import health_table, run_summary, sensor_quantity_table
from workbench.qc.settings import QCSettings


@dataclass
class QCResult:
    """What :func:`run_qc` found.

    Attributes
    ----------
    observations : DataFrame
        ``sensor_id, quantity, time, value, raw_value, qc, source``: ``value`` is the
        cleaned value (humidity-corrected and calibrated PM; the raw value otherwise),
        ``qc`` the bit mask of :class:`~workbench.qc.flags.QC`.
    sensor_quantities : DataFrame
        Per sensor and quantity: readings, flags per test, neighbours, level shifts,
        drift against the neighbours, RH source and calibration applied.
    calibrations : DataFrame
        One row per fitted model with coefficients, 95 % intervals and quality before
        and after (one row per stage, ``stage`` column).
    health : DataFrame
        Per sensor: last seen, completeness, flagged share, drift, battery, signal,
        ``status`` and ``reasons`` (see :mod:`workbench.qc.health`).
    summary : dict
        Counts per quantity and flag, parameters, ``as_of``.
    """

    observations: pd.DataFrame
    sensor_quantities: pd.DataFrame
    calibrations: pd.DataFrame
    health: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def prepare_observations(observations: pd.DataFrame) -> pd.DataFrame:
    """A sorted copy of the readings with text ids, UTC times, ``source`` and ``hour``.

    Parameters
    ----------
    observations : DataFrame
        ``sensor_id, quantity, time, value`` (and optionally ``source``).

    Returns
    -------
    DataFrame
        Sorted by quantity, sensor and time, on a fresh range index.
    """
    obs = observations.copy()
    for c in ("sensor_id", "quantity"):
        obs[c] = obs[c].astype(str)
    if "source" not in obs.columns:
        obs["source"] = pd.NA
    obs["time"] = pd.to_datetime(obs["time"], utc=True)
    obs = obs.sort_values(["quantity", "sensor_id", "time"], kind="stable").reset_index(drop=True)
    obs["hour"] = obs["time"].dt.floor("1h")
    return obs


def run_qc(
    observations: pd.DataFrame,
    *,
    sensors: pd.DataFrame,
    positions: pd.DataFrame,
    settings: QCSettings,
    as_of: pd.Timestamp | None = None,
) -> QCResult:
    """Flag, correct and calibrate observations; judge sensor health.

    Parameters
    ----------
    observations : DataFrame
        ``sensor_id, quantity, time (UTC), value`` (and optionally ``source``).
    sensors : DataFrame
        Sensor metadata with ``sensor_id`` and ``sensor_type``.
    positions : DataFrame
        ``sensor_id, lat, lon`` (and ``valid_from``); the latest position is used.
    settings : QCSettings
        Thresholds (``workbench.toml``).
    as_of : Timestamp, optional
        The time health is judged at; default the newest reading.

    Returns
    -------
    QCResult
        Flagged and cleaned readings, per-sensor tables, calibrations and summary.
    """
    s = settings
    obs = prepare_observations(observations)
    ref_codes = reference_ids(sorted(obs["sensor_id"].unique()), sensors, s)
    if as_of is None:
        as_of = obs["time"].max() if len(obs) else pd.Timestamp.now(tz="UTC")
    # the grid follows the data, never the span alone (one reading in 2000 and one today)
    index, hrow = hour_grid(obs, pad=max(PAD_HOURS, 3 * s.level_window_h + 2))
    obs["hrow"] = hrow
    st = QCState(
        obs=obs,
        index=index,
        refs=set(ref_codes),
        pos=positions_xy(positions, ref_codes, s),
        settings=s,
        flags=np.zeros(len(obs), dtype=np.int64),
        clean=obs["value"].to_numpy(dtype=float).copy(),
        qstart=quantity_slices(obs),
    )
    excluded = obs["sensor_id"].isin(s.exclude_sensors).to_numpy()
    st.flags[excluded] |= int(QC.EXCLUDED)
    for q in st.order():
        check_quantity(st, q)
    st.flags |= indoor_bits(obs, st.indoor_days, s)
    calib_records, applied = apply_calibrations(st, sensor_types(sensors))

    out = pd.DataFrame(
        {
            "sensor_id": obs["sensor_id"],
            "quantity": obs["quantity"],
            "time": obs["time"],
            "value": st.clean,
            "raw_value": obs["value"].to_numpy(float),
            "qc": st.flags.astype(np.int32),
            "source": obs["source"],
        }
    )
    sq = sensor_quantity_table(out, st.sq_info, st.rh_source_of, applied, s)
    health = health_table(out, sq, obs, as_of, s)
    summary = run_summary(out, health, applied, as_of, s)
    return QCResult(out, sq, pd.DataFrame(calib_records), health, summary)


__all__ = ["QCResult", "prepare_observations", "run_qc"]
