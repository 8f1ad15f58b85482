"""Typed exceptions. Every failure of a call raises one of these, never a raw httpx2 error.

Each carries the provider, HTTP status, the provider's request id, its own message and code,
and (for streams) the partial response received before the failure. None of them ever holds
a secret: messages come from the provider's body or from us, never from request headers, and
the client scrubs its own secrets from them (`redact`) in case a provider echoes a key back.
"""

from __future__ import annotations

import builtins
import json
import re
from typing import TYPE_CHECKING, Any, cast

from typing_extensions import Self

from ._redact import scrub, secret_forms
from ._retry import should_retry

__all__ = [
    "DECODE_ERRORS",
    "ERROR_CLASSES",
    "STATUS_KINDS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ConfigurationError",
    "ConflictError",
    "ContentFilterError",
    "ContextLengthExceededError",
    "ModelwireError",
    "NotFoundError",
    "OtherAPIError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "RequestTooLargeError",
    "ResponseDecodeError",
    "ServerError",
    "StreamInterruptedError",
    "StructuredOutputError",
    "UnprocessableEntityError",
    "error_for_kind",
    "generic_message",
    "http_error",
    "kind_for_status",
    "request_id",
    "stream_error",
]

# what decoding a body may raise: bad JSON, or JSON nested deeper than Python's recursion limit
DECODE_ERRORS = (ValueError, RecursionError)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._protocol import AdapterModule, StreamError
    from ._types import AIModelCallResponse


class ModelwireError(Exception):
    """Base of every modelwire error."""

    kind = "other"
    args: tuple[Any, ...]  # (message,), kept so when `redact` rewrites the message

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        error_type: str | None = None,
        body: Any = None,
        partial_response: AIModelCallResponse | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.message: str = message
        self.provider: str | None = provider
        self.status: int | None = status  # the HTTP status, when a response came
        self.request_id: str | None = request_id
        self.code: str | None = code
        self.error_type: str | None = error_type
        self.body: Any = body  # the error body, decoded JSON or text
        self.partial_response: AIModelCallResponse | None = partial_response
        self.retryable: bool = retryable
        self.url: str | None = None  # the request's method and URL, secrets scrubbed
        self.response_headers: dict[str, str] | None = None  # when a response came
        self.attempts: int = 1  # requests made for the call, retries included

    @property
    def status_code(self) -> int | None:
        """The HTTP status (`status`), by the name the ecosystem uses."""
        return self.status

    def __str__(self) -> str:
        where = ", ".join(
            f"{k}={v}"
            for k, v in (
                ("provider", self.provider),
                ("status", self.status),
                ("request_id", self.request_id),
                ("url", self.url),
            )
            if v is not None
        )
        return f"{self.message} ({where})" if where else self.message

    def redact(self, secrets: tuple[str, ...]) -> Self:
        """Replace every occurrence of `secrets` in the message, body and the fields taken
        from the response (request id, code, type); returns self."""
        forms = secret_forms(secrets)
        if forms:
            self.message = scrub(self.message, forms)
            self.args = (self.message,)  # what str() and tracebacks show
            self.body = scrub(self.body, forms)
            self.request_id = scrub(self.request_id, forms)
            self.code = scrub(self.code, forms)
            self.error_type = scrub(self.error_type, forms)
            self.url = scrub(self.url, forms)
            self.response_headers = scrub(self.response_headers, forms)
        return self


class ConfigurationError(ModelwireError, ValueError):
    """A bad call or setup, found before any request was sent (names the allowed values)."""

    kind = "configuration"


class APIError(ModelwireError):
    """The provider answered with an error (HTTP status >= 400, or an error inside a 2xx)."""


class BadRequestError(APIError):
    """The provider refused the request as malformed (HTTP 400)."""

    kind = "bad_request"


class ContextLengthExceededError(BadRequestError):
    """The input (with the output asked for) does not fit the model's context window."""

    kind = "context_length"


class AuthenticationError(APIError):
    """The key or token was refused (HTTP 401)."""

    kind = "authentication"


class PermissionDeniedError(APIError):
    """The key may not use this model or operation (HTTP 403)."""

    kind = "permission"


