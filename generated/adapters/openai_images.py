# generated from specs/protocols/openai_images.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `openai_images` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/openai_images.yaml."""

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
from modelwire.generated.wire import openai_images as w

PROTOCOL = "openai_images"
FRAMING = "none"
JSON_ARRAY = False
STREAM_DONE = None
USAGE_UPDATE = "replace"
KIND = "image"
UNSUPPORTED: tuple[str, ...] = ()
MIN_OUTPUT_TOKENS: int | None = None
UNSIGNED_CALL: str | None = None
STREAMABLE = False
OPTIONS_PATH: str | None = ""
# what the request template builds: options may add keys inside BODY_OBJECTS, and may not
# overwrite BODY_FIELDS, save the OVERRIDABLE ones
BODY_FIELDS: frozenset[str] = frozenset(("model", "prompt"))
BODY_OBJECTS: frozenset[str] = frozenset(())
OVERRIDABLE: frozenset[str] = frozenset(())
FINISH_REASONS: dict[str, str] = {}
FINISH_REASONS_WITH_TOOL_CALLS: dict[str, str] = {}
REQUEST_ID_HEADERS: tuple[str, ...] = ("x-request-id",)
ERROR_TYPE_HEADER: str | None = None
RETRY_STATUSES: frozenset[int] = frozenset((408, 409, 429, 500, 502, 503, 504))
STATUS_KINDS: dict[int, str] = {}
ERROR_TYPES: dict[str, str] = {
    "invalid_request_error": "bad_request",
    "image_generation_user_error": "bad_request",
    "authentication_error": "authentication",
    "rate_limit_exceeded": "rate_limit",
    "server_error": "server",
}
CONTEXT_LENGTH_CODES: frozenset[str] = frozenset(())
CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None = None
TOOL_SCHEMA = "json_schema"
STRUCTURED_VIA: str | None = None
STRUCTURED_SCHEMA = "json_schema"
STRUCTURED_FALLBACK: str | None = None
STRUCTURED_JSON_MODE = False


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    body: dict[str, Any] = {}
    body["model"] = call.model
    body["prompt"] = call.prompt_text()
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_images_usage(u: w.ImagesUsage | None) -> Usage | None:
    if u is None:
        return None
    return Usage(
        prompt_tokens=u.input_tokens,
        completion_tokens=u.output_tokens,
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.ImagesUsage):
        return _usage_images_usage(u)
    return None


_decode_response = lenient(w.ImagesResponse.__pydantic_validator__)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.ImagesResponse = _decode_response(raw)
    choices: list[ChatResponseChoice] = []
    if True:
        contents: list[ContentItem] = []
        for _i2, _e1 in enumerate(r.data or ()):
            _d, _u = _e1.b64_json, _e1.url
            if _d or _u:
                contents.append(ImageContent(_d, _u, None, _e1.revised_prompt))

        raw_finish = None
        choices.append(ChatResponseChoice(0, _finish(raw_finish), contents, raw_finish))
    return ParsedResponse(
        choices=choices,
        usage=_usage_images_usage(r.usage),
        id=None,
        model=None,
        wire=r,
    )


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "error", "message"),
        dig(data, "error", "type"),
        dig(data, "error", "code"),
    )
