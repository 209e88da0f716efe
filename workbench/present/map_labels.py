"""Place numbered map labels so that none overlaps another: a label sits on its point when
there is room, else at the nearest free spot around it, joined to the point by a line.

Pure numpy on display coordinates (points, in the figure's pixel space), so the result is
the same whatever the map's units.

>>> xy = np.array([[0.0, 0.0], [1.0, 0.0], [100.0, 0.0]])
>>> at = spread_labels(xy, radius=5.0)
>>> bool(np.all(at[2] == xy[2])), float(np.linalg.norm(at[0] - at[1])) >= 10.0
(True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

RINGS = (0.0, 2.2, 3.4, 4.6)  # candidate distances from the point, in label radii
DIRECTIONS = 12  # candidate directions per ring


def candidates(radius: float) -> np.ndarray:
    """Offsets to try, nearest first: the point itself, then rings of directions."""
    out = [np.zeros(2)]
    for ring in RINGS[1:]:
        ang = np.linspace(0, 2 * np.pi, DIRECTIONS, endpoint=False) + np.pi / 4
        out += list(np.column_stack([np.cos(ang), np.sin(ang)]) * ring * radius)
    return np.asarray(out)


def box_distance(c: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Distance from the point ``c`` to each box ``(x0, y0, x1, y1)`` (0 inside one).

    >>> box_distance(np.array([0.0, 0.0]), np.array([[1.0, -1.0, 2.0, 1.0], [-1, -1, 1, 1]]))
    array([1., 0.])
    """
    dx = np.clip(np.maximum(boxes[:, 0] - c[0], c[0] - boxes[:, 2]), 0, None)
    dy = np.clip(np.maximum(boxes[:, 1] - c[1], c[1] - boxes[:, 3]), 0, None)
    return np.hypot(dx, dy)


def spread_labels(
    xy: np.ndarray,
    radius: float,
    *,
    avoid: np.ndarray | None = None,
    boxes: np.ndarray | None = None,
) -> np.ndarray:
    """Label centres for the points ``xy`` (in order of importance), each a circle of
    ``radius`` that overlaps no label placed before it; ``avoid`` are further points
    (e.g. other markers) a displaced label should not cover, ``boxes`` text a label should
    not cover at all (e.g. district names).

    Parameters
    ----------
    xy : (n, 2) display coordinates of the points, most important first
    radius : the label's radius in the same units
    avoid : (m, 2) points a label should keep ``radius`` away from, where it can
    boxes : (k, 4) rectangles ``(x0, y0, x1, y1)`` a label should stay off, where it can

    Examples
    --------
    A label whose point lies on a name moves off it:

    >>> at = spread_labels(np.array([[0.0, 0.0]]), 1.0, boxes=np.array([[-3, -0.5, 3, 0.5]]))
    >>> bool(box_distance(at[0], np.array([[-3, -0.5, 3, 0.5]]))[0] >= 1.0)
    True

    Returns
    -------
    numpy.ndarray
        (n, 2) label centres; a point whose label could not move anywhere free keeps the
        farthest candidate with the least overlap.
    """
    xy = np.asarray(xy, float).reshape(-1, 2)
    avoid = np.empty((0, 2)) if avoid is None else np.asarray(avoid, float).reshape(-1, 2)
    boxes = np.empty((0, 4)) if boxes is None else np.asarray(boxes, float).reshape(-1, 4)
    offsets = candidates(radius)
    placed: list[np.ndarray] = []
    for p in xy:
        best, best_cost = p, np.inf
        for off in offsets:
            c = p + off
            cost = 0.0
            if placed:
                d = np.linalg.norm(np.asarray(placed) - c, axis=1)
                cost += np.clip(2 * radius - d, 0, None).sum() * 10
            if len(avoid) and np.any(off):
                d = np.linalg.norm(avoid - c, axis=1)
                cost += np.clip(radius - d, 0, None).sum()
            if len(boxes):
                cost += np.clip(radius - box_distance(c, boxes), 0, None).sum() * 3
            if cost < best_cost:
                best, best_cost = c, cost
            if cost == 0.0:
                break
        placed.append(best)
    return np.asarray(placed)


def draw_rank_labels(
    ax: Any, pts: pd.DataFrame, *, top: int = 10, fontsize: float = 7.0, texts: list | None = None
) -> list:
    """Write the rank of the ``top`` best-ranked points in a numbered circle, spread so that
    no two circles overlap and none covers one of the ``texts`` (e.g. district names),
    with a thin line from a moved circle to its point. Call once the axes have their final
    size. Returns the artists drawn."""
    best = pts.nsmallest(top, "rank")
    if best.empty:
        return []
    ax.apply_aspect()
    to_px = ax.transData
    xy = to_px.transform(best[["x", "y"]].to_numpy(float))
    others = to_px.transform(pts[["x", "y"]].to_numpy(float))
    radius = 1.25 * fontsize * ax.figure.dpi / 72
    renderer = ax.figure.canvas.get_renderer()
    boxes = np.array([tx.get_window_extent(renderer).extents for tx in texts or []])
    at = to_px.inverted().transform(spread_labels(xy, radius, avoid=others, boxes=boxes))
    drawn = []
    for (x, y), (lx, ly), rank in zip(
        best[["x", "y"]].to_numpy(float), at, best["rank"], strict=True
    ):
        if (lx, ly) != (x, y):
            drawn += ax.plot([x, lx], [y, ly], color="#222222", lw=0.6, zorder=5)
        drawn.append(
            ax.text(
                lx, ly, str(int(rank)), ha="center", va="center", fontsize=fontsize,
                fontweight="bold", color="#111111", zorder=6,
                bbox={"boxstyle": "circle,pad=0.25", "fc": "white", "ec": "#222222", "lw": 0.8},
            )
        )  # fmt: skip
    return drawn


def draw_streets(ax: Any, streets: dict | None, label: str) -> list:
    """Main streets (a GeoJSON FeatureCollection of lines in lon/lat) as thin light lines
    under the district boundaries; their legend entry (none without streets)."""
    from matplotlib.lines import Line2D
    from pyproj import Transformer

    from workbench.geo import WORK_CRS

    if not streets or not streets.get("features"):
        return []
    tr = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    for f in streets["features"]:
        g = f.get("geometry") or {}
        lines = g.get("coordinates", [])
        lines = [lines] if g.get("type") == "LineString" else lines
        for line in lines:
            arr = np.asarray(line, float)
            if arr.ndim != 2 or len(arr) < 2:
                continue
            x, y = tr.transform(arr[:, 0], arr[:, 1])
            ax.plot(x, y, color="#f7f7f7", lw=0.7, alpha=0.85, zorder=1.5)
    return [Line2D([], [], color="#bbbbbb", lw=1.0, label=label)]
