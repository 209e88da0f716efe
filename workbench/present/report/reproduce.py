"""Data, parameters and software of a run: what one needs to reproduce the report.

Values are shown as people read them: numbers in the reader's style (``0,05``,
``2.000``), times in local time, weights with their names; the run id appears here once,
labelled as the run's technical id.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from workbench.i18n import fmt_datetime, fmt_dec, fmt_eur, fmt_int, t
from workbench.present.report.tables import Section, Table, kv_table, label


def fmt_number(x: float, lang: str, min_digits: int = 0) -> str:
    """A number with as many decimals as it has (at most 6, at least ``min_digits``).

    >>> fmt_number(2000.0, "de"), fmt_number(0.05, "de"), fmt_number(0.3, "de", 2)
    ('2.000', '0,05', '0,30')
    >>> fmt_number(1234.5, "en")
    '1,234.5'
    """
    if not math.isfinite(x):
        return "–"
    digits = next((d for d in range(7) if abs(round(x, d) - x) < 1e-9), 6)
    digits = max(digits, min_digits)
    return fmt_int(x, lang) if digits == 0 else fmt_dec(x, lang, digits)


def param_value(v: Any, lang: str, *, key: str = "") -> str:
    """A run parameter as text: numbers in the reader's style, lists joined by "; ",
    weights (a mapping) with their names.

    >>> param_value({"heat": 0.3, "air": 0.2}, "de")
    'Hitze 0,30; Luft 0,20'
    >>> param_value([22, 6], "de"), param_value(True, "de"), param_value("ge-001", "de")
    ('22; 6', 'ja', 'ge-001')
    """
    if isinstance(v, bool):
        return t("yes" if v else "no", lang)
    if isinstance(v, int | float):
        return fmt_number(float(v), lang, 2 if key == "weights" else 0)
    if isinstance(v, dict):
        return "; ".join(
            f"{label('weight_', k, lang)} {param_value(x, lang, key='weights')}"
            for k, x in v.items()
        )
    if isinstance(v, list | tuple):
        return "; ".join(param_value(x, lang) for x in v)
    return "–" if v is None else str(v)


def coverage_items(metrics: dict[str, Any], run_id: str, lang: str) -> list[tuple[str, Any]]:
    """Period, sensors, grid cells, readings per quantity, proposals, voters, budget, and
    the run's technical id."""
    cov = metrics.get("coverage", {})
    h = metrics.get("heat", {})
    items: list[tuple[str, Any]] = []
    if h.get("period"):
        items.append(
            (t("repro_period", lang), " – ".join(fmt_datetime(p, lang) for p in h["period"]))
        )
    items.append((t("repro_sensors", lang), count(cov.get("sensors_with_position"), lang)))
    items.append((t("repro_cells", lang), count(cov.get("grid_cells"), lang)))
    for q, n in cov.get("observations", {}).items():
        items.append(
            (f"{t('repro_readings', lang)}: {label('quantity_', q, lang)}", fmt_int(n, lang))
        )
    r = metrics.get("ranking", {})
    if r:
        items.append((t("repro_proposals", lang), count(r.get("proposals"), lang)))
        items.append((t("repro_voters", lang), count(r.get("voters"), lang)))
        items.append((t("budget", lang), fmt_eur(float(r.get("budget_eur", np.nan)), lang)))
    items.append((t("repro_run", lang), run_id))
    return items


def count(n: Any, lang: str) -> str:
    """A count in the reader's style, "–" when there is none.

    >>> count(11972, "de"), count(None, "de")
    ('11.972', '–')
    """
    return "–" if n is None else fmt_int(float(n), lang)


def parameter_items(metrics: dict[str, Any], lang: str) -> list[tuple[str, Any]]:
    """The run's parameters, start and end time, and output checksums."""
    params: list[tuple[str, Any]] = [
        (k, param_value(v, lang, key=k)) for k, v in metrics.get("parameters", {}).items()
    ]
    started, finished = (fmt_datetime(metrics.get(k), lang) for k in ("started_at", "finished_at"))
    params.append((t("repro_started", lang), f"{started} / {finished}"))
    for k, v in metrics.get("outputs_sha256", {}).items():
        params.append((f"sha256 {k}", v))
    return params


def reproduce_tables(metrics: dict[str, Any], run_id: str, lang: str) -> list[Table]:
    """Data coverage, run parameters and software versions, as three item/value tables."""
    return [
        kv_table(
            "coverage", t("repro_coverage", lang), coverage_items(metrics, run_id, lang), lang
        ),
        kv_table(
            "parameters",
            t("repro_parameters", lang),
            parameter_items(metrics, lang),
            lang,
            key_title=t("param_label", lang),
        ),
        kv_table("software", "Software", list(metrics.get("software", {}).items()), lang),
    ]


def reproduce_section(metrics: dict[str, Any], run_id: str, lang: str) -> Section:
    """:func:`reproduce_tables` as a section."""
    tables = reproduce_tables(metrics, run_id, lang)
    return Section("reproduce", t("reproduce", lang), tables=tables)
