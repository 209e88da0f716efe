"""Hostile input: what an attack on the workbench found, each class reproduced and fixed.

The classes follow the hostile-input review (issue "Hostile input, privacy and
operations"); the rest of that review lives beside the features it concerns
(test_report, test_dashboards, test_participation_ranking, test_cli).
"""

from __future__ import annotations

import csv
import resource
import subprocess
import sys

import pytest
from conftest import REPO, run_cli

from workbench.workspace import Workspace

BAD_TIMES = (
    "sensor_id,time,quantity,value,unit\n"
    "a,2025-07-01T00:00Z,pm2_5,3,ug/m3\n"
    "a,9999-12-31T23:00Z,pm2_5,4,ug/m3\n"
    "a,0001-01-01T00:00Z,pm2_5,4,ug/m3\n"
    "a,2025-07-01T01:00Z,pm2_5,5,ug/m3\n"
)
BAD_VALUES = (
    "sensor_id,time,quantity,value,unit\n"
    "b,2025-07-01T00:00Z,pm2_5,inf,ug/m3\n"
    "b,2025-07-01T01:00Z,pm2_5,-inf,ug/m3\n"
    "b,2025-07-01T02:00Z,pm2_5,1e308,mg/m3\n"
    "b,2025-07-01T03:00Z,pm2_5,7,ug/m3\n"
)


def test_impossible_times_and_values_are_quarantined_with_the_reason(tmp_path):
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    for name, text in (("times.csv", BAD_TIMES), ("values.csv", BAD_VALUES)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = run_cli(
        "import", "--workspace", str(ws), str(tmp_path / "times.csv"), str(tmp_path / "values.csv"),
        check=True,
    ).stdout  # fmt: skip
    assert "times.csv: csv, 2 readings, 2 quarantined" in out
    assert "values.csv: csv, 1 readings, 3 quarantined" in out
    w = Workspace.open(ws)
    obs = w.observations()
    assert len(obs) == 3 and obs["time"].dt.year.eq(2025).all()
    q = w.quarantine()
    assert sorted(q["field"]) == ["time", "time", "value", "value", "value"]
    assert q["reason"].str.contains("outside the plausible window").sum() == 2
    assert q["reason"].str.contains("not a finite number").sum() == 3


def test_one_far_future_reading_no_longer_breaks_qc_and_export(tmp_path):
    """Before: a reading in 9999 made QC and export lay out hours across 8,000 years (the
    export grew to 21 GB). Now it never reaches the store; QC, fit-free status and export
    run in bounded memory (4 GiB address space for the child process)."""
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    (tmp_path / "t.csv").write_text(BAD_TIMES, encoding="utf-8")
    run_cli("import", "--workspace", str(ws), str(tmp_path / "t.csv"), check=True)

    def limited(*args: str) -> subprocess.CompletedProcess:
        def cap() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

        return subprocess.run(
            [sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True,
            timeout=300, cwd=REPO, preexec_fn=cap,
        )  # fmt: skip

    for args in (["qc"], ["status"], ["export", "--out", str(tmp_path / "o.csv")]):
        proc = limited(*args, "--workspace", str(ws))
        assert proc.returncode == 0, (args, proc.stderr[-2000:])
    assert (tmp_path / "o.csv").read_text().count("\n") == 3  # header and two readings


def test_qc_memory_follows_the_data_not_the_time_span(tmp_path):
    """Before: 300 sensors with one reading in January 2000 and one in December 2026 (600
    readings, all inside the window) made QC lay out 236,000 hours × 300 sensors and fail
    under 4 GiB ('Unable to allocate 540 MiB'). The hourly grid now keeps only the hours
    near readings."""
    rows = "".join(
        f"s{i:03d},2000-01-02T00:00Z,air_temperature,{10 + i % 7},degC\n"
        f"s{i:03d},2026-12-01T00:00Z,air_temperature,{11 + i % 5},degC\n"
        for i in range(300)
    )
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    (tmp_path / "span.csv").write_text("sensor_id,time,quantity,value,unit\n" + rows, "utf-8")
    run_cli("import", "--workspace", str(ws), str(tmp_path / "span.csv"), check=True)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    proc = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "qc", "--workspace", str(ws)],
        capture_output=True, text=True, timeout=300, cwd=REPO, preexec_fn=cap,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(Workspace.open(ws).clean(include_flagged=True)) == 600


def test_the_qc_grid_is_the_regular_one_wherever_data_are_near():
    import numpy as np
    import pandas as pd

    from workbench.qc.hourly import hour_grid

    t = pd.to_datetime(["2025-07-01 00:00", "2025-07-03 05:00", "2026-07-01 00:00"], utc=True)
    obs = pd.DataFrame({"hour": t})
    index, rows = hour_grid(obs, pad=48)
    assert len(index) == (54 + 48) + (48 + 1)  # two padded blocks, the year between cut
    assert (index[rows.to_numpy()] == t).all()
    assert (np.diff(index[:102]) == pd.Timedelta("1h")).all()
    # without a long gap the grid is exactly the old regular one
    near = pd.DataFrame({"hour": t[:2]})
    index, rows = hour_grid(near, pad=48)
    assert index.equals(pd.date_range(t[0], t[1], freq="1h")) and rows.tolist() == [0, 53]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('earliest = "yesterday-ish"', "import.earliest must be a date"),
        ("max_future_hours = -1", "import.max_future_hours must be a number"),
    ],
)
def test_the_window_settings_are_checked(tmp_path, toml, message):
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    cfg = ws / "workbench.toml"
    text = cfg.read_text(encoding="utf-8")
    key = toml.split(" = ")[0]
    lines = [toml if line.startswith(f"{key} = ") else line for line in text.splitlines()]
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "t.csv").write_text(BAD_TIMES, encoding="utf-8")
    proc = run_cli("import", "--workspace", str(ws), str(tmp_path / "t.csv"))
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr


