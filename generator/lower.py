"""Lowering: a checked protocol spec + its wire schema -> the adapter's intermediate form.

The intermediate form is small dataclasses holding Python expressions (strings) that read
the wire models by attribute. Templates under generator/templates/ render it. The protocol's
shape is checked before (generator/checks/protocol.py); every path is resolved against the
wire schema here, and a path that does not exist, or lands on a value of the wrong type, is a
SpecError at the path's own line, recorded in `Lowering.errors` — as is any error of a rule,
case, event, template or body key, which is then left out while the rest is lowered — so that
one run reports every error of a spec.
"""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from .errors import SpecError
from .source import Loc, Source
from .spec import (
    AddsSpec,
    BodyErrorSpec,
    ChoiceSpec,
    ContentRule,
    DialectSpec,
    ErrorFields,
    First,
    Join,
    MessagesSpec,
    ProtocolSpec,
    RequestSpec,
    StreamEventSpec,
    StreamSpec,
    Sum,
    UsageSpec,
)
from .tables import ErrorTables
from .wire import PathError, Resolved, Step, WireSchema

T = TypeVar("T")

STRING = frozenset({"string"})
INTEGER = frozenset({"integer"})
ANY_JSON = frozenset({"string", "object", "array", "integer", "number", "boolean"})

# Request template variables: name -> (Python expression, may be None)
REQUEST_VARS: dict[str, tuple[str, bool]] = {
    "model": ("call.model", False),
    "messages": ("_messages(call)", False),
    "system": ("call.system", True),
    "stream": ("call.stream", False),
    "reasoning": ("cfg.reasoning", False),
    "max_output_tokens": ("cfg.max_output_tokens", True),
    "max_reasoning_tokens": ("cfg.max_reasoning_tokens", True),
    "reasoning_effort": ("cfg.reasoning_effort", True),
    "temperature": ("cfg.temperature", True),
    "top_p": ("cfg.top_p", True),
    "stop": ("cfg.stop", True),
    "stop_list": ("call.stop_list()", True),
    "seed": ("cfg.seed", True),
    "output_limit": ("call.output_limit()", False),
    "reasoning_budget": ("call.reasoning_budget()", True),
    "reasoning_budget_or_min": ("call.reasoning_budget_or_min()", True),
    "reasoning_adaptive": ("call.reasoning_adaptive()", False),
    "tools": ("_tools(call)", True),
    "tool_choice": ("_tool_choice(call)", True),
    "structured_output": ("call.structured_native()", False),
    "schema": ("call.structured_schema", True),
    "schema_json": ("call.structured_schema_json()", True),
    "schema_name": ("call.structured_name()", True),
    "structured_json_mode": ("call.structured_json_mode()", False),
    "prompt": ("call.prompt_text()", False),
    "image_output": ("call.image_output()", False),
    "reasoning_model": ("call.reasoning_model()", False),
    "inputs": ("call.inputs", False),
    "input": ("call.inputs[0]", False),
    "dimensions": ("call.dimensions", True),
    "input_type": ("call.input_type", True),
    "model_resource": ("'models/' + call.model", False),
}
# the lists `{$each: name, $item: X}` walks, and the variable naming one element inside X
EACH_VARS: dict[str, tuple[str, str]] = {"inputs": ("call.inputs", "input")}
# `$when: var` tests a cheaper expression than the value's for these
WHEN_EXPRS = {"tools": "call.tools", "tool_choice": "call.tool_choice"}
MESSAGE_VARS: dict[str, tuple[str, bool]] = {"role": ("role", False), "content": ("content", False)}
TOOL_VARS: dict[str, tuple[str, bool]] = {
    "name": ("tool.name", False),
    "description": ("tool.description", True),
    "parameters": ("parameters", False),
    "strict": ("tool.strict", True),
}
CHOICE_VARS: dict[str, tuple[str, bool]] = {"name": ("choice.name", False)}
_MEDIA_BYTES: dict[str, tuple[str, bool]] = {
    "signature": ("part.signature", True),
    "media_type": ("part.media_type", False),
    "data": ("part.base64()", False),
    "data_url": ("part.data_url()", False),
    "format": ("part.format()", False),
    "filename": ("part.file_name()", False),
    "document_name": ("part.document_name()", False),
}
_MEDIA_URL: dict[str, tuple[str, bool]] = {
    "url": ("part.url", False),
    "media_type": ("part.media_type", True),
}
PART_VARS: dict[str, dict[str, tuple[str, bool]]] = {
    "tool_result": {
        "id": ("part.id", True),
        "name": ("part.name", False),
        "output": ("part.output_text()", False),
        "output_object": ("part.output_object()", False),
        "is_error": ("part.is_error", False),
    },
    **{kind: _MEDIA_BYTES for kind in ("image", "document", "audio")},
    **{f"{kind}_url": _MEDIA_URL for kind in ("image", "document", "audio")},
    "text": {"text": ("part.text", False), "signature": ("part.signature", True)},
    "refusal": {"text": ("part.text", False)},
    "reasoning": {
        "text": ("part.text", True),
        "signature": ("part.signature", True),
        "id": ("part.id", True),
    },
    "redacted_reasoning": {"signature": ("part.signature", False)},
    "tool_call": {
        "id": ("part.id", True),
        "name": ("part.name", False),
        "arguments": ("part.arguments_object()", False),
        "arguments_json": ("part.arguments_json()", False),
        "signature": ("part.signature", True),
    },
}

ARRAY = frozenset({"array"})
ITEM_FIELDS: dict[str, dict[str, frozenset[str]]] = {
    "embedding": {"vector": ARRAY, "vectors": ARRAY},
    "image": {
        "data": STRING,
        "url": STRING,
        "media_type": STRING,
        "revised_prompt": STRING,
        "signature": STRING,
    },
    "text": {"text": STRING, "signature": STRING},
    "refusal": {"text": STRING},
    "reasoning": {"text": STRING, "signature": STRING, "id": STRING},
    "tool_call": {
        "id": STRING,
        "name": STRING,
        "arguments": frozenset({"string", "object"}),
        "signature": STRING,
    },
}


# --- code emission ---------------------------------------------------------------------------
#
# Generated functions are built as a small statement tree whose expressions hold `Ref`s (a
# path read from a variable) rather than text. Rendering decides where each shared or
# nullable path prefix is bound to a named local (once, in the innermost block holding all
# its reads), and reads a nullable prefix's attribute behind a guard only where no enclosing
# `if` already proved it present.


@dataclass(frozen=True)
class Ref:
    """A path read from a variable of the generated function: `root.a.b`."""

    root: str
    steps: tuple[Step, ...]
    only: str | None = None  # "str" / "list": a value of another shape reads as None / ()

    @property
    def key(self) -> tuple[str, ...]:
        return (self.root, *(s.attr for s in self.steps))

    def prefix(self, k: int) -> Ref:
        return Ref(self.root, self.steps[:k])

    def may_be_none(self) -> bool:
        return any(s.nullable for s in self.steps)


Code = tuple["str | Ref", ...]


def code(*parts: str | Ref | Code) -> Code:
    """Pieces and pieces of code, flattened into one."""
    out: list[str | Ref] = []
    for p in parts:
        if isinstance(p, tuple):
            out.extend(p)
        else:
            out.append(p)
    return tuple(out)


def joined(items: list[Code], sep: str = ", ") -> Code:
    out: list[str | Ref] = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.extend(item)
    return tuple(out)


def refs_of(c: Code) -> list[Ref]:
    return [p for p in c if isinstance(p, Ref)]


@dataclass(frozen=True)
class Conj:
    """One conjunct of a condition: `ref` tested as truthy/falsy, present, or against a
    string literal."""

    ref: Ref
    op: str  # "truthy" / "falsy" / "==" / "!=" / "present"
    literal: str | None = None
    model: str | None = None  # the $defs model of the value tested, when it is one


@dataclass
class Stmt:
    """A line (`head`, no body), or a compound statement: `head:` then `body`; `branches`
    continue an `if` (`elif ...:` / `else:`)."""

    head: tuple[str | Ref | Conj, ...]
    body: list[Stmt] | None = None
    branches: list[tuple[tuple[str | Ref | Conj, ...], list[Stmt]]] = field(
        default_factory=lambda: []
    )
    binds: str | None = None  # a `for` loop: the variable bound in the body

    def head_refs(self) -> list[Ref]:
        out: list[Ref] = []
        for head in [self.head, *(h for h, _ in self.branches)]:
            for p in head:
                if isinstance(p, Ref):
                    out.append(p)
                elif isinstance(p, Conj):
                    out.append(p.ref)
        return out

    def bodies(self) -> list[list[Stmt]]:
        return ([self.body] if self.body is not None else []) + [b for _, b in self.branches]

    def all_refs(self) -> list[Ref]:
        out = self.head_refs()
        for body in self.bodies():
            for st in body:
                out.extend(st.all_refs())
        return out


def line(*parts: str | Ref | Code) -> Stmt:
    return Stmt(code(*parts))


def if_(test: list[Conj] | Code, body: list[Stmt], keyword: str = "if") -> Stmt:
    return Stmt((f"{keyword} ", *test, ":"), body)


def for_(var: str, iterable: Code, body: list[Stmt]) -> Stmt:
    return Stmt(("for ", var, " in ", *iterable, ":"), body, binds=var)


BUILTIN_NAMES = frozenset(dir(builtins))


def snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return re.sub(r"[^a-z0-9_]+", "_", name).strip("_") or "value"


