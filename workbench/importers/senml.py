"""SenML JSON (RFC 8428).

Base fields (``bn``, ``bt``, ``bu``, ``bv``) apply to the record that carries them and to
all following records until changed. The resolved name ``bn + n`` is split into the
sensor id and the quantity at the last ``:``, ``/`` or ``.`` when ``bn`` is empty;
otherwise the sensor is ``bn`` (trailing separator stripped) and the quantity ``n``.
Times are ``bt + t`` in seconds since the Unix epoch; per RFC 8428 §4.5.3 values below
2**28 are relative to now. String, boolean and data values (``vs``, ``vb``, ``vd``) and
names the registry does not know go to quarantine with the reason.
"""

from __future__ import annotations

import json
import math
import time as _time
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.importers.base import (
    ImportFormatError,
    ParsedBatch,
    batch_from_records,
)
from workbench.importers.jsonutil import load_json
from workbench.quantities import UnitError, conversion, try_resolve_quantity

FORMAT = "senml"
_RELATIVE_LIMIT = 2**28


def looks_like(doc: Any) -> bool:
    recs = doc if isinstance(doc, list) else None
    if not recs or not isinstance(recs[0], dict):
        return False
    keys = set().union(*(r.keys() for r in recs[:5] if isinstance(r, dict)))
    return bool(keys & {"bn", "n"}) and bool(keys & {"v", "bv", "vs", "vb", "vd", "s"})


def _split_name(bn: str, n: str) -> tuple[str, str]:
    if bn:
        return bn.rstrip(":/.-_") or bn, n
    cut = max(n.rfind(":"), n.rfind("/"), n.rfind("."))
    if cut <= 0:
        return "", n
    return n[:cut], n[cut + 1 :]


def senml_records(
    doc: Any, *, source: str, now: float | None = None
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Resolve a SenML pack into long records and quarantine rows.

    Returns a DataFrame with ``sensor_id, quantity, time, value, unit`` (quantity already
    canonical) and a list of quarantine rows.
    """
    rows, bad = senml_rows(doc, source=source, now=now)
    df = pd.DataFrame(rows, columns=["sensor_id", "quantity", "time", "value", "unit"])
    df["time"] = pd.to_datetime(df["time"].astype(float), unit="s", utc=True)
    return df, bad


def senml_rows(
    doc: Any, *, source: str, now: float | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Like :func:`senml_records` but as plain lists; ``time`` in seconds since the epoch.

    Raises
    ------
    ImportFormatError
        If the pack's structure is broken (the whole pack is unusable).
    """
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise ImportFormatError(source, "SenML must be a JSON array of records")
    now = _time.time() if now is None else now
    bn, bt, bu, bv = "", 0.0, None, 0.0
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    for i, rec in enumerate(doc, start=1):
        if not isinstance(rec, dict):
            raise ImportFormatError(source, f"record {i}: expected an object, got {rec!r:.40}")
        try:
            if "bn" in rec:
                bn = _text(rec["bn"], "bn")
            if "bt" in rec:
                bt = _number(rec["bt"], "bt")
            if "bu" in rec:
                bu = _text(rec["bu"], "bu")
            if "bv" in rec:
                bv = _number(rec["bv"], "bv")
            n = _text(rec.get("n", ""), "n")
            t = bt + _number(rec.get("t", 0.0), "t")
        except ValueError as exc:
            raise ImportFormatError(
                source, f"record {i}: {exc}", field=str(exc).split()[0]
            ) from None
        if abs(t) < _RELATIVE_LIMIT:
            t = now + t
        sensor, name = _split_name(bn, n)
        unit = rec.get("u", bu)
        raw = json.dumps(rec, ensure_ascii=False)[:2000]
        if "v" not in rec and "bv" not in rec:
            kind = next((k for k in ("vs", "vb", "vd", "s") if k in rec), None)
            if kind is None and not n:
                continue  # a pure base record
            bad.append(
                {
                    "line": i,
                    "field": kind or "v",
                    "reason": f"record {i}: no numeric value ('{kind}' is not stored)",
                    "raw": raw,
                }
            )
            continue
        try:
            v = bv + _number(rec.get("v", 0.0), "v")
        except ValueError as exc:
            raise ImportFormatError(source, f"record {i}: {exc}", field="v") from None
        if not sensor:
            raise ImportFormatError(
                source,
                f"record {i}: name {bn + n!r} names no sensor "
                "(expected a base name or 'device:quantity')",
                field="n",
            )
        quantity = try_resolve_quantity(name, unit)
        if quantity is None:
            bad.append(
                {"line": i, "field": "n", "reason": f"unknown quantity {name!r}", "raw": raw}
            )
            continue
        try:
            conversion(unit, quantity)
        except UnitError as exc:
            bad.append({"line": i, "field": "u", "reason": str(exc), "raw": raw})
            continue
        rows.append(
            {"sensor_id": sensor, "quantity": quantity, "time": t, "value": v, "unit": unit}
        )
    return rows, bad


def _text(x: Any, name: str) -> str:
    if not isinstance(x, str):
        raise ValueError(f"{name} must be a string, got {x!r:.40}")
    return x


def _number(x: Any, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {x!r:.40}")
    return float(x)


def parse_senml(data: bytes, *, source: str = "<bytes>", now: float | None = None) -> ParsedBatch:
    """Parse a SenML JSON pack (or JSON lines of packs).

    Examples
    --------
    >>> pack = b'[{"bn":"urn:dev:ow:10e2073a01080063:","bt":1.7e9,"bu":"Cel","n":"temp","v":23.1}]'
    >>> parse_senml(pack).observations.to_pandas()[["sensor_id", "quantity", "value"]].values.tolist()
    [['urn:dev:ow:10e2073a01080063', 'air_temperature', 23.1]]
    """
    doc = load_json(data, source)
    packs = doc if isinstance(doc, list) and doc and isinstance(doc[0], list) else [doc]
    frames, bad = [], []
    for pack in packs:
        df, b = senml_records(pack, source=source, now=now)
        frames.append(df)
        bad.extend(b)
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return batch_from_records(FORMAT, source, df, bad)


def read_senml(path: str | Path) -> ParsedBatch:
    p = Path(path)
    return parse_senml(p.read_bytes(), source=str(p))
