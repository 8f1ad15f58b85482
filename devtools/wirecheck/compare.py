"""The comparison: our wire schemas and protocol specs beside the providers' definitions.

Runs in `.venv` on plain data: the reference dump (JSON Schemas written by `worker.py` in
`.venv-wirecheck`) and our YAML, loaded with the generator's line-tracking loader so that
every finding names the `specs/...yaml:LINE` it concerns.

Objects. Each `roots` entry of a protocol's table pairs one of our `$defs` objects with the
provider's type; the objects inside are paired by following the properties both have (through
`$ref`, `anyOf` and list items), an object of ours collecting every provider object it meets
(a union's members all count; of a tagged union whose tag a value check covers, only the
members whose tag a rule of our specs reads are compared field by field: an unknown tag is
reported as a value already, and a member listed as known and ignored is ignored whole). For each pair:
- a property of ours the provider does not define is actionable (removed or renamed), unless
  our wire schema marks it `x-extension` (a field another host or the framing adds);
- a property both have is actionable when the provider allows a JSON type ours does not
  (retyped; an integer fits our `number`), or allows null where ours does not (nullable);
  either side leaving the type open (`{}`) is not compared; list items are compared alike;
- a property the provider has and ours leaves out is informational (counted per object),
  except in a union told apart by which member is set (botocore's `union` structures, and the
  table's `unions`): there a missing member is a kind of content we do not know (actionable).
  Members that are exceptions are error frames, checked with the error types instead. An
  object's `x-known-members` lists provider fields known and deliberately not read;
- an object of ours without `properties` is opaque (we do not read inside it): not compared.

Values. Each `enums` check compares exactly: a value the provider defines is known when our
wire schema lists it (`x-known-values`/`enum` at the check's `wire` property: documented, and
ignored unless a rule reads it) or when every place of the protocol spec the check names has
it (the finish-reason table, the rules' conditions, the error types). An unknown one is
actionable, at the line of the first place that lacks it; values only we name are
informational.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from generator.source import Loc, Source, load

from .references import PROTOCOLS, EnumCheck, Ours, Reference, Theirs

Node = dict[str, Any]
ACTIONABLE = "actionable"
INFORMATIONAL = "informational"


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the root: specs/wire/x.schema.yaml
    line: int
    severity: str  # ACTIONABLE | INFORMATIONAL
    message: str
    details: tuple[str, ...] = ()  # listed with --verbose (the fields an object leaves out)

    def render(self, verbose: bool = False) -> str:
        listed = f": {', '.join(self.details)}" if verbose and self.details else ""
        return f"{self.path}:{self.line}: {self.message}{listed}"


@dataclass
class Result:
    protocol: str
    findings: list[Finding] = field(default_factory=lambda: [])
    notes: list[str] = field(default_factory=lambda: [])
    compared: list[str] = field(default_factory=lambda: [])  # "ours ↔ theirs" of the roots

    def of(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]


# --- JSON Schema, either side -------------------------------------------------------------


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _dict(value: Any) -> Node | None:
    """`value` as a JSON object (None when it is not one)."""
    return cast("Node", value) if isinstance(value, dict) else None


def _list(value: Any) -> list[Any] | None:
    return cast("list[Any]", value) if isinstance(value, list) else None


def _node_types(node: Node) -> set[str]:
    declared = node.get("type")
    if isinstance(declared, str):
        return {declared}
    if (many := _list(declared)) is not None:
        return {str(t) for t in many}
    if "const" in node:
        return {_type_of(node["const"])}
    if isinstance(node.get("enum"), list):
        return {_type_of(v) for v in node["enum"]}
    if "properties" in node:
        return {"object"}
    if "items" in node:
        return {"array"}
    return {"any"}


def _values(node: Node) -> list[Any]:
    if "const" in node:
        return [node["const"]]
    for key in ("enum", "x-known-values"):
        if isinstance(node.get(key), list):
            return list(node[key])
    return []


def _types_label(types: set[str]) -> str:
    return "|".join(sorted(types, key=lambda t: (t == "null", t)))


class Doc:
    """One reference's JSON Schema (it resolves its own `#/$defs/...`)."""

    def __init__(self, name: str, schema: Node) -> None:
        self.name = name
        self.schema = schema
        self.defs: dict[str, Node] = schema.get("$defs", {})

    @property
    def package(self) -> str:
        source, _, rest = self.name.partition(":")
        where = rest.partition(":")[0]
        package = where.split(".")[0] if source == "py" else where
        return "google-genai" if package == "google" else package

    @property
    def label(self) -> str:
        return f"{self.package} {self.name.rpartition(':')[2]}"

    def title(self, node: Node) -> str:
        return f"{self.package} {node.get('title') or self.name.rpartition(':')[2]}"

    def discriminator(self, node: Node, prop: str) -> Any:
        """The one value a union member's `prop` may have (None: not a tagged member)."""
        schema = node.get("properties", {}).get(prop)
        values = self.values([schema]) if isinstance(schema, dict) else []
        return values[0] if len(values) == 1 else None

    def branches(self, node: Node) -> list[Node]:
        """The alternatives of `node` (anyOf, oneOf, allOf), `$ref`s resolved."""
        for key in ("anyOf", "oneOf", "allOf"):
            if isinstance(node.get(key), list):
                return [b for sub in node[key] for b in self.branches(sub)]
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = self.defs.get(ref.removeprefix("#/$defs/"))
            if target is None:
                return [{}]
            return self.branches(target) if target is not node else [node]
        return [node]

    def types(self, nodes: list[Node]) -> set[str]:
        return {t for n in nodes for b in self.branches(n) for t in _node_types(b)}

    def objects(self, node: Node) -> list[Node]:
        """The objects `node` holds: itself, its alternatives, its lists' items."""
        out: list[Node] = []
        for b in self.branches(node):
            if isinstance(b.get("properties"), dict):
                out.append(b)
            if isinstance(b.get("items"), dict):
                out.extend(self.objects(b["items"]))
        return out

    def items(self, nodes: list[Node]) -> list[Node]:
        return [
            b["items"] for n in nodes for b in self.branches(n) if isinstance(b.get("items"), dict)
        ]

    def walk(self, path: str) -> list[Node]:
        """The nodes at a dotted path from the root (`a[]` steps into a list's items)."""
        nodes: list[Node] = [self.schema]
        for segment in path.split(".") if path else []:
            name = segment.removesuffix("[]")
            nodes = [
                b["properties"][name]
                for n in nodes
                for b in self.branches(n)
                if isinstance(b.get("properties"), dict) and name in b["properties"]
            ]
            if segment.endswith("[]"):
                nodes = self.items(nodes)
        return nodes

    def values(self, nodes: list[Node]) -> list[Any]:
        seen: list[Any] = []
        for n in nodes:
            for b in self.branches(n):
                for v in _values(b):
                    if v is not None and v not in seen:
                        seen.append(v)
        return seen

    def is_exception(self, node: Node) -> bool:
        return any(b.get("x-exception") for b in self.branches(node))


