"""`AIModelAPI(..., http2=True)` against a real HTTP/2 server on 127.0.0.1 (h2c, prior knowledge).

The server (`tests.support.h2_server`) speaks only HTTP/2: a client that ignored `http2=True`
and sent HTTP/1.1 would get a closed connection, no answer, and no recorded request.
"""

from __future__ import annotations

import asyncio
import importlib.util

import pytest

from modelwire import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    APIConnectionError,
    ConfigurationError,
)
from modelwire.models import GPT4oMini
from tests.support import openai_shapes as oa
from tests.support.h2_server import H2LoopbackServer
from tests.support.server import LoopbackServer, Reply

KEY = "sk-test-0123456789"
NO_RETRIES = AIModelCallConfig(max_output_tokens=100, retries=0)


@pytest.fixture
def server():
    with H2LoopbackServer() as srv:
        yield srv


def endpoint(url: str, http2: bool = True) -> AIModelEndpoint:
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=KEY, base_url=url + "/v1", http2=http2)
    return AIModelEndpoint(api, GPT4oMini)


def assert_http2(server: H2LoopbackServer, calls: int = 1) -> None:
    assert server.refused == 0
    assert len(server.requests) == calls
    for rec in server.requests:
        assert rec.http_version == "HTTP/2"
        assert (rec.method, rec.path) == ("POST", "/v1/chat/completions")
        assert rec.headers[":scheme"] == "http"
        assert rec.headers[":authority"] == f"127.0.0.1:{server.port}"
        assert rec.headers["authorization"] == f"Bearer {KEY}"
        assert rec.json()["model"] == "gpt-4o-mini"


def text_of(deltas: list[str], chunk: object) -> None:
    if chunk:
        deltas.append(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta())  # type: ignore[attr-defined]


def test_non_streamed_call_sync(server: H2LoopbackServer) -> None:
    server.queue(Reply.json(oa.completion("Hi over h2", prompt_tokens=5, completion_tokens=3)))
    with AIModelClient(endpoint(server.url), NO_RETRIES, is_async=False) as client:
        response = client.generate(prompt="Hi")
    assert response.chat_response.text() == "Hi over h2"
    assert response.chat_response.usage.completion_tokens == 3
    assert response.status.http_status == 200
    assert_http2(server)
    assert server.requests[0].json()["messages"] == [{"role": "user", "content": "Hi"}]
    assert server.connections == 1


async def test_non_streamed_call_async(server: H2LoopbackServer) -> None:
    server.queue(Reply.json(oa.completion("async h2")))
    async with AIModelClient(endpoint(server.url), NO_RETRIES, is_async=True) as client:
        response = await client.generate_async(prompt="Hi")
    assert response.chat_response.text() == "async h2"
    assert_http2(server)


def test_streamed_call_sync(server: H2LoopbackServer) -> None:
    words = ["Hel", "lo", " over", " h2", "!"]
    server.queue(Reply.sse(oa.stream_events(words), chunk_delay=0.005))  # a DATA frame each
    config = NO_RETRIES.updated(streaming=True)
    with AIModelClient(endpoint(server.url), config, is_async=False) as client:
        response = client.generate(prompt="Hi")
        deltas: list[str] = []
        finals = []
        for chunk, accumulated in response.stream_generator:
            text_of(deltas, chunk)
            if accumulated:
                finals.append(accumulated)
    assert deltas == words
    assert len(finals) == 1
    assert finals[0].chat_response.text() == "Hello over h2!"
    assert finals[0].chat_response.usage.completion_tokens == len(words)
    assert_http2(server)
    assert server.requests[0].json()["stream"] is True


async def test_streamed_call_async(server: H2LoopbackServer) -> None:
    words = [f" w{i}" for i in range(50)]
    server.queue(Reply.sse(oa.stream_events(words), chunk_delay=0.001))
    config = NO_RETRIES.updated(streaming=True)
    async with AIModelClient(endpoint(server.url), config, is_async=True) as client:
        response = await client.generate_async(prompt="Hi")
        deltas: list[str] = []
        final = None
        async for chunk, accumulated in response.stream_generator:
            text_of(deltas, chunk)
            final = accumulated or final
    assert deltas == words
    assert final is not None
    assert final.chat_response.text() == "".join(words)
    assert_http2(server)


