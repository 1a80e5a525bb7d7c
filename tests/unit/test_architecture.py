"""The shape of the house, checked from the source so it cannot drift.

Imports are read with :mod:`ast` (every import, also the ones inside functions or under
``TYPE_CHECKING``: a lazy import hides a cycle, it does not remove it). ``from package import
name`` counts as an import of the module ``package.name`` when that is a module, else of
``package`` itself, as Python resolves it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("workspace", "adapters", "switchboard")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# The provider simulator speaks four wire protocols in one module each; it is a test double,
# not product code, so only its functions are held to the limit.
LONG_MODULES_ALLOWED_UNDER = "adapters.simulator"
# The one seam where the app reaches past the adapters' public contract: the CLI starts the
# provider simulator for the offline demo.
SIMULATOR_SEAM = ("workspace.cli.",)


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def _modules() -> dict[str, Module]:
    found: dict[str, Module] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = Module(name, path, ast.parse(path.read_text(), str(path)))
    return found


MODULES = _modules()


def _imports(module: Module) -> Iterator[str]:
    """Every module ``module`` imports (first-party or not)."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.name.split(".")
                if not module.is_package:
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                yield submodule if submodule in MODULES else target


def _graph() -> dict[str, set[str]]:
    return {
        name: {t for t in _imports(module) if t in MODULES and t != name}
        for name, module in MODULES.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(_graph()) == []


def test_no_import_cycle_between_packages() -> None:
    packages: dict[str, set[str]] = defaultdict(set)
    for source, targets in _graph().items():
        packages[_package_of(source)] |= {
            _package_of(t) for t in targets if _package_of(t) != _package_of(source)
        }
    for targets in list(packages.values()):
        for target in targets:
            packages.setdefault(target, set())
    assert _cycles(dict(packages)) == []


def test_adapters_know_nothing_of_the_app() -> None:
    offenders = sorted(
        f"{name} imports {target}"
        for name, module in MODULES.items()
        if name.startswith("adapters")
        for target in _imports(module)
        if target == "workspace" or target.startswith("workspace.")
    )
    assert offenders == []


def test_the_client_package_stands_alone() -> None:
    """``switchboard`` (client and CLI) is what users install and import: no server inside."""
    offenders = sorted(
        f"{name} imports {target}"
        for name, module in MODULES.items()
        if name.startswith("switchboard")
        for target in _imports(module)
        if target.split(".")[0] in {"workspace", "adapters"}
    )
    assert offenders == []


def test_the_app_uses_adapters_only_through_their_public_contract() -> None:
    offenders = sorted(
        f"{name} imports {target}"
        for name, module in MODULES.items()
        if name.startswith("workspace")
        for target in _imports(module)
        if target.startswith("adapters.")
        and not (target.startswith("adapters.simulator") and name.startswith(SIMULATOR_SEAM))
    )
    assert offenders == []


def test_no_module_over_the_line_limit() -> None:
    too_long = {
        name: lines
        for name, module in MODULES.items()
        if not name.startswith(LONG_MODULES_ALLOWED_UNDER)
        and (lines := len(module.path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_no_function_over_the_line_limit() -> None:
    too_long = {
        f"{name}.{node.name}": node.end_lineno - node.lineno + 1
        for name, module in MODULES.items()
        for node in ast.walk(module.tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert too_long == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_says_what_it_holds(package: str) -> None:
    """A newcomer opening a folder reads first what it is for."""
    silent = sorted(
        name
        for name, module in MODULES.items()
        if name.startswith(package) and module.is_package and not ast.get_docstring(module.tree)
    )
    assert silent == []


def test_no_loose_modules_at_the_top_of_the_app() -> None:
    loose = sorted(p.name for p in (ROOT / "workspace").glob("*.py") if p.name != "__init__.py")
    assert loose == []
