"""What generated adapters are written against: the normalized call, and small helpers.

A generated adapter module (modelwire.generated.adapters.<protocol>) provides:
`build_body(call)`, `parse_response(raw)`, `usage_from_wire(u)`, `parse_event(data, event)`, `error_fields(data)`
and the constants PROTOCOL, KIND, STREAMABLE, FRAMING, STREAM_DONE, USAGE_UPDATE, OPTIONS_PATH,
BODY_FIELDS, BODY_OBJECTS, OVERRIDABLE,
FINISH_REASONS, FINISH_REASONS_WITH_TOOL_CALLS, JSON_ARRAY, REQUEST_ID_HEADERS, ERROR_TYPE_HEADER, RETRY_STATUSES, STATUS_KINDS, ERROR_TYPES,
CONTEXT_LENGTH_CODES, CONTEXT_LENGTH_PATTERN. `AdapterModule` below is that contract. A
protocol with `DIALECTS` (one that frames other protocols' bodies) provides the framing and
error half of it, and `modelwire._dialect` composes it with the dialect's module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from ._catalog import AIModel
from ._config import AIModelCallConfig
from ._errors import DECODE_ERRORS, ConfigurationError

if TYPE_CHECKING:  # _tools is imported when a call has tools or structured output
    from ._structured import StructuredOutput
    from ._tools import Tool, ToolChoice
from ._types import ChatResponseChoice, ChatResponseChunk, ContentItem, TextContent, Usage
from ._types import Message as Message  # re-exported: generated adapters import it from here
from ._types import part_kind as part_kind

__all__ = [
    "AdapterModule",
    "Call",
    "Message",
    "ParsedResponse",
    "StreamError",
    "Turn",
    "check_options",
    "compact",
    "compact_or_none",
    "dig",
    "first_present",
    "join_present",
    "join_text",
    "lenient",
    "part_kind",
    "place_options",
    "sum_items",
    "sum_present",
    "unsupported_choice",
    "unsupported_content",
    "unsupported_role",
    "wire_messages",
    "wire_turns",
]


def _no_tools() -> list[tuple[Tool, dict[str, Any]]]:
    return []


@dataclass(slots=True)
class Call:
    """A call, normalized: what a generated `build_body` reads.

    Its methods are the request template's derived variables (docs/spec-language.md); the
    catalog checks of `_call.check` have already run, so they only pick values.
    """

    model: str
    messages: list[Message]
    system: str | None
    config: AIModelCallConfig
    stream: bool
    ai_model: AIModel | None = None
    protocol: str = ""
    provider: str = ""
    # (tool, its parameters in the protocol's schema dialect), the forced structured-output
    # tool included
    tools: list[tuple[Tool, dict[str, Any]]] = field(default_factory=lambda: _no_tools())
    tool_choice: ToolChoice | None = None
    structured: StructuredOutput | None = None
    structured_schema: dict[str, Any] | None = None  # for the native form, in its dialect
    keep: frozenset[str] = frozenset()  # dropped content kinds this host wants back
    # embedding calls: this request's inputs, the vector length and the wire's input type
    inputs: list[str] = field(default_factory=lambda: list[str]())
    dimensions: int | None = None
    input_type: str | None = None

    def prompt_text(self) -> str:
        """The text an image protocol sends: the last user turn's text."""
        for m in reversed(self.messages):
            if m.role == "user":
                return "\n".join(c.text for c in m.content if isinstance(c, TextContent))
        return ""

    def reasoning_model(self) -> bool:
        """The model reasons (the catalog says so, or the call asks for reasoning)."""
        m = self.ai_model
        asked = self.config.reasoning or self.config.reasoning_effort is not None
        return asked or (
            m is not None and (m.reasoning is not None or "reasoning" in m.capabilities)
        )

    def image_output(self) -> bool:
        """The model makes images (a catalog model of kind `image`)."""
        return self.ai_model is not None and self.ai_model.kind == "image"

    def structured_json_mode(self) -> bool:
        return self.structured is not None and self.structured.via == "json_mode"

    def structured_native(self) -> bool:
        return self.structured_schema is not None

    def structured_schema_json(self) -> str | None:
        """The native form's schema as JSON text (for wires that take it as a string)."""
        if self.structured_schema is None:
            return None
        import json

        return json.dumps(self.structured_schema, ensure_ascii=False, separators=(",", ":"))

    def structured_name(self) -> str | None:
        return self.structured.name if self.structured is not None else None

    def _name(self) -> str:
        m = self.ai_model
        return (m.constant or m.model_name) if m is not None else self.model

    def stop_list(self) -> list[str] | None:
        stop = self.config.stop
        return [stop] if isinstance(stop, str) else (list(stop) if stop is not None else None)

    def output_limit(self) -> int:
        """`max_output_tokens`, else the model's output limit from the catalog."""
        limit = self.config.max_output_tokens
        if limit is None and self.ai_model is not None:
            limit = self.ai_model.max_output_for(self.provider)
        if limit is None:
            raise ConfigurationError(
                f"the {self.protocol} protocol needs an output limit and {self._name()} has none "
                "in the catalog: pass AIModelCallConfig(max_output_tokens=...)"
            )
        return limit

    def reasoning_adaptive(self) -> bool:
        """Reasoning asked for on a model that takes the adaptive form (no budget given)."""
        controls = self.ai_model.reasoning if self.ai_model is not None else None
        return (
            self.config.reasoning
            and self.config.max_reasoning_tokens is None
            and controls is not None
            and controls.adaptive
        )

    def reasoning_budget(self) -> int | None:
        """The reasoning token budget asked for: the call's, else the catalog's default;
        None when reasoning is off, adaptive, or left to the provider's own default."""
        cfg = self.config
        if cfg.max_reasoning_tokens is not None:
            return cfg.max_reasoning_tokens
        if not cfg.reasoning or self.reasoning_adaptive():
            return None
        controls = self.ai_model.reasoning if self.ai_model is not None else None
        return controls.budget_default if controls is not None else None

    def reasoning_budget_or_min(self) -> int | None:
        """`reasoning_budget`, else the catalog's minimum budget, for protocols that cannot
        switch reasoning on without one."""
        budget = self.reasoning_budget()
        if budget is not None or not self.config.reasoning or self.reasoning_adaptive():
            return budget
        controls = self.ai_model.reasoning if self.ai_model is not None else None
        if controls is not None and controls.budget_min is not None:
            return controls.budget_min
        if controls is not None and controls.effort_levels:
            return None  # an effort-steered model: reasoning needs no budget
        raise ConfigurationError(
            f"reasoning=True on the {self.protocol} protocol needs a token budget and "
            f"{self._name()} has none in the catalog: pass max_reasoning_tokens=..."
        )


