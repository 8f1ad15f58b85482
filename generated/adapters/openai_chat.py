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
    dig,
    first_present,
    join_text,
    lenient,
    part_kind,
    unsupported_choice,
    unsupported_content,
    unsupported_role,
    wire_messages,
)
from modelwire._types import (
    ChatResponseChoice,
    ChatResponseChunk,
    ChoiceDelta,
    ContentDelta,
    ContentItem,
    ImageContent,
    MediaContent,
    ReasoningContent,
    ReasoningDelta,
    RefusalContent,
    RefusalDelta,
    TextContent,
    TextDelta,
    ToolCallContent,
    ToolCallDelta,
    ToolCallResult,
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
    "rate_limit_error": "rate_limit",
    "request_too_large": "request_too_large",
    "api_error": "server",
    "timeout_error": "timeout",
    "overloaded_error": "overloaded",
    "rate_limit_exceeded": "rate_limit",
    "server_error": "server",
    "context_length_exceeded": "context_length",
}
CONTEXT_LENGTH_CODES: frozenset[str] = frozenset(("context_length_exceeded",))
CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None = re.compile(
    "prompt is too long|context[ _-]?length|context[ _-]?window|maximum context|prompt too long|input is too long|too many (input )?tokens|exceeds? the (maximum|max)[a-z ]* tokens|maximum (number of )?tokens|token limit",
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


def _tool_call_part(part: ToolCallContent) -> Any:
    return compact(
        {
            "id": part.id,
            "type": "function",
            "function": {"name": part.name, "arguments": part.arguments_json()},
        }
    )


def _document_part(part: MediaContent | ImageContent) -> Any:
    return {"type": "file", "file": {"filename": part.file_name(), "file_data": part.data_url()}}


def _audio_part(part: MediaContent | ImageContent) -> Any:
    return {"type": "input_audio", "input_audio": {"data": part.base64(), "format": part.format()}}


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        if isinstance(part, TextContent):
            out.append({"type": "text", "text": part.text})
        elif isinstance(part, RefusalContent):
            out.append({"type": "refusal", "refusal": part.text})
        elif isinstance(part, ToolCallContent):
            out.append(_tool_call_part(part))
        elif isinstance(part, (MediaContent, ImageContent)):
            kind = part_kind(part)
            if kind == "image":
                out.append({"type": "image_url", "image_url": {"url": part.data_url()}})
            elif kind == "image_url":
                out.append({"type": "image_url", "image_url": {"url": part.url}})
            elif kind == "document":
                out.append(_document_part(part))
            elif kind == "audio":
                out.append(_audio_part(part))
            elif part.type not in DROPPED:
                raise unsupported_content(PROTOCOL, kind)
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, part_kind(part))
    return out


def _message(role: str, parts: list[ContentItem], keep: frozenset[str]) -> dict[str, Any]:
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    _reasoning_content = (
        "".join(p.text or "" for p in parts if isinstance(p, ReasoningContent)) or None
    )
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


def _own_tool_result(part: ToolCallResult) -> dict[str, Any]:
    return compact({"role": "tool", "tool_call_id": part.id, "content": part.output_text()})


def _messages(call: Call) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if call.system is not None:
        if "system" not in ROLES:
            raise unsupported_role(PROTOCOL, "system", ROLES)
        out.append(_message(ROLES["system"], [TextContent(call.system)], call.keep))
    for turn in wire_messages(call.messages, ROLES, OWN_MESSAGE, False, PROTOCOL):
        if isinstance(turn, tuple):
            out.append(_message(*turn, call.keep))
        elif isinstance(turn, ToolCallResult):
            out.append(_own_tool_result(turn))
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


def _response_format(call: Call) -> Any:
    return {
        "type": "json_schema",
        "json_schema": compact(
            {"name": call.structured_name(), "schema": call.structured_schema, "strict": True}
        ),
    }


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    cfg = call.config
    body: dict[str, Any] = {}
    body["model"] = call.model
    body["messages"] = _messages(call)
    if (max_completion_tokens := cfg.max_output_tokens) is not None:
        body["max_completion_tokens"] = max_completion_tokens
    if (temperature := cfg.temperature) is not None:
        body["temperature"] = temperature
    if (top_p := cfg.top_p) is not None:
        body["top_p"] = top_p
    if (stop := cfg.stop) is not None:
        body["stop"] = stop
    if (seed := cfg.seed) is not None:
        body["seed"] = seed
    if (reasoning_effort := cfg.reasoning_effort) is not None:
        body["reasoning_effort"] = reasoning_effort
    if call.stream:
        body["stream"] = True
    if call.stream:
        body["stream_options"] = {"include_usage": True}
    if (tools := _tools(call)) is not None:
        body["tools"] = tools
    if (tool_choice := _tool_choice(call)) is not None:
        body["tool_choice"] = tool_choice
    if call.structured_native():
        body["response_format"] = _response_format(call)
    elif call.structured_json_mode():
        body["response_format"] = {"type": "json_object"}
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_completion_usage(u: w.CompletionUsage | None) -> Usage | None:
    if u is None:
        return None
    completion_tokens_details = u.completion_tokens_details
    prompt_tokens_details = u.prompt_tokens_details
    return Usage(
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        reasoning_tokens=(
            completion_tokens_details.reasoning_tokens
            if completion_tokens_details is not None
            else None
        ),
        cache_read_tokens=first_present(
            u.prompt_cache_hit_tokens,
            (prompt_tokens_details.cached_tokens if prompt_tokens_details is not None else None),
        ),
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.CompletionUsage):
        return _usage_completion_usage(u)
    return None


