"""``workbench reprocess``: decode the kept raw stream payloads again."""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq

from workbench.ingest.decoders import make_decoder
from workbench.ingest.journal import Entry
from workbench.ingest.loader import empty_state, load_entries
from workbench.ingest.validate import Limits
from workbench.pipeline.result import Echo, StepResult, quiet
from workbench.workspace import Workspace


def run(
    ws: Workspace,
    *,
    fmt: str | None = None,
    replace: bool = False,
    echo: Echo = quiet,
) -> StepResult:
    """Decode every kept raw payload again with today's decoders and configuration.

    Without ``replace`` only readings not stored yet are added (for example those a
    missing byte decoder had sent to quarantine). With ``replace`` every observation that
    came from MQTT is removed first and rebuilt from the raw payloads (after a decoder
    fix that changes values). Quarantine history is kept either way. Stop the ingest
    service first: both write the store.
    """
    snap = ws.store.snapshot()
    files = snap.raw_files()
    limits = Limits.from_config(ws.config)
    totals = {"payloads": 0, "stored": 0, "duplicates": 0, "rejected": 0, "dropped": 0}
    with ws.store.transaction() as tx:
        if replace:
            totals["dropped"] = tx.drop_observations("mqtt:")
        state = dict(tx.ingest_state or empty_state())
        scratch = empty_state()
        lookup = ws.area_lookup()
        decoders: dict[str, Any] = {}
        for path in files:
            tbl = pq.read_table(path)
            by_format: dict[str, list[Any]] = {}
            for row in tbl.to_pylist():
                by_format.setdefault(fmt or row["format"], []).append(row)
            for f, rows in by_format.items():
                if f not in decoders:
                    decoders[f] = make_decoder(
                        f,
                        ws.config.get("mqtt", {}),
                        ws.config.get("import", {}).get("timezone") or None,
                    )
                entries = [
                    Entry(r["received_at"].timestamp(), r["topic"], r["payload"]) for r in rows
                ]
                res = load_entries(
                    tx,
                    entries,
                    decoders[f],
                    f,
                    limits,
                    scratch,
                    area_lookup=lookup,
                    keep_raw=False,
                    keep_quarantine=False,
                )
                totals["payloads"] += len(entries)
                totals["stored"] += res["stored"]
                totals["duplicates"] += res["duplicates"]
                totals["rejected"] += res["messages_rejected"]
            echo(f"reprocessed {path}")
        state["reprocessed_at"] = scratch["last_load_at"]
        tx.ingest_state = state
    line = (
        f"reprocessed {totals['payloads']} payloads: {totals['stored']} readings stored, "
        f"{totals['duplicates']} already stored, {totals['rejected']} payloads still rejected"
        + (f"; {totals['dropped']} old readings replaced" if replace else "")
    )
    return StepResult("reprocess", summary=totals, lines=[line])
