"""BatchClient: a provider's batch jobs for one model endpoint, sync or async.

The flows (`_style`) say what to send; this module sends it — through the endpoint's account
(its auth, headers and signing) — and turns each result line into the very response a direct
call gives (built by the endpoint's adapter, priced with the catalog's batch rates) or its
typed error.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

import httpx2

from modelwire import (
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
    ModelwireError,
)
from modelwire._errors import APIConnectionError, APITimeoutError, http_error, stream_error
from modelwire._protocol import StreamError
from modelwire._request import USER_AGENT

from ._items import Call, CallLike, Result, calls_from
from ._spec import TERMINAL, BatchInfo
from ._style import BatchStyle, Flow, JobData, Line, Record, Req, style_for

if TYPE_CHECKING:
    from ._job import BatchJob

__all__ = ["BatchClient"]

BATCH_PRICES = {"batch": "true"}  # the pricing dimension of a batch job's results


def batch_info(endpoint: AIModelEndpoint) -> BatchInfo:
    """The endpoint's provider's batch API, for the endpoint's protocol."""
    from modelwire.generated.batches import BATCHES

    info = cast("BatchInfo | None", BATCHES.get(endpoint.api.info.name))
    where = endpoint.api.info.display_name
    if info is None:
        having = ", ".join(sorted(BATCHES)) or "none"
        raise ConfigurationError(
            f"{where} has no batch API modelwire knows; providers with one: {having}"
        )
    protocol = endpoint.binding.protocol
    if protocol not in info.protocols:
        raise ConfigurationError(
            f"{where}'s batch API does not take {protocol} calls; it takes: "
            f"{', '.join(info.protocols)} (AIModelEndpoint(..., protocol=...))"
        )
    return info


