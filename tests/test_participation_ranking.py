"""Participation import (formats, privacy, placement), need-based ranking and allocations."""

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO, run_cli, shared_real

from workbench import participation
from workbench.allocation.compare import allocate, need_constituency
from workbench.models.ranking import rank_proposals
from workbench.participation.pabulib import read_pabulib
from workbench.participation.table import ParticipationError
from workbench.pipeline import participation as participation_step
from workbench.pipeline import rank
from workbench.pipeline.demo import run_demo
from workbench.simulate.demo_files import write_demo
from workbench.workspace import Workspace

CITY = {
    "n_sensors": 45,
    "n_pm": 20,
    "days": 10,
    "cell_size": 250.0,
    "n_proposals": 24,
    "n_voters": 400,
}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    base = tmp_path_factory.mktemp("rank")
    data = base / "data"
    write_demo(data, seed=3, **CITY)
    ws = run_demo(base / "ws", data_dir=data, serve=False, echo=lambda _s: None)
    return ws, data


# ---------------------------------------------------------------------- formats
def test_consul_english_and_german_exports():
    en = (
        "ID,Title,Supports,Scope of operation,Price,Feasibility,Selected,Author,Email\n"
        '12,Shade sails for the playground,55,Buer,"€8,500",feasible,true,Jane Roe,j@x.org\n'
    )
    de = (
        "ID;Titel;Unterstützungen;Geltungsbereich;Preis;Machbarkeit;Ausgewählt;Autor\n"
        "12;Sonnensegel am Spielplatz;55;Buer;8.500 €;machbar;ja;Erika Muster\n"
    )
    for text in (en, de):
        p = participation.read("consul.csv", data=text.encode())
        assert participation.detect("consul.csv", text.encode()) == "consul"
        row = p.proposals.iloc[0]
        assert row["proposal_id"] == "12" and row["votes"] == 55 and row["cost_eur"] == 8500
        assert row["area_id"] == "Buer" and row["category"] == "shade"
        assert bool(row["selected"]) and bool(row["feasible"])
        assert not {"Author", "Email", "Autor"} & set(p.proposals.columns)


def test_decidim_proposals_and_budget_projects():
    proposals = (
        "id;title/de;title/en;body/de;category/name/de;address;latitude;longitude;"
        "endorsements/total_count;author/name\n"
        "5;Bäume für die Hochstraße;Trees;Mehr Schatten;Stadtgrün;Hochstraße 1, Buer;"
        "51.578;7.052;14;Max Mustermann\n"
    )
    p = participation.read("decidim.csv", data=proposals.encode()).proposals.iloc[0]
    assert p["title"] == "Bäume für die Hochstraße" and p["category"] == "trees"
    assert p["lat"] == pytest.approx(51.578) and p["votes"] == 14
    budgets = "id;title/de;budget_amount;confirmed_votes;selected\n9;Gründach;40000;120;true\n"
    b = participation.read("projects.csv", data=budgets.encode()).proposals.iloc[0]
    assert b["cost_eur"] == 40000 and b["votes"] == 120 and b["category"] == "green_roof"
    assert bool(b["selected"])


