"""Write a simulated city as files in the formats the city's real sources use.

  areas.geojson                 approximate Stadtteil polygons (EPSG:4326)
  grid.parquet                  100 m grid (EPSG:25832) with covariates and population
  network_observations.csv.gz   the GE grünt sensor network, generic long CSV
  urbanpulse_weather.geojson.gz three weather stations, UrbanPulse GeoJSON feed
  uba_<station>_<component>.json reference stations DENW022/DENW208, UBA air_data v3
  proposals.csv, votes.csv      green-budget proposals and approval ballots
  measures.csv                  register of implemented measures (one, of known effect)
  addresses.csv                 a simulated address list for the search box (real street names)
  sensors.csv                   sensor metadata
  truth/                        the true fields, true values and the injected faults

The bundled demo (``demo_data/``, seed 2025) is written by ``python data/generate_demo.py``;
tests write small seeded cities with :func:`write_demo`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.geo import areas_to_geojson
from workbench.simulate.addresses import make_addresses
from workbench.simulate.city import SyntheticCity, generate_city

DEMO_DATA = Path(__file__).parent / "demo_data"
UBA_COMPONENTS = {"pm10": 1, "no2": 5, "pm2_5": 9}


def write_demo(out: Path, seed: int = 2025, **city: Any) -> dict[str, int]:
    """Generate a simulated city and write it to ``out``.

    Parameters
    ----------
    out : pathlib.Path
        Output directory (created; existing files are overwritten).
    seed : int
        Seed of :func:`workbench.simulate.city.generate_city`.
    **city
        Size options passed to :func:`~workbench.simulate.city.generate_city` (tests write
        small cities this way).

    Returns
    -------
    dict of str to int
        Counts of cells, sensors, observations, proposals, voters and faults.
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    sim = generate_city(seed=seed, **city)
    times: pd.DatetimeIndex = sim.meta.pop("times")
    stations = sim.meta.pop("stations")
    refs = sim.meta.pop("references")

    (out / "areas.geojson").write_text(
        json.dumps(areas_to_geojson(sim.areas), ensure_ascii=False, indent=None) + "\n",
        encoding="utf-8",
    )
    sim.grid.drop(columns=["area_id"]).to_parquet(out / "grid.parquet", index=False)
    _write_network(out, sim)
    _write_urbanpulse(out / "urbanpulse_weather.geojson.gz", stations, times)
    _write_uba(out, refs, times)
    sim.proposals.to_csv(out / "proposals.csv", index=False)
    sim.votes.to_csv(out / "votes.csv", index=False)
    # the register of implemented measures, as the city would keep it (no true effect)
    cols = ["measure_id", "category", "lat", "lon", "built_on", "cost_eur", "radius_m"]
    pd.DataFrame(sim.meta["measures"])[cols].to_csv(out / "measures.csv", index=False)
    make_addresses(sim.areas, seed).to_csv(out / "addresses.csv", index=False)
    _write_truth(out / "truth", sim, refs)
    return {
        "cells": len(sim.grid),
        "sensors": len(sim.sensors),
        "observations": len(sim.observations),
        "proposals": len(sim.proposals),
        "voters": sim.votes["voter_id"].nunique(),
        "faults": len(sim.faults),
    }


def _write_network(out: Path, sim: SyntheticCity) -> None:
    """The network readings as a generic long CSV (gzip), and the sensor metadata."""
    obs = sim.observations.merge(sim.sensors[["sensor_id", "lat", "lon"]], on="sensor_id")
    obs["time"] = obs["time"].dt.strftime("%Y-%m-%dT%H:%MZ")
    obs["lat"] = obs["lat"].round(6)
    obs["lon"] = obs["lon"].round(6)
    with gzip.open(
        out / "network_observations.csv.gz", "wt", encoding="utf-8", compresslevel=9
    ) as fh:
        obs[["sensor_id", "time", "quantity", "value", "unit", "lat", "lon"]].to_csv(
            fh, index=False
        )
    sim.sensors.to_csv(out / "sensors.csv", index=False)


def _write_urbanpulse(path: Path, stations: list[dict[str, Any]], times: pd.DatetimeIndex) -> None:
    """The weather stations as an UrbanPulse GeoJSON feed (one feature per reading, gzip)."""
    feats = []
    for st in stations:
        for label, (values, unit, digits) in st["series"].items():
            for t, v in zip(times, values, strict=True):
                feats.append(
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "Point",
                            "coordinates": [round(st["lon"], 6), round(st["lat"], 6)],
                        },
                        "properties": {
                            "SID": f"{st['sensor_id']}-{label}",
                            "deviceId": st["sensor_id"],
                            "deviceName": st["name"],
                            "deviceType": "weather_station",
                            "sensorLabel": label,
                            "timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                            "units": unit,
                            "value": round(float(v), digits),
                        },
                    }
                )
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump({"type": "FeatureCollection", "features": feats}, fh, separators=(",", ":"))


def _write_uba(out: Path, refs: list[dict[str, Any]], times: pd.DatetimeIndex) -> None:
    """Each reference station and component as an UBA air_data v3 JSON (hourly, CET)."""
    cet = times.tz_convert("Etc/GMT-1")
    for ref in refs:
        for q, comp in UBA_COMPONENTS.items():
            data = {}
            for t, v in zip(cet, ref[q], strict=True):
                end = t + pd.Timedelta("1h")
                start_txt = t.strftime("%Y-%m-%d %H:%M:%S")
                end_txt = end.strftime("%Y-%m-%d %H:%M:%S")
                if end.hour == 0:  # UBA writes the end of the day as hour 24
                    end_txt = (end - pd.Timedelta("1D")).strftime("%Y-%m-%d") + " 24:00:00"
                data[start_txt] = [comp, 2, float(v), end_txt, "1"]
            doc = {
                "request": {
                    "station": ref["code"],
                    "component": str(comp),
                    "scope": "2",
                    "date_from": str(cet[0].date()),
                    "date_to": str(cet[-1].date()),
                    "lang": "de",
                    "index": "code",
                },
                "data": {ref["code"]: data},
                "count": len(data),
            }
            (out / f"uba_{ref['code']}_{q}.json").write_text(json.dumps(doc), encoding="utf-8")


def _write_truth(truth: Path, sim: SyntheticCity, refs: list[dict[str, Any]]) -> None:
    """True cell fields, true values behind every reading, the fault log and the metadata."""
    sim.truth_cells.to_parquet(truth / "truth_cells.parquet", index=False)
    tob = sim.truth_observations.copy()
    tob["true_value"] = tob["true_value"].astype("float32")
    tob.to_parquet(truth / "truth_observations.parquet", index=False, compression="zstd")
    sim.faults.to_csv(truth / "faults.csv", index=False)
    meta = dict(sim.meta)
    meta["references"] = [
        {k: v for k, v in r.items() if not isinstance(v, np.ndarray)} for r in refs
    ]
    (truth / "truth.json").write_text(
        json.dumps(meta, indent=1, default=str, ensure_ascii=False), encoding="utf-8"
    )
