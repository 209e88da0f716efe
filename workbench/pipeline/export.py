"""``workbench export``: canonical observations with their QC flags, as Parquet or CSV."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
import pyarrow.parquet as pq

from workbench.errors import InputError
from workbench.pipeline.result import StepResult
from workbench.privacy import FORMULA_PATTERN
from workbench.quantities import canonical_unit
from workbench.workspace import Workspace

COLUMNS = ["sensor_id", "quantity", "time", "value", "unit", "qc", "value_clean", "source"]


def csv_safe(table: pa.Table) -> pa.Table:
    """Text columns whose cells a spreadsheet would read as formulas (a sensor id from a
    file or a stream is outside data) get the leading apostrophe, as
    :func:`workbench.privacy.formula_safe` gives one cell.

    >>> t = csv_safe(pa.table({"sensor_id": ["=cmd|' /C calc'!A0", "sc:1"], "value": [1, 2]}))
    >>> t["sensor_id"].to_pylist()
    ["'=cmd|' /C calc'!A0", 'sc:1']
    """
    for i, name in enumerate(table.column_names):
        col = table.column(i)
        if pa.types.is_dictionary(col.type):
            col = pc.cast(col, pa.string())
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue
        risky = pc.fill_null(pc.match_substring_regex(col, FORMULA_PATTERN), False)
        if pc.any(risky).as_py():
            quoted = pc.binary_join_element_wise(
                pa.scalar("'", col.type), col, pa.scalar("", col.type)
            )
            table = table.set_column(i, name, pc.if_else(risky, quoted, col))
    return table


def run(
    ws: Workspace,
    out: str | Path,
    *,
    quantity: str | Sequence[str] | None = None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
) -> StepResult:
    """Write canonical observations to Parquet or CSV (by extension).

    Columns: ``sensor_id, quantity, time (UTC), value, unit, qc, value_clean, source``:
    ``value`` as measured, ``qc`` the QC bit mask (0 = passed every check),
    ``value_clean`` humidity-corrected and calibrated. QC runs first if the store changed
    since the last run, so the flags always describe the exported rows. ``summary["rows"]``
    is the number of rows written.
    """
    out = Path(out)
    suffix = "".join(out.suffixes[-2:]).lower()
    if not suffix.endswith((".parquet", ".csv")):
        raise InputError(f"--out must end in .parquet or .csv, got {out.name!r}")
    df = ws.clean(quantity, start=start, end=end, include_flagged=True)
    df = df.rename(columns={"value": "value_clean", "raw_value": "value"})
    units = {q: canonical_unit(q) for q in df["quantity"].unique()}
    df["unit"] = df["quantity"].map(units)
    # reindex: an empty store gives an empty file with the same header, not a crash
    table = pa.Table.from_pandas(df.reindex(columns=COLUMNS), preserve_index=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    if suffix.endswith(".parquet"):
        pq.write_table(table, tmp, compression="zstd")
    else:
        pv.write_csv(csv_safe(table), tmp)
    os.replace(tmp, out)
    n = table.num_rows
    return StepResult(
        "export",
        files={"out": out},
        summary={"rows": n},
        lines=[f"wrote {n} observations to {out}"],
    )
