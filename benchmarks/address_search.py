"""Address search for the citizen page: AddressIndex vs a naive linear scan, same run.

    python benchmarks/address_search.py [--addresses 300000] [--queries 2000]

Generates a city of N addresses (3,000 streets by default at 300,000, postcodes, some
"a" suffixes), then times (best of 3):
  build     AddressIndex(df) (target < 2 s at 300,000)
  baseline  a naive search: every row's "street number" normalised once up front, each
            query normalised and compared with every row (equality, else prefix)
  workbench AddressIndex.search over the same queries (target < 5 ms per search)
and prints per-search times and the ratio naive / workbench.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of

from workbench.addresses import AddressIndex, normalise

SYLLABLES = ["berg", "feld", "horst", "kamp", "busch", "mark", "hof", "bruch", "wald", "heide"]
TYPES = ["straße", "weg", "allee", "platz", " Straße", "gasse", "ring"]


def city(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    per_street = 100
    streets = []
    for i in range(max(1, n // per_street)):
        a, b = SYLLABLES[i % 10], SYLLABLES[(i // 10) % 10]
        t = TYPES[(i // 100) % len(TYPES)]
        streets.append(f"{a.title()}{b}{t}{'' if i < 700 else ' ' + str(i // 700)}".strip())
    street = np.repeat(np.array(streets, dtype=object), per_street)[:n]
    number = np.tile(np.arange(1, per_street + 1), len(streets))[:n]
    suffix = np.where(rng.random(n) < 0.05, "a", "")
    hn = np.char.add(number.astype(str), suffix).astype(object)
    pcs = np.array([f"{45879 + k}" for k in range(20)], dtype=object)
    return pd.DataFrame(
        {
            "street": street,
            "housenumber": hn,
            "postcode": pcs[np.arange(n) // 15_000 % 20],
            "lat": rng.uniform(51.48, 51.62, n),
            "lon": rng.uniform(6.98, 7.15, n),
        }
    )


def queries(df: pd.DataFrame, k: int, seed: int = 4) -> list[str]:
    rng = np.random.default_rng(seed)
    rows = df.iloc[rng.integers(0, len(df), k)]
    out = []
    for i, r in enumerate(rows.itertuples()):
        kind = i % 5
        if kind == 0:
            out.append(f"{r.street} {r.housenumber}")
        elif kind == 1:
            out.append(f"{r.street.replace('straße', 'str.')} {r.housenumber}".upper())
        elif kind == 2:
            out.append(r.postcode)
        elif kind == 3:
            out.append(r.street[:6].lower())
        else:
            out.append(f"{r.street} {int(''.join(c for c in r.housenumber if c.isdigit())) + 300}")
    return out


class Naive:
    """Linear scan: the normalised "street number" of every row, compared one by one."""

    def __init__(self, df: pd.DataFrame) -> None:
        pairs = zip(df["street"], df["housenumber"], strict=True)
        self.full = [normalise(f"{s} {h}") for s, h in pairs]
        self.streets = [normalise(s) for s in df["street"]]
        self.postcodes = df["postcode"].tolist()

    def search(self, text: str) -> list[int]:
        q = normalise(text)
        hits = [i for i, f in enumerate(self.full) if f == q]
        if not hits:
            hits = [i for i, p in enumerate(self.postcodes) if p == q]
        if not hits:
            hits = [i for i, s in enumerate(self.streets) if s.startswith(q)]
        return hits[:10]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--addresses", type=int, default=300_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--naive-queries", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    df = city(args.addresses)
    qs = queries(df, args.queries)
    print(f"city: {len(df):,} addresses, {df['street'].nunique():,} streets")
    t_build = best_of(args.repeat, lambda: AddressIndex(df))
    index = AddressIndex(df)
    t0 = time.perf_counter()
    naive = Naive(df)
    t_naive_build = time.perf_counter() - t0
    print(f"build:     AddressIndex {t_build:.2f} s (target < 2 s); naive {t_naive_build:.2f} s")

    per = []
    for q in qs:
        t = time.perf_counter()
        index.search(q)
        per.append(time.perf_counter() - t)
    t_index = best_of(args.repeat, lambda: [index.search(q) for q in qs]) / len(qs)
    few = qs[: args.naive_queries]
    t_naive = best_of(1, lambda: [naive.search(q) for q in few]) / len(few)
    print(
        f"search:    AddressIndex {t_index * 1e3:.3f} ms mean, "
        f"{np.percentile(per, 99) * 1e3:.3f} ms p99, {max(per) * 1e3:.3f} ms max "
        f"({len(qs)} queries; target < 5 ms)"
    )
    print(f"           naive scan   {t_naive * 1e3:.1f} ms mean ({len(few)} queries)")
    print(f"ratio naive/workbench: {t_naive / t_index:,.0f}x")


if __name__ == "__main__":
    main()