@dataclass(slots=True)
class ParsedResponse:
    choices: list[ChatResponseChoice]
    usage: Usage | None
    id: str | None
    model: str | None
    wire: Any = None
    service_tier: str | None = None


@dataclass(slots=True)
class StreamError:
    """An error reported inside a 2xx stream."""

    message: Any = None
    type: Any = None
    code: Any = None
    status: Any = None


class AdapterModule(Protocol):
    PROTOCOL: str
    FRAMING: str
    STREAM_DONE: str | None
    USAGE_UPDATE: str
    KIND: str
    UNSUPPORTED: tuple[str, ...]
    MIN_OUTPUT_TOKENS: int | None
    STREAMABLE: bool
    OPTIONS_PATH: str | None
    BODY_FIELDS: frozenset[str]
    BODY_OBJECTS: frozenset[str]
    OVERRIDABLE: frozenset[str]
    FINISH_REASONS: dict[str, str]
    FINISH_REASONS_WITH_TOOL_CALLS: dict[str, str]
    JSON_ARRAY: bool
    REQUEST_ID_HEADERS: tuple[str, ...]
    ERROR_TYPE_HEADER: str | None
    RETRY_STATUSES: frozenset[int]
    STATUS_KINDS: dict[int, str]
    ERROR_TYPES: dict[str, str]
    CONTEXT_LENGTH_CODES: frozenset[str]
    CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None
    TOOL_SCHEMA: str
    STRUCTURED_VIA: str | None
    STRUCTURED_SCHEMA: str
    STRUCTURED_FALLBACK: str | None
    STRUCTURED_JSON_MODE: bool
    UNSIGNED_CALL: str | None

    def build_body(self, call: Call) -> dict[str, Any]: ...
    def parse_response(self, raw: bytes | str) -> ParsedResponse | StreamError: ...
    def usage_from_wire(self, u: Any) -> Usage | None: ...
    def parse_event(
        self, data: str, event: str | None
    ) -> ChatResponseChunk | StreamError | None: ...
    def error_fields(self, data: Any) -> tuple[Any, Any, Any]: ...


# --- helpers the generated code calls -------------------------------------------------------


def first_present(*values: Any) -> Any:
    """The first value that is neither None nor empty."""
    for v in values:
        if v is not None and v != "":
            return v
    return None


