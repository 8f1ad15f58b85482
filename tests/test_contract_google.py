"""Contract tests for the Google providers: `google_gemini_api` and `google_vertex_ai`.

Every scenario of devtools/scenarios.py for these providers replays its cassette
(cassettes/google_gemini_api/, cassettes/google_vertex_ai/, origin in cassettes/README.md;
vcrpy `record_mode="none"`, so nothing reaches the network) through the public API, sync and
(for streams) async. Gemini models speak `gemini_generate_content` on both hosts; Claude on
Vertex AI speaks `anthropic_messages` at rawPredict / streamRawPredict. The normalized result
is pinned with a syrupy snapshot, and the key facts are also asserted against the cassette's
own wire body, read here independently of modelwire: text, thought summaries and their
thoughtSignatures, function calls (parallel ones, streamed whole), finish reasons, usage in
modelwire's unified terms and its price, and typed errors (HTTP errors with Google's error model,
and a prompt blocked inside a 200). Request bodies are pinned for every scenario (declared tools,
function calls and responses sent back, structured output, an inline image) and for a thinking
turn and function calls sent back as history. Structured-output scenarios are replayed by
tests/test_tools.py; here their cassettes and request bodies are checked.

`python tasks.py record google_gemini_api` re-records the recordable Gemini API cassettes.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from devtools import record
from devtools.scenarios import Scenario, get, scenarios
from devtools.tooling import (
    EXPECTED_REPORT,
    IMAGE_PROMPT,
    PARIS_RESULT,
    RED_PNG,
    TOKYO_RESULT,
    WEATHER_PROMPT,
    WeatherReport,
    get_weather,
)
from modelwire import (
    AIModelCallResponse,
    ChatResponse,
    RateLimitError,
    ReasoningContent,
    TextContent,
    TextDelta,
    ToolCallContent,
    ToolCallDelta,
)
from tests import test_contract_anthropic as anthropic_contract
from tests.support import contract

GEMINI_API, VERTEX = "google_gemini_api", "google_vertex_ai"
GEMINI_KEY = "AIza-test-0000"  # not a key: what the tests pretend to send (never recorded)
VERTEX_TOKEN = "ya29.test-0000"  # not a token either (Vertex AI takes a Google Cloud token)
SCENARIOS = scenarios(GEMINI_API) + scenarios(VERTEX)
AUTHORED_ON = "2026-11-25"
DOCS = ("https://ai.google.dev/", "https://cloud.google.com/", "https://platform.claude.com/docs/")
GEMINI_URL = "https://generativelanguage.googleapis.com/v1beta/models/{model}:{method}"
VERTEX_URL = (
    "https://{location}-aiplatform.googleapis.com/v1/projects/{project_id}/locations/{location}"
    "/publishers/{publisher}/models/{model}:{method}"
)
# Gemini finishReason -> modelwire's unified finish reason (a turn that calls functions ends
# with STOP, which is reported as tool_use)
FINISH = {"STOP": "end_turn", "MAX_TOKENS": "max_tokens", "SAFETY": "content_filter"}
# HTTP status -> the error class Google's status code stands for
ERROR_CLASSES = {400: "BadRequestError", 403: "PermissionDeniedError", 429: "RateLimitError"}


def sid(s: Scenario) -> str:
    return f"{s.provider}/{s.name}"


def key(s: Scenario) -> str:
    return VERTEX_TOKEN if s.provider == VERTEX else GEMINI_KEY


def is_claude(s: Scenario) -> bool:
    """Claude on Vertex AI (Anthropic's protocol); known by name, so that collecting the tests
    does not need the Gemini catalog."""
    return (s.model or "").startswith("Claude")


def chosen(*outcomes: str, claude: bool = False) -> list[Scenario]:
    return [s for s in SCENARIOS if s.outcome in outcomes and is_claude(s) is claude]


GEMINI_MESSAGES = chosen("text", "tool_calls")
CLAUDE_MESSAGES = chosen("text", claude=True)
STREAMS = chosen("stream") + chosen("stream", claude=True)
HTTP_ERRORS = [s for s in chosen("error") if s.name.startswith("error_")]
# replayed by tests/test_tools.py (the same WeatherReport on every protocol); only their
# cassettes and request bodies are checked here
STRUCTURED = [s for s in SCENARIOS if s.outcome == "structured"]
# image generation (Imagen's :predict, Gemini image models): checked whole, cassettes and
# request bodies too, in tests/test_contract_images.py
IMAGES = [s for s in SCENARIOS if s.outcome == "image"]
CHECKED_HERE = [s for s in SCENARIOS if s.outcome != "image"]
# the function calls a model turn sent back as history must repeat part for part
FUNCTION_CALLS = [get(GEMINI_API, "function_call"), get(GEMINI_API, "stream_tool_calls")] + [
    s for s in SCENARIOS if s.provider == VERTEX and s.outcome == "tool_calls"
]


def expected_uri(s: Scenario) -> str:
    """The URI Google's references give for the scenario's call."""
    model = s.ai_model().id_for(s.provider)
    stream = s.call_config().streaming
    if is_claude(s):
        method = "streamRawPredict" if stream else "rawPredict"
        return VERTEX_URL.format(publisher="anthropic", model=model, method=method, **s.api_config)
    method = "streamGenerateContent?alt=sse" if stream else "generateContent"
    if s.provider == VERTEX:
        return VERTEX_URL.format(publisher="google", model=model, method=method, **s.api_config)
    return GEMINI_URL.format(model=model, method=method)


def expected_contents(s: Scenario) -> list[dict[str, Any]]:
    """The `contents` Google's references give for the scenario's conversation, written here
    from devtools/tooling.py, not from modelwire: a prompt is one user turn; an image is an
    inlineData part (base64 data, its MIME type); function calls go back in a model turn, and
    their results, in the same order, in one user turn (Content.role is 'user' or 'model'), each
    functionResponse naming its function (Gemini gave no ids) with the result under `output`."""
    if s.name == "image_input":
        image = {"mimeType": "image/png", "data": base64.b64encode(RED_PNG).decode()}
        return [{"role": "user", "parts": [{"text": IMAGE_PROMPT}, {"inlineData": image}]}]
    if s.name == "tool_result":
        calls = [{"location": "Paris, France"}, {"location": "Tokyo, Japan"}]
        return [
            {"role": "user", "parts": [{"text": WEATHER_PROMPT}]},
            {
                "role": "model",
                "parts": [{"functionCall": {"name": "get_weather", "args": a}} for a in calls],
            },
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"name": "get_weather", "response": {"output": out}}}
                    for out in (PARIS_RESULT, TOKYO_RESULT)
                ],
            },
        ]
    assert s.messages is None, f"{sid(s)}: say here what its conversation looks like on the wire"
    return [{"role": "user", "parts": [{"text": s.prompt}]}]


def check_declared_tools(s: Scenario, body: dict[str, Any]) -> None:
    """`tools=[get_weather]` is one Tool with one functionDeclaration: the function's name, its
    docstring's summary, its parameters as parametersJsonSchema (JSON Schema, not the OpenAPI
    subset `parameters`); no toolConfig, so function calling runs in its default mode, AUTO."""
    if "tools" not in s.config:
        assert "tools" not in body and "toolConfig" not in body
        return
    assert s.config["tools"] == [get_weather]
    ((declaration,),) = [tool["functionDeclarations"] for tool in body["tools"]]
    assert declaration["name"] == get_weather.__name__
    assert declaration["description"] == (get_weather.__doc__ or "").strip().splitlines()[0]
    assert "parameters" not in declaration
    schema = declaration["parametersJsonSchema"]
    assert schema["type"] == "object" and schema["required"] == ["location"]
    assert list(schema["properties"]) == ["location", "unit"]  # the function's parameters
    assert schema["properties"]["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert "toolConfig" not in body


def check_structured_output(s: Scenario, generation: dict[str, Any]) -> None:
    """`structured_output=WeatherReport` is responseMimeType application/json with the model's
    JSON Schema as responseJsonSchema (never also responseSchema: they exclude each other), its
    properties in field order (Gemini answers with the keys in the schema's order)."""
    if "structured_output" not in s.config:
        assert not {"responseMimeType", "responseJsonSchema", "responseSchema"} & set(generation)
        return
    assert s.config["structured_output"] is WeatherReport
    assert generation["responseMimeType"] == "application/json"
    assert "responseSchema" not in generation
    schema = generation["responseJsonSchema"]
    fields = list(WeatherReport.model_fields)
    assert schema["type"] == "object"
    assert list(schema["properties"]) == schema["required"] == fields


# --- the wire, read without modelwire ---------------------------------------------------------


def gemini_events(s: Scenario) -> list[dict[str, Any]]:
    """A stream's GenerateContentResponse chunks: SSE `data:` events (no event names, no end
    marker), or the elements of one JSON array when the content-type is application/json."""
    if contract.wire_header(s, "content-type").startswith("application/json"):
        events = contract.wire_json(s)
        assert isinstance(events, list)
        return events
    pairs = contract.sse_events(s)
    assert all(name is None for name, _ in pairs)
    return [json.loads(data) for _, data in pairs]


def streamed_response(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The response a stream adds up to: the first chunk's ids, every chunk's parts in order,
    the finish reason, and the last usageMetadata (each chunk reports the usage so far)."""
    parts = [p for e in events for c in e["candidates"] for p in c["content"].get("parts", [])]
    finish = [c["finishReason"] for e in events for c in e["candidates"] if "finishReason" in c]
    assert len(finish) == 1 and "finishReason" in events[-1]["candidates"][0]
    return {
        "candidates": [{"content": {"parts": parts}, "finishReason": finish[0]}],
        "usageMetadata": events[-1]["usageMetadata"],
        "responseId": events[0]["responseId"],
        "modelVersion": events[0]["modelVersion"],
    }


def usage_facts(u: dict[str, Any]) -> dict[str, Any]:
    """usageMetadata in modelwire's terms: thoughts are output, counted apart as reasoning;
    the total is prompt + candidates + thoughts, as totalTokenCount says."""
    output, thoughts = u.get("candidatesTokenCount"), u.get("thoughtsTokenCount")
    completion = None if output is None and thoughts is None else (output or 0) + (thoughts or 0)
    total = u["promptTokenCount"] + (completion or 0)
    assert u["totalTokenCount"] == total
    return {
        "prompt_tokens": u["promptTokenCount"],
        "completion_tokens": completion,
        "reasoning_tokens": thoughts,
        "cache_read_tokens": u.get("cachedContentTokenCount"),
        "cache_write_tokens": None,
        "total_tokens": total,
    }


def part_facts(part: dict[str, Any]) -> tuple[Any, ...]:
    signature = part.get("thoughtSignature")
    if part.get("thought"):
        return ("reasoning", part["text"], signature)
    if "functionCall" in part:
        call = part["functionCall"]
        return ("tool_call", call.get("id"), call["name"], call["args"], signature)
    return ("text", part["text"], signature)


def delta_facts(delta: Any) -> tuple[Any, ...]:
    """A stream delta as `part_facts` says its wire part: a Gemini function call arrives whole
    (the Gemini API streams no partial arguments), so its delta is never merged with another."""
    if isinstance(delta, ToolCallDelta):
        assert delta.whole and not delta.continues
        return ("tool_call", delta.id, delta.name, delta.arguments, delta.signature)
    assert isinstance(delta, TextDelta)
    return ("text", delta.text, delta.signature)


def content_facts(item: Any) -> tuple[Any, ...]:
    if isinstance(item, ReasoningContent):
        assert not item.redacted
        return ("reasoning", item.text, item.signature)
    if isinstance(item, ToolCallContent):
        assert item.parse_error is None
        return ("tool_call", item.id, item.name, item.arguments, item.signature)
    assert isinstance(item, TextContent)
    return ("text", item.text, item.signature)


def check_gemini_chat(response: AIModelCallResponse, s: Scenario, wire: dict[str, Any]) -> None:
    """modelwire's ChatResponse says what the wire response says, and prices it right."""
    chat = response.chat_response
    assert chat is not None and chat.usage is not None and chat.usage_charge is not None
    (candidate,) = wire["candidates"]
    parts = candidate.get("content", {}).get("parts", [])
    facts = [part_facts(p) for p in parts]
    assert chat.text() == "".join(f[1] for f in facts if f[0] == "text")
    assert chat.reasoning() == ("".join(f[1] for f in facts if f[0] == "reasoning") or None)
    tool_calls = [f for f in facts if f[0] == "tool_call"]
    assert [content_facts(c) for c in chat.tools()] == tool_calls
    raw = candidate["finishReason"]
    assert chat.choices[0].finish_reason_raw == raw
    assert chat.finish_reason == ("tool_use" if tool_calls and raw == "STOP" else FINISH[raw])
    assert chat.usage.to_dict() == usage_facts(wire["usageMetadata"])
    assert (chat.id, chat.model) == (wire["responseId"], wire["modelVersion"])
    assert (chat.provider, chat.api_provider) == ("google", s.provider)

    pricing = s.ai_model().pricing
    assert pricing is not None
    assert all(chat.usage.prompt_tokens <= t.above_prompt_tokens for t in pricing.tiers)  # type: ignore[operator]
    usage = wire["usageMetadata"]
    contract.assert_charge(
        chat.usage_charge,
        pricing,
        fresh_input=usage["promptTokenCount"],
        output=usage.get("candidatesTokenCount", 0),
        reasoning=usage.get("thoughtsTokenCount", 0),
    )
    contract.assert_status(response, s, None)  # Google sends no request-id header


def check_claude_chat(response: AIModelCallResponse, s: Scenario, message: dict[str, Any]) -> None:
    """Claude on Vertex AI: the Anthropic Messages body, read as on Anthropic's own API."""
    chat = response.chat_response
    assert chat is not None and chat.usage is not None and chat.usage_charge is not None
    assert [anthropic_contract.content_facts(c) for c in chat.choices[0].contents] == [
        anthropic_contract.block_facts(b) for b in message["content"]
    ]
    assert chat.finish_reason == chat.choices[0].finish_reason_raw == message["stop_reason"]
    assert chat.usage.to_dict() == anthropic_contract.usage_facts(message["usage"])
    assert (chat.id, chat.model) == (message["id"], message["model"])
    assert (chat.provider, chat.api_provider) == ("anthropic", VERTEX)
    pricing = s.ai_model().pricing
    assert pricing is not None
    usage = message["usage"]
    contract.assert_charge(
        chat.usage_charge,
        pricing,
        fresh_input=usage["input_tokens"],
        cache_read=usage["cache_read_input_tokens"],
        cache_write=usage["cache_creation_input_tokens"],
        output=usage["output_tokens"],
    )
    contract.assert_status(response, s, None)  # no request-id header in the cassette


# --- the cassettes themselves -----------------------------------------------------------------


@pytest.mark.parametrize("s", CHECKED_HERE, ids=sid)
def test_cassette_is_one_clean_interaction_with_its_origin(s: Scenario) -> None:
    recorded = contract.check_cassette(
        s, docs=DOCS, authored_on=AUTHORED_ON, uri=expected_uri(s), request_id_header=None
    )
    headers = recorded["request"]["headers"]
    assert set(headers) == {"accept", "content-type", "user-agent"}  # the key is filtered out
    assert headers["accept"] == [
        "text/event-stream" if s.call_config().streaming else "application/json"
    ]
    status = recorded["response"]["status"]["code"]
    assert (status == 200) is (not s.name.startswith("error_"))
    if s.name == "stream_json_array":  # the form Google sends without ?alt=sse
        assert contract.wire_header(s, "content-type") == "application/json"
    if s.outcome == "structured":  # replayed in tests/test_tools.py; the wire text is the report
        (candidate,) = contract.wire_json(s)["candidates"]
        (part,) = candidate["content"]["parts"]
        assert WeatherReport.model_validate_json(part["text"]) == EXPECTED_REPORT
        assert candidate["finishReason"] == "STOP"


@pytest.mark.parametrize("s", CHECKED_HERE, ids=sid)
def test_cassette_request_body_is_what_modelwire_sends(s: Scenario, snapshot: Any) -> None:
    body = contract.check_request_body(s, key(s))
    config = s.call_config()
    if is_claude(s):  # Anthropic's Messages body, as Vertex AI takes it
        assert body["anthropic_version"] == "vertex-2023-10-16" and "model" not in body
        assert body["messages"] == [{"role": "user", "content": s.prompt}]
        assert body.get("system") == s.instructions
        assert body["max_tokens"] == config.max_output_tokens
        assert body.get("stream", False) is config.streaming
    else:
        assert body["contents"] == expected_contents(s)
        system = {"parts": [{"text": s.instructions}]} if s.instructions else None
        assert body.get("systemInstruction") == system
        generation = body.get("generationConfig", {})
        assert generation.get("temperature") == config.temperature
        thinking = {"thinkingBudget": config.max_reasoning_tokens, "includeThoughts": True}
        assert generation.get("thinkingConfig") == (thinking if config.reasoning else None)
        check_declared_tools(s, body)
        check_structured_output(s, generation)
        assert "stream" not in body  # streaming is the method, not a body field
    assert body == snapshot


def test_every_scenario_is_replayed_here_or_by_test_tools() -> None:
    """No scenario of these providers goes unreplayed: an outcome this module does not know
    fails here until a test takes it (image scenarios: tests/test_contract_images.py)."""
    here = GEMINI_MESSAGES + CLAUDE_MESSAGES + STREAMS + HTTP_ERRORS
    here.append(get(GEMINI_API, "prompt_blocked"))  # its own test below
    assert sorted(map(sid, here + STRUCTURED + IMAGES)) == sorted(map(sid, SCENARIOS))


# --- successful calls -------------------------------------------------------------------------


@pytest.mark.parametrize("s", GEMINI_MESSAGES, ids=sid)
def test_gemini_message(s: Scenario, snapshot: Any) -> None:
    response = contract.replay_call(s, key(s))
    wire = contract.wire_json(s)
    check_gemini_chat(response, s, wire)
    # one content item per part, in order, each with the thoughtSignature its part carried
    parts = wire["candidates"][0].get("content", {}).get("parts", [])
    contents = response.chat_response.choices[0].contents  # type: ignore[union-attr]
    assert [content_facts(c) for c in contents] == [part_facts(p) for p in parts]
    assert response.full_response == wire
    assert contract.normalized(response) == snapshot


def test_thinking_keeps_thought_summary_and_signature() -> None:
    s = get(GEMINI_API, "thinking")
    chat = contract.replay_call(s, GEMINI_KEY).chat_response
    assert chat is not None and chat.usage is not None and chat.usage_charge is not None
    thought, answer = chat.choices[0].contents
    thought_part, answer_part = contract.wire_json(s)["candidates"][0]["content"]["parts"]
    assert isinstance(thought, ReasoningContent) and isinstance(answer, TextContent)
    assert thought.text == thought_part["text"] == chat.reasoning() and thought.signature is None
    assert answer.signature == answer_part["thoughtSignature"] and answer.signature
    assert answer.text == chat.text()
    usage = contract.wire_json(s)["usageMetadata"]
    assert chat.usage.reasoning_tokens == usage["thoughtsTokenCount"] > 0
    assert (
        chat.usage.completion_tokens == usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    )
    assert chat.usage_charge.reasoning > 0


def test_function_call_ends_with_stop_and_is_reported_as_tool_use() -> None:
    s = get(GEMINI_API, "function_call")
    chat = contract.replay_call(s, GEMINI_KEY).chat_response
    assert chat is not None
    assert chat.choices[0].finish_reason_raw == "STOP" and chat.finish_reason == "tool_use"
    (call,) = chat.tools()
    assert (call.name, call.arguments, call.arguments_raw) == (
        "get_weather",
        {"location": "Paris, France"},
        None,  # args come as a JSON object, not text
    )
    assert call.id is None  # FunctionCall.id is optional; this response has none
    assert call.signature  # the call part's thoughtSignature
    assert chat.text() == "" and chat.reasoning() is None


def test_safety_stop_is_a_content_filter_finish_with_no_content() -> None:
    s = get(GEMINI_API, "safety_stop")
    chat = contract.replay_call(s, GEMINI_KEY).chat_response
    assert chat is not None and chat.usage is not None
    assert chat.finish_reason == "content_filter" and chat.choices[0].finish_reason_raw == "SAFETY"
    assert chat.choices[0].contents == [] and chat.text() == ""
    assert chat.usage.completion_tokens is None  # nothing was generated (not 0: not reported)


def check_gemini_stream(s: Scenario, result: dict[str, Any]) -> None:
    """One delta a wire part with text or a function call, in order; then the whole response."""
    events = gemini_events(s)
    assert len(events) > 1
    wire = [
        part_facts(p)
        for e in events
        for c in e["candidates"]
        for p in c["content"].get("parts", [])
        if (p.get("text") or "functionCall" in p) and not p.get("thought")
    ]
    assert [delta_facts(d) for d in result["deltas"]] == wire
    assert result["text_deltas"] == [f[1] for f in wire if f[0] == "text"]
    check_gemini_chat(result["final"], s, streamed_response(events))


def test_parallel_function_calls_stream_whole_and_only_the_first_is_signed() -> None:
    """Each event carries one whole call; Gemini 2.5 signs only the first part of a response
    that calls functions; the last event ends it with STOP, reported as tool_use."""
    s = get(GEMINI_API, "stream_tool_calls")
    events = gemini_events(s)
    wire_parts = [[p for c in e["candidates"] for p in c["content"]["parts"]] for e in events]
    assert [[p["functionCall"]["args"] for p in parts] for parts in wire_parts] == [
        [{"location": "Paris, France"}],
        [{"location": "Tokyo, Japan"}],
    ]
    chat = contract.stream_sync(s, GEMINI_KEY)["final"].chat_response
    assert chat is not None
    paris, tokyo = chat.tools()
    assert paris.signature == wire_parts[0][0]["thoughtSignature"] and tokyo.signature is None
    assert (paris.id, tokyo.id) == (None, None)  # FunctionCall.id is optional; none here
    assert chat.finish_reason == "tool_use" and chat.choices[0].finish_reason_raw == "STOP"
    assert chat.text() == "" and chat.reasoning() is None


def test_json_array_stream_is_decoded_element_by_element() -> None:
    """The JSON-array form (no ?alt=sse) gives one chunk an element, as SSE gives one an event."""
    s = get(GEMINI_API, "stream_json_array")
    body = contract.interaction(s)["response"]["body"]["string"]
    assert body.startswith("[{") and body.endswith("}]") and "}\r\n,{" in body
    result = contract.stream_sync(s, GEMINI_KEY)
    assert len(result["deltas"]) == len(gemini_events(s))  # one delta an element
    assert "".join(result["text_deltas"]) == "One, two, three, four, five."


# --- Claude on Vertex AI ----------------------------------------------------------------------


@pytest.mark.parametrize("s", CLAUDE_MESSAGES, ids=sid)
def test_claude_message(s: Scenario, snapshot: Any) -> None:
    response = contract.replay_call(s, key(s))
    wire = contract.wire_json(s)
    assert wire["type"] == "message" and wire["role"] == "assistant"
    check_claude_chat(response, s, wire)
    assert response.full_response == wire
    assert contract.normalized(response) == snapshot


def check_claude_stream(s: Scenario, result: dict[str, Any]) -> None:
    events = anthropic_contract.wire_events(s)
    wire = [e["delta"]["text"] for e in events if e["type"] == "content_block_delta"]
    assert result["text_deltas"] == wire
    check_claude_chat(result["final"], s, anthropic_contract.streamed_message(events))


def check_stream(s: Scenario, result: dict[str, Any]) -> None:
    (check_claude_stream if is_claude(s) else check_gemini_stream)(s, result)


@pytest.mark.parametrize("s", STREAMS, ids=sid)
def test_stream_sync(s: Scenario, snapshot: Any) -> None:
    assert contract.checked_stream(s, key(s), check_stream) == snapshot


@pytest.mark.parametrize("s", STREAMS, ids=sid)
async def test_stream_async(s: Scenario) -> None:
    await contract.check_async_stream(s, key(s), check_stream)


def test_the_same_claude_constant_gives_the_same_response_shape_on_anthropic_and_vertex() -> None:
    """Claude37Sonnet through GOOGLE_VERTEX_AI (rawPredict) and through ANTHROPIC (the same call,
    replayed from the anthropic `text` cassette, which vcrpy matches on the path alone): one
    ChatResponse shape."""
    vertex, anthropic = contract.chats_here_and_on_anthropic(
        get(VERTEX, "claude_text"), VERTEX_TOKEN
    )
    assert contract.shape(vertex) == contract.shape(anthropic)


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("s", HTTP_ERRORS, ids=sid)
def test_http_error(s: Scenario, snapshot: Any) -> None:
    err = contract.call_error(s, key(s))
    body = contract.wire_json(s)
    status = contract.interaction(s)["response"]["status"]["code"]
    assert type(err).__name__ == ERROR_CLASSES[status] == s.error
    assert err.status == status == body["error"]["code"]
    assert err.message == body["error"]["message"]
    assert err.error_type == body["error"]["status"]
    assert err.code == str(body["error"]["code"])
    assert err.request_id is None  # Google sends no request-id header
    assert contract.http_error_facts(err, body) == snapshot


def test_rate_limit_with_retries_0_raises_at_once() -> None:
    err = contract.raised_at_once(get(GEMINI_API, "error_429"), GEMINI_KEY)
    assert isinstance(err, RateLimitError) and err.error_type == "RESOURCE_EXHAUSTED"


def test_blocked_prompt_is_an_empty_choice_ending_with_the_block_reason(snapshot: Any) -> None:
    """No candidate, only `promptFeedback.blockReason`: the corpus README's rule, as a refusal
    is elsewhere: a response whose one choice is empty and ends with that reason."""
    s = get(GEMINI_API, "prompt_blocked")
    response = contract.replay_call(s, GEMINI_KEY)
    body = contract.wire_json(s)
    assert "candidates" not in body and body["promptFeedback"]["blockReason"] == "SAFETY"
    chat = response.chat_response
    assert chat.text() == "" and chat.tools() == []
    choice = chat.choices[0]
    assert (choice.finish_reason, choice.finish_reason_raw) == ("content_filter", "SAFETY")
    assert contract.normalized(response) == snapshot


# --- a thinking turn sent back (no request is made) -------------------------------------------


def test_thought_signature_goes_back_with_its_part(snapshot: Any) -> None:
    s = get(GEMINI_API, "thinking")
    first = contract.replay_call(s, GEMINI_KEY).chat_response
    assert isinstance(first, ChatResponse)
    body = contract.next_turn_body(s, GEMINI_KEY, first, "And 1003?")
    user, model, follow_up = body["contents"]
    assert user == {"role": "user", "parts": [{"text": s.prompt}]}
    assert follow_up == {"role": "user", "parts": [{"text": "And 1003?"}]}
    # the model turn goes back part for part as it came, the thoughtSignature on its part
    wire_parts = contract.wire_json(s)["candidates"][0]["content"]["parts"]
    assert model == {"role": "model", "parts": wire_parts}
    assert model["parts"][1]["thoughtSignature"] == first.choices[0].contents[1].signature
    assert body["generationConfig"]["thinkingConfig"]["includeThoughts"] is True  # still on
    assert body == snapshot


@pytest.mark.parametrize("s", FUNCTION_CALLS, ids=sid)
def test_function_call_parts_go_back_as_they_came(s: Scenario) -> None:
    """The model turn goes back part for part, a thoughtSignature only where one came (the
    first call of parallel ones), whether the calls came in one response or streamed."""
    if s.call_config().streaming:
        first = contract.stream_sync(s, key(s))["final"].chat_response
        wire = streamed_response(gemini_events(s))
    else:
        first = contract.replay_call(s, key(s)).chat_response
        wire = contract.wire_json(s)
    assert isinstance(first, ChatResponse)
    body = contract.next_turn_body(s, key(s), first)
    assert body["contents"][1] == {
        "role": "model",
        "parts": wire["candidates"][0]["content"]["parts"],
    }


def test_tool_results_answer_in_text_from_both() -> None:
    """The recorded turn holds both calls, then both results in one user turn; the calls carry
    no thoughtSignature (optional on Gemini 2.5), and the answer, one text part without a
    signature, uses both results."""
    s = get(GEMINI_API, "tool_result")
    recorded = json.loads(contract.interaction(s)["request"]["body"])
    assert [c["role"] for c in recorded["contents"]] == ["user", "model", "user"]
    assert not any("thoughtSignature" in p for c in recorded["contents"] for p in c["parts"])
    chat = contract.replay_call(s, GEMINI_KEY).chat_response
    assert chat is not None and chat.tools() == []
    assert chat.finish_reason == "end_turn" and chat.choices[0].finish_reason_raw == "STOP"
    (part,) = contract.wire_json(s)["candidates"][0]["content"]["parts"]
    assert chat.text() == part["text"] and "thoughtSignature" not in part
    for result in (PARIS_RESULT, TOKYO_RESULT):
        assert all(piece in chat.text() for piece in result.split(", "))


# --- the recorder's guard rails (no network) --------------------------------------------------


def test_recorder_refuses_to_run_without_a_gemini_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)  # the provider's second key variable
    contract.assert_recorder_needs_key(GEMINI_API, "GEMINI_API_KEY", monkeypatch, capsys)


def test_recorder_explains_what_vertex_ai_needs(capsys: pytest.CaptureFixture[str]) -> None:
    assert record.main([VERTEX]) == 2
    assert "python tasks.py record google_vertex_ai" in capsys.readouterr().err