def test_geojson_and_generic_csv_and_pabulib():
    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [7.05, 51.58]},
                "properties": {
                    "proposal_id": "g1",
                    "title": "Brunnen",
                    "cost_eur": 9000,
                    "category": "water",
                },
            }
        ],
    }
    g = participation.read("p.geojson", data=json.dumps(gj).encode()).proposals.iloc[0]
    assert (g["lon"], g["lat"], g["category"]) == (7.05, 51.58, "water")
    pb = participation.read(shared_real("pabulib") / "Poland_Wieliczka_2023_Green_Budget.pb")
    assert pb.meta["budget"] == 1_000_000 and pb.meta["vote_type"] == "approval"
    assert len(pb.proposals) == 64 and pb.ballots["voter_id"].nunique() > 6000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("proposal_id,title,cost_eur\nA,x,12k\n", "line 2, field 'cost_eur': expected a number"),
        ("proposal_id,title,lat,lon\nA,x,451.5,7\n", "line 2, field 'lat'"),
        ("proposal_id,title\nA,x\nA,y\n", "'A' appears twice"),
        ("title,cost_eur\nx,5\n", "no proposal id column"),
        ("proposal_id,title,cost_eur\nA,x\n", "line 2: 2 fields, the header has 3"),
        # numbers that would rig the ranking or break the allocation (hostile-input review)
        (
            "proposal_id,title,cost_eur\nA,x,5000\nB,y,0\n",
            "line 3, field 'cost_eur': expected a cost",
        ),
        ("proposal_id,title,cost_eur\nA,x,1e-300\n", "line 2, field 'cost_eur': expected a cost"),
        ("proposal_id,title,cost_eur\nA,x,inf\n", "line 2, field 'cost_eur': expected a cost"),
        ("proposal_id,title,cost_eur\nA,x,1e308\n", "line 2, field 'cost_eur': expected a cost"),
        ("proposal_id,title,cost_eur\nA,x,nan\n", "line 2, field 'cost_eur': expected a cost"),
        (
            "proposal_id,title,cost_eur\nA,x,5000\nB,y,\n",
            "line 3, field 'cost_eur': expected a cost",
        ),
        (
            "proposal_id,title,cost_eur,votes\nA,x,5000,-3\n",
            "line 2, field 'votes': expected a vote",
        ),
        ("proposal_id,title,cost_eur,votes\nA,x,5000,1e308\n", "field 'votes': expected a vote"),
        ("proposal_id,title,cost_eur,lat,lon\nA,x,5000,95,7\n", "field 'lat': expected degrees"),
    ],
)
def test_bad_participation_files_name_line_and_field(text, message):
    with pytest.raises(ParticipationError, match=message):
        participation.read("bad.csv", data=text.encode())


PB_SCORES = (
    "META\nkey;value\nbudget;100\nvote_type;cumulative\nPROJECTS\nproject_id;cost;name\n"
    "a;60;Trees\nb;50;Shade\nVOTES\nvoter_id;vote;points\n1;a,b;2,1\n2;b;{points}\n"
)


@pytest.mark.parametrize("points", ["inf", "1e308", "-5", "nan"])
def test_ballot_points_that_would_outweigh_every_voter_are_refused(points):
    """Before: a points value of inf, 1e308, -5 or nan was stored and votes became inf."""
    from workbench.participation.pabulib import PabulibError, parse_pabulib

    csv_text = f"voter_id,proposal_id,points\nV1,A,1\nV2,A,{points}\n"
    with pytest.raises(ParticipationError, match="line 3, field 'points': expected points"):
        participation.read("ballots.csv", data=csv_text.encode())
    with pytest.raises(PabulibError, match="line 12, field 'points': expected points"):
        parse_pabulib(PB_SCORES.format(points=points), source="x.pb")
    assert len(parse_pabulib(PB_SCORES.format(points="3"), source="x.pb").ballots) == 3


# ---------------------------------------------------------------------- privacy and placement
def test_import_pseudonymises_voters_and_stores_no_author_data(city, tmp_path):
    ws, data = city
    raw_votes = pd.read_csv(data / "votes.csv")
    props = pd.read_csv(data / "proposals.csv")
    stored = ws.participation()
    assert not set(stored.ballots["voter_id"]) & set(raw_votes["voter_id"].astype(str))
    assert stored.ballots["voter_id"].str.match(r"^v-[0-9a-f]{16}$").all()
    assert stored.meta["voters"] == raw_votes["voter_id"].nunique()
    secrets = {*props["author_name"], *props["author_email"], *raw_votes["voter_id"].astype(str)}
    for d in ("participation", "results"):
        for f in (ws.root / d).rglob("*"):
            if f.is_file():
                blob = f.read_bytes()
                for s in [*list(secrets)[:200], "example.org"]:
                    assert s.encode() not in blob, (f, s)
    # the same voter gets the same pseudonym in this workspace, another one elsewhere
    again = Workspace.init(tmp_path / "other", areas=data / "areas.geojson")
    participation_step.run(again, [data / "proposals.csv", data / "votes.csv"])
    assert not set(again.participation().ballots["voter_id"]) & set(stored.ballots["voter_id"])


