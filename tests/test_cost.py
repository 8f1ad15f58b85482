"""What calls cost: `usage_charge` by part, on cassettes that exercise each part, and the
CostTracker that sums calls across threads and tasks."""

from __future__ import annotations

import asyncio
import threading

import pytest

from devtools.scenarios import get
from modelwire import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    CallStatus,
    ChatResponse,
    CostTracker,
    StreamInterruptedError,
    UsageCharge,
)
from modelwire.models import GPT4o
from tests.support import contract
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

PER_MILLION = 1_000_000


def replayed(provider: str, name: str) -> AIModelCallResponse:
    return contract.replay_call(get(provider, name), "test-key")


@pytest.fixture(scope="module")
def calls() -> dict[str, AIModelCallResponse]:
    return {
        "cache_write": replayed("anthropic", "cache_write"),
        "cache_read": replayed("anthropic", "cache_read"),
        "reasoning_cached": replayed("openai", "reasoning_cached"),
        "dall_e3": replayed("openai", "image_dall_e3"),
        "gemini_image": replayed("google_gemini_api", "image_gemini3_pro_image"),
    }


def test_every_part_is_priced_at_its_own_rate(calls) -> None:
    """input, cached input, cache write, output, reasoning and per image: each appears, and
    each is its tokens (or images) times its own rate."""
    seen: set[str] = set()
    for name in ("cache_write", "cache_read", "reasoning_cached"):
        chat = calls[name].chat_response
        assert chat is not None and chat.usage is not None and chat.usage_charge is not None
        usage, charge = chat.usage, chat.usage_charge
        pricing = contract.catalog(get(*_where(name)).model or "").pricing_for(chat.api_provider)
        assert pricing is not None
        cached, written = usage.cache_read_tokens or 0, usage.cache_write_tokens or 0
        reasoning = usage.reasoning_tokens or 0
        fresh = usage.prompt_tokens - cached - written  # type: ignore[operator]
        expected = {
            "input": fresh * pricing.input,
            "cached_input": cached * (pricing.cached_input or pricing.input),
            "cache_write": written * (pricing.cache_write or pricing.input),
            "output": (usage.completion_tokens - reasoning) * pricing.output,  # type: ignore[operator]
            "reasoning": reasoning * (pricing.reasoning or pricing.output),
        }
        for part, value in expected.items():
            assert getattr(charge, part) == pytest.approx(value / PER_MILLION), (name, part)
            if value:
                seen.add(part)
        assert charge.total == pytest.approx(sum(expected.values()) / PER_MILLION)
    images = calls["dall_e3"].image_response
    assert images is not None and images.usage_charge is not None
    assert images.usage_charge.images == pytest.approx(0.04 * images.image_count)
    assert images.usage_charge.total == images.usage_charge.images
    seen.add("images")
    assert seen == {"input", "cached_input", "cache_write", "output", "reasoning", "images"}


def _where(name: str) -> tuple[str, str]:
    return ("openai" if name == "reasoning_cached" else "anthropic", name)


def test_tracker_sums_calls_by_part_and_by_model(calls) -> None:
    tracker = CostTracker()
    for response in calls.values():
        tracker.add(response)
    charges = [_charge(r) for r in calls.values()]
    total = tracker.total
    for part in ("input", "cached_input", "cache_write", "output", "reasoning", "total"):
        assert getattr(total, part) == pytest.approx(sum(getattr(c, part) for c in charges))
    assert total.images == pytest.approx(
        0.04 + calls["gemini_image"].image_response.usage_charge.images
    )  # type: ignore[union-attr]
    assert tracker.calls == 5 and tracker.unpriced == 0
    by_model = tracker.by_model
    assert set(by_model) == {_model(r) for r in calls.values()}
    assert sum(c.total for c in by_model.values()) == pytest.approx(total.total)
    assert tracker.calls_by_model[_model(calls["cache_write"])] == 2  # both Claude calls
    text = str(tracker)
    assert text.startswith(f"5 calls, ${total.total:.10f}".rstrip("0"))
    assert "cache write $" in text and "images $" in text
    assert repr(tracker).startswith("CostTracker(calls=5, total=$")


def test_an_image_models_call_is_charged_once(calls) -> None:
    """A Gemini image model answers with text and images: the call costs what its image
    response says (tokens and images), not that plus the chat response's tokens."""
    response = calls["gemini_image"]
    assert response.chat_response is not None and response.image_response is not None
    tracker = CostTracker()
    added = tracker.add(response)
    assert added is response.image_response.usage_charge
    assert tracker.total.total == pytest.approx(added.total)  # type: ignore[union-attr]


def _charge(response: AIModelCallResponse) -> UsageCharge:
    result = response.image_response or response.chat_response
    assert result is not None and result.usage_charge is not None
    return result.usage_charge


