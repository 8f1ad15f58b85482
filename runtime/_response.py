"""Building a call's typed response from what the adapter parsed: choices, usage and its price,
images, structured output; and the stream processor a streamed answer is read through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from ._catalog import image_charge
from ._errors import DECODE_ERRORS, ModelwireError, ResponseDecodeError, request_id, stream_error
from ._framing import response_framing
from ._protocol import AdapterModule, ParsedResponse, StreamError
from ._types import (
    AIModelCallResponse,
    CallStatus,
    ChatResponse,
    FinishReason,
    ImageContent,
    ImageResponse,
)

if TYPE_CHECKING:
    import httpx2

    from ._api import AIModelEndpoint
    from ._config import AIModelCallConfig
    from ._request import Prepared
    from ._stream import StreamAccumulator, StreamProcessor
    from ._structured import StructuredOutput

__all__ = ["ResponseBuilder"]


class ResponseBuilder:
    """Makes one endpoint's responses (its adapter parses, its catalog entry prices)."""

    def __init__(self, endpoint: AIModelEndpoint, adapter: AdapterModule, is_async: bool) -> None:
        self.endpoint = endpoint
        self.adapter = adapter
        self.is_async = is_async
        self.provider: str = endpoint.api.info.name  # the enum's value (without Enum's lookup)

    def redacted(self, exc: ModelwireError) -> ModelwireError:
        """`exc` with the account's secrets scrubbed from its message."""
        return exc.redact(self.endpoint.api.secrets())

    def status(self, status: int, headers: Mapping[str, str], attempts: int) -> CallStatus:
        return CallStatus(status, request_id(self.adapter, headers), attempts, headers=headers)

    def chat(
        self,
        parsed: ParsedResponse | StreamAccumulator,
        structured: StructuredOutput | None,
        dimensions: Mapping[str, str] | None = None,
    ) -> ChatResponse:
        model = self.endpoint.ai_model
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
        pricing = model.pricing_for(self.provider)
        dimensions = (
            {**self.endpoint.dimensions, **dimensions} if dimensions else self.endpoint.dimensions
        )
        if parsed.service_tier:
            dimensions = {**dimensions, "service_tier": parsed.service_tier}
        return ChatResponse(
            model=parsed.model or self.endpoint.model_id,
            provider=model.creator or self.provider,
            api_provider=self.provider,
            choices=choices,
            usage=usage,
            usage_charge=pricing.charge(usage, dimensions) if pricing else None,
            id=parsed.id,
            provider_response=wire,
            service_tier=parsed.service_tier,
        )

    def complete(self, raw: bytes, status: CallStatus, prep: Prepared) -> AIModelCallResponse:
        """The response of a call that was not streamed, from its body."""
        return self.received(raw, status, prep.config, prep.structured, prep.options)

    def received(
        self,
        raw: bytes,
        status: CallStatus,
        config: AIModelCallConfig,
        structured: StructuredOutput | None = None,
        options: dict[str, Any] | None = None,
        dimensions: Mapping[str, str] | None = None,
    ) -> AIModelCallResponse:
        """The response for a body this endpoint answered with (`dimensions`: pricing
        dimensions besides the endpoint's, e.g. a batch job's {"batch": "true"})."""
        adapter = self.adapter
        try:
            parsed = adapter.parse_response(raw)
        except DECODE_ERRORS as exc:
            raise ResponseDecodeError(
                f"the {adapter.PROTOCOL} response does not match its wire schema: {exc}",
                provider=self.provider,
                status=status.http_status,
                request_id=status.request_id,
            ) from None
        if isinstance(parsed, StreamError):  # an error in place of a result, in a 2xx body
            error = stream_error(adapter, self.provider, parsed, status.http_status, {}, None)
            error.request_id = status.request_id
            raise self.redacted(error)
        chat = self.chat(parsed, structured, dimensions)
        if self.endpoint.ai_model.kind == "image" or adapter.KIND == "image":
            images = self._images(chat, parsed, options or {})
            kept = chat if adapter.KIND == "chat" else None  # a chat model's text too
            result = AIModelCallResponse(
                status, kept, images, raw_body=raw, _is_async=self.is_async
            )
        else:
            result = AIModelCallResponse(status, chat, raw_body=raw, _is_async=self.is_async)
        result.endpoint = self.endpoint
        if config.cost_tracker is not None:
            config.cost_tracker.add(result)
        return result

    def _images(
        self, chat: ChatResponse, parsed: ParsedResponse, options: dict[str, Any]
    ) -> ImageResponse:
        """The images of a response (image content items), priced per image or by tokens."""
        contents = chat.choices[0].contents if chat.choices else []
        images = [c for c in contents if isinstance(c, ImageContent)]
        charge = image_charge(
            self.endpoint.ai_model, self.provider, chat.usage, options, len(images)
        )
        return ImageResponse(
            model=chat.model,
            provider=chat.provider,
            api_provider=chat.api_provider,
            images=images,
            usage=chat.usage,
            usage_charge=charge,
            options=options,
            text=chat.text() or None,
            id=chat.id,
            provider_response=parsed.wire,
        )

    def processor(
        self, response: httpx2.Response, status: CallStatus, prep: Prepared
    ) -> StreamProcessor:
        """What reads a streamed answer: its framing, the adapter's events, and the response
        built at the end (or, partial, when the stream breaks)."""
        structured, tracker = prep.structured, prep.config.cost_tracker

        def finalize(acc: StreamAccumulator, complete: bool) -> AIModelCallResponse:
            done = status if complete else replace(status, successful=False)
            chat = self.chat(acc, structured)
            result = AIModelCallResponse(done, chat_response=chat, _is_async=self.is_async)
            result.endpoint = self.endpoint
            if complete and tracker is not None:
                tracker.add(result)
            return result

        def on_error(err: StreamError, partial: Any) -> ModelwireError:
            code, headers = response.status_code, response.headers
            return self.redacted(
                stream_error(self.adapter, self.provider, err, code, headers, partial)
            )

        content_type = response.headers.get("content-type", "")
        framed = response_framing(self.adapter.FRAMING, self.adapter.JSON_ARRAY, content_type)
        rewrite = None
        if structured is not None and structured.via == "tool":
            from ._structured import StructuredStream

            rewrite = StructuredStream()
        from ._stream import StreamProcessor  # here: only streams need it (import time)

        limit = prep.config.max_event_bytes
        return StreamProcessor(self.adapter, finalize, on_error, framed, rewrite, limit)

    def stream_failure(self, exc: ModelwireError, response: httpx2.Response) -> ModelwireError:
        """A stream's failure, with the response's status and request id, secrets scrubbed."""
        exc.provider = exc.provider or self.provider
        if exc.status is None:
            exc.status = response.status_code
        if exc.request_id is None:
            exc.request_id = request_id(self.adapter, response.headers)
        return self.redacted(exc)
