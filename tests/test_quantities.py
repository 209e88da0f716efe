import numpy as np
import pytest

from workbench.quantities import (
    QUANTITIES,
    UnitError,
    UnknownQuantityError,
    canonical_unit,
    convert,
    resolve_quantity,
)


@pytest.mark.parametrize(
    ("name", "unit", "expected"),
    [
        ("temperature", None, "air_temperature"),
        ("Temperature", None, "air_temperature"),
        ("temp", None, "air_temperature"),
        ("humidity", None, "relative_humidity"),
        ("rh", None, "relative_humidity"),
        ("pm2_5", None, "pm2_5"),
        ("pm25", None, "pm2_5"),
        ("PM2.5", None, "pm2_5"),
        ("pm10", None, "pm10"),
        ("pressure", None, "air_pressure"),
        ("no2", None, "no2"),
        ("battery", None, "battery_voltage"),
        ("battery", "%", "battery_level"),
        ("Nitrogen Dioxide", None, "no2"),
        ("rel. Luftfeuchte", None, "relative_humidity"),
        ("wind_dir_avg", None, "wind_direction"),
    ],
)
def test_aliases_resolve_case_insensitively(name, unit, expected):
    assert resolve_quantity(name, unit) == expected


def test_unknown_quantity_names_the_allowed_ones():
    with pytest.raises(UnknownQuantityError, match=r"unknown quantity 'flux'.*air_temperature"):
        resolve_quantity("flux")


@pytest.mark.parametrize(
    ("values", "unit", "quantity", "expected"),
    [
        ([101325.0], "Pa", "air_pressure", [1013.25]),
        ([293.15], "K", "air_temperature", [20.0]),
        ([68.0], "°F", "air_temperature", [20.0]),
        ([21.5], "Cel", "air_temperature", [21.5]),
        ([0.012], "mg/m3", "pm2_5", [12.0]),
        ([0.012], "mg/m³", "pm10", [12.0]),
        ([12.0], "μg/m³", "pm10", [12.0]),  # Greek mu
        ([12.0], "µg/m³", "pm10", [12.0]),  # micro sign
        ([0.55], "/", "relative_humidity", [55.0]),
        ([10.0], "ppb", "no2", [10 * 46.0055 / 24.055]),
        ([36.0], "km/h", "wind_speed", [10.0]),
        ([3300.0], "mV", "battery_voltage", [3.3]),
    ],
)
def test_conversion_to_canonical_units(values, unit, quantity, expected):
    np.testing.assert_allclose(convert(values, unit, quantity), expected, rtol=1e-12)


def test_impossible_conversion_is_an_error():
    with pytest.raises(UnitError, match=r"cannot convert unit 'hPa'.*air_temperature"):
        convert([1.0], "hPa", "air_temperature")


def test_every_quantity_has_a_range_and_unit():
    for q in QUANTITIES.values():
        assert q.valid_min < q.valid_max
        assert canonical_unit(q.name) == q.unit
