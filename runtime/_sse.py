"""Server-sent events framing (WHATWG HTML, "Parsing an event stream").

Incremental and independent of chunk boundaries: feed text as it arrives; complete events
come out. Handles LF, CRLF and lone CR line ends, comments (`:` lines), multi-line `data`,
and a UTF-8 BOM at the start.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ._errors import StreamInterruptedError

__all__ = ["SSEDecoder", "SSEEvent", "too_large"]


@dataclass(slots=True)
class SSEEvent:
    data: str
    event: str | None = None
    id: str | None = None


class SSEDecoder:
    __slots__ = ("_data", "_event", "_held", "_id", "_limit", "_open", "_parts", "_started")

    closed = False  # an event stream ends with its body (or the protocol's own end marker)

    def __init__(self, limit: int | None = None) -> None:
        self._parts: list[str] = []  # the line not yet ended, as it arrived
        self._open = 0  # its characters
        self._held = 0  # characters of data held for the event being read
        self._limit = limit
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._started = False

    def feed(self, text: str) -> list[SSEEvent]:
        """Events completed by `text`. Linear in the input: text without a line end is only
        kept (joined once, when its line ends); an event past `limit` characters raises."""
        if not self._started and text:
            self._started = True
            if text.startswith("\ufeff"):
                text = text[1:]
        if "\n" not in text and "\r" not in text:
            self._parts.append(text)
            self._open += len(text)
            self._check(self._held + self._open)
            return []
        parts, self._parts = self._parts, []
        buffer = "".join(parts) + text if parts else text
        # a CR at the very end may be the first half of a CRLF split across chunks
        keep_cr = buffer.endswith("\r")
        if keep_cr:
            buffer = buffer[:-1]
        if "\r" in buffer:
            buffer = buffer.replace("\r\n", "\n").replace("\r", "\n")
        lines = buffer.split("\n")
        rest = lines.pop() + ("\r" if keep_cr else "")
        if rest:
            self._parts.append(rest)
        events: list[SSEEvent] = []
        data = self._data
        held = self._held
        limit = self._limit or sys.maxsize
        for line in lines:  # the common lines inline; the rest (comments, id, ...) by _line
            if line.startswith("data:"):
                data.append(line[6:] if line.startswith(" ", 5) else line[5:])
                held += len(line)
                if held > limit:
                    self._check(held)
            elif not line:  # the end of an event
                if data:
                    events.append(SSEEvent("\n".join(data), self._event, self._id))
                    data = self._data = []
                self._event = None
                held = 0
            elif line.startswith("event:"):
                self._event = line[7:] if line.startswith(" ", 6) else line[6:]
            else:
                self._line(line)
        self._held, self._open = held, len(rest)
        self._check(held + len(rest))
        return events

    def _check(self, size: int) -> None:
        if self._limit is not None and size > self._limit:
            raise too_large(self._limit)

    def flush(self) -> list[SSEEvent]:
        """At end of input: the last line (if unterminated) and an undispatched event, as if
        the body had ended with a blank line."""
        return self.feed("\n\n")

    @property
    def pending(self) -> bool:
        """True when part of an event has arrived but not its end."""
        return bool(self._parts or self._data)

    def _line(self, line: str) -> None:
        """A line other than `data:`, `event:` and the blank one that ends an event (feed
        reads those itself): a comment, an id, or a field without a colon."""
        if line[0] == ":":
            return
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value


def too_large(limit: int) -> StreamInterruptedError:
    """The error for one stream event (or frame, or element) longer than `limit`."""
    return StreamInterruptedError(
        f"a stream event grew past max_event_bytes ({limit}) before its end; "
        "AIModelCallConfig(max_event_bytes=...) raises the cap"
    )
