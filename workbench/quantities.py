"""Quantity and unit registry.

Every observation in the store carries a canonical quantity name and a value in that
quantity's canonical unit. Importers and decoders resolve whatever name and unit a source
uses (``P2``, ``pm25``, ``Temperatur``; ``Pa``, ``K``, ``mg/m3``, SenML's ``Cel``) through
this module, so unit conversion happens in exactly one place.

Examples
--------
>>> resolve_quantity("Temperature")
'air_temperature'
>>> convert([101325.0], "Pa", "air_pressure")
array([1013.25])
>>> canonical_unit("pm2_5")
'µg/m³'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.errors import InputError


@dataclass(frozen=True)
class Quantity:
    """A measured quantity with its canonical unit and physically possible range.

    ``valid_min``/``valid_max`` bound what the quantity can physically take at street level
    in Central Europe; values outside are impossible (not merely unusual) and are what the
    QC range test and stream validation reject.
    """

    name: str
    unit: str
    standard_name: str | None
    valid_min: float
    valid_max: float
    description: str


QUANTITIES: dict[str, Quantity] = {
    q.name: q
    for q in [
        Quantity("air_temperature", "°C", "air_temperature", -40.0, 60.0, "Air temperature"),
        Quantity("relative_humidity", "%", "relative_humidity", 0.0, 100.0, "Relative humidity"),
        Quantity("air_pressure", "hPa", "air_pressure", 850.0, 1100.0, "Air pressure at station"),
        Quantity(
            "pm1",
            "µg/m³",
            "mass_concentration_of_pm1_ambient_aerosol_particles_in_air",
            0.0,
            2000.0,
            "Particulate matter < 1 µm",
        ),
        Quantity(
            "pm2_5",
            "µg/m³",
            "mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air",
            0.0,
            2000.0,
            "Particulate matter < 2.5 µm",
        ),
        Quantity("pm4", "µg/m³", None, 0.0, 2000.0, "Particulate matter < 4 µm"),
        Quantity(
            "pm10",
            "µg/m³",
            "mass_concentration_of_pm10_ambient_aerosol_particles_in_air",
            0.0,
            2000.0,
            "Particulate matter < 10 µm",
        ),
        Quantity(
            "no2",
            "µg/m³",
            "mass_concentration_of_nitrogen_dioxide_in_air",
            0.0,
            2000.0,
            "Nitrogen dioxide",
        ),
        Quantity("o3", "µg/m³", "mass_concentration_of_ozone_in_air", 0.0, 1000.0, "Ozone"),
        Quantity(
            "so2",
            "µg/m³",
            "mass_concentration_of_sulfur_dioxide_in_air",
            0.0,
            2000.0,
            "Sulphur dioxide",
        ),
        Quantity(
            "co",
            "mg/m³",
            "mass_concentration_of_carbon_monoxide_in_air",
            0.0,
            100.0,
            "Carbon monoxide",
        ),
        Quantity(
            "co2", "ppm", "mole_fraction_of_carbon_dioxide_in_air", 250.0, 10000.0, "Carbon dioxide"
        ),
        Quantity("wind_speed", "m/s", "wind_speed", 0.0, 75.0, "Wind speed"),
        Quantity("wind_direction", "°", "wind_from_direction", 0.0, 360.0, "Wind direction"),
        Quantity(
            "precipitation",
            "mm",
            "precipitation_amount",
            0.0,
            500.0,
            "Precipitation amount (or rain counter reading)",
        ),
        Quantity(
            "irradiance",
            "W/m²",
            "surface_downwelling_shortwave_flux_in_air",
            0.0,
            1500.0,
            "Global (shortwave) irradiance",
        ),
        Quantity("illuminance", "lx", None, 0.0, 200000.0, "Illuminance"),
        Quantity("noise_level", "dB", None, 0.0, 160.0, "Sound pressure level"),
        Quantity("battery_voltage", "V", None, 0.0, 60.0, "Battery voltage"),
        Quantity("battery_level", "%", None, 0.0, 100.0, "Battery charge level"),
        Quantity("rssi", "dBm", None, -200.0, 20.0, "Received signal strength"),
        Quantity("snr", "dB", None, -40.0, 40.0, "Signal-to-noise ratio"),
    ]
}

# Names sources use for the quantities above. Keys are compared after `_normalise_name`.
_NAME_ALIASES: dict[str, str] = {
    "temperature": "air_temperature",
    "temp": "air_temperature",
    "t": "air_temperature",
    "airtemperature": "air_temperature",
    "temperatur": "air_temperature",
    "lufttemperatur": "air_temperature",
    "tmp": "air_temperature",
    "humidity": "relative_humidity",
    "rh": "relative_humidity",
    "hum": "relative_humidity",
    "relhumidity": "relative_humidity",
    "relativehumidity": "relative_humidity",
    "rel.luftfeuchte": "relative_humidity",
    "luftfeuchte": "relative_humidity",
    "luftfeuchtigkeit": "relative_humidity",
    "relluftfeuchte": "relative_humidity",
    "pressure": "air_pressure",
    "press": "air_pressure",
    "luftdruck": "air_pressure",
    "atmosphericpressure": "air_pressure",
    "barometricpressure": "air_pressure",
    "pm25": "pm2_5",
    "pm2.5": "pm2_5",
    "pm2,5": "pm2_5",
    "pm_2_5": "pm2_5",
    "pm2p5": "pm2_5",
    "feinstaubpm2,5": "pm2_5",
    "feinstaubpm2.5": "pm2_5",
    "pm1.0": "pm1",
    "pm10.0": "pm10",
    "pm_10": "pm10",
    "feinstaubpm10": "pm10",
    "pm4.0": "pm4",
    "nitrogendioxide": "no2",
    "stickstoffdioxid": "no2",
    "ozone": "o3",
    "ozon": "o3",
    "sulphurdioxide": "so2",
    "sulfurdioxide": "so2",
    "carbonmonoxide": "co",
    "kohlenmonoxid": "co",
    "carbondioxide": "co2",
    "windspeed": "wind_speed",
    "windspeedavg": "wind_speed",
    "windgeschwindigkeit": "wind_speed",
    "winddirection": "wind_direction",
    "winddiravg": "wind_direction",
    "winddir": "wind_direction",
    "windrichtung": "wind_direction",
    "rain": "precipitation",
    "raincounter": "precipitation",
    "niederschlag": "precipitation",
    "irradiation": "irradiance",
    "solarradiation": "irradiance",
    "globalradiation": "irradiance",
    "lux": "illuminance",
    "light": "illuminance",
    "beleuchtungsstärke": "illuminance",
    "noise": "noise_level",
    "laeq": "noise_level",
    "battery": "battery_voltage",
    "bat": "battery_voltage",
    "batt": "battery_voltage",
    "batteryvoltage": "battery_voltage",
    "vbat": "battery_voltage",
    "batterylevel": "battery_level",
    "batterypercent": "battery_level",
}

# Unit spellings seen in the wild, mapped to one symbol. Compared after `_normalise_unit`.
_UNIT_ALIASES: dict[str, str] = {
    "°c": "°C",
    "degc": "°C",
    "cel": "°C",
    "c": "°C",
    "celsius": "°C",
    "grad celsius": "°C",
    "k": "K",
    "kelvin": "K",
    "°f": "°F",
    "degf": "°F",
    "f": "°F",
    "%": "%",
    "%rh": "%",
    "percent": "%",
    "/": "fraction",
    "1": "fraction",
    "ratio": "fraction",
    "pa": "Pa",
    "hpa": "hPa",
    "mbar": "hPa",
    "kpa": "kPa",
    "bar": "bar",
    "ug/m3": "µg/m³",
    "µg/m3": "µg/m³",
    "mg/m3": "mg/m³",
    "ng/m3": "ng/m³",
    "kg/m3": "kg/m³",
    "ppb": "ppb",
    "ppm": "ppm",
    "m/s": "m/s",
    "km/h": "km/h",
    "kmh": "km/h",
    "°": "°",
    "deg": "°",
    "rad": "rad",
    "mm": "mm",
    "w/m2": "W/m²",
    "lx": "lx",
    "lux": "lx",
    "db": "dB",
    "dba": "dB",
    "db(a)": "dB",
    "dbm": "dBm",
    "v": "V",
    "mv": "mV",
}

# (from_unit, to_unit) -> (scale, offset): canonical = value * scale + offset
_LINEAR: dict[tuple[str, str], tuple[float, float]] = {
    ("K", "°C"): (1.0, -273.15),
    ("°F", "°C"): (5.0 / 9.0, -32.0 * 5.0 / 9.0),
    ("fraction", "%"): (100.0, 0.0),
    ("Pa", "hPa"): (0.01, 0.0),
    ("kPa", "hPa"): (10.0, 0.0),
    ("bar", "hPa"): (1000.0, 0.0),
    ("mg/m³", "µg/m³"): (1000.0, 0.0),
    ("ng/m³", "µg/m³"): (0.001, 0.0),
    ("kg/m³", "µg/m³"): (1e9, 0.0),
    ("µg/m³", "mg/m³"): (0.001, 0.0),
    ("km/h", "m/s"): (1.0 / 3.6, 0.0),
    ("rad", "°"): (180.0 / np.pi, 0.0),
    ("mV", "V"): (0.001, 0.0),
}

# Mixing ratio -> mass concentration at 20 °C and 1013.25 hPa (the EU reference
# conditions of Directive 2024/2881): µg/m³ per ppb = molar mass / 24.055 l/mol.
_PPB_TO_UGM3 = {"no2": 46.0055 / 24.055, "o3": 47.9982 / 24.055, "so2": 64.066 / 24.055}
_PPM_TO_MGM3 = {"co": 28.010 / 24.055}


class UnknownQuantityError(InputError):
    """A source names a quantity the registry does not know."""


class UnitError(InputError):
    """A unit cannot be converted to the quantity's canonical unit."""


