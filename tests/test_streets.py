"""Main streets for the maps: OSM GeoJSON and ATKIS/OSM GeoPackage in any CRS, only main
roads kept, bad files refused with one line, stored by ``workbench init --streets``."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from conftest import run_cli
from pyproj import Transformer

from workbench.errors import InputError
from workbench.streets import parse_streets, read_streets, streets_geojson
from workbench.workspace import Workspace

# Cranger Straße in Erle, two points in lon/lat
A, B = (7.1005, 51.5480), (7.1060, 51.5560)


def _fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def _line(coords, **props):
    geometry = {"type": "LineString", "coordinates": [list(c) for c in coords]}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_geojson_keeps_main_roads_only(tmp_path):
    p = tmp_path / "streets.geojson"
    p.write_text(json.dumps(_fc(
        _line([A, B], name="Cranger Straße", highway="primary"),
        _line([A, (7.1006, 51.5481)], name="Fußweg", highway="footway"),
        _line([B, (7.12, 51.56)], name="Kurt-Schumacher-Straße", highway="secondary"),
    )), encoding="utf-8")  # fmt: skip
    s = read_streets(p)
    assert s["name"].tolist() == ["Cranger Straße", "Kurt-Schumacher-Straße"]
    fc = streets_geojson(s)
    assert fc["features"][0]["geometry"]["coordinates"][0] == pytest.approx(list(A), abs=1e-5)


def test_geopackage_in_utm_is_reprojected_to_lon_lat(tmp_path):
    import pyogrio

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    xs, ys = to_utm.transform([A[0], B[0]], [A[1], B[1]])
    line = shapely.LineString(list(zip(xs, ys, strict=True)))
    p = tmp_path / "atkis.gpkg"
    pyogrio.raw.write(
        p, np.array([shapely.to_wkb(line)], dtype=object),
        [np.array(["Cranger Straße"], dtype=object), np.array(["1305"], dtype=object)],
        ["BEZ", "WDM"], driver="GPKG", geometry_type="LineString", crs="EPSG:25832",
    )  # fmt: skip
    s = read_streets(p)
    assert s["name"].tolist() == ["Cranger Straße"]
    got = np.array(s["geometry"].iloc[0].coords)
    assert got[0] == pytest.approx(A, abs=2e-5) and got[-1] == pytest.approx(B, abs=2e-5)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "not GeoJSON"),
        (json.dumps({"type": "Feature"}).encode(), "FeatureCollection"),
        (json.dumps(_fc({"type": "Feature", "properties": {},
                         "geometry": {"type": "Point", "coordinates": [7.1, 51.5]}})).encode(),
         "must be lines"),
        (json.dumps(_fc(_line([(360000, 5710000), (361000, 5711000)]))).encode(),
         "not longitude/latitude"),
        (b"[" * 100_000, "not GeoJSON"),
    ],
)  # fmt: skip
def test_bad_street_files_get_one_line(content, expected):
    with pytest.raises(InputError, match=expected) as e:
        parse_streets(content, "streets.geojson")
    assert "\n" not in str(e.value) and str(e.value).startswith("streets.geojson")


def test_init_streets_stores_them_and_the_pages_carry_them(tmp_path):
    src = tmp_path / "streets.geojson"
    src.write_text(json.dumps(_fc(_line([A, B], name="Cranger Straße", highway="primary"))))
    r = run_cli("init", "--workspace", str(tmp_path / "ws"), "--streets", str(src))
    assert r.returncode == 0, r.stderr
    ws = Workspace.open(tmp_path / "ws")
    assert [f["properties"]["name"] for f in ws.streets()["features"]] == ["Cranger Straße"]
    bad = tmp_path / "bad.geojson"
    bad.write_text("{}")
    r = run_cli("init", "--workspace", str(tmp_path / "ws"), "--streets", str(bad))
    assert r.returncode == 1 and "bad.geojson" in r.stderr and "Traceback" not in r.stderr
    assert len(ws.streets()["features"]) == 1  # the old streets stay
