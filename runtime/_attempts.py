"""A call's attempts, free of I/O: what to send, what an answer or a failure means, whether
and when to try again.

`attempts` is a generator the sync and async clients drive alike (as h11 and httpcore keep
their protocol logic apart from their I/O): it yields a `Send` and is sent back what came
of it (an `Exchanged`), yields a `Sleep` before a retry, and returns the call's response or
raises its error. The drivers only do the I/O it asks for.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import cast

import httpx2

from ._errors import (
    APIConnectionError,
    APITimeoutError,
    ModelwireError,
    ResponseDecodeError,
    StreamInterruptedError,
    http_error,
    request_id,
)
from ._observe import observed, observer
from ._redact import scrub, secret_forms
from ._request import Prepared
from ._response import ResponseBuilder
from ._retry import backoff
from ._types import AIModelCallResponse, CallStatus

__all__ = ["Exchanged", "Send", "Sleep", "attempts", "transport_error"]

# httpx's defaults. More connections kept alive would spare reconnecting, but httpcore 1.0.9's
# pool scans its connections (with a poll each) several times per request, a cost quadratic in
# their number: at 50 concurrent calls keeping 100 alive cuts throughput by more than half
# (docs/decisions.md, "The async pool")
MAX_CONNECTIONS = 100

# each attempt at DEBUG, each retry at INFO, giving up at WARNING (docs/decisions.md, "Logging")
log = logging.getLogger("modelwire.call")


@dataclass(frozen=True, slots=True)
class Send:
    """Send the call once. The driver reads the whole body, unless the call streams and the
    status is not an error (then the response stays open for the stream); `prep.remaining`
    is checked as the body arrives when the call has a deadline."""

    prep: Prepared


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


# what came of a Send: the transport's failure when no response came, else the response and
# its body (None: a stream left open to read; an error: reading the body failed)
Exchanged = httpx2.HTTPError | tuple[httpx2.Response, bytes | httpx2.HTTPError | None]
# starts reading a streamed answer: (response, its status, the call) -> the call's response
StreamStarter = Callable[[httpx2.Response, CallStatus, Prepared], AIModelCallResponse]


def attempts(
    builder: ResponseBuilder, prep: Prepared, start_stream: StreamStarter
) -> Generator[Send | Sleep, object, AIModelCallResponse]:
    """The call's attempts (`_attempts`), told to the telemetry observer if there is one: its
    span ends with the response, the error, the stream's end, or the call's cancellation
    (the driver dropping this generator)."""
    watcher = observer()
    if watcher is None:
        return (yield from _attempts(builder, prep, start_stream))
    span = watcher.start(builder.endpoint, prep)
    try:
        response = yield from _attempts(builder, prep, start_stream)
    except BaseException as exc:  # GeneratorExit included: the call was cancelled
        span.end(None, exc)
        raise
    return observed(response, span)


def _attempts(
    builder: ResponseBuilder, prep: Prepared, start_stream: StreamStarter
) -> Generator[Send | Sleep, object, AIModelCallResponse]:
    """The call's attempts: retried (with backoff) while a failure is retryable and
    `config.retries` and `total_timeout` allow."""
    attempt = 0
    while True:
        attempt += 1
        sent = time.monotonic()
        exchanged = cast("Exchanged", (yield Send(prep)))  # a driver answers a Send so
        if log.isEnabledFor(logging.DEBUG):
            _log_attempt(builder, prep, exchanged, attempt, time.monotonic() - sent)
        headers: Mapping[str, str] = {}
        if isinstance(exchanged, httpx2.HTTPError):
            outcome = transport_error(builder, exchanged, timeout=prep.config.timeout)
        else:
            response, body = exchanged
            code, headers = response.status_code, response.headers
            if isinstance(body, httpx2.HTTPError):
                outcome = _body_failure(builder, body, response, prep)
            elif code >= 400:
                outcome = http_error(builder.adapter, builder.provider, code, body or b"", headers)
            elif body is None:
                return start_stream(response, builder.status(code, headers, attempt), prep)
            else:
                return builder.complete(body, builder.status(code, headers, attempt), prep)
        _annotate(builder, outcome, prep, headers, attempt)
        delay = _retry_delay(builder, outcome, attempt, prep, headers)
        if log.isEnabledFor(logging.INFO):
            log.info(
                "retrying %s in %.2f s (attempt %d of %d): %s",
                prep.where,
                delay,
                attempt + 1,
                prep.config.retries + 1,
                _said(builder, outcome),
            )
        yield Sleep(delay)


def _annotate(
    builder: ResponseBuilder,
    failure: ModelwireError,
    prep: Prepared,
    headers: Mapping[str, str],
    attempt: int,
) -> None:
    """What a failure's reader needs beyond the provider's message: the request's URL, the
    response's headers, the attempts made. A 404 not in the protocol's error shape, from a
    base URL the user gave, came from something that does not serve the API at that path
    (a missing `/v1`, a wrong host): it says where to look. A 404 in the protocol's shape
    is the API's own (an unknown model) and is left as it is. (Secrets are scrubbed from
    all of it when the error is raised.)"""
    api = builder.endpoint.api
    failure.url, failure.attempts = f"POST {prep.url}", attempt
    if headers:
        failure.response_headers = dict(headers)
    if (
        failure.status == 404
        and api.explicit_base_url
        and not isinstance(builder.adapter.error_fields(failure.body)[0], str)  # not the API's
    ):
        failure.message += f" — is base_url right? ({api.base_url} was given)"
        failure.args = (failure.message,)


def _said(builder: ResponseBuilder, failure: ModelwireError) -> str:
    """A failure in a log line: its class and its (redacted) message."""
    return f"{type(failure).__name__}: {builder.redacted(failure).message}"


def _log_attempt(
    builder: ResponseBuilder, prep: Prepared, exchanged: Exchanged, attempt: int, took: float
) -> None:
    """One attempt at DEBUG: method, URL (secrets scrubbed), status or failure, time taken,
    the provider's request id."""
    url = scrub(str(prep.url), secret_forms(builder.endpoint.api.secrets()))
    if isinstance(exchanged, httpx2.HTTPError):
        outcome, rid = f"failed ({type(exchanged).__name__})", None
    else:
        outcome = str(exchanged[0].status_code)
        rid = request_id(builder.adapter, exchanged[0].headers)
    log.debug(
        "POST %s -> %s in %.3f s (attempt %d, request id %s)", url, outcome, took, attempt, rid
    )


