"""Daily means per sensor over >= 50 million stored observations: workbench API vs raw DuckDB.

    python benchmarks/query.py [--sensors 500] [--days 70]

Fills a store through the workbench's own write path (500 sensors x 100,000 readings at
~1-minute spacing = 50 million rows), then in the same run times (best of 3):
  baseline  a hand-written DuckDB query over the same Parquet files with the same
            semantics (hourly means, then the daily mean of hourly means, n and n_hours)
  workbench Workspace.aggregate(freq="day"): manifest read, file pruning, SQL, DataFrame
and prints both times and the ratio (target: <= 1.5).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, scratch

from workbench.store import parquet_sql
from workbench.workspace import Workspace


def fill(ws: Workspace, sensors: int, per_sensor: int) -> int:
    rng = np.random.default_rng(5)
    t0 = np.datetime64("2025-06-01T00:00:00", "us").astype("int64")
    step = 60_000_000  # one minute
    chunk = 50  # sensors per transaction (5 million rows)
    total = 0
    for first in range(0, sensors, chunk):
        ids = np.arange(first, min(first + chunk, sensors))
        n = ids.size * per_sensor
        codes = np.repeat(np.arange(ids.size, dtype=np.int32), per_sensor)
        t = t0 + np.tile(np.arange(per_sensor, dtype="int64") * step, ids.size)
        t = t + rng.integers(0, 30_000_000, n)
        table = pa.table(
            {
                "sensor_id": pa.DictionaryArray.from_arrays(
                    pa.array(codes), pa.array([f"bench-{i:04d}" for i in ids])
                ),
                "quantity": pa.array(np.full(n, "air_temperature")).dictionary_encode(),
                "time": pa.array(t).cast(pa.timestamp("us", tz="UTC")),
                "value": rng.normal(20, 4, n).round(2),
            }
        )
        with ws.store.transaction() as tx:
            total += tx.add_observations(table)[0]
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sensors", type=int, default=500)
    ap.add_argument("--per-sensor", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    ws = Workspace.init(scratch("query_ws"))
    n = fill(ws, args.sensors, args.per_sensor)
    files = ws.snapshot().files()
    print(f"stored: {n:,} observations in {len(files)} files")

    def raw() -> pd.DataFrame:
        con = duckdb.connect()
        try:
            return con.sql(f"""
                WITH h AS (
                    SELECT sensor_id, quantity, date_trunc('hour', time) AS hour,
                           avg(value) AS mean, min(value) AS mn, max(value) AS mx, count(*) AS n
                    FROM {parquet_sql(files)} WHERE quantity = 'air_temperature'
                    GROUP BY ALL)
                SELECT sensor_id, quantity, date_trunc('day', hour) AS day, avg(mean) AS mean,
                       min(mn) AS min, max(mx) AS max, sum(n) AS n, count(*) AS n_hours
                FROM h GROUP BY ALL ORDER BY ALL""").df()
        finally:
            con.close()

    def api() -> pd.DataFrame:
        return ws.aggregate("air_temperature", freq="day")

    a, b = raw(), api()
    assert len(a) == len(b), (len(a), len(b))
    np.testing.assert_allclose(np.sort(a["mean"].to_numpy()), np.sort(b["mean"].to_numpy()))
    t_raw = best_of(args.repeat, raw)
    t_api = best_of(args.repeat, api)
    print(f"raw DuckDB query:          {t_raw:.2f} s  ({len(a):,} sensor-days)")
    print(f"workbench aggregate(day):  {t_api:.2f} s")
    print(f"ratio workbench/raw: {t_api / t_raw:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
