"""Building the normalized call: conversation normalization and checks against the catalog.

Everything here runs before any request, so a bad call fails without network traffic and
names the allowed values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypedDict, TypeGuard, cast

from ._catalog import AIModel
from ._config import AIModelCallConfig
from ._errors import ConfigurationError
from ._protocol import AdapterModule, Call, Message, check_options
from ._provider import ProtocolBinding
from ._types import (
    AIModelCallResponse,
    ChatResponse,
    ContentItem,
    ImageContent,
    MediaContent,
    ReasoningContent,
    TextContent,
    ToolCallContent,
    ToolCallResult,
    tool_call,
)

if TYPE_CHECKING:  # _tools is imported when a call has tools or structured output
    from ._tools import StructuredOutput, Tool, ToolChoice

__all__ = [
    "ITEMS",
    "ITEM_FIELDS",
    "MEDIA_CAPABILITY",
    "ROLES",
    "build_call",
    "check",
    "conversation",
    "is_array",
    "is_mapping",
    "json_ready",
]

ROLES = ("system", "user", "assistant", "tool")
ITEMS = (TextContent, ReasoningContent, ToolCallContent, ToolCallResult, MediaContent)
# the catalog capability a kind of input needs
MEDIA_CAPABILITY = {"image": "image_input", "document": "pdf_input", "audio": "audio_input"}
# the types a content item's fields must have when the caller gives it: (types, said as)
_STR = ((str,), "a string")
_OPT_STR = ((str, type(None)), "a string or None")
_BOOL = ((bool,), "True or False")
ITEM_FIELDS: dict[type, dict[str, tuple[tuple[type, ...], str]]] = {
    TextContent: {"text": _STR, "signature": _OPT_STR},
    ReasoningContent: {"text": _OPT_STR, "signature": _OPT_STR, "redacted": _BOOL, "id": _OPT_STR},
    ToolCallContent: {"id": _OPT_STR, "name": _OPT_STR, "arguments_raw": _OPT_STR},
    ToolCallResult: {"id": _OPT_STR, "name": _OPT_STR, "is_error": _BOOL},
    MediaContent: {
        "kind": ((str,), "image, document or audio"),
        "media_type": _OPT_STR,
        "data": ((bytes, bytearray, type(None)), "bytes or None"),
        "url": _OPT_STR,
        "filename": _OPT_STR,
    },
    ImageContent: {"b64": _OPT_STR, "url": _OPT_STR, "media_type": _OPT_STR},
}


class _Tooling(TypedDict, total=False):
    """The Call's tooling fields (none when the call has no tools or structured output)."""

    tools: list[tuple[Tool, dict[str, Any]]]
    tool_choice: ToolChoice | None
    structured: StructuredOutput | None
    structured_schema: dict[str, Any] | None


def is_mapping(value: object) -> TypeGuard[Mapping[object, object]]:
    """`value` is a mapping (of anything: JSON or a caller's data, not yet checked)."""
    return isinstance(value, Mapping)


def is_array(value: object) -> TypeGuard[list[object] | tuple[object, ...]]:
    """`value` is a list or a tuple (of anything, not yet checked)."""
    return isinstance(value, (list, tuple))


