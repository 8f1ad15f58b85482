# generated from specs/protocols/openai_chat.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `openai_chat` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/openai_chat.yaml."""

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
from modelwire.generated.wire import openai_chat as w

PROTOCOL = "openai_chat"
FRAMING = "sse"
JSON_ARRAY = False
STREAM_DONE = "[DONE]"
USAGE_UPDATE = "replace"
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
        "max_completion_tokens",
        "messages",
        "model",
        "reasoning_effort",
        "response_format.json_schema.name",
        "response_format.json_schema.schema",
        "response_format.json_schema.strict",
        "response_format.type",
        "seed",
        "stop",
        "stream",
        "stream_options.include_usage",
        "temperature",
        "tool_choice",
        "tools",
        "top_p",
    )
)
BODY_OBJECTS: frozenset[str] = frozenset(
    ("response_format", "response_format.json_schema", "stream_options")
)
OVERRIDABLE: frozenset[str] = frozenset(())
FINISH_REASONS: dict[str, str] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filter",
}
FINISH_REASONS_WITH_TOOL_CALLS: dict[str, str] = {}
REQUEST_ID_HEADERS: tuple[str, ...] = ("x-request-id",)
ERROR_TYPE_HEADER: str | None = None
RETRY_STATUSES: frozenset[int] = frozenset((408, 409, 429, 500, 502, 503, 504))
STATUS_KINDS: dict[int, str] = {}
ERROR_TYPES: dict[str, str] = {
    "invalid_request_error": "bad_request",
    "authentication_error": "authentication",
    "permission_error": "permission",
    "not_found_error": "not_found",
    "request_too_large": "request_too_large",
    "rate_limit_error": "rate_limit",
    "rate_limit_exceeded": "rate_limit",
    "overloaded_error": "overloaded",
    "api_error": "server",
    "server_error": "server",
    "timeout_error": "timeout",
    "context_length_exceeded": "context_length",
}
CONTEXT_LENGTH_CODES: frozenset[str] = frozenset(("context_length_exceeded",))
CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None = re.compile(
    "context[ _-]?length|context[ _-]?window|maximum context|prompt is too long|prompt too long|input is too long|too many (input )?tokens|exceeds? the (maximum|max)[a-z ]* tokens|maximum (number of )?tokens|token limit",
    re.IGNORECASE,
)
TOOL_SCHEMA = "json_schema"
STRUCTURED_VIA: str | None = "native"
STRUCTURED_SCHEMA = "strict"
STRUCTURED_FALLBACK: str | None = "tool"
STRUCTURED_JSON_MODE = True

ROLES: dict[str, str] = {"system": "system", "user": "user", "assistant": "assistant"}
DROPPED: frozenset[str] = frozenset(("reasoning",))
OWN_MESSAGE: frozenset[str] = frozenset(("tool_result",))
COLLECTED: frozenset[str] = frozenset(("tool_call", "reasoning"))


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        kind = part_kind(part)
        if kind == "text":
            out.append({"type": "text", "text": part.text})
        elif kind == "tool_call":
            out.append(
                compact(
                    {
                        "id": part.id,
                        "type": "function",
                        "function": {"name": part.name, "arguments": part.arguments_json()},
                    }
                )
            )
        elif kind == "image":
            out.append({"type": "image_url", "image_url": {"url": part.data_url()}})
        elif kind == "image_url":
            out.append({"type": "image_url", "image_url": {"url": part.url}})
        elif kind == "document":
            out.append(
                {
                    "type": "file",
                    "file": {"filename": part.file_name(), "file_data": part.data_url()},
                }
            )
        elif kind == "audio":
            out.append(
                {
                    "type": "input_audio",
                    "input_audio": {"data": part.base64(), "format": part.format()},
                }
            )
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, kind)
    return out


def _message(role: str, parts: list[ContentItem], keep: frozenset[str]) -> dict[str, Any]:
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    _reasoning_content = "".join(p.text or "" for p in parts if p.type == "reasoning") or None  # type: ignore[union-attr]
    _tool_calls = _parts([p for p in parts if part_kind(p) in ("tool_call",)]) or None
    parts = [p for p in parts if part_kind(p) not in COLLECTED and p.type not in COLLECTED]
    content: Any = (
        parts[0].text if len(parts) == 1 and isinstance(parts[0], TextContent) else _parts(parts)
    )
    content = content or None
    return compact(
        {
            "role": role,
            "content": content,
            "reasoning_content": _reasoning_content,
            "tool_calls": _tool_calls,
        }
    )


def _own_tool_result(part: Any) -> dict[str, Any]:
    return compact({"role": "tool", "tool_call_id": part.id, "content": part.output_text()})


