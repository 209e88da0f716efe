"""Plain-text summary of a QC run, as ``workbench qc`` prints it."""

from __future__ import annotations

import pandas as pd

from workbench.qc.flags import QC
from workbench.qc.run_checks import QCResult


def report_lines(result: QCResult) -> list[str]:
    """Lines: readings passed, flags per quantity and test, calibrations, sensor health."""
    s = result.summary
    lines = [
        f"qc          {s['passed']} of {s['readings']} readings passed "
        f"({s['passed'] / max(1, s['readings']):.1%}); health judged as of {s['as_of']}",
    ]
    names = [b.name.lower() for b in QC]
    lines.append(f"  {'quantity':<20} " + " ".join(f"{n:>9}" for n in names))
    for q, counts in s["flags"].items():
        if any(counts.values()):
            lines.append(f"  {q:<20} " + " ".join(f"{counts[n]:>9}" for n in names))
    cal = result.calibrations
    if cal.empty:
        lines.append("calibration none (no PM box within the co-location radius of a reference)")
    else:
        lines.append("calibration (hourly, against the reference; 'after' is out-of-fold)")
        for mid, g in cal.groupby("model_id", sort=False):
            st = g.set_index("stage")
            first = g.iloc[0]

            def fmt(stage: str, st: pd.DataFrame = st) -> str:
                r = st.loc[stage]
                return (
                    f"R² {r['r2']:.2f} [{r['r2_lo']:.2f}, {r['r2_hi']:.2f}], "
                    f"RMSE {r['rmse']:.1f}, bias {r['bias']:+.1f}"
                )

            lines.append(
                f"  {mid}: {first['n_hours']} h, y = {first['coef_const']:.2f} "
                f"+ {first['coef_pm']:.3f}·PM"
                + (
                    f" + {first['coef_rh']:.3f}·RH"
                    if "coef_rh" in g and pd.notna(first.get("coef_rh"))
                    else ""
                )
            )
            if not first.get("applied", True):
                lines.append(f"    NOT APPLIED: {first['rejected_because']}")
            for stage in ("raw", "humidity_corrected", "calibrated"):
                if stage in st.index:
                    lines.append(f"    {stage:<19} {fmt(stage)}")
    h = result.health
    counts = h["status"].value_counts()
    lines.append(
        "sensors     "
        + ", ".join(f"{k} {int(counts.get(k, 0))}" for k in ("ok", "degraded", "stale", "dead"))
    )
    for r in h[h["status"] != "ok"].itertuples():
        lines.append(f"  {r.sensor_id:<24} {r.status:<9} {r.reasons}")
    return lines


__all__ = ["report_lines"]
