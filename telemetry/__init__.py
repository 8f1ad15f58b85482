"""OpenTelemetry spans for modelwire calls, by the GenAI semantic conventions (the `otel` extra).

Nothing to call: with opentelemetry-api installed and a tracer provider set, every call —
streamed or not, sync or async, image calls too — makes one CLIENT span named
`{gen_ai.operation.name} {gen_ai.request.model}`. It carries the request's model, limits and
sampling, the response's id, model and finish reasons, input, output and cache tokens, and
what the call cost (`modelwire.usage.cost`, USD, at the catalog's rates). A streamed call's
span ends when its stream ends, breaks or is dropped; an error sets `error.type` and the
span's status. Prompts and answers are recorded only when asked
(`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, as the conventions advise), as
`gen_ai.system_instructions`, `gen_ai.input.messages` and `gen_ai.output.messages`.
`MODELWIRE_OTEL=off` turns it all off. Without a tracer provider a call pays one check.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.trace import ProxyTracerProvider, SpanKind, Status, StatusCode

from modelwire import __version__
from modelwire._types import (
    ReasoningContent,
    RefusalContent,
    TextContent,
    ToolCallContent,
    ToolCallResult,
)

if TYPE_CHECKING:
    from modelwire._api import AIModelEndpoint
    from modelwire._request import Prepared
    from modelwire._types import AIModelCallResponse, ChatResponse, ContentItem

__all__ = ["CONTENT_SWITCH", "OtelObserver"]

CONTENT_SWITCH = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
# gen_ai.operation.name per kind of model: images have no operation of their own yet
OPERATIONS = {"chat": "chat", "image": "generate_content"}


class _NoSpan:
    """What a call observes when no tracer provider is set: nothing."""

    def end(self, response: AIModelCallResponse | None, error: BaseException | None) -> None:
        pass


_NO_SPAN = _NoSpan()


class OtelObserver:
    """Starts a span per call (`modelwire._observe` finds it when opentelemetry is installed)."""

    def __init__(
        self,
        tracer_provider: trace.TracerProvider | None = None,
        capture_content: bool | None = None,
    ) -> None:
        """`tracer_provider`: this one, not the global one; `capture_content`: record
        prompts and answers (None: as CONTENT_SWITCH in the environment says)."""
        self._provider = tracer_provider
        self._tracer: trace.Tracer | None = None
        self.capture_content = capture_content

    def start(self, endpoint: AIModelEndpoint, prep: Prepared) -> _CallSpan | _NoSpan:
        provider = self._provider or trace.get_tracer_provider()
        if isinstance(provider, ProxyTracerProvider):
            return _NO_SPAN  # no provider set (yet): no span to make
        if self._tracer is None:
            self._tracer = provider.get_tracer("modelwire", __version__)
        operation = OPERATIONS.get(endpoint.binding.kind, "chat")
        model = endpoint.model_id
        span = self._tracer.start_span(
            f"{operation} {model}", kind=SpanKind.CLIENT, attributes=_request(endpoint, prep)
        )
        span.set_attribute("gen_ai.operation.name", operation)
        content = self.capture_content
        if content is None:
            content = os.environ.get(CONTENT_SWITCH, "").strip().lower() == "true"
        if content:
            _set_input(span, prep)
        return _CallSpan(span, content)


class _CallSpan:
    __slots__ = ("_content", "_span")

    def __init__(self, span: trace.Span, content: bool) -> None:
        self._span = span
        self._content = content

    def end(self, response: AIModelCallResponse | None, error: BaseException | None) -> None:
        span = self._span
        if response is not None and response.chat_response is not None:
            chat = response.chat_response
            _set(span, _response(chat))
            if self._content:
                span.set_attribute("gen_ai.output.messages", json.dumps(_output(chat)))
        elif response is not None and response.image_response is not None:
            images = response.image_response
            charge = images.usage_charge
            _set(span, {"modelwire.usage.cost": charge.total if charge else None})
        if isinstance(error, BaseException) and not isinstance(error, GeneratorExit):
            span.set_attribute("error.type", getattr(error, "code", None) or type(error).__name__)
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, str(error)))
        span.end()


def _set(span: trace.Span, attributes: dict[str, Any]) -> None:
    span.set_attributes({k: v for k, v in attributes.items() if v is not None})


def _request(endpoint: AIModelEndpoint, prep: Prepared) -> dict[str, Any]:
    cfg, info = prep.config, endpoint.api.info
    attributes = {
        "gen_ai.provider.name": info.otel_name or info.name,
        "gen_ai.request.model": endpoint.model_id,
        "gen_ai.request.max_tokens": cfg.max_output_tokens,
        "gen_ai.request.temperature": cfg.temperature,
        "gen_ai.request.top_p": cfg.top_p,
        "gen_ai.request.seed": cfg.seed,
        "gen_ai.request.stop_sequences": [cfg.stop] if isinstance(cfg.stop, str) else cfg.stop,
        "gen_ai.output.type": "image"
        if endpoint.binding.kind == "image"
        else ("json" if prep.structured is not None else "text"),
        "server.address": prep.url.host,
        "server.port": prep.url.port or (443 if prep.url.scheme == "https" else 80),
    }
    return {k: v for k, v in attributes.items() if v is not None}


def _response(chat: ChatResponse) -> dict[str, Any]:
    reasons = [c.finish_reason_raw or c.finish_reason for c in chat.choices]
    usage, charge = chat.usage, chat.usage_charge
    return {
        "gen_ai.response.id": chat.id,
        "gen_ai.response.model": chat.model,
        "gen_ai.response.finish_reasons": [r for r in reasons if r] or None,
        "gen_ai.usage.input_tokens": usage.prompt_tokens if usage else None,
        "gen_ai.usage.output_tokens": usage.completion_tokens if usage else None,
        "gen_ai.usage.cache_read.input_tokens": usage.cache_read_tokens if usage else None,
        "gen_ai.usage.cache_creation.input_tokens": usage.cache_write_tokens if usage else None,
        "modelwire.usage.reasoning_tokens": usage.reasoning_tokens if usage else None,
        "modelwire.usage.cost": charge.total if charge else None,
        "modelwire.response.service_tier": chat.service_tier,
    }


def _set_input(span: trace.Span, prep: Prepared) -> None:
    if prep.system:
        system = [{"type": "text", "content": prep.system}]
        span.set_attribute("gen_ai.system_instructions", json.dumps(system))
    messages = [{"role": m.role, "parts": _parts(m.content)} for m in prep.messages]
    span.set_attribute("gen_ai.input.messages", json.dumps(messages))


def _output(chat: ChatResponse) -> list[dict[str, Any]]:
    return [
        {
            "role": "assistant",
            "parts": _parts(choice.contents),
            "finish_reason": choice.finish_reason_raw or choice.finish_reason or "",
        }
        for choice in chat.choices
    ]


def _parts(items: list[ContentItem]) -> list[dict[str, Any]]:
    """Content items as the conventions' message parts (media as their kind alone)."""
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, (TextContent, RefusalContent)):
            out.append({"type": "text", "content": item.text})
        elif isinstance(item, ReasoningContent):
            out.append({"type": "reasoning", "content": item.text or ""})
        elif isinstance(item, ToolCallContent):
            out.append(
                {"type": "tool_call", "id": item.id, "name": item.name, "arguments": item.arguments}
            )
        elif isinstance(item, ToolCallResult):
            out.append(
                {"type": "tool_call_response", "id": item.id, "response": item.output_text()}
            )
        else:
            out.append({"type": item.type})
    return out