def _messages(call: Call) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if call.system is not None:
        if "system" not in ROLES:
            raise unsupported_role(PROTOCOL, "system", ROLES)
        out.append(_message(ROLES["system"], [TextContent(call.system)], call.keep))
    for role, parts in wire_turns(call.messages, ROLES, OWN_MESSAGE, False, PROTOCOL):
        if role is None:
            (part,) = parts
            if part_kind(part) == "tool_result":
                out.append(_own_tool_result(part))
            continue
        out.append(_message(role, parts, call.keep))  # type: ignore[arg-type]
    return out


def _tools(call: Call) -> list[Any] | None:
    return [
        {
            "type": "function",
            "function": compact(
                {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": parameters,
                    "strict": tool.strict,
                }
            ),
        }
        for tool, parameters in call.tools
    ] or None


def _tool_choice(call: Call) -> Any:
    choice = call.tool_choice
    if choice is None:
        return None
    if choice.mode == "auto":
        return "auto"
    if choice.mode == "none":
        return "none"
    if choice.mode == "required":
        return "required"
    if choice.mode == "tool":
        return {"type": "function", "function": {"name": choice.name}}
    raise unsupported_choice(PROTOCOL, choice.mode, ("auto", "none", "required", "tool"))


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    cfg = call.config
    body: dict[str, Any] = {}
    body["model"] = call.model
    body["messages"] = _messages(call)
    if (_x := cfg.max_output_tokens) is not None:
        body["max_completion_tokens"] = _x
    if (_x := cfg.temperature) is not None:
        body["temperature"] = _x
    if (_x := cfg.top_p) is not None:
        body["top_p"] = _x
    if (_x := cfg.stop) is not None:
        body["stop"] = _x
    if (_x := cfg.seed) is not None:
        body["seed"] = _x
    if (_x := cfg.reasoning_effort) is not None:
        body["reasoning_effort"] = _x
    if call.stream:
        body["stream"] = True
    if call.stream:
        body["stream_options"] = {"include_usage": True}
    if (_x := _tools(call)) is not None:
        body["tools"] = _x
    if (_x := _tool_choice(call)) is not None:
        body["tool_choice"] = _x
    if call.structured_native():
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": compact(
                {"name": call.structured_name(), "schema": call.structured_schema, "strict": True}
            ),
        }
    elif call.structured_json_mode():
        body["response_format"] = {"type": "json_object"}
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_completion_usage(u: w.CompletionUsage | None) -> Usage | None:
    if u is None:
        return None
    return Usage(
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        reasoning_tokens=(
            _v27.reasoning_tokens if (_v27 := u.completion_tokens_details) is not None else None
        ),
        cache_read_tokens=first_present(
            u.prompt_cache_hit_tokens,
            (_v28.cached_tokens if (_v28 := u.prompt_tokens_details) is not None else None),
        ),
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.CompletionUsage):
        return _usage_completion_usage(u)
    return None


_decode_response = lenient(w.ChatCompletion.__pydantic_validator__)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.ChatCompletion = _decode_response(raw)
    if (r.error) and (not r.choices):
        return StreamError(
            message=(_v18.message if (_v18 := r.error) is not None else None),
            type=(_v19.type if (_v19 := r.error) is not None else None),
            code=(_v20.code if (_v20 := r.error) is not None else None),
            status=(_v21.status if (_v21 := r.error) is not None else None),
        )
    choices: list[ChatResponseChoice] = []
    for _c1 in r.choices or ():
        contents: list[ContentItem] = []
        _t, _s = (
            first_present(
                (_v2.reasoning_content if (_v2 := _c1.message) is not None else None),
                (_v3.reasoning if (_v3 := _c1.message) is not None else None),
            ),
            None,
        )
        if _t or _s:
            contents.append(ReasoningContent(_t or None, _s))

        if _t := (
            _v5
            if isinstance(_v5 := (_v4.content if (_v4 := _c1.message) is not None else None), str)
            else None
        ):
            contents.append(TextContent(_t))

        for _i9, _e8 in enumerate(
            (
                _v7
                if isinstance(
                    _v7 := (_v6.content if (_v6 := _c1.message) is not None else None), list
                )
                else ()
            )
            or ()
        ):
            if _e8.type == "thinking":
                _t, _s = join_text(_e8.thinking, "text"), _e8.signature
                if _t or _s:
                    contents.append(ReasoningContent(_t or None, _s))

            elif _e8.type == "text":
                if _t := _e8.text:
                    contents.append(TextContent(_t))

            elif _e8.type == "output_text":
                if _t := _e8.text:
                    contents.append(TextContent(_t))

        for _i12, _e11 in enumerate(
            (_v10.reasoning_details if (_v10 := _c1.message) is not None else None) or ()
        ):
            if _e11.type == "reasoning.encrypted":
                _t, _s = None, _e11.data
                if _t or _s:
                    contents.append(ReasoningContent(_t or None, _s, redacted=True))

            elif _e11.signature:
                _t, _s = None, _e11.signature
                if _t or _s:
                    contents.append(ReasoningContent(_t or None, _s))

        for _i15, _e14 in enumerate(
            (_v13.tool_calls if (_v13 := _c1.message) is not None else None) or ()
        ):
            if not _e14.custom:
                contents.append(
                    tool_call(
                        _e14.id,
                        (_v16.name if (_v16 := _e14.function) is not None else None),
                        (_v17.arguments if (_v17 := _e14.function) is not None else None),
                    )
                )

        raw_finish = _c1.finish_reason
        choices.append(
            ChatResponseChoice((_c1.index or 0), _finish(raw_finish), contents, raw_finish)
        )
    return ParsedResponse(
        choices=choices,
        usage=_usage_completion_usage(r.usage),
        id=r.id,
        model=r.model,
        wire=r,
        service_tier=r.service_tier,
    )


