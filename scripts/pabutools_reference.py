"""Record pabutools' outcomes on the real pabulib files that the allocation tests use.

pabutools is the reference implementation that ``tests/test_allocation.py`` checks the
workbench's greedy and Equal Shares rules against. On the large real instances it is slow
(Warsaw Śródmieście alone takes minutes), so the tests do not run it on them: they compare
with the outcomes this script writes to ``tests/fixtures/pabutools_reference.json``. Small
random instances are still compared with pabutools live, in every test run.

For each file listed in ``PB_FILES`` in ``tests/test_allocation.py`` (read from that file,
so the two cannot drift apart) it records the file's SHA-256, its budget and the project
ids, sorted, that pabutools selects under

* ``greedy``: ``greedy_utilitarian_welfare`` with cost satisfaction;
* ``equal_shares``: ``method_of_equal_shares`` with cost satisfaction and
  ``voter_budget_increment=1`` (Add1), completed by the greedy rule above.

Rerun it when a file under ``../shared/data/real/pabulib`` changes (the test then fails
with a SHA-256 mismatch) or when pabutools is upgraded, and commit the new fixture::

    .venv/bin/python scripts/pabutools_reference.py

pabutools is GPL-3.0 and a test-time dependency only. Like the tests, this script may
import it; nothing in ``workbench/`` may.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import hashlib
import importlib.metadata
import json
import sys
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEST_FILE = REPO / "tests" / "test_allocation.py"
DEFAULT_SHARED = REPO.parent / "shared"
DEFAULT_OUT = REPO / "tests" / "fixtures" / "pabutools_reference.json"
PABULIB_DIR = Path("data") / "real" / "pabulib"  # inside the shared folder

RULES = {
    "greedy": "greedy_utilitarian_welfare, sat_class=Cost_Sat",
    "equal_shares": (
        "completion_by_rule_combination(method_of_equal_shares "
        "[sat_class=Cost_Sat, voter_budget_increment=1], "
        "greedy_utilitarian_welfare [sat_class=Cost_Sat])"
    ),
}


def files_under_test(test_file: Path = TEST_FILE) -> list[str]:
    """The file names in the ``PB_FILES = [...]`` assignment of the test module."""
    tree = ast.parse(test_file.read_text(encoding="utf-8"), filename=str(test_file))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "PB_FILES"
        ):
            names = ast.literal_eval(node.value)
            if isinstance(names, list) and all(isinstance(n, str) for n in names):
                return names
            break
    raise SystemExit(f"{test_file}: no 'PB_FILES = [...]' list of file names found")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _number(value) -> int | str:
    """An exact pabutools number (gmpy2 mpq, Fraction, int) as JSON: int, or "p/q" text."""
    q = Fraction(int(value.numerator), int(value.denominator))
    return q.numerator if q.denominator == 1 else str(q)


def outcomes(path: Path) -> dict:
    """pabutools' greedy and Equal Shares outcomes on one pabulib file."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    instance, profile = parse_pabulib(str(path))
    greedy = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    equal_shares = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    return {
        "budget": _number(instance.budget_limit),
        "greedy": sorted(p.name for p in greedy),
        "equal_shares": sorted(p.name for p in equal_shares),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        metavar="DIR",
        help=f"the shared folder; files are read from DIR/{PABULIB_DIR.as_posix()} "
        "(default: ../shared beside the repository)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="FILE",
        help="JSON file to write (default: tests/fixtures/pabutools_reference.json)",
    )
    args = parser.parse_args(argv)

    folder = args.shared / PABULIB_DIR
    names = files_under_test()
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        parser.error(f"not found in {folder}: {', '.join(missing)}")

    entries = []
    for name in names:
        path = folder / name
        print(f"{name} ...", end=" ", file=sys.stderr, flush=True)
        start = time.perf_counter()
        entry = {"file": name, "sha256": sha256(path), **outcomes(path)}
        print(f"{time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        entries.append(entry)

    reference = {
        "generated_by": "scripts/pabutools_reference.py",
        "pabutools_version": importlib.metadata.version("pabutools"),
        "computed_on": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "rules": RULES,
        "files": entries,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # write the whole file or nothing: an interrupted run must not leave half a fixture
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(reference, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