def sum_present(*values: int | None) -> int | None:
    """Sum of the values present; None when none is."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def sum_items(value: Any, item: str) -> int | None:
    """The sum of the `item` integers of a list's elements (`item`: a field, or a dotted
    path in them); None when none has one."""
    if not isinstance(value, list):
        return None
    found: list[int | None] = []
    for element in cast("list[Any]", value):
        for attr in item.split("."):
            element = getattr(element, attr, None)
        found.append(element if isinstance(element, int) else None)
    return sum_present(*found)


def join_text(value: Any, item: str) -> str | None:
    """A string as is, or the joined `item` fields of a list's elements."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, list):
        parts = [getattr(e, item, None) for e in cast("list[Any]", value)]
        return "".join(p for p in parts if isinstance(p, str)) or None
    return None


def join_present(*texts: str | None) -> str | None:
    """The texts present, one after the other; None when none is."""
    return "".join(t for t in texts if t) or None


def compact(mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping without its None values."""
    return {k: v for k, v in mapping.items() if v is not None}


def compact_or_none(mapping: dict[str, Any]) -> dict[str, Any] | None:
    """The mapping without its None values; None when nothing is left."""
    return compact(mapping) or None


def dig(data: Any, *keys: str) -> Any:
    """data[k1][k2]... on decoded JSON, None where a step is missing or not a mapping."""
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = cast("Mapping[str, Any]", data).get(key)
    return data


def unsupported_content(protocol: str, kind: str) -> ConfigurationError:
    if kind.endswith("_url"):
        return ConfigurationError(
            f"the {protocol} protocol cannot send {kind[:-4]} content by URL: give its bytes "
            "(MediaContent.from_bytes or MediaContent.from_path)"
        )
    return ConfigurationError(f"the {protocol} protocol cannot send {kind!r} content")


def unsupported_choice(protocol: str, mode: str, allowed: Iterable[str]) -> ConfigurationError:
    return ConfigurationError(
        f"the {protocol} protocol cannot send tool_choice={mode!r}; allowed: "
        f"{', '.join(allowed)}{', or a tool name' if 'tool' in allowed else ''}"
    )


def _option_steps(key: str, path: str, model: AIModel) -> list[str]:
    """Where an option goes in the body: below the protocol's options `path` ("" = the body
    itself), under its catalog `wire` name (a dotted path) or its own."""
    spec = model.valid_options.get(key)
    wire = spec.wire if spec is not None and spec.wire else key
    return [*(path.split(".") if path else []), *wire.split(".")]


def check_options(options: Mapping[str, Any], adapter: Any, model: AIModel) -> None:
    """Options add provider fields to the body; they may not overwrite one the call builds
    (`adapter.BODY_FIELDS`, from the request template) unless the protocol's spec lists it
    as `overridable`. A mapping given for an object the template spells out
    (`BODY_OBJECTS`) is merged into it, each of its keys checked the same way."""
    if options and adapter.OPTIONS_PATH is None:
        raise ConfigurationError(f"the {adapter.PROTOCOL} protocol takes no options")
    for key, value in options.items():
        pending = [(_option_steps(key, adapter.OPTIONS_PATH, model), value)]
        while pending:
            steps, value = pending.pop()
            prefixes = [".".join(steps[:i]) for i in range(1, len(steps) + 1)]
            if any(p in adapter.OVERRIDABLE for p in prefixes):
                continue
            built = next((p for p in prefixes if p in adapter.BODY_FIELDS), None)
            if built is None and prefixes[-1] in adapter.BODY_OBJECTS:
                if isinstance(value, Mapping):
                    inner = cast("Mapping[Any, Any]", value)
                    pending += [([*steps, str(k)], v) for k, v in inner.items()]
                    continue
                built = prefixes[-1]
            if built is not None:
                raise ConfigurationError(
                    f"options[{key!r}] would overwrite {built!r}, a field the {adapter.PROTOCOL} "
                    "request builds from the call itself (its arguments and AIModelCallConfig): "
                    "options may add fields, not replace those"
                )


def place_options(
    body: dict[str, Any], options: Mapping[str, Any], path: str, model: AIModel
) -> None:
    """Put the call's options (checked by `check_options`) into the body: at the protocol's
    options `path`, each under its catalog `wire` name or its own; a mapping is merged key
    by key into an object already there (the caller's own mappings are never changed)."""
    for key, value in options.items():
        steps = _option_steps(key, path, model)
        node = body
        for step in steps[:-1]:
            child: Any = node.get(step)
            copied: dict[str, Any] = (
                dict(cast("dict[str, Any]", child)) if isinstance(child, dict) else {}
            )
            node[step] = copied
            node = copied
        _merge(node, steps[-1], value)


def _merge(node: dict[str, Any], key: str, value: Any) -> None:
    current: Any = node.get(key)
    if isinstance(current, dict) and isinstance(value, Mapping):
        merged: dict[str, Any] = dict(cast("dict[str, Any]", current))
        node[key] = merged
        for k, v in cast("Mapping[str, Any]", value).items():
            _merge(merged, k, v)
    else:
        node[key] = value


Turn = tuple[str, list[ContentItem]]  # a wire role and the parts its message holds


def wire_turns(
    messages: list[Message], roles: Mapping[str, str], merge: bool, protocol: str
) -> list[Turn]:
    """The conversation as the wire's turns: (wire role, parts), in the order the parts came;
    with `merge`, consecutive turns of the same wire role become one."""
    return [
        t
        for t in wire_messages(messages, roles, frozenset(), merge, protocol)
        if isinstance(t, tuple)
    ]


def wire_messages(
    messages: list[Message],
    roles: Mapping[str, str],
    own: frozenset[str],
    merge: bool,
    protocol: str,
) -> list[Turn | ContentItem]:
    """The conversation as the wire's turns: (wire role, parts), or a part alone for a part
    of a kind sent as a message of its own (`own`), in the order the parts came (a reasoning
    item stays before the answer it led to); with `merge`, consecutive turns of the same wire
    role become one."""
    out: list[Turn | ContentItem] = []

    def add(role_name: str, parts: list[ContentItem]) -> None:
        role = roles.get(role_name)
        if role is None:
            raise unsupported_role(protocol, role_name, roles)
        last = out[-1] if out else None
        if merge and isinstance(last, tuple) and last[0] == role:
            last[1].extend(parts)
        else:
            out.append((role, list(parts)))

    for m in messages:
        if not m.content:
            add(m.role, [])
        run: list[ContentItem] = []
        for part in m.content:
            if part_kind(part) in own:
                if run:
                    add(m.role, run)
                    run = []
                out.append(part)
            else:
                run.append(part)
        if run:
            add(m.role, run)
    return out


def unsupported_role(protocol: str, role: str, roles: Mapping[str, str]) -> ConfigurationError:
    return ConfigurationError(
        f"the {protocol} protocol has no {role!r} role; allowed roles: {', '.join(roles)}"
    )


_GONE = object()


def lenient(validator: Any) -> Any:
    """A wire model's JSON decoder that keeps what it can: a field or list element whose
    shape the wire schema does not expect (a new provider item type with an object where a
    string was, a scalar in a list of objects) is left out, and the rest decodes as usual.
    Bodies that are not JSON, or whose root itself is wrong, still raise. The retry runs
    only after a failure, so a well-formed body costs nothing more."""
    validate_json, validate_python = validator.validate_json, validator.validate_python

    def decode(raw: bytes | str) -> Any:
        try:
            return validate_json(raw)
        except ValueError as exc:
            failure = exc
        try:
            data = json.loads(raw)
        except DECODE_ERRORS:
            raise failure from None
        for _ in range(4):  # each round leaves out what the last one reported
            if not _leave_out(data, failure):
                break
            try:
                return validate_python(data)
            except ValueError as exc:
                failure = exc
        raise failure

    return decode


def _leave_out(data: Any, failure: ValueError) -> bool:
    """Remove from `data` each value a pydantic ValidationError points at; False when it
    points at none below the root."""
    lists: list[list[Any]] = []
    found = False
    errors: list[Any] = getattr(failure, "errors", list)()
    for error in errors:
        if error.get("type") == "json_invalid":
            return False
        parent: Any = None
        key: Any = None
        node: Any = data
        for part in error.get("loc", ()):
            size = len(cast("list[Any]", node)) if isinstance(node, list) else 0
            in_list = isinstance(part, int) and 0 <= part < size
            if in_list or (isinstance(node, dict) and part in cast("dict[Any, Any]", node)):
                parent, key, node = cast("Any", node), part, cast("Any", node)[part]
            elif isinstance(part, int) or isinstance(node, dict):
                break  # a key that is not there (missing): the object holding it is at fault
            # else a union branch's tag: the path goes on below it
        if isinstance(parent, dict):
            cast("dict[Any, Any]", parent).pop(key, None)
            found = True
        elif isinstance(parent, list):
            siblings = cast("list[Any]", parent)
            siblings[key] = _GONE
            lists.append(siblings)
            found = True
    for items in lists:
        items[:] = [x for x in items if x is not _GONE]
    return found
