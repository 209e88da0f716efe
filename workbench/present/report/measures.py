"""Measures on the ground: the measured impact of implemented measures and where new sensors
would best show the impact of the funded ones."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.i18n import fmt_dec, t, tf
from workbench.present.report.tables import Section, Table, area_names, label


def evaluation_section(ev: pd.DataFrame, lang: str) -> Section:
    """Impact of implemented measures: effect, interval, data, verdict, explanation.

    Parameters
    ----------
    ev : ``evaluation.parquet`` of a run, one row per measure and quantity
    lang : ``"de"`` or ``"en"``
    """
    quantities = {"uhi_night": t("eval_uhi_night", lang), "tmax_day": t("eval_tmax_day", lang)}
    quantities["pm2_5"] = t("pm2_5_ugm3", lang)
    frame = pd.DataFrame(
        {
            t("eval_measure", lang): ev["measure_id"].astype(str),
            t("quantity", lang): [quantities.get(q, q) for q in ev["quantity"]],
            t("eval_effect", lang): ev["effect"].to_numpy(float),
            t("eval_interval", lang): [
                "–" if not np.isfinite(a) else f"{fmt_dec(a, lang)} … {fmt_dec(b, lang)}"
                for a, b in zip(ev["ci_low"], ev["ci_high"], strict=True)
            ],
            t("eval_sensors", lang): [
                f"{a}/{b}" for a, b in zip(ev["n_treated"], ev["n_control"], strict=True)
            ],
            t("eval_verdict", lang): [label("verdict_", v, lang) for v in ev["verdict"]],
            t("why", lang): ev["explanation_de" if lang == "de" else "explanation_en"].astype(str),
        }
    )
    formats = dict(
        zip(frame.columns, ["text", "text", "dec2", "text", "text", "text", "text"], strict=True)
    )
    return Section(
        "evaluation",
        t("eval_title", lang),
        [t("eval_intro", lang)],
        [Table("evaluation", t("eval_results", lang), frame, formats)],
    )


def plan_paragraph(stats: dict[str, Any], lang: str) -> str:
    """How much the planned sensors lower the heat model's variance at the funded sites."""
    before = fmt_dec(stats["target_variance_before"], lang, 3)
    after = fmt_dec(stats["target_variance_after"], lang, 3)
    random = fmt_dec(stats["target_variance_after_random_mean"], lang, 3)
    return tf(
        "plan_paragraph",
        lang,
        targets=stats.get("targets"),
        before=before,
        after=after,
        random=random,
    )


def plan_section(
    plan: pd.DataFrame, stats: dict[str, Any], areas: pd.DataFrame | None, lang: str
) -> Section:
    """Recommended new sensor sites, with their purpose and district.

    Parameters
    ----------
    plan : ``sensor_plan.parquet`` of a run (``site``, ``purpose``, ``area_id``, ``lat``,
        ``lon``)
    stats : ``metrics["sensor_plan"]``: variance at the funded sites before and after
    areas : district polygons, for the district names
    lang : ``"de"`` or ``"en"``
    """
    names = area_names(areas)
    frame = pd.DataFrame(
        {
            t("plan_site", lang): plan["site"].astype(str),
            t("plan_purpose", lang): [label("purpose_", p, lang) for p in plan["purpose"]],
            t("district", lang): [names.get(a, a or "–") for a in plan["area_id"]],
            t("col_lat", lang): [fmt_dec(v, lang, 5) for v in plan["lat"]],
            t("col_lon", lang): [fmt_dec(v, lang, 5) for v in plan["lon"]],
        }
    )
    para = [plan_paragraph(stats, lang)] if stats else []
    table = Table("sensor_plan", t("plan_sites", lang), frame, dict.fromkeys(frame.columns, "text"))
    return Section("sensor_plan", t("plan_title", lang), para, [table])
