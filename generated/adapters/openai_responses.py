# generated from specs/protocols/openai_responses.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `openai_responses` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/openai_responses.yaml."""

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


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        kind = part_kind(part)
        if kind == "text":
            out.append({"type": "input_text", "text": part.text})
        elif kind == "image":
            out.append({"type": "input_image", "image_url": part.data_url()})
        elif kind == "image_url":
            out.append({"type": "input_image", "image_url": part.url})
        elif kind == "document":
            out.append(
                {"type": "input_file", "filename": part.file_name(), "file_data": part.data_url()}
            )
        elif kind == "document_url":
            out.append({"type": "input_file", "file_url": part.url})
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, kind)
    return out


def _message(role: str, parts: list[ContentItem], keep: frozenset[str]) -> dict[str, Any]:
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    content: Any = (
        parts[0].text if len(parts) == 1 and isinstance(parts[0], TextContent) else _parts(parts)
    )
    return {"role": role, "content": content}


def _own_tool_call(part: Any) -> dict[str, Any]:
    return compact(
        {
            "type": "function_call",
            "call_id": part.id,
            "name": part.name,
            "arguments": part.arguments_json(),
        }
    )


def _own_tool_result(part: Any) -> dict[str, Any]:
    return compact(
        {"type": "function_call_output", "call_id": part.id, "output": part.output_text()}
    )


