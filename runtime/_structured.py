"""Structured output on the response: the text validated, on any protocol.

A protocol that asks for structured output through a forced tool call (its spec's
`structured_output.via: tool`, or `fallback: tool`) gets the tool's arguments back; they are
turned into text here, deltas and final response alike, so every protocol gives the same shape:
the JSON text as a `TextContent`, its validated value on `parsed` (or the reason on
`parse_error`).
"""

from __future__ import annotations

import json

from ._tools import STRUCTURED_TOOL, StructuredOutput, parse_structured
from ._types import (
    ChatResponseChoice,
    ChatResponseChunk,
    ContentDelta,
    ContentItem,
    TextContent,
    TextDelta,
    ToolCallContent,
    ToolCallDelta,
)

__all__ = ["StructuredStream", "structured_result"]

_KEY = "structured_output"  # the text item the tool's arguments become


class StructuredStream:
    """Rewrites streamed chunks in place: the forced tool's call deltas become text deltas.
    A call is known by its name on its first delta, then by its key."""

    def __init__(self) -> None:
        self._keys: set[tuple[int, object]] = set()

    def __call__(self, chunk: ChatResponseChunk) -> None:
        for cd in chunk.choice_deltas:
            out: list[ContentDelta] = []
            for d in cd.content_deltas:
                if not isinstance(d, ToolCallDelta):
                    out.append(d)
                    continue
                if d.name == STRUCTURED_TOOL:
                    self._keys.add((cd.index, d.key))
                if (cd.index, d.key) not in self._keys:
                    out.append(d)
                elif isinstance(d.arguments, str):
                    if d.arguments:
                        out.append(TextDelta(d.arguments, key=_KEY))
                elif d.arguments or d.whole:  # a call given whole; `{}` only opens one
                    out.append(TextDelta(json.dumps(d.arguments, ensure_ascii=False), key=_KEY))
            cd.content_deltas = out
            if cd.finish_reason == "tool_use" and any(i == cd.index for i, _ in self._keys):
                cd.finish_reason = "end_turn"


def structured_result(choice: ChatResponseChoice, structured: StructuredOutput) -> None:
    """Validate a choice's structured output, in place: the last text item gets `parsed` or
    `parse_error` (the forced tool's call, when that is how it came, becomes that text)."""
    if structured.via == "tool":
        contents: list[ContentItem] = []
        for item in choice.contents:
            if isinstance(item, ToolCallContent) and item.name == STRUCTURED_TOOL:
                item = TextContent(item.arguments_json())
                if choice.finish_reason == "tool_use":
                    choice.finish_reason = "end_turn"
            contents.append(item)
        choice.contents = contents
    texts = [c for c in choice.contents if isinstance(c, TextContent)]
    if not texts:
        choice.contents.append(TextContent("", parse_error="no structured output came"))
        return
    target = texts[-1]
    target.parsed, target.parse_error = parse_structured(target.text, structured.model)
