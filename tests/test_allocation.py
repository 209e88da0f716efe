"""Allocation rules against pabutools (the reference implementation) and their invariants.

pabutools is GPL-3.0 and used here only, at test time, as the peer to agree with: live on
small random instances, and through outcomes recorded by ``scripts/pabutools_reference.py``
on the real pabulib files (pabutools takes minutes on the largest of them).
"""

import hashlib
import json
from functools import cache
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, shared_real
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.allocation.compare import supporters_of
from workbench.allocation.equal_shares import equal_shares, mes
from workbench.allocation.greedy import greedy, text_order
from workbench.allocation.knapsack import Infeasible, optimal
from workbench.participation.pabulib import (
    PabulibError,
    parse_pabulib,
    read_pabulib,
    write_pabulib,
)

PB_FILES = [
    "Poland_Czestochowa_2020_Grabowka.pb",
    "Poland_Katowice_2024_Zawodzie.pb",
    "Poland_Warszawa_2024_Srodmiescie.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Switzerland_Zurich_D10.pb",
]
# pabutools' outcomes on PB_FILES, written by scripts/pabutools_reference.py
REFERENCE = FIXTURES / "pabutools_reference.json"
RERUN = "rerun `.venv/bin/python scripts/pabutools_reference.py` and commit the fixture"


def _arrays(pb):
    """Project ids, costs, supporters per project and voter count (empty ballots count)."""
    ids = pb.projects["project_id"].tolist()
    ballots = pb.ballots.rename(columns={"project_id": "proposal_id"})
    sup, n, _ = supporters_of(ids, ballots, pb.voters["voter_id"].tolist())
    return ids, pb.projects["cost"].to_numpy(float), sup, n


@cache
def _reference() -> dict[str, dict]:
    """The recorded pabutools outcomes, by file name (see scripts/pabutools_reference.py)."""
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    names = [e["file"] for e in data["files"]]
    assert len(names) == len(set(names)), f"{REFERENCE}: a file is recorded twice"
    return {e["file"]: e for e in data["files"]}


def test_the_reference_was_recorded_with_the_installed_pabutools():
    from importlib.metadata import version

    recorded = json.loads(REFERENCE.read_text(encoding="utf-8"))["pabutools_version"]
    assert version("pabutools") == recorded, f"pabutools changed since the fixture: {RERUN}"


@pytest.mark.parametrize("name", PB_FILES)
def test_greedy_and_equal_shares_equal_pabutools_on_real_files(name):
    """Our rules select what pabutools selected on the same file, as recorded in the fixture.

    pabutools takes minutes on the large files, so it is not run here; it is compared live
    on small random instances below.
    """
    ref = _reference().get(name)  # checked before shared_real: a missing entry never skips
    assert ref is not None, f"{REFERENCE} has no entry for {name}: {RERUN}"
    path = shared_real("pabulib") / name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == ref["sha256"], (
        f"{path} changed since pabutools' outcomes were recorded "
        f"(sha256 {digest}, recorded {ref['sha256']}): {RERUN}"
    )
    pb = read_pabulib(path)
    assert pb.budget == ref["budget"]
    ids, costs, sup, n = _arrays(pb)
    order = text_order(ids)
    ours_greedy = greedy(costs, np.array([len(s) for s in sup]), pb.budget, tie_order=order)
    ours_mes = equal_shares(costs, sup, n_voters=n, budget=pb.budget, tie_order=order)
    assert {ids[i] for i in np.flatnonzero(ours_greedy)} == set(ref["greedy"])
    assert {ids[i] for i in np.flatnonzero(ours_mes)} == set(ref["equal_shares"])
    for funded in (ours_greedy, ours_mes):
        assert costs[funded].sum() <= pb.budget


def test_warsaw_greedy_equals_the_official_result():
    pb = read_pabulib(shared_real("pabulib") / "Poland_Warszawa_2024_Srodmiescie.pb")
    ids, costs, sup, _ = _arrays(pb)
    funded = greedy(costs, np.array([len(s) for s in sup]), pb.budget, tie_order=text_order(ids))
    official = set(pb.projects.loc[pb.projects["selected"] == "1", "project_id"])
    assert {ids[i] for i in np.flatnonzero(funded)} == official


# ---------------------------------------------------------------------- random instances
@st.composite
def instances(draw):
    m = draw(st.integers(1, 9))
    n = draw(st.integers(1, 25))
    costs = np.array(draw(st.lists(st.integers(1, 100), min_size=m, max_size=m)), float)
    ballots = [draw(st.lists(st.integers(0, m - 1), unique=True, max_size=m)) for _ in range(n)]
    budget = float(draw(st.integers(1, int(costs.sum()) + 50)))
    sup = [np.array([v for v, b in enumerate(ballots) if p in b], np.int64) for p in range(m)]
    return costs, sup, n, budget, ballots


