"""Geodata: district polygons (areas) and the 100 m grid with covariates.

The workbench computes in EPSG:25832 (ETRS89 / UTM 32N, Gelsenkirchen's official CRS).
Areas arrive as GeoJSON in EPSG:4326 with ``area_id`` and ``name``; grids as CSV or
Parquet with cell centres ``x, y`` in a given CRS and covariates, or as the Zensus 2022
100 m grid CSV (``GITTER_ID_100m;x_mp_100m;y_mp_100m;...`` in EPSG:3035). Every grid cell
is assigned the area containing its centre.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import CRS, Transformer

from workbench.importers.base import ImportFormatError, numeric_column, read_csv_table
from workbench.importers.jsonutil import NESTED

WORK_CRS = "EPSG:25832"
ZENSUS_CRS = "EPSG:3035"
# covariate -> (min, max) allowed
COVARIATES: dict[str, tuple[float, float]] = {
    "impervious": (0.0, 1.0),
    "green": (0.0, 1.0),
    "water": (0.0, 1.0),
    "building_height": (0.0, 400.0),
    "road_density": (0.0, 1000.0),
    "population": (0.0, 1e6),
    "pop_65plus": (0.0, 1e6),
    "pop_under6": (0.0, 1e6),
}
# Zensus 2022 column names -> workbench names
ZENSUS_COLUMNS = {"Einwohner": "population", "Insgesamt_Bevoelkerung": "population"}


# ---------------------------------------------------------------------- areas
def parse_areas(data: bytes, source: str = "<bytes>") -> pd.DataFrame:
    """Parse district polygons from GeoJSON (EPSG:4326).

    Returns a DataFrame with ``area_id``, ``name``, ``geometry`` (shapely, lon/lat) and any
    other properties.

    Examples
    --------
    >>> gj = b'''{"type": "FeatureCollection", "features": [{"type": "Feature",
    ...   "properties": {"area_id": "buer", "name": "Buer"}, "geometry": {"type": "Polygon",
    ...   "coordinates": [[[7.0, 51.5], [7.1, 51.5], [7.1, 51.6], [7.0, 51.5]]]}}]}'''
    >>> parse_areas(gj)[["area_id", "name"]].values.tolist()
    [['buer', 'Buer']]
    """
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(source, f"not valid GeoJSON ({exc})") from None
    except RecursionError:
        raise ImportFormatError(source, f"not valid GeoJSON ({NESTED})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFormatError(source, "expected a GeoJSON FeatureCollection")
    crs = ((doc.get("crs") or {}).get("properties") or {}).get("name", "")
    if crs and "4326" not in crs and "CRS84" not in crs:
        raise ImportFormatError(source, f"areas must be in EPSG:4326, the file declares {crs!r}")
    rows = []
    for i, f in enumerate(doc.get("features") or []):
        where = f"features[{i}]"
        if not isinstance(f, dict):
            raise ImportFormatError(
                source, f"expected a Feature object, got {type(f).__name__}", field=where
            )
        props = f.get("properties") or {}
        if not isinstance(props, dict):
            raise ImportFormatError(
                source, "'properties' must be an object", field=f"{where}.properties"
            )
        for key in ("area_id", "name"):
            if props.get(key) in (None, ""):
                raise ImportFormatError(
                    source, f"{where}: missing property {key!r}", field=f"{where}.properties.{key}"
                )
        try:
            geom = shapely.geometry.shape(f.get("geometry"))
        except Exception as exc:
            raise ImportFormatError(
                source, f"{where}: invalid geometry ({exc})", field=f"{where}.geometry"
            ) from None
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise ImportFormatError(
                source,
                f"{where}: expected a (Multi)Polygon, got {geom.geom_type}",
                field=f"{where}.geometry",
            )
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ImportFormatError(
                source,
                f"{where}: coordinates are not longitude/latitude (EPSG:4326)",
                field=f"{where}.geometry",
            )
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        rows.append(
            {
                **props,
                "area_id": str(props["area_id"]),
                "name": str(props["name"]),
                "geometry": geom,
            }
        )
    if not rows:
        raise ImportFormatError(source, "the FeatureCollection has no features")
    df = pd.DataFrame(rows)
    dup = df["area_id"].duplicated()
    if dup.any():
        raise ImportFormatError(source, f"duplicate area_id {df.loc[dup, 'area_id'].iloc[0]!r}")
    return df


def areas_to_geojson(areas: pd.DataFrame) -> dict[str, Any]:
    """Serialise an areas DataFrame back to a GeoJSON FeatureCollection."""
    feats = []
    for r in areas.to_dict("records"):
        geom = r.pop("geometry")
        props = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
        feats.append(
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
        )
    return {"type": "FeatureCollection", "features": feats}


def area_lookup(areas: pd.DataFrame) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Return ``f(lon, lat) -> area_id`` (None outside every area).

    Examples
    --------
    >>> a = pd.DataFrame({"area_id": ["a"], "name": ["A"],
    ...                   "geometry": [shapely.box(7.0, 51.0, 7.1, 51.1)]})
    >>> area_lookup(a)(np.array([7.05, 8.0]), np.array([51.05, 51.05])).tolist()
    ['a', None]
    """
    geoms = list(areas["geometry"])
    ids = list(areas["area_id"])
    for g in geoms:
        shapely.prepare(g)

    def lookup(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        out = np.full(lon.shape, None, dtype=object)
        for g, aid in zip(geoms, ids, strict=True):
            free = np.equal(out, None)
            if not free.any():
                break
            inside = np.zeros(lon.shape, dtype=bool)
            inside[free] = shapely.contains_xy(g, lon[free], lat[free])
            out[inside] = aid
        return out

    return lookup


# ---------------------------------------------------------------------- grid
def is_zensus(columns: list[str]) -> bool:
    return {"GITTER_ID_100m", "x_mp_100m", "y_mp_100m"} <= set(columns)


def parse_grid(
    data: bytes, *, source: str = "<bytes>", crs: str = WORK_CRS, parquet: bool = False
) -> pd.DataFrame:
    """Parse a grid of cell centres with covariates and reproject to EPSG:25832.

    Zensus 2022 100 m CSVs are recognised by their columns and read in EPSG:3035,
    whatever ``crs`` says; their suppressed values (``-``, ``–``) become missing.

    Returns a DataFrame with ``cell_id``, ``x``, ``y`` (EPSG:25832), ``lon``, ``lat`` and the
    covariates (unknown columns are kept).

    Examples
    --------
    >>> g = parse_grid(b"x,y,green\\n362050,5712050,0.4\\n")
    >>> g[["cell_id", "green"]].values.tolist()
    [['E362050N5712050', 0.4]]
    """
    if parquet:
        try:
            table = pq.read_table(io.BytesIO(data))
        except Exception as exc:
            raise ImportFormatError(source, f"not a readable Parquet file ({exc})") from None
    else:
        table, _ = read_csv_table(data, source)
    cols = table.column_names
    zensus = is_zensus(cols)
    if zensus:
        crs = ZENSUS_CRS
        table = _zensus_clean(table, source)
        cols = table.column_names
    elif not {"x", "y"} <= set(cols):
        raise ImportFormatError(
            source,
            "a grid needs columns x and y (cell centres) or the "
            "Zensus columns GITTER_ID_100m;x_mp_100m;y_mp_100m",
            line=1,
        )
    xcol, ycol = ("x_mp_100m", "y_mp_100m") if zensus else ("x", "y")
    x = numeric_column(table, xcol, source).to_numpy(zero_copy_only=False)
    y = numeric_column(table, ycol, source).to_numpy(zero_copy_only=False)
    for name, arr in ((xcol, x), (ycol, y)):
        if np.isnan(arr).any():
            i = int(np.flatnonzero(np.isnan(arr))[0])
            raise ImportFormatError(source, "missing coordinate", line=i + 2, field=name)
    try:
        src = CRS.from_user_input(crs)
    except Exception:
        raise ImportFormatError(source, f"unknown CRS {crs!r} (use e.g. EPSG:25832)") from None
    out = pd.DataFrame()
    if zensus:
        out["cell_id"] = table["GITTER_ID_100m"].cast(pa.string()).to_pylist()
    to_work = Transformer.from_crs(src, WORK_CRS, always_xy=True)
    X, Y = to_work.transform(x, y)
    if not zensus and "cell_id" in cols:
        out["cell_id"] = table["cell_id"].cast(pa.string()).to_pylist()
    elif not zensus:
        out["cell_id"] = [f"E{round(a)}N{round(b)}" for a, b in zip(X, Y, strict=True)]
    out["x"] = X
    out["y"] = Y
    lon, lat = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True).transform(X, Y)
    out["lon"] = lon
    out["lat"] = lat
    if not (np.all(np.abs(lat) <= 90) and np.all(np.isfinite(lat))):
        raise ImportFormatError(source, f"coordinates do not fit CRS {crs!r}")
    skip = {xcol, ycol, "GITTER_ID_100m", "cell_id", "lon", "lat", "area_id"}
    for c in cols:
        if c in skip:
            continue
        name = ZENSUS_COLUMNS.get(c, c) if zensus else c
        if name in COVARIATES:
            vals = numeric_column(table, c, source).to_numpy(zero_copy_only=False)
            lo, hi = COVARIATES[name]
            bad = ~np.isnan(vals) & ((vals < lo) | (vals > hi))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ImportFormatError(
                    source,
                    f"expected a value in [{lo:g}, {hi:g}], got {vals[i]:g}",
                    line=i + 2,
                    field=c,
                )
            out[name] = vals
        else:
            out[name] = table[c].to_pandas()
    dup = out["cell_id"].duplicated()
    if dup.any():
        raise ImportFormatError(source, f"duplicate cell {out.loc[dup, 'cell_id'].iloc[0]!r}")
    return out


