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
    dig,
    lenient,
    part_kind,
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
        if isinstance(part, TextContent):
            out.append(part.text)
        elif part.type not in DROPPED:
            raise unsupported_content(PROTOCOL, part_kind(part))
    return out


PROMPT_BEGIN = "<|begin_of_text|>"
PROMPT_END = "<|start_header_id|>assistant<|end_header_id|>\n\n"


def _turn(role: str, parts: list[ContentItem], keep: frozenset[str]) -> str:
    """One turn of the conversation written as one text."""
    parts = [p for p in parts if p.type not in DROPPED or p.type in keep]
    parts = [TextContent(p.text) if isinstance(p, RefusalContent) else p for p in parts]
    text = "".join(_parts(parts))
    return "<|start_header_id|>" + role + "<|end_header_id|>\n\n" + text + "<|eot_id|>"


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


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    cfg = call.config
    body: dict[str, Any] = {}
    body["prompt"] = _messages(call)
    if (max_gen_len := cfg.max_output_tokens) is not None:
        body["max_gen_len"] = max_gen_len
    if (temperature := cfg.temperature) is not None:
        body["temperature"] = temperature
    if (top_p := cfg.top_p) is not None:
        body["top_p"] = top_p
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_llama_response(u: w.LlamaResponse | None) -> Usage | None:
    if u is None:
        return None
    return Usage(prompt_tokens=u.prompt_token_count, completion_tokens=u.generation_token_count)


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.LlamaResponse):
        return _usage_llama_response(u)
    return None


_decode_response = lenient(w.LlamaResponse.__pydantic_validator__)


def _response_choice(r: w.LlamaResponse) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    if text := r.generation:
        contents.append(TextContent(text))
    stop_reason = r.stop_reason
    return ChatResponseChoice(0, _finish(stop_reason), contents, stop_reason)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.LlamaResponse = _decode_response(raw)
    choices = [_response_choice(r)]
    return ParsedResponse(
        choices=choices, usage=_usage_llama_response(r), id=None, model=None, wire=r
    )


# the model's validator itself: once per event, pydantic's classmethod wrapper costs ~10 %
_validate_event = lenient(w.LlamaResponse.__pydantic_validator__)


def parse_event(data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
    """One stream event's data -> what it contributes, an in-stream error, or None."""
    e: w.LlamaResponse = _validate_event(data)
    deltas: list[ContentDelta] = []
    if text := e.generation:
        deltas.append(TextDelta(text))
    stop_reason = e.stop_reason
    choice_deltas: list[ChoiceDelta] = [ChoiceDelta(0, deltas, _finish(stop_reason), stop_reason)]
    return ChatResponseChunk(choice_deltas, usage=_usage_llama_response(e), usage_wire=e)


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "message"),
        None,
        None,
    )
