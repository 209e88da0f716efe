"""Simulated green-budget proposals and approval ballots.

Titles and descriptions follow category templates on real Gelsenkirchen street names, each
used in the phrase its grammatical kind needs ("an der Cranger Straße", "am Schalker Markt",
"für den Heinrich-König-Platz", "entlang des Eppmannswegs"; :func:`render`);
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
# How a place name is used in a sentence, by its kind: a street (die …straße/-allee/Heide),
# a way (der …weg), a square or market (der …platz/Markt), a named building (das Schloss …),
# or a bare name that needs "Straße" in front ("an der Straße Flöz Sonnenschein").
_KIND_BY_ENDING = (
    ("straße", "street"),
    ("allee", "street"),
    ("heide", "street"),
    ("weg", "way"),
    ("platz", "square"),
    ("markt", "square"),
)
_KIND_BY_NAME = {"Schloss Horst": "building", "Flöz Sonnenschein": "bare"}
# kind -> (at: dative "an/am", for: accusative "für", along: along it or around it)
_PHRASES = {
    "street": ("an der {s}", "für die {s}", "entlang der {s}"),
    "way": ("am {s}", "für den {s}", "entlang des {s}s"),
    "square": ("am {s}", "für den {s}", "rund um den {s}"),
    "building": ("am {s}", "für das {s}", "rund um das {s}"),
    "bare": ("an der Straße {s}", "für die Straße {s}", "entlang der Straße {s}"),
}
# title and description per category, with {at}, {for} and {along} from _PHRASES
_TEMPLATES = {
    "trees": (
        "Straßenbäume {for}",
        "Neue, hitzeresistente Straßenbäume {along} spenden Schatten und kühlen im Sommer.",
        (15_000, 90_000),
    ),
    "unsealing": (
        "Entsiegelung {at}",
        "Asphalt {at} aufbrechen und durch "
        "Rasengittersteine und Beete ersetzen, damit Regen versickern kann.",
        (20_000, 150_000),
    ),
    "green_roof": (
        "Gründach für die Schule {at}",
        "Extensive Dachbegrünung auf dem "
        "Schulgebäude {at}: kühleres Gebäude, Lebensraum für Insekten.",
        (40_000, 150_000),
    ),
    "green_facade": (
        "Fassadengrün {at}",
        "Kletterpflanzen an einer Hauswand {at} gegen Aufheizung und für bessere Luft.",
        (8_000, 40_000),
    ),
    "pocket_park": (
        "Pocket Park {at}",
        "Eine ungenutzte Ecke {at} wird zum kleinen Park mit Bänken, Stauden und Bäumen.",
        (30_000, 120_000),
    ),
    "shade": (
        "Sonnensegel für den Spielplatz {at}",
        "Sonnensegel über dem Spielplatz {at} schützen Kinder an heißen Tagen.",
        (5_000, 25_000),
    ),
    "water": (
        "Trinkbrunnen {at}",
        "Ein öffentlicher Trinkwasserbrunnen {at} für heiße Tage.",
        (6_000, 35_000),
    ),
    "other": ("Insektenwiese {at}", "Blühstreifen statt Rasen {at}.", (5_000, 20_000)),
}


def place_kind(name: str) -> str:
    """The grammatical kind of a street or place name (a key of ``_PHRASES``).

    >>> place_kind("Cranger Straße"), place_kind("Eppmannsweg"), place_kind("Schalker Markt")
    ('street', 'way', 'square')
    """
    if name in _KIND_BY_NAME:
        return _KIND_BY_NAME[name]
    for ending, kind in _KIND_BY_ENDING:
        if name.lower().endswith(ending):
            return kind
    raise ValueError(f"no grammatical kind for the place name {name!r}; add it to _KIND_BY_NAME")


def render(category: str, place: str) -> tuple[str, str]:
    """Title and description of a ``category`` proposal at ``place``, in correct German.

    >>> render("trees", "Schalker Markt")[0], render("water", "Heinrich-König-Platz")[0]
    ('Straßenbäume für den Schalker Markt', 'Trinkbrunnen am Heinrich-König-Platz')
    >>> render("trees", "Eppmannsweg")[1][:55]
    'Neue, hitzeresistente Straßenbäume entlang des Eppmanns'
    """
    at, for_, along = (p.format(s=place) for p in _PHRASES[place_kind(place)])
    title_t, desc_t, _ = _TEMPLATES[category]
    return (
        title_t.format(**{"at": at, "for": for_, "along": along}),
        desc_t.format(**{"at": at, "for": for_, "along": along}),
    )


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
            title, description = render(cat, street)
            if title not in used:
                break
        used.add(title)
        cells = grid[grid["area_id"] == aid]
        c = cells.sample(1, random_state=int(rng.integers(0, 2**31))).iloc[0]
        lon, lat = TO_LONLAT.transform(c["x"] + rng.uniform(-40, 40), c["y"] + rng.uniform(-40, 40))
        lo, hi = _TEMPLATES[cat][2]
        cost = int(round(rng.uniform(lo, hi) / 500) * 500)
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        rows.append(
            {
                "proposal_id": f"GB-{k + 1:03d}",
                "title": title,
                "description": description,
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
