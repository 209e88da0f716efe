"""The store's guarantees: idempotent, atomic, consistent for concurrent readers."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import FIXTURES, REPO, store_state

from workbench.importers import ImportFormatError
from workbench.pipeline import import_files
from workbench.pipeline.status import status as status_of
from workbench.store import Store


def write_generic(
    path: Path,
    n: int,
    offset: int = 0,
    sensors: int = 10,
    bad_at: int | None = None,
    prefix: str = "s",
) -> Path:
    t0 = pd.Timestamp("2025-06-01T00:00Z")
    i = np.arange(offset, offset + n)
    df = pd.DataFrame(
        {
            "sensor_id": [f"{prefix}{k % sensors:02d}" for k in i],
            "time": (t0 + pd.to_timedelta(i // sensors, unit="min")).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "quantity": "air_temperature",
            "value": (i % 300) / 10.0,
            "unit": "°C",
        }
    )
    if bad_at is not None:
        df["value"] = df["value"].astype(object)
        df.loc[bad_at, "value"] = "abc"
    df.to_csv(path, index=False)
    return path


def test_reimport_same_file_adds_nothing(workspace):
    files = sorted(FIXTURES.glob("2019-05-22_*.csv"))
    first = import_files.import_report(workspace, files)
    assert first.added > 0 and first.duplicates == 0
    before = workspace.observations()
    second = import_files.import_report(workspace, files)
    assert second.added == 0
    assert second.duplicates == first.added
    after = workspace.observations()
    pd.testing.assert_frame_equal(before, after)


def test_duplicates_within_a_batch_keep_the_first(workspace, tmp_path):
    p = tmp_path / "d.csv"
    p.write_text(
        "sensor_id,time,quantity,value,unit\n"
        "a,2025-07-01T12:00:00Z,temperature,20,C\n"
        "a,2025-07-01T12:00:00Z,temperature,99,C\n"
        "a,2025-07-01T13:00:00Z,temperature,21,C\n"
    )
    r = import_files.import_report(workspace, [p])
    assert (r.added, r.duplicates) == (2, 1)
    assert workspace.observations()["value"].tolist() == [20.0, 21.0]


def test_overlapping_import_adds_only_new_rows(workspace, tmp_path):
    import_files.import_report(workspace, [write_generic(tmp_path / "a.csv", 1000)])
    r = import_files.import_report(workspace, [write_generic(tmp_path / "b.csv", 1000, offset=500)])
    assert (r.added, r.duplicates) == (500, 500)
    assert len(workspace.observations()) == 1500


def test_failing_import_leaves_store_exactly_as_before(workspace, tmp_path):
    import_files.import_report(workspace, [write_generic(tmp_path / "ok.csv", 2000)])
    before = store_state(workspace.store.path)
    good = write_generic(tmp_path / "good.csv", 5000, offset=2000)
    bad = write_generic(tmp_path / "bad.csv", 5000, offset=7000, bad_at=2500)
    with pytest.raises(ImportFormatError, match=r"bad.csv, line 2502, field 'value'"):
        import_files.import_report(workspace, [good, bad])
    assert store_state(workspace.store.path) == before
    assert len(workspace.observations()) == 2000


def test_exception_inside_transaction_rolls_back(tmp_path):
    store = Store(tmp_path / "store")
    before = store_state(store.path)
    tbl = pa.table(
        {
            "sensor_id": ["a"],
            "quantity": ["pm10"],
            "time": pa.array([pd.Timestamp("2025-01-01", tz="UTC")]),
            "value": [1.0],
        }
    )
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_observations(tbl)
        raise RuntimeError("disk full")
    assert store_state(store.path) == before


READER = textwrap.dedent("""
    import sys, time, json
    from workbench.workspace import Workspace
    ws = Workspace.open(sys.argv[1])
    stop = time.monotonic() + float(sys.argv[2])
    seen = []
    while time.monotonic() < stop:
        snap = ws.snapshot()
        n = len(ws.observations())
        seen.append(n)
        if n >= int(sys.argv[3]):
            break
    print(json.dumps(seen))
