"""AIModelClient: one pooled httpx2 client per kind (sync, async) and the drivers that do the
I/O a call's attempts ask for (`_attempts`), streaming included — for any protocol.

Nothing here knows a provider: the endpoint's generated adapter builds and parses, the
provider description gives URL and auth.
"""

from __future__ import annotations

import importlib
import json
import time
import weakref
from collections.abc import Generator, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, Literal, cast, overload

import httpx2

from ._api import AIModelAPI, AIModelEndpoint
from ._attempts import MAX_CONNECTIONS, Exchanged, Send, Sleep, attempts, transport_error
from ._config import AIModelCallConfig
from ._count import TokenCount, check_call, count_request, counted, estimated, needs_check
from ._embedding import EmbeddingCalls
from ._errors import APITimeoutError, ConfigurationError
from ._fallback import FallbackEndpoint, call_in_turn, call_in_turn_async
from ._pools import Pools
from ._protocol import AdapterModule
from ._redact import calling
from ._request import Prepared, RequestBuilder
from ._response import ResponseBuilder
from ._types import (
    AIModelCallResponse,
    AIModelStreamChunk,
    AsyncStream,
    CallStatus,
    StreamGenerator,
    StreamItem,
    StreamT,
    SyncStream,
)

if TYPE_CHECKING:
    from ._stream import StreamProcessor

__all__ = ["AIModelClient"]

POOL_LIMITS = httpx2.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=20)


