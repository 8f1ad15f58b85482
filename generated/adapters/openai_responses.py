# generated from specs/protocols/openai_responses.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `openai_responses` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/openai_responses.yaml."""

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
    first_present,
    join_present,
    join_text,
    lenient,
    part_kind,
    unsupported_choice,
    unsupported_content,
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
from modelwire.generated.wire import openai_responses as w

PROTOCOL = "openai_responses"
FRAMING = "sse"
JSON_ARRAY = False
STREAM_DONE = "[DONE]"
USAGE_UPDATE = "replace"
KIND = "chat"
UNSUPPORTED: tuple[str, ...] = ("stop", "seed")
MIN_OUTPUT_TOKENS: int | None = 16
UNSIGNED_CALL: str | None = None
STREAMABLE = True
OPTIONS_PATH: str | None = ""
# what the request template builds: options may add keys inside BODY_OBJECTS, and may not
# overwrite BODY_FIELDS, save the OVERRIDABLE ones
BODY_FIELDS: frozenset[str] = frozenset(
    (
        "include",
        "input",
        "instructions",
        "max_output_tokens",
        "model",
        "reasoning.effort",
        "reasoning.summary",
        "store",
        "stream",
        "temperature",
        "text.format.name",
        "text.format.schema",
        "text.format.strict",
        "text.format.type",
        "tool_choice",
        "tools",
        "top_p",
    )
)
BODY_OBJECTS: frozenset[str] = frozenset(("reasoning", "text", "text.format"))
OVERRIDABLE: frozenset[str] = frozenset(())
FINISH_REASONS: dict[str, str] = {
    "completed": "end_turn",
    "max_output_tokens": "max_tokens",
    "content_filter": "content_filter",
    "max_messages": "other",
    "steered": "other",
    "incomplete": "other",
    "failed": "other",
    "in_progress": "other",
    "cancelled": "other",
    "queued": "other",
}
FINISH_REASONS_WITH_TOOL_CALLS: dict[str, str] = {"completed": "tool_use"}
REQUEST_ID_HEADERS: tuple[str, ...] = ("x-request-id", "apim-request-id")
ERROR_TYPE_HEADER: str | None = None
RETRY_STATUSES: frozenset[int] = frozenset((408, 409, 429, 500, 502, 503, 504))
STATUS_KINDS: dict[int, str] = {}
ERROR_TYPES: dict[str, str] = {
    "invalid_request_error": "bad_request",
    "authentication_error": "authentication",
    "permission_error": "permission",
    "not_found_error": "not_found",
    "rate_limit_error": "rate_limit",
    "rate_limit_exceeded": "rate_limit",
    "server_error": "server",
    "context_length_exceeded": "context_length",
    "invalid_prompt": "bad_request",
    "data_residency_mismatch": "bad_request",
    "vector_store_timeout": "timeout",
    "bio_policy": "content_filter",
    "misalignment_policy_violation": "content_filter",
    "image_content_policy_violation": "content_filter",
    "invalid_image": "bad_request",
    "invalid_image_format": "bad_request",
    "invalid_base64_image": "bad_request",
    "invalid_image_url": "bad_request",
    "invalid_image_mode": "bad_request",
    "image_too_large": "bad_request",
    "image_too_small": "bad_request",
    "image_parse_error": "bad_request",
    "image_file_too_large": "bad_request",
    "image_file_not_found": "bad_request",
    "empty_image_file": "bad_request",
    "unsupported_image_media_type": "bad_request",
    "failed_to_download_image": "bad_request",
}
CONTEXT_LENGTH_CODES: frozenset[str] = frozenset(("context_length_exceeded",))
CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None = re.compile(
    "context[ _-]?length|context[ _-]?window|maximum context|too many (input )?tokens",
    re.IGNORECASE,
)
TOOL_SCHEMA = "json_schema"
STRUCTURED_VIA: str | None = "native"
STRUCTURED_SCHEMA = "strict"
STRUCTURED_FALLBACK: str | None = "tool"
STRUCTURED_JSON_MODE = False

ROLES: dict[str, str] = {"user": "user", "assistant": "assistant"}
DROPPED: frozenset[str] = frozenset(())
OWN_MESSAGE: frozenset[str] = frozenset(("tool_call", "tool_result", "reasoning"))


def _document_part(part: MediaContent | ImageContent) -> Any:
    return {"type": "input_file", "filename": part.file_name(), "file_data": part.data_url()}


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        if isinstance(part, TextContent):
            out.append({"type": "input_text", "text": part.text})
        elif isinstance(part, (MediaContent, ImageContent)):
            kind = part_kind(part)
            if kind == "image":
                out.append({"type": "input_image", "image_url": part.data_url()})
            elif kind == "image_url":
                out.append({"type": "input_image", "image_url": part.url})
            elif kind == "document":
                out.append(_document_part(part))
            elif kind == "document_url":
                out.append({"type": "input_file", "file_url": part.url})
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


