"""What a public page may show, prepared once per run: proposals, districts, map layers.

:func:`public_data` is the only door from a workspace to the citizen page and the static
site. It keeps a whitelist of proposal columns (no author, e-mail or voter id can pass,
whatever the import held), hides vote counts of fewer than five people, and renders the grid
results as transparent PNG overlays on a regular lon/lat raster (resampled, so the 100 m
cells of EPSG:25832 sit where they belong on a web map).
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.geo import WORK_CRS
from workbench.i18n import fmt_datetime, method
from workbench.present.maps import colour_limits, grid_raster
from workbench.present.publication import Publication, tile_settings
from workbench.privacy import PAGE_PROPOSAL_COLUMNS, public_proposals, public_text, small_group
from workbench.run_summary import load_run_summary
from workbench.workspace import Workspace

EAQI_COLOURS = {
    "good": "#50f0e6",
    "fair": "#50ccaa",
    "moderate": "#f0e641",
    "poor": "#ff5050",
    "very poor": "#960032",
    "extremely poor": "#7d2181",
}


@dataclass
class Layer:
    """A map overlay: PNG bytes on lon/lat bounds, with a legend."""

    key: str
    png: bytes
    bounds: tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east))
    legend: list[tuple[str, str]]  # (colour, label)
    unit: str = ""

    def data_url(self) -> str:
        import base64

        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class PublicData:
    proposals: pd.DataFrame
    areas: pd.DataFrame  # area_id, name, geometry (lon/lat) and area results
    layers: dict[str, Layer]
    meta: dict[str, Any] = field(default_factory=dict)
    # per allocation method: label, funded proposal ids, money spent and per district
    allocations: list[dict[str, Any]] = field(default_factory=list)
    publication: Publication = field(default_factory=Publication)
    tiles: tuple[str, str] = ("", "")  # XYZ tile URL and its attribution (may be empty)
    addresses: pd.DataFrame | None = None  # street, housenumber, postcode, lat, lon
    streets: dict[str, Any] | None = None  # main streets, GeoJSON lines in lon/lat

    def bbox(self) -> tuple[float, float, float, float]:
        """(south, west, north, east) of the districts, or of the placed proposals."""
        if not self.areas.empty:
            import shapely

            w, s, e, n = shapely.union_all(list(self.areas["geometry"])).bounds
            return s, w, n, e
        p = self.proposals
        return (p["lat"].min(), p["lon"].min(), p["lat"].max(), p["lon"].max())

    def district_points(self) -> dict[str, tuple[float, float]]:
        """``area_id`` → (lat, lon) a point inside the district that its name stands for
        (the search on both citizen pages, :func:`workbench.addresses.district_points`)."""
        from workbench.addresses import district_points

        if self.areas.empty:
            return {}
        return {aid: (lat, lon) for aid, _name, lon, lat in district_points(self.areas)}

    def districts(self) -> list[tuple[str, str]]:
        """(area_id, name) sorted by name."""
        a = self.areas.sort_values("name")
        return list(zip(a["area_id"], a["name"], strict=True))

    def areas_geojson(self) -> dict[str, Any]:
        import shapely

        feats = []
        # the point a district's name stands for (search, label): the same on both pages
        points = self.district_points()
        for r in self.areas.itertuples():
            lat, lon = points[str(r.area_id)]
            props = {"area_id": r.area_id, "name": r.name,
                     "label_lat": round(lat, 6), "label_lon": round(lon, 6)}  # fmt: skip
            for k in ("need_index", "need_rank", "heat_uhi_k", "pm2_5_ugm3"):
                v = getattr(r, k, None)
                if v is not None and not (isinstance(v, float) and math.isnan(v)):
                    props[k] = round(float(v), 3)
            geom = shapely.geometry.mapping(r.geometry)
            feats.append({"type": "Feature", "properties": props, "geometry": geom})
        return json.loads(json.dumps({"type": "FeatureCollection", "features": feats}))


# longest title and description a page shows (the run keeps the full text)
TEXT_LIMITS = {"title": 200, "description": 1500}


def page_proposals(props: pd.DataFrame, areas: pd.DataFrame | None) -> pd.DataFrame:
    """The proposals a page may show: whitelisted columns, small vote counts hidden.

    ``votes`` becomes NaN for groups too small to show (:func:`workbench.privacy.small_group`);
    ``votes_hidden`` says it was hidden.

    Examples
    --------
    >>> p = pd.DataFrame({"proposal_id": ["a", "b"], "title": ["x", "y"], "votes": [3.0, 12.0],
    ...                   "author_email": ["a@b.c", "d@e.f"], "rank": [2, 1]})
    >>> out = page_proposals(p, None)
    >>> sorted(out.columns)
    ['district', 'proposal_id', 'rank', 'title', 'votes', 'votes_hidden']
    >>> out["votes"].tolist(), out["votes_hidden"].tolist()
    ([12.0, nan], [False, True])
    """
    p = public_proposals(props, PAGE_PROPOSAL_COLUMNS)
    # citizen text as published: contacts masked, control characters gone, length cut
    for col, limit in TEXT_LIMITS.items():
        if col in p:
            p[col] = p[col].map(lambda v, n=limit: public_text(v, n))
    if "votes" in p:
        hidden = p["votes"].map(small_group).astype(bool)
        p["votes_hidden"] = hidden
        p.loc[hidden, "votes"] = np.nan
    names = dict(zip(areas["area_id"], areas["name"], strict=True)) if areas is not None else {}
    area = p["area_id"] if "area_id" in p else pd.Series([None] * len(p), index=p.index)
    p["district"] = [names.get(a, "") if isinstance(a, str) else "" for a in area]
    if "rank" in p:
        p = p.sort_values("rank").reset_index(drop=True)
    return p


# ------------------------------------------------------------------------ rasters
def lonlat_raster(
    cells: pd.DataFrame, column: str, *, pixel_m: float = 50.0
) -> tuple[np.ndarray, tuple[tuple[float, float], tuple[float, float]]]:
    """Resample a cell column onto a regular lon/lat raster (north up).

    Each pixel takes the value of the grid cell its centre falls in (NaN outside the grid).
    Returns the raster and its bounds ``((south, west), (north, east))``.
    """
    from pyproj import Transformer

    north_up, (x0, _, y0, _), size = grid_raster(cells, column)
    grid = north_up[::-1]  # row 0 in the south, as y grows
    ny, nx = grid.shape
    to_ll = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)
    cx = [x0, x0 + nx * size, x0, x0 + nx * size]
    cy = [y0, y0, y0 + ny * size, y0 + ny * size]
    lon, lat = to_ll.transform(cx, cy)
    west, east, south, north = min(lon), max(lon), min(lat), max(lat)
    lat_mid = math.radians((south + north) / 2)
    w = max(2, int((east - west) * 111_320 * math.cos(lat_mid) / pixel_m))
    h = max(2, int((north - south) * 110_574 / pixel_m))
    lons = west + (np.arange(w) + 0.5) * (east - west) / w
    lats = north - (np.arange(h) + 0.5) * (north - south) / h
    glon, glat = np.meshgrid(lons, lats)
    to_utm = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    px, py = to_utm.transform(glon.ravel(), glat.ravel())
    ix = np.floor((np.asarray(px) - x0) / size).astype(int)
    iy = np.floor((np.asarray(py) - y0) / size).astype(int)
    inside = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    out = np.full(ix.shape, np.nan)
    out[inside] = grid[iy[inside], ix[inside]]
    return out.reshape(h, w), ((south, west), (north, east))


def _png(rgba: np.ndarray) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    plt.imsave(buf, rgba, format="png")
    return buf.getvalue()


def continuous_layer(
    key: str, cells: pd.DataFrame, column: str, cmap: str, unit: str, *, alpha: float = 0.7
) -> Layer:
    """A colour-scaled overlay with a five-step legend."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    img, bounds = lonlat_raster(cells, column)
    lo, hi = colour_limits(cells[column].to_numpy(float))  # the same ends as the report's maps
    cm = colormaps[cmap]
    rgba = cm(np.clip((img - lo) / (hi - lo), 0, 1))
    rgba[..., 3] = np.where(np.isfinite(img), alpha, 0.0)
    steps = np.linspace(lo, hi, 5)
    # the colour scale stops at the 2nd and 98th percentiles: the ends mean "or less/more"
    labels = [f"{v:.1f}" for v in steps]
    labels[0], labels[-1] = "<=" + labels[0], ">=" + labels[-1]
    legend = [(to_hex(cm((v - lo) / (hi - lo))), lab) for v, lab in zip(steps, labels, strict=True)]
    return Layer(key, _png(rgba), bounds, legend, unit)


