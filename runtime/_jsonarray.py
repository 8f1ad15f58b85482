"""Framing of a stream sent as one JSON array (`[{...},\r\n{...}]`), element by element.

Incremental and independent of chunk boundaries: feed text as it arrives; each complete
top-level element comes out as its JSON text (same interface as the SSE decoder). Only the
structural characters are looked at (one regular-expression scan per chunk), so the cost is
linear in the stream's size.
"""

from __future__ import annotations

import re

from ._sse import SSEEvent

_STRUCTURAL = re.compile(r'["{}\[\],]')


class JSONArrayDecoder:
    __slots__ = ("_buffer", "_depth", "_emitted", "_in_string", "_scanned", "_start", "closed")

    def __init__(self) -> None:
        self._buffer = ""
        self._scanned = 0  # position in _buffer up to which the structure is known
        self._depth = 0  # 0: outside the array, 1: between elements, 2+: inside an element
        self._in_string = False
        self._start = 0  # inside the array: where the current element's text begins
        self._emitted = False  # the current element (an object, array or string) is out
        self.closed = False  # the array's closing bracket was seen

    def feed(self, text: str) -> list[SSEEvent]:
        """Elements completed by `text`."""
        buffer = self._buffer + text
        out: list[SSEEvent] = []
        for match in _STRUCTURAL.finditer(buffer, self._scanned):
            char, at = match.group(), match.start()
            if self._in_string:
                if char == '"' and not self._escaped_at(buffer, at):
                    self._in_string = False
                    if self._depth == 1:  # a string element
                        self._emit(out, buffer, at + 1)
                continue
            if self._depth == 0:
                if char == "[" and not self.closed:
                    self._depth, self._start, self._emitted = 1, at + 1, False
                continue
            if char == '"':
                self._in_string = True
            elif char in "{[":
                self._depth += 1
            elif self._depth > 1:  # "}", "]" or "," inside an element
                if char != ",":
                    self._depth -= 1
                    if self._depth == 1:
                        self._emit(out, buffer, at + 1)
            else:  # ",", "]" (or a stray "}") between elements: ends a scalar element
                if not self._emitted:
                    self._emit(out, buffer, at)
                self._start, self._emitted = at + 1, False
                if char != ",":
                    self._depth = 0
                    self.closed = char == "]"  # a stray "}" ends it unclosed (truncated)
        # keep only what an unfinished element still needs
        keep = self._start if self._depth else len(buffer)
        self._buffer = buffer[keep:]
        self._start = self._start - keep if self._depth else 0
        self._scanned = len(buffer) - keep
        return out

    def _emit(self, out: list[SSEEvent], buffer: str, end: int) -> None:
        element = buffer[self._start : end].strip()
        if element:
            out.append(SSEEvent(element))
        self._start, self._emitted = end, True

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
