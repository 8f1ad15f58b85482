"""Prices as they are really billed (issue 20): a call is priced at the rates of what it was
— a batch job's result, the service tier the response reports, a regional inference profile
or Vertex location against a global one — rate by rate, against a server on 127.0.0.1."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from modelwire import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelEndpoint,
    CostTracker,
    Usage,
)
from modelwire.models import GPT5, ClaudeSonnet4, ClaudeSonnet45
from tests.support import anthropic_shapes as an
from tests.support import bedrock_shapes as bd
from tests.support import openai_shapes as oa
from tests.support.contract import final_response
from tests.support.server import LoopbackServer, Reply

P = AIModelAPIProviderEnum
M = 1_000_000


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def _call(server: LoopbackServer, endpoint: AIModelEndpoint, reply: Reply, **config):
    server.queue(reply)
    cfg = AIModelCallConfig(max_output_tokens=100, retries=0, **config)
    return final_response(endpoint, cfg).chat_response


# --- Bedrock: a regional (geo) inference profile costs 10 % more than the global one --------


def _bedrock(server: LoopbackServer, profile: str) -> AIModelEndpoint:
    api = AIModelAPI(
        P.AMAZON_BEDROCK,
        api_key="bedrock-key-0123456789",
        base_url=server.url,
        config={"region": "us-east-1", "inference_profile": profile},
    )
    return AIModelEndpoint(api, ClaudeSonnet45)


@pytest.mark.parametrize(
    ("profile", "factor", "dimensions"),
    [
        ("global", 1.0, {"inference_profile": "global"}),
        ("us", 1.1, {"inference_profile": "us"}),
        ("eu", 1.1, {"inference_profile": "eu"}),
        ("none", 1.1, {"inference_profile": "none"}),
    ],
)
def test_bedrock_profiles_are_priced_at_their_own_rates(
    server: LoopbackServer, profile: str, factor: float, dimensions: dict
) -> None:
    body = bd.response("Hi") | {"usage": {"inputTokens": 1000, "outputTokens": 500}}
    chat = _call(server, _bedrock(server, profile), Reply.json(body))
    called = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert unquote(server.requests[0].path).startswith(
        "/model/" + (called if profile == "none" else f"{profile}.{called}")
    )
    charge = chat.usage_charge
    assert charge.input == pytest.approx(1000 * 3.00 * factor / M)
    assert charge.output == pytest.approx(500 * 15.00 * factor / M)
    assert charge.total == pytest.approx((1000 * 3.00 + 500 * 15.00) * factor / M)
    assert charge.dimensions == dimensions


def test_the_default_profile_is_priced_as_called(server: LoopbackServer) -> None:
    api = AIModelAPI(
        P.AMAZON_BEDROCK,
        api_key="bedrock-key-0123456789",
        base_url=server.url,
        config={"region": "us-east-1"},
    )
    endpoint = AIModelEndpoint(api, ClaudeSonnet45)
    body = bd.response("Hi") | {"usage": {"inputTokens": 1000, "outputTokens": 0}}
    chat = _call(server, endpoint, Reply.json(body))
    assert server.requests[0].path.startswith("/model/global.")  # the catalog's first prefix
    assert chat.usage_charge.total == pytest.approx(1000 * 3.00 / M)


# --- Vertex AI: a regional location against the global one ---------------------------------


@pytest.mark.parametrize(("location", "factor"), [("global", 1.0), ("us-east5", 1.1)])
def test_vertex_locations_are_priced_at_their_own_rates(
    server: LoopbackServer, location: str, factor: float
) -> None:
    api = AIModelAPI(
        P.GOOGLE_VERTEX_AI,
        credentials={"access_token": "ya29.static"},
        base_url=server.url,
        config={"project_id": "p", "location": location},
    )
    usage = {"input_tokens": 1000, "output_tokens": 100, "cache_read_input_tokens": 1000}
    chat = _call(
        server, AIModelEndpoint(api, ClaudeSonnet45), Reply.json(an.message("Hi", **usage))
    )
    charge = chat.usage_charge
    assert charge.input == pytest.approx(1000 * 3.00 * factor / M)  # uncached input
    assert charge.cached_input == pytest.approx(1000 * 0.30 * factor / M)
    assert charge.output == pytest.approx(100 * 15.00 * factor / M)


def test_models_before_the_regional_premium_cost_the_same_everywhere(
    server: LoopbackServer,
) -> None:
    api = AIModelAPI(
        P.GOOGLE_VERTEX_AI,
        credentials={"access_token": "ya29.static"},
        base_url=server.url,
        config={"project_id": "p", "location": "us-east5"},
    )
    usage = {"input_tokens": 1000, "output_tokens": 0}
    chat = _call(server, AIModelEndpoint(api, ClaudeSonnet4), Reply.json(an.message("Hi", **usage)))
    assert chat.usage_charge.total == pytest.approx(1000 * 3.00 / M)
    assert chat.usage_charge.dimensions == {}


# --- OpenAI: the service tier the response reports ------------------------------------------


def _openai(server: LoopbackServer) -> AIModelEndpoint:
    api = AIModelAPI(P.OPEN_AI, api_key="sk-test-0123456789", base_url=server.url)
    return AIModelEndpoint(api, GPT5)


@pytest.mark.parametrize(
    ("tier", "rates"),
    [
        ("default", (1.25, 0.125, 10.00)),
        ("flex", (0.625, 0.0625, 5.00)),
        ("priority", (2.50, 0.25, 20.00)),
    ],
)
@pytest.mark.parametrize("streaming", [False, True])
def test_openai_service_tiers_are_priced_at_their_own_rates(
    server: LoopbackServer, tier: str, rates: tuple, streaming: bool
) -> None:
    tokens = {"prompt_tokens": 3000, "cached_tokens": 1000, "completion_tokens": 400}
    if streaming:
        usage = oa.completion(**tokens)["usage"]
        events = [e | {"service_tier": tier} for e in oa.stream_events(["Hi"], usage=usage)]
        reply = Reply.sse(events)
    else:
        reply = Reply.json(oa.completion("Hi", **tokens) | {"service_tier": tier})
    chat = _call(server, _openai(server), reply, streaming=streaming)
    assert chat.service_tier == tier
    charge = chat.usage_charge
    assert charge.input == pytest.approx(2000 * rates[0] / M)
    assert charge.cached_input == pytest.approx(1000 * rates[1] / M)
    assert charge.output == pytest.approx(400 * rates[2] / M)
    assert charge.dimensions == ({} if tier == "default" else {"service_tier": tier})


# --- batch: half of every rate --------------------------------------------------------------


def test_batch_results_are_priced_at_half_of_every_rate() -> None:
    usage = Usage(prompt_tokens=3000, completion_tokens=400, cache_read_tokens=1000)
    standard = GPT5.pricing_for("openai").charge(usage)
    batch = GPT5.pricing_for("openai").charge(usage, {"batch": True})
    assert batch.total == pytest.approx(standard.total / 2)
    assert batch.cached_input == pytest.approx(1000 * 0.0625 / M)
    assert batch.dimensions == {"batch": "true"}
    # dimensions stack: a batch through a regional profile is half of the regional rates
    claude = ClaudeSonnet45.pricing_for("amazon_bedrock")
    both = claude.charge(usage, {"batch": "true", "inference_profile": "us"})
    assert both.input == pytest.approx(2000 * 3.00 * 0.5 * 1.1 / M)


def test_the_cost_tracker_totals_by_dimension(server: LoopbackServer) -> None:
    tracker = CostTracker()
    for tier in ("flex", "priority", "default"):
        reply = Reply.json(
            oa.completion("Hi", prompt_tokens=1000, completion_tokens=0) | {"service_tier": tier}
        )
        tracker.add(_call(server, _openai(server), reply))
    by = tracker.by_dimension
    assert set(by) == {"service_tier=flex", "service_tier=priority", "standard"}
    assert by["service_tier=flex"].total == pytest.approx(1000 * 0.625 / M)
    assert by["service_tier=priority"].total == pytest.approx(1000 * 2.50 / M)
    assert by["standard"].total == pytest.approx(1000 * 1.25 / M)
    assert json.dumps(tracker.total.to_dict())  # dimensions stay out of the summed total
