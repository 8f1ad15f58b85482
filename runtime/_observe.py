"""Telemetry's one hook in the call path: an observer, looked for once, told when each call
starts and when it ends — a streamed call when its stream ends, breaks or is dropped.

`modelwire.telemetry` (the `otel` extra: OpenTelemetry spans by the GenAI semantic
conventions) is the observer when opentelemetry-api is installed and `MODELWIRE_OTEL` is not
`off`. Without it nothing is imported and a call pays one check.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from ._api import AIModelEndpoint
    from ._request import Prepared
    from ._types import AIModelCallResponse, StreamItem

__all__ = ["CallObserver", "CallSpan", "observed", "observer", "set_observer"]


class CallSpan(Protocol):
    def end(self, response: AIModelCallResponse | None, error: BaseException | None) -> None:
        """The call ended: its response (a stream's final one), or what ended it."""
        ...


class CallObserver(Protocol):
    def start(self, endpoint: AIModelEndpoint, prep: Prepared) -> CallSpan: ...


_UNSET: Any = object()
_observer: CallObserver | None = _UNSET


def observer() -> CallObserver | None:
    """The observer of calls, found on first use (None: no telemetry)."""
    global _observer
    if _observer is _UNSET:
        _observer = None
        wanted = os.environ.get("MODELWIRE_OTEL", "").strip().lower() != "off"
        if wanted and importlib.util.find_spec("opentelemetry") is not None:
            from modelwire.telemetry import OtelObserver

            # (the same class as CallObserver's, to a checker the package seen from outside)
            _observer = cast("CallObserver", OtelObserver())
    return _observer


def set_observer(new: CallObserver | None) -> None:
    """Use `new` as the observer of every call from now on (None: no telemetry)."""
    global _observer
    _observer = new


def observed(response: AIModelCallResponse, span: CallSpan) -> AIModelCallResponse:
    """`response`, its span ended now, or when its stream ends."""
    stream = response._stream  # pyright: ignore[reportPrivateUsage]  # the response's own stream
    if stream is None:
        span.end(response, None)
    elif isinstance(stream, Iterator):
        response._stream = _sync(cast("Iterator[StreamItem]", stream), span)  # pyright: ignore[reportPrivateUsage]  # wrapped in place
    else:
        response._stream = _async(cast("AsyncIterator[StreamItem]", stream), span)  # pyright: ignore[reportPrivateUsage]  # wrapped in place
    return response


def _sync(stream: Iterator[StreamItem], span: CallSpan) -> Iterator[StreamItem]:
    final, error = None, None
    try:
        for item in stream:
            final = item[1] or final
            yield item
    except BaseException as exc:  # a broken stream, or the caller closing it (GeneratorExit)
        error = exc
        raise
    finally:
        span.end(final, error)


async def _async(stream: AsyncIterator[StreamItem], span: CallSpan) -> AsyncIterator[StreamItem]:
    final, error = None, None
    try:
        async for item in stream:
            final = item[1] or final
            yield item
    except BaseException as exc:
        error = exc
        raise
    finally:
        span.end(final, error)
