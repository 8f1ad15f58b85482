"""Response bytes for the bench server: the shapes of `tests/support` (exactly the real APIs'),
serialized compactly as the real APIs send them."""

from __future__ import annotations

import json
from itertools import cycle, islice
from typing import Any

from tests.support import anthropic_shapes as an
from tests.support import openai_shapes as oa

# what a model says, one token per streamed chunk
WORDS = ("Hello", "!", " How", " can", " I", " help", " you", " today", "?", " Sure", ",")
OPENAI_MODEL = "gpt-4o-mini"
ANTHROPIC_MODEL = "claude-sonnet-4-5"
PROTOCOLS = ("openai", "anthropic")


def words(n: int) -> list[str]:
    return list(islice(cycle(WORDS), n))


def _compact(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def completion(protocol: str) -> bytes:
    """A non-streamed answer: 40 tokens of text, usage, finish reason."""
    text = "".join(words(40))
    if protocol == "openai":
        return _compact(oa.completion(text, prompt_tokens=12, completion_tokens=40))
    return _compact(an.message(text, input_tokens=12, output_tokens=40))


def events(protocol: str, chunks: int) -> list[bytes]:
    """The SSE events of a stream with `chunks` text deltas, terminator included."""
    if protocol == "openai":
        out = [b"data: " + _compact(e) + b"\n\n" for e in oa.stream_events(words(chunks))]
        return [*out, b"data: [DONE]\n\n"]
    out = []
    for raw in an.stream_events(words(chunks)):  # b"event: NAME\ndata: JSON\n\n"
        head, _, data = raw.rstrip(b"\n").partition(b"\ndata: ")
        out.append(head + b"\ndata: " + _compact(json.loads(data)) + b"\n\n")
    return out


def request_id_header(protocol: str) -> str:
    return "x-request-id" if protocol == "openai" else "request-id"
