"""Place proposals in districts and grid cells.

With coordinates a proposal gets the district containing it and the nearest grid
cell. Without, its district or address text is matched against the district names
(``"Buer"``, ``"Gelsenkirchen-Buer, Hochstraße 5"``) and it is placed at the
population-weighted centre of that district (``placement = "area"``). Anything else is
kept and listed as ``unplaced`` — never dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from workbench.geo import WORK_CRS, area_lookup
from workbench.participation.table import norm

PLACEMENTS = ("coordinates", "area", "unplaced")


def _area_names(areas: pd.DataFrame) -> dict[str, str]:
    out = {}
    for aid, name in zip(areas["area_id"], areas["name"], strict=True):
        out[norm(aid)] = aid
        out[norm(name)] = aid
    return out


def _match_area(text: object, names: dict[str, str]) -> str | None:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    t = norm(str(text))
    if t in names:
        return names[t]
    # the longest district name that occurs as a whole word in the text
    hits = [k for k in names if k and f"_{k}_" in f"_{t}_"]
    return names[max(hits, key=len)] if hits else None


def place(
    proposals: pd.DataFrame, areas: pd.DataFrame | None, grid: pd.DataFrame | None
) -> pd.DataFrame:
    """Add ``area_id``, ``cell_id``, ``x``, ``y`` (EPSG:25832) and ``placement``."""
    p = proposals.copy()
    to_utm = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    has_xy = p["lat"].notna() & p["lon"].notna()
    x = np.full(len(p), np.nan)
    y = np.full(len(p), np.nan)
    if has_xy.any():
        x[has_xy], y[has_xy] = to_utm.transform(
            p.loc[has_xy, "lon"].to_numpy(float), p.loc[has_xy, "lat"].to_numpy(float)
        )
    placement = np.where(has_xy, "coordinates", "unplaced").astype(object)
    area = p["area_id"].astype(object).where(p["area_id"].notna(), None).to_numpy(copy=True)
    if areas is not None and len(areas):
        names = _area_names(areas)
        if has_xy.any():
            found = area_lookup(areas)(
                p.loc[has_xy, "lon"].to_numpy(float), p.loc[has_xy, "lat"].to_numpy(float)
            )
            area[has_xy.to_numpy()] = found
        for i in np.flatnonzero(~has_xy.to_numpy()):
            aid = _match_area(p["area_id"].iat[i], names) or _match_area(p["address"].iat[i], names)
            area[i] = aid
            if aid is not None and grid is not None:
                cells = grid[grid["area_id"] == aid]
                w = cells["population"].to_numpy(float) + 1e-9 if "population" in cells else None
                if len(cells):
                    x[i] = np.average(cells["x"], weights=w)
                    y[i] = np.average(cells["y"], weights=w)
                    placement[i] = "area"
        # named areas that are not districts of this workspace are not trusted
        area = np.array([a if a in set(areas["area_id"]) else None for a in area], dtype=object)
    cell = np.full(len(p), None, dtype=object)
    if grid is not None and len(grid):
        ok = np.isfinite(x)
        if ok.any():
            tree = cKDTree(grid[["x", "y"]].to_numpy(float))
            d, j = tree.query(np.column_stack([x[ok], y[ok]]))
            ids = grid["cell_id"].to_numpy(object)[j]
            ids[d > 500] = None  # farther than 500 m from any cell: outside the grid
            cell[ok] = ids
    p["area_id"] = area
    p["cell_id"] = cell
    p["x"], p["y"] = x, y
    p["placement"] = placement
    return p
