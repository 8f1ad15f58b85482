# generated from specs/protocols/gemini_generate_content.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `gemini_generate_content` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/gemini_generate_content.yaml."""

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
    ImageDelta,
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
from modelwire.generated.wire import gemini_generate_content as w

PROTOCOL = "gemini_generate_content"
FRAMING = "sse"
JSON_ARRAY = True
STREAM_DONE = None
USAGE_UPDATE = "replace"
KIND = "chat"
UNSUPPORTED: tuple[str, ...] = ()
MIN_OUTPUT_TOKENS: int | None = None
UNSIGNED_CALL: str | None = "skip_thought_signature_validator"
STREAMABLE = True
OPTIONS_PATH: str | None = ""
# what the request template builds: options may add keys inside BODY_OBJECTS, and may not
# overwrite BODY_FIELDS, save the OVERRIDABLE ones
BODY_FIELDS: frozenset[str] = frozenset(
    (
        "contents",
        "generationConfig.maxOutputTokens",
        "generationConfig.responseJsonSchema",
        "generationConfig.responseMimeType",
        "generationConfig.responseModalities",
        "generationConfig.seed",
        "generationConfig.stopSequences",
        "generationConfig.temperature",
        "generationConfig.thinkingConfig.includeThoughts",
        "generationConfig.thinkingConfig.thinkingBudget",
        "generationConfig.thinkingConfig.thinkingLevel",
        "generationConfig.topP",
        "systemInstruction.parts",
        "toolConfig",
        "tools",
    )
)
BODY_OBJECTS: frozenset[str] = frozenset(
    ("generationConfig", "generationConfig.thinkingConfig", "systemInstruction")
)
OVERRIDABLE: frozenset[str] = frozenset(())
FINISH_REASONS: dict[str, str] = {
    "STOP": "end_turn",
    "MAX_TOKENS": "max_tokens",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "FINISH_REASON_UNSPECIFIED": "other",
    "LANGUAGE": "other",
    "OTHER": "other",
    "MALFORMED_FUNCTION_CALL": "other",
    "IMAGE_PROHIBITED_CONTENT": "other",
    "IMAGE_OTHER": "other",
    "NO_IMAGE": "other",
    "IMAGE_RECITATION": "other",
    "UNEXPECTED_TOOL_CALL": "other",
    "TOO_MANY_TOOL_CALLS": "other",
    "MISSING_THOUGHT_SIGNATURE": "other",
    "MALFORMED_RESPONSE": "other",
    "CONTINUATION": "max_tokens",
    "ESCALATION": "content_filter",
    "PUP_LIMITED_DISABLED": "other",
    "BLOCK_REASON_UNSPECIFIED": "other",
    "BLOCKED_REASON_UNSPECIFIED": "other",
    "MODEL_ARMOR": "other",
    "JAILBREAK": "other",
}
FINISH_REASONS_WITH_TOOL_CALLS: dict[str, str] = {"STOP": "tool_use"}
REQUEST_ID_HEADERS: tuple[str, ...] = ()
ERROR_TYPE_HEADER: str | None = None
RETRY_STATUSES: frozenset[int] = frozenset((408, 429, 500, 502, 503, 504))
STATUS_KINDS: dict[int, str] = {}
ERROR_TYPES: dict[str, str] = {
    "INVALID_ARGUMENT": "bad_request",
    "FAILED_PRECONDITION": "bad_request",
    "UNAUTHENTICATED": "authentication",
    "PERMISSION_DENIED": "permission",
    "NOT_FOUND": "not_found",
    "RESOURCE_EXHAUSTED": "rate_limit",
    "INTERNAL": "server",
    "UNAVAILABLE": "server",
    "DEADLINE_EXCEEDED": "timeout",
}
CONTEXT_LENGTH_CODES: frozenset[str] = frozenset(())
CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None = None
TOOL_SCHEMA = "json_schema"
STRUCTURED_VIA: str | None = "native"
STRUCTURED_SCHEMA = "json_schema"
STRUCTURED_FALLBACK: str | None = "tool"
STRUCTURED_JSON_MODE = False

ROLES: dict[str, str] = {"user": "user", "assistant": "model", "tool": "user"}
DROPPED: frozenset[str] = frozenset(())
OWN_MESSAGE: frozenset[str] = frozenset(())


def _text_part(part: TextContent) -> Any:
    return compact({"text": part.text, "thoughtSignature": part.signature})


def _reasoning_part(part: ReasoningContent) -> Any:
    return compact({"text": part.text, "thought": True, "thoughtSignature": part.signature})


def _tool_call_part(part: ToolCallContent) -> Any:
    return compact(
        {
            "functionCall": compact(
                {"id": part.id, "name": part.name, "args": part.arguments_object()}
            ),
            "thoughtSignature": part.signature,
        }
    )