def _model(response: AIModelCallResponse) -> str:
    result = response.image_response or response.chat_response
    assert result is not None and result.model is not None
    return result.model


def _unpriced() -> ChatResponse:
    return ChatResponse(model="my-fine-tune", provider="openai", api_provider="openai", choices=[])


def test_unpriced_calls_are_counted_not_charged() -> None:
    tracker = CostTracker()
    assert tracker.add(_unpriced()) is None
    tracker.add(UsageCharge(input=0.5, output=0.25, total=0.75), model="gpt-4o")
    assert (tracker.calls, tracker.unpriced) == (2, 1)
    assert tracker.total.total == 0.75 and tracker.total.images is None
    assert tracker.calls_by_model == {"my-fine-tune": 1, "gpt-4o": 1}
    assert str(tracker).startswith("2 calls, $0.75 USD (1 not priced)\n  input $0.5, output $0.25")
    tracker.reset()
    assert (tracker.calls, tracker.unpriced, tracker.total.total, tracker.by_model) == (0, 0, 0, {})


def test_what_cannot_be_added() -> None:
    tracker = CostTracker()
    streaming = AIModelCallResponse(CallStatus(200), _stream=iter(()))
    with pytest.raises(ValueError, match="accumulated response"):
        tracker.add(streaming)
    with pytest.raises(TypeError, match="not dict"):
        tracker.add({"total": 1.0})  # type: ignore[arg-type]
    tracker.add(UsageCharge(total=1.0))
    with pytest.raises(ValueError, match="EUR"):
        tracker.add(UsageCharge(total=1.0, currency="EUR"))
    assert tracker.calls == 1


def test_threads_add_without_losing_a_call() -> None:
    tracker = CostTracker()
    charge = UsageCharge(input=0.001, output=0.002, total=0.003)
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(500):
            tracker.add(charge, model="m")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert tracker.calls == tracker.calls_by_model["m"] == 4000
    assert tracker.total.total == pytest.approx(12.0)
    assert tracker.by_model["m"].output == pytest.approx(8.0)


async def test_tasks_share_a_tracker() -> None:
    tracker = CostTracker()

    async def call(i: int) -> None:
        await asyncio.sleep(0)
        tracker.add(UsageCharge(input=0.01, total=0.01), model=f"m{i % 3}")

    await asyncio.gather(*(call(i) for i in range(300)))
    assert tracker.calls == 300
    assert tracker.total.input == pytest.approx(3.0)
    assert tracker.calls_by_model == {"m0": 100, "m1": 100, "m2": 100}


async def test_a_tracker_in_the_config_gets_every_finished_call() -> None:
    """`AIModelCallConfig(cost_tracker=...)`: plain and streamed calls, sync and async, each
    counted once when it finishes; a stream that broke off is not counted."""
    tracker = CostTracker()
    plain = AIModelCallConfig(cost_tracker=tracker, retries=0)
    streamed = plain.updated(streaming=True)
    one_call = (12 * 2.5 + 3 * 10.0) / PER_MILLION
    with LoopbackServer() as server:
        api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key="sk-test", base_url=server.url)
        endpoint = AIModelEndpoint(api, GPT4o)
        usage = {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
        server.queue(
            Reply.json(oa.completion("Hi", prompt_tokens=12, completion_tokens=3)),
            Reply.sse(oa.stream_events(["H", "i", "!"], usage=usage)),
            Reply.json(oa.completion("Hi", prompt_tokens=12, completion_tokens=3)),
            Reply.sse(oa.stream_events(["H", "i", "!"], usage=usage)),
            Reply.sse(oa.stream_events(["H", "i", "!"], usage=usage)[:2], done=None),
        )
        with AIModelClient(endpoint, plain, is_async=False) as client:
            client.generate(prompt="Hello")
            assert tracker.calls == 1
            response = client.generate(prompt="Hello", config=streamed)
            assert tracker.calls == 1  # not before the stream ends
            for _ in response.stream_generator:
                pass
            assert tracker.calls == 2
        async with AIModelClient(endpoint, plain, is_async=True) as client:
            await client.generate_async(prompt="Hello")
            response = await client.generate_async(prompt="Hello", config=streamed)
            async for _ in response.stream_generator:
                pass
            response = await client.generate_async(prompt="Hello", config=streamed)
            with pytest.raises(StreamInterruptedError):
                async for _ in response.stream_generator:
                    pass
    assert tracker.calls == 4
    assert tracker.total.total == pytest.approx(4 * one_call)
    with pytest.raises(Exception, match="cost_tracker must be a CostTracker"):
        AIModelCallConfig(cost_tracker=object())
