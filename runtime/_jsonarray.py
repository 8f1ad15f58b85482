"""Framing of a stream sent as one JSON array (`[{...},\r\n{...}]`), element by element.

Incremental and independent of chunk boundaries: feed text as it arrives; each complete
top-level element comes out as its JSON text (same interface as the SSE decoder). Only the
structural characters are looked at (one regular-expression scan per chunk, of that chunk
alone), so the cost is linear in the stream's size.
"""

from __future__ import annotations

import re

from ._sse import SSEEvent, too_large

__all__ = ["JSONArrayDecoder"]

_STRUCTURAL = re.compile(r'["{}\[\],]')


class JSONArrayDecoder:
    __slots__ = (
        "_backslashes",
        "_begin",
        "_depth",
        "_emitted",
        "_in_string",
        "_limit",
        "_parts",
        "_size",
        "closed",
    )

    def __init__(self, limit: int | None = None) -> None:
        self._parts: list[str] = []  # the current element's text from earlier chunks
        self._size = 0  # its characters
        self._limit = limit
        self._begin = 0  # in the chunk being scanned: where the current element's text begins
        self._backslashes = 0  # the run of backslashes that ended the previous chunk
        self._depth = 0  # 0: outside the array, 1: between elements, 2+: inside an element
        self._in_string = False
        self._emitted = False  # the current element (an object, array or string) is out
        self.closed = False  # the array's closing bracket was seen

    def feed(self, text: str) -> list[SSEEvent]:
        """Elements completed by `text`. Each chunk is scanned once and the text of an
        element is joined once, when it ends; an element past `limit` characters raises."""
        out: list[SSEEvent] = []
        self._begin = 0
        for match in _STRUCTURAL.finditer(text):
            char, at = match.group(), match.start()
            if self._in_string:
                if char == '"' and not self._escaped_at(text, at):
                    self._in_string = False
                    if self._depth == 1:  # a string element
                        self._emit(out, text, at + 1)
                continue
            if self._depth == 0:
                if char == "[" and not self.closed:
                    self._depth, self._emitted = 1, False
                    self._restart(at + 1)
                continue
            if char == '"':
                self._in_string = True
            elif char in "{[":
                self._depth += 1
            elif self._depth > 1:  # "}", "]" or "," inside an element
                if char != ",":
                    self._depth -= 1
                    if self._depth == 1:
                        self._emit(out, text, at + 1)
            else:  # ",", "]" (or a stray "}") between elements: ends a scalar element
                if not self._emitted:
                    self._emit(out, text, at)
                self._restart(at + 1)
                self._emitted = False
                if char != ",":
                    self._depth = 0
                    self.closed = char == "]"  # a stray "}" ends it unclosed (truncated)
        if self._depth:  # keep what an unfinished element still needs
            rest = text[self._begin :]
            self._parts.append(rest)
            self._size += len(rest)
            if self._limit is not None and self._size > self._limit:
                raise too_large(self._limit)
        trailing = len(text) - len(text.rstrip("\\"))
        self._backslashes = self._backslashes + trailing if trailing == len(text) else trailing
        return out

    def _restart(self, at: int) -> None:
        self._parts, self._size, self._begin = [], 0, at

    def _emit(self, out: list[SSEEvent], text: str, end: int) -> None:
        element = ("".join(self._parts) + text[self._begin : end]).strip()
        if element:
            out.append(SSEEvent(element))
        self._restart(end)
        self._emitted = True

    def _escaped_at(self, text: str, at: int) -> bool:
        """Whether the quote at `at` is escaped (an odd run of backslashes before it, which
        may go on from the previous chunk)."""
        run = at - len(text[:at].rstrip("\\"))
        if run == at:
            run += self._backslashes
        return run % 2 == 1

    def flush(self) -> list[SSEEvent]:
        """Nothing is pending in a complete array; a truncated element is dropped."""
        return []
