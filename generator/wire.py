"""Wire schemas: JSON Schema files under specs/wire/, and path checking against them.

A mapping path such as `message.content` is resolved from a `$defs` entry through
properties, `$ref` and nullable `anyOf` branches. A path that does not exist fails generation
with the spec's `file:line`. The walker also tells which Python class and attribute each step
lands on, so that the generated adapter reads the datamodel-code-generator models by
attribute, with no lookups by name at run time.
"""

from __future__ import annotations

import ast
import keyword
from dataclasses import dataclass
from typing import Any

from .errors import did_you_mean
from .source import Source


class PathError(Exception):
    pass


@dataclass(frozen=True)
class Step:
    attr: str  # Python attribute name on the wire model
    nullable: bool  # value may be None (absent or null)


@dataclass(frozen=True)
class Resolved:
    steps: tuple[Step, ...]
    node: dict[str, Any]  # schema of the value the path lands on (refs resolved)
    def_name: str | None  # $defs name when the value is a model
    types: frozenset[str]  # JSON types the value may have ("null" included when nullable)
    # where each step's property is listed in the object it belongs to: of two paths, the one
    # the wire schema lists first at the step where they part compares lower
    order: tuple[int, ...] = ()


def _properties(node: dict[str, Any]) -> dict[str, Any]:
    """The `properties` of an object schema (none when it has no such mapping)."""
    return node.get("properties") or {}


class WireSchema:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.defs: dict[str, Any] = source.data.get("$defs", {})
        self.aliases: dict[str, dict[str, str]] = {}  # class -> json name -> attribute

    def has_def(self, name: str) -> bool:
        return name in self.defs

    def _ref_name(self, node: dict[str, Any]) -> str | None:
        ref = node.get("$ref")
        if ref is None:
            return None
        prefix = "#/$defs/"
        if not ref.startswith(prefix) or ref[len(prefix) :] not in self.defs:
            raise PathError(f"unresolvable $ref {ref!r}")
        return ref[len(prefix) :]

    def _branches(self, node: dict[str, Any]) -> list[tuple[dict[str, Any], str | None]]:
        """The alternatives of `node`, refs resolved: [(schema, def name)]."""
        if "anyOf" in node or "oneOf" in node:
            out: list[tuple[dict[str, Any], str | None]] = []
            subs: list[dict[str, Any]] = node.get("anyOf") or node.get("oneOf") or []
            for sub in subs:
                out.extend(self._branches(sub))
            return out
        name = self._ref_name(node)
        if name is not None:
            return self._branches_of_def(name)
        return [(node, None)]

    def _branches_of_def(self, name: str) -> list[tuple[dict[str, Any], str | None]]:
        node = self.defs[name]
        if "anyOf" in node or "oneOf" in node:
            return self._branches(node)
        return [(node, name)]

    @staticmethod
    def _types(node: dict[str, Any]) -> set[str]:
        t = node.get("type")
        if t is None:
            return {"object"} if "properties" in node else {"any"}
        return {t} if isinstance(t, str) else set(t)

    def describe(self, def_name: str) -> Resolved:
        branches = self._branches_of_def(def_name)
        types: set[str] = set()
        for b, _ in branches:
            types |= self._types(b)
        return Resolved((), self.defs[def_name], def_name, frozenset(types))

    def resolve(self, def_name: str, path: str) -> Resolved:
        """Walk `path` from the model `def_name`; raise PathError naming what exists."""
        if def_name not in self.defs:
            raise PathError(
                f"{def_name!r} is not defined in {self.source.path}"
                + did_you_mean(def_name, self.defs)
            )
        return self._walk(self._branches_of_def(def_name), def_name, self.defs[def_name], path)

    def resolve_in(self, value: Resolved, path: str) -> Resolved:
        """Walk `path` from a value's schema (a list's element: a model or an inline object)."""
        return self._walk(self._branches(value.node), value.def_name, value.node, path)

    def _walk(
        self,
        branches: list[tuple[dict[str, Any], str | None]],
        current_def: str | None,
        node: dict[str, Any],
        path: str,
    ) -> Resolved:
        steps: list[Step] = []
        order: list[int] = []
        for segment in path.split("."):
            owners = [
                (b, name)
                for b, name in branches
                if isinstance(b.get("properties"), dict) and segment in b["properties"]
            ]
            if not owners:
                known = sorted({p for b, _ in branches for p in _properties(b)})
                where = current_def or "this value"
                raise PathError(
                    f"{segment!r} (in path {path!r}) does not exist in {where}"
                    + did_you_mean(segment, known)
                    + (f"; it has: {', '.join(known)}" if known else "; it is not an object")
                )
            owner, owner_name = owners[0]
            prop = owner["properties"][segment]
            order.append(list(owner["properties"]).index(segment))
            branches = self._branches(prop)
            types: set[str] = set()
            for b, _ in branches:
                types |= self._types(b)
            nullable = "null" in types or segment not in owner.get("required", [])
            steps.append(Step(self.attr(owner_name, segment), nullable))
            models = [name for _, name in branches if name is not None]
            current_def = models[0] if models else None
            node = next(
                (b for b, _ in branches if "array" in self._types(b)),  # for `each:`
                next((b for b, _ in branches if "null" not in self._types(b)), prop),
            )
        types = set()
        for b, _ in branches:
            types |= self._types(b)
        if steps and steps[-1].nullable:
            types.add("null")
        return Resolved(tuple(steps), node, current_def, frozenset(types), tuple(order))

    def element(self, resolved: Resolved, path: str) -> Resolved:
        """The element model of an array value (for `each:` and `choices:`)."""
        arrays = [b for b in [resolved.node] if "array" in self._types(b)]
        if not arrays or "items" not in arrays[0]:
            raise PathError(f"{path!r} is not an array (it is {sorted(resolved.types)})")
        items = arrays[0]["items"]
        branches = self._branches(items)
        models = [name for _, name in branches if name is not None]
        types: set[str] = set()
        for b, _ in branches:
            types |= self._types(b)
        return Resolved((), items, models[0] if models else None, frozenset(types))

    def attr(self, class_name: str | None, prop: str) -> str:
        if class_name is not None and prop in self.aliases.get(class_name, {}):
            return self.aliases[class_name][prop]
        if not prop.isidentifier() or keyword.iskeyword(prop):
            raise PathError(f"property {prop!r} is not a Python identifier")
        return prop

    def known_values(self, def_name: str | None, node: dict[str, Any]) -> list[Any] | None:
        """Documented values of an enum-like string (`enum` or `x-known-values`)."""
        for b, _ in self._branches(node) if def_name is None else self._branches_of_def(def_name):
            for key in ("x-known-values", "enum"):
                if key in b:
                    return list(b[key])
        return None


