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
    "BLOCK_REASON_UNSPECIFIED": "other",
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


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        kind = part_kind(part)
        if kind == "text":
            out.append(compact({"text": part.text, "thoughtSignature": part.signature}))
        elif kind == "reasoning":
            out.append(
                compact({"text": part.text, "thought": True, "thoughtSignature": part.signature})
            )
        elif kind == "tool_call":
            out.append(
                compact(
                    {
                        "functionCall": compact(
                            {"id": part.id, "name": part.name, "args": part.arguments_object()}
                        ),
                        "thoughtSignature": part.signature,
                    }
                )
            )
        elif kind == "tool_result":
            out.append(
                {
                    "functionResponse": compact(
                        {"id": part.id, "name": part.name, "response": part.output_object()}
                    )
                }
            )
        elif kind == "image":
            out.append(
                compact(
                    {
                        "inlineData": {"mimeType": part.media_type, "data": part.base64()},
                        "thoughtSignature": part.signature,
                    }
                )
            )
        elif kind == "document":
            out.append(
                compact(
                    {
                        "inlineData": {"mimeType": part.media_type, "data": part.base64()},
                        "thoughtSignature": part.signature,
                    }
                )
            )
        elif kind == "audio":
            out.append(
                compact(
                    {
                        "inlineData": {"mimeType": part.media_type, "data": part.base64()},
                        "thoughtSignature": part.signature,
                    }
                )
            )
        elif kind == "image_url":
            out.append({"fileData": compact({"mimeType": part.media_type, "fileUri": part.url})})
        elif kind == "document_url":
            out.append({"fileData": compact({"mimeType": part.media_type, "fileUri": part.url})})
        elif kind == "audio_url":
            out.append({"fileData": compact({"mimeType": part.media_type, "fileUri": part.url})})
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, kind)
    return out


def _message(role: str, parts: list[ContentItem], keep: frozenset[str]) -> dict[str, Any]:
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    content: Any = _parts(parts)
    return {"role": role, "parts": content}


