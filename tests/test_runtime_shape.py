"""The runtime stays small enough to hold in one's head (DESIGN.md, `runtime/`): no function
over 60 lines, no class over 250, every module declares `__all__`, and no module imports
another that (at module level) imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parent.parent / "runtime"
MODULES = sorted(RUNTIME.glob("*.py"))
MAX_FUNCTION, MAX_CLASS = 60, 250


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_functions_and_classes_stay_short(path: Path) -> None:
    too_long = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            limit = MAX_CLASS if isinstance(node, ast.ClassDef) else MAX_FUNCTION
            if size > limit:
                too_long.append(f"{path.name}:{node.lineno} {node.name} is {size} lines")
    assert not too_long, too_long


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_every_module_says_what_it_exports(path: Path) -> None:
    tree = _tree(path)
    declared = [
        n
        for n in tree.body
        if (
            isinstance(n, ast.Assign)
            and any(getattr(t, "id", None) == "__all__" for t in n.targets)
        )
        or (isinstance(n, ast.ImportFrom) and any(a.name == "__all__" for a in n.names))
    ]
    if path.name != "__init__.py":  # the package exports through its lazy __getattr__
        assert declared, f"{path.name} has no __all__"


def _imports(path: Path) -> set[str]:
    """The runtime modules `path` imports when it is imported (not under TYPE_CHECKING, not
    inside a function)."""
    out: set[str] = set()
    for node in _tree(path).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
            out.update(n.split(".")[0] for n in names if n)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("modelwire._"):
            out.add((node.module or "").split(".")[1])
    return out


def test_no_import_cycles() -> None:
    graph = {p.stem: _imports(p) for p in MODULES}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        stack.append(name)
        for dep in sorted(graph.get(name, ())):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep in graph and not state.get(dep):
                visit(dep, stack)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if not state.get(name):
            visit(name, [])
    assert not cycles, " ; ".join(" -> ".join(c) for c in cycles)


def test_the_checks_see_a_long_function_and_a_cycle(tmp_path: Path) -> None:
    """The checks above would fail on what they look for (they are not vacuous)."""
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION + 1))
    long = tmp_path / "_long.py"
    long.write_text(f"def f() -> None:\n{body}\n", encoding="utf-8")
    sizes = [
        (n.end_lineno or 0) - n.lineno + 1
        for n in ast.walk(_tree(long))
        if isinstance(n, ast.FunctionDef)
    ]
    assert sizes == [MAX_FUNCTION + 2]
    (tmp_path / "_a.py").write_text("from ._b import x\n", encoding="utf-8")
    (tmp_path / "_b.py").write_text("from ._a import y\n", encoding="utf-8")
    assert _imports(tmp_path / "_a.py") == {"_b"} and _imports(tmp_path / "_b.py") == {"_a"}
