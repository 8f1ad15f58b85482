# generated from specs/protocols/openai_embeddings.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `openai_embeddings` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/openai_embeddings.yaml."""

from __future__ import annotations

import re
from typing import Any

from modelwire._protocol import Call, ParsedResponse, StreamError, dig, lenient
from modelwire._types import ChatResponseChoice, ContentItem, EmbeddingContent, Usage
from modelwire.generated.wire import openai_embeddings as w

PROTOCOL = "openai_embeddings"
FRAMING = "none"
JSON_ARRAY = False
STREAM_DONE = None
USAGE_UPDATE = "replace"
KIND = "embedding"
UNSUPPORTED: tuple[str, ...] = ()
MIN_OUTPUT_TOKENS: int | None = None
UNSIGNED_CALL: str | None = None
STREAMABLE = False
MAX_INPUTS: int | None = 2048  # inputs per request; more are split
INPUT_TYPES: dict[str, str] = {}  # a call's input_type -> the wire's
OPTIONS_PATH: str | None = ""
# what the request template builds: options may add keys inside BODY_OBJECTS, and may not
# overwrite BODY_FIELDS, save the OVERRIDABLE ones
BODY_FIELDS: frozenset[str] = frozenset(("dimensions", "encoding_format", "input", "model"))
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
    body["input"] = call.inputs
    if (dimensions := call.dimensions) is not None:
        body["dimensions"] = dimensions
    body["encoding_format"] = "float"
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_embedding_usage(u: w.EmbeddingUsage | None) -> Usage | None:
    if u is None:
        return None
    return Usage(prompt_tokens=u.prompt_tokens)


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.EmbeddingUsage):
        return _usage_embedding_usage(u)
    return None


_decode_response = lenient(w.CreateEmbeddingResponse.__pydantic_validator__)


def _response_choice(r: w.CreateEmbeddingResponse) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    r_data = r.data
    if r_data:
        for data_item in r_data:
            if (vector := data_item.embedding) is not None:
                contents.append(EmbeddingContent(list(vector)))
    return ChatResponseChoice(0, None, contents, None)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.CreateEmbeddingResponse = _decode_response(raw)
    choices = [_response_choice(r)]
    return ParsedResponse(
        choices=choices, usage=_usage_embedding_usage(r.usage), id=None, model=r.model, wire=r
    )


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "error", "message"),
        dig(data, "error", "type"),
        dig(data, "error", "code"),
    )
