"""Making a call and showing it: the answer on stdout as it streams, reasoning dimmed and
usage and cost on stderr (so `> out.txt` keeps only the answer), or one JSON object."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelwire._client import AIModelClient
from modelwire._config import AIModelCallConfig
from modelwire._cost import describe_parts, money
from modelwire._types import (
    AIModelCallResponse,
    ChatResponse,
    ImageResponse,
    ReasoningDelta,
    RefusalDelta,
    SyncStream,
    TextDelta,
    Usage,
)

from ._progress import Waiting, call_notes, spinner_enabled
from ._term import Term


@dataclass(slots=True)
class Display:
    as_json: bool = False
    quiet: bool = False  # no reasoning, no usage and cost
    save: Path | None = None  # where generated images go


class _Screen:
    """Where the streamed text stands: reasoning open on stderr, stdout mid-line."""

    def __init__(self, term: Term, display: Display, waiting: Waiting) -> None:
        self.term = term
        self.display = display
        self.waiting = waiting  # stopped before the first thing shown
        self.reasoning_open = False
        self.reasoning_key: object = None
        self.out_mid_line = False

    def reasoning(self, text: str, key: object = None) -> None:
        if self.display.quiet or not text:
            return
        self.waiting.stop()
        if self.reasoning_open and key != self.reasoning_key:
            self.term.note("\n\n")  # the next reasoning item (a summary part, a block)
        self.reasoning_key = key
        if not self.reasoning_open:
            self.reasoning_open = True
            if not self.term.err_color:  # no dimming to set it apart: a label instead
                self.term.note("[reasoning]\n")
        self.term.note(text)

    def close_reasoning(self) -> None:
        if self.reasoning_open:
            self.reasoning_open = False
            self.term.note("\n\n" if self.term.err_color else "\n[/reasoning]\n", style="")

    def text(self, text: str) -> None:
        if not text:
            return
        self.waiting.stop()
        self.close_reasoning()
        self.term.answer(text)
        self.out_mid_line = not text.endswith("\n")

    def line(self, text: str) -> None:
        """A whole line of the answer (a tool call, an image)."""
        self.end_line()
        self.text(text + "\n")

    def end_line(self) -> None:
        self.close_reasoning()
        if self.out_mid_line:
            self.term.answer("\n")
            self.out_mid_line = False


def run(
    client: AIModelClient[SyncStream],
    prompt: str,
    instructions: str | None,
    config: AIModelCallConfig,
    term: Term,
    display: Display,
) -> int:
    """Call, show the answer as it comes, then what it cost. Returns the exit code (0).
    Until the answer starts, a spinner on a terminal (not with --json or --quiet) and the
    runtime's retry notes (with --quiet only giving up) on stderr."""
    started = time.perf_counter()
    waiting = Waiting(term, spinner_enabled(term) and not (display.as_json or display.quiet))
    screen = _Screen(term, display, waiting)
    try:
        with call_notes(waiting, logging.WARNING if display.quiet else logging.INFO):
            call = client.generate(prompt=prompt, instructions=instructions, config=config)
            streamed = call.streamed
            response: AIModelCallResponse[Any] = call
            if streamed:
                shown = None if display.as_json else screen
                response = _streamed(call.stream_generator, shown)
    finally:
        waiting.stop()
        screen.end_line()  # a failure mid-stream starts its message on a line of its own
    if display.as_json:
        term.answer(json.dumps(_json(response, display), ensure_ascii=False, indent=2) + "\n")
        return 0
    chat, images = response.chat_response, response.image_response
    if images is not None:
        _show_images(images, screen, display)
    elif chat is not None and not streamed:
        screen.reasoning(chat.reasoning() or "")
        screen.text(chat.text())
        screen.text(chat.refusal() or "")  # the model's refusal, in its words
    if chat is not None:
        for call in chat.tools():
            screen.line(f"tool call {call.name}({call.arguments_json()})")
    screen.end_line()
    if not display.quiet:
        term.note(_stats(response, time.perf_counter() - started))
    return 0


