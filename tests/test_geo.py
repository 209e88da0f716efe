"""Areas, grids (own CSV/Parquet and Zensus 2022) and cell-to-area assignment."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO
from pyproj import Transformer

from workbench.geo import parse_areas, parse_grid, read_areas
from workbench.importers import ImportFormatError
from workbench.workspace import Workspace

SQUARE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"area_id": "a1", "name": "Altstadt"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[7.08, 51.50], [7.11, 51.50], [7.11, 51.52], [7.08, 51.52], [7.08, 51.50]]
                ],
            },
        }
    ],
}


def test_areas_validation_messages():
    bad = json.loads(json.dumps(SQUARE))
    del bad["features"][0]["properties"]["name"]
    with pytest.raises(ImportFormatError, match=r"features\[0\]: missing property 'name'"):
        parse_areas(json.dumps(bad).encode(), "a.geojson")
    pt = json.loads(json.dumps(SQUARE))
    pt["features"][0]["geometry"] = {"type": "Point", "coordinates": [7.1, 51.5]}
    with pytest.raises(ImportFormatError, match="expected a \\(Multi\\)Polygon"):
        parse_areas(json.dumps(pt).encode(), "a.geojson")
    utm = json.loads(json.dumps(SQUARE))
    utm["features"][0]["geometry"]["coordinates"] = [
        [[362000, 5710000], [363000, 5710000], [363000, 5711000], [362000, 5710000]]
    ]
    with pytest.raises(ImportFormatError, match="not longitude/latitude"):
        parse_areas(json.dumps(utm).encode(), "a.geojson")


def test_grid_csv_in_another_crs_is_reprojected_and_assigned(tmp_path):
    to3035 = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    x_in, y_in = to3035.transform([7.095, 7.2], [51.51, 51.51])
    (tmp_path / "g.csv").write_text(
        "x,y,impervious,green,population\n"
        f"{x_in[0]:.2f},{y_in[0]:.2f},0.8,0.1,120\n{x_in[1]:.2f},{y_in[1]:.2f},0.1,0.9,3\n"
    )
    (tmp_path / "a.geojson").write_text(json.dumps(SQUARE))
    ws = Workspace.init(
        tmp_path / "ws", areas=tmp_path / "a.geojson", grid=tmp_path / "g.csv", grid_crs="EPSG:3035"
    )
    g = ws.grid()
    back = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    lon, lat = back.transform(g["x"].to_numpy(), g["y"].to_numpy())
    np.testing.assert_allclose(lon, [7.095, 7.2], atol=1e-7)
    np.testing.assert_allclose(lat, [51.51, 51.51], atol=1e-7)
    assert [a if isinstance(a, str) else None for a in g["area_id"]] == ["a1", None]
    assert g["population"].tolist() == [120, 3]


def test_grid_out_of_range_covariate_names_line(tmp_path):
    data = b"x,y,impervious\n362050,5712050,0.5\n362150,5712050,1.7\n"
    with pytest.raises(ImportFormatError, match=r"g.csv, line 3, field 'impervious'.*\[0, 1\]"):
        parse_grid(data, source="g.csv")


def test_zensus_2022_grid_csv():
    to3035 = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    x, y = to3035.transform(7.095, 51.51)
    x, y = int(x // 100 * 100 + 50), int(y // 100 * 100 + 50)
    data = (
        "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\n"
        f"CRS3035RES100mN{y - 50}E{x - 50};{x};{y};57\n"
        f"CRS3035RES100mN{y + 50}E{x - 50};{x};{y + 100};–\n"
    ).encode()
    g = parse_grid(data, source="Zensus2022_Bevoelkerungszahl_100m-Gitter.csv")
    assert g["cell_id"].tolist()[0] == f"CRS3035RES100mN{y - 50}E{x - 50}"
    assert g["population"].iloc[0] == 57 and np.isnan(g["population"].iloc[1])
    lon, lat = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True).transform(
        g["x"].iloc[0], g["y"].iloc[0]
    )
    assert abs(lon - 7.095) < 0.002 and abs(lat - 51.51) < 0.002


def test_demo_grid_every_cell_has_an_area(tmp_path):
    ws = Workspace.init(tmp_path / "ws", areas=DEMO / "areas.geojson", grid=DEMO / "grid.parquet")
    g = ws.grid()
    assert g["area_id"].notna().mean() > 0.99
    areas = read_areas(DEMO / "areas.geojson")
    assert len(areas) == 18 and areas["approximate"].all()
    assert set(g["area_id"].dropna()) == set(areas["area_id"])
    assert 200_000 < g["population"].sum() < 300_000
    assert isinstance(g, pd.DataFrame)