@settings(max_examples=150, deadline=None)
@given(instances(), st.integers(0, 10**6))
def test_every_rule_stays_within_budget_and_is_deterministic(inst, seed):
    costs, sup, n, budget, _ = inst
    votes = np.array([len(s) for s in sup], float)
    score = np.random.default_rng(seed).uniform(0, 1, costs.size)
    rules = {
        "greedy": lambda: greedy(costs, votes, budget),
        "mes": lambda: mes(costs, sup, n_voters=n, budget=budget),
        "equal_shares": lambda: equal_shares(costs, sup, n_voters=n, budget=budget),
        "need_weighted": lambda: equal_shares(
            costs, sup, n_voters=n, budget=budget, utilities=costs * (0.1 + score)
        ),
        "optimal": lambda: optimal(costs, score, budget),
    }
    for name, rule in rules.items():
        a, b = rule(), rule()
        assert costs[a].sum() <= budget + 1e-6, name
        assert np.array_equal(a, b), name


@settings(max_examples=60, deadline=None)
@given(instances(), st.integers(0, 10**6))
def test_knapsack_is_optimal_against_brute_force(inst, seed):
    costs, _, _, budget, _ = inst
    score = np.random.default_rng(seed).uniform(0, 1, costs.size)
    best = 0.0
    for k in range(costs.size + 1):
        for c in combinations(range(costs.size), k):
            idx = list(c)
            if costs[idx].sum() <= budget:
                best = max(best, score[idx].sum())
    got = optimal(costs, score, budget)
    assert score[got].sum() == pytest.approx(best, rel=1e-6, abs=1e-9)


def _pabutools_instance(costs, budget, ballots):
    """A random instance as a pabutools instance and approval profile, and the project ids.

    Ids run backwards (the last project is p0) so that pabutools' tie-breaking by id differs
    from index order and ``tie_order`` is exercised.
    """
    from pabutools.election import ApprovalBallot, ApprovalProfile, Instance, Project

    projects = [Project(f"p{costs.size - 1 - i}", int(c)) for i, c in enumerate(costs)]
    pinst = Instance(projects, budget_limit=int(budget))
    prof = ApprovalProfile([ApprovalBallot({projects[p] for p in b}) for b in ballots])
    return [p.name for p in projects], pinst, prof


@settings(max_examples=60, deadline=None)
@given(instances())
def test_greedy_equals_pabutools_on_random_instances(inst):
    from pabutools.election import Cost_Sat
    from pabutools.rules import greedy_utilitarian_welfare

    costs, sup, _, budget, ballots = inst
    ids, pinst, prof = _pabutools_instance(costs, budget, ballots)
    ref = greedy_utilitarian_welfare(pinst, prof, sat_class=Cost_Sat)
    votes = np.array([len(s) for s in sup])
    ours = greedy(costs, votes, budget, tie_order=text_order(ids))
    assert {ids[i] for i in np.flatnonzero(ours)} == {p.name for p in ref}


@settings(max_examples=40, deadline=None)
@given(instances())
def test_equal_shares_equals_pabutools_on_random_instances(inst):
    from pabutools.election import Cost_Sat
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    costs, sup, n, budget, ballots = inst
    ids, pinst, prof = _pabutools_instance(costs, budget, ballots)
    ref = completion_by_rule_combination(
        pinst,
        prof,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    ours = equal_shares(costs, sup, n_voters=n, budget=budget, tie_order=text_order(ids))
    assert {ids[i] for i in np.flatnonzero(ours)} == {p.name for p in ref}


def test_knapsack_respects_district_shares_and_category_caps():
    costs = np.array([50.0, 40.0, 30.0, 20.0, 10.0])
    score = np.array([10.0, 9.0, 8.0, 1.0, 1.0])
    district = np.array(["a", "a", "a", "b", "b"])
    free = optimal(costs, score, 100.0)
    assert set(np.flatnonzero(free)) == {0, 1, 4}  # score 20, the best that fits
    fair = optimal(costs, score, 100.0, groups=district, min_share={"b": 0.3})
    assert costs[fair & (district == "b")].sum() >= 30
    cats = np.array(["trees", "trees", "shade", "shade", "water"])
    capped = optimal(costs, score, 100.0, categories=cats, category_cap={"trees": 0.5})
    assert costs[capped & (cats == "trees")].sum() <= 50
    with pytest.raises(Infeasible):
        optimal(costs, score, 100.0, groups=district, min_share={"a": 0.9, "b": 0.3})


# ---------------------------------------------------------------------- pabulib files
def test_pabulib_round_trip_keeps_every_ballot(tmp_path: Path):
    for name in PB_FILES:
        pb = read_pabulib(shared_real("pabulib") / name)
        again = parse_pabulib(write_pabulib(pb))
        assert again.meta == pb.meta
        assert again.projects.equals(pb.projects)
        assert again.ballots.equals(pb.ballots)
        assert len(again.voters) == len(pb.voters)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello;world\nPROJECTS\n", "expected a section header META"),
        ("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\na;5\n", "VOTES is missing"),
        (
            "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\na;five\n"
            "VOTES\nvoter_id;vote\n1;a\n",
            "line 6, field 'cost'",
        ),
        (
            "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\na;5\n"
            "VOTES\nvoter_id;vote\n1;b\n",
            "line 9, field 'vote': project 'b' is not in PROJECTS",
        ),
        (
            "META\nkey;value\nvote_type;ordinal\nbudget;10\nvote_type;magic\nPROJECTS\n"
            "project_id;cost\na;5\nVOTES\nvoter_id;vote\n1;a\n",
            "vote_type must be one of",
        ),
    ],
)
def test_malformed_pabulib_names_file_line_and_field(text, message):
    with pytest.raises(PabulibError, match=message):
        parse_pabulib(text, source="x.pb")