class Wire:
    """Our wire schema, with the line of every node."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.defs: dict[str, Node] = source.data.get("$defs", {})

    def branches(self, node: Node, loc: Loc) -> list[tuple[Node, Loc]]:
        for key in ("anyOf", "oneOf"):
            if isinstance(node.get(key), list):
                subs: list[Node] = node[key]
                return [x for i, sub in enumerate(subs) for x in self.branches(sub, (*loc, key, i))]
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name in self.defs:
                return self.branches(self.defs[name], ("$defs", name))
        return [(node, loc)]

    def types(self, node: Node, loc: Loc) -> set[str]:
        return {t for b, _ in self.branches(node, loc) for t in _node_types(b)}

    def objects(self, node: Node, loc: Loc) -> list[tuple[Node, Loc]]:
        out: list[tuple[Node, Loc]] = []
        for b, at in self.branches(node, loc):
            if isinstance(b.get("properties"), dict):
                out.append((b, at))
            if isinstance(b.get("items"), dict):
                out.extend(self.objects(b["items"], (*at, "items")))
        return out

    def items(self, node: Node, loc: Loc) -> list[tuple[Node, Loc]]:
        return [
            (b["items"], (*at, "items"))
            for b, at in self.branches(node, loc)
            if isinstance(b.get("items"), dict)
        ]

    def line(self, loc: Loc) -> int:
        return self.source.line(loc)


# --- objects --------------------------------------------------------------------------------


@dataclass
class _Pair:
    node: Node
    loc: Loc
    label: str
    theirs: list[tuple[Doc, Node]] = field(default_factory=lambda: [])
    seen: set[int] = field(default_factory=lambda: set())


def _label(loc: Loc, parent: str, prop: str) -> str:
    return str(loc[1]) if len(loc) == 2 and loc[0] == "$defs" else f"{parent}.{prop}"


def _pairs(wire: Wire, roots: list[tuple[str, Doc]]) -> dict[Loc, _Pair]:
    """Our objects, each with every provider object it meets from the roots."""
    pairs: dict[Loc, _Pair] = {}
    queue: list[tuple[_Pair, Doc, Node]] = []

    def add(node: Node, loc: Loc, label: str, doc: Doc, theirs: list[Node]) -> None:
        pair = pairs.setdefault(loc, _Pair(node, loc, label))
        for t in theirs:
            if id(t) not in pair.seen:
                pair.seen.add(id(t))
                pair.theirs.append((doc, t))
                queue.append((pair, doc, t))

    for name, doc in roots:
        if name in wire.defs:
            for node, loc in wire.objects(wire.defs[name], ("$defs", name)):
                add(node, loc, name, doc, doc.objects(doc.schema))
    while queue:
        pair, doc, their = queue.pop(0)
        their_props: Node = their.get("properties", {})
        ours: Node = pair.node["properties"]
        for prop, value in ours.items():
            schema = _dict(value)
            if prop not in their_props or schema is None:
                continue
            targets = doc.objects(their_props[prop])
            at = (*pair.loc, "properties", prop)
            for node, loc in wire.objects(schema, at):
                if targets:
                    add(node, loc, _label(loc, pair.label, str(prop)), doc, targets)
    return pairs


def _who(theirs: list[tuple[Doc, Node]]) -> str:
    """The provider's name of an object: its type, or its first types and how many."""
    titles: list[str] = []
    for doc, node in theirs:
        title = doc.title(node)
        if title not in titles:
            titles.append(title)
    if len(titles) <= 3:
        return " / ".join(titles)
    return f"{' / '.join(titles[:2])} / … ({len(titles)} types)"


