"""The conversation, normalized: what a caller may give as prompt, instructions and messages
(strings, dicts in the common chat form, content items, `Message`s, earlier responses),
checked and turned into `Message`s and a system prompt. Nothing is converted on the way:
a value of the wrong type is an error naming what is allowed."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TypeGuard, cast

from ._errors import ConfigurationError
from ._types import (
    AIModelCallResponse,
    ChatResponse,
    ContentItem,
    ImageContent,
    MediaContent,
    Message,
    ReasoningContent,
    RefusalContent,
    TextContent,
    ToolCallContent,
    ToolCallResult,
    tool_call,
)

__all__ = ["ITEMS", "MEDIA_KINDS", "ROLES", "conversation", "is_array", "is_mapping", "json_ready"]

MEDIA_KINDS = ("image", "document", "audio")


ROLES = ("system", "user", "assistant", "tool")


ITEMS = (
    TextContent,
    ReasoningContent,
    RefusalContent,
    ToolCallContent,
    ToolCallResult,
    MediaContent,
)


# the types a content item's fields must have when the caller gives it: (types, said as)
_STR = ((str,), "a string")


_OPT_STR = ((str, type(None)), "a string or None")


_BOOL = ((bool,), "True or False")


ITEM_FIELDS: dict[type, dict[str, tuple[tuple[type, ...], str]]] = {
    TextContent: {"text": _STR, "signature": _OPT_STR},
    RefusalContent: {"text": _STR},
    ReasoningContent: {"text": _OPT_STR, "signature": _OPT_STR, "redacted": _BOOL, "id": _OPT_STR},
    ToolCallContent: {"id": _OPT_STR, "name": _OPT_STR, "arguments_raw": _OPT_STR},
    ToolCallResult: {"id": _OPT_STR, "name": _OPT_STR, "is_error": _BOOL},
    MediaContent: {
        "kind": ((str,), "image, document or audio"),
        "media_type": _OPT_STR,
        "data": ((bytes, bytearray, type(None)), "bytes or None"),
        "url": _OPT_STR,
        "filename": _OPT_STR,
    },
    ImageContent: {"b64": _OPT_STR, "url": _OPT_STR, "media_type": _OPT_STR},
}


def is_mapping(value: object) -> TypeGuard[Mapping[object, object]]:
    """`value` is a mapping (of anything: JSON or a caller's data, not yet checked)."""
    return isinstance(value, Mapping)


def is_array(value: object) -> TypeGuard[list[object] | tuple[object, ...]]:
    """`value` is a list or a tuple (of anything, not yet checked)."""
    return isinstance(value, (list, tuple))


def json_ready(value: object, where: str) -> None:
    """Fail unless `value` is plain JSON data (strings, numbers, booleans, None, and lists
    and string-keyed mappings of them): what the request body can carry as it is, nothing
    converted. The error names where the odd value sits (`where[key][0]`)."""
    stack: list[tuple[object, tuple[object, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if node is None or isinstance(node, (str, int)):  # bool is an int
            continue
        at = where + "".join(f"[{k!r}]" for k in path)
        if isinstance(node, float):
            if not math.isfinite(node):
                raise ConfigurationError(f"{at} is {node}, which JSON cannot carry")
        elif is_mapping(node):
            for key, item in node.items():
                if not isinstance(key, str):
                    raise ConfigurationError(
                        f"{at} has the key {key!r:.40}: JSON object keys are strings"
                    )
                stack.append((item, (*path, key)))
        elif is_array(node):
            stack.extend((item, (*path, i)) for i, item in enumerate(node))
        else:
            raise ConfigurationError(
                f"{at} is a {type(node).__name__}, which JSON cannot carry: give plain "
                "JSON data (str, int, float, bool, None, lists and dicts of them)"
            )


def _item(part: ContentItem) -> ContentItem:
    """A content item the caller gave, its fields checked (nothing is converted on the way
    to the wire: a None or a number where text belongs is an error, not the text "None")."""
    fields = next(f for kind, f in ITEM_FIELDS.items() if isinstance(part, kind))
    for name, (types, said) in fields.items():
        value = getattr(part, name)
        if not isinstance(value, types):
            raise ConfigurationError(
                f"{type(part).__name__}.{name} must be {said}, not {type(value).__name__}"
            )
    if isinstance(part, ToolCallContent):
        json_ready(part.arguments, f"the arguments of tool call {part.id!r}")
    elif isinstance(part, ToolCallResult):
        json_ready(part.output, f"the output of tool result {part.id!r}")
    elif isinstance(part, MediaContent) and (
        part.kind not in MEDIA_KINDS or (part.data is None) == (part.url is None)
    ):
        raise ConfigurationError(
            "a MediaContent has a kind (image, document or audio) and either data or a url: "
            "build one with MediaContent.from_bytes, from_path or from_url"
        )
    elif isinstance(part, ImageContent) and part.b64 is None and part.url is None:
        raise ConfigurationError("an ImageContent sent back needs its b64 data or its url")
    return part


def _media_from_url(url: str) -> MediaContent:
    """An `image_url` part's URL: a data URL's bytes are decoded, any other URL is kept."""
    if url.startswith("data:"):
        header, _, encoded = url.partition(",")
        media_type = header[len("data:") :].split(";")[0] or None
        try:
            return MediaContent.from_base64(encoded, media_type)
        except ValueError as exc:
            raise ConfigurationError(f"bad data URL ({exc})") from None
    return MediaContent.from_url(url)


def _part(value: object) -> ContentItem:
    if isinstance(value, ITEMS):
        return _item(value)
    if isinstance(value, str):
        return TextContent(value)
    if is_mapping(value):
        kind = value.get("type", "text")
        text = value.get("text")
        if kind == "text" and isinstance(text, str):
            return TextContent(text)
        image = value.get("image_url") if kind == "image_url" else None
        url = image.get("url") if is_mapping(image) else image
        if isinstance(url, str):
            return _media_from_url(url)
    raise ConfigurationError(
        f"unsupported message content {value!r}; use a string, {{'type': 'text', 'text': ...}}, "
        "{'type': 'image_url', 'image_url': {'url': ...}} or a content item (TextContent, "
        "MediaContent, ToolCallResult, ...)"
    )


def _dict_tool_calls(calls: object) -> list[ContentItem]:
    """Assistant `tool_calls` in the common dict form ({"id", "function": {"name", "arguments"}})."""
    if calls is None:
        return []
    if not is_array(calls):
        raise ConfigurationError(f"tool_calls must be a list of tool calls, not {calls!r:.80}")
    out: list[ContentItem] = []
    for c in calls:
        fn = c.get("function") if is_mapping(c) else None
        if not is_mapping(c) or not is_mapping(fn):
            raise ConfigurationError(
                'a tool call is {"id": ..., "function": {"name": ..., "arguments": ...}}, '
                f"not {c!r:.80}"
            )
        # the id and name as given: `_item` checks they are strings (or None)
        call_id, name = cast("str | None", c.get("id")), cast("str | None", fn.get("name"))
        out.append(_item(tool_call(call_id, name, fn.get("arguments"))))
    return out


def _message(value: object) -> Message:
    if isinstance(value, Message):
        if value.role not in ROLES or not isinstance(value.content, list):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(
                f"a Message has a role ({', '.join(ROLES)}) and a list of content items, "
                f"not role={value.role!r:.40} and content={type(value.content).__name__}"
            )
        for part in value.content:
            if not isinstance(part, (*ITEMS, ImageContent)):  # an EmbeddingContent is not sent
                raise ConfigurationError(
                    f"a Message's content holds content items, not {type(part).__name__}"
                )
            _item(part)
        return value
    if isinstance(value, AIModelCallResponse):
        value = value.chat_response
    if isinstance(value, ChatResponse):
        return value.to_message_item()
    if is_mapping(value):
        given_role = value.get("role")
        if given_role not in ROLES:
            raise ConfigurationError(
                f"message role {given_role!r} is not one of {', '.join(ROLES)}"
            )
        role = cast(str, given_role)  # equal to one of ROLES
        content = value.get("content")
        if role == "tool" and "tool_call_id" in value:  # the common dict form of a tool message
            # the id and name as given: `_item` checks they are strings (or None)
            call_id = cast("str | None", value["tool_call_id"])
            result = ToolCallResult(call_id, content, cast("str | None", value.get("name")))
            return Message("tool", [_item(result)])
        parts: list[object]
        if content is None:
            parts = []
        elif isinstance(content, str):
            parts = [content]
        elif is_array(content):
            parts = list(content)
        else:
            raise ConfigurationError(
                f"message content must be a string or a list of parts, not {content!r:.80}"
            )
        items = [_part(p) for p in parts]
        return Message(role, items + _dict_tool_calls(value.get("tool_calls")))
    raise ConfigurationError(
        f"unsupported message {value!r}; use {{'role': ..., 'content': ...}}, a Message "
        "or an earlier response"
    )


def _name_results(turns: list[Message]) -> list[Message]:
    """The turns with each tool result that has no name given the name of the call with its
    id (some protocols send results by name); the caller's objects are left as they are."""
    names: dict[str | None, str | None] = {}
    out: list[Message] = []
    for m in turns:
        content = list(m.content)
        for i, part in enumerate(content):
            if isinstance(part, ToolCallContent):
                names[part.id] = part.name
            elif isinstance(part, ToolCallResult) and part.name is None:
                name = names.get(part.id)
                if name is None:
                    raise ConfigurationError(
                        f"ToolCallResult(id={part.id!r}) has no name and no earlier tool call "
                        "has its id: pass name=... (or build it with ToolCallContent.result())"
                    )
                content[i] = replace(part, name=name)
        out.append(m if content == m.content else Message(m.role, content))
    return out


def conversation(
    prompt: str | None, instructions: str | None, messages: Iterable[object] | None
) -> tuple[list[Message], str | None]:
    """(messages, system prompt): system turns are lifted out, in order, after `instructions`."""
    for name, value in (("prompt", prompt), ("instructions", instructions)):
        if value is not None and not isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(f"{name} must be a string, not {type(value).__name__}")
    if messages is not None and (
        isinstance(messages, (str, bytes))
        or is_mapping(messages)
        or not isinstance(messages, Iterable)  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
    ):
        raise ConfigurationError(
            f"messages must be a list of messages ({{'role': ..., 'content': ...}}, Message, "
            f"or an earlier response), not {type(messages).__name__}"
        )
    turns = _name_results([_message(m) for m in messages or ()])
    if prompt is not None:
        turns.append(Message("user", [TextContent(prompt)]))
    if not turns:
        raise ConfigurationError("nothing to send: pass prompt= or messages=")
    system = [instructions] if instructions else []
    kept: list[Message] = []
    for m in turns:
        if m.role == "system":
            for c in m.content:
                if not isinstance(c, TextContent):
                    raise ConfigurationError(
                        f"a system message takes text only, not {type(c).__name__}: "
                        "put it in a user message"
                    )
                system.append(c.text)
        else:
            kept.append(m)
    return kept, ("\n\n".join(system) if system else None)
