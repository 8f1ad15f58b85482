"""Embedding calls: one text or many in, one vector per input out, in input order.

An embedding protocol (`kind: embedding`) is an ordinary generated adapter: its body takes
`$inputs` (or `$input`, one per request), its answer gives `embedding` content items. Inputs
beyond the protocol's (or the model's) per-request limit are split over several requests,
each sent through the client's attempt loop (retries, typed errors, timeouts), and the
vectors reassembled; usage is summed and priced once, at the catalog's input rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ._errors import ConfigurationError, ResponseDecodeError
from ._protocol import Call, check_options
from ._types import AIModelCallResponse, EmbeddingContent, Usage, UsageCharge

if TYPE_CHECKING:
    import asyncio

    import httpx2

    from ._api import AIModelEndpoint
    from ._catalog import AIModel
    from ._config import AIModelCallConfig
    from ._protocol import AdapterModule
    from ._request import Prepared, RequestBuilder
    from ._response import ResponseBuilder
    from ._types import CallStatus

__all__ = ["EmbeddingCalls", "EmbeddingResponse", "embedding_calls", "embedding_response"]


@dataclass(slots=True)
class EmbeddingResponse:
    """The vectors of an embedding call, one per input in input order; `usage` and
    `usage_charge` cover every request the call took (`requests`)."""

    vectors: list[list[float]] = field(repr=False)
    model: str
    provider: str
    api_provider: str
    usage: Usage | None = None
    usage_charge: UsageCharge | None = None
    dimensions: int | None = None
    requests: int = 1
    responses: list[AIModelCallResponse] = field(
        default_factory=lambda: list[AIModelCallResponse](),
        repr=False,
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form: vectors, model, providers, usage and its charge."""
        return {
            "vectors": self.vectors,
            "model": self.model,
            "provider": self.provider,
            "api_provider": self.api_provider,
            "usage": self.usage.to_dict() if self.usage is not None else None,
            "usage_charge": self.usage_charge.to_dict() if self.usage_charge else None,
            "dimensions": self.dimensions,
            "requests": self.requests,
        }


def _texts(inputs: object) -> list[str]:
    """The inputs as a list of strings: one text, or an iterable of them (not empty)."""
    if isinstance(inputs, str):
        return [inputs]
    kind = type(inputs).__name__
    if not isinstance(inputs, Iterable) or isinstance(inputs, (bytes, bytearray, dict)):
        raise ConfigurationError(f"embed() takes a string or a list of strings, not {kind}")
    texts: list[str] = []
    for i, text in enumerate(cast("Iterable[object]", inputs)):
        if not isinstance(text, str):
            raise ConfigurationError(
                f"embed() inputs must be strings; input {i} is a {type(text).__name__}"
            )
        texts.append(text)
    if not texts:
        raise ConfigurationError("embed() needs at least one input text (got an empty list)")
    return texts


def _check_dimensions(model: AIModel, dimensions: int | None) -> None:
    if dimensions is None:
        return
    name = model.constant or model.model_name
    if isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1:  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        raise ConfigurationError(f"dimensions must be a positive integer, got {dimensions!r}")
    if not model.constant:  # a model of your own: the provider decides
        return
    low, high = model.min_dimensions, model.dimensions
    listed = {*model.allowed_dimensions, *([high] if high else [])}
    if dimensions in listed or (low is not None and high is not None and low <= dimensions <= high):
        return
    allowed = [str(d) for d in sorted(listed)]
    if low is not None and high is not None:
        allowed = [f"{low}..{high}"]
    raise ConfigurationError(
        f"dimensions={dimensions} is not offered by {name}; allowed: "
        f"{', '.join(allowed) or 'none (leave it unset)'}"
    )


def _wire_input_type(adapter: AdapterModule, input_type: str | None) -> str | None:
    """The protocol's wire value of `input_type` (a name of its table, or a wire value)."""
    if input_type is None:
        return None
    table: dict[str, str] = getattr(adapter, "INPUT_TYPES", {})
    if input_type in table:
        return table[input_type]
    if input_type in table.values():
        return input_type
    allowed = ", ".join(table) or "none (leave it unset)"
    raise ConfigurationError(
        f"input_type={input_type!r} is not taken by the {adapter.PROTOCOL} protocol; "
        f"allowed: {allowed}"
    )


def embedding_calls(
    endpoint: AIModelEndpoint,
    builder: RequestBuilder,
    inputs: object,
    dimensions: int | None,
    input_type: str | None,
    cfg: AIModelCallConfig,
) -> list[tuple[Prepared, int]]:
    """The requests of an embedding call (each with its number of inputs), checked before
    any is sent: the inputs split by the per-request limit (the protocol's, or the model's
    when lower)."""
    model, adapter = endpoint.ai_model, builder.adapter
    name = model.constant or model.model_name
    if adapter.KIND != "embedding":
        raise ConfigurationError(
            f"{name} is a {model.kind} model (the {adapter.PROTOCOL} protocol): embed() needs "
            "an embedding model, e.g. modelwire.models.TextEmbedding3Small"
        )
    texts = _texts(inputs)
    _check_dimensions(model, dimensions)
    wire_type = _wire_input_type(adapter, input_type)
    from ._call import check

    options = check(model, cfg, endpoint.api.info.name)
    check_options(options, adapter, model)
    limit: int = getattr(adapter, "MAX_INPUTS", None) or len(texts)
    host = model.hosts.get(endpoint.api.info.name)
    for fewer in (model.max_inputs, host.max_inputs if host is not None else None):
        limit = min(limit, fewer) if fewer is not None else limit
    out: list[tuple[Prepared, int]] = []
    for start in range(0, len(texts), limit):
        call = Call(endpoint.model_id, [], None, cfg, False, model, adapter.PROTOCOL)
        call.provider = endpoint.api.info.name
        call.inputs, call.dimensions, call.input_type = (
            texts[start : start + limit],
            dimensions,
            wire_type,
        )
        out.append((builder.prepared(call, options, cfg), len(call.inputs)))
    return out


