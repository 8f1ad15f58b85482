"""Frames and bodies shaped exactly like Amazon Bedrock Converse / ConverseStream (API
reference: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html,
.../API_runtime_ConverseStreamOutput.html; frames: https://smithy.io/2.0/aws/amazon-eventstream.html)."""

from __future__ import annotations

import json
from typing import Any

from modelwire._eventstream import encode_frame

MODEL = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"


def event(kind: str, payload: dict[str, Any] | bytes) -> bytes:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {":event-type": kind, ":content-type": "application/json", ":message-type": "event"}
    return encode_frame(headers, raw)


def exception(kind: str, message: str) -> bytes:
    headers = {
        ":exception-type": kind,
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    return encode_frame(headers, json.dumps({"message": message}).encode())


def delta(text: str) -> bytes:
    return event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": text}})


def stream_events(words: list[str]) -> list[bytes]:
    return [
        event("messageStart", {"role": "assistant"}),
        *(delta(w) for w in words),
        event("contentBlockStop", {"contentBlockIndex": 0}),
        event("messageStop", {"stopReason": "end_turn"}),
        event(
            "metadata",
            {
                "usage": {
                    "inputTokens": 9,
                    "outputTokens": len(words),
                    "totalTokens": 9 + len(words),
                },
                "metrics": {"latencyMs": 412},
            },
        ),
    ]


def response(text: str = "Hello!") -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 9, "outputTokens": 3, "totalTokens": 12},
        "metrics": {"latencyMs": 512},
    }


def error_body(message: str) -> dict[str, Any]:
    """An error's body (restJson1): the type is in the x-amzn-ErrorType header."""
    return {"message": message}
