"""Byte decoders for raw LoRaWAN payloads (``frm_payload``) without a network-side formatter.

A decoder takes the payload bytes and returns ``(quantity, value, unit)`` triples in
registry quantities; the unit is converted to the canonical one downstream. Decoders are
chosen per device, device model or application in ``workbench.toml``::

    [mqtt.byte_decoder]
    test-decentlab = "decentlab-dl-pm"     # application id, model id or device id

Add a decoder by writing a function and registering it in :data:`BYTE_DECODERS`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

Reading = tuple[str, float, str | None]


class PayloadError(ValueError):
    """Payload bytes that do not match the decoder's format."""


def _words(data: bytes, start: int) -> list[int]:
    return [int.from_bytes(data[i : i + 2], "big") for i in range(start, len(data) - 1, 2)]


# Decentlab protocol version 2: version (1 byte), device id (2), sensor flags (2), then
# 16-bit big-endian words for each sensor group whose flag bit is set, in bit order.
# DL-PM groups: 0 battery (1 word, mV); 1 particulate matter (10 words: PM1/2.5/4/10 mass
# in 0.1 µg/m³, typical particle size, five number concentrations); 2 temperature and
# humidity (2 words, SHT-style scaling); 3 barometric pressure (1 word, 2 Pa steps).
_DL_PM_GROUP_WORDS = (1, 10, 2, 1)


def decode_decentlab_dl_pm(data: bytes) -> list[Reading]:
    """Decode a Decentlab DL-PM uplink (protocol version 2).

    Examples
    --------
    >>> payload = bytes.fromhex("02 1b50 0001 0c25".replace(" ", ""))
    >>> decode_decentlab_dl_pm(payload)
    [('battery_voltage', 3.109, 'V')]
    """
    if len(data) < 5:
        raise PayloadError(f"DL-PM payload has {len(data)} bytes; expected at least 5")
    if data[0] != 2:
        raise PayloadError(f"DL-PM protocol version {data[0]}; expected 2")
    flags = int.from_bytes(data[3:5], "big")
    if flags >> len(_DL_PM_GROUP_WORDS):
        raise PayloadError(f"DL-PM sensor flags 0x{flags:04x} name unknown sensor groups")
    n_words = sum(w for bit, w in enumerate(_DL_PM_GROUP_WORDS) if flags >> bit & 1)
    if len(data) != 5 + 2 * n_words:
        raise PayloadError(
            f"DL-PM payload has {len(data)} bytes; flags 0x{flags:04x} need {5 + 2 * n_words}"
        )
    words = _words(data, 5)
    out: list[Reading] = []
    pos = 0
    for bit, n in enumerate(_DL_PM_GROUP_WORDS):
        if not flags >> bit & 1:
            continue
        w = words[pos : pos + n]
        pos += n
        if bit == 0:
            out.append(("battery_voltage", w[0] / 1000.0, "V"))
        elif bit == 1:
            for q, x in zip(("pm1", "pm2_5", "pm4", "pm10"), w[:4], strict=True):
                out.append((q, x / 10.0, "µg/m³"))
        elif bit == 2:
            out.append(("air_temperature", round(175.72 * w[0] / 65536 - 46.85, 4), "°C"))
            out.append(("relative_humidity", round(125.0 * w[1] / 65536 - 6.0, 4), "%"))
        else:
            out.append(("air_pressure", w[0] * 2.0, "Pa"))
    return out


BYTE_DECODERS: dict[str, Callable[[bytes], list[Reading]]] = {
    "decentlab-dl-pm": decode_decentlab_dl_pm,
}


def byte_decoder(name: str) -> Callable[[bytes], list[Reading]]:
    """The registered decoder called ``name``."""
    try:
        return BYTE_DECODERS[name]
    except KeyError:
        raise ValueError(
            f"unknown byte decoder {name!r}; known: {', '.join(sorted(BYTE_DECODERS))}"
        ) from None


def decode_frm_payload(text: str, decoder: str) -> list[Reading]:
    """Decode a base64 ``frm_payload`` with the named decoder."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise PayloadError("frm_payload is not valid base64") from None
    return byte_decoder(decoder)(data)