def _own_tool_call(part: ToolCallContent) -> dict[str, Any]:
    return compact(
        {
            "type": "function_call",
            "call_id": part.id,
            "name": part.name,
            "arguments": part.arguments_json(),
        }
    )


def _own_tool_result(part: ToolCallResult) -> dict[str, Any]:
    return compact(
        {"type": "function_call_output", "call_id": part.id, "output": part.output_text()}
    )


def _own_reasoning(part: ReasoningContent) -> dict[str, Any]:
    return compact(
        {
            "type": "reasoning",
            "id": part.id,
            "summary": (
                [compact({"type": "summary_text", "text": part.text})] if part.text else []
            ),
            "encrypted_content": part.signature,
        }
    )


def _messages(call: Call) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for turn in wire_messages(call.messages, ROLES, OWN_MESSAGE, False, PROTOCOL):
        if isinstance(turn, tuple):
            out.append(_message(*turn, call.keep))
        elif isinstance(turn, ToolCallContent):
            out.append(_own_tool_call(turn))
        elif isinstance(turn, ToolCallResult):
            out.append(_own_tool_result(turn))
        elif isinstance(turn, ReasoningContent) and not turn.redacted:
            out.append(_own_reasoning(turn))
    return out


def _tools(call: Call) -> list[Any] | None:
    return [
        compact(
            {
                "type": "function",
                "name": tool.name,
                "description": tool.description,
                "parameters": parameters,
                "strict": (True if tool.strict else False),
            }
        )
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
        return {"type": "function", "name": choice.name}
    raise unsupported_choice(PROTOCOL, choice.mode, ("auto", "none", "required", "tool"))


def _reasoning(call: Call) -> Any:
    cfg = call.config
    return compact_or_none(
        {"effort": cfg.reasoning_effort, "summary": ("auto" if cfg.reasoning else None)}
    )


def _text(call: Call) -> Any:
    return compact_or_none(
        {
            "format": (
                compact(
                    {
                        "type": "json_schema",
                        "name": call.structured_name(),
                        "schema": call.structured_schema,
                        "strict": True,
                    }
                )
                if call.structured_native()
                else None
            )
        }
    )


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    cfg = call.config
    body: dict[str, Any] = {}
    body["model"] = call.model
    body["input"] = _messages(call)
    if (instructions := call.system) is not None:
        body["instructions"] = instructions
    if (max_output_tokens := cfg.max_output_tokens) is not None:
        body["max_output_tokens"] = max_output_tokens
    if (temperature := cfg.temperature) is not None:
        body["temperature"] = temperature
    if (top_p := cfg.top_p) is not None:
        body["top_p"] = top_p
    if (reasoning := _reasoning(call)) is not None:
        body["reasoning"] = reasoning
    if (tools := _tools(call)) is not None:
        body["tools"] = tools
    if (tool_choice := _tool_choice(call)) is not None:
        body["tool_choice"] = tool_choice
    if (text := _text(call)) is not None:
        body["text"] = text
    body["store"] = False
    if call.reasoning_model():
        body["include"] = ["reasoning.encrypted_content"]
    if call.stream:
        body["stream"] = True
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_response_usage(u: w.ResponseUsage | None) -> Usage | None:
    if u is None:
        return None
    output_tokens_details = u.output_tokens_details
    input_tokens_details = u.input_tokens_details
    return Usage(
        prompt_tokens=u.input_tokens,
        completion_tokens=u.output_tokens,
        reasoning_tokens=(
            output_tokens_details.reasoning_tokens if output_tokens_details is not None else None
        ),
        cache_read_tokens=(
            input_tokens_details.cached_tokens if input_tokens_details is not None else None
        ),
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.ResponseUsage):
        return _usage_response_usage(u)
    return None


_decode_response = lenient(w.Response.__pydantic_validator__)


def _response_choice(r: w.Response) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    output = r.output
    if output:
        for output_item in output:
            output_item_type = output_item.type
            if output_item_type == "reasoning":
                text, signature = (
                    join_present(
                        join_text(output_item.summary, "text"),
                        join_text(output_item.content, "text"),
                    ),
                    output_item.encrypted_content,
                )
                if text or signature:
                    contents.append(ReasoningContent(text or None, signature, id=output_item.id))
            elif output_item_type == "function_call":
                contents.append(
                    tool_call(output_item.call_id, output_item.name, output_item.arguments)
                )
            elif output_item_type == "message":
                if text := join_text(output_item.content, "text"):
                    contents.append(TextContent(text))
    if output:
        for output_item in output:
            if output_item.type == "message":
                if text := join_text(output_item.content, "refusal"):
                    contents.append(RefusalContent(text))
    incomplete_details = r.incomplete_details
    raw_finish = first_present(
        (incomplete_details.reason if incomplete_details is not None else None), r.status
    )
    return ChatResponseChoice(0, _finish(raw_finish), contents, raw_finish)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.Response = _decode_response(raw)
    error = r.error
    message = error.message if error is not None else None
    code = error.code if error is not None else None
    if r.status == "failed":
        return StreamError(message=message, code=code)
    if error and not r.output:
        return StreamError(message=message, code=code)
    choices = [_response_choice(r)]
    return ParsedResponse(
        choices=choices,
        usage=_usage_response_usage(r.usage),
        id=r.id,
        model=r.model,
        wire=r,
        service_tier=r.service_tier,
    )


# the model's validator itself: once per event, pydantic's classmethod wrapper costs ~10 %
_validate_event = lenient(w.StreamEvent.__pydantic_validator__)


def _on_error(e: w.StreamEvent) -> StreamError:
    error = e.error
    if error:
        return StreamError(message=error.message, type=error.type, code=error.code)
    return StreamError(message=e.message, code=e.code)


def _on_response_failed(e: w.StreamEvent) -> StreamError:
    response = e.response
    error = response.error if response is not None else None
    return StreamError(
        message=(error.message if error is not None else None),
        code=(error.code if error is not None else None),
    )


def _on_response_output_text_delta(e: w.StreamEvent) -> ChatResponseChunk:
    deltas: list[ContentDelta] = []
    if text := e.delta:
        deltas.append(TextDelta(text, key=e.item_id))
    choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas)]
    return ChatResponseChunk(choice_deltas)


