"""Mutation test of spec validation over the real specs (issue 10).

Every real spec file under specs/protocols, specs/providers and specs/models is walked
alongside its grammar (generator/spec.py), and mutations are derived from what is there: a
required key removed, a value of the wrong type, a wire path or template variable that does
not exist, a duplicate constant, an unknown provider or protocol, a negative price, an output
limit above the context window, a finish reason left unmapped, a price without its source or
date, and the catalog lints' cases. Each mutation is applied to a copy of specs/ and the
generator's compilation (`compile_specs`, everything but ruff formatting) must fail with a
`SpecError` at `specs/<file>:<line>:` — the mutated line, or for a removed key the line of
the mapping that lost it — with a message naming what is wrong.

The expected lines come from PyYAML's node marks, not from the generator's own line map.
Loads of unchanged files and the wire models are cached across mutations (both are pure
functions of the file text), so the whole run takes a few seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import typing
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

import generator.build as build
from generator import spec as grammar
from generator.errors import SpecError, SpecErrors
from generator.source import load as load_source

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"protocols": grammar.ProtocolSpec, "providers": grammar.ProviderSpec}
FOLDERS["models"] = grammar.CatalogSpec
FOLDERS["tables"] = grammar.TablesSpec
PRICE_FIELDS = ("input", "output", "cached_input", "cache_write", "reasoning", "usd")

# Filled in as the mutations run, for the terminal summary (tests/conftest.py).
RESULTS: dict[str, int] = {}


@dataclass(frozen=True)
class Mutation:
    category: str
    file: str  # relative to the repository: specs/...
    start: int  # character range of the original text replaced by `text`
    end: int
    text: str
    line: int  # where the error must be reported
    expect: str  # a part of the message (case-insensitive); `|` separates alternatives
    # an error elsewhere in the same file saying this is accepted too (see TOOL_VARS)
    elsewhere: str | None = None
    gap: str | None = None  # a known hole in the generator's checks (the test xfails)

    @property
    def id(self) -> str:
        return f"{self.category}-{self.file[len('specs/') :]}:{self.line}-{self.start}"


# --- walking a spec file alongside its grammar ---------------------------------------------


@dataclass
class Entry:
    """One key (or list item) of a spec file, with the grammar's type for its value."""

    loc: tuple[Any, ...]
    key: yaml.Node | None  # None for list items and the root
    value: yaml.Node
    ann: Any  # the type annotation its value has in the grammar
    parent: yaml.MappingNode | None
    owner_line: int  # line of the mapping that holds the key (what a removed key reports)
    model: type[BaseModel] | None  # the grammar model whose field this is
    field: str | None
    union: bool = False  # the mapping holding it is typed as one of several shapes


def _strip(ann: Any) -> Any:
    while get_origin(ann) is Annotated:
        ann = get_args(ann)[0]
    return ann


def _members(ann: Any) -> list[Any]:
    ann = _strip(ann)
    if get_origin(ann) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return [m for a in get_args(ann) for m in _members(a)]
    return [ann]


def _non_null(ann: Any) -> list[Any]:
    return [m for m in _members(ann) if m is not type(None)]


def _model_for(ann: Any, node: yaml.Node) -> type[BaseModel] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    keys = {k.value for k, _ in node.value}
    models = [m for m in _non_null(ann) if isinstance(m, type) and issubclass(m, BaseModel)]
    fitting = [m for m in models if keys <= set(_field_names(m))]
    return fitting[0] if len(fitting) == 1 else None


def _field_names(model: type[BaseModel]) -> dict[str, str]:
    """YAML key -> Python field name."""
    return {(f.alias or name): name for name, f in model.model_fields.items()}


def _hints(model: type[BaseModel]) -> dict[str, Any]:
    return typing.get_type_hints(model, include_extras=True)


