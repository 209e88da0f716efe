"""The address list of the search box: normalisation, the three file layouts, hostile files,
search, the compact form for the static site, the pipeline step, the CLI and the demo."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO, run_cli
from pyproj import Transformer

from workbench.addresses import (
    AddressIndex,
    Match,
    compact,
    district_points,
    normalise,
    read_addresses,
)
from workbench.errors import InputError
from workbench.pipeline import addresses as step
from workbench.workspace import Workspace

HEADER = "street,housenumber,postcode,lat,lon\n"
# Hans-Sachs-Haus, Gelsenkirchen (approximately)
HSH_LAT, HSH_LON = 51.5077, 7.0966


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111_320
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


# ---------------------------------------------------------------------- normalise
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Cranger Str. 100", "cranger strasse 100"),
        ("Cranger Straße 100", "cranger strasse 100"),
        ("CRANGER STRASSE 100", "cranger strasse 100"),
        ("cranger str 100", "cranger strasse 100"),
        ("Hohenzollernstr. 5", "Hohenzollernstraße 5"),
        ("Kurt-Schumacher-Str. 7", "kurt schumacher strasse 7"),
        ("Ückendorfer Straße", "Ueckendorfer Strasse"),
        ("Heßler", "hessler"),
        ("Bahnhofstraße 12a", "Bahnhofstr. 12 a"),
        ("Bahnhofstraße 12-a", "bahnhofstrasse 12A"),
        ("  Neumarkt,\t1 ", "neumarkt 1"),
        ("Café", "cafe"),
    ],
)
def test_normalise_makes_the_spellings_meet(a: str, b: str):
    assert normalise(a) == normalise(b)


def test_normalise_keeps_what_differs():
    assert normalise("Cranger Straße 100") != normalise("Cranger Straße 10")
    assert normalise("Bahnhofstraße 12a") != normalise("Bahnhofstraße 12b")
    assert normalise("Hochstraße") != normalise("Horster Straße")
    assert normalise("Bahnhofstraße 12a") == "bahnhofstrasse 12a"


# ---------------------------------------------------------------------- the three layouts
def test_reads_our_csv_with_bom(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(b"\xef\xbb\xbf" + (HEADER + "Cranger Straße,100,45891,51.557,7.09\n").encode())
    df = read_addresses(p)
    assert df.to_dict("records") == [
        {"street": "Cranger Straße", "housenumber": "100", "postcode": "45891",
         "lat": 51.557, "lon": 7.09}
    ]  # fmt: skip
    assert df["lat"].dtype == float and df["postcode"].dtype == object


def _utm(lat: float, lon: float) -> tuple[float, float]:
    return Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True).transform(lon, lat)


def test_reads_nrw_house_coordinates_in_cp1252_and_recovers_the_point(tmp_path):
    east, north = _utm(HSH_LAT, HSH_LON)
    fields = "NBA;OI;QUA;LAN;RBZ;KRS;GMD;OTT;SSS;HNR;ADZ;EAST;NORTH;STN;PLZ;ONM;ZON;POT\n"
    rows = [
        f"N;DENW12345;A;05;5;13;000;0001;01234;1;;{32_000_000 + east:.3f};{north:.3f};"
        "Ebertstraße;45879;Gelsenkirchen;;Altstadt",
        f"N;DENW12346;A;05;5;13;000;0001;01235;12;a;{east:.3f};{north:.3f};"
        "Ückendorfer Straße;45886;Gelsenkirchen;;Ückendorf",
    ]
    p = tmp_path / "gebref.txt"
    p.write_bytes((fields + "\n".join(r.replace(".", ",") for r in rows) + "\n").encode("cp1252"))
    df = read_addresses(p)
    assert df["street"].tolist() == ["Ebertstraße", "Ückendorfer Straße"]
    assert df["housenumber"].tolist() == ["1", "12a"]
    assert df["postcode"].tolist() == ["45879", "45886"]
    for r in df.itertuples():
        assert metres(r.lat, r.lon, HSH_LAT, HSH_LON) < 2.0
    # the same rows without a header line are read by position
    q = tmp_path / "gebref_noheader.txt"
    q.write_bytes(p.read_bytes().split(b"\n", 1)[1])
    pd.testing.assert_frame_equal(read_addresses(q), df)


@pytest.mark.parametrize("lat_lon", ["lat,lon", "@lat,@lon", "latitude,longitude"])
def test_reads_an_osm_extract(tmp_path, lat_lon: str):
    p = tmp_path / "osm.csv"
    p.write_text(
        f"@id,addr:street,addr:housenumber,addr:postcode,{lat_lon}\n"
        "node/1,Horster Straße,7b,45897,51.5701,7.0412\n",
        encoding="utf-8",
    )
    df = read_addresses(p)
    assert df.iloc[0].tolist() == ["Horster Straße", "7b", "45897", 51.5701, 7.0412]


# ---------------------------------------------------------------------- hostile files
HOSTILE = {
    "bad postcode": (HEADER + "A,1,45891,51.5,7.0\nB,2,4589,51.5,7.0\n", 3, "postcode"),
    "text coordinate": (HEADER + "A,1,45891,north,7.0\n", 2, "lat"),
    "out of range": (HEADER + "A,1,45891,51.5,7.0\nA,2,45891,51.5,inf\n", 3, "lon"),
    "empty street": (HEADER + "A,1,45891,51.5,7.0\n ,2,45891,51.5,7.0\n", 3, "street"),
    "missing column": ("street,housenumber,lat,lon\nA,1,51.5,7.0\n", 1, None),
    "not addresses": ("time,value\n2025-01-01,3\n", 1, None),
    "short row": (HEADER + "A,1,45891\n", 2, None),
    "huge field": (HEADER + 'A,1,45891,51.5,"' + "x" * 200_000 + '"\n', 2, None),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_bad_file_is_refused_in_one_line_naming_file_and_line(tmp_path, case: str):
    text, line, field = HOSTILE[case]
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_addresses(p)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"{p}, line {line}")
    if field:
        assert f"field {field!r}" in msg


def test_the_further_bad_lines_are_counted(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(HEADER + "A,1,1,51.5,7.0\nA,2,2,51.5,7.0\nA,3,3,51.5,7.0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2, field 'postcode'.*2 further bad values"):
        read_addresses(p)


def test_wrong_encodings_are_refused(tmp_path):
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes((HEADER + "Straße,1,45891,51.5,7.0\n").encode("utf-16"))
    with pytest.raises(InputError, match=r"utf16\.csv: .*UTF-16"):
        read_addresses(utf16)
    neither = tmp_path / "neither.csv"  # 0x81 is undefined in Windows-1252 and bad UTF-8
    neither.write_bytes(HEADER.encode() + b"Stra\x81e,1,45891,51.5,7.0\n")
    with pytest.raises(InputError, match=r"neither\.csv, line 2: byte 0x81"):
        read_addresses(neither)


def test_size_and_row_limits(tmp_path):
    p = tmp_path / "many.csv"
    p.write_text(HEADER + "A,1,45891,51.5,7.0\n" * 50, encoding="utf-8")
    with pytest.raises(InputError, match=r"many\.csv: .*MB, more than"):
        read_addresses(p, max_bytes=100)
    with pytest.raises(InputError, match=r"many\.csv, line 12: more than 10 rows"):
        read_addresses(p, max_rows=10)
    assert len(read_addresses(p)) == 50


# ---------------------------------------------------------------------- search
@pytest.fixture(scope="module")
def demo_index() -> AddressIndex:
    from workbench.geo import read_areas

    df = read_addresses(DEMO / "addresses.csv")
    return AddressIndex(df, district_points(read_areas(DEMO / "areas.geojson")))


@pytest.mark.parametrize(
    "text", ["Cranger Straße 100", "cranger str. 100", "CRANGER STRASSE 100", "Crangerstr 100"]
)
def test_search_finds_the_address(demo_index: AddressIndex, text: str):
    df = read_addresses(DEMO / "addresses.csv")
    want = df[(df["street"] == "Cranger Straße") & (df["housenumber"] == "100")].iloc[0]
    m = demo_index.search(text)[0]
    assert m == Match("Cranger Straße 100, 45891", want["lat"], want["lon"], "address")


def test_search_postcode_street_prefix_and_district(demo_index: AddressIndex):
    df = read_addresses(DEMO / "addresses.csv")
    (pc,) = demo_index.search("45891")
    erle = df[df["postcode"] == "45891"]
    assert pc.kind == "postcode" and pc.label == "45891"
    assert pc.lat == pytest.approx(erle["lat"].mean()) and pc.lon == pytest.approx(
        erle["lon"].mean()
    )
    (street,) = demo_index.search("Cranger")
    cranger = df[df["street"] == "Cranger Straße"]
    assert street.kind == "street" and street.label == "Cranger Straße"
    assert street.lat == pytest.approx(cranger["lat"].mean())
    assert [m.kind for m in demo_index.search("Erle")] == ["district"]
    assert demo_index.search("ueckendorfer str")[0].label == "Ückendorfer Straße"
    assert demo_index.search("45000") == [] and demo_index.search("   ") == []
    # a street in two postcodes is proposed once per postcode
    assert {m.label for m in demo_index.search("Horster Straße")} == {
        "Horster Straße (45894)", "Horster Straße (45897)"
    }  # fmt: skip
    assert {m.kind for m in demo_index.search("b")} == {"district", "street"}


def test_search_proposes_at_most_ten():
    n = 30
    df = pd.DataFrame(
        {
            "street": [f"Am Feld {chr(97 + i)}" for i in range(n)],
            "housenumber": ["1"] * n,
            "postcode": ["45879"] * n,
            "lat": [51.5] * n,
            "lon": [7.1] * n,
        }
    )
    found = AddressIndex(df).search("am feld")
    assert len(found) == 10 and [m.label for m in found] == sorted(df["street"])[:10]


def test_search_falls_back_to_the_nearest_house_number():
    df = pd.DataFrame(
        {
            "street": ["Neumarkt"] * 4,
            "housenumber": ["2", "6", "12", "12b"],
            "postcode": ["45879"] * 4,
            "lat": [51.50, 51.51, 51.52, 51.53],
            "lon": [7.09] * 4,
        }
    )
    index = AddressIndex(df)
    assert index.search("Neumarkt 12a") == [Match("Neumarkt 12, 45879", 51.52, 7.09, "address")]
    assert index.search("Neumarkt 12 B")[0].label == "Neumarkt 12b, 45879"
    assert index.search("Neumarkt 4")[0].label == "Neumarkt 2, 45879"  # tie: the lower
    assert index.search("neumarkt 99")[0].label == "Neumarkt 12, 45879"


def test_search_refuses_what_no_person_types(demo_index: AddressIndex):
    with pytest.raises(ValueError, match="at most 120"):
        demo_index.search("a" * 121)
    with pytest.raises(ValueError, match="control character"):
        demo_index.search("Cranger\x00Straße")
    assert demo_index.search("x" * 120) == []


# ---------------------------------------------------------------------- the static site
def test_compact_form_is_small_and_complete():
    rng = np.random.default_rng(1)
    n = 60_000
    df = pd.DataFrame(
        {
            "street": [f"Musterstraße {i // 100}" for i in range(n)],
            "housenumber": [str(i % 100 + 1) + ("a" if i % 17 == 0 else "") for i in range(n)],
            "postcode": rng.choice(["45879", "45881", "45891", "45897"], n),
            "lat": rng.uniform(51.48, 51.62, n),
            "lon": rng.uniform(6.98, 7.15, n),
        }
    )
    c = compact(df)
    text = json.dumps(c, separators=(",", ":"), ensure_ascii=False)
    assert len(text.encode("utf-8")) < 2.5e6
    assert len(c["rows"]) == n and len(c["streets"]) == 600
    s, hn, pc, lat, lon = c["rows"][0]
    first = df[(df["street"] == c["streets"][s]) & (df["housenumber"] == hn)].iloc[0]
    assert (pc, lat, lon) == (
        first["postcode"],
        round(first["lat"] * 1e5),
        round(first["lon"] * 1e5),
    )


# ---------------------------------------------------------------------- pipeline, CLI, demo
@pytest.fixture
def geo_workspace(tmp_path) -> Workspace:
    """A workspace with the demo districts only (no grid, no observations)."""
    return Workspace.init(tmp_path / "ws", areas=DEMO / "areas.geojson")


def test_the_step_drops_far_addresses_and_a_bad_file_changes_nothing(geo_workspace, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(
        HEADER + "Cranger Straße,100,45891,51.557,7.09\nUnter den Linden,1,10117,52.517,13.389\n",
        encoding="utf-8",
    )
    result = step.run(geo_workspace, good)
    assert result.summary["stored"] == 1 and result.summary["dropped_outside"] == 1
    assert any("dropped     1" in line for line in result.lines)
    stored = geo_workspace.addresses()
    assert stored["street"].tolist() == ["Cranger Straße"]
    assert stored.attrs["source"]["file"] == str(good)
    before = geo_workspace.addresses_path.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Cranger Straße,100,4589,51.557,7.09\n", encoding="utf-8")
    with pytest.raises(InputError):
        step.run(geo_workspace, bad)
    far = tmp_path / "far.csv"
    far.write_text(HEADER + "Unter den Linden,1,10117,52.517,13.389\n", encoding="utf-8")
    with pytest.raises(InputError, match="none of the 1 addresses"):
        step.run(geo_workspace, far)
    assert geo_workspace.addresses_path.read_bytes() == before
    assert sorted(p.name for p in geo_workspace.root.iterdir() if "address" in p.name) == [
        "addresses.parquet"
    ]


def test_cli_exit_codes(geo_workspace, tmp_path):
    ws = str(geo_workspace.root)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Cranger Straße,100,45891,north,7.09\n", encoding="utf-8")
    proc = run_cli("addresses", "--workspace", ws, str(bad))
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"error: {bad}, line 2, field 'lat': expected degrees of latitude (-90 to 90), got 'north'"
    ]
    assert geo_workspace.addresses() is None
    proc = run_cli("addresses", "--workspace", ws, str(DEMO / "addresses.csv"))
    assert proc.returncode == 0, proc.stderr
    assert "addresses   3,055 stored" in proc.stdout
    assert len(geo_workspace.addresses()) == len(read_addresses(DEMO / "addresses.csv"))


def test_the_demo_imports_its_simulated_addresses(geo_workspace):
    from workbench.pipeline.demo import _addresses

    lines: list[str] = []
    result = _addresses(geo_workspace, DEMO, lines.append)
    assert result is not None and geo_workspace.addresses_path.exists()
    assert result.summary["dropped_outside"] == 0
    assert "simulated" in lines[0]


def test_the_shipped_demo_addresses_are_the_generated_ones():
    from workbench.simulate.addresses import make_addresses

    shipped = read_addresses(DEMO / "addresses.csv")
    pd.testing.assert_frame_equal(shipped, make_addresses(), check_dtype=False)