def _tool_result_part(part: ToolCallResult) -> Any:
    return {
        "functionResponse": compact(
            {"id": part.id, "name": part.name, "response": part.output_object()}
        )
    }


def _image_part(part: MediaContent | ImageContent) -> Any:
    return compact(
        {
            "inlineData": {"mimeType": part.media_type, "data": part.base64()},
            "thoughtSignature": part.signature,
        }
    )


def _document_part(part: MediaContent | ImageContent) -> Any:
    return compact(
        {
            "inlineData": {"mimeType": part.media_type, "data": part.base64()},
            "thoughtSignature": part.signature,
        }
    )


def _audio_part(part: MediaContent | ImageContent) -> Any:
    return compact(
        {
            "inlineData": {"mimeType": part.media_type, "data": part.base64()},
            "thoughtSignature": part.signature,
        }
    )


def _image_url_part(part: MediaContent | ImageContent) -> Any:
    return {"fileData": compact({"mimeType": part.media_type, "fileUri": part.url})}


def _document_url_part(part: MediaContent | ImageContent) -> Any:
    return {"fileData": compact({"mimeType": part.media_type, "fileUri": part.url})}


def _audio_url_part(part: MediaContent | ImageContent) -> Any:
    return {"fileData": compact({"mimeType": part.media_type, "fileUri": part.url})}


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        if isinstance(part, TextContent):
            out.append(_text_part(part))
        elif isinstance(part, ReasoningContent) and not part.redacted:
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
            elif kind == "audio":
                out.append(_audio_part(part))
            elif kind == "image_url":
                out.append(_image_url_part(part))
            elif kind == "document_url":
                out.append(_document_url_part(part))
            elif kind == "audio_url":
                out.append(_audio_url_part(part))
            elif part.type not in DROPPED:
                raise unsupported_content(PROTOCOL, kind)
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, part_kind(part))
    return out


def _message(role: str, parts: list[ContentItem], keep: frozenset[str]) -> dict[str, Any]:
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    parts = [TextContent(p.text) if isinstance(p, RefusalContent) else p for p in parts]
    content: Any = _parts(parts)
    return {"role": role, "parts": content}


def _messages(call: Call) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for role, parts in wire_turns(call.messages, ROLES, True, PROTOCOL):
        out.append(_message(role, parts, call.keep))
    return out


def _tools(call: Call) -> list[Any] | None:
    return [
        compact(
            {"name": tool.name, "description": tool.description, "parametersJsonSchema": parameters}
        )
        for tool, parameters in call.tools
    ] or None


def _tool_choice(call: Call) -> Any:
    choice = call.tool_choice
    if choice is None:
        return None
    if choice.mode == "auto":
        return {"functionCallingConfig": {"mode": "AUTO"}}
    if choice.mode == "none":
        return {"functionCallingConfig": {"mode": "NONE"}}
    if choice.mode == "required":
        return {"functionCallingConfig": {"mode": "ANY"}}
    if choice.mode == "tool":
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [choice.name]}}
    raise unsupported_choice(PROTOCOL, choice.mode, ("auto", "none", "required", "tool"))


def _generation_config(call: Call) -> Any:
    cfg = call.config
    return compact_or_none(
        {
            "maxOutputTokens": cfg.max_output_tokens,
            "temperature": cfg.temperature,
            "topP": cfg.top_p,
            "stopSequences": call.stop_list(),
            "seed": cfg.seed,
            "thinkingConfig": compact_or_none(
                {
                    "thinkingBudget": call.reasoning_budget(),
                    "thinkingLevel": cfg.reasoning_effort,
                    "includeThoughts": (True if cfg.reasoning else None),
                }
            ),
            "responseModalities": (["TEXT", "IMAGE"] if call.image_output() else None),
            "responseMimeType": ("application/json" if call.structured_native() else None),
            "responseJsonSchema": call.structured_schema,
        }
    )


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    body: dict[str, Any] = {}
    body["contents"] = _messages(call)
    if call.system:
        body["systemInstruction"] = {"parts": [compact_or_none({"text": call.system})]}
    if (generation_config := _generation_config(call)) is not None:
        body["generationConfig"] = generation_config
    if call.tools:
        body["tools"] = [compact_or_none({"functionDeclarations": _tools(call)})]
    if (tool_config := _tool_choice(call)) is not None:
        body["toolConfig"] = tool_config
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_usage_metadata(u: w.UsageMetadata | None) -> Usage | None:
    if u is None:
        return None
    thoughts_token_count = u.thoughtsTokenCount
    return Usage(
        prompt_tokens=u.promptTokenCount,
        completion_tokens=sum_present(u.candidatesTokenCount, thoughts_token_count),
        reasoning_tokens=thoughts_token_count,
        cache_read_tokens=u.cachedContentTokenCount,
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.UsageMetadata):
        return _usage_usage_metadata(u)
    return None


