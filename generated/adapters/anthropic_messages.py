# generated from specs/protocols/anthropic_messages.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `anthropic_messages` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/anthropic_messages.yaml."""

from __future__ import annotations

import re
from typing import Any

from modelwire._protocol import (
    Call,
    ParsedResponse,
    StreamError,
    compact,
    compact_or_none,
    dig,
    first_present,
    join_present,
    join_text,
    lenient,
    part_kind,
    sum_items,
    sum_present,
    unsupported_choice,
    unsupported_content,
    unsupported_role,
    wire_turns,
)
from modelwire._types import (
    ChatResponseChoice,
    ChatResponseChunk,
    ChoiceDelta,
    ContentDelta,
    ContentItem,
    ImageContent,
    ImageDelta,
    ReasoningContent,
    ReasoningDelta,
    TextContent,
    TextDelta,
    ToolCallDelta,
    Usage,
    tool_call,
)
from modelwire.generated.wire import anthropic_messages as w

PROTOCOL = "anthropic_messages"
FRAMING = "sse"
JSON_ARRAY = False
STREAM_DONE = None
USAGE_UPDATE = "merge"
KIND = "chat"
UNSUPPORTED: tuple[str, ...] = ()
MIN_OUTPUT_TOKENS: int | None = None
UNSIGNED_CALL: str | None = None
STREAMABLE = True
OPTIONS_PATH: str | None = ""
# what the request template builds: options may add keys inside BODY_OBJECTS, and may not
# overwrite BODY_FIELDS, save the OVERRIDABLE ones
BODY_FIELDS: frozenset[str] = frozenset(
    (
        "max_tokens",
        "messages",
        "model",
        "output_config.effort",
        "output_config.format.schema",
        "output_config.format.type",
        "stop_sequences",
        "stream",
        "system",
        "temperature",
        "thinking.budget_tokens",
        "thinking.type",
        "tool_choice",
        "tools",
        "top_p",
    )
)
BODY_OBJECTS: frozenset[str] = frozenset(("output_config", "output_config.format", "thinking"))
OVERRIDABLE: frozenset[str] = frozenset(())
FINISH_REASONS: dict[str, str] = {
    "end_turn": "end_turn",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "tool_use": "tool_use",
    "refusal": "content_filter",
    "pause_turn": "other",
    "model_context_window_exceeded": "other",
}
FINISH_REASONS_WITH_TOOL_CALLS: dict[str, str] = {}
REQUEST_ID_HEADERS: tuple[str, ...] = ("request-id",)
ERROR_TYPE_HEADER: str | None = None
RETRY_STATUSES: frozenset[int] = frozenset((408, 409, 429, 500, 502, 503, 504, 529))
STATUS_KINDS: dict[int, str] = {529: "overloaded"}
ERROR_TYPES: dict[str, str] = {
    "invalid_request_error": "bad_request",
    "authentication_error": "authentication",
    "permission_error": "permission",
    "not_found_error": "not_found",
    "request_too_large": "request_too_large",
    "rate_limit_error": "rate_limit",
    "overloaded_error": "overloaded",
    "api_error": "server",
    "timeout_error": "timeout",
}
CONTEXT_LENGTH_CODES: frozenset[str] = frozenset(())
CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None = re.compile(
    "prompt is too long|context[ _-]?length|context[ _-]?window|maximum context|prompt too long|input is too long|too many (input )?tokens|exceeds? the (maximum|max)[a-z ]* tokens|maximum (number of )?tokens|token limit",
    re.IGNORECASE,
)
TOOL_SCHEMA = "json_schema"
STRUCTURED_VIA: str | None = "native"
STRUCTURED_SCHEMA = "closed"
STRUCTURED_FALLBACK: str | None = "tool"
STRUCTURED_JSON_MODE = False

