"""Token counts before a call (`client.count_tokens`) and the checks they serve
(`precheck`, `max_call_cost`, a cost tracker's `budget`): exact where the host counts (the
provider spec's `count_tokens`), an estimate elsewhere; refusals before any call is sent."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from devtools.cassettes import replay
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    AuthenticationError,
    BudgetExceededError,
    ConfigurationError,
    ContextLengthExceededError,
    CostTracker,
)
from modelwire.models import Claude37Sonnet, ClaudeHaiku45, Gemini25Flash, GPT4o
from tests.support import anthropic_shapes as an
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
PROMPT, SYSTEM = "What is the capital of France?", "Answer in one sentence."


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def anthropic(server: LoopbackServer) -> AIModelEndpoint:
    return AIModelEndpoint(
        AIModelAPI("anthropic", api_key="sk-ant-t", base_url=server.url), ClaudeHaiku45
    )


def test_anthropic_counts_the_call_body_without_its_output_settings(server) -> None:
    server.queue(Reply.json({"input_tokens": 14}))
    config = AIModelCallConfig(max_output_tokens=256, temperature=0.5)
    with AIModelClient(anthropic(server), config) as client:
        count = client.count_tokens(PROMPT, instructions=SYSTEM)
        body = client.request_body(PROMPT, instructions=SYSTEM)
    assert (count.input_tokens, count.exact, count.provider) == (14, True, "anthropic")
    sent = server.requests[0]
    assert sent.path == "/v1/messages/count_tokens"
    assert sent.headers["x-api-key"] == "sk-ant-t" and sent.headers["anthropic-version"]
    assert sent.json() == {k: body[k] for k in ("model", "messages", "system")}


def test_openai_responses_counts_and_chat_completions_estimates(server) -> None:
    server.queue(Reply.json({"object": "response.input_tokens", "input_tokens": 11}))
    api = AIModelAPI("openai", api_key="sk-t", base_url=server.url + "/v1")
    responses = AIModelEndpoint(api, GPT4o, protocol="openai_responses")
    with AIModelClient(responses) as client:
        count = client.count_tokens(PROMPT, instructions=SYSTEM)
    assert (count.input_tokens, count.exact) == (11, True)
    assert server.requests[0].path == "/v1/responses/input_tokens"
    user = {"role": "user", "content": PROMPT}
    assert server.requests[0].json() == {"model": "gpt-4o", "input": [user], "instructions": SYSTEM}
    with AIModelClient(AIModelEndpoint(api, GPT4o)) as client:
        guess = client.count_tokens(PROMPT, instructions=SYSTEM)
    assert not guess.exact and 10 <= guess.input_tokens <= 30
    assert len(server.requests) == 1  # an estimate sends nothing


def test_gemini_wraps_the_request_and_names_its_model(server) -> None:
    server.queue(Reply.json({"totalTokens": 10}))
    api = AIModelAPI("google_gemini_api", api_key="g-t", base_url=server.url + "/v1beta")
    with AIModelClient(AIModelEndpoint(api, Gemini25Flash)) as client:
        count = client.count_tokens(PROMPT, instructions=SYSTEM)
        body = client.request_body(PROMPT, instructions=SYSTEM)
    assert count.input_tokens == 10 and count.exact
    sent = server.requests[0]
    assert sent.path == "/v1beta/models/gemini-2.5-flash:countTokens"
    wrapped = {k: body[k] for k in ("contents", "systemInstruction") if k in body}
    assert sent.json() == {
        "generateContentRequest": {**wrapped, "model": "models/gemini-2.5-flash"}
    }


def test_vertex_counts_at_its_project_path(server) -> None:
    server.queue(Reply.json({"totalTokens": 12, "totalBillableCharacters": 40}))
    api = AIModelAPI(
        "google_vertex_ai",
        credentials={"access_token": "ya29.t"},
        config={"project_id": "proj", "location": "us-central1"},
        base_url=server.url + "/v1",
    )
    with AIModelClient(AIModelEndpoint(api, Gemini25Flash)) as client:
        count = client.count_tokens(PROMPT)
    assert count.input_tokens == 12
    path = "/v1/projects/proj/locations/us-central1/publishers/google/models/gemini-2.5-flash"
    assert server.requests[0].path == path + ":countTokens"
    assert server.requests[0].headers["authorization"] == "Bearer ya29.t"


def test_bedrock_counts_a_converse_request_for_the_bare_model_id(server) -> None:
    server.queue(Reply.json({"inputTokens": 21}))
    creds = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG"}
    api = AIModelAPI(
        "amazon_bedrock", credentials=creds, config={"region": "us-east-1"}, base_url=server.url
    )
    endpoint = AIModelEndpoint(api, Claude37Sonnet, protocol="bedrock_converse")
    assert endpoint.model_id.startswith("us.")  # called through an inference profile
    with AIModelClient(endpoint) as client:
        count = client.count_tokens(PROMPT, instructions=SYSTEM)
    assert count.input_tokens == 21
    sent = server.requests[0]
    assert sent.path == "/model/anthropic.claude-3-7-sonnet-20250219-v1%3A0/count-tokens"
    assert "AWS4-HMAC-SHA256" in sent.headers["authorization"]
    assert set(sent.json()["input"]["converse"]) == {"messages", "system"}


def test_a_count_request_error_is_typed(server) -> None:
    server.queue(Reply.json(an.error_body("authentication_error", "invalid x-api-key"), 401))
    with AIModelClient(anthropic(server)) as client, pytest.raises(AuthenticationError):
        client.count_tokens(PROMPT)


def test_async_count(server) -> None:
    server.queue(Reply.json({"input_tokens": 7}))

    async def count() -> int:
        async with AIModelClient(anthropic(server), is_async=True) as client:
            return (await client.count_tokens_async(PROMPT)).input_tokens

    assert asyncio.run(count()) == 7


def test_an_input_over_the_context_window_is_refused_before_the_call(server) -> None:
    server.queue(Reply.json({"input_tokens": 250_000}))
    config = AIModelCallConfig(precheck=True, max_output_tokens=100)
    with (
        AIModelClient(anthropic(server), config) as client,
        pytest.raises(ContextLengthExceededError, match="250000 tokens, over ClaudeHaiku45"),
    ):
        client.generate(prompt=PROMPT)
    assert [r.path for r in server.requests] == ["/v1/messages/count_tokens"]  # no call


def test_a_precheck_that_passes_lets_the_call_go(server) -> None:
    server.queue(Reply.json({"input_tokens": 20}), Reply.json(an.message("Paris.")))
    config = AIModelCallConfig(precheck=True, max_output_tokens=100)
    with AIModelClient(anthropic(server), config) as client:
        response = client.generate(prompt=PROMPT)
    assert response.chat_response is not None and response.chat_response.text() == "Paris."
    assert [r.path for r in server.requests] == ["/v1/messages/count_tokens", "/v1/messages"]


def test_the_worst_case_cost_is_held_to_a_limit_and_to_the_budget_left(server) -> None:
    api = AIModelAPI("openai", api_key="sk-t", base_url=server.url + "/v1")
    endpoint = AIModelEndpoint(api, GPT4o)  # Chat Completions: an estimate, nothing sent
    config = AIModelCallConfig(max_output_tokens=1000, max_call_cost=0.005)
    with AIModelClient(endpoint, config) as client:  # 1000 output tokens at $10/M: $0.01
        with pytest.raises(BudgetExceededError, match=r"up to \$0\.01.*over max_call_cost"):
            client.generate(prompt=PROMPT)
        tracker = CostTracker(budget=0.02)
        server.queue(Reply.json(oa.completion("Paris.", prompt_tokens=10, completion_tokens=1500)))
        response = client.generate(
            prompt=PROMPT, config=config.updated(max_call_cost=None, cost_tracker=tracker)
        )
        assert response.chat_response is not None
        assert tracker.remaining == pytest.approx(0.02 - 10 * 2.5e-6 - 1500 * 1e-5)
        with pytest.raises(BudgetExceededError, match="over the budget left"):
            client.generate(
                prompt=PROMPT, config=config.updated(max_call_cost=None, cost_tracker=tracker)
            )
    assert len(server.requests) == 1  # only the call that fit


def test_bad_check_settings_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="max_call_cost"):
        AIModelCallConfig(max_call_cost=-1)
    with pytest.raises(ConfigurationError, match="budget"):
        CostTracker(budget="5")  # type: ignore[arg-type]
    api = AIModelAPI("openai", api_key="sk-t")
    with (
        AIModelClient(AIModelEndpoint(api, AIModel(model_name="m"))) as client,
        pytest.raises(ConfigurationError, match=r"unknown argument.*promt"),
    ):
        client.count_tokens(promt="x")


@pytest.mark.parametrize(
    ("folder", "endpoint", "tokens"),
    [
        (
            "anthropic",
            lambda: AIModelEndpoint(AIModelAPI("anthropic", api_key="sk-ant-x"), ClaudeHaiku45),
            14,
        ),
        (
            "openai",
            lambda: AIModelEndpoint(
                AIModelAPI("openai", api_key="sk-x"), GPT4o, protocol="openai_responses"
            ),
            11,
        ),
        (
            "google_gemini_api",
            lambda: AIModelEndpoint(AIModelAPI("google_gemini_api", api_key="g-x"), Gemini25Flash),
            10,
        ),
        (
            "amazon_bedrock",
            lambda: AIModelEndpoint(
                AIModelAPI(
                    "amazon_bedrock", api_key="bedrock-key-x", config={"region": "us-east-1"}
                ),
                Claude37Sonnet,
                protocol="bedrock_converse",
            ),
            21,
        ),
    ],
)
def test_counts_match_the_documented_answers(folder: str, endpoint, tokens: int) -> None:
    cassette = ROOT / "cassettes" / folder / "count_tokens.yaml"
    config = AIModelCallConfig(max_output_tokens=256)
    with replay(cassette) as played, AIModelClient(endpoint(), config) as client:
        count = client.count_tokens(PROMPT, instructions=SYSTEM)
        assert played.all_played
        recorded = json.loads(played.requests[0].body)
    assert (count.input_tokens, count.exact) == (tokens, True)
    with AIModelClient(endpoint(), config) as client:
        from modelwire._count import count_request

        prep = client._prepare(PROMPT, SYSTEM, None, None)
        side = count_request(client.model_endpoint, client._builders[0], prep)
    assert side is not None and json.loads(side.content) == recorded
    index = (ROOT / "cassettes" / "README.md").read_text()
    assert f"`{folder}/count_tokens.yaml`" in index
