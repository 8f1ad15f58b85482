"""Everything provider-specific is data: the handwritten runtime, the command line and the
generator never name a provider or a protocol in code (docstrings and comments may explain,
code may not branch)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from modelwire._provider import AuthScheme
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


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring constants of a module, its classes and its functions."""
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _code_words(path: Path) -> set[str]:
    """String constants (docstrings excepted), names and attributes used in the code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
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


# --- auth schemes, stream framings and the key env variables --------------------------------
# The runtime looks a scheme or a framing up by the name the spec gives (a registry filled by
# each class's one declaration of its name) and reads env variables from the provider's auth
# spec: no such name is written in runtime/ or cli/ code anywhere else.


def _schema_enum(schema: str, definition: str, prop: str) -> set[str]:
    """The values a spec schema allows for `definition.prop` (an enum, maybe in an anyOf)."""
    data = json.loads(ROOT.joinpath("specs", "schema", schema).read_text(encoding="utf-8"))
    node = data["$defs"][definition]["properties"][prop]
    options = [node, *node.get("anyOf", [])]
    return {v for option in options for v in option.get("enum", [])}


def _auth_schemes() -> list[AuthScheme]:
    found: list[AuthScheme] = []
    for info in PROVIDERS.values():
        found.append(info.auth)
        for b in info.protocols.values():
            variants = [v for table in b.variants.values() for v in table.values()]
            variants += [v for _, v in b.for_models]
            found += [a for a in (b.auth, *(v.auth for v in variants)) if a is not None]
    return found


def _adapter_framings() -> set[str]:
    folder = ROOT.joinpath("generated", "adapters")
    found: set[str] = set()
    for path in folder.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "FRAMING" for t in node.targets)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.add(node.value.value)
    return found


# "none" also means "nothing" in many unrelated places (an id prefix, a structured-output way);
# its scheme and framing are absences, handled without their name
SCHEME_NAMES = (
    _schema_enum("provider.schema.json", "AuthSpec", "scheme") | {a.scheme for a in _auth_schemes()}
) - {"none"}
FRAMING_NAMES = (
    _schema_enum("protocol.schema.json", "StreamSpec", "framing") | _adapter_framings()
) - {"none"}
KEY_ENV = {v for a in _auth_schemes() for v in a.env}
# a provider's URL params: the runtime handles them by what the specs and the catalog say
PARAM_NAMES = {p.name for info in PROVIDERS.values() for p in info.params}
RUNTIME_FILES = sorted(
    p for folder in ("runtime", "cli") for p in ROOT.joinpath(folder).glob("*.py")
)


def _registrations(tree: ast.Module) -> set[int]:
    """String constants that declare a class's registered name: `name = "..."` in a class
    body, a class keyword (`class X(Base, name="...")`) or a class decorator's argument."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            targets = (
                stmt.targets
                if isinstance(stmt, ast.Assign)
                else [stmt.target]
                if isinstance(stmt, ast.AnnAssign)
                else []
            )
            value = getattr(stmt, "value", None)
            if any(isinstance(t, ast.Name) and t.id == "name" for t in targets) and isinstance(
                value, ast.Constant
            ):
                allowed.add(id(value))
        allowed |= {id(k.value) for k in node.keywords if isinstance(k.value, ast.Constant)}
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call):
                allowed |= {id(a) for a in deco.args if isinstance(a, ast.Constant)}
    return allowed


def _strings(path: Path) -> tuple[list[str], list[str]]:
    """(string constants of the code, docstrings excepted; those declaring a class's name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    declared = _registrations(tree)
    exports = {  # `__all__` lists the module's own names, not names it branches on
        id(c)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        for c in ast.walk(node.value)
    }
    code: list[str] = []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in declared:
                names.append(node.value)
            elif id(node) not in docstrings and id(node) not in exports:
                code.append(node.value)
    return code, names


def _named(text: str, name: str) -> bool:
    """Whether a string constant names `name`: the whole string, or (for a name no word of
    prose could be, one with `_`) anywhere in it, as in a message."""
    return text == name or ("_" in name and re.search(rf"\b{re.escape(name)}\b", text) is not None)


def test_the_names_collected_are_the_specs() -> None:
    assert {"aws_sigv4", "google_oauth", "bearer", "header"} <= SCHEME_NAMES
    assert {"sse", "aws_eventstream"} <= FRAMING_NAMES
    assert "AWS_BEARER_TOKEN_BEDROCK" in KEY_ENV
    assert {"location", "region"} <= PARAM_NAMES


@pytest.mark.parametrize("path", RUNTIME_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_scheme_framing_param_or_key_env_is_named_in_code(path: Path) -> None:
    code, _ = _strings(path)
    found = sorted(
        {name for text in code for name in SCHEME_NAMES | FRAMING_NAMES if _named(text, name)}
        | {var for text in code for var in KEY_ENV if var in text}
        | {name for text in code for name in PARAM_NAMES if text == name}
    )
    assert not found, (
        f"{path.relative_to(ROOT)} names {found} outside a class's registration: look the "
        "scheme or framing up in its registry, read env variables from the provider's auth "
        "spec, and params from the provider's and the model host's specs"
    )


def test_each_scheme_and_framing_is_declared_by_one_class() -> None:
    declared = [n for path in RUNTIME_FILES for n in _strings(path)[1]]
    for name in sorted(SCHEME_NAMES | FRAMING_NAMES):
        assert declared.count(name) == 1, f"{name!r} is declared {declared.count(name)} times"
