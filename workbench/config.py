"""Workspace configuration (``workbench.toml``): defaults, loading and validation."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from workbench.errors import InputError
from workbench.models.need import DEFAULT_WEIGHTS, check_weights

CONFIG_NAME = "workbench.toml"
AIR_QUANTITIES = ("pm2_5", "pm10", "no2")


def default_config_text() -> str:
    """The commented default ``workbench.toml`` written by ``workbench init``."""
    return resources.files("workbench").joinpath("templates/workbench.toml").read_text("utf-8")


def default_config() -> dict[str, Any]:
    return tomllib.loads(default_config_text())


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_config(path: str | Path) -> dict[str, Any]:
    """Load ``workbench.toml`` over the defaults.

    Raises
    ------
    ValueError
        If the file is not valid TOML or a known value has the wrong type.
    """
    p = Path(path)
    try:
        user = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: not valid TOML ({exc})") from None
    cfg = _merge(default_config(), user)
    weights = cfg.get("need", {}).get("weights", {})
    for k, v in weights.items():
        if not isinstance(v, int | float) or v < 0:
            raise InputError(f"{p}: need.weights.{k} must be a non-negative number, got {v!r}")
    tz = cfg["import"].get("timezone", "")
    if not isinstance(tz, str):
        raise InputError(f"{p}: import.timezone must be text, got {tz!r}")
    return cfg


@dataclass(frozen=True)
class FitSettings:
    """Model parameters from ``workbench.toml`` (``[heat]``, ``[air]``, ``[hotspots]``,
    ``[need]``, ``[model]``), validated."""

    reference: str = "quantile:0.1"
    timezone: str = "Europe/Berlin"
    night: tuple[int, int] = (22, 6)
    min_nights: int = 7
    heat_covariates: tuple[str, ...] = ("impervious", "green", "water", "building_height")
    air_quantities: tuple[str, ...] = AIR_QUANTITIES
    air_covariates: tuple[str, ...] = ("road_density", "impervious")
    min_daily_hours: int = 18
    min_period_coverage: float = 0.75
    cv_block_m: float = 2000.0
    hotspot_distance_m: float = 500.0
    permutations: int = 999
    alpha: float = 0.05
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    draws: int = 500
    concentration: float = 20.0
    seed: int = 0

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> FitSettings:
        heat = cfg.get("heat", {})
        air = cfg.get("air", {})
        hs = cfg.get("hotspots", {})
        need = cfg.get("need", {})
        model = cfg.get("model", {})
        qc = cfg.get("qc", {})
        d = cls()
        s = cls(
            reference=str(heat.get("reference", d.reference)),
            timezone=str(heat.get("timezone", d.timezone)),
            night=tuple(heat.get("night_hours", d.night)),  # type: ignore[arg-type]
            min_nights=int(heat.get("min_nights", d.min_nights)),
            heat_covariates=tuple(heat.get("covariates", d.heat_covariates)),
            air_quantities=tuple(air.get("quantities", d.air_quantities)),
            air_covariates=tuple(air.get("covariates", d.air_covariates)),
            min_daily_hours=int(qc.get("min_daily_hours", d.min_daily_hours)),
            min_period_coverage=float(qc.get("min_period_coverage", d.min_period_coverage)),
            cv_block_m=float(model.get("cv_block_m", d.cv_block_m)),
            hotspot_distance_m=float(hs.get("distance_m", d.hotspot_distance_m)),
            permutations=int(hs.get("permutations", d.permutations)),
            alpha=float(hs.get("alpha", d.alpha)),
            weights=check_weights(need.get("weights", d.weights)),
            draws=int(need.get("draws", d.draws)),
            concentration=float(need.get("concentration", d.concentration)),
            seed=int(model.get("seed", d.seed)),
        )
        s.validate()
        return s

    def validate(self) -> None:
        if len(self.night) != 2 or not all(0 <= h <= 23 for h in self.night):
            raise InputError(f"heat.night_hours must be two hours 0..23, got {list(self.night)}")
        bad = set(self.air_quantities) - set(AIR_QUANTITIES)
        if bad:
            raise InputError(f"air.quantities: unknown {sorted(bad)}; allowed {AIR_QUANTITIES}")
        for name in ("cv_block_m", "hotspot_distance_m", "concentration"):
            if getattr(self, name) <= 0:
                raise InputError(f"{name} must be positive, got {getattr(self, name)}")
        if not 0 < self.alpha < 1:
            raise InputError(f"hotspots.alpha must be in (0, 1), got {self.alpha}")
        if self.permutations < 99:
            raise InputError(f"hotspots.permutations must be ≥ 99, got {self.permutations}")
        if self.draws < 20:
            raise InputError(f"need.draws must be ≥ 20, got {self.draws}")
        if not 0 < self.min_period_coverage <= 1:
            raise InputError("qc.min_period_coverage must be in (0, 1]")
