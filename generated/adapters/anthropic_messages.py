# generated from specs/protocols/anthropic_messages.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `anthropic_messages` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/anthropic_messages.yaml."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from modelwire._protocol import (
    Call,
    ParsedResponse,
    StreamError,
    compact,
    compact_or_none,
    dig,
    lenient,
    part_kind,
    sum_present,
    unsupported_choice,
    unsupported_content,
    wire_turns,
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
    TextContent,
    TextDelta,
    ToolCallContent,
    ToolCallDelta,
    ToolCallResult,
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
    "rate_limit_error": "rate_limit",
    "request_too_large": "request_too_large",
    "api_error": "server",
    "timeout_error": "timeout",
    "overloaded_error": "overloaded",
    "billing_error": "permission",
    "conflict_error": "conflict",
    "memory_path_conflict_error": "conflict",
    "memory_precondition_failed_error": "conflict",
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


def _reasoning_part(part: ReasoningContent) -> Any:
    return compact({"type": "thinking", "thinking": part.text, "signature": part.signature})


def _tool_call_part(part: ToolCallContent) -> Any:
    return compact(
        {"type": "tool_use", "id": part.id, "name": part.name, "input": part.arguments_object()}
    )


def _tool_result_part(part: ToolCallResult) -> Any:
    return compact(
        {
            "type": "tool_result",
            "tool_use_id": part.id,
            "content": part.output_text(),
            "is_error": (True if part.is_error else None),
        }
    )


def _image_part(part: MediaContent | ImageContent) -> Any:
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": part.media_type, "data": part.base64()},
    }


def _image_url_part(part: MediaContent | ImageContent) -> Any:
    return {"type": "image", "source": {"type": "url", "url": part.url}}


def _document_part(part: MediaContent | ImageContent) -> Any:
    return {
        "type": "document",
        "source": {"type": "base64", "media_type": part.media_type, "data": part.base64()},
    }


def _document_url_part(part: MediaContent | ImageContent) -> Any:
    return {"type": "document", "source": {"type": "url", "url": part.url}}


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        if isinstance(part, TextContent):
            out.append({"type": "text", "text": part.text})
        elif isinstance(part, ReasoningContent):
            if part.redacted:
                out.append({"type": "redacted_thinking", "data": part.signature})
            else:
                out.append(_reasoning_part(part))
        elif isinstance(part, ToolCallContent):
            out.append(_tool_call_part(part))
        elif isinstance(part, ToolCallResult):
            out.append(_tool_result_part(part))
        elif isinstance(part, (MediaContent, ImageContent)):
            kind = part_kind(part)
            if kind == "image":
                out.append(_image_part(part))
            elif kind == "image_url":
                out.append(_image_url_part(part))
            elif kind == "document":
                out.append(_document_part(part))
            elif kind == "document_url":
                out.append(_document_url_part(part))
            elif part.type not in DROPPED:
                raise unsupported_content(PROTOCOL, kind)
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, part_kind(part))
    return out


def _message(role: str, parts: list[ContentItem], keep: frozenset[str]) -> dict[str, Any]:
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    parts = [TextContent(p.text) if isinstance(p, RefusalContent) else p for p in parts]
    content: Any = (
        parts[0].text if len(parts) == 1 and isinstance(parts[0], TextContent) else _parts(parts)
    )
    return {"role": role, "content": content}


def _messages(call: Call) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for role, parts in wire_turns(call.messages, ROLES, True, PROTOCOL):
        out.append(_message(role, parts, call.keep))
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


def _output_config(call: Call) -> Any:
    cfg = call.config
    return compact_or_none(
        {
            "effort": cfg.reasoning_effort,
            "format": (
                compact({"type": "json_schema", "schema": call.structured_schema})
                if call.structured_native()
                else None
            ),
        }
    )


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    cfg = call.config
    body: dict[str, Any] = {}
    body["model"] = call.model
    if (system := call.system) is not None:
        body["system"] = system
    body["messages"] = _messages(call)
    body["max_tokens"] = call.output_limit()
    if (temperature := cfg.temperature) is not None:
        body["temperature"] = temperature
    if (top_p := cfg.top_p) is not None:
        body["top_p"] = top_p
    if (stop_sequences := call.stop_list()) is not None:
        body["stop_sequences"] = stop_sequences
    if call.stream:
        body["stream"] = True
    if call.reasoning_adaptive():
        body["thinking"] = {"type": "adaptive"}
    elif call.reasoning_budget_or_min():
        body["thinking"] = compact(
            {"type": "enabled", "budget_tokens": call.reasoning_budget_or_min()}
        )
    if (output_config := _output_config(call)) is not None:
        body["output_config"] = output_config
    if (tools := _tools(call)) is not None:
        body["tools"] = tools
    if (tool_choice := _tool_choice(call)) is not None:
        body["tool_choice"] = tool_choice
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_usage(u: w.Usage | None) -> Usage | None:
    if u is None:
        return None
    cache_read_input_tokens = u.cache_read_input_tokens
    cache_creation_input_tokens = u.cache_creation_input_tokens
    return Usage(
        prompt_tokens=sum_present(
            u.input_tokens, cache_read_input_tokens, cache_creation_input_tokens
        ),
        completion_tokens=u.output_tokens,
        cache_read_tokens=cache_read_input_tokens,
        cache_write_tokens=cache_creation_input_tokens,
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.Usage):
        return _usage_usage(u)
    return None


