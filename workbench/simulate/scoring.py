"""Score QC against known faults and calibration against known true values.

Only data with known truth can be scored: the simulated demo city
(:mod:`workbench.simulate.city`) logs every fault it injects (``truth/faults.csv``) and the
true value behind every reading (``truth/truth_observations.parquet``). These functions
compare a :class:`~workbench.qc.run_checks.QCResult` with that log; they are what the
tests assert on and what the QC notebook shows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from workbench.qc.flags import QC

#: Which QC bit is meant to catch which injected fault kind.
TARGETS = {
    "spike": QC.SPIKE | QC.RANGE,
    "stuck": QC.STUCK,
    "step": QC.STEP,
    "drift": QC.DRIFT,
    "indoor": QC.INDOOR,
}


def _drift_onset(fault: pd.Series, threshold: float) -> pd.Timestamp:
    """When a linear drift from ``start`` to ``end`` first exceeds ``threshold``.

    The magnitude is read from the fault's ``detail`` ("+2.5 K over the period",
    "gain rising to 1.6x"); ``threshold`` is in K or as a factor accordingly.
    """
    start, end = pd.Timestamp(fault["start"]), pd.Timestamp(fault["end"])
    m = re.search(r"([+-]?\d+(?:\.\d+)?)\s*(K|x)", str(fault["detail"]))
    if not m:
        return start
    size, unit = float(m.group(1)), m.group(2)
    frac = abs(threshold / size) if unit == "K" else (threshold - 1) / (size - 1)
    return start + (end - start) * float(np.clip(frac, 0, 1))


def fault_mask(
    obs: pd.DataFrame,
    faults: pd.DataFrame,
    kinds: list[str],
    *,
    drift_thresholds: dict | None = None,
) -> np.ndarray:
    """Readings lying inside an injected fault of one of ``kinds``.

    Spikes are single readings (``start``); intervals include both ends. With
    ``drift_thresholds`` (quantity -> threshold) a drift counts only from when it
    exceeds the threshold.
    """
    mask = np.zeros(len(obs), dtype=bool)
    sid = obs["sensor_id"].to_numpy()
    qty = obs["quantity"].to_numpy()
    t = obs["time"]
    for f in faults[faults["fault"].isin(kinds)].itertuples():
        m = sid == f.sensor_id
        if f.quantity != "*":
            m &= qty == f.quantity
        start = pd.Timestamp(f.start)
        if f.fault == "drift" and drift_thresholds and f.quantity in drift_thresholds:
            start = _drift_onset(pd.Series(f._asdict()), drift_thresholds[f.quantity])
        m &= ((t >= start) & (t <= pd.Timestamp(f.end))).to_numpy()
        mask |= m
    return mask


def score_flags(
    observations: pd.DataFrame,
    faults: pd.DataFrame,
    *,
    drift_thresholds: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Precision and recall of each QC test against the injected faults it targets.

    Parameters
    ----------
    observations : DataFrame
        QC output (``sensor_id, quantity, time, qc``).
    faults : DataFrame
        ``sensor_id, quantity, fault, start, end, detail`` as written by the generator.

    Returns
    -------
    DataFrame
        One row per test: ``flagged``, ``faulty`` (readings in its fault kind),
        ``true_positives``, ``precision`` (flags on that fault kind), ``precision_any``
        (flags on any injected fault: the rest fell on clean readings) and ``recall``.
    """
    f = faults.copy()
    f["start"] = pd.to_datetime(f["start"], utc=True)
    f["end"] = pd.to_datetime(f["end"], utc=True)
    qc = observations["qc"].to_numpy()
    value_faults = [k for k in f["fault"].unique() if k not in ("gap", "dead")]
    any_fault = fault_mask(observations, f, value_faults)
    rows = []
    for kind, bit in TARGETS.items():
        if kind not in set(f["fault"]):
            continue
        truth = fault_mask(observations, f, [kind], drift_thresholds=drift_thresholds)
        # only the quantities the fault kind was injected into
        qs = set(f.loc[f["fault"] == kind, "quantity"]) - {"*"}
        scope = observations["quantity"].isin(qs).to_numpy() if qs else np.ones(len(qc), bool)
        flagged = ((qc & int(bit)) != 0) & scope
        tp = int((flagged & truth).sum())
        rows.append(
            {
                "test": kind,
                "bits": "|".join(b.name.lower() for b in QC if b & bit),
                "flagged": int(flagged.sum()),
                "faulty": int(truth.sum()),
                "true_positives": tp,
                "precision": tp / flagged.sum() if flagged.any() else np.nan,
                "precision_any": (flagged & any_fault).sum() / flagged.sum()
                if flagged.any()
                else np.nan,
                "recall": tp / truth.sum() if truth.any() else np.nan,
            }
        )
    nb = (qc & int(QC.NEIGHBOUR)) != 0
    rows.append(
        {
            "test": "neighbour",
            "bits": "neighbour",
            "flagged": int(nb.sum()),
            "faulty": int(any_fault.sum()),
            "true_positives": int((nb & any_fault).sum()),
            "precision": (nb & any_fault).sum() / nb.sum() if nb.any() else np.nan,
            "precision_any": (nb & any_fault).sum() / nb.sum() if nb.any() else np.nan,
            "recall": (nb & any_fault).sum() / any_fault.sum() if any_fault.any() else np.nan,
        }
    )
    return pd.DataFrame(rows)


def score_calibration(
    observations: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    quantity: str = "pm2_5",
    exclude_sensors: set[str] | None = None,
) -> pd.DataFrame:
    """Error of raw and cleaned values against the true values, for readings that passed QC.

    Returns one row per stage (``raw``, ``cleaned``) with ``n``, ``rmse``, ``bias``,
    ``mae`` and ``median_ratio`` (median of value / true value).
    """
    o = observations[(observations["quantity"] == quantity) & (observations["qc"] == 0)]
    if exclude_sensors:
        o = o[~o["sensor_id"].isin(exclude_sensors)]
    tr = truth[truth["quantity"] == quantity][["sensor_id", "time", "true_value"]]
    m = o.merge(tr, on=["sensor_id", "time"], how="inner")
    rows = []
    for stage, col in (("raw", "raw_value"), ("cleaned", "value")):
        err = m[col].to_numpy(float) - m["true_value"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = m[col].to_numpy(float) / m["true_value"].to_numpy(float)
        rows.append(
            {
                "stage": stage,
                "n": len(m),
                "rmse": float(np.sqrt(np.mean(err**2))) if len(m) else np.nan,
                "bias": float(np.mean(err)) if len(m) else np.nan,
                "mae": float(np.mean(np.abs(err))) if len(m) else np.nan,
                "median_ratio": float(np.nanmedian(ratio)) if len(m) else np.nan,
            }
        )
    return pd.DataFrame(rows)


__all__ = ["TARGETS", "fault_mask", "score_calibration", "score_flags"]
