"""AWS event-stream framing (`application/vnd.amazon.eventstream`), as Bedrock streams use it.

Each frame: a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes), headers,
the payload, and a CRC32 of everything before it. Both checksums are verified: a mismatch is
a typed error, never garbage. Incremental and independent of chunk boundaries.

Each frame becomes one event whose data is JSON shaped like the service's stream union:
`{"<:event-type>": <payload>}` for events, and `{"exception": {"type": ..., "message": ...}}`
for `exception` frames (`:exception-type`, the payload's `message`) and `error` frames
(`:error-code`, `:error-message`), so protocol specs match them like any other event.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import cast

from ._errors import DECODE_ERRORS, StreamInterruptedError
from ._sse import SSEEvent, too_large

__all__ = ["EventStreamDecoder", "EventStreamError"]

_PRELUDE = struct.Struct(">III")
_MAX_FRAME = 16 * 1024 * 1024  # the format allows 16 MiB messages


class EventStreamError(StreamInterruptedError):
    """A frame that is not valid AWS event-stream (bad length or checksum)."""


def _headers(data: bytes) -> dict[str, object]:
    try:
        return _read_headers(data)
    except (IndexError, struct.error):
        raise EventStreamError("event-stream frame headers are truncated") from None


def _read_headers(data: bytes) -> dict[str, object]:
    out: dict[str, object] = {}
    i = 0
    while i < len(data):
        n = data[i]
        name = data[i + 1 : i + 1 + n].decode("utf-8", "replace")
        i += 1 + n
        kind = data[i]
        i += 1
        if kind in (0, 1):  # bool true / false
            out[name] = kind == 0
        elif kind == 2:
            out[name] = struct.unpack_from(">b", data, i)[0]
            i += 1
        elif kind == 3:
            out[name] = struct.unpack_from(">h", data, i)[0]
            i += 2
        elif kind == 4:
            out[name] = struct.unpack_from(">i", data, i)[0]
            i += 4
        elif kind in (5, 8):  # long, timestamp
            out[name] = struct.unpack_from(">q", data, i)[0]
            i += 8
        elif kind in (6, 7):  # bytes, string
            (length,) = struct.unpack_from(">H", data, i)
            raw = data[i + 2 : i + 2 + length]
            if len(raw) != length:
                raise IndexError
            out[name] = raw.decode("utf-8", "replace") if kind == 7 else raw
            i += 2 + length
        elif kind == 9:  # uuid
            uuid = data[i : i + 16]
            out[name] = uuid
            if len(uuid) != 16:
                raise IndexError
            i += 16
        else:
            raise EventStreamError(f"event-stream header {name!r} has unknown type {kind}")
    return out


class EventStreamDecoder:
    __slots__ = ("_buffer", "_limit")

    closed = False  # the end of an event stream is the end of the body

    def __init__(self, limit: int | None = None) -> None:
        self._buffer = bytearray()
        self._limit = limit

    def feed(self, data: bytes) -> list[SSEEvent]:
        """Events of the frames completed by `data`."""
        self._buffer += data
        out: list[SSEEvent] = []
        while len(self._buffer) >= _PRELUDE.size:
            total, headers_len, prelude_crc = _PRELUDE.unpack_from(self._buffer)
            if zlib.crc32(self._buffer[:8]) != prelude_crc:
                raise EventStreamError("event-stream prelude checksum mismatch")
            if total > _MAX_FRAME or total < _PRELUDE.size + headers_len + 4:
                raise EventStreamError(f"event-stream frame length {total} is not valid")
            if self._limit is not None and total > self._limit:
                raise too_large(self._limit)
            if len(self._buffer) < total:
                break
            frame = bytes(self._buffer[:total])
            del self._buffer[:total]
            (message_crc,) = struct.unpack_from(">I", frame, total - 4)
            if zlib.crc32(frame[:-4]) != message_crc:
                raise EventStreamError("event-stream message checksum mismatch")
            headers = _headers(frame[_PRELUDE.size : _PRELUDE.size + headers_len])
            payload = frame[_PRELUDE.size + headers_len : -4]
            out.append(_event(headers, payload))
        return out

    def flush(self) -> list[SSEEvent]:
        if self._buffer:
            raise EventStreamError(
                f"event-stream ends inside a frame ({len(self._buffer)} bytes left)"
            )
        return []


def _text(headers: dict[str, object], name: str) -> str | None:
    """A header's value as text, whatever type the frame gave it."""
    value = headers.get(name)
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _event(headers: dict[str, object], payload: bytes) -> SSEEvent:
    kind = _text(headers, ":message-type") or "event"
    text = payload.decode("utf-8", "replace") or "{}"
    if kind == "event":
        name = _text(headers, ":event-type") or ""
        return SSEEvent(f"{{{json.dumps(name)}: {text}}}", name)
    if kind == "exception":
        body: object
        try:
            body = json.loads(text)
        except DECODE_ERRORS:
            body = {}
        message: object = None
        if isinstance(body, dict):
            fields = cast("dict[object, object]", body)
            message = fields.get("message") or fields.get("Message")
        found: dict[str, object] = {
            "type": _text(headers, ":exception-type"),
            "message": message or text,
        }
    else:  # "error"
        found = {"type": _text(headers, ":error-code"), "message": _text(headers, ":error-message")}
    return SSEEvent(json.dumps({"exception": found}), "exception")
