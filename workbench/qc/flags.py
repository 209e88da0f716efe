"""The QC bit mask stored with every checked observation.

``qc == 0`` means the reading passed every check. Otherwise each set bit names one
check that failed; a reading can fail several. The values are part of the data contract
(the output contracts in ARCHITECTURE.md): they are written to
``qc/current/observations.parquet`` and to exports, so
existing bits never change meaning; new checks take new bits.

Examples
--------
>>> int(QC.SPIKE | QC.RANGE)
3
>>> describe(QC.SPIKE | QC.RANGE)
['range', 'spike']
>>> passed(np.array([0, 1, 512]), informational=QC.NO_RH)
array([ True, False,  True])
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntFlag

import numpy as np


class QC(IntFlag):
    """One bit per quality-control check (see ``docs/qc.md`` for each test)."""

    RANGE = 1  # outside the physical or the instrument's measuring range
    SPIKE = 2  # a short departure from the running median that returns
    STUCK = 4  # the same value for too long
    STEP = 8  # a level shift against the neighbours that persists
    NEIGHBOUR = 16  # far from the spatial neighbours at the same hour
    INDOOR = 32  # too little diurnal range: indoor or sheltered placement suspected
    HUMID = 64  # PM at relative humidity at or above the correction limit (fog, rain)
    DRIFT = 128  # accumulated drift against the neighbours beyond the limit
    EXCLUDED = 256  # sensor excluded by the analyst (``[qc] exclude_sensors``)
    NO_RH = 512  # PM without a humidity reading for the correction (not corrected)


#: Lower-case names, as used in config (``[qc] informational``) and in tables.
NAMES: dict[str, QC] = {f.name.lower(): f for f in QC}  # type: ignore[union-attr]


def describe(mask: int) -> list[str]:
    """Names of the checks a mask says failed, in bit order."""
    return [name for name, bit in NAMES.items() if int(mask) & int(bit)]


def parse_names(names: Iterable[str]) -> QC:
    """A mask from check names such as ``["no_rh"]``.

    Raises
    ------
    ValueError
        If a name is not a known check.
    """
    mask = QC(0)
    for n in names:
        key = str(n).strip().lower()
        if key not in NAMES:
            raise ValueError(f"unknown QC check {n!r}; known: {', '.join(NAMES)}")
        mask |= NAMES[key]
    return mask


def passed(qc: np.ndarray, informational: int = QC.NO_RH) -> np.ndarray:
    """True where a reading may be used: no flag other than informational ones."""
    return (np.asarray(qc, dtype=np.int64) & ~int(informational)) == 0


__all__ = ["NAMES", "QC", "describe", "parse_names", "passed"]
