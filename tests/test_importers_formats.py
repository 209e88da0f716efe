"""Every importer on small inputs with known content, and its errors."""

import gzip
import json

import pandas as pd
import pytest

from workbench import importers
from workbench.importers import ImportFormatError, detect_format, parse


def obs(batch):
    return batch.observations.to_pandas().sort_values(["sensor_id", "quantity", "time"])


# ---------------------------------------------------------------- generic CSV
GENERIC = (
    b"sensor_id,time,quantity,value,unit,lat,lon\n"
    b"a,2025-07-01T12:00:00Z,temperature,300.15,K,51.5,7.1\n"
    b"a,2025-07-01T12:00:00Z,pressure,101300,Pa,51.5,7.1\n"
    b"b,2025-07-01T14:00:00+02:00,PM2.5,0.011,mg/m3,51.6,7.0\n"
)


def test_generic_csv_converts_units_and_zones():
    b = parse(GENERIC)
    assert b.format == "csv"
    o = obs(b).set_index(["sensor_id", "quantity"])["value"]
    assert o[("a", "air_temperature")] == pytest.approx(27.0)
    assert o[("a", "air_pressure")] == pytest.approx(1013.0)
    assert o[("b", "pm2_5")] == pytest.approx(11.0)
    t = obs(b).set_index("sensor_id")["time"]
    assert t["b"] == pd.Timestamp("2025-07-01T12:00:00Z")
    assert sorted(b.positions["sensor_id"]) == ["a", "b"]


def test_generic_csv_semicolon_decimal_comma_bom_latin1():
    text = "sensor_id;time;quantity;value;unit\nStraße-1;2025-07-01 12:00:00;Temperatur;21,5;°C\n"
    for data in (text.encode("latin-1"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        b = parse(data, tz="Europe/Berlin")
        o = obs(b)
        assert o["sensor_id"].tolist() == ["Straße-1"]
        assert o["value"].tolist() == [21.5]
        assert o["time"].tolist() == [pd.Timestamp("2025-07-01T10:00:00Z")]


def test_naive_timestamps_rejected_without_zone():
    data = b"sensor_id,time,quantity,value,unit\na,2025-07-01 12:00:00,temperature,20,C\n"
    with pytest.raises(
        ImportFormatError, match=r"line 2, field 'time': timestamps have no time zone"
    ):
        parse(data, source="x.csv")


def test_bad_number_names_file_line_and_field():
    data = (
        b"sensor_id,time,quantity,value,unit\n"
        + b"a,2025-07-01T12:00:00Z,temperature,20,C\n" * 3
        + b"a,2025-07-01T13:00:00Z,temperature,warm,C\n"
    )
    with pytest.raises(ImportFormatError) as e:
        parse(data, source="net.csv")
    assert str(e.value) == "net.csv, line 5, field 'value': expected a number, got 'warm'"


def test_bad_timestamp_names_line():
    data = (
        b"sensor_id,time,quantity,value,unit\na,2025-07-01T12:00:00Z,temperature,20,C\n"
        b"a,yesterday,temperature,20,C\n"
    )
    with pytest.raises(ImportFormatError, match=r"x.csv, line 3, field 'time'"):
        parse(data, source="x.csv")


def test_ragged_row_names_line():
    data = (
        b"sensor_id,time,quantity,value,unit\na,2025-07-01T12:00:00Z,temperature,20,C\n"
        b"a,2025-07-01T13:00:00Z,temperature,20,C,extra\n"
    )
    with pytest.raises(ImportFormatError, match=r"line 3: wrong number of fields"):
        parse(data, source="x.csv")


def test_unknown_quantity_goes_to_quarantine_not_lost():
    data = (
        b"sensor_id,time,quantity,value,unit\na,2025-07-01T12:00:00Z,temperature,20,C\n"
        b"a,2025-07-01T12:00:00Z,radon,40,Bq/m3\n"
    )
    b = parse(data, source="x.csv")
    assert b.n_observations == 1
    assert b.quarantine["reason"].tolist() == ["unknown quantity 'radon'"]
    assert b.quarantine["line"].tolist() == [3]


def test_gzip_input_is_read():
    assert parse(gzip.compress(GENERIC)).n_observations == 3


# ---------------------------------------------------------------- sensor.community variants
@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        (
            "P1;P4;P2;P0;N10;N4;N25;N1;N05;TS",
            "10.1;9.9;8.8;7.7;1;1;1;1;1;0.5",
            {"pm10": 10.1, "pm4": 9.9, "pm2_5": 8.8, "pm1": 7.7},
        ),  # SPS30
        ("P1;P2;P0", "12.0;8.0;5.0", {"pm10": 12.0, "pm2_5": 8.0, "pm1": 5.0}),  # PMS5003
        (
            "temperature;humidity",
            "18.4;61.2",
            {"air_temperature": 18.4, "relative_humidity": 61.2},
        ),  # SHT31
    ],
)
def test_sensor_community_other_sensor_types(header, row, expected):
    data = (
        f"sensor_id;sensor_type;location;lat;lon;timestamp;{header}\n"
        f"123;X;9;51.5;7.1;2025-07-01T12:00:00;{row}\n"
    ).encode()
    b = parse(data)
    assert b.format == "sensor-community"
    got = obs(b).set_index("quantity")["value"].to_dict()
    assert got == expected
    assert obs(b)["time"].tolist()[0] == pd.Timestamp("2025-07-01T12:00:00Z")  # UTC by definition


