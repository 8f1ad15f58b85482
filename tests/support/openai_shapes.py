"""Payloads shaped exactly like OpenAI Chat Completions responses (API reference)."""

from __future__ import annotations

from typing import Any


def completion(
    text: str = "Hello!", model: str = "gpt-4o-2024-08-06", **usage: int
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1735689600,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": usage.get("prompt_tokens", 9),
            "completion_tokens": usage.get("completion_tokens", 3),
            "total_tokens": usage.get("prompt_tokens", 9) + usage.get("completion_tokens", 3),
            "prompt_tokens_details": {
                "cached_tokens": usage.get("cached_tokens", 0),
                "audio_tokens": 0,
            },
            "completion_tokens_details": {
                "reasoning_tokens": usage.get("reasoning_tokens", 0),
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_test",
    }


def chunk(
    delta: dict[str, Any], finish_reason: str | None = None, usage: Any = None, choices: bool = True
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 1735689600,
        "model": "gpt-4o-2024-08-06",
        "system_fingerprint": "fp_test",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]
        if choices
        else [],
        "usage": usage,
    }


def stream_events(words: list[str], usage: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    events = [chunk({"role": "assistant", "content": "", "refusal": None})]
    events += [chunk({"content": w}) for w in words]
    events.append(chunk({}, finish_reason="stop"))
    events.append(
        chunk(
            {},
            choices=False,
            usage=usage
            or {
                "prompt_tokens": 9,
                "completion_tokens": len(words),
                "total_tokens": 9 + len(words),
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {
                    "reasoning_tokens": 0,
                    "audio_tokens": 0,
                    "accepted_prediction_tokens": 0,
                    "rejected_prediction_tokens": 0,
                },
            },
        )
    )
    return events
