"""Generate the bundled, SIMULATED Gelsenkirchen demo data into data/demo/.

    python data/generate_demo.py            # seed 2025, the committed output
    python data/generate_demo.py --seed 7 --out /tmp/demo

The logic lives in workbench.synthetic (so tests can make small seeded cities); this
script only writes the files in the formats the city's real sources use:

  areas.geojson                 approximate Stadtteil polygons (EPSG:4326)
  grid.parquet                  100 m grid (EPSG:25832) with covariates and population
  network_observations.csv.gz   the GE grünt sensor network, generic long CSV
  urbanpulse_weather.geojson.gz three weather stations, UrbanPulse GeoJSON feed
  uba_<station>_<component>.json reference stations DENW022/DENW208, UBA air_data v3
  proposals.csv, votes.csv      green-budget proposals and approval ballots
  measures.csv                  register of implemented measures (one, of known effect)
  truth/                        the true fields, true values and the injected faults
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.geo import areas_to_geojson
from workbench.synthetic import generate_city

UBA_COMPONENTS = {"pm10": 1, "no2": 5, "pm2_5": 9}


def write_demo(out: Path, seed: int = 2025, **city: Any) -> dict[str, int]:
    """Write a simulated city; ``city`` passes size options to ``generate_city``
    (tests write small cities this way)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    city = generate_city(seed=seed, **city)
    times: pd.DatetimeIndex = city.meta.pop("times")
    stations = city.meta.pop("stations")
    refs = city.meta.pop("references")

    (out / "areas.geojson").write_text(
        json.dumps(areas_to_geojson(city.areas), ensure_ascii=False, indent=None) + "\n",
        encoding="utf-8",
    )
    city.grid.drop(columns=["area_id"]).to_parquet(out / "grid.parquet", index=False)

    obs = city.observations.merge(city.sensors[["sensor_id", "lat", "lon"]], on="sensor_id")
    obs["time"] = obs["time"].dt.strftime("%Y-%m-%dT%H:%MZ")
    obs["lat"] = obs["lat"].round(6)
    obs["lon"] = obs["lon"].round(6)
    with gzip.open(
        out / "network_observations.csv.gz", "wt", encoding="utf-8", compresslevel=9
    ) as fh:
        obs[["sensor_id", "time", "quantity", "value", "unit", "lat", "lon"]].to_csv(
            fh, index=False
        )
    city.sensors.to_csv(out / "sensors.csv", index=False)

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
    with gzip.open(
        out / "urbanpulse_weather.geojson.gz", "wt", encoding="utf-8", compresslevel=9
    ) as fh:
        json.dump({"type": "FeatureCollection", "features": feats}, fh, separators=(",", ":"))

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

    city.proposals.to_csv(out / "proposals.csv", index=False)
    city.votes.to_csv(out / "votes.csv", index=False)
    # the register of implemented measures, as the city would keep it (no true effect)
    cols = ["measure_id", "category", "lat", "lon", "built_on", "cost_eur", "radius_m"]
    pd.DataFrame(city.meta["measures"])[cols].to_csv(out / "measures.csv", index=False)
    city.truth_cells.to_parquet(out / "truth" / "truth_cells.parquet", index=False)
    tob = city.truth_observations.copy()
    tob["true_value"] = tob["true_value"].astype("float32")
    tob.to_parquet(out / "truth" / "truth_observations.parquet", index=False, compression="zstd")
    city.faults.to_csv(out / "truth" / "faults.csv", index=False)
    meta = dict(city.meta)
    meta["references"] = [
        {k: v for k, v in r.items() if not isinstance(v, np.ndarray)} for r in refs
    ]
    (out / "truth" / "truth.json").write_text(
        json.dumps(meta, indent=1, default=str, ensure_ascii=False), encoding="utf-8"
    )
    return {
        "cells": len(city.grid),
        "sensors": len(city.sensors),
        "observations": len(city.observations),
        "proposals": len(city.proposals),
        "voters": city.votes["voter_id"].nunique(),
        "faults": len(city.faults),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "demo")
    args = ap.parse_args()
    print(write_demo(args.out, args.seed))


if __name__ == "__main__":
    main()