def _normalise_name(name: str) -> str:
    return name.strip().lower().replace(" ", "").replace("-", "").replace("_", "")


def _normalise_unit(unit: str) -> str:
    u = unit.strip().lower().replace("μ", "µ").replace("³", "3").replace("²", "2")
    return u.replace(" ", "").replace("**", "").replace("^", "").replace("µg", "ug")


_ALIAS_INDEX = {_normalise_name(k): v for k, v in _NAME_ALIASES.items()}
_ALIAS_INDEX.update({_normalise_name(q): q for q in QUANTITIES})
_UNIT_INDEX = {_normalise_unit(k): v for k, v in _UNIT_ALIASES.items()}
_UNIT_INDEX.update({_normalise_unit(q.unit): q.unit for q in QUANTITIES.values()})


def resolve_quantity(name: str, unit: str | None = None) -> str:
    """Return the canonical quantity name for a source's field name.

    Parameters
    ----------
    name : str
        Field name as the source spells it (case, spaces, dashes and underscores ignored).
    unit : str, optional
        The source's unit, used to tell e.g. battery voltage from battery percentage.

    Raises
    ------
    UnknownQuantityError
        If the name is not in the registry.

    Examples
    --------
    >>> resolve_quantity("PM2.5")
    'pm2_5'
    >>> resolve_quantity("battery", "%")
    'battery_level'
    """
    key = _normalise_name(name)
    q = _ALIAS_INDEX.get(key)
    if q is None:
        raise UnknownQuantityError(
            f"unknown quantity {name!r}; known: {', '.join(sorted(QUANTITIES))}"
        )
    if q == "battery_voltage" and unit is not None and normalise_unit(unit) == "%":
        return "battery_level"
    return q


