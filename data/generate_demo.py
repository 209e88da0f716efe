"""Generate the bundled, SIMULATED Gelsenkirchen demo data into workbench/simulate/demo_data/.

    python data/generate_demo.py            # seed 2025, the committed output
    python data/generate_demo.py --seed 7 --out /tmp/demo

The city is made by workbench.simulate.city and written in the formats of the city's real
sources by workbench.simulate.demo_files (see data/README.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.simulate.demo_files import write_demo

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "workbench" / "simulate" / "demo_data"


def main() -> None:
    """Parse ``--seed`` and ``--out`` and write the demo data."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    print(write_demo(args.out, args.seed))


if __name__ == "__main__":
    main()