_decode_response = lenient(w.GenerateContentResponse.__pydantic_validator__)


def _response_choice(candidate: w.Candidate) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    content = candidate.content
    if content is not None:
        parts = content.parts
        if parts:
            for part in parts:
                function_call = part.functionCall
                inline_data = part.inlineData
                if part.thought:
                    text, signature = part.text, part.thoughtSignature
                    if text or signature:
                        contents.append(ReasoningContent(text or None, signature))
                elif function_call:
                    contents.append(
                        tool_call(
                            function_call.id,
                            function_call.name,
                            function_call.args,
                            part.thoughtSignature,
                        )
                    )
                elif inline_data:
                    if data := inline_data.data:
                        contents.append(
                            ImageContent(
                                data,
                                None,
                                inline_data.mimeType,
                                None,
                                signature=part.thoughtSignature,
                            )
                        )
                else:
                    text, signature = part.text, part.thoughtSignature
                    if text or signature:
                        contents.append(TextContent(text or "", signature=signature))
    finish_reason = candidate.finishReason
    return ChatResponseChoice(candidate.index or 0, _finish(finish_reason), contents, finish_reason)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.GenerateContentResponse = _decode_response(raw)
    error = r.error
    candidates = r.candidates
    if error and not candidates:
        return StreamError(message=error.message, type=error.status, status=error.code)
    choices = [_response_choice(candidate) for candidate in candidates or ()]
    if not choices:
        prompt_feedback = r.promptFeedback
        raw_finish = prompt_feedback.blockReason if prompt_feedback is not None else None
        if raw_finish is not None:
            choices.append(ChatResponseChoice(0, _finish(raw_finish), [], raw_finish))
    return ParsedResponse(
        choices=choices,
        usage=_usage_usage_metadata(r.usageMetadata),
        id=r.responseId,
        model=r.modelVersion,
        wire=r,
    )


# the model's validator itself: once per event, pydantic's classmethod wrapper costs ~10 %
_validate_event = lenient(w.GenerateContentResponse.__pydantic_validator__)


def _on_block_reason(e: w.GenerateContentResponse) -> ChatResponseChunk:
    choice_deltas: list[ChoiceDelta] = []
    prompt_feedback = e.promptFeedback
    raw_finish = prompt_feedback.blockReason if prompt_feedback is not None else None
    if raw_finish is not None:
        choice_deltas.append(ChoiceDelta(0, [], _finish(raw_finish), raw_finish))
    return ChatResponseChunk(
        choice_deltas,
        id=e.responseId,
        model=e.modelVersion,
        usage=_usage_usage_metadata(e.usageMetadata),
    )


def _choice_delta(candidate: w.Candidate) -> ChoiceDelta:
    deltas: list[ContentDelta] = []
    content = candidate.content
    if content is not None:
        parts = content.parts
        if parts:
            for position, part in enumerate(parts):
                function_call = part.functionCall
                inline_data = part.inlineData
                if part.thought:
                    text, signature = part.text, part.thoughtSignature
                    if text or signature:
                        deltas.append(ReasoningDelta(text or None, signature, None))
                elif function_call:
                    deltas.append(
                        ToolCallDelta(
                            position,
                            function_call.id,
                            function_call.name,
                            function_call.args,
                            whole=True,
                            signature=part.thoughtSignature,
                        )
                    )
                elif inline_data:
                    if data := inline_data.data:
                        deltas.append(
                            ImageDelta(
                                data,
                                None,
                                inline_data.mimeType,
                                None,
                                signature=part.thoughtSignature,
                            )
                        )
                else:
                    text, signature = part.text, part.thoughtSignature
                    if text or signature:
                        deltas.append(TextDelta(text or "", signature=signature))
    finish_reason = candidate.finishReason
    return ChoiceDelta(candidate.index or 0, deltas, _finish(finish_reason), finish_reason)


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.GenerateContentResponse = _validate_event(data)
    error = e.error
    candidates = e.candidates
    if error and not candidates:
        return StreamError(message=error.message, type=error.status, status=error.code)
    prompt_feedback = e.promptFeedback
    if not candidates and prompt_feedback is not None and prompt_feedback.blockReason:
        return _on_block_reason(e)
    choice_deltas = [_choice_delta(candidate) for candidate in candidates or ()]
    return ChatResponseChunk(
        choice_deltas,
        id=e.responseId,
        model=e.modelVersion,
        usage=_usage_usage_metadata(e.usageMetadata),
    )


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "error", "message"),
        dig(data, "error", "status"),
        dig(data, "error", "code"),
    )