class AIModelClient(EmbeddingCalls, Pools, Generic[StreamT]):
    """Calls one model endpoint. Use as `with` (sync) or `async with` (is_async=True).

    A type checker knows the client's kind from `is_async`: a sync client's responses have a
    sync `stream_generator`, an async client's an async one."""

    @overload
    def __init__(
        self: AIModelClient[SyncStream],
        model_endpoint: AIModelEndpoint | FallbackEndpoint,
        config: AIModelCallConfig | None = None,
        is_async: Literal[False] = False,
        *,
        http_client: httpx2.Client | None = None,
    ) -> None: ...
    @overload
    def __init__(
        self: AIModelClient[AsyncStream],
        model_endpoint: AIModelEndpoint | FallbackEndpoint,
        config: AIModelCallConfig | None = None,
        *,
        is_async: Literal[True],
        http_client: httpx2.AsyncClient | None = None,
    ) -> None: ...
    @overload
    def __init__(
        self: AIModelClient[AsyncStream],
        model_endpoint: AIModelEndpoint | FallbackEndpoint,
        config: AIModelCallConfig | None,
        is_async: Literal[True],
        *,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None: ...
    @overload
    def __init__(
        self: AIModelClient[StreamGenerator],
        model_endpoint: AIModelEndpoint | FallbackEndpoint,
        config: AIModelCallConfig | None = None,
        is_async: bool = False,
        *,
        http_client: httpx2.Client | httpx2.AsyncClient | None = None,
    ) -> None: ...
    def __init__(
        self,
        model_endpoint: AIModelEndpoint | FallbackEndpoint,
        config: AIModelCallConfig | None = None,
        is_async: bool = False,
        *,
        http_client: httpx2.Client | httpx2.AsyncClient | None = None,
    ) -> None:
        """`http_client`: an httpx2 client of your own (proxies, mTLS, transports, event
        hooks), `httpx2.AsyncClient` when `is_async`; modelwire sends through it and never
        closes it. Without it, the client keeps a pool of its own."""
        self.fallback: FallbackEndpoint | None = None  # endpoints called in turn
        if isinstance(model_endpoint, FallbackEndpoint):
            self.fallback, model_endpoint = model_endpoint, model_endpoint.endpoints[0]
        if not isinstance(model_endpoint, AIModelEndpoint):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(
                f"model_endpoint must be an AIModelEndpoint, got {model_endpoint!r}"
            )
        self.model_endpoint = model_endpoint
        self.config: AIModelCallConfig = config or AIModelCallConfig()
        self.is_async: bool = is_async
        self._adapter: AdapterModule | None = None
        self._requests: RequestBuilder | None = None
        self._responses: ResponseBuilder | None = None
        self._init_pools(http_client, is_async)

    def __repr__(self) -> str:
        return f"AIModelClient({self.fallback or self.model_endpoint!r}, is_async={self.is_async})"

    # --- preparing a call ------------------------------------------------------------------

    @property
    def adapter(self) -> AdapterModule:
        adapter = self._adapter
        if adapter is None:
            ep = self.model_endpoint
            module: Any = importlib.import_module(ep.binding.adapter)
            if getattr(module, "DIALECTS", None):  # it frames the model family's own API
                from ._dialect import dialect_adapter

                module = dialect_adapter(module, ep.ai_model, ep.model_id)
            adapter = self._adapter = cast("AdapterModule", module)  # a generated adapter
        return adapter

    @property
    def _builders(self) -> tuple[RequestBuilder, ResponseBuilder]:
        requests, responses = self._requests, self._responses
        if requests is None or responses is None:
            ep, adapter = self.model_endpoint, self.adapter
            requests = self._requests = RequestBuilder(ep, adapter, self._given)
            responses = self._responses = ResponseBuilder(ep, adapter, self.is_async)
        return requests, responses

    def _prepare(
        self,
        prompt: str | None,
        instructions: str | None,
        messages: Iterable[Any] | None,
        config: AIModelCallConfig | None,
    ) -> Prepared:
        cfg = config if config is not None else self.config
        return self._builders[0].prepare(prompt, instructions, messages, cfg)

    def request_body(
        self,
        prompt: str | None = None,
        *,
        instructions: str | None = None,
        messages: Iterable[Any] | None = None,
        config: AIModelCallConfig | None = None,
    ) -> dict[str, Any]:
        """The JSON body `generate` would send (no request is made)."""
        return json.loads(self._prepare(prompt, instructions, messages, config).content)

    def read_response(
        self, body: bytes, *, dimensions: Mapping[str, str] | None = None
    ) -> AIModelCallResponse[StreamT]:
        """The typed response to a body this endpoint answered with, received some other way
        (a batch job's result); `dimensions` price it besides the endpoint's ({"batch": "true"})."""
        status = CallStatus(200)
        received = self._builders[1].received(body, status, self.config, None, None, dimensions)
        return cast("AIModelCallResponse[StreamT]", received)  # is_async made it so

    def count_tokens(self, prompt: str | None = None, **call: Any) -> TokenCount:
        """The input tokens of a call (`generate`'s arguments): counted by the provider where
        it offers that (`exact`), else estimated. Sends no call."""
        _check_mode(self.is_async, False)
        prep = self._prepare(prompt, *_call_args(call))
        return self._count(prep, self._sync or self._sync_client())

    async def count_tokens_async(self, prompt: str | None = None, **call: Any) -> TokenCount:
        """Async `count_tokens`."""
        import asyncio

        _check_mode(self.is_async, True)
        prep = self._prepare(prompt, *_call_args(call))
        return await self._acount(prep, *self._for_loop(asyncio.get_running_loop()))

    def _count(self, prep: Prepared, http: httpx2.Client) -> TokenCount:
        side = count_request(self.model_endpoint, self._builders[0], prep)
        if side is None:
            return estimated(self.model_endpoint, prep)
        return counted(self.model_endpoint, self._builders[1], _exchange(http, side))

    async def _acount(self, prep: Prepared, http: httpx2.AsyncClient, gate: Any) -> TokenCount:
        side = count_request(self.model_endpoint, self._builders[0], prep)
        if side is None:
            return estimated(self.model_endpoint, prep)
        async with gate:
            return counted(self.model_endpoint, self._builders[1], await _aexchange(http, side))

    def _http_options(self) -> dict[str, Any]:
        return _pool_options(self.model_endpoint.api, self._builders[0].fixed_headers)

    def _start_stream(
        self, response: httpx2.Response, status: CallStatus, prep: Prepared
    ) -> AIModelCallResponse:
        """The response of a streamed call, its stream read as the caller iterates."""
        return _start_stream(self._builders[1], response, status, prep, self.is_async, self._loop)

    # --- the drivers -----------------------------------------------------------------------

    def generate(
        self,
        prompt: str | None = None,
        *,
        instructions: str | None = None,
        messages: Iterable[Any] | None = None,
        config: AIModelCallConfig | None = None,
    ) -> AIModelCallResponse[StreamT]:
        """Call the model. Streaming (config.streaming) returns at once with `stream_generator`."""
        _check_mode(self.is_async, False)
        args = (prompt, instructions, messages, config)
        if self.fallback is None:
            return self._generate(args)
        return call_in_turn(self.fallback, lambda n: self._nth(n)._generate(args))

    def _generate(self, args: _Args) -> AIModelCallResponse[StreamT]:
        with calling():  # third-party log records now are this call's: scrubbed
            prep = self._prepare(*args)
            http = self._sync or self._sync_client()
            if needs_check(prep):  # refused here, before the request, when over a limit
                check_call(self.model_endpoint, prep, self._count(prep, http))
            steps = attempts(self._builders[1], prep, self._start_stream)
            return cast("AIModelCallResponse[StreamT]", _drive(http, steps))  # is_async made it so

    def _nth(self, n: int) -> AIModelClient[Any]:
        """The client of the fallback's endpoint `n` (this one for the first)."""
        if n == 0 or self.fallback is None:
            return self
        if n not in self._others:  # a caller's HTTP client serves them all
            given: Any = (self._async if self.is_async else self._sync) if self._given else None
            ep = self.fallback.endpoints[n]
            self._others[n] = AIModelClient(ep, self.config, self.is_async, http_client=given)
        return self._others[n]

    async def generate_async(
        self,
        prompt: str | None = None,
        *,
        instructions: str | None = None,
        messages: Iterable[Any] | None = None,
        config: AIModelCallConfig | None = None,
    ) -> AIModelCallResponse[StreamT]:
        """Async `generate`: streaming returns an async `stream_generator`."""
        _check_mode(self.is_async, True)
        args = (prompt, instructions, messages, config)
        if self.fallback is None:
            return await self._agenerate(args)
        return await call_in_turn_async(self.fallback, lambda n: self._nth(n)._agenerate(args))

    async def _agenerate(self, args: _Args) -> AIModelCallResponse[StreamT]:
        import asyncio  # here, not at import: asyncio costs ~15 ms to import

        with calling():  # third-party log records now are this call's: scrubbed
            ep = self.model_endpoint
            if ep.api.auth_blocks(ep.auth):  # a token fetch waits on the network: not on the loop
                await asyncio.to_thread(ep.api.auth, ep.auth)
            prep = self._prepare(*args)
            http, gate = self._for_loop(asyncio.get_running_loop())
            if needs_check(prep):  # refused here, before the request, when over a limit
                check_call(ep, prep, await self._acount(prep, http, gate))
            steps = attempts(self._builders[1], prep, self._start_stream)
            return cast("AIModelCallResponse[StreamT]", await _adrive(http, gate, steps))


def _call_args(call: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(instructions, messages, config) of a call's keyword arguments; another is an error."""
    unknown = sorted(set(call) - {"instructions", "messages", "config"})
    if unknown:
        raise ConfigurationError(
            f"unknown argument(s) {', '.join(unknown)}; allowed: instructions, messages, config"
        )
    return call.get("instructions"), call.get("messages"), call.get("config")


def _check_mode(is_async: bool, want_async: bool) -> None:
    if want_async != is_async:
        raise ConfigurationError(
            "this client was made with is_async=True: use `await client.generate_async(...)`"
            if is_async
            else "this client was made with is_async=False: use `client.generate(...)`"
        )


def _pool_options(api: AIModelAPI, headers: dict[str, str]) -> dict[str, Any]:
    """The pooled httpx2 client's options: modelwire's limits, no redirects, the fixed headers;
    HTTP/2 when asked (negotiated over TLS; a plain http:// host is taken to speak it: h2c)."""
    options = {"limits": POOL_LIMITS, "follow_redirects": False, "headers": headers}
    if api.http2:
        options["http2"] = True
        options["http1"] = not api.base_url.startswith("http://")
    return options


def _start_stream(
    builder: ResponseBuilder,
    response: httpx2.Response,
    status: CallStatus,
    prep: Prepared,
    is_async: bool,
    loop: Any,
) -> AIModelCallResponse:
    proc = builder.processor(response, status, prep)
    if is_async:
        release = _Release(response, loop)
        stream: StreamGenerator = _astream(builder, release, proc, prep)
    else:
        release = _Release(response)
        stream = _stream(builder, release, proc, prep)
    release.watch(stream)
    return AIModelCallResponse(status, _stream=stream, _release=release, endpoint=builder.endpoint)


# a call's arguments: prompt, instructions, messages, config
_Args = tuple[str | None, str | None, Iterable[Any] | None, AIModelCallConfig | None]


def _drive(
    http: httpx2.Client, steps: Generator[Send | Sleep, object, AIModelCallResponse]
) -> AIModelCallResponse:
    """Do the I/O a call's attempts ask for, on a sync client; returns the call's response."""
    answer: object = None
    while True:
        try:
            step = steps.send(answer)
        except StopIteration as done:
            return done.value
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            answer = None
        else:
            answer = _exchange(http, step.prep)


async def _adrive(
    http: httpx2.AsyncClient, gate: Any, steps: Generator[Send | Sleep, object, AIModelCallResponse]
) -> AIModelCallResponse:
    """`_drive` on an async client, each send inside the pool gate."""
    import asyncio

    answer: object = None
    while True:
        try:
            step = steps.send(answer)
        except StopIteration as done:
            return done.value
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            answer = None
        else:
            async with gate:
                answer = await _aexchange(http, step.prep)


# --- I/O of one attempt ---------------------------------------------------------------------


def _exchange(http: httpx2.Client, prep: Prepared) -> Exchanged:
    """Send the call once; read the body unless it is a stream to be read later."""
    try:
        response = http.send(prep.request(http), stream=True)
    except httpx2.HTTPError as exc:
        return exc
    if prep.stream and response.status_code < 400:
        return response, None
    try:
        if prep.deadline is None:
            return response, response.read()
        parts: list[bytes] = []
        for part in response.iter_bytes():  # a body trickled in stays within the deadline
            parts.append(part)
            prep.remaining()
        return response, b"".join(parts)
    except httpx2.HTTPError as exc:
        return response, exc
    finally:
        response.close()


async def _aexchange(http: httpx2.AsyncClient, prep: Prepared) -> Exchanged:
    """`_exchange` on an async client."""
    try:
        response = await http.send(prep.request(http), stream=True)
    except httpx2.HTTPError as exc:
        return exc
    if prep.stream and response.status_code < 400:
        return response, None
    try:
        if prep.deadline is None:
            return response, await response.aread()
        parts: list[bytes] = []
        async for part in response.aiter_bytes():  # a trickled body stays within the deadline
            parts.append(part)
            prep.remaining()
        return response, b"".join(parts)
    except httpx2.HTTPError as exc:
        return response, exc
    finally:
        await response.aclose()


# --- reading a stream -----------------------------------------------------------------------


def _stream(
    builder: ResponseBuilder, release: _Release, proc: StreamProcessor, prep: Prepared
) -> SyncStream:
    response = release.response
    tail: list[AIModelStreamChunk] = []
    final = None
    try:
        for data in response.iter_bytes():
            for chunk in proc.feed(data):
                yield chunk, None
                if release.closed:  # closed by its caller: the stream ends here
                    return
            if _stops(proc, prep):
                break
        else:
            tail, final = proc.finish()
    except (httpx2.StreamClosed, httpx2.HTTPError) as exc:
        if release.closed:  # closed by its caller (httpx2 closes it on a read error too)
            return
        proc.failed = transport_error(builder, exc, proc.partial(), timeout=prep.config.timeout)
    finally:
        response.close()
    yield from _ending(builder, response, proc, tail, final)


async def _astream(
    builder: ResponseBuilder, release: _Release, proc: StreamProcessor, prep: Prepared
) -> AsyncStream:
    response = release.response
    tail: list[AIModelStreamChunk] = []
    final = None
    try:
        async for data in response.aiter_bytes():
            for chunk in proc.feed(data):
                yield chunk, None
                if release.closed:  # closed by its caller: the stream ends here
                    return
            if _stops(proc, prep):
                break
        else:
            tail, final = proc.finish()
    except (httpx2.StreamClosed, httpx2.HTTPError) as exc:
        if release.closed:  # closed by its caller (httpx2 closes it on a read error too)
            return
        proc.failed = transport_error(builder, exc, proc.partial(), timeout=prep.config.timeout)
    finally:
        await response.aclose()
    for item in _ending(builder, response, proc, tail, final):
        yield item


def _stops(proc: StreamProcessor, prep: Prepared) -> bool:
    """Whether reading stops here: the stream failed, or the call's deadline passed."""
    if proc.failed is None and prep.deadline is not None:
        try:
            prep.remaining()
        except APITimeoutError as exc:
            exc.partial_response = proc.partial()
            proc.failed = exc
    return proc.failed is not None


def _ending(
    builder: ResponseBuilder,
    response: httpx2.Response,
    proc: StreamProcessor,
    tail: list[AIModelStreamChunk],
    final: AIModelCallResponse | None,
) -> Iterator[StreamItem]:
    """The end of a stream: the chunks of its last event, then its failure or its response."""
    for chunk in tail:
        yield chunk, None
    if proc.failed is not None:
        raise builder.stream_failure(proc.failed, response)
    yield None, final


class _Release:
    """Gives a streamed response's connection back to the pool when the response is closed,
    or when its stream is dropped unread (a generator never started runs no `finally`).
    `closed` tells the stream that its caller closed it (then it ends without an error)."""

    __slots__ = ("_finalizer", "_loop", "response")

    def __init__(self, response: httpx2.Response, loop: Any = None) -> None:
        self.response = response
        self._loop = loop
        self._finalizer: weakref.finalize[Any, Any] | None = None

    def watch(self, stream: object) -> None:
        if self._loop is None:
            self._finalizer = weakref.finalize(stream, self.response.close)
        else:
            self._finalizer = weakref.finalize(stream, _aclose_soon, self._loop, self.response)

    @property
    def closed(self) -> bool:
        return self._finalizer is not None and not self._finalizer.alive

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()

    async def aclose(self) -> None:
        if self._finalizer is not None and self._finalizer.detach() is not None:
            await self.response.aclose()


def _aclose_soon(loop: Any, response: httpx2.Response) -> None:
    """Close an async response from anywhere (a finalizer): on its loop, if that still runs."""
    if not response.is_closed and not loop.is_closed():
        loop.call_soon_threadsafe(lambda: loop.create_task(response.aclose()))
