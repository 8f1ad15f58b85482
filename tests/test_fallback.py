"""Fallback between endpoints (`FallbackEndpoint`): Claude on Anthropic, then on Vertex AI,
each a loopback server; what moves a call on, what does not, and what the response says."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from modelwire import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    BadRequestError,
    ConfigurationError,
    ContextLengthExceededError,
    CostTracker,
    FallbackEndpoint,
    OverloadedError,
    StreamInterruptedError,
)
from modelwire.models import Claude37Sonnet
from tests.support import anthropic_shapes as an
from tests.support.server import LoopbackServer, Reply

CONFIG = AIModelCallConfig(retries=1, max_output_tokens=100)
OVERLOADED = an.error_body("overloaded_error", "Overloaded")


@pytest.fixture
def servers() -> Iterator[tuple[LoopbackServer, LoopbackServer]]:
    with LoopbackServer() as first, LoopbackServer() as second:
        yield first, second


def fallback(first: LoopbackServer, second: LoopbackServer, **kw: Any) -> FallbackEndpoint:
    anthropic = AIModelAPI("anthropic", api_key="sk-ant-test-1", base_url=first.url)
    vertex = AIModelAPI(
        "google_vertex_ai",
        credentials={"access_token": "ya29.test-token"},
        config={"project_id": "proj", "location": "us-east5"},
        base_url=second.url + "/v1",
    )
    return FallbackEndpoint(
        [AIModelEndpoint(anthropic, Claude37Sonnet), AIModelEndpoint(vertex, Claude37Sonnet)],
        **kw,
    )


def test_a_529_storm_moves_the_call_to_the_next_host(servers, caplog) -> None:
    first, second = servers
    first.queue(*[Reply.json(OVERLOADED, status=529) for _ in range(2)])
    second.queue(Reply.json(an.message("From Vertex", input_tokens=10, output_tokens=4)))
    endpoints = fallback(first, second)
    tracker = CostTracker()
    config = CONFIG.updated(cost_tracker=tracker)
    with (
        caplog.at_level(logging.WARNING, "modelwire.call"),
        AIModelClient(endpoints, config) as client,
    ):
        response = client.generate(prompt="Hi")
    assert len(first.requests) == 2  # its own retries first
    assert len(second.requests) == 1
    chat = response.chat_response
    assert chat is not None and chat.text() == "From Vertex"
    assert response.endpoint is endpoints.endpoints[1]
    assert chat.api_provider == "google_vertex_ai"
    assert tracker.calls == 1  # the failed host cost nothing
    assert tracker.total.total == pytest.approx(chat.usage_charge.total)
    assert "falling over from Anthropic to Google Vertex AI: OverloadedError" in caplog.text


def test_the_first_host_answering_is_the_answer(servers) -> None:
    first, second = servers
    first.queue(Reply.json(an.message("From Anthropic")))
    with AIModelClient(fallback(first, second), CONFIG) as client:
        response = client.generate(prompt="Hi")
    assert response.chat_response is not None
    assert response.chat_response.text() == "From Anthropic"
    assert response.endpoint.api.info.name == "anthropic"
    assert second.requests == []


def test_a_bad_request_is_not_sent_elsewhere(servers) -> None:
    first, second = servers
    first.queue(Reply.json(an.error_body("invalid_request_error", "temperature: bad"), 400))
    with AIModelClient(fallback(first, second), CONFIG) as client, pytest.raises(BadRequestError):
        client.generate(prompt="Hi")
    assert second.requests == []


def test_context_length_moves_on_only_when_asked(servers) -> None:
    first, second = servers
    too_long = an.error_body("invalid_request_error", "prompt is too long: 250000 tokens > 200000")
    first.queue(Reply.json(too_long, 400), Reply.json(too_long, 400))
    second.queue(Reply.json(an.message("Bigger window")))
    with AIModelClient(fallback(first, second), CONFIG) as client:
        with pytest.raises(ContextLengthExceededError):
            client.generate(prompt="Hi")
        assert second.requests == []
    opted = fallback(first, second, also_on=["context_length"])
    with AIModelClient(opted, CONFIG) as client:
        response = client.generate(prompt="Hi")
    assert response.chat_response is not None
    assert response.chat_response.text() == "Bigger window"


def test_the_last_hosts_error_is_raised_when_all_fail(servers) -> None:
    first, second = servers
    for server in servers:
        server.queue(*[Reply.json(OVERLOADED, status=529) for _ in range(2)])
    with (
        AIModelClient(fallback(first, second), CONFIG) as client,
        pytest.raises(OverloadedError) as caught,
    ):
        client.generate(prompt="Hi")
    assert caught.value.provider == "google_vertex_ai"


def test_a_stream_that_broke_after_its_first_token_is_not_retried_elsewhere(servers) -> None:
    first, second = servers
    events = an.stream_events(["Hel", "lo", " there"])
    first.queue(Reply(body=events, content_type="text/event-stream", reset_after=4))
    config = CONFIG.updated(streaming=True)
    with AIModelClient(fallback(first, second), config) as client:
        response = client.generate(prompt="Hi")
        with pytest.raises(StreamInterruptedError):
            for _chunk, _final in response.stream_generator:
                pass
    assert second.requests == []


def test_async_fallback(servers) -> None:
    first, second = servers
    first.queue(*[Reply.json(OVERLOADED, status=529) for _ in range(2)])
    second.queue(Reply.json(an.message("Async from Vertex")))

    async def call() -> AIModelCallResponse[Any]:
        async with AIModelClient(fallback(first, second), CONFIG, is_async=True) as client:
            return await client.generate_async(prompt="Hi")

    response = asyncio.run(call())
    assert response.chat_response is not None
    assert response.chat_response.text() == "Async from Vertex"


def test_a_fallback_is_checked_when_made(servers) -> None:
    first, second = servers
    one = fallback(first, second).endpoints[0]
    with pytest.raises(ConfigurationError, match="at least two"):
        FallbackEndpoint([one])
    with pytest.raises(ConfigurationError, match="endpoint 1 must be an AIModelEndpoint"):
        FallbackEndpoint([one, "gpt-4o"])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match="also_on takes"):
        FallbackEndpoint([one, one], also_on=["timeouts"])  # type: ignore[list-item]
