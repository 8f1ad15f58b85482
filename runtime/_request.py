"""A call as an HTTP request: body, URL, headers and signature, checked before anything is sent."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import httpx2

from ._call import build_call
from ._config import AIModelCallConfig
from ._errors import APITimeoutError, ConfigurationError
from ._framing import framing
from ._protocol import AdapterModule, place_options

if TYPE_CHECKING:
    from ._api import AIModelEndpoint
    from ._protocol import Call, Message
    from ._structured import StructuredOutput

__all__ = ["USER_AGENT", "Prepared", "RequestBuilder"]

USER_AGENT = "modelwire/0.1"
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
class Prepared:
    """One call, ready to send (each attempt sends it again)."""

    url: httpx2.URL
    headers: dict[str, str]
    content: bytes
    config: AIModelCallConfig
    stream: bool
    timeout: httpx2.Timeout
    deadline: float | None  # time.monotonic() by which the whole call must end
    provider: str  # the provider's name and display name, for errors
    where: str
    structured: StructuredOutput | None = None
    options: dict[str, Any] | None = None  # the call's options, defaults applied (image prices)
    messages: list[Message] = field(default_factory=lambda: [])  # the conversation (telemetry)
    system: str | None = None

    def remaining(self) -> float:
        """Seconds left before the call's `total_timeout`; past it, the timeout error."""
        left = (self.deadline if self.deadline is not None else float("inf")) - time.monotonic()
        if left <= 0:
            raise APITimeoutError(
                f"the call to {self.where} took longer than total_timeout "
                f"({self.config.total_timeout} s)",
                provider=self.provider,
            )
        return left

    def request(self, http: httpx2.Client | httpx2.AsyncClient) -> httpx2.Request:
        """This attempt's request: no wait of it may pass the call's deadline."""
        timeout = self.timeout
        if self.deadline is not None:
            timeout = httpx2.Timeout(min(self.config.timeout, self.remaining()))
        return http.build_request(
            "POST", self.url, content=self.content, headers=self.headers, timeout=timeout
        )


class RequestBuilder:
    """Builds one endpoint's requests; keeps what every call of it shares (the fixed headers,
    parsed URLs and timeouts)."""

    def __init__(
        self, endpoint: AIModelEndpoint, adapter: AdapterModule, fixed_in_requests: bool = False
    ) -> None:
        self.endpoint = endpoint
        self.adapter = adapter
        # a caller's HTTP client does not carry the fixed headers: each request does
        self.fixed_in_requests = fixed_in_requests
        self._urls: dict[tuple[object, ...], tuple[httpx2.URL, str]] = {}
        self._timeouts: dict[float | None, httpx2.Timeout] = {}
        self._fixed: dict[str, str] | None = None

    @property
    def fixed_headers(self) -> dict[str, str]:
        """The headers of every call: the HTTP client's own defaults (merging a call's few
        headers into them costs less than sending them all each time)."""
        if self._fixed is None:
            api = self.endpoint.api
            self._fixed = {
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                **api.info.headers,
                **api.config_headers(),
                **api.default_headers,
            }
        return self._fixed

    def prepare(
        self,
        prompt: str | None,
        instructions: str | None,
        messages: Iterable[Any] | None,
        cfg: AIModelCallConfig,
    ) -> Prepared:
        ep, adapter = self.endpoint, self.adapter
        call, options = build_call(
            ep.ai_model,
            ep.model_id,
            cfg,
            prompt,
            instructions,
            messages,
            adapter,
            ep.api.info.name,
            ep.binding,
        )
        return self.prepared(call, options, cfg)

    def prepared(self, call: Call, options: dict[str, object], cfg: AIModelCallConfig) -> Prepared:
        """A checked call (`build_call`'s, or an embedding request's) as a request to send."""
        ep, adapter = self.endpoint, self.adapter
        body = adapter.build_body(call)
        for key, value in ep.binding.body.items():  # what this host changes in the body
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
        if options and adapter.OPTIONS_PATH is not None:
            place_options(body, options, adapter.OPTIONS_PATH, ep.ai_model)
        accept = framing(adapter.FRAMING).accept if call.stream else "application/json"
        extra: Mapping[str, str] = ep.binding.stream_query if call.stream else {}
        url, headers, content = self._addressed(ep.path(call.stream), accept, extra, body)
        return Prepared(
            url=url,
            headers=headers,
            content=content,
            config=cfg,
            stream=call.stream,
            timeout=self._timeout(cfg.timeout),
            deadline=time.monotonic() + cfg.total_timeout if cfg.total_timeout else None,
            provider=ep.api.info.name,
            where=ep.api.info.display_name,
            structured=call.structured,
            options=options,
            messages=call.messages,
            system=call.system,
        )

    def side_request(self, prep: Prepared, path: str, body: dict[str, Any]) -> Prepared:
        """Another request of a prepared call (a token count): `body` POSTed to `path` on this
        host, authenticated and signed as the call is, never streamed."""
        url, headers, content = self._addressed(path, "application/json", {}, body)
        return replace(prep, url=url, headers=headers, content=content, stream=False)

    def _addressed(
        self, path: str, accept: str, query: Mapping[str, str], body: Any
    ) -> tuple[httpx2.URL, dict[str, str], bytes]:
        """(URL, headers, content) of `body` POSTed to `path` on this host: authenticated,
        the host's query and `query` added, signed."""
        ep = self.endpoint
        auth_headers, params = ep.api.auth(ep.auth)
        headers = {"accept": accept, **auth_headers}
        url, url_text = self._url(ep.base_url + path, {**ep.query(), **params, **query})
        content = _json_bytes(body)
        signed = {**self.fixed_headers, **headers}
        headers.update(ep.api.sign(url_text, signed, content, ep.params, ep.auth))
        if self.fixed_in_requests:
            headers = {**self.fixed_headers, **headers}
        return url, headers, content

    def _url(self, url: str, params: dict[str, str]) -> tuple[httpx2.URL, str]:
        """A call's URL, parsed once (httpx2 parses a string on every request), and as text."""
        key: tuple[object, ...] = (url, *params.items())
        found = self._urls.get(key)
        if found is None:
            parsed = httpx2.URL(url, params=params) if params else httpx2.URL(url)
            found = parsed, str(parsed)
            if len(self._urls) < 32:
                self._urls[key] = found
        return found

    def _timeout(self, seconds: float | None) -> httpx2.Timeout:
        found = self._timeouts.get(seconds)
        if found is None:
            found = httpx2.Timeout(seconds)
            if len(self._timeouts) < 32:
                self._timeouts[seconds] = found
        return found
