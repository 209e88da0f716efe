"""The current situation per district: heat and air of the last 24 hours, and alerts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.i18n import fmt_datetime, t, tf
from workbench.present.report.tables import Section, Table, label


def monitoring_frame(d: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Districts with Tmax, tropical nights, felt-temperature class and days over EU limits."""
    missing = pd.Series(np.nan, index=d.index)
    return pd.DataFrame(
        {
            t("district", lang): d["name"].astype(str),
            t("mon_tmax", lang): d["tmax_24h"].to_numpy(float),
            t("mon_tropical_nights", lang): d["tropical_night_streak"].to_numpy(float),
            t("mon_felt", lang): [
                label("heat_class_", c, lang) for c in d["heat_class"].astype(str)
            ],
            t("mon_pm2_5_days", lang): d.get("pm2_5_days_over_eu", missing).to_numpy(float),
            t("mon_pm10_days", lang): d.get("pm10_days_over_eu", missing).to_numpy(float),
        }
    )


def monitoring_section(mon: dict[str, Any], lang: str) -> Section:
    """The monitoring status as a section: as-of time, alerts, one row per district.

    Parameters
    ----------
    mon : :func:`workbench.pipeline.monitor.monitoring` output (``districts``,
        ``alerts`` with one text per language, ``as_of``)
    lang : ``"de"`` or ``"en"``
    """
    frame = monitoring_frame(mon["districts"], lang)
    formats = dict(zip(frame.columns, ["text", "dec1", "int", "text", "int", "int"], strict=True))
    para = [tf("mon_as_of", lang, as_of=fmt_datetime(mon["as_of"], lang))]
    if mon["alerts"]:
        para += [("⚠ " + a[lang]) for a in mon["alerts"]]
    else:
        para.append(t("no_alerts", lang))
    return Section(
        "monitoring",
        t("mon_title", lang),
        para,
        [Table("monitoring", t("mon_table", lang), frame, formats)],
    )
