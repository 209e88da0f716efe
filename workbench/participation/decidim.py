"""Decidim open-data CSV exports (``;``-separated, nested keys flattened with ``/``).

Proposals export: ``id; title/de; body/de; category/name/de; address; latitude;
longitude; supports (or endorsements/total_count); cost; …``; budgets projects export:
``id; title/…; budget_amount; confirmed_votes; selected; …``. Translated fields use
the first language present (German preferred).

>>> text = "id;title/en;title/de;address;latitude;longitude;supports;cost\\n"
>>> text += "3;Shade;Schatten;Hauptstr. 1;51.5;7.1;12;8000\\n"
>>> parse_decidim(text.encode()).proposals[["title", "votes", "cost_eur"]].values.tolist()
[['Schatten', 12.0, 8000.0]]
"""

from __future__ import annotations

import pandas as pd

from workbench.participation.table import Participation, finish, norm, read_rows

LANG_PREFERENCE = ["de", "en"]
FIELDS = {
    "proposal_id": ["id"],
    "title": ["title"],
    "description": ["body", "description"],
    "category": ["category/name", "category"],
    "address": ["address"],
    "lat": ["latitude"],
    "lon": ["longitude"],
    "votes": ["confirmed_votes", "supports", "votes", "endorsements/total_count"],
    "cost_eur": ["budget_amount", "cost"],
    "selected": ["selected"],
    "area_id": ["scope/name", "scope"],
}


def looks_like(header: list[str]) -> bool:
    return any("/" in h for h in header) and "id" in {norm(h) for h in header}


def _pick(df: pd.DataFrame, base: str) -> pd.Series | None:
    if base in df.columns:
        return df[base]
    for lang in LANG_PREFERENCE:
        if f"{base}/{lang}" in df.columns:
            return df[f"{base}/{lang}"]
    langs = [
        c for c in df.columns if c.startswith(base + "/") and c.count("/") == base.count("/") + 1
    ]
    return df[langs[0]] if langs else None


def parse_decidim(data: bytes, source: str = "<bytes>") -> Participation:
    header, rows = read_rows(data, source)
    raw = pd.DataFrame(rows, columns=[h.strip() for h in header], dtype=object)
    out = pd.DataFrame(index=raw.index)
    for canon, bases in FIELDS.items():
        for b in bases:
            s = _pick(raw, b)
            if s is not None:
                out[canon] = s
                break
    kept = [c for c in raw.columns if c not in out.columns and "/" not in c]
    out = pd.concat(
        [out, raw[kept].drop(columns=[c for c in kept if c in FIELDS], errors="ignore")], axis=1
    )
    return Participation(
        proposals=finish(out, source), meta={"source": source, "platform": "decidim"}
    )
