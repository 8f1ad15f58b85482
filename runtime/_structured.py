"""Structured output on the response: the text validated, on any protocol.

A protocol that asks for structured output through a forced tool call (its spec's
`structured_output.via: tool`) gets the tool's arguments back; they are turned into text here,
deltas and final response alike, so every protocol gives the same shape: the JSON text as a
`TextContent`, its validated value on `parsed` (or the reason on `parse_error`).
"""

from __future__ import annotations

import json

from ._tools import StructuredOutput, parse_structured
from ._types import (
    ChatResponseChoice,
    ChatResponseChunk,
    TextContent,
    TextDelta,
    ToolCallContent,
    ToolCallDelta,
)

_KEY = "structured_output"  # the text item the tool's arguments become


def structured_chunk(chunk: ChatResponseChunk) -> None:
    """A streamed chunk's tool-call deltas (the forced tool's) as text deltas."""
    for cd in chunk.choice_deltas:
        out = []
        for d in cd.content_deltas:
            if not isinstance(d, ToolCallDelta):
                out.append(d)
            elif isinstance(d.arguments, str):
                if d.arguments:
                    out.append(TextDelta(d.arguments, key=_KEY))
            elif d.arguments or d.whole:  # a call given whole; `{}` only opens one
                out.append(TextDelta(json.dumps(d.arguments, ensure_ascii=False), key=_KEY))
        cd.content_deltas = out
        if cd.finish_reason == "tool_use":
            cd.finish_reason = "end_turn"


def structured_result(choice: ChatResponseChoice, structured: StructuredOutput) -> None:
    """Validate a choice's structured output, in place: the last text item gets `parsed` or
    `parse_error` (the forced tool's call, when that is how it came, becomes that text)."""
    if structured.via == "tool":
        contents = []
        for item in choice.contents:
            if isinstance(item, ToolCallContent):
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
