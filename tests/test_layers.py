"""The import direction: models ← storage ← services; pure modules never reach I/O (issue #8).

Imports are read from the source (``ast``), transitively, ignoring ``if TYPE_CHECKING:`` blocks
(those never run). A violation names the chain that leads to the forbidden module.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"

# Pure modules: data in, data out. They may import models and other pure code, never I/O.
PURE = ("bot.models", "bot.stories", "bot.alerts.plan", "bot.alerts.view", "bot.language", "bot.charts.series",
        "bot.digests.schedule", "bot.digests.compose")
IO = ("bot.storage", "bot.services", "bot.ingest", "bot.app", "bot.alerts.pipeline", "bot.alerts.render",
      "bot.feeds.fetch", "bot.delivery", "bot.cli", "discord", "aiosqlite", "aiohttp")
# Storage maps rows to models: it imports only models, its own modules and the error types — and the
# pure name normaliser, because alias and term columns are keyed by the same folded form lookups use.
STORAGE_MAY_IMPORT = ("bot.models", "bot.storage", "bot.errors", "bot.catalogue.normalize")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


MODULES = {module_name(p): p for p in BOT.rglob("*.py")}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:``."""
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


@cache
def direct_imports(module: str) -> frozenset[str]:
    """The modules ``module`` imports when it runs (``from bot.x import y`` counts ``bot.x.y`` if it is a module)."""
    names: set[str] = set()
    for node in _runtime_nodes(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES)
    return frozenset(names)


def chain_to(start: str, forbidden: tuple[str, ...]) -> list[str] | None:
    """An import chain from ``start`` to a module under one of ``forbidden``, if any."""
    seen = {start}
    paths = [[start]]
    while paths:
        path = paths.pop()
        for name in sorted(direct_imports(path[-1])):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                return [*path, name]
            if name in MODULES and name not in seen:
                seen.add(name)
                paths.append([*path, name])
    return None


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith(PURE)))
def test_pure_modules_never_reach_io(module: str) -> None:
    """Models, the story decider, alert planning and views, the language layer: no storage, no network, no Discord."""
    chain = chain_to(module, IO)
    assert chain is None, " -> ".join(chain or [])


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("bot.storage")))
def test_storage_imports_only_models_and_itself(module: str) -> None:
    """All SQL maps rows to models; storage never imports domain logic."""
    bad = sorted(n for n in direct_imports(module) if n.startswith("bot") and not n.startswith(STORAGE_MAY_IMPORT))
    assert bad == []


def test_models_import_nothing_else_from_bot() -> None:
    """The domain model is the bottom layer."""
    for module in (m for m in MODULES if m.startswith("bot.models")):
        assert all(n.startswith("bot.models") for n in direct_imports(module) if n.startswith("bot")), module


def test_the_checker_sees_a_violation() -> None:
    """The rule can fail: the pipeline does reach storage."""
    assert chain_to("bot.alerts.pipeline", ("bot.storage",)) is not None
