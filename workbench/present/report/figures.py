"""The report maps (heat, air, need, proposals) as PNG figures with text alternatives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.i18n import fmt_dec, fmt_int, t, tf
from workbench.present.report.tables import Figure, Section, Table, area_names


def map_alt_text(
    cells: pd.DataFrame,
    col: str,
    title: str,
    label: str,
    outline: str | None,
    points: pd.DataFrame | None,
    lang: str,
) -> str:
    """What a map shows, in words: value range, outlined hotspots, proposals drawn."""
    v = cells[col]
    # a real minus sign: a screen reader says "minus", not "hyphen"
    lo, hi = (fmt_dec(x, lang).replace("-", "\u2212") for x in (v.min(), v.max()))
    alt = tf("map_alt", lang, title=title, lo=lo, hi=hi, label=label)
    if outline:
        alt += " " + tf("map_alt_hotspots", lang, n=fmt_int(int(cells[outline].sum()), lang))
    if points is not None:
        alt += " " + tf("map_alt_proposals", lang, n=fmt_int(len(points), lang))
    return alt


def map_figures(
    cells: pd.DataFrame,
    props: pd.DataFrame,
    areas: pd.DataFrame | None,
    lang: str,
    streets: dict | None = None,
) -> list[Figure]:
    """The four report maps as PNG figures with text alternatives.

    Maps of columns the run lacks (or that hold no finite value) are left out.
    """
    from workbench.present.maps import city_map, figure_png

    figs = []
    specs = [
        ("heat", "heat_uhi_k", "heat", "map_heat", "K", "heat_hotspot", None),
        ("air", "pm2_5_ugm3", "air", "map_air", "µg/m³", "air_hotspot", None),
        ("need", "need_index", "need", "map_need", "0–1", None, None),
        ("proposals", "need_index", "need", "map_proposals", t("need", lang), None, props),
    ]
    for key, col, kind, title_key, label, outline, points in specs:
        if col not in cells or not np.isfinite(cells[col]).any():
            continue
        title = t(title_key, lang)
        fig = city_map(
            cells,
            col,
            areas=areas,
            kind=kind,
            title=title,
            label=label,
            outline=outline,
            points=points,
            point_labels=points is not None,
            streets=streets,
            lang=lang,
        )
        # the colour bar's short label, said in words in the text alternative
        words = {"0–1": "(0–1)", t("need", lang): f"({t('layer_need', lang)}, 0–1)"}
        alt = map_alt_text(cells, col, title, words.get(label, label), outline, points, lang)
        figs.append(Figure(key, title, figure_png(fig), alt))
    return figs


def map_key(props: pd.DataFrame, areas: pd.DataFrame | None, lang: str) -> Table:
    """The numbered proposals of the proposal map: number (= rank), title, district."""
    names = area_names(areas)
    top = props.nsmallest(10, "rank")
    frame = pd.DataFrame(
        {
            t("rank", lang): top["rank"].astype(int).to_numpy(),
            t("proposal", lang): top["title"].astype(str).to_numpy(),
            t("district", lang): [
                names.get(a, "") if isinstance(a, str) else "" for a in top["area_id"]
            ],
        }
    )
    fmts = dict(zip(frame.columns, ("int", "text", "text"), strict=True))
    return Table("map_key", t("map_key", lang), frame, fmts)


def maps_section(
    cells: pd.DataFrame,
    props: pd.DataFrame,
    areas: pd.DataFrame | None,
    lang: str,
    streets: dict | None = None,
) -> Section:
    """The section holding :func:`map_figures` and the key to the numbered proposals."""
    figures = map_figures(cells, props, areas, lang, streets)
    tables = [map_key(props, areas, lang)] if any(f.key == "proposals" for f in figures) else []
    return Section("maps", t("maps", lang), tables=tables, figures=figures)