class NotFoundError(APIError):
    """The model, deployment or path does not exist for this key (HTTP 404)."""

    kind = "not_found"


class RequestTimeoutError(APIError):
    """HTTP 408 from the provider (our own timeouts raise `APITimeoutError`)."""

    kind = "timeout"


class ConflictError(APIError):
    """The request conflicts with the resource's state (HTTP 409)."""

    kind = "conflict"


class RequestTooLargeError(APIError):
    """The request body is larger than the provider accepts (HTTP 413)."""

    kind = "request_too_large"


class UnprocessableEntityError(APIError):
    """The request was well-formed but could not be processed (HTTP 422)."""

    kind = "unprocessable"


class RateLimitError(APIError):
    """Too many requests or tokens for the account's limits (HTTP 429); retried."""

    kind = "rate_limit"


class OverloadedError(APIError):
    """The provider is overloaded (e.g. Anthropic's 529); retried."""

    kind = "overloaded"


class ServerError(APIError):
    """The provider failed (HTTP 5xx); retried."""

    kind = "server"


class ContentFilterError(APIError):
    """The provider refused the request itself (e.g. a prompt blocked by safety filters)."""

    kind = "content_filter"


class OtherAPIError(APIError):
    """An error response of no more specific kind."""

    kind = "other"


class APIConnectionError(ModelwireError, builtins.ConnectionError):
    """The connection could not be made or broke before a response arrived (also a built-in
    `ConnectionError`)."""

    kind = "connection"


class APITimeoutError(APIConnectionError, builtins.TimeoutError):
    """Connecting, or waiting for the next bytes of a response, took longer than `timeout`,
    or the whole call longer than `total_timeout` (also a built-in `TimeoutError`)."""

    kind = "timeout"


class StreamInterruptedError(ModelwireError):
    """A stream broke off (reset, truncated, undecodable); `partial_response` keeps what came."""

    kind = "stream_interrupted"


class ResponseDecodeError(ModelwireError):
    """A 2xx body that is not what the protocol's wire schema describes."""

    kind = "decode"


