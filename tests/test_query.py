"""The analyst API: filters and aggregation inside DuckDB, checked against pandas."""

import json

import numpy as np
import pandas as pd
import pytest

from workbench.pipeline import import_files
from workbench.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("q")
    areas = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"area_id": "west", "name": "West"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[7.0, 51.5], [7.05, 51.5], [7.05, 51.6], [7.0, 51.6], [7.0, 51.5]]
                    ],
                },
            },
            {
                "type": "Feature",
                "properties": {"area_id": "east", "name": "Ost"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[7.05, 51.5], [7.1, 51.5], [7.1, 51.6], [7.05, 51.6], [7.05, 51.5]]
                    ],
                },
            },
        ],
    }
    (root / "areas.geojson").write_text(json.dumps(areas))
    rng = np.random.default_rng(3)
    rows = []
    t0 = pd.Timestamp("2025-07-01T00:00Z")
    for s, lon in (("a", 7.02), ("b", 7.07), ("c", 7.08)):
        times = t0 + pd.to_timedelta(
            np.sort(rng.choice(3 * 24 * 60, 900, replace=False)), unit="min"
        )
        for t in times:
            rows.append(
                (s, t.isoformat(), "temperature", round(rng.normal(20, 3), 2), "C", 51.55, lon)
            )
            rows.append(
                (s, t.isoformat(), "humidity", round(rng.uniform(30, 90), 1), "%", 51.55, lon)
            )
    # sensor c moves from east to west on day 3
    df = pd.DataFrame(
        rows, columns=["sensor_id", "time", "quantity", "value", "unit", "lat", "lon"]
    )
    moved = (df["sensor_id"] == "c") & (pd.to_datetime(df["time"]) >= t0 + pd.Timedelta("2D"))
    df.loc[moved, "lon"] = 7.01
    df.to_csv(root / "obs.csv", index=False)
    w = Workspace.init(root / "ws", areas=root / "areas.geojson")
    import_files.import_report(w, [root / "obs.csv"])
    w.truth = df.assign(time=pd.to_datetime(df["time"], utc=True))
    return w


def test_filters_quantity_sensors_time(ws):
    t = ws.truth
    got = ws.observations(
        "air_temperature", sensors=["a", "b"], start="2025-07-01T06:00Z", end="2025-07-02T00:00Z"
    )
    exp = t[
        (t["quantity"] == "temperature")
        & t["sensor_id"].isin(["a", "b"])
        & (t["time"] >= "2025-07-01T06:00Z")
        & (t["time"] < "2025-07-02T00:00Z")
    ]
    assert len(got) == len(exp) > 0
    assert set(got["sensor_id"]) == {"a", "b"}
    assert got["time"].min() >= pd.Timestamp("2025-07-01T06:00Z")


def test_area_filter_follows_sensor_moves(ws):
    t = ws.truth
    west = ws.observations("air_temperature", area="west")
    exp = t[(t["quantity"] == "temperature") & (t["lon"] < 7.05)]
    assert len(west) == len(exp)
    assert set(west["sensor_id"]) == {"a", "c"}
    assert west[west["sensor_id"] == "c"]["time"].min() >= pd.Timestamp("2025-07-03T00:00Z")
    east = ws.observations("air_temperature", area=["east"])
    assert len(east) + len(west) == (t["quantity"] == "temperature").sum()


def test_hourly_and_daily_means_match_pandas(ws):
    t = ws.truth[ws.truth["quantity"] == "temperature"].copy()
    t["hour"] = t["time"].dt.floor("h")
    h = t.groupby(["sensor_id", "hour"])["value"].agg(["mean", "count"]).reset_index()
    got = ws.aggregate("air_temperature", freq="hour")
    m = got.merge(h, left_on=["sensor_id", "time"], right_on=["sensor_id", "hour"])
    assert len(m) == len(h) == len(got)
    np.testing.assert_allclose(m["mean_x"], m["mean_y"], rtol=1e-12)
    assert (m["n"] == m["count"]).all()
    d = (
        h.assign(day=h["hour"].dt.floor("D"))
        .groupby(["sensor_id", "day"])["mean"]
        .agg(["mean", "count"])
        .reset_index()
    )
    got_d = ws.aggregate("air_temperature", freq="day")
    md = got_d.merge(d, left_on=["sensor_id", "time"], right_on=["sensor_id", "day"])
    assert len(md) == len(d) == len(got_d)
    np.testing.assert_allclose(md["mean_x"], md["mean_y"], rtol=1e-12)
    assert (md["n_hours"] == md["count"]).all()
    np.testing.assert_allclose(md["coverage"], md["count"] / 24)


def test_daily_means_in_local_days(ws):
    utc = ws.aggregate("air_temperature", freq="day", sensors=["a"])
    berlin = ws.aggregate("air_temperature", freq="day", sensors=["a"], tz="Europe/Berlin")
    assert berlin["time"].iloc[0] == pd.Timestamp("2025-06-30T22:00Z")  # local midnight
    assert berlin["n"].sum() == utc["n"].sum()


def test_bad_arguments_are_clear(ws):
    with pytest.raises(ValueError, match="freq must be one of"):
        ws.aggregate(freq="week")
    with pytest.raises(ValueError, match="start must be a time"):
        ws.observations(start="last tuesday")


def test_sensor_summary(ws):
    s = ws.sensors().set_index("sensor_id")
    assert s.loc["a", "n_observations"] == 1800
    assert 0 < s.loc["a", "completeness"] <= 1
    assert s.loc["c", "area_id"] == "west"  # latest position
    assert s.loc["b", "quantities"] == "air_temperature,relative_humidity"