# --- the generated wire modules ------------------------------------------------------------


def typed_wire_models(code: str, wire: WireSchema) -> str:
    """datamodel-code-generator's module for `wire`, with what type checkers need spelled out:
    `model_config` declared `ClassVar[ConfigDict]` as on pydantic's BaseModel (not an
    unannotated override), and a docstring on every class that has none, naming the wire
    object it models (the schema's `description` already is the docstring of those with one).
    """
    tree = ast.parse(code)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    used_by = _used_by(classes)
    defs = set(wire.defs)
    root = wire.source.data.get("title")
    where = wire.source.path
    lines = code.splitlines(keepends=True)
    inserts: dict[int, str] = {}  # line index -> text inserted before that line
    for node in classes.values():
        enum = any(isinstance(b, ast.Name) and b.id == "Enum" for b in node.bases)
        first = node.body[0]
        if ast.get_docstring(node) is None:
            doc = _docstring(node.name, enum, root, defs, used_by.get(node.name, []), where)
            indent = " " * first.col_offset
            inserts[first.lineno - 1] = f'{indent}"""{doc}"""\n\n'
        for stmt in node.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "model_config"
            ):
                i = stmt.lineno - 1
                line = lines[i]
                at = stmt.col_offset + len("model_config")
                assert line[stmt.col_offset : at] == "model_config", line
                lines[i] = f"{line[:at]}: ClassVar[ConfigDict]{line[at:]}"
    for i, text in inserts.items():
        lines[i] = text + lines[i]
    typed = "".join(lines)
    if "ClassVar[ConfigDict]" in typed:  # ruff's import sorting merges it with the others
        future = "from __future__ import annotations\n"
        assert future in typed
        typed = typed.replace(future, f"{future}\nfrom typing import ClassVar\n", 1)
    return typed


def _used_by(classes: dict[str, ast.ClassDef]) -> dict[str, list[tuple[str, str]]]:
    """class -> [(class, JSON property name)] of the fields whose type names it (the name
    followed by `[]` when it is a list's items there)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for owner in classes.values():
        for stmt in owner.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            name = stmt.target.id
            for sub in ast.walk(stmt.value) if stmt.value is not None else ():
                if isinstance(sub, ast.keyword) and sub.arg == "alias":
                    alias = ast.literal_eval(sub.value)
                    if isinstance(alias, str):
                        name = alias
            items = {
                id(item)
                for sub in ast.walk(stmt.annotation)
                if isinstance(sub, ast.Subscript)
                and isinstance(sub.value, ast.Name)
                and sub.value.id == "list"
                for item in ast.walk(sub.slice)
            }
            for sub in ast.walk(stmt.annotation):
                if isinstance(sub, ast.Name) and sub.id in classes:
                    use = (owner.name, f"{name}[]" if id(sub) in items else name)
                    if use not in out.setdefault(sub.id, []):
                        out[sub.id].append(use)
    return out


def _docstring(
    name: str,
    enum: bool,
    root: object,
    defs: set[str],
    used_by: list[tuple[str, str]],
    where: str,
) -> str:
    """One line naming the wire object class `name` models."""
    what = "values" if enum else "object"
    if name == root:
        text = f"The root of the wire schema {where} (its objects are its `$defs`)."
    elif name in defs:
        text = f"The `{name}` {what} of the wire schema {where} (`$defs/{name}`)."
    elif used_by:
        at = ", ".join(f"`{owner}.{prop}`" for owner, prop in used_by)
        text = f"The {'values allowed' if enum else 'object'} at {at}, in the wire schema {where}."
    else:
        text = f"An {what} of the wire schema {where}."
    return text.replace("\\", "\\\\").replace('"', '\\"')
