"""Data quality and limits: simulated data, QC pass rate, sensor health, low-cost sensors,
short periods, and the run's own notes and warnings."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.i18n import fmt_int, fmt_pct, t, tf
from workbench.present.report.tables import Section


def caveat_paragraphs(metrics: dict[str, Any], health: pd.DataFrame | None, lang: str) -> list[str]:
    """What a reader should know before trusting the numbers.

    Parameters
    ----------
    metrics : ``metrics.json`` of the run
    health : sensor health table (``status`` column), or ``None``
    lang : ``"de"`` or ``"en"``
    """
    out = []
    if metrics.get("simulated"):
        out.append(t("simulated", lang))
    cov = metrics.get("coverage", {})
    if cov.get("qc_readings"):
        share = fmt_pct(cov["qc_passed"] / cov["qc_readings"], lang)
        readings = fmt_int(cov["qc_readings"], lang)
        out.append(tf("caveat_qc_passed", lang, share=share, readings=readings))
    if health is not None and not health.empty:
        counts = health["status"].value_counts()
        words = ", ".join(f"{k} {v}" for k, v in counts.items())
        out.append(f"{t('sensor_health', lang)}: {words}.")
    out.append(t("caveat_sensors", lang))
    if metrics.get("air", {}).get("period_note"):
        out.append(t("caveat_period", lang))
    out += [f"{t('note', lang)}: {n}" for n in metrics.get("notes", [])]
    out += [f"{t('warning', lang)}: {w}" for w in metrics.get("ranking", {}).get("warnings", [])]
    return out


def caveats_section(metrics: dict[str, Any], health: pd.DataFrame | None, lang: str) -> Section:
    """:func:`caveat_paragraphs` as a section."""
    return Section("caveats", t("caveats", lang), caveat_paragraphs(metrics, health, lang))
