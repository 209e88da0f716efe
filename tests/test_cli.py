"""The command line as a user runs it: real subprocesses, exit codes, one-line errors."""

import json

import pandas as pd
from conftest import FIXTURES, run_cli, store_state

from workbench.qc import QC, passed


def test_init_import_status_export_roundtrip(tmp_path):
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    files = [
        str(FIXTURES / f"2019-05-22_{name}.csv")
        for name in (
            "bme280_sensor_15093",
            "dht22_sensor_15463",
            "sds011_sensor_15092",
            "sds011_sensor_16422",
        )
    ]
    out = run_cli("import", "--workspace", str(ws), *files, check=True).stdout
    assert "total: 4752 added, 0 duplicates, 0 quarantined" in out
    again = run_cli("import", "--workspace", str(ws), *files, check=True).stdout
    assert "total: 0 added, 4752 duplicates" in again
    st = json.loads(run_cli("status", "--workspace", str(ws), "--json", check=True).stdout)
    assert st["observations"]["pm10"] == 567 + 408
    assert sum(st["observations"].values()) == 4752
    assert st["quarantine"] == 0 and st["latest_run"] is None
    assert {s["sensor_id"] for s in st["sensors"]} == {
        "sc:15092",
        "sc:16422",
        "sc:15463",
        "sc:15093",
    }
    text = run_cli("status", "--workspace", str(ws), check=True).stdout
    assert "sc:15092" in text and "observations 4752" in text
    run_cli(
        "export",
        "--workspace",
        str(ws),
        "--out",
        str(tmp_path / "o.csv"),
        "--quantity",
        "pm10",
        check=True,
    )
    df = pd.read_csv(tmp_path / "o.csv")
    assert list(df.columns)[:6] == ["sensor_id", "quantity", "time", "value", "unit", "qc"]
    assert (df["unit"] == "µg/m³").all()
    # QC ran before the export: the real 1,489.6 µg/m³ spike is flagged; the other box
    # (15092, with its BME280 for humidity) is flagged only in its foggy hours (RH >= 95 %)
    ok = passed(df["qc"].to_numpy())
    assert 1489.6 in set(df.loc[~ok, "value"])
    other = df[df["sensor_id"] == "sc:15092"]
    assert set(other["qc"]) == {0, int(QC.HUMID)} and (other["qc"] == 0).mean() > 0.7
    run_cli(
        "export",
        "--workspace",
        str(ws),
        "--out",
        str(tmp_path / "o.parquet"),
        "--start",
        "2019-05-22T12:00",
        check=True,
    )
    pq = pd.read_parquet(tmp_path / "o.parquet")
    assert pq["time"].min() >= pd.Timestamp("2019-05-22T12:00Z")


def test_bad_file_gives_one_line_nonzero_exit_and_unchanged_store(tmp_path):
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    run_cli(
        "import",
        "--workspace",
        str(ws),
        str(FIXTURES / "2019-05-22_dht22_sensor_15463.csv"),
        check=True,
    )
    before = store_state(ws / "store")
    bad = tmp_path / "bad.csv"
    lines = (FIXTURES / "2019-05-22_sds011_sensor_15092.csv").read_text().splitlines()
    fields = lines[300].split(";")
    fields[6] = "1,2,3"  # P1 is no number
    lines[300] = ";".join(fields)
    bad.write_text("\n".join(lines) + "\n")
    proc = run_cli("import", "--workspace", str(ws), str(bad))
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr
    assert err[0] == f"error: {bad}, line 301, field 'P1': expected a number, got '1,2,3'"
    assert store_state(ws / "store") == before


def test_not_a_workspace_is_actionable(tmp_path):
    proc = run_cli("status", "--workspace", str(tmp_path / "nowhere"))
    assert proc.returncode == 1
    assert "not a workspace" in proc.stderr and "workbench init" in proc.stderr


def test_naive_times_need_timezone_flag(tmp_path):
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    ref = str(FIXTURES / "aberdeen-king-street.csv")
    proc = run_cli("import", "--workspace", str(ws), ref)
    assert proc.returncode == 1 and "--timezone" in proc.stderr
    run_cli("import", "--workspace", str(ws), "--timezone", "Europe/London", ref, check=True)


def test_an_empty_workspace_gets_answers_or_one_line_errors_never_a_bug(tmp_path):
    """A city's first day: nothing imported yet. Reading commands answer; commands that
    need data say in one line what is missing (exit 1); none ends in the bug path (exit 2)."""
    ws = str(tmp_path / "ws")
    run_cli("init", "--workspace", ws, check=True)
    for args in (
        ["qc"],
        ["status"],
        ["status", "--json"],
        ["export", "--out", str(tmp_path / "o.csv")],
    ):
        run_cli(*args, "--workspace", ws, check=True)
    assert (tmp_path / "o.csv").read_text().startswith('"sensor_id","quantity","time","value"')
    st = json.loads(run_cli("status", "--workspace", ws, "--json", check=True).stdout)
    assert st["observations"] == {} and st["sensors"] == [] and st["latest_run"] is None
    for args in (["fit"], ["rank"], ["report"], ["publish", "--out", str(tmp_path / "site")],
                 ["evaluate"], ["plan-sensors", "--k", "3"]):  # fmt: skip
        proc = run_cli(*args, "--workspace", ws)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, proc.stderr)


def test_a_bad_setting_in_workbench_toml_is_bad_input(tmp_path):
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    toml = ws / "workbench.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'heat_class_alert = "extreme_caution"' in text
    run_cli("qc", "--workspace", str(ws), check=True)  # status reports monitoring after a QC
    toml.write_text(text.replace('"extreme_caution"', '"scorching"', 1), encoding="utf-8")
    proc = run_cli("status", "--workspace", str(ws))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and "workbench.toml" in proc.stderr
    assert "heat_class_alert" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_bug_keeps_its_traceback_in_a_log_file(tmp_path, monkeypatch):
    """Anything that is not bad input exits 2 with an apology and the traceback on file; if
    the log folder cannot be written, the traceback goes to stderr instead of being lost."""
    from click.testing import CliRunner

    from workbench.cli import main
    from workbench.pipeline import status as status_step

    def broken(ws):
        raise KeyError("a column the code forgot")

    monkeypatch.setattr(status_step, "run", broken)
    ws = tmp_path / "ws"
    run_cli("init", "--workspace", str(ws), check=True)
    logs = tmp_path / "logs"
    monkeypatch.setenv("WORKBENCH_LOG_DIR", str(logs))
    res = CliRunner().invoke(main, ["status", "--workspace", str(ws)])
    assert res.exit_code == 2
    assert "bug in the workbench" in res.stderr and "KeyError" in res.stderr
    (log,) = logs.glob("error-*.log")
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "def broken" not in text and "a column the code forgot" in text
    assert str(log) in res.stderr
    # an unwritable log folder (a file stands where the folder should be)
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    monkeypatch.setenv("WORKBENCH_LOG_DIR", str(blocked / "sub"))
    res = CliRunner().invoke(main, ["status", "--workspace", str(ws)])
    assert res.exit_code == 2
    assert "Traceback" in res.stderr and "could not be written" in res.stderr