def _on_response_refusal_delta(e: w.StreamEvent) -> ChatResponseChunk:
    deltas: list[ContentDelta] = []
    if text := e.delta:
        deltas.append(RefusalDelta(text, key=e.item_id))
    choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas)]
    return ChatResponseChunk(choice_deltas)


def _on_response_reasoning_summary_text_delta(e: w.StreamEvent) -> ChatResponseChunk:
    """Also the 'response.reasoning_text.delta' events, read alike."""
    deltas: list[ContentDelta] = []
    if text := e.delta:
        item_id = e.item_id
        deltas.append(ReasoningDelta(text, None, item_id, id=item_id))
    choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas)]
    return ChatResponseChunk(choice_deltas)


def _on_response_output_item_added(e: w.StreamEvent) -> ChatResponseChunk | None:
    item = e.item
    if item is not None and item.type == "function_call":
        deltas: list[ContentDelta] = []
        deltas.append(
            ToolCallDelta(first_present(item.id, None), item.call_id, item.name, item.arguments)
        )
        choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas)]
        return ChatResponseChunk(choice_deltas)
    return None


def _on_response_function_call_arguments_delta(e: w.StreamEvent) -> ChatResponseChunk:
    deltas: list[ContentDelta] = []
    deltas.append(
        ToolCallDelta(first_present(e.item_id, None), None, None, e.delta, continues=True)
    )
    choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas)]
    return ChatResponseChunk(choice_deltas)


def _on_response_output_item_done(e: w.StreamEvent) -> ChatResponseChunk | None:
    item = e.item
    if item is not None and item.type == "reasoning":
        deltas: list[ContentDelta] = []
        if item is not None:
            if signature := item.encrypted_content:
                item_id = item.id
                deltas.append(ReasoningDelta(None, signature, item_id, id=item_id))
        choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas)]
        return ChatResponseChunk(choice_deltas)
    return None


def _on_response_created(e: w.StreamEvent) -> ChatResponseChunk:
    response = e.response
    return ChatResponseChunk(
        [],
        id=(response.id if response is not None else None),
        model=(response.model if response is not None else None),
    )


def _on_response_completed(e: w.StreamEvent) -> ChatResponseChunk:
    """Also the 'response.incomplete' events, read alike."""
    choice_deltas: list[ChoiceDelta] = []
    response = e.response
    incomplete_details = response.incomplete_details if response is not None else None
    raw_finish = first_present(
        (incomplete_details.reason if incomplete_details is not None else None),
        (response.status if response is not None else None),
    )
    if raw_finish is not None:
        choice_deltas.append(ChoiceDelta(0, [], _finish(raw_finish), raw_finish))
    return ChatResponseChunk(
        choice_deltas,
        id=(response.id if response is not None else None),
        model=(response.model if response is not None else None),
        usage=_usage_response_usage((response.usage if response is not None else None)),
        service_tier=(response.service_tier if response is not None else None),
    )


_ON_EVENT: dict[str | None, Callable[[w.StreamEvent], ChatResponseChunk | StreamError | None]] = {
    "error": _on_error,
    "response.failed": _on_response_failed,
    "response.output_text.delta": _on_response_output_text_delta,
    "response.refusal.delta": _on_response_refusal_delta,
    "response.reasoning_summary_text.delta": _on_response_reasoning_summary_text_delta,
    "response.reasoning_text.delta": _on_response_reasoning_summary_text_delta,
    "response.output_item.added": _on_response_output_item_added,
    "response.function_call_arguments.delta": _on_response_function_call_arguments_delta,
    "response.output_item.done": _on_response_output_item_done,
    "response.created": _on_response_created,
    "response.completed": _on_response_completed,
    "response.incomplete": _on_response_completed,
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
        dig(data, "error", "code"),
    )
