"""Stream framings: one registered class per `framing` a protocol spec names.

A framing knows the Accept header a streamed call sends and turns the body's bytes into
events (`feed` as they arrive, `flush` at the end). The runtime looks one up by the adapter's
`FRAMING` (`framing`); adding a framing is adding a subclass with its `name`. The decoders
are imported when a stream is read, not with this module.
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING, ClassVar, Protocol

from ._errors import ConfigurationError, StreamInterruptedError

if TYPE_CHECKING:
    from ._sse import SSEEvent

__all__ = [
    "FRAMINGS",
    "EventStreamFraming",
    "Framing",
    "JSONArrayFraming",
    "SSEFraming",
    "framing",
    "response_framing",
]


class _TextDecoder(Protocol):
    """A decoder of text (SSE, JSON array): events out of text fed as it arrives."""

    @property
    def closed(self) -> bool: ...
    def feed(self, text: str) -> list[SSEEvent]: ...
    def flush(self) -> list[SSEEvent]: ...


# framing name -> its class (filled by each subclass's declaration of its `name`)
FRAMINGS: dict[str, type[Framing]] = {}


class Framing:
    """A stream's framing, fed the body's bytes."""

    __slots__ = ()

    name: ClassVar[str]
    accept: ClassVar[str]  # the Accept header of a streamed call
    # the response's content type that selects this framing over the protocol's own, when
    # the protocol allows it (`JSON_ARRAY`)
    content_type: ClassVar[str | None] = None

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        declared = cls.__dict__.get("name")
        if isinstance(declared, str):
            FRAMINGS[declared] = cls

    def __init__(self, limit: int | None = None) -> None:
        """`limit`: the largest event, in bytes (None: any)."""

    @property
    def closed(self) -> bool:
        """Whether the framing itself marked the end of the stream (a JSON array's `]`)."""
        return False

    def feed(self, data: bytes) -> list[SSEEvent]:
        """The events completed by `data`."""
        raise NotImplementedError

    def flush(self) -> list[SSEEvent]:
        """The event the body ended in, with no end of its own."""
        raise NotImplementedError


def framing(name: str) -> type[Framing]:
    """The registered framing `name`."""
    found = FRAMINGS.get(name)
    if found is None:
        raise ConfigurationError(
            f"unknown stream framing {name!r}; known: {', '.join(sorted(FRAMINGS))}"
        )
    return found


def response_framing(name: str, alternatives: bool, content_type: str) -> type[Framing]:
    """The framing of a streamed response: the protocol's own (`name`), or, where the
    protocol allows `alternatives`, the one whose content type the response has."""
    if alternatives:
        for found in FRAMINGS.values():
            if found.content_type is not None and content_type.startswith(found.content_type):
                return found
    return framing(name)


class _TextFraming(Framing):
    """A text framing: incremental UTF-8 decoding in front of a text decoder."""

    __slots__ = ("_decoder", "_utf8")

    def __init__(self, limit: int | None = None) -> None:
        self._decoder = self._make(limit)
        self._utf8 = codecs.getincrementaldecoder("utf-8")()

    def _make(self, limit: int | None) -> _TextDecoder:
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        return self._decoder.closed

    def feed(self, data: bytes) -> list[SSEEvent]:
        try:
            text = self._utf8.decode(data)
        except UnicodeDecodeError as exc:
            raise StreamInterruptedError(f"stream is not valid UTF-8: {exc}") from None
        return self._decoder.feed(text)

    def flush(self) -> list[SSEEvent]:
        try:
            tail = self._utf8.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise StreamInterruptedError(f"stream ends inside a UTF-8 sequence: {exc}") from None
        return [*self._decoder.feed(tail), *self._decoder.flush()]


class SSEFraming(_TextFraming):
    """Server-sent events."""

    name = "sse"
    accept = "text/event-stream"

    def _make(self, limit: int | None) -> _TextDecoder:
        from ._sse import SSEDecoder

        return SSEDecoder(limit)


class JSONArrayFraming(_TextFraming):
    """One JSON array whose elements are the events (a protocol's stream without SSE)."""

    name = "json_array"
    accept = "text/event-stream"  # asked for SSE; served as an array when it is not
    content_type = "application/json"

    def _make(self, limit: int | None) -> _TextDecoder:
        from ._jsonarray import JSONArrayDecoder

        return JSONArrayDecoder(limit)


class EventStreamFraming(Framing):
    """AWS event stream: binary frames, each event's payload in one."""

    __slots__ = ("_decoder",)

    name = "aws_eventstream"
    accept = "application/vnd.amazon.eventstream"

    def __init__(self, limit: int | None = None) -> None:
        from ._eventstream import EventStreamDecoder

        self._decoder = EventStreamDecoder(limit)

    @property
    def closed(self) -> bool:
        return self._decoder.closed

    def feed(self, data: bytes) -> list[SSEEvent]:
        return self._decoder.feed(data)

    def flush(self) -> list[SSEEvent]:
        return self._decoder.flush()