def _streamed(stream: SyncStream, screen: _Screen | None) -> AIModelCallResponse:
    """Show the stream's deltas on `screen` (None: show nothing); its final response."""
    final: AIModelCallResponse | None = None
    for chunk, accumulated in stream:
        if screen is not None and chunk is not None and chunk.data.choice_deltas:
            for delta in chunk.data.choice_deltas[0].content_deltas:
                if isinstance(delta, ReasoningDelta):
                    screen.reasoning(delta.get_reasoning_delta(), delta.key)
                elif isinstance(delta, (TextDelta, RefusalDelta)):
                    screen.text(delta.text)
        if accumulated is not None:
            final = accumulated
    if final is None:  # the client always ends a stream with its accumulated response
        raise RuntimeError("the stream ended without its final response")
    return final


def _image_paths(save: Path, count: int) -> list[Path]:
    if count <= 1:
        return [save]
    return [save.with_name(f"{save.stem}-{i + 1}{save.suffix}") for i in range(count)]


def _show_images(images: ImageResponse, screen: _Screen, display: Display) -> None:
    if images.text:
        screen.text(images.text)
    paths = _image_paths(display.save, images.image_count) if display.save else []
    for i, image in enumerate(images.images):
        kind = image.media_type or "image"
        if image.b64 is None:
            screen.line(f"image {i + 1}: {kind} at {image.url} (not saved: a URL, not bytes)")
            continue
        size = f"{len(image.get_content_as_bytes()):,} bytes"
        if paths:
            screen.line(f"image {i + 1}: {kind}, {size}, saved to {image.save(paths[i])}")
        else:
            screen.line(f"image {i + 1}: {kind}, {size} (--save PATH writes it)")
    if images.revised_prompt:
        screen.line(f"revised prompt: {images.revised_prompt}")


def _json(response: AIModelCallResponse[Any], display: Display) -> dict[str, Any]:
    """The response's dict (usage and usage_charge included), without the raw wire model."""
    out: dict[str, Any]
    if response.image_response is not None:
        images = response.image_response
        out = images.to_dict()
        if display.save:
            paths = _image_paths(display.save, images.image_count)
            out["saved"] = [
                str(im.save(p)) for im, p in zip(images.images, paths, strict=True) if im.b64
            ]
    else:
        chat = response.chat_response
        assert chat is not None
        out = chat.to_dict()
        out.pop("provider_response", None)
        out["text"] = chat.text()
        out["reasoning"] = chat.reasoning()
        if (refusal := chat.refusal()) is not None:
            out["refusal"] = refusal
    out["status"] = response.status.to_dict()
    return out


def _usage_line(usage: Usage) -> str:
    parts: list[str] = []
    if usage.prompt_tokens is not None:
        cache = [
            f"{n:,} {what}"
            for n, what in (
                (usage.cache_read_tokens, "from cache"),
                (usage.cache_write_tokens, "written to cache"),
            )
            if n
        ]
        parts.append(f"{usage.prompt_tokens:,} input" + (f" ({', '.join(cache)})" if cache else ""))
    if usage.completion_tokens is not None:
        reasoning = f" ({usage.reasoning_tokens:,} reasoning)" if usage.reasoning_tokens else ""
        parts.append(f"{usage.completion_tokens:,} output{reasoning}")
    if usage.total_tokens is not None:
        parts.append(f"{usage.total_tokens:,} total")
    return ", ".join(parts)


def _stats(response: AIModelCallResponse[Any], seconds: float) -> str:
    """model, finish and timing; tokens; cost — the lines shown on stderr after an answer."""
    result: ChatResponse | ImageResponse | None = response.image_response or response.chat_response
    if result is None:
        return ""
    head = [f"{result.model} on {result.api_provider}"]
    chat = response.chat_response
    if chat is not None and chat.finish_reason:
        raw = chat.choices[0].finish_reason_raw
        head.append(f"finish {chat.finish_reason}" + (f" ({raw})" if raw else ""))
    head.append(f"{seconds:.2f} s")
    if response.status.request_id:
        head.append(f"request id {response.status.request_id}")
    lines = [", ".join(head)]
    if result.usage is not None and (line := _usage_line(result.usage)):
        lines.append(f"tokens: {line}")
    charge = result.usage_charge
    if charge is None:
        lines.append("cost:   not priced (the catalog has no prices for this model here)")
    else:
        parts = describe_parts(charge)
        lines.append(
            f"cost:   {money(charge.total)} {charge.currency}" + (f" ({parts})" if parts else "")
        )
    return "\n" + "\n".join(lines) + "\n"