_decode_response = lenient(w.Message.__pydantic_validator__)


def _response_choice(r: w.Message) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    content = r.content
    if content:
        for content_item in content:
            content_item_type = content_item.type
            if content_item_type == "text":
                if text := content_item.text:
                    contents.append(TextContent(text))
            elif content_item_type == "thinking":
                text, signature = content_item.thinking, content_item.signature
                if text or signature:
                    contents.append(ReasoningContent(text or None, signature))
            elif content_item_type == "redacted_thinking":
                if signature := content_item.data:
                    contents.append(ReasoningContent(None, signature, redacted=True))
            elif content_item_type == "tool_use":
                contents.append(tool_call(content_item.id, content_item.name, content_item.input))
    stop_reason = r.stop_reason
    return ChatResponseChoice(0, _finish(stop_reason), contents, stop_reason)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.Message = _decode_response(raw)
    if r.type == "error":
        error = r.error
        return StreamError(
            message=(error.message if error is not None else None),
            type=(error.type if error is not None else None),
        )
    choices = [_response_choice(r)]
    return ParsedResponse(
        choices=choices, usage=_usage_usage(r.usage), id=r.id, model=r.model, wire=r
    )


# the model's validator itself: once per event, pydantic's classmethod wrapper costs ~10 %
_validate_event = lenient(w.StreamEvent.__pydantic_validator__)


def _on_error(e: w.StreamEvent) -> StreamError:
    error = e.error
    return StreamError(
        message=(error.message if error is not None else None),
        type=(error.type if error is not None else None),
    )


def _on_message_start(e: w.StreamEvent) -> ChatResponseChunk:
    message = e.message
    usage = message.usage if message is not None else None
    return ChatResponseChunk(
        [],
        id=(message.id if message is not None else None),
        model=(message.model if message is not None else None),
        usage=_usage_usage(usage),
        usage_wire=usage,
    )


def _on_content_block_start(e: w.StreamEvent) -> ChatResponseChunk:
    deltas: list[ContentDelta] = []
    content_block = e.content_block
    if content_block is not None:
        content_block_type = content_block.type
        if content_block_type == "text":
            if text := content_block.text:
                deltas.append(TextDelta(text, key=e.index))
        elif content_block_type == "thinking":
            text, signature = content_block.thinking, content_block.signature
            if text or signature:
                deltas.append(ReasoningDelta(text or None, signature, e.index))
        elif content_block_type == "redacted_thinking":
            if signature := content_block.data:
                deltas.append(ReasoningDelta(None, signature, e.index, redacted=True))
        elif content_block_type == "tool_use":
            deltas.append(
                ToolCallDelta(e.index, content_block.id, content_block.name, content_block.input)
            )
    choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas)]
    return ChatResponseChunk(choice_deltas)


def _on_content_block_delta(e: w.StreamEvent) -> ChatResponseChunk:
    deltas: list[ContentDelta] = []
    delta = e.delta
    if delta is not None:
        delta_type = delta.type
        if delta_type == "text_delta":
            if text := delta.text:
                deltas.append(TextDelta(text, key=e.index))
        elif delta_type == "thinking_delta":
            if text := delta.thinking:
                deltas.append(ReasoningDelta(text, None, e.index))
        elif delta_type == "signature_delta":
            if signature := delta.signature:
                deltas.append(ReasoningDelta(None, signature, e.index))
        elif delta_type == "input_json_delta":
            deltas.append(ToolCallDelta(e.index, None, None, delta.partial_json, continues=True))
    choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas)]
    return ChatResponseChunk(choice_deltas)


def _on_message_delta(e: w.StreamEvent) -> ChatResponseChunk:
    choice_deltas: list[ChoiceDelta] = []
    delta = e.delta
    raw_finish = delta.stop_reason if delta is not None else None
    if raw_finish is not None:
        choice_deltas.append(ChoiceDelta(0, [], _finish(raw_finish), raw_finish))
    usage = e.usage
    return ChatResponseChunk(choice_deltas, usage=_usage_usage(usage), usage_wire=usage)


_ON_EVENT: dict[str | None, Callable[[w.StreamEvent], ChatResponseChunk | StreamError | None]] = {
    "error": _on_error,
    "message_start": _on_message_start,
    "content_block_start": _on_content_block_start,
    "content_block_delta": _on_content_block_delta,
    "message_delta": _on_message_delta,
}


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.StreamEvent = _validate_event(data)
    handler = _ON_EVENT.get(e.type)
    return handler(e) if handler is not None else None


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "error", "message"),
        dig(data, "error", "type"),
        None,
    )