@dataclass
class Scope:
    """What the code at one point knows: the locals bound to path prefixes, and the prefixes
    an enclosing test proved present."""

    names: set[str]  # every name used in the function (shared by all its scopes)
    bound: dict[tuple[str, ...], str] = field(default_factory=lambda: {})
    present: set[tuple[str, ...]] = field(default_factory=lambda: set())
    used: set[str] = field(default_factory=lambda: set())  # names the rendered code read
    roots: set[str] = field(default_factory=lambda: set())  # the variables defined here

    def child(self) -> Scope:
        return Scope(self.names, dict(self.bound), set(self.present), self.used, set(self.roots))

    def fresh(self, *candidates: str) -> str:
        for name in candidates:
            if name and name not in self.names and name not in BUILTIN_NAMES:
                self.names.add(name)
                return name
        base = candidates[-1]
        n = 2
        while f"{base}_{n}" in self.names:
            n += 1
        self.names.add(f"{base}_{n}")
        return f"{base}_{n}"

    def maybe_none(self, ref: Ref) -> bool:
        """The value at `ref` may be None here."""
        for k in range(len(ref.steps), 0, -1):
            if ref.prefix(k).key in self.present:
                return False
            if ref.steps[k - 1].nullable:
                return True
        return False

    def name_of(self, ref: Ref) -> str | None:
        if not ref.steps:
            return ref.root
        return self.bound.get(ref.key)

    # --- rendering expressions ---

    def value(self, ref: Ref) -> str:
        """`ref` read here: None where a missing object on its way makes it absent."""
        if ref.only is not None:
            raw = Ref(ref.root, ref.steps)
            name = self.name_of(raw)
            assert name is not None, f"unbound {raw.key}"
            self.used.add(name)
            if ref.only == "str":
                return f"({name} if isinstance({name}, str) else None)"
            return f"({name} if isinstance({name}, list) else ())"
        name = self.name_of(ref)
        if name is not None:
            self.used.add(name)
            return name
        parent = ref.prefix(len(ref.steps) - 1)
        attr = ref.steps[-1].attr
        if self.maybe_none(parent):
            pname = self.name_of(parent)
            assert pname is not None, f"unbound {parent.key}"
            self.used.add(pname)
            return f"({pname}.{attr} if {pname} is not None else None)"
        return f"{self.value(parent)}.{attr}"

    def guarded(self, ref: Ref) -> tuple[str | None, str]:
        """(the local a test must find present first, or None; the read behind it)."""
        name = self.name_of(ref)
        if name is not None or ref.only is not None:
            return None, self.value(ref)
        parent = ref.prefix(len(ref.steps) - 1)
        if len(ref.steps) > 1 and self.maybe_none(parent):
            pname = self.name_of(parent)
            assert pname is not None, f"unbound {parent.key}"
            self.used.add(pname)
            return pname, f"{pname}.{ref.steps[-1].attr}"
        return None, self.value(ref)

    def conj(self, c: Conj) -> str:
        """One conjunct; a conjunct that needs its value present proves it for the rest."""
        guard, v = self.guarded(c.ref)
        op = c.op
        if op == "present":
            text = f"{v} is not None"
        elif op == "truthy":
            text = v
        elif op == "falsy":
            text = f"not {v}"
        else:
            text = f"{v} {op} {c.literal!r}"
        positive = op in ("truthy", "==", "present")
        if guard is not None:
            if positive:
                text = f"{guard} is not None and {text}"
                self.present.add(c.ref.prefix(len(c.ref.steps) - 1).key)
            else:
                text = f"({guard} is None or {text})"
        if positive:  # what a type checker narrows: the value tested (and its guard)
            self.present.add(c.ref.key)
        return text

    def render(self, parts: tuple[str | Ref | Conj, ...]) -> str:
        out: list[str] = []
        conj_seen = False
        for p in parts:
            if isinstance(p, Conj):
                if conj_seen:
                    out.append(" and ")
                out.append(self.conj(p))
                conj_seen = True
            elif isinstance(p, Ref):
                out.append(self.value(p))
            else:
                out.append(p)
        return "".join(out)

    # --- rendering statements ---

    def bind_for(self, st: Stmt, later: list[Ref]) -> list[Ref]:
        """The prefixes to bind before `st`: read by its own line, or by it and a statement
        after it; and nullable with a read below, read whole twice, or read by shape."""
        here = st.head_refs() if st.body is not None else st.all_refs()
        mine = [r for r in st.all_refs() if r.root in self.roots]
        later = [r for r in later if r.root in self.roots]
        children: dict[tuple[str, ...], set[str]] = {}
        whole: dict[tuple[str, ...], int] = {}
        shaped: set[tuple[str, ...]] = set()
        for ref in mine + later:
            if ref.only is not None:
                shaped.add(ref.key)
            for k in range(1, len(ref.steps) + 1):
                key = ref.prefix(k).key
                if k < len(ref.steps):
                    children.setdefault(key, set()).add(ref.steps[k].attr)
                else:
                    children.setdefault(key, set()).add("")
                    whole[key] = whole.get(key, 0) + 1

        def keys(refs: list[Ref]) -> set[tuple[str, ...]]:
            return {r.prefix(k).key for r in refs for k in range(1, len(r.steps) + 1)}

        here_keys, mine_keys, later_keys = keys(here), keys(mine), keys(later)
        wanted: dict[tuple[str, ...], Ref] = {}
        for ref in mine:
            for k in range(1, len(ref.steps) + 1):
                p = ref.prefix(k)
                if p.key in self.bound or p.key in wanted:
                    continue
                below = children.get(p.key, set())
                need = (
                    p.key in shaped
                    or (bool(below - {""}) and self.maybe_none(p))
                    or len(below) > 1
                    or whole.get(p.key, 0) > 1
                )
                if need and (p.key in here_keys or (p.key in mine_keys and p.key in later_keys)):
                    wanted[p.key] = p
        return sorted(wanted.values(), key=lambda r: len(r.steps))

    def block(self, stmts: list[Stmt], indent: int, out: list[str]) -> None:
        pad = "    " * indent
        for i, st in enumerate(stmts):
            later = [r for s in stmts[i + 1 :] for r in s.all_refs()]
            for p in self.bind_for(st, later):
                if p.key in self.bound:
                    continue
                text = self.value(p)
                if text.startswith("(") and text.endswith(")") and " if " in text:
                    text = text[1:-1]
                attr = p.steps[-1].attr
                parent = self.name_of(p.prefix(len(p.steps) - 1)) or ""
                parent_attr = p.steps[-2].attr if len(p.steps) > 1 else ""
                name = self.fresh(
                    snake(attr),
                    f"{snake(parent_attr)}_{snake(attr)}" if parent_attr else "",
                    f"{parent}_{snake(attr)}".lstrip("_"),
                    snake(attr),
                )
                out.append(f"{pad}{name} = {text}")
                self.bound[p.key] = name
            if st.body is None:
                out.append(pad + self.render(st.head))
                if st.binds is not None:
                    self.roots.add(st.binds)
                continue
            inner = self.child()
            out.append(pad + inner.render(st.head))
            if st.binds is not None:
                inner.roots.update(st.binds.replace(" ", "").split(","))
            inner.block(st.body, indent + 1, out)
            for head, body in st.branches:
                other = self.child()
                out.append(pad + other.render(head))
                other.block(body, indent + 1, out)


# --- the adapter's functions, as statements ---------------------------------------------------

# names a generated function's locals must not take (module-level names, the fixed locals)
RESERVED = frozenset(
    {
        "w",
        "tool_call",
        "compact",
        "dig",
        "first_present",
        "join_present",
        "join_text",
        "sum_items",
        "sum_present",
        "lenient",
        "part_kind",
        "contents",
        "deltas",
        "choice_deltas",
        "choices",
        "text",
        "signature",
        "data",
        "url",
        "raw_finish",
        "position",
        "raw",
        "event",
        "e",
        "r",
        "u",
        "p",
        "unwrap",
    }
)


def loop_name(path: str) -> str:
    """The variable of a loop over the list at `path`: its singular (`tool_calls` -> `call`,
    `choices` -> `choice`), or `<name>_item`."""
    name = snake(path.split(".")[-1])
    if name.endswith("ies"):
        name = name[:-3] + "y"
    elif name.endswith("s") and not name.endswith("ss"):
        name = name[:-1]
    else:
        name = f"{name}_item"
    while (name in RESERVED or name in BUILTIN_NAMES) and "_" in name:
        name = name.split("_", 1)[1]
    return name


def _key_prefixes(ref: Ref) -> list[Ref]:
    """The prefixes of `ref` that may be None: where it is, each must be present."""
    return [ref.prefix(k) for k in range(1, len(ref.steps)) if ref.prefix(k).may_be_none()]


def _needs_all(codes: list[Code]) -> list[Ref]:
    """The nullable prefixes every read of `codes` goes through: with one absent, each of
    these values is None (the helpers used return None for None)."""
    refs = [r for c in codes for r in refs_of(c)]
    if not refs:
        return []
    common: dict[tuple[str, ...], Ref] = {p.key: p for p in _key_prefixes(refs[0])}
    for r in refs[1:]:
        keys = {p.key for p in _key_prefixes(r)}
        common = {k: v for k, v in common.items() if k in keys}
    return sorted(common.values(), key=lambda r: len(r.steps))


def _requires(rule: RuleIR) -> list[Ref]:
    """The nullable prefixes that must be present for `rule` to add anything."""
    found: dict[tuple[str, ...], Ref] = {}
    if rule.each is not None:
        for r in refs_of(rule.each):
            found.update((p.key, p) for p in _key_prefixes(r))
    for c in rule.condition or ():
        if c.op in ("truthy", "==", "present"):
            found.update((p.key, p) for p in _key_prefixes(c.ref))
    item = rule.item
    if item is not None and item.kind != "tool_call":
        keys = {
            "text": ["text"],
            "refusal": ["text"],
            "reasoning": ["text", "signature"],
            "image": ["data", "url"],
            "embedding": ["vector", "vectors"],
        }
        codes = [item.fields[k] for k in keys[item.kind] if k in item.fields]
        found.update((p.key, p) for p in _needs_all(codes))
    return sorted(found.values(), key=lambda r: len(r.steps))


class Emitter:
    """Statements of an adapter's reading functions."""

    def __init__(self, stream: bool) -> None:
        self.stream = stream
        self.out = "deltas" if stream else "contents"

    def item(self, it: ItemIR, position: str | None) -> list[Stmt]:
        """Statements adding the item a rule makes (when its fields hold anything)."""
        if it.kind in ("text", "refusal"):
            return self.text_item(it, "Text" if it.kind == "text" else "Refusal")
        if it.kind == "reasoning":
            return self.reasoning_item(it)
        if it.kind == "image":
            return self.image_item(it)
        if it.kind == "embedding":
            return self.embedding_item(it)
        return self.tool_call_item(it, position)

    def embedding_item(self, it: ItemIR) -> list[Stmt]:
        """One vector (`vector`), or one item per vector of a list (`vectors`)."""
        f = it.fields
        out: list[Stmt] = []
        if "vector" in f:
            add = line(f"{self.out}.append(EmbeddingContent(list(vector)))")
            out.append(if_(code("(vector := ", f["vector"], ") is not None"), [add]))
        if "vectors" in f:
            add = line(f"{self.out}.append(EmbeddingContent(list(vector)))")
            loop = for_("vector", ("vectors",), [add])
            out.append(if_(code("vectors := ", f["vectors"]), [loop]))
        return out

    def text_item(self, it: ItemIR, cls: str) -> list[Stmt]:
        """A text or a refusal (`cls`: the class prefix); only a text has a signature."""
        f, key = it.fields, it.key
        extra: Code = code(", key=", key) if key is not None else ()
        if "signature" in f:
            made = (
                code("TextDelta(text or '', signature=signature", extra, ")")
                if self.stream
                else ("TextContent(text or '', signature=signature)",)
            )
            return [
                line("text, signature = ", f["text"], ", ", f["signature"]),
                if_(("text or signature",), [line(f"{self.out}.append(", made, ")")]),
            ]
        made = code(f"{cls}Delta(text", extra, ")") if self.stream else (f"{cls}Content(text)",)
        return [if_(code("text := ", f["text"]), [line(f"{self.out}.append(", made, ")")])]

    def reasoning_item(self, it: ItemIR) -> list[Stmt]:
        f, key = it.fields, it.key
        has_text, has_sig = "text" in f, "signature" in f
        if not (has_text or has_sig):
            return []
        text = "text or None" if has_sig and has_text else ("text" if has_text else "None")
        args: Code = (f"{text}, {'signature' if has_sig else 'None'}",)
        if self.stream:
            args = code(args, ", ", key if key is not None else ("None",))
        flags = ", redacted=True" if it.redacted else ""
        if self.stream and it.continues:
            flags += ", continues=True"
        ident: Code = code(", id=", f["id"]) if "id" in f else ()
        cls = "ReasoningDelta" if self.stream else "ReasoningContent"
        add = line(f"{self.out}.append({cls}(", args, flags, ident, "))")
        if has_text and has_sig:
            return [
                line("text, signature = ", f["text"], ", ", f["signature"]),
                if_(("text or signature",), [add]),
            ]
        name = "text" if has_text else "signature"
        return [if_(code(f"{name} := ", f[name]), [add])]

    def image_item(self, it: ItemIR) -> list[Stmt]:
        f = it.fields
        none: Code = ("None",)
        has_data, has_url = "data" in f, "url" in f
        cls = "ImageDelta" if self.stream else "ImageContent"
        sig: Code = code(", signature=", f["signature"]) if "signature" in f else ()
        add = line(
            f"{self.out}.append({cls}(",
            "data" if has_data else "None",
            ", ",
            "url" if has_url else "None",
            ", ",
            f.get("media_type", none),
            ", ",
            f.get("revised_prompt", none),
            sig,
            "))",
        )
        if has_data and has_url:
            return [
                line("data, url = ", f["data"], ", ", f["url"]),
                if_(("data or url",), [add]),
            ]
        name = "data" if has_data else "url"
        return [if_(code(f"{name} := ", f[name]), [add])]

    def tool_call_item(self, it: ItemIR, position: str | None) -> list[Stmt]:
        f, key = it.fields, it.key
        none: Code = ("None",)
        ident, name_, args_ = f.get("id", none), f.get("name", none), f.get("arguments", none)
        if not self.stream:
            sig = code(", ", f["signature"]) if "signature" in f else ()
            made = code("tool_call(", ident, ", ", name_, ", ", args_, sig, ")")
            return [line("contents.append(", made, ")")]
        if key is not None and position is not None:
            at: Code = code("first_present(", key, f", {position})")
        elif key is not None:
            at = key if it.key_int else code("first_present(", key, ", None)")
        else:
            at = (position or "None",)
        flags = (", continues=True" if it.continues else "") + (", whole=True" if it.whole else "")
        sig = code(", signature=", f["signature"]) if "signature" in f else ()
        made = code("ToolCallDelta(", at, ", ", ident, ", ", name_, ", ", args_, flags, sig, ")")
        return [line("deltas.append(", made, ")")]

    def uses_position(self, rule: RuleIR) -> bool:
        return self.stream and any(
            c.item is not None and c.item.kind == "tool_call" for c in rule.cases
        )

    def rule(self, rule: RuleIR, position: str | None) -> list[Stmt]:
        if rule.each is not None:
            assert rule.var is not None
            chain: Stmt | None = None
            body: list[Stmt] = []
            for case in rule.cases:
                assert case.item is not None
                made = self.item(case.item, rule.position)
                if chain is None and not case.condition:
                    body = made
                    break
                if chain is None:
                    assert case.condition is not None
                    chain = if_(case.condition, made)
                    body = [chain]
                elif case.condition:
                    chain.branches.append((("elif ", *case.condition, ":"), made))
                else:
                    chain.branches.append((("else:",), made))
            each = rule.each
            guard: Ref | None = None
            if len(each) == 2 and isinstance(each[0], Ref) and each[1] == " or ()":
                guard, each = each[0], (each[0],)  # `if xs:` then `for x in xs:`
            if self.uses_position(rule):
                loop = for_(f"{rule.position}, {rule.var}", code("enumerate(", each, ")"), body)
            else:
                loop = for_(rule.var, each, body)
            return [if_([Conj(guard, "truthy")], [loop])] if guard is not None else [loop]
        assert rule.item is not None
        made = self.item(rule.item, position)
        cond = rule.condition
        if cond and len(cond) == 1 and cond[0].op == "truthy" and self.tests_itself(rule):
            return made  # `when: x` with the item's one field x: the item's own test
        if cond:
            return [if_(cond, made)]
        return made

    @staticmethod
    def tests_itself(rule: RuleIR) -> bool:
        """The item is made only when its one field is truthy, and that field is the path
        its rule's `when` tests."""
        item, cond = rule.item, rule.condition
        assert item is not None and cond is not None
        tested = {
            "text": ("text",),
            "refusal": ("text",),
            "reasoning": ("text", "signature"),
            "image": ("data", "url"),
        }
        fields = [item.fields[k] for k in tested.get(item.kind, ()) if k in item.fields]
        return len(fields) == 1 and fields[0] == (cond[0].ref,)

    def rules(self, rules: list[RuleIR]) -> list[Stmt]:
        """The rules in order; consecutive ones that need the same object present share one
        test of it."""
        pairs = [(self.rule(r, None), _requires(r), r.condition is not None) for r in rules]
        return self._group(pairs, set())

    def _group(
        self, pairs: list[tuple[list[Stmt], list[Ref], bool]], known: set[tuple[str, ...]]
    ) -> list[Stmt]:
        out: list[Stmt] = []
        i = 0
        while i < len(pairs):
            stmts, reqs, tested = pairs[i]
            first = next((r for r in reqs if r.key not in known), None)
            if first is None:
                out.extend(stmts)
                i += 1
                continue
            j = i
            while j < len(pairs) and any(r.key == first.key for r in pairs[j][1]):
                j += 1
            if j - i == 1 and tested:  # its own test reads the object behind a guard
                out.extend(stmts)
                i += 1
                continue
            inner = self._group(pairs[i:j], known | {first.key})
            out.append(if_([Conj(first, "present")], inner))
            i = j
        return _exclusive_chains(out)


