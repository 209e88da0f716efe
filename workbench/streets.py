"""Main streets for orientation on maps without a background map.

``workbench init --streets FILE`` reads lines from an OSM extract or ATKIS (GeoJSON or
GeoPackage, any CRS), keeps the main roads when the file says which they are (OSM
``highway``, ATKIS ``WDM``/``BEZ``), simplifies them to about 10 m and stores them as
``W/geo/streets.geojson`` in lon/lat. The citizen pages draw them under the district
boundaries; nothing about them is sent anywhere.

Examples
--------
>>> fc = {"type": "FeatureCollection", "features": [
...     {"type": "Feature", "properties": {"name": "Cranger Straße", "highway": "primary"},
...      "geometry": {"type": "LineString", "coordinates": [[7.10, 51.55], [7.11, 51.56]]}},
...     {"type": "Feature", "properties": {"highway": "footway"},
...      "geometry": {"type": "LineString", "coordinates": [[7.10, 51.55], [7.10, 51.551]]}}]}
>>> s = parse_streets(json.dumps(fc).encode(), "streets.geojson")
>>> s["name"].tolist(), len(s)
(['Cranger Straße'], 1)
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputError

# OSM highway classes that orient a reader at city scale
MAIN_HIGHWAYS = {
    "motorway", "trunk", "primary", "secondary", "tertiary",
    "motorway_link", "trunk_link", "primary_link", "secondary_link",
}  # fmt: skip
MAX_BYTES = 200_000_000
MAX_LINES = 50_000
SIMPLIFY_DEG = 0.0001  # about 7–11 m at 51° N


def _is_main(props: dict[str, Any]) -> bool:
    if "highway" in props:
        return str(props.get("highway")) in MAIN_HIGHWAYS
    if "WDM" in props:  # ATKIS Widmung: 1301 Bundesautobahn … 1305 Gemeindestraße
        return str(props.get("WDM")) in {"1301", "1303", "1305", "1306", "1307"}
    return True


def _frame(geoms: list[Any], names: list[str], source: str) -> pd.DataFrame:
    import shapely

    out_g, out_n = [], []
    for g, n in zip(geoms, names, strict=True):
        if g is None or g.is_empty:
            continue
        if g.geom_type not in ("LineString", "MultiLineString"):
            raise InputError(f"{source}: streets must be lines, found a {g.geom_type}")
        out_g.append(shapely.simplify(g, SIMPLIFY_DEG, preserve_topology=False))
        out_n.append(n)
    if len(out_g) > MAX_LINES:
        raise InputError(
            f"{source}: {len(out_g):,} main street lines; at most {MAX_LINES:,} are kept for "
            "a city map (filter the extract to main roads)"
        )
    return pd.DataFrame({"name": out_n, "geometry": out_g})


def parse_streets(data: bytes, source: str) -> pd.DataFrame:
    """Main street lines (``name``, ``geometry`` in lon/lat) from GeoJSON bytes."""
    import shapely

    try:
        fc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{source}: not GeoJSON ({str(exc)[:120]})") from None
    feats = fc.get("features") if isinstance(fc, dict) else None
    if not isinstance(feats, list):
        raise InputError(f"{source}: expected a GeoJSON FeatureCollection with 'features'")
    geoms, names = [], []
    for i, f in enumerate(feats):
        if not isinstance(f, dict) or not isinstance(f.get("geometry"), dict):
            raise InputError(f"{source}: feature {i + 1} has no geometry object")
        props = f.get("properties") or {}
        if not _is_main(props):
            continue
        try:
            g = shapely.geometry.shape(f["geometry"])
        except (KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
            raise InputError(f"{source}: feature {i + 1}: bad geometry ({exc})") from None
        x0, y0, x1, y1 = g.bounds if not g.is_empty else (0, 0, 0, 0)
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or not (
            -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90
        ):
            raise InputError(
                f"{source}: feature {i + 1}: coordinates are not longitude/latitude "
                "(GeoJSON is WGS84; give other CRS as GeoPackage)"
            )
        names.append(str(props.get("name") or props.get("BEZ") or ""))
        geoms.append(g)
    return _frame(geoms, names, source)


def read_streets(path: str | Path) -> pd.DataFrame:
    """Main street lines from a GeoJSON or GeoPackage file (reprojected to lon/lat)."""
    p = Path(path)
    if p.stat().st_size > MAX_BYTES:
        raise InputError(f"{p}: {p.stat().st_size:,} bytes; at most {MAX_BYTES:,} are read")
    if p.suffix.lower() != ".gpkg":
        return parse_streets(p.read_bytes(), str(p))
    import pyogrio
    import shapely
    from pyproj import CRS, Transformer

    try:
        meta, _fids, wkb, fields = pyogrio.raw.read(p)
    except Exception as exc:  # GDAL's own errors: a broken or foreign file is bad input
        raise InputError(f"{p}: not a readable GeoPackage ({str(exc)[:160]})") from None
    cols = {name: fields[i] for i, name in enumerate(meta["fields"])}
    n = len(wkb)
    props = [{k: v[j] for k, v in cols.items()} for j in range(n)]
    geoms = shapely.from_wkb(wkb)
    crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else CRS.from_epsg(4326)
    if not crs.equals(CRS.from_epsg(4326)):
        tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        geoms = shapely.transform(geoms, lambda xy: _xy(tr, xy))
    keep = [j for j in range(n) if _is_main(props[j])]
    names = [str(props[j].get("name") or props[j].get("BEZ") or "") for j in keep]
    return _frame([geoms[j] for j in keep], names, str(p))


def _xy(tr: Any, xy: Any) -> Any:
    import numpy as np

    x, y = tr.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def streets_geojson(streets: pd.DataFrame) -> dict[str, Any]:
    """The streets as a GeoJSON FeatureCollection (coordinates rounded to ~1 m)."""
    import shapely

    feats = []
    for name, g in zip(streets["name"], streets["geometry"], strict=True):
        geom = json.loads(shapely.to_geojson(shapely.set_precision(g, 0.00001)))
        feats.append({"type": "Feature", "properties": {"name": str(name)}, "geometry": geom})
    return {"type": "FeatureCollection", "features": feats}
