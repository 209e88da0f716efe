"""Workspace configuration (``workbench.toml``): defaults, loading and validation."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

CONFIG_NAME = "workbench.toml"


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
        raise ValueError(f"{p}: not valid TOML ({exc})") from None
    cfg = _merge(default_config(), user)
    weights = cfg.get("need", {}).get("weights", {})
    for k, v in weights.items():
        if not isinstance(v, int | float) or v < 0:
            raise ValueError(f"{p}: need.weights.{k} must be a non-negative number, got {v!r}")
    tz = cfg["import"].get("timezone", "")
    if not isinstance(tz, str):
        raise ValueError(f"{p}: import.timezone must be text, got {tz!r}")
    return cfg
