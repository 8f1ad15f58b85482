"""Contract tests for provider `openai`, protocol `openai_responses` (POST /v1/responses).

The `responses_*` scenarios of devtools/scenarios.py name the protocol explicitly
(`AIModelEndpoint(..., protocol="openai_responses")`) on catalog models that also take Chat
Completions. Each replays its cassette (cassettes/openai/responses_*.yaml, origin in
cassettes/README.md; vcrpy `record_mode="none"`, so nothing reaches the network) through the
public API. The normalized result is pinned with a syrupy snapshot, and the key facts are also
asserted against the cassette's own wire body, read independently of modelwire: the output
items (`message` text, `reasoning` summaries with their id and encrypted content,
`function_call` items), the finish reason (incomplete_details.reason when the response is
incomplete, else its status), usage; streams from their named SSE events (the delta events
only: the *.done events and the final response repeat the content). Request bodies must be
what modelwire sends. Two more claims: one calling code path gives the same ChatResponse shape
over openai_chat and openai_responses, and a reasoning turn goes back (store false) with its
item id and encrypted content.

`python tasks.py record openai responses_text ...` re-records the cassettes with a real key.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from devtools.scenarios import Scenario, get, scenarios
from devtools.tooling import EXPECTED_REPORT, PARIS_RESULT, TOKYO_RESULT, WEATHER_PROMPT
from modelwire import (
    AIModelClient,
    Message,
    ReasoningContent,
    ReasoningDelta,
    TextContent,
    ToolCallDelta,
)
from tests.support import contract

PROVIDER = "openai"
PROTOCOL = "openai_responses"
API_KEY = "sk-test"
SCENARIOS = [s for s in scenarios(PROVIDER) if s.protocol == PROTOCOL]
NAMES = [s.name for s in SCENARIOS]
URI = "https://api.openai.com/v1/responses"
REQUEST_ID = "x-request-id"
DOCS = ("https://platform.openai.com/docs/",)
AUTHORED_ON = "2026-11-25"


def _named(*outcomes: str) -> list[str]:
    return [s.name for s in SCENARIOS if s.outcome in outcomes]


# non-streamed answers (text, tool calls, structured output), each checked against its output
ANSWERS = _named("text", "tool_calls", "structured")
STREAMS = _named("stream")
ERRORS = _named("error")
REASONING = ["responses_reasoning", "responses_stream_reasoning"]
# the same call over both protocols: (openai_chat scenario, openai_responses scenario)
PAIRS = [
    ("text", "responses_text"),
    ("tool_calls", "responses_tool_calls"),
    ("stream_tool_calls", "responses_stream_tool_calls"),
    ("structured_output", "responses_structured_output"),
]


# --- the wire, read without modelwire ---------------------------------------------------------


def wire_events(s: Scenario) -> list[dict[str, Any]]:
    """The cassette's SSE events as JSON. OpenAI names each event (`event:`) after its data's
    `type`, and ends the stream after response.completed: no `data: [DONE]`."""
    events = []
    for name, data in contract.sse_events(s):
        event = json.loads(data)
        assert name == event["type"]
        events.append(event)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    return events


def final_response(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The `response` of the stream's last event: response.completed (or .incomplete)."""
    assert events[-1]["type"] in ("response.completed", "response.incomplete")
    assert [e["type"] for e in events].count(events[-1]["type"]) == 1
    response: dict[str, Any] = events[-1]["response"]
    return response


