"""The public API against an OpenAI-shaped server on 127.0.0.1 (`base_url` pointing there)."""

from __future__ import annotations

import asyncio

import pytest

from modelwire import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
)
from modelwire.models import GPT4o
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def endpoint(server: LoopbackServer, api_key: str = "sk-test") -> AIModelEndpoint:
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=api_key, base_url=server.url + "/v1")
    return AIModelEndpoint(api=api, ai_model=GPT4o)


def test_non_streamed_call(server: LoopbackServer) -> None:
    server.queue(Reply.json(oa.completion("Hi there", prompt_tokens=12, completion_tokens=3)))
    config = AIModelCallConfig(max_output_tokens=50, temperature=0.2)
    with AIModelClient(endpoint(server), config, is_async=False) as client:
        response = client.generate(prompt="Hello", instructions="Be brief")
    chat = response.chat_response
    assert chat is not None
    assert chat.text() == "Hi there"
    assert chat.finish_reason == "end_turn"
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens) == (12, 3)
    assert chat.usage_charge.total == pytest.approx((12 * 2.5 + 3 * 10.0) / 1e6)
    assert chat.api_provider == "openai"
    assert response.status.http_status == 200
    assert response.full_response["id"] == "chatcmpl-test"
    sent = server.requests[0]
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.json() == {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": "Be brief"},
            {"role": "user", "content": "Hello"},
        ],
        "max_completion_tokens": 50,
        "temperature": 0.2,
    }


def test_streamed_call_yields_chunks_then_the_accumulated_response(server: LoopbackServer) -> None:
    server.queue(Reply.sse(oa.stream_events(["Hel", "lo", "!"]), chunk_delay=0.01))
    config = AIModelCallConfig(streaming=True)
    with AIModelClient(model_endpoint=endpoint(server), config=config, is_async=False) as client:
        response = client.generate(prompt="Hello")
        deltas, finals = [], []
        for chunk, accumulated in response.stream_generator:
            if chunk:
                deltas.append(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta())
            if accumulated:
                finals.append(accumulated)
    assert deltas == ["Hel", "lo", "!"]
    assert len(finals) == 1
    chat = finals[0].chat_response
    assert chat.text() == "Hello!"
    assert chat.finish_reason == "end_turn"
    assert chat.usage.completion_tokens == 3
    assert server.requests[0].json()["stream_options"] == {"include_usage": True}


async def test_twenty_concurrent_async_calls(server: LoopbackServer) -> None:
    server.responder = lambda rec: Reply.json(
        oa.completion(f"echo {rec.json()['messages'][-1]['content']}")
    )
    async with AIModelClient(endpoint(server), is_async=True) as client:
        responses = await asyncio.gather(
            *(client.generate_async(prompt=f"n{i}") for i in range(20))
        )
    assert sorted(r.chat_response.text() for r in responses) == sorted(
        f"echo n{i}" for i in range(20)
    )
    assert len(server.requests) == 20


async def test_async_stream(server: LoopbackServer) -> None:
    server.queue(Reply.sse(oa.stream_events(["a", "b"])))
    async with AIModelClient(
        endpoint(server), AIModelCallConfig(streaming=True), is_async=True
    ) as client:
        response = await client.generate_async(prompt="x")
        texts, final = [], None
        async for chunk, accumulated in response.stream_generator:
            if chunk:
                texts.append(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta())
            final = accumulated or final
    assert texts == ["a", "b"]
    assert final.chat_response.text() == "ab"


def test_multi_turn_with_an_earlier_response(server: LoopbackServer) -> None:
    server.queue(Reply.json(oa.completion("Paris")), Reply.json(oa.completion("About 2 million")))
    with AIModelClient(endpoint(server)) as client:
        first = client.generate(prompt="Capital of France?")
        client.generate(
            messages=[
                {"role": "user", "content": "Capital of France?"},
                first,
                {"role": "user", "content": "Population?"},
            ]
        )
    assert server.requests[1].json()["messages"] == [
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris"},
        {"role": "user", "content": "Population?"},
    ]


def test_sync_client_refuses_async_use_and_back(server: LoopbackServer) -> None:
    with pytest.raises(ConfigurationError, match="generate_async"):
        AIModelClient(endpoint(server), is_async=True).generate(prompt="x")
    with pytest.raises(ConfigurationError, match=r"client.generate\("):
        asyncio.run(AIModelClient(endpoint(server)).generate_async(prompt="x"))
    assert server.requests == []


def test_missing_key_fails_before_the_request(server: LoopbackServer, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, base_url=server.url)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        AIModelClient(AIModelEndpoint(api, GPT4o)).generate(prompt="x")
    assert server.requests == []


def test_key_from_the_environment(server: LoopbackServer, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    server.queue(Reply.json(oa.completion()))
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, base_url=server.url)
    with AIModelClient(AIModelEndpoint(api, GPT4o)) as client:
        client.generate(prompt="x")
    assert server.requests[0].headers["authorization"] == "Bearer sk-from-env"