def _type_findings(
    wire: Wire, ours: Node, loc: Loc, label: str, theirs: list[tuple[Doc, Node]], who: str
) -> list[Finding]:
    """Retyped / nullable: what the provider may send that our schema does not allow."""
    our_types = wire.types(ours, loc)
    their_types = {t for doc, n in theirs for t in doc.types([n])}
    if "any" in our_types or "any" in their_types or not their_types:
        return []
    out: list[Finding] = []
    path, line = wire.source.path, wire.line(loc)
    missing = {
        t
        for t in their_types - {"null"}
        if t not in our_types and not (t == "integer" and "number" in our_types)
    }
    if missing:
        out.append(
            Finding(
                path,
                line,
                ACTIONABLE,
                f"{label}: {_types_label(their_types)} in {who}, {_types_label(our_types)} in "
                f"our wire schema (retyped: {_types_label(missing)} does not fit)",
            )
        )
    if "null" in their_types and "null" not in our_types:
        out.append(
            Finding(
                path,
                line,
                ACTIONABLE,
                f"{label}: may be null in {who}; our wire schema does not allow null",
            )
        )
    if "array" in our_types and "array" in their_types:
        their_items = [(doc, i) for doc, n in theirs for i in doc.items([n])]
        for node, at in wire.items(ours, loc)[:1]:
            out += _type_findings(wire, node, at, f"{label}[]", their_items, who)
    return out


def _relevant(pair: _Pair, tags: Mapping[str, tuple[str, set[str]]]) -> list[tuple[Doc, Node]]:
    """The provider objects that matter to us: of a tagged union whose tag our specs check
    (`Responses.output[].type`), the members with a tag our specs know (the others are
    reported as unknown values already); else all of them."""
    if len(pair.loc) != 2 or str(pair.loc[1]) not in tags:
        return pair.theirs
    prop, known = tags[str(pair.loc[1])]
    kept = [(d, n) for d, n in pair.theirs if d.discriminator(n, prop) in known | {None}]
    return kept or pair.theirs


