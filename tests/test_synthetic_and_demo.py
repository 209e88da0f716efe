"""The simulated city has known truth, the committed demo data is its seeded output, and
``workbench demo`` builds a workspace from it."""

import gzip
import json
import os
import re
import socket
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO, run_cli

from workbench.simulate.broker import free_port
from workbench.simulate.city import generate_city


@pytest.fixture(scope="module")
def city():
    return generate_city(
        seed=11, n_sensors=30, n_pm=12, days=14, cell_size=400, n_proposals=20, n_voters=300
    )


def test_same_seed_same_city_other_seed_other_city(city):
    again = generate_city(
        seed=11, n_sensors=30, n_pm=12, days=14, cell_size=400, n_proposals=20, n_voters=300
    )
    pd.testing.assert_frame_equal(city.observations, again.observations)
    pd.testing.assert_frame_equal(city.proposals, again.proposals)
    other = generate_city(
        seed=12, n_sensors=30, n_pm=12, days=14, cell_size=400, n_proposals=20, n_voters=300
    )
    assert not city.observations["value"].equals(other.observations["value"])


def _joined(city, q):
    m = city.observations[city.observations["quantity"] == q].merge(
        city.truth_observations, on=["sensor_id", "quantity", "time"]
    )
    return m


def test_measurements_are_truth_plus_documented_errors(city):
    m = _joined(city, "air_temperature")
    faulty = set(
        city.faults.loc[city.faults["quantity"].isin(["air_temperature", "*"]), "sensor_id"]
    )
    clean = m[~m["sensor_id"].isin(faulty)]
    err = clean["value"] - clean["true_value"]
    assert abs(err.mean()) < 0.2 and 0.1 < err.std() < 0.4
    checked = 0
    for f in city.faults[city.faults["fault"] == "spike"].itertuples():
        row = m[(m["sensor_id"] == f.sensor_id) & (m["time"] == f.start)]
        if f.quantity != "air_temperature" or row.empty:  # a spike may fall into a gap
            continue
        assert (row["value"] - row["true_value"]).abs().iloc[0] > 7
        checked += 1
    assert checked >= 3


def test_dead_sensor_stops_and_gaps_are_missing(city):
    dead = city.faults[city.faults["fault"] == "dead"].iloc[0]
    after = city.observations[
        (city.observations["sensor_id"] == dead.sensor_id)
        & (city.observations["time"] >= dead.start)
    ]
    assert after.empty
    gap = city.faults[city.faults["fault"] == "gap"].iloc[0]
    inside = city.observations[
        (city.observations["sensor_id"] == gap.sensor_id)
        & (city.observations["time"] >= gap.start)
        & (city.observations["time"] < gap.end)
    ]
    assert inside.empty


def test_low_cost_pm_is_inflated_by_humidity_with_known_gain(city):
    m = _joined(city, "pm2_5")
    rh = city.truth_observations[city.truth_observations["quantity"] == "relative_humidity"]
    m = m.merge(
        rh[["sensor_id", "time", "true_value"]].rename(columns={"true_value": "rh"}),
        on=["sensor_id", "time"],
    )
    drifting = set(city.faults.loc[city.faults["fault"] == "drift", "sensor_id"])
    kappa = city.meta["kappa"]
    for sid, g in m[~m["sensor_id"].isin(drifting)].groupby("sensor_id"):
        rhc = np.clip(g["rh"], 0, 99) / 100
        x = g["true_value"] * (1 + (kappa / 1.65) / (-1 + 1 / rhc))
        keep = g["value"] < 200  # drop injected spikes
        slope, _intercept = np.polyfit(x[keep], g["value"][keep], 1)
        assert slope == pytest.approx(city.meta["pm_gain"][sid], rel=0.06)
    wet = m[m["rh"] > 90]
    dry = m[m["rh"] < 60]
    assert (wet["value"] / wet["true_value"]).median() > (dry["value"] / dry["true_value"]).median()


def test_truth_cells_have_planted_hotspots(city):
    tc = city.truth_cells
    assert tc["heat_hotspot"].any() and tc["air_hotspot"].any()
    assert tc.loc[tc["heat_hotspot"], "uhi_k"].mean() > tc.loc[~tc["heat_hotspot"], "uhi_k"].mean()
    assert (
        tc.loc[tc["air_hotspot"], "pm2_5_ugm3"].mean()
        > tc.loc[~tc["air_hotspot"], "pm2_5_ugm3"].mean()
    )


