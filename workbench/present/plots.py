"""Charts for the analyst notebooks: validation, calibration, rank intervals, allocations.

Each function takes result tables and returns a matplotlib figure; nothing is read from
disk here. Maps are in :mod:`workbench.present.maps`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench import i18n

MODELS = ("regression_kriging", "idw", "covariates_only")
MODEL_LABELS = {
    "regression_kriging": "regression kriging",
    "idw": "IDW",
    "covariates_only": "covariates only",
}


def _plt() -> Any:
    import matplotlib.pyplot as plt

    return plt


def cv_scatter(sensors: pd.DataFrame, prefix: str, unit: str) -> Any:
    """Observed against cross-validated predictions, per scheme, model and baselines.

    ``sensors`` is ``results/<run>/sensors.parquet``; ``prefix`` is ``heat``, ``pm2_5``, …
    """
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True)
    obs = sensors[f"{prefix}_oof_observed"]
    ok = np.isfinite(obs)
    lo, hi = np.nanmin(obs[ok]), np.nanmax(obs[ok])
    for ax, scheme, title in zip(
        axes, ("loso", "block"), ("leave one sensor out", "2 km spatial blocks"), strict=True
    ):
        for model, marker in zip(MODELS, ("o", "s", "^"), strict=True):
            col = f"{prefix}_oof_{scheme}_{model}"
            if col not in sensors:
                continue
            pred = sensors[col]
            rmse = float(np.sqrt(np.nanmean((pred[ok] - obs[ok]) ** 2)))
            ax.scatter(
                obs[ok],
                pred[ok],
                s=14,
                marker=marker,
                alpha=0.7,
                label=f"{MODEL_LABELS[model]} (RMSE {rmse:.2f})",
            )
        ax.plot([lo, hi], [lo, hi], color="black", lw=0.8)
        ax.set_title(title)
        ax.set_xlabel(f"observed ({unit})")
        ax.legend(fontsize=8)
    axes[0].set_ylabel(f"predicted without the sensor ({unit})")
    fig.tight_layout()
    return fig


def calibration_plot(calibrations: pd.DataFrame) -> Any:
    """RMSE against the reference before (raw) and after calibration, per co-located model."""
    plt = _plt()
    c = calibrations[calibrations["stage"].isin(["raw", "calibrated"])]
    w = c.pivot_table(index="model_id", columns="stage", values="rmse", aggfunc="first")
    w = w.dropna().sort_values("raw")
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(w) + 1.5))
    y = np.arange(len(w))
    ax.barh(y - 0.2, w["raw"], height=0.4, label="raw", color="#d95f02")
    ax.barh(y + 0.2, w["calibrated"], height=0.4, label="calibrated", color="#1b9e77")
    ax.set_yticks(y, w.index, fontsize=7)
    ax.set_xlabel("RMSE against the reference station (µg/m³)")
    ax.legend()
    fig.tight_layout()
    return fig


def health_summary(health: pd.DataFrame) -> Any:
    """Sensor status counts and the distribution of completeness."""
    plt = _plt()
    from workbench.present.maps import STATUS_COLOURS

    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    counts = health["status"].value_counts().reindex(list(STATUS_COLOURS), fill_value=0)
    a.bar(counts.index, counts.values, color=[STATUS_COLOURS[s] for s in counts.index])
    a.set_title("sensor status")
    for i, v in enumerate(counts.values):
        a.text(i, v, str(v), ha="center", va="bottom")
    b.hist(health["completeness"].dropna(), bins=20, color="#4575b4")
    b.set_title("completeness (share of expected hours)")
    fig.tight_layout()
    return fig


def rank_intervals(frame: pd.DataFrame, label: str, *, top: int = 30) -> Any:
    """Rank with its Monte-Carlo interval (``rank``, ``rank_lo``, ``rank_hi`` or the
    ``need_rank*`` columns), best first."""
    plt = _plt()
    r, lo, hi = (
        ("rank", "rank_lo", "rank_hi")
        if "rank" in frame
        else ("need_rank", "need_rank_lo", "need_rank_hi")
    )
    f = frame.sort_values(r).head(top)
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(f) + 1.2))
    y = np.arange(len(f))[::-1]
    ax.hlines(y, f[lo], f[hi], color="#7570b3", lw=3, alpha=0.7, label="90% interval")
    ax.plot(f[r], y, "o", color="black", ms=4, label="rank")
    ax.set_yticks(y, [str(v)[:45] for v in f[label]], fontsize=7)
    ax.set_xlabel("rank (1 = highest)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def allocation_comparison(summary: pd.DataFrame, lang: str = "en") -> Any:
    """Money to hotspots, voters served and need at funded sites, per allocation method."""
    plt = _plt()
    s = summary.set_index("method")
    names = [i18n.method(m, lang) for m in s.index]
    cols = [
        ("to_hotspots_share", i18n.t("to_hotspots", lang)),
        ("voters_with_funded_project_share", i18n.t("voters_served", lang)),
        ("need_at_funded_sites", i18n.t("need_funded", lang)),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
    for ax, (col, title) in zip(axes, cols, strict=True):
        ax.barh(names, s[col], color="#2e7d32")
        ax.set_title(title, fontsize=9)
        for i, v in enumerate(s[col]):
            ax.text(v, i, f" {v:.2f}", va="center", fontsize=8)
        ax.set_xlim(0, max(1.0, float(s[col].max()) * 1.2))
    fig.tight_layout()
    return fig
