"""OpenTelemetry spans (issue 25, `modelwire.telemetry`): one CLIENT span per call by the GenAI
semantic conventions, streamed or not, sync or async, image calls too; a stream's span ends
when the stream ends, breaks or is dropped; prompts and answers only when asked. Spans go to
the SDK's in-memory exporter through a provider of the test's own (the global one stays unset,
so other tests make no spans)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    BadRequestError,
    StreamInterruptedError,
    _observe,
)
from modelwire.models import DallE3, GPT4oMini
from modelwire.telemetry import OtelObserver
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

KEY = "sk-telemetry-0123456789abcdef"
P = AIModelAPIProviderEnum


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    saved = _observe._observer  # pyright: ignore[reportPrivateUsage]
    _observe.set_observer(OtelObserver(provider))  # pyright: ignore[reportArgumentType]
    yield memory
    _observe.set_observer(saved)


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def client(server: LoopbackServer, is_async: bool = False, **config: Any) -> AIModelClient[Any]:
    api = AIModelAPI(P.OPEN_AI, api_key=KEY, base_url=server.url + "/v1")
    settings = AIModelCallConfig(max_output_tokens=100, retries=0, **config)
    return AIModelClient(AIModelEndpoint(api, GPT4oMini), settings, is_async)


def only(exporter: InMemorySpanExporter) -> Any:
    (span,) = exporter.get_finished_spans()
    return span


def test_a_call_is_one_span_by_the_conventions(
    server: LoopbackServer, exporter: InMemorySpanExporter
) -> None:
    server.queue(Reply.json(oa.completion("Hi!", model="gpt-4o-mini-2024-07-18")))
    with client(server, temperature=0.2) as c:
        c.generate(prompt="Hello")
    span = only(exporter)
    assert (span.name, span.kind) == ("chat gpt-4o-mini", SpanKind.CLIENT)
    a = dict(span.attributes)
    assert a["gen_ai.operation.name"] == "chat" and a["gen_ai.provider.name"] == "openai"
    assert a["gen_ai.request.model"] == "gpt-4o-mini"
    assert (a["gen_ai.request.max_tokens"], a["gen_ai.request.temperature"]) == (100, 0.2)
    assert a["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18"
    assert a["gen_ai.response.id"] == "chatcmpl-test"
    assert a["gen_ai.response.finish_reasons"] == ("stop",)
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (9, 3)
    assert a["gen_ai.usage.cache_read.input_tokens"] == 0
    assert a["modelwire.usage.cost"] == pytest.approx(9 * 0.15e-6 + 3 * 0.6e-6)
    assert (a["server.address"], a["server.port"]) == ("127.0.0.1", server.port)
    assert a["gen_ai.output.type"] == "text"
    assert "gen_ai.input.messages" not in a  # content only when asked
    assert span.status.status_code == StatusCode.UNSET


def test_a_streams_span_ends_with_the_stream(
    server: LoopbackServer, exporter: InMemorySpanExporter
) -> None:
    server.queue(Reply.sse(oa.stream_events(["Hel", "lo"])))
    with client(server, streaming=True) as c:
        stream = c.generate(prompt="Hello").stream_generator
        next(stream)
        assert exporter.get_finished_spans() == ()  # still streaming
        list(stream)
    a = dict(only(exporter).attributes)
    assert a["gen_ai.usage.output_tokens"] == 2 and a["gen_ai.response.finish_reasons"] == ("stop",)


def test_async_calls_and_streams(server: LoopbackServer, exporter: InMemorySpanExporter) -> None:
    server.queue(Reply.json(oa.completion()), Reply.sse(oa.stream_events(["a", "b"])))

    async def run() -> None:
        async with client(server, is_async=True) as c:
            await c.generate_async(prompt="Hi")
            streamed = await c.generate_async(prompt="Hi", config=c.config.updated(streaming=True))
            async for _ in streamed.stream_generator:
                pass

    asyncio.run(run())
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["chat gpt-4o-mini"] * 2
    assert all(s.attributes["gen_ai.usage.input_tokens"] == 9 for s in spans)


def test_an_error_sets_the_status_and_type(
    server: LoopbackServer, exporter: InMemorySpanExporter
) -> None:
    body = {"error": {"message": "Bad value", "type": "invalid_request_error", "code": "bad"}}
    server.queue(Reply.json(body, status=400))
    with client(server) as c, pytest.raises(BadRequestError):
        c.generate(prompt="Hi")
    span = only(exporter)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "bad"
    assert [e.name for e in span.events] == ["exception"]


def test_a_broken_stream_ends_its_span_with_the_error(
    server: LoopbackServer, exporter: InMemorySpanExporter
) -> None:
    events = [f"data: {json.dumps(e)}\n\n".encode() for e in oa.stream_events(["a", "b", "c"])]
    server.queue(Reply(body=events, content_type="text/event-stream", reset_after=2))
    with client(server, streaming=True) as c, pytest.raises(StreamInterruptedError):
        list(c.generate(prompt="Hi").stream_generator)
    span = only(exporter)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes["error.type"] == "StreamInterruptedError"


def test_a_dropped_stream_ends_its_span(
    server: LoopbackServer, exporter: InMemorySpanExporter
) -> None:
    server.queue(Reply.sse(oa.stream_events(["a", "b"])))
    with client(server, streaming=True) as c:
        response = c.generate(prompt="Hi")
        next(response.stream_generator)
        response.stream_generator.close()  # the caller stops reading: not an error
    assert only(exporter).status.status_code == StatusCode.UNSET


def test_content_only_when_asked(server: LoopbackServer, exporter: InMemorySpanExporter) -> None:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    _observe.set_observer(OtelObserver(provider, capture_content=True))  # pyright: ignore[reportArgumentType]
    server.queue(Reply.json(oa.completion("Hi there")))
    with client(server) as c:
        c.generate(prompt="Hello", instructions="Be brief")
    a = dict(only(exporter).attributes)
    assert json.loads(a["gen_ai.system_instructions"]) == [{"type": "text", "content": "Be brief"}]
    assert json.loads(a["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "Hello"}]}
    ]
    assert json.loads(a["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "Hi there"}],
            "finish_reason": "stop",
        }
    ]


def test_provider_name_from_the_spec(
    server: LoopbackServer, exporter: InMemorySpanExporter
) -> None:
    server.queue(Reply.json(oa.completion()))
    api = AIModelAPI(P.MICROSOFT_OPENAI, api_key=KEY, base_url=server.url)
    deployment = AIModelEndpoint(api, AIModel(model_name="my-gpt-4o"))
    with AIModelClient(deployment, AIModelCallConfig(retries=0, max_output_tokens=10)) as c:
        c.generate(prompt="Hi")
    assert only(exporter).attributes["gen_ai.provider.name"] == "azure.ai.openai"  # otel_name


def test_image_calls(server: LoopbackServer, exporter: InMemorySpanExporter) -> None:
    image = {
        "created": 1,
        "data": [{"url": "https://example.com/cat.png", "revised_prompt": "A cat"}],
    }
    server.queue(Reply.json(image))
    api = AIModelAPI(P.OPEN_AI, api_key=KEY, base_url=server.url + "/v1")
    with AIModelClient(AIModelEndpoint(api, DallE3), AIModelCallConfig(retries=0)) as c:
        c.generate(prompt="A cat")
    span = only(exporter)
    a = dict(span.attributes)
    assert span.name == "generate_content dall-e-3"
    assert a["gen_ai.output.type"] == "image" and a["modelwire.usage.cost"] > 0


def test_nothing_without_a_tracer_provider_or_when_switched_off() -> None:
    script = (
        "from modelwire import _observe\n"
        "o = _observe.observer()\n"
        "print(type(o).__name__ if o else None)\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert found.stdout.strip() == "OtelObserver"  # installed: found (no provider: no spans)
    off = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"MODELWIRE_OTEL": "off", "PATH": ""},
    )
    assert off.stdout.strip() == "None"
    no_provider = OtelObserver()  # the global provider is unset in this process
    assert type(no_provider.start(None, None)).__name__ == "_NoSpan"  # pyright: ignore[reportArgumentType]
