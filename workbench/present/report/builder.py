"""Read a finished run and assemble the report's sections in order (:func:`build_content`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import i18n
from workbench.i18n import fmt_datetime, t, tf
from workbench.present.publication import Publication
from workbench.present.report.caveats import caveats_section
from workbench.present.report.changes import changes_section
from workbench.present.report.decision import decision_section
from workbench.present.report.figures import maps_section
from workbench.present.report.legal import legal_entries
from workbench.present.report.measures import evaluation_section, plan_section
from workbench.present.report.methods import methods_section
from workbench.present.report.monitoring import monitoring_section
from workbench.present.report.ranking import ranking_section, top_five_table
from workbench.present.report.reproduce import reproduce_section
from workbench.present.report.scenarios import scenarios_section
from workbench.present.report.summary import summary_paragraphs
from workbench.present.report.tables import ReportContent, Section, area_names
from workbench.run_summary import load_run_summary

REQUIRED = ("metrics.json", "proposals.parquet", "allocation.parquet", "allocation_summary.parquet")


@dataclass
class RunTables:
    """The tables of one run the report needs; optional ones are ``None`` when absent."""

    path: Path
    metrics: dict[str, Any]
    props: pd.DataFrame
    alloc: pd.DataFrame
    summary: pd.DataFrame
    area_res: pd.DataFrame | None
    districts: pd.DataFrame | None

    def optional(self, name: str) -> pd.DataFrame | None:
        """``<name>.parquet`` of the run, or ``None`` if the run has none."""
        file = self.path / f"{name}.parquet"
        return pd.read_parquet(file) if file.exists() else None


def read_run(run: Path) -> RunTables:
    """Load metrics, proposals and allocations of ``run``; fail if the run is incomplete."""
    missing = [n for n in REQUIRED if not (run / n).exists()]
    if missing:
        raise FileNotFoundError(
            f"{run} lacks {', '.join(missing)}: run `workbench fit` and `workbench rank` first"
        )
    tables = RunTables(
        path=run,
        metrics=json.loads((run / "metrics.json").read_text(encoding="utf-8")),
        props=pd.read_parquet(run / "proposals.parquet"),
        alloc=pd.read_parquet(run / "allocation.parquet"),
        summary=pd.read_parquet(run / "allocation_summary.parquet"),
        area_res=None,
        districts=None,
    )
    tables.area_res = tables.optional("areas")
    tables.districts = tables.optional("allocation_districts")
    return tables


def computed_text(metrics: dict[str, Any], lang: str) -> str:
    """When the run was computed, as people read it (local time), for header and footer.

    >>> computed_text({"finished_at": "2026-12-08T02:04:10+00:00"}, "de")
    'Berechnung vom 08.12.2026, 03:04 Uhr'
    """
    when = metrics.get("finished_at") or metrics.get("started_at")
    return tf("computed_on", lang, when=fmt_datetime(when, lang)) if when else ""


def summary_section(
    r: RunTables, facts: dict[str, Any], areas: pd.DataFrame | None, lang: str
) -> Section:
    """The situation in plain language and the top five proposals; the budget scenarios
    have a section of their own, which the last paragraph points to."""
    return Section(
        "summary",
        t("summary", lang),
        [*summary_paragraphs(facts, lang), t("summary_see_scenarios", lang)],
        [top_five_table(r.props, areas, lang)],
        terms=[(t("term_kelvin", lang), t("term_kelvin_text", lang))],
    )


def build_content(
    run: str | Path,
    *,
    areas: pd.DataFrame | None = None,
    health: pd.DataFrame | None = None,
    lang: str = "de",
    figures: bool = True,
    monitoring: dict[str, Any] | None = None,
    streets: dict | None = None,
    publication: Publication | None = None,
) -> ReportContent:
    """Everything the report shows, from one run directory.

    Parameters
    ----------
    run : a run directory with ``cells``, ``areas``, ``proposals`` and allocation tables
    areas : district polygons (names and boundaries)
    health : sensor health table (``status`` column), for the caveats
    lang : ``"de"`` (default) or ``"en"``
    figures : draw the maps (turn off for fast tests of the tables)
    monitoring : :func:`workbench.pipeline.monitor.monitoring` output, for its section
    streets : main streets (GeoJSON in lon/lat) drawn on the maps
    publication : the ``[publication]`` settings, for the closing block's legal links

    Returns
    -------
    ReportContent
        Summary, maps, ranking, scenarios, then evaluation, sensor plan and monitoring where
        the run has them, then methods, caveats and the reproduction tables.
    """
    i18n.check_lang(lang)
    run = Path(run)
    r = read_run(run)
    facts = load_run_summary(run, areas)
    decision = decision_section(facts, r.props, area_names(areas), lang)
    sections = [decision] if decision is not None else []
    sections.append(summary_section(r, facts, areas, lang))
    changes = changes_section(run, areas, lang)
    if changes is not None:
        sections.append(changes)
    if figures and (run / "cells.parquet").exists():
        sections.append(
            maps_section(pd.read_parquet(run / "cells.parquet"), r.props, areas, lang, streets)
        )
    sections.append(ranking_section(r.props, areas, lang))
    sections.append(scenarios_section(r.props, r.alloc, r.summary, r.districts, areas, lang))
    evaluation = r.optional("evaluation")
    if evaluation is not None:
        sections.append(evaluation_section(evaluation, lang))
    plan = r.optional("sensor_plan")
    if plan is not None:
        sections.append(plan_section(plan, r.metrics.get("sensor_plan", {}), areas, lang))
    if monitoring is not None and not monitoring["districts"].empty:
        sections.append(monitoring_section(monitoring, lang))
    sections.append(methods_section(r.metrics, lang))
    sections.append(caveats_section(r.metrics, health, lang))
    sections.append(reproduce_section(r.metrics, run.name, lang))
    return ReportContent(
        lang=lang,
        title=t("title", lang),
        subtitle=t("subtitle", lang),
        run_id=run.name,
        simulated=bool(r.metrics.get("simulated")),
        sections=sections,
        summary=facts,
        names=area_names(areas),
        computed=computed_text(r.metrics, lang),
        legal=legal_entries(publication or Publication(), lang),
    )
