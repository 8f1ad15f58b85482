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
    join_text,
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
    "malformed_model_output": "other",
    "malformed_tool_use": "other",
}
FINISH_REASONS_WITH_TOOL_CALLS: dict[str, str] = {}
REQUEST_ID_HEADERS: tuple[str, ...] = ("x-amzn-requestid",)
ERROR_TYPE_HEADER: str | None = "x-amzn-errortype"
RETRY_STATUSES: frozenset[int] = frozenset((408, 429, 500, 502, 503, 504))
STATUS_KINDS: dict[int, str] = {}
ERROR_TYPES: dict[str, str] = {
    "validationException": "bad_request",
    "throttlingException": "rate_limit",
    "internalServerException": "server",
    "serviceUnavailableException": "server",
    "modelStreamErrorException": "server",
    "modelTimeoutException": "timeout",
    "accessDeniedException": "permission",
    "resourceNotFoundException": "not_found",
    "serviceQuotaExceededException": "rate_limit",
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


def _reasoning_part(part: ReasoningContent) -> Any:
    return compact_or_none(
        {
            "reasoningContent": compact_or_none(
                {"reasoningText": compact_or_none({"text": part.text, "signature": part.signature})}
            )
        }
    )


def _tool_call_part(part: ToolCallContent) -> Any:
    return {
        "toolUse": compact(
            {"toolUseId": part.id, "name": part.name, "input": part.arguments_object()}
        )
    }


def _tool_result_part(part: ToolCallResult) -> Any:
    return {
        "toolResult": compact(
            {
                "toolUseId": part.id,
                "content": [{"text": part.output_text()}],
                "status": ("error" if part.is_error else None),
            }
        )
    }


def _image_part(part: MediaContent | ImageContent) -> Any:
    return {"image": {"format": part.format(), "source": {"bytes": part.base64()}}}


def _document_part(part: MediaContent | ImageContent) -> Any:
    return {
        "document": {
            "format": part.format(),
            "name": part.document_name(),
            "source": {"bytes": part.base64()},
        }
    }


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        if isinstance(part, TextContent):
            out.append({"text": part.text})
        elif isinstance(part, ReasoningContent):
            if part.redacted:
                out.append({"reasoningContent": {"redactedContent": part.signature}})
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
            elif kind == "document":
                out.append(_document_part(part))
            elif part.type not in DROPPED:
                raise unsupported_content(PROTOCOL, kind)
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, part_kind(part))
    return out


def _message(role: str, parts: list[ContentItem], keep: frozenset[str]) -> dict[str, Any]:
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    parts = [TextContent(p.text) if isinstance(p, RefusalContent) else p for p in parts]
    content: Any = _parts(parts)
    return {"role": role, "content": content}


def _messages(call: Call) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for role, parts in wire_turns(call.messages, ROLES, True, PROTOCOL):
        out.append(_message(role, parts, call.keep))
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


def _inference_config(call: Call) -> Any:
    cfg = call.config
    return compact_or_none(
        {
            "maxTokens": cfg.max_output_tokens,
            "temperature": cfg.temperature,
            "topP": cfg.top_p,
            "stopSequences": call.stop_list(),
        }
    )


def _additional_model_request_fields(call: Call) -> Any:
    return compact_or_none(
        {
            "thinking": (
                compact({"type": "enabled", "budget_tokens": call.reasoning_budget_or_min()})
                if call.reasoning_budget_or_min()
                else None
            )
        }
    )


