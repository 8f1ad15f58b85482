"""Unified response types: what every protocol's adapter produces.

Plain slotted dataclasses rather than pydantic models: they are built for every streamed
chunk, and `import modelwire` must stay cheap (docs/decisions.md). `to_dict()` gives the
JSON-ready form.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, cast, overload

from typing_extensions import Self, TypeVar

if TYPE_CHECKING:
    from ._api import AIModelEndpoint

__all__ = [
    "AIModelCallResponse",
    "AIModelStreamChunk",
    "AsyncStream",
    "CallStatus",
    "ChatResponse",
    "ChatResponseChoice",
    "ChatResponseChunk",
    "ChoiceDelta",
    "ContentDelta",
    "ContentItem",
    "EmbeddingContent",
    "FinishReason",
    "ImageContent",
    "ImageDelta",
    "ImageResponse",
    "MediaContent",
    "Message",
    "ReasoningContent",
    "ReasoningDelta",
    "RefusalContent",
    "RefusalDelta",
    "StreamGenerator",
    "StreamItem",
    "StreamT",
    "SyncStream",
    "TextContent",
    "TextDelta",
    "ToolCallContent",
    "ToolCallDelta",
    "ToolCallResult",
    "Usage",
    "UsageCharge",
    "part_kind",
    "tool_call",
]

_T = TypeVar("_T")

FinishReason = Literal[
    "end_turn", "max_tokens", "tool_use", "stop_sequence", "content_filter", "other"
]


def _to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {
            f.name: _dumped(getattr(value, f.name))
            if f.metadata.get("dump")
            else _to_plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.metadata.get("hidden")
            and not (f.metadata.get("omit_none") and getattr(value, f.name) is None)
            and not (f.metadata.get("omit_empty") and not getattr(value, f.name))
        }
        for name in getattr(type(value), "_derived", ()):
            out[name] = _to_plain(getattr(value, name))
        return out
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in cast("list[Any]", value)]
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in cast("dict[Any, Any]", value).items()}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _dumped(value: Any) -> Any:
    """A pydantic model as its JSON form (structured output), anything else as is."""
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else _to_plain(value)


# fields left out of to_dict() while unset
_OPTIONAL = {"omit_none": True}


class _Plain:
    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form of this object (derived values included)."""
        return _to_plain(self)


# --- usage and cost -------------------------------------------------------------------


@dataclass(slots=True)
class Usage(_Plain):
    """Token counts with the unified semantics of ../shared/conformance/README.md.

    `prompt_tokens` counts all input (cache reads and writes included), `completion_tokens`
    all output (reasoning included). None means "not reported by the provider", never 0.
    """

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None

    _derived = ("total_tokens",)

    @property
    def total_tokens(self) -> int | None:
        if self.prompt_tokens is None and self.completion_tokens is None:
            return None
        return (self.prompt_tokens or 0) + (self.completion_tokens or 0)

    def merged(self, update: Usage) -> Usage:
        """Key by key: every value `update` reports replaces ours (cumulative stream usage)."""
        return Usage(
            *(
                new if new is not None else old
                for old, new in zip(_usage_values(self), _usage_values(update), strict=True)
            )
        )


def _usage_values(u: Usage) -> tuple[int | None, ...]:
    return (
        u.prompt_tokens,
        u.completion_tokens,
        u.reasoning_tokens,
        u.cache_read_tokens,
        u.cache_write_tokens,
    )


@dataclass(slots=True)
class UsageCharge(_Plain):
    """Cost in USD, each part priced at its own rate. `total` is their sum."""

    input: float = 0.0
    cached_input: float = 0.0
    cache_write: float = 0.0
    output: float = 0.0
    reasoning: float = 0.0
    total: float = 0.0
    currency: str = "USD"
    # images priced per image (by their options), not as tokens; None for text
    images: float | None = field(default=None, metadata={"omit_none": True})
    # the pricing dimensions whose own rates priced the call, e.g. {"service_tier": "flex"}
    dimensions: dict[str, str] = field(
        default_factory=dict[str, str], metadata={"omit_empty": True}
    )


# --- content items --------------------------------------------------------------------


