"""Structured output, independent of any protocol: what is asked for (a pydantic model class
or a JSON Schema object: `StructuredOutput`), and the answer validated.

A protocol that asks for structured output through a forced tool call (its spec's
`structured_output.via: tool`, or `fallback: tool`) gets the tool's arguments back; they are
turned into text here, deltas and final response alike, so every protocol gives the same shape:
the JSON text as a `TextContent`, its validated value on `parsed` (or the reason on
`parse_error`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, Union, cast

from ._conversation import is_mapping, json_ready
from ._errors import DECODE_ERRORS, ConfigurationError
from ._tools import Tool, is_model_class, model_schema
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

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "STRUCTURED_TOOL",
    "StructuredInput",
    "StructuredOutput",
    "StructuredStream",
    "json_mode_instruction",
    "parse_structured",
    "structured_from",
    "structured_result",
]

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


STRUCTURED_TOOL = "structured_output"  # the forced tool that carries structured output


# structured output: a pydantic model class, or a JSON Schema object
StructuredInput: TypeAlias = Union["type[BaseModel]", Mapping[str, object]]


@dataclass(frozen=True, slots=True)
class StructuredOutput:
    """Structured output asked for: the JSON Schema, its name, the type to validate with,
    and how the protocol gets it (`native`: the body's own form; `tool`: a forced tool)."""

    schema: Mapping[str, object]
    name: str
    model: type[BaseModel] | None  # a pydantic model class, or None for a raw JSON Schema
    via: str  # "native" | "tool"

    def tool(self) -> Tool:
        about = self.schema.get("description")
        parameters = {k: v for k, v in self.schema.items() if k != "description"}
        return Tool(
            STRUCTURED_TOOL,
            f"Respond with a {self.name} object" + (f": {about}" if about else "."),
            parameters,
        )


def structured_from(value: object, via: str) -> StructuredOutput:
    """Structured output from a pydantic model class or a JSON Schema object."""
    if is_model_class(value):
        schema = model_schema(value, keep_description=True)  # it tells the model what to write
        return StructuredOutput(schema, value.__name__, value, via)
    if is_mapping(value) and value.get("type") == "object":
        json_ready(value, "structured_output")
        schema = cast("dict[str, object]", dict(value))  # json_ready: its keys are strings
        name = str(schema.pop("title", None) or "response")
        return StructuredOutput(schema, re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64], None, via)
    raise ConfigurationError(
        f"structured_output must be a pydantic model class or a JSON Schema object "
        f"(type 'object'), got {value!r}"
    )


def json_mode_instruction(structured: StructuredOutput) -> str:
    """What a JSON-mode call adds to the system prompt: the schema the answer must follow
    (JSON modes constrain the syntax only; the schema is checked when the answer arrives)."""
    schema = json.dumps(structured.schema, ensure_ascii=False, separators=(",", ":"))
    return (
        f"Answer with a single JSON object, and nothing else, that follows this JSON Schema "
        f"(a {structured.name}):\n{schema}"
    )


def parse_structured(text: str, model: type[BaseModel] | None) -> tuple[object, str | None]:
    """(value, error): the text as JSON validated by `model` (a pydantic class, or None)."""
    if model is None:
        try:
            return json.loads(text), None
        except DECODE_ERRORS as exc:
            return None, f"not JSON: {exc}"
    try:
        return model.model_validate_json(text), None
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        return None, str(exc)
