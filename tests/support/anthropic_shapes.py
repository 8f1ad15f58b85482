"""Payloads shaped exactly like Anthropic Messages responses (API reference:
https://docs.anthropic.com/en/api/messages, .../build-with-claude/streaming)."""

from __future__ import annotations

import json
from typing import Any

MODEL = "claude-sonnet-4-5-20250929"


def usage(input_tokens: int = 12, output_tokens: int = 3, **cache: int) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": cache.get("cache_creation_input_tokens", 0),
        "cache_read_input_tokens": cache.get("cache_read_input_tokens", 0),
        "output_tokens": output_tokens,
    }


def message(text: str = "Hello!", stop_reason: str = "end_turn", **kw: Any) -> dict[str, Any]:
    return {
        "id": "msg_01test",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": kw.pop("content", [{"type": "text", "text": text}]),
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": usage(**kw),
    }


def event(data: dict[str, Any]) -> bytes:
    """One SSE event as Anthropic sends it: a named event, then its data."""
    return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n".encode()


def stream_events(words: list[str], stop_reason: str = "end_turn") -> list[bytes]:
    start = message(content=[], stop_reason=None, output_tokens=1)  # type: ignore[arg-type]
    out = [
        event({"type": "message_start", "message": start}),
        event(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            }
        ),
        event({"type": "ping"}),
    ]
    out += [
        event(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w}}
        )
        for w in words
    ]
    out += [
        event({"type": "content_block_stop", "index": 0}),
        event(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": len(words)},
            }
        ),
        event({"type": "message_stop"}),
    ]
    return out


def error_event(kind: str = "overloaded_error", message: str = "Overloaded") -> bytes:
    return event({"type": "error", "error": {"type": kind, "message": message}})


def error_body(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}
