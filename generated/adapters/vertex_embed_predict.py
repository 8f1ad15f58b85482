# generated from specs/protocols/vertex_embed_predict.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `vertex_embed_predict` protocol: request building, response parsing, stream
decoding and error mapping, compiled from specs/protocols/vertex_embed_predict.yaml."""

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
    sum_items,
    sum_present,
)
from modelwire._types import ChatResponseChoice, ContentItem, EmbeddingContent, Usage
from modelwire.generated.wire import vertex_embed_predict as w

PROTOCOL = "vertex_embed_predict"
FRAMING = "none"
JSON_ARRAY = False
STREAM_DONE = None
USAGE_UPDATE = "replace"
KIND = "embedding"
UNSUPPORTED: tuple[str, ...] = ()
MIN_OUTPUT_TOKENS: int | None = None
UNSIGNED_CALL: str | None = None
STREAMABLE = False
MAX_INPUTS: int | None = 250  # inputs per request; more are split
INPUT_TYPES: dict[str, str] = {
    "query": "RETRIEVAL_QUERY",
    "document": "RETRIEVAL_DOCUMENT",
    "similarity": "SEMANTIC_SIMILARITY",
    "classification": "CLASSIFICATION",
    "clustering": "CLUSTERING",
    "question_answering": "QUESTION_ANSWERING",
    "fact_verification": "FACT_VERIFICATION",
    "code_query": "CODE_RETRIEVAL_QUERY",
}  # a call's input_type -> the wire's
OPTIONS_PATH: str | None = "parameters"
# what the request template builds: options may add keys inside BODY_OBJECTS, and may not
# overwrite BODY_FIELDS, save the OVERRIDABLE ones
BODY_FIELDS: frozenset[str] = frozenset(("instances", "parameters.outputDimensionality"))
BODY_OBJECTS: frozenset[str] = frozenset(("parameters",))
OVERRIDABLE: frozenset[str] = frozenset(())
FINISH_REASONS: dict[str, str] = {}
FINISH_REASONS_WITH_TOOL_CALLS: dict[str, str] = {}
REQUEST_ID_HEADERS: tuple[str, ...] = ()
ERROR_TYPE_HEADER: str | None = None
RETRY_STATUSES: frozenset[int] = frozenset((408, 429, 500, 502, 503, 504))
STATUS_KINDS: dict[int, str] = {}
ERROR_TYPES: dict[str, str] = {}
CONTEXT_LENGTH_CODES: frozenset[str] = frozenset(())
CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None = None
TOOL_SCHEMA = "json_schema"
STRUCTURED_VIA: str | None = None
STRUCTURED_SCHEMA = "json_schema"
STRUCTURED_FALLBACK: str | None = None
STRUCTURED_JSON_MODE = False


def _instances(call: Call) -> Any:
    return [compact({"content": _input, "task_type": call.input_type}) for _input in call.inputs]


def build_body(call: Call) -> dict[str, Any]:
    """The request body for `call` (AIModelCallConfig.options are merged by the runtime)."""
    body: dict[str, Any] = {}
    body["instances"] = _instances(call)
    if (parameters := compact_or_none({"outputDimensionality": call.dimensions})) is not None:
        body["parameters"] = parameters
    return body


def _finish(raw: str | None) -> Any:
    return None if raw is None else FINISH_REASONS.get(raw, "other")


def _usage_predict_response(u: w.PredictResponse | None) -> Usage | None:
    if u is None:
        return None
    return Usage(
        prompt_tokens=sum_present(sum_items(u.predictions, "embeddings.statistics.token_count"))
    )


def usage_from_wire(u: Any) -> Usage | None:
    """Unified usage of a wire usage object (for streams that merge usage key by key)."""
    if isinstance(u, w.PredictResponse):
        return _usage_predict_response(u)
    return None


_decode_response = lenient(w.PredictResponse.__pydantic_validator__)


def _response_choice(r: w.PredictResponse) -> ChatResponseChoice:
    contents: list[ContentItem] = []
    predictions = r.predictions
    if predictions:
        for prediction in predictions:
            embeddings = prediction.embeddings
            if (vector := (embeddings.values if embeddings is not None else None)) is not None:
                contents.append(EmbeddingContent(list(vector)))
    return ChatResponseChoice(0, None, contents, None)


def parse_response(raw: bytes | str) -> ParsedResponse | StreamError:
    """A non-streamed response body -> choices, usage, id and model (or the error it reports)."""
    r: w.PredictResponse = _decode_response(raw)
    choices = [_response_choice(r)]
    return ParsedResponse(
        choices=choices, usage=_usage_predict_response(r), id=None, model=None, wire=r
    )


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "error", "message"),
        dig(data, "error", "status"),
        dig(data, "error", "code"),
    )