def try_resolve_quantity(name: str, unit: str | None = None) -> str | None:
    """Like :func:`resolve_quantity` but return None for unknown names."""
    try:
        return resolve_quantity(name, unit)
    except UnknownQuantityError:
        return None


def canonical_unit(quantity: str) -> str:
    """Return the canonical unit symbol of a quantity."""
    try:
        return QUANTITIES[quantity].unit
    except KeyError:
        raise UnknownQuantityError(f"unknown quantity {quantity!r}") from None


def normalise_unit(unit: str) -> str:
    """Map a unit spelling (``ug/m3``, ``Cel``, ``%RH``) to the registry's symbol.

    Unknown spellings are returned stripped but otherwise unchanged, so the error
    raised later can quote them.
    """
    return _UNIT_INDEX.get(_normalise_unit(unit), unit.strip())


def conversion(unit: str | None, quantity: str) -> tuple[float, float]:
    """Return ``(scale, offset)`` converting ``unit`` to the canonical unit of ``quantity``.

    A missing or empty unit means the value is already in the canonical unit.

    Raises
    ------
    UnitError
        If no conversion is known.

    Examples
    --------
    >>> conversion("K", "air_temperature")
    (1.0, -273.15)
    """
    target = canonical_unit(quantity)
    if unit is None or str(unit).strip() == "":
        return (1.0, 0.0)
    u = normalise_unit(str(unit))
    if u == target:
        return (1.0, 0.0)
    if (u, target) in _LINEAR:
        return _LINEAR[(u, target)]
    if u == "ppb" and quantity in _PPB_TO_UGM3:
        return (_PPB_TO_UGM3[quantity], 0.0)
    if u == "ppm" and quantity in _PPB_TO_UGM3:
        return (1000.0 * _PPB_TO_UGM3[quantity], 0.0)
    if u == "ppm" and quantity in _PPM_TO_MGM3:
        return (_PPM_TO_MGM3[quantity], 0.0)
    raise UnitError(f"cannot convert unit {unit!r} to {target!r} for quantity {quantity!r}")


def convert(values: Sequence[float] | np.ndarray, unit: str | None, quantity: str) -> np.ndarray:
    """Convert values from ``unit`` to the canonical unit of ``quantity``.

    Examples
    --------
    >>> convert([0.015], "mg/m3", "pm10")
    array([15.])
    """
    scale, offset = conversion(unit, quantity)
    arr = np.asarray(values, dtype="float64")
    if scale == 1.0 and offset == 0.0:
        return arr
    return arr * scale + offset
