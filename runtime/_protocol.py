"""What generated adapters are written against: the normalized call, and small helpers.

A generated adapter module (modelwire.generated.adapters.<protocol>) provides:
`build_body(call)`, `parse_response(raw)`, `parse_event(data, event)`, `error_fields(data)`
and the constants PROTOCOL, FRAMING, STREAM_DONE, USAGE_UPDATE, OPTIONS_IN_BODY,
FINISH_REASONS, REQUEST_ID_HEADERS, RETRY_STATUSES, STATUS_KINDS, ERROR_TYPES,
CONTEXT_LENGTH_CODES, CONTEXT_LENGTH_PATTERN. `AdapterModule` below is that contract.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._config import AIModelCallConfig
from ._errors import ConfigurationError
from ._types import ChatResponseChoice, ChatResponseChunk, ContentItem, Usage


@dataclass(slots=True)
class Message:
    """One turn of a conversation in unified form."""

    role: str  # "user" | "assistant" | "system" | "tool"
    content: list[ContentItem] = field(default_factory=list)


@dataclass(slots=True)
class Call:
    """A call, normalized: what a generated `build_body` reads."""

    model: str
    messages: list[Message]
    system: str | None
    config: AIModelCallConfig
    stream: bool


@dataclass(slots=True)
class ParsedResponse:
    choices: list[ChatResponseChoice]
    usage: Usage | None
    id: str | None
    model: str | None
    wire: Any = None


@dataclass(slots=True)
class StreamError:
    """An error reported inside a 2xx stream."""

    message: Any = None
    type: Any = None
    code: Any = None
    status: Any = None


class AdapterModule(Protocol):
    PROTOCOL: str
    FRAMING: str
    STREAM_DONE: str | None
    USAGE_UPDATE: str
    OPTIONS_IN_BODY: bool
    FINISH_REASONS: dict[str, str]
    REQUEST_ID_HEADERS: tuple[str, ...]
    RETRY_STATUSES: frozenset[int]
    STATUS_KINDS: dict[int, str]
    ERROR_TYPES: dict[str, str]
    CONTEXT_LENGTH_CODES: frozenset[str]
    CONTEXT_LENGTH_PATTERN: re.Pattern[str] | None

    def build_body(self, call: Call) -> dict[str, Any]: ...
    def parse_response(self, raw: bytes | str) -> ParsedResponse: ...
    def parse_event(
        self, data: str, event: str | None
    ) -> ChatResponseChunk | StreamError | None: ...
    def error_fields(self, data: Any) -> tuple[Any, Any, Any]: ...


# --- helpers the generated code calls -------------------------------------------------------


def first_present(*values: Any) -> Any:
    """The first value that is neither None nor empty."""
    for v in values:
        if v is not None and v != "":
            return v
    return None


def sum_present(*values: int | None) -> int | None:
    """Sum of the values present; None when none is."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def compact(mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping without its None values."""
    return {k: v for k, v in mapping.items() if v is not None}


def dig(data: Any, *keys: str) -> Any:
    """data[k1][k2]... on decoded JSON, None where a step is missing or not a mapping."""
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def unsupported_content(protocol: str, kind: str) -> ConfigurationError:
    return ConfigurationError(f"the {protocol} protocol cannot send {kind!r} content")


def unsupported_role(protocol: str, role: str, roles: Mapping[str, str]) -> ConfigurationError:
    return ConfigurationError(
        f"the {protocol} protocol has no {role!r} role; allowed roles: {', '.join(roles)}"
    )