def walk(
    node: yaml.Node,
    ann: Any,
    loc: tuple[Any, ...] = (),
    owner_line: int | None = None,
    seen: set[int] | None = None,
) -> Iterator[Entry]:
    seen = set() if seen is None else seen
    if id(node) in seen:  # an alias (`*name`): its anchor was walked already
        return
    seen.add(id(node))
    line = node.start_mark.line + 1 if owner_line is None else owner_line
    model = _model_for(ann, node)
    if model is not None:
        names, hints = _field_names(model), _hints(model)
        union = len(_non_null(ann)) > 1
        for k, v in node.value:
            name = names[k.value]
            yield Entry((*loc, k.value), k, v, hints[name], node, line, model, name, union)
            yield from walk(v, hints[name], (*loc, k.value), k.start_mark.line + 1, seen)
        return
    members = _non_null(ann)
    lists = [get_args(m)[0] for m in members if get_origin(m) is list]
    dicts = [get_args(m) for m in members if get_origin(m) is dict]
    if isinstance(node, yaml.SequenceNode) and len(lists) == 1:
        for i, item in enumerate(node.value):
            yield Entry((*loc, i), None, item, lists[0], None, line, None, None)
            yield from walk(item, lists[0], (*loc, i), None, seen)
    elif isinstance(node, yaml.MappingNode) and len(dicts) == 1:
        for k, v in node.value:
            yield Entry((*loc, k.value), k, v, dicts[0][1], node, line, None, None)
            yield from walk(v, dicts[0][1], (*loc, k.value), k.start_mark.line + 1, seen)