def test_placement_by_coordinates_area_name_or_listed_unplaced(city, tmp_path):
    ws, _ = city
    csv = tmp_path / "p.csv"
    csv.write_text(
        "proposal_id,title,category,cost_eur,lat,lon,address\n"
        "a,Bäume,trees,10000,51.578,7.052,\n"
        "b,Brunnen,water,8000,,,Gelsenkirchen-Horst\n"
        "c,Schatten,shade,5000,,,irgendwo\n",
        encoding="utf-8",
    )
    copy = tmp_path / "ws"
    shutil.copytree(ws.root, copy, symlinks=True)
    w = Workspace.open(copy)
    meta = participation_step.run(w, [csv]).summary
    p = w.participation().proposals.set_index("proposal_id")
    assert p.loc["a", "placement"] == "coordinates" and p.loc["a", "area_id"] == "buer"
    assert p.loc["b", "placement"] == "area" and p.loc["b", "area_id"] == "horst"
    assert p.loc["c", "placement"] == "unplaced" and pd.isna(p.loc["c", "area_id"])
    assert meta["placement"] == {"coordinates": 1, "area": 1, "unplaced": 1}
    ranked = rank.run(w, budget=20_000)
    run, warnings = ranked.run, ranked.warnings
    ranked = pd.read_parquet(run / "proposals.parquet").set_index("proposal_id")
    assert len(ranked) == 3 and ranked.loc["c", "rank"] == 3  # unplaced: kept, ranked last
    assert any("could not be placed" in x for x in warnings)


def test_failed_import_keeps_the_previous_round(city, tmp_path):
    ws, data = city
    copy = tmp_path / "ws"
    shutil.copytree(ws.root, copy, symlinks=True)
    w = Workspace.open(copy)
    before = (copy / "participation" / "current").resolve()
    bad = tmp_path / "votes.csv"
    bad.write_text("voter_id,proposal_id\nV1,NOPE\n", encoding="utf-8")
    with pytest.raises(ParticipationError, match="'NOPE'"):
        participation_step.run(w, [data / "proposals.csv", bad])
    assert (copy / "participation" / "current").resolve() == before


# ---------------------------------------------------------------------- ranking
def test_ranked_table_has_the_contract_and_explains_each_rank(city):
    ws, _ = city
    p = ws.results("proposals")
    for col in [
        "proposal_id", "title", "rank", "rank_lo", "rank_hi", "score", "need_at_site",
        "beneficiaries", "cost_eur", "votes", "explanation",
    ]:  # fmt: skip
        assert col in p, col
    assert sorted(p["rank"]) == list(range(1, len(p) + 1))
    placed = p[p["score"].notna()]
    assert (
        (placed["rank_lo"] <= placed["rank"]) & (placed["rank"] <= placed["rank_hi"])
    ).mean() > 0.8
    assert placed["score"].is_monotonic_decreasing
    first = p.iloc[0]
    assert (
        first["explanation_de"].startswith("Platz 1 von ")
        and "im Umkreis von" in (first["explanation_de"])
    )
    assert first["explanation_en"].startswith("Rank 1 of ") and "within" in first["explanation_en"]
    assert not {"author_name", "author_email"} & set(p.columns)


