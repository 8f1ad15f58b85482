"""AIModelClient: one pooled httpx client, retries, timeouts, streaming — for any protocol.

Nothing here knows a provider: the endpoint's generated adapter builds and parses, the
provider description gives URL and auth.
"""

from __future__ import annotations

import importlib
import json
import math
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, Literal, cast, overload

import httpx
from typing_extensions import Self

from ._api import AIModelEndpoint
from ._call import build_call
from ._config import AIModelCallConfig
from ._errors import (
    DECODE_ERRORS,
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    ModelwireError,
    ResponseDecodeError,
    StreamInterruptedError,
    http_error,
    request_id,
    stream_error,
)
from ._framing import framing, response_framing
from ._protocol import AdapterModule, ParsedResponse, StreamError, place_options
from ._retry import backoff

if TYPE_CHECKING:
    import asyncio

    from ._stream import StreamAccumulator, StreamProcessor
    from ._tools import StructuredOutput
from ._catalog import image_charge
from ._types import (
    AIModelCallResponse,
    AIModelStreamChunk,
    AsyncStream,
    CallStatus,
    ChatResponse,
    FinishReason,
    ImageContent,
    ImageResponse,
    StreamGenerator,
    StreamItem,
    StreamT,
    SyncStream,
)

USER_AGENT = "modelwire/0.1"
# httpx's defaults. More connections kept alive would spare reconnecting, but httpcore 1.0.9's
# pool scans its connections (with a poll each) several times per request, a cost quadratic in
# their number: at 50 concurrent calls keeping 100 alive cuts throughput by more than half
# (docs/decisions.md, "The async pool")
MAX_CONNECTIONS = 100
POOL_LIMITS = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=20)


def _no_failed_import_per_request() -> None:
    """httpcore 1.0.9 runs `import sniffio` on every async request, to fall back to asyncio
    when that fails; without sniffio (anyio >= 4.11 no longer brings it) each failure searches
    sys.path again, ~50 us a request (encode/httpcore#1103). Recording the absence once in
    sys.modules makes the import fail at once, with the same outcome."""
    import sys

    if "sniffio" not in sys.modules:
        import importlib.util

        if importlib.util.find_spec("sniffio") is None:
            sys.modules["sniffio"] = None  # pyright: ignore[reportArgumentType]  # None there makes the import fail, as the import system documents


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _json_bytes(body: Any) -> bytes:
    """The request body as UTF-8 JSON; what JSON or UTF-8 cannot carry fails before sending."""
    try:
        return _ENCODER.encode(body).encode()
    except UnicodeEncodeError as exc:
        raise ConfigurationError(
            f"the request holds text that is not valid Unicode ({exc.reason} "
            f"{exc.object[exc.start : exc.end]!r}): lone surrogates cannot be sent"
        ) from None
    except (ValueError, TypeError) as exc:  # NaN or infinity; a value JSON has no form for
        raise ConfigurationError(f"the request cannot be sent as JSON: {exc}") from None
    except RecursionError:
        raise ConfigurationError("the request is nested too deeply to be sent as JSON") from None


@dataclass(slots=True)
class _Prepared:
    url: httpx.URL
    headers: dict[str, str]
    content: bytes
    config: AIModelCallConfig
    stream: bool
    timeout: httpx.Timeout
    deadline: float | None  # time.monotonic() by which the whole call must end
    structured: StructuredOutput | None = None
    options: dict[str, Any] | None = None  # the call's options, defaults applied (image prices)