""")


def test_concurrent_reader_never_sees_half_a_batch(workspace, tmp_path):
    batch, batches = 200_000, 6
    files = [
        write_generic(tmp_path / f"b{k}.csv", batch, offset=k * batch, sensors=50)
        for k in range(batches)
    ]
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(workspace.root), "120", str(batch * batches)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    time.sleep(0.5)
    for f in files:  # each file its own transaction
        import_files.import_report(workspace, [f])
    out, err = reader.communicate(timeout=180)
    assert reader.returncode == 0, err
    import json

    seen = json.loads(out)
    assert all(n % batch == 0 for n in seen), sorted(set(seen))
    assert seen == sorted(seen)  # snapshots only move forward
    assert len(set(seen)) >= 3, "reader did not overlap the writes"
    assert seen[-1] == batch * batches


KILLED_WRITER = textwrap.dedent("""
    import sys
    from workbench.pipeline import import_files
    from workbench.workspace import Workspace
    import_files.import_report(Workspace.open(sys.argv[1]), sys.argv[2:])
""")


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.6])
def test_killed_writer_leaves_a_consistent_store(workspace, tmp_path, delay):
    base = write_generic(tmp_path / "base.csv", 1000, prefix="base")
    import_files.import_report(workspace, [base])
    big = [
        write_generic(tmp_path / f"big{k}.csv", 300_000, offset=1000 + k * 300_000, sensors=40)
        for k in range(2)
    ]
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(workspace.root), *map(str, big)], cwd=REPO
    )
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    n = len(workspace.observations())
    assert n in (1000, 601_000)
    # the store stays writable and re-running the import completes it exactly once
    import_files.import_report(workspace, big)
    assert len(workspace.observations()) == 601_000
    assert workspace.store.vacuum(min_age_s=0) >= 0
    assert len(workspace.observations()) == 601_000


def test_moving_sensor_gets_a_new_position_record(workspace, tmp_path):
    p1 = tmp_path / "p1.csv"
    p1.write_text(
        "sensor_id,time,quantity,value,unit,lat,lon\n"
        "m,2025-07-01T12:00:00Z,temperature,20,C,51.50,7.10\n"
        "m,2025-07-02T12:00:00Z,temperature,20,C,51.50,7.10\n"
        "m,2025-07-03T12:00:00Z,temperature,20,C,51.55,7.05\n"
    )
    import_files.import_report(workspace, [p1])
    import_files.import_report(workspace, [p1])  # re-import: no new records
    pos = workspace.snapshot().positions()
    assert pos[["lat", "lon"]].values.tolist() == [[51.50, 7.10], [51.55, 7.05]]
    assert pos["valid_from"].tolist() == [
        pd.Timestamp("2025-07-01T12:00Z"),
        pd.Timestamp("2025-07-03T12:00Z"),
    ]


def test_quarantine_is_stored_with_reason(workspace, tmp_path):
    p = tmp_path / "q.csv"
    p.write_text(
        "sensor_id,time,quantity,value,unit\n"
        "a,2025-07-01T12:00:00Z,temperature,20,C\n"
        "a,2025-07-01T12:00:00Z,radon,40,Bq/m3\n"
    )
    import_files.import_report(workspace, [p])
    q = workspace.quarantine()
    assert q[["origin", "line", "reason"]].values.tolist() == [
        [str(p), 3, "unknown quantity 'radon'"]
    ]
    assert status_of(workspace)["quarantine"] == 1


def test_compaction_keeps_every_row_and_old_snapshots_readable(workspace, tmp_path):
    for k in range(4):
        import_files.import_report(
            workspace, [write_generic(tmp_path / f"c{k}.csv", 500, offset=k * 500)]
        )
    old = workspace.snapshot()
    before = workspace.observations()
    assert len(old.files()) == 4
    assert workspace.store.compact() == 1
    assert len(workspace.snapshot().files()) == 1
    pd.testing.assert_frame_equal(before, workspace.observations())
    from workbench.query import observations

    assert len(observations(old)) == 2000  # files of the old snapshot are still there
