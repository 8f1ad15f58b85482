# generated from specs/protocols/bedrock_converse.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `bedrock_converse` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/bedrock_converse.yaml."""

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
from modelwire.generated.wire import bedrock_converse as w

PROTOCOL = "bedrock_converse"
FRAMING = "aws_eventstream"
JSON_ARRAY = False
STREAM_DONE = None
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
        "additionalModelRequestFields.thinking.budget_tokens",
        "additionalModelRequestFields.thinking.type",
        "inferenceConfig.maxTokens",
        "inferenceConfig.stopSequences",
        "inferenceConfig.temperature",
        "inferenceConfig.topP",
        "messages",
        "outputConfig.textFormat.structure.jsonSchema.name",
        "outputConfig.textFormat.structure.jsonSchema.schema",
        "outputConfig.textFormat.type",
        "system",
        "toolConfig.toolChoice",
        "toolConfig.tools",
    )
)
BODY_OBJECTS: frozenset[str] = frozenset(
    (
        "additionalModelRequestFields",
        "additionalModelRequestFields.thinking",
        "inferenceConfig",
        "outputConfig",
        "outputConfig.textFormat",
        "outputConfig.textFormat.structure",
        "outputConfig.textFormat.structure.jsonSchema",
        "toolConfig",
    )
)
OVERRIDABLE: frozenset[str] = frozenset(("system",))
FINISH_REASONS: dict[str, str] = {
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
    "model_context_window_exceeded": "other",
}
FINISH_REASONS_WITH_TOOL_CALLS: dict[str, str] = {}
REQUEST_ID_HEADERS: tuple[str, ...] = ("x-amzn-requestid",)
ERROR_TYPE_HEADER: str | None = "x-amzn-errortype"
RETRY_STATUSES: frozenset[int] = frozenset((408, 429, 500, 502, 503, 504))
STATUS_KINDS: dict[int, str] = {}
ERROR_TYPES: dict[str, str] = {
    "validationException": "bad_request",
    "accessDeniedException": "permission",
    "resourceNotFoundException": "not_found",
    "throttlingException": "rate_limit",
    "serviceQuotaExceededException": "rate_limit",
    "internalServerException": "server",
    "serviceUnavailableException": "server",
    "modelStreamErrorException": "server",
    "modelTimeoutException": "timeout",
}
CONTEXT_LENGTH_CODES: frozenset[str] = frozenset(())
CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None = None
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
            out.append({"text": part.text})
        elif kind == "reasoning":
            out.append(
                compact_or_none(
                    {
                        "reasoningContent": compact_or_none(
                            {
                                "reasoningText": compact_or_none(
                                    {"text": part.text, "signature": part.signature}
                                )
                            }
                        )
                    }
                )
            )
        elif kind == "redacted_reasoning":
            out.append({"reasoningContent": {"redactedContent": part.signature}})
        elif kind == "tool_call":
            out.append(
                {
                    "toolUse": compact(
                        {"toolUseId": part.id, "name": part.name, "input": part.arguments_object()}
                    )
                }
            )
        elif kind == "tool_result":
            out.append(
                {
                    "toolResult": compact(
                        {
                            "toolUseId": part.id,
                            "content": [{"text": part.output_text()}],
                            "status": ("error" if part.is_error else None),
                        }
                    )
                }
            )
        elif kind == "image":
            out.append({"image": {"format": part.format(), "source": {"bytes": part.base64()}}})
        elif kind == "document":
            out.append(
                {
                    "document": {
                        "format": part.format(),
                        "name": part.document_name(),
                        "source": {"bytes": part.base64()},
                    }
                }
            )
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, kind)
    return out


def _message(role: str, parts: list[ContentItem], keep: frozenset[str]) -> dict[str, Any]:
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    content: Any = _parts(parts)
    return {"role": role, "content": content}


def _messages(call: Call) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for role, parts in wire_turns(call.messages, ROLES, OWN_MESSAGE, True, PROTOCOL):
        out.append(_message(role, parts, call.keep))  # type: ignore[arg-type]
    return out


def _tools(call: Call) -> list[Any] | None:
    return [
        {
            "toolSpec": compact(
                {
                    "name": tool.name,
                    "description": tool.description,
                    "inputSchema": {"json": parameters},
                }
            )
        }
        for tool, parameters in call.tools
    ] or None


