"""YAML loading that remembers where every key and value came from.

Specs are loaded into plain Python values plus a `Located` index from a location path
(`("response", "usage", "prompt_tokens")`) to its line, so that any later check (pydantic
validation, wire-schema paths, catalog lint) can report `file:line`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError

Loc = tuple[str | int, ...]


@dataclass
class Source:
    """One loaded YAML file: its data, its path relative to the repo, and line numbers."""

    path: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

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


_constructor = yaml.constructor.SafeConstructor()


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


def load(path: Path, root: Path) -> Source:
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SpecError(rel, mark.line + 1 if mark else 1, f"invalid YAML: {exc}") from None
    lines: dict[Loc, int] = {}
    data = {} if node is None else _build(node, (), lines, rel)
    return Source(rel, data, lines)
