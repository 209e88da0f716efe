"""Simulated green-budget proposals and approval ballots.

Titles and descriptions follow category templates on real Gelsenkirchen street names;
authors are fictional with example.org e-mail addresses (for the privacy tests).
Popularity depends on the category's visibility and the proposer's network, not on need.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.participation.table import CATEGORIES
from workbench.simulate.geography import TO_LONLAT

# real Gelsenkirchen street names per district (also used by simulate.addresses)
STREETS = {
    "altstadt": ["Bahnhofstraße", "Ebertstraße", "Heinrich-König-Platz", "Neumarkt"],
    "bismarck": ["Bismarckstraße", "Consolstraße", "Brauckstraße"],
    "bulmke-huellen": ["Wanner Straße", "Florastraße", "Hohenzollernstraße"],
    "feldmark": ["Feldmarkstraße", "Uferstraße"],
    "hessler": ["Grothusstraße", "Hesslerstraße"],
    "schalke": ["Schalker Markt", "Grenzstraße", "Kurt-Schumacher-Straße"],
    "schalke-nord": ["Uechtingstraße", "Schalker Straße"],
    "buer": ["Hochstraße", "Horster Straße", "Goldbergplatz", "De-la-Chevallerie-Straße"],
    "hassel": ["Polsumer Straße", "Eppmannsweg"],
    "scholven": ["Feldhauser Straße", "Scholvener Straße"],
    "erle": ["Cranger Straße", "Middelicher Straße", "Darler Heide"],
    "resse": ["Ewaldstraße", "Resser Weg"],
    "resser-mark": ["Emscherbruchallee", "Surkampstraße"],
    "neustadt": ["Overwegstraße", "Augustastraße"],
    "rotthausen": ["Karl-Meyer-Straße", "Steeler Straße"],
    "ueckendorf": ["Bochumer Straße", "Ückendorfer Straße", "Flöz Sonnenschein"],
    "beckhausen": ["Horster Straße", "Bergmannstraße"],
    "horst": ["Essener Straße", "Turfstraße", "Schloss Horst"],
}
_TEMPLATES = {
    "trees": (
        "Straßenbäume für die {s}",
        "Neue, hitzeresistente Straßenbäume entlang der {s} spenden Schatten und kühlen im Sommer.",
        (15_000, 90_000),
    ),
    "unsealing": (
        "Entsiegelung an der {s}",
        "Asphalt an der {s} aufbrechen und durch "
        "Rasengittersteine und Beete ersetzen, damit Regen versickern kann.",
        (20_000, 150_000),
    ),
    "green_roof": (
        "Gründach für die Schule an der {s}",
        "Extensive Dachbegrünung auf dem "
        "Schulgebäude an der {s}: kühleres Gebäude, Lebensraum für Insekten.",
        (40_000, 150_000),
    ),
    "green_facade": (
        "Fassadengrün an der {s}",
        "Kletterpflanzen an einer Hauswand an der {s} gegen Aufheizung und für bessere Luft.",
        (8_000, 40_000),
    ),
    "pocket_park": (
        "Pocket Park an der {s}",
        "Eine ungenutzte Ecke an der {s} wird zum kleinen Park mit Bänken, Stauden und Bäumen.",
        (30_000, 120_000),
    ),
    "shade": (
        "Sonnensegel am Spielplatz {s}",
        "Sonnensegel über dem Spielplatz an der {s} schützen Kinder an heißen Tagen.",
        (5_000, 25_000),
    ),
    "water": (
        "Trinkbrunnen an der {s}",
        "Ein öffentlicher Trinkwasserbrunnen an der {s} für heiße Tage.",
        (6_000, 35_000),
    ),
    "other": ("Insektenwiese an der {s}", "Blühstreifen statt Rasen an der {s}.", (5_000, 20_000)),
}
_FIRST = [
    "Anna",
    "Murat",
    "Sabine",
    "Jonas",
    "Elif",
    "Thomas",
    "Katarzyna",
    "Lukas",
    "Fatma",
    "Peter",
    "Sandra",
    "Mehmet",
    "Julia",
    "Dieter",
    "Aylin",
    "Frank",
    "Monika",
    "Kevin",
]
_LAST = [
    "Schneider",
    "Yilmaz",
    "Kowalski",
    "Becker",
    "Hoffmann",
    "Demir",
    "Wagner",
    "Nowak",
    "Schulz",
    "Kaya",
    "Fischer",
    "Krüger",
    "Öztürk",
    "Lange",
    "Meyer",
    "Wolff",
]


def make_proposals(
    rng: np.random.Generator, grid: pd.DataFrame, areas: pd.DataFrame, n: int, n_voters: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Proposals like the 2024/25 round, plus approval ballots (pseudonymous voter ids).

    Parameters
    ----------
    rng : numpy.random.Generator
        The city's random stream.
    grid : pandas.DataFrame
        The grid with ``area_id`` and ``population`` (proposals fall in populous districts
        more often, at a random cell of the district).
    areas : pandas.DataFrame
        The districts (not used: proposals are placed by the grid's ``area_id``).
    n : int
        Number of proposals.
    n_voters : int
        Number of voters; each approves one to eight proposals, more often popular ones.

    Returns
    -------
    proposals : pandas.DataFrame
        Generic proposal CSV columns with fictional authors (example.org e-mails) and
        ``votes``.
    votes : pandas.DataFrame
        ``voter_id``, ``proposal_id``: one row per approval.
    """
    weights = np.array([0.26, 0.14, 0.08, 0.07, 0.12, 0.12, 0.09, 0.12])
    cats = rng.choice(CATEGORIES, size=n, p=weights / weights.sum())
    pop_area = grid.groupby("area_id")["population"].sum()
    area_ids = pop_area.index.to_numpy()
    area_p = (pop_area.to_numpy(float) + 2000) / (pop_area.to_numpy(float) + 2000).sum()
    rows = []
    used: set[str] = set()
    for k in range(n):
        cat = str(cats[k])
        for _ in range(20):
            aid = str(rng.choice(area_ids, p=area_p))
            street = str(rng.choice(STREETS.get(aid, ["Hauptstraße"])))
            title_t, desc_t, (lo, hi) = _TEMPLATES[cat]
            title = title_t.format(s=street)
            if title not in used:
                break
        used.add(title)
        cells = grid[grid["area_id"] == aid]
        c = cells.sample(1, random_state=int(rng.integers(0, 2**31))).iloc[0]
        lon, lat = TO_LONLAT.transform(c["x"] + rng.uniform(-40, 40), c["y"] + rng.uniform(-40, 40))
        cost = int(round(rng.uniform(lo, hi) / 500) * 500)
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        rows.append(
            {
                "proposal_id": f"GB-{k + 1:03d}",
                "title": title,
                "description": desc_t.format(s=street),
                "category": cat,
                "cost_eur": cost,
                "lat": round(float(lat), 6),
                "lon": round(float(lon), 6),
                "area_id": aid,
                "author_name": f"{first} {last}",
                "author_email": f"{str(first).lower()}.{str(last).lower()}@example.org",
            }
        )
    props = pd.DataFrame(rows)
    # popularity: visibility of the category and the proposer's network, not need
    pop = rng.lognormal(0, 0.8, n) * np.where(
        props["category"].isin(["trees", "pocket_park"]), 1.6, 1.0
    )
    p = pop / pop.sum()
    ballots = []
    for v in range(n_voters):
        k = int(np.clip(rng.poisson(2.6), 1, 8))
        chosen = rng.choice(n, size=min(k, n), replace=False, p=p)
        ballots.extend((f"V{v + 1:05d}", props.at[int(j), "proposal_id"]) for j in chosen)
    votes = pd.DataFrame(ballots, columns=["voter_id", "proposal_id"])
    props["votes"] = props["proposal_id"].map(votes["proposal_id"].value_counts()).fillna(0)
    props["votes"] = props["votes"].astype(int)
    return props, votes
