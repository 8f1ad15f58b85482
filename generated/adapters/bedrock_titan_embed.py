# generated from specs/protocols/bedrock_titan_embed.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `bedrock_titan_embed` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/bedrock_titan_embed.yaml."""

from __future__ import annotations

import re
from typing import Any

from modelwire._protocol import Call, ParsedResponse, StreamError, dig, lenient
from modelwire._types import ChatResponseChoice, ContentItem, EmbeddingContent, Usage
from modelwire.generated.wire import bedrock_titan_embed as w

PROTOCOL = "bedrock_titan_embed"
FRAMING = "none"
JSON_ARRAY = False
STREAM_DONE = None
USAGE_UPDATE = "replace"
KIND = "embedding"
UNSUPPORTED: tuple[str, ...] = ()
MIN_OUTPUT_TOKENS: int | None = None
UNSIGNED_CALL: str | None = None
STREAMABLE = False
MAX_INPUTS: int | None = 1  # inputs per request; more are split
INPUT_TYPES: dict[str, str] = {}  # a call's input_type -> the wire's
OPTIONS_PATH: str | None = ""
# what the request template builds: options may add keys inside BODY_OBJECTS, and may not
# overwrite BODY_FIELDS, save the OVERRIDABLE ones
BODY_FIELDS: frozenset[str] = frozenset(("dimensions", "inputText"))
BODY_OBJECTS: frozenset[str] = frozenset(())
OVERRIDABLE: frozenset[str] = frozenset(())
FINISH_REASONS: dict[str, str] = {}
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
    body["inputText"] = call.inputs[0]
    if (dimensions := call.dimensions) is not None:
        body["dimensions"] = dimensions
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_titan_embed_response(u: w.TitanEmbedResponse | None) -> Usage | None:
    if u is None:
        return None
    return Usage(prompt_tokens=u.inputTextTokenCount)


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.TitanEmbedResponse):
        return _usage_titan_embed_response(u)
    return None


_decode_response = lenient(w.TitanEmbedResponse.__pydantic_validator__)


def _response_choice(r: w.TitanEmbedResponse) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    if (vector := r.embedding) is not None:
        contents.append(EmbeddingContent(list(vector)))
    return ChatResponseChoice(0, None, contents, None)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.TitanEmbedResponse = _decode_response(raw)
    choices = [_response_choice(r)]
    return ParsedResponse(
        choices=choices, usage=_usage_titan_embed_response(r), id=None, model=None, wire=r
    )


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "message"),
        None,
        None,
    )