@dataclass(slots=True)
class TextContent(_Plain):
    """Text. With structured output, `parsed` holds the validated value, or `parse_error`
    says why the text (kept as is) did not validate."""

    text: str
    type: Literal["text"] = "text"
    signature: str | None = None  # an opaque token some providers want back (Gemini)
    parsed: Any = field(default=None, metadata={**_OPTIONAL, "dump": True})
    parse_error: str | None = field(default=None, metadata=_OPTIONAL)


@dataclass(slots=True)
class RefusalContent(_Plain):
    """The model's refusal to answer, in its words (OpenAI's `refusal`): not answer text."""

    text: str
    type: Literal["refusal"] = "refusal"


@dataclass(slots=True)
class ReasoningContent(_Plain):
    """Reasoning text, with the opaque signature a provider needs back on the next turn."""

    text: str | None = None
    signature: str | None = None
    redacted: bool = False
    type: Literal["reasoning"] = "reasoning"
    # the provider's id of the reasoning item, for protocols that send it back by id
    id: str | None = field(default=None, metadata={"omit_none": True})


@dataclass(slots=True)
class ToolCallContent(_Plain):
    """A call of a client-side tool. Malformed argument JSON is kept raw with `parse_error`."""

    id: str | None
    name: str | None
    arguments: Any = None
    arguments_raw: str | None = None
    parse_error: str | None = None
    type: Literal["tool_call"] = "tool_call"
    signature: str | None = None  # an opaque token some providers want back (Gemini)

    def arguments_object(self) -> Any:
        """The arguments as a JSON value to send back ({} when there were none)."""
        return {} if self.arguments is None else self.arguments

    def arguments_json(self) -> str:
        """The arguments as JSON text: as they came when they came as text."""
        if self.arguments_raw is not None:
            return self.arguments_raw
        return json.dumps(self.arguments_object(), ensure_ascii=False)

    def result(self, output: Any, is_error: bool = False) -> ToolCallResult:
        """The result of running this call, to send back in a `tool` message."""
        return ToolCallResult(self.id, output, self.name, is_error)


@dataclass(slots=True)
class ToolCallResult(_Plain):
    """What a tool call returned, sent back in a message with the `tool` role. `output` is
    text or a JSON value; `name` is filled from the call with the same id when left out."""

    id: str | None
    output: Any
    name: str | None = None
    is_error: bool = False
    type: Literal["tool_result"] = "tool_result"

    def output_text(self) -> str:
        """The output as text (JSON for a non-string value)."""
        output: object = self.output
        if isinstance(output, str):
            return output
        return json.dumps(output, ensure_ascii=False, default=str)

    def output_object(self) -> dict[str, Any]:
        """The output as a JSON object: a mapping as is, anything else under "output" (or
        "error" for a failed call), the form Gemini's functionResponse takes."""
        output: object = self.output
        if isinstance(output, dict) and not self.is_error:
            return cast("dict[str, Any]", output)
        return {"error" if self.is_error else "output": output}


_MEDIA_TYPES = {
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF8": "image/gif",
    b"%PDF": "application/pdf",
    b"ID3": "audio/mpeg",
    b"\xff\xfb": "audio/mpeg",
    b"fLaC": "audio/flac",
    b"OggS": "audio/ogg",
}


