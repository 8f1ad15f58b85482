"""Payloads shaped exactly like Gemini API generateContent / streamGenerateContent?alt=sse
responses (API reference: https://ai.google.dev/api/generate-content)."""

from __future__ import annotations

import json
from typing import Any

MODEL = "gemini-2.5-flash"
RESPONSE_ID = "eDAoaZHDDdWRz7IPwqzV-Ac"


def usage(prompt: int = 7, candidates: int | None = 3) -> dict[str, Any]:
    out: dict[str, Any] = {
        "promptTokenCount": prompt,
        "totalTokenCount": prompt + (candidates or 0),
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
    }
    if candidates is not None:
        out["candidatesTokenCount"] = candidates
    return out


def response(text: str = "Hello!", finish_reason: str | None = "STOP", **kw: Any) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}}
    if finish_reason is not None:
        candidate["finishReason"] = finish_reason
    candidate["index"] = 0
    return {
        "candidates": [candidate],
        "usageMetadata": kw.get("usage") or usage(),
        "modelVersion": MODEL,
        "responseId": RESPONSE_ID,
    }


def event(data: dict[str, Any]) -> bytes:
    """One `data:` event as the Gemini API sends it (CRLF line ends, no event name)."""
    return f"data: {json.dumps(data)}\r\n\r\n".encode()


def stream_events(words: list[str]) -> list[bytes]:
    """Every event is a whole response with the next text; the last carries finishReason and
    the final usage. Nothing follows it: the stream just ends."""
    last = len(words) - 1
    return [
        event(
            response(
                w,
                finish_reason="STOP" if i == last else None,
                usage=usage(candidates=len(words) if i == last else None),
            )
        )
        for i, w in enumerate(words)
    ]


def error_body(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}
