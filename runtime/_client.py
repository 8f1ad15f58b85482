"""AIModelClient: one pooled httpx client, retries, timeouts, streaming — for any protocol.

Nothing here knows a provider: the endpoint's generated adapter builds and parses, the
provider description gives URL and auth.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import httpx

from ._api import AIModelEndpoint
from ._call import build_call
from ._config import AIModelCallConfig
from ._errors import (
    APIError,
    ConfigurationError,
    ConnectionError,
    ModelwireError,
    ResponseDecodeError,
    StreamInterruptedError,
    TimeoutError,
    http_error,
    request_id,
    stream_error,
)
from ._protocol import AdapterModule, ParsedResponse, StreamError, place_options
from ._retry import backoff, should_retry

if TYPE_CHECKING:
    import asyncio

    from ._cost import CostTracker
    from ._stream import StreamAccumulator, StreamProcessor
    from ._tools import StructuredOutput
from ._catalog import image_charge
from ._types import (
    AIModelCallResponse,
    CallStatus,
    ChatResponse,
    ImageContent,
    ImageResponse,
    StreamItem,
)

# what a streamed call accepts, by the protocol's framing
STREAM_ACCEPT = {"aws_eventstream": "application/vnd.amazon.eventstream"}
USER_AGENT = "modelwire/0.1"
# httpx's defaults. More connections kept alive would spare reconnecting, but httpcore 1.0.9's
# pool scans its connections (with a poll each) several times per request, a cost quadratic in
# their number: at 50 concurrent calls keeping 100 alive cuts throughput by more than half
# (docs/decisions.md, "The async pool")
POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def _no_failed_import_per_request() -> None:
    """httpcore 1.0.9 runs `import sniffio` on every async request, to fall back to asyncio
    when that fails; without sniffio (anyio >= 4.11 no longer brings it) each failure searches
    sys.path again, ~50 us a request (encode/httpcore#1103). Recording the absence once in
    sys.modules makes the import fail at once, with the same outcome."""
    import sys

    if "sniffio" not in sys.modules:
        import importlib.util

        if importlib.util.find_spec("sniffio") is None:
            sys.modules["sniffio"] = None  # type: ignore[assignment]


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
    except ValueError as exc:  # NaN or infinity (allow_nan=False)
        raise ConfigurationError(f"the request cannot be sent as JSON: {exc}") from None


@dataclass(slots=True)
class _Prepared:
    url: httpx.URL
    headers: dict[str, str]
    content: bytes
    config: AIModelCallConfig
    stream: bool
    timeout: httpx.Timeout
    structured: StructuredOutput | None = None
    options: dict[str, Any] | None = None  # the call's options, defaults applied (image prices)


class AIModelClient:
    """Calls one model endpoint. Use as `with` (sync) or `async with` (is_async=True)."""

    def __init__(
        self,
        model_endpoint: AIModelEndpoint,
        config: AIModelCallConfig | None = None,
        is_async: bool = False,
    ) -> None:
        if not isinstance(model_endpoint, AIModelEndpoint):
            raise ConfigurationError(
                f"model_endpoint must be an AIModelEndpoint, got {model_endpoint!r}"
            )
        self.model_endpoint = model_endpoint
        self.config = config or AIModelCallConfig()
        self.is_async = is_async
        self._adapter: AdapterModule | None = None
        self._sync: httpx.Client | None = None
        self._async: httpx.AsyncClient | None = None
        self._fixed: dict[str, str] | None = None
        self._gate_loop: Any = None
        self._gate_sem: Any = None
        self._urls: dict[tuple[str, ...], tuple[httpx.URL, str]] = {}
        self._timeouts: dict[float | None, httpx.Timeout] = {}

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> AIModelClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> AIModelClient:
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
        if self._adapter is None:
            module = importlib.import_module(self.model_endpoint.binding.adapter)
            self._adapter = module  # type: ignore[assignment]
        return self._adapter  # type: ignore[return-value]

    def _prepare(
        self,
        prompt: str | None,
        instructions: str | None,
        messages: Iterable[Any] | None,
        config: AIModelCallConfig | None,
    ) -> _Prepared:
        ep = self.model_endpoint
        cfg = config or self.config
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
            "accept": STREAM_ACCEPT.get(adapter.FRAMING, "text/event-stream")
            if call.stream
            else "application/json",
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
        key = (url, *params.items())
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

    def _transport_error(self, exc: httpx.HTTPError, partial: Any = None) -> ModelwireError:
        where = self.model_endpoint.api.info.display_name
        if isinstance(exc, httpx.TimeoutException):
            return TimeoutError(
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
        return ConnectionError(
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
        return http.build_request(
            "POST",
            prep.url,
            content=prep.content,
            headers=prep.headers,
            timeout=prep.timeout,
        )

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
            processor = self._processor(response, status, prep.structured, prep.config.cost_tracker)
            return AIModelCallResponse(status, stream_generator=streamer(response, processor))
        result = self._complete(body, status, prep.structured, prep.options)
        if prep.config.cost_tracker is not None:
            prep.config.cost_tracker.add(result)
        return result

    def _retry_delay(
        self, failure: ModelwireError, attempt: int, prep: _Prepared, response: Any
    ) -> float:
        """Seconds to wait before the next attempt; raises `failure` when there is none."""
        headers = response.headers if response is not None else {}
        delay = None
        if attempt <= prep.config.retries and (
            should_retry(failure.status, self.adapter.RETRY_STATUSES, headers)
            if isinstance(failure, APIError)
            else failure.retryable
        ):
            delay = backoff(attempt, headers)
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
                choice.finish_reason = with_tools[raw]  # type: ignore[assignment]
            if structured is not None:
                from ._structured import structured_result

                structured_result(choice, structured)
        usage = parsed.usage
        pricing = model.pricing_for(self._provider)
        return ChatResponse(
            model=parsed.model or self.model_endpoint.model_id,
            provider=model.creator or self._provider,
            api_provider=self._provider,
            choices=choices,
            usage=usage,
            usage_charge=pricing.charge(usage) if pricing else None,
            id=parsed.id,
            provider_response=wire,
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
        except ValueError as exc:
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
                status, chat_response=kept, image_response=images, raw_body=raw
            )
        return AIModelCallResponse(status, chat_response=chat, raw_body=raw)

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
        self,
        response: httpx.Response,
        status: CallStatus,
        structured: StructuredOutput | None,
        tracker: CostTracker | None = None,
    ) -> StreamProcessor:
        def finalize(acc: StreamAccumulator, complete: bool) -> AIModelCallResponse:
            done = status if complete else replace(status, successful=False)
            result = AIModelCallResponse(done, chat_response=self._chat_response(acc, structured))
            if complete and tracker is not None:
                tracker.add(result)
            return result

        def on_error(err: StreamError, partial: Any) -> ModelwireError:
            return stream_error(
                self.adapter, self._provider, err, response.status_code, response.headers, partial
            ).redact(self.model_endpoint.api.secrets())

        json_array = self.adapter.JSON_ARRAY and response.headers.get(
            "content-type", ""
        ).startswith("application/json")
        rewrite = None
        if structured is not None and structured.via == "tool":
            from ._structured import StructuredStream

            rewrite = StructuredStream()
        from ._stream import StreamProcessor  # here: only streams need it (import time)

        return StreamProcessor(self.adapter, finalize, on_error, json_array, rewrite)

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
    ) -> AIModelCallResponse:
        """Call the model. Streaming (config.streaming) returns at once with `stream_generator`."""
        self._check_mode(False)
        prep = self._prepare(prompt, instructions, messages, config)
        if self._sync is None:
            self._sync = httpx.Client(**self._http_options())
        http = self._sync
        attempt = 0
        while True:
            attempt += 1
            response, reading_stream = None, False
            try:
                response = http.send(self._request(http, prep), stream=True)
                reading_stream = prep.stream and response.status_code < 400
                body = None if reading_stream else response.read()
                outcome = self._outcome(response, body, attempt, self._stream, prep)
            except httpx.HTTPError as exc:
                outcome = self._transport_error(exc)
            finally:
                if response is not None and not reading_stream:
                    response.close()
            if isinstance(outcome, AIModelCallResponse):
                return outcome
            time.sleep(self._retry_delay(outcome, attempt, prep, response))

    def _stream(self, response: httpx.Response, proc: StreamProcessor) -> Iterator[StreamItem]:
        tail, final = [], None
        try:
            for data in response.iter_bytes():
                for chunk in proc.feed(data):
                    yield chunk, None
                if proc.failed is not None:
                    break
            else:
                tail, final = proc.finish()
        except httpx.HTTPError as exc:
            proc.failed = self._transport_error(exc, proc.partial())
        finally:
            response.close()
        for chunk in tail:
            yield chunk, None
        if proc.failed is not None:
            raise self._stream_failure(proc.failed, response)
        yield None, final

    # --- async -----------------------------------------------------------------------------

    async def generate_async(
        self,
        prompt: str | None = None,
        *,
        instructions: str | None = None,
        messages: Iterable[Any] | None = None,
        config: AIModelCallConfig | None = None,
    ) -> AIModelCallResponse:
        """Async `generate`: streaming returns an async `stream_generator`."""
        self._check_mode(True)
        prep = self._prepare(prompt, instructions, messages, config)
        if self._async is None:
            _no_failed_import_per_request()
            self._async = httpx.AsyncClient(**self._http_options())
        http = self._async
        gate = self._gate()
        attempt = 0
        while True:
            attempt += 1
            response, reading_stream = None, False
            try:
                async with gate:
                    response = await http.send(self._request(http, prep), stream=True)
                    reading_stream = prep.stream and response.status_code < 400
                    body = None if reading_stream else await response.aread()
                outcome = self._outcome(response, body, attempt, self._astream, prep)
            except httpx.HTTPError as exc:
                outcome = self._transport_error(exc)
            finally:
                if response is not None and not reading_stream:
                    await response.aclose()
            if isinstance(outcome, AIModelCallResponse):
                return outcome
            delay = self._retry_delay(outcome, attempt, prep, response)
            import asyncio  # here, not at import: asyncio costs ~15 ms to import

            await asyncio.sleep(delay)

    def _gate(self) -> asyncio.Semaphore:
        """At most as many requests in the HTTP pool at once as it has connections: httpcore
        looks through every waiting request each time a connection frees up, so a burst of
        1,000 calls queued inside it costs seconds of CPU (queued here, it costs nothing)."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._gate_loop is not loop:  # a semaphore belongs to one event loop
            self._gate_loop, self._gate_sem = loop, asyncio.Semaphore(POOL_LIMITS.max_connections)
        return self._gate_sem  # type: ignore[return-value]

    async def _astream(
        self, response: httpx.Response, proc: StreamProcessor
    ) -> AsyncIterator[StreamItem]:
        tail, final = [], None
        try:
            async for data in response.aiter_bytes():
                for chunk in proc.feed(data):
                    yield chunk, None
                if proc.failed is not None:
                    break
            else:
                tail, final = proc.finish()
        except httpx.HTTPError as exc:
            proc.failed = self._transport_error(exc, proc.partial())
        finally:
            await response.aclose()
        for chunk in tail:
            yield chunk, None
        if proc.failed is not None:
            raise self._stream_failure(proc.failed, response)
        yield None, final
