"""The layers of ``src/comfy_contract`` (docs/architecture.md), checked on the import graph.

Every module belongs to a stage (its first-level subpackage, or ``plugin``/``__main__``/the package root).
A module may import its own stage and stages on lower layers - never a higher layer, never a sibling on
the same layer (``validation`` and ``render`` do not know each other). There is no exception: imports
inside functions and under ``if TYPE_CHECKING:`` count the same, and nothing imports the package root.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "comfy_contract"

#: stage -> layer; lower layers never import higher ones ("" is the package root, the public facade)
LAYERS: dict[str, int] = {
    "core": 0,
    "validation": 1,
    "render": 1,
    "snapshot": 2,
    "check": 3,
    "report": 4,
    "live": 5,
    "fuzz": 5,
    "cli": 6,
    "plugin": 6,
    "__main__": 7,
    "": 7,
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. comfy_contract.check.engine
    target: str  # the imported module, e.g. comfy_contract.core.findings
    line: int
    type_checking: bool


def stage(module: str) -> str:
    """``comfy_contract.check.engine`` -> ``check``; the package root -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(module: str, source: str, *, is_package: bool, known: frozenset[str]) -> Iterator[Import]:
    """The ``comfy_contract`` imports of one module (relative ones resolved; ``from P import m`` is ``P.m``
    when ``P.m`` is a module in ``known``)."""
    here = module.split(".") if is_package else module.split(".")[:-1]

    def visit(node: ast.AST, guarded: bool) -> Iterator[Import]:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from visit(child, True)
            for child in node.orelse:
                yield from visit(child, guarded)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    yield Import(module, alias.name, node.lineno, guarded)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name == PACKAGE or name.startswith(PACKAGE + "."):
                for alias in node.names:
                    sub = f"{name}.{alias.name}"
                    yield Import(module, sub if sub in known else name, node.lineno, guarded)
        for child in ast.iter_child_nodes(node):
            yield from visit(child, guarded)

    yield from visit(ast.parse(source), False)


def violations(found: Iterable[Import]) -> list[str]:
    """Each import that breaks the layering, as ``module:line imports target (why)``."""
    out = []
    for imp in found:
        src, dst = stage(imp.module), stage(imp.target)
        where = f"{imp.module}:{imp.line} imports {imp.target}" + (" (under TYPE_CHECKING)" if imp.type_checking
                                                                    else "")
        if src not in LAYERS or dst not in LAYERS:
            unknown = src if src not in LAYERS else dst
            out.append(f"{where}: stage {unknown!r} has no layer; add it to LAYERS and docs/architecture.md")
        elif src != dst and LAYERS[dst] >= LAYERS[src]:
            relation = "a sibling on the same layer" if LAYERS[dst] == LAYERS[src] else "a higher layer"
            out.append(f"{where}: {dst or 'the package root'!r} is {relation} than {src or 'the root'!r}")
    return out


def package_modules(src: Path = SRC) -> dict[str, tuple[Path, bool]]:
    """Every module under ``src/comfy_contract``: dotted name -> (file, is a package)."""
    out = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return out


def graph(src: Path = SRC) -> list[Import]:
    modules = package_modules(src)
    known = frozenset(modules)
    return [imp for name, (path, is_package) in modules.items()
            for imp in imports(name, path.read_text("utf-8"), is_package=is_package, known=known)]


# -- the real tree -------------------------------------------------------------------------------------------


def test_the_import_graph_respects_the_layers() -> None:
    found = graph()
    assert len(found) > 100  # the parser sees the imports
    assert violations(found) == []


def test_every_stage_has_a_layer() -> None:
    stages = {stage(name) for name in package_modules()}
    assert stages == set(LAYERS)


# -- the checker itself can fail -----------------------------------------------------------------------------

KNOWN = frozenset({"comfy_contract", "comfy_contract.core", "comfy_contract.core.findings",
                   "comfy_contract.check", "comfy_contract.check.engine", "comfy_contract.render",
                   "comfy_contract.render.model", "comfy_contract.validation", "comfy_contract.validation.catalog",
                   "comfy_contract.fuzz", "comfy_contract.fuzz.strategies"})


def _check(module: str, source: str, *, is_package: bool = False) -> list[str]:
    return violations(imports(module, source, is_package=is_package, known=KNOWN))


