"""CONSUL budget-investment CSV exports (German or English headers).

CONSUL (consulproject.org, used by Gelsenkirchen's "GE beteiligt") exports budget
investments with columns such as ``ID, Title, Supports, Scope of operation, Price,
Feasibility, Selected`` — in German ``ID, Titel, Unterstützungen, Geltungsbereich,
Kosten, Machbarkeit, Ausgewählt``. Author columns are dropped on import.

>>> text = "ID;Titel;Unterstützungen;Geltungsbereich;Preis;Machbarkeit;Ausgewählt;Autor\\n"
>>> text += "7;Bäume für Buer;120;Buer;12.000 €;machbar;ja;Jane Roe\\n"
>>> p = parse_consul(text.encode()).proposals
>>> p[["proposal_id", "votes", "cost_eur", "area_id", "selected"]].values.tolist()
[['7', 120.0, 12000.0, 'Buer', True]]
>>> "Autor" in p.columns
False
"""

from __future__ import annotations

from workbench.participation.table import (
    Participation,
    finish,
    frame,
    norm,
    read_rows,
)

ALIASES = {
    "proposal_id": ["ID", "Id"],
    "title": ["Title", "Titel"],
    "description": ["Description", "Beschreibung"],
    "votes": ["Supports", "Unterstützungen", "Stimmen", "Votes", "Ballot lines count"],
    "area_id": ["Scope of operation", "Geltungsbereich", "Tätigkeitsbereich", "Heading", "Bereich"],
    "cost_eur": ["Price", "Preis", "Kosten", "Cost"],
    "feasible": ["Feasibility", "Machbarkeit"],
    "selected": ["Selected", "Ausgewählt"],
    "category": ["Tags", "Kategorie", "Category"],
    "address": ["Location", "Ort", "Adresse", "Address"],
    "lat": ["Latitude", "Breitengrad"],
    "lon": ["Longitude", "Längengrad"],
}
SIGNATURE = {"id", "supports", "unterstutzungen", "scope_of_operation", "geltungsbereich"}


def looks_like(header: list[str]) -> bool:
    cols = {norm(c) for c in header}
    return "id" in cols and len(cols & SIGNATURE) >= 2


def parse_consul(data: bytes, source: str = "<bytes>") -> Participation:
    header, rows = read_rows(data, source)
    df = frame(header, rows, ALIASES)
    if "category" not in df:
        df["category"] = df["title"] if "title" in df else ""
    return Participation(
        proposals=finish(df, source), meta={"source": source, "platform": "consul"}
    )