def mask_layer(key: str, cells: pd.DataFrame, column: str, colour: str) -> Layer:
    """Cells where a boolean column is true, in one colour (e.g. hotspots)."""
    from matplotlib.colors import to_rgba

    img, bounds = lonlat_raster(cells.assign(_m=cells[column].astype(float)), "_m")
    rgba = np.zeros((*img.shape, 4))
    rgba[..., :3] = to_rgba(colour)[:3]
    rgba[..., 3] = np.where(img > 0.5, 0.55, 0.0)
    return Layer(key, _png(rgba), bounds, [(colour, "hotspot")])


def category_layer(key: str, cells: pd.DataFrame, column: str, colours: dict[str, str]) -> Layer:
    """Cells coloured by a category (e.g. EAQI bands)."""
    from matplotlib.colors import to_rgba

    codes = {name: i for i, name in enumerate(colours)}
    num = cells[column].map(codes).astype(float)
    img, bounds = lonlat_raster(cells.assign(_c=num), "_c")
    rgba = np.zeros((*img.shape, 4))
    for name, i in codes.items():
        sel = img == i
        rgba[sel] = (*to_rgba(colours[name])[:3], 0.6)
    present = [n for n in colours if (cells[column] == n).any()]
    return Layer(key, _png(rgba), bounds, [(colours[n], n) for n in present])