def test_same_proposal_ranks_higher_where_measured_need_is_higher(city):
    ws, _ = city
    cells = ws.results("cells")
    populated = cells[cells["population"] > cells["population"].median()]
    hi = populated.loc[populated["need_index"].idxmax()]
    lo = populated.loc[populated["need_index"].idxmin()]
    from pyproj import Transformer

    to_ll = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    rows = []
    for pid, c in (("high", hi), ("low", lo)):
        lon, lat = to_ll.transform(c["x"], c["y"])
        rows.append({"proposal_id": pid, "title": pid, "category": "trees", "cost_eur": 20000.0,
                     "votes": 10.0, "lat": lat, "lon": lon, "x": c["x"], "y": c["y"],
                     "area_id": c["area_id"]})  # fmt: skip
    r = rank_proposals(pd.DataFrame(rows), cells, weights=ws.metrics()["need"]["weights"],
                       draws=50)  # fmt: skip
    r = r.set_index("proposal_id")
    assert r.loc["high", "need_at_site"] > r.loc["low", "need_at_site"]
    assert r.loc["high", "rank"] == 1


def test_allocations_respect_the_budget_and_compare(city):
    ws, _ = city
    alloc = ws.results("allocation")
    summary = ws.results("allocation_summary").set_index("method")
    budget = ws.metrics()["ranking"]["budget_eur"]
    assert set(alloc["method"]) == {"votes_greedy", "need_optimal", "equal_shares",
                                    "equal_shares_need"}  # fmt: skip
    for _, g in alloc.groupby("method"):
        assert g.loc[g["selected"], "cost_eur"].sum() <= budget
    # the optimum of the need-based score is at least what any other method reaches
    assert summary["total_score"].idxmax() == "need_optimal"
    assert summary.loc["need_optimal", "total_score"] >= summary["total_score"].max() - 1e-9
    assert summary["voters_with_funded_project_share"].between(0, 1).all()
    districts = ws.results("allocation_districts")
    for m, g in districts.groupby("method"):
        assert g["eur"].sum() == pytest.approx(summary.loc[m, "spent_eur"])


def test_need_constituency_shifts_money_to_high_need_proposals():
    # four equal proposals, voters split evenly; two have high measured need
    costs = np.full(4, 100.0)
    sup = [np.arange(0, 25), np.arange(25, 50), np.arange(50, 75), np.arange(75, 100)]
    ranked = pd.DataFrame({
        "proposal_id": list("abcd"), "cost_eur": costs, "votes": [25.0] * 4,
        "area_id": "x", "category": "trees", "score": [1.0, 1.0, 3.0, 3.0],
        "need_at_site": [0.1, 0.2, 0.8, 0.9],
    })  # fmt: skip
    ballots = pd.DataFrame(
        [(f"v{v}", p) for p, s in zip("abcd", sup, strict=True) for v in s],
        columns=["voter_id", "proposal_id"],
    ).assign(points=1.0)
    alloc, _, _ = allocate(ranked, ballots, 200.0)
    got = {m: set(g.loc[g["selected"], "proposal_id"]) for m, g in alloc.groupby("method")}
    assert got["equal_shares_need"] == {"c", "d"}
    assert got["votes_greedy"] == {"a", "b"}  # ties broken by id
    s, n = need_constituency(sup, 100, ranked["need_at_site"].to_numpy(), 0.3)
    assert n == 143 and len(s[3]) == 25 + 43 and len(s[0]) == 25


def test_rank_without_sensor_results_uses_votes_and_budget_from_pabulib(tmp_path):
    pb = shared_real("pabulib") / "Poland_Warszawa_2024_Srodmiescie.pb"
    run_cli("init", "--workspace", str(tmp_path / "ws"), check=True)
    proc = run_cli("participation", "--workspace", str(tmp_path / "ws"), str(pb), check=True)
    assert "pseudonymised" in proc.stdout and "4,665,648" in proc.stdout
    proc = run_cli("rank", "--workspace", str(tmp_path / "ws"), check=True, timeout=600)
    assert "no sensor results" in proc.stderr
    w = Workspace.open(tmp_path / "ws")
    alloc = w.results("allocation")
    assert set(alloc["method"]) == {"votes_greedy", "equal_shares"}
    p = w.results("proposals")
    assert p["score"].isna().all() and p["explanation_de"].str.contains("nach Stimmen").all()
    official = read_pabulib(pb).projects
    greedy = alloc[(alloc["method"] == "votes_greedy") & alloc["selected"]]["proposal_id"]
    assert set(greedy) == set(official.loc[official["selected"] == "1", "project_id"])
    assert w.metrics()["ranking"]["budget_eur"] == 4_665_648


