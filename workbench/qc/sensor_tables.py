"""The per-sensor tables and the summary of a QC run, computed from its flagged readings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.qc.flags import QC, passed
from workbench.qc.health import sensor_status
from workbench.qc.hourly import HOUR
from workbench.qc.settings import QCSettings

BATTERY_QUANTITIES = {"battery_voltage": "battery_v", "battery_level": "battery_pct"}
SIGNAL_QUANTITIES = {"rssi": "rssi_dbm", "snr": "snr_db"}


def sensor_quantity_table(
    out: pd.DataFrame,
    info: dict[tuple[str, str], dict[str, Any]],
    rh_source_of: dict[tuple[str, str], Any],
    applied: dict[tuple[str, str], str],
    s: QCSettings,
) -> pd.DataFrame:
    """Per sensor and quantity: readings, flags per test, neighbour findings, RH, model.

    Parameters
    ----------
    out : DataFrame
        The run's readings (``sensor_id, quantity, qc``).
    info : dict
        ``(sensor, quantity)`` -> neighbour findings and indoor flag.
    rh_source_of : dict
        ``(sensor, quantity)`` -> RH sensors used.
    applied : dict
        ``(sensor, quantity)`` -> calibration model id applied.
    s : QCSettings
        ``informational`` flags (not counted as flagged).

    Returns
    -------
    DataFrame
        One row per sensor and quantity.
    """
    bitcols = {f"n_{name.lower()}": int(bit) for name, bit in QC.__members__.items()}
    qcv = out["qc"].to_numpy()
    tmp = pd.DataFrame(
        {
            "sensor_id": out["sensor_id"],
            "quantity": out["quantity"],
            "flagged": ~passed(qcv, s.informational),
        }
    )
    for c, bit in bitcols.items():
        tmp[c] = (qcv & bit) != 0
    g = tmp.groupby(["sensor_id", "quantity"], sort=True)
    table = g.size().rename("n").to_frame().join(g.sum())
    table = table.reset_index()
    keys = list(zip(table["sensor_id"], table["quantity"], strict=True))
    table["neighbours"] = [info.get(k, {}).get("neighbours", 0) for k in keys]
    table["level_shifts"] = [";".join(info.get(k, {}).get("level_shifts", [])) for k in keys]
    table["drift"] = [info.get(k, {}).get("drift", np.nan) for k in keys]
    table["drift_flag"] = [bool(info.get(k, {}).get("drift_flag", False)) for k in keys]
    table["step_flag"] = [bool(info.get(k, {}).get("step_flag", False)) for k in keys]
    table["indoor_flag"] = [bool(info.get(k, {}).get("indoor_flag", False)) for k in keys]
    table["rh_source"] = [rh_source_of.get(k) for k in keys]
    table["calibration"] = [applied.get(k) for k in keys]
    return table


def health_table(
    out: pd.DataFrame, sq: pd.DataFrame, obs: pd.DataFrame, as_of: pd.Timestamp, s: QCSettings
) -> pd.DataFrame:
    """Per sensor: last seen, completeness, flagged share, drift, battery, signal, status.

    Parameters
    ----------
    out : DataFrame
        The run's readings (``sensor_id, quantity, time, raw_value, qc``).
    sq : DataFrame
        :func:`sensor_quantity_table`.
    obs : DataFrame
        The prepared input readings (with ``hour``), in the order of ``out``.
    as_of : Timestamp
        The time health is judged at.
    s : QCSettings
        Health limits, excluded sensors, informational flags.

    Returns
    -------
    DataFrame
        One row per measuring sensor with ``status`` and ``reasons``.
    """
    ok = passed(out["qc"].to_numpy(), s.informational)
    measured = ~out["quantity"].isin([*BATTERY_QUANTITIES, *SIGNAL_QUANTITIES]).to_numpy()
    base = out.loc[measured]
    g = base.groupby("sensor_id")
    table = pd.DataFrame(
        {
            "first_seen": g["time"].min(),
            "last_seen": g["time"].max(),
            "n_readings": g.size(),
            "flagged_share": (~pd.Series(ok[measured], index=base.index))
            .groupby(base["sensor_id"])
            .mean(),
            "quantities": g["quantity"].agg(lambda x: ",".join(sorted(set(x)))),
        }
    )
    good_hours = obs.loc[measured].groupby("sensor_id")["hour"].nunique()
    span = ((as_of.floor("1h") - table["first_seen"].dt.floor("1h")) / HOUR + 1).clip(lower=1)
    table["completeness"] = (good_hours.reindex(table.index).fillna(0) / span).clip(0, 1).round(4)
    for flag in ("drift_flag", "step_flag", "indoor_flag"):
        table[flag] = sq.groupby("sensor_id")[flag].any().reindex(table.index).fillna(False)
    # drift per quantity: temperature in K, PM as a factor
    for q, col in (("air_temperature", "drift_temperature_k"), ("pm2_5", "drift_pm2_5_factor")):
        d = sq[sq["quantity"] == q].set_index("sensor_id")["drift"]
        table[col] = d.reindex(table.index)
    table["excluded"] = table.index.isin(s.exclude_sensors)
    last = out.sort_values("time").groupby(["sensor_id", "quantity"]).tail(1)
    for q, col in BATTERY_QUANTITIES.items():
        table[col] = (
            last[last["quantity"] == q].set_index("sensor_id")["raw_value"].reindex(table.index)
        )
    recent = out[out["time"] > as_of - pd.Timedelta("24h")]
    for q, col in SIGNAL_QUANTITIES.items():
        table[col] = (
            recent[recent["quantity"] == q]
            .groupby("sensor_id")["raw_value"]
            .median()
            .reindex(table.index)
        )
    table = table.reset_index().rename(columns={"index": "sensor_id"})
    return sensor_status(table, as_of=as_of, limits=s.health)


def run_summary(
    out: pd.DataFrame,
    health: pd.DataFrame,
    applied: dict[tuple[str, str], str],
    as_of: pd.Timestamp,
    s: QCSettings,
) -> dict[str, Any]:
    """Counts per quantity and flag, sensors per status, calibrated sensors, ``as_of``.

    Parameters
    ----------
    out : DataFrame
        The run's readings (``quantity, qc``).
    health : DataFrame
        :func:`health_table`.
    applied : dict
        ``(sensor, quantity)`` -> calibration model id applied.
    as_of : Timestamp
        The time health was judged at.
    s : QCSettings
        ``informational`` flags.

    Returns
    -------
    dict
        ``as_of, readings, passed, flags, status, calibrated_sensors``.
    """
    flags = out["qc"].to_numpy()
    return {
        "as_of": as_of.isoformat(),
        "readings": len(out),
        "passed": int(passed(flags, s.informational).sum()),
        "flags": {
            q: {
                name.lower(): int(((g["qc"].to_numpy() & int(bit)) != 0).sum())
                for name, bit in QC.__members__.items()
            }
            for q, g in out.groupby("quantity")
        },
        "status": health["status"]
        .value_counts()
        .reindex(["ok", "degraded", "stale", "dead"], fill_value=0)
        .astype(int)
        .to_dict(),
        "calibrated_sensors": len({k[0] for k in applied}),
    }


__all__ = [
    "BATTERY_QUANTITIES",
    "SIGNAL_QUANTITIES",
    "health_table",
    "run_summary",
    "sensor_quantity_table",
]