class BatchClient:
    """Batch jobs of one model endpoint: `submit` calls, `get` a job by id (in any process),
    `list` jobs; each job (`BatchJob`) refreshes, waits, cancels and reads its results.

    `storage` is the bucket URI (gs://... or s3://...) input and output pass through for
    providers whose jobs read and write a bucket; `options` the style's own settings (e.g.
    an IAM role); `base_url` where jobs are served, when not where the provider says."""

    def __init__(
        self,
        model_endpoint: AIModelEndpoint,
        config: AIModelCallConfig | None = None,
        is_async: bool = False,
        *,
        base_url: str | None = None,
        storage: str | None = None,
        options: Mapping[str, Any] | None = None,
        http_client: httpx2.Client | httpx2.AsyncClient | None = None,
    ) -> None:
        self.info = batch_info(model_endpoint)
        self.endpoint = model_endpoint
        self.config = config or AIModelCallConfig()
        self.is_async = is_async
        self.calls: AIModelClient[Any] = AIModelClient(model_endpoint, self.config, is_async)
        api, ep = model_endpoint.api, model_endpoint
        params = dict(ep.params)
        if storage is not None:
            params["storage"] = storage
        self.style: BatchStyle = style_for(self.info)(
            self.info, ep.binding.protocol, ep.model_id, params, dict(options or {})
        )
        template = base_url or (self.info.base_url if not api.explicit_base_url else None)
        self.base_url = (template.format(**ep.params) if template else ep.base_url).rstrip("/")
        self.query = {k: v.format(**ep.params) for k, v in self.info.query.items()}
        self._http = http_client
        self._given = http_client is not None
        if self.style.needs_signing and api.api_key is not None:
            keys = " or ".join(api.info.auth.env)
            raise ConfigurationError(
                f"{api.info.display_name}: {self.style.needs_signing}"
                + (f" (unset {keys})" if keys else "")
            )

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> BatchClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> BatchClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def close(self) -> None:
        if isinstance(self._http, httpx2.Client) and not self._given:
            self._http.close()
            self._http = None

    async def aclose(self) -> None:
        if isinstance(self._http, httpx2.AsyncClient) and not self._given:
            await self._http.aclose()
            self._http = None

    # --- building jobs ---------------------------------------------------------------------

    def lines(self, calls: Iterable[CallLike]) -> list[Line]:
        """Each call as its line: its custom id and the body a direct call would send."""
        out: list[Line] = []
        pattern = re.compile(self.info.custom_id) if self.info.custom_id else None
        for call in calls_from(calls):
            out.append(self._line(call, pattern))
        return out

    def _line(self, call: Call, pattern: re.Pattern[str] | None) -> Line:
        cfg = call.config or self.config
        custom_id = cast(str, call.custom_id)  # calls_from gave every call one
        if cfg.streaming:
            raise ConfigurationError(
                f"call {custom_id!r}: a batch job's calls are not streamed; use a config "
                "with streaming=False"
            )
        if pattern is not None and not pattern.fullmatch(custom_id):
            raise ConfigurationError(
                f"custom_id {custom_id!r} is not one {self.endpoint.api.info.display_name}'s "
                f"batch API takes: it must match {pattern.pattern}"
            )
        body = self.calls.request_body(
            call.prompt, instructions=call.instructions, messages=call.messages, config=cfg
        )
        return Line(custom_id, body)

    def chunks(self, lines: list[Line]) -> list[list[Line]]:
        """`lines` cut into jobs within the provider's limits (request count and size)."""
        info, out, size = self.info, [list[Line]()], 0
        for line in lines:
            weight = len(json.dumps(line.body, ensure_ascii=False).encode()) + 200
            full = len(out[-1]) >= info.max_requests
            if full or (info.max_bytes is not None and out[-1] and size + weight > info.max_bytes):
                out.append([])
                size = 0
            out[-1].append(line)
            size += weight
        return out

    def checked(self, lines: list[Line], chunks: list[list[Line]], split: bool) -> None:
        """Refuse (before anything is sent) too few calls for a job, or, unless `split`, more
        than one job holds (`chunks`: `lines` cut by the limits)."""
        info, where = self.info, self.endpoint.api.info.display_name
        if len(lines) < info.min_requests:
            raise ConfigurationError(
                f"a batch job on {where} takes at least {info.min_requests} calls, not {len(lines)}"
            )
        if not split and len(chunks) > 1:
            raise ConfigurationError(
                f"{len(lines)} calls exceed one batch job on {where} (at most "
                f"{info.max_requests} calls"
                + (f" and {info.max_bytes:,} bytes" if info.max_bytes else "")
                + "); use submit_all() to split them into several jobs"
            )

    # --- sending ---------------------------------------------------------------------------

    def build(self, http: httpx2.Client | httpx2.AsyncClient, req: Req) -> httpx2.Request:
        """The HTTP request for a flow's `req`: the account's headers and auth, signed."""
        api, ep = self.endpoint.api, self.endpoint
        absolute = req.path.startswith(("https://", "http://"))
        url = req.path if absolute else self.base_url + req.path
        query = {**({} if absolute else self.query), **req.query}
        content = req.content
        if content is None and req.json is not None:
            content = json.dumps(req.json, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"user-agent": USER_AGENT, "accept": "application/json"}
        if not absolute or _origin(url) == _origin(self.base_url):  # the provider's own host
            headers.update({**api.info.headers, **api.config_headers(), **api.default_headers})
        if content is not None:
            headers["content-type"] = req.content_type or "application/json"
        headers.update(req.headers)
        scheme = req.scheme or self.info.auth or ep.auth
        if req.auth:
            auth_headers, params = api.auth(scheme)
            headers.update(auth_headers)
            query.update(params)
        full = httpx2.URL(url, params=query) if query else httpx2.URL(url)
        if req.auth:
            body = content or b""
            headers.update(api.sign(str(full), headers, body, ep.params, scheme, req.method))
        timeout = httpx2.Timeout(self.config.timeout)
        return http.build_request(
            req.method, full, content=content, headers=headers, timeout=timeout
        )

    def failure(self, response: httpx2.Response, body: bytes) -> ModelwireError:
        """The typed error of a job request's error response."""
        error = http_error(
            self.calls.adapter,
            self.endpoint.api.info.name,
            response.status_code,
            body,
            response.headers,
        )
        return error.redact(self.endpoint.api.secrets())

    def transport_failure(self, exc: httpx2.HTTPError) -> ModelwireError:
        where, provider = self.endpoint.api.info.display_name, self.endpoint.api.info.name
        if isinstance(exc, httpx2.TimeoutException):
            return APITimeoutError(
                f"{where}'s batch API did not answer in time ({type(exc).__name__})",
                provider=provider,
            )
        return APIConnectionError(
            f"could not reach {where}'s batch API ({type(exc).__name__}: {exc})", provider=provider
        )

    def answer(self, req: Req, response: httpx2.Response) -> Any:
        """What a flow is sent back for `req`: the decoded JSON body (bytes for a `raw` one);
        an error status raises the typed error."""
        body = response.content
        if response.status_code >= 400:
            raise self.failure(response, body)
        if req.raw:
            return body
        return json.loads(body) if body.strip() else {}

    # --- results ---------------------------------------------------------------------------

    def result(self, record: Record) -> Result:
        """A result line's Record as (custom id, the response or its typed error)."""
        if record.body is not None and record.error is None:
            raw = json.dumps(record.body, ensure_ascii=False).encode()
            try:
                response: AIModelCallResponse[Any] = self.calls.read_response(
                    raw, dimensions=BATCH_PRICES
                )
            except ModelwireError as exc:
                return record.custom_id, exc
            return record.custom_id, response
        return record.custom_id, self.item_error(record)

    def item_error(self, record: Record) -> ModelwireError:
        """The typed error of one call of a job, classified by the protocol's error tables."""
        adapter, provider = self.calls.adapter, self.endpoint.api.info.name
        data = record.error
        if record.status is not None and record.status >= 400:
            body = json.dumps(data).encode() if not isinstance(data, bytes) else data
            error: ModelwireError = http_error(adapter, provider, record.status, body, {})
        else:
            fields = adapter.error_fields(data) if isinstance(data, dict) else (None, None, None)
            message, kind, code = fields
            if message is None and isinstance(data, dict):
                message = json.dumps(data, sort_keys=True)
            error = stream_error(
                adapter, provider, StreamError(message, kind, code, record.status), None, {}, None
            )
        return error.redact(self.endpoint.api.secrets())

    # --- the sync driver -------------------------------------------------------------------

    def _sync(self) -> httpx2.Client:
        if self.is_async:
            raise ConfigurationError(
                "this BatchClient was made with is_async=True: use the *_async methods"
            )
        if self._http is None:
            self._http = httpx2.Client(follow_redirects=True)
        return cast(httpx2.Client, self._http)

    def drive(self, flow: Flow) -> Any:
        """Run a flow, sending its requests one by one."""
        http = self._sync()
        answer: Any = None
        while True:
            try:
                req = flow.send(answer)
            except StopIteration as done:
                return done.value
            try:
                response = http.send(self.build(http, req))
            except httpx2.HTTPError as exc:
                raise self.transport_failure(exc) from None
            answer = self.answer(req, response)

    def planned(
        self, calls: Iterable[CallLike], name: str | None, split: bool
    ) -> list[tuple[list[Line], str]]:
        """The jobs `calls` make, each (its lines, its name), checked before anything is sent:
        one job (refused when they exceed it), or as many as the limits need (`split`)."""
        lines, base = self.lines(calls), name or _name()
        chunks = self.chunks(lines)
        self.checked(lines, chunks, split)
        if len(chunks) == 1:
            return [(chunks[0], base)]
        return [(chunk, f"{base}-{i}") for i, chunk in enumerate(chunks, 1)]

    def submit(self, calls: Iterable[CallLike], *, name: str | None = None) -> BatchJob:
        """Submit `calls` as one job (refused before anything is sent when they exceed it)."""
        ((lines, job_name),) = self.planned(calls, name, split=False)
        return self._job(self.drive(self.style.submit(lines, job_name)))

    def submit_all(self, calls: Iterable[CallLike], *, name: str | None = None) -> list[BatchJob]:
        """Submit `calls` as as many jobs as the provider's limits need."""
        jobs = self.planned(calls, name, split=True)
        return [self._job(self.drive(self.style.submit(lines, n))) for lines, n in jobs]

    def get(self, job_id: str) -> BatchJob:
        """The job with this id (made by this or any other process)."""
        return self._job(self.drive(self.style.get(job_id)))

    def list(self, limit: int = 20) -> list[BatchJob]:
        """The newest jobs, at most `limit`."""
        return [self._job(d) for d in self.drive(self.style.list(limit))]

    def cancel(self, job_id: str) -> BatchJob:
        return self._job(self.drive(self.style.cancel(job_id)))

    def results(self, job: BatchJob | str) -> Iterator[Result]:
        """The job's results as they are read: (custom id, response or typed error)."""
        data = job.data if not isinstance(job, str) else self.drive(self.style.get(job))
        sources = self.drive(self.style.sources(data))
        http = self._sync()
        for source in sources:
            if not isinstance(source, Req):
                for item in source:
                    yield self.result(self.style.record(item))
                continue
            try:
                response = http.send(self.build(http, source), stream=True)
                try:
                    if response.status_code >= 400:
                        raise self.failure(response, response.read())
                    for line in response.iter_lines():
                        if line.strip():
                            yield self.result(self.style.record(json.loads(line)))
                finally:
                    response.close()
            except httpx2.HTTPError as exc:
                raise self.transport_failure(exc) from None

    def wait(
        self,
        job: BatchJob,
        *,
        poll_interval: float = 30.0,
        timeout: float | None = None,
        progress: Callable[[BatchJob], None] | None = None,
    ) -> BatchJob:
        """Refresh `job` every `poll_interval` seconds until it ends (or `timeout` passes:
        APITimeoutError); `progress` is called with it after each refresh."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                job = self.get(job.id)
            except ModelwireError as exc:
                if not getattr(exc, "retryable", False):
                    raise
            if progress is not None:
                progress(job)
            if job.state in TERMINAL:
                return job
            _check_deadline(deadline, job)
            time.sleep(poll_interval)

    # --- the async driver ------------------------------------------------------------------

    def _async(self) -> httpx2.AsyncClient:
        if not self.is_async:
            raise ConfigurationError(
                "this BatchClient was made with is_async=False: use the methods without _async"
            )
        if self._http is None:
            self._http = httpx2.AsyncClient(follow_redirects=True)
        return cast(httpx2.AsyncClient, self._http)

    async def drive_async(self, flow: Flow) -> Any:
        http = self._async()
        answer: Any = None
        while True:
            try:
                req = flow.send(answer)
            except StopIteration as done:
                return done.value
            try:
                response = await http.send(self.build(http, req))
            except httpx2.HTTPError as exc:
                raise self.transport_failure(exc) from None
            answer = self.answer(req, response)

    async def submit_async(self, calls: Iterable[CallLike], *, name: str | None = None) -> BatchJob:
        ((lines, job_name),) = self.planned(calls, name, split=False)
        return self._job(await self.drive_async(self.style.submit(lines, job_name)))

    async def submit_all_async(
        self, calls: Iterable[CallLike], *, name: str | None = None
    ) -> list[BatchJob]:
        jobs = self.planned(calls, name, split=True)
        return [self._job(await self.drive_async(self.style.submit(ls, n))) for ls, n in jobs]

    async def get_async(self, job_id: str) -> BatchJob:
        return self._job(await self.drive_async(self.style.get(job_id)))

    async def list_async(self, limit: int = 20) -> list[BatchJob]:
        return [self._job(d) for d in await self.drive_async(self.style.list(limit))]

    async def cancel_async(self, job_id: str) -> BatchJob:
        return self._job(await self.drive_async(self.style.cancel(job_id)))

    async def results_async(self, job: BatchJob | str) -> AsyncIterator[Result]:
        data = job.data if not isinstance(job, str) else await self.drive_async(self.style.get(job))
        sources = await self.drive_async(self.style.sources(data))
        http = self._async()
        for source in sources:
            if not isinstance(source, Req):
                for item in source:
                    yield self.result(self.style.record(item))
                continue
            try:
                response = await http.send(self.build(http, source), stream=True)
                try:
                    if response.status_code >= 400:
                        raise self.failure(response, await response.aread())
                    async for line in response.aiter_lines():
                        if line.strip():
                            yield self.result(self.style.record(json.loads(line)))
                finally:
                    await response.aclose()
            except httpx2.HTTPError as exc:
                raise self.transport_failure(exc) from None

    async def wait_async(
        self,
        job: BatchJob,
        *,
        poll_interval: float = 30.0,
        timeout: float | None = None,
        progress: Callable[[BatchJob], None] | None = None,
    ) -> BatchJob:
        import asyncio

        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                job = await self.get_async(job.id)
            except ModelwireError as exc:
                if not getattr(exc, "retryable", False):
                    raise
            if progress is not None:
                progress(job)
            if job.state in TERMINAL:
                return job
            _check_deadline(deadline, job)
            await asyncio.sleep(poll_interval)

    # --- jobs ------------------------------------------------------------------------------

    def _job(self, data: JobData) -> BatchJob:
        from ._job import BatchJob

        return BatchJob(self, data)


def _origin(url: str) -> str:
    parsed = httpx2.URL(url)
    return f"{parsed.scheme}://{parsed.netloc.decode()}"


def _check_deadline(deadline: float | None, job: BatchJob) -> None:
    if deadline is not None and time.monotonic() >= deadline:
        raise APITimeoutError(
            f"batch job {job.id} did not end within the wait's timeout (state: {job.state})"
        )


def _name() -> str:
    return time.strftime("modelwire-%Y%m%d-%H%M%S")
