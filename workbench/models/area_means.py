"""District (area) summaries of a grid of cells."""

from __future__ import annotations

import numpy as np
import pandas as pd


def area_means(cells: pd.DataFrame) -> pd.DataFrame:
    """Per area: plain and population-weighted means, hotspot shares and people.

    The area's hazard standard error (``*_se``) is the mean of its cells' errors, which
    assumes errors fully correlated within the area (conservative).
    """
    c = cells[cells["area_id"].notna()]
    value_cols = [
        col
        for col in ("heat_uhi_k", "pm2_5_ugm3", "pm10_ugm3", "no2_ugm3", "green", "impervious")
        if col in c
    ]
    se_cols = [col for col in ("heat_uhi_se", "pm2_5_se") if col in c]
    flag_cols = [col for col in c.columns if col.endswith(("_hotspot", "_coldspot"))]
    g = c.groupby("area_id", sort=True)
    out = g[value_cols + se_cols].mean()
    shares = g[flag_cols].mean()
    out[[f"{f}_share" for f in flag_cols]] = shares.to_numpy(float)
    pop = c["population"].astype(float)
    for col in value_cols:
        wsum = (c[col] * pop).groupby(c["area_id"]).sum()
        psum = pop.groupby(c["area_id"]).sum()
        out[f"{col}_popw"] = np.where(psum > 0, wsum / psum.where(psum > 0, 1), out[col])
    for col in ("population", "pop_65plus", "pop_under6"):
        out[col] = g[col].sum()
    out["cells"] = g.size()
    if "need_index" in c:
        out["need_index_cell_mean"] = g["need_index"].mean()
    return out.reset_index()
