"""YAML loading that remembers where every key and value came from.

Specs are loaded into plain Python values plus a `Located` index from a location path
(`("response", "usage", "prompt_tokens")`) to its line, so that any later check (pydantic
validation, wire-schema paths, catalog lint) can report `file:line`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from .errors import SpecError

Loc = tuple[str | int, ...]


@dataclass
class Source:
    """One loaded YAML file: its data, its path relative to the repo, and line numbers."""

    path: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=lambda: {})

    def line(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest enclosing location that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)

    def error(self, loc: Loc, message: str) -> SpecError:
        return SpecError(self.path, self.line(loc), message)


class _Constructor(Protocol):
    """What `_scalar` uses of PyYAML's SafeConstructor (whose stubs leave `node` untyped)."""

    def construct_object(self, node: yaml.Node, deep: bool = ...) -> Any: ...


class _Composer(Protocol):
    """What `load` uses of a PyYAML loader (whose stubs leave `dispose` untyped)."""

    def get_single_node(self) -> yaml.Node | None: ...

    def dispose(self) -> None: ...


_constructor: _Constructor = yaml.constructor.SafeConstructor()
# A plain value starting with one of these is YAML syntax, not text (the usual slip: a
# condition `!path` left unquoted, which PyYAML takes for a tag).
_INDICATORS = {"!": "a tag", "&": "an anchor", "*": "an alias"}
_INDICATED = re.compile(r"(?:^|[:,\[{-])\s*([!&*])([\w.]+)")


def _yaml_error(rel: str, text: str, exc: yaml.YAMLError) -> SpecError:
    """A PyYAML error (scanner, parser, composer, constructor) as `file:line: what is wrong`,
    with a hint when the lines it names hold a plain value starting with `!`, `&` or `*`."""
    lines: list[int] = []
    message = f"invalid YAML: {exc}"
    if isinstance(exc, yaml.MarkedYAMLError):  # every error PyYAML raises on a document
        lines = [m.line for m in (exc.problem_mark, exc.context_mark) if m is not None]
        message = f"invalid YAML: {exc.problem}" + (f" ({exc.context})" if exc.context else "")
    source = text.splitlines()
    for line in lines:
        found = _INDICATED.search(source[line]) if line < len(source) else None
        if found:  # the culprit's line, which may come before where PyYAML gave up
            sign, name = found.groups()
            hint = f'quote a value that starts with it ("{sign}{name}")'
            return SpecError(
                rel, line + 1, f"{message}; in YAML {sign!r} starts {_INDICATORS[sign]}: {hint}"
            )
    return SpecError(rel, lines[0] + 1 if lines else 1, message)


def _build(node: yaml.Node, loc: Loc, lines: dict[Loc, int], src: str) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError(src, key_node.start_mark.line + 1, "mapping keys must be scalars")
            key = _scalar(key_node)
            if key in out:
                raise SpecError(src, key_node.start_mark.line + 1, f"duplicate key {key!r}")
            lines[(*loc, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*loc, key), lines, src)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), lines, src) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    return _constructor.construct_object(node, deep=True)


def _safe_loader(text: str) -> _Composer:
    return yaml.SafeLoader(text)


def load(path: Path, root: Path) -> Source:
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    lines: dict[Loc, int] = {}
    try:
        loader = _safe_loader(text)  # what yaml.compose(text, Loader=yaml.SafeLoader) does
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        data: Any = {} if node is None else _build(node, (), lines, rel)
    except yaml.YAMLError as exc:  # a tag (`!path`) fails here, when its value is built
        raise _yaml_error(rel, text, exc) from None
    return Source(rel, data, lines)