_decode_response = lenient(w.ChatCompletion.__pydantic_validator__)


def _response_choice(choice: w.Choice) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    message = choice.message
    if message is not None:
        if text := first_present(message.reasoning_content, message.reasoning):
            contents.append(ReasoningContent(text, None))
        content = message.content
        if text := (content if isinstance(content, str) else None):
            contents.append(TextContent(text))
        if text := message.refusal:
            contents.append(RefusalContent(text))
        for content_item in content if isinstance(content, list) else ():
            content_item_type = content_item.type
            if content_item_type == "thinking":
                text, signature = join_text(content_item.thinking, "text"), content_item.signature
                if text or signature:
                    contents.append(ReasoningContent(text or None, signature))
            elif content_item_type == "text":
                if text := content_item.text:
                    contents.append(TextContent(text))
            elif content_item_type == "output_text":
                if text := content_item.text:
                    contents.append(TextContent(text))
        reasoning_details = message.reasoning_details
        if reasoning_details:
            for reasoning_detail in reasoning_details:
                reasoning_detail_signature = reasoning_detail.signature
                if reasoning_detail.type == "reasoning.encrypted":
                    if signature := reasoning_detail.data:
                        contents.append(ReasoningContent(None, signature, redacted=True))
                elif reasoning_detail_signature:
                    if signature := reasoning_detail_signature:
                        contents.append(ReasoningContent(None, signature))
        tool_calls = message.tool_calls
        if tool_calls:
            for call in tool_calls:
                if not call.custom:
                    function = call.function
                    contents.append(
                        tool_call(
                            call.id,
                            (function.name if function is not None else None),
                            (function.arguments if function is not None else None),
                        )
                    )
    finish_reason = choice.finish_reason
    return ChatResponseChoice(choice.index or 0, _finish(finish_reason), contents, finish_reason)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.ChatCompletion = _decode_response(raw)
    error = r.error
    r_choices = r.choices
    if error and not r_choices:
        return StreamError(
            message=error.message, type=error.type, code=error.code, status=error.status
        )
    choices = [_response_choice(choice) for choice in r_choices or ()]
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


def _choice_delta(choice: w.ChunkChoice) -> ChoiceDelta:
    deltas: list[ContentDelta] = []
    delta = choice.delta
    if delta is not None:
        if text := first_present(delta.reasoning_content, delta.reasoning):
            deltas.append(ReasoningDelta(text, None, None))
        content = delta.content
        if text := (content if isinstance(content, str) else None):
            deltas.append(TextDelta(text))
        if text := delta.refusal:
            deltas.append(RefusalDelta(text))
        for content_item in content if isinstance(content, list) else ():
            content_item_type = content_item.type
            if content_item_type == "thinking":
                text, signature = join_text(content_item.thinking, "text"), content_item.signature
                if text or signature:
                    deltas.append(ReasoningDelta(text or None, signature, None))
            elif content_item_type == "text":
                if text := content_item.text:
                    deltas.append(TextDelta(text))
            elif content_item_type == "output_text":
                if text := content_item.text:
                    deltas.append(TextDelta(text))
        reasoning_details = delta.reasoning_details
        if reasoning_details:
            for reasoning_detail in reasoning_details:
                reasoning_detail_signature = reasoning_detail.signature
                if reasoning_detail.type == "reasoning.encrypted":
                    if signature := reasoning_detail.data:
                        deltas.append(ReasoningDelta(None, signature, None, redacted=True))
                elif reasoning_detail_signature:
                    if signature := reasoning_detail_signature:
                        deltas.append(ReasoningDelta(None, signature, None))
        tool_calls = delta.tool_calls
        if tool_calls:
            for position, call in enumerate(tool_calls):
                if not call.custom:
                    function = call.function
                    deltas.append(
                        ToolCallDelta(
                            first_present(call.index, position),
                            call.id,
                            (function.name if function is not None else None),
                            (function.arguments if function is not None else None),
                        )
                    )
    finish_reason = choice.finish_reason
    return ChoiceDelta(choice.index or 0, deltas, _finish(finish_reason), finish_reason)


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.ChatCompletionChunk = _validate_event(data)
    error = e.error
    e_choices = e.choices
    if error and not e_choices:
        return StreamError(
            message=error.message, type=error.type, code=error.code, status=error.status
        )
    choice_deltas = [_choice_delta(choice) for choice in e_choices or ()]
    usage = e.usage
    x_groq = e.x_groq
    x_groq_usage = x_groq.usage if x_groq is not None else None
    return ChatResponseChunk(
        choice_deltas,
        id=e.id,
        model=e.model,
        usage=(
            _usage_completion_usage(usage)
            if usage is not None
            else (_usage_completion_usage(x_groq_usage) if x_groq_usage is not None else None)
        ),
        service_tier=e.service_tier,
    )


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "error", "message"),
        dig(data, "error", "type"),
        dig(data, "error", "code"),
    )