def embedding_response(
    endpoint: AIModelEndpoint, sizes: list[int], responses: list[AIModelCallResponse]
) -> EmbeddingResponse:
    """The requests' answers as one response: vectors in input order, usage summed and
    priced once."""
    vectors: list[list[float]] = []
    counts: list[int] = []
    model_name: str | None = None
    for sent, response in zip(sizes, responses, strict=True):
        chat = response.chat_response
        contents = chat.choices[0].contents if chat is not None and chat.choices else []
        got = [c.vector for c in contents if isinstance(c, EmbeddingContent)]
        if len(got) != sent:
            raise ResponseDecodeError(
                f"{endpoint.api.info.display_name} answered {len(got)} vectors for {sent} inputs",
                provider=endpoint.api.info.name,
                status=response.status.http_status,
                request_id=response.status.request_id,
            )
        vectors += got
        if chat is not None:
            model_name = model_name or chat.model
            if chat.usage is not None and chat.usage.prompt_tokens is not None:
                counts.append(chat.usage.prompt_tokens)
    model = endpoint.ai_model
    usage = Usage(prompt_tokens=sum(counts)) if counts else None
    pricing = model.pricing_for(endpoint.api.info.name)
    return EmbeddingResponse(
        vectors=vectors,
        model=model_name or endpoint.model_id,
        provider=model.creator or endpoint.api.info.name,
        api_provider=endpoint.api.info.name,
        usage=usage,
        usage_charge=pricing.charge(usage, endpoint.dimensions) if pricing else None,
        dimensions=len(vectors[0]) if vectors else None,
        requests=len(responses),
        responses=responses,
    )


class EmbeddingCalls:
    """`embed` and `embed_async` of `AIModelClient` (its base class: the client's own class
    stays small). They use the client's builders and drivers, declared here for the checker."""

    if TYPE_CHECKING:
        model_endpoint: AIModelEndpoint
        config: AIModelCallConfig
        is_async: bool
        _sync: httpx2.Client | None

        @property
        def _builders(self) -> tuple[RequestBuilder, ResponseBuilder]: ...
        def _sync_client(self) -> httpx2.Client: ...
        def _for_loop(self, loop: asyncio.AbstractEventLoop) -> tuple[httpx2.AsyncClient, Any]: ...
        def _start_stream(
            self, response: httpx2.Response, status: CallStatus, prep: Prepared
        ) -> AIModelCallResponse: ...

    def _embedding_calls(
        self, inputs: object, dimensions: int | None, input_type: str | None, config: Any
    ) -> list[tuple[Prepared, int]]:
        cfg = config if config is not None else self.config
        requests = self._builders[0]
        return embedding_calls(self.model_endpoint, requests, inputs, dimensions, input_type, cfg)

    def embed(
        self,
        inputs: str | Iterable[str],
        *,
        dimensions: int | None = None,
        input_type: str | None = None,
        config: AIModelCallConfig | None = None,
    ) -> EmbeddingResponse:
        """Embed one text or many: one vector per input, in input order. `dimensions`: a
        reduced vector length the model offers; `input_type`: what the texts are for (the
        protocol's names, e.g. `query`, `document`). Bad input fails before any request."""
        from ._attempts import attempts
        from ._client import _check_mode, _drive  # pyright: ignore[reportPrivateUsage]  # the client's own drivers
        from ._redact import calling

        _check_mode(self.is_async, False)
        with calling():
            preps = self._embedding_calls(inputs, dimensions, input_type, config)
            http = self._sync or self._sync_client()
            answers = [
                _drive(http, attempts(self._builders[1], p, self._start_stream)) for p, _ in preps
            ]
            return embedding_response(self.model_endpoint, [n for _, n in preps], answers)

    async def embed_async(
        self,
        inputs: str | Iterable[str],
        *,
        dimensions: int | None = None,
        input_type: str | None = None,
        config: AIModelCallConfig | None = None,
    ) -> EmbeddingResponse:
        """Async `embed`: the requests are sent one after the other."""
        import asyncio

        from ._attempts import attempts
        from ._client import _adrive, _check_mode  # pyright: ignore[reportPrivateUsage]  # the client's own drivers
        from ._redact import calling

        _check_mode(self.is_async, True)
        with calling():
            ep = self.model_endpoint
            if ep.api.auth_blocks(ep.auth):  # a token fetch waits on the network: not on the loop
                await asyncio.to_thread(ep.api.auth, ep.auth)
            preps = self._embedding_calls(inputs, dimensions, input_type, config)
            http, gate = self._for_loop(asyncio.get_running_loop())
            answers: list[AIModelCallResponse] = []
            for p, _ in preps:
                steps = attempts(self._builders[1], p, self._start_stream)
                answers.append(await _adrive(http, gate, steps))
            return embedding_response(ep, [n for _, n in preps], answers)