class StructuredOutputError(ModelwireError, ValueError):
    """Structured output that did not validate against its model; `text` is what came."""

    kind = "structured_output"

    def __init__(self, message: str, *, text: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.text = text


class BudgetExceededError(ModelwireError):
    """A call refused before it was sent: its worst-case cost exceeds `max_call_cost` or what
    is left of a cost tracker's budget, or a bulk run's budget was spent before it."""

    kind = "budget"


ERROR_CLASSES: dict[str, type[APIError]] = {
    cls.kind: cls
    for cls in (
        BadRequestError,
        ContextLengthExceededError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        RequestTimeoutError,
        ConflictError,
        RequestTooLargeError,
        UnprocessableEntityError,
        RateLimitError,
        OverloadedError,
        ServerError,
        ContentFilterError,
        OtherAPIError,
    )
}

# Standard HTTP meaning of a status; a protocol spec adds its own (e.g. 529 -> overloaded).
STATUS_KINDS: dict[int, str] = {
    400: "bad_request",
    401: "authentication",
    403: "permission",
    404: "not_found",
    408: "timeout",
    409: "conflict",
    413: "request_too_large",
    422: "unprocessable",
    429: "rate_limit",
}

_GENERIC_MESSAGE_KEYS = ("message", "Message", "detail", "msg")


def generic_message(body: bytes | str) -> str:
    """The provider's message from an error body, by the rule every protocol shares.

    `error.message`, `error.msg`, `error` when a string, then `message`, `Message`, `detail`,
    `msg`; a non-string `detail` is JSON-encoded; a non-JSON body is the text itself.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data: object = json.loads(text)
    except DECODE_ERRORS:
        return text.strip()
    if isinstance(data, list) and data:
        data = cast("list[object]", data)[0]
    if not isinstance(data, dict):
        return text.strip()
    fields = cast("dict[str, object]", data)
    err = fields.get("error")
    if isinstance(err, dict):
        for key in ("message", "msg"):
            found = cast("dict[str, object]", err).get(key)
            if isinstance(found, str):
                return found
    if isinstance(err, str):
        return err
    for key in _GENERIC_MESSAGE_KEYS:
        value = fields.get(key)
        if isinstance(value, str):
            return value
        if key == "detail" and value is not None:
            return json.dumps(value)
    return text.strip()


def kind_for_status(
    status: int, message: str, overrides: dict[int, str], context_pattern: re.Pattern[str] | None
) -> str:
    kind = overrides.get(status) or STATUS_KINDS.get(status)
    if kind is None:
        kind = "server" if 500 <= status <= 599 else "other"
    if kind == "bad_request" and context_pattern is not None and context_pattern.search(message):
        return "context_length"
    return kind


def error_for_kind(kind: str) -> type[APIError]:
    return ERROR_CLASSES.get(kind, OtherAPIError)


def _kind_for_code(adapter: AdapterModule, kind: str, code: Any) -> str:
    if kind == "bad_request" and code is not None and str(code) in adapter.CONTEXT_LENGTH_CODES:
        return "context_length"
    return kind


def request_id(adapter: AdapterModule, headers: Mapping[str, str]) -> str | None:
    return next((headers[h] for h in adapter.REQUEST_ID_HEADERS if h in headers), None)


def http_error(
    adapter: AdapterModule,
    provider: str,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
) -> APIError:
    """The typed error for an HTTP error response, classified by the protocol's tables."""
    data: Any = None
    message: Any = None
    error_type: Any = None
    code: Any = None
    try:
        data = json.loads(body)
    except DECODE_ERRORS:
        pass
    else:
        if isinstance(data, list) and data:
            data = cast("list[Any]", data)[0]
        message, error_type, code = adapter.error_fields(data)
    if not isinstance(message, str):
        message = generic_message(body)
    if error_type is None and adapter.ERROR_TYPE_HEADER:
        named = headers.get(adapter.ERROR_TYPE_HEADER)
        error_type = named.split(":", 1)[0] if named else None
    kind = kind_for_status(status, message, adapter.STATUS_KINDS, adapter.CONTEXT_LENGTH_PATTERN)
    kind = _kind_for_code(adapter, kind, code)
    cls = error_for_kind(kind)
    return cls(
        message or f"HTTP {status}",
        provider=provider,
        status=status,
        request_id=request_id(adapter, headers),
        code=None if code is None else str(code),
        error_type=error_type if isinstance(error_type, str) else None,
        body=data,
        # what modelwire itself does with it: retried (while retries remain) or raised
        retryable=should_retry(status, adapter.RETRY_STATUSES, headers),
    )


def stream_error(
    adapter: AdapterModule,
    provider: str,
    err: StreamError,
    status: int | None,
    headers: Mapping[str, str],
    partial: AIModelCallResponse | None,
) -> APIError:
    """The typed error for an error reported inside a 2xx stream."""
    message = err.message if isinstance(err.message, str) else None
    if message is None:
        described = {k: v for k, v in (("code", err.code), ("type", err.type)) if v is not None}
        message = json.dumps(described, sort_keys=True)
    http_like = next(
        (
            int(v)
            for v in (err.status, err.code)
            if isinstance(v, int) and not isinstance(v, bool) and 400 <= v <= 599
        ),
        None,
    )
    if http_like is not None:
        kind = kind_for_status(
            http_like, message, adapter.STATUS_KINDS, adapter.CONTEXT_LENGTH_PATTERN
        )
    else:
        kind = next(
            (adapter.ERROR_TYPES[v] for v in (err.type, err.code) if v in adapter.ERROR_TYPES),
            "other",
        )
        pattern = adapter.CONTEXT_LENGTH_PATTERN
        if kind == "bad_request" and pattern is not None and pattern.search(message):
            kind = "context_length"
    kind = _kind_for_code(adapter, kind, err.code)
    cls = error_for_kind(kind)
    return cls(
        message,
        provider=provider,
        status=status,
        request_id=request_id(adapter, headers),
        code=None if err.code is None else str(err.code),
        error_type=err.type if isinstance(err.type, str) else None,
        partial_response=partial,
        retryable=False,
    )
