"""The QC pipeline: flags, humidity correction, calibration and sensor health in one pass.

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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from workbench.geo import WORK_CRS
from workbench.qc import checks, neighbours
from workbench.qc.calibration import ColocationCalibration
from workbench.qc.flags import QC, passed
from workbench.qc.health import sensor_status
from workbench.qc.humidity import correct_pm, hourly_rh, rh_sources
from workbench.qc.settings import QCSettings
from workbench.quantities import QUANTITIES

HOUR = pd.Timedelta("1h")
_TO_METRES = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
BATTERY_QUANTITIES = {"battery_voltage": "battery_v", "battery_level": "battery_pct"}
SIGNAL_QUANTITIES = {"rssi": "rssi_dbm", "snr": "snr_db"}


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


# ---------------------------------------------------------------------- helpers
def _reference_ids(ids: list[str], sensors: pd.DataFrame, settings: QCSettings) -> dict[str, str]:
    """Sensor ids of reference stations -> station code.

    A sensor is a reference when its id, or its id after a source prefix such as
    ``uba:``, is a key of ``[reference_stations]``, or when its type is ``reference``.
    """
    out = {}
    for sid in ids:
        code = sid.split(":", 1)[-1]
        if sid in settings.references or code in settings.references:
            out[sid] = sid if sid in settings.references else code
    if "sensor_type" in sensors.columns:
        for sid in sensors.loc[sensors["sensor_type"] == "reference", "sensor_id"].astype(str):
            out.setdefault(sid, sid.split(":", 1)[-1])
    return out


def _positions_xy(
    positions: pd.DataFrame, refs: dict[str, str], settings: QCSettings
) -> pd.DataFrame:
    """Latest position of each sensor in metres; reference stations from config as fallback."""
    pos = positions.dropna(subset=["lat", "lon"])
    if "valid_from" in pos.columns and not pos.empty:
        pos = pos.sort_values("valid_from").groupby("sensor_id").tail(1)
    pos = pos[["sensor_id", "lat", "lon"]].astype({"sensor_id": str})
    have = set(pos["sensor_id"])
    extra = []
    for sid, code in refs.items():
        v = settings.references.get(code)
        if sid not in have and isinstance(v, dict) and "lat" in v and "lon" in v:
            extra.append({"sensor_id": sid, "lat": float(v["lat"]), "lon": float(v["lon"])})
    if extra:
        pos = pd.concat([pos, pd.DataFrame(extra)], ignore_index=True)
    x, y = _TO_METRES.transform(pos["lon"].to_numpy(float), pos["lat"].to_numpy(float))
    return pos.assign(x=x, y=y).reset_index(drop=True)


def _hourly_wide(df: pd.DataFrame, ok: np.ndarray, index: pd.DatetimeIndex) -> pd.DataFrame:
    """Mean of the passing readings per hour and sensor, on a regular hourly index."""
    sub = df.loc[ok, ["sensor_id", "hour", "value"]]
    wide = sub.groupby(["hour", "sensor_id"], observed=True)["value"].mean().unstack()
    return wide.reindex(index)


def _lookup(wide: pd.DataFrame, df: pd.DataFrame) -> np.ndarray:
    """The wide table's value at each reading's hour and sensor (NaN where absent)."""
    out = np.full(len(df), np.nan)
    if wide.empty:
        return out
    cols = {c: i for i, c in enumerate(wide.columns)}
    col = df["sensor_id"].map(cols).to_numpy(dtype=float)
    row = df["hrow"].to_numpy(dtype=float)
    ok = np.isfinite(col) & (row >= 0) & (row < len(wide))
    arr = wide.to_numpy(dtype=float)
    out[ok] = arr[row[ok].astype(int), col[ok].astype(int)]
    return out


# ---------------------------------------------------------------------- per quantity
def _is_pm(q: str, s: QCSettings) -> bool:
    return q in s.calibrate or q.startswith("pm")


def _attach_rh(
    df: pd.DataFrame, rh_wide: pd.DataFrame, pos: pd.DataFrame, refs: set[str], s: QCSettings
) -> tuple[np.ndarray, dict[str, pd.Series], dict[str, str | None]]:
    """RH for each PM reading (same box, else the nearest), per-box hourly RH, sources."""
    pm_sensors = sorted(set(df["sensor_id"]) - refs)
    rh_pos = pos[pos["sensor_id"].isin(rh_wide.columns)]
    src = rh_sources(pm_sensors, rh_pos, pos, max_distance_m=s.rh_max_distance_m)
    rh_read = np.full(len(df), np.nan)
    rh_for: dict[str, pd.Series] = {}
    used: dict[str, str | None] = {}
    sid_arr = df["sensor_id"].to_numpy()
    rows = df["hrow"].to_numpy()
    for sid in pm_sensors:
        val, who = hourly_rh(rh_wide, src[sid])
        rh_for[sid] = val
        m = sid_arr == sid
        rh_read[m] = val.to_numpy()[rows[m]]
        used[sid] = ",".join(str(u) for u in who.dropna().unique()) or None
    return rh_read, rh_for, used


def _single_sensor_flags(df: pd.DataFrame, th: dict[str, Any] | None, s: QCSettings) -> np.ndarray:
    q = str(df["quantity"].iat[0]) if len(df) else ""
    flags = np.zeros(len(df), dtype=np.int64)
    lo, hi = (th or {}).get("range") or (QUANTITIES[q].valid_min, QUANTITIES[q].valid_max)
    flags |= np.where(checks.range_flags(df["value"].to_numpy(), lo, hi), int(QC.RANGE), 0)
    if th is None:
        return flags
    bounds = np.flatnonzero(
        np.r_[True, df["sensor_id"].to_numpy()[1:] != df["sensor_id"].to_numpy()[:-1]]
    )
    ends = np.r_[bounds[1:], len(df)]
    times = pd.DatetimeIndex(df["time"])
    values = df["value"].to_numpy(dtype=float)
    for a, b in zip(bounds, ends, strict=True):
        ok = flags[a:b] == 0
        idx = np.flatnonzero(ok) + a
        if idx.size < 3:
            continue
        t, v = times[idx], values[idx]
        if "spike" in th:
            sp = checks.spike_flags(
                t,
                v,
                abs_min=th["spike"],
                rel=th.get("spike_rel", 0.0),
                k=s.spike_k,
                window=s.spike_window,
            )
            flags[idx[sp]] |= int(QC.SPIKE)
        if "stuck_hours" in th:
            st = checks.stuck_flags(t, v, min_duration=f"{th['stuck_hours']}h")
            flags[idx[st]] |= int(QC.STUCK)
    return flags


def _neighbour_tests(
    wide: pd.DataFrame,
    th: dict[str, Any],
    nb: dict[str, list[str]],
    judged: list[str],
    s: QCSettings,
) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Hour-level flags (int bits, wide) and per-sensor neighbour findings."""
    mode = th.get("mode", "difference")
    bits = pd.DataFrame(0, index=wide.index, columns=wide.columns, dtype=np.int64)
    info: dict[str, dict[str, Any]] = {}
    med, sd = neighbours.neighbour_median(wide, nb)
    if "neighbour" in th:
        far = neighbours.neighbour_flags(
            wide,
            med,
            sd,
            mode=mode,
            threshold=th["neighbour"],
            abs_min=th.get("neighbour_abs", 0.0),
            k=s.neighbour_k,
        )
        bits = bits | np.where(far.to_numpy(), int(QC.NEIGHBOUR), 0)
    resid = pd.DataFrame(
        neighbours.to_residual(wide.to_numpy(float), med.to_numpy(float), mode),
        index=wide.index,
        columns=wide.columns,
    )
    for sid in judged:
        if sid not in wide.columns or not nb.get(sid):
            info[sid] = {"neighbours": len(nb.get(sid, []))}
            continue
        d = resid[sid]
        rec: dict[str, Any] = {"neighbours": len(nb[sid]), "level_shifts": [], "drift": np.nan}
        col = wide.columns.get_loc(sid)
        if "step" in th:
            thr = neighbours.threshold_in_residual(th["step"], mode)
            cps = checks.level_shifts(d, min_shift=thr, window_h=s.level_window_h)
            shifted = checks.shifted_segments(d, cps, min_shift=thr)
            rec["level_shifts"] = [t.isoformat() for t in cps]
            rec["step_flag"] = bool(shifted.any())
            bits.iloc[shifted, col] |= int(QC.STEP)
        else:
            cps = []
        if "drift" in th:
            thr = neighbours.threshold_in_residual(th["drift"], mode)
            total, acc = checks.drift(d, change_points=cps)
            rec["drift"] = total if mode == "difference" else float(np.exp(total))
            if np.isfinite(total) and abs(total) > thr:
                rec["drift_flag"] = True
                bits.iloc[np.flatnonzero(np.abs(acc.to_numpy()) > thr), col] |= int(QC.DRIFT)
        info[sid] = rec
    return bits, info


