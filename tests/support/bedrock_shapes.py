"""Frames and bodies shaped exactly like Amazon Bedrock Converse / ConverseStream (API
reference: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html,
.../API_runtime_ConverseStreamOutput.html; frames: https://smithy.io/2.0/aws/amazon-eventstream.html)
and InvokeModelWithResponseStream (.../API_runtime_ResponseStream.html: each `chunk` event's
`bytes` are one event of the model's own API, base64 in the frame's JSON payload)."""

from __future__ import annotations

import base64
import json
from typing import Any

from devtools.bedrock_cassettes import encode_frame

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


def chunk(payload: dict[str, Any] | bytes) -> bytes:
    """An InvokeModelWithResponseStream `chunk` event wrapping one event of the model's API."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return event("chunk", {"bytes": base64.b64encode(raw).decode()})


def claude_stream_events(words: list[str]) -> list[bytes]:
    """Claude's Messages stream events, as InvokeModelWithResponseStream chunks; the last
    carries the invocation metrics Bedrock adds."""
    return [
        chunk(
            {
                "type": "message_start",
                "message": {
                    "id": "msg_bdrk_01",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-3-7-sonnet-20250219",
                    "content": [],
                    "stop_reason": None,
                    "usage": {"input_tokens": 9, "output_tokens": 1},
                },
            }
        ),
        chunk(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            }
        ),
        *(
            chunk(
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": w},
                }
            )
            for w in words
        ),
        chunk({"type": "content_block_stop", "index": 0}),
        chunk(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": len(words)},
            }
        ),
        chunk(
            {
                "type": "message_stop",
                "amazon-bedrock-invocationMetrics": {
                    "inputTokenCount": 9,
                    "outputTokenCount": len(words),
                    "invocationLatency": 412,
                    "firstByteLatency": 201,
                },
            }
        ),
    ]


def claude_response(text: str = "Hello!") -> dict[str, Any]:
    """Claude's Messages response, as InvokeModel returns it."""
    return {
        "id": "msg_bdrk_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-7-sonnet-20250219",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 9, "output_tokens": 3},
    }


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