PERSONAL_COLUMNS = ["E-Mail", "Mail", "Kontakt", "contact", "Full Name", "username",
                    "Antragsteller", "Geburtsdatum", "IP-Adresse"]  # fmt: skip
SECRETS = ["anna.beispiel@example.org", "0209 / 12 34 56", "+49 170 1234567", "1984-02-29",
           "Anna Beispiel", "annab", "192.168.17.4"]  # fmt: skip


def test_personal_data_is_never_stored_and_the_dropped_columns_are_named(tmp_path):
    """An allow-list of proposal columns, not a deny-list; contacts masked in free text."""
    header = ["proposal_id", "title", "description", "cost_eur", *PERSONAL_COLUMNS]
    row = ["P1", "Bäume für die Schule",
           "Fragen an anna.beispiel@example.org oder 0209 / 12 34 56; Kosten 12.000 €",
           "12000", "anna.beispiel@example.org", "anna.beispiel@example.org",
           "+49 170 1234567", "anna.beispiel@example.org", "Anna Beispiel", "annab",
           "Anna Beispiel", "1984-02-29", "192.168.17.4"]  # fmt: skip
    src = tmp_path / "p.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, row])
    pb = tmp_path / "r.pb"
    pb.write_text(
        "META\nkey;value\ndescription;Kontakt: anna.beispiel@example.org\nbudget;50000\n"
        "vote_type;approval\nnum_projects;1\nnum_votes;1\n"
        "PROJECTS\nproject_id;cost;name;proposer\nX1;20000;Park;Anna Beispiel\n"
        "VOTES\nvoter_id;vote\nv1;X1\n",
        encoding="utf-8",
    )
    for files, dropped in (([src], PERSONAL_COLUMNS), ([pb], ["proposer"])):
        ws = tmp_path / f"ws-{files[0].suffix[1:]}"
        run_cli("init", "--workspace", str(ws), check=True)
        out = run_cli("participation", "--workspace", str(ws), *map(str, files), check=True)
        line = next(x for x in out.stdout.splitlines() if x.startswith("not stored"))
        for name in dropped:  # named as the file names them
            assert name in line, (name, line)
        stored = b"".join(p.read_bytes() for p in (ws / "participation").rglob("*") if p.is_file())
        for secret in SECRETS:
            assert secret.encode() not in stored, secret
    assert (
        "[E-Mail entfernt]"
        in Workspace.open(tmp_path / "ws-csv").participation().proposals["description"].iloc[0]
    )


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("command", "name", "text", "message"),
    [
        ("init", "areas.geojson", '{"type": "FeatureCollection", "features": [1]}',
         "expected a Feature object"),
        ("init", "areas.geojson", DEEP, "nested too deeply"),
        ("import", "deep.json", DEEP, "nested too deeply"),
        ("participation", "p.geojson", DEEP, "nested too deeply"),
        ("participation", "p.geojson", '{"type": "FeatureCollection", "features": ["x"]}',
         "expected a Feature object"),
        ("measures", "m.geojson", '{"type": "FeatureCollection", "features": [1]}',
         "expected a Feature object"),
        ("participation", "big.csv",
         "proposal_id,title,description,cost_eur\nP1,x," + "a" * 200_000 + ",5000\n",
         "line 2: cannot be read as a table"),
    ],
)  # fmt: skip
def test_malformed_json_gets_one_line_naming_the_file(tmp_path, command, name, text, message):
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    ws = tmp_path / "ws"
    if command == "init":
        proc = run_cli("init", "--workspace", str(ws), "--areas", str(src))
    else:
        run_cli("init", "--workspace", str(ws), check=True)
        proc = run_cli(command, "--workspace", str(ws), str(src))
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and name in lines[0], lines
    assert message in lines[0], lines[0]


