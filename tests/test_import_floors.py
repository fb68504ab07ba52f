"""The import floors: models -> workflow (and policy) -> views, CLI commands and jobs.

A lower floor never imports a higher one, and no two modules import each other at module level
(a blueprint package and its own view modules excepted: Flask's `bp` idiom)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nominations"
BLUEPRINTS = ("admin", "auth", "calls", "exports", "nominate", "public", "results", "review")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return {name for name in names if name in MODULES}


def _floor(module: str) -> str:
    part = module.split(".")[1] if "." in module else ""
    if part in ("models", "mail"):
        return "models"
    if part in ("workflow", "policy"):
        return "workflow"
    if part in BLUEPRINTS or part in ("scheduling", "cli", "demo"):
        return "edge"
    return "shared"  # extensions, time, storage, formatting, ...: usable from every floor


ORDER = {"models": 0, "workflow": 1, "edge": 2}


def test_no_floor_imports_a_higher_one():
    upward = [
        f"{module} -> {imported}"
        for module, path in MODULES.items()
        if _floor(module) in ORDER
        for imported in _imports(path, top_level_only=False)
        if _floor(imported) in ORDER and ORDER[_floor(imported)] > ORDER[_floor(module)]
    ]
    assert upward == []


def test_no_import_circles_at_module_level():
    graph = {name: _imports(path, top_level_only=True) for name, path in MODULES.items()}
    circles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        for imported in graph[name]:
            if imported in trail:
                circle = trail[trail.index(imported) :] + [imported]
                packages = {".".join(m.split(".")[:2]) for m in circle}
                if len(packages) > 1:  # a blueprint and its own views share one package
                    circles.append(circle)
            elif imported not in seen:
                seen.add(imported)
                visit(imported, [*trail, imported])

    seen: set[str] = set()
    for name in graph:
        if name not in seen:
            seen.add(name)
            visit(name, [name])
    assert circles == []


def test_the_floors_are_all_seen():
    """The check above means something only if every floor has modules in it."""
    floors = {_floor(name) for name in MODULES}
    assert {"models", "workflow", "edge", "shared"} <= floors