def _object_findings(
    wire: Wire, pair: _Pair, union_names: tuple[str, ...], tags: Mapping[str, tuple[str, set[str]]]
) -> list[Finding]:
    relevant = _relevant(pair, tags)
    every: set[str] = {p for _, n in pair.theirs for p in n.get("properties", {})}
    their_props: dict[str, list[tuple[Doc, Node]]] = {}
    for doc, node in relevant:
        for prop, schema in node.get("properties", {}).items():
            their_props.setdefault(prop, []).append((doc, schema))
    who = _who(relevant)
    union = pair.label in union_names or any(
        n.get("x-union") or n.get("x-eventstream") for _, n in pair.theirs
    )
    path = wire.source.path
    out: list[Finding] = []
    ours: Node = pair.node["properties"]
    for prop, value in ours.items():
        loc = (*pair.loc, "properties", prop)
        label = f"{pair.label}.{prop}"
        schema = _dict(value)
        if schema is None:
            continue
        if prop not in every:
            if schema.get("x-extension"):
                continue
            theirs_only = sorted(p for p in every if p not in ours)
            hint = difflib.get_close_matches(str(prop), theirs_only, n=1, cutoff=0.75)
            out.append(
                Finding(
                    path,
                    wire.line(loc),
                    ACTIONABLE,
                    f"{label}: not in {_who(pair.theirs)} (removed or renamed"
                    + (f"? it has {hint[0]!r})" if hint else "?)"),
                )
            )
        elif prop in their_props:
            out += _type_findings(wire, schema, loc, label, their_props[prop], who)
    acknowledged = {str(m) for m in _list(pair.node.get("x-known-members")) or []}
    left_out = [
        p
        for p in their_props
        if p not in ours
        and p not in acknowledged
        and not all(doc.is_exception(s) for doc, s in their_props[p])
    ]
    if union:
        for member in left_out:
            out.append(
                Finding(
                    path,
                    wire.line((*pair.loc, "properties")),
                    ACTIONABLE,
                    f"{pair.label}: {who} has a member {member!r} our wire schema does not "
                    "know (what it carries is dropped)",
                )
            )
    elif left_out:
        out.append(
            Finding(
                path,
                wire.line((*pair.loc, "properties")),
                INFORMATIONAL,
                f"{pair.label}: {len(left_out)} field{'s' if len(left_out) != 1 else ''} of "
                f"{who} left out",
                tuple(left_out),
            )
        )
    return out


# --- values -------------------------------------------------------------------------------

_CONDITION = re.compile(r"^\s*([\w.\-]+)\s*(==|!=)\s*(.+?)\s*$")


def _at(data: Any, loc: Loc) -> Any:
    for key in loc:
        mapping, items = _dict(data), _list(data)
        if mapping is not None and key in mapping:
            data = mapping[str(key)]
        elif items is not None and isinstance(key, int) and key < len(items):
            data = items[key]
        else:
            return None
    return data


def _conditions(data: Any) -> Iterator[str]:
    """Every condition (`when:`, alone or in a list) in a part of a spec."""
    mapping, items = _dict(data), _list(data)
    for key, value in (mapping or {}).items():
        if key == "when":
            for c in _list(value) or [value]:
                if isinstance(c, str):
                    yield c
        else:
            yield from _conditions(value)
    for item in items or []:
        yield from _conditions(item)


def _compared_values(data: Any, path: str) -> list[str]:
    out: list[str] = []
    for condition in _conditions(data):
        m = _CONDITION.match(condition)
        if m and m.group(1) == path:
            out.append(m.group(3).strip("\"'"))
    return out