class AIModelClient(Generic[StreamT]):
    """Calls one model endpoint. Use as `with` (sync) or `async with` (is_async=True).

    A type checker knows the client's kind from `is_async`: a sync client's responses have a
    sync `stream_generator`, an async client's an async one."""

    @overload
    def __init__(
        self: AIModelClient[SyncStream],
        model_endpoint: AIModelEndpoint,
        config: AIModelCallConfig | None = None,
        is_async: Literal[False] = False,
    ) -> None: ...
    @overload
    def __init__(
        self: AIModelClient[AsyncStream],
        model_endpoint: AIModelEndpoint,
        config: AIModelCallConfig | None = None,
        *,
        is_async: Literal[True],
    ) -> None: ...
    @overload
    def __init__(
        self: AIModelClient[AsyncStream],
        model_endpoint: AIModelEndpoint,
        config: AIModelCallConfig | None,
        is_async: Literal[True],
    ) -> None: ...
    @overload
    def __init__(
        self: AIModelClient[StreamGenerator],
        model_endpoint: AIModelEndpoint,
        config: AIModelCallConfig | None = None,
        is_async: bool = False,
    ) -> None: ...
    def __init__(
        self,
        model_endpoint: AIModelEndpoint,
        config: AIModelCallConfig | None = None,
        is_async: bool = False,
    ) -> None:
        if not isinstance(model_endpoint, AIModelEndpoint):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(
                f"model_endpoint must be an AIModelEndpoint, got {model_endpoint!r}"
            )
        self.model_endpoint = model_endpoint
        self.config: AIModelCallConfig = config or AIModelCallConfig()
        self.is_async: bool = is_async
        self._adapter: AdapterModule | None = None
        self._sync: httpx.Client | None = None
        self._async: httpx.AsyncClient | None = None
        self._fixed: dict[str, str] | None = None
        self._gate_loop: Any = None
        self._gate_sem: Any = None
        self._async_loop: Any = None  # the event loop self._async belongs to
        self._lock = threading.Lock()
        self._urls: dict[tuple[object, ...], tuple[httpx.URL, str]] = {}
        self._timeouts: dict[float | None, httpx.Timeout] = {}

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()
            self._async = None
        self.close()

    def __repr__(self) -> str:
        return f"AIModelClient({self.model_endpoint!r}, is_async={self.is_async})"

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

    def _prepare(
        self,
        prompt: str | None,
        instructions: str | None,
        messages: Iterable[Any] | None,
        config: AIModelCallConfig | None,
    ) -> _Prepared:
        ep = self.model_endpoint
        cfg = config if config is not None else self.config
        adapter = self.adapter
        call, options = build_call(
            ep.ai_model,
            ep.model_id,
            cfg,
            prompt,
            instructions,
            messages,
            adapter,
            self._provider,
            ep.binding,
        )
        body = adapter.build_body(call)
        for key, value in ep.binding.body.items():  # what this host changes in the body
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
        if options and adapter.OPTIONS_PATH is not None:
            place_options(body, options, adapter.OPTIONS_PATH, ep.ai_model)
        auth_headers, params = ep.api.auth(ep.auth)
        headers = {
            "accept": framing(adapter.FRAMING).accept if call.stream else "application/json",
            **auth_headers,
        }
        params = {**ep.query(), **params}
        if call.stream and ep.binding.stream_query:
            params = {**params, **ep.binding.stream_query}
        url, url_text = self._url(ep.base_url + ep.path(call.stream), params)
        content = _json_bytes(body)
        signed = {**self._fixed_headers, **headers}
        headers.update(ep.api.sign(url_text, signed, content, ep.params, ep.auth))
        return _Prepared(
            url=url,
            headers=headers,
            content=content,
            config=cfg,
            stream=call.stream,
            timeout=self._timeout(cfg.timeout),
            deadline=time.monotonic() + cfg.total_timeout if cfg.total_timeout else None,
            structured=call.structured,
            options=options,
        )

    @property
    def _fixed_headers(self) -> dict[str, str]:
        """The headers of every call of this client: the HTTP client's own defaults (merging
        a call's few headers into them costs less than sending them all each time)."""
        if self._fixed is None:
            api = self.model_endpoint.api
            self._fixed = {
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                **api.info.headers,
                **api.config_headers(),
            }
        return self._fixed

    def _http_options(self) -> dict[str, Any]:
        return {"limits": POOL_LIMITS, "follow_redirects": False, "headers": self._fixed_headers}

    def _url(self, url: str, params: dict[str, str]) -> tuple[httpx.URL, str]:
        """A call's URL, parsed once (httpx parses a string on every request), and as text."""
        key: tuple[object, ...] = (url, *params.items())
        found = self._urls.get(key)
        if found is None:
            parsed = httpx.URL(url, params=params) if params else httpx.URL(url)
            found = parsed, str(parsed)
            if len(self._urls) < 32:
                self._urls[key] = found
        return found

    def _timeout(self, seconds: float | None) -> httpx.Timeout:
        found = self._timeouts.get(seconds)
        if found is None:
            found = httpx.Timeout(seconds)
            if len(self._timeouts) < 32:
                self._timeouts[seconds] = found
        return found

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

    # --- shared pieces of the sync and async paths -----------------------------------------

    @property
    def _provider(self) -> str:
        return self.model_endpoint.api.info.name  # the enum's value (without Enum's lookup)

    def _transport_error(
        self, exc: httpx.HTTPError | httpx.StreamError, partial: Any = None
    ) -> ModelwireError:
        where = self.model_endpoint.api.info.display_name
        if isinstance(exc, httpx.PoolTimeout):
            return APITimeoutError(
                f"no free connection to {where} within the timeout: all "
                f"{MAX_CONNECTIONS} of this client's connections are in use (a "
                "streamed response holds its connection until it is read to its end, closed "
                "or dropped)",
                provider=self._provider,
                retryable=False,
            )
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(
                f"{where} did not answer within the timeout ({type(exc).__name__})",
                provider=self._provider,
                partial_response=partial,
                retryable=partial is None,
            )
        if partial is not None:
            return StreamInterruptedError(
                f"the stream from {where} broke off ({type(exc).__name__}: {exc})",
                provider=self._provider,
                partial_response=partial,
            )
        return APIConnectionError(
            f"could not reach {where} ({type(exc).__name__}: {exc})",
            provider=self._provider,
            retryable=True,
        )

    def _stream_failure(self, exc: ModelwireError, response: httpx.Response) -> ModelwireError:
        """A stream's failure, with the response's status and request id, secrets scrubbed."""
        exc.provider = exc.provider or self._provider
        if exc.status is None:
            exc.status = response.status_code
        if exc.request_id is None:
            exc.request_id = request_id(self.adapter, response.headers)
        return exc.redact(self.model_endpoint.api.secrets())

    def _request(self, http: httpx.Client | httpx.AsyncClient, prep: _Prepared) -> httpx.Request:
        timeout = prep.timeout
        if prep.deadline is not None:  # no wait of this attempt may pass the call's deadline
            timeout = httpx.Timeout(min(prep.config.timeout, self._remaining(prep)))
        return http.build_request(
            "POST", prep.url, content=prep.content, headers=prep.headers, timeout=timeout
        )

    def _remaining(self, prep: _Prepared) -> float:
        """Seconds left before the call's `total_timeout`; past it, the timeout error."""
        deadline = prep.deadline if prep.deadline is not None else math.inf
        left = deadline - time.monotonic()
        if left <= 0:
            where = self.model_endpoint.api.info.display_name
            raise APITimeoutError(
                f"the call to {where} took longer than total_timeout "
                f"({prep.config.total_timeout} s)",
                provider=self._provider,
            )
        return left

    def _body_failure(self, exc: httpx.HTTPError, response: httpx.Response) -> ModelwireError:
        """A failure while reading a body whose status line had come: an HTTP error's body is
        lost (its status still decides), a 2xx answer is not asked for again (it is paid for)."""
        status = response.status_code
        if status >= 400:
            return http_error(self.adapter, self._provider, status, b"", response.headers)
        failure = self._transport_error(exc)
        if not isinstance(failure, APITimeoutError):
            where = self.model_endpoint.api.info.display_name
            failure = ResponseDecodeError(
                f"the body of {where}'s HTTP {status} answer broke off or could not be "
                f"decoded ({type(exc).__name__}: {exc})"
            )
        failure.retryable = False
        failure.status, failure.request_id = status, request_id(self.adapter, response.headers)
        return failure

    def _outcome(
        self,
        response: httpx.Response,
        body: bytes | None,
        attempt: int,
        streamer: Any,
        prep: _Prepared,
    ) -> AIModelCallResponse | ModelwireError:
        """The call's result from a response: `body` None means the stream is to be read."""
        if response.status_code >= 400:
            return http_error(
                self.adapter, self._provider, response.status_code, body or b"", response.headers
            )
        status = self._status(response, attempt)
        if body is None:
            processor = self._processor(response, status, prep)
            stream = streamer(response, processor, prep)
            release = _Release(stream, response, self._async_loop if self.is_async else None)
            return AIModelCallResponse(status, _stream=stream, _release=release)
        result = self._complete(body, status, prep.structured, prep.options)
        if prep.config.cost_tracker is not None:
            prep.config.cost_tracker.add(result)
        return result

    def _retry_delay(
        self, failure: ModelwireError, attempt: int, prep: _Prepared, response: Any
    ) -> float:
        """Seconds to wait before the next attempt; raises `failure` when there is none."""
        headers: Mapping[str, str] = response.headers if response is not None else {}
        delay = None
        if attempt <= prep.config.retries and failure.retryable:
            delay = backoff(attempt, headers)
        deadline = prep.deadline
        if delay is not None and deadline is not None and delay >= deadline - time.monotonic():
            delay = None  # never wait past total_timeout
        if delay is None:
            raise failure.redact(self.model_endpoint.api.secrets())
        return delay

    def _status(self, response: httpx.Response, attempts: int) -> CallStatus:
        return CallStatus(
            response.status_code, request_id(self.adapter, response.headers), attempts
        )

    def _chat_response(
        self, parsed: ParsedResponse | StreamAccumulator, structured: StructuredOutput | None
    ) -> ChatResponse:
        model = self.model_endpoint.ai_model
        if isinstance(parsed, ParsedResponse):
            choices, wire = parsed.choices, parsed.wire
        else:  # a stream's accumulator
            choices, wire = parsed.build_choices(), None
        with_tools = self.adapter.FINISH_REASONS_WITH_TOOL_CALLS
        for choice in choices:
            raw = choice.finish_reason_raw
            if raw in with_tools and any(c.type == "tool_call" for c in choice.contents):
                choice.finish_reason = cast("FinishReason", with_tools[raw])  # generated table
            if structured is not None:
                from ._structured import structured_result

                structured_result(choice, structured)
        usage = parsed.usage
        pricing = model.pricing_for(self._provider)
        dimensions = self.model_endpoint.dimensions
        if parsed.service_tier:
            dimensions = {**dimensions, "service_tier": parsed.service_tier}
        return ChatResponse(
            model=parsed.model or self.model_endpoint.model_id,
            provider=model.creator or self._provider,
            api_provider=self._provider,
            choices=choices,
            usage=usage,
            usage_charge=pricing.charge(usage, dimensions) if pricing else None,
            id=parsed.id,
            provider_response=wire,
            service_tier=parsed.service_tier,
        )

    def _complete(
        self,
        raw: bytes,
        status: CallStatus,
        structured: StructuredOutput | None,
        options: dict[str, Any] | None = None,
    ) -> AIModelCallResponse:
        try:
            parsed = self.adapter.parse_response(raw)
        except DECODE_ERRORS as exc:
            raise ResponseDecodeError(
                f"the {self.adapter.PROTOCOL} response does not match its wire schema: {exc}",
                provider=self._provider,
                status=status.http_status,
                request_id=status.request_id,
            ) from None
        if isinstance(parsed, StreamError):  # an error in place of a result, in a 2xx body
            error = stream_error(self.adapter, self._provider, parsed, status.http_status, {}, None)
            error.request_id = status.request_id
            raise error.redact(self.model_endpoint.api.secrets())
        chat = self._chat_response(parsed, structured)
        if self.model_endpoint.ai_model.kind == "image" or self.adapter.KIND == "image":
            images = self._image_response(chat, parsed, options or {})
            kept = chat if self.adapter.KIND == "chat" else None  # a chat model's text too
            return AIModelCallResponse(
                status,
                chat_response=kept,
                image_response=images,
                raw_body=raw,
                _is_async=self.is_async,
            )
        return AIModelCallResponse(
            status, chat_response=chat, raw_body=raw, _is_async=self.is_async
        )

    def _image_response(
        self, chat: ChatResponse, parsed: ParsedResponse, options: dict[str, Any]
    ) -> ImageResponse:
        """The images of a response (image content items), priced per image or by tokens."""
        contents = chat.choices[0].contents if chat.choices else []
        images = [c for c in contents if isinstance(c, ImageContent)]
        model = self.model_endpoint.ai_model
        return ImageResponse(
            model=chat.model,
            provider=chat.provider,
            api_provider=chat.api_provider,
            images=images,
            usage=chat.usage,
            usage_charge=image_charge(model, self._provider, chat.usage, options, len(images)),
            options=options,
            text=chat.text() or None,
            id=chat.id,
            provider_response=parsed.wire,
        )

    def _processor(
        self, response: httpx.Response, status: CallStatus, prep: _Prepared
    ) -> StreamProcessor:
        structured, tracker = prep.structured, prep.config.cost_tracker

        def finalize(acc: StreamAccumulator, complete: bool) -> AIModelCallResponse:
            done = status if complete else replace(status, successful=False)
            chat = self._chat_response(acc, structured)
            result = AIModelCallResponse(done, chat_response=chat, _is_async=self.is_async)
            if complete and tracker is not None:
                tracker.add(result)
            return result

        def on_error(err: StreamError, partial: Any) -> ModelwireError:
            return stream_error(
                self.adapter, self._provider, err, response.status_code, response.headers, partial
            ).redact(self.model_endpoint.api.secrets())

        content_type = response.headers.get("content-type", "")
        framed = response_framing(self.adapter.FRAMING, self.adapter.JSON_ARRAY, content_type)
        rewrite = None
        if structured is not None and structured.via == "tool":
            from ._structured import StructuredStream

            rewrite = StructuredStream()
        from ._stream import StreamProcessor  # here: only streams need it (import time)

        limit = prep.config.max_event_bytes
        return StreamProcessor(self.adapter, finalize, on_error, framed, rewrite, limit)

    def _check_mode(self, want_async: bool) -> None:
        if want_async != self.is_async:
            raise ConfigurationError(
                "this client was made with is_async=True: use `await client.generate_async(...)`"
                if self.is_async
                else "this client was made with is_async=False: use `client.generate(...)`"
            )

    # --- sync ------------------------------------------------------------------------------

    def generate(
        self,
        prompt: str | None = None,
        *,
        instructions: str | None = None,
        messages: Iterable[Any] | None = None,
        config: AIModelCallConfig | None = None,
    ) -> AIModelCallResponse[StreamT]:
        """Call the model. Streaming (config.streaming) returns at once with `stream_generator`."""
        self._check_mode(False)
        prep = self._prepare(prompt, instructions, messages, config)
        http = self._sync or self._sync_client()
        attempt = 0
        while True:
            attempt += 1
            response, reading_stream = None, False
            try:
                response = http.send(self._request(http, prep), stream=True)
            except httpx.HTTPError as exc:
                outcome = self._transport_error(exc)
            else:
                try:
                    reading_stream = prep.stream and response.status_code < 400
                    body = None if reading_stream else self._read(response, prep)
                    outcome = self._outcome(response, body, attempt, self._stream, prep)
                except httpx.HTTPError as exc:
                    outcome = self._body_failure(exc, response)
                finally:
                    if not reading_stream:
                        response.close()
            if isinstance(outcome, AIModelCallResponse):
                return cast("AIModelCallResponse[StreamT]", outcome)  # is_async made it so
            time.sleep(self._retry_delay(outcome, attempt, prep, response))

    def _sync_client(self) -> httpx.Client:
        with self._lock:  # one pool, however many threads make their first call at once
            if self._sync is None:
                self._sync = httpx.Client(**self._http_options())
            return self._sync

    def _read(self, response: httpx.Response, prep: _Prepared) -> bytes:
        if prep.deadline is None:
            return response.read()
        parts: list[bytes] = []
        for part in response.iter_bytes():  # a body trickled in stays within the deadline
            parts.append(part)
            self._remaining(prep)
        return b"".join(parts)

    def _stream(
        self, response: httpx.Response, proc: StreamProcessor, prep: _Prepared
    ) -> Iterator[StreamItem]:
        tail: list[AIModelStreamChunk] = []
        final = None
        try:
            for data in response.iter_bytes():
                for chunk in proc.feed(data):
                    yield chunk, None
                    if response.is_closed:  # closed by its caller: the stream ends here
                        return
                if proc.failed is None and prep.deadline is not None:
                    self._past_deadline(proc, prep)
                if proc.failed is not None:
                    break
            else:
                tail, final = proc.finish()
        except (httpx.StreamClosed, httpx.HTTPError) as exc:
            if response.is_closed:  # closed by its caller: the stream ends here
                return
            proc.failed = self._transport_error(exc, proc.partial())
        finally:
            response.close()
        for chunk in tail:
            yield chunk, None
        if proc.failed is not None:
            raise self._stream_failure(proc.failed, response)
        yield None, final

    def _past_deadline(self, proc: StreamProcessor, prep: _Prepared) -> None:
        try:
            self._remaining(prep)
        except APITimeoutError as exc:
            exc.partial_response = proc.partial()
            proc.failed = exc

    # --- async -----------------------------------------------------------------------------

    async def generate_async(
        self,
        prompt: str | None = None,
        *,
        instructions: str | None = None,
        messages: Iterable[Any] | None = None,
        config: AIModelCallConfig | None = None,
    ) -> AIModelCallResponse[StreamT]:
        """Async `generate`: streaming returns an async `stream_generator`."""
        import asyncio  # here, not at import: asyncio costs ~15 ms to import

        self._check_mode(True)
        ep = self.model_endpoint
        if ep.api.auth_blocks(ep.auth):  # a token fetch waits on the network: not on the loop
            await asyncio.to_thread(ep.api.auth, ep.auth)
        prep = self._prepare(prompt, instructions, messages, config)
        loop = asyncio.get_running_loop()
        http = self._async
        if http is None or self._async_loop is not loop:
            http = self._async_client(loop)
        gate = self._gate()
        attempt = 0
        while True:
            attempt += 1
            response, reading_stream = None, False
            try:
                async with gate:
                    response = await http.send(self._request(http, prep), stream=True)
                    try:
                        reading_stream = prep.stream and response.status_code < 400
                        body = None if reading_stream else await self._aread(response, prep)
                    except httpx.HTTPError as exc:
                        body, outcome = None, self._body_failure(exc, response)
                    else:
                        outcome = self._outcome(response, body, attempt, self._astream, prep)
            except httpx.HTTPError as exc:
                outcome = self._transport_error(exc)
            finally:
                if response is not None and not reading_stream:
                    await response.aclose()
            if isinstance(outcome, AIModelCallResponse):
                return cast("AIModelCallResponse[StreamT]", outcome)  # is_async made it so
            await asyncio.sleep(self._retry_delay(outcome, attempt, prep, response))

    def _async_client(self, loop: Any) -> httpx.AsyncClient:
        """The pool of this event loop: a client used from a new loop (a second
        `asyncio.run`) gets a new pool; the old one's connections died with their loop."""
        if self._async is None:
            _no_failed_import_per_request()
        self._async = httpx.AsyncClient(**self._http_options())
        self._async_loop = loop
        return self._async

    async def _aread(self, response: httpx.Response, prep: _Prepared) -> bytes:
        if prep.deadline is None:
            return await response.aread()
        parts: list[bytes] = []
        async for part in response.aiter_bytes():  # a trickled body stays within the deadline
            parts.append(part)
            self._remaining(prep)
        return b"".join(parts)

    def _gate(self) -> asyncio.Semaphore:
        """At most as many requests in the HTTP pool at once as it has connections: httpcore
        looks through every waiting request each time a connection frees up, so a burst of
        1,000 calls queued inside it costs seconds of CPU (queued here, it costs nothing)."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._gate_loop is not loop:  # a semaphore belongs to one event loop
            self._gate_loop, self._gate_sem = loop, asyncio.Semaphore(MAX_CONNECTIONS)
        return self._gate_sem

    async def _astream(
        self, response: httpx.Response, proc: StreamProcessor, prep: _Prepared
    ) -> AsyncIterator[StreamItem]:
        tail: list[AIModelStreamChunk] = []
        final = None
        try:
            async for data in response.aiter_bytes():
                for chunk in proc.feed(data):
                    yield chunk, None
                    if response.is_closed:  # closed by its caller: the stream ends here
                        return
                if proc.failed is None and prep.deadline is not None:
                    self._past_deadline(proc, prep)
                if proc.failed is not None:
                    break
            else:
                tail, final = proc.finish()
        except (httpx.StreamClosed, httpx.HTTPError) as exc:
            if response.is_closed:  # closed by its caller: the stream ends here
                return
            proc.failed = self._transport_error(exc, proc.partial())
        finally:
            await response.aclose()
        for chunk in tail:
            yield chunk, None
        if proc.failed is not None:
            raise self._stream_failure(proc.failed, response)
        yield None, final


class _Release:
    """Gives a streamed response's connection back to the pool when the response is closed,
    or when its stream is dropped unread (a generator never started runs no `finally`)."""

    __slots__ = ("_finalizer", "_response")

    def __init__(self, stream: Any, response: httpx.Response, loop: Any = None) -> None:
        self._response = response
        if loop is None:
            self._finalizer = weakref.finalize(stream, response.close)
        else:
            self._finalizer = weakref.finalize(stream, _aclose_soon, loop, response)

    def close(self) -> None:
        self._finalizer()

    async def aclose(self) -> None:
        if self._finalizer.detach() is not None:
            await self._response.aclose()


def _aclose_soon(loop: Any, response: httpx.Response) -> None:
    """Close an async response from anywhere (a finalizer): on its loop, if that still runs."""
    if not response.is_closed and not loop.is_closed():
        loop.call_soon_threadsafe(lambda: loop.create_task(response.aclose()))