def json_ready(value: object, where: str) -> None:
    """Fail unless `value` is plain JSON data (strings, numbers, booleans, None, and lists
    and string-keyed mappings of them): what the request body can carry as it is, nothing
    converted. The error names where the odd value sits (`where[key][0]`)."""
    stack: list[tuple[object, tuple[object, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if node is None or isinstance(node, (str, int)):  # bool is an int
            continue
        at = where + "".join(f"[{k!r}]" for k in path)
        if isinstance(node, float):
            if not math.isfinite(node):
                raise ConfigurationError(f"{at} is {node}, which JSON cannot carry")
        elif is_mapping(node):
            for key, item in node.items():
                if not isinstance(key, str):
                    raise ConfigurationError(
                        f"{at} has the key {key!r:.40}: JSON object keys are strings"
                    )
                stack.append((item, (*path, key)))
        elif is_array(node):
            stack.extend((item, (*path, i)) for i, item in enumerate(node))
        else:
            raise ConfigurationError(
                f"{at} is a {type(node).__name__}, which JSON cannot carry: give plain "
                "JSON data (str, int, float, bool, None, lists and dicts of them)"
            )


def _item(part: ContentItem) -> ContentItem:
    """A content item the caller gave, its fields checked (nothing is converted on the way
    to the wire: a None or a number where text belongs is an error, not the text "None")."""
    fields = next(f for kind, f in ITEM_FIELDS.items() if isinstance(part, kind))
    for name, (types, said) in fields.items():
        value = getattr(part, name)
        if not isinstance(value, types):
            raise ConfigurationError(
                f"{type(part).__name__}.{name} must be {said}, not {type(value).__name__}"
            )
    if isinstance(part, ToolCallContent):
        json_ready(part.arguments, f"the arguments of tool call {part.id!r}")
    elif isinstance(part, ToolCallResult):
        json_ready(part.output, f"the output of tool result {part.id!r}")
    elif isinstance(part, MediaContent) and (
        part.kind not in MEDIA_CAPABILITY or (part.data is None) == (part.url is None)
    ):
        raise ConfigurationError(
            "a MediaContent has a kind (image, document or audio) and either data or a url: "
            "build one with MediaContent.from_bytes, from_path or from_url"
        )
    elif isinstance(part, ImageContent) and part.b64 is None and part.url is None:
        raise ConfigurationError("an ImageContent sent back needs its b64 data or its url")
    return part


def _media_from_url(url: str) -> MediaContent:
    """An `image_url` part's URL: a data URL's bytes are decoded, any other URL is kept."""
    if url.startswith("data:"):
        header, _, encoded = url.partition(",")
        media_type = header[len("data:") :].split(";")[0] or None
        try:
            return MediaContent.from_base64(encoded, media_type)
        except ValueError as exc:
            raise ConfigurationError(f"bad data URL ({exc})") from None
    return MediaContent.from_url(url)


def _part(value: object) -> ContentItem:
    if isinstance(value, ITEMS):
        return _item(value)
    if isinstance(value, str):
        return TextContent(value)
    if is_mapping(value):
        kind = value.get("type", "text")
        text = value.get("text")
        if kind == "text" and isinstance(text, str):
            return TextContent(text)
        image = value.get("image_url") if kind == "image_url" else None
        url = image.get("url") if is_mapping(image) else image
        if isinstance(url, str):
            return _media_from_url(url)
    raise ConfigurationError(
        f"unsupported message content {value!r}; use a string, {{'type': 'text', 'text': ...}}, "
        "{'type': 'image_url', 'image_url': {'url': ...}} or a content item (TextContent, "
        "MediaContent, ToolCallResult, ...)"
    )


def _dict_tool_calls(calls: object) -> list[ContentItem]:
    """Assistant `tool_calls` in the common dict form ({"id", "function": {"name", "arguments"}})."""
    if calls is None:
        return []
    if not is_array(calls):
        raise ConfigurationError(f"tool_calls must be a list of tool calls, not {calls!r:.80}")
    out: list[ContentItem] = []
    for c in calls:
        fn = c.get("function") if is_mapping(c) else None
        if not is_mapping(c) or not is_mapping(fn):
            raise ConfigurationError(
                'a tool call is {"id": ..., "function": {"name": ..., "arguments": ...}}, '
                f"not {c!r:.80}"
            )
        # the id and name as given: `_item` checks they are strings (or None)
        call_id, name = cast("str | None", c.get("id")), cast("str | None", fn.get("name"))
        out.append(_item(tool_call(call_id, name, fn.get("arguments"))))
    return out


def _message(value: object) -> Message:
    if isinstance(value, Message):
        if value.role not in ROLES or not isinstance(value.content, list):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(
                f"a Message has a role ({', '.join(ROLES)}) and a list of content items, "
                f"not role={value.role!r:.40} and content={type(value.content).__name__}"
            )
        for part in value.content:
            if not isinstance(part, (*ITEMS, ImageContent)):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
                raise ConfigurationError(
                    f"a Message's content holds content items, not {type(part).__name__}"
                )
            _item(part)
        return value
    if isinstance(value, AIModelCallResponse):
        value = value.chat_response
    if isinstance(value, ChatResponse):
        return value.to_message_item()
    if is_mapping(value):
        given_role = value.get("role")
        if given_role not in ROLES:
            raise ConfigurationError(
                f"message role {given_role!r} is not one of {', '.join(ROLES)}"
            )
        role = cast(str, given_role)  # equal to one of ROLES
        content = value.get("content")
        if role == "tool" and "tool_call_id" in value:  # the common dict form of a tool message
            # the id and name as given: `_item` checks they are strings (or None)
            call_id = cast("str | None", value["tool_call_id"])
            result = ToolCallResult(call_id, content, cast("str | None", value.get("name")))
            return Message("tool", [_item(result)])
        parts: list[object]
        if content is None:
            parts = []
        elif isinstance(content, str):
            parts = [content]
        elif is_array(content):
            parts = list(content)
        else:
            raise ConfigurationError(
                f"message content must be a string or a list of parts, not {content!r:.80}"
            )
        items = [_part(p) for p in parts]
        return Message(role, items + _dict_tool_calls(value.get("tool_calls")))
    raise ConfigurationError(
        f"unsupported message {value!r}; use {{'role': ..., 'content': ...}}, a Message "
        "or an earlier response"
    )


def _name_results(turns: list[Message]) -> list[Message]:
    """The turns with each tool result that has no name given the name of the call with its
    id (some protocols send results by name); the caller's objects are left as they are."""
    names: dict[str | None, str | None] = {}
    out: list[Message] = []
    for m in turns:
        content = list(m.content)
        for i, part in enumerate(content):
            if isinstance(part, ToolCallContent):
                names[part.id] = part.name
            elif isinstance(part, ToolCallResult) and part.name is None:
                name = names.get(part.id)
                if name is None:
                    raise ConfigurationError(
                        f"ToolCallResult(id={part.id!r}) has no name and no earlier tool call "
                        "has its id: pass name=... (or build it with ToolCallContent.result())"
                    )
                content[i] = replace(part, name=name)
        out.append(m if content == m.content else Message(m.role, content))
    return out


def conversation(
    prompt: str | None, instructions: str | None, messages: Iterable[object] | None
) -> tuple[list[Message], str | None]:
    """(messages, system prompt): system turns are lifted out, in order, after `instructions`."""
    for name, value in (("prompt", prompt), ("instructions", instructions)):
        if value is not None and not isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(f"{name} must be a string, not {type(value).__name__}")
    if messages is not None and (
        isinstance(messages, (str, bytes))
        or is_mapping(messages)
        or not isinstance(messages, Iterable)  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
    ):
        raise ConfigurationError(
            f"messages must be a list of messages ({{'role': ..., 'content': ...}}, Message, "
            f"or an earlier response), not {type(messages).__name__}"
        )
    turns = _name_results([_message(m) for m in messages or ()])
    if prompt is not None:
        turns.append(Message("user", [TextContent(prompt)]))
    if not turns:
        raise ConfigurationError("nothing to send: pass prompt= or messages=")
    system = [instructions] if instructions else []
    kept: list[Message] = []
    for m in turns:
        if m.role == "system":
            for c in m.content:
                if not isinstance(c, TextContent):
                    raise ConfigurationError(
                        f"a system message takes text only, not {type(c).__name__}: "
                        "put it in a user message"
                    )
                system.append(c.text)
        else:
            kept.append(m)
    return kept, ("\n\n".join(system) if system else None)


def check(model: AIModel, cfg: AIModelCallConfig, provider: str = "") -> dict[str, object]:
    """Check `cfg` against the model's catalog entry; returns the options to send."""
    name = model.constant or model.model_name
    limit = model.max_output_for(provider)
    if cfg.max_output_tokens is not None and limit is not None and cfg.max_output_tokens > limit:
        raise ConfigurationError(
            f"max_output_tokens={cfg.max_output_tokens} exceeds {name}'s limit of {limit}"
        )
    for param in model.unsupported_params:
        if getattr(cfg, param) is not None:
            raise ConfigurationError(f"{name} does not accept {param} (it must be left unset)")
    _check_reasoning(model, name, cfg, provider)
    return _options(model, name, cfg.options)


def _needs(model: AIModel, capability: str, what: str) -> None:
    """Fail when a catalog model lacks `capability` (models of your own are not checked)."""
    if model.constant and capability not in model.capabilities:
        raise ConfigurationError(
            f"{model.constant} cannot take {what} (no {capability!r} capability in the "
            f"catalog; it has: {', '.join(sorted(model.capabilities))})"
        )


def _check_inputs(model: AIModel, turns: list[Message]) -> None:
    for m in turns:
        for part in m.content:
            if isinstance(part, MediaContent):
                _needs(model, MEDIA_CAPABILITY[part.kind], f"{part.kind} input")


def _check_kind(
    model: AIModel, cfg: AIModelCallConfig, adapter: AdapterModule, system: str | None
) -> None:
    """What an image model or an image protocol cannot do, and settings the protocol lacks."""
    name = model.constant or model.model_name
    low = adapter.MIN_OUTPUT_TOKENS
    if low is not None and cfg.max_output_tokens is not None and cfg.max_output_tokens < low:
        raise ConfigurationError(
            f"the {adapter.PROTOCOL} protocol takes max_output_tokens of at least {low}, "
            f"got {cfg.max_output_tokens}"
        )
    for param in adapter.UNSUPPORTED:
        if getattr(cfg, param) is not None:
            raise ConfigurationError(
                f"the {adapter.PROTOCOL} protocol has no {param}; leave it unset (or call "
                f"{name} through another protocol: AIModelEndpoint(..., protocol=...))"
            )
    if cfg.streaming and (not adapter.STREAMABLE or model.kind == "image"):
        raise ConfigurationError(
            f"{name} makes images, which modelwire does not stream: leave streaming off"
        )
    if adapter.KIND == "image":
        unused = [n for n in ("tools", "structured_output") if getattr(cfg, n)]
        if system is not None:
            unused.append("instructions (or a system message)")
        if unused:
            raise ConfigurationError(
                f"the {adapter.PROTOCOL} protocol takes a prompt and options only; "
                f"{name} cannot use {', '.join(unused)}"
            )


def _structured_via(model: AIModel, adapter: AdapterModule, host_via: str | None) -> str | None:
    """How structured output is asked for: the host's way when its provider spec says, else
    the protocol's native form for models that have it (models of your own are assumed to),
    else its fallback (None: there is none)."""
    if host_via == "json_mode" and not adapter.STRUCTURED_JSON_MODE:
        raise ConfigurationError(  # a provider spec naming a way its protocol lacks
            f"the {adapter.PROTOCOL} protocol has no JSON mode (its spec's structured_output)"
        )
    if host_via is not None:
        return host_via
    if adapter.STRUCTURED_VIA == "native" and (
        not model.constant or "structured_output" in model.capabilities
    ):
        return "native"
    return adapter.STRUCTURED_FALLBACK if adapter.STRUCTURED_VIA == "native" else "tool"


def _thinking(cfg: AIModelCallConfig) -> bool:
    """The call switches reasoning on (asked for, or given a budget)."""
    return cfg.reasoning or cfg.max_reasoning_tokens is not None


def _check_choice_while_reasoning(
    model: AIModel,
    cfg: AIModelCallConfig,
    choice: ToolChoice | None,
    structured: StructuredOutput | None,
) -> None:
    controls = model.reasoning
    thinking = _thinking(cfg)
    if not thinking or choice is None or controls is None:
        return
    allowed = controls.tool_choices_when_on
    if allowed is None or choice.mode in allowed:
        return
    name = model.constant or model.model_name
    if structured is not None and structured.via == "tool":
        raise ConfigurationError(
            f"structured output on {name} is a forced tool call here, which {name} does not "
            "accept while reasoning is on: turn reasoning off, or use a model with native "
            "structured output"
        )
    raise ConfigurationError(
        f"tool_choice={cfg.tool_choice!r} is not accepted by {name} while reasoning is on; "
        f"allowed: {', '.join(allowed)}"
    )


def _tooling(
    model: AIModel, cfg: AIModelCallConfig, adapter: AdapterModule, host_via: str | None
) -> _Tooling:
    """The Call's tools, tool choice and structured output, checked against the model and
    the protocol (its spec's `tools` and `structured_output` sections)."""
    if not cfg.tools and cfg.tool_choice is None and cfg.structured_output is None:
        return {}
    from ._tools import choice_from, schema_for, structured_from, tools_from

    tools = tools_from(cfg.tools)
    choice = choice_from(cfg.tool_choice, tools)
    if tools:
        _needs(model, "tools", "tools")
    structured: StructuredOutput | None = None
    if cfg.structured_output is not None:
        via = _structured_via(model, adapter, host_via) if adapter.STRUCTURED_VIA else None
        if via is None:
            raise ConfigurationError(
                f"{model.constant or model.model_name} cannot give structured output on the "
                f"{adapter.PROTOCOL} protocol (no 'structured_output' capability in the catalog "
                "and no tool fallback in the protocol's spec)"
            )
        if via == "tool":
            _needs(model, "tools", "structured output through a forced tool call")
            if choice is not None:
                raise ConfigurationError(
                    f"structured output on {model.constant or model.model_name} is a forced "
                    "tool call: leave tool_choice unset"
                )
        structured = structured_from(cfg.structured_output, via)
        if via == "tool":
            tools = [*tools, structured.tool()]
            choice = choice_from(structured.tool().name, tools)
    _check_choice_while_reasoning(model, cfg, choice, structured)
    wire_tools = [
        (t, schema_for(t.parameters, "strict" if t.strict else adapter.TOOL_SCHEMA)) for t in tools
    ]
    schema = None
    if structured is not None and structured.via == "native":
        schema = schema_for(structured.schema, adapter.STRUCTURED_SCHEMA)
    return {
        "tools": wire_tools,
        "tool_choice": choice,
        "structured": structured,
        "structured_schema": schema,
    }


def _check_reasoning(model: AIModel, name: str, cfg: AIModelCallConfig, provider: str) -> None:
    asks = cfg.reasoning or cfg.reasoning_effort is not None or cfg.max_reasoning_tokens
    if not asks or not model.constant:  # custom models: the provider decides
        return
    controls = model.reasoning
    if controls is None:
        raise ConfigurationError(
            f"{name} is not a reasoning model: it accepts none of reasoning, reasoning_effort "
            "or max_reasoning_tokens; leave them unset"
        )
    if cfg.reasoning_effort is not None and cfg.reasoning_effort not in controls.effort_levels:
        allowed = ", ".join(controls.effort_levels) or "none (it takes a token budget)"
        raise ConfigurationError(
            f"reasoning_effort={cfg.reasoning_effort!r} is not accepted by {name}; "
            f"allowed: {allowed}"
        )
    if cfg.max_reasoning_tokens is not None:
        low, high = controls.budget_min, controls.budget_max
        if low is None and high is None:
            raise ConfigurationError(
                f"{name} takes reasoning_effort ({', '.join(controls.effort_levels)}), "
                "not max_reasoning_tokens"
            )
        if (low is not None and cfg.max_reasoning_tokens < low) or (
            high is not None and cfg.max_reasoning_tokens > high
        ):
            raise ConfigurationError(
                f"max_reasoning_tokens={cfg.max_reasoning_tokens} is outside {name}'s "
                f"range {low}..{high}"
            )
    thinking = _thinking(cfg)
    budget_form = cfg.max_reasoning_tokens is not None or not controls.adaptive
    if thinking and controls.budget_within_output and budget_form:
        budget = cfg.max_reasoning_tokens or controls.budget_default or controls.budget_min
        limit = cfg.max_output_tokens or model.max_output_for(provider)
        if budget is not None and limit is not None and budget >= limit:
            raise ConfigurationError(
                f"{name} counts reasoning inside the output limit: the reasoning budget "
                f"({budget}) must be below max_output_tokens ({limit})"
            )
    if thinking:
        for param, rule in controls.when_on.items():
            value = getattr(cfg, param)
            if value is not None and not rule.accepts(value):
                raise ConfigurationError(
                    f"{param}={value:g} is not accepted by {name} while reasoning is on; "
                    f"allowed: {rule.describe()}"
                )


def _options(model: AIModel, name: str, options: Mapping[str, object]) -> dict[str, object]:
    for key, value in options.items():
        if not isinstance(key, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(f"option names must be strings, got {key!r:.40}")
        json_ready(value, f"options[{key!r}]")
    if not model.valid_options:
        return dict(options)
    out: dict[str, object] = {}
    for key in options:
        if key not in model.valid_options:
            raise ConfigurationError(
                f"option {key!r} is not accepted by {name}; allowed: "
                f"{', '.join(model.valid_options)}"
            )
    for key, spec in model.valid_options.items():
        value = options.get(key, spec.default)
        if value is None:
            continue
        if spec.allowed is not None and value not in spec.allowed:
            raise ConfigurationError(
                f"option {key}={value!r} is not accepted by {name}; allowed: "
                f"{', '.join(map(repr, spec.allowed))}"
            )
        out[key] = value
    return out


def _signed_calls(turns: list[Message], stand_in: str) -> list[Message]:
    """Each assistant turn whose tool calls carry no signature (built by the caller, or from
    another model) gets `stand_in` on its first call; signed turns go as they came (a model's
    parallel calls sign only their first)."""
    out: list[Message] = []
    for m in turns:
        calls = [(i, c) for i, c in enumerate(m.content) if isinstance(c, ToolCallContent)]
        if m.role == "assistant" and calls and not any(c.signature for _, c in calls):
            content = list(m.content)
            first, call = calls[0]
            content[first] = replace(call, signature=stand_in)
            m = replace(m, content=content)
        out.append(m)
    return out


def build_call(
    model: AIModel,
    model_id: str,
    cfg: AIModelCallConfig,
    prompt: str | None,
    instructions: str | None,
    messages: Iterable[object] | None,
    adapter: AdapterModule,
    provider: str = "",
    binding: ProtocolBinding | None = None,
) -> tuple[Call, dict[str, object]]:
    """The normalized call, checked; `binding` is how this host serves the protocol."""
    if not isinstance(cfg, AIModelCallConfig):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        raise ConfigurationError(
            f"config must be an AIModelCallConfig (AIModelCallConfig(**fields) for a dict), "
            f"not {type(cfg).__name__}"
        )
    options = check(model, cfg, provider)
    check_options(options, adapter, model)
    turns, system = conversation(prompt, instructions, messages)
    stand_in = adapter.UNSIGNED_CALL
    if stand_in and model.reasoning is not None and model.reasoning.signed_calls:
        turns = _signed_calls(turns, stand_in)
    _check_inputs(model, turns)
    _check_kind(model, cfg, adapter, system)
    host_via = binding.structured_output if binding is not None else None
    # every generated adapter defines the tool and structured output constants
    tooling = _tooling(model, cfg, adapter, host_via)
    structured = tooling.get("structured")
    if structured is not None and structured.via == "json_mode":
        from ._tools import json_mode_instruction

        system = "\n\n".join(s for s in (system, json_mode_instruction(structured)) if s)
    call = Call(
        model_id,
        turns,
        system,
        cfg,
        cfg.streaming,
        model,
        adapter.PROTOCOL,
        provider,
        keep=frozenset(binding.keep) if binding is not None else frozenset(),
        **tooling,
    )
    return call, options
