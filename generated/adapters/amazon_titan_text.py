# generated from specs/protocols/amazon_titan_text.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `amazon_titan_text` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/amazon_titan_text.yaml."""

from __future__ import annotations

import re
from typing import Any

from modelwire._protocol import (
    Call,
    ParsedResponse,
    StreamError,
    compact_or_none,
    dig,
    lenient,
    part_kind,
    sum_items,
    sum_present,
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
    RefusalContent,
    TextContent,
    TextDelta,
    Usage,
)
from modelwire.generated.wire import amazon_titan_text as w

PROTOCOL = "amazon_titan_text"
FRAMING = "none"
JSON_ARRAY = False
STREAM_DONE = None
USAGE_UPDATE = "merge"
KIND = "chat"
UNSUPPORTED: tuple[str, ...] = ("seed", "reasoning_effort")
MIN_OUTPUT_TOKENS: int | None = None
UNSIGNED_CALL: str | None = None
STREAMABLE = True
OPTIONS_PATH: str | None = ""
# what the request template builds: options may add keys inside BODY_OBJECTS, and may not
# overwrite BODY_FIELDS, save the OVERRIDABLE ones
BODY_FIELDS: frozenset[str] = frozenset(
    (
        "inputText",
        "textGenerationConfig.maxTokenCount",
        "textGenerationConfig.stopSequences",
        "textGenerationConfig.temperature",
        "textGenerationConfig.topP",
    )
)
BODY_OBJECTS: frozenset[str] = frozenset(("textGenerationConfig",))
OVERRIDABLE: frozenset[str] = frozenset(())
FINISH_REASONS: dict[str, str] = {
    "FINISHED": "end_turn",
    "FINISH": "end_turn",
    "LENGTH": "max_tokens",
    "STOP_CRITERIA_MET": "stop_sequence",
    "CONTENT_FILTERED": "content_filter",
    "RAG_QUERY_WHEN_RAG_DISABLED": "other",
}
FINISH_REASONS_WITH_TOOL_CALLS: dict[str, str] = {}
REQUEST_ID_HEADERS: tuple[str, ...] = ()
ERROR_TYPE_HEADER: str | None = None
RETRY_STATUSES: frozenset[int] = frozenset(())
STATUS_KINDS: dict[int, str] = {}
ERROR_TYPES: dict[str, str] = {}
CONTEXT_LENGTH_CODES: frozenset[str] = frozenset(())
CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None = None
TOOL_SCHEMA = "json_schema"
STRUCTURED_VIA: str | None = None
STRUCTURED_SCHEMA = "json_schema"
STRUCTURED_FALLBACK: str | None = None
STRUCTURED_JSON_MODE = False

ROLES: dict[str, str] = {"user": "User", "assistant": "Bot"}
DROPPED: frozenset[str] = frozenset(())
OWN_MESSAGE: frozenset[str] = frozenset(())


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        if isinstance(part, TextContent):
            out.append(part.text)
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, part_kind(part))
    return out


PROMPT_BEGIN = ""
PROMPT_END = "Bot:"


def _turn(role: str, parts: list[ContentItem], keep: frozenset[str]) -> str:
    """One turn of the conversation written as one text."""
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    parts = [TextContent(p.text) if isinstance(p, RefusalContent) else p for p in parts]
    text = "".join(_parts(parts))
    return role + ": " + text + "\n"


def _messages(call: Call) -> str:
    out: list[str] = [PROMPT_BEGIN]
    if call.system is not None:
        if "system" not in ROLES:
            raise unsupported_role(PROTOCOL, "system", ROLES)
        out.append(_turn(ROLES["system"], [TextContent(call.system)], call.keep))
    for role, parts in wire_turns(call.messages, ROLES, True, PROTOCOL):
        out.append(_turn(role, parts, call.keep))
    out.append(PROMPT_END)
    return "".join(out)


def _text_generation_config(call: Call) -> Any:
    cfg = call.config
    return compact_or_none(
        {
            "maxTokenCount": cfg.max_output_tokens,
            "temperature": cfg.temperature,
            "topP": cfg.top_p,
            "stopSequences": call.stop_list(),
        }
    )


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    body: dict[str, Any] = {}
    body["inputText"] = _messages(call)
    if (text_generation_config := _text_generation_config(call)) is not None:
        body["textGenerationConfig"] = text_generation_config
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_titan_chunk(u: w.TitanChunk | None) -> Usage | None:
    if u is None:
        return None
    return Usage(prompt_tokens=u.inputTextTokenCount, completion_tokens=u.totalOutputTextTokenCount)


def _usage_titan_response(u: w.TitanResponse | None) -> Usage | None:
    if u is None:
        return None
    return Usage(
        prompt_tokens=u.inputTextTokenCount,
        completion_tokens=sum_present(sum_items(u.results, "tokenCount")),
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.TitanChunk):
        return _usage_titan_chunk(u)
    if isinstance(u, w.TitanResponse):
        return _usage_titan_response(u)
    return None


_decode_response = lenient(w.TitanResponse.__pydantic_validator__)


def _response_choice(result: w.TitanResult) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    if text := result.outputText:
        contents.append(TextContent(text))
    completion_reason = result.completionReason
    return ChatResponseChoice(0, _finish(completion_reason), contents, completion_reason)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.TitanResponse = _decode_response(raw)
    choices = [_response_choice(result) for result in r.results or ()]
    return ParsedResponse(
        choices=choices, usage=_usage_titan_response(r), id=None, model=None, wire=r
    )


# the model's validator itself: once per event, pydantic's classmethod wrapper costs ~10 %
_validate_event = lenient(w.TitanChunk.__pydantic_validator__)


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.TitanChunk = _validate_event(data)
    deltas: list[ContentDelta] = []
    if text := e.outputText:
        deltas.append(TextDelta(text))
    completion_reason = e.completionReason
    choice_deltas: list[ChoiceDelta] = [
        ChoiceDelta(0, deltas, _finish(completion_reason), completion_reason)
    ]
    return ChatResponseChunk(choice_deltas, usage=_usage_titan_chunk(e), usage_wire=e)


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "message"),
        None,
        None,
    )
