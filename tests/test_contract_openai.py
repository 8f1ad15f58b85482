"""Contract tests for provider `openai`, protocol `openai_chat`.

Every scenario of devtools/scenarios.py replays its cassette (cassettes/openai/, origin in
cassettes/README.md; vcrpy `record_mode="none"`, so nothing reaches the network) through the
public API. The normalized result is pinned with a syrupy snapshot, and the key facts are also
asserted against the cassette's own wire body, read independently of modelwire: text, tool
calls (whole, or streamed as fragments per call `index`), finish reason, usage. The tool
scenarios' structured output is checked in tests/test_tools.py. Request bodies are pinned for a
fixed set of calls (`client.request_body`, no request made), and calls the catalog forbids must
fail before any request, naming what is allowed.

`python tasks.py record openai` re-records the cassettes with a real key.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from devtools.cassettes import Scrubber, replay
from devtools.scenarios import TOOL_SCENARIOS, Scenario, get, scenarios
from devtools.tooling import PARIS_RESULT, RED_PNG, TOKYO_RESULT
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ChatResponse,
    ChatResponseChoice,
    RateLimitError,
    ReasoningContent,
    TextContent,
    ToolCallDelta,
)
from tests.support import contract

PROVIDER = "openai"
API_KEY = "sk-test"
# the Responses API scenarios (protocol openai_responses) are checked in
# tests/test_contract_responses.py; here, those on the catalog's protocols
RESPONSES = [s.name for s in scenarios(PROVIDER) if s.protocol == "openai_responses"]
SCENARIOS = [s for s in scenarios(PROVIDER) if s.name not in RESPONSES]


def _named(outcome: str) -> list[str]:
    return [s.name for s in SCENARIOS if s.outcome == outcome]


TEXT_SCENARIOS = [n for n in _named("text") if n != "reasoning_cached"]  # it has its own test
STREAM_SCENARIOS = _named("stream")
TOOL_CALL_SCENARIOS = _named("tool_calls")
ERROR_SCENARIOS = _named("error")
# "structured": the structured output is validated in tests/test_tools.py; here only its cassette
# and request body are checked (with every other scenario's). "image": the image scenarios
# (OpenAI Images, not chat completions) are checked whole, cassettes and request bodies too, in
# tests/test_contract_images.py.
ELSEWHERE = {"structured": "tests/test_tools.py", "image": "tests/test_contract_images.py"}
CHECKED_HERE = [s for s in SCENARIOS if s.outcome != "image"]
AUTHORED_ON = "2026-11-24"
# the tool scenarios, and tool_calls (authored anew once modelwire sent tools=)
TOOLS_AUTHORED_ON = "2026-11-25"
TOOL_NAMES = {s.name for s in TOOL_SCENARIOS if s.provider == PROVIDER} | {"tool_calls"}
DOCS = ("https://platform.openai.com/docs/",)
URI = "https://api.openai.com/v1/chat/completions"
REQUEST_ID = "x-request-id"


# --- helpers --------------------------------------------------------------------------------


def wire_events(s: Scenario) -> list[dict[str, Any]]:
    """The cassette's SSE `data:` payloads as JSON, without the `[DONE]` terminator."""
    data = [d for _name, d in contract.sse_events(s)]
    assert data[-1] == "[DONE]"
    return [json.loads(d) for d in data[:-1]]


