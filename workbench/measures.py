"""The register of implemented measures (trees planted, squares unsealed, …).

A measure has ``measure_id``, ``category``, a location (``lat``/``lon``, or a polygon in
GeoJSON whose centroid is used and whose extent sets the radius), ``built_on`` (ISO date)
and optionally ``proposal_id``, ``cost_eur`` and ``radius_m`` (the area it is expected to
affect; default: the category's catchment from :data:`workbench.models.ranking.EFFECTS`).
Measures come from CSV/GeoJSON files or from green-budget proposals marked as built.
The register lives in ``WORKSPACE/measures/measures.parquet`` and is replaced atomically.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import InputError
from workbench.importers.base import ImportFormatError
from workbench.importers.jsonutil import NESTED

COLUMNS = [
    "measure_id",
    "category",
    "lat",
    "lon",
    "built_on",
    "proposal_id",
    "cost_eur",
    "radius_m",
    "source",
]
REQUIRED = ("measure_id", "category", "lat", "lon", "built_on")
DEFAULT_RADIUS_M = 150.0


def _default_radius(category: str) -> float:
    from workbench.models.ranking import EFFECTS

    return float(EFFECTS.get(category, {}).get("radius_m", DEFAULT_RADIUS_M))


def _row(raw: dict[str, Any], source: str, where: str) -> dict[str, Any]:
    def fail(field: str, expected: str) -> ImportFormatError:
        return ImportFormatError(
            source, f"{where}, field {field!r}: expected {expected}, got {raw.get(field)!r}"
        )

    for k in REQUIRED:
        if raw.get(k) in (None, ""):
            raise fail(k, "a value")
    out: dict[str, Any] = {
        "measure_id": str(raw["measure_id"]).strip(),
        "category": str(raw["category"]).strip().lower(),
    }
    for k, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        try:
            v = float(raw[k])
        except (TypeError, ValueError):
            raise fail(k, "a number") from None
        if not (lo <= v <= hi) or not math.isfinite(v):
            raise fail(k, f"a number in [{lo}, {hi}]")
        out[k] = v
    try:
        out["built_on"] = date.fromisoformat(str(raw["built_on"]).strip()[:10])
    except ValueError:
        raise fail("built_on", "an ISO date like 2025-07-16") from None
    out["proposal_id"] = (
        str(raw["proposal_id"]).strip() if raw.get("proposal_id") not in (None, "") else None
    )
    for k in ("cost_eur", "radius_m"):
        v = raw.get(k)
        if v in (None, ""):
            out[k] = math.nan
            continue
        try:
            out[k] = float(v)
        except (TypeError, ValueError):
            raise fail(k, "a number") from None
        if out[k] < 0 or (k == "radius_m" and not 10 <= out[k] <= 2000):
            raise fail(k, "a number ≥ 0 (radius 10–2000 m)")
    if not math.isfinite(out["radius_m"]):
        out["radius_m"] = _default_radius(out["category"])
    out["source"] = source
    return out


def parse_measures(data: bytes, source: str = "<bytes>") -> pd.DataFrame:
    """Parse a measures CSV or GeoJSON.

    Examples
    --------
    >>> text = b"measure_id,category,lat,lon,built_on\\nM-1,trees,51.5,7.1,2025-07-16\\n"
    >>> m = parse_measures(text, "m.csv")
    >>> m[["measure_id", "radius_m"]].values.tolist(), str(m["built_on"].iloc[0])
    ([['M-1', 100.0]], '2025-07-16')
    >>> bad = b"measure_id,category,lat,lon,built_on\\nM-1,trees,x,7.1,2025-07-16\\n"
    >>> parse_measures(bad, "m.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.importers.base.ImportFormatError: m.csv: line 2, field 'lat': expected a number...
    """
    text = data.decode("utf-8-sig")
    rows = []
    if text.lstrip().startswith("{"):
        import shapely.geometry

        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(source, f"not valid JSON: {exc}") from None
        except RecursionError:
            raise ImportFormatError(source, f"not valid JSON ({NESTED})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("features", []), list):
            raise ImportFormatError(source, "expected a GeoJSON FeatureCollection")
        for i, f in enumerate(doc.get("features", []), 1):
            if not isinstance(f, dict):
                raise ImportFormatError(source, f"feature {i}: expected a Feature object")
            props = dict(f.get("properties") or {})
            try:
                geom = shapely.geometry.shape(f["geometry"])
            except (KeyError, TypeError, ValueError, AttributeError):
                raise ImportFormatError(source, f"feature {i}: expected a geometry") from None
            c = geom.centroid
            props.setdefault("lat", c.y)
            props.setdefault("lon", c.x)
            if geom.geom_type != "Point" and props.get("radius_m") in (None, ""):
                b = geom.bounds  # degrees → metres, half the larger extent
                ext = max(
                    (b[2] - b[0]) * 111_320 * math.cos(math.radians(c.y)), (b[3] - b[1]) * 110_574
                )
                props["radius_m"] = max(50.0, ext / 2 + 50.0)
            rows.append(_row(props, source, f"feature {i}"))
    else:
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportFormatError(
                source, f"line 1: missing columns {missing}; expected at least {list(REQUIRED)}"
            )
        for i, raw in enumerate(reader, 2):
            rows.append(_row(raw, source, f"line {i}"))
    df = pd.DataFrame(rows, columns=COLUMNS)
    dup = df["measure_id"].duplicated()
    if dup.any():
        raise ImportFormatError(
            source, f"duplicate measure_id {df.loc[dup, 'measure_id'].iloc[0]!r}"
        )
    return df


def from_proposals(proposals: pd.DataFrame, built: dict[str, str]) -> pd.DataFrame:
    """Measures for green-budget proposals marked as built (``{proposal_id: ISO date}``)."""
    p = proposals.set_index(proposals["proposal_id"].astype(str))
    rows = []
    for pid, day in built.items():
        if pid not in p.index:
            raise InputError(f"unknown proposal {pid!r}; known are e.g. {list(p.index[:5])}")
        r = p.loc[pid]
        rows.append(
            _row(
                {
                    "measure_id": pid,
                    "category": r.get("category", "other"),
                    "lat": r.get("lat"),
                    "lon": r.get("lon"),
                    "built_on": day,
                    "proposal_id": pid,
                    "cost_eur": r.get("cost_eur"),
                },
                "participation",
                f"proposal {pid}",
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def register_path(root: Path) -> Path:
    return Path(root) / "measures" / "measures.parquet"


def read_register(root: Path) -> pd.DataFrame:
    """The register (empty frame with the columns when there is none)."""
    p = register_path(root)
    if not p.exists():
        return pd.DataFrame(columns=COLUMNS)
    df = pd.read_parquet(p)
    df["built_on"] = pd.to_datetime(df["built_on"]).dt.date
    return df


def write_register(root: Path, new: pd.DataFrame, *, replace: bool = False) -> pd.DataFrame:
    """Add (or with ``replace`` set) measures; a measure id given again is updated."""
    old = pd.DataFrame(columns=COLUMNS) if replace else read_register(root)
    both = pd.concat([old[~old["measure_id"].isin(new["measure_id"])], new], ignore_index=True)
    both = both.sort_values("measure_id").reset_index(drop=True)
    p = register_path(root)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.tmp")
    both.assign(built_on=both["built_on"].astype(str)).to_parquet(tmp, index=False)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, p)
    return both