def test_cli_rank_errors_are_one_line(tmp_path):
    run_cli("init", "--workspace", str(tmp_path / "ws"), check=True)
    proc = run_cli("rank", "--workspace", str(tmp_path / "ws"))
    assert proc.returncode == 1 and "no participation data" in proc.stderr
    bad = tmp_path / "p.csv"
    bad.write_text("proposal_id,title,cost_eur\nA,x,zwölf\n", encoding="utf-8")
    proc = run_cli("participation", "--workspace", str(tmp_path / "ws"), str(bad))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "line 2, field 'cost_eur'" in proc.stderr


def test_known_categories_are_kept_and_unknown_ones_read_from_the_title():
    demo = DEMO / "proposals.csv"
    raw = pd.read_csv(demo)
    got = participation.read(demo).proposals
    assert got["category"].tolist() == raw["category"].tolist()  # "other" stays "other"
    text = "proposal_id,title,category\n1,Insektenwiese,other\n2,Neue Bäume,Stadtgrün\n"
    p = participation.read("p.csv", data=text.encode()).proposals
    assert p["category"].tolist() == ["other", "trees"]


def _row(**kw):
    """A ranked row with known truth for :func:`explain` (attribute access like itertuples)."""
    from types import SimpleNamespace

    row = dict(rank=3, rank_lo=2, rank_hi=5, score=1.5, heat_hotspot=False,
               heat_uhi_k_at_site=1.8, air_hotspot=False, beneficiaries=1234.0, radius_m=150,
               vulnerable_share=0.25, need_at_site=0.45, category="trees", effect=0.6,
               cost_eur=18000, votes=40)  # fmt: skip
    row.update(kw)
    return SimpleNamespace(**row)


@pytest.mark.parametrize(
    ("uhi", "hotspot", "de", "en"),
    [
        (1.84, False, "nachts deutlich wärmer als am Stadtrand (1,8 Grad).",
         "clearly warmer here than at the edge of town (1.8 degrees)."),
        (2.5, True, "nachts viel wärmer als am Stadtrand (2,5 Grad) – ein Hitze-Schwerpunkt",
         "much warmer here than at the edge of town (2.5 degrees) – one of the city's heat"),
        (0.41, False, "nachts leicht wärmer als am Stadtrand (0,4 Grad)", "slightly warmer"),
        (-0.5, False, "nachts etwas kühler als am Stadtrand (0,5 Grad)",
         "a little cooler here than at the edge of town (0.5 degrees)"),
        # a hotspot cell within the radius while the site itself is cooler on average
        (-0.5, True, "etwas kühler als am Stadtrand (0,5 Grad). Im Umkreis von 150 m liegt ein "
         "Hitze-Schwerpunkt", "cooler"),
        (-0.04, False, "nachts etwa so warm wie am Stadtrand", "about as warm here as"),
        (0.25, True, "etwa so warm wie am Stadtrand. Im Umkreis von 150 m liegt ein Hitze",
         "about as warm"),
    ],
)  # fmt: skip
def test_explanations_say_cooler_not_minus_warmer(uhi, hotspot, de, en):
    from workbench.models.ranking import explain

    r = _row(heat_uhi_k_at_site=uhi, heat_hotspot=hotspot)
    got_de, got_en = explain(r, 50, "de", True), explain(r, 50, "en", True)
    assert de in got_de and en in got_en
    assert not re.search(r"[-−]\d", got_de + got_en)
    if uhi < 0.3:
        assert "wärmer" not in got_de and "warmer" not in got_en


