"""Co-location calibration of PM boxes against reference stations, within a QC run.

Each box within ``colocation_radius_m`` of a reference station gets its own model; with
two or more such boxes a pooled model is fitted too and serves the boxes of the same
types that have no station nearby (with a single box, its own model does). A model is
applied only when it passes the quality gate (:func:`rejection`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.qc.calibration import ColocationCalibration
from workbench.qc.settings import QCSettings

Models = dict[str, tuple[str, ColocationCalibration]]


def colocated_pairs(
    columns: pd.Index, refs: set[str], pos: pd.DataFrame, radius_m: float
) -> list[tuple[str, str]]:
    """``(box, reference)`` pairs within ``radius_m`` of each other.

    Parameters
    ----------
    columns : Index
        Sensors of the hourly table.
    refs : set of str
        Reference stations.
    pos : DataFrame
        Positions in metres (``sensor_id, x, y``).
    radius_m : float
        The co-location radius.

    Returns
    -------
    list of (str, str)
        In reference order, then box order; boxes without a position never pair.
    """
    ref_cols = [c for c in columns if c in refs]
    boxes = [c for c in columns if c not in refs]
    pxy = pos.set_index("sensor_id")[["x", "y"]]
    pairs: list[tuple[str, str]] = []
    for r in ref_cols:
        if r not in pxy.index:
            continue
        rx, ry = pxy.loc[r]
        for b in boxes:
            bx, by = pxy.loc[b] if b in pxy.index else (np.inf, np.inf)
            if np.hypot(bx - rx, by - ry) <= radius_m:
                pairs.append((b, r))
    return pairs


def _pair_frame(
    b: str,
    r: str,
    hourly_clean: pd.DataFrame,
    hourly_raw: pd.DataFrame,
    rh_for: dict[str, pd.Series],
    s: QCSettings,
) -> tuple[pd.DataFrame, bool]:
    """Hourly ``time, pm, rh, raw, ref`` of a box and its station; whether RH is used."""
    frame = pd.DataFrame(
        {
            "time": hourly_clean.index,
            "pm": hourly_clean[b].to_numpy(),
            "rh": rh_for[b].to_numpy() if b in rh_for else np.nan,
            "raw": hourly_raw[b].to_numpy(),
            "ref": hourly_clean[r].to_numpy(),
        }
    ).dropna(subset=["pm", "raw", "ref"])
    # the RH term needs RH; a box without a working humidity sensor nearby is
    # calibrated without it (and without the humidity correction)
    use_rh = s.rh_term and frame["rh"].notna().sum() >= s.calibration_min_hours
    if use_rh:
        frame = frame.dropna(subset=["rh"])
    return frame, use_rh


def calibrate_colocated(
    q: str,
    hourly_clean: pd.DataFrame,
    hourly_raw: pd.DataFrame,
    rh_for: dict[str, pd.Series],
    refs: set[str],
    pos: pd.DataFrame,
    types: dict[str, str],
    s: QCSettings,
) -> tuple[list[dict[str, Any]], Models]:
    """Fit per co-located box and pooled; return records and sensor -> model.

    Parameters
    ----------
    q : str
        The PM quantity.
    hourly_clean, hourly_raw : DataFrame
        Hours × sensors of humidity-corrected and of raw passing readings.
    rh_for : dict
        Box -> hourly RH series.
    refs : set of str
        Reference stations.
    pos : DataFrame
        Positions in metres.
    types : dict
        Sensor id -> sensor type.
    s : QCSettings
        Calibration settings.

    Returns
    -------
    list of dict
        One record per model and stage (see :func:`fit_record`).
    dict
        Box -> ``(model_id, calibration)`` for every box a model applies to.
    """
    boxes = [c for c in hourly_clean.columns if c not in refs]
    pairs = colocated_pairs(hourly_clean.columns, refs, pos, s.colocation_radius_m)
    records: list[dict[str, Any]] = []
    models: Models = {}
    frames: dict[str, pd.DataFrame] = {}
    use_rh_of: dict[str, bool] = {}
    for b, r in pairs:
        frame, use_rh = _pair_frame(b, r, hourly_clean, hourly_raw, rh_for, s)
        if len(frame) < s.calibration_min_hours:
            continue
        frames[b] = frame
        mid = f"{q}:{b}@{r}"
        cal = fit_record(
            mid,
            q,
            frame,
            s,
            records,
            rh_term=use_rh,
            scope="sensor",
            sensor_id=b,
            reference=r,
            types=sorted({types.get(b, "")}),
        )
        if cal is not None:
            models[b] = (mid, cal)
        use_rh_of[b] = use_rh
    if len(frames) == 1:  # one box: its own model serves the network
        (only,) = frames
        if only in models:
            for b in boxes:
                if b not in models and (types.get(b, "") == types.get(only, "")):
                    models[b] = models[only]
    elif frames:
        _fit_pooled(q, frames, pairs, use_rh_of, boxes, types, s, records, models)
    return records, models


def _fit_pooled(
    q: str,
    frames: dict[str, pd.DataFrame],
    pairs: list[tuple[str, str]],
    use_rh_of: dict[str, bool],
    boxes: list[str],
    types: dict[str, str],
    s: QCSettings,
    records: list[dict[str, Any]],
    models: Models,
) -> None:
    """Fit one model on all co-located boxes; it serves boxes of their types without one."""
    use_rh = all(use_rh_of[b] for b in frames)
    frame = pd.concat([f.assign(sensor_id=b) for b, f in frames.items()], ignore_index=True)
    refs_used = sorted({r for b, r in pairs if b in frames})
    ptypes = sorted({types.get(b, "") for b in frames})
    cal = fit_record(
        f"{q}:pooled",
        q,
        frame,
        s,
        records,
        rh_term=use_rh,
        scope="pooled",
        sensor_id=None,
        reference=",".join(refs_used),
        types=ptypes,
    )
    for b in boxes:
        if cal is not None and b not in models and (types.get(b, "") in ptypes or "" in ptypes):
            models[b] = (f"{q}:pooled", cal)


def fit_record(
    mid: str,
    q: str,
    frame: pd.DataFrame,
    s: QCSettings,
    records: list[dict[str, Any]],
    *,
    rh_term: bool,
    scope: str,
    sensor_id: str | None,
    reference: str,
    types: list[str],
) -> ColocationCalibration | None:
    """Fit, evaluate and record a calibration; None when it fails the quality gate.

    Parameters
    ----------
    mid : str
        Model id.
    q : str
        The quantity.
    frame : DataFrame
        Hourly ``pm, rh, raw, ref`` (and ``time``).
    s : QCSettings
        Method, folds, bootstrap, seed and quality gate.
    records : list of dict
        Appended: one record per evaluation stage.
    rh_term : bool
        Whether the model has an RH term.
    scope : str
        ``"sensor"`` or ``"pooled"``.
    sensor_id : str or None
        The box of a per-sensor model.
    reference : str
        The station(s) fitted against.
    types : list of str
        Sensor types the model covers.

    Returns
    -------
    ColocationCalibration or None
        The fitted model when it may be applied.
    """
    cal = ColocationCalibration(
        method=s.calibration_method,
        rh_term=rh_term,
        n_folds=s.folds,
        n_boot=s.bootstrap,
        random_state=s.seed,
    ).fit(frame, frame["ref"])
    metrics = cal.evaluate(frame, frame["ref"], raw=frame["raw"].to_numpy())
    base = {
        "model_id": mid,
        "quantity": q,
        "scope": scope,
        "sensor_id": sensor_id,
        "reference": reference,
        "sensor_types": ",".join(t for t in types if t) or None,
        "method": s.calibration_method,
        "rh_term": rh_term,
        "n_hours": cal.n_,
        "start": cal.period_[0],
        "end": cal.period_[1],
    }
    for name in ("const", "pm", "rh"):
        if name in cal.coef_:
            base[f"coef_{name}"] = cal.coef_[name]
            base[f"coef_{name}_lo"] = float(cal.conf_int_.loc[name, "low"])
            base[f"coef_{name}_hi"] = float(cal.conf_int_.loc[name, "high"])
    reason = rejection(cal, metrics, s)
    base["applied"] = reason is None
    base["rejected_because"] = reason
    for stage, row in metrics.iterrows():
        records.append({**base, "stage": stage, **row.to_dict()})
    return cal if reason is None else None


def rejection(cal: ColocationCalibration, metrics: pd.DataFrame, s: QCSettings) -> str | None:
    """Why a fitted calibration must not be applied, or None when it may.

    Parameters
    ----------
    cal : ColocationCalibration
        The fitted model.
    metrics : DataFrame
        Its evaluation, one row per stage (``humidity_corrected``, ``calibrated`` ...).
    s : QCSettings
        ``calibration_min_r2``.

    Returns
    -------
    str or None
        The reason, or None.
    """
    after = metrics.loc["calibrated"]
    before = metrics.loc["humidity_corrected"]
    if not cal.coef_.get("pm", 0) > 0:
        return f"slope {cal.coef_.get('pm', float('nan')):.3f} is not positive"
    if not after["r2"] >= s.calibration_min_r2:
        return f"out-of-fold R² {after['r2']:.2f} below {s.calibration_min_r2:.2f}"
    if not after["rmse"] < before["rmse"]:
        return f"out-of-fold RMSE {after['rmse']:.2f} not below {before['rmse']:.2f} uncalibrated"
    return None


__all__ = ["calibrate_colocated", "colocated_pairs", "fit_record", "rejection"]