# what each of httpx2's timeouts was waiting for
_WAITS: dict[type[httpx2.TimeoutException], str] = {
    httpx2.ConnectTimeout: "to connect",
    httpx2.WriteTimeout: "to send the request",
    httpx2.ReadTimeout: "for data",
}


def transport_error(
    builder: ResponseBuilder,
    exc: httpx2.HTTPError | httpx2.StreamError,
    partial: AIModelCallResponse | None = None,
    *,
    timeout: float | None = None,
) -> ModelwireError:
    """A failure of the transport as the call's typed error (`partial`: the response read so
    far, when a stream broke; `timeout`: the call's `timeout`, which a wait exceeded)."""
    where, provider = builder.endpoint.api.info.display_name, builder.provider
    if isinstance(exc, httpx2.PoolTimeout):
        return APITimeoutError(
            f"no free connection to {where} within the timeout: all {MAX_CONNECTIONS} of this "
            "client's connections are in use (a streamed response holds its connection until "
            "it is read to its end, closed or dropped)",
            provider=provider,
            retryable=False,
        )
    if isinstance(exc, httpx2.TimeoutException):
        limit = f"timeout={timeout:g} s" if timeout is not None else "the timeout"
        waited = _WAITS.get(type(exc))
        said = f": waited {waited} longer than that" if waited else ""
        return APITimeoutError(
            f"{where} did not answer within {limit}{said} ({type(exc).__name__})",
            provider=provider,
            partial_response=partial,
            retryable=partial is None,
        )
    if partial is not None:
        return StreamInterruptedError(
            f"the stream from {where} broke off ({type(exc).__name__}: {exc})",
            provider=provider,
            partial_response=partial,
        )
    api = builder.endpoint.api
    h2c = api.http2 and api.base_url.startswith("http://")
    hint = "; http2=True speaks HTTP/2 directly to a plain http:// host: does it serve h2c?"
    return APIConnectionError(
        f"could not reach {where} ({type(exc).__name__}: {exc}){hint if h2c else ''}",
        provider=provider,
        retryable=True,
    )


def _body_failure(
    builder: ResponseBuilder, exc: httpx2.HTTPError, response: httpx2.Response, prep: Prepared
) -> ModelwireError:
    """A failure while reading a body whose status line had come: an HTTP error's body is
    lost (its status still decides), a 2xx answer is not asked for again (it is paid for)."""
    status = response.status_code
    if status >= 400:
        return http_error(builder.adapter, builder.provider, status, b"", response.headers)
    failure = transport_error(builder, exc, timeout=prep.config.timeout)
    if not isinstance(failure, APITimeoutError):
        where = builder.endpoint.api.info.display_name
        failure = ResponseDecodeError(
            f"the body of {where}'s HTTP {status} answer broke off or could not be "
            f"decoded ({type(exc).__name__}: {exc})"
        )
    failure.retryable = False
    failure.status, failure.request_id = status, request_id(builder.adapter, response.headers)
    return failure


def _retry_delay(
    builder: ResponseBuilder,
    failure: ModelwireError,
    attempt: int,
    prep: Prepared,
    headers: Mapping[str, str],
) -> float:
    """Seconds to wait before the next attempt; raises `failure` when there is none."""
    delay = None
    if attempt <= prep.config.retries and failure.retryable:
        delay = backoff(attempt, headers)
    deadline = prep.deadline
    if delay is not None and deadline is not None and delay >= deadline - time.monotonic():
        delay = None  # never wait past total_timeout
    if delay is None:
        if attempt > 1:
            failure.message += f" (after {attempt} attempts)"
            failure.args = (failure.message,)
        if failure.retryable and attempt > 1:
            log.warning(
                "giving up on %s after %d attempts: %s",
                prep.where,
                attempt,
                _said(builder, failure),
            )
        raise builder.redacted(failure)
    return delay
