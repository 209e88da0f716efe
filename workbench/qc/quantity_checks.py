"""The per-quantity pass of a QC run, and what follows it across quantities.

:class:`QCState` holds one run's readings (sorted by quantity, sensor and time) and
what the checks found so far. :func:`check_quantity` runs, for one quantity, the tests
on each sensor's own readings, the humidity correction (PM) and the neighbour tests;
:func:`indoor_bits` spreads an indoor verdict to every environmental quantity of the
box; :func:`apply_calibrations` fits the co-location calibrations and applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.qc.colocation import calibrate_colocated
from workbench.qc.flags import QC, passed
from workbench.qc.hourly import hourly_wide
from workbench.qc.neighbour_tests import neighbour_findings
from workbench.qc.pm_correction import correct_for_humidity, is_pm
from workbench.qc.settings import QCSettings
from workbench.qc.single_sensor import single_sensor_flags


@dataclass
class QCState:
    """One QC run's readings and findings, filled quantity by quantity.

    Attributes
    ----------
    obs : DataFrame
        Readings sorted by quantity, sensor and time, with ``hour`` and ``hrow``.
    index : DatetimeIndex
        The run's hourly grid.
    refs : set of str
        Reference stations.
    pos : DataFrame
        Positions in metres.
    settings : QCSettings
        Thresholds.
    flags : ndarray of int64
        :class:`~workbench.qc.flags.QC` bits per reading.
    clean : ndarray
        Cleaned value per reading (raw until corrected or calibrated).
    qstart : dict
        Quantity -> row range in ``obs``.
    sq_info : dict
        ``(sensor, quantity)`` -> neighbour findings and indoor flag.
    indoor_days : dict
        Box -> days it looked indoor.
    hourly : dict
        Quantity -> hours × sensors of the passing (PM: corrected) readings.
    rh_source_of : dict
        ``(sensor, quantity)`` -> RH sensors used for the correction.
    pm_state : dict
        PM quantity -> ``(rh per reading, corrected values, box -> hourly RH)``.
    """

    obs: pd.DataFrame
    index: pd.DatetimeIndex
    refs: set[str]
    pos: pd.DataFrame
    settings: QCSettings
    flags: np.ndarray
    clean: np.ndarray
    qstart: dict[str, tuple[int, int]]
    sq_info: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    indoor_days: dict[str, pd.DatetimeIndex] = field(default_factory=dict)
    hourly: dict[str, pd.DataFrame] = field(default_factory=dict)
    rh_source_of: dict[tuple[str, str], Any] = field(default_factory=dict)
    pm_state: dict[str, tuple[np.ndarray, np.ndarray, dict[str, pd.Series]]] = field(
        default_factory=dict
    )

    def order(self) -> list[str]:
        """Quantities in checking order: quantities without PM first (PM needs checked RH)."""
        return sorted(self.qstart, key=lambda q: (is_pm(q, self.settings), q))


def check_quantity(st: QCState, q: str) -> None:
    """Run one quantity's tests and record the results in ``st``.

    Parameters
    ----------
    st : QCState
        The run; ``flags``, ``clean`` and the findings are updated.
    q : str
        The quantity (PM after relative humidity, see :meth:`QCState.order`).
    """
    s = st.settings
    a, b = st.qstart[q]
    df = st.obs.iloc[a:b]
    th = s.quantity(q)
    # reference stations get these three tests too; the rest is for boxes only
    st.flags[a:b] |= single_sensor_flags(df, th, s)
    if is_pm(q, s):
        # neighbours are compared after the humidity correction: fog inflates
        # every box, but by how much depends on each box's RH
        rh_wide = st.hourly.get("relative_humidity", pd.DataFrame(index=st.index))
        pm = correct_for_humidity(df, rh_wide, st.pos, st.refs, s)
        for sid, who in pm.used.items():
            st.rh_source_of[(sid, q)] = who
        st.flags[a:b] |= pm.bits
        st.clean[a:b] = pm.corrected
        st.pm_state[q] = (pm.rh_read, pm.corrected, pm.rh_for)
        df = df.assign(value=pm.corrected)
    wide = hourly_wide(df, passed(st.flags[a:b], s.informational), st.index)
    st.hourly[q] = wide
    if th is None or not th.get("mode") or not len(wide.columns):
        return
    found = neighbour_findings(df, wide, th, st.pos, st.refs, s)
    st.flags[a:b] |= found.bits
    for sid, rec in found.info.items():
        st.sq_info[(sid, q)] = rec
    for sid, days in found.indoor_days.items():
        st.indoor_days[sid] = days
        st.sq_info.setdefault((sid, q), {})["indoor_flag"] = True


def indoor_bits(
    obs: pd.DataFrame, indoor_days: dict[str, pd.DatetimeIndex], s: QCSettings
) -> np.ndarray:
    """``INDOOR`` bits per reading: indoor placement affects every environmental quantity.

    Parameters
    ----------
    obs : DataFrame
        The run's readings (``sensor_id, quantity, time``).
    indoor_days : dict
        Box -> days it looked indoor.
    s : QCSettings
        The environmental quantities are those with thresholds (``s.quantities``).

    Returns
    -------
    ndarray of int64
        ``QC.INDOOR`` where a box's reading falls on one of its indoor days, else 0.
    """
    bits = np.zeros(len(obs), dtype=np.int64)
    if not indoor_days:
        return bits
    day = obs["time"].dt.floor("1D")
    environmental = obs["quantity"].isin(list(s.quantities)).to_numpy()
    for sid, days in indoor_days.items():
        m = (obs["sensor_id"] == sid).to_numpy() & day.isin(days).to_numpy() & environmental
        bits[m] |= int(QC.INDOOR)
    return bits


def apply_calibrations(
    st: QCState, types: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], str]]:
    """Fit co-location calibrations on passing readings and apply them network-wide.

    Parameters
    ----------
    st : QCState
        The run after every quantity was checked; ``clean`` is updated.
    types : dict
        Sensor id -> sensor type.

    Returns
    -------
    list of dict
        Calibration records (one per model and stage).
    dict
        ``(sensor, quantity)`` -> model id applied.
    """
    s = st.settings
    records: list[dict[str, Any]] = []
    applied: dict[tuple[str, str], str] = {}
    for q in [q for q in st.order() if q in s.calibrate and q in st.pm_state]:
        a, b = st.qstart[q]
        df = st.obs.iloc[a:b]
        rh_read, corr, rh_for = st.pm_state[q]
        ok = passed(st.flags[a:b], s.informational)
        hc = hourly_wide(df.assign(value=corr), ok, st.index)
        hr = hourly_wide(df, ok, st.index)
        recs, models = calibrate_colocated(q, hc, hr, rh_for, st.refs, st.pos, types, s)
        records += recs
        sid_arr = df["sensor_id"].to_numpy()
        for sid, (mid, cal) in models.items():
            m = (sid_arr == sid) & (np.isfinite(rh_read) if cal.rh_term else True)
            if not np.any(m):
                continue
            st.clean[a:b][m] = cal.predict(pd.DataFrame({"pm": corr[m], "rh": rh_read[m]}))
            applied[(sid, q)] = mid
    return records, applied


__all__ = ["QCState", "apply_calibrations", "check_quantity", "indoor_bits"]