def test_proposals_like_the_real_round(city):
    p = city.proposals
    assert p["cost_eur"].between(5_000, 150_000).all()
    assert set(p["category"]) <= {
        "trees",
        "unsealing",
        "green_roof",
        "green_facade",
        "pocket_park",
        "shade",
        "water",
        "other",
    }
    assert (
        p["votes"] == p["proposal_id"].map(city.votes["proposal_id"].value_counts()).fillna(0)
    ).all()


# wrong German the old templates wrote ("an der Heinrich-König-Platz", "für die Schalker
# Markt", "an der Schloss Horst", "entlang der Flöz Sonnenschein")
FORBIDDEN_GERMAN = [  # a place name is one or two words: "(\S+ )?\S*"
    r"(?i)\b(an|entlang) der (\S+ )?\S*(platz|markt|weg)\b",
    r"(?i)\bfür die (\S+ )?\S*(platz|markt|weg)\b",
    r"(?i)\b(am|für den|des) (\S+ )?\S*(straße|allee|heide)\b",
    r"\b(der|die|den) Schloss\b",
    r"\b(der|die|den|das|am|des) Flöz\b",
    r"\bSpielplatz (?!an |am )",
    r"[{}]",
]


def test_every_template_reads_as_correct_german_for_every_place():
    from workbench.simulate.proposals import _TEMPLATES, STREETS, render

    places = sorted({s for names in STREETS.values() for s in names} | {"Hauptstraße"})
    for cat in _TEMPLATES:
        for place in places:
            for text in render(cat, place):
                assert place in text, (cat, place, text)
                for pattern in FORBIDDEN_GERMAN:
                    assert not re.search(pattern, text), (pattern, text)
    assert render("trees", "Schalker Markt")[0] == "Straßenbäume für den Schalker Markt"
    assert render("water", "Heinrich-König-Platz")[0] == "Trinkbrunnen am Heinrich-König-Platz"
    assert render("unsealing", "Schloss Horst")[0] == "Entsiegelung am Schloss Horst"
    assert render("trees", "Schloss Horst")[0] == "Straßenbäume für das Schloss Horst"
    assert render("trees", "Cranger Straße") == (
        "Straßenbäume für die Cranger Straße",
        "Neue, hitzeresistente Straßenbäume entlang der Cranger Straße spenden Schatten und "
        "kühlen im Sommer.",
    )
    assert "entlang des Eppmannswegs" in render("trees", "Eppmannsweg")[1]
    assert "rund um den Goldbergplatz" in render("trees", "Goldbergplatz")[1]
    assert (
        render("other", "Flöz Sonnenschein")[0] == "Insektenwiese an der Straße Flöz Sonnenschein"
    )
    assert (
        render("shade", "Darler Heide")[0] == "Sonnensegel für den Spielplatz an der Darler Heide"
    )
    with pytest.raises(ValueError, match="Musterplatzl"):
        render("trees", "Musterplatzl")


def test_committed_demo_data_is_the_seeded_generator_output():
    committed = pd.read_csv(DEMO / "proposals.csv")
    assert len(committed) == 50
    assert committed["cost_eur"].between(5_000, 150_000).all()
    with gzip.open(DEMO / "network_observations.csv.gz", "rt") as fh:
        n_rows = sum(1 for _ in fh) - 1
    truth = json.loads((DEMO / "truth" / "truth.json").read_text())
    assert truth["seed"] == 2025 and truth["simulated"] is True
    city = generate_city(seed=truth["seed"])
    assert n_rows == len(city.observations)
    pd.testing.assert_frame_equal(committed, city.proposals, check_dtype=False)


def test_demo_explanations_are_plain_words(demo_workspace):
    """What a citizen reads under each demo proposal: no test statistics, index values,
    kelvin, negative "warmer" or "0 people"."""
    p = demo_workspace.results("proposals")
    de, en = " ".join(p["explanation_de"]), " ".join(p["explanation_en"])
    for bad in ("Gi*", "Spanne", "range", " K ", " K)", "FDR", "p-Wert", "p-value", "nan",
                "None", "Rang ", " 0 Menschen", " 0 people", "Bedarf 0", "need 0"):  # fmt: skip
        assert bad not in de + " " + en, bad
    assert not re.search(r"\d,\d\d", de) and not re.search(r"\d\.\d\d", en)  # 0–1 values
    assert not re.search(r"[-−]\d", de + en)
    assert p["explanation_de"].str.startswith("Platz ").all()
    cool = p["heat_uhi_k_at_site"] <= -0.3
    assert not p.loc[cool, "explanation_de"].str.contains("wärmer").any()


