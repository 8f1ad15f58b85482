"""Protocols that frame other protocols' bodies (`dialects` in the spec language).

Such a protocol (Bedrock InvokeModel) has no body of its own: the model family's own API
is the body, and its stream events arrive wrapped in the host's frames. Its generated module
gives the framing, the envelope of the events (`unwrap_event`) and the error tables; the
dialect's generated module builds the body and reads the answer and the wrapped events.
`dialect_adapter` picks the dialect for a model and composes the two into one adapter.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._catalog import AIModel
from ._protocol import Call, StreamError
from ._stream import has_counts
from ._types import ChatResponseChunk

__all__ = ["Dialect", "DialectAdapter", "choose", "dialect_adapter", "unwrap"]

# what the frame gives (its framing, and how errors are read); the dialect gives the rest
_FROM_FRAME = (
    "FRAMING",
    "JSON_ARRAY",
    "STREAM_DONE",
    "REQUEST_ID_HEADERS",
    "ERROR_TYPE_HEADER",
    "RETRY_STATUSES",
    "STATUS_KINDS",
    "CONTEXT_LENGTH_CODES",
    "CONTEXT_LENGTH_PATTERN",
    "error_fields",
)


@dataclass(frozen=True, slots=True)
class Dialect:
    """One model family's API as a framing protocol carries it."""

    protocol: str
    adapter: str  # the dialect's generated module
    ids: str | None = None  # regular expression searched in the model id
    creators: tuple[str, ...] = ()
    body: Mapping[str, Any] = field(default_factory=dict[str, Any])  # None: key removed
    structured_output: str | None = None  # "tool": a forced tool call, not the native form


def unwrap(value: str | None, b64: bool) -> str | None:
    """A wrapped event's JSON text: the value as is, or base64-decoded (UTF-8)."""
    if value is None or not b64:
        return value
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"a wrapped event is not base64 of UTF-8 text: {exc}") from None


def choose(dialects: tuple[Dialect, ...], model: AIModel, model_id: str) -> Dialect:
    """The dialect whose `ids` matches the model id, else the first listing its creator,
    else the first (an id that names no family: an ARN, a custom model)."""
    return next(
        (d for d in dialects if d.ids is not None and re.search(d.ids, model_id)),
        next((d for d in dialects if model.creator in d.creators), dialects[0]),
    )


def dialect_adapter(frame: Any, model: AIModel, model_id: str) -> DialectAdapter:
    chosen = choose(frame.DIALECTS, model, model_id)
    return DialectAdapter(frame, importlib.import_module(chosen.adapter), chosen)


class DialectAdapter:
    """A framing protocol's module and its dialect's, composed: an adapter module for the
    client like any other (`AdapterModule`)."""

    def __init__(self, frame: Any, dialect: Any, how: Dialect) -> None:
        self._frame = frame
        self._dialect = dialect
        self._body = how.body
        self.PROTOCOL = f"{frame.PROTOCOL} ({dialect.PROTOCOL})"
        for name in _FROM_FRAME:
            setattr(self, name, getattr(frame, name))
        self.ERROR_TYPES = {**dialect.ERROR_TYPES, **frame.ERROR_TYPES}
        self.STREAMABLE = frame.STREAMABLE and dialect.STREAMABLE
        if how.structured_output is not None:
            self.STRUCTURED_VIA = how.structured_output

    def __getattr__(self, name: str) -> Any:  # the rest is the dialect's
        return getattr(self._dialect, name)

    def build_body(self, call: Call) -> dict[str, Any]:
        body = self._dialect.build_body(call)
        for key, value in self._body.items():  # what this framing changes in the body
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
        return body

    def parse_event(self, data: str, event: str | None) -> ChatResponseChunk | StreamError | None:
        """The frame's event -> the dialect's event it wraps, read by the dialect; the usage
        the host adds is taken where the dialect's own reports no count."""
        wrapped = self._frame.unwrap_event(data, event)
        if not isinstance(wrapped, str):
            return wrapped
        chunk = self._dialect.parse_event(wrapped, None)
        if isinstance(chunk, StreamError) or (chunk is not None and has_counts(chunk.usage)):
            return chunk
        usage = self._frame.payload_usage(wrapped)
        if usage is None:
            return chunk
        if chunk is None:
            return ChatResponseChunk([], usage=usage)
        chunk.usage, chunk.usage_wire = usage, None
        return chunk
