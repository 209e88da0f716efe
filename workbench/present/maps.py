"""Static maps of the grid results: a raster of one cell column, district boundaries,
hotspot outlines, sensors or proposals, with a legend, a scale bar and a north arrow.

Used by the report and the analyst notebooks. matplotlib is imported here, lazily by the
callers; nothing is downloaded (no map tiles).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.geo import WORK_CRS
from workbench.i18n import fmt_dec, t
from workbench.present.map_labels import draw_rank_labels, draw_streets

# colour maps chosen to stay readable in greyscale print and for colour-blind readers
CMAPS = {"heat": "inferno", "air": "cividis", "need": "viridis", "plain": "Greys"}
STATUS_COLOURS = {"ok": "#1a9850", "degraded": "#fdae61", "stale": "#bdbdbd", "dead": "#000000"}


def cell_spacing(x: np.ndarray, y: np.ndarray, *, tolerance: float = 1e-3) -> float:
    """The distance between neighbouring cell centres (m), from their coordinates.

    The smallest step between distinct columns or rows; steps under ``tolerance`` (1 mm) are
    float noise within one column (a grid written through another CRS or a text file),
    not a column of their own. 100 m when a single cell leaves nothing to measure.

    >>> cell_spacing(np.array([50.0, 150.0000001, 149.9999999]), np.array([50.0, 50.0, 150.0]))
    100.0
    """
    steps = np.concatenate([np.diff(np.unique(x)), np.diff(np.unique(y))])
    steps = steps[steps > tolerance]
    return float(np.round(steps.min(), 6)) if len(steps) else 100.0


def colour_limits(values: np.ndarray) -> tuple[float, float]:
    """The colour scale's ends: the 2nd and 98th percentile of the finite values, so one
    extreme cell does not wash out the map (the web pages use the same ends).

    >>> colour_limits(np.r_[np.arange(100.0), 1e6])
    (2.0, 98.0)
    """
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if not v.size:
        return 0.0, 1.0
    lo, hi = (float(x) for x in np.percentile(v, [2, 98]))
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def grid_raster(cells: pd.DataFrame, column: str) -> tuple[np.ndarray, tuple[float, ...], float]:
    """Arrange a cell column on its regular grid.

    Returns
    -------
    image : 2-D array, north up, NaN where there is no cell
    extent : (xmin, xmax, ymin, ymax) of the cell edges, for ``imshow``
    size : cell size in metres

    Examples
    --------
    >>> c = pd.DataFrame({"x": [50.0, 150, 50], "y": [50.0, 50, 150], "v": [1.0, 2, 3]})
    >>> img, ext, size = grid_raster(c, "v")
    >>> img.tolist(), ext, size
    ([[3.0, nan], [1.0, 2.0]], (0.0, 200.0, 0.0, 200.0), 100.0)
    """
    x = cells["x"].to_numpy(float)
    y = cells["y"].to_numpy(float)
    size = cell_spacing(x, y)
    ix = np.rint((x - x.min()) / size).astype(int)
    iy = np.rint((y - y.min()) / size).astype(int)
    img = np.full((iy.max() + 1, ix.max() + 1), np.nan)
    img[iy, ix] = cells[column].to_numpy(float)
    x0, y0 = float(x.min()) - size / 2, float(y.min()) - size / 2
    extent = (x0, x0 + img.shape[1] * size, y0, y0 + img.shape[0] * size)
    return img[::-1], extent, size


def area_outlines(areas: pd.DataFrame | None) -> list[np.ndarray]:
    """District boundary rings in the working CRS (EPSG:25832), one array per ring."""
    if areas is None or areas.empty:
        return []
    import shapely
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    rings = []
    for geom in areas["geometry"]:
        polys = getattr(geom, "geoms", [geom])
        for poly in polys:
            for ring in [poly.exterior, *poly.interiors]:
                xy = shapely.get_coordinates(ring)
                px, py = tr.transform(xy[:, 0], xy[:, 1])
                rings.append(np.column_stack([px, py]))
    return rings


def _scale_bar(ax: Any, extent: Sequence[float], lang: str) -> None:
    width = extent[1] - extent[0]
    length = max(500.0, 10 ** np.floor(np.log10(width / 4)))
    if length * 2 <= width / 4:
        length *= 2
    x0 = extent[0] + width * 0.04
    y0 = extent[2] + (extent[3] - extent[2]) * 0.04
    ax.plot([x0, x0 + length], [y0, y0], color="black", lw=3, solid_capstyle="butt")
    ax.plot([x0, x0 + length], [y0, y0], color="white", lw=1.2, solid_capstyle="butt")
    ax.text(
        x0 + length / 2,
        y0 + width * 0.012,
        f"{length / 1000:g} km",
        ha="center",
        va="bottom",
        fontsize=7,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1},
    )


def _north_arrow(ax: Any) -> None:
    ax.annotate(
        "N",
        xy=(0.94, 0.95),
        xytext=(0.94, 0.84),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
    )


def _draw_raster(
    ax: Any,
    cells: pd.DataFrame,
    column: str,
    *,
    kind: str,
    label: str,
    vmin: float | None,
    vmax: float | None,
    faded: bool,
    lang: str,
) -> tuple[float, ...]:
    """Colour the cells by ``column`` with a labelled colour bar; return the map extent."""
    img, extent, _size = grid_raster(cells, column)
    im = ax.imshow(
        img,
        extent=extent,
        cmap=CMAPS.get(kind, "viridis"),
        vmin=vmin,
        vmax=vmax,
        interpolation="nearest",
        alpha=0.55 if faded else 0.9,
    )
    cb = ax.figure.colorbar(im, ax=ax, shrink=0.75, pad=0.02)
    cb.set_label(label, fontsize=8)
    cb.ax.tick_params(labelsize=7)
    cb.ax.yaxis.set_major_formatter(decimal_formatter(lang))
    return extent


def tick_digits(locs: Sequence[float]) -> int:
    """Decimals that write every tick exactly (``0.25`` steps need 2), at most 4.

    >>> tick_digits([0.2, 0.30000000000000004, 0.4]), tick_digits([8.0, 10.0])
    (1, 0)
    >>> tick_digits([0, 0.25])
    2
    """
    v = np.asarray(locs, float)
    for d in range(4):
        if np.allclose(np.round(v, d), v, rtol=0, atol=1e-9 * max(1.0, float(np.abs(v).max()))):
            return d
    return 4


def decimal_formatter(lang: str) -> Any:
    """Tick labels in the language's number style (``0,25`` in German), same decimals for all.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax.yaxis.set_major_formatter(decimal_formatter("de"))
    >>> _ = ax.set_ylim(0.1, 0.3)
    >>> ax.yaxis.get_major_formatter().format_ticks(ax.get_yticks())[:3]
    ['0,100', '0,125', '0,150']
    >>> plt.close(fig)
    """
    from matplotlib.ticker import FuncFormatter

    def label(value: float, _pos: int | None) -> str:
        axis = formatter.axis
        locs = axis.get_majorticklocs() if axis is not None else [value]
        return fmt_dec(value, lang, tick_digits(locs))

    formatter = FuncFormatter(label)
    return formatter


def _draw_outline(ax: Any, cells: pd.DataFrame, outline: str | None, lang: str) -> list[Any]:
    """Contour the cells where the boolean column ``outline`` is true; its legend entry."""
    from matplotlib.lines import Line2D

    if outline is None or outline not in cells or not cells[outline].any():
        return []
    mask, ext2, _ = grid_raster(cells.assign(_m=cells[outline].astype(float)), "_m")
    mask = np.nan_to_num(mask)
    xs = np.linspace(ext2[0], ext2[1], mask.shape[1] + 1)
    ys = np.linspace(ext2[3], ext2[2], mask.shape[0] + 1)
    xc = (xs[:-1] + xs[1:]) / 2
    yc = (ys[:-1] + ys[1:]) / 2
    ax.contour(xc, yc, mask, levels=[0.5], colors="#00e5ff", linewidths=1.0)
    return [Line2D([], [], color="#00e5ff", lw=1.2, label=t("hotspot", lang))]


def _draw_areas(ax: Any, areas: pd.DataFrame | None, lang: str) -> list[Any]:
    """District boundaries; their legend entry."""
    from matplotlib.lines import Line2D

    for ring in area_outlines(areas):
        ax.plot(ring[:, 0], ring[:, 1], color="#333333", lw=0.6)
    if areas is None or areas.empty:
        return []
    return [Line2D([], [], color="#333333", lw=0.8, label=t("district_border", lang))]


def _draw_area_names(ax: Any, areas: pd.DataFrame | None, *, fontsize: float = 6.5) -> list[Any]:
    """Each district's name at a point inside it (``representative_point``), dark on a
    white halo; a name that does not fit inside its district at the axes' size, or that the
    legend would cover, is left out.

    Call once the axes have their final size. Names are drawn as plain text (no mathtext),
    whatever characters they hold. Returns the Text artists drawn.
    """
    if areas is None or areas.empty or "name" not in areas:
        return []
    import shapely
    from matplotlib import patheffects
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    ax.apply_aspect()  # the equal aspect moves the axes box only when drawn: measure after it
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transData.inverted()
    halo = [patheffects.withStroke(linewidth=1.8, foreground="white")]
    legend = ax.get_legend()
    covered = [legend.get_window_extent(renderer)] if legend is not None else []
    drawn = []
    for geom, name in zip(areas["geometry"], areas["name"], strict=True):
        if geom is None or geom.is_empty or not isinstance(name, str) or not name.strip():
            continue
        poly = shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
        at = poly.representative_point()
        text = ax.text(
            at.x,
            at.y,
            name.strip(),
            ha="center",
            va="center",
            fontsize=fontsize,
            color="#1a1a1a",
            path_effects=halo,
            parse_math=False,
            zorder=2.5,
        )
        extent = text.get_window_extent(renderer)
        corners = to_data.transform(extent.corners())
        box = shapely.box(*corners.min(axis=0), *corners.max(axis=0))
        hidden = any(extent.overlaps(c) for c in covered)
        if hidden or poly.intersection(box).area < 0.9 * box.area:
            text.remove()
            continue
        drawn.append(text)
    return drawn


def _draw_status_points(ax: Any, pts: pd.DataFrame) -> list[Any]:
    """Sensors coloured by health status (:data:`STATUS_COLOURS`); one legend entry each."""
    from matplotlib.lines import Line2D

    handles = []
    for status, colour in STATUS_COLOURS.items():
        sel = pts[pts["status"] == status]
        if sel.empty:
            continue
        ax.scatter(
            sel["x"],
            sel["y"],
            s=26,
            c=colour,
            edgecolors="#111111",
            linewidths=0.6,
            zorder=3,
            marker="o",
            label=status,
        )
        handles.append(Line2D([], [], ls="", marker="o", mfc=colour, mec="#111111", label=status))
    return handles


def _draw_ranked_points(ax: Any, pts: pd.DataFrame, point_labels: bool, lang: str) -> list[Any]:
    """Proposals: the ten best-ranked as dark dots (numbered later by
    :func:`~workbench.present.map_labels.draw_rank_labels`), the others as white circles."""
    from matplotlib.lines import Line2D

    top = pts["rank"] <= 10
    ax.scatter(pts.loc[~top, "x"], pts.loc[~top, "y"], s=20, c="#ffffff", edgecolors="#222222",
               linewidths=0.8, zorder=3)  # fmt: skip
    ax.scatter(pts.loc[top, "x"], pts.loc[top, "y"], s=18, c="#d7301f", edgecolors="#222222",
               linewidths=0.8, zorder=4)  # fmt: skip
    first = t("top10_numbered" if point_labels else "top10", lang)
    return [
        Line2D([], [], ls="", marker="o", mfc="#d7301f", mec="#222222", label=first),
        Line2D([], [], ls="", marker="o", mfc="white", mec="#222222", label=t("others", lang)),
    ]


def _draw_points(ax: Any, points: pd.DataFrame | None, point_labels: bool, lang: str) -> list[Any]:
    """Sensors by status, proposals by rank, or plain sensor triangles; their legend entries."""
    from matplotlib.lines import Line2D

    if points is None or points.empty:
        return []
    pts = points[np.isfinite(points["x"]) & np.isfinite(points["y"])]
    if "status" in pts:
        return _draw_status_points(ax, pts)
    if "rank" in pts:
        return _draw_ranked_points(ax, pts, point_labels, lang)
    ax.scatter(pts["x"], pts["y"], s=10, c="black", marker="^", zorder=3)
    return [Line2D([], [], ls="", marker="^", color="black", label=t("sensor", lang))]


def _finish_axes(
    ax: Any, extent: Sequence[float], title: str, handles: list[Any], lang: str
) -> None:
    """Scale bar, north arrow, legend, extent, title and the CRS note."""
    _scale_bar(ax, extent, lang)
    _north_arrow(ax)
    if handles:
        # below the map, outside the city: a legend inside would hide district names
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.05),
            ncol=min(len(handles), 3),
            fontsize=7,
            frameon=False,
        )
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    ax.text(
        1.0,
        -0.02,
        "ETRS89 / UTM 32N (EPSG:25832)",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=6,
        color="#555555",
    )


def city_map(
    cells: pd.DataFrame,
    column: str,
    *,
    areas: pd.DataFrame | None = None,
    kind: str = "need",
    title: str = "",
    label: str = "",
    outline: str | None = None,
    points: pd.DataFrame | None = None,
    point_labels: bool = False,
    area_names: bool = True,
    streets: dict | None = None,
    lang: str = "de",
    vmin: float | None = None,
    vmax: float | None = None,
    ax: Any = None,
) -> Any:
    """Draw one cell column as a map and return the matplotlib figure.

    Parameters
    ----------
    cells : grid results with ``x``, ``y`` (EPSG:25832) and ``column``
    column : the column to colour the cells by
    areas : district polygons (lon/lat), drawn as boundaries
    kind : ``"heat"``, ``"air"`` or ``"need"`` (picks the colour map)
    outline : a boolean cell column (e.g. ``heat_hotspot``) drawn as a contour
    points : rows with ``x``, ``y`` and optional ``rank`` (proposals) or ``sensor_id``
    point_labels : number the ten best-ranked points by rank (circles that never overlap)
    area_names : write each district's name inside it (where it fits)
    streets : main streets as GeoJSON in lon/lat (``Workspace.streets()``), drawn under
        the boundaries; ``vmin``/``vmax`` default to the 2nd and 98th percentile, the
        colour scale of the web pages (:func:`colour_limits`)
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 6.2), dpi=110)
    else:
        fig = ax.figure
    lo, hi = colour_limits(cells[column].to_numpy(float))
    extent = _draw_raster(
        ax,
        cells,
        column,
        kind=kind,
        label=label,
        vmin=lo if vmin is None else vmin,
        vmax=hi if vmax is None else vmax,
        faded=points is not None,
        lang=lang,
    )
    handles = _draw_outline(ax, cells, outline, lang)
    handles += draw_streets(ax, streets, t("main_streets", lang))
    handles += _draw_areas(ax, areas, lang)
    handles += _draw_points(ax, points, point_labels, lang)
    _finish_axes(ax, extent, title, handles, lang)
    fig.tight_layout()
    # after the layout: whether a name fits depends on it
    names = _draw_area_names(ax, areas) if area_names else []
    if point_labels and points is not None and "rank" in points:
        pts = points[np.isfinite(points["x"]) & np.isfinite(points["y"])]
        draw_rank_labels(ax, pts, texts=names)
    return fig


def figure_png(fig: Any, dpi: int = 150) -> bytes:
    """Render a figure to PNG bytes and close it."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()