@dataclass
class SpecFile:
    rel: str
    text: str
    root: yaml.MappingNode
    entries: list[Entry]

    def line_of(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1

    def get(self, loc: tuple[Any, ...]) -> Entry | None:
        return next((e for e in self.entries if e.loc == loc), None)

    def children(self, loc: tuple[Any, ...]) -> list[Entry]:
        return [e for e in self.entries if e.loc[:-1] == loc and len(e.loc) == len(loc) + 1]


def spec_files() -> list[SpecFile]:
    out = []
    for folder, model in FOLDERS.items():
        for path in sorted((ROOT / "specs" / folder).glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            root = yaml.compose(text, Loader=yaml.SafeLoader)
            rel = path.relative_to(ROOT).as_posix()
            out.append(SpecFile(rel, text, root, list(walk(root, model))))
    return out


# --- text edits ------------------------------------------------------------------------------


def replace_value(f: SpecFile, e: Entry, text: str, category: str, expect: str) -> Mutation:
    v = e.value
    start, end = v.start_mark.index, v.end_mark.index
    if isinstance(v, yaml.ScalarNode) and v.style in ("'", '"') and not text.startswith("["):
        start, end = start + 1, end - 1  # inside the quotes
    return Mutation(category, f.rel, start, end, text, f.line_of(v), expect)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def removal(f: SpecFile, e: Entry) -> tuple[int, int, str]:
    """The edit that removes `e`'s key and value from its mapping."""
    assert e.key is not None and e.parent is not None
    pairs = e.parent.value
    i = next(j for j, (k, _) in enumerate(pairs) if k is e.key)
    if len(pairs) == 1:  # the mapping would be empty: write it as {}
        start, end = e.parent.start_mark.index, e.parent.end_mark.index
        if e.parent.flow_style:
            return start, end, "{}"
        return start, _block_end(f.text, end), "{}\n"
    if e.parent.flow_style:
        if i + 1 < len(pairs):
            return e.key.start_mark.index, pairs[i + 1][0].start_mark.index, ""
        return pairs[i - 1][1].end_mark.index, e.value.end_mark.index, ""
    if i + 1 < len(pairs):  # up to the next key (the first key may follow a `- `)
        return e.key.start_mark.index, pairs[i + 1][0].start_mark.index, ""
    start = _line_start(f.text, e.key.start_mark.index)
    end = e.value.end_mark.index
    if isinstance(e.value, yaml.CollectionNode) and not e.value.flow_style:
        end = _block_end(f.text, end)
    else:
        end = f.text.find("\n", end) + 1 or len(f.text)
    return start, end, ""


def _block_end(text: str, end: int) -> int:
    """A block collection ends where the next token starts: keep that line's indent."""
    return _line_start(text, end) if not text[_line_start(text, end) : end].strip() else end


def anchored(f: SpecFile, start: int, end: int) -> bool:
    """The text holds an anchor (`&name`) that an alias elsewhere refers to."""
    return any(f"*{name}" in f.text for name in re.findall(r"&([\w-]+)", f.text[start:end]))


# --- the mutations ---------------------------------------------------------------------------

SCALAR_TYPES = {str: "[wrong, type]", int: "lots", float: "cheap", bool: "maybe"}
SCALAR_TYPES[dt.date] = "someday"


def _is_path(ann: Any) -> bool:
    return any(m is grammar.Path or m is grammar.Condition for m in _annotated_members(ann))


def _annotated_members(ann: Any) -> list[Any]:
    if get_origin(ann) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return [m for a in get_args(ann) for m in _annotated_members(a)]
    return [ann]


def _scalar_kind(ann: Any) -> Any:
    members = _non_null(ann)
    if len(members) != 1:
        return None
    m = members[0]
    if get_origin(m) is Literal:
        return str
    return m if m in SCALAR_TYPES else None


def _number(node: yaml.Node) -> float | None:
    try:
        return float(node.value) if isinstance(node, yaml.ScalarNode) else None
    except ValueError:
        return None


def mutations_of(f: SpecFile) -> Iterator[Mutation]:
    kind = f.rel.split("/")[1]
    for e in f.entries:
        field_ = e.field
        in_pricing = any(p in ("pricing", "image_pricing") for p in e.loc if isinstance(p, str))
        # a required key removed (a price's source or date: their own category)
        required = e.model is not None and e.model.model_fields[field_].is_required()
        edit = removal(f, e) if required else None
        if edit is not None and anchored(f, edit[0], edit[1]):
            edit = None  # removing the anchor would break its aliases, not the grammar
        missing = f"missing required key {e.loc[-1]!r}"
        if e.union:  # a value of several shapes: the error may name the value, not the key
            missing += "|" + _enclosing_key(e)
        if edit is not None:
            s, t, r = edit
            if field_ in ("source", "checked") and in_pricing:
                yield Mutation(
                    "price_without_source_or_date",
                    f.rel,
                    s,
                    t,
                    r,
                    e.owner_line,
                    missing,
                )
            else:
                yield Mutation("missing_required_key", f.rel, s, t, r, e.owner_line, missing)
        # a value of the wrong type
        scalar = _scalar_kind(e.ann)
        if isinstance(e.value, yaml.ScalarNode) and scalar is not None and e.key is not None:
            expect = str(e.loc[-1]) + ("|" + _enclosing_key(e) if e.union else "")
            yield replace_value(f, e, SCALAR_TYPES[scalar], "wrong_type", expect)
        # a wire path that is not in the wire schema (a protocol's, or one a host adds to it)
        in_specs = kind in ("protocols", "providers")
        if in_specs and isinstance(e.value, yaml.ScalarNode) and _is_path(e.ann):
            bogus = re.sub(
                r"([A-Za-z0-9_]+)(?=( [!=]= \S+)?$)", r"\1_bogus", e.value.value, count=1
            )
            if bogus != e.value.value:  # `usage: .` (the object itself) names no field
                yield replace_value(f, e, bogus, "bad_wire_path", "_bogus")
        if kind == "protocols" and e.loc[:2] == ("request", "body") and len(e.loc) == 3:
            key = e.key
            assert key is not None
            yield Mutation(
                "bad_wire_path",
                f.rel,
                key.start_mark.index,
                key.end_mark.index,
                f"{key.value}_bogus",
                f.line_of(key),
                f"'{key.value}_bogus'",
            )
        # an unknown variable in a request template
        if kind == "protocols" and e.loc in TEMPLATE_ROOTS:
            for sub in _template_scalars(e.value):
                name = sub.value
                bogus = f"{name}_nope"
                yield Mutation(
                    "unknown_template_variable",
                    f.rel,
                    sub.start_mark.index,
                    sub.end_mark.index,
                    bogus,
                    f.line_of(sub),
                    f"unknown variable '{bogus}'",
                    f"`${name.lstrip('$')}`" if name.lstrip("$") in TOOL_VARS else None,
                )
        # a negative price; a cache-read price not below the input price
        if in_pricing and field_ in PRICE_FIELDS and _number(e.value) is not None:
            yield replace_value(f, e, "-1.5", "negative_price", "greater than or equal to 0")
        if in_pricing and field_ == "cached_input" and e.parent is not None:
            price_input = next(v for k, v in e.parent.value if k.value == "input")
            yield replace_value(
                f, e, price_input.value, "cache_price_not_below_input", "is not below input"
            )
        if in_pricing and field_ == "checked":
            yield replace_value(f, e, "2999-01-01", "checked_in_the_future", "in the future")
        if in_pricing and e.loc[-2:-1] == ("secondary",) and field_ == "date":
            yield replace_value(
                f, e, "2999-01-01", "secondary_dated_after_check", "after the price was checked"
            )
        if e.loc[-2:-1] == ("image_pricing",) and field_ == "source":
            yield replace_value(f, e, "the pricing page", "price_source_not_a_url", "https://")
        if "per_image" in e.loc and e.loc[-2] == "when" and isinstance(e.value, yaml.ScalarNode):
            yield replace_value(
                f, e, "no_such_value", "image_price_option_value", "not one of its allowed"
            )
        siblings = {k.value for k, _ in e.parent.value} if e.parent is not None else set()
        if e.loc[-3:-2] == ("valid_options",) and field_ == "default" and "allowed" in siblings:
            yield replace_value(f, e, "no_such_value", "option_default_not_allowed", "default")
        # unknown providers and protocols
        if kind == "models" and len(e.loc) == 4 and e.loc[2] == "ids":
            yield _rename_key(f, e, "nosuch_provider", "unknown_provider", "unknown provider")
        if kind == "models" and len(e.loc) == 4 and e.loc[2] == "protocols":
            yield replace_value(
                f, e, "nosuch_protocol", "unknown_protocol", "unknown protocol 'nosuch_protocol'"
            )
        if kind == "providers" and len(e.loc) == 2 and e.loc[0] == "serves":
            yield _rename_key(f, e, "nosuch_protocol", "unknown_protocol", "unknown protocol")
        # a shared table that specs/tables/ does not define
        if kind == "protocols" and "shared" in e.loc and isinstance(e.value, yaml.ScalarNode):
            yield replace_value(f, e, "nosuch_table", "unknown_shared_table", "'nosuch_table'")
    yield from _model_mutations(f)
    yield from _finish_reason_mutations(f)
    yield from _syntax_mutations(f)


def _syntax_mutations(f: SpecFile) -> Iterator[Mutation]:
    """A quoted value starting with `!` or `*` unquoted (YAML reads a tag or an alias); a
    `key` or `when` put on a rule with `cases` (it makes no item of its own)."""
    for e in f.entries:
        v = e.value
        if isinstance(v, yaml.ScalarNode) and v.style in ("'", '"') and v.value[:1] in ("!", "*"):
            start, end = v.start_mark.index, v.end_mark.index
            yield Mutation(
                "unquoted_yaml_indicator", f.rel, start, end, v.value, f.line_of(v), "quote"
            )
        if e.model is grammar.ContentRule and e.field == "cases" and e.key is not None:
            flow = e.parent is not None and e.parent.flow_style
            at, column = e.key.start_mark.index, e.key.start_mark.column
            for name, value in (("key", "index"), ("when", "type")):
                text = f"{name}: {value}" + (", " if flow else "\n" + " " * column)
                expect = f"`{name}` does not apply to a rule with `cases`"
                yield Mutation(
                    "field_on_a_cases_rule", f.rel, at, at, text, f.line_of(e.key), expect
                )


def _enclosing_key(e: Entry) -> str:
    return next(str(p) for p in reversed(e.loc[:-1]) if isinstance(p, str))


def _rename_key(f: SpecFile, e: Entry, new: str, category: str, expect: str) -> Mutation:
    key = e.key
    assert key is not None
    return Mutation(
        category,
        f.rel,
        key.start_mark.index,
        key.end_mark.index,
        new,
        f.line_of(key),
        f"{expect} {new!r}",
    )


# The generator checks first that the body uses these exactly when `request.tools` /
# `structured_output` say so, and reports a missing one at that section instead.
TOOL_VARS = {"tools", "schema", "schema_json", "structured_json_mode"}
TEMPLATE_ROOTS = {
    ("request", "body"),
    ("request", "messages", "message"),
    ("request", "messages", "parts"),
    ("request", "messages", "own_message"),
    ("request", "tools", "definition"),
    ("request", "tools", "choice"),
}


def _template_scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    """`$var` values and `$when` names anywhere in a request template."""
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        node, is_when = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.style is None and (is_when or node.value.startswith("$")):
                yield node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((n, False) for n in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((v, k.value == "$when") for k, v in node.value)


def _model_mutations(f: SpecFile) -> Iterator[Mutation]:
    """Per catalog model: limits, duplicate constants, dates, capabilities."""
    if not f.rel.startswith("specs/models/"):
        return
    for m in f.children(("models",)):
        i = m.loc[1]
        fields = {e.loc[2]: e for e in f.children(("models", i))}
        context, output = fields.get("context_window"), fields.get("max_output_tokens")
        if context is not None and output is not None:
            yield replace_value(
                f,
                output,
                str(int(context.value.value) + 1),
                "output_above_context",
                "exceeds context_window",
            )
        for host in f.children(("models", i, "hosts")):
            h = {e.loc[-1]: e for e in f.children(host.loc)}
            ctx = h.get("context_window") or context
            out = h.get("max_output_tokens") or output
            if ctx is None or out is None:
                continue
            if "max_output_tokens" in h:
                target, value = "max_output_tokens", int(ctx.value.value) + 1
            elif "context_window" in h:
                target, value = "context_window", int(out.value.value) - 1
            else:
                continue
            yield replace_value(
                f, h[target], str(value), "output_above_context", "exceeds context_window"
            )
        constant = fields["constant"]
        if (f.rel, i) != FIRST_MODEL:
            yield replace_value(
                f, constant, FIRST_CONSTANT, "duplicate_constant", "duplicate constant"
            )
        release, deprecation = fields.get("release_date"), fields.get("deprecation_date")
        if release is not None and deprecation is not None:
            before = dt.date.fromisoformat(release.value.value) - dt.timedelta(days=1)
            yield replace_value(
                f, deprecation, before.isoformat(), "deprecated_before_release", "is before"
            )
        caps = fields["capabilities"].value
        if caps.flow_style and caps.value:
            yield Mutation(
                "duplicate_capability",
                f.rel,
                caps.end_mark.index - 1,
                caps.end_mark.index - 1,
                f", {caps.value[0].value}",
                f.line_of(caps),
                "listed twice",
            )
        if "pricing" in fields and "pricing_missing" not in fields:
            key = fields["constant"].key
            assert key is not None
            at = f.text.index("\n", key.start_mark.index) + 1  # a line after `constant:`
            indent = " " * key.start_mark.column
            yield Mutation(
                "pricing_and_pricing_missing",
                f.rel,
                at,
                at,
                f'{indent}pricing_missing: "mutation"\n',
                f.line_of(key) + 1,
                "pricing_missing is set",
            )
        reasoning = f.get(("models", i, "reasoning", "default_effort"))
        if reasoning is not None:
            yield replace_value(f, reasoning, "no_such_effort", "default_effort", "not one of")


def _finish_reason_mutations(f: SpecFile) -> Iterator[Mutation]:
    """Each finish reason the wire schema documents, left out of `finish_reasons`."""
    table = f.get(("finish_reasons",))
    if table is None:
        return
    wire_name = f.get(("wire",))
    assert wire_name is not None
    wire = yaml.safe_load((ROOT / "specs" / "wire" / wire_name.value.value).read_text())
    known: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for k in ("x-known-values", "enum"):
                if isinstance(node.get(k), list):
                    known.update(str(v) for v in node[k])
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect(wire)
    for e in f.children(("finish_reasons",)):
        if e.loc[-1] in known:
            s, t, r = removal(f, e)
            yield Mutation(
                "finish_reason_unmapped",
                f.rel,
                s,
                t,
                r,
                f.line_of(table.key),  # type: ignore[arg-type]
                f"finish_reasons does not map {e.loc[-1]!r}",
            )


FILES = spec_files()
_first = next(f for f in FILES if f.rel.startswith("specs/models/"))
FIRST_MODEL = (_first.rel, 0)
_first_constant = _first.get(("models", 0, "constant"))
assert _first_constant is not None
FIRST_CONSTANT = _first_constant.value.value
ALL_MUTATIONS = list(
    {(m.file, m.start, m.end, m.text): m for f in FILES for m in mutations_of(f)}.values()
)


def sample(mutations: list[Mutation], per_group: int) -> list[Mutation]:
    """A deterministic sample: up to `per_group` of each (category, file), spread evenly over
    the file, plus every mutation marked as a known gap."""
    groups: dict[tuple[str, str], list[Mutation]] = {}
    for m in mutations:
        groups.setdefault((m.category, m.file), []).append(m)
    out = []
    for group in groups.values():
        step = max(1, len(group) / per_group)
        picked = {group[int(i * step)].start for i in range(min(per_group, len(group)))}
        out += [m for m in group if m.start in picked or m.gap]
    return out


# Every mutation takes a full (unformatted) compile, ~35 ms; all of them take about two
# minutes. The default run takes a sample; MODELWIRE_ALL_MUTATIONS=1 runs every one.
PER_GROUP = 2
MUTATIONS = (
    ALL_MUTATIONS if os.environ.get("MODELWIRE_ALL_MUTATIONS") else sample(ALL_MUTATIONS, PER_GROUP)
)


# --- running the generator -------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of specs/, with the generator's pure steps cached across mutations."""
    root = tmp_path_factory.mktemp("mutations")
    shutil.copytree(ROOT / "specs", root / "specs")
    loads: dict[tuple[str, str], Any] = {}
    wires: dict[tuple[str, str], tuple[str, Any]] = {}
    env = build.environment()
    real_wire_models = build.wire_models

    def load(path: Path, base: Path) -> Any:
        key = (str(path), path.read_text(encoding="utf-8"))
        if key not in loads:
            loads[key] = load_source(path, base)
        return loads[key]

    def wire_models(wire: Any) -> str:
        key = (wire.source.path, repr(wire.source.data))
        if key not in wires:
            wires[key] = (real_wire_models(wire), wire.aliases)
        body, wire.aliases = wires[key]
        return body

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build, "load", load)
        mp.setattr(build, "wire_models", wire_models)
        mp.setattr(build, "environment", lambda: env)
        build.compile_specs(root)  # the unmutated copy compiles
        yield root
        build.compile_specs(root)  # and still does: nothing leaked between mutations


def errors_after(tree: Path, m: Mutation) -> list[SpecError]:
    path = tree / m.file
    original = path.read_text(encoding="utf-8")
    path.write_text(original[: m.start] + m.text + original[m.end :], encoding="utf-8")
    try:
        build.compile_specs(tree)
    except SpecErrors as exc:
        return exc.errors
    finally:
        path.write_text(original, encoding="utf-8")
    return []


def test_mutations_cover_every_category_and_file() -> None:
    categories = Counter(m.category for m in ALL_MUTATIONS)
    assert set(categories) >= {
        "unknown_shared_table",
        "missing_required_key",
        "wrong_type",
        "bad_wire_path",
        "duplicate_constant",
        "unknown_provider",
        "negative_price",
        "output_above_context",
        "unknown_template_variable",
        "finish_reason_unmapped",
        "unknown_protocol",
        "price_without_source_or_date",
    }, categories
    assert {m.file for m in MUTATIONS} == {f.rel for f in FILES}
    assert len(MUTATIONS) == len({(m.file, m.start, m.end, m.text) for m in MUTATIONS})
    RESULTS["generated"] = len(ALL_MUTATIONS)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.id)
def test_mutation_fails_generation_at_its_line(tree: Path, mutation: Mutation) -> None:
    RESULTS["tried"] = RESULTS.get("tried", 0) + 1
    errors = errors_after(tree, mutation)
    if not errors and mutation.gap:
        RESULTS["known_gaps"] = RESULTS.get("known_gaps", 0) + 1
        pytest.xfail(mutation.gap)
    where = f"{mutation.file}:{mutation.line}:"
    assert errors, f"{mutation} compiled without an error"
    hits = [e for e in errors if str(e).startswith(where)]
    if mutation.elsewhere is not None:
        hits += [e for e in errors if e.file == mutation.file and mutation.elsewhere in e.message]
    assert hits, f"no error at {where}; got:\n" + "\n".join(map(str, errors))
    assert any(
        any(x.lower() in e.message.lower() for x in mutation.expect.split("|"))
        or (mutation.elsewhere is not None and mutation.elsewhere in e.message)
        for e in hits
    ), f"error at {where} does not say {mutation.expect!r}: " + "\n".join(map(str, hits))
    RESULTS["failed_at_line"] = RESULTS.get("failed_at_line", 0) + 1
    RESULTS[f"category:{mutation.category}"] = RESULTS.get(f"category:{mutation.category}", 0) + 1


def test_an_unquoted_negated_condition_is_a_spec_error(tree: Path) -> None:
    rel = "specs/protocols/gemini_generate_content.yaml"
    m = Mutation("yaml_tag", rel, 0, 0, "x: !candidates\n", 1, "")
    text = (ROOT / rel).read_text(encoding="utf-8")
    m = dataclasses.replace(m, start=len(text), end=len(text))
    errors = errors_after(tree, m)
    assert errors and str(errors[0]).startswith(f"{rel}:")


# --- what hosts add, shared content, shared tables -------------------------------------------

OPENROUTER = "specs/providers/openrouter.yaml"
ERROR_TABLES = "specs/tables/errors.yaml"

# (file, text, its replacement, text on the line the error is at (searched from the edit), part
# of the message)
ADDITION_CHECKS = [
    # a host adds only to what the protocol has: shared content rules, stream events reading a
    # usage object; a protocol that frames dialects takes no additions
    (
        OPENROUTER,
        "    adds:\n      response:\n        # an error after the model started",
        "    adds:\n      content: [{kind: text, text: x}]\n      response:\n        # an error after the model started",
        "content: [",
        "no shared `content` rules",
    ),
    (
        "specs/providers/openai.yaml",
        "  openai_images: {path: /images/generations}",
        "  openai_images:\n    path: /images/generations\n    adds: {stream: {usage: usage}}",
        "stream:",
        "no stream event rule reading a usage object",
    ),
    (
        "specs/providers/amazon_bedrock.yaml",
        "    path: /model/{model}/invoke\n",
        "    path: /model/{model}/invoke\n    adds: {usage: {prompt_tokens: inputTokenCount}}\n",
        "adds:",
        "only frames",
    ),
    # a place a host adds is a path of the wire schema, added to a value read from a path
    (
        "specs/providers/deepseek.yaml",
        "cache_read_tokens: prompt_cache_hit_tokens",
        "cache_read_tokens: prompt_cache_hits",
        "prompt_cache_hits",
        "'prompt_cache_hits' (in path",
    ),
    (
        "specs/providers/anthropic.yaml",
        "    path: /v1/messages\n",
        "    path: /v1/messages\n    adds: {usage: {prompt_tokens: input_tokens}}\n",
        "adds:",
        "takes no further place",
    ),
    (
        "specs/providers/anthropic.yaml",
        "    path: /v1/messages\n",
        "    path: /v1/messages\n    adds: {stream: {usage: message.usage}}\n",
        "adds:",
        "merges key by key",
    ),
    (
        OPENROUTER,
        "- {kind: reasoning, text: reasoning}",
        "- {kind: reasoning, text: reasonin}",
        "text: reasonin}",
        "did you mean 'reasoning'",
    ),
    (
        OPENROUTER,
        'error: {when: [error, "!choices"]',
        'error: {when: [errors, "!choices"]',
        "errors,",
        "'errors'",
    ),
    # a choice reads the shared rules (in an object that exists) or its own, not both
    (
        "specs/protocols/openai_chat.yaml",
        "    content_in: message\n",
        "    content_in: message\n    content: [{kind: text, text: message.content}]\n",
        "content_in: message",
        "not both",
    ),
    (
        "specs/protocols/openai_chat.yaml",
        "    content_in: message\n",
        "    content_in: messages\n",
        "content_in: messages",
        "'messages'",
    ),
    (
        "specs/protocols/meta_llama.yaml",
        "content:\n  - {kind: text, text: generation}\n",
        "",
        "content_in: .}\n\nstream",
        "there are none",
    ),
    # shared tables: named ones exist, are named by two protocols or more, give each error type
    # once, and a shared pattern is a regular expression
    (
        "specs/protocols/gemini_generate_content.yaml",
        "retry_statuses: {shared: transient}",
        "retry_statuses: {shared: transiet}",
        "transiet",
        "did you mean 'transient'",
    ),
    (
        "specs/protocols/imagen_predict.yaml",
        "types: {shared: google_rpc_status}",
        "types: {INTERNAL: server}",
        (ERROR_TABLES, "  google_rpc_status:"),
        "named by specs/protocols/gemini_generate_content.yaml only",
    ),
    (
        "specs/protocols/bedrock_converse.yaml",
        "      accessDeniedException: permission\n",
        "      accessDeniedException: permission\n      validationException: bad_request\n",
        "validationException",
        "given by 'bedrock_stream_exceptions' already",
    ),
    (
        ERROR_TABLES,
        'context_window_messages: "prompt is too long|',
        'context_window_messages: "(prompt is too long|',
        "context_window_messages",
        "bad regex",
    ),
    (
        "specs/protocols/meta_llama.yaml",
        "  message: message\n",
        "  message: message\n  types: {}\n",
        "types: {}",
        "at least 1 item",
    ),
]


@pytest.mark.parametrize(
    ("rel", "old", "new", "at", "message"), ADDITION_CHECKS, ids=lambda v: str(v)[:40]
)
def test_additions_shared_content_and_tables_fail_at_their_line(
    tree: Path, rel: str, old: str, new: str, at: str | tuple[str, str], message: str
) -> None:
    text = (ROOT / rel).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {rel}"
    start = text.index(old)
    edited = text[:start] + new + text[start + len(old) :]
    if isinstance(at, tuple):  # the error is in another file
        err_file, other = at[0], (ROOT / at[0]).read_text(encoding="utf-8")
        line = other[: other.index(at[1])].count("\n") + 1
    else:
        err_file = rel
        line = edited[: edited.index(at, max(0, start - 40))].count("\n") + 1
    m = Mutation("addition", rel, start, start + len(old), new, line, message)
    errors = errors_after(tree, m)
    where = f"{err_file}:{line}:"
    hits = [e for e in errors if str(e).startswith(where)]
    assert any(message.lower() in e.message.lower() for e in hits), (
        f"no error at {where} saying {message!r}; got:\n" + "\n".join(map(str, errors))
    )
