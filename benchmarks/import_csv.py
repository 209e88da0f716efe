"""Import rate of a large sensor.community-format file vs. pyarrow's raw CSV parse.

    python benchmarks/import_csv.py [--rows 5000000]

Generates an SDS011-style archive CSV (';'-separated, P1/P2 per row, 2,000 sensors), then in
the same run times (best of 3):
  baseline  pyarrow.csv.read_csv of the file (parse only)
  workbench the full import into a fresh workspace: parse, validate, convert to canonical
            observations (2 per row), dedup, sort, write Parquet, commit the manifest
and prints rows/s for both and the ratio (target: >= 0.5).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from _common import best_of, scratch

from workbench.pipeline import import_files
from workbench.workspace import Workspace


def make_file(path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    n_sensors = 2000
    per = rows // n_sensors
    sensor = np.repeat(np.arange(10_000, 10_000 + n_sensors), per)
    k = np.tile(np.arange(per), n_sensors)
    t0 = np.datetime64("2025-06-01T00:00:00", "s")
    times = (t0 + (k * 150 + rng.integers(0, 30, k.size)).astype("timedelta64[s]")).astype(str)
    lat = 51.45 + (sensor % 97) / 500
    lon = 6.95 + (sensor % 89) / 400
    p1 = np.round(rng.gamma(2.0, 8.0, k.size), 2)
    p2 = np.round(p1 * rng.uniform(0.4, 0.8, k.size), 2)
    table = pa.table(
        {
            "sensor_id": sensor,
            "sensor_type": np.full(k.size, "SDS011"),
            "location": sensor + 5000,
            "lat": np.round(lat, 3),
            "lon": np.round(lon, 3),
            "timestamp": times,
            "P1": p1,
            "durP1": pa.nulls(k.size, pa.string()),
            "ratioP1": pa.nulls(k.size, pa.string()),
            "P2": p2,
            "durP2": pa.nulls(k.size, pa.string()),
            "ratioP2": pa.nulls(k.size, pa.string()),
        }
    )
    with open(path, "wb") as fh:
        fh.write((";".join(table.column_names) + "\n").encode())
        pv.write_csv(
            table,
            fh,
            write_options=pv.WriteOptions(
                delimiter=";", quoting_style="none", include_header=False
            ),
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = scratch("import_csv")
    f = work / "2025-06-01_sds011_big.csv"
    make_file(f, args.rows)
    rows = sum(1 for _ in open(f, "rb")) - 1
    size_mb = f.stat().st_size / 1e6
    print(f"file: {rows:,} rows, {size_mb:.0f} MB")

    def raw() -> None:
        pv.read_csv(f, parse_options=pv.ParseOptions(delimiter=";"))

    t_raw = best_of(args.repeat, raw)
    state = {}

    def fresh() -> None:
        ws_dir = scratch("import_csv_ws")
        state["ws"] = Workspace.init(ws_dir)

    def full() -> None:
        report = import_files.import_report(state["ws"], [f])
        assert report.added == 2 * rows, report.added

    t_wb = best_of(args.repeat, full, setup=fresh)
    print(f"pyarrow.csv.read_csv (parse only): {rows / t_raw:>12,.0f} rows/s  ({t_raw:.2f} s)")
    print(f"workbench import (full):           {rows / t_wb:>12,.0f} rows/s  ({t_wb:.2f} s)")
    print(f"ratio workbench/raw: {t_raw / t_wb:.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
