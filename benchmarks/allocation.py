"""Method of Equal Shares: the workbench against pabutools on the same instances, same run.

    python benchmarks/allocation.py            # real pabulib files + generated 100k x 300
    python benchmarks/allocation.py --quick    # small files and a small generated instance

Real files (../shared/data/real/pabulib): MES with cost utilities, Add1 completion
(+1 per voter) and greedy completion — pabutools' ``completion_by_rule_combination``
of ``method_of_equal_shares(voter_budget_increment=1)`` and
``greedy_utilitarian_welfare`` (Cost_Sat), which took 202 s on Warsaw Śródmieście.
Generated approval instances (100,000 voters, 300 projects, popularity skewed as in
real PB): one MES run without completion for both, since pabutools' Add1 loop does not
finish in reasonable time there; the workbench's full rule with completion is timed
too. pabutools runs in a subprocess with a time limit. Outcomes are compared.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from workbench.allocation.compare import supporters_of
from workbench.allocation.equal_shares import equal_shares, mes
from workbench.allocation.greedy import text_order
from workbench.participation.pabulib import (
    PabulibInstance,
    parse_pabulib,
    read_pabulib,
    write_pabulib,
)

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "pabulib"

PABUTOOLS_CHILD = r"""
import json, sys, time
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import (completion_by_rule_combination, greedy_utilitarian_welfare,
                             method_of_equal_shares)
inst, prof = parse_pabulib(sys.argv[1])
t = time.perf_counter()
if sys.argv[2] == "full":
    out = completion_by_rule_combination(inst, prof, [method_of_equal_shares,
        greedy_utilitarian_welfare], [{"sat_class": Cost_Sat, "voter_budget_increment": 1},
        {"sat_class": Cost_Sat}])
else:
    out = method_of_equal_shares(inst, prof, sat_class=Cost_Sat)
print(json.dumps({"seconds": time.perf_counter() - t, "funded": sorted(p.name for p in out)}))
"""


def arrays(pb: PabulibInstance):
    """Project ids, costs, supporters per project and voter count (empty ballots count)."""
    ids = pb.projects["project_id"].tolist()
    ballots = pb.ballots.rename(columns={"project_id": "proposal_id"})
    sup, n, _ = supporters_of(ids, ballots, pb.voters["voter_id"].tolist())
    return ids, pb.projects["cost"].to_numpy(float), sup, n


def ours(pb: PabulibInstance, mode: str) -> tuple[float, list[str]]:
    """Best of two runs (the first includes loading numba's compiled code)."""
    ids, costs, sup, n = arrays(pb)
    order = text_order(ids)
    best = np.inf
    for _ in range(2):
        t = time.perf_counter()
        if mode == "full":
            f = equal_shares(costs, sup, n_voters=n, budget=pb.budget, tie_order=order)
        else:
            f = mes(costs, sup, n_voters=n, budget=pb.budget, tie_order=order)
        best = min(best, time.perf_counter() - t)
    return best, sorted(ids[i] for i in np.flatnonzero(f))


def theirs(path: Path, mode: str, timeout: float) -> dict | None:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", PABUTOOLS_CHILD, str(path), mode],
            capture_output=True, text=True, timeout=timeout, check=True,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def generated(n_voters: int, n_projects: int, seed: int = 0) -> PabulibInstance:
    """An approval instance: skewed popularity, ballots of 1-10 projects, costs 5k-300k."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    costs = (rng.lognormal(11, 0.8, n_projects).clip(5_000, 300_000) // 100 * 100).astype(int)
    pop = rng.lognormal(0, 1.0, n_projects)
    p = pop / pop.sum()
    k = rng.integers(1, 11, n_voters)
    rows = []
    for v in range(n_voters):
        for j in rng.choice(n_projects, size=k[v], replace=False, p=p):
            rows.append((str(v), f"P{j:04d}"))
    ballots = pd.DataFrame(rows, columns=["voter_id", "project_id"])
    ballots["points"] = 1.0
    ballots["position"] = ballots.groupby("voter_id").cumcount()
    projects = pd.DataFrame(
        {"project_id": [f"P{j:04d}" for j in range(n_projects)], "cost": costs.astype(float)}
    )
    budget = int(costs.sum() * 0.3)
    meta = {"budget": str(budget), "vote_type": "approval", "num_votes": str(n_voters)}
    voters = pd.DataFrame({"voter_id": [str(v) for v in range(n_voters)]})
    return PabulibInstance(meta=meta, projects=projects, ballots=ballots, voters=voters)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--timeout", type=float, default=3600.0, help="pabutools time limit (s)")
    args = ap.parse_args()
    files = sorted(REAL.glob("*.pb"))
    if args.quick:
        files = [f for f in files if f.stat().st_size < 50_000]
    rows = []
    for f in files:
        pb = read_pabulib(f)
        t_ours, f_ours = ours(pb, "full")
        ref = theirs(f, "full", args.timeout)
        rows.append(("full", f.stem, len(pb.voters), len(pb.projects), t_ours, ref, f_ours))
    n_voters, n_projects = (5_000, 60) if args.quick else (100_000, 300)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.pb"
        gen = generated(n_voters, n_projects)
        path.write_text(write_pabulib(gen), encoding="utf-8")
        gen = parse_pabulib(path.read_text(encoding="utf-8"))
        t_full, _ = ours(gen, "full")
        print(f"generated {n_voters} x {n_projects}: workbench MES + completion {t_full:.1f} s")
        t_ours, f_ours = ours(gen, "mes")
        ref = theirs(path, "mes", args.timeout)
        rows.append(("mes", f"generated {n_voters}x{n_projects}", n_voters, n_projects, t_ours,
                     ref, f_ours))  # fmt: skip
    print(f"\n{'rule':<5} {'instance':<38} {'voters':>7} {'proj':>4} {'ours s':>8} "
          f"{'pabutools s':>11} {'ratio':>7} same")  # fmt: skip
    for mode, name, nv, npj, t, ref, funded in rows:
        if ref is None:
            tail = f"{'>' + str(int(args.timeout)):>11} {'-':>7} ?"
        else:
            same = "yes" if ref["funded"] == funded else "NO"
            tail = f"{ref['seconds']:>11.2f} {ref['seconds'] / t:>6.0f}x {same}"
        print(f"{mode:<5} {name:<38} {nv:>7} {npj:>4} {t:>8.3f} {tail}")


if __name__ == "__main__":
    main()