def map_layers(cells: pd.DataFrame) -> dict[str, Layer]:
    """Heat, air and need overlays from the cells table (those the run has)."""
    layers: dict[str, Layer] = {}
    if "heat_uhi_k" in cells and np.isfinite(cells["heat_uhi_k"]).any():
        layers["heat"] = continuous_layer("heat", cells, "heat_uhi_k", "inferno", "K")
        if cells.get("heat_hotspot", pd.Series(dtype=bool)).any():
            layers["heat_hotspots"] = mask_layer("heat_hotspots", cells, "heat_hotspot", "#e31a1c")
    if "pm2_5_ugm3" in cells and np.isfinite(cells["pm2_5_ugm3"]).any():
        layers["air"] = continuous_layer("air", cells, "pm2_5_ugm3", "cividis", "µg/m³")
        if cells.get("air_hotspot", pd.Series(dtype=bool)).any():
            layers["air_hotspots"] = mask_layer("air_hotspots", cells, "air_hotspot", "#6a3d9a")
        if "pm2_5_eaqi" in cells and cells["pm2_5_eaqi"].notna().any():
            layers["eaqi"] = category_layer("eaqi", cells, "pm2_5_eaqi", EAQI_COLOURS)
    if "need_index" in cells:
        layers["need"] = continuous_layer("need", cells, "need_index", "viridis", "0–1")
    return layers


def district_labels(
    areas: pd.DataFrame, zoom: int, *, font_px: float = 14.0
) -> list[tuple[str, float, float]]:
    """District names to draw on a web map at ``zoom``: (name, lat, lon) at a point inside
    each district, larger districts first, leaving out a name whose box (``font_px`` high,
    about 0.6 ``font_px`` per character) would overlap one already placed.

    >>> import shapely
    >>> a = pd.DataFrame({"name": ["Groß", "Klein"], "geometry": [
    ...     shapely.box(7.0, 51.5, 7.1, 51.6), shapely.box(7.1, 51.549, 7.102, 51.551)]})
    >>> [n for n, _la, _lo in district_labels(a, 9)], len(district_labels(a, 12))
    (['Groß'], 2)
    """
    size = 256 * 2**zoom

    def px(lat: float, lon: float) -> tuple[float, float]:
        y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
        return (lon + 180) / 360 * size, (1 - y / math.pi) / 2 * size

    order = sorted(range(len(areas)), key=lambda i: -areas["geometry"].iloc[i].area)
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for i in order:
        name = str(areas["name"].iloc[i])
        p = areas["geometry"].iloc[i].representative_point()
        x, y = px(p.y, p.x)
        w, h = 0.6 * font_px * len(name), font_px
        box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        if any(box[0] < q[2] and q[0] < box[2] and box[1] < q[3] and q[1] < box[3] for q in placed):
            continue
        placed.append(box)
        out.append((name, p.y, p.x))
    return out


