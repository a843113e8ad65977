"""The house's shape: no import cycle between backend's packages, and every package has its
place in the layers import-linter checks (pyproject.toml), so a new one cannot slip past."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
WIRING = ("backend.app", "backend.cli", "backend.worker", "backend.demo", "backend.piccolo_app")


def _is_adapter(module: str) -> bool:
    """The HTTP routes and the wiring sit on top and may reach any package."""
    return module.startswith(WIRING) or module.rsplit(".", 1)[-1].endswith("routes")


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _package_graph() -> nx.DiGraph:
    graph = grimp.build_graph("backend")
    packages = nx.DiGraph()
    for module in graph.modules:
        if _is_adapter(module):
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            if not _is_adapter(imported) and _package(module) != _package(imported):
                packages.add_edge(_package(module), _package(imported), via=f"{module} -> {imported}")
    return packages


def test_no_import_cycle_between_backends_packages() -> None:
    packages = _package_graph()
    cycles = [sorted(group) for group in nx.strongly_connected_components(packages) if len(group) > 1]
    examples = [
        packages.edges[edge]["via"]
        for group in cycles
        for edge in packages.edges
        if edge[0] in group and edge[1] in group
    ]
    assert not cycles, f"packages importing each other: {cycles}, e.g. {examples[:6]}"


def test_every_package_has_its_layer() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [layers] = [c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    placed = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    packages = {f"backend.{path.parent.name}" for path in (ROOT / "backend").glob("*/__init__.py")} | {
        f"backend.{path.stem}" for path in (ROOT / "backend").glob("*.py") if path.stem != "__init__"
    }
    assert packages - placed == set(), "give each new package its layer in pyproject.toml"
