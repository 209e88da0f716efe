"""QC settings read from ``workbench.toml`` (``[qc]``, ``[qc.<quantity>]`` and friends).

Examples
--------
>>> from workbench.config import default_config
>>> s = QCSettings.from_config(default_config())
>>> s.quantity("air_temperature")["spike"], s.kappa, int(s.informational)
(5.0, 0.4, 512)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.errors import InputError
from workbench.qc.flags import QC, parse_names
from workbench.qc.health import HealthLimits

_MODES = ("difference", "ratio")


def _num(section: str, key: str, value: Any, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"[{section}] {key} must be a number, got {value!r}")
    if positive and value <= 0:
        raise InputError(f"[{section}] {key} must be positive, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class QCSettings:
    """Everything the QC pipeline needs from the configuration."""

    quantities: dict[str, dict[str, Any]]
    informational: QC = QC.NO_RH
    exclude_sensors: tuple[str, ...] = ()
    spike_window: str = "5h"
    spike_k: float = 6.0
    neighbour_radius_m: float = 3000.0
    neighbour_min: int = 3
    neighbour_max: int = 8
    neighbour_k: float = 3.0
    level_window_h: int = 48
    indoor_min_ratio: float = 0.4
    indoor_window_days: int = 7
    min_daily_hours: int = 18
    min_period_coverage: float = 0.75
    kappa: float = 0.4
    max_rh: float = 95.0
    rh_max_distance_m: float = 2000.0
    calibrate: tuple[str, ...] = ("pm2_5", "pm10")
    calibration_method: str = "robust"
    rh_term: bool = True
    colocation_radius_m: float = 250.0
    calibration_min_hours: int = 72
    calibration_min_r2: float = 0.5
    folds: int = 5
    bootstrap: int = 400
    seed: int = 0
    as_of: str = "latest"
    health: HealthLimits = field(default_factory=HealthLimits)
    references: dict[str, dict[str, Any]] = field(default_factory=dict)

    def quantity(self, name: str) -> dict[str, Any] | None:
        """The per-quantity thresholds, or None when only the range test applies."""
        return self.quantities.get(name)

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> QCSettings:
        """Validate and convert a loaded configuration.

        Raises
        ------
        ValueError
            Naming the section and key of a value of the wrong kind.
        """
        qc = dict(cfg.get("qc", {}))
        quantities = {}
        general: dict[str, Any] = {}
        for k, v in qc.items():
            if isinstance(v, dict):
                quantities[k] = v
            else:
                general[k] = v
        hum = quantities.pop("humidity", {})
        cal = quantities.pop("calibration", {})
        hl = quantities.pop("health", {})
        for q, t in quantities.items():
            mode = t.get("mode", "difference")
            if mode not in _MODES:
                raise InputError(f"[qc.{q}] mode must be one of {_MODES}, got {mode!r}")
            rng = t.get("range")
            if rng is not None and (
                not isinstance(rng, list) or len(rng) != 2 or not rng[0] < rng[1]
            ):
                raise InputError(f"[qc.{q}] range must be [low, high] with low < high, got {rng!r}")
            for key in ("spike", "neighbour", "step", "drift", "stuck_hours"):
                if key in t:
                    _num(f"qc.{q}", key, t[key])
            if mode == "ratio":
                for key in ("neighbour", "step", "drift"):
                    if key in t and t[key] <= 1:
                        raise InputError(f"[qc.{q}] {key} is a factor in ratio mode: > 1")
        window = str(general.get("spike_window", "5h"))
        try:
            pd.Timedelta(window)
        except ValueError:
            raise InputError(
                f"[qc] spike_window must be a duration like 5h, got {window!r}"
            ) from None
        as_of = str(hl.get("as_of", "latest"))
        if as_of not in ("latest", "now"):
            raise InputError(f"[qc.health] as_of must be 'latest' or 'now', got {as_of!r}")
        method = str(cal.get("method", "robust"))
        if method not in ("robust", "ols"):
            raise InputError(f"[qc.calibration] method must be 'robust' or 'ols', got {method!r}")
        limits = HealthLimits(
            **{
                k: _num("qc.health", k, v, positive=k.endswith(("_h", "_v", "_pct")))
                for k, v in hl.items()
                if k in HealthLimits.__dataclass_fields__
            }
        )
        return cls(
            quantities=quantities,
            informational=parse_names(general.get("informational", ["no_rh"])),
            exclude_sensors=tuple(str(s) for s in general.get("exclude_sensors", [])),
            spike_window=window,
            spike_k=_num("qc", "spike_k", general.get("spike_k", 6.0)),
            neighbour_radius_m=_num(
                "qc", "neighbour_radius_m", general.get("neighbour_radius_m", 3000)
            ),
            neighbour_min=int(_num("qc", "neighbour_min", general.get("neighbour_min", 3))),
            neighbour_max=int(_num("qc", "neighbour_max", general.get("neighbour_max", 8))),
            neighbour_k=_num("qc", "neighbour_k", general.get("neighbour_k", 3.0)),
            level_window_h=int(_num("qc", "level_window_h", general.get("level_window_h", 48))),
            indoor_min_ratio=_num("qc", "indoor_min_ratio", general.get("indoor_min_ratio", 0.4)),
            indoor_window_days=int(
                _num("qc", "indoor_window_days", general.get("indoor_window_days", 7))
            ),
            min_daily_hours=int(_num("qc", "min_daily_hours", general.get("min_daily_hours", 18))),
            min_period_coverage=_num(
                "qc", "min_period_coverage", general.get("min_period_coverage", 0.75)
            ),
            kappa=_num("qc.humidity", "kappa", hum.get("kappa", 0.4), positive=False),
            max_rh=_num("qc.humidity", "max_rh", hum.get("max_rh", 95.0)),
            rh_max_distance_m=_num(
                "qc.humidity", "rh_max_distance_m", hum.get("rh_max_distance_m", 2000)
            ),
            calibrate=tuple(str(q) for q in cal.get("quantities", ["pm2_5", "pm10"])),
            calibration_method=method,
            rh_term=bool(cal.get("rh_term", True)),
            colocation_radius_m=_num(
                "qc.calibration", "colocation_radius_m", cal.get("colocation_radius_m", 250)
            ),
            calibration_min_hours=int(
                _num("qc.calibration", "min_hours", cal.get("min_hours", 72))
            ),
            calibration_min_r2=_num(
                "qc.calibration", "min_r2", cal.get("min_r2", 0.5), positive=False
            ),
            folds=int(_num("qc.calibration", "folds", cal.get("folds", 5))),
            bootstrap=int(_num("qc.calibration", "bootstrap", cal.get("bootstrap", 400))),
            seed=int(cal.get("seed", 0)),
            as_of=as_of,
            health=limits,
            references=dict(cfg.get("reference_stations", {})),
        )


__all__ = ["QCSettings"]
