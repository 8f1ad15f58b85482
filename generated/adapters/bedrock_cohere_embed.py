# generated from specs/protocols/bedrock_cohere_embed.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `bedrock_cohere_embed` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/bedrock_cohere_embed.yaml."""

from __future__ import annotations

import re
from typing import Any

from modelwire._protocol import Call, ParsedResponse, StreamError, dig, lenient
from modelwire._types import ChatResponseChoice, ContentItem, EmbeddingContent, Usage
from modelwire.generated.wire import bedrock_cohere_embed as w

PROTOCOL = "bedrock_cohere_embed"
FRAMING = "none"
JSON_ARRAY = False
STREAM_DONE = None
USAGE_UPDATE = "replace"
KIND = "embedding"
UNSUPPORTED: tuple[str, ...] = ()
MIN_OUTPUT_TOKENS: int | None = None
UNSIGNED_CALL: str | None = None
STREAMABLE = False
MAX_INPUTS: int | None = 96  # inputs per request; more are split
INPUT_TYPES: dict[str, str] = {
    "query": "search_query",
    "document": "search_document",
    "classification": "classification",
    "clustering": "clustering",
}  # a call's input_type -> the wire's
OPTIONS_PATH: str | None = ""
# what the request template builds: options may add keys inside BODY_OBJECTS, and may not
# overwrite BODY_FIELDS, save the OVERRIDABLE ones
BODY_FIELDS: frozenset[str] = frozenset(("input_type", "texts"))
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
    body["texts"] = call.inputs
    if (input_type := call.input_type) is not None:
        body["input_type"] = input_type
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    return None


_decode_response = lenient(w.CohereEmbedResponse.__pydantic_validator__)


def _response_choice(r: w.CohereEmbedResponse) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    if vectors := r.embeddings:
        for vector in vectors:
            contents.append(EmbeddingContent(list(vector)))
    return ChatResponseChoice(0, None, contents, None)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.CohereEmbedResponse = _decode_response(raw)
    choices = [_response_choice(r)]
    return ParsedResponse(choices=choices, usage=None, id=r.id, model=None, wire=r)


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "message"),
        None,
        None,
    )