def serve_pages(cmd: list[str], cwd: Path, *, site: bool = False) -> None:
    """Run a command that ends in served dashboards (``workbench demo`` or ``serve``): wait
    for the pages (and with ``site`` the static site), fetch them, stop with Ctrl-C; it
    must exit cleanly and leave no server behind."""
    import signal
    import subprocess
    import urllib.request

    port, aport, sport = free_port(), free_port(), free_port()
    pages = ("citizens", "analyst", "site") if site else ("citizens", "analyst")
    proc = subprocess.Popen(
        [*cmd, "--port", str(port), "--analyst-port", str(aport), "--site-port", str(sport)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        cwd=cwd,
    )
    urls = {}
    try:
        for line in proc.stdout:
            for page in pages:
                if line.strip().startswith(page) and "http://" in line:
                    urls[page] = next(w for w in line.split() if w.startswith("http://"))
            if len(urls) == len(pages):
                break
        assert set(urls) == set(pages), urls
        # the citizen page on its port, the analyst page on its own behind a token
        assert f":{port}/voila/render/citizens.ipynb" in urls["citizens"]
        assert f":{aport}/voila/render/analyst.ipynb?token=" in urls["analyst"]
        for url in urls.values():
            with urllib.request.urlopen(url, timeout=120) as r:
                assert r.status == 200
        if site:
            assert urls["site"] == f"http://127.0.0.1:{sport}/"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(60)
    assert proc.returncode == 0
    for p in (port, aport, sport):  # every server stopped: its port is free again
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", p)) != 0, p


def installed(exe: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the installed ``workbench`` from ``cwd`` (an empty directory, not the source tree)."""
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd, timeout=900)
    assert proc.returncode == 0, f"workbench {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_demo_command_builds_the_workspace(tmp_path, installed_workbench):
    """The installed package (``pip install .``, run from an empty directory) carries the
    demo data and the dashboard notebooks: demo, status, serve all work without the source."""
    empty = tmp_path / "empty"
    empty.mkdir()
    ws = tmp_path / "demo"
    proc = installed(installed_workbench, "demo", "--workspace", str(ws), "--no-serve", cwd=empty)
    assert "SIMULATED" in proc.stdout
    st = json.loads(
        installed(installed_workbench, "status", "--workspace", str(ws), "--json", cwd=empty).stdout
    )
    assert st["simulated"] is True
    assert st["areas"] == 18 and st["grid_cells"] > 10_000
    with gzip.open(DEMO / "network_observations.csv.gz", "rt") as fh:
        n_network = sum(1 for _ in fh) - 1
    assert sum(st["observations"].values()) == n_network + 3 * 5 * 2208 + 2 * 3 * 2208
    assert st["quarantine"] == 0
    assert len(st["sensors"]) == 117 + 3 + 2
    # the demo fits: a run with validated models, compared with the simulation's truth
    assert st["latest_run"] is not None
    metrics = json.loads((Path(st["latest_run"]) / "metrics.json").read_text())
    assert metrics["simulated"] is True
    assert metrics["heat"]["improvement"]["beats_all"] is True
    assert "truth" in proc.stdout and "heat surface RMSE" in proc.stdout
    # it ends with the report and the static site
    for f in ("report/report.pdf", "report/report.html", "report/ranking.xlsx", "site/index.html"):
        assert (ws / f).exists() and str((ws / f).absolute()) in proc.stdout
    # running it again starts from scratch, gives the same store and the same results, and
    # (without --no-serve) ends in served dashboards
    serve_pages([str(installed_workbench), "demo", "--workspace", str(ws)], empty, site=True)
    st2 = json.loads(run_cli("status", "--workspace", str(ws), "--json", check=True).stdout)
    assert st2["observations"] == st["observations"]
    metrics2 = json.loads((Path(st2["latest_run"]) / "metrics.json").read_text())
    assert st2["latest_run"] != st["latest_run"]
    assert metrics2["outputs_sha256"] == metrics["outputs_sha256"]
    # but it refuses to wipe a directory that is not a demo workspace
    other = tmp_path / "mine"
    other.mkdir()
    (other / "precious.txt").write_text("keep me")
    proc = run_cli("demo", "--workspace", str(other), "--no-serve")
    assert proc.returncode == 1 and (other / "precious.txt").exists()
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    # and `workbench serve` of the installed package serves both pages of that workspace,
    # even started from a folder holding a stray voila.py (it once shadowed Voila itself)
    (empty / "voila.py").write_text('raise SystemExit("a stray voila.py ran")\n')
    (empty / "voila.json").write_text('{"Voila": {"port": 1}}\n')
    serve_pages([str(installed_workbench), "serve", "--workspace", str(ws)], empty)