# ---------------------------------------------------------------------- calibration
def _calibrate(
    q: str,
    hourly_clean: pd.DataFrame,
    hourly_raw: pd.DataFrame,
    rh_for: dict[str, pd.Series],
    refs: set[str],
    pos: pd.DataFrame,
    types: dict[str, str],
    s: QCSettings,
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, ColocationCalibration]]]:
    """Fit per co-located box and pooled; return records and sensor -> model."""
    ref_cols = [c for c in hourly_clean.columns if c in refs]
    boxes = [c for c in hourly_clean.columns if c not in refs]
    pxy = pos.set_index("sensor_id")[["x", "y"]]
    pairs: list[tuple[str, str]] = []
    for r in ref_cols:
        if r not in pxy.index:
            continue
        rx, ry = pxy.loc[r]
        for b in boxes:
            bx, by = pxy.loc[b] if b in pxy.index else (np.inf, np.inf)
            if np.hypot(bx - rx, by - ry) <= s.colocation_radius_m:
                pairs.append((b, r))
    records: list[dict[str, Any]] = []
    models: dict[str, tuple[str, ColocationCalibration]] = {}
    frames: dict[str, pd.DataFrame] = {}
    use_rh_of: dict[str, bool] = {}
    for b, r in pairs:
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
        if len(frame) < s.calibration_min_hours:
            continue
        frames[b] = frame
        mid = f"{q}:{b}@{r}"
        cal = _fit_record(
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
        use_rh = all(use_rh_of[b] for b in frames)
        frame = pd.concat([f.assign(sensor_id=b) for b, f in frames.items()], ignore_index=True)
        refs_used = sorted({r for b, r in pairs if b in frames})
        ptypes = sorted({types.get(b, "") for b in frames})
        cal = _fit_record(
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
    return records, models


def _fit_record(
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
    """Fit, evaluate and record a calibration; None when it fails the quality gate."""
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
    reason = _rejection(cal, metrics, s)
    base["applied"] = reason is None
    base["rejected_because"] = reason
    for stage, row in metrics.iterrows():
        records.append({**base, "stage": stage, **row.to_dict()})
    return cal if reason is None else None


def _rejection(cal: ColocationCalibration, metrics: pd.DataFrame, s: QCSettings) -> str | None:
    """Why a fitted calibration must not be applied, or None when it may."""
    after = metrics.loc["calibrated"]
    before = metrics.loc["humidity_corrected"]
    if not cal.coef_.get("pm", 0) > 0:
        return f"slope {cal.coef_.get('pm', float('nan')):.3f} is not positive"
    if not after["r2"] >= s.calibration_min_r2:
        return f"out-of-fold R² {after['r2']:.2f} below {s.calibration_min_r2:.2f}"
    if not after["rmse"] < before["rmse"]:
        return f"out-of-fold RMSE {after['rmse']:.2f} not below {before['rmse']:.2f} uncalibrated"
    return None


# ---------------------------------------------------------------------- the pipeline
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
    """
    s = settings
    obs = observations.copy()
    for c in ("sensor_id", "quantity"):
        obs[c] = obs[c].astype(str)
    if "source" not in obs.columns:
        obs["source"] = pd.NA
    obs["time"] = pd.to_datetime(obs["time"], utc=True)
    obs = obs.sort_values(["quantity", "sensor_id", "time"], kind="stable").reset_index(drop=True)
    obs["hour"] = obs["time"].dt.floor("1h")
    ref_codes = _reference_ids(sorted(obs["sensor_id"].unique()), sensors, s)
    refs = set(ref_codes)
    pos = _positions_xy(positions, ref_codes, s)
    types = (
        dict(
            zip(
                sensors["sensor_id"].astype(str),
                sensors["sensor_type"].fillna("").astype(str),
                strict=True,
            )
        )
        if "sensor_type" in sensors.columns
        else {}
    )
    if as_of is None:
        as_of = obs["time"].max() if len(obs) else pd.Timestamp.now(tz="UTC")
    t0 = obs["hour"].min() if len(obs) else pd.Timestamp.now(tz="UTC").floor("1h")
    index = pd.date_range(t0, obs["hour"].max() if len(obs) else t0, freq="1h")
    obs["hrow"] = ((obs["hour"] - t0) // HOUR).astype(np.int64)

    flags = np.zeros(len(obs), dtype=np.int64)
    clean = obs["value"].to_numpy(dtype=float).copy()
    qv = obs["quantity"].to_numpy()
    cut = np.flatnonzero(np.r_[True, qv[1:] != qv[:-1]]) if len(obs) else np.array([], int)
    qstart = {
        str(qv[a]): (int(a), int(b)) for a, b in zip(cut, np.r_[cut[1:], len(obs)], strict=True)
    }
    sq_info: dict[tuple[str, str], dict[str, Any]] = {}
    indoor_days: dict[str, pd.DatetimeIndex] = {}
    hourly: dict[str, pd.DataFrame] = {}
    rh_source_of: dict[str, Any] = {}
    calib_records: list[dict[str, Any]] = []
    applied: dict[tuple[str, str], str] = {}

    excluded = obs["sensor_id"].isin(s.exclude_sensors).to_numpy()
    flags[excluded] |= int(QC.EXCLUDED)

    # quantities without PM first: PM needs the checked RH
    order = sorted(qstart, key=lambda q: (_is_pm(q, s), q))
    pm_state: dict[str, tuple[np.ndarray, np.ndarray, dict[str, pd.Series]]] = {}
    for q in order:
        a, b = qstart[q]
        df = obs.iloc[a:b]
        th = s.quantity(q)
        is_box = ~df["sensor_id"].isin(refs).to_numpy()
        # reference stations get these three tests too; the rest is for boxes only
        flags[a:b] |= _single_sensor_flags(df, th, s)
        if _is_pm(q, s):
            # neighbours are compared after the humidity correction: fog inflates
            # every box, but by how much depends on each box's RH
            rh_wide = hourly.get("relative_humidity", pd.DataFrame(index=index))
            rh_read, rh_for, used = _attach_rh(df, rh_wide, pos, refs, s)
            for sid, who in used.items():
                rh_source_of[(sid, q)] = who
            corr, humid = correct_pm(
                df["value"].to_numpy(float), rh_read, kappa=s.kappa, max_rh=s.max_rh
            )
            corr = np.where(is_box, corr, df["value"].to_numpy(float))
            flags[a:b] |= np.where(is_box & humid, int(QC.HUMID), 0)
            flags[a:b] |= np.where(is_box & ~np.isfinite(rh_read), int(QC.NO_RH), 0)
            clean[a:b] = corr
            pm_state[q] = (rh_read, corr, rh_for)
            df = df.assign(value=corr)
        wide = _hourly_wide(df, passed(flags[a:b], s.informational), index)
        hourly[q] = wide
        if th is None or not th.get("mode") or not len(wide.columns):
            continue
        sub_pos = pos[pos["sensor_id"].isin(wide.columns)]
        nb = neighbours.neighbour_sets(
            sub_pos, radius_m=s.neighbour_radius_m, min_n=s.neighbour_min, max_n=s.neighbour_max
        )
        judged = [c for c in wide.columns if c not in refs]
        bits, info = _neighbour_tests(wide, th, nb, judged, s)
        hb = np.nan_to_num(_lookup(bits.astype(float), df)).astype(np.int64)
        flags[a:b] |= np.where(is_box, hb, 0)
        for sid, rec in info.items():
            sq_info[(sid, q)] = rec
        if th.get("indoor"):
            days = neighbours.indoor_flags(
                wide,
                nb,
                min_ratio=s.indoor_min_ratio,
                window_days=s.indoor_window_days,
                min_hours=s.min_daily_hours,
            )
            for sid in judged:
                if sid in days.columns and days[sid].any():
                    indoor_days[sid] = days.index[days[sid].to_numpy()]
                    sq_info.setdefault((sid, q), {})["indoor_flag"] = True

    # indoor placement affects every environmental quantity of the box
    if indoor_days:
        day = obs["time"].dt.floor("1D")
        environmental = obs["quantity"].isin(list(s.quantities)).to_numpy()
        for sid, days in indoor_days.items():
            m = (obs["sensor_id"] == sid).to_numpy() & day.isin(days).to_numpy() & environmental
            flags[m] |= int(QC.INDOOR)

    # co-location calibration, fitted on readings that passed, applied network-wide
    for q in [q for q in order if q in s.calibrate and q in pm_state]:
        a, b = qstart[q]
        df = obs.iloc[a:b]
        rh_read, corr, rh_for = pm_state[q]
        ok = passed(flags[a:b], s.informational)
        hc = _hourly_wide(df.assign(value=corr), ok, index)
        hr = _hourly_wide(df, ok, index)
        recs, models = _calibrate(q, hc, hr, rh_for, refs, pos, types, s)
        calib_records += recs
        sid_arr = df["sensor_id"].to_numpy()
        for sid, (mid, cal) in models.items():
            m = (sid_arr == sid) & (np.isfinite(rh_read) if cal.rh_term else True)
            if not np.any(m):
                continue
            clean[a:b][m] = cal.predict(pd.DataFrame({"pm": corr[m], "rh": rh_read[m]}))
            applied[(sid, q)] = mid

    out = pd.DataFrame(
        {
            "sensor_id": obs["sensor_id"],
            "quantity": obs["quantity"],
            "time": obs["time"],
            "value": clean,
            "raw_value": obs["value"].to_numpy(float),
            "qc": flags.astype(np.int32),
            "source": obs["source"],
        }
    )
    sq = _sensor_quantity_table(out, sq_info, rh_source_of, applied, s)
    health = _health(out, sq, obs, as_of, s)
    calibrations = pd.DataFrame(calib_records)
    summary = {
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
    return QCResult(out, sq, calibrations, health, summary)


def _sensor_quantity_table(
    out: pd.DataFrame,
    info: dict[tuple[str, str], dict[str, Any]],
    rh_source_of: dict[tuple[str, str], Any],
    applied: dict[tuple[str, str], str],
    s: QCSettings,
) -> pd.DataFrame:
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


def _health(
    out: pd.DataFrame, sq: pd.DataFrame, obs: pd.DataFrame, as_of: pd.Timestamp, s: QCSettings
) -> pd.DataFrame:
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


__all__ = ["QCResult", "run_qc"]
