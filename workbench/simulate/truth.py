"""The truth of the simulated city per cell, and scoring a fitted run against it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.simulate.fields import pm_diurnal
from workbench.simulate.weather import Period


def make_truth_cells(
    grid: pd.DataFrame, cellf: pd.DataFrame, rural: int, period: Period
) -> pd.DataFrame:
    """True cell fields relative to the rural reference, as written to ``truth_cells.parquet``.

    Parameters
    ----------
    grid, cellf : pandas.DataFrame
        The grid and its true cell fields.
    rural : int
        Grid row of the rural reference.
    period : Period
        Times and rural weather.

    Returns
    -------
    pandas.DataFrame
        ``cell_id``, ``uhi_k`` (mean nocturnal heat island, K), ``pm2_5_ugm3`` (period mean
        PM2.5, µg/m³) and the planted ``heat_hotspot`` and ``air_hotspot``.
    """
    rural_peak = cellf["uhi_peak_k"].iat[rural]
    uhi_k = np.clip(cellf["uhi_peak_k"].to_numpy() - rural_peak, 0, None) * (
        period.mean_night_factor()
    )
    pm_morning = float(pm_diurnal(period.hour).mean())
    pm_mean = (
        period.weather["pm_bg"].mean() * cellf["pm_factor"].to_numpy()
        + cellf["pm_local"].to_numpy() * pm_morning
    )
    return pd.DataFrame(
        {
            "cell_id": grid["cell_id"],
            "uhi_k": uhi_k,
            "pm2_5_ugm3": pm_mean,
            "heat_hotspot": cellf["heat_spot"].to_numpy() > 0.5,
            "air_hotspot": cellf["pm_spot"].to_numpy() > 2.5,
        }
    )


def compare_with_truth(
    cells: pd.DataFrame,
    areas: pd.DataFrame,
    truth_cells: pd.DataFrame,
    *,
    weights: dict[str, float],
    distance: float = 500.0,
    permutations: int = 999,
    seed: int = 0,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """Score a fitted run (``cells``, ``areas`` of ``results/latest``) against the truth.

    The true hotspots are the Gi* hot spots of the *true* fields with the run's own
    parameters (a hotspot is a significant cluster of high values, so the planted bumps
    lie inside larger hot clusters wherever they sit in dense, sealed fabric); the
    planted bumps are scored separately (``*_planted_recall``). The true need ranks are
    the need index of the true fields with the configured weights.

    Parameters
    ----------
    cells, areas : pandas.DataFrame
        The run's cell and area tables.
    truth_cells : pandas.DataFrame
        ``truth/truth_cells.parquet`` of the simulated city.
    weights : dict of str to float
        Need-index weights of the run.
    distance, permutations, seed, alpha : float, int, int, float
        Gi* parameters of the run.

    Returns
    -------
    dict
        Per field (``heat``, ``air``): ``*_rmse``, ``*_coverage95`` (if the run has standard
        errors), ``*_hotspot_precision``, ``*_hotspot_recall``, ``*_planted_recall``; then
        ``area_rank_interval_coverage``, ``area_rank_exact`` and the ``areas`` table with
        the true need ranks.
    """
    from workbench.models.area_means import area_means
    from workbench.models.hotspots import gi_star
    from workbench.models.need import indicators, need_index, need_rank

    t = truth_cells.set_index("cell_id").loc[cells["cell_id"]]
    xy = cells[["x", "y"]].to_numpy(float)
    out: dict[str, Any] = {}
    for prefix, col, tcol in (("heat", "heat_uhi_k", "uhi_k"), ("air", "pm2_5_ugm3", "pm2_5_ugm3")):
        if col not in cells:
            continue
        true = t[tcol].to_numpy(float)
        est = cells[col].to_numpy(float)
        out[f"{prefix}_rmse"] = float(np.sqrt(np.mean((est - true) ** 2)))
        se = cells.get(col.replace("_k", "_se").replace("_ugm3", "_se"))
        if se is not None:
            out[f"{prefix}_coverage95"] = float(np.mean(np.abs(est - true) <= 1.96 * se))
        g = gi_star(true, xy, distance=distance, permutations=permutations, seed=seed, alpha=alpha)
        th, hot = g["hotspot"].to_numpy(), cells[f"{prefix}_hotspot"].to_numpy(bool)
        tp = int((th & hot).sum())
        out[f"{prefix}_hotspot_precision"] = tp / max(int(hot.sum()), 1)
        out[f"{prefix}_hotspot_recall"] = tp / max(int(th.sum()), 1)
        planted = t[f"{prefix}_hotspot"].to_numpy(bool)
        out[f"{prefix}_planted_recall"] = float((planted & hot).sum() / max(planted.sum(), 1))
    true_cells = cells.assign(
        heat_uhi_k=t["uhi_k"].to_numpy(float), pm2_5_ugm3=t["pm2_5_ugm3"].to_numpy(float)
    )
    ta = area_means(true_cells)
    ta["true_need_rank"] = need_rank(
        need_index(indicators(ta, heat="heat_uhi_k_popw", air="pm2_5_ugm3_popw"), weights)
    )
    m = areas.merge(ta[["area_id", "true_need_rank"]], on="area_id")
    inside = (m["true_need_rank"] >= m["need_rank_lo"]) & (m["true_need_rank"] <= m["need_rank_hi"])
    out["area_rank_interval_coverage"] = float(inside.mean())
    out["area_rank_exact"] = float((m["true_need_rank"] == m["need_rank"]).mean())
    out["areas"] = m[["area_id", "need_rank", "need_rank_lo", "need_rank_hi", "true_need_rank"]]
    return out
