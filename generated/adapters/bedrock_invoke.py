# generated from specs/protocols/bedrock_invoke.yaml — do not edit; run `python tasks.py generate`
"""Adapter for the `bedrock_invoke` protocol, compiled from specs/protocols/bedrock_invoke.yaml.

A frame around other protocols' bodies (its dialects): the runtime composes it with the
dialect of the model called (`modelwire._dialect`). The dialect builds the body and reads the
answer and the wrapped stream events; this module gives the framing, the events' envelope and
the errors."""

from __future__ import annotations

import re
from typing import Any

from modelwire._dialect import Dialect, unwrap
from modelwire._protocol import StreamError, dig, lenient
from modelwire._types import Usage
from modelwire.generated.wire import bedrock_invoke as w

PROTOCOL = "bedrock_invoke"
KIND = "chat"
FRAMING = "aws_eventstream"
JSON_ARRAY = False
STREAM_DONE = None
STREAMABLE = True
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
CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None = re.compile(
    "prompt is too long|context[ _-]?length|context[ _-]?window|maximum context|prompt too long|input is too long|too many (input )?tokens|exceeds? the (maximum|max)[a-z ]* tokens|maximum (number of )?tokens|token limit",
    re.IGNORECASE,
)
# the model families' own APIs: the first whose `ids` matches the model id, else the first
# listing the model's creator, else the first
DIALECTS: tuple[Dialect, ...] = (
    Dialect(
        "anthropic_messages",
        "modelwire.generated.adapters.anthropic_messages",
        ids="(^|\\.)anthropic\\.",
        creators=("anthropic",),
        body={"anthropic_version": "bedrock-2023-05-31", "model": None, "stream": None},
        structured_output=None,
    ),
    Dialect(
        "bedrock_converse",
        "modelwire.generated.adapters.bedrock_converse",
        ids="(^|\\.)amazon\\.nova-",
        creators=("amazon",),
        body={"schemaVersion": "messages-v1"},
        structured_output="tool",
    ),
    Dialect(
        "amazon_titan_text",
        "modelwire.generated.adapters.amazon_titan_text",
        ids="(^|\\.)amazon\\.titan-t",
        creators=(),
        body={},
        structured_output=None,
    ),
    Dialect(
        "meta_llama",
        "modelwire.generated.adapters.meta_llama",
        ids="(^|\\.)meta\\.llama3",
        creators=(),
        body={},
        structured_output=None,
    ),
)


def _usage_invocation_metrics(u: w.InvocationMetrics | None) -> Usage | None:
    if u is None:
        return None
    return Usage(prompt_tokens=u.inputTokenCount, completion_tokens=u.outputTokenCount)


_validate_event = lenient(w.ResponseStream.__pydantic_validator__)


def unwrap_event(data: str, event: str | None) -> str | StreamError | None:
    """One stream event's data -> the dialect's event it wraps (JSON text), an in-stream
    error, or None."""
    e: w.ResponseStream = _validate_event(data)
    exception = e.exception
    if exception:
        return StreamError(message=exception.message, type=exception.type)
    chunk = e.chunk
    if chunk:
        return unwrap(chunk.bytes, True)
    return None


_validate_payload = lenient(w.PayloadExtras.__pydantic_validator__)


def payload_usage(text: str) -> Usage | None:
    """The usage this host adds to a wrapped event, when it has any."""
    if '"amazon-bedrock-invocationMetrics"' not in text:
        return None
    p: w.PayloadExtras = _validate_payload(text)
    return _usage_invocation_metrics(p.amazon_bedrock_invocationMetrics)


def error_fields(data: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) from a decoded error body, where the protocol puts them."""
    return (
        dig(data, "message"),
        None,
        None,
    )
