"""Everything provider-specific is data: the handwritten runtime, the command line and the
generator never name a provider or a protocol in code (docstrings and comments may explain,
code may not branch)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from modelwire.generated.providers import PROVIDERS, AIModelAPIProviderEnum

ROOT = Path(__file__).resolve().parents[1]
NAMES = {
    *PROVIDERS,
    *(m.name for m in AIModelAPIProviderEnum),
    *(p for info in PROVIDERS.values() for p in info.protocols),
}
FILES = sorted(
    p for folder in ("runtime", "cli", "generator") for p in ROOT.joinpath(folder).glob("*.py")
)


def _code_words(path: Path) -> set[str]:
    """String constants (docstrings excepted), names and attributes used in the code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    words: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                words.add(node.value)
        elif isinstance(node, ast.Name):
            words.add(node.id)
        elif isinstance(node, ast.Attribute):
            words.add(node.attr)
    return words


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_provider_or_protocol_is_named_in_code(path: Path) -> None:
    found = sorted(
        name for name in NAMES for word in _code_words(path) if name.lower() in word.lower()
    )
    assert not found, f"{path.relative_to(ROOT)} names {found}: express it in specs/ instead"


def test_every_adapter_comes_from_a_protocol_spec() -> None:
    specs = {p.stem for p in ROOT.joinpath("specs", "protocols").glob("*.yaml")}
    adapters = {p.stem for p in ROOT.joinpath("generated", "adapters").glob("*.py")} - {"__init__"}
    assert adapters == specs
    for info in PROVIDERS.values():
        for binding in info.protocols.values():
            assert binding.adapter == f"modelwire.generated.adapters.{binding.protocol}"
            assert binding.protocol in specs