ROLES: dict[str, str] = {"user": "user", "assistant": "assistant", "tool": "user"}
DROPPED: frozenset[str] = frozenset(())
OWN_MESSAGE: frozenset[str] = frozenset(())


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        kind = part_kind(part)
        if kind == "text":
            out.append({"type": "text", "text": part.text})
        elif kind == "reasoning":
            out.append(
                compact({"type": "thinking", "thinking": part.text, "signature": part.signature})
            )
        elif kind == "redacted_reasoning":
            out.append({"type": "redacted_thinking", "data": part.signature})
        elif kind == "tool_call":
            out.append(
                compact(
                    {
                        "type": "tool_use",
                        "id": part.id,
                        "name": part.name,
                        "input": part.arguments_object(),
                    }
                )
            )
        elif kind == "tool_result":
            out.append(
                compact(
                    {
                        "type": "tool_result",
                        "tool_use_id": part.id,
                        "content": part.output_text(),
                        "is_error": (True if part.is_error else None),
                    }
                )
            )
        elif kind == "image":
            out.append(
                {
                    "type": "image",
                    "source": {
                        "type": "base64",
                        "media_type": part.media_type,
                        "data": part.base64(),
                    },
                }
            )
        elif kind == "image_url":
            out.append({"type": "image", "source": {"type": "url", "url": part.url}})
        elif kind == "document":
            out.append(
                {
                    "type": "document",
                    "source": {
                        "type": "base64",
                        "media_type": part.media_type,
                        "data": part.base64(),
                    },
                }
            )
        elif kind == "document_url":
            out.append({"type": "document", "source": {"type": "url", "url": part.url}})
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, kind)
    return out


def _message(role: str, parts: list[ContentItem], keep: frozenset[str]) -> dict[str, Any]:
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    content: Any = (
        parts[0].text if len(parts) == 1 and isinstance(parts[0], TextContent) else _parts(parts)
    )
    return {"role": role, "content": content}


def _messages(call: Call) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for role, parts in wire_turns(call.messages, ROLES, OWN_MESSAGE, True, PROTOCOL):
        out.append(_message(role, parts, call.keep))  # type: ignore[arg-type]
    return out


def _tools(call: Call) -> list[Any] | None:
    return [
        compact(
            {
                "name": tool.name,
                "description": tool.description,
                "input_schema": parameters,
                "strict": tool.strict,
            }
        )
        for tool, parameters in call.tools
    ] or None


def _tool_choice(call: Call) -> Any:
    choice = call.tool_choice
    if choice is None:
        return None
    if choice.mode == "auto":
        return {"type": "auto"}
    if choice.mode == "none":
        return {"type": "none"}
    if choice.mode == "required":
        return {"type": "any"}
    if choice.mode == "tool":
        return {"type": "tool", "name": choice.name}
    raise unsupported_choice(PROTOCOL, choice.mode, ("auto", "none", "required", "tool"))


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    cfg = call.config
    body: dict[str, Any] = {}
    body["model"] = call.model
    if (_x := call.system) is not None:
        body["system"] = _x
    body["messages"] = _messages(call)
    body["max_tokens"] = call.output_limit()
    if (_x := cfg.temperature) is not None:
        body["temperature"] = _x
    if (_x := cfg.top_p) is not None:
        body["top_p"] = _x
    if (_x := call.stop_list()) is not None:
        body["stop_sequences"] = _x
    if call.stream:
        body["stream"] = True
    if call.reasoning_adaptive():
        body["thinking"] = {"type": "adaptive"}
    elif call.reasoning_budget_or_min():
        body["thinking"] = compact(
            {"type": "enabled", "budget_tokens": call.reasoning_budget_or_min()}
        )
    if (
        _x := compact_or_none(
            {
                "effort": cfg.reasoning_effort,
                "format": (
                    compact({"type": "json_schema", "schema": call.structured_schema})
                    if call.structured_native()
                    else None
                ),
            }
        )
    ) is not None:
        body["output_config"] = _x
    if (_x := _tools(call)) is not None:
        body["tools"] = _x
    if (_x := _tool_choice(call)) is not None:
        body["tool_choice"] = _x
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_usage(u: w.Usage | None) -> Usage | None:
    if u is None:
        return None
    return Usage(
        prompt_tokens=sum_present(
            u.input_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens
        ),
        completion_tokens=u.output_tokens,
        cache_read_tokens=u.cache_read_input_tokens,
        cache_write_tokens=u.cache_creation_input_tokens,
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.Usage):
        return _usage_usage(u)
    return None


_decode_response = lenient(w.Message.__pydantic_validator__)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.Message = _decode_response(raw)
    if r.type == "error":
        return StreamError(
            message=(_v3.message if (_v3 := r.error) is not None else None),
            type=(_v4.type if (_v4 := r.error) is not None else None),
        )
    choices: list[ChatResponseChoice] = []
    if True:
        contents: list[ContentItem] = []
        for _i2, _e1 in enumerate(r.content or ()):
            if _e1.type == "text":
                if _t := _e1.text:
                    contents.append(TextContent(_t))

            elif _e1.type == "thinking":
                _t, _s = _e1.thinking, _e1.signature
                if _t or _s:
                    contents.append(ReasoningContent(_t or None, _s))

            elif _e1.type == "redacted_thinking":
                _t, _s = None, _e1.data
                if _t or _s:
                    contents.append(ReasoningContent(_t or None, _s, redacted=True))

            elif _e1.type == "tool_use":
                contents.append(tool_call(_e1.id, _e1.name, _e1.input))

        raw_finish = r.stop_reason
        choices.append(ChatResponseChoice(0, _finish(raw_finish), contents, raw_finish))
    return ParsedResponse(
        choices=choices,
        usage=_usage_usage(r.usage),
        id=r.id,
        model=r.model,
        wire=r,
    )