def _literal_test(st: Stmt) -> tuple[tuple[str, ...], str | None] | None:
    """(the path, the literal) of an `if path == "literal":` with no branches, else None."""
    head = st.head
    if st.body is None or st.branches or len(head) != 3 or head[0] != "if ":
        return None
    test = head[1]
    if not isinstance(test, Conj) or test.op != "==":
        return None
    return test.ref.key, test.literal


def _exclusive_chains(stmts: list[Stmt]) -> list[Stmt]:
    """Consecutive `if x == "a":` / `if x == "b":` tests of one path against different
    literals become one `if` / `elif` chain: at most one holds, and the rest go untested."""
    out: list[Stmt] = []
    path: tuple[str, ...] | None = None
    seen: set[str | None] = set()
    for st in stmts:
        test = _literal_test(st)
        if test is not None and out and test[0] == path and test[1] not in seen:
            assert st.body is not None
            out[-1].branches.append((("elif ", *st.head[1:]), st.body))
            seen.add(test[1])
            continue
        out.append(st)
        path, seen = (test[0], {test[1]}) if test is not None else (None, set())
    return out


@dataclass
class Function:
    """A generated function: `def name(params) -> returns:`, its docstring and body."""

    name: str
    params: list[tuple[str, str]]  # (name, annotation); unread ones are left out
    returns: str
    body: list[Stmt]
    doc: str | None = None
    bound: dict[tuple[str, ...], str] = field(default_factory=lambda: {})
    keep: tuple[str, ...] = ()  # parameters kept even when unread
    kept: list[str] = field(default_factory=lambda: list[str]())  # after rendering

    def render(self) -> str:
        names = set(RESERVED) | {n for n, _ in self.params}
        stack = list(self.body)
        while stack:
            st = stack.pop()
            if st.binds is not None:
                names.update(st.binds.replace(" ", "").split(","))
            for body in st.bodies():
                stack.extend(body)
        roots = {n for n, _ in self.params}
        scope = Scope(names, dict(self.bound), set(), roots=roots)
        for key in self.bound:
            for k in range(2, len(key) + 1):
                scope.present.add(key[:k])
        lines: list[str] = []
        if self.doc:
            lines.append(f'    """{self.doc}"""')
        scope.block(self.body, 1, lines)
        self.kept = [n for n, _ in self.params if n in scope.used or n in self.keep]
        params = ", ".join(f"{n}: {t}" for n, t in self.params if n in self.kept)
        return "\n".join([f"def {self.name}({params}) -> {self.returns}:", *lines])


def _call(name: str, kwargs: Sequence[tuple[str, Code | None]], first: Code = ()) -> Code:
    """`name(first, k=v, ...)` leaving out the keywords whose value is None."""
    items: list[Code] = [first] if first else []
    items += [code(f"{k}=", v) for k, v in kwargs if v is not None]
    return code(f"{name}(", joined(items), ")")


def usage_reader(u: UsageIR) -> Function:
    fields = [(name, expr) for name, expr in u.fields.items()]
    return Function(
        u.function,
        [("u", f"w.{u.model} | None")],
        "Usage | None",
        [if_(("u is None",), [line("return None")]), line("return ", _call("Usage", fields))],
        keep=("u",),
    )


def _raw_finish(c: ChoiceIR, body: list[Stmt]) -> Code | None:
    """The choice's raw finish reason as code: a plain read as is, else a local `body` binds."""
    finish = c.finish_reason
    if finish is not None and len(finish) != 1:
        body.append(line("raw_finish = ", finish))
        return ("raw_finish",)
    return finish


def _error(error: dict[str, Code]) -> Stmt:
    return line("return ", _call("StreamError", list(error.items())))


def unwrap_function(events: list[EventIR], model: str) -> Function:
    """`unwrap_event` of a protocol with dialects: an error, or the wrapped event's text."""
    body: list[Stmt] = [Stmt((f"e: w.{model} = _validate_event(data)",), binds="e")]
    ends = False
    for ev in events:
        if ev.error is not None:
            made = [_error(ev.error)]
        else:
            assert ev.payload is not None
            made = [line("return unwrap(", ev.payload, f", {ev.payload_base64})")]
        if ev.condition:
            body.append(if_(ev.condition, made))
        else:
            body += made
            ends = True
            break
    if not ends:
        body.append(line("return None"))
    doc = (
        "One stream event's data -> the dialect's event it wraps (JSON text), an in-stream\n"
        "    error, or None."
    )
    return Function(
        "unwrap_event",
        [("data", "str"), ("event", "str | None")],
        "str | StreamError | None",
        body,
        doc,
        keep=("data", "event"),
    )


def payload_function(model: str, key: str, usage: Code | None) -> Function:
    """`payload_usage`: the usage the host adds to a wrapped event, when it has any."""
    body = [
        if_((f"{key!r} not in text",), [line("return None")]),
        Stmt((f"p: w.{model} = _validate_payload(text)",), binds="p"),
        line("return ", usage or ("None",)),
    ]
    doc = "The usage this host adds to a wrapped event, when it has any."
    return Function("payload_usage", [("text", "str")], "Usage | None", body, doc, keep=("text",))


class Reader:
    """The response and stream functions of an adapter."""

    def __init__(self, stream_model: str) -> None:
        self.stream_model = stream_model
        self.functions: list[Function] = []
        self.taken: set[str] = set()

    def fresh(self, name: str) -> str:
        out, n = name, 2
        while out in self.taken:
            out, n = f"{name}_{n}", n + 1
        self.taken.add(out)
        return out

    # --- responses ---

    def response_choice(self, c: ChoiceIR) -> Function:
        body: list[Stmt] = [line("contents: list[ContentItem] = []")]
        body += Emitter(False).rules(c.rules)
        finish = _raw_finish(c, body)
        made: Code = (
            code(c.index, ", _finish(", finish, "), contents, ", finish)
            if finish is not None
            else code(c.index, ", None, contents, None")
        )
        body.append(line("return ChatResponseChoice(", made, ")"))
        return Function(
            self.fresh("_response_choice"),
            [(c.var, f"w.{c.def_name}")],
            "ChatResponseChoice",
            body,
            keep=(c.var,),
        )

    def parse_response(
        self,
        model: str,
        errors: list[EventIR],
        c: ChoiceIR,
        finish: Code | None,
        kwargs: list[tuple[str, Code | None]],
    ) -> list[Function]:
        choice = self.response_choice(c)
        body: list[Stmt] = [Stmt((f"r: w.{model} = _decode_response(raw)",), binds="r")]
        for found in errors:
            assert found.condition is not None and found.error is not None
            body.append(if_(found.condition, [_error(found.error)]))
        if c.source is not None:
            body.append(
                line(
                    "choices = [",
                    f"{choice.name}({c.var}) for {c.var} in ",
                    c.source,
                    "]",
                )
            )
        else:
            body.append(line(f"choices = [{choice.name}(r)]"))
        if finish is not None:
            add = "choices.append(ChatResponseChoice(0, _finish(raw_finish), [], raw_finish))"
            body.append(
                if_(
                    ("not choices",),
                    [
                        line("raw_finish = ", finish),
                        if_(("raw_finish is not None",), [line(add)]),
                    ],
                )
            )
        none: Code = ("None",)
        kwargs = [
            ("choices", ("choices",)),
            *((k, v or none) for k, v in kwargs[:3]),  # ParsedResponse takes these three
            ("wire", (Ref("r", ()),)),
            *kwargs[3:],
        ]
        body.append(line("return ", _call("ParsedResponse", kwargs)))
        doc = "A non-streamed response body -> choices, usage, id and model (or the error it reports)."
        parse = Function(
            "parse_response",
            [("raw", "bytes | str")],
            "ParsedResponse | StreamError",
            body,
            doc,
            keep=("raw",),
        )
        return [choice, parse]

    # --- streams ---

    def chunk(self, ev: EventIR) -> list[Stmt]:
        """Statements building the chunk of a (non-error) event, ending with its return."""
        body: list[Stmt] = []
        c = ev.choice
        deltas: Code = ("[]",)
        each: Code = ()
        if c is not None:
            inner: list[Stmt] = [line("deltas: list[ContentDelta] = []")]
            inner += Emitter(True).rules(c.rules)
            finish = _raw_finish(c, inner)
            made: Code = (
                code(c.index, ", deltas, _finish(", finish, "), ", finish)
                if finish is not None
                else code(c.index, ", deltas")
            )
            if c.source is not None:  # each choice read by a function of its own
                inner.append(line("return ChoiceDelta(", made, ")"))
                fn = Function(
                    self.fresh("_choice_delta"),
                    [(c.var, f"w.{c.def_name}")],
                    "ChoiceDelta",
                    inner,
                    keep=(c.var,),
                )
                self.functions.append(fn)
                each = code(f"{fn.name}({c.var}) for {c.var} in ", c.source)
                body.append(line("choice_deltas = [", each, "]"))
            else:
                body += inner
                body.append(line("choice_deltas: list[ChoiceDelta] = [ChoiceDelta(", made, ")]"))
            deltas = ("choice_deltas",)
        if ev.finish_reason is not None:
            if c is None:
                body.append(line("choice_deltas: list[ChoiceDelta] = []"))
            elif c.source is not None:
                body[-1] = line("choice_deltas: list[ChoiceDelta] = [", each, "]")
            add = "choice_deltas.append(ChoiceDelta(0, [], _finish(raw_finish), raw_finish))"
            body.append(line("raw_finish = ", ev.finish_reason))
            body.append(if_(("raw_finish is not None",), [line(add)]))
            deltas = ("choice_deltas",)
        kwargs: list[tuple[str, Code | None]] = [
            ("id", ev.id),
            ("model", ev.model),
            ("usage", ev.usage),
            ("usage_wire", ev.usage_wire),
            ("service_tier", ev.service_tier),
        ]
        body.append(line("return ", _call("ChatResponseChunk", kwargs, deltas)))
        return body

    def handler_name(self, ev: EventIR, skip: int) -> str:
        conds = (ev.condition or [])[skip:]
        for c in conds:
            if c.op == "==" and c.literal is not None:
                return self.fresh(f"_on_{snake(c.literal)}")
            if c.op == "truthy":
                return self.fresh(f"_on_{snake(c.ref.steps[-1].attr)}")
        return self.fresh("_on_chunk")

    def parse_event(self, events: list[EventIR]) -> tuple[list[Function], str | None]:
        """The handlers and `parse_event`; the dispatch table's text when events are told
        apart by one field's value."""
        firsts = [ev.condition[0] if ev.condition else None for ev in events]
        by_value = (
            all(f is not None and f.op == "==" and len(f.ref.steps) == 1 for f in firsts)
            and len({f.ref.key for f in firsts if f is not None}) == 1
        )
        if by_value and events:
            return self.dispatch_by_value(events, firsts)
        return self.dispatch_in_order(events), None

    def dispatch_by_value(
        self, events: list[EventIR], firsts: list[Conj | None]
    ) -> tuple[list[Function], str]:
        """One handler per value of the field telling events apart (events read alike share
        one), and `parse_event` looking the handler up in the `_ON_EVENT` table."""
        e = f"w.{self.stream_model}"
        groups: dict[str, list[EventIR]] = {}
        for ev, f in zip(events, firsts, strict=True):
            assert f is not None and f.literal is not None
            groups.setdefault(f.literal, []).append(ev)
        handlers: list[Function] = []
        table: list[str] = []
        shapes: dict[str, Function] = {}  # a handler's text after its name -> the handler
        also: dict[str, list[str]] = {}  # a handler -> the other events it reads
        for literal, group in groups.items():
            fn = self.value_handler(literal, group)
            same = shapes.get(fn.render().split("(", 1)[1]) if not self.functions else None
            if same is not None:  # events read alike share one handler
                also.setdefault(same.name, []).append(repr(literal))
                same.doc = f"Also the {', '.join(also[same.name])} events, read alike."
                table.append(f"    {literal!r}: {same.name},")
                continue
            handlers += self.functions
            self.functions = []
            handlers.append(fn)
            shapes[fn.render().split("(", 1)[1]] = fn
            table.append(f"    {literal!r}: {fn.name},")
        attr = next(f.ref.steps[0].attr for f in firsts if f is not None)
        body = [
            Stmt((f"e: {e} = _validate_event(data)",), binds="e"),
            line(f"handler = _ON_EVENT.get(e.{attr})"),
            line("return handler(e) if handler is not None else None"),
        ]
        text = "\n".join(
            [
                f"_ON_EVENT: dict[str | None, Callable[[{e}], ChatResponseChunk | StreamError | None]] = {{",
                *table,
                "}",
            ]
        )
        return [*handlers, self._parse_event(body)], text

    def value_handler(self, literal: str, group: list[EventIR]) -> Function:
        """The handler of the events whose telling field has the value `literal`: their rules
        in order, each under the rest of its `when`."""
        body: list[Stmt] = []
        kinds: set[str] = set()
        ends = False
        for ev in group:
            rest = (ev.condition or [])[1:]
            made = [_error(ev.error)] if ev.error is not None else self.chunk(ev)
            kinds.add("StreamError" if ev.error is not None else "ChatResponseChunk")
            if rest:
                body.append(if_(rest, made))
            else:
                body += made
                ends = True
                break
        if not ends:
            body.append(line("return None"))
            kinds.add("None")
        order = ["ChatResponseChunk", "StreamError", "None"]
        returns = " | ".join(k for k in order if k in kinds)
        e = f"w.{self.stream_model}"
        return Function(self.fresh(f"_on_{snake(literal)}"), [("e", e)], returns, body, keep=("e",))

    def dispatch_in_order(self, events: list[EventIR]) -> list[Function]:
        """`parse_event` trying the event rules in order (each one's handler, or the last
        rule's reading in place), and the handlers."""
        handlers: list[Function] = []
        body = [Stmt((f"e: w.{self.stream_model} = _validate_event(data)",), binds="e")]
        ends = False
        for ev in events:
            if ev.error is not None:
                made = [_error(ev.error)]
            elif not ev.condition:  # the events no rule before took: read here, no call
                made = self.chunk(ev)
                handlers += self.functions
                self.functions = []
            else:
                fn = self.handler(ev)
                handlers += self.functions
                self.functions = []
                handlers.append(fn)
                made = [line("return ", self.call(fn, ev))]
            if ev.condition:
                body.append(if_(ev.condition, made))
            else:
                body += made
                ends = True
                break
        if not ends:
            body.append(line("return None"))
        return [*handlers, self._parse_event(body)]

    def _parse_event(self, body: list[Stmt]) -> Function:
        doc = "One stream event's data -> what it contributes, an in-stream error, or None."
        return Function(
            "parse_event",
            [("data", "str"), ("event", "str | None")],
            "ChatResponseChunk | StreamError | None",
            body,
            doc,
            keep=("data", "event"),
        )

    def handler(self, ev: EventIR) -> Function:
        params: list[tuple[str, str]] = []
        bound: dict[tuple[str, ...], str] = {}
        g = ev.given
        if g is not None and g.model is not None:
            name = snake(g.ref.steps[-1].attr)
            name = name if name not in RESERVED and name not in BUILTIN_NAMES else f"{name}_event"
            params.append((name, f"w.{g.model}"))
            bound[g.ref.key] = name
        params.append(("e", f"w.{self.stream_model}"))
        name = self.handler_name(ev, 0)
        fn = Function(name, params, "ChatResponseChunk", self.chunk(ev), bound=bound)
        fn.render()  # which parameters it reads
        return fn

    def call(self, fn: Function, ev: EventIR) -> Code:
        args: list[Code] = []
        for name, _ in fn.params:
            if name not in fn.kept:
                continue
            if name == "e":
                args.append((Ref("e", ()),))
            else:
                assert ev.given is not None
                args.append((ev.given.ref,))
        return code(f"{fn.name}(", joined(args), ")")


