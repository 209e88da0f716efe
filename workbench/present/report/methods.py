"""Methods and validation: how the data were checked and modelled, and how well the models
predict held-out sensors compared with simple baselines."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.i18n import fmt_dec, fmt_int, t, tf
from workbench.present.report.tables import Section, Table, label


def method_paragraphs(metrics: dict[str, Any], lang: str) -> list[str]:
    """Quality control, heat model, hotspots, need index and ranking, one paragraph each.

    Hotspot and need-index paragraphs quote the run's parameters (distance, permutations,
    weights, draws), filled into their i18n templates with :func:`~workbench.i18n.tf`.
    """
    w = metrics.get("need", {}).get("weights", {})
    wtxt = ", ".join(f"{label('weight_', k, lang)} {fmt_dec(v, lang)}" for k, v in w.items())
    hs = metrics.get("hotspots", {})
    distance = fmt_int(hs.get("distance_m", 500), lang)
    permutations = hs.get("permutations", 999)
    draws = metrics.get("need", {}).get("draws", 500)
    return [
        t("method_qc", lang),
        t("method_heat", lang),
        tf("method_hotspots", lang, distance=distance, permutations=permutations),
        tf("method_need", lang, weights=wtxt, draws=draws),
        t("method_ranking", lang),
    ]


def validation_table(metrics: dict[str, Any], lang: str) -> Table:
    """Cross-validated RMSE of the model and both baselines, per quantity and scheme."""
    rows = []
    names = {
        "heat": t("validation_uhi", lang),
        "pm2_5": t("pm2_5_ugm3", lang),
        "pm10": "PM10 (µg/m³)",
    }
    blocks = [("heat", metrics.get("heat", {}))]
    blocks += [(q, metrics.get("air", {}).get(q, {})) for q in ("pm2_5", "pm10")]
    for q, m in blocks:
        if m.get("status") != "ok":
            continue
        for scheme, name in (("loso", t("cv_loso", lang)), ("block", t("cv_block", lang))):
            cv = m["cv"][scheme]
            rows.append(
                {
                    t("quantity", lang): names[q],
                    t("cv_header", lang): name,
                    t("model", lang): cv["regression_kriging"]["rmse"],
                    "IDW": cv["idw"]["rmse"],
                    t("covariates_only", lang): cv["covariates_only"]["rmse"],
                    "R²": cv["regression_kriging"]["r2"],
                    "n": cv["regression_kriging"]["n"],
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame({t("quantity", lang): [], t("cv_header", lang): []})
    formats = {c: "text" for c in frame.columns[:2]}
    formats.update({c: "dec2" for c in frame.columns[2:6]})
    if "n" in frame:
        formats["n"] = "int"
    return Table("validation", t("validation_title", lang), frame, formats)


def methods_section(metrics: dict[str, Any], lang: str) -> Section:
    """:func:`method_paragraphs` with the :func:`validation_table`."""
    return Section(
        "methods",
        t("methods", lang),
        method_paragraphs(metrics, lang),
        [validation_table(metrics, lang)],
    )