def _zensus_clean(table: pa.Table, source: str) -> pa.Table:
    """Turn Zensus suppression marks into nulls so numeric columns parse."""
    cols = {}
    for name in table.column_names:
        col = table[name]
        if pa.types.is_string(col.type) and name != "GITTER_ID_100m":
            s = pd.Series(col.to_pylist(), dtype="object").str.strip()
            s = s.where(~s.isin(["-", "–", "—", ".", "/", "x", ""]), None)
            s = s.str.replace(",", ".", regex=False)
            num = pd.to_numeric(s, errors="coerce")
            if (num.notna() | s.isna()).all():
                cols[name] = pa.array(num.to_numpy(dtype=float), pa.float64(), from_pandas=True)
                continue
        cols[name] = col
    return pa.table(cols)


def assign_areas(grid: pd.DataFrame, areas: pd.DataFrame | None) -> pd.DataFrame:
    """Return the grid with ``area_id`` of the area containing each cell centre."""
    g = grid.copy()
    if areas is None or areas.empty:
        g["area_id"] = None
        return g
    g["area_id"] = area_lookup(areas)(g["lon"].to_numpy(), g["lat"].to_numpy())
    return g


def read_areas(path: str | Path) -> pd.DataFrame:
    p = Path(path)
    return parse_areas(p.read_bytes(), source=str(p))


def read_grid(path: str | Path, crs: str = WORK_CRS) -> pd.DataFrame:
    p = Path(path)
    return parse_grid(p.read_bytes(), source=str(p), crs=crs, parquet=p.suffix == ".parquet")