# the request functions an adapter may define (a body value's function takes another name)
HELPERS = frozenset({"_parts", "_message", "_messages", "_turn", "_tools", "_tool_choice"})

IMPORTABLE: dict[str, tuple[str, ...]] = {
    "typing": ("Any",),
    "collections.abc": ("Callable",),
    "modelwire._dialect": ("Dialect", "unwrap"),
    "modelwire._protocol": (
        "Call",
        "ParsedResponse",
        "StreamError",
        "compact",
        "compact_or_none",
        "dig",
        "first_present",
        "join_present",
        "join_text",
        "lenient",
        "part_kind",
        "sum_items",
        "sum_present",
        "unsupported_choice",
        "unsupported_content",
        "unsupported_role",
        "wire_messages",
        "wire_turns",
    ),
    "modelwire._types": (
        "ChatResponseChoice",
        "ChatResponseChunk",
        "ChoiceDelta",
        "ContentDelta",
        "ContentItem",
        "EmbeddingContent",
        "ImageContent",
        "ImageDelta",
        "MediaContent",
        "ReasoningContent",
        "ReasoningDelta",
        "RefusalContent",
        "RefusalDelta",
        "TextContent",
        "TextDelta",
        "ToolCallContent",
        "ToolCallDelta",
        "ToolCallResult",
        "Usage",
        "tool_call",
    ),
}


def import_lines(body: str, wire_module: str) -> str:
    """The import lines of a generated module: what its `body` uses, and only that."""
    code_only = re.sub(r'"""(?:.|\n)*?"""|#[^\n]*', "", body)
    out: list[str] = []
    if re.search(r"(?<![\w.])re\.", code_only):
        out.append("import re")
    for module, names in IMPORTABLE.items():
        used = [n for n in names if re.search(rf"(?<![\w.]){n}\b", code_only)]
        if used:
            out.append(f"from {module} import {', '.join(used)}")
    if re.search(r"(?<![\w.])w\.", code_only):
        out.append(f"from modelwire.generated.wire import {wire_module} as w")
    return "\n".join(out)


# part kind -> (the content class a branch tests, the test that tells it from its siblings)
PART_CLASSES: dict[str, tuple[str, str | None]] = {
    "text": ("TextContent", None),
    "refusal": ("RefusalContent", None),
    "reasoning": ("ReasoningContent", "not {v}.redacted"),
    "redacted_reasoning": ("ReasoningContent", "{v}.redacted"),
    "tool_call": ("ToolCallContent", None),
    "tool_result": ("ToolCallResult", None),
}
MEDIA = "(MediaContent, ImageContent)"


def kind_test(kind: str, var: str) -> str:
    """A test of `var` (a content item) that narrows it to the class of part `kind`."""
    if kind not in PART_CLASSES:
        return f"isinstance({var}, {MEDIA}) and part_kind({var}) == {kind!r}"
    cls, extra = PART_CLASSES[kind]
    test = f"isinstance({var}, {cls})"
    return f"{test} and {extra.format(v=var)}" if extra else test


def kind_class(kind: str) -> str:
    return PART_CLASSES[kind][0] if kind in PART_CLASSES else "MediaContent | ImageContent"


def parts_function(parts: dict[str, str]) -> str:
    """`_parts`: each content item written the way its kind's template says, dispatched on
    its class so that each branch reads its own fields."""
    helpers: list[str] = []
    parts = dict(parts)
    for kind, expr in list(parts.items()):
        if len(expr) > 60:  # a template of several lines: a function of its own
            helpers.append(
                f"def _{kind}_part(part: {kind_class(kind)}) -> Any:\n    return {expr}\n\n"
            )
            parts[kind] = f"_{kind}_part(part)"
    lines = [
        *helpers,
        "def _parts(parts: list[ContentItem]) -> list[Any]:",
        "    out: list[Any] = []",
        "    for part in parts:",
    ]
    keyword = "if"
    reasoning = [k for k in ("reasoning", "redacted_reasoning") if k in parts]
    media = [k for k in parts if k not in PART_CLASSES]
    for kind, expr in parts.items():
        if kind in ("reasoning", "redacted_reasoning") and len(reasoning) == 2:
            if kind == "redacted_reasoning":
                continue
            lines += [
                f"        {keyword} isinstance(part, ReasoningContent):",
                "            if part.redacted:",
                f"                out.append({parts['redacted_reasoning']})",
                "            else:",
                f"                out.append({expr})",
            ]
        elif kind in media:
            if kind != media[0]:
                continue
            lines += [
                f"        {keyword} isinstance(part, {MEDIA}):",
                "            kind = part_kind(part)",
            ]
            for i, m in enumerate(media):
                lines += [
                    f"            {'if' if i == 0 else 'elif'} kind == {m!r}:",
                    f"                out.append({parts[m]})",
                ]
            lines += [
                "            elif part.type not in DROPPED:",
                "                raise unsupported_content(PROTOCOL, kind)",
            ]
        else:
            lines += [
                f"        {keyword} {kind_test(kind, 'part')}:",
                f"            out.append({expr})",
            ]
        keyword = "elif"
    lines += [
        f"        {keyword} part.type not in DROPPED:",
        "            raise unsupported_content(PROTOCOL, part_kind(part))",
        "    return out",
    ]
    return "\n".join(lines)


@dataclass
class BodyEntry:
    key: str
    expr: str
    condition: str | None  # Python condition, or None when always present
    keyword: str = "if"  # "elif" chains `$one_of` alternatives


@dataclass
class ItemIR:
    kind: str
    fields: dict[str, Code]  # field -> expression
    key: Code | None = None
    redacted: bool = False
    continues: bool = False
    whole: bool = False
    key_int: bool = False  # the key is an integer (never "")


@dataclass
class RuleIR:
    condition: list[Conj] | None
    item: ItemIR | None = None
    each: Code | None = None  # expression of the list
    var: str | None = None  # element variable
    position: str | None = None  # element position variable (for keys)
    cases: list[RuleIR] = field(default_factory=lambda: list[RuleIR]())
    keyword: str | None = None  # "if" / "elif" / "else" guarding the item, None: unguarded
    var_def: str | None = None  # the elements' model


@dataclass
class ChoiceIR:
    source: Code | None  # expression of the choices list, None: the scope is the one choice
    var: str
    def_name: str  # the choice's model
    index: Code
    finish_reason: Code | None
    rules: list[RuleIR]


@dataclass
class UsageIR:
    function: str
    model: str
    fields: dict[str, Code]


@dataclass
class EventIR:
    condition: list[Conj] | None
    error: dict[str, Code] | None = None
    id: Code | None = None
    model: Code | None = None
    usage: Code | None = None
    usage_wire: Code | None = None  # the wire usage object, when usage merges key by key
    finish_reason: Code | None = None
    choice: ChoiceIR | None = None
    service_tier: Code | None = None
    payload: Code | None = None  # the wrapped event's JSON text (a dialect's), its expression
    payload_base64: bool = False  # ... base64 in the wire schema: decoded first
    given: Conj | None = None  # the object the handler is given (its test proved it present)


@dataclass
class DialectIR:
    protocol: str
    ids: str | None
    creators: list[str]
    body: dict[str, Any]
    structured_output: str | None


@dataclass
class EnvelopeIR:
    """A protocol with dialects: its framing, its events' envelope, its errors; the bodies
    are the dialects' (their own adapters)."""

    protocol: str
    spec_file: str
    wire_module: str
    kind: str
    framing: str
    streamable: bool
    stream_model: str
    unwrap: str  # the text of `unwrap_event`
    payload_model: str | None
    payload_key: str | None  # the JSON key a payload holds when it has what the host adds
    payload_usage: str | None  # the text of `payload_usage`
    usages: list[str]
    dialects: list[DialectIR]
    error_message: str | None
    error_type: str | None
    error_code: str | None
    request_id_headers: list[str]
    error_type_header: str | None
    retry_statuses: list[int]
    status_kinds: dict[int, str]
    error_types: dict[str, str]
    context_length_codes: list[str]
    context_length_pattern: str | None

    def imports(self, body: str) -> str:
        return import_lines(body, self.wire_module)


