"""The project's own set-up promises: README commands, CI, conda/pip agreement, lint."""

import re
import subprocess
import sys
import tomllib

import yaml
from conftest import REPO

CONDA_NAMES = {"duckdb": "python-duckdb"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req, maxsplit=1)[0].strip().lower()


def _spec(req: str) -> str:
    return req[len(_name(req)) :].strip()


def test_environment_yml_agrees_with_pyproject():
    py = tomllib.loads((REPO / "pyproject.toml").read_text())
    extras = py["project"]["optional-dependencies"]
    reqs = py["project"]["dependencies"] + [r for group in extras.values() for r in group]
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = {_name(d): _spec(d) for d in env["dependencies"] if isinstance(d, str)}
    # packages conda-forge does not carry are installed by pip inside the environment
    for d in env["dependencies"]:
        if isinstance(d, dict):
            conda.update({_name(p): _spec(p) for p in d.get("pip", []) if not p.startswith("-")})
    for r in reqs:
        name = CONDA_NAMES.get(_name(r), _name(r))
        assert name in conda, f"{r} is in pyproject.toml but not in environment.yml"
        assert conda[name] == _spec(r), (
            f"{name}: pyproject says {_spec(r)!r}, conda {conda[name]!r}"
        )
    pip_names = {CONDA_NAMES.get(_name(r), _name(r)) for r in reqs}
    extra = set(conda) - pip_names - {"python", "pip"}
    assert not extra, f"environment.yml lists {extra} that pyproject.toml does not"
    assert _spec(f"python{conda['python']}") == py["project"]["requires-python"]


def test_readme_first_screen_has_the_two_commands_and_ci_runs_the_test_one():
    first_screen = "\n".join((REPO / "README.md").read_text().splitlines()[:40])
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", first_screen, re.S)
    commands = [
        ln.strip()
        for b in blocks
        for ln in b.splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]
    assert commands[:2] == ["make demo", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_ruff_clean():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(REPO)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_licence_is_eupl():
    py = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert py["project"]["license"] == "EUPL-1.2"
    assert "EUROPEAN UNION PUBLIC LICENCE v. 1.2" in (REPO / "LICENSE").read_text()
