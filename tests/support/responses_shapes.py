"""Payloads shaped exactly like OpenAI Responses API responses and stream events (API
reference: https://platform.openai.com/docs/api-reference/responses, .../responses-streaming)."""

from __future__ import annotations

import json
from typing import Any

RESPONSE_ID = "resp_1968bba316ec56ad006b06af672ba68f46d2c43ff6c2477a63"
ITEM_ID = "msg_1968bba316ec56ad006b06af68cdffdea03b30b1ce5d5c8b57"
MODEL = "gpt-4o-2024-08-06"


def _part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "annotations": [], "logprobs": [], "text": text}


def _item(text: str | None, status: str = "completed") -> dict[str, Any]:
    content = [] if text is None else [_part(text)]
    return {
        "id": ITEM_ID,
        "type": "message",
        "status": status,
        "content": content,
        "role": "assistant",
    }


def response(text: str | None = "Hello!", status: str = "completed", **kw: Any) -> dict[str, Any]:
    done = status != "in_progress"
    return {
        "id": RESPONSE_ID,
        "object": "response",
        "created_at": 1795600231,
        "status": status,
        "completed_at": 1795600232 if done else None,
        "error": kw.get("error"),
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": MODEL,
        "output": [_item(text)] if done and text is not None else [],
        "parallel_tool_calls": True,
        "store": False,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {
            "input_tokens": 9,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 3,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 12,
        }
        if status == "completed"
        else None,
        "metadata": {},
    }


def event(data: dict[str, Any]) -> bytes:
    """One SSE event as the Responses API sends it: named after its type, then its data."""
    return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n".encode()


def stream_events(words: list[str]) -> list[bytes]:
    text = "".join(words)
    common = {"item_id": ITEM_ID, "output_index": 0, "content_index": 0}
    raw: list[dict[str, Any]] = [
        {"type": "response.created", "response": response(None, "in_progress")},
        {"type": "response.in_progress", "response": response(None, "in_progress")},
        {
            "type": "response.output_item.added",
            "item": _item(None, "in_progress"),
            "output_index": 0,
        },
        {"type": "response.content_part.added", **common, "part": _part("")},
        *(
            {"type": "response.output_text.delta", **common, "delta": w, "logprobs": []}
            for w in words
        ),
        {"type": "response.output_text.done", **common, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **common, "part": _part(text)},
        {"type": "response.output_item.done", "item": _item(text), "output_index": 0},
        {"type": "response.completed", "response": response(text)},
    ]
    return [event({**e, "sequence_number": i}) for i, e in enumerate(raw)]


def failed_event(code: str, message: str, sequence_number: int = 99) -> bytes:
    """`response.failed`: the response ended with an error (its `error` says which)."""
    failed = response(None, "failed", error={"code": code, "message": message})
    return event(
        {"type": "response.failed", "response": failed, "sequence_number": sequence_number}
    )


def error_event(kind: str, message: str, sequence_number: int = 99) -> bytes:
    """An `error` event as the live API sends it: the error object nested under `error`."""
    error = {"type": kind, "code": kind, "message": message, "param": None}
    return event({"type": "error", "error": error, "sequence_number": sequence_number})


def documented_error_event(code: str, message: str, sequence_number: int = 99) -> bytes:
    """An `error` event as the API reference documents it: code and message at the top."""
    data = {"type": "error", "code": code, "message": message, "param": None}
    return event({**data, "sequence_number": sequence_number})