@dataclass
class AdapterIR:
    protocol: str
    spec_file: str
    wire_module: str
    framing: str
    json_array: bool
    stream_done: str | None
    usage_update: str
    kind: str
    unsupported: list[str]
    min_output_tokens: int | None
    unsigned_call: str | None
    streamable: bool
    max_inputs: int | None  # embedding protocols: inputs per request
    input_types: dict[str, str]  # embedding protocols: a call's name -> the wire value
    options_path: str | None  # "": the body itself; None: options are not sent
    body: list[BodyEntry]
    body_fields: list[str]  # dotted paths the body template sets (not as a spelled-out object)
    body_objects: list[str]  # dotted paths of the objects it spells out key by key
    overridable: list[str]  # body fields options may set all the same
    system_inline: bool
    prompt: tuple[str, str, str] | None  # (begin, turn expression, end): the messages as text
    roles: dict[str, str]
    message_expr: str
    single_text_string: bool
    parts: dict[str, str]
    parts_function: str
    body_helpers: list[str]
    drop: list[str]
    refusal_as_text: bool  # no template or text field for a refusal: it is sent as text
    message_fields: dict[str, list[str]]
    text_fields: dict[str, str]
    own_message: dict[str, str]
    merge_consecutive: bool
    tool_definition: str | None
    tool_choices: dict[str, str]
    tool_schema: str
    structured_via: str | None
    structured_schema: str
    structured_fallback: str | None
    structured_json_mode: bool
    response_model: str
    stream_model: str
    usages: list[str]  # the usage functions' text
    usage_models: list[tuple[str, str]]  # (usage function, its wire model)
    reading: list[str]  # the response and stream functions' text
    event_table: str | None  # the stream's dispatch table, when events are told by a value
    finish_reasons: dict[str, str]
    finish_reasons_with_tool_calls: dict[str, str]
    error_message: str | None
    error_type: str | None
    error_code: str | None
    request_id_headers: list[str]
    error_type_header: str | None
    retry_statuses: list[int]
    status_kinds: dict[int, str]
    error_types: dict[str, str]
    context_length_codes: list[str]
    context_length_pattern: str | None

    def imports(self, body: str) -> str:
        return import_lines(body, self.wire_module)

    @staticmethod
    def kind_class(kind: str) -> str:
        return kind_class(kind)

    @staticmethod
    def kind_test(kind: str, var: str) -> str:
        return kind_test(kind, var)


# The model a path that does not exist lands on: its error is recorded and lowering goes on,
# so that every such path of a spec is reported in one run; whatever is read below it is not
# checked again (the adapter is not rendered).
UNKNOWN = "<unknown>"
_UNKNOWN = Resolved((Step("_", True),), {}, UNKNOWN, frozenset({"any"}))


@dataclass
class Addition:
    """What one host adds to a protocol it serves (`serves.<protocol>.adds`), and where."""

    provider: str
    adds: AddsSpec
    src: Source  # the provider's file
    loc: Loc  # of `adds` in it

    def at(self, *loc: str | int) -> Loc:
        """A location in the provider's file, as the protocol's lowering names it."""
        return (HOST, self.provider, *self.loc, *loc)


# A location that starts with HOST and a provider name is in that provider's file (a host's
# addition, lowered with the protocol it adds to).
HOST = "@host"

# the fields of a content rule that hold values (a path, `first`, `sum` or `join`)
VALUE_FIELDS = (
    "text",
    "signature",
    "id",
    "name",
    "arguments",
    "data",
    "url",
    "media_type",
    "revised_prompt",
    "vector",
    "vectors",
)


def _rebase_path(base: str, path: str) -> str:
    return path if base == "." else f"{base}.{path}"


def _rebase_condition(base: str, cond: str) -> str:
    negate = "!" if cond.startswith("!") else ""
    return negate + _rebase_path(base, cond.lstrip("!"))


def _rebase_value(base: str, value: Any) -> Any:
    if isinstance(value, str):
        return _rebase_path(base, value)
    if isinstance(value, First):
        return First(first=[_rebase_path(base, p) for p in value.first])
    if isinstance(value, Sum | Join):
        paths = value.sum if isinstance(value, Sum) else value.join
        moved = (
            [_rebase_path(base, p) for p in paths]
            if isinstance(paths, list)
            else _rebase_path(base, paths)
        )
        return value.model_copy(update={"sum" if isinstance(value, Sum) else "join": moved})
    return value


def rebase(rule: ContentRule, base: str, stream: bool) -> ContentRule:
    """A shared content rule as read in the object at `base` (`.`: the choice itself). A rule
    with `each` reads its list there (its element is the scope of the rest); any other reads
    its `when`, fields and `key` there. In a response, `key` and `continues` (stream-only:
    they group deltas) are left out."""
    update: dict[str, Any] = {}
    if rule.each is not None:
        update["each"] = _rebase_path(base, rule.each)
    else:
        for name in VALUE_FIELDS:
            value = getattr(rule, name)
            if value is not None:
                update[name] = _rebase_value(base, value)
        if rule.when is not None:
            update["when"] = (
                _rebase_condition(base, rule.when)
                if isinstance(rule.when, str)
                else [_rebase_condition(base, c) for c in rule.when]
            )
        if rule.key is not None:
            update["key"] = _rebase_path(base, rule.key)
    if not stream:
        if rule.key is not None:
            update["key"] = None
        if rule.continues:
            update["continues"] = False
        if rule.cases:
            update["cases"] = [rebase(c, ".", stream) for c in rule.cases]
    return rule.model_copy(update=update) if update else rule