def of_type(items: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [item for item in items if item["type"] == kind]


def wire_text(response: dict[str, Any]) -> str:
    """The `output_text` parts of the `message` output items, joined."""
    return "".join(
        part["text"]
        for item in of_type(response["output"], "message")
        for part in item["content"]
        if part["type"] == "output_text"
    )


def wire_reasoning(response: dict[str, Any]) -> str | None:
    """Per `reasoning` item, its summary texts then its reasoning_text parts, joined."""
    texts = [
        part["text"]
        for item in of_type(response["output"], "reasoning")
        for part in [*(item.get("summary") or []), *(item.get("content") or [])]
    ]
    return "".join(texts) or None


def wire_calls(response: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(call_id, name, arguments JSON text) of each `function_call` output item."""
    return [
        (item["call_id"], item["name"], item["arguments"])
        for item in of_type(response["output"], "function_call")
    ]


def wire_finish(response: dict[str, Any]) -> str:
    """The raw finish reason: incomplete_details.reason when incomplete, else the status."""
    if response["status"] == "incomplete":
        reason: str = response["incomplete_details"]["reason"]
        return reason
    status: str = response["status"]
    return status


def unified_finish(response: dict[str, Any]) -> str:
    raw = wire_finish(response)
    if raw == "completed":
        return "tool_use" if wire_calls(response) else "end_turn"
    return {"max_output_tokens": "max_tokens", "content_filter": "content_filter"}.get(raw, "other")


def usage_facts(usage: dict[str, Any]) -> dict[str, Any]:
    """Responses usage fields in modelwire's terms (conformance README semantics): input
    includes the cached tokens, output the reasoning tokens; no cache-write count."""
    return {
        "prompt_tokens": usage["input_tokens"],
        "completion_tokens": usage["output_tokens"],
        "reasoning_tokens": usage["output_tokens_details"]["reasoning_tokens"],
        "cache_read_tokens": usage["input_tokens_details"]["cached_tokens"],
        "cache_write_tokens": None,
        "total_tokens": usage["total_tokens"],
    }


def recorded_request(name: str) -> dict[str, Any]:
    """The request body a cassette recorded (the same as modelwire's, checked below)."""
    body: dict[str, Any] = json.loads(contract.interaction(get(PROVIDER, name))["request"]["body"])
    return body


def _check_chat(s: Scenario, chat: Any, wire: dict[str, Any]) -> None:
    """What a ChatResponse must say of a Responses `response` object."""
    assert chat.text() == wire_text(wire)
    assert chat.reasoning() == wire_reasoning(wire)
    calls = chat.tools()
    assert [(c.id, c.name, c.arguments_raw) for c in calls] == wire_calls(wire)
    for call in calls:
        assert call.arguments == json.loads(call.arguments_raw) and call.parse_error is None
        assert call.id.startswith("call_")
    assert chat.choices[0].finish_reason_raw == wire_finish(wire)
    assert chat.finish_reason == unified_finish(wire)
    assert chat.usage is not None
    assert chat.usage.to_dict() == usage_facts(wire["usage"])
    assert (chat.id, chat.model) == (wire["id"], wire["model"])
    assert chat.id.startswith("resp_")
    assert (chat.provider, chat.api_provider) == ("openai", "openai")
    model = s.ai_model()
    pricing = model.pricing_for(PROVIDER)
    assert pricing is not None and chat.usage_charge is not None
    usage = chat.usage
    contract.assert_charge(
        chat.usage_charge,
        pricing,
        fresh_input=usage.prompt_tokens - usage.cache_read_tokens,
        cache_read=usage.cache_read_tokens,
        output=usage.completion_tokens - usage.reasoning_tokens,
        reasoning=usage.reasoning_tokens,
    )


# --- the cassettes themselves -----------------------------------------------------------------


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.name)
def test_cassette_is_one_clean_interaction_with_its_origin(s: Scenario) -> None:
    assert s.name.startswith("responses_") and s.cassette == f"cassettes/openai/{s.name}.yaml"
    contract.check_cassette(
        s, docs=DOCS, authored_on=AUTHORED_ON, uri=URI, request_id_header=REQUEST_ID
    )


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.name)
def test_cassette_request_body_is_what_modelwire_sends(s: Scenario) -> None:
    with contract.client_for(s, API_KEY) as client:
        assert client.model_endpoint.binding.protocol == PROTOCOL
        assert client.model_endpoint.path(False) == "/responses"
    body = contract.check_request_body(s, API_KEY)
    config = s.call_config()
    assert body["model"] == s.ai_model().model_name
    assert body["store"] is False  # modelwire sends the whole conversation: nothing is stored
    assert body.get("stream", False) is config.streaming
    for chat_only in ("messages", "stream_options", "max_tokens", "max_completion_tokens"):
        assert chat_only not in body, chat_only
    if s.prompt is not None:
        assert body["input"] == [{"role": "user", "content": s.prompt}]
    assert body.get("instructions") == s.instructions  # the system prompt, not a message
    # only a reasoning model is asked for its reasoning, encrypted, to send it back next turn
    reasoning_model = s.ai_model().reasoning is not None
    assert ("include" in body) is reasoning_model
    if reasoning_model:
        assert body["include"] == ["reasoning.encrypted_content"]
        assert body["reasoning"] == {"effort": "low", "summary": "auto"}
    else:
        assert "reasoning" not in body
    assert body.get("max_output_tokens") == config.max_output_tokens


def test_every_responses_scenario_is_replayed_here() -> None:
    replayed = [*ANSWERS, *STREAMS, *ERRORS]
    assert sorted(replayed) == sorted(NAMES) and len(set(NAMES)) == len(NAMES)
    assert {s.outcome for s in SCENARIOS} == {"text", "stream", "tool_calls", "structured", "error"}
    on_responses = [s.name for s in scenarios(PROVIDER) if s.name.startswith("responses_")]
    assert on_responses == NAMES  # every responses_* scenario names the protocol
    assert all(s.path.is_file() for s in SCENARIOS)


# --- non-streamed answers ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ANSWERS)
def test_answer(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    response = contract.replay_call(s, API_KEY)

    wire = contract.wire_json(s)
    assert wire["object"] == "response" and wire["store"] is False
    chat = response.chat_response
    assert chat is not None
    _check_chat(s, chat, wire)
    assert response.full_response == wire
    assert chat.provider_response is not None
    contract.assert_status(response, s, REQUEST_ID)
    assert contract.normalized(response) == snapshot


def test_text_is_one_message_item() -> None:
    wire = contract.wire_json(get(PROVIDER, "responses_text"))
    (item,) = wire["output"]
    assert (item["type"], item["role"], item["status"]) == ("message", "assistant", "completed")
    assert [part["type"] for part in item["content"]] == ["output_text"]
    assert (wire["status"], wire["incomplete_details"]) == ("completed", None)
    assert wire["instructions"] == recorded_request("responses_text")["instructions"]
    chat = contract.replay_call(get(PROVIDER, "responses_text"), API_KEY).chat_response
    assert chat is not None and chat.text() == "The capital of France is Paris."
    assert chat.finish_reason == "end_turn" and chat.reasoning() is None and chat.tools() == []


def test_reasoning_keeps_the_item_id_and_its_encrypted_content() -> None:
    s = get(PROVIDER, "responses_reasoning")
    wire = contract.wire_json(s)
    reasoning_item, message = wire["output"]
    assert reasoning_item["type"] == "reasoning" and message["type"] == "message"
    assert reasoning_item["id"].startswith("rs_")
    assert [p["type"] for p in reasoning_item["summary"]] == ["summary_text", "summary_text"]
    assert reasoning_item["encrypted_content"].startswith("gAAAAA")
    assert wire["reasoning"] == {"effort": "low", "summary": "detailed"}

    chat = contract.replay_call(s, API_KEY).chat_response
    assert chat is not None and chat.usage is not None
    thought, answer = chat.choices[0].contents
    assert isinstance(thought, ReasoningContent) and isinstance(answer, TextContent)
    assert thought.id == reasoning_item["id"]
    assert thought.signature == reasoning_item["encrypted_content"]
    assert thought.text == "".join(p["text"] for p in reasoning_item["summary"])
    assert not thought.redacted
    assert answer.text == wire_text(wire)
    assert chat.usage.reasoning_tokens == 256 and chat.usage.cache_read_tokens == 0
    assert chat.usage.completion_tokens > chat.usage.reasoning_tokens  # reasoning inside output
    assert chat.usage_charge is not None and chat.usage_charge.reasoning > 0


def test_tool_calls_are_the_two_weather_calls() -> None:
    s = get(PROVIDER, "responses_tool_calls")
    items = contract.wire_json(s)["output"]
    assert [item["type"] for item in items] == ["function_call", "function_call"]
    for item in items:
        assert item["id"].startswith("fc_") and item["call_id"].startswith("call_")
        assert item["id"] != item["call_id"] and item["status"] == "completed"
    chat = contract.replay_call(s, API_KEY).chat_response
    assert chat is not None and chat.text() == ""
    assert [c.id for c in chat.tools()] == [item["call_id"] for item in items]  # not the fc_ ids
    assert [(c.name, c.arguments) for c in chat.tools()] == [
        ("get_weather", {"location": "Paris, France"}),
        ("get_weather", {"location": "Tokyo, Japan"}),
    ]


def test_tool_requests_declare_get_weather_flat_with_explicit_strict() -> None:
    for name in ("responses_tool_calls", "responses_stream_tool_calls", "responses_tool_result"):
        body = recorded_request(name)
        (tool,) = body["tools"]
        # a Responses function tool is flat: no `function` wrapper
        assert set(tool) == {"type", "name", "description", "parameters", "strict"}
        assert (tool["type"], tool["name"]) == ("function", "get_weather")
        assert tool["strict"] is False  # strict defaults to true on Responses: sent explicitly
        assert tool["parameters"]["required"] == ["location"]
        assert "tool_choice" not in body  # auto, the default with tools


def test_tool_result_sends_back_the_calls_of_responses_tool_calls_and_their_results() -> None:
    answered = contract.wire_json(get(PROVIDER, "responses_tool_calls"))
    question, *calls, paris, tokyo = recorded_request("responses_tool_result")["input"]
    assert question == {"role": "user", "content": WEATHER_PROMPT}
    sent = [(c["type"], c["call_id"], c["name"], json.loads(c["arguments"])) for c in calls]
    assert sent == [
        ("function_call", call_id, name, json.loads(arguments))
        for call_id, name, arguments in wire_calls(answered)
    ]
    assert [paris, tokyo] == [
        {"type": "function_call_output", "call_id": sent[0][1], "output": PARIS_RESULT},
        {"type": "function_call_output", "call_id": sent[1][1], "output": TOKYO_RESULT},
    ]
    chat = contract.replay_call(get(PROVIDER, "responses_tool_result"), API_KEY).chat_response
    assert chat is not None and chat.finish_reason == "end_turn" and chat.tools() == []
    for city, result in (("Paris", PARIS_RESULT), ("Tokyo", TOKYO_RESULT)):
        assert city in chat.text() and result.split(",")[0] in chat.text()


def test_a_tool_call_turn_goes_back_as_it_came() -> None:
    """The ChatResponse of responses_tool_calls, sent back with the results: function_call items
    with the wire's call_id, name and arguments text, then the outputs quoting the call_id."""
    s = get(PROVIDER, "responses_tool_calls")
    chat = contract.replay_call(s, API_KEY).chat_response
    assert chat is not None
    results = Message("tool", [c.result(get_weather_result(c.arguments)) for c in chat.tools()])
    messages = [{"role": "user", "content": s.prompt}, chat.to_message_item(), results]
    with contract.client_for(s, API_KEY) as client:
        body = client.request_body(messages=messages)
    _question, *calls, paris, tokyo = body["input"]
    wire = wire_calls(contract.wire_json(s))
    assert [(c["type"], c["call_id"], c["name"], c["arguments"]) for c in calls] == [
        ("function_call", *call) for call in wire
    ]
    assert [paris["call_id"], tokyo["call_id"]] == [call_id for call_id, _n, _a in wire]
    assert [paris["output"], tokyo["output"]] == [PARIS_RESULT, TOKYO_RESULT]


def get_weather_result(arguments: dict[str, Any]) -> str:
    return PARIS_RESULT if arguments["location"].startswith("Paris") else TOKYO_RESULT


def test_structured_output_is_the_message_text_validated() -> None:
    s = get(PROVIDER, "responses_structured_output")
    text_format = recorded_request(s.name)["text"]["format"]
    assert (text_format["type"], text_format["name"], text_format["strict"]) == (
        "json_schema",
        "WeatherReport",
        True,
    )
    schema = text_format["schema"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["city", "temperature_c", "conditions"]
    assert "response_format" not in recorded_request(s.name)  # Chat Completions' field
    wire = contract.wire_json(s)
    assert wire_text(wire) == '{"city":"Paris","temperature_c":18.0,"conditions":"partly cloudy"}'
    assert wire["text"]["format"]["name"] == "WeatherReport"
    chat = contract.replay_call(s, API_KEY).chat_response
    assert chat is not None
    assert chat.structured() == EXPECTED_REPORT
    assert chat.finish_reason == "end_turn" and chat.tools() == []


def test_max_output_tokens_ends_an_incomplete_response() -> None:
    s = get(PROVIDER, "responses_max_tokens")
    assert recorded_request(s.name)["max_output_tokens"] == 16  # the API's minimum
    wire = contract.wire_json(s)
    assert wire["status"] == "incomplete"
    assert wire["incomplete_details"] == {"reason": "max_output_tokens"}
    assert wire["output"][0]["status"] == "incomplete"
    chat = contract.replay_call(s, API_KEY).chat_response
    assert chat is not None and chat.usage is not None
    assert chat.finish_reason == "max_tokens"
    assert chat.choices[0].finish_reason_raw == "max_output_tokens"
    assert chat.text() == wire_text(wire) and chat.text()  # the text so far is kept
    assert chat.usage.completion_tokens == 16


# --- streams ------------------------------------------------------------------------------------


def _check_stream(s: Scenario, result: dict[str, Any]) -> None:
    events = wire_events(s)
    wire = final_response(events)
    kinds = [e["type"] for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"]
    created = events[0]["response"]
    assert (
        created["status"] == "in_progress" and created["output"] == [] and created["usage"] is None
    )
    deltas = result["deltas"]

    # text and reasoning: the delta events, in order, and nothing from *.done or the final output
    text_deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    assert result["text_deltas"] == text_deltas
    thoughts = [e for e in events if e["type"] == "response.reasoning_summary_text.delta"]
    streamed = [d for d in deltas if isinstance(d, ReasoningDelta) and d.text]
    assert [(d.key, d.text) for d in streamed] == [(e["item_id"], e["delta"]) for e in thoughts]

    # tool calls: opened by output_item.added, argument fragments keyed by item_id
    expected_calls = []
    for e in events:
        if e["type"] == "response.output_item.added" and e["item"]["type"] == "function_call":
            item = e["item"]
            expected_calls.append(
                (item["id"], item["call_id"], item["name"], item["arguments"], False)
            )
        elif e["type"] == "response.function_call_arguments.delta":
            expected_calls.append((e["item_id"], None, None, e["delta"], True))
    tool_deltas = [d for d in deltas if isinstance(d, ToolCallDelta)]
    assert [(d.key, d.id, d.name, d.arguments, d.continues) for d in tool_deltas] == expected_calls

    # the final response: what the deltas built equals what response.completed repeats
    final = result["final"]
    chat = final.chat_response
    _check_chat(s, chat, wire)
    assert chat.text() == "".join(text_deltas)
    assert chat.reasoning() == ("".join(e["delta"] for e in thoughts) or None)
    for call_id, _name, arguments in wire_calls(wire):
        (item,) = [
            e["item"]
            for e in events
            if e["type"] == "response.output_item.added" and e["item"].get("call_id") == call_id
        ]
        fragments = [
            e["delta"]
            for e in events
            if e["type"] == "response.function_call_arguments.delta" and e["item_id"] == item["id"]
        ]
        assert item["arguments"] + "".join(fragments) == arguments
    done = {e["item"]["id"]: e["item"] for e in events if e["type"] == "response.output_item.done"}
    for content in chat.choices[0].contents:
        if isinstance(content, ReasoningContent):  # the item's final encrypted content
            assert content.signature == done[content.id]["encrypted_content"]
    assert (chat.id, chat.model) == (created["id"], created["model"])
    contract.assert_status(final, s, REQUEST_ID)


@pytest.mark.parametrize("name", STREAMS)
def test_stream_sync(name: str, snapshot: Any) -> None:
    assert contract.checked_stream(get(PROVIDER, name), API_KEY, _check_stream) == snapshot


@pytest.mark.parametrize("name", STREAMS)
async def test_stream_async(name: str) -> None:
    await contract.check_async_stream(get(PROVIDER, name), API_KEY, _check_stream)


def test_stream_text_arrives_in_several_deltas() -> None:
    s = get(PROVIDER, "responses_stream")
    events = wire_events(s)
    assert sum(e["type"] == "response.output_text.delta" for e in events) > 3
    assert "response.output_text.done" in [e["type"] for e in events]  # repeated, not appended
    chat = contract.stream_sync(s, API_KEY)["final"].chat_response
    assert chat.text() == "The capital of France is Paris." and chat.finish_reason == "end_turn"


def test_stream_reasoning_summary_then_the_encrypted_item() -> None:
    s = get(PROVIDER, "responses_stream_reasoning")
    events = wire_events(s)
    (added,) = [
        e for e in events if e["type"] == "response.output_item.added" and e["output_index"] == 0
    ]
    (done,) = [
        e for e in events if e["type"] == "response.output_item.done" and e["output_index"] == 0
    ]
    assert added["item"]["type"] == done["item"]["type"] == "reasoning"
    # the item opens with an early encrypted_content; the one to send back is the final one
    assert added["item"]["encrypted_content"] != done["item"]["encrypted_content"]
    summary_indexes = {
        e["summary_index"] for e in events if e["type"] == "response.reasoning_summary_text.delta"
    }
    assert summary_indexes == {0, 1}
    chat = contract.stream_sync(s, API_KEY)["final"].chat_response
    thought, answer = chat.choices[0].contents
    assert isinstance(thought, ReasoningContent) and isinstance(answer, TextContent)
    assert (thought.id, thought.signature) == (
        done["item"]["id"],
        done["item"]["encrypted_content"],
    )
    assert thought.text == "".join(p["text"] for p in done["item"]["summary"])
    assert chat.usage is not None and chat.usage.reasoning_tokens


def test_stream_tool_calls_are_the_two_weather_calls() -> None:
    s = get(PROVIDER, "responses_stream_tool_calls")
    events = wire_events(s)
    fragments = [e for e in events if e["type"] == "response.function_call_arguments.delta"]
    assert len({e["item_id"] for e in fragments}) == 2 and len(fragments) > 4
    chat = contract.stream_sync(s, API_KEY)["final"].chat_response
    assert chat.finish_reason == "tool_use"
    assert [(c.name, c.arguments) for c in chat.tools()] == [
        ("get_weather", {"location": "Paris, France"}),
        ("get_weather", {"location": "Tokyo, Japan"}),
    ]


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ERRORS)
def test_error(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    err = contract.call_error(s, API_KEY)
    wire = contract.wire_json(s)["error"]
    assert err.status == contract.interaction(s)["response"]["status"]["code"] == 400
    assert err.kind == "bad_request"
    assert (err.message, err.code, err.error_type) == (wire["message"], wire["code"], wire["type"])
    assert err.code == "model_not_found"  # /responses says 400 where Chat Completions says 404
    assert err.request_id == contract.wire_header(s, REQUEST_ID)
    assert contract.http_error_facts(err, {"error": wire}) == snapshot
    with contract.client_for(s, API_KEY) as client:
        assert err.status not in client.adapter.RETRY_STATUSES


# --- one code path, two protocols ---------------------------------------------------------------


def one_code_path(s: Scenario) -> Any:
    """The same public calls whatever the protocol: generate, and drain the stream if there is
    one; the final AIModelCallResponse."""
    from devtools.cassettes import replay

    with replay(s.path), AIModelClient(s.endpoint(API_KEY), s.call_config()) as client:
        response = client.generate(**s.call_args())
        if response.streamed:
            for _chunk, accumulated in response.stream_generator:  # type: ignore[union-attr]
                response = accumulated or response
    return response


@pytest.mark.parametrize(("chat_name", "responses_name"), PAIRS)
def test_one_code_path_gives_the_same_chat_response_shape(
    chat_name: str, responses_name: str
) -> None:
    on_chat, on_responses = get(PROVIDER, chat_name), get(PROVIDER, responses_name)
    assert (on_chat.protocol, on_responses.protocol) == (None, PROTOCOL)
    assert (on_chat.model, on_chat.prompt, on_chat.instructions) == (
        on_responses.model,
        on_responses.prompt,
        on_responses.instructions,
    )
    assert on_chat.config == on_responses.config  # the same call, another protocol
    with contract.client_for(on_chat, API_KEY) as client:
        assert client.model_endpoint.binding.protocol == "openai_chat"

    answers = [one_code_path(on_chat), one_code_path(on_responses)]
    chats = [answer.chat_response for answer in answers]
    assert contract.shape(contract.normalized(answers[0])) == contract.shape(
        contract.normalized(answers[1])
    )
    assert chats[0].finish_reason == chats[1].finish_reason
    calls = [[(c.name, c.arguments) for c in chat.tools()] for chat in chats]
    assert calls[0] == calls[1]
    if on_chat.outcome == "structured":
        assert [chat.structured() for chat in chats] == [EXPECTED_REPORT, EXPECTED_REPORT]
    assert {chat.choices[0].finish_reason_raw for chat in chats} <= {
        "stop",
        "tool_calls",
        "completed",
    }


# --- a reasoning turn goes back (store false) ---------------------------------------------------


def _reasoning_of(name: str) -> tuple[Any, dict[str, Any]]:
    """The scenario's ChatResponse and its wire reasoning item (final)."""
    s = get(PROVIDER, name)
    if s.outcome == "stream":
        chat = contract.stream_sync(s, API_KEY)["final"].chat_response
        output = final_response(wire_events(s))["output"]
    else:
        chat = contract.replay_call(s, API_KEY).chat_response
        output = contract.wire_json(s)["output"]
    (item,) = of_type(output, "reasoning")
    return chat, item


@pytest.mark.parametrize("name", REASONING)
def test_a_reasoning_turn_goes_back_with_its_id_and_encrypted_content(name: str) -> None:
    """Stateless multi-turn (store false): the reasoning item comes back as an input item with
    its id and its encrypted_content (include: reasoning.encrypted_content), a summary list of
    summary_text parts, and the answer's text."""
    s = get(PROVIDER, name)
    chat, item = _reasoning_of(name)
    body = contract.next_turn_body(s, API_KEY, chat, "And 1003?")
    assert body["store"] is False and body["include"] == ["reasoning.encrypted_content"]
    (sent,) = of_type([i for i in body["input"] if "type" in i], "reasoning")
    assert sent["id"] == item["id"] and sent["encrypted_content"] == item["encrypted_content"]
    assert set(sent) == {"type", "id", "summary", "encrypted_content"}
    assert all(part["type"] == "summary_text" for part in sent["summary"]) and sent["summary"]
    assert "".join(p["text"] for p in sent["summary"]) == "".join(
        p["text"] for p in item["summary"]
    )
    first, *_rest, last = body["input"]
    assert first == {"role": "user", "content": s.prompt}
    assert last == {"role": "user", "content": "And 1003?"}
    assert {"role": "assistant", "content": chat.text()} in body["input"]


@pytest.mark.parametrize("name", REASONING)
def test_the_reasoning_item_comes_back_before_the_answer_it_led_to(name: str) -> None:
    s = get(PROVIDER, name)
    chat, _item = _reasoning_of(name)
    body = contract.next_turn_body(s, API_KEY, chat, "And 1003?")
    kinds = [i.get("type") or i["role"] for i in body["input"]]
    assert kinds == ["user", "reasoning", "assistant", "user"]
