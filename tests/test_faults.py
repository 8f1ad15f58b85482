"""Faults against a real HTTP server on 127.0.0.1, through the public API, sync and async.

Each scenario scripts the server's replies, runs one call (streamed ones read to the end), and
checks the outcome: the right retry, or the right typed error carrying status, provider
message, request id and the partial response, within the configured timeout. Every scenario
runs in both modes; the terminal summary prints the matrix of what was tried and passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

import pytest

import modelwire
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    ModelwireError,
)
from modelwire.models import GPT4o
from tests.support import anthropic_shapes as an
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply, free_port

SECRET = "sk-fault-suite-secret-0123456789"
REQUEST_ID = "req_fault0000000000000000000000001"

# scenario -> mode -> "passed" / "failed"; printed by conftest.pytest_terminal_summary
MATRIX: dict[str, dict[str, str]] = {}


@dataclass
class Outcome:
    response: AIModelCallResponse | None = None
    error: ModelwireError | None = None
    deltas: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def partial_text(self) -> str | None:
        partial = self.error.partial_response if self.error else None
        return partial.chat_response.text() if partial and partial.chat_response else None


@dataclass
class Fault:
    name: str
    replies: Callable[[], list[Reply]]
    check: Callable[[Outcome, LoopbackServer], None]
    stream: bool = False
    config: dict[str, Any] = field(default_factory=dict)
    refused: bool = False  # point the client at a port nothing listens on
    provider: str = "openai"


def _error(status: int, message: str, **headers: str) -> Reply:
    body = {"error": {"message": message, "type": "server_error", "param": None, "code": None}}
    return Reply.json(body, status=status, headers={"x-request-id": REQUEST_ID, **headers})


def _an_error(status: int, kind: str, message: str, **headers: str) -> Reply:
    return Reply.json(
        an.error_body(kind, message), status=status, headers={"request-id": REQUEST_ID, **headers}
    )


def _an_stream(chunks: list[bytes], **kw: Any) -> Reply:
    return Reply(
        body=chunks, content_type="text/event-stream", headers={"request-id": REQUEST_ID}, **kw
    )


def _ok(text: str = "Hello!") -> Reply:
    return Reply.json(oa.completion(text), headers={"x-request-id": REQUEST_ID})


def _stream(words: list[str], **kw: Any) -> Reply:
    return Reply.sse(oa.stream_events(words), headers={"x-request-id": REQUEST_ID}, **kw)


def _succeeded(text: str, attempts: int) -> Callable[[Outcome, LoopbackServer], None]:
    def check(out: Outcome, server: LoopbackServer) -> None:
        assert out.error is None, repr(out.error)
        assert out.response is not None and out.response.chat_response is not None
        assert out.response.chat_response.text() == text
        assert out.response.status.attempts == attempts
        assert len(server.requests) == attempts

    return check


def _waited(at_least: float) -> Callable[[Outcome, LoopbackServer], None]:
    def check(out: Outcome, server: LoopbackServer) -> None:
        _succeeded("Hello!", 2)(out, server)
        gap = server.requests[1].at - server.requests[0].at
        assert gap >= at_least, f"retried after {gap:.3f} s, server asked for {at_least} s"

    return check


def _failed(
    kind: type[ModelwireError],
    requests: int,
    status: int | None = None,
    message: str | None = None,
    partial: str | None = None,
    within: float | None = None,
) -> Callable[[Outcome, LoopbackServer], None]:
    def check(out: Outcome, server: LoopbackServer) -> None:
        assert isinstance(out.error, kind), f"expected {kind.__name__}, got {out.error!r}"
        assert len(server.requests) == requests
        if status is not None:
            assert out.error.status == status
            assert out.error.request_id == REQUEST_ID
            assert REQUEST_ID in str(out.error)
        if message is not None:
            assert message in out.error.message
        assert out.partial_text == partial
        if partial:  # what came before the failure, marked as not a finished call
            assert out.error.partial_response.status.successful is False
        if partial:
            assert "".join(out.deltas) == partial  # the caller saw exactly what was kept
        if within is not None:
            assert out.elapsed < within, f"took {out.elapsed:.2f} s"
        assert SECRET not in str(out.error) and SECRET not in repr(out.error.body)

    return check


FAULTS = [
    Fault(
        "429 then 200, Retry-After seconds",
        lambda: [_error(429, "Rate limit reached", **{"retry-after": "1"}), _ok()],
        _waited(0.9),
    ),
    Fault(
        "429 then 200, retry-after-ms",
        lambda: [_error(429, "Rate limit reached", **{"retry-after-ms": "150"}), _ok()],
        _waited(0.14),
    ),
    Fault(
        "503 then 200, Retry-After HTTP date",
        lambda: [
            _error(503, "Overloaded", **{"retry-after": formatdate(time.time() + 1, usegmt=True)}),
            _ok(),
        ],
        _succeeded("Hello!", 2),
    ),
    Fault(
        "500 until retries are exhausted",
        lambda: [_error(500, "The server had an error while processing your request")] * 3,
        _failed(modelwire.ServerError, 3, status=500, message="The server had an error"),
        config={"retries": 2},
    ),
    Fault(
        "500 with x-should-retry: false",
        lambda: [_error(500, "Do not retry this", **{"x-should-retry": "false"}), _ok()],
        _failed(modelwire.ServerError, 1, status=500, message="Do not retry this"),
    ),
    Fault(
        "400 is not retried",
        lambda: [_error(400, "Invalid value for 'messages'."), _ok()],
        _failed(modelwire.BadRequestError, 1, status=400, message="Invalid value"),
    ),
    Fault(
        "401 echoing the key is scrubbed",
        lambda: [_error(401, f"Incorrect API key provided: {SECRET}.")],
        _failed(modelwire.AuthenticationError, 1, status=401, message="<redacted>"),
    ),
    Fault(
        "connection refused, retried then raised",
        lambda: [],
        lambda out, server: _failed(modelwire.ConnectionError, 0)(out, server),
        config={"retries": 1},
        refused=True,
    ),
    Fault(
        "reset before headers, then 200",
        lambda: [Reply(reset_before_headers=True), _ok()],
        _succeeded("Hello!", 2),
    ),
    Fault(
        "headers never come: timeout",
        lambda: [Reply(header_delay=3.0, body=b"{}")],
        _failed(modelwire.TimeoutError, 1, within=2.5),
        config={"timeout": 0.4, "retries": 0},
    ),
    Fault(
        "malformed JSON body",
        lambda: [Reply(body=b'{"id": "chatcmpl-x", "choices": [', headers={})],
        _failed(modelwire.ResponseDecodeError, 1),
    ),
    Fault(
        "stream: reset mid-stream",
        lambda: [_stream(["Hel", "lo", " there"], reset_after=3)],
        _failed(modelwire.StreamInterruptedError, 1, partial="Hello"),
        stream=True,
    ),
    Fault(
        "stream: server stops sending",
        lambda: [_stream(["Hel", "lo", " there"], stall_after=2)],
        _failed(modelwire.TimeoutError, 1, partial="Hel", within=2.5),
        stream=True,
        config={"timeout": 0.4},
    ),
    Fault(
        "stream: truncated (no end marker)",
        lambda: [Reply.sse(oa.stream_events(["Hel", "lo"])[:3], done=None)],
        _failed(modelwire.StreamInterruptedError, 1, partial="Hello"),
        stream=True,
    ),
    Fault(
        "stream: error event inside a 200",
        lambda: [
            Reply.sse(
                [
                    *oa.stream_events(["Hel"])[:2],
                    {"error": {"message": "The server had an error", "type": "server_error"}},
                ],
                done=None,
                headers={"x-request-id": REQUEST_ID},
            )
        ],
        _failed(
            modelwire.ServerError, 1, status=200, message="The server had an error", partial="Hel"
        ),
        stream=True,
    ),
    Fault(
        "stream: 429 before the stream, then the stream",
        lambda: [_error(429, "Rate limit reached", **{"retry-after-ms": "10"}), _stream(["Hi"])],
        _succeeded("Hi", 2),
        stream=True,
    ),
    Fault(
        "anthropic: 529 overloaded, then 200",
        lambda: [
            _an_error(529, "overloaded_error", "Overloaded"),
            Reply.json(an.message("Hello!"), headers={"request-id": REQUEST_ID}),
        ],
        _succeeded("Hello!", 2),
        provider="anthropic",
    ),
    Fault(
        "anthropic: 529 until retries are exhausted",
        lambda: [_an_error(529, "overloaded_error", "Overloaded")] * 2,
        _failed(modelwire.OverloadedError, 2, status=529, message="Overloaded"),
        config={"retries": 1},
        provider="anthropic",
    ),
    Fault(
        "anthropic: prompt too long is a context-length error",
        lambda: [_an_error(400, "invalid_request_error", "prompt is too long: 210000 tokens")],
        _failed(modelwire.ContextLengthExceededError, 1, status=400, message="prompt is too"),
        provider="anthropic",
    ),
    Fault(
        "anthropic: error event inside a 200 stream",
        lambda: [_an_stream([*an.stream_events(["Hel", "lo"])[:4], an.error_event()])],
        _failed(modelwire.OverloadedError, 1, status=200, message="Overloaded", partial="Hel"),
        stream=True,
        provider="anthropic",
    ),
    Fault(
        "anthropic: stream reset mid-stream",
        lambda: [_an_stream(an.stream_events(["Hel", "lo", "!"]), reset_after=5)],
        _failed(modelwire.StreamInterruptedError, 1, partial="Hello"),
        stream=True,
        provider="anthropic",
    ),
    Fault(
        "anthropic: stream stops before message_delta",
        lambda: [_an_stream(an.stream_events(["Hel", "lo"])[:5])],
        _failed(modelwire.StreamInterruptedError, 1, partial="Hello"),
        stream=True,
        provider="anthropic",
    ),
]


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modelwire._retry, "BASE_DELAY", 0.01)


def _endpoint(url: str, provider: str) -> AIModelEndpoint:
    if provider == "anthropic":
        api = AIModelAPI(AIModelAPIProviderEnum.ANTHROPIC, api_key=SECRET, base_url=url)
        return AIModelEndpoint(api, AIModel(model_name=an.MODEL, max_output_tokens=1024))
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=SECRET, base_url=url + "/v1")
    return AIModelEndpoint(api=api, ai_model=GPT4o)


def _text(chunk: Any) -> str:
    return "".join(
        cd.get_text_delta() or "" for d in chunk.data.choice_deltas for cd in d.content_deltas
    )


def _run_sync(endpoint: AIModelEndpoint, config: AIModelCallConfig) -> Outcome:
    out = Outcome()
    start = time.monotonic()
    try:
        with AIModelClient(endpoint, config, is_async=False) as client:
            response = client.generate(prompt="Hello")
            if response.stream_generator is not None:
                for chunk, accumulated in response.stream_generator:  # type: ignore[union-attr]
                    if chunk is not None:
                        out.deltas.append(_text(chunk))
                    else:
                        response = accumulated
            out.response = response
    except ModelwireError as exc:
        out.error = exc
    out.elapsed = time.monotonic() - start
    return out


async def _run_async(endpoint: AIModelEndpoint, config: AIModelCallConfig) -> Outcome:
    out = Outcome()
    start = time.monotonic()
    try:
        async with AIModelClient(endpoint, config, is_async=True) as client:
            response = await client.generate_async(prompt="Hello")
            if response.stream_generator is not None:
                async for chunk, accumulated in response.stream_generator:  # type: ignore[union-attr]
                    if chunk is not None:
                        out.deltas.append(_text(chunk))
                    else:
                        response = accumulated
            out.response = response
    except ModelwireError as exc:
        out.error = exc
    out.elapsed = time.monotonic() - start
    return out


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
async def test_fault(fault: Fault, mode: str) -> None:
    MATRIX.setdefault(fault.name, {})[mode] = "failed"
    config = AIModelCallConfig(streaming=fault.stream, **fault.config)
    with LoopbackServer() as server:
        server.queue(*fault.replies())
        url = f"http://127.0.0.1:{free_port()}" if fault.refused else server.url
        endpoint = _endpoint(url, fault.provider)
        if mode == "sync":
            out = _run_sync(endpoint, config)
        else:
            out = await _run_async(endpoint, config)
        fault.check(out, server)
    MATRIX[fault.name][mode] = "passed"
