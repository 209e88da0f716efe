"""The generic proposal CSV and GeoJSON (see ARCHITECTURE.md), and ballot CSVs.

Proposals: ``proposal_id, title, description, category, cost_eur, lat, lon`` and
optionally ``votes, area_id, address``. GeoJSON: Point features (or polygons, placed at
their centroid) with those properties. Ballots: ``voter_id, proposal_id[, points]``.

>>> p = parse_generic_csv(
...     b"proposal_id,title,category,cost_eur,lat,lon\\nA,Trees,Baeume,5000,51.5,7.1\\n")
>>> p.proposals[["proposal_id", "category", "cost_eur"]].values.tolist()
[['A', 'trees', 5000.0]]
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from workbench.importers.jsonutil import NESTED
from workbench.participation.table import (
    NUMBER_RANGES,
    Participation,
    ParticipationError,
    finish,
    first_out_of_range,
    frame,
    norm,
    number,
    read_rows,
)

ALIASES = {
    "proposal_id": ["proposal_id", "id", "project_id"],
    "title": ["title", "titel", "name"],
    "description": ["description", "beschreibung", "body"],
    "category": ["category", "kategorie", "tags"],
    "cost_eur": ["cost_eur", "cost", "kosten", "price", "preis", "budget_amount"],
    "lat": ["lat", "latitude", "breitengrad"],
    "lon": ["lon", "lng", "longitude", "laengengrad"],
    "votes": ["votes", "stimmen", "supports", "unterstuetzungen"],
    "area_id": ["area_id", "district", "stadtteil", "area"],
    "address": ["address", "adresse", "location"],
    "selected": ["selected", "ausgewaehlt"],
}


def is_ballot_header(header: list[str]) -> bool:
    cols = {norm(c) for c in header}
    return {"voter_id", "proposal_id"} <= cols or {"voter_id", "project_id"} <= cols


def parse_ballots_csv(data: bytes, source: str = "<bytes>") -> pd.DataFrame:
    """``voter_id, proposal_id[, points]`` rows (one approval or score per row)."""
    header, rows = read_rows(data, source)
    df = frame(
        header,
        rows,
        {
            "voter_id": ["voter_id"],
            "proposal_id": ["proposal_id", "project_id"],
            "points": ["points", "punkte"],
        },
    )
    if not {"voter_id", "proposal_id"} <= set(df.columns):
        raise ParticipationError(f"{source}: ballots need columns voter_id and proposal_id")
    df["points"] = number(df["points"], source, "points") if "points" in df else 1.0
    i = first_out_of_range(df["points"], "points", missing_ok=False)
    if i is not None:
        raise ParticipationError(
            f"{source}, line {i + 2}, field 'points': expected {NUMBER_RANGES['points'][2]}, "
            f"got {df['points'].iat[i]}"
        )
    for col in ("voter_id", "proposal_id"):
        df[col] = df[col].astype(str).str.strip()
        empty = df[col] == ""
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise ParticipationError(f"{source}, line {i + 2}, field {col!r}: empty")
    return df[["voter_id", "proposal_id", "points"]].drop_duplicates(["voter_id", "proposal_id"])


def parse_generic_csv(data: bytes, source: str = "<bytes>") -> Participation:
    """A proposal CSV (or, recognised by its header, a ballot CSV)."""
    header, rows = read_rows(data, source)
    if is_ballot_header(header):
        return Participation(
            proposals=finish(pd.DataFrame(columns=["proposal_id", "title"]), source),
            ballots=parse_ballots_csv(data, source),
            meta={"source": source, "kind": "ballots"},
        )
    df = frame(header, rows, ALIASES)
    return Participation(proposals=finish(df, source), meta={"source": source})


def parse_geojson(data: bytes, source: str = "<bytes>") -> Participation:
    """Proposals as GeoJSON features (EPSG:4326); polygons are placed at their centroid."""
    import shapely

    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParticipationError(f"{source}: not valid GeoJSON ({exc})") from None
    except RecursionError:
        raise ParticipationError(f"{source}: not valid GeoJSON ({NESTED})") from None
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list):
        raise ParticipationError(f"{source}: expected a FeatureCollection with 'features'")
    rows = []
    for i, f in enumerate(feats):
        if not isinstance(f, dict) or not isinstance(f.get("properties") or {}, dict):
            raise ParticipationError(f"{source}, features[{i}]: expected a Feature object")
        props = dict(f.get("properties") or {})
        geom = f.get("geometry")
        if geom:
            try:
                c = shapely.geometry.shape(geom).centroid
            except (ValueError, TypeError, AttributeError) as exc:
                raise ParticipationError(
                    f"{source}, feature {i}: geometry is not valid ({exc})"
                ) from None
            props.setdefault("lon", c.x)
            props.setdefault("lat", c.y)
        rows.append(props)
    header = sorted({k for r in rows for k in r})
    df = frame(header, [[r.get(k) for k in header] for r in rows], ALIASES)
    for col in ("cost_eur", "lat", "lon", "votes"):
        if col in df:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    return Participation(proposals=finish(df, source), meta={"source": source})
