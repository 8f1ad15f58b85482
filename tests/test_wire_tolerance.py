"""Shapes real providers send that the wire schemas did not foresee, on 127.0.0.1: an output
item of an unknown type or another shape, a custom tool's free-form call, an error object in
a 200 body, a prompt blocked for a reason outside the safety family. Each is read as the
conformance corpus's README says (../shared/conformance), never as a decode failure."""

from __future__ import annotations

from typing import Any

import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelEndpoint,
    BadRequestError,
    RateLimitError,
)
from tests.support import gemini_shapes as gm
from tests.support import openai_shapes as oa
from tests.support import responses_shapes as rs
from tests.support.contract import final_response
from tests.support.server import LoopbackServer, Reply

P = AIModelAPIProviderEnum
MODEL = AIModel(model_name="some-model")


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def generate(server: LoopbackServer, provider: P, protocol: str, streaming: bool = False, **kw):
    api = AIModelAPI(provider, api_key="k" * 20, base_url=server.url, **kw)
    config = AIModelCallConfig(streaming=streaming, retries=0, max_output_tokens=100)
    return final_response(AIModelEndpoint(api, MODEL, protocol=protocol), config)


# --- OpenAI Responses: an output item the wire schema shapes differently -------------------

# a hosted tool-search call whose `arguments` is an object (a function_call's is JSON text)
TOOL_SEARCH = {
    "id": "tsc_0a1",
    "type": "tool_search_call",
    "status": "completed",
    "arguments": {"paths": ["get_weather"]},
}
FUNCTION_CALL = {
    "id": "fc_0a2",
    "type": "function_call",
    "status": "completed",
    "call_id": "call_1",
    "name": "get_weather",
    "arguments": '{"city": "Paris"}',
}


def test_a_differently_shaped_item_does_not_sink_the_others(server: LoopbackServer) -> None:
    body = rs.response(None)
    body["output"] = [TOOL_SEARCH, "not an item", FUNCTION_CALL]
    server.queue(Reply.json(body))
    chat = generate(server, P.OPEN_AI, "openai_responses").chat_response
    [call] = chat.tools()
    assert (call.id, call.name, call.arguments) == ("call_1", "get_weather", {"city": "Paris"})
    assert chat.choices[0].finish_reason == "tool_use"
    assert chat.usage.prompt_tokens == 9


def test_a_differently_shaped_stream_event_keeps_its_known_fields(server: LoopbackServer) -> None:
    events = rs.stream_events(["Hel", "lo"])
    added = {"type": "response.output_item.added", "output_index": 0, "item": TOOL_SEARCH}
    events.insert(1, rs.event({**added, "sequence_number": 1}))
    server.queue(Reply(body=events, content_type="text/event-stream"))
    final = generate(server, P.OPEN_AI, "openai_responses", streaming=True)
    assert final.chat_response.text() == "Hello"


def test_a_body_that_is_not_an_object_still_fails_to_decode(server: LoopbackServer) -> None:
    from modelwire import ResponseDecodeError

    server.queue(Reply.json(["not", "a", "response"]))
    with pytest.raises(ResponseDecodeError):
        generate(server, P.OPEN_AI, "openai_responses")


# --- Chat Completions: a custom tool's call is not a function call -------------------------


def test_custom_tool_calls_are_not_function_calls(server: LoopbackServer) -> None:
    body = oa.completion(None)  # type: ignore[arg-type]
    body["choices"][0]["finish_reason"] = "tool_calls"
    body["choices"][0]["message"]["tool_calls"] = [
        {"id": "call_c", "type": "custom", "custom": {"name": "grammar", "input": "x = 1"}},
        {
            "id": "call_f",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
        },
    ]
    server.queue(Reply.json(body))
    chat = generate(server, P.OPEN_AI, "openai_chat").chat_response
    assert [(c.id, c.name) for c in chat.tools()] == [("call_f", "get_weather")]


# --- an error object in place of the result, in a 200 --------------------------------------


def test_openrouter_error_body_in_a_200_is_the_typed_error(server: LoopbackServer) -> None:
    body = {
        "error": {
            "code": 429,
            "message": "Provider returned error",
            "metadata": {"provider_name": "Upstream", "raw": "rate-limited upstream"},
        },
        "user_id": "user_1",
    }
    server.queue(Reply.json(body))
    with pytest.raises(RateLimitError) as info:
        generate(server, P.OPENROUTER, "openai_chat")
    assert (info.value.status, info.value.message) == (200, "Provider returned error")
    assert info.value.code == "429"


def test_a_responses_error_body_in_a_200_is_the_typed_error(server: LoopbackServer) -> None:
    server.queue(Reply.json({"error": {"code": 429, "message": "Provider returned error"}}))
    with pytest.raises(RateLimitError) as info:
        generate(server, P.OPENROUTER, "openai_responses")
    assert (info.value.status, info.value.message) == (200, "Provider returned error")


def test_azure_content_filter_body_in_a_200_is_the_typed_error(server: LoopbackServer) -> None:
    message = "The response was filtered due to the prompt triggering content management policy."
    body = {
        "error": {
            "message": message,
            "type": None,
            "param": "prompt",
            "code": "content_filter",
            "status": 400,
        }
    }
    server.queue(Reply.json(body))
    with pytest.raises(BadRequestError) as info:
        generate(
            server,
            P.MICROSOFT_OPENAI,
            "openai_chat",
            config={"api_version": "2024-02-01"},
        )
    assert (info.value.status, info.value.message, info.value.code) == (
        200,
        message,
        "content_filter",
    )


def test_a_200_error_event_in_a_stream_carries_its_status(server: LoopbackServer) -> None:
    events = [
        oa.chunk({"role": "assistant", "content": "Par"}),
        {"error": {"message": "upstream", "code": 503}},
    ]
    server.queue(Reply.sse(events))
    from modelwire import ServerError

    with pytest.raises(ServerError) as info:
        generate(server, P.OPENROUTER, "openai_chat", streaming=True)
    assert info.value.partial_response.chat_response.text() == "Par"


# --- Gemini: a blocked prompt is an empty choice that ends with the block reason ------------


@pytest.mark.parametrize(
    ("reason", "unified"),
    [("MODEL_ARMOR", "other"), ("JAILBREAK", "other"), ("SAFETY", "content_filter")],
)
@pytest.mark.parametrize("streaming", [False, True])
def test_a_blocked_prompt_is_a_response_ending_with_its_reason(
    server: LoopbackServer, reason: str, unified: str, streaming: bool
) -> None:
    body: dict[str, Any] = {
        "promptFeedback": {"blockReason": reason},
        "usageMetadata": gm.usage(candidates=None),
        "modelVersion": gm.MODEL,
        "responseId": gm.RESPONSE_ID,
    }
    if streaming:
        server.queue(Reply(body=[gm.event(body)], content_type="text/event-stream"))
    else:
        server.queue(Reply.json(body))
    response = generate(server, P.GOOGLE_AI, "gemini_generate_content", streaming)
    chat = response.chat_response
    assert chat.text() == "" and chat.tools() == []
    choice = chat.choices[0]
    assert (choice.finish_reason, choice.finish_reason_raw) == (unified, reason)
    assert chat.usage.prompt_tokens == 7