def _output_config(call: Call) -> Any:
    return compact_or_none(
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


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    body: dict[str, Any] = {}
    body["messages"] = _messages(call)
    if call.system:
        body["system"] = [compact_or_none({"text": call.system})]
    if (inference_config := _inference_config(call)) is not None:
        body["inferenceConfig"] = inference_config
    if (additional_model_request_fields := _additional_model_request_fields(call)) is not None:
        body["additionalModelRequestFields"] = additional_model_request_fields
    if (
        tool_config := compact_or_none({"tools": _tools(call), "toolChoice": _tool_choice(call)})
    ) is not None:
        body["toolConfig"] = tool_config
    if (output_config := _output_config(call)) is not None:
        body["outputConfig"] = output_config
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_token_usage(u: w.TokenUsage | None) -> Usage | None:
    if u is None:
        return None
    cache_read_input_tokens = u.cacheReadInputTokens
    cache_write_input_tokens = u.cacheWriteInputTokens
    return Usage(
        prompt_tokens=sum_present(u.inputTokens, cache_read_input_tokens, cache_write_input_tokens),
        completion_tokens=u.outputTokens,
        cache_read_tokens=cache_read_input_tokens,
        cache_write_tokens=cache_write_input_tokens,
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.TokenUsage):
        return _usage_token_usage(u)
    return None


_decode_response = lenient(w.ConverseResponse.__pydantic_validator__)


def _response_choice(r: w.ConverseResponse) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    output = r.output
    if output is not None:
        message = output.message
        if message is not None:
            content = message.content
            if content:
                for content_item in content:
                    reasoning_content = content_item.reasoningContent
                    tool_use = content_item.toolUse
                    citations_content = content_item.citationsContent
                    content_item_text = content_item.text
                    redacted_content = (
                        reasoning_content.redactedContent if reasoning_content is not None else None
                    )
                    if redacted_content:
                        if signature := redacted_content:
                            contents.append(ReasoningContent(None, signature, redacted=True))
                    elif reasoning_content:
                        reasoning_text = reasoning_content.reasoningText
                        text, signature = (
                            (reasoning_text.text if reasoning_text is not None else None),
                            (reasoning_text.signature if reasoning_text is not None else None),
                        )
                        if text or signature:
                            contents.append(ReasoningContent(text or None, signature))
                    elif tool_use and tool_use.type != "server_tool_use":
                        contents.append(
                            tool_call(tool_use.toolUseId, tool_use.name, tool_use.input)
                        )
                    elif citations_content:
                        if text := join_text(citations_content.content, "text"):
                            contents.append(TextContent(text))
                    elif content_item_text:
                        if text := content_item_text:
                            contents.append(TextContent(text))
    stop_reason = r.stopReason
    return ChatResponseChoice(0, _finish(stop_reason), contents, stop_reason)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.ConverseResponse = _decode_response(raw)
    choices = [_response_choice(r)]
    return ParsedResponse(
        choices=choices, usage=_usage_token_usage(r.usage), id=None, model=None, wire=r
    )


# the model's validator itself: once per event, pydantic's classmethod wrapper costs ~10 %
_validate_event = lenient(w.StreamEvent.__pydantic_validator__)


def _on_content_block_start(e: w.StreamEvent) -> ChatResponseChunk:
    deltas: list[ContentDelta] = []
    content_block_start = e.contentBlockStart
    start = content_block_start.start if content_block_start is not None else None
    tool_use = start.toolUse if start is not None else None
    if tool_use and tool_use.type != "server_tool_use":
        deltas.append(
            ToolCallDelta(
                (
                    content_block_start.contentBlockIndex
                    if content_block_start is not None
                    else None
                ),
                tool_use.toolUseId,
                tool_use.name,
                None,
            )
        )
    choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas)]
    return ChatResponseChunk(choice_deltas)


def _on_content_block_delta(e: w.StreamEvent) -> ChatResponseChunk:
    deltas: list[ContentDelta] = []
    content_block_delta = e.contentBlockDelta
    if content_block_delta is not None:
        delta = content_block_delta.delta
        if delta is not None:
            content_block_index = content_block_delta.contentBlockIndex
            if text := delta.text:
                deltas.append(TextDelta(text, key=content_block_index))
            reasoning_content = delta.reasoningContent
            if reasoning_content is not None:
                text, signature = reasoning_content.text, reasoning_content.signature
                if text or signature:
                    deltas.append(ReasoningDelta(text or None, signature, content_block_index))
                if signature := reasoning_content.redactedContent:
                    deltas.append(
                        ReasoningDelta(None, signature, content_block_index, redacted=True)
                    )
            tool_use = delta.toolUse
            if tool_use:
                deltas.append(
                    ToolCallDelta(content_block_index, None, None, tool_use.input, continues=True)
                )
    choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas)]
    return ChatResponseChunk(choice_deltas)


def _on_message_stop(e: w.StreamEvent) -> ChatResponseChunk:
    choice_deltas: list[ChoiceDelta] = []
    message_stop = e.messageStop
    raw_finish = message_stop.stopReason if message_stop is not None else None
    if raw_finish is not None:
        choice_deltas.append(ChoiceDelta(0, [], _finish(raw_finish), raw_finish))
    return ChatResponseChunk(choice_deltas)


def _on_metadata(e: w.StreamEvent) -> ChatResponseChunk:
    metadata = e.metadata
    return ChatResponseChunk(
        [], usage=_usage_token_usage((metadata.usage if metadata is not None else None))
    )


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.StreamEvent = _validate_event(data)
    exception = e.exception
    if exception:
        return StreamError(message=exception.message, type=exception.type)
    if e.contentBlockStart:
        return _on_content_block_start(e)
    if e.contentBlockDelta:
        return _on_content_block_delta(e)
    if e.messageStop:
        return _on_message_stop(e)
    if e.metadata:
        return _on_metadata(e)
    return None


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "message"),
        None,
        None,
    )