async def test_twenty_concurrent_async_calls_share_one_connection(
    server: H2LoopbackServer,
) -> None:
    server.queue(*(Reply.json(oa.completion(f"answer {i}")) for i in range(20)))
    async with AIModelClient(endpoint(server.url), NO_RETRIES, is_async=True) as client:
        responses = await asyncio.gather(
            *(client.generate_async(prompt=f"n{i}") for i in range(20))
        )
    assert sorted(r.chat_response.text() for r in responses) == sorted(
        f"answer {i}" for i in range(20)
    )
    assert_http2(server, calls=20)
    assert server.connections == 1
    assert {rec.connection for rec in server.requests} == {1}
    assert len({rec.stream_id for rec in server.requests}) == 20  # multiplexed streams


def test_bodies_larger_than_the_flow_control_windows(server: H2LoopbackServer) -> None:
    """A 300 KB prompt and a 1 MB answer: both past HTTP/2's default 64 KiB window."""
    prompt, answer = "p" * 300_000, "a" * 1_000_000
    server.queue(Reply.json(oa.completion(answer)), Reply.json(oa.completion("again")))
    with AIModelClient(endpoint(server.url), NO_RETRIES, is_async=False) as client:
        assert client.generate(prompt=prompt).chat_response.text() == answer
        assert client.generate(prompt=prompt).chat_response.text() == "again"
    assert_http2(server, calls=2)
    assert [rec.json()["messages"][0]["content"] for rec in server.requests] == [prompt] * 2
    assert server.connections == 1


def test_http2_without_h2_installed_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: object, **kw: object) -> object:
        return None if name == "h2" else real(name, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(ConfigurationError, match=r'pip install "modelwire\[http2\]"'):
        AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=KEY, base_url="http://x/v1", http2=True)
    AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=KEY, base_url="http://x/v1")  # no h2: fine


def test_repr_shows_http2_and_never_the_key() -> None:
    api = AIModelAPI(
        AIModelAPIProviderEnum.OPEN_AI, api_key=KEY, base_url="http://x/v1", http2=True
    )
    assert "http2=True" in repr(api)
    assert "http2=True" in str(api)
    assert KEY not in repr(api) and KEY[3:] not in repr(api)
    plain = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=KEY, base_url="http://x/v1")
    assert "http2" not in repr(plain)
    assert KEY not in repr(plain)


def test_default_api_speaks_http1_and_http2_does_not(server: H2LoopbackServer) -> None:
    """Default: HTTP/1.1 to the HTTP/1.1 server as before, and refused by the HTTP/2-only one;
    `http2=True`: the other way round."""
    with LoopbackServer() as h1:
        h1.queue(Reply.json(oa.completion("plain")))
        with AIModelClient(endpoint(h1.url, http2=False), NO_RETRIES, is_async=False) as client:
            assert client.generate(prompt="Hi").chat_response.text() == "plain"
        assert len(h1.requests) == 1
        assert h1.requests[0].headers["host"] == f"127.0.0.1:{h1.port}"  # an HTTP/1.1 header

        with (
            AIModelClient(endpoint(h1.url), NO_RETRIES, is_async=False) as client,
            pytest.raises(APIConnectionError, match="does it serve h2c"),  # the likely cause
        ):
            client.generate(prompt="Hi")
        assert len(h1.requests) == 1  # the h2c preface is no HTTP/1.1 request

    plain = endpoint(server.url, http2=False)
    with (
        AIModelClient(plain, NO_RETRIES, is_async=False) as client,
        pytest.raises(APIConnectionError),
    ):
        client.generate(prompt="Hi")
    assert server.requests == []
    assert server.refused == 1
