"""The shape of app/: layers one way (import-linter), no hidden imports, small modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).parents[2] / "app"
# docs/architecture.md explains the limit; the guide's "about 400 lines" with a little slack.
MAX_LINES = 420


def _function_imports(path: Path) -> list[tuple[int, str, str]]:
    """(line, module, source line) of every import inside a function of the module."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom | ast.Import):
                    module = (
                        inner.module if isinstance(inner, ast.ImportFrom) else inner.names[0].name
                    ) or ""
                    found.append((inner.lineno, module, lines[inner.lineno - 1]))
    return found


def test_no_import_of_the_app_hides_in_a_function():
    """An import hidden in a function to dodge a cycle is a cycle. The app factory, which ties
    the packages together, is the one place that imports them inside a function."""
    hidden = []
    for path in APP.rglob("*.py"):
        if path == APP / "__init__.py":
            continue
        for line, module, text in _function_imports(path):
            if module.startswith("app") and "#" not in text:
                hidden.append(f"{path.relative_to(APP.parent)}:{line}: {module}")
    assert hidden == []


def test_no_module_is_over_the_size_limit():
    sizes = {
        str(path.relative_to(APP.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in APP.rglob("*.py")
    }
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {}


def test_the_layers_contract_holds():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        capture_output=True,
        text=True,
        check=False,
        cwd=APP.parent,
    )
    assert result.returncode == 0, result.stdout[-3000:]