# ---------------------------------------------------------------- openSenseMap
def test_opensensemap_csv():
    data = (
        "createdAt,value,lat,lon,sensorId,phenomenon,unit,boxName,exposure\n"
        "2025-07-01T12:00:00.000Z,24.5,51.5,7.1,5f1a,Temperatur,°C,Box A,outdoor\n"
        "2025-07-01T12:05:00.000Z,61,51.5,7.1,5f1b,rel. Luftfeuchte,%,Box A,outdoor\n"
        "2025-07-01T12:05:00.000Z,1012.5,51.5,7.1,5f1c,Luftdruck,hPa,Box A,outdoor\n"
    ).encode()
    b = parse(data)
    assert b.format == "opensensemap"
    o = obs(b).set_index("sensor_id")
    assert o.loc["osem:5f1a", "quantity"] == "air_temperature"
    assert o.loc["osem:5f1b", "value"] == 61
    assert o.loc["osem:5f1c", "quantity"] == "air_pressure"
    assert set(b.sensors["exposure"]) == {"outdoor"}


def test_opensensemap_csv_without_phenomenon_needs_quantity():
    data = b"createdAt,value\n2025-07-01T12:00:00.000Z,8.5\n"
    with pytest.raises(ImportFormatError, match="--quantity"):
        parse(data, format="opensensemap", source="pm.csv")
    b = parse(data, format="opensensemap", source="5f1a.csv", quantity="PM2.5")
    assert obs(b)[["sensor_id", "quantity", "value"]].values.tolist() == [
        ["osem:5f1a", "pm2_5", 8.5]
    ]


def test_opensensemap_measurement_json():
    doc = [
        {"value": "7.2", "createdAt": "2025-07-01T12:00:00.000Z", "location": [7.1, 51.5]},
        {"value": "7.9", "createdAt": "2025-07-01T12:05:00.000Z", "location": [7.1, 51.5]},
    ]
    b = parse(json.dumps(doc).encode(), source="s1.json", quantity="pm10")
    assert b.format == "opensensemap"
    assert obs(b)["value"].tolist() == [7.2, 7.9]
    assert b.positions[["lat", "lon"]].values.tolist() == [[51.5, 7.1]]


# ---------------------------------------------------------------- SenML
def test_senml_base_name_time_unit_value_resolution():
    pack = [
        {
            "bn": "urn:dev:ow:10e2073a01080063:",
            "bt": 1.751371e9,
            "bu": "Cel",
            "bver": 10,
            "n": "temp",
            "v": 23.1,
        },
        {"n": "temp", "t": 60, "v": 23.4},
        {"n": "humidity", "u": "%RH", "t": 60, "v": 55},
        {"n": "pressure", "u": "Pa", "v": 101300},
        {"bn": "urn:dev:mac:0024befffe804ff1:", "bv": 10, "n": "pm25", "u": "ug/m3", "v": 2.5},
        {"n": "status", "vs": "ok"},
    ]
    b = parse(json.dumps(pack).encode())
    assert b.format == "senml"
    o = obs(b)
    t = o[(o["sensor_id"] == "urn:dev:ow:10e2073a01080063") & (o["quantity"] == "air_temperature")]
    assert t["value"].tolist() == [23.1, 23.4]
    assert t["time"].tolist() == [
        pd.Timestamp(1.751371e9, unit="s", tz="UTC"),
        pd.Timestamp(1.751371e9 + 60, unit="s", tz="UTC"),
    ]
    assert o[o["quantity"] == "air_pressure"]["value"].tolist() == [1013.0]
    pm = o[o["quantity"] == "pm2_5"]
    assert pm["sensor_id"].tolist() == ["urn:dev:mac:0024befffe804ff1"] and pm[
        "value"
    ].tolist() == [12.5]
    assert b.quarantine["reason"].str.contains("no numeric value").tolist() == [True]


