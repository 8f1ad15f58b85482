# generated from specs/protocols/meta_llama.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `meta_llama` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/meta_llama.yaml."""

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
from modelwire.generated.wire import meta_llama as w

PROTOCOL = "meta_llama"
FRAMING = "none"
JSON_ARRAY = False
STREAM_DONE = None
USAGE_UPDATE = "merge"
KIND = "chat"
UNSUPPORTED: tuple[str, ...] = ("stop", "seed", "reasoning_effort")
MIN_OUTPUT_TOKENS: int | None = None
UNSIGNED_CALL: str | None = None
STREAMABLE = True
OPTIONS_PATH: str | None = ""
# what the request template builds: options may add keys inside BODY_OBJECTS, and may not
# overwrite BODY_FIELDS, save the OVERRIDABLE ones
BODY_FIELDS: frozenset[str] = frozenset(("max_gen_len", "prompt", "temperature", "top_p"))
BODY_OBJECTS: frozenset[str] = frozenset(())
OVERRIDABLE: frozenset[str] = frozenset(())
FINISH_REASONS: dict[str, str] = {"stop": "end_turn", "length": "max_tokens"}
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

ROLES: dict[str, str] = {"system": "system", "user": "user", "assistant": "assistant"}
DROPPED: frozenset[str] = frozenset(())
OWN_MESSAGE: frozenset[str] = frozenset(())


def _parts(parts: list[ContentItem]) -> list[Any]:
    out: list[Any] = []
    for part in parts:
        kind = part_kind(part)
        if kind == "text":
            out.append(part.text)
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, kind)
    return out


PROMPT_BEGIN = "<|begin_of_text|>"
PROMPT_END = "<|start_header_id|>assistant<|end_header_id|>\n\n"


def _turn(role: str, parts: list[ContentItem], keep: frozenset[str]) -> str:
    """One turn of the conversation written as one text."""
    text = "".join(_parts([p for p in parts if p.type not in DROPPED or p.type in keep]))
    return "<|start_header_id|>" + role + "<|end_header_id|>\n\n" + text + "<|eot_id|>"


def _messages(call: Call) -> str:
    out: list[str] = [PROMPT_BEGIN]
    if call.system is not None:
        if "system" not in ROLES:
            raise unsupported_role(PROTOCOL, "system", ROLES)
        out.append(_turn(ROLES["system"], [TextContent(call.system)], call.keep))
    for role, parts in wire_turns(call.messages, ROLES, OWN_MESSAGE, True, PROTOCOL):
        out.append(_turn(role, parts, call.keep))  # type: ignore[arg-type]
    out.append(PROMPT_END)
    return "".join(out)


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    cfg = call.config
    body: dict[str, Any] = {}
    body["prompt"] = _messages(call)
    if (_x := cfg.max_output_tokens) is not None:
        body["max_gen_len"] = _x
    if (_x := cfg.temperature) is not None:
        body["temperature"] = _x
    if (_x := cfg.top_p) is not None:
        body["top_p"] = _x
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_llama_response(u: w.LlamaResponse | None) -> Usage | None:
    if u is None:
        return None
    return Usage(
        prompt_tokens=u.prompt_token_count,
        completion_tokens=u.generation_token_count,
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.LlamaResponse):
        return _usage_llama_response(u)
    return None


_decode_response = lenient(w.LlamaResponse.__pydantic_validator__)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.LlamaResponse = _decode_response(raw)
    choices: list[ChatResponseChoice] = []
    if True:
        contents: list[ContentItem] = []
        if _t := r.generation:
            contents.append(TextContent(_t))

        raw_finish = r.stop_reason
        choices.append(ChatResponseChoice(0, _finish(raw_finish), contents, raw_finish))
    return ParsedResponse(
        choices=choices,
        usage=_usage_llama_response(r),
        id=None,
        model=None,
        wire=r,
    )


# the model's validator itself: once per event, pydantic's classmethod wrapper costs ~10 %
_validate_event = lenient(w.LlamaResponse.__pydantic_validator__)


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.LlamaResponse = _validate_event(data)
    if True:
        choice_deltas: list[ChoiceDelta] = []
        if True:
            deltas: list[ContentDelta] = []
            if _t := e.generation:
                deltas.append(TextDelta(_t))

            raw_finish = e.stop_reason
            choice_deltas.append(ChoiceDelta(0, deltas, _finish(raw_finish), raw_finish))
        return ChatResponseChunk(
            choice_deltas,
            id=None,
            model=None,
            usage=_usage_llama_response(e),
            usage_wire=e,
        )
    return None


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "message"),
        None,
        None,
    )
