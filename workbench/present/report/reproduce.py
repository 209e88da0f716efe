"""Data, parameters and software of a run: what one needs to reproduce the report."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from workbench.i18n import fmt_eur, fmt_int, t
from workbench.present.report.tables import Section, Table, kv_table, label


def coverage_items(metrics: dict[str, Any], run_id: str, lang: str) -> list[tuple[str, Any]]:
    """Run id, period, sensors, grid cells, readings per quantity, proposals, voters, budget."""
    cov = metrics.get("coverage", {})
    h = metrics.get("heat", {})
    items: list[tuple[str, Any]] = [(t("repro_run", lang), run_id)]
    if h.get("period"):
        items.append((t("repro_period", lang), " – ".join(map(str, h["period"]))))
    items.append((t("repro_sensors", lang), cov.get("sensors_with_position", "–")))
    items.append((t("repro_cells", lang), cov.get("grid_cells", "–")))
    for q, n in cov.get("observations", {}).items():
        items.append(
            (f"{t('repro_readings', lang)}: {label('quantity_', q, lang)}", fmt_int(n, lang))
        )
    r = metrics.get("ranking", {})
    if r:
        items.append((t("repro_proposals", lang), r.get("proposals")))
        items.append((t("repro_voters", lang), r.get("voters")))
        items.append((t("budget", lang), fmt_eur(float(r.get("budget_eur", np.nan)), lang)))
    return items


def parameter_items(metrics: dict[str, Any], lang: str) -> list[tuple[str, Any]]:
    """The run's parameters (as JSON), start and end time, and output checksums."""
    params: list[tuple[str, Any]] = [
        (k, json.dumps(v, ensure_ascii=False)) for k, v in metrics.get("parameters", {}).items()
    ]
    params.append(
        (t("repro_started", lang), f"{metrics.get('started_at')} / {metrics.get('finished_at')}")
    )
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