# the model's validator itself: once per event, pydantic's classmethod wrapper costs ~10 %
_validate_event = lenient(w.ChatCompletionChunk.__pydantic_validator__)


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.ChatCompletionChunk = _validate_event(data)
    if (e.error) and (not e.choices):
        return StreamError(
            message=(_v22.message if (_v22 := e.error) is not None else None),
            type=(_v23.type if (_v23 := e.error) is not None else None),
            code=(_v24.code if (_v24 := e.error) is not None else None),
            status=(_v25.status if (_v25 := e.error) is not None else None),
        )
    if True:
        choice_deltas: list[ChoiceDelta] = []
        for _c32 in e.choices or ():
            deltas: list[ContentDelta] = []
            _t, _s = (
                first_present(
                    (_v33.reasoning_content if (_v33 := _c32.delta) is not None else None),
                    (_v34.reasoning if (_v34 := _c32.delta) is not None else None),
                ),
                None,
            )
            if _t or _s:
                deltas.append(ReasoningDelta(_t or None, _s, None))

            if _t := (
                _v36
                if isinstance(
                    _v36 := (_v35.content if (_v35 := _c32.delta) is not None else None), str
                )
                else None
            ):
                deltas.append(TextDelta(_t))

            for _i40, _e39 in enumerate(
                (
                    _v38
                    if isinstance(
                        _v38 := (_v37.content if (_v37 := _c32.delta) is not None else None), list
                    )
                    else ()
                )
                or ()
            ):
                if _e39.type == "thinking":
                    _t, _s = join_text(_e39.thinking, "text"), _e39.signature
                    if _t or _s:
                        deltas.append(ReasoningDelta(_t or None, _s, None))

                elif _e39.type == "text":
                    if _t := _e39.text:
                        deltas.append(TextDelta(_t))

                elif _e39.type == "output_text":
                    if _t := _e39.text:
                        deltas.append(TextDelta(_t))

            for _i43, _e42 in enumerate(
                (_v41.reasoning_details if (_v41 := _c32.delta) is not None else None) or ()
            ):
                if _e42.type == "reasoning.encrypted":
                    _t, _s = None, _e42.data
                    if _t or _s:
                        deltas.append(ReasoningDelta(_t or None, _s, None, redacted=True))

                elif _e42.signature:
                    _t, _s = None, _e42.signature
                    if _t or _s:
                        deltas.append(ReasoningDelta(_t or None, _s, None))

            for _i46, _e45 in enumerate(
                (_v44.tool_calls if (_v44 := _c32.delta) is not None else None) or ()
            ):
                if not _e45.custom:
                    deltas.append(
                        ToolCallDelta(
                            first_present(_e45.index, _i46),
                            _e45.id,
                            (_v47.name if (_v47 := _e45.function) is not None else None),
                            (_v48.arguments if (_v48 := _e45.function) is not None else None),
                        )
                    )

            raw_finish = _c32.finish_reason
            choice_deltas.append(
                ChoiceDelta((_c32.index or 0), deltas, _finish(raw_finish), raw_finish)
            )
        return ChatResponseChunk(
            choice_deltas,
            id=e.id,
            model=e.model,
            usage=(
                _usage_completion_usage(e.usage)
                if (_u31 := e.usage) is not None
                else (
                    _usage_completion_usage(
                        (_v26.usage if (_v26 := e.x_groq) is not None else None)
                    )
                    if (_u29 := (_v30.usage if (_v30 := e.x_groq) is not None else None))
                    is not None
                    else None
                )
            ),
            service_tier=e.service_tier,
        )
    return None


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "error", "message"),
        dig(data, "error", "type"),
        dig(data, "error", "code"),
    )