# the model's validator itself: once per event, pydantic's classmethod wrapper costs ~10 %
_validate_event = lenient(w.StreamEvent.__pydantic_validator__)


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.StreamEvent = _validate_event(data)
    if e.type == "error":
        return StreamError(
            message=(_v5.message if (_v5 := e.error) is not None else None),
            type=(_v6.type if (_v6 := e.error) is not None else None),
        )
    if e.type == "message_start":
        choice_deltas: list[ChoiceDelta] = []
        return ChatResponseChunk(
            choice_deltas,
            id=(_v7.id if (_v7 := e.message) is not None else None),
            model=(_v8.model if (_v8 := e.message) is not None else None),
            usage=_usage_usage((_v9.usage if (_v9 := e.message) is not None else None)),
            usage_wire=(_v10.usage if (_v10 := e.message) is not None else None),
        )
    if e.type == "content_block_start":
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            if (_v11.type if (_v11 := e.content_block) is not None else None) == "text":
                if _t := (_v12.text if (_v12 := e.content_block) is not None else None):
                    deltas.append(TextDelta(_t, key=e.index))

            if (_v13.type if (_v13 := e.content_block) is not None else None) == "thinking":
                _t, _s = (
                    (_v14.thinking if (_v14 := e.content_block) is not None else None),
                    (_v15.signature if (_v15 := e.content_block) is not None else None),
                )
                if _t or _s:
                    deltas.append(ReasoningDelta(_t or None, _s, e.index))

            if (
                _v16.type if (_v16 := e.content_block) is not None else None
            ) == "redacted_thinking":
                _t, _s = None, (_v17.data if (_v17 := e.content_block) is not None else None)
                if _t or _s:
                    deltas.append(ReasoningDelta(_t or None, _s, e.index, redacted=True))

            if (_v18.type if (_v18 := e.content_block) is not None else None) == "tool_use":
                deltas.append(
                    ToolCallDelta(
                        first_present(e.index, None),
                        (_v19.id if (_v19 := e.content_block) is not None else None),
                        (_v20.name if (_v20 := e.content_block) is not None else None),
                        (_v21.input if (_v21 := e.content_block) is not None else None),
                    )
                )

            raw_finish = None
            choice_deltas.append(ChoiceDelta(0, deltas, _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=None,
            model=None,
            usage=None,
        )
    if e.type == "content_block_delta":
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            if (_v22.type if (_v22 := e.delta) is not None else None) == "text_delta":
                if _t := (_v23.text if (_v23 := e.delta) is not None else None):
                    deltas.append(TextDelta(_t, key=e.index))

            if (_v24.type if (_v24 := e.delta) is not None else None) == "thinking_delta":
                _t, _s = (_v25.thinking if (_v25 := e.delta) is not None else None), None
                if _t or _s:
                    deltas.append(ReasoningDelta(_t or None, _s, e.index))

            if (_v26.type if (_v26 := e.delta) is not None else None) == "signature_delta":
                _t, _s = None, (_v27.signature if (_v27 := e.delta) is not None else None)
                if _t or _s:
                    deltas.append(ReasoningDelta(_t or None, _s, e.index))

            if (_v28.type if (_v28 := e.delta) is not None else None) == "input_json_delta":
                deltas.append(
                    ToolCallDelta(
                        first_present(e.index, None),
                        None,
                        None,
                        (_v29.partial_json if (_v29 := e.delta) is not None else None),
                        continues=True,
                    )
                )

            raw_finish = None
            choice_deltas.append(ChoiceDelta(0, deltas, _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=None,
            model=None,
            usage=None,
        )
    if e.type == "message_delta":
        choice_deltas: list[ChoiceDelta] = []
        raw_finish = _v30.stop_reason if (_v30 := e.delta) is not None else None
        if raw_finish is not None:
            choice_deltas.append(ChoiceDelta(0, [], _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=None,
            model=None,
            usage=_usage_usage(e.usage),
            usage_wire=e.usage,
        )
    return None


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "error", "message"),
        dig(data, "error", "type"),
        None,
    )