def _tool_choice(call: Call) -> Any:
    choice = call.tool_choice
    if choice is None:
        return None
    if choice.mode == "auto":
        return {"auto": {}}
    if choice.mode == "required":
        return {"any": {}}
    if choice.mode == "tool":
        return {"tool": {"name": choice.name}}
    raise unsupported_choice(PROTOCOL, choice.mode, ("auto", "required", "tool"))


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    cfg = call.config
    body: dict[str, Any] = {}
    body["messages"] = _messages(call)
    if call.system:
        body["system"] = [compact_or_none({"text": call.system})]
    if (
        _x := compact_or_none(
            {
                "maxTokens": cfg.max_output_tokens,
                "temperature": cfg.temperature,
                "topP": cfg.top_p,
                "stopSequences": call.stop_list(),
            }
        )
    ) is not None:
        body["inferenceConfig"] = _x
    if (
        _x := compact_or_none(
            {
                "thinking": (
                    compact({"type": "enabled", "budget_tokens": call.reasoning_budget_or_min()})
                    if call.reasoning_budget_or_min()
                    else None
                )
            }
        )
    ) is not None:
        body["additionalModelRequestFields"] = _x
    if (
        _x := compact_or_none({"tools": _tools(call), "toolChoice": _tool_choice(call)})
    ) is not None:
        body["toolConfig"] = _x
    if (
        _x := compact_or_none(
            {
                "textFormat": (
                    compact(
                        {
                            "type": "json_schema",
                            "structure": compact_or_none(
                                {
                                    "jsonSchema": compact_or_none(
                                        {
                                            "schema": call.structured_schema_json(),
                                            "name": call.structured_name(),
                                        }
                                    )
                                }
                            ),
                        }
                    )
                    if call.structured_native()
                    else None
                )
            }
        )
    ) is not None:
        body["outputConfig"] = _x
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_token_usage(u: w.TokenUsage | None) -> Usage | None:
    if u is None:
        return None
    return Usage(
        prompt_tokens=sum_present(u.inputTokens, u.cacheReadInputTokens, u.cacheWriteInputTokens),
        completion_tokens=u.outputTokens,
        cache_read_tokens=u.cacheReadInputTokens,
        cache_write_tokens=u.cacheWriteInputTokens,
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.TokenUsage):
        return _usage_token_usage(u)
    return None


_decode_response = lenient(w.ConverseResponse.__pydantic_validator__)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.ConverseResponse = _decode_response(raw)
    choices: list[ChatResponseChoice] = []
    if True:
        contents: list[ContentItem] = []
        for _i4, _e3 in enumerate(
            (
                _v2.content
                if (_v2 := (_v1.message if (_v1 := r.output) is not None else None)) is not None
                else None
            )
            or ()
        ):
            if _v5.redactedContent if (_v5 := _e3.reasoningContent) is not None else None:
                _t, _s = (
                    None,
                    (_v6.redactedContent if (_v6 := _e3.reasoningContent) is not None else None),
                )
                if _t or _s:
                    contents.append(ReasoningContent(_t or None, _s, redacted=True))

            elif _e3.reasoningContent:
                _t, _s = (
                    (
                        _v8.text
                        if (
                            _v8 := (
                                _v7.reasoningText
                                if (_v7 := _e3.reasoningContent) is not None
                                else None
                            )
                        )
                        is not None
                        else None
                    ),
                    (
                        _v10.signature
                        if (
                            _v10 := (
                                _v9.reasoningText
                                if (_v9 := _e3.reasoningContent) is not None
                                else None
                            )
                        )
                        is not None
                        else None
                    ),
                )
                if _t or _s:
                    contents.append(ReasoningContent(_t or None, _s))

            elif (_e3.toolUse) and (
                (_v11.type if (_v11 := _e3.toolUse) is not None else None) != "server_tool_use"
            ):
                contents.append(
                    tool_call(
                        (_v12.toolUseId if (_v12 := _e3.toolUse) is not None else None),
                        (_v13.name if (_v13 := _e3.toolUse) is not None else None),
                        (_v14.input if (_v14 := _e3.toolUse) is not None else None),
                    )
                )

            elif _e3.text:
                if _t := _e3.text:
                    contents.append(TextContent(_t))

        raw_finish = r.stopReason
        choices.append(ChatResponseChoice(0, _finish(raw_finish), contents, raw_finish))
    return ParsedResponse(
        choices=choices,
        usage=_usage_token_usage(r.usage),
        id=None,
        model=None,
        wire=r,
    )


