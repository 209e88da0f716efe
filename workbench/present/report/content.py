"""What the report says, as data: sections of paragraphs, tables and figures.

:func:`build_content` reads a finished run (``results/<run>/``) and returns a
:class:`ReportContent`; the renderers (:mod:`.html`, :mod:`.pdf`, :mod:`.xlsx`) only lay it
out. Tables carry raw values plus a format per column, so the spreadsheet keeps numbers as
numbers while the PDF and HTML show them in the reader's language.

This module gathers the names the renderers and tests use; the work is done in

- :mod:`.tables`: :class:`Table`, :class:`Figure`, :class:`Section`, :class:`ReportContent`,
  :func:`format_value`
- :mod:`.builder`: :func:`build_content` (reads the run, orders the sections)
- :mod:`.summary`, :mod:`.figures`, :mod:`.ranking`, :mod:`.scenarios`, :mod:`.measures`,
  :mod:`.monitoring`, :mod:`.methods`, :mod:`.caveats`, :mod:`.reproduce`: one topic each

Only whitelisted columns of the proposals reach the report: no author, e-mail or voter id
can leak, whatever the participation export contained; vote counts below 5 are shown as
"fewer than 5".
"""

from __future__ import annotations

from workbench.present.report.builder import build_content
from workbench.present.report.caveats import caveat_paragraphs
from workbench.present.report.figures import map_figures
from workbench.present.report.measures import evaluation_section, plan_section
from workbench.present.report.methods import method_paragraphs, validation_table
from workbench.present.report.monitoring import monitoring_section
from workbench.present.report.ranking import proposal_table
from workbench.present.report.reproduce import reproduce_tables
from workbench.present.report.scenarios import (
    district_table,
    funded_matrix,
    scenario_numbers,
    scenario_table,
)
from workbench.present.report.summary import summary_paragraphs
from workbench.present.report.tables import (
    FORMATS,
    METHODS,
    Figure,
    ReportContent,
    Section,
    Table,
    format_value,
)

__all__ = [
    "FORMATS",
    "METHODS",
    "Figure",
    "ReportContent",
    "Section",
    "Table",
    "build_content",
    "caveat_paragraphs",
    "district_table",
    "evaluation_section",
    "format_value",
    "funded_matrix",
    "map_figures",
    "method_paragraphs",
    "monitoring_section",
    "plan_section",
    "proposal_table",
    "reproduce_tables",
    "scenario_numbers",
    "scenario_table",
    "summary_paragraphs",
    "validation_table",
]