def test_delete_removes_one_sensors_span_atomically_and_logs_it(tmp_path):
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    rows = ["sensor_id,time,quantity,value,unit"]
    for s in ("a", "b"):
        for h in range(48):
            rows.append(f"{s},2025-07-01T00:00Z,pm2_5,{h},ug/m3".replace("T00", f"T{h % 24:02d}")
                        .replace("07-01", "07-01" if h < 24 else "07-02"))  # fmt: skip
    (tmp_path / "o.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    run_cli("import", "--workspace", str(ws), str(tmp_path / "o.csv"), check=True)
    out = run_cli(
        "delete", "--workspace", str(ws), "--sensor", "a", "--start", "2025-07-01T12:00Z",
        "--end", "2025-07-02T00:00Z", "--reason", "sensor in the sun", check=True,
    ).stdout  # fmt: skip
    assert "deleted     12 readings of a" in out
    obs = Workspace.open(ws).observations()
    a = obs[obs["sensor_id"] == "a"]
    assert len(a) == 36 and len(obs[obs["sensor_id"] == "b"]) == 48
    gone = (a["time"] >= "2025-07-01T12:00Z") & (a["time"] < "2025-07-02T00:00Z")
    assert not gone.any()
    import json

    log = json.loads((ws / "store" / "manifest.json").read_text())["deletions"]
    assert log[-1]["sensor_id"] == "a" and log[-1]["rows"] == 12
    assert log[-1]["reason"] == "sensor in the sun"
    # bad input: one line each, nothing changed
    for args, msg in ((["--sensor", "zz"], "no sensor 'zz'"),
                      (["--sensor", "a", "--start", "2025-07-02", "--end", "2025-07-01"],
                       "is not after")):  # fmt: skip
        proc = run_cli("delete", "--workspace", str(ws), *args)
        assert proc.returncode == 1 and msg in proc.stderr, proc.stderr
    assert len(Workspace.open(ws).observations()) == 84


def _gzip_of_zeros(n_mib: int) -> bytes:
    """A gzip file that unpacks to ``n_mib`` MiB of zeros (about 1 KiB per MiB)."""
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"0" * (1 << 20)
    return b"".join(c.compress(zeros) for _ in range(n_mib)) + c.flush()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("bomb.csv.gz", lambda: _gzip_of_zeros(1200), "unpacks to more than 1,073,741,824 bytes"),
        ("wide.csv", lambda: (",".join(f"c{i}" for i in range(1_000_000)) + "\n").encode(),
         "line 1: 1,000,000 columns; at most 2,000 are read"),
        ("cut.csv.gz", lambda: _gzip_of_zeros(2)[:-30], "damaged gzip file"),
    ],
)  # fmt: skip
def test_unbounded_input_is_refused_in_bounded_memory(tmp_path, name, make, message):
    """Before: a 1 MB gzip bomb grew to 2.2 GB and a 10 MB one ended in MemoryError; a CSV
    with 10⁶ columns aborted the process (std::bad_alloc). Now each is one line, in a child
    capped at 4 GiB of address space, and the store is unchanged."""
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    src = tmp_path / name
    src.write_bytes(make())

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    proc = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "import", "--workspace", str(ws), str(src)],
        capture_output=True, text=True, timeout=300, cwd=REPO, preexec_fn=cap,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and message in lines[0], lines
    assert sum(Workspace.open(ws).snapshot().observation_counts().values()) == 0