class _Specs:
    """The protocol spec (and the shared tables it may name)."""

    def __init__(self, protocol: Source, tables: list[Source]) -> None:
        self.protocol = protocol
        self.error_tables: dict[str, Any] = {}
        for src in tables:
            self.error_tables.update(src.data.get("error_types") or {})

    def values(self, ours: Ours) -> list[str] | None:
        """The values a place names (None: the spec has no such place)."""
        data = _at(self.protocol.data, ours.loc)
        if data is None:
            return None
        if ours.kind == "when":
            return _compared_values(data, ours.path)
        mapping = _dict(data) or {}
        if ours.kind == "errors" and "shared" in mapping:  # {shared: name(s), add: {...}}
            names = _list(mapping["shared"]) or [mapping["shared"]]
            keys = [str(k) for n in names for k in _dict(self.error_tables.get(str(n))) or {}]
            return keys + [str(k) for k in _dict(mapping.get("add")) or {}]
        return [str(k) for k in mapping]

    def lacks(self, ours: Ours) -> str:
        """How a value is missing from a place, for the message."""
        where = ".".join(str(k) for k in ours.loc)
        if ours.kind == "when":
            return f"no rule under {where} tests `{ours.path} == ...` for it"
        return f"not mapped in {where}" if ours.kind == "table" else f"not in {where}"


def _known(wire: Wire, at: tuple[str, str] | None) -> tuple[list[Any], Loc | None]:
    """The x-known-values / enum of a wire property, and where to list more (the list's line,
    else the property's; None: our wire schema has no such property)."""
    if at is None or at[0] not in wire.defs:
        return [], None
    def_name, prop = at
    loc: Loc = ("$defs", def_name, "properties", prop)
    node = _dict(wire.defs[def_name].get("properties", {}).get(prop))
    if node is None:
        return [], None
    for branch, where in wire.branches(node, loc):
        for key in ("x-known-values", "enum"):
            if key in branch:
                return list(branch[key]), (*where, key)
    return [], loc


@dataclass
class _Values:
    """One enum check's value sets."""

    theirs: list[Any]
    who: str
    known: list[Any]  # our wire schema's x-known-values
    known_loc: Loc | None
    places: list[tuple[Ours, list[str]]]

    def names(self) -> set[str]:
        return self.read() | {str(v) for v in self.known}

    def read(self) -> set[str]:
        """The values a place of the protocol spec reads (not those only listed as known)."""
        return {v for _, vs in self.places for v in vs}


def _gather(
    check: EnumCheck, docs: Mapping[str, Doc], wire: Wire, specs: _Specs, notes: list[str]
) -> _Values | None:
    theirs: list[Any] = []
    labels: list[str] = []
    for t in check.theirs:
        doc = docs.get(t.ref)
        if doc is None:
            notes.append(f"{check.what}: {t.ref} is not in the reference dump; not compared")
            continue
        found = _their_values(doc, t)
        if found is None:
            notes.append(f"{check.what}: {doc.label} has no {t.path!r}; not compared")
            continue
        labels.append(doc.label + (f".{t.path}" if t.path else ""))
        theirs += [v for v in found if v not in theirs]
    if not labels:
        return None
    known, known_loc = _known(wire, check.wire)
    places: list[tuple[Ours, list[str]]] = []
    for ours in check.ours:
        values = specs.values(ours)
        if values is None:
            where = ".".join(map(str, ours.loc))
            notes.append(f"{check.what}: {specs.protocol.path} has no {where}; not compared")
            continue
        places.append((ours, values))
    return _Values(theirs, " / ".join(labels), known, known_loc, places)


