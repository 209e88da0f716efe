"""Allocation rules against pabutools (the reference implementation) and their invariants.

pabutools is GPL-3.0 and used here only, at test time, as the peer to agree with.
"""

from functools import cache
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_real
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


def _arrays(pb):
    """Project ids, costs, supporters per project and voter count (empty ballots count)."""
    ids = pb.projects["project_id"].tolist()
    ballots = pb.ballots.rename(columns={"project_id": "proposal_id"})
    sup, n, _ = supporters_of(ids, ballots, pb.voters["voter_id"].tolist())
    return ids, pb.projects["cost"].to_numpy(float), sup, n


@cache
def _pabutools(path: str) -> tuple[frozenset, frozenset]:
    """pabutools' greedy and MES (Add1) + greedy completion, cost satisfaction."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    inst, prof = parse_pabulib(path)
    g = greedy_utilitarian_welfare(inst, prof, sat_class=Cost_Sat)
    m = completion_by_rule_combination(
        inst,
        prof,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    return frozenset(p.name for p in g), frozenset(p.name for p in m)


@pytest.mark.parametrize("name", PB_FILES)
def test_greedy_and_equal_shares_equal_pabutools_on_real_files(name):
    path = shared_real("pabulib") / name
    pb = read_pabulib(path)
    ids, costs, sup, n = _arrays(pb)
    order = text_order(ids)
    ours_greedy = greedy(costs, np.array([len(s) for s in sup]), pb.budget, tie_order=order)
    ours_mes = equal_shares(costs, sup, n_voters=n, budget=pb.budget, tie_order=order)
    ref_greedy, ref_mes = _pabutools(str(path))
    assert {ids[i] for i in np.flatnonzero(ours_greedy)} == ref_greedy
    assert {ids[i] for i in np.flatnonzero(ours_mes)} == ref_mes
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


@settings(max_examples=40, deadline=None)
@given(instances())
def test_equal_shares_equals_pabutools_on_random_instances(inst):
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    costs, sup, n, budget, ballots = inst
    projects = [Project(f"p{i}", int(c)) for i, c in enumerate(costs)]
    pinst = Instance(projects, budget_limit=int(budget))
    prof = ApprovalProfile([ApprovalBallot({projects[p] for p in b}) for b in ballots])
    ref = completion_by_rule_combination(
        pinst,
        prof,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    ids = [p.name for p in projects]
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
