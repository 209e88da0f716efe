"""Who is who in a QC run: reference stations, sensor positions in metres, sensor types."""

from __future__ import annotations

import pandas as pd
from pyproj import Transformer

from workbench.geo import WORK_CRS
from workbench.qc.settings import QCSettings

_TO_METRES = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)


def reference_ids(ids: list[str], sensors: pd.DataFrame, settings: QCSettings) -> dict[str, str]:
    """Sensor ids of reference stations -> station code.

    A sensor is a reference when its id, or its id after a source prefix such as
    ``uba:``, is a key of ``[reference_stations]``, or when its type is ``reference``.

    Parameters
    ----------
    ids : list of str
        The sensor ids that have observations.
    sensors : DataFrame
        Sensor metadata (``sensor_id``, optionally ``sensor_type``).
    settings : QCSettings
        Holds ``references`` (``[reference_stations]``).

    Returns
    -------
    dict
        Reference sensor id -> station code.
    """
    out = {}
    for sid in ids:
        code = sid.split(":", 1)[-1]
        if sid in settings.references or code in settings.references:
            out[sid] = sid if sid in settings.references else code
    if "sensor_type" in sensors.columns:
        for sid in sensors.loc[sensors["sensor_type"] == "reference", "sensor_id"].astype(str):
            out.setdefault(sid, sid.split(":", 1)[-1])
    return out


def positions_xy(
    positions: pd.DataFrame, refs: dict[str, str], settings: QCSettings
) -> pd.DataFrame:
    """Latest position of each sensor in metres; reference stations from config as fallback.

    Parameters
    ----------
    positions : DataFrame
        ``sensor_id, lat, lon`` (and ``valid_from``).
    refs : dict
        Reference sensor id -> station code (:func:`reference_ids`).
    settings : QCSettings
        Station coordinates in ``references`` are used for stations without a position.

    Returns
    -------
    DataFrame
        ``sensor_id, lat, lon, x, y`` (``x, y`` in the working CRS).
    """
    pos = positions.dropna(subset=["lat", "lon"])
    if "valid_from" in pos.columns and not pos.empty:
        pos = pos.sort_values("valid_from").groupby("sensor_id").tail(1)
    pos = pos[["sensor_id", "lat", "lon"]].astype({"sensor_id": str})
    have = set(pos["sensor_id"])
    extra = []
    for sid, code in refs.items():
        v = settings.references.get(code)
        if sid not in have and isinstance(v, dict) and "lat" in v and "lon" in v:
            extra.append({"sensor_id": sid, "lat": float(v["lat"]), "lon": float(v["lon"])})
    if extra:
        pos = pd.concat([pos, pd.DataFrame(extra)], ignore_index=True)
    x, y = _TO_METRES.transform(pos["lon"].to_numpy(float), pos["lat"].to_numpy(float))
    return pos.assign(x=x, y=y).reset_index(drop=True)


def sensor_types(sensors: pd.DataFrame) -> dict[str, str]:
    """Sensor id -> sensor type (``""`` where unknown; empty without a type column).

    Examples
    --------
    >>> sensor_types(pd.DataFrame({"sensor_id": ["a", "b"], "sensor_type": ["SDS011", None]}))
    {'a': 'SDS011', 'b': ''}
    """
    if "sensor_type" not in sensors.columns:
        return {}
    return dict(
        zip(
            sensors["sensor_id"].astype(str),
            sensors["sensor_type"].fillna("").astype(str),
            strict=True,
        )
    )


__all__ = ["positions_xy", "reference_ids", "sensor_types"]