def wire_tool_calls(deltas: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Streamed tool calls as the wire gives them, by `index`: id, type and name from the
    call's first fragment, its argument fragments in order (their join is the JSON text)."""
    calls: dict[int, dict[str, Any]] = {}
    for d in deltas:
        for item in d.get("tool_calls") or []:
            call = calls.setdefault(item["index"], {"fragments": []})
            for field in ("id", "type"):
                if item.get(field) is not None:
                    call[field] = item[field]
            function = item.get("function") or {}
            if function.get("name") is not None:
                call["name"] = function["name"]
            if function.get("arguments") is not None:
                call["fragments"].append(function["arguments"])
    return calls


def usage_facts(usage: dict[str, Any]) -> dict[str, Any]:
    """OpenAI usage fields in modelwire's terms (conformance README semantics)."""
    return {
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "reasoning_tokens": usage["completion_tokens_details"]["reasoning_tokens"],
        "cache_read_tokens": usage["prompt_tokens_details"]["cached_tokens"],
        "cache_write_tokens": None,
        "total_tokens": usage["total_tokens"],
    }


# --- the cassettes themselves ---------------------------------------------------------------


@pytest.mark.parametrize("s", CHECKED_HERE, ids=lambda s: s.name)
def test_cassette_is_one_clean_interaction_with_its_origin(s: Scenario) -> None:
    authored_on = TOOLS_AUTHORED_ON if s.name in TOOL_NAMES else AUTHORED_ON
    contract.check_cassette(
        s, docs=DOCS, authored_on=authored_on, uri=URI, request_id_header=REQUEST_ID
    )


@pytest.mark.parametrize("s", CHECKED_HERE, ids=lambda s: s.name)
def test_cassette_request_body_is_what_modelwire_sends(s: Scenario) -> None:
    contract.check_request_body(s, API_KEY)


def test_every_scenario_is_replayed_here_or_where_its_outcome_is_checked() -> None:
    replayed = [*TEXT_SCENARIOS, "reasoning_cached", *STREAM_SCENARIOS, *TOOL_CALL_SCENARIOS]
    replayed += ERROR_SCENARIOS
    elsewhere = [s.name for s in SCENARIOS if s.outcome in ELSEWHERE]
    elsewhere += RESPONSES  # tests/test_contract_responses.py
    assert sorted(replayed + elsewhere) == sorted(s.name for s in scenarios(PROVIDER))


# --- successful calls -----------------------------------------------------------------------


@pytest.mark.parametrize("name", TEXT_SCENARIOS)
def test_text(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    response = contract.replay_call(s, API_KEY)

    wire = contract.wire_json(s)
    chat = response.chat_response
    assert chat is not None
    assert chat.text() == wire["choices"][0]["message"]["content"]
    assert chat.reasoning() is None and chat.tools() == []
    assert chat.finish_reason == "end_turn"
    assert chat.choices[0].finish_reason_raw == "stop"
    assert chat.usage is not None
    assert chat.usage.to_dict() == usage_facts(wire["usage"])
    assert chat.usage_charge is not None and chat.usage_charge.total > 0
    assert (chat.id, chat.model) == (wire["id"], wire["model"])
    assert (chat.provider, chat.api_provider) == ("openai", "openai")
    assert chat.provider_response is not None
    assert response.full_response == wire
    contract.assert_status(response, s, REQUEST_ID)
    assert contract.normalized(response) == snapshot


def _check_stream(s: Scenario, result: dict[str, Any]) -> None:
    events = wire_events(s)
    deltas = [e["choices"][0]["delta"] for e in events if e["choices"]]
    wire_deltas = [d["content"] for d in deltas if d.get("content")]
    finishes = [e["choices"][0]["finish_reason"] for e in events if e["choices"]]
    usage_events = [e for e in events if e["usage"] is not None]
    assert len(usage_events) == 1 and usage_events[0]["choices"] == []  # include_usage chunk
    assert events[-1] is usage_events[0]

    final = result["final"]
    chat = final.chat_response
    assert result["text_deltas"] == wire_deltas
    assert chat.text() == "".join(wire_deltas)
    (wire_finish,) = [f for f in finishes if f]
    assert chat.choices[0].finish_reason_raw == wire_finish
    assert chat.finish_reason == ("tool_use" if wire_finish == "tool_calls" else "end_turn")

    # tool calls: each fragment as it came, keyed by the call's index; whole calls at the end
    wire_calls = wire_tool_calls(deltas)
    tool_deltas = [d for d in result["deltas"] if isinstance(d, ToolCallDelta)]
    expected_deltas = [
        (item["index"], item.get("id"), (item.get("function") or {}).get("arguments"))
        for d in deltas
        for item in d.get("tool_calls") or []
    ]
    assert [(d.key, d.id, d.arguments) for d in tool_deltas] == expected_deltas
    calls = chat.tools()
    assert len(calls) == len(wire_calls)
    for call, (_index, wire) in zip(calls, sorted(wire_calls.items()), strict=True):
        assert (call.id, call.name, wire["type"]) == (wire["id"], wire["name"], "function")
        assert call.arguments_raw == "".join(wire["fragments"])
        assert call.arguments == json.loads(call.arguments_raw)
        assert call.parse_error is None
    assert (chat.finish_reason == "tool_use") is bool(calls)
    assert chat.usage is not None
    assert chat.usage.to_dict() == usage_facts(usage_events[0]["usage"])
    assert chat.usage_charge is not None and chat.usage_charge.total > 0
    assert (chat.id, chat.model) == (events[0]["id"], events[0]["model"])
    contract.assert_status(final, s, REQUEST_ID)


@pytest.mark.parametrize("name", STREAM_SCENARIOS)
def test_stream_sync(name: str, snapshot: Any) -> None:
    assert contract.checked_stream(get(PROVIDER, name), API_KEY, _check_stream) == snapshot


@pytest.mark.parametrize("name", STREAM_SCENARIOS)
async def test_stream_async(name: str) -> None:
    await contract.check_async_stream(get(PROVIDER, name), API_KEY, _check_stream)


def test_stream_tool_calls_are_the_two_weather_calls() -> None:
    s = get(PROVIDER, "stream_tool_calls")
    wire = wire_tool_calls([e["choices"][0]["delta"] for e in wire_events(s) if e["choices"]])
    assert sorted(wire) == [0, 1]
    assert all(len(call["fragments"]) > 2 for call in wire.values())  # several per call
    chat = contract.stream_sync(s, API_KEY)["final"].chat_response
    assert [(c.name, c.arguments) for c in chat.tools()] == [
        ("get_weather", {"location": "Paris, France"}),
        ("get_weather", {"location": "Tokyo, Japan"}),
    ]


def test_reasoning_cached(snapshot: Any) -> None:
    s = get(PROVIDER, "reasoning_cached")
    response = contract.replay_call(s, API_KEY)

    wire = contract.wire_json(s)
    chat = response.chat_response
    assert chat is not None and chat.usage is not None
    assert chat.text() == wire["choices"][0]["message"]["content"]
    assert chat.reasoning() is None  # Chat Completions returns no reasoning text
    assert chat.finish_reason == "end_turn"
    assert chat.usage.to_dict() == usage_facts(wire["usage"])
    assert chat.usage.reasoning_tokens is not None and chat.usage.reasoning_tokens > 0
    assert chat.usage.cache_read_tokens is not None and chat.usage.cache_read_tokens > 0
    assert chat.usage.prompt_tokens >= chat.usage.cache_read_tokens  # type: ignore[operator]
    assert chat.usage.completion_tokens >= chat.usage.reasoning_tokens  # type: ignore[operator]
    charge = chat.usage_charge
    assert charge is not None
    assert charge.total > 0 and charge.cached_input > 0 and charge.reasoning > 0
    parts = charge.input + charge.cached_input + charge.cache_write + charge.output
    assert charge.total == pytest.approx(parts + charge.reasoning)
    contract.assert_status(response, s, REQUEST_ID)
    assert contract.normalized(response) == snapshot


@pytest.mark.parametrize("name", TOOL_CALL_SCENARIOS)
def test_tool_calls(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    response = contract.replay_call(s, API_KEY)

    wire = contract.wire_json(s)
    wire_calls = wire["choices"][0]["message"]["tool_calls"]
    chat = response.chat_response
    assert chat is not None
    assert chat.finish_reason == "tool_use"
    assert chat.choices[0].finish_reason_raw == "tool_calls"
    assert chat.text() == ""
    calls = chat.tools()
    assert len(calls) == len(wire_calls) == 2
    for call, expected in zip(calls, wire_calls, strict=True):
        assert call.id == expected["id"] and call.id.startswith("call_")
        assert call.name == expected["function"]["name"] == "get_weather"
        assert call.arguments == json.loads(expected["function"]["arguments"])
        assert call.arguments_raw == expected["function"]["arguments"]
        assert call.parse_error is None
    assert [c.arguments["location"] for c in calls] == ["Paris, France", "Tokyo, Japan"]
    assert chat.usage is not None and chat.usage.to_dict() == usage_facts(wire["usage"])
    assert chat.usage_charge is not None and chat.usage_charge.total > 0
    contract.assert_status(response, s, REQUEST_ID)
    assert contract.normalized(response) == snapshot


def _recorded_request(name: str) -> dict[str, Any]:
    """The request body a cassette recorded (the same as modelwire's, checked above)."""
    body: dict[str, Any] = json.loads(contract.interaction(get(PROVIDER, name))["request"]["body"])
    return body


def test_tool_requests_declare_get_weather() -> None:
    for name in ("tool_calls", "stream_tool_calls", "tool_result"):
        (tool,) = _recorded_request(name)["tools"]
        assert tool["type"] == "function" and tool["function"]["name"] == "get_weather"
        assert tool["function"]["parameters"]["required"] == ["location"]
        assert "tool_choice" not in _recorded_request(name)  # auto, the default with tools


def test_tool_result_sends_back_the_calls_of_tool_calls_and_their_results() -> None:
    answer = contract.wire_json(get(PROVIDER, "tool_calls"))["choices"][0]["message"]
    question, assistant, *results = _recorded_request("tool_result")["messages"]
    assert question == {
        "role": "user",
        "content": _recorded_request("tool_calls")["messages"][0]["content"],
    }
    assert assistant["role"] == "assistant" and "content" not in assistant
    sent = [
        (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in assistant["tool_calls"]
    ]
    answered = [
        (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in answer["tool_calls"]
    ]
    assert sent == answered
    assert results == [
        {"role": "tool", "tool_call_id": sent[0][0], "content": PARIS_RESULT},
        {"role": "tool", "tool_call_id": sent[1][0], "content": TOKYO_RESULT},
    ]


def test_image_input_sends_the_png_as_a_data_url() -> None:
    (message,) = _recorded_request("image_input")["messages"]
    text, image = message["content"]
    assert text["type"] == "text" and image["type"] == "image_url"
    assert image["image_url"] == {
        "url": "data:image/png;base64," + base64.b64encode(RED_PNG).decode()
    }


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ERROR_SCENARIOS)
def test_error(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    err = contract.call_error(s, API_KEY)
    wire = contract.wire_json(s)["error"]
    assert err.status == contract.interaction(s)["response"]["status"]["code"]
    assert err.request_id == contract.wire_header(s, REQUEST_ID)
    assert err.message == wire["message"]
    assert err.code == wire["code"]
    assert err.error_type == wire["type"]
    assert err.body == {"error": wire}
    assert contract.error_facts(err) == snapshot


def test_rate_limit_with_retries_0_raises_at_once() -> None:
    s = get(PROVIDER, "error_429")
    assert s.call_config().retries == 0
    assert contract.wire_header(s, "retry-after") == "2"
    with (
        replay(s.path) as cassette,
        contract.client_for(s, API_KEY) as client,
        pytest.raises(RateLimitError) as caught,
    ):
        client.generate(prompt=s.prompt)
    assert cassette.play_count == 1 and cassette.all_played
    assert caught.value.status == 429 and caught.value.kind == "rate_limit"
    assert caught.value.code == "rate_limit_exceeded"


# --- request bodies (no request is made) ----------------------------------------------------


def _earlier_answer() -> ChatResponse:
    """An assistant turn as a previous call returned it (reasoning is not sent back)."""
    return ChatResponse(
        model="gpt-4o-2024-08-06",
        provider="openai",
        api_provider="openai",
        choices=[
            ChatResponseChoice(
                index=0,
                finish_reason="end_turn",
                contents=[ReasoningContent(text="France: Paris."), TextContent("Paris.")],
                finish_reason_raw="stop",
            )
        ],
    )


# id -> (catalog constant, request_body keyword arguments, AIModelCallConfig kwargs, facts)
REQUEST_CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "plain_prompt": ("GPT4o", {"prompt": "Hello"}, {}, {"model": "gpt-4o"}),
    "with_instructions": (
        "GPT4o",
        {"prompt": "Hello", "instructions": "You are terse."},
        {},
        {
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Hello"},
            ]
        },
    ),
    "streaming": (
        "GPT4o",
        {"prompt": "Hello"},
        {"streaming": True},
        {"stream": True, "stream_options": {"include_usage": True}},
    ),
    "limits_and_sampling": (
        "GPT4o",
        {"prompt": "List three colours."},
        {
            "max_output_tokens": 256,
            "temperature": 0.2,
            "top_p": 0.9,
            "stop": ["END", "Observation:"],
            "seed": 42,
        },
        {
            "max_completion_tokens": 256,
            "temperature": 0.2,
            "top_p": 0.9,
            "stop": ["END", "Observation:"],
            "seed": 42,
        },
    ),
    "reasoning_effort": (
        "O4Mini",
        {"prompt": "Prove that there are infinitely many primes."},
        {"reasoning_effort": "high", "max_output_tokens": 8192},
        {"model": "o4-mini", "reasoning_effort": "high", "max_completion_tokens": 8192},
    ),
    "multi_turn": (
        "GPT4o",
        {
            "instructions": "Answer in one word.",
            "messages": [
                {"role": "user", "content": "What is the capital of France?"},
                _earlier_answer(),
                {"role": "user", "content": "And of Italy?"},
            ],
        },
        {},
        {
            "messages": [
                {"role": "system", "content": "Answer in one word."},
                {"role": "user", "content": "What is the capital of France?"},
                {"role": "assistant", "content": "Paris."},
                {"role": "user", "content": "And of Italy?"},
            ]
        },
    ),
    "options_pass_through": (
        "GPT4o",
        {"prompt": "Hello"},
        {"options": {"frequency_penalty": 0.5, "logprobs": True, "top_logprobs": 3}},
        {"frequency_penalty": 0.5, "logprobs": True, "top_logprobs": 3},
    ),
}


@pytest.mark.parametrize("case", list(REQUEST_CASES))
def test_request_body(case: str, snapshot: Any) -> None:
    constant, call, config, facts = REQUEST_CASES[case]
    model = contract.catalog(constant)
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=API_KEY)
    endpoint = AIModelEndpoint(api=api, ai_model=model)
    with AIModelClient(model_endpoint=endpoint, config=AIModelCallConfig(**config)) as client:
        body = client.request_body(**call)
    for key, value in facts.items():
        assert body[key] == value, key
    assert "max_tokens" not in body  # deprecated in favour of max_completion_tokens
    assert body == snapshot


# --- bad calls fail before any request ------------------------------------------------------


def _fails_before_any_request(tmp_path: Path, model: AIModel, **config: Any) -> str:
    return contract.fails_before_any_request(tmp_path, PROVIDER, API_KEY, model, **config)


def test_unknown_reasoning_effort_names_the_allowed_levels(tmp_path: Path) -> None:
    o4 = contract.catalog("O4Mini")
    message = _fails_before_any_request(tmp_path, o4, reasoning_effort="extreme")
    assert "reasoning_effort='extreme'" in message and "O4Mini" in message
    assert o4.reasoning is not None and o4.reasoning.effort_levels
    assert "allowed: " + ", ".join(o4.reasoning.effort_levels) in message


def test_reasoning_effort_on_a_model_without_reasoning(tmp_path: Path) -> None:
    gpt4o = contract.catalog("GPT4o")
    assert gpt4o.reasoning is None
    message = _fails_before_any_request(tmp_path, gpt4o, reasoning_effort="low")
    assert "GPT4o is not a reasoning model" in message


def test_max_output_tokens_above_the_model_limit_names_the_limit(tmp_path: Path) -> None:
    gpt4o = contract.catalog("GPT4o")
    assert gpt4o.max_output_tokens is not None
    too_many = gpt4o.max_output_tokens + 1
    message = _fails_before_any_request(tmp_path, gpt4o, max_output_tokens=too_many)
    assert f"max_output_tokens={too_many}" in message
    assert f"limit of {gpt4o.max_output_tokens}" in message


# --- the recorder's guard rails (no network) ------------------------------------------------


def test_recorder_refuses_to_run_without_a_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    contract.assert_recorder_needs_key(PROVIDER, "OPENAI_API_KEY", monkeypatch, capsys)


def test_recorded_responses_lose_secret_headers() -> None:
    response = {
        "headers": {
            "Set-Cookie": ["__cf_bm=abc"],
            "openai-organization": ["org-x"],
            "OpenAI-Project": ["proj_x"],
            "x-request-id": ["req_1"],
        }
    }
    assert Scrubber().response(response)["headers"] == {"x-request-id": ["req_1"]}