def test_a_decidim_export_is_not_taken_for_consul_and_a_newline_in_a_name_stays_one_line(
    tmp_path,
):
    """Before: a Decidim export with a 'supports' column was detected as CONSUL ("no title
    column"); a newline in a file name split the one-line error in two."""
    from workbench.participation import detect, read

    text = (
        "id;title/de;title/en;body/de;supports;budget_amount;latitude;longitude\n"
        "7;Bäume für die Cranger Straße;Trees;Mehr Schatten;42;18000;51.55;7.10\n"
    )
    src = tmp_path / "decidim.csv"
    src.write_text(text, encoding="utf-8")
    assert detect(src, src.read_bytes()) == "decidim"
    p = read(src).proposals
    assert p[["title", "votes", "cost_eur"]].values.tolist() == [
        ["Bäume für die Cranger Straße", 42, 18000.0]
    ]
    odd = tmp_path / "bad\nname.csv"
    odd.write_text("sensor_id,time,quantity,value,unit\na,2025-07-01T00:00Z,pm2_5,warm,ug/m3\n")
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    proc = run_cli("import", "--workspace", str(ws), str(odd))
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1, lines
    assert "bad\\nname.csv" in lines[0] and "'value'" in lines[0], lines


@pytest.mark.parametrize("epoch", ["1e20", "nan", "-1e18"])
def test_an_epoch_that_is_no_time_gets_file_line_and_field(tmp_path, epoch):
    """Before: 'observation column 'time' has 1 nulls', with no file or line."""
    src = tmp_path / "epoch.csv"
    src.write_text(
        "sensor_id,time,quantity,value,unit\n"
        "a,1751328000,pm2_5,3,ug/m3\n"
        f"a,{epoch},pm2_5,4,ug/m3\n",
        encoding="utf-8",
    )
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    proc = run_cli("import", "--workspace", str(ws), str(src))
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert "epoch.csv, line 3, field 'time'" in lines[0] and "is not a time" in lines[0], lines


def test_nan_text_empty_values_and_absurd_numbers_are_quarantined_not_dropped(tmp_path):
    """Before: 9 rows gave '7 readings, 0 quarantined' (NaN dropped silently) and 1e308 µg/m³
    was stored. Now every row is either a reading or a quarantine record with its reason."""
    text = (
        "sensor_id,time,quantity,value,unit\n"
        "c,2025-07-01T00:00Z,pm2_5,nan,ug/m3\n"
        "c,2025-07-01T01:00Z,pm2_5,NaN,ug/m3\n"
        "c,2025-07-01T02:00Z,pm2_5,,ug/m3\n"
        "c,2025-07-01T03:00Z,pm2_5,1e308,ug/m3\n"
        "c,2025-07-01T04:00Z,pm2_5,-1e308,ug/m3\n"
        "c,2025-07-01T05:00Z,air_temperature,-999,degC\n"  # a real sensor fault: QC's
        "c,2025-07-01T06:00Z,pm2_5,12.5,ug/m3\n"
    )
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    (tmp_path / "n.csv").write_text(text, encoding="utf-8")
    out = run_cli("import", "--workspace", str(ws), str(tmp_path / "n.csv"), check=True).stdout
    assert "n.csv: csv, 2 readings, 5 quarantined" in out
    w = Workspace.open(ws)
    assert sorted(w.observations()["value"]) == [-999.0, 12.5]
    q = w.quarantine()
    assert (q["field"] == "value").all() and len(q) == 5
    assert q["reason"].str.contains("empty or not a number").sum() == 3
    assert q["reason"].str.contains("is no reading").sum() == 2
    assert sorted(q["line"].dropna().astype(int)) == [2, 3, 4]


