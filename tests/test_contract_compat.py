"""Contract tests of the OpenAI-compatible hosts, replayed from cassettes (no network).

DeepSeek, Groq, Mistral, OpenRouter, Together, Cerebras, Fireworks, xAI and Hugging Face each
serve `openai_chat` from one provider YAML. Every host has the scenarios `text`, `stream` and
(where an error body could be sourced) one HTTP error of devtools/scenarios.py; DeepSeek also has
tool scenarios (`tool_calls`, `tool_result`, `structured_output`). Each call goes through the
public API; what modelwire reports is checked against the cassette's own wire data, read
independently of modelwire (text, reasoning, tool calls, usage wherever the host puts it, finish
reason, the typed error and its fields), and pinned with a syrupy snapshot. Structured output is
validated in tests/test_tools.py; here its cassette and request body are checked.

`python tasks.py record <host>` re-records a host's cassettes with a real key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

import modelwire
from devtools.scenarios import COMPAT_SCENARIOS, TOOL_SCENARIOS, Scenario, get
from devtools.tooling import PARIS_RESULT, TOKYO_RESULT, WeatherReport
from tests.support import contract

API_KEY = "sk-test"  # not a key: what the tests pretend to send
AUTHORED_ON = "2026-11-25"


@dataclass(frozen=True)
class Host:
    """What differs between hosts: where the cassettes' citations may point, the endpoint, and
    the response header holding a request id (None: the host sends none that modelwire reads)."""

    docs: tuple[str, ...]
    uri: str
    request_id_header: str | None = None


HOSTS: dict[str, Host] = {
    "deepseek": Host(
        (
            "https://api-docs.deepseek.com/",
            "https://github.com/deepseek-ai/DeepSeek-R1/issues/82",
            "https://github.com/FullStackPlayer/claude-code-launcher/issues/3",
            "https://github.com/deepseek-ai/DeepSeek-V3/issues/1376",
        ),
        "https://api.deepseek.com/chat/completions",
    ),
    "groq": Host(
        (
            "https://console.groq.com/docs/",
            "https://github.com/groq/groq-python",
            "https://github.com/ag5826000/resume-commentor/issues/4",
            "https://github.com/nark/WiredSwift/issues/44",
        ),
        "https://api.groq.com/openai/v1/chat/completions",
        "x-request-id",
    ),
    "mistral": Host(
        (
            "https://docs.mistral.ai/",
            "https://github.com/mistralai/client-python/",
            "https://github.com/agent0ai/agent-zero/issues/539",
            "https://github.com/nextcloud/integration_openai/issues/332",
        ),
        "https://api.mistral.ai/v1/chat/completions",
    ),
    "openrouter": Host(
        (
            "https://openrouter.ai/docs/",
            "https://github.com/apurvsinghgautam/robin/issues/103",
            "https://github.com/Fosowl/agenticSeek/issues/407",
        ),
        "https://openrouter.ai/api/v1/chat/completions",
    ),
    "together": Host(
        ("https://docs.together.ai/", "https://github.com/harshitv804/LawGPT/issues/4"),
        "https://api.together.ai/v1/chat/completions",
    ),
    "cerebras": Host(
        ("https://inference-docs.cerebras.ai/",), "https://api.cerebras.ai/v1/chat/completions"
    ),
    "fireworks": Host(
        ("https://docs.fireworks.ai/",), "https://api.fireworks.ai/inference/v1/chat/completions"
    ),
    "xai": Host(
        (
            "https://docs.x.ai/",
            "https://github.com/i-am-bee/beeai-framework/issues/447",
            "https://github.com/continuedev/continue/issues/10778",
        ),
        "https://api.x.ai/v1/chat/completions",
    ),
    "huggingface": Host(
        ("https://huggingface.co/docs/", "https://huggingface.co/changelog/"),
        "https://router.huggingface.co/v1/chat/completions",
    ),
}


# every scenario of these hosts: the three of each, and the tool scenarios some have
SCENARIOS = [*COMPAT_SCENARIOS, *(s for s in TOOL_SCENARIOS if s.provider in HOSTS)]
# outcomes checked in another module: the structured output, in tests/test_tools.py
ELSEWHERE = {"structured": "tests/test_tools.py"}


def _by(outcome: str) -> list[Any]:
    return [pytest.param(s, id=f"{s.provider}-{s.name}") for s in SCENARIOS if s.outcome == outcome]


ALL = [pytest.param(s, id=f"{s.provider}-{s.name}") for s in SCENARIOS]


# --- reading the wire ---------------------------------------------------------------------------


def wire_events(s: Scenario) -> list[dict[str, Any]]:
    """The stream's `data:` payloads as JSON; the last one must be the `[DONE]` terminator."""
    data = [d for _name, d in contract.sse_events(s)]
    assert data[-1] == "[DONE]"
    return [json.loads(d) for d in data[:-1]]