@pytest.mark.parametrize(("module", "source", "why"), [
    ("comfy_contract.core.findings", "from comfy_contract.check.engine import Engine\n", "a higher layer"),
    ("comfy_contract.core.findings", "import comfy_contract.check.engine\n", "a higher layer"),
    ("comfy_contract.core.findings", "from ..check import engine\n", "a higher layer"),
    ("comfy_contract.validation.catalog", "from comfy_contract.render.model import Rendered\n", "a sibling"),
    ("comfy_contract.render.model", "def f():\n    from comfy_contract.validation import catalog\n", "a sibling"),
    ("comfy_contract.core.findings",
     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from comfy_contract.check.engine import Engine\n",
     "under TYPE_CHECKING"),
    ("comfy_contract.report.text", "from comfy_contract import __version__\n", "the package root"),
    ("comfy_contract.nowhere.thing", "from comfy_contract.core.findings import Finding\n", "has no layer"),
])
def test_a_synthetic_violation_is_reported(module: str, source: str, why: str) -> None:
    found = _check(module, source)
    assert len(found) == 1, found
    assert why in found[0]
    assert module in found[0]


@pytest.mark.parametrize(("module", "source"), [
    ("comfy_contract.check.engine", "from comfy_contract.core.findings import Finding\n"),
    ("comfy_contract.check.engine", "from comfy_contract.validation.catalog import Catalog\n"
                                    "from comfy_contract.render.model import Rendered\n"),
    ("comfy_contract.fuzz.target", "from comfy_contract.fuzz import strategies\n"),
    ("comfy_contract.fuzz.target", "from . import strategies\nfrom ..check.engine import Engine\n"),
    ("comfy_contract.plugin",
     "import typing\nif typing.TYPE_CHECKING:\n    from comfy_contract.check.engine import Engine\n"),
    ("comfy_contract.core.findings", "import json\nfrom typing import Any\n"),
])
def test_allowed_imports_pass(module: str, source: str) -> None:
    assert _check(module, source) == []


def test_relative_imports_resolve_from_a_package() -> None:
    found = list(imports("comfy_contract.core", "from ..check import engine\n", is_package=True, known=KNOWN))
    assert [i.target for i in found] == ["comfy_contract.check.engine"]
    assert violations(found)


# -- docs/architecture.md stays true ---------------------------------------------------------------------------

REPO = SRC.parent
ARCHITECTURE = REPO / "docs" / "architecture.md"

#: extension point -> (file, the names the doc tells a contributor to change there)
EXTENSION_POINTS = {
    "check": ("check/engine.py", ("CHECKS", "Check", "Found", "Suite", "suite_from_project")),
    "lint": ("check/lints.py", ("LINTS", "PROJECT_LINTS", "Lint", "ProjectLint", "LintContext")),
    "finding code": ("core/codes.py", ("_TABLE", "Code")),
    "era": ("validation/eras/__init__.py", ("ERAS", "_ALL", "choose_era")),
    "report format": ("report/formats.py", ("WRITERS",)),
    "generator": ("render/model.py", ("Generator", "Rendered")),
    "CLI command": ("cli/__init__.py", ("COMMANDS",)),
    "profile": ("fuzz/profiles.py", ("register_profiles",)),
}


def _top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_every_path_the_architecture_doc_cites_exists() -> None:
    text = ARCHITECTURE.read_text("utf-8")
    cited = set()
    for token in re.findall(r"`([^`\s]+)`", text):
        path = token.rstrip(",.")
        if "<" in path:  # a template such as report/<name>.py
            continue
        if path.startswith(("src/", "tests/", "docs/", "contracts/")):
            cited.add(REPO / path)
        elif re.fullmatch(r"[a-z_]+/([a-z_]+/)*([a-z_]+\.py)?", path):
            cited.add(SRC / PACKAGE / path)
    assert len(cited) > 20
    missing = sorted(str(p.relative_to(REPO)) for p in cited if not p.exists())
    assert missing == []


@pytest.mark.parametrize("point", EXTENSION_POINTS)
def test_each_extension_point_names_a_file_and_what_to_change(point: str) -> None:
    file, names = EXTENSION_POINTS[point]
    text = ARCHITECTURE.read_text("utf-8")
    assert file in text
    defined = _top_level_names(SRC / PACKAGE / file)
    for name in names:
        assert name in defined, f"{file} defines no {name!r}: update docs/architecture.md"
        spans = re.findall(r"`([^`]+)`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
        assert any(re.search(rf"\b{re.escape(name)}\b", span) for span in spans), \
            f"docs/architecture.md does not name {name!r}"


def test_the_doc_names_every_layer() -> None:
    text = ARCHITECTURE.read_text("utf-8")
    for name in LAYERS:
        if name and name != "__main__":
            assert name in text, name