def test_csv_export_quotes_cells_that_would_be_formulas(tmp_path):
    """A sensor id from outside data ('=cmd|…', '+49…', '@SUM…') is text in the CSV export."""
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    ids = ["=cmd|' /C calc'!A0", "+4912345", "@SUM(A1)", "-1+2", "plain"]
    rows = "".join(f'"{i}",2025-07-01T0{n}:00Z,pm2_5,{n + 3},ug/m3\n' for n, i in enumerate(ids))
    (tmp_path / "f.csv").write_text("sensor_id,time,quantity,value,unit\n" + rows, "utf-8")
    run_cli("import", "--workspace", str(ws), str(tmp_path / "f.csv"), check=True)
    run_cli("export", "--workspace", str(ws), "--out", str(tmp_path / "o.csv"), check=True)
    with open(tmp_path / "o.csv", newline="", encoding="utf-8") as f:
        cells = {r["sensor_id"] for r in csv.DictReader(f)}
    assert cells == {"'" + i for i in ids[:4]} | {"plain"}
    # Parquet keeps the ids as they are: it is data, not a spreadsheet
    run_cli("export", "--workspace", str(ws), "--out", str(tmp_path / "o.parquet"), check=True)
    import pandas as pd

    assert set(pd.read_parquet(tmp_path / "o.parquet")["sensor_id"]) == set(ids)


def test_published_proposals_mask_contacts_and_cut_long_text(hostile_workspace):
    """Masking happens at import; a round stored before that (or a run written by an older
    version) still reaches the pages only masked, and a 100,000-character title is cut."""
    import json

    import pandas as pd

    from workbench.present.dashboard.data import TEXT_LIMITS, page_proposals, public_data
    from workbench.present.static_site import site_files

    props = pd.DataFrame(
        {
            "proposal_id": ["A", "B"],
            "title": ["x" * 100_000, "Bank\x00 am Teich"],
            "description": ["Fragen an anna.b@example.org", "Tel. 0209 / 12 34 56"],
            "rank": [1, 2],
        }
    )
    page = page_proposals(props, None)
    assert len(page.loc[0, "title"]) == TEXT_LIMITS["title"] and page.loc[0, "title"][-1] == "…"
    assert page.loc[1, "title"] == "Bank am Teich"
    assert page["description"].tolist() == [
        "Fragen an [E-Mail entfernt]",
        "Tel. [Telefonnummer entfernt]",
    ]
    # the hostile round's static-site data: formulas and markup stay text, nothing else leaks
    site = json.loads(site_files(public_data(hostile_workspace))["data/proposals.json"])
    text = json.dumps(site, ensure_ascii=False)
    assert "@" not in text.replace("@SUM", "")