def _sniff(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE"):
        return "image/webp" if data[8:12] == b"WEBP" else "audio/wav"
    return next((t for magic, t in _MEDIA_TYPES.items() if data.startswith(magic)), None)


@dataclass(slots=True)
class MediaContent(_Plain):
    """An image, document or audio clip given as bytes (`data`) or by `url`.

    Build one with `from_bytes`, `from_path`, `from_base64` or `from_url`; the media type is
    read from the bytes' signature when not given. `kind` is image, document or audio.
    """

    kind: Literal["image", "document", "audio"]
    media_type: str | None = None
    data: bytes | None = field(default=None, repr=False)
    url: str | None = None
    filename: str | None = None
    type: Literal["media"] = "media"
    signature: str | None = field(default=None, repr=False, metadata={"omit_none": True})

    @classmethod
    def from_bytes(
        cls, data: bytes, media_type: str | None = None, filename: str | None = None
    ) -> MediaContent:
        media_type = media_type or _sniff(data)
        if media_type is None:
            raise ValueError("unknown media type: pass media_type='image/png' (or the like)")
        return cls(_kind_of(media_type), media_type, data, None, filename)

    @classmethod
    def from_base64(cls, data: str, media_type: str | None = None) -> MediaContent:
        import base64

        return cls.from_bytes(base64.b64decode(data, validate=True), media_type)

    @classmethod
    def from_path(cls, path: Any, media_type: str | None = None) -> MediaContent:
        import mimetypes
        from pathlib import Path

        p = Path(path)
        guessed = media_type or mimetypes.guess_type(p.name)[0]
        return cls.from_bytes(p.read_bytes(), guessed, p.name)

    @classmethod
    def from_url(cls, url: str, media_type: str | None = None) -> MediaContent:
        import mimetypes

        guessed = media_type or mimetypes.guess_type(url.split("?")[0])[0] or "image/jpeg"
        return cls(_kind_of(guessed), guessed, None, url)

    def base64(self) -> str | None:
        import base64

        return base64.b64encode(self.data).decode("ascii") if self.data is not None else None

    def data_url(self) -> str | None:
        encoded = self.base64()
        return f"data:{self.media_type};base64,{encoded}" if encoded is not None else None

    def format(self) -> str:
        """The short format name some protocols want: png, jpeg, gif, webp, pdf, mp3, wav..."""
        return _format(self.media_type)

    def file_name(self) -> str:
        """The file name given, else one made from the kind and format ("document.pdf")."""
        return self.filename or f"{self.kind}.{self.format()}"

    def document_name(self) -> str:
        """The file name without its extension, reduced to letters, digits, spaces and
        hyphens (names some protocols restrict, e.g. Bedrock's document `name`)."""
        return _document_name(self.file_name(), self.kind)


def _format(media_type: str | None) -> str:
    subtype = (media_type or "application/octet-stream").split("/")[-1]
    return _FORMATS.get(subtype, subtype)


def _document_name(file_name: str, kind: str) -> str:
    stem = file_name.rsplit(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9 -]+", "-", stem).strip(" -") or kind


_FORMATS = {"mpeg": "mp3", "x-wav": "wav", "wave": "wav", "jpg": "jpeg"}


def _kind_of(media_type: str) -> Literal["image", "document", "audio"]:
    if media_type.startswith("image/"):
        return "image"
    if media_type.startswith("audio/"):
        return "audio"
    return "document"


@dataclass(slots=True)
class ImageContent(_Plain):
    """A generated image: base64 data (`b64`), or a `url` to fetch it from (the provider's,
    short-lived); `revised_prompt` when the provider rewrote the prompt."""

    b64: str | None = field(default=None, repr=False)
    url: str | None = None
    media_type: str | None = None
    revised_prompt: str | None = None
    type: Literal["image"] = "image"
    signature: str | None = None  # an opaque token the provider wants back with it (Gemini)
    kind: Literal["image"] = field(default="image", repr=False, metadata={"hidden": True})
    filename: str | None = field(default=None, repr=False, metadata={"hidden": True})

    def __post_init__(self) -> None:
        if self.media_type is None and self.b64:
            import base64

            head = base64.b64decode(self.b64[:24] + "=" * (-len(self.b64[:24]) % 4))
            self.media_type = _sniff(head)

    # sent back in a later turn (image editing), it is written like an image input
    def base64(self) -> str | None:
        return self.b64

    def data_url(self) -> str | None:
        return f"data:{self.media_type};base64,{self.b64}" if self.b64 is not None else None

    def format(self) -> str:
        return _format(self.media_type)

    def file_name(self) -> str:
        return self.filename or f"{self.kind}.{self.format()}"

    def document_name(self) -> str:
        return _document_name(self.file_name(), self.kind)

    def get_content_as_bytes(self) -> bytes:
        """The image's bytes (base64-decoded; an image given by URL is not fetched)."""
        if self.b64 is None:
            raise ValueError(
                f"this image is a URL ({self.url}); ask for response_format='b64_json' or "
                "download it yourself"
            )
        import base64

        return base64.b64decode(self.b64)

    def save(self, path: Any) -> Any:
        """Write the image's bytes to `path`; returns the path."""
        from pathlib import Path

        target = Path(path)
        target.write_bytes(self.get_content_as_bytes())
        return target


@dataclass(slots=True)
class EmbeddingContent(_Plain):
    """One input's vector (an embedding protocol's answer; `EmbeddingResponse` holds them)."""

    vector: list[float] = field(repr=False)
    type: Literal["embedding"] = "embedding"


ContentItem = (
    TextContent
    | ReasoningContent
    | RefusalContent
    | ToolCallContent
    | ToolCallResult
    | MediaContent
    | ImageContent
    | EmbeddingContent
)


def part_kind(part: ContentItem) -> str:
    """The kind a protocol's message encoder knows a content item by."""
    if isinstance(part, ReasoningContent) and part.redacted:
        return "redacted_reasoning"
    if isinstance(part, MediaContent):
        return part.kind if part.data is not None else f"{part.kind}_url"
    if isinstance(part, ImageContent):  # a generated image, sent back
        return "image" if part.b64 is not None else "image_url"
    return part.type


@dataclass(slots=True)
class Message(_Plain):
    """One turn of a conversation in unified form."""

    role: str  # "user" | "assistant" | "system" | "tool"
    content: list[ContentItem] = field(default_factory=list[ContentItem])


def tool_call(
    id: str | None, name: str | None, arguments: Any, signature: str | None = None
) -> ToolCallContent:
    """Build a tool call from arguments given as JSON text (OpenAI) or as a value (Anthropic)."""
    if not isinstance(arguments, str):
        value: Any = {} if arguments is None else arguments
        return ToolCallContent(id=id, name=name, arguments=value, signature=signature)
    if not arguments.strip():
        return ToolCallContent(id, name, {}, arguments, signature=signature)
    try:
        return ToolCallContent(id, name, json.loads(arguments), arguments, signature=signature)
    except (ValueError, RecursionError) as exc:
        error = f"invalid JSON arguments: {exc}"
        return ToolCallContent(id, name, None, arguments, error, signature=signature)


# --- responses ------------------------------------------------------------------------


@dataclass(slots=True)
class ChatResponseChoice(_Plain):
    index: int
    finish_reason: FinishReason | None
    contents: list[ContentItem] = field(default_factory=list[ContentItem])
    finish_reason_raw: str | None = None


@dataclass(slots=True)
class ChatResponse(_Plain):
    model: str | None
    provider: str
    api_provider: str
    choices: list[ChatResponseChoice]
    usage: Usage | None = None
    usage_charge: UsageCharge | None = None
    id: str | None = None
    provider_response: Any = None
    # the service tier that served the call, when the provider says (e.g. flex, priority)
    service_tier: str | None = field(default=None, metadata={"omit_none": True})

    def _contents(self, choice: int) -> list[ContentItem]:
        return self.choices[choice].contents if choice < len(self.choices) else []

    def text(self, choice: int = 0) -> str:
        """All text of a choice, concatenated."""
        return "".join(c.text for c in self._contents(choice) if isinstance(c, TextContent))

    def reasoning(self, choice: int = 0) -> str | None:
        """All reasoning text of a choice, or None when there was none."""
        parts = [
            c.text for c in self._contents(choice) if isinstance(c, ReasoningContent) and c.text
        ]
        return "".join(parts) or None

    def refusal(self, choice: int = 0) -> str | None:
        """The model's refusal of a choice (not part of `text()`), or None when it did not
        refuse in words."""
        parts = [c.text for c in self._contents(choice) if isinstance(c, RefusalContent)]
        return "".join(parts) or None

    def tools(self, choice: int = 0) -> list[ToolCallContent]:
        return [c for c in self._contents(choice) if isinstance(c, ToolCallContent)]

    @overload
    def structured(self, choice: int = 0, /) -> Any: ...
    @overload
    def structured(self, *, choice: int) -> Any: ...
    @overload
    def structured(self, output_type: type[_T], choice: int = 0) -> _T: ...
    def structured(self, output_type: type[Any] | int | None = None, choice: int = 0) -> Any:
        """The structured output of a choice, validated (an instance of the pydantic model
        given as `structured_output`); None when none was asked for. Raises
        StructuredOutputError (the text kept on it) when the output did not validate.

        `structured(Report)` types the result as a `Report` (a type checker sees it), and
        raises StructuredOutputError if the output is something else."""
        if isinstance(output_type, int):  # structured(1): the choice, as before
            output_type, choice = None, output_type
        for item in reversed(self._contents(choice)):
            if isinstance(item, TextContent) and (item.parsed is not None or item.parse_error):
                if item.parse_error is not None:
                    from ._errors import StructuredOutputError

                    raise StructuredOutputError(
                        f"the structured output did not validate: {item.parse_error}",
                        text=item.text,
                    )
                if output_type is not None and not isinstance(item.parsed, output_type):
                    from ._errors import StructuredOutputError

                    raise StructuredOutputError(
                        f"the structured output is a {type(item.parsed).__name__}, "
                        f"not a {output_type.__name__}",
                        text=item.text,
                    )
                return item.parsed
        if output_type is not None:
            from ._errors import StructuredOutputError

            raise StructuredOutputError("the response holds no structured output")
        return None

    @property
    def finish_reason(self) -> FinishReason | None:
        return self.choices[0].finish_reason if self.choices else None

    def to_message_item(self, choice: int = 0) -> Message:
        """This response as the assistant turn of a next call's `messages`.

        Everything is kept, reasoning signatures included: protocols that need them back
        (Anthropic thinking) send them, the others leave reasoning out.
        """
        return Message("assistant", list(self._contents(choice)))


@dataclass(slots=True)
class ImageResponse(_Plain):
    """Generated images, with what they cost: `usage` holds token counts where the provider
    reports them, `image_count` and `options` what was asked (the per-image prices' keys)."""

    model: str | None
    provider: str
    api_provider: str
    images: list[ImageContent] = field(default_factory=list[ImageContent])
    usage: Usage | None = None
    usage_charge: UsageCharge | None = None
    options: dict[str, Any] = field(default_factory=dict[str, Any])
    text: str | None = None  # text a model gave with its images (Gemini)
    id: str | None = None
    provider_response: Any = field(default=None, repr=False, metadata={"hidden": True})

    _derived = ("image_count",)

    @property
    def image_count(self) -> int:
        return len(self.images)

    def get_content_as_bytes(self, index: int = 0) -> bytes:
        """The bytes of image `index`."""
        return self.images[index].get_content_as_bytes()

    def save(self, path: Any, index: int = 0) -> Any:
        """Write image `index` to `path`; returns the path."""
        return self.images[index].save(path)

    @property
    def revised_prompt(self) -> str | None:
        return self.images[0].revised_prompt if self.images else None


# --- streaming ------------------------------------------------------------------------


@dataclass(slots=True)
class TextDelta(_Plain):
    text: str
    type: Literal["text"] = "text"
    signature: str | None = None
    key: Any = None  # text blocks with different keys stay separate items

    def get_text_delta(self) -> str:
        return self.text


@dataclass(slots=True)
class ReasoningDelta(_Plain):
    text: str | None = None
    signature: str | None = None
    key: Any = None
    redacted: bool = False
    continues: bool = False  # only extends an item an earlier event opened under `key`
    type: Literal["reasoning"] = "reasoning"
    id: str | None = field(default=None, metadata={"omit_none": True})

    def get_text_delta(self) -> str:
        """Reasoning is not answer text: "" here; see `get_reasoning_delta()`."""
        return ""

    def get_reasoning_delta(self) -> str:
        return self.text or ""


@dataclass(slots=True)
class RefusalDelta(_Plain):
    text: str
    key: Any = None
    type: Literal["refusal"] = "refusal"

    def get_text_delta(self) -> str:
        """A refusal is not answer text: "" here; its words are `text`."""
        return ""


@dataclass(slots=True)
class ToolCallDelta(_Plain):
    """A fragment of a tool call: `arguments` is JSON text to append, or the whole value
    (used when no text fragment arrives, e.g. a call streamed in one piece)."""

    key: Any
    id: str | None = None
    name: str | None = None
    arguments: Any = None
    continues: bool = False  # only extends a call an earlier event opened under `key`
    whole: bool = False  # a complete call of its own, never merged with another
    signature: str | None = None
    type: Literal["tool_call"] = "tool_call"

    def get_text_delta(self) -> str:
        return ""


@dataclass(slots=True)
class ImageDelta(_Plain):
    """An image that arrived whole in a stream event."""

    b64: str | None = field(default=None, repr=False)
    url: str | None = None
    media_type: str | None = None
    revised_prompt: str | None = None
    type: Literal["image"] = "image"
    signature: str | None = None

    def get_text_delta(self) -> str:
        return ""


ContentDelta = TextDelta | ReasoningDelta | RefusalDelta | ToolCallDelta | ImageDelta


@dataclass(slots=True)
class ChoiceDelta(_Plain):
    index: int
    content_deltas: list[ContentDelta] = field(default_factory=list[ContentDelta])
    finish_reason: FinishReason | None = None
    finish_reason_raw: str | None = None


@dataclass(slots=True)
class ChatResponseChunk(_Plain):
    """What one stream event contributed. Only chunks with content deltas are yielded."""

    choice_deltas: list[ChoiceDelta]
    id: str | None = None
    model: str | None = None
    usage: Usage | None = None
    # the wire usage object, for protocols whose streams update usage key by key (merge)
    usage_wire: Any = field(default=None, repr=False, metadata={"hidden": True})
    service_tier: str | None = field(default=None, metadata={"omit_none": True})


@dataclass(slots=True)
class AIModelStreamChunk(_Plain):
    data: ChatResponseChunk
    event: str = "chunk"


# --- the call result ------------------------------------------------------------------


@dataclass(slots=True)
class CallStatus(_Plain):
    """How the call went: HTTP status, the provider's request id, attempts made, and the
    response's headers (rate-limit headers, for one; left out of `to_dict()`)."""

    http_status: int | None
    request_id: str | None = None
    attempts: int = 1
    successful: bool = True
    headers: Mapping[str, str] = field(
        default_factory=dict[str, str], repr=False, compare=False, metadata={"hidden": True}
    )


# what a stream yields: a chunk, or (last) the finished response
StreamItem = tuple["AIModelStreamChunk | None", "AIModelCallResponse | None"]
SyncStream = Iterator[StreamItem]
AsyncStream = AsyncIterator[StreamItem]
StreamGenerator = SyncStream | AsyncStream

# the kind of stream a response gives: a sync client's responses a SyncStream, an async
# client's an AsyncStream (AIModelClient's overloads on is_async pick it)
StreamT = TypeVar("StreamT", bound=StreamGenerator, default=StreamGenerator, covariant=True)


@dataclass(slots=True)
class AIModelCallResponse(_Plain, Generic[StreamT]):
    """A call's result. A streamed one holds its connection until `stream_generator` is read
    to its end, or the response is closed (`close()` / `with`, `aclose()` / `async with`)
    or dropped; closing it early ends the stream."""

    status: CallStatus
    chat_response: ChatResponse | None = None
    image_response: ImageResponse | None = None
    raw_body: bytes | None = field(default=None, repr=False)
    _stream: Any = field(default=None, repr=False, compare=False)
    _release: Any = field(default=None, repr=False, compare=False)
    _is_async: bool = field(default=False, repr=False, compare=False)
    # the AIModelEndpoint that answered (of a FallbackEndpoint's, the one that did)
    endpoint: AIModelEndpoint | None = field(default=None, repr=False, compare=False)

    @property
    def streamed(self) -> bool:
        """Whether this is a streamed call's response (read it through `stream_generator`)."""
        return self._stream is not None

    @property
    def stream_generator(self) -> StreamT:
        """`(chunk, None)` pairs as the stream arrives, then `(None, final_response)`; an
        async iterator for an async client's call. A call that was not streamed yields its
        one final pair, so the same loop reads either."""
        if self._stream is not None:
            return self._stream
        return cast(StreamT, _once_async(self) if self._is_async else _once(self))

    def close(self) -> None:
        """Give a stream's connection back now, read or not (no-op for other responses)."""
        if self._release is not None:
            self._release.close()

    async def aclose(self) -> None:
        """`close()` for a response of an async client, awaiting the connection's release."""
        if self._release is not None:
            await self._release.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def full_response(self) -> Any:
        """The provider's response body as JSON (non-streamed calls), decoded on access."""
        return json.loads(self.raw_body) if self.raw_body else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": _to_plain(self.status),
            "chat_response": _to_plain(self.chat_response),
            "image_response": _to_plain(self.image_response),
        }


def _once(response: AIModelCallResponse[Any]) -> SyncStream:
    yield None, response


async def _once_async(response: AIModelCallResponse[Any]) -> AsyncStream:
    yield None, response