def _places(value: Any) -> list[str] | None:
    """The paths a value reads, one after the other (a path or `first`); None for a `sum` or
    `join`, which takes no further place."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, First):
        return list(value.first)
    return None


def _place_locs(value: Any, loc: Loc) -> list[Loc]:
    return (
        [loc] if isinstance(value, str) else [(*loc, "first", i) for i in range(len(value.first))]
    )


class Lowering:
    def __init__(
        self,
        spec: ProtocolSpec,
        src: Source,
        wire: WireSchema,
        tables: ErrorTables | None = None,
        additions: Sequence[Addition] = (),
    ) -> None:
        self.spec = spec
        self.src = src
        self.wire = wire
        self.tables = tables if tables is not None else ErrorTables()
        self.additions = list(additions)
        self.errors: list[SpecError] = []  # errors found that do not stop the lowering
        self._usages: dict[str, UsageIR] = {}
        self.body_helpers: dict[str, str] = {}  # functions building long body values
        # a location made up for a value folded from several files -> where each part is written
        self.relocated: dict[Loc, Loc] = {}
        self.merged: set[Loc] = set()  # `first` values whose places come from several files

    def fail(self, loc: Loc, message: str) -> SpecError:
        src, at = self.where(loc)
        return src.error(at, message)

    def where(self, loc: Loc) -> tuple[Source, Loc]:
        """The file and location a lowering location stands for."""
        for k in range(len(loc), 0, -1):
            if loc[:k] in self.relocated:
                loc = (*self.relocated[loc[:k]], *loc[k:])
                break
        if loc[:1] == (HOST,):
            found = next(a for a in self.additions if a.provider == loc[1])
            return found.src, loc[2:]
        return self.src, loc

    def merge_places(self, parts: list[tuple[Any, Loc]], loc: Loc) -> Any:
        """One value read from the places several files give it (`parts`: each file's value
        and where it is written), as a path or a `first` made up at `loc`; every place once.
        A `first` so made reads its places in the order the wire schema lists them."""
        places: list[tuple[str, Loc]] = []
        for i, (value, at) in enumerate(parts):
            paths = _places(value)
            if paths is None:  # reported where a place is added to it
                raise self.fail(
                    parts[1][1] if i == 0 else at,
                    "a value read as a `sum` or `join` takes no further place from a host",
                )
            for path, place in zip(paths, _place_locs(value, at), strict=True):
                if path not in [p for p, _ in places]:
                    places.append((path, place))
        if len(places) == 1:
            self.relocated[loc] = places[0][1]
            return places[0][0]
        for i, (_, place) in enumerate(places):
            self.relocated[(*loc, "first", i)] = place
        self.merged.add(loc)
        return First(first=[p for p, _ in places])

    def schema_order(self, scope_def: str, paths: list[str], loc: Loc) -> list[int]:
        """The indices of `paths` (the places of a merged `first` at `loc`) in the order the
        wire schema lists them."""
        keys = [self.resolve(scope_def, p, (*loc, "first", i)).order for i, p in enumerate(paths)]
        return sorted(range(len(paths)), key=lambda i: keys[i])

    @property
    def request(self) -> RequestSpec:
        """The spec's request (checks/protocol.py fails a protocol without one first)."""
        if self.spec.request is None:
            raise self.fail((), "missing required key 'request'")
        return self.spec.request

    # --- paths ---------------------------------------------------------------------------

    def resolve(self, def_name: str, path: str, loc: Loc) -> Resolved:
        """The path's schema; a path that does not exist is recorded (`errors`) and lands on
        `UNKNOWN`, below which nothing is checked."""
        if def_name == UNKNOWN:
            return _UNKNOWN
        try:
            return self.wire.resolve(def_name, path)
        except PathError as exc:
            self.errors.append(self.fail(loc, str(exc)))
            return _UNKNOWN

    def path_expr(
        self, scope: str, def_name: str, path: str, loc: Loc, expect: frozenset[str] | None
    ) -> tuple[Code, Resolved]:
        resolved = self.resolve(def_name, path, loc)
        if expect is not None:
            found = resolved.types - {"null"}
            guarded = expect == STRING and "string" in found  # other shapes read as None
            if "any" not in found and not found <= expect and not guarded:
                self.errors.append(
                    self.fail(
                        loc,
                        f"{path!r} is {'/'.join(sorted(found))} in the wire schema, "
                        f"expected {'/'.join(sorted(expect))}",
                    )
                )
        found = resolved.types - {"null"}
        # a string here, or another shape (e.g. a list of parts): read as None
        only = "str" if expect == STRING and "string" in found and len(found) > 1 else None
        return (Ref(scope, resolved.steps, only),), resolved

    def value_expr(
        self, scope: str, def_name: str, value: Any, loc: Loc, expect: frozenset[str]
    ) -> Code:
        if isinstance(value, str):
            return self.path_expr(scope, def_name, value, loc, expect)[0]
        if isinstance(value, First):
            order = (
                self.schema_order(def_name, value.first, loc)
                if loc in self.merged
                else range(len(value.first))
            )
            items = [
                self.path_expr(scope, def_name, value.first[i], (*loc, "first", i), expect)[0]
                for i in order
            ]
            return code("first_present(", joined(items), ")")
        if isinstance(value, Join):
            paths = value.join if isinstance(value.join, list) else [value.join]
            exprs: list[Code] = []
            for i, path in enumerate(paths):
                ploc = (*loc, "join", i) if isinstance(value.join, list) else (*loc, "join")
                expr, resolved = self.path_expr(scope, def_name, path, ploc, None)
                if resolved.def_name == UNKNOWN:
                    exprs.append(expr)
                    continue
                try:
                    elem = self.wire.element(resolved, path)
                except PathError as exc:
                    raise self.fail(ploc, str(exc)) from None
                attr = self.join_item(elem, value.item, path, (*loc, "item"))
                exprs.append(code("join_text(", expr, f", {attr!r})"))
            if len(exprs) == 1:
                return exprs[0]
            return code("join_present(", joined(exprs), ")")
        if isinstance(value, Sum):
            many = isinstance(value.sum, list)
            sums: list[Code] = []
            for i, path in enumerate(value.sum if isinstance(value.sum, list) else [value.sum]):
                ploc = (*loc, "sum", i) if many else (*loc, "sum")
                if value.item is not None:  # an integer field summed over a list's elements
                    sums.append(self.sum_items(scope, def_name, path, value.item, ploc, loc))
                else:
                    sums.append(self.path_expr(scope, def_name, path, ploc, expect)[0])
            return code("sum_present(", joined(sums), ")")
        raise self.fail(loc, f"unsupported value {value!r}")

    def sum_items(
        self, scope: str, def_name: str, path: str, item: str, ploc: Loc, loc: Loc
    ) -> Code:
        """`sum_items(list, attr)`: the sum of one integer field over a list's elements."""
        expr, resolved = self.path_expr(scope, def_name, path, ploc, None)
        if resolved.def_name == UNKNOWN:
            return expr
        try:
            elem = self.wire.element(resolved, path)
        except PathError as exc:
            raise self.fail(ploc, str(exc)) from None
        try:  # a field of the elements, or a dotted path in them (Vertex's statistics)
            found = self.wire.resolve_in(elem, item)
        except PathError as exc:
            raise self.fail((*loc, "item"), f"{exc} (the elements of {path!r})") from None
        types = found.types - {"null"}
        if "any" not in types and not types <= INTEGER:
            raise self.fail(
                (*loc, "item"),
                f"{item!r} is {'/'.join(sorted(types))} in the wire schema, expected integer",
            )
        return code("sum_items(", expr, f", {'.'.join(s.attr for s in found.steps)!r})")

    def join_item(self, elem: Resolved, item: str, path: str, loc: Loc) -> str:
        """The attribute holding a join's `item`: one string field of the list's elements
        (a `$defs` model or an inline object)."""
        if "." in item:
            raise self.fail(loc, f"`item` {item!r} must be one field of the elements of {path!r}")
        try:
            resolved = self.wire.resolve_in(elem, item)
        except PathError as exc:
            raise self.fail(loc, f"{exc} (the elements of {path!r})") from None
        found = resolved.types - {"null"}
        if "any" not in found and "string" not in found:
            raise self.fail(
                loc, f"{item!r} is {'/'.join(sorted(found))} in the wire schema, expected string"
            )
        return resolved.steps[0].attr

    def list_elem(self, scope: str, def_name: str, path: str, loc: Loc) -> tuple[Code, str]:
        """(the list to iterate, () when absent; the model of its elements)."""
        expr, resolved = self.path_expr(scope, def_name, path, loc, None)
        if resolved.def_name == UNKNOWN:
            return expr, UNKNOWN
        try:
            elem = self.wire.element(resolved, path)
        except PathError as exc:
            raise self.fail(loc, str(exc)) from None
        if elem.def_name is None:
            raise self.fail(loc, f"elements of {path!r} are not objects")
        if len(resolved.types - {"null"}) > 1:  # a list here, or another shape: read as ()
            return (Ref(scope, resolved.steps, "list"),), elem.def_name
        return code(expr, " or ()"), elem.def_name

    def condition(
        self, scope: str, def_name: str, when: str | list[str] | None, loc: Loc
    ) -> list[Conj] | None:
        if when is None:
            return None
        conds = [when] if isinstance(when, str) else when
        parts: list[Conj] = []
        for i, cond in enumerate(conds):
            cloc = loc if isinstance(when, str) else (*loc, i)
            negate = cond.startswith("!")
            body = cond.lstrip("!")
            if " != " in body:
                negate = not negate
                path, _, literal = body.partition(" != ")
            else:
                path, _, literal = body.partition(" == ")
            resolved = self.path_expr(scope, def_name, path, cloc, None)[1]
            ref = Ref(scope, resolved.steps)
            if literal:
                parts.append(Conj(ref, "!=" if negate else "==", literal))
            else:
                parts.append(Conj(ref, "falsy" if negate else "truthy", None, resolved.def_name))
        return parts

    # --- usage ---------------------------------------------------------------------------

    def usage_function(self, def_name: str, loc: Loc) -> str:
        if def_name in self._usages:
            return self._usages[def_name].function
        spec: UsageSpec = self.spec.usage_of.get(def_name, self.spec.usage)
        where: Loc = ("usage_of", def_name) if def_name in self.spec.usage_of else ("usage",)
        fields: dict[str, Code] = {}
        for name in UsageSpec.model_fields:
            value = getattr(spec, name)
            if def_name not in self.spec.usage_of:  # the hosts' places of this count too
                parts = [] if value is None else [(value, (*where, name))]
                parts += [
                    (getattr(a.adds.usage, name), a.at("usage", name))
                    for a in self.additions
                    if a.adds.usage is not None and getattr(a.adds.usage, name) is not None
                ]
                if len(parts) > (value is not None):
                    value = self.merge_places(parts, (*where, name))
            if value is not None:
                fields[name] = self.value_expr("u", def_name, value, (*where, name), INTEGER)
        usage = UsageIR(f"_usage_{_snake(def_name)}", def_name, fields)
        self._usages[def_name] = usage
        return usage.function

    def usage_expr(
        self, scope: str, def_name: str, path: str | First | None, loc: Loc
    ) -> Code | None:
        if path is None:
            return None
        if path == ".":  # the response or event itself holds the counts
            return code(f"{self.usage_function(def_name, loc)}(", Ref(scope, ()), ")")
        if isinstance(path, First):  # the first usage object present
            out: Code = ("None",)
            order = (
                self.schema_order(def_name, path.first, loc)
                if loc in self.merged
                else list(range(len(path.first)))
            )
            for i, p in reversed([(i, path.first[i]) for i in order]):
                one = self.usage_expr(scope, def_name, p, (*loc, "first", i))
                assert one is not None
                inner, _ = self.path_expr(scope, def_name, p, (*loc, "first", i), None)
                out = code("(", one, " if ", inner, " is not None else ", out, ")")
            return out
        expr, resolved = self.path_expr(scope, def_name, path, loc, None)
        if resolved.def_name is None:
            raise self.fail(loc, f"{path!r} is not an object, cannot hold usage")
        return code(f"{self.usage_function(resolved.def_name, loc)}(", expr, ")")

    # --- content -------------------------------------------------------------------------

    def rule(self, rule: ContentRule, scope: str, def_name: str, loc: Loc, stream: bool) -> RuleIR:
        if rule.each is not None:
            each, elem_def = self.list_elem(scope, def_name, rule.each, (*loc, "each"))
            var, position = loop_name(rule.each), "position"
            out = RuleIR(None, each=each, var=var, position=position, var_def=elem_def)
            if rule.cases:
                self.check_cases_only(rule, loc)
                self.each(
                    rule.cases, lambda i, case: self.case(out, case, (*loc, "cases", i), stream)
                )
            else:
                inner = self.rule(
                    rule.model_copy(update={"each": None}), var, elem_def, loc, stream
                )
                inner.position = position
                out.cases.append(inner)
            return out
        if rule.kind is None or rule.cases:
            raise self.fail(loc, "a rule without `each` needs `kind` (and no `cases`)")
        cond = self.condition(scope, def_name, rule.when, (*loc, "when"))
        fields: dict[str, Code] = {}
        allowed = ITEM_FIELDS[rule.kind]
        for name in VALUE_FIELDS:
            value = getattr(rule, name)
            if value is None:
                continue
            if name not in allowed:
                raise self.fail((*loc, name), f"`{name}` does not apply to {rule.kind} items")
            fields[name] = self.value_expr(scope, def_name, value, (*loc, name), allowed[name])
        if rule.kind in ("text", "refusal") and "text" not in fields:
            raise self.fail(loc, f"a {rule.kind} rule needs `text`")
        if rule.kind == "image" and not ({"data", "url"} & set(fields)):
            raise self.fail(loc, "an image rule needs `data` or `url`")
        if rule.kind == "embedding" and len({"vector", "vectors"} & set(fields)) != 1:
            raise self.fail(loc, "an embedding rule needs `vector` or `vectors` (one of them)")
        if rule.redacted and (rule.kind != "reasoning" or "signature" not in fields):
            raise self.fail(
                (*loc, "redacted"), "`redacted` applies to reasoning rules with a `signature`"
            )
        key: Code | None = None
        key_int = False
        if rule.key is not None:
            if not stream:
                raise self.fail((*loc, "key"), "`key` applies to stream rules only")
            key, found = self.path_expr(scope, def_name, rule.key, (*loc, "key"), None)
            key_int = found.types - {"null"} <= INTEGER
        if rule.continues and (key is None or rule.kind in ("text", "refusal")):
            raise self.fail(
                (*loc, "continues"), "`continues` needs a `key` (and a reasoning or tool_call kind)"
            )
        if rule.whole and (rule.kind != "tool_call" or key is not None):
            raise self.fail((*loc, "whole"), "`whole` applies to tool_call rules without a `key`")
        item = ItemIR(rule.kind, fields, key, rule.redacted, rule.continues, rule.whole, key_int)
        return RuleIR(cond, item, keyword="if" if cond else None)

    def case(self, out: RuleIR, case: ContentRule, loc: Loc, stream: bool) -> None:
        """One case of a rule with `cases`, added to `out` (the rule, lowered)."""
        assert out.var is not None and out.var_def is not None
        if case.each is not None or case.cases:
            raise self.fail(loc, "cases cannot nest `each` or `cases`")
        if out.cases and out.cases[-1].condition is None:
            raise self.fail(loc, "unreachable: an earlier case has no `when`")
        inner = self.rule(case, out.var, out.var_def, loc, stream)
        if out.cases:
            inner.keyword = "elif" if inner.condition else "else"
        inner.position = out.position
        out.cases.append(inner)

    def prompt(self, msgs: MessagesSpec) -> tuple[str, str, str] | None:
        """(begin, Python expression of one turn from `role` and `text`, end) when the
        conversation is written as one text; None for a message list."""
        at: Loc = ("request", "messages")
        if msgs.prompt is None:
            if msgs.message is None:
                raise self.fail(at, "missing required key 'message' (or `prompt`)")
            return None
        for key in ("message", "fields", "own_message", "text_fields"):
            if getattr(msgs, key):
                raise self.fail(
                    (*at, key),
                    f"`{key}` does not apply with `prompt` (the conversation is one text)",
                )
        for kind, tpl in msgs.parts.items():
            if not isinstance(tpl, str):
                raise self.fail(
                    (*at, "parts", kind), "with `prompt`, a part template is text (e.g. `$text`)"
                )
        for key in ("begin", "end"):
            if "{" in getattr(msgs.prompt, key) or "}" in getattr(msgs.prompt, key):
                raise self.fail((*at, "prompt", key), f"`{key}` is plain text: no `{{` or `}}`")
        pieces: list[str] = []
        for i, piece in enumerate(re.split(r"(\{role\}|\{text\})", msgs.prompt.turn)):
            if i % 2:
                pieces.append(piece[1:-1])
            elif "{" in piece or "}" in piece:
                raise self.fail(
                    (*at, "prompt", "turn"),
                    f"`turn` takes `{{role}}` and `{{text}}` only, not {piece!r}",
                )
            elif piece:
                pieces.append(repr(piece))
        if "text" not in pieces:
            raise self.fail((*at, "prompt", "turn"), "`turn` never writes the turn's `{text}`")
        return msgs.prompt.begin, " + ".join(pieces), msgs.prompt.end

    def check_cases_only(self, rule: ContentRule, loc: Loc) -> None:
        """A rule with `cases` makes no item of its own: anything but `each` and `cases` set on
        it (a `kind`, a `key`, a `when`, a field) would be ignored, so it is an error."""
        stray = sorted(rule.model_fields_set - {"each", "cases"})
        if stray:
            raise self.fail(
                (*loc, stray[0]),
                f"`{stray[0]}` does not apply to a rule with `cases`, which makes no item of its "
                "own: put it on its cases (each takes `kind`, `when`, `key` and the fields)",
            )

    def choice(
        self,
        spec: ChoiceSpec,
        choices: str | None,
        scope: str,
        def_name: str,
        loc: Loc,
        stream: bool,
    ) -> ChoiceIR:
        source: Code | None = None
        if choices is not None:
            source, choice_def = self.list_elem(scope, def_name, choices, (*loc[:-1], "choices"))
            var = loop_name(choices)
        else:
            choice_def, var = def_name, scope
        index: Code = ("0",)
        if spec.index is not None:
            index_expr = self.path_expr(var, choice_def, spec.index, (*loc, "index"), INTEGER)[0]
            index = code(index_expr, " or 0")
        finish = None
        if spec.finish_reason is not None:
            finish = self.finish_expr(var, choice_def, spec.finish_reason, (*loc, "finish_reason"))
        if spec.content_in is not None:
            if spec.content is not None:
                raise self.fail(
                    (*loc, "content_in"), "a choice has `content` or `content_in`, not both"
                )
            if not self.spec.content:
                raise self.fail(
                    (*loc, "content_in"),
                    "`content_in` reads the protocol's shared `content` rules: there are none",
                )
            base = spec.content_in
            found = self.resolve(choice_def, base, (*loc, "content_in")) if base != "." else None
            if found is not None and found.def_name is None:
                raise self.fail((*loc, "content_in"), f"{base!r} is not an object")
            rules = (
                []  # a base that does not exist: its rules are not checked (already reported)
                if found is not None and found.def_name == UNKNOWN
                else self.each(
                    self.shared_content(),
                    lambda _, r: self.rule(
                        rebase(r[0], base, stream), var, choice_def, r[1], stream
                    ),
                )
            )
        elif spec.content is None:
            raise self.fail(loc, "missing required key 'content' (or `content_in`)")
        else:
            rules = self.each(
                spec.content,
                lambda i, r: self.rule(r, var, choice_def, (*loc, "content", i), stream),
            )
        return ChoiceIR(source, var, choice_def, index, finish, rules)

    def shared_content(self) -> list[tuple[ContentRule, Loc]]:
        """The protocol's shared `content` rules with the hosts' added ones folded in, each
        with where it is written. A host's rule that is a rule already there but for the place
        of its one field gives that field a further place; any other is read before the
        protocol's rules of its form: a value rule before the protocol's first value rule, an
        `each` rule before its first `each` rule (identical rules are read once)."""
        slots: list[tuple[ContentRule, Loc, list[tuple[Any, Loc]]]] = []

        def one_field(rule: ContentRule) -> str | None:
            names = [n for n in VALUE_FIELDS if getattr(rule, n) is not None]
            if rule.each is not None or rule.cases or len(names) != 1:
                return None
            return names[0] if _places(getattr(rule, names[0])) is not None else None

        def same_but_place(rule: ContentRule, other: ContentRule, name: str) -> bool:
            return one_field(other) == name and rule.model_dump(exclude={name}) == other.model_dump(
                exclude={name}
            )

        own = [(r, ("content", i)) for i, r in enumerate(self.spec.content)]
        for rule, at in own:
            name = one_field(rule)
            slots.append((rule, at, [(getattr(rule, name), (*at, name))] if name else []))
        values: list[tuple[ContentRule, Loc, list[tuple[Any, Loc]]]] = []
        lists: list[tuple[ContentRule, Loc]] = []
        for a in self.additions:
            for j, rule in enumerate(a.adds.content):
                at = a.at("content", j)
                if rule.each is not None or rule.cases:
                    dumped = rule.model_dump()
                    if all(dumped != r.model_dump() for r, _ in [*own, *lists]):
                        lists.append((rule, at))
                    continue
                name = one_field(rule)
                slot = next(
                    (s for s in [*slots, *values] if name and same_but_place(rule, s[0], name)),
                    None,
                )
                if slot is not None:
                    assert name is not None
                    slot[2].append((getattr(rule, name), (*at, name)))
                elif all(rule.model_dump() != v[0].model_dump() for v in [*slots, *values]):
                    values.append((rule, at, [(getattr(rule, name), (*at, name))] if name else []))

        def folded(rule: ContentRule, at: Loc, parts: list[tuple[Any, Loc]]) -> ContentRule:
            if len(parts) < 2:
                return rule
            name = one_field(rule)
            assert name is not None
            return rule.model_copy(update={name: self.merge_places(parts, (*at, name))})

        first_value = next((i for i, (r, _) in enumerate(own) if r.each is None), len(own))
        first_list = next((i for i, (r, _) in enumerate(own) if r.each is not None), len(own))
        out: list[tuple[ContentRule, Loc]] = []
        for i in range(len(own) + 1):
            if i == first_value:
                out += [(folded(r, at, parts), at) for r, at, parts in values]
            if i == first_list:
                out += lists
            if i < len(own):
                rule, at, parts = slots[i]
                out.append((folded(rule, at, parts), at))
        return out

    def finish_expr(self, scope: str, def_name: str, path: str | First, loc: Loc) -> Code:
        if isinstance(path, First):  # the first present of several raw values, each checked
            items = [
                self.finish_expr(scope, def_name, p, (*loc, "first", i))
                for i, p in enumerate(path.first)
            ]
            return code("first_present(", joined(items), ")")
        expr, resolved = self.path_expr(scope, def_name, path, loc, STRING)
        if resolved.def_name == UNKNOWN:
            return expr
        known = self.wire.known_values(None, resolved.node)
        if known is None:
            self.errors.append(
                self.fail(
                    loc,
                    f"{path!r} has no x-known-values/enum in the wire schema to check the table",
                )
            )
            return expr
        missing = [v for v in known if v not in self.spec.finish_reasons]
        if missing:
            self.errors.append(
                self.src.error(
                    ("finish_reasons",),
                    f"finish_reasons does not map {', '.join(map(repr, missing))} "
                    f"(known values of {path!r} in the wire schema)",
                )
            )
        return expr

    # --- request -------------------------------------------------------------------------

    def when(
        self, value: dict[str, Any], variables: dict[str, tuple[str, bool]], loc: Loc
    ) -> tuple[str, Any]:
        """(Python condition, guarded template) of a `{$when: var, ...}` mapping."""
        name = value["$when"]
        if not isinstance(name, str) or name not in variables:
            raise self.fail(
                (*loc, "$when"),
                f"unknown variable {name!r}; known: {', '.join(sorted(variables))}",
            )
        rest = {k: v for k, v in value.items() if k not in ("$when", "$else")}
        condition = WHEN_EXPRS.get(name, variables[name][0]) if variables is REQUEST_VARS else None
        return condition or variables[name][0], rest["$value"] if set(rest) == {"$value"} else rest

    def template(
        self, value: Any, variables: dict[str, tuple[str, bool]], loc: Loc
    ) -> tuple[str, bool]:
        """(expression, may contain None) of a template value; `$var` references resolved."""
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            if name not in variables:
                raise self.fail(
                    loc, f"unknown variable {value!r}; known: {', '.join(sorted(variables))}"
                )
            return variables[name]
        if isinstance(value, dict):
            mapping = cast("dict[str, Any]", value)
            if "$each" in mapping:
                return self.each_template(mapping, variables, loc)
            if "$when" in mapping:
                condition, inner = self.when(mapping, variables, loc)
                expr, _ = self.template(inner, variables, loc)
                if "$else" in mapping:  # `{$when: var, $value: X, $else: Y}`: Y when var is not
                    other, other_optional = self.template(mapping["$else"], variables, loc)
                    return f"({expr} if {condition} else {other})", other_optional
                return f"({expr} if {condition} else None)", True
            items: list[str] = []
            optionals: list[bool] = []
            for k, v in mapping.items():
                expr, opt = self.template(v, variables, (*loc, k))
                optionals.append(opt)
                items.append(f"{json.dumps(k)}: {expr}")
            body = "{" + ", ".join(items) + "}"
            if optionals and all(optionals):  # nothing left: the mapping itself is left out
                return f"compact_or_none({body})", True
            return (f"compact({body})" if any(optionals) else body), False
        if isinstance(value, list):
            values = cast("list[Any]", value)
            exprs = [self.template(v, variables, (*loc, i))[0] for i, v in enumerate(values)]
            return "[" + ", ".join(exprs) + "]", False
        return repr(value), False

    def each_template(
        self, mapping: dict[str, Any], variables: dict[str, tuple[str, bool]], loc: Loc
    ) -> tuple[str, bool]:
        """`{$each: inputs, $item: X}`: a list holding X once per element (`$input` in X)."""
        name = mapping["$each"]
        if set(mapping) != {"$each", "$item"} or name not in EACH_VARS:
            raise self.fail(
                loc,
                f"`$each` takes one of {', '.join(sorted(EACH_VARS))} and an `$item` template, "
                "and nothing else",
            )
        iterable, var = EACH_VARS[name]
        expr, _ = self.template(
            mapping["$item"], {**variables, var: (f"_{var}", False)}, (*loc, "$item")
        )
        return f"[{expr} for _{var} in {iterable}]", False

    def body(self) -> list[BodyEntry]:
        """The body template's entries, each key checked against the request schema; a key
        in error is recorded and left out."""
        req = self.request
        entries: list[list[BodyEntry]] = self.each(
            list(req.body.items()), lambda _, item: self.body_key(item[0], item[1])
        )
        return [e for found in entries for e in found]

    def body_key(self, key: str, value: Any) -> list[BodyEntry]:
        """One key of the body template: one entry, or one per `$one_of` alternative."""
        loc: Loc = ("request", "body", key)
        self.resolve(self.request.schema_, key, loc)
        if not (isinstance(value, dict) and "$one_of" in value):
            return [self.body_entry(key, value, loc)]
        mapping = cast("dict[str, Any]", value)
        options: Any = mapping["$one_of"]
        if set(mapping) != {"$one_of"} or not isinstance(options, list) or not options:
            raise self.fail(loc, "`$one_of` takes a non-empty list and nothing else")
        entries: list[BodyEntry] = []
        option: Any
        for i, option in enumerate(cast("list[Any]", options)):
            oloc = (*loc, "$one_of", i)
            if not isinstance(option, dict) or "$when" not in option:
                raise self.fail(oloc, "each `$one_of` alternative needs a `$when`")
            entry = self.body_entry(key, option, oloc)
            entry.keyword = "if" if i == 0 else "elif"
            entries.append(entry)
        return entries

    def body_paths(self) -> tuple[list[str], list[str], list[str]]:
        """(fields, objects, overridable): the dotted paths the body template builds — the
        objects it spells out key by key (options may add keys inside them), every other
        field it sets — and the fields `request.overridable` lets options set all the same."""
        fields: set[str] = set()
        objects: set[str] = set()

        def walk(path: str, value: Any) -> None:
            mapping = cast("dict[str, Any]", value) if isinstance(value, dict) else None
            if mapping is not None and "$one_of" in mapping:
                for option in mapping["$one_of"]:
                    walk(path, option)
            elif mapping is not None and "$each" in mapping:
                fields.add(path)
            elif mapping is not None and "$when" in mapping:
                rest = {k: v for k, v in mapping.items() if k not in ("$when", "$else")}
                walk(path, rest["$value"] if set(rest) == {"$value"} else rest)
                if "$else" in mapping:
                    walk(path, mapping["$else"])
            elif mapping is not None:
                objects.add(path)
                for key, item in mapping.items():
                    walk(f"{path}.{key}", item)
            else:
                fields.add(path)

        for key, value in self.request.body.items():
            walk(key, value)
        objects -= fields  # a field some alternative sets whole is not merged into
        for i, path in enumerate(self.request.overridable):
            if path not in fields | objects:
                raise self.fail(
                    ("request", "overridable", i),
                    f"{path!r} is not a field the body template builds: options may set it "
                    "without being listed here",
                )
        return sorted(fields), sorted(objects), sorted(self.request.overridable)

    def body_entry(self, key: str, value: Any, loc: Loc) -> BodyEntry:
        condition = None
        if isinstance(value, dict) and "$when" in value:
            condition, value = self.when(cast("dict[str, Any]", value), REQUEST_VARS, loc)
        expr, optional = self.template(value, REQUEST_VARS, loc)
        name = snake(key.split(".")[-1])
        helper = None
        if len(expr) > 80:  # a value spelled out over several lines: a function of its own
            helper = f"_{name}_value" if f"_{name}" in HELPERS else f"_{name}"
            n = 2
            while helper in self.body_helpers:  # another `$one_of` alternative's
                helper, n = f"_{name}_{n}", n + 1
            body = "    cfg = call.config\n" if "cfg." in expr else ""
            self.body_helpers[helper] = f"def {helper}(call: Call) -> Any:\n{body}    return {expr}"
            expr = f"{helper}(call)"
        if optional and condition is None:
            if name in BUILTIN_NAMES or name in ("body", "cfg", "call"):
                name = f"{name}_value"
            return BodyEntry(key, name, f"({name} := {expr}) is not None")
        return BodyEntry(key, expr, condition)

    # --- stream and errors ----------------------------------------------------------------

    def event(self, ev: StreamEventSpec, scope: str, def_name: str, loc: Loc) -> EventIR:
        out = EventIR(self.condition(scope, def_name, ev.when, (*loc, "when")))
        if ev.error is not None:
            out.error = self.error_exprs(scope, def_name, ev.error, (*loc, "error"))
        if ev.id is not None:
            out.id = self.path_expr(scope, def_name, ev.id, (*loc, "id"), STRING)[0]
        if ev.model is not None:
            out.model = self.path_expr(scope, def_name, ev.model, (*loc, "model"), STRING)[0]
        if ev.service_tier is not None:
            tier_loc = (*loc, "service_tier")
            out.service_tier = self.path_expr(scope, def_name, ev.service_tier, tier_loc, STRING)[0]
        merge = self.spec.stream is not None and self.spec.stream.usage_update == "merge"
        usage = ev.usage
        hosts = [
            (a.adds.stream.usage, a.at("stream", "usage"))
            for a in self.additions
            if a.adds.stream is not None and a.adds.stream.usage is not None
        ]
        if hosts and usage is not None and usage != ".":  # the hosts' places of the object too
            if merge:
                raise self.fail(
                    hosts[0][1],
                    "a host adds no usage place to a stream whose usage merges key by key",
                )
            usage = self.merge_places([(usage, (*loc, "usage")), *hosts], (*loc, "usage"))
        out.usage = self.usage_expr(scope, def_name, usage, (*loc, "usage"))
        first = out.condition[0] if out.condition else None
        if first is not None and first.op == "truthy" and first.model is not None:
            out.given = first  # an object the event's handler is given, present
        if ev.usage == "." and merge:
            out.usage_wire = (Ref(scope, ()),)
        elif isinstance(ev.usage, str) and merge:
            out.usage_wire = self.path_expr(scope, def_name, ev.usage, (*loc, "usage"), None)[0]
        if ev.finish_reason is not None:
            out.finish_reason = self.finish_expr(
                scope, def_name, ev.finish_reason, (*loc, "finish_reason")
            )
        if ev.choice is not None:
            out.choice = self.choice(ev.choice, ev.choices, scope, def_name, (*loc, "choice"), True)
        elif ev.choices is not None:
            raise self.fail((*loc, "choices"), "`choices` needs a `choice` mapping")
        return out

    def error_exprs(
        self, scope: str, def_name: str, spec: ErrorFields, loc: Loc
    ) -> dict[str, Code]:
        """Expressions of an error's message/type/code/status paths (a `when` is not one)."""
        return {
            name: self.path_expr(scope, def_name, getattr(spec, name), (*loc, name), None)[0]
            for name in ErrorFields.model_fields
            if getattr(spec, name) is not None
        }

    def error_path(self, path: str | None, name: str) -> str | None:
        if path is None:
            return None
        self.resolve(self.spec.errors.schema_, path, ("errors", name))
        return ", ".join(json.dumps(p) for p in path.split("."))

    def response_errors(self) -> list[tuple[BodyErrorSpec, Loc]]:
        """The protocol's rules for an error in a 2xx body, then the hosts' (a rule two hosts
        add is read once), each with where it is written."""
        out: list[tuple[BodyErrorSpec, Loc]] = []

        def each(
            error: BodyErrorSpec | list[BodyErrorSpec] | None, at: Loc
        ) -> list[tuple[BodyErrorSpec, Loc]]:
            if isinstance(error, list):
                return [(r, (*at, i)) for i, r in enumerate(error)]
            return [(error, at)] if error is not None else []

        assert self.spec.response is not None
        out += each(self.spec.response.error, ("response", "error"))
        for a in self.additions:
            if a.adds.response is not None:
                for rule, at in each(a.adds.response.error, a.at("response", "error")):
                    if all(rule.model_dump() != r.model_dump() for r, _ in out):
                        out.append((rule, at))
        return out

    def error_fields(self) -> dict[str, Any]:
        """The adapter's error tables and where an error body holds its parts."""
        errors = self.spec.errors
        return {
            "error_message": self.error_path(errors.message, "message"),
            "error_type": self.error_path(errors.type, "type"),
            "error_code": self.error_path(errors.code, "code"),
            "request_id_headers": [h.lower() for h in errors.request_id_headers],
            "error_type_header": errors.type_header.lower() if errors.type_header else None,
            "retry_statuses": sorted(self.tables.retry_statuses),
            "status_kinds": dict(sorted(errors.status.items())),
            "error_types": dict(self.tables.types),
            "context_length_codes": list(errors.context_length.codes),
            "context_length_pattern": self.tables.context_length_pattern,
        }

    def reading(self) -> tuple[list[Function], str | None]:
        """The response and stream functions; the stream's dispatch table, when events are
        told apart by one field's value."""
        spec, stream = self.spec, self.spec.stream
        resp = spec.response
        assert resp is not None
        root = resp.schema_
        response_choice = self.choice(
            resp.choice, resp.choices, "r", root, ("response", "choice"), False
        )
        response_errors: list[EventIR] = []
        for rule, loc in self.response_errors():
            found = EventIR(self.condition("r", root, rule.when, (*loc, "when")))
            found.error = self.error_exprs("r", root, rule, loc)
            response_errors.append(found)
        events = (
            self.each(
                stream.events,
                lambda i, ev: self.event(ev, "e", stream.schema_, ("stream", "events", i)),
            )
            if stream is not None
            else []
        )
        reader = Reader(stream.schema_ if stream is not None else "")

        def read(path: str | None, name: str) -> Code | None:
            if not path:
                return None
            return self.path_expr("r", root, path, ("response", name), STRING)[0]

        reading = reader.parse_response(
            root,
            response_errors,
            response_choice,
            self.finish_expr("r", root, resp.finish_reason, ("response", "finish_reason"))
            if resp.finish_reason is not None
            else None,
            [
                ("usage", self.usage_expr("r", root, resp.usage, ("response", "usage"))),
                ("id", read(resp.id, "id")),
                ("model", read(resp.model, "model")),
                ("service_tier", read(resp.service_tier, "service_tier")),
            ],
        )
        if stream is None:
            return reading, None
        handlers, event_table = reader.parse_event(events)
        return reading + handlers, event_table

    def messages(self) -> tuple[MessagesSpec, str, dict[str, str], dict[str, str]]:
        """(the messages spec — an empty one for an image protocol, which sends `$prompt`;
        the message template's expression, the part templates', the own-message ones')."""
        msgs = self.request.messages or MessagesSpec.model_validate(
            {"system": "field", "roles": {}, "message": {}, "parts": {}}
        )
        at: Loc = ("request", "messages")
        if any(r == "system" for r in msgs.roles) and msgs.system == "field":
            self.errors.append(
                self.fail((*at, "roles"), "`system` role is unused when system: field")
            )
        message_vars = dict(MESSAGE_VARS)
        if msgs.fields or msgs.text_fields:
            message_vars["content"] = ("content", True)
        for name in [*msgs.fields, *msgs.text_fields]:
            if name in message_vars:
                self.errors.append(
                    self.fail((*at, "fields", name), f"{name!r} is a reserved variable")
                )
            message_vars[name] = (f"_{name}", True)
        for name, kinds in msgs.fields.items():
            for i, kind in enumerate(kinds):
                if kind not in msgs.parts:
                    self.errors.append(
                        self.fail(
                            (*at, "fields", name, i),
                            f"part kind {kind!r} has no template under `parts`",
                        )
                    )
        message_expr = "None"
        if msgs.message is not None:
            message_expr = self.expr(msgs.message, message_vars, (*at, "message"))
        parts = {
            kind: self.expr(tpl, PART_VARS[kind], (*at, "parts", kind))
            for kind, tpl in msgs.parts.items()
        }
        own_message = {
            kind: self.expr(tpl, PART_VARS[kind], (*at, "own_message", kind))
            for kind, tpl in msgs.own_message.items()
        }
        return msgs, message_expr, parts, own_message

    def tool_templates(self) -> tuple[str | None, dict[str, str]]:
        """(the tool definition's expression, each tool choice mode's)."""
        tools = self.request.tools
        if tools is None:
            return None, {}
        definition = self.expr(tools.definition, TOOL_VARS, ("request", "tools", "definition"))
        choices = {
            mode: self.expr(
                tpl, CHOICE_VARS if mode == "tool" else {}, ("request", "tools", "choice", mode)
            )
            for mode, tpl in tools.choice.items()
        }
        return definition, choices

    def expr(self, value: Any, variables: dict[str, tuple[str, bool]], loc: Loc) -> str:
        """A template's expression; a template in error is recorded and reads as None."""
        try:
            return self.template(value, variables, loc)[0]
        except SpecError as exc:
            self.errors.append(exc)
            return "None"

    def each(self, items: Sequence[Any], lower: Callable[[int, Any], T]) -> list[T]:
        """`lower(i, item)` of each item; an item in error is recorded and left out, and the
        others are lowered all the same (every error of a spec is reported in one run)."""
        out: list[T] = []
        for i, item in enumerate(items):
            try:
                out.append(lower(i, item))
            except SpecError as exc:
                self.errors.append(exc)
        return out

    def attempt(self, lower: Callable[[], T], default: T) -> T:
        """`lower()`; in error, recorded, and `default` instead."""
        try:
            return lower()
        except SpecError as exc:
            self.errors.append(exc)
            return default

    def lower(self, wire_module: str) -> AdapterIR:
        """The adapter of a protocol whose shape is checked (generator/checks/protocol.py);
        the errors of its paths and templates are recorded in `errors`."""
        spec, stream, request = self.spec, self.spec.stream, self.request
        assert spec.response is not None
        reading, event_table = self.attempt(self.reading, ([], None))
        msgs, message_expr, parts, own_message = self.messages()
        prompt = self.attempt(lambda: self.prompt(msgs), None)
        tool_definition, tool_choices = self.tool_templates()
        body = self.body()
        body_fields, body_objects, overridable = self.attempt(self.body_paths, ([], [], []))
        so = request.structured_output
        return AdapterIR(
            protocol=spec.protocol,
            spec_file=self.src.path,
            wire_module=wire_module,
            kind=spec.kind,
            unsupported=list(request.unsupported),
            min_output_tokens=request.min_output_tokens,
            unsigned_call=msgs.unsigned_call,
            streamable=stream is not None,
            max_inputs=spec.embedding.max_inputs if spec.embedding is not None else None,
            input_types=dict(spec.embedding.input_types) if spec.embedding is not None else {},
            framing=(stream.framing or "none") if stream is not None else "none",
            json_array=stream.json_array if stream is not None else False,
            stream_done=stream.done if stream is not None else None,
            usage_update=(stream.usage_update or "replace") if stream is not None else "replace",
            options_path=None
            if request.options == "none"
            else ("" if request.options == "body" else request.options),
            body=body,
            body_fields=body_fields,
            body_objects=body_objects,
            overridable=overridable,
            system_inline=msgs.system == "inline",
            prompt=prompt,
            roles={str(role): name for role, name in msgs.roles.items()},
            message_expr=message_expr,
            single_text_string=msgs.single_text == "string",
            parts=parts,
            parts_function=parts_function(parts),
            body_helpers=list(self.body_helpers.values()),
            drop=list(msgs.drop),
            refusal_as_text="refusal" not in msgs.parts
            and "refusal" not in msgs.text_fields.values(),
            message_fields={k: list(v) for k, v in msgs.fields.items()},
            text_fields=dict(msgs.text_fields),
            own_message=own_message,
            merge_consecutive=msgs.merge_consecutive,
            tool_definition=tool_definition,
            tool_choices=tool_choices,
            tool_schema=request.tools.schema_ if request.tools is not None else "json_schema",
            structured_via=so.via if so else None,
            structured_schema=so.schema_ if so else "json_schema",
            structured_fallback=so.fallback if so else None,
            structured_json_mode=bool(so and so.json_mode),
            response_model=spec.response.schema_,
            stream_model=stream.schema_ if stream is not None else "",
            usages=[usage_reader(u).render() for u in self._usages.values()],
            usage_models=[(u.function, u.model) for u in self._usages.values()],
            reading=[fn.render() for fn in reading],
            event_table=event_table,
            finish_reasons=dict(spec.finish_reasons),
            finish_reasons_with_tool_calls=dict(spec.finish_reasons_with_tool_calls),
            **self.error_fields(),
        )