# the model's validator itself: once per event, pydantic's classmethod wrapper costs ~10 %
_validate_event = lenient(w.StreamEvent.__pydantic_validator__)


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.StreamEvent = _validate_event(data)
    if e.exception:
        return StreamError(
            message=(_v15.message if (_v15 := e.exception) is not None else None),
            type=(_v16.type if (_v16 := e.exception) is not None else None),
        )
    if e.contentBlockStart:
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            if (
                _v18.toolUse
                if (_v18 := (_v17.start if (_v17 := e.contentBlockStart) is not None else None))
                is not None
                else None
            ) and (
                (
                    _v21.type
                    if (
                        _v21 := (
                            _v20.toolUse
                            if (
                                _v20 := (
                                    _v19.start
                                    if (_v19 := e.contentBlockStart) is not None
                                    else None
                                )
                            )
                            is not None
                            else None
                        )
                    )
                    is not None
                    else None
                )
                != "server_tool_use"
            ):
                deltas.append(
                    ToolCallDelta(
                        first_present(
                            (
                                _v28.contentBlockIndex
                                if (_v28 := e.contentBlockStart) is not None
                                else None
                            ),
                            None,
                        ),
                        (
                            _v24.toolUseId
                            if (
                                _v24 := (
                                    _v23.toolUse
                                    if (
                                        _v23 := (
                                            _v22.start
                                            if (_v22 := e.contentBlockStart) is not None
                                            else None
                                        )
                                    )
                                    is not None
                                    else None
                                )
                            )
                            is not None
                            else None
                        ),
                        (
                            _v27.name
                            if (
                                _v27 := (
                                    _v26.toolUse
                                    if (
                                        _v26 := (
                                            _v25.start
                                            if (_v25 := e.contentBlockStart) is not None
                                            else None
                                        )
                                    )
                                    is not None
                                    else None
                                )
                            )
                            is not None
                            else None
                        ),
                        None,
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
    if e.contentBlockDelta:
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            if _t := (
                _v30.text
                if (_v30 := (_v29.delta if (_v29 := e.contentBlockDelta) is not None else None))
                is not None
                else None
            ):
                deltas.append(
                    TextDelta(
                        _t,
                        key=(
                            _v31.contentBlockIndex
                            if (_v31 := e.contentBlockDelta) is not None
                            else None
                        ),
                    )
                )

            _t, _s = (
                (
                    _v34.text
                    if (
                        _v34 := (
                            _v33.reasoningContent
                            if (
                                _v33 := (
                                    _v32.delta
                                    if (_v32 := e.contentBlockDelta) is not None
                                    else None
                                )
                            )
                            is not None
                            else None
                        )
                    )
                    is not None
                    else None
                ),
                (
                    _v37.signature
                    if (
                        _v37 := (
                            _v36.reasoningContent
                            if (
                                _v36 := (
                                    _v35.delta
                                    if (_v35 := e.contentBlockDelta) is not None
                                    else None
                                )
                            )
                            is not None
                            else None
                        )
                    )
                    is not None
                    else None
                ),
            )
            if _t or _s:
                deltas.append(
                    ReasoningDelta(
                        _t or None,
                        _s,
                        (
                            _v38.contentBlockIndex
                            if (_v38 := e.contentBlockDelta) is not None
                            else None
                        ),
                    )
                )

            if (
                _v41.redactedContent
                if (
                    _v41 := (
                        _v40.reasoningContent
                        if (
                            _v40 := (
                                _v39.delta if (_v39 := e.contentBlockDelta) is not None else None
                            )
                        )
                        is not None
                        else None
                    )
                )
                is not None
                else None
            ):
                _t, _s = (
                    None,
                    (
                        _v44.redactedContent
                        if (
                            _v44 := (
                                _v43.reasoningContent
                                if (
                                    _v43 := (
                                        _v42.delta
                                        if (_v42 := e.contentBlockDelta) is not None
                                        else None
                                    )
                                )
                                is not None
                                else None
                            )
                        )
                        is not None
                        else None
                    ),
                )
                if _t or _s:
                    deltas.append(
                        ReasoningDelta(
                            _t or None,
                            _s,
                            (
                                _v45.contentBlockIndex
                                if (_v45 := e.contentBlockDelta) is not None
                                else None
                            ),
                            redacted=True,
                        )
                    )

            if (
                _v47.toolUse
                if (_v47 := (_v46.delta if (_v46 := e.contentBlockDelta) is not None else None))
                is not None
                else None
            ):
                deltas.append(
                    ToolCallDelta(
                        first_present(
                            (
                                _v51.contentBlockIndex
                                if (_v51 := e.contentBlockDelta) is not None
                                else None
                            ),
                            None,
                        ),
                        None,
                        None,
                        (
                            _v50.input
                            if (
                                _v50 := (
                                    _v49.toolUse
                                    if (
                                        _v49 := (
                                            _v48.delta
                                            if (_v48 := e.contentBlockDelta) is not None
                                            else None
                                        )
                                    )
                                    is not None
                                    else None
                                )
                            )
                            is not None
                            else None
                        ),
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
    if e.messageStop:
        choice_deltas: list[ChoiceDelta] = []
        raw_finish = _v52.stopReason if (_v52 := e.messageStop) is not None else None
        if raw_finish is not None:
            choice_deltas.append(ChoiceDelta(0, [], _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=None,
            model=None,
            usage=None,
        )
    if e.metadata:
        choice_deltas: list[ChoiceDelta] = []
        return ChatResponseChunk(
            choice_deltas,
            id=None,
            model=None,
            usage=_usage_token_usage((_v53.usage if (_v53 := e.metadata) is not None else None)),
        )
    return None


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "message"),
        None,
        None,
    )