def rank_colour(rank: float, n: int) -> str:
    """Colour of a proposal marker: dark red for rank 1 to pale yellow for the last.

    >>> rank_colour(1, 50), rank_colour(50, 50)
    ('#800026', '#ffffcc')
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    if rank is None or not np.isfinite(rank) or n <= 1:
        return "#999999"
    return to_hex(colormaps["YlOrRd"](1 - (rank - 1) / (n - 1)))


def cached_layers(root: Any, run: Any) -> dict[str, Layer]:
    """The map overlays of a run, rendered once and kept in ``W/cache/layers/<run-id>/``.

    Every dashboard kernel needs them; drawing them takes a second or two of CPU, reading
    them a few milliseconds. Runs never change once published, so the run id is the key.
    """
    import os
    import shutil
    from pathlib import Path

    cache = Path(root) / "cache" / "layers" / Path(run).name
    index = cache / "layers.json"
    if index.exists():
        meta = json.loads(index.read_text(encoding="utf-8"))
        return {
            k: Layer(
                k,
                (cache / f"{k}.png").read_bytes(),
                tuple(map(tuple, m["bounds"])),
                [tuple(x) for x in m["legend"]],
                m["unit"],
            )
            for k, m in meta.items()
        }
    cells_path = Path(run) / "cells.parquet"
    layers = map_layers(pd.read_parquet(cells_path)) if cells_path.exists() else {}
    tmp = cache.with_name(f".{cache.name}.tmp-{os.getpid()}")
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        for k, layer in layers.items():
            (tmp / f"{k}.png").write_bytes(layer.png)
        meta = {
            k: {"bounds": v.bounds, "legend": v.legend, "unit": v.unit} for k, v in layers.items()
        }
        (tmp / "layers.json").write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:  # a read-only workspace or a concurrent writer: serve without the cache
        shutil.rmtree(tmp, ignore_errors=True)
    return layers


# ------------------------------------------------------------------------ loader
def public_data(ws: Workspace) -> PublicData:
    """Everything the citizen page and the static site show, from the latest run."""
    run = ws.latest_run()
    if run is None or not (run / "proposals.parquet").exists():
        raise FileNotFoundError(
            f"{ws.root} has no ranked proposals yet: run `workbench fit` and `workbench rank`"
        )
    areas_geo = ws.areas()
    props = page_proposals(pd.read_parquet(run / "proposals.parquet"), areas_geo)
    n = len(props)
    props["colour"] = [rank_colour(r, n) for r in props["rank"]]
    areas = areas_geo[["area_id", "name", "geometry"]].copy() if areas_geo is not None else None
    if areas is not None and (run / "areas.parquet").exists():
        res = pd.read_parquet(run / "areas.parquet")
        keep = [
            c
            for c in ("area_id", "need_index", "need_rank", "heat_uhi_k", "pm2_5_ugm3")
            if c in res
        ]
        areas = areas.merge(res[keep], on="area_id", how="left")
    layers = cached_layers(ws.root, run)
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    # every count and sum the page shows comes from the run's one summary, as in the report
    facts = load_run_summary(run, areas_geo)
    budget = facts.get("budget") or {}
    # the data the shown results rest on (the run's period), not a store scan per visitor
    period = [(facts.get("period") or {}).get(k) for k in ("start", "end")]
    meta = {
        "run_id": run.name,
        "latest_data_text": {lg: fmt_datetime(period[-1], lg) for lg in ("de", "en")},
        "data_age_days": _age_days(period[-1], run_time(run.name)),
        "run_text": {lg: fmt_datetime(run_time(run.name), lg) for lg in ("de", "en")},
        "simulated": bool(
            metrics.get("simulated") or ws.config.get("workspace", {}).get("simulated", False)
        ),
        "latest_data": period[-1],
        "period": period,
        "sensors": facts["sensors"]["with_position"],
        "sensors_heat": facts["sensors"]["heat_model"],
        "sensors_air": facts["sensors"]["air_model"],
        "proposals": n,
        "budget_eur": budget.get("budget_eur", metrics.get("ranking", {}).get("budget_eur")),
        "recommended": budget.get("recommended"),
        "need_based": bool(metrics.get("ranking", {}).get("need_based", False)),
        "center": _centre(props, areas),
    }
    return PublicData(
        props,
        areas if areas is not None else pd.DataFrame(),
        layers,
        meta,
        allocations=public_allocations(run, props),
        publication=Publication.from_config(ws.config),
        tiles=tile_settings(ws.config),
        addresses=ws.addresses(),
        streets=ws.streets(),
    )


def _age_days(latest: Any, made: pd.Timestamp | None) -> int | None:
    """Whole days between the newest data a run used and the run itself."""
    try:
        t0 = pd.Timestamp(latest)
    except (ValueError, TypeError):
        return None
    if made is None or t0 is pd.NaT:
        return None
    t0 = t0.tz_localize("UTC") if t0.tzinfo is None else t0
    return int((made - t0).days)


def run_time(run_id: str) -> pd.Timestamp | None:
    """When a run was made, from its id (``20261202T153045Z-ab12cd``); None if unreadable."""
    try:
        return pd.Timestamp(pd.to_datetime(run_id.split("-")[0], format="%Y%m%dT%H%M%SZ", utc=True))
    except (ValueError, IndexError):
        return None


ALLOCATION_ORDER = ("votes_greedy", "need_optimal", "equal_shares", "equal_shares_need")


def public_allocations(run: Any, props: pd.DataFrame) -> list[dict[str, Any]]:
    """What each allocation method funds: proposal ids in rank order, money spent and money
    per district (aggregates of public costs; no voter data)."""
    from pathlib import Path

    run = Path(run)
    if not (run / "allocation.parquet").exists():
        return []
    alloc = pd.read_parquet(run / "allocation.parquet")
    summary = pd.read_parquet(run / "allocation_summary.parquet").set_index("method")
    dist = (
        pd.read_parquet(run / "allocation_districts.parquet")
        if (run / "allocation_districts.parquet").exists()
        else pd.DataFrame(columns=["method", "area_id", "eur"])
    )
    order = {pid: i for i, pid in enumerate(props["proposal_id"].astype(str))}
    out = []
    for m in [m for m in ALLOCATION_ORDER if m in summary.index]:
        sel = alloc[(alloc["method"] == m) & alloc["selected"].astype(bool)]
        ids = sorted(sel["proposal_id"].astype(str), key=lambda i: order.get(i, 10**9))
        d = dist[(dist["method"] == m) & (dist["eur"] > 0)].sort_values("eur", ascending=False)
        out.append(
            {
                "method": m,
                "label": {lg: method(m, lg) for lg in ("de", "en")},
                "funded": ids,
                "spent_eur": float(summary.loc[m, "spent_eur"]),
                "budget_eur": float(summary.loc[m, "budget_eur"]),
                "districts": [
                    [str(a), float(e)] for a, e in zip(d["area_id"], d["eur"], strict=True)
                ],
            }
        )
    return out


def _centre(props: pd.DataFrame, areas: pd.DataFrame | None) -> tuple[float, float]:
    if areas is not None and not areas.empty:
        import shapely

        b = shapely.union_all(list(areas["geometry"])).bounds
        return ((b[1] + b[3]) / 2, (b[0] + b[2]) / 2)
    ok = props[["lat", "lon"]].dropna()
    return (float(ok["lat"].mean()), float(ok["lon"].mean())) if len(ok) else (51.54, 7.08)
