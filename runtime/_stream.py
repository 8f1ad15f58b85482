"""Stream processing, free of I/O: bytes in, chunks out, the accumulated response at the end.

The sync and async clients feed it whatever the transport delivers; chunk boundaries do not
matter. The accumulated response is built once, at the end (no re-accumulation per chunk).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._errors import DECODE_ERRORS, ModelwireError, ResponseDecodeError, StreamInterruptedError
from ._framing import Framing, framing
from ._protocol import AdapterModule, StreamError
from ._types import (
    AIModelStreamChunk,
    ChatResponseChoice,
    ChatResponseChunk,
    ContentDelta,
    ContentItem,
    ImageContent,
    ImageDelta,
    ReasoningContent,
    ReasoningDelta,
    RefusalContent,
    RefusalDelta,
    TextContent,
    TextDelta,
    Usage,
    tool_call,
)

__all__ = ["ErrorBuilder", "Finalizer", "StreamAccumulator", "StreamProcessor", "has_counts"]


class _Slot:
    """The fragments of one content item being streamed."""

    __slots__ = ("id", "kind", "name", "parts", "redacted", "signatures", "whole")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.parts: list[str] = []
        self.signatures: list[str] = []
        self.id: str | None = None
        self.name: str | None = None
        self.redacted = False
        self.whole: Any = None  # tool arguments given whole (not as text fragments)

    def build(self) -> ContentItem | None:
        text = "".join(self.parts)
        # signatures arrive whole (never in fragments); the last one an item got is its own
        signature = self.signatures[-1] if self.signatures else None
        if self.kind == "text":
            return TextContent(text, signature=signature) if text or signature else None
        if self.kind == "refusal":
            return RefusalContent(text) if text else None
        if self.kind == "reasoning":
            if not (text or signature):
                return None
            return ReasoningContent(text or None, signature, self.redacted, id=self.id)
        if self.kind == "image":
            return self.whole
        return tool_call(self.id, self.name, text if self.parts else self.whole, signature)


class _Choice:
    __slots__ = ("finish_raw", "finish_reason", "slots")

    def __init__(self) -> None:
        self.slots: dict[tuple[str, Any], _Slot] = {}
        self.finish_reason: Any = None
        self.finish_raw: str | None = None

    def slot(self, kind: str, key: Any) -> _Slot:
        slot = self.slots.get((kind, key))
        if slot is None:
            slot = self.slots[(kind, key)] = _Slot(kind)
        return slot

    def add_text(self, d: TextDelta | RefusalDelta) -> None:
        slot = self.slot(d.type, d.key)
        slot.parts.append(d.text)
        if isinstance(d, TextDelta) and d.signature:
            slot.signatures.append(d.signature)

    def add(self, d: ContentDelta) -> bool:
        """Fold one delta in; False when it is dropped (it extends an item no earlier event
        opened, e.g. a server tool's)."""
        if isinstance(d, (TextDelta, RefusalDelta)):
            self.add_text(d)
        elif isinstance(d, ImageDelta):  # whole: an item of its own
            slot = self.slot("image", len(self.slots))
            slot.whole = ImageContent(
                d.b64, d.url, d.media_type, d.revised_prompt, signature=d.signature
            )
        elif d.continues and (d.type, d.key) not in self.slots:
            return False
        elif isinstance(d, ReasoningDelta):
            slot = self.slot("reasoning", d.key)
            slot.redacted = slot.redacted or d.redacted
            slot.id = slot.id or d.id
            if d.text:
                slot.parts.append(d.text)
            if d.signature:
                slot.signatures.append(d.signature)
        else:  # a ToolCallDelta
            slot = self.slot("tool_call", ("whole", len(self.slots)) if d.whole else d.key)
            if d.signature:
                slot.signatures.append(d.signature)
            slot.id = slot.id or d.id
            slot.name = slot.name or d.name
            if isinstance(d.arguments, str):
                if d.arguments:
                    slot.parts.append(d.arguments)
            elif d.arguments is not None:
                slot.whole = d.arguments
        return True


class StreamAccumulator:
    """Usage is `replace`d by each report, or `merge`d key by key on the wire objects (a
    later report's present fields win) and unified once, by `usage_from_wire`."""

    def __init__(
        self, usage_update: str, usage_from_wire: Callable[[Any], Usage | None] | None = None
    ) -> None:
        self._merge = usage_update == "merge"
        self._usage_from_wire = usage_from_wire
        self._wire_usage: Any = None
        self.choices: dict[int, _Choice] = {}
        self._usage: Usage | None = None
        self.id: str | None = None
        self.model: str | None = None
        self.service_tier: str | None = None

    @property
    def usage(self) -> Usage | None:
        if self._wire_usage is not None and self._usage_from_wire is not None:
            wired = self._usage_from_wire(self._wire_usage)
            if self._usage is None or has_counts(wired):  # else a report that has some
                return wired
        return self._usage

    def add(self, chunk: ChatResponseChunk) -> bool:
        """Fold `chunk` in; True when it carries content (a delta kept)."""
        content = False
        if chunk.id and self.id is None:
            self.id = chunk.id
        if chunk.model and self.model is None:
            self.model = chunk.model
        if chunk.service_tier:
            self.service_tier = chunk.service_tier
        if chunk.usage_wire is not None and self._merge:
            self._wire_usage = _merge_wire(self._wire_usage, chunk.usage_wire)
        elif chunk.usage is not None:
            self._usage = (
                self._usage.merged(chunk.usage) if self._merge and self._usage else chunk.usage
            )
        for cd in chunk.choice_deltas:
            choice = self.choices.get(cd.index)
            if choice is None:
                choice = self.choices[cd.index] = _Choice()
            if cd.finish_reason_raw is not None:
                choice.finish_reason, choice.finish_raw = cd.finish_reason, cd.finish_reason_raw
            deltas = cd.content_deltas
            if not deltas:
                continue
            if len(deltas) == 1 and type(d := deltas[0]) is TextDelta:  # most events: a text
                choice.add_text(d)
                content = True
                continue
            kept = [d for d in deltas if choice.add(d)]
            if len(kept) != len(deltas):
                cd.content_deltas = kept
            content = content or bool(kept)
        return content

    @property
    def finished(self) -> bool:
        """Some choice reported a finish reason."""
        return any(c.finish_raw is not None for c in self.choices.values())

    def build_choices(self) -> list[ChatResponseChoice]:
        out: list[ChatResponseChoice] = []
        for index in sorted(self.choices):
            choice = self.choices[index]
            contents = [item for s in choice.slots.values() if (item := s.build()) is not None]
            out.append(ChatResponseChoice(index, choice.finish_reason, contents, choice.finish_raw))
        return out


# Builds the final response from the accumulator (supplied by the client, which knows the
# endpoint and prices it).
# (accumulator, complete) -> the response; complete is False for a partial one
Finalizer = Callable[[StreamAccumulator, bool], Any]
ErrorBuilder = Callable[[StreamError, Any], ModelwireError]


class StreamProcessor:
    """Framing: the adapter's (`FRAMING`), or the one given (`framing_class`: e.g. one JSON
    array whose elements are the events)."""

    def __init__(
        self,
        adapter: AdapterModule,
        finalize: Finalizer,
        on_error: ErrorBuilder,
        framing_class: type[Framing] | None = None,
        rewrite: Callable[[ChatResponseChunk], None] | None = None,
        max_event_bytes: int | None = None,
    ) -> None:
        self.adapter = adapter
        self._parse = adapter.parse_event
        self._done_marker = adapter.STREAM_DONE
        self._rewrite = rewrite  # changes each parsed chunk in place (e.g. structured output)
        self.acc = StreamAccumulator(adapter.USAGE_UPDATE, adapter.usage_from_wire)
        self._finalize = finalize
        self._on_error = on_error
        limit = max_event_bytes
        self._framing: Framing = (framing_class or framing(adapter.FRAMING))(limit)
        self.done = False
        self.delivered = 0
        # a failure met while decoding: raised by the caller once the chunks decoded before
        # it (in the same read) have been delivered
        self.failed: ModelwireError | None = None

    def partial(self) -> Any:
        return self._finalize(self.acc, False)

    def feed(self, data: bytes) -> list[AIModelStreamChunk]:
        """Chunks decoded from `data`; on a failure, those before it (and `failed` set)."""
        out: list[AIModelStreamChunk] = []
        if self.failed is not None:
            return out
        try:
            for event in self._framing.feed(data):
                chunk = self._event(event.data, event.event)
                if chunk is not None:
                    out.append(chunk)
        except ModelwireError as exc:
            self._fail(exc)
        return out

    def _fail(self, exc: ModelwireError) -> None:
        if isinstance(exc, StreamInterruptedError) and exc.partial_response is None:
            exc.partial_response = self.partial()
        self.failed = exc

    def _event(self, data: str, event: str | None) -> AIModelStreamChunk | None:
        if self.done:
            return None
        if data == self._done_marker:
            self.done = True
            return None
        try:
            parsed = self._parse(data, event)
        except DECODE_ERRORS as exc:  # pydantic's ValidationError is a ValueError
            raise ResponseDecodeError(
                f"undecodable {self.adapter.PROTOCOL} stream event: {_short(exc)}",
                partial_response=self.partial(),
            ) from None
        if parsed is None:
            return None
        if isinstance(parsed, StreamError):
            raise self._on_error(parsed, self.partial())
        if self._rewrite is not None:
            self._rewrite(parsed)
        if self.acc.add(parsed):
            self.delivered += 1
            return AIModelStreamChunk(parsed)
        return None

    def interrupted(self, message: str) -> StreamInterruptedError:
        return StreamInterruptedError(message, partial_response=self.partial())

    def finish(self) -> tuple[list[AIModelStreamChunk], Any]:
        """Chunks of a last unterminated event, and the accumulated response (None, with
        `failed` set, when the stream failed or ended before its end)."""
        chunks: list[AIModelStreamChunk] = []
        if self.failed is not None:
            return chunks, None
        try:
            for e in self._framing.flush():
                # an event the body ended in, with no end of its own: kept when whole (some
                # hosts omit the last blank line), a truncation when it does not decode
                try:
                    chunk = self._event(e.data, e.event)
                except ResponseDecodeError:
                    raise self.interrupted("stream ended inside an event (truncated)") from None
                if chunk is not None:
                    chunks.append(chunk)
            if self._framing.closed:  # the framing itself marks the end (a JSON array)
                self.done = True
            if not self.done and not self.acc.finished:
                raise self.interrupted("stream ended before its end marker (truncated)")
        except ModelwireError as exc:
            self._fail(exc)
            return chunks, None
        return chunks, self._finalize(self.acc, True)


def has_counts(usage: Usage | None) -> bool:
    """Whether a usage report holds a count of input or output."""
    return usage is not None and (
        usage.prompt_tokens is not None or usage.completion_tokens is not None
    )


def _merge_wire(old: Any, new: Any) -> Any:
    """`old` updated with every field `new` reports (wire models of the same type)."""
    if old is None or type(old) is not type(new):
        return new
    return old.model_copy(update=new.model_dump(exclude_none=True))


def _short(exc: Exception, limit: int = 300) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "..."