def test_explanation_in_plain_words_with_known_truth():
    from workbench.models.ranking import explain

    de = explain(_row(), 50, "de", True)
    assert de == (
        "Platz 3 von 50. Hier ist es nachts deutlich wärmer als am Stadtrand (1,8 Grad). "
        "Rund 1.200 Menschen wohnen im Umkreis von 150 m, davon rund 25 % über 65 oder unter "
        "6 Jahre alt. Der Ort hat insgesamt einen hohen Bedarf an Abkühlung, sauberer Luft und "
        "Grün. Eine Maßnahme dieser Art (Bäume) hilft dabei viel. Nutzen je Euro: hoch "
        "(Kosten 18.000 €). Der Listenplatz ist ziemlich sicher: Bei "
        "anderen Annahmen zum Bedarf läge er wahrscheinlich zwischen Platz 2 und 5."
    )
    en = explain(_row(), 50, "en", True)
    assert en.startswith("Rank 3 of 50. At night it is clearly warmer here than at the edge")
    assert "About 1,200 people live within 150 m, about 25% of them over 65 or under 6." in en


def test_explanation_few_people_certain_rank_and_levels():
    from workbench.models.ranking import explain

    r = _row(beneficiaries=0.0, vulnerable_share=np.nan, radius_m=50, rank=50, rank_lo=50,
             rank_hi=50, score=0.0, need_at_site=0.1, effect=0.1)  # fmt: skip
    de, en = explain(r, 50, "de", True), explain(r, 50, "en", True)
    assert "Hier wohnen nur wenige Menschen (unter 50 im Umkreis von 50 m); der Vorschlag nützt " \
        "vor allem Menschen, die dort arbeiten, lernen oder unterwegs sind." in de  # fmt: skip
    assert "Few people live here (fewer than 50 within 50 m)" in en
    assert "0 Menschen" not in de and "0 people" not in en
    assert de.endswith(
        "Der Listenplatz ist sicher: Auch bei anderen Annahmen zum Bedarf bliebe er gleich."
    )
    assert en.endswith(
        "The rank is certain: it would stay the same under other assumptions about need."
    )
    assert "nur einen geringen Bedarf" in de and "hilft dabei nur wenig" in de
    assert "Nutzen je Euro: gering (Kosten " in de
    wide = explain(_row(rank_lo=20, rank_hi=31, rank=24), 50, "de", True)
    assert "Der Listenplatz ist unsicher" in wide and "zwischen Platz 20 und 31" in wide
    # the rank outside its interval widens the stated range to include it
    assert "zwischen Platz 3 und 5" in explain(_row(rank_lo=4, rank_hi=5), 50, "de", True)
    top = explain(_row(need_at_site=0.7, score=5.0), 50, "de", True)
    assert "einen sehr hohen Bedarf" in top and "Nutzen je Euro: sehr hoch" in top
    # little effect, high value: the sentence says why instead of reading as a contradiction
    cheap = explain(_row(effect=0.1, score=5.0, cost_eur=5500.0), 50, "de", True)
    assert "hilft dabei nur wenig. Weil der Vorschlag wenig kostet, ist der Nutzen je Euro " \
        "trotzdem sehr hoch (Kosten 5.500 €)." in cheap  # fmt: skip


def test_votes_only_and_unplaced_explanations_are_plain():
    from workbench.models.ranking import explain

    assert explain(_row(votes=120), 50, "de", False) == (
        "Platz 3 von 50, nach Stimmen (120 Stimmen). Zum Bedarf an diesem Ort gibt es noch "
        "keine Messdaten."
    )
    assert "fewer than 5 votes" in explain(_row(votes=2), 50, "en", False)
    assert explain(_row(score=np.nan), 50, "de", True).startswith(
        "Platz 3 von 50. Der Vorschlag hat keinen Ort auf der Karte"
    )