def _messages(call: Call) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for role, parts in wire_turns(call.messages, ROLES, OWN_MESSAGE, True, PROTOCOL):
        out.append(_message(role, parts, call.keep))  # type: ignore[arg-type]
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


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    cfg = call.config
    body: dict[str, Any] = {}
    body["contents"] = _messages(call)
    if call.system:
        body["systemInstruction"] = {"parts": [compact_or_none({"text": call.system})]}
    if (
        _x := compact_or_none(
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
    ) is not None:
        body["generationConfig"] = _x
    if call.tools:
        body["tools"] = [compact_or_none({"functionDeclarations": _tools(call)})]
    if (_x := _tool_choice(call)) is not None:
        body["toolConfig"] = _x
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_usage_metadata(u: w.UsageMetadata | None) -> Usage | None:
    if u is None:
        return None
    return Usage(
        prompt_tokens=u.promptTokenCount,
        completion_tokens=sum_present(u.candidatesTokenCount, u.thoughtsTokenCount),
        reasoning_tokens=u.thoughtsTokenCount,
        cache_read_tokens=u.cachedContentTokenCount,
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.UsageMetadata):
        return _usage_usage_metadata(u)
    return None


_decode_response = lenient(w.GenerateContentResponse.__pydantic_validator__)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.GenerateContentResponse = _decode_response(raw)
    if (r.error) and (not r.candidates):
        return StreamError(
            message=(_v10.message if (_v10 := r.error) is not None else None),
            type=(_v11.status if (_v11 := r.error) is not None else None),
            status=(_v12.code if (_v12 := r.error) is not None else None),
        )
    choices: list[ChatResponseChoice] = []
    for _c1 in r.candidates or ():
        contents: list[ContentItem] = []
        for _i4, _e3 in enumerate((_v2.parts if (_v2 := _c1.content) is not None else None) or ()):
            if _e3.thought:
                _t, _s = _e3.text, _e3.thoughtSignature
                if _t or _s:
                    contents.append(ReasoningContent(_t or None, _s))

            elif _e3.functionCall:
                contents.append(
                    tool_call(
                        (_v5.id if (_v5 := _e3.functionCall) is not None else None),
                        (_v6.name if (_v6 := _e3.functionCall) is not None else None),
                        (_v7.args if (_v7 := _e3.functionCall) is not None else None),
                        _e3.thoughtSignature,
                    )
                )

            elif _e3.inlineData:
                _d, _u = (_v8.data if (_v8 := _e3.inlineData) is not None else None), None
                if _d or _u:
                    contents.append(
                        ImageContent(
                            _d,
                            _u,
                            (_v9.mimeType if (_v9 := _e3.inlineData) is not None else None),
                            None,
                            signature=_e3.thoughtSignature,
                        )
                    )

            else:
                _t, _s = _e3.text, _e3.thoughtSignature
                if _t or _s:
                    contents.append(TextContent(_t or "", signature=_s))

        raw_finish = _c1.finishReason
        choices.append(
            ChatResponseChoice((_c1.index or 0), _finish(raw_finish), contents, raw_finish)
        )
    if (
        not choices
        and (raw_finish := (_v27.blockReason if (_v27 := r.promptFeedback) is not None else None))
        is not None
    ):
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


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.GenerateContentResponse = _validate_event(data)
    if (e.error) and (not e.candidates):
        return StreamError(
            message=(_v13.message if (_v13 := e.error) is not None else None),
            type=(_v14.status if (_v14 := e.error) is not None else None),
            status=(_v15.code if (_v15 := e.error) is not None else None),
        )
    if (not e.candidates) and (
        _v16.blockReason if (_v16 := e.promptFeedback) is not None else None
    ):
        choice_deltas: list[ChoiceDelta] = []
        raw_finish = _v17.blockReason if (_v17 := e.promptFeedback) is not None else None
        if raw_finish is not None:
            choice_deltas.append(ChoiceDelta(0, [], _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=e.responseId,
            model=e.modelVersion,
            usage=_usage_usage_metadata(e.usageMetadata),
        )
    if True:
        choice_deltas: list[ChoiceDelta] = []
        for _c18 in e.candidates or ():
            deltas: list[ContentDelta] = []
            for _i21, _e20 in enumerate(
                (_v19.parts if (_v19 := _c18.content) is not None else None) or ()
            ):
                if _e20.thought:
                    _t, _s = _e20.text, _e20.thoughtSignature
                    if _t or _s:
                        deltas.append(ReasoningDelta(_t or None, _s, None))

                elif _e20.functionCall:
                    deltas.append(
                        ToolCallDelta(
                            _i21,
                            (_v22.id if (_v22 := _e20.functionCall) is not None else None),
                            (_v23.name if (_v23 := _e20.functionCall) is not None else None),
                            (_v24.args if (_v24 := _e20.functionCall) is not None else None),
                            whole=True,
                            signature=_e20.thoughtSignature,
                        )
                    )

                elif _e20.inlineData:
                    _d, _u = (_v25.data if (_v25 := _e20.inlineData) is not None else None), None
                    if _d or _u:
                        deltas.append(
                            ImageDelta(
                                _d,
                                _u,
                                (_v26.mimeType if (_v26 := _e20.inlineData) is not None else None),
                                None,
                                signature=_e20.thoughtSignature,
                            )
                        )

                else:
                    _t, _s = _e20.text, _e20.thoughtSignature
                    if _t or _s:
                        deltas.append(TextDelta(_t or "", signature=_s))

            raw_finish = _c18.finishReason
            choice_deltas.append(
                ChoiceDelta((_c18.index or 0), deltas, _finish(raw_finish), raw_finish)
            )
        return ChatResponseChunk(
            choice_deltas,
            id=e.responseId,
            model=e.modelVersion,
            usage=_usage_usage_metadata(e.usageMetadata),
        )
    return None


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "error", "message"),
        dig(data, "error", "status"),
        dig(data, "error", "code"),
    )