def usage_facts(usage: dict[str, Any]) -> dict[str, Any]:
    """A wire usage object in modelwire's terms: cache reads are DeepSeek's
    prompt_cache_hit_tokens, else OpenAI's prompt_tokens_details.cached_tokens."""
    prompt_details = usage.get("prompt_tokens_details") or {}
    return {
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "reasoning_tokens": (usage.get("completion_tokens_details") or {}).get("reasoning_tokens"),
        "cache_read_tokens": usage.get(
            "prompt_cache_hit_tokens", prompt_details.get("cached_tokens")
        ),
        "cache_write_tokens": None,
        "total_tokens": usage["total_tokens"],
    }


def stream_usage(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The one usage report of a stream: a chunk's `usage`, or Groq's `x_groq.usage`."""
    found = [
        e.get("usage") or (e.get("x_groq") or {}).get("usage")
        for e in events
        if e.get("usage") or (e.get("x_groq") or {}).get("usage")
    ]
    assert len(found) == 1, found
    return found[0]


def wire_error(body: Any) -> tuple[Any, Any, Any]:
    """(message, type, code) as an error body holds them: OpenAI's `error` object, or a string
    `error` (xAI), or a top-level `detail` (Mistral)."""
    err = body.get("error")
    if isinstance(err, dict):
        return err.get("message"), err.get("type"), err.get("code")
    return (err if isinstance(err, str) else body.get("detail")), None, None


# --- the cassettes themselves -------------------------------------------------------------------


@pytest.mark.parametrize("s", ALL)
def test_cassette_is_one_clean_interaction_with_its_origin(s: Scenario) -> None:
    host = HOSTS[s.provider]
    contract.check_cassette(
        s,
        docs=host.docs,
        authored_on=AUTHORED_ON,
        uri=host.uri,
        request_id_header=host.request_id_header,
    )


@pytest.mark.parametrize("s", ALL)
def test_cassette_request_body_is_what_modelwire_sends(s: Scenario) -> None:
    body = contract.check_request_body(s, API_KEY)
    assert body["model"] == s.custom_model_id


def test_every_scenario_is_replayed_here_or_where_its_outcome_is_checked() -> None:
    here = {"text", "stream", "tool_calls", "error"}
    assert {s.outcome for s in SCENARIOS} <= here | set(ELSEWHERE)


# --- successful calls -----------------------------------------------------------------------


FINISH_REASONS = {"stop": "end_turn", "tool_calls": "tool_use"}


def _check_answer(s: Scenario, response: Any) -> None:
    """A non-streamed answer against the cassette's wire body: text, reasoning, tool calls (the
    arguments as the JSON text they came as), finish reason, usage, ids and status."""
    wire = contract.wire_json(s)
    (choice,) = wire["choices"]
    message = choice["message"]
    chat = response.chat_response
    assert chat is not None and chat.usage is not None
    assert chat.text() == (message.get("content") or "")
    assert chat.reasoning() == message.get("reasoning_content")
    assert [(c.id, c.name, c.arguments_raw) for c in chat.tools()] == [
        (w["id"], w["function"]["name"], w["function"]["arguments"])
        for w in message.get("tool_calls") or []
    ]
    for call in chat.tools():
        assert call.arguments == json.loads(call.arguments_raw or "") and not call.parse_error
    assert chat.choices[0].finish_reason_raw == choice["finish_reason"]
    assert chat.finish_reason == FINISH_REASONS[choice["finish_reason"]]
    assert chat.usage.to_dict() == usage_facts(wire["usage"])
    assert chat.usage_charge is None  # a model outside the catalog has no prices
    assert (chat.id, chat.model) == (wire["id"], wire["model"])
    assert chat.provider_response is not None and response.full_response == wire
    contract.assert_status(response, s, HOSTS[s.provider].request_id_header)


@pytest.mark.parametrize("s", _by("text"))
def test_text(s: Scenario, snapshot: Any) -> None:
    response = contract.replay_call(s, API_KEY)
    _check_answer(s, response)
    chat = response.chat_response
    assert chat is not None and chat.text() and chat.tools() == []
    assert chat.finish_reason == "end_turn"
    assert contract.normalized(response) == snapshot


def _check_stream(s: Scenario, result: dict[str, Any]) -> None:
    events = wire_events(s)
    deltas = [e["choices"][0]["delta"] for e in events if e["choices"]]
    wire_text = [d["content"] for d in deltas if d.get("content")]
    wire_reasoning = "".join(d.get("reasoning_content") or "" for d in deltas) or None
    finishes = [e["choices"][0]["finish_reason"] for e in events if e["choices"]]
    # no stream of these hosts calls tools yet: one that does needs its calls checked here
    assert not any(d.get("tool_calls") for d in deltas), "check the streamed tool calls"

    final = result["final"]
    chat = final.chat_response
    assert result["text_deltas"] == wire_text
    assert chat.text() == "".join(wire_text)
    assert chat.reasoning() == wire_reasoning
    assert chat.finish_reason == "end_turn"
    assert [f for f in finishes if f] == [chat.choices[0].finish_reason_raw] == ["stop"]
    assert chat.usage is not None
    assert chat.usage.to_dict() == usage_facts(stream_usage(events))
    assert (chat.id, chat.model) == (events[0]["id"], events[0]["model"])
    contract.assert_status(final, s, HOSTS[s.provider].request_id_header)


@pytest.mark.parametrize("s", _by("stream"))
def test_stream(s: Scenario, snapshot: Any) -> None:
    assert contract.checked_stream(s, API_KEY, _check_stream) == snapshot


@pytest.mark.parametrize("s", _by("stream"))
async def test_stream_async(s: Scenario) -> None:
    await contract.check_async_stream(s, API_KEY, _check_stream)


@pytest.mark.parametrize("s", _by("tool_calls"))
def test_tool_calls(s: Scenario, snapshot: Any) -> None:
    response = contract.replay_call(s, API_KEY)
    _check_answer(s, response)
    chat = response.chat_response
    assert chat is not None and chat.finish_reason == "tool_use"
    assert [(c.name, c.arguments) for c in chat.tools()] == [
        ("get_weather", {"location": "Paris, France"}),
        ("get_weather", {"location": "Tokyo, Japan"}),
    ]
    assert contract.normalized(response) == snapshot


def test_deepseek_tool_result_sends_back_the_calls_of_tool_calls() -> None:
    """The ids DeepSeek gave the two calls (cassette tool_calls) are the ones sent back, each
    with its result in a `tool` message."""
    answered = contract.wire_json(get("deepseek", "tool_calls"))["choices"][0]["message"]
    recorded = contract.interaction(get("deepseek", "tool_result"))["request"]["body"]
    _question, assistant, *results = json.loads(recorded)["messages"]
    sent = [
        (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in assistant["tool_calls"]
    ]
    assert sent == [
        (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in answered["tool_calls"]
    ]
    assert [(r["role"], r["tool_call_id"], r["content"]) for r in results] == [
        ("tool", sent[0][0], PARIS_RESULT),
        ("tool", sent[1][0], TOKYO_RESULT),
    ]


def test_deepseek_structured_output_is_json_mode_with_the_schema_in_the_prompt() -> None:
    """DeepSeek's response_format has no JSON Schema form and its thinking mode refuses a forced
    tool (specs/providers/deepseek.yaml): JSON mode, the schema in a system message; the answer
    is the JSON text in content, validated on arrival."""
    s = get("deepseek", "structured_output")
    body = json.loads(contract.interaction(s)["request"]["body"])
    assert body["response_format"] == {"type": "json_object"}
    assert "tools" not in body and "tool_choice" not in body
    system = body["messages"][0]
    assert system["role"] == "system" and "JSON" in system["content"]
    schema = json.loads(system["content"].split("\n", 1)[1])
    assert schema["required"] == ["city", "temperature_c", "conditions"]
    assert schema["description"] == WeatherReport.__doc__
    content = contract.wire_json(s)["choices"][0]["message"]["content"]
    chat = contract.replay_call(s, API_KEY).chat_response
    assert chat is not None and chat.text() == content
    assert chat.structured() == WeatherReport.model_validate_json(content)


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("s", _by("error"))
def test_error(s: Scenario, snapshot: Any) -> None:
    err = contract.call_error(s, API_KEY)
    body = contract.wire_json(s)
    message, error_type, code = wire_error(body)
    assert isinstance(err, getattr(modelwire, s.error or ""))
    assert err.status == contract.interaction(s)["response"]["status"]["code"]
    header = HOSTS[s.provider].request_id_header
    assert err.request_id == (contract.wire_header(s, header) if header else None)
    assert err.message == message
    assert err.error_type == error_type
    assert err.code == (None if code is None else str(code))
    assert contract.http_error_facts(err, body) == snapshot


# --- the catalog's DeepSeek entries and the local hosts (no request is made) ------------------


def test_deepseek_reasoner_takes_no_sampling_parameters(tmp_path: Any) -> None:
    """DeepSeek ignores temperature and top_p on deepseek-reasoner: refused before any request."""
    reasoner = contract.catalog("DeepSeekReasoner")
    for param in ("temperature", "top_p"):
        message = contract.fails_before_any_request(
            tmp_path, "deepseek", API_KEY, reasoner, **{param: 0.5}
        )
        assert f"DeepSeekReasoner does not accept {param}" in message


@pytest.mark.parametrize("constant", ["DeepSeekChat", "DeepSeekReasoner"])
def test_deepseek_legacy_names_are_marked_retired(constant: str) -> None:
    model = contract.catalog(constant)
    assert model.ids == {"deepseek": model.model_name}
    assert model.deprecation_date == "2026-07-24"
    assert model.pricing is None  # no price readable for the retired names: no usage_charge


@pytest.mark.parametrize(
    ("provider", "variable", "base_url"),
    [
        ("ollama", "OLLAMA_API_KEY", "http://localhost:11434/v1"),
        ("vllm", "VLLM_API_KEY", "http://localhost:8000/v1"),
    ],
)
def test_local_hosts_need_no_key(
    provider: str, variable: str, base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local server is called without a key; a key in its variable is sent as a bearer."""
    model = modelwire.AIModel(model_name="llama3.2")
    monkeypatch.delenv(variable, raising=False)
    api = modelwire.AIModelAPI(modelwire.AIModelAPIProviderEnum(provider))
    endpoint = modelwire.AIModelEndpoint(api=api, ai_model=model)
    assert endpoint.base_url == base_url
    assert endpoint.path(stream=False) == "/chat/completions"
    assert api.auth() == ({}, {})
    monkeypatch.setenv(variable, "local-key")
    keyed = modelwire.AIModelAPI(modelwire.AIModelAPIProviderEnum(provider))
    assert keyed.auth() == ({"authorization": "Bearer local-key"}, {})


@pytest.mark.parametrize(
    ("provider", "variable"),
    [
        ("deepseek", "DEEPSEEK_API_KEY"),
        ("groq", "GROQ_API_KEY"),
        ("mistral", "MISTRAL_API_KEY"),
        ("openrouter", "OPENROUTER_API_KEY"),
        ("together", "TOGETHER_API_KEY"),
        ("cerebras", "CEREBRAS_API_KEY"),
        ("fireworks", "FIREWORKS_API_KEY"),
        ("xai", "XAI_API_KEY"),
        ("huggingface", "HF_TOKEN"),
    ],
)
def test_recorder_refuses_to_run_without_the_hosts_key(
    provider: str,
    variable: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    contract.assert_recorder_needs_key(provider, variable, monkeypatch, capsys)