def _enum_findings(check: EnumCheck, values: _Values, wire: Wire, specs: _Specs) -> list[Finding]:
    theirs = {str(v) for v in values.theirs}
    # what only we name: of our wire's documented values when it has them (a finish-reason
    # table serves several fields: Gemini's finish and block reasons), else of the spec's
    ours_only = sorted(
        ({str(v) for v in values.known} if values.known else values.names()) - theirs
    )
    out: list[Finding] = []
    prop = ".".join(check.wire) if check.wire else ""
    listed = (
        f"not in x-known-values of {prop} ({wire.source.path}:{wire.line(values.known_loc)})"
        if values.known_loc is not None
        else ""
    )
    for value in values.theirs:
        if str(value) in {str(v) for v in values.known}:
            continue
        lacking = [o for o, vs in values.places if str(value) not in vs]
        if values.places and not lacking:
            continue
        hint = difflib.get_close_matches(str(value), ours_only, n=1, cutoff=0.8)
        head = f"{check.what} {value!r} of {values.who}" + (
            f" (renamed from {hint[0]!r}?)" if hint else ""
        )
        if lacking:
            parts = [specs.lacks(lacking[0])]
            parts += [f"{specs.lacks(o)} (line {specs.protocol.line(o.loc)})" for o in lacking[1:]]
            parts += [listed] if listed else []
            out.append(
                Finding(
                    specs.protocol.path,
                    specs.protocol.line(lacking[0].loc),
                    ACTIONABLE,
                    f"{head}: {'; '.join(parts)}",
                )
            )
        elif values.known_loc is not None:
            out.append(
                Finding(
                    wire.source.path,
                    wire.line(values.known_loc),
                    ACTIONABLE,
                    f"{head}: not in x-known-values of {prop} (read it, or list it there "
                    "as known and ignored)",
                )
            )
    if ours_only:
        if values.places:
            path, line = specs.protocol.path, specs.protocol.line(values.places[0][0].loc)
        else:
            path, line = wire.source.path, wire.line(values.known_loc or ())
        out.append(
            Finding(
                path,
                line,
                INFORMATIONAL,
                f"{check.what}: {len(ours_only)} value{'s' if len(ours_only) != 1 else ''} "
                f"we name that {values.who} does not (other hosts', or retired)",
                tuple(ours_only),
            )
        )
    return out


def _their_values(doc: Doc, theirs: Theirs) -> list[Any] | None:
    nodes = doc.walk(theirs.path)
    if not nodes:
        return None
    if theirs.take == "exceptions":
        return [
            prop
            for n in nodes
            for b in doc.branches(n)
            for prop, schema in b.get("properties", {}).items()
            if doc.is_exception(schema)
        ]
    return doc.values(nodes)


# --- a protocol -----------------------------------------------------------------------------


def check_protocol(name: str, root: Path, reference: Mapping[str, Any]) -> Result:
    """Compare one protocol's wire schema and spec (under `root`/specs) with the reference
    dump (`{"schemas": {name: JSON Schema}, "errors": {name: why}, "versions": {...}}`)."""
    table: Reference = PROTOCOLS[name]
    result = Result(name)
    specs_dir = root / "specs"
    protocol = load(specs_dir / "protocols" / f"{name}.yaml", root)
    wire_file = str(protocol.data.get("wire") or f"{name}.schema.yaml")
    wire = Wire(load(specs_dir / "wire" / wire_file, root))
    tables = [load(p, root) for p in sorted((specs_dir / "tables").glob("*.yaml"))]
    specs = _Specs(protocol, tables)
    schemas: Mapping[str, Any] = reference.get("schemas", {})
    errors: Mapping[str, Any] = reference.get("errors", {})
    docs = {ref: Doc(ref, schemas[ref]) for ref in _names(table) if ref in schemas}
    # the value sets first: a tagged union's members are compared when a rule of our specs
    # reads the tag (a member only listed in x-known-values is ignored whole: its fields too)
    tags: dict[str, tuple[str, set[str]]] = {}
    for check in table.enums:
        values = _gather(check, docs, wire, specs, result.notes)
        if values is None:
            continue
        result.findings += _enum_findings(check, values, wire, specs)
        if check.wire is not None:
            tags[check.wire[0]] = (check.wire[1], values.read())
    roots: list[tuple[str, Doc]] = []
    for ours, ref in table.roots.items():
        if ref not in docs:
            why = errors.get(ref, "not in the reference dump")
            result.notes.append(f"{ours}: {ref} not compared ({why})")
        elif ours not in wire.defs:
            result.notes.append(f"{ours}: no such $defs entry in {wire.source.path}")
        else:
            roots.append((ours, docs[ref]))
            result.compared.append(f"{ours} ↔ {docs[ref].label}")
    for pair in _pairs(wire, roots).values():
        result.findings += _object_findings(wire, pair, table.unions, tags)
    if table.note:
        result.notes.append(table.note)
    result.findings.sort(key=lambda f: (f.severity != ACTIONABLE, f.path, f.line, f.message))
    return result


def _names(table: Reference) -> list[str]:
    return sorted({*table.roots.values(), *(t.ref for c in table.enums for t in c.theirs)})
