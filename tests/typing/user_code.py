"""Ordinary use of modelwire's public API, as a user writes it: type-checked in strict mode
by tests/test_typing.py (0 errors, no casts), never run."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from modelwire import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    APIConnectionError,
    APIError,
    APITimeoutError,
    ChatResponse,
    CostTracker,
    RateLimitError,
    StreamInterruptedError,
    SyncStream,
    Tool,
    ToolCallContent,
    Usage,
    UsageCharge,
)
from modelwire.models import ClaudeSonnet45, GPT4o


class Report(BaseModel):
    city: str
    temperature_c: float


def get_weather(location: str) -> str:
    """The weather at a place."""
    return f"sunny in {location}"


def sync_call() -> str:
    api = AIModelAPI(provider=AIModelAPIProviderEnum.OPEN_AI)
    endpoint = AIModelEndpoint(api=api, ai_model=GPT4o)
    with AIModelClient(model_endpoint=endpoint, config=AIModelCallConfig(), is_async=False) as c:
        response = c.generate(prompt="Hello", instructions="Be brief")
        chat = response.chat_response
        if chat is None:
            return ""
        usage: Usage | None = chat.usage
        charge: UsageCharge | None = chat.usage_charge
        print(usage.prompt_tokens if usage else 0, charge.total if charge else 0.0)
        print(chat.finish_reason, chat.choices[0].finish_reason_raw, response.status.request_id)
        return chat.text()


def streamed() -> None:
    endpoint = AIModelEndpoint(
        api=AIModelAPI(AIModelAPIProviderEnum.ANTHROPIC), ai_model=ClaudeSonnet45
    )
    with AIModelClient(
        model_endpoint=endpoint, config=AIModelCallConfig(streaming=True), is_async=False
    ) as client:
        response = client.generate(prompt="Hello")
        for chunk, accumulated in response.stream_generator:
            if chunk:
                delta = chunk.data.choice_deltas[0].content_deltas[0]
                print(delta.get_text_delta(), end="")
            if accumulated and accumulated.chat_response:
                print(accumulated.chat_response.usage, accumulated.chat_response.usage_charge)
        stream: SyncStream = response.stream_generator
        del stream


async def async_streamed() -> str:
    endpoint = AIModelEndpoint(api=AIModelAPI(AIModelAPIProviderEnum.OPEN_AI), ai_model=GPT4o)
    config = AIModelCallConfig(streaming=True, max_output_tokens=100)
    text: list[str] = []
    async with AIModelClient(model_endpoint=endpoint, config=config, is_async=True) as client:
        response = await client.generate_async(prompt="Hello")
        async with response:
            async for chunk, _ in response.stream_generator:
                if chunk is not None:
                    text.extend(
                        d.get_text_delta() for d in chunk.data.choice_deltas[0].content_deltas
                    )
    return "".join(text)


def structured_and_tools(client: AIModelClient[SyncStream]) -> float:
    report = client.generate(
        prompt="Paris: 18 degrees.", config=AIModelCallConfig(structured_output=Report)
    ).chat_response
    if report is None:
        return 0.0
    value = report.structured(Report)
    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    lookup = Tool(name="lookup", description="Look a word up.", parameters=schema)
    config = AIModelCallConfig(tools=[get_weather, lookup], tool_choice="auto")
    first: ChatResponse | None = client.generate(prompt="Weather?", config=config).chat_response
    calls: list[ToolCallContent] = first.tools() if first else []
    for call in calls:
        print(call.name, call.arguments, call.result(get_weather(str(call.arguments))))
    return value.temperature_c


def costs(client: AIModelClient[SyncStream]) -> float:
    tracker = CostTracker()
    response: AIModelCallResponse[SyncStream] = client.generate(prompt="Hello")
    tracker.add(response)
    print(tracker.total.cache_write, tracker.by_model, tracker.calls, tracker)
    return tracker.total.total


def errors(client: AIModelClient[SyncStream]) -> str:
    try:
        client.generate(prompt="Hello")
    except RateLimitError as exc:
        return f"{exc.status} {exc.request_id} {exc.message} {exc.retryable}"
    except APITimeoutError as exc:
        return str(exc.partial_response)
    except APIConnectionError as exc:
        return str(exc)
    except StreamInterruptedError as exc:
        return str(exc.partial_response)
    except APIError as exc:
        return f"{exc.provider} {exc.status}"
    except TimeoutError:  # the built-in: still catches an APITimeoutError's kin from asyncio
        return "timeout"
    return ""


if __name__ == "__main__":
    asyncio.run(async_streamed())
