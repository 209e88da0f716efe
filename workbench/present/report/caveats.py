"""Data quality and limits: simulated data, QC pass rate, sensor health, low-cost sensors,
short periods, and the run's own notes and warnings."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from workbench.i18n import fmt_int, fmt_pct, t, tf
from workbench.present.report.tables import Section, label

NOT_FITTED = re.compile(r"^(\w+) model not fitted: ")


def note_sentences(notes: list[str], lang: str) -> list[str]:
    """The run's notes in the reader's language: the known ones as sentences of the i18n
    table, the rest (technical, in English) pointed to in the workbook for German readers.

    >>> note_sentences(["no2 model not fitted: 2 sensors"], "de")[0][:30]
    'Für Stickstoffdioxid NO₂ wurde'
    """
    out, other = [], False
    for n in notes:
        m = NOT_FITTED.match(n)
        if m:
            out.append(tf("note_model_not_fitted", lang, what=label("quantity_", m[1], lang)))
        elif n.startswith("no air temperature"):
            out.append(t("note_no_heat", lang))
        elif lang == "en":
            out.append(f"{t('note', lang)}: {n}")
        else:
            other = True
    if other:
        out.append(t("note_other", lang))
    return out


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
        words = ", ".join(f"{label('health_', k, lang)} {v}" for k, v in counts.items())
        out.append(f"{t('sensor_health', lang)}: {words}.")
    out.append(t("caveat_sensors", lang))
    if metrics.get("air", {}).get("period_note"):
        out.append(t("caveat_period", lang))
    out += note_sentences(metrics.get("notes", []), lang)
    out += [f"{t('warning', lang)}: {w}" for w in metrics.get("ranking", {}).get("warnings", [])]
    return out


def caveats_section(metrics: dict[str, Any], health: pd.DataFrame | None, lang: str) -> Section:
    """:func:`caveat_paragraphs` as a section."""
    return Section("caveats", t("caveats", lang), caveat_paragraphs(metrics, health, lang))
