"""Runtime pieces on their own: SSE framing, cost, secrets, config checks, public surface."""

from __future__ import annotations

import pytest

import modelwire
from modelwire import AIModelAPI, AIModelCallConfig, ConfigurationError, Usage
from modelwire._catalog import Pricing
from modelwire._retry import backoff, server_delay, should_retry
from modelwire._sse import SSEDecoder

STREAM = "data: a\r\n\r\nevent: x\ndata: b\ndata: c\n\n: comment\ndata: d\r\rdata: e\n\n"
EVENTS = [("a", None), ("b\nc", "x"), ("d", None), ("e", None)]


@pytest.mark.parametrize("size", range(1, len(STREAM) + 1))
def test_sse_decoding_does_not_depend_on_chunk_boundaries(size: int) -> None:
    decoder = SSEDecoder()
    events = []
    for i in range(0, len(STREAM), size):
        events += decoder.feed(STREAM[i : i + size])
    events += decoder.flush()
    assert [(e.data, e.event) for e in events] == EVENTS


def test_sse_last_event_without_blank_line_is_flushed() -> None:
    decoder = SSEDecoder()
    assert decoder.feed("data: x") == []
    assert [e.data for e in decoder.flush()] == ["x"]


def test_sse_bom_and_field_without_space() -> None:
    decoder = SSEDecoder()
    assert [e.data for e in decoder.feed("\ufeffdata:x\n\n")] == ["x"]


def test_cost_prices_each_part_at_its_own_rate() -> None:
    pricing = Pricing(input=2.0, output=8.0, cached_input=0.5, cache_write=2.5)
    usage = Usage(
        prompt_tokens=1000,
        completion_tokens=500,
        reasoning_tokens=200,
        cache_read_tokens=400,
        cache_write_tokens=100,
    )
    charge = pricing.charge(usage)
    assert charge.input == pytest.approx(500 * 2.0 / 1e6)
    assert charge.cached_input == pytest.approx(400 * 0.5 / 1e6)
    assert charge.cache_write == pytest.approx(100 * 2.5 / 1e6)
    assert charge.output == pytest.approx(300 * 8.0 / 1e6)
    assert charge.reasoning == pytest.approx(200 * 8.0 / 1e6)
    assert charge.total == pytest.approx((1000 + 200 + 250 + 2400 + 1600) / 1e6)


def test_no_usage_no_charge() -> None:
    assert Pricing(input=1, output=1).charge(None) is None
    assert Pricing(input=1, output=1).charge(Usage()) is None


def test_usage_merge_is_key_by_key() -> None:
    merged = Usage(prompt_tokens=10, completion_tokens=1).merged(Usage(completion_tokens=7))
    assert (merged.prompt_tokens, merged.completion_tokens, merged.total_tokens) == (10, 7, 17)


def test_secrets_never_in_repr_or_str() -> None:
    api = AIModelAPI("openai", api_key="sk-SECRET-value", credentials={"token": "tok-SECRET"})
    for text in (repr(api), str(api), repr(modelwire.AIModelEndpoint(api, modelwire.AIModel("m")))):
        assert "SECRET" not in text
    assert api.api_key == "sk-SECRET-value"


def test_unknown_provider_names_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match=r"known: .*openai"):
        AIModelAPI("openia", api_key="x")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_output_tokens": 0}, "at least 1"),
        ({"temperature": "hot"}, "must be a number"),
        ({"retries": -1}, "retries must be >= 0"),
        ({"timeout": 0}, "timeout must be a finite number of seconds > 0"),
    ],
)
def test_config_rejects_bad_values(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        AIModelCallConfig(**kwargs)


def test_config_updated_names_unknown_fields() -> None:
    with pytest.raises(ConfigurationError, match="allowed"):
        AIModelCallConfig().updated(max_tokens=5)


def test_retry_after_forms() -> None:
    assert server_delay({"retry-after": "3"}) == 3.0
    assert server_delay({"retry-after-ms": "250"}) == 0.25
    assert server_delay({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert server_delay({"retry-after": "soon"}) is None
    assert backoff(1, {"retry-after": "120"}) is None  # too long: do not wait
    assert 0.375 <= backoff(1) <= 0.5


def test_x_should_retry_overrides_the_status() -> None:
    retryable = frozenset({429, 500})
    assert should_retry(400, retryable, {"x-should-retry": "true"})
    assert not should_retry(500, retryable, {"x-should-retry": "false"})
    assert should_retry(429, retryable, {})


def test_public_names() -> None:
    for name in modelwire.__all__:
        assert hasattr(modelwire, name), name
    for name in (
        "AIModelAPI",
        "AIModelAPIProviderEnum",
        "AIModelEndpoint",
        "AIModelClient",
        "AIModelCallConfig",
        "AIModelCallResponse",
        "ChatResponse",
        "ImageResponse",
    ):
        assert name in modelwire.__all__
    assert modelwire.AIModelAPIProviderEnum.OPEN_AI.value == "openai"


def test_a_streamed_image_next_to_text_becomes_an_image_item() -> None:
    """An event holding an image delta beside other content (Gemini image models stream
    text and images together) folds into an image item; it used to raise AttributeError."""
    from modelwire._stream import StreamAccumulator
    from modelwire._types import (
        ChatResponseChunk,
        ChoiceDelta,
        ImageContent,
        ImageDelta,
        TextContent,
        TextDelta,
    )

    acc = StreamAccumulator("replace")
    image = ImageDelta(b64="iVBORw0KGgo=", media_type="image/png")
    assert acc.add(ChatResponseChunk([ChoiceDelta(0, [TextDelta("Here:"), image])]))
    (choice,) = acc.build_choices()
    assert [type(c) for c in choice.contents] == [TextContent, ImageContent]
    assert choice.contents[1].media_type == "image/png"  # type: ignore[union-attr]