def _own_reasoning(part: Any) -> dict[str, Any]:
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
    for role, parts in wire_turns(call.messages, ROLES, OWN_MESSAGE, False, PROTOCOL):
        if role is None:
            (part,) = parts
            if part_kind(part) == "tool_call":
                out.append(_own_tool_call(part))
            elif part_kind(part) == "tool_result":
                out.append(_own_tool_result(part))
            elif part_kind(part) == "reasoning":
                out.append(_own_reasoning(part))
            continue
        out.append(_message(role, parts, call.keep))  # type: ignore[arg-type]
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


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    cfg = call.config
    body: dict[str, Any] = {}
    body["model"] = call.model
    body["input"] = _messages(call)
    if (_x := call.system) is not None:
        body["instructions"] = _x
    if (_x := cfg.max_output_tokens) is not None:
        body["max_output_tokens"] = _x
    if (_x := cfg.temperature) is not None:
        body["temperature"] = _x
    if (_x := cfg.top_p) is not None:
        body["top_p"] = _x
    if (
        _x := compact_or_none(
            {"effort": cfg.reasoning_effort, "summary": ("auto" if cfg.reasoning else None)}
        )
    ) is not None:
        body["reasoning"] = _x
    if (_x := _tools(call)) is not None:
        body["tools"] = _x
    if (_x := _tool_choice(call)) is not None:
        body["tool_choice"] = _x
    if (
        _x := compact_or_none(
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
    ) is not None:
        body["text"] = _x
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
    return Usage(
        prompt_tokens=u.input_tokens,
        completion_tokens=u.output_tokens,
        reasoning_tokens=(
            _v30.reasoning_tokens if (_v30 := u.output_tokens_details) is not None else None
        ),
        cache_read_tokens=(
            _v31.cached_tokens if (_v31 := u.input_tokens_details) is not None else None
        ),
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.ResponseUsage):
        return _usage_response_usage(u)
    return None


_decode_response = lenient(w.Response.__pydantic_validator__)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.Response = _decode_response(raw)
    if r.status == "failed":
        return StreamError(
            message=(_v4.message if (_v4 := r.error) is not None else None),
            code=(_v5.code if (_v5 := r.error) is not None else None),
        )
    if (r.error) and (not r.output):
        return StreamError(
            message=(_v6.message if (_v6 := r.error) is not None else None),
            code=(_v7.code if (_v7 := r.error) is not None else None),
        )
    choices: list[ChatResponseChoice] = []
    if True:
        contents: list[ContentItem] = []
        for _i3, _e2 in enumerate(r.output or ()):
            if _e2.type == "reasoning":
                _t, _s = (
                    join_present(join_text(_e2.summary, "text"), join_text(_e2.content, "text")),
                    _e2.encrypted_content,
                )
                if _t or _s:
                    contents.append(ReasoningContent(_t or None, _s, id=_e2.id))

            elif _e2.type == "function_call":
                contents.append(tool_call(_e2.call_id, _e2.name, _e2.arguments))

            elif _e2.type == "message":
                if _t := join_text(_e2.content, "text"):
                    contents.append(TextContent(_t))

        raw_finish = first_present(
            (_v1.reason if (_v1 := r.incomplete_details) is not None else None), r.status
        )
        choices.append(ChatResponseChoice(0, _finish(raw_finish), contents, raw_finish))
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


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.StreamEvent = _validate_event(data)
    if (e.type == "error") and (e.error):
        return StreamError(
            message=(_v8.message if (_v8 := e.error) is not None else None),
            type=(_v9.type if (_v9 := e.error) is not None else None),
            code=(_v10.code if (_v10 := e.error) is not None else None),
        )
    if e.type == "error":
        return StreamError(
            message=e.message,
            code=e.code,
        )
    if e.type == "response.failed":
        return StreamError(
            message=(
                _v12.message
                if (_v12 := (_v11.error if (_v11 := e.response) is not None else None)) is not None
                else None
            ),
            code=(
                _v14.code
                if (_v14 := (_v13.error if (_v13 := e.response) is not None else None)) is not None
                else None
            ),
        )
    if e.type == "response.output_text.delta":
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            if _t := e.delta:
                deltas.append(TextDelta(_t, key=e.item_id))

            raw_finish = None
            choice_deltas.append(ChoiceDelta(0, deltas, _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=None,
            model=None,
            usage=None,
        )
    if e.type == "response.reasoning_summary_text.delta":
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            _t, _s = e.delta, None
            if _t or _s:
                deltas.append(ReasoningDelta(_t or None, _s, e.item_id, id=e.item_id))

            raw_finish = None
            choice_deltas.append(ChoiceDelta(0, deltas, _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=None,
            model=None,
            usage=None,
        )
    if e.type == "response.reasoning_text.delta":
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            _t, _s = e.delta, None
            if _t or _s:
                deltas.append(ReasoningDelta(_t or None, _s, e.item_id, id=e.item_id))

            raw_finish = None
            choice_deltas.append(ChoiceDelta(0, deltas, _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=None,
            model=None,
            usage=None,
        )
    if (e.type == "response.output_item.added") and (
        (_v15.type if (_v15 := e.item) is not None else None) == "function_call"
    ):
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            deltas.append(
                ToolCallDelta(
                    first_present((_v19.id if (_v19 := e.item) is not None else None), None),
                    (_v16.call_id if (_v16 := e.item) is not None else None),
                    (_v17.name if (_v17 := e.item) is not None else None),
                    (_v18.arguments if (_v18 := e.item) is not None else None),
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
    if e.type == "response.function_call_arguments.delta":
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            deltas.append(
                ToolCallDelta(first_present(e.item_id, None), None, None, e.delta, continues=True)
            )

            raw_finish = None
            choice_deltas.append(ChoiceDelta(0, deltas, _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=None,
            model=None,
            usage=None,
        )
    if (e.type == "response.output_item.done") and (
        (_v20.type if (_v20 := e.item) is not None else None) == "reasoning"
    ):
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            _t, _s = None, (_v21.encrypted_content if (_v21 := e.item) is not None else None)
            if _t or _s:
                deltas.append(
                    ReasoningDelta(
                        _t or None,
                        _s,
                        (_v23.id if (_v23 := e.item) is not None else None),
                        id=(_v22.id if (_v22 := e.item) is not None else None),
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
    if e.type == "response.created":
        choice_deltas: list[ChoiceDelta] = []
        return ChatResponseChunk(
            choice_deltas,
            id=(_v24.id if (_v24 := e.response) is not None else None),
            model=(_v25.model if (_v25 := e.response) is not None else None),
            usage=None,
        )
    if e.type == "response.completed":
        choice_deltas: list[ChoiceDelta] = []
        raw_finish = first_present(
            (
                _v33.reason
                if (_v33 := (_v32.incomplete_details if (_v32 := e.response) is not None else None))
                is not None
                else None
            ),
            (_v34.status if (_v34 := e.response) is not None else None),
        )
        if raw_finish is not None:
            choice_deltas.append(ChoiceDelta(0, [], _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=(_v26.id if (_v26 := e.response) is not None else None),
            model=(_v27.model if (_v27 := e.response) is not None else None),
            usage=_usage_response_usage((_v29.usage if (_v29 := e.response) is not None else None)),
            service_tier=(_v28.service_tier if (_v28 := e.response) is not None else None),
        )
    if e.type == "response.incomplete":
        choice_deltas: list[ChoiceDelta] = []
        raw_finish = first_present(
            (
                _v40.reason
                if (_v40 := (_v39.incomplete_details if (_v39 := e.response) is not None else None))
                is not None
                else None
            ),
            (_v41.status if (_v41 := e.response) is not None else None),
        )
        if raw_finish is not None:
            choice_deltas.append(ChoiceDelta(0, [], _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=(_v35.id if (_v35 := e.response) is not None else None),
            model=(_v36.model if (_v36 := e.response) is not None else None),
            usage=_usage_response_usage((_v38.usage if (_v38 := e.response) is not None else None)),
            service_tier=(_v37.service_tier if (_v37 := e.response) is not None else None),
        )
    return None


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "error", "message"),
        dig(data, "error", "type"),
        dig(data, "error", "code"),
    )