class EnvelopeLowering(Lowering):
    """A protocol with `dialects` (Bedrock InvokeModel): checked against the dialects' own
    specs and wire schemas; lowered to the envelope the runtime composes with one of them."""

    def __init__(
        self,
        spec: ProtocolSpec,
        src: Source,
        wire: WireSchema,
        tables: ErrorTables,
        protocols: dict[str, tuple[ProtocolSpec, Source]],
        wires: dict[str, WireSchema],
        additions: Sequence[Addition] = (),
    ) -> None:
        super().__init__(spec, src, wire, tables, additions)
        self.protocols = protocols
        self.wires = wires

    def dialect(self, d: DialectSpec) -> DialectIR:
        """A dialect, as checked (generator/checks/protocol.py)."""
        return DialectIR(d.protocol, d.ids, list(d.creators), dict(d.body), d.structured_output)

    def envelope_event(self, ev: StreamEventSpec, def_name: str, loc: Loc) -> EventIR:
        """An event of the envelope: an error, or a wrapped event of the dialect (`payload`)."""
        out = EventIR(self.condition("e", def_name, ev.when, (*loc, "when")))
        if ev.error is not None:
            out.error = self.error_exprs("e", def_name, ev.error, (*loc, "error"))
        if ev.payload is not None:
            expr, resolved = self.path_expr("e", def_name, ev.payload, (*loc, "payload"), STRING)
            if not resolved.types - {"null"} <= STRING | {"any"}:
                self.errors.append(
                    self.fail(
                        (*loc, "payload"), f"{ev.payload!r} is not a string in the wire schema"
                    )
                )
            out.payload = expr
            out.payload_base64 = resolved.node.get("contentEncoding") == "base64"
        return out

    def envelope_stream(self, stream: StreamSpec) -> tuple[str, str | None, str | None, str | None]:
        """(`unwrap_event`'s text; the payload's model, the JSON key it holds what the host
        adds under, and `payload_usage`'s text, when the stream has a `payload`)."""
        events = [
            self.envelope_event(ev, stream.schema_, ("stream", "events", i))
            for i, ev in enumerate(stream.events)
        ]
        unwrap = unwrap_function(events, stream.schema_).render()
        if stream.payload is None:
            return unwrap, None, None, None
        model = stream.payload.schema_
        at: Loc = ("stream", "payload", "usage")
        usage = self.usage_expr("p", model, stream.payload.usage, at)
        key = json.dumps(stream.payload.usage.split(".")[0])
        return unwrap, model, key, payload_function(model, key, usage).render()

    def lower_envelope(self, wire_module: str) -> EnvelopeIR:
        spec, stream = self.spec, self.spec.stream
        unwrap, payload_model, payload_key, payload_usage = (
            self.envelope_stream(stream) if stream is not None else ("", None, None, None)
        )
        return EnvelopeIR(
            protocol=spec.protocol,
            spec_file=self.src.path,
            wire_module=wire_module,
            kind=spec.kind,
            framing=(stream.framing or "none") if stream is not None else "none",
            streamable=stream is not None,
            stream_model=stream.schema_ if stream is not None else "",
            unwrap=unwrap,
            payload_model=payload_model,
            payload_key=payload_key,
            payload_usage=payload_usage,
            usages=[usage_reader(u).render() for u in self._usages.values()],
            dialects=[self.dialect(d) for d in spec.dialects],
            **self.error_fields(),
        )


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