def test_senml_relative_time_is_relative_to_now():
    b = importers.senml.parse_senml(
        b'[{"n": "dev7:temp", "u": "Cel", "t": -30, "v": 20}]', now=1.8e9
    )
    assert obs(b)["time"].tolist() == [pd.Timestamp(1.8e9 - 30, unit="s", tz="UTC")]
    assert obs(b)["sensor_id"].tolist() == ["dev7"]


def test_senml_wrong_type_is_an_error():
    with pytest.raises(ImportFormatError, match="record 1: v must be a finite number"):
        parse(b'[{"bn": "d:", "n": "temp", "v": "hot"}]', format="senml")


# ---------------------------------------------------------------- UBA
def test_uba_hour_24_zone_and_scopes():
    doc = {
        "request": {"station": "DENW022", "component": "1", "scope": "2"},
        "data": {
            "DENW022": {
                "2025-07-01 23:00:00": [1, 2, 20.5, "2025-07-01 24:00:00", "1"],
                "2025-07-01 24:00:00": [1, 2, 18.0, "2025-07-02 01:00:00", "1"],
                "2025-07-02 01:00:00": [1, 2, None, "2025-07-02 02:00:00", None],
                "2025-07-02 02:00:00": [1, 1, 19.0, "2025-07-03 00:00:00", "1"],
            }
        },
    }
    b = parse(json.dumps(doc).encode())
    assert b.format == "uba"
    o = obs(b)
    assert o["sensor_id"].unique().tolist() == ["uba:DENW022"]
    assert o["time"].tolist() == [
        pd.Timestamp("2025-07-01T22:00Z"),
        pd.Timestamp("2025-07-01T23:00Z"),
    ]
    assert o["value"].tolist() == [20.5, 18.0]
    assert b.quarantine["reason"].tolist() == [
        "UBA scope 1 is not an hourly mean (only scope 2 is stored)"
    ]


# ---------------------------------------------------------------- UrbanPulse
def test_urbanpulse_feed():
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [7.05, 51.57]},
            "properties": {
                "SID": f"s{i}",
                "deviceId": "ws-01",
                "deviceName": "Wetterstation Buer",
                "deviceType": "weather",
                "sensorLabel": label,
                "timestamp": "2025-07-01T12:00:00.000Z",
                "units": unit,
                "value": v,
            },
        }
        for i, (label, unit, v) in enumerate(
            [
                ("temperature", "°C", 25.5),
                ("humidity", "%", 40),
                ("pressure", "hPa", 1012),
                ("wind_dir_avg", "°", 270),
                ("rain_counter", "mm", 3.2),
                ("sunshine", "h", 1),
            ]
        )
    ]
    b = parse(json.dumps({"type": "FeatureCollection", "features": feats}).encode())
    assert b.format == "urbanpulse"
    got = obs(b).set_index("quantity")["value"].to_dict()
    assert got == {
        "air_temperature": 25.5,
        "relative_humidity": 40,
        "air_pressure": 1012,
        "wind_direction": 270,
        "precipitation": 3.2,
    }
    assert b.quarantine["reason"].tolist() == ["unknown quantity 'sunshine'"]
    assert b.sensors["name"].tolist() == ["Wetterstation Buer"]


# ---------------------------------------------------------------- detection
def test_detect_rejects_unknown_content_clearly():
    with pytest.raises(ImportFormatError, match=r"cannot tell the format.*--format"):
        detect_format(b"foo,bar\n1,2\n", "x.csv")
    with pytest.raises(ImportFormatError, match="JSON of unknown shape"):
        detect_format(b'{"hello": 1}', "x.json")
    with pytest.raises(ImportFormatError, match="not valid JSON"):
        detect_format(b'{"hello": ', "x.json")
    with pytest.raises(ImportFormatError, match="empty"):
        detect_format(b"", "x.csv")