def _one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_field_size_and_column_limits_hold_for_every_import_and_are_settings(tmp_path):
    """Before: a 1 MiB sensor id was stored, a 40 MB field gave pyarrow's 'straddling
    object' message, and participation took 10⁶ columns (700 MB, 17 s) then printed a
    10 MB line. Now each is one line with file, line and field; the limits are settings."""
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    head = "sensor_id,time,quantity,value,unit\n"
    (tmp_path / "long.csv").write_text(
        head
        + "a,2025-07-01T00:00Z,pm2_5,3,ug/m3\n"
        + "b" * (1 << 20 | 5)
        + ",2025-07-01T01:00Z,pm2_5,3,ug/m3\n",
        "utf-8",
    )
    (tmp_path / "huge.csv").write_text(
        head + "c" * (40 << 20) + ",2025-07-01T01:00Z,pm2_5,3,ug/m3\n", "utf-8"
    )
    for name, want in (
        ("long.csv", "long.csv, line 3, field 'sensor_id': a text of 1,048,581 bytes"),
        ("huge.csv", "huge.csv: a field is longer than 1,048,576 bytes"),
    ):
        proc = run_cli("import", "--workspace", str(ws), str(tmp_path / name))
        assert want in _one_line_error(proc)
    assert sum(Workspace.open(ws).snapshot().observation_counts().values()) == 0

    wide = ",".join(f"c{i}" for i in range(1_000_000)) + "\n" + ",".join("1" * 1_000_000) + "\n"
    (tmp_path / "wide.csv").write_text("proposal_id,title," + wide, "utf-8")
    proc = run_cli("participation", "--workspace", str(ws), str(tmp_path / "wide.csv"))
    assert "wide.csv, line 1: 1,000,002 columns; at most 2,000 are read" in _one_line_error(proc)

    # a city may set tighter (or looser) limits; a wrong value is a settings error
    toml = ws / "workbench.toml"
    toml.write_text(toml.read_text().replace("max_columns = 2000", "max_columns = 4"), "utf-8")
    ok = "sensor_id,time,quantity,value,unit\na,2025-07-01T00:00Z,pm2_5,3,ug/m3\n"
    (tmp_path / "five.csv").write_text(ok, "utf-8")
    proc = run_cli("import", "--workspace", str(ws), str(tmp_path / "five.csv"))
    assert "five.csv, line 1: 5 columns; at most 4 are read" in _one_line_error(proc)
    toml.write_text(toml.read_text().replace("max_columns = 4", "max_columns = -1"), "utf-8")
    proc = run_cli("import", "--workspace", str(ws), str(tmp_path / "five.csv"))
    assert "import.max_columns must be a whole number ≥ 1, got -1" in _one_line_error(proc)


def test_hostile_district_names_are_text_in_the_workbook(hostile_workspace, tmp_path):
    """District names come from the city's files: a formula there stays text too."""
    import json

    from conftest import copy_workspace
    from openpyxl import load_workbook

    from workbench.pipeline import report

    ws = copy_workspace(hostile_workspace, tmp_path / "ws")
    doc = json.loads(ws.areas_path.read_text(encoding="utf-8"))
    evil = '=HYPERLINK("https://evil.example/","Buer")'
    names = [f["properties"]["name"] for f in doc["features"]]
    assert "Buer" in names
    for f in doc["features"]:
        if f["properties"]["name"] == "Buer":
            f["properties"]["name"] = evil
    ws.areas_path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    files = report.run(ws, tmp_path / "out").files
    wb = load_workbook(files["xlsx"])
    cells = [c for sh in wb.worksheets for row in sh.iter_rows() for c in row if c.value]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    hits = [c for c in cells if c.value == evil]
    assert hits and all(c.data_type == "s" and c.quotePrefix for c in hits)


def test_status_works_for_sensors_without_a_district(demo_workspace, tmp_path):
    """The operator's first command crashed (KeyError 'area_id') on every workspace whose
    sensors have no area, e.g. a TTN-only network or a sensor outside the districts."""
    import json

    from conftest import copy_workspace

    ws = copy_workspace(demo_workspace, tmp_path / "ws")
    rows = "".join(
        f"ttn:nowhere,2025-08-31T{h:02d}:00Z,air_temperature,20,degC\n" for h in range(6)
    )
    (tmp_path / "t.csv").write_text("sensor_id,time,quantity,value,unit\n" + rows, "utf-8")
    run_cli("import", "--workspace", str(ws.root), str(tmp_path / "t.csv"), check=True)
    run_cli("qc", "--workspace", str(ws.root), check=True)
    out = run_cli("status", "--workspace", str(ws.root), "--json", check=True).stdout
    sensors = {s["sensor_id"]: s for s in json.loads(out)["sensors"]}
    assert sensors["ttn:nowhere"]["area_id"] is None
    text = run_cli("status", "--workspace", str(ws.root), check=True).stdout
    assert "ttn:nowhere" in text


def test_binary_garbage_as_participation_gets_one_line(tmp_path):
    import random

    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    (tmp_path / "junk.csv").write_bytes(random.Random(3).randbytes(200_000))
    proc = run_cli("participation", "--workspace", str(ws), str(tmp_path / "junk.csv"))
    assert "junk.csv" in _one_line_error(proc)
