"""Importers on real files that no one on this project wrote."""

import pandas as pd
import pytest
from conftest import FIXTURES, shared_real

from workbench import importers
from workbench.importers.sensor_community import read_sensor_community
from workbench.pipeline import import_files
from workbench.pipeline.status import status as status_of


def test_sensor_community_sds011_exact_rows_and_values():
    b = read_sensor_community(FIXTURES / "2019-05-22_sds011_sensor_15092.csv")
    o = b.observations.to_pandas()
    # 567 data rows, each with P1 and P2
    assert (o["quantity"] == "pm10").sum() == 567
    assert (o["quantity"] == "pm2_5").sum() == 567
    first = o[o["time"] == pd.Timestamp("2019-05-22T00:02:25Z")].set_index("quantity")["value"]
    assert first["pm10"] == 1.07  # P1 is PM10
    assert first["pm2_5"] == 0.50  # P2 is PM2.5
    assert set(o["sensor_id"]) == {"sc:15092"}
    assert b.sensors["sensor_type"].tolist() == ["SDS011"]
    assert b.positions[["lat", "lon"]].values.tolist() == [[56.964, -2.212]]


def test_sensor_community_bme280_pressure_pa_to_hpa():
    b = read_sensor_community(FIXTURES / "2019-05-22_bme280_sensor_15093.csv")
    o = b.observations.to_pandas()
    assert o.groupby("quantity").size().to_dict() == {
        "air_pressure": 564,
        "air_temperature": 564,
        "relative_humidity": 564,
    }
    t0 = o[o["time"] == pd.Timestamp("2019-05-22T00:02:26Z")].set_index("quantity")["value"]
    assert t0["air_pressure"] == pytest.approx(1016.5884)
    assert t0["air_temperature"] == 10.08
    assert t0["relative_humidity"] == 100.0


def test_sensor_community_keeps_the_real_pm10_spike():
    o = read_sensor_community(FIXTURES / "2019-05-22_sds011_sensor_16422.csv").observations
    o = o.to_pandas()
    pm10 = o[o["quantity"] == "pm10"]
    assert pm10["value"].max() == 1489.6  # stored as measured; QC flags it, import keeps it
    assert pm10.loc[pm10["value"].idxmax(), "time"] == pd.Timestamp("2019-05-22T23:53:43Z")


def test_sensor_community_whole_real_day_exact_counts(tmp_path):
    folder = shared_real("sensor_community_aberdeen_2019-05-22")
    from workbench.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws")
    files = sorted(folder.glob("*.csv"))
    assert len(files) == 46
    report = import_files.import_report(ws, files)
    assert report.added == 51450
    assert status_of(ws)["observations"] == {
        "air_pressure": 2122,
        "air_temperature": 12370,
        "pm10": 12294,
        "pm2_5": 12294,
        "relative_humidity": 12370,
    }
    assert len(ws.sensors()) == 46
    pm10 = ws.observations("pm10")
    assert pm10["value"].max() == 1489.6
    assert (ws.observations("relative_humidity")["value"] == 100.0).sum() > 0


def test_aberdeen_reference_csv_needs_a_zone_then_imports():
    path = FIXTURES / "aberdeen-king-street.csv"
    with pytest.raises(importers.ImportFormatError, match=r"no time zone.*--timezone"):
        importers.read(path)
    b = importers.read(path, tz="Europe/London")
    assert b.format == "reference-csv"
    o = b.observations.to_pandas()
    raw = pd.read_csv(path, sep=";")
    assert (o["quantity"] == "no2").sum() == raw["Nitrogen Dioxide"].notna().sum()
    assert (o["quantity"] == "pm10").sum() == raw["PM10"].notna().sum()
    assert (o["quantity"] == "pm2_5").sum() == raw["PM2.5"].notna().sum()
    # 2017-10-01 01:00 British Summer Time is 00:00 UTC
    first = o[(o["quantity"] == "no2")].iloc[0]
    assert first["time"] == pd.Timestamp("2017-10-01T00:00:00Z") and first["value"] == 31
    assert set(o["sensor_id"]) == {"ref:aberdeen-king-street"}


def test_ttn_v3_event_with_decoded_payload():
    b = importers.read(FIXTURES / "ezurio_RS26x_tts_event_with_decoded_payload.json")
    assert b.format == "ttn"
    o = b.observations.to_pandas().set_index("quantity")
    assert o.loc["air_temperature", "value"] == 22.12
    assert o.loc["rssi", "value"] == -67 and o.loc["snr", "value"] == 10.25
    assert o.loc["air_temperature", "sensor_id"] == "ttn:rs261-erik-internal"
    assert o.loc["air_temperature", "time"] == pd.Timestamp("2025-11-07T10:23:15.296049Z")


def test_ttn_raw_payload_without_decoder_is_a_clear_error():
    with pytest.raises(importers.ImportFormatError, match="no byte decoder configured for device"):
        importers.read(FIXTURES / "decentlab_DL-PM_tts_uplink.json")


def test_ttn_raw_decentlab_dl_pm_payload_is_decoded():
    # the payload's words, read by hand from the base64 text: battery 0x0c25 = 3109 mV,
    # PM1 0x0025 = 3.7 µg/m³, PM2.5/PM4/PM10 0x0027 = 3.9, T word 0x67bd, RH word 0x618d,
    # pressure 0xbd10 = 48400 -> 96800 Pa
    b = importers.read(
        FIXTURES / "decentlab_DL-PM_tts_uplink.json",
        byte_decoders={"test-decentlab": "decentlab-dl-pm"},
    )
    o = b.observations.to_pandas().set_index("quantity")["value"]
    assert o["battery_voltage"] == pytest.approx(3.109)
    assert o["pm1"] == pytest.approx(3.7)
    assert o["pm2_5"] == pytest.approx(3.9) and o["pm10"] == pytest.approx(3.9)
    assert o["air_temperature"] == pytest.approx(175.72 * 0x67BD / 65536 - 46.85, abs=1e-3)
    assert o["relative_humidity"] == pytest.approx(125 * 0x618D / 65536 - 6, abs=1e-3)
    assert o["air_pressure"] == pytest.approx(968.0)  # Pa converted to hPa
    assert o["rssi"] == -16 and o["snr"] == 8.5
    assert set(b.observations["sensor_id"].to_pylist()) == {"ttn:03022"}
