"""Framing of a stream sent as one JSON array (`[{...},\r\n{...}]`), element by element.

Incremental and independent of chunk boundaries: feed text as it arrives; each complete
top-level element comes out as its JSON text (same interface as the SSE decoder). Only the
structural characters are looked at (one regular-expression scan per chunk), so the cost is
linear in the stream's size.
"""

from __future__ import annotations

import re

from ._sse import SSEEvent

_STRUCTURAL = re.compile(r'["{}\[\]]')


class JSONArrayDecoder:
    __slots__ = ("_buffer", "_depth", "_in_string", "_scanned", "_start", "closed")

    def __init__(self) -> None:
        self._buffer = ""
        self._scanned = 0  # position in _buffer up to which the structure is known
        self._depth = 0  # 0: outside the array, 1: between elements, 2+: inside an element
        self._in_string = False
        self._start: int | None = None  # where the current element began
        self.closed = False  # the array's closing bracket was seen

    def feed(self, text: str) -> list[SSEEvent]:
        """Elements completed by `text`."""
        buffer = self._buffer + text
        out: list[SSEEvent] = []
        pos = self._scanned
        for match in _STRUCTURAL.finditer(buffer, pos):
            char, at = match.group(), match.start()
            if self._in_string:
                if char == '"' and not self._escaped_at(buffer, at):
                    self._in_string = False
                continue
            if char == '"':
                if self._depth == 1 and self._start is None:
                    self._start = at  # a string element (not expected, but valid JSON)
                self._in_string = True
            elif char in "{[":
                if self._depth == 1 and self._start is None:
                    self._start = at
                self._depth += 1
            elif char in "}]":
                self._depth -= 1
                if self._depth == 1 and self._start is not None:
                    out.append(SSEEvent(buffer[self._start : at + 1]))
                    self._start = None
                elif self._depth == 0:
                    self.closed = True
        # keep only what an unfinished element still needs
        keep = self._start if self._start is not None else len(buffer)
        self._buffer = buffer[keep:]
        if self._start is not None:
            self._start = 0
        self._scanned = len(buffer) - keep
        return out

    @staticmethod
    def _escaped_at(buffer: str, at: int) -> bool:
        """Whether the quote at `at` is escaped (an odd run of backslashes before it)."""
        run = 0
        i = at - 1
        while i >= 0 and buffer[i] == "\\":
            run += 1
            i -= 1
        return run % 2 == 1

    def flush(self) -> list[SSEEvent]:
        """Nothing is pending in a complete array; a truncated element is dropped."""
        return []
