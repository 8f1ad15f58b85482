"""Lowering: a validated protocol spec + its wire schema -> the adapter's intermediate form.

The intermediate form is small dataclasses holding Python expressions (strings) that read
the wire models by attribute. Templates under generator/templates/ render it. Every path is
resolved against the wire schema here; a path that does not exist, or lands on a value of
the wrong type, is a SpecError at the path's own line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import SpecError
from .source import Loc, Source
from .spec import (
    ChoiceSpec,
    ContentRule,
    DialectSpec,
    ErrorFields,
    First,
    Join,
    MessagesSpec,
    ProtocolSpec,
    StreamEventSpec,
    Sum,
    UsageSpec,
)
from .wire import PathError, Resolved, WireSchema

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
}
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

ITEM_FIELDS: dict[str, dict[str, frozenset[str]]] = {
    "image": {
        "data": STRING,
        "url": STRING,
        "media_type": STRING,
        "revised_prompt": STRING,
        "signature": STRING,
    },
    "text": {"text": STRING, "signature": STRING},
    "reasoning": {"text": STRING, "signature": STRING, "id": STRING},
    "tool_call": {
        "id": STRING,
        "name": STRING,
        "arguments": frozenset({"string", "object"}),
        "signature": STRING,
    },
}


@dataclass
class BodyEntry:
    key: str
    expr: str
    condition: str | None  # Python condition, or None when always present
    keyword: str = "if"  # "elif" chains `$one_of` alternatives


@dataclass
class ItemIR:
    kind: str
    fields: dict[str, str]  # field -> expression
    key: str | None = None
    redacted: bool = False
    continues: bool = False
    whole: bool = False


@dataclass
class RuleIR:
    condition: str | None
    item: ItemIR | None = None
    each: str | None = None  # expression of the list
    var: str | None = None  # element variable
    position: str | None = None  # element position variable (for keys)
    cases: list[RuleIR] = field(default_factory=list)
    keyword: str | None = None  # "if" / "elif" / "else" guarding the item, None: unguarded


@dataclass
class ChoiceIR:
    source: str | None  # expression of the choices list, None: the scope is the one choice
    var: str
    index: str
    finish_reason: str | None
    rules: list[RuleIR]


@dataclass
class UsageIR:
    function: str
    model: str
    fields: dict[str, str]


@dataclass
class EventIR:
    condition: str | None
    error: dict[str, str] | None = None
    id: str | None = None
    model: str | None = None
    usage: str | None = None
    usage_wire: str | None = None  # the wire usage object, when usage merges key by key
    finish_reason: str | None = None
    choice: ChoiceIR | None = None
    service_tier: str | None = None
    payload: str | None = None  # the wrapped event's JSON text (a dialect's), its expression
    payload_base64: bool = False  # ... base64 in the wire schema: decoded first


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
    events: list[EventIR]
    payload_model: str | None
    payload_key: str | None  # the JSON key a payload holds when it has what the host adds
    payload_usage: str | None
    usages: list[UsageIR]
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
    drop: list[str]
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
    response_errors: list[EventIR]
    response_id: str | None
    response_model_name: str | None
    response_usage: str | None
    response_choice: ChoiceIR
    response_finish: str | None
    response_service_tier: str | None
    stream_model: str
    events: list[EventIR]
    usages: list[UsageIR]
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


class Lowering:
    def __init__(self, spec: ProtocolSpec, src: Source, wire: WireSchema) -> None:
        self.spec = spec
        self.src = src
        self.wire = wire
        self._tmp = 0
        self._usages: dict[str, UsageIR] = {}

    def fail(self, loc: Loc, message: str) -> SpecError:
        return self.src.error(loc, message)

    def tmp(self, stem: str = "v") -> str:
        self._tmp += 1
        return f"_{stem}{self._tmp}"

    # --- paths ---------------------------------------------------------------------------

    def resolve(self, def_name: str, path: str, loc: Loc) -> Resolved:
        try:
            return self.wire.resolve(def_name, path)
        except PathError as exc:
            raise self.fail(loc, str(exc)) from None

    def path_expr(
        self, scope: str, def_name: str, path: str, loc: Loc, expect: frozenset[str] | None
    ) -> tuple[str, Resolved]:
        resolved = self.resolve(def_name, path, loc)
        if expect is not None:
            found = resolved.types - {"null"}
            guarded = expect == STRING and "string" in found  # other shapes read as None
            if "any" not in found and not found <= expect and not guarded:
                raise self.fail(
                    loc,
                    f"{path!r} is {'/'.join(sorted(found))} in the wire schema, "
                    f"expected {'/'.join(sorted(expect))}",
                )
        expr = scope
        for i, step in enumerate(resolved.steps):
            if i > 0 and resolved.steps[i - 1].nullable:
                t = self.tmp()
                expr = f"({t}.{step.attr} if ({t} := {expr}) is not None else None)"
            else:
                expr = f"{expr}.{step.attr}"
        found = resolved.types - {"null"}
        if expect == STRING and "string" in found and len(found) > 1:
            # a string here, or another shape (e.g. a list of parts); inline: once per event
            t = self.tmp()
            expr = f"({t} if isinstance({t} := {expr}, str) else None)"
        return expr, resolved

    def value_expr(
        self, scope: str, def_name: str, value: Any, loc: Loc, expect: frozenset[str]
    ) -> str:
        if isinstance(value, str):
            return self.path_expr(scope, def_name, value, loc, expect)[0]
        if isinstance(value, First):
            items = [
                self.path_expr(scope, def_name, p, (*loc, "first", i), expect)[0]
                for i, p in enumerate(value.first)
            ]
            return f"first_present({', '.join(items)})"
        if isinstance(value, Join):
            paths = value.join if isinstance(value.join, list) else [value.join]
            exprs = []
            for i, path in enumerate(paths):
                ploc = (*loc, "join", i) if isinstance(value.join, list) else (*loc, "join")
                expr, resolved = self.path_expr(scope, def_name, path, ploc, None)
                try:
                    elem = self.wire.element(resolved, path)
                except PathError as exc:
                    raise self.fail(ploc, str(exc)) from None
                attr = self.join_item(elem, value.item, path, (*loc, "item"))
                exprs.append(f"join_text({expr}, {attr!r})")
            if len(exprs) == 1:
                return exprs[0]
            return f"join_present({', '.join(exprs)})"
        if isinstance(value, Sum):
            many = isinstance(value.sum, list)
            items = []
            for i, path in enumerate(value.sum if isinstance(value.sum, list) else [value.sum]):
                ploc = (*loc, "sum", i) if many else (*loc, "sum")
                if value.item is not None:  # an integer field summed over a list's elements
                    items.append(self.sum_items(scope, def_name, path, value.item, ploc, loc))
                else:
                    items.append(self.path_expr(scope, def_name, path, ploc, expect)[0])
            return f"sum_present({', '.join(items)})"
        raise self.fail(loc, f"unsupported value {value!r}")

    def sum_items(
        self, scope: str, def_name: str, path: str, item: str, ploc: Loc, loc: Loc
    ) -> str:
        """`sum_items(list, attr)`: the sum of one integer field over a list's elements."""
        expr, resolved = self.path_expr(scope, def_name, path, ploc, None)
        try:
            elem = self.wire.element(resolved, path)
        except PathError as exc:
            raise self.fail(ploc, str(exc)) from None
        if "." in item:
            raise self.fail(
                (*loc, "item"), f"`item` {item!r} must be one field of the elements of {path!r}"
            )
        try:
            found = self.wire.resolve_in(elem, item)
        except PathError as exc:
            raise self.fail((*loc, "item"), f"{exc} (the elements of {path!r})") from None
        types = found.types - {"null"}
        if "any" not in types and not types <= INTEGER:
            raise self.fail(
                (*loc, "item"),
                f"{item!r} is {'/'.join(sorted(types))} in the wire schema, expected integer",
            )
        return f"sum_items({expr}, {found.steps[0].attr!r})"

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

    def list_elem(self, scope: str, def_name: str, path: str, loc: Loc) -> tuple[str, str]:
        expr, resolved = self.path_expr(scope, def_name, path, loc, None)
        try:
            elem = self.wire.element(resolved, path)
        except PathError as exc:
            raise self.fail(loc, str(exc)) from None
        if elem.def_name is None:
            raise self.fail(loc, f"elements of {path!r} are not objects")
        if len(resolved.types - {"null"}) > 1:
            # a list here, or another shape (e.g. a plain string); inline: once per event
            t = self.tmp()
            expr = f"({t} if isinstance({t} := {expr}, list) else ())"
        return expr, elem.def_name

    def condition(
        self, scope: str, def_name: str, when: str | list[str] | None, loc: Loc
    ) -> str | None:
        if when is None:
            return None
        conds = [when] if isinstance(when, str) else when
        parts = []
        for i, cond in enumerate(conds):
            cloc = loc if isinstance(when, str) else (*loc, i)
            negate = cond.startswith("!")
            body = cond.lstrip("!")
            if " != " in body:
                negate = not negate
                path, _, literal = body.partition(" != ")
            else:
                path, _, literal = body.partition(" == ")
            expr, _ = self.path_expr(scope, def_name, path, cloc, None)
            if literal:
                parts.append(f"{expr} {'!=' if negate else '=='} {literal!r}")
            else:
                parts.append(f"{'not ' if negate else ''}{expr}")
        return " and ".join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]

    # --- usage ---------------------------------------------------------------------------

    def usage_function(self, def_name: str, loc: Loc) -> str:
        if def_name in self._usages:
            return self._usages[def_name].function
        spec: UsageSpec = self.spec.usage_of.get(def_name, self.spec.usage)
        where: Loc = ("usage_of", def_name) if def_name in self.spec.usage_of else ("usage",)
        fields: dict[str, str] = {}
        for name in UsageSpec.model_fields:
            value = getattr(spec, name)
            if value is not None:
                fields[name] = self.value_expr("u", def_name, value, (*where, name), INTEGER)
        usage = UsageIR(f"_usage_{_snake(def_name)}", def_name, fields)
        self._usages[def_name] = usage
        return usage.function

    def usage_expr(
        self, scope: str, def_name: str, path: str | First | None, loc: Loc
    ) -> str | None:
        if path is None:
            return None
        if path == ".":  # the response or event itself holds the counts
            return f"{self.usage_function(def_name, loc)}({scope})"
        if isinstance(path, First):  # the first usage object present
            out = "None"
            for i, p in reversed(list(enumerate(path.first))):
                one = self.usage_expr(scope, def_name, p, (*loc, "first", i))
                t = self.tmp("u")
                inner, _ = self.path_expr(scope, def_name, p, (*loc, "first", i), None)
                out = f"({one} if ({t} := {inner}) is not None else {out})"
            return out
        expr, resolved = self.path_expr(scope, def_name, path, loc, None)
        if resolved.def_name is None:
            raise self.fail(loc, f"{path!r} is not an object, cannot hold usage")
        return f"{self.usage_function(resolved.def_name, loc)}({expr})"

    # --- content -------------------------------------------------------------------------

    def rule(self, rule: ContentRule, scope: str, def_name: str, loc: Loc, stream: bool) -> RuleIR:
        if rule.each is not None:
            each, elem_def = self.list_elem(scope, def_name, rule.each, (*loc, "each"))
            var, position = self.tmp("e"), self.tmp("i")
            out = RuleIR(None, each=each, var=var, position=position)
            if rule.cases:
                self.check_cases_only(rule, loc)
                for i, case in enumerate(rule.cases):
                    cloc = (*loc, "cases", i)
                    if case.each is not None or case.cases:
                        raise self.fail(cloc, "cases cannot nest `each` or `cases`")
                    if out.cases and out.cases[-1].condition is None:
                        raise self.fail(cloc, "unreachable: an earlier case has no `when`")
                    inner = self.rule(case, var, elem_def, cloc, stream)
                    if out.cases:
                        inner.keyword = "elif" if inner.condition else "else"
                    inner.position = position
                    out.cases.append(inner)
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
        fields: dict[str, str] = {}
        allowed = ITEM_FIELDS[rule.kind]
        for name in (
            "text",
            "signature",
            "id",
            "name",
            "arguments",
            "data",
            "url",
            "media_type",
            "revised_prompt",
        ):
            value = getattr(rule, name)
            if value is None:
                continue
            if name not in allowed:
                raise self.fail((*loc, name), f"`{name}` does not apply to {rule.kind} items")
            fields[name] = self.value_expr(scope, def_name, value, (*loc, name), allowed[name])
        if rule.kind in ("text",) and "text" not in fields:
            raise self.fail(loc, "a text rule needs `text`")
        if rule.kind == "image" and not ({"data", "url"} & set(fields)):
            raise self.fail(loc, "an image rule needs `data` or `url`")
        if rule.redacted and (rule.kind != "reasoning" or "signature" not in fields):
            raise self.fail(
                (*loc, "redacted"), "`redacted` applies to reasoning rules with a `signature`"
            )
        key = None
        if rule.key is not None:
            if not stream:
                raise self.fail((*loc, "key"), "`key` applies to stream rules only")
            key = self.path_expr(scope, def_name, rule.key, (*loc, "key"), None)[0]
        if rule.continues and (key is None or rule.kind == "text"):
            raise self.fail(
                (*loc, "continues"), "`continues` needs a `key` (and a reasoning or tool_call kind)"
            )
        if rule.whole and (rule.kind != "tool_call" or key is not None):
            raise self.fail((*loc, "whole"), "`whole` applies to tool_call rules without a `key`")
        item = ItemIR(rule.kind, fields, key, rule.redacted, rule.continues, rule.whole)
        return RuleIR(cond, item, keyword="if" if cond else None)

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
        pieces = []
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

    def check_plain_stream(self, stream: Any) -> None:
        """A protocol without `dialects` reads its events itself: its stream says how usage
        updates, and nothing in it wraps another protocol's events."""
        if stream.usage_update is None:
            raise self.fail(("stream",), "missing required key 'usage_update'")
        if stream.payload is not None:
            raise self.fail(
                ("stream", "payload"), "`payload` applies to a protocol with `dialects`"
            )
        for i, ev in enumerate(stream.events):
            if ev.payload is not None:
                raise self.fail(
                    ("stream", "events", i, "payload"),
                    "`payload` applies to a protocol with `dialects`",
                )

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
        if choices is not None:
            source, choice_def = self.list_elem(scope, def_name, choices, (*loc[:-1], "choices"))
            var = self.tmp("c")
        else:
            source, choice_def, var = None, def_name, scope
        index = "0"
        if spec.index is not None:
            index_expr = self.path_expr(var, choice_def, spec.index, (*loc, "index"), INTEGER)[0]
            index = f"({index_expr} or 0)"
        finish = None
        if spec.finish_reason is not None:
            finish = self.finish_expr(var, choice_def, spec.finish_reason, (*loc, "finish_reason"))
        rules = [
            self.rule(r, var, choice_def, (*loc, "content", i), stream)
            for i, r in enumerate(spec.content)
        ]
        return ChoiceIR(source, var, index, finish, rules)

    def finish_expr(self, scope: str, def_name: str, path: str | First, loc: Loc) -> str:
        if isinstance(path, First):  # the first present of several raw values, each checked
            items = [
                self.finish_expr(scope, def_name, p, (*loc, "first", i))
                for i, p in enumerate(path.first)
            ]
            return f"first_present({', '.join(items)})"
        expr, resolved = self.path_expr(scope, def_name, path, loc, STRING)
        known = self.wire.known_values(None, resolved.node)
        if known is None:
            raise self.fail(
                loc, f"{path!r} has no x-known-values/enum in the wire schema to check the table"
            )
        missing = [v for v in known if v not in self.spec.finish_reasons]
        if missing:
            raise self.src.error(
                ("finish_reasons",),
                f"finish_reasons does not map {', '.join(map(repr, missing))} "
                f"(known values of {path!r} in the wire schema)",
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
            if "$when" in value:
                condition, inner = self.when(value, variables, loc)
                expr, _ = self.template(inner, variables, loc)
                if "$else" in value:  # `{$when: var, $value: X, $else: Y}`: Y when var is not
                    other, other_optional = self.template(value["$else"], variables, loc)
                    return f"({expr} if {condition} else {other})", other_optional
                return f"({expr} if {condition} else None)", True
            items = []
            optionals = []
            for k, v in value.items():
                expr, opt = self.template(v, variables, (*loc, k))
                optionals.append(opt)
                items.append(f"{json.dumps(k)}: {expr}")
            body = "{" + ", ".join(items) + "}"
            if optionals and all(optionals):  # nothing left: the mapping itself is left out
                return f"compact_or_none({body})", True
            return (f"compact({body})" if any(optionals) else body), False
        if isinstance(value, list):
            exprs = [self.template(v, variables, (*loc, i))[0] for i, v in enumerate(value)]
            return "[" + ", ".join(exprs) + "]", False
        return repr(value), False

    def body(self) -> list[BodyEntry]:
        req = self.spec.request
        if not self.wire.has_def(req.schema_):
            raise self.fail(("request", "schema"), f"{req.schema_!r} is not in the wire schema")
        entries = []
        for key, value in req.body.items():
            loc: Loc = ("request", "body", key)
            self.resolve(req.schema_, key, loc)
            if isinstance(value, dict) and "$one_of" in value:
                options = value["$one_of"]
                if set(value) != {"$one_of"} or not isinstance(options, list) or not options:
                    raise self.fail(loc, "`$one_of` takes a non-empty list and nothing else")
                for i, option in enumerate(options):
                    oloc = (*loc, "$one_of", i)
                    if not isinstance(option, dict) or "$when" not in option:
                        raise self.fail(oloc, "each `$one_of` alternative needs a `$when`")
                    entry = self.body_entry(key, option, oloc)
                    entry.keyword = "if" if i == 0 else "elif"
                    entries.append(entry)
                continue
            entries.append(self.body_entry(key, value, loc))
        return entries

    def body_paths(self) -> tuple[list[str], list[str], list[str]]:
        """(fields, objects, overridable): the dotted paths the body template builds — the
        objects it spells out key by key (options may add keys inside them), every other
        field it sets — and the fields `request.overridable` lets options set all the same."""
        fields: set[str] = set()
        objects: set[str] = set()

        def walk(path: str, value: Any) -> None:
            if isinstance(value, dict) and "$one_of" in value:
                for option in value["$one_of"]:
                    walk(path, option)
            elif isinstance(value, dict) and "$when" in value:
                rest = {k: v for k, v in value.items() if k not in ("$when", "$else")}
                walk(path, rest["$value"] if set(rest) == {"$value"} else rest)
                if "$else" in value:
                    walk(path, value["$else"])
            elif isinstance(value, dict):
                objects.add(path)
                for key, item in value.items():
                    walk(f"{path}.{key}", item)
            else:
                fields.add(path)

        for key, value in self.spec.request.body.items():
            walk(key, value)
        objects -= fields  # a field some alternative sets whole is not merged into
        for i, path in enumerate(self.spec.request.overridable):
            if path not in fields | objects:
                raise self.fail(
                    ("request", "overridable", i),
                    f"{path!r} is not a field the body template builds: options may set it "
                    "without being listed here",
                )
        return sorted(fields), sorted(objects), sorted(self.spec.request.overridable)

    def check_tool_vars(self) -> None:
        """The body uses the tool and structured-output variables exactly when the spec's
        `tools` / `structured_output` sections say how to fill them."""
        req = self.spec.request
        text = json.dumps(req.body)
        so = req.structured_output
        if req.tools is None and ('"$tools"' in text or '"$tool_choice"' in text):
            raise self.fail(("request", "body"), "`$tools` needs a `request.tools` section")
        if req.tools is not None and '"$tools"' not in text:
            raise self.fail(("request", "tools"), "the body template never uses `$tools`")
        native = so is not None and so.via == "native"
        uses_schema = '"$schema"' in text or '"$schema_json"' in text
        if native and not uses_schema:
            raise self.fail(
                ("request", "structured_output", "via"),
                "`via: native` needs `$schema` (or `$schema_json`) in the body template",
            )
        if not native and uses_schema:
            raise self.fail(
                ("request", "body"), "`$schema` needs `request.structured_output.via: native`"
            )
        json_mode = so is not None and so.json_mode
        if json_mode != ('"structured_json_mode"' in text or '"$structured_json_mode"' in text):
            raise self.fail(
                ("request", "structured_output", "json_mode"),
                "`json_mode: true` and `$structured_json_mode` in the body need each other",
            )
        uses_tool = so is not None and (so.via == "tool" or so.fallback == "tool")
        if uses_tool and (req.tools is None or "tool" not in req.tools.choice):
            raise self.fail(
                ("request", "structured_output"),
                "structured output through a tool needs `request.tools` with a `tool` choice",
            )

    def body_entry(self, key: str, value: Any, loc: Loc) -> BodyEntry:
        condition = None
        if isinstance(value, dict) and "$when" in value:
            condition, value = self.when(value, REQUEST_VARS, loc)
        expr, optional = self.template(value, REQUEST_VARS, loc)
        if optional and condition is None:
            return BodyEntry(key, "_x", f"(_x := {expr}) is not None")
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
        out.usage = self.usage_expr(scope, def_name, ev.usage, (*loc, "usage"))
        merge = self.spec.stream is not None and self.spec.stream.usage_update == "merge"
        if ev.usage == "." and merge:
            out.usage_wire = scope
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

    def error_exprs(self, scope: str, def_name: str, spec: ErrorFields, loc: Loc) -> dict[str, str]:
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

    def lower(self, wire_module: str) -> AdapterIR:
        spec = self.spec
        stream = spec.stream
        for part in ("request", "response"):
            if getattr(spec, part) is None:
                raise self.fail(
                    (), f"missing required key {part!r} (only a protocol with `dialects` has none)"
                )
        assert spec.request is not None and spec.response is not None
        if stream is not None:
            self.check_plain_stream(stream)
        for name in spec.usage_of:
            if not self.wire.has_def(name):
                raise self.fail(
                    ("usage_of", name), f"{name!r} is not defined in specs/wire/{spec.wire}"
                )
        if spec.kind == "chat" and (stream is None or spec.request.messages is None):
            raise self.fail(("kind",), "a chat protocol needs `stream` and `request.messages`")
        schemas = [(("response", "schema"), spec.response.schema_)]
        schemas.append((("errors", "schema"), spec.errors.schema_))
        if stream is not None:
            schemas.append((("stream", "schema"), stream.schema_))
        for loc, name in schemas:
            if not self.wire.has_def(name):
                raise self.fail(loc, f"{name!r} is not defined in specs/wire/{spec.wire}")
        resp = spec.response
        root = resp.schema_
        response_choice = self.choice(
            resp.choice, resp.choices, "r", root, ("response", "choice"), False
        )
        response_errors = []
        rules = resp.error if isinstance(resp.error, list) else [resp.error] if resp.error else []
        for i, rule in enumerate(rules):
            loc = (
                ("response", "error", i) if isinstance(resp.error, list) else ("response", "error")
            )
            found = EventIR(self.condition("r", root, rule.when, (*loc, "when")))
            found.error = self.error_exprs("r", root, rule, loc)
            response_errors.append(found)
        events = [
            self.event(ev, "e", stream.schema_, ("stream", "events", i))
            for i, ev in enumerate(stream.events if stream is not None else ())
        ]
        # an image protocol sends `$prompt`, not messages: no part kinds, no roles
        msgs = spec.request.messages or MessagesSpec(system="field", roles={}, message={}, parts={})
        prompt = self.prompt(msgs)
        unknown_roles = [r for r in msgs.roles if r == "system" and msgs.system == "field"]
        if unknown_roles:
            raise self.fail(
                ("request", "messages", "roles"), "`system` role is unused when system: field"
            )
        message_vars = dict(MESSAGE_VARS)
        if msgs.fields or msgs.text_fields:
            message_vars["content"] = ("content", True)
        for name in [*msgs.fields, *msgs.text_fields]:
            if name in message_vars:
                raise self.fail(
                    ("request", "messages", "fields", name), f"{name!r} is a reserved variable"
                )
            message_vars[name] = (f"_{name}", True)
        for name, kinds in msgs.fields.items():
            for i, kind in enumerate(kinds):
                if kind not in msgs.parts:
                    raise self.fail(
                        ("request", "messages", "fields", name, i),
                        f"part kind {kind!r} has no template under `parts`",
                    )
        message_expr = "None"
        if msgs.message is not None:
            message_expr, _ = self.template(
                msgs.message, message_vars, ("request", "messages", "message")
            )
        parts = {
            kind: self.template(tpl, PART_VARS[kind], ("request", "messages", "parts", kind))[0]
            for kind, tpl in msgs.parts.items()
        }
        own_message = {
            kind: self.template(tpl, PART_VARS[kind], ("request", "messages", "own_message", kind))[
                0
            ]
            for kind, tpl in msgs.own_message.items()
        }
        tools = spec.request.tools
        tool_definition, tool_choices = None, {}  # type: ignore[var-annotated]
        if tools is not None:
            tool_definition = self.template(
                tools.definition, TOOL_VARS, ("request", "tools", "definition")
            )[0]
            for mode, tpl in tools.choice.items():
                variables = CHOICE_VARS if mode == "tool" else {}
                loc = ("request", "tools", "choice", mode)
                tool_choices[mode] = self.template(tpl, variables, loc)[0]
        self.check_tool_vars()
        body = self.body()
        body_fields, body_objects, overridable = self.body_paths()
        if spec.errors.context_length.pattern is not None:
            try:
                re.compile(spec.errors.context_length.pattern)
            except re.error as exc:
                raise self.fail(
                    ("errors", "context_length", "pattern"), f"bad regex: {exc}"
                ) from None
        return AdapterIR(
            protocol=spec.protocol,
            spec_file=self.src.path,
            wire_module=wire_module,
            kind=spec.kind,
            unsupported=list(spec.request.unsupported),
            min_output_tokens=spec.request.min_output_tokens,
            unsigned_call=msgs.unsigned_call,
            streamable=stream is not None,
            framing=(stream.framing or "none") if stream is not None else "none",
            json_array=stream.json_array if stream is not None else False,
            stream_done=stream.done if stream is not None else None,
            usage_update=(stream.usage_update or "replace") if stream is not None else "replace",
            options_path=None
            if spec.request.options == "none"
            else ("" if spec.request.options == "body" else spec.request.options),
            body=body,
            body_fields=body_fields,
            body_objects=body_objects,
            overridable=overridable,
            system_inline=msgs.system == "inline",
            prompt=prompt,
            roles=dict(msgs.roles),
            message_expr=message_expr,
            single_text_string=msgs.single_text == "string",
            parts=parts,
            drop=list(msgs.drop),
            message_fields={k: list(v) for k, v in msgs.fields.items()},
            text_fields=dict(msgs.text_fields),
            own_message=own_message,
            merge_consecutive=msgs.merge_consecutive,
            tool_definition=tool_definition,
            tool_choices=tool_choices,
            tool_schema=tools.schema_ if tools is not None else "json_schema",
            structured_via=so.via if (so := spec.request.structured_output) else None,
            structured_schema=so.schema_ if so else "json_schema",
            structured_fallback=so.fallback if so else None,
            structured_json_mode=bool(so and so.json_mode),
            response_model=root,
            response_errors=response_errors,
            response_id=self.path_expr("r", root, resp.id, ("response", "id"), STRING)[0]
            if resp.id
            else None,
            response_model_name=self.path_expr(
                "r", root, resp.model, ("response", "model"), STRING
            )[0]
            if resp.model
            else None,
            response_usage=self.usage_expr("r", root, resp.usage, ("response", "usage")),
            response_choice=response_choice,
            response_service_tier=self.path_expr(
                "r", root, resp.service_tier, ("response", "service_tier"), STRING
            )[0]
            if resp.service_tier
            else None,
            response_finish=self.finish_expr(
                "r", root, resp.finish_reason, ("response", "finish_reason")
            )
            if resp.finish_reason is not None
            else None,
            stream_model=stream.schema_ if stream is not None else "",
            events=events,
            usages=list(self._usages.values()),
            finish_reasons=dict(spec.finish_reasons),
            finish_reasons_with_tool_calls=dict(spec.finish_reasons_with_tool_calls),
            error_message=self.error_path(spec.errors.message, "message"),
            error_type=self.error_path(spec.errors.type, "type"),
            error_code=self.error_path(spec.errors.code, "code"),
            request_id_headers=[h.lower() for h in spec.errors.request_id_headers],
            error_type_header=spec.errors.type_header.lower() if spec.errors.type_header else None,
            retry_statuses=sorted(spec.errors.retry_statuses),
            status_kinds=dict(sorted(spec.errors.status.items())),
            error_types=dict(spec.errors.types),
            context_length_codes=list(spec.errors.context_length.codes),
            context_length_pattern=spec.errors.context_length.pattern,
        )


class EnvelopeLowering(Lowering):
    """A protocol with `dialects` (Bedrock InvokeModel): checked against the dialects' own
    specs and wire schemas; lowered to the envelope the runtime composes with one of them."""

    def __init__(
        self,
        spec: ProtocolSpec,
        src: Source,
        wire: WireSchema,
        protocols: dict[str, tuple[ProtocolSpec, Source]],
        wires: dict[str, WireSchema],
    ) -> None:
        super().__init__(spec, src, wire)
        self.protocols = protocols
        self.wires = wires

    def dialect(self, d: DialectSpec, loc: Loc) -> DialectIR:
        found = self.protocols.get(d.protocol)
        if found is None:
            known = ", ".join(sorted(self.protocols))
            raise self.fail((*loc, "protocol"), f"unknown protocol {d.protocol!r}; known: {known}")
        inner, _ = found
        if inner.dialects:
            raise self.fail(
                (*loc, "protocol"), f"{d.protocol!r} has dialects itself: they do not nest"
            )
        if inner.request is None:
            raise self.fail((*loc, "protocol"), f"{d.protocol!r} has no `request`")
        if inner.kind != self.spec.kind:
            raise self.fail(
                (*loc, "protocol"),
                f"{d.protocol!r} is a {inner.kind} protocol, not {self.spec.kind}",
            )
        if d.ids is not None:
            try:
                re.compile(d.ids)
            except re.error as exc:
                raise self.fail((*loc, "ids"), f"bad regex: {exc}") from None
        wire = self.wires[inner.wire]
        for key, value in d.body.items():
            try:
                wire.resolve(inner.request.schema_, key)
            except PathError as exc:
                raise self.fail((*loc, "body", key), f"{exc} (the {d.protocol} request)") from None
            if value is None and key not in inner.request.body:
                raise self.fail(
                    (*loc, "body", key),
                    f"null removes a key the {d.protocol} body template builds; {key!r} is not one",
                )
        tools = inner.request.tools
        if d.structured_output == "tool" and (tools is None or "tool" not in tools.choice):
            raise self.fail(
                (*loc, "structured_output"),
                f"the {d.protocol} protocol has no forced tool choice (`request.tools.choice.tool`)",
            )
        return DialectIR(d.protocol, d.ids, list(d.creators), dict(d.body), d.structured_output)

    def envelope_event(self, ev: StreamEventSpec, def_name: str, loc: Loc) -> EventIR:
        """An event of the envelope: an error, or a wrapped event of the dialect (`payload`)."""
        out = EventIR(self.condition("e", def_name, ev.when, (*loc, "when")))
        taken = sorted(ev.model_fields_set - {"when"})
        if len(taken) != 1 or taken[0] not in ("error", "payload"):
            stray = next((k for k in taken if k not in ("error", "payload")), None)
            at: Loc = (*loc, stray) if stray else (*loc, taken[1]) if taken else loc
            raise self.fail(
                at,
                f"{'`' + stray + '` does not apply here: ' if stray else ''}with `dialects`, an "
                "event rule takes `when` and either `error` or `payload` (the dialect's own rules "
                "read the rest)",
            )
        if ev.error is not None:
            out.error = self.error_exprs("e", def_name, ev.error, (*loc, "error"))
        if ev.payload is not None:
            expr, resolved = self.path_expr("e", def_name, ev.payload, (*loc, "payload"), STRING)
            if not resolved.types - {"null"} <= STRING | {"any"}:
                raise self.fail(
                    (*loc, "payload"), f"{ev.payload!r} is not a string in the wire schema"
                )
            out.payload = expr
            out.payload_base64 = resolved.node.get("contentEncoding") == "base64"
        return out

    def lower_envelope(self, wire_module: str) -> EnvelopeIR:
        spec = self.spec
        for key in ("request", "response", "finish_reasons", "finish_reasons_with_tool_calls"):
            if getattr(spec, key):
                raise self.fail(
                    (key,),
                    f"`{key}` does not apply with `dialects` (each dialect's spec has its own)",
                )
        dialects = [self.dialect(d, ("dialects", i)) for i, d in enumerate(spec.dialects)]
        if not self.wire.has_def(spec.errors.schema_):
            raise self.fail(
                ("errors", "schema"),
                f"{spec.errors.schema_!r} is not defined in specs/wire/{spec.wire}",
            )
        stream = spec.stream
        events: list[EventIR] = []
        payload_model = payload_key = payload_usage = None
        if stream is not None:
            if stream.framing is None:
                raise self.fail(("stream",), "missing required key 'framing'")
            for key in ("usage_update", "done", "json_array"):
                if key in stream.model_fields_set:
                    raise self.fail(
                        ("stream", key),
                        f"`{key}` does not apply with `dialects` (the dialect's own applies)",
                    )
            if not self.wire.has_def(stream.schema_):
                raise self.fail(
                    ("stream", "schema"),
                    f"{stream.schema_!r} is not defined in specs/wire/{spec.wire}",
                )
            events = [
                self.envelope_event(ev, stream.schema_, ("stream", "events", i))
                for i, ev in enumerate(stream.events)
            ]
            if not any(ev.payload for ev in events):
                raise self.fail(
                    ("stream", "events"),
                    "no event rule has a `payload`: the dialects' events never arrive",
                )
            if stream.payload is not None:
                payload_model = stream.payload.schema_
                if not self.wire.has_def(payload_model):
                    raise self.fail(
                        ("stream", "payload", "schema"),
                        f"{payload_model!r} is not defined in specs/wire/{spec.wire}",
                    )
                at: Loc = ("stream", "payload", "usage")
                payload_usage = self.usage_expr("p", payload_model, stream.payload.usage, at)
                payload_key = json.dumps(stream.payload.usage.split(".")[0])
        if spec.errors.context_length.pattern is not None:
            try:
                re.compile(spec.errors.context_length.pattern)
            except re.error as exc:
                raise self.fail(
                    ("errors", "context_length", "pattern"), f"bad regex: {exc}"
                ) from None
        return EnvelopeIR(
            protocol=spec.protocol,
            spec_file=self.src.path,
            wire_module=wire_module,
            kind=spec.kind,
            framing=(stream.framing or "none") if stream is not None else "none",
            streamable=stream is not None,
            stream_model=stream.schema_ if stream is not None else "",
            events=events,
            payload_model=payload_model,
            payload_key=payload_key,
            payload_usage=payload_usage,
            usages=list(self._usages.values()),
            dialects=dialects,
            error_message=self.error_path(spec.errors.message, "message"),
            error_type=self.error_path(spec.errors.type, "type"),
            error_code=self.error_path(spec.errors.code, "code"),
            request_id_headers=[h.lower() for h in spec.errors.request_id_headers],
            error_type_header=spec.errors.type_header.lower() if spec.errors.type_header else None,
            retry_statuses=sorted(spec.errors.retry_statuses),
            status_kinds=dict(sorted(spec.errors.status.items())),
            error_types=dict(spec.errors.types),
            context_length_codes=list(spec.errors.context_length.codes),
            context_length_pattern=spec.errors.context_length.pattern,
        )


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
