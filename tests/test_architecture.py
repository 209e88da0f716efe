"""The house rules of ARCHITECTURE.md, checked on the code itself (ast, nothing imported)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "workbench"
# the floors that must not know the presentation or simulation wings
CORE = ("store", "importers", "ingest", "qc", "models", "allocation", "participation", "pipeline")
# plain modules at the top of the package that belong to the ground floor
GROUND = ("address_files", "addresses", "streets", "config", "errors", "geo", "i18n", "measures",
          "privacy", "quantities", "query", "rundir", "workspace")  # fmt: skip
WINGS = ("workbench.present", "workbench.simulate")
UI_LIBRARIES = ("ipywidgets", "ipyleaflet", "voila", "matplotlib")
# pipeline steps that produce a presentation may call the presentation wing, inside the
# step function only (never at module level); the demo also reads the simulation's truth
LAZY_WING_IMPORTS = {
    "workbench/pipeline/report.py": {"workbench.present"},
    "workbench/pipeline/publish.py": {"workbench.present"},
    "workbench/pipeline/demo.py": {"workbench.present", "workbench.simulate"},
}
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 100


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def rel(p: Path) -> str:
    return p.relative_to(REPO).as_posix()


def is_core(p: Path) -> bool:
    parts = p.relative_to(PACKAGE).parts
    return parts[0] in CORE or Path(parts[0]).stem in GROUND  # a module or a package


def _outside_functions(tree: ast.AST) -> list[ast.AST]:
    """Every node that runs at import time (also inside ``try``/``if``/``class``), not the
    bodies of functions."""
    out, todo = [], list(ast.iter_child_nodes(tree))
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return out


def imports(tree: ast.AST, *, module_level: bool) -> list[tuple[int, str]]:
    """(line, imported module) of every import; only top-level statements if asked."""
    nodes = _outside_functions(tree) if module_level else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def test_the_walk_finds_the_whole_house():
    names = {rel(p) for p in modules()}
    assert "workbench/pipeline/fit.py" in names and "workbench/present/serve.py" in names
    assert sum(is_core(p) for p in modules()) > 50


@pytest.mark.parametrize("path", [p for p in modules() if is_core(p)], ids=rel)
def test_core_does_not_import_the_wings_or_ui_libraries(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed_lazy = LAZY_WING_IMPORTS.get(rel(path), set())
    top = imports(tree, module_level=True)
    bad = [
        f"line {n}: {m}" for n, m in top if m.startswith(WINGS) or m.split(".")[0] in UI_LIBRARIES
    ]
    top_lines = {n for n, _ in top}
    bad += [
        f"line {n}: {m} (inside a function)"
        for n, m in imports(tree, module_level=False)
        if n not in top_lines
        and m.startswith(WINGS)
        and not any(m.startswith(w) for w in allowed_lazy)
    ]
    assert not bad, f"{rel(path)} imports what the core may not: {bad}"


def test_the_rule_can_fail(tmp_path: Path):
    """A module that imports the presentation wing is caught by the same walk."""
    src = (
        "from workbench.present.maps import city_map\n"
        "try:\n    import matplotlib.pyplot as plt\nexcept ImportError:\n    plt = None\n"
        "def later():\n    import ipywidgets\n"
    )
    found = [m for _, m in imports(ast.parse(src), module_level=True)]
    assert "ipywidgets" not in found  # inside a function: not at import time
    assert any(m.startswith(WINGS) for m in found)
    assert any(m.split(".")[0] in UI_LIBRARIES for m in found)


@pytest.mark.parametrize("path", modules(), ids=rel)
def test_modules_and_functions_stay_small(path: Path):
    src = path.read_text(encoding="utf-8")
    assert src.count("\n") <= MAX_MODULE_LINES, f"{rel(path)} has over {MAX_MODULE_LINES} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(src))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{rel(path)}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_every_pipeline_step_returns_a_step_result():
    for path in sorted((PACKAGE / "pipeline").glob("*.py")):
        if path.stem in ("__init__", "result"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        runs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run"]
        assert runs, f"{rel(path)} has no run()"
        ret = ast.unparse(runs[0].returns) if runs[0].returns else None
        assert ret == "StepResult", f"{rel(path)}: run() returns {ret}, not StepResult"


def test_no_module_cites_a_design_section_that_is_not_in_the_repository():
    cited = [rel(p) for p in modules() if "DESIGN §" in p.read_text(encoding="utf-8")]
    assert not cited, f"{cited} cite a DESIGN section; cite ARCHITECTURE.md or docs/ instead"


# who may not import whom, beyond the core rule above: the wings stay apart, nothing
# imports the command line, and only the workflow floor (and the wings) call the workflow
FORBIDDEN = {
    "workbench/present/": ("workbench.simulate", "workbench.cli"),
    "workbench/simulate/": ("workbench.present", "workbench.pipeline", "workbench.cli"),
    "workbench/pipeline/": ("workbench.cli",),
}


@pytest.mark.parametrize("path", modules(), ids=rel)
def test_the_floors_import_only_downwards(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = imports(tree, module_level=False)
    forbidden = next((v for k, v in FORBIDDEN.items() if rel(path).startswith(k)), ())
    if is_core(path) and not rel(path).startswith("workbench/pipeline/"):
        forbidden = ("workbench.pipeline", "workbench.cli")
    bad = [f"line {n}: {m}" for n, m in found if m.startswith(forbidden)] if forbidden else []
    assert not bad, f"{rel(path)} imports upwards or across the wings: {bad}"


@pytest.mark.parametrize("path", modules(), ids=rel)
def test_imports_are_absolute(path: Path):
    """Relative imports would slip past the walks above; the house uses absolute ones."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel_imports = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
    assert not rel_imports, f"{rel(path)}: relative imports on lines {rel_imports}"
