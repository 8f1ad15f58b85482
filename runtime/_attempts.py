"""A call's attempts, free of I/O: what to send, what an answer or a failure means, whether
and when to try again.

`attempts` is a generator the sync and async clients drive alike (as h11 and httpcore keep
their protocol logic apart from their I/O): it yields a `Send` and is sent back what came
of it (an `Exchanged`), yields a `Sleep` before a retry, and returns the call's response or
raises its error. The drivers only do the I/O it asks for.
"""

from __future__ import annotations

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
    """The call's attempts: retried (with backoff) while a failure is retryable and
    `config.retries` and `total_timeout` allow."""
    attempt = 0
    while True:
        attempt += 1
        exchanged = cast("Exchanged", (yield Send(prep)))  # a driver answers a Send so
        headers: Mapping[str, str] = {}
        if isinstance(exchanged, httpx2.HTTPError):
            outcome = transport_error(builder, exchanged)
        else:
            response, body = exchanged
            code, headers = response.status_code, response.headers
            if isinstance(body, httpx2.HTTPError):
                outcome = _body_failure(builder, body, response)
            elif code >= 400:
                outcome = http_error(builder.adapter, builder.provider, code, body or b"", headers)
            elif body is None:
                return start_stream(response, builder.status(code, headers, attempt), prep)
            else:
                return builder.complete(body, builder.status(code, headers, attempt), prep)
        yield Sleep(_retry_delay(builder, outcome, attempt, prep, headers))


def transport_error(
    builder: ResponseBuilder,
    exc: httpx2.HTTPError | httpx2.StreamError,
    partial: AIModelCallResponse | None = None,
) -> ModelwireError:
    """A failure of the transport as the call's typed error (`partial`: the response read so
    far, when a stream broke)."""
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
        return APITimeoutError(
            f"{where} did not answer within the timeout ({type(exc).__name__})",
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
    builder: ResponseBuilder, exc: httpx2.HTTPError, response: httpx2.Response
) -> ModelwireError:
    """A failure while reading a body whose status line had come: an HTTP error's body is
    lost (its status still decides), a 2xx answer is not asked for again (it is paid for)."""
    status = response.status_code
    if status >= 400:
        return http_error(builder.adapter, builder.provider, status, b"", response.headers)
    failure = transport_error(builder, exc)
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
        raise builder.redacted(failure)
    return delay
