"""Contract tests for provider `anthropic`, protocol `anthropic_messages`.

Every scenario of devtools/scenarios.py replays its cassette (cassettes/anthropic/, origin in
cassettes/README.md; vcrpy `record_mode="none"`, so nothing reaches the network) through the
public API, sync and (for streams) async. The normalized result is pinned with a syrupy
snapshot, and the key facts are also asserted against the cassette's own wire body, read here
independently of modelwire: content blocks (text, signed thinking, tool_use with its input),
stop reasons, usage in modelwire's unified terms and its price, the `request-id` header, and
typed errors, HTTP ones and the `error` event inside a 200 stream. Request bodies are pinned for
every scenario and for a thinking turn sent back as history, and read for what they must carry:
the conversation (tool_use blocks and their tool_result blocks, an image block), the declared
tools, and structured output (native `output_config.format`, or a forced `structured_output`
tool). Structured-output scenarios (outcome "structured") are replayed through modelwire in
tests/test_tools.py; here their cassettes, request bodies and wire answers are checked.

`python tasks.py record anthropic` re-records the recordable cassettes with a real key.
"""

from __future__ import annotations

import base64
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from devtools.scenarios import REFERENCE_TABLE, Scenario, get, scenarios
from devtools.tooling import (
    EXPECTED_REPORT,
    IMAGE_PROMPT,
    PARIS_RESULT,
    RED_PNG,
    TOKYO_RESULT,
    WEATHER_PROMPT,
)
from modelwire import (
    AIModelCallConfig,
    AIModelCallResponse,
    ChatResponse,
    OverloadedError,
    RateLimitError,
    ReasoningContent,
    ReasoningDelta,
    TextContent,
    TextDelta,
    ToolCallContent,
    ToolCallDelta,
)
from tests.support import contract

PROVIDER = "anthropic"
API_KEY = "sk-ant-test-0000"  # not a key: what the tests pretend to send (never recorded)
SCENARIOS = scenarios(PROVIDER)
MESSAGES = [s.name for s in SCENARIOS if s.outcome in ("text", "tool_calls")]
STREAMS = [s.name for s in SCENARIOS if s.outcome == "stream"]
# replayed through modelwire in tests/test_tools.py; here the cassette and its wire answer
STRUCTURED = [s.name for s in SCENARIOS if s.outcome == "structured"]
ERRORS = [s.name for s in SCENARIOS if s.outcome == "error"]
HTTP_ERRORS = [n for n in ERRORS if n.startswith("error_")]
AUTHORED_ON = "2026-11-25"
DOCS = (
    "https://platform.claude.com/docs/",
    "https://docs.claude.com/",
    "https://docs.anthropic.com/",
)
URI = "https://api.anthropic.com/v1/messages"
REQUEST_ID = "request-id"


# --- the wire, read without modelwire ---------------------------------------------------------


def wire_events(s: Scenario) -> list[dict[str, Any]]:
    """The cassette's SSE events as JSON; each is named (`event:`) after its data's `type`."""
    events = []
    for name, data in contract.sse_events(s):
        event = json.loads(data)
        assert name == event["type"], f"{s.cassette}: `event: {name}` carries {event['type']}"
        events.append(event)
    return events


# content_block_delta types and the field each one carries
WIRE_DELTA_FIELD = {
    "text_delta": "text",
    "thinking_delta": "thinking",
    "signature_delta": "signature",
    "input_json_delta": "partial_json",
}


def streamed_message(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The Message a stream builds: message_start's message, its content blocks assembled from
    their deltas (tool input parsed once joined), message_delta's stop reason, and usage
    updated key by key by each message_delta (cumulative counts)."""
    assert events[0]["type"] == "message_start"
    message = dict(events[0]["message"])
    message["usage"] = dict(message["usage"])
    blocks: dict[int, dict[str, Any]] = {}
    for e in events:
        if e["type"] == "content_block_start":
            blocks[e["index"]] = dict(e["content_block"])
        elif e["type"] == "content_block_delta":
            block, delta = blocks[e["index"]], e["delta"]
            field = WIRE_DELTA_FIELD[delta["type"]]
            block[field] = block.get(field, "") + delta[field]
        elif e["type"] == "message_delta":
            message.update(e["delta"])
            message["usage"].update({k: v for k, v in e["usage"].items() if v is not None})
    for block in blocks.values():
        if "partial_json" in block:
            block["input"] = json.loads(block.pop("partial_json"))
    message["content"] = [blocks[i] for i in sorted(blocks)]
    return message


def usage_facts(usage: dict[str, Any]) -> dict[str, Any]:
    """Anthropic usage in modelwire's terms: input_tokens counts only what follows the last
    cache breakpoint, so prompt_tokens adds the cache reads and writes back."""
    read, write = usage["cache_read_input_tokens"], usage["cache_creation_input_tokens"]
    prompt = usage["input_tokens"] + read + write
    return {
        "prompt_tokens": prompt,
        "completion_tokens": usage["output_tokens"],
        "reasoning_tokens": None,  # thinking is billed inside output_tokens, not reported apart
        "cache_read_tokens": read,
        "cache_write_tokens": write,
        "total_tokens": prompt + usage["output_tokens"],
    }


def block_facts(block: dict[str, Any]) -> tuple[Any, ...]:
    kind = block["type"]
    if kind == "text":
        return ("text", block["text"])
    if kind == "thinking":
        return ("reasoning", block["thinking"], block["signature"])
    assert kind == "tool_use", block
    return ("tool_call", block["id"], block["name"], block["input"])


def content_facts(item: Any) -> tuple[Any, ...]:
    if isinstance(item, TextContent):
        return ("text", item.text)
    if isinstance(item, ReasoningContent):
        assert not item.redacted
        return ("reasoning", item.text, item.signature)
    assert isinstance(item, ToolCallContent) and item.parse_error is None
    return ("tool_call", item.id, item.name, item.arguments)


def check_chat(response: AIModelCallResponse, s: Scenario, message: dict[str, Any]) -> None:
    """modelwire's ChatResponse says what the wire Message says, and prices it right."""
    chat = response.chat_response
    assert chat is not None and chat.usage is not None and chat.usage_charge is not None
    assert [content_facts(c) for c in chat.choices[0].contents] == [
        block_facts(b) for b in message["content"]
    ]
    texts = [b["text"] for b in message["content"] if b["type"] == "text"]
    thoughts = [b["thinking"] for b in message["content"] if b["type"] == "thinking"]
    assert chat.text() == "".join(texts)
    assert chat.reasoning() == ("".join(thoughts) or None)
    assert chat.choices[0].finish_reason_raw == message["stop_reason"]
    assert chat.finish_reason == message["stop_reason"]  # end_turn, tool_use: same name
    assert chat.usage.to_dict() == usage_facts(message["usage"])
    assert (chat.id, chat.model) == (message["id"], message["model"])
    assert chat.id.startswith("msg_")  # type: ignore[union-attr]
    assert (chat.provider, chat.api_provider) == ("anthropic", "anthropic")

    pricing = s.ai_model().pricing
    assert pricing is not None and pricing.cached_input is not None
    assert pricing.cache_write is not None
    usage, charge = chat.usage, chat.usage_charge
    read, write = usage.cache_read_tokens or 0, usage.cache_write_tokens or 0
    fresh = usage.prompt_tokens - read - write  # type: ignore[operator]
    assert fresh == message["usage"]["input_tokens"]
    assert charge.input == pytest.approx(fresh * pricing.input / 1e6)
    assert charge.cached_input == pytest.approx(read * pricing.cached_input / 1e6)
    assert charge.cache_write == pytest.approx(write * pricing.cache_write / 1e6)
    assert charge.output == pytest.approx(usage.completion_tokens * pricing.output / 1e6)  # type: ignore[operator]
    assert charge.reasoning == 0
    parts = charge.input + charge.cached_input + charge.cache_write + charge.output
    assert charge.total == pytest.approx(parts) and charge.total > 0
    contract.assert_status(response, s, REQUEST_ID)


# --- the cassettes themselves -----------------------------------------------------------------


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.name)
def test_cassette_is_one_clean_interaction_with_its_origin(s: Scenario) -> None:
    recorded = contract.check_cassette(
        s, docs=DOCS, authored_on=AUTHORED_ON, uri=URI, request_id_header=REQUEST_ID
    )
    headers = recorded["request"]["headers"]
    assert headers["anthropic-version"] == ["2023-06-01"]
    # no scenario asks for a beta: structured outputs (output_config.format) are generally
    # available (https://platform.claude.com/docs/en/build-with-claude/structured-outputs)
    assert "anthropic-beta" not in {name.lower() for name in headers}
    assert headers["accept"] == [
        "text/event-stream" if s.call_config().streaming else "application/json"
    ]
    if s.outcome != "error" or s.name == "stream_error":
        assert recorded["response"]["status"]["code"] == 200


def expected_messages(s: Scenario) -> list[dict[str, Any]]:
    """The scenario's conversation as Messages API messages, built from devtools/tooling.py's
    constants rather than by modelwire: the prompt as one user message (one text: a string);
    the image question as a text block, then an image block with a base64 source; or the tool
    round trip, whose assistant message holds the calls the `tool_use` cassette answered (the
    same ids) and whose next user message holds a tool_result per call (tool results go back
    in a user message)."""
    if s.name == "image_input":
        data = base64.b64encode(RED_PNG).decode()
        source = {"type": "base64", "media_type": "image/png", "data": data}
        content = [{"type": "text", "text": IMAGE_PROMPT}, {"type": "image", "source": source}]
        return [{"role": "user", "content": content}]
    if s.name == "tool_result":
        answered = contract.wire_json(get(PROVIDER, "tool_use"))["content"]
        ids = [b["id"] for b in answered if b["type"] == "tool_use"]
        results = {"Paris, France": PARIS_RESULT, "Tokyo, Japan": TOKYO_RESULT}
        calls = [
            {"type": "tool_use", "id": i, "name": "get_weather", "input": {"location": place}}
            for i, place in zip(ids, results, strict=True)
        ]
        sent = [
            {"type": "tool_result", "tool_use_id": i, "content": result}
            for i, result in zip(ids, results.values(), strict=True)
        ]
        return [
            {"role": "user", "content": WEATHER_PROMPT},
            {"role": "assistant", "content": calls},
            {"role": "user", "content": sent},
        ]
    assert s.messages is None, f"{s.name}: say here what its conversation is on the wire"
    return [{"role": "user", "content": s.prompt}]


def check_tools(body: dict[str, Any], s: Scenario) -> None:
    """`tools`, `tool_choice` and `output_config` say what the call asks, read from the call's
    own definitions: each function a tool (its name, its docstring's first line, an object
    input_schema of its parameters, those without a default required), tool_choice left out
    (auto); structured output on a model with it natively as output_config.format (type
    json_schema, the output model's fields, all required, the object closed), else as one tool
    named `structured_output` over those fields, forced with tool_choice {type: tool}."""
    config: AIModelCallConfig = s.call_config()
    output_config = body.get("output_config", {})
    if config.structured_output is not None:
        fields = list(config.structured_output.model_fields)
        if "structured_output" in s.ai_model().capabilities:
            fmt = output_config["format"]
            schema = fmt["schema"]
            assert fmt["type"] == "json_schema" and "tools" not in body
            assert schema["additionalProperties"] is False
            assert "tool_choice" not in body
        else:
            assert "format" not in output_config
            (tool,) = body["tools"]
            schema = tool["input_schema"]
            assert tool["name"] == "structured_output"
            assert body["tool_choice"] == {"type": "tool", "name": tool["name"]}
        assert schema["type"] == "object" and list(schema["properties"]) == fields
        assert schema["required"] == fields
    elif config.tools:
        tools = body["tools"]
        assert [tool["name"] for tool in tools] == [f.__name__ for f in config.tools]
        for tool, function in zip(tools, config.tools, strict=True):
            parameters = inspect.signature(function).parameters
            schema = tool["input_schema"]
            assert tool["description"] == inspect.getdoc(function).splitlines()[0]  # type: ignore[union-attr]
            assert schema["type"] == "object" and set(schema["properties"]) == set(parameters)
            required = [n for n, p in parameters.items() if p.default is inspect.Parameter.empty]
            assert schema["required"] == required
        assert "tool_choice" not in body and "format" not in output_config
    else:
        assert "tools" not in body and "tool_choice" not in body and "format" not in output_config


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.name)
def test_cassette_request_body_is_what_modelwire_sends(s: Scenario, snapshot: Any) -> None:
    body = contract.check_request_body(s, API_KEY)
    config, model = s.call_config(), s.ai_model()
    assert body["model"] == s.endpoint(API_KEY).model_id
    assert body["messages"] == expected_messages(s)
    check_tools(body, s)
    assert body.get("system") == s.instructions
    assert body["max_tokens"] == (config.max_output_tokens or model.max_output_tokens)
    assert body.get("temperature") == config.temperature
    assert body.get("stream", False) is config.streaming
    assert ("thinking" in body) is config.reasoning
    if config.reasoning:
        budget = body["thinking"]["budget_tokens"]
        assert body["thinking"]["type"] == "enabled" and 1024 <= budget < body["max_tokens"]
    if body.get("system") == REFERENCE_TABLE:  # pinned by the cassette; not repeated here
        body["system"] = "<devtools.scenarios.REFERENCE_TABLE>"
    assert body == snapshot


def test_every_outcome_is_checked_here_or_in_test_tools() -> None:
    """Each scenario is replayed by one of this module's tests (text and tool calls, streams,
    errors), or its outcome is structured output, replayed in tests/test_tools.py and checked
    on the wire below; an outcome this module does not know fails here first."""
    replayed = set(MESSAGES) | set(STREAMS) | set(STRUCTURED) | set(ERRORS)
    assert replayed == {s.name for s in SCENARIOS}
    assert {s.outcome for s in SCENARIOS} <= {"text", "tool_calls", "stream", "structured", "error"}


# --- successful calls -------------------------------------------------------------------------


@pytest.mark.parametrize("name", MESSAGES)
def test_message(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    response = contract.replay_call(s, API_KEY)
    wire = contract.wire_json(s)
    assert wire["type"] == "message" and wire["role"] == "assistant"
    check_chat(response, s, wire)
    assert response.full_response == wire
    assert response.chat_response.provider_response is not None  # type: ignore[union-attr]
    assert contract.normalized(response) == snapshot


def test_thinking_keeps_the_signed_block_before_the_text() -> None:
    s = get(PROVIDER, "thinking")
    chat = contract.replay_call(s, API_KEY).chat_response
    assert chat is not None
    thinking, text = chat.choices[0].contents
    wire_block = contract.wire_json(s)["content"][0]
    assert isinstance(thinking, ReasoningContent) and isinstance(text, TextContent)
    assert thinking.signature == wire_block["signature"] and thinking.signature
    assert thinking.text == wire_block["thinking"] == chat.reasoning()
    assert chat.finish_reason == "end_turn"


def test_max_tokens_stop_reason() -> None:
    s = get(PROVIDER, "max_tokens")
    chat = contract.replay_call(s, API_KEY).chat_response
    assert chat is not None and chat.usage is not None
    assert chat.finish_reason == "max_tokens" and chat.choices[0].finish_reason_raw == "max_tokens"
    assert chat.usage.completion_tokens == s.call_config().max_output_tokens == 16
    assert chat.text()  # what came before the cut is kept


def test_tool_use_input_arrives_parsed() -> None:
    s = get(PROVIDER, "tool_use")
    chat = contract.replay_call(s, API_KEY).chat_response
    assert chat is not None
    assert chat.finish_reason == "tool_use" and chat.choices[0].finish_reason_raw == "tool_use"
    calls = chat.tools()
    assert [c.arguments for c in calls] == [
        {"location": "Paris, France", "unit": "celsius"},
        {"location": "Tokyo, Japan", "unit": "celsius"},
    ]
    assert all(c.id.startswith("toolu_") and c.name == "get_weather" for c in calls)  # type: ignore[union-attr]
    assert all(c.arguments_raw is None for c in calls)  # given as JSON values, not text


@pytest.mark.parametrize(
    ("name", "read", "written"), [("cache_write", False, True), ("cache_read", True, False)]
)
def test_cache_usage(name: str, read: bool, written: bool) -> None:
    s = get(PROVIDER, name)
    wire = contract.wire_json(s)["usage"]
    prompt = (
        wire["input_tokens"] + wire["cache_read_input_tokens"] + wire["cache_creation_input_tokens"]
    )
    contract.check_cache_usage(s, API_KEY, read=read, written=written, wire_prompt=prompt)


def delta_facts(delta: Any) -> tuple[str, Any]:
    """A modelwire delta as the wire delta it came from: (delta type, its content)."""
    if isinstance(delta, TextDelta):
        return ("text_delta", delta.text)
    if isinstance(delta, ReasoningDelta):
        if delta.signature:
            return ("signature_delta", delta.signature)
        return ("thinking_delta", delta.text)
    assert isinstance(delta, ToolCallDelta) and delta.continues
    return ("input_json_delta", delta.arguments)


def _check_stream(s: Scenario, result: dict[str, Any]) -> None:
    events = wire_events(s)
    assert [e["type"] for e in events][-2:] == ["message_delta", "message_stop"]
    assert any(e["type"] == "ping" for e in events)
    wire = [e["delta"] for e in events if e["type"] == "content_block_delta"]
    # a tool_use block opens (content_block_start) with its id, name and empty input
    opened = [d for d in result["deltas"] if isinstance(d, ToolCallDelta) and not d.continues]
    deltas = [d for d in result["deltas"] if d not in opened]
    assert [delta_facts(d) for d in deltas] == [
        (d["type"], d[WIRE_DELTA_FIELD[d["type"]]]) for d in wire
    ]
    assert result["text_deltas"] == [d["text"] for d in wire if d["type"] == "text_delta"]
    check_chat(result["final"], s, streamed_message(events))


@pytest.mark.parametrize("name", STREAMS)
def test_stream_sync(name: str, snapshot: Any) -> None:
    assert contract.checked_stream(get(PROVIDER, name), API_KEY, _check_stream) == snapshot


@pytest.mark.parametrize("name", STREAMS)
async def test_stream_async(name: str) -> None:
    await contract.check_async_stream(get(PROVIDER, name), API_KEY, _check_stream)


def test_streamed_tool_input_is_joined_then_parsed() -> None:
    s = get(PROVIDER, "stream_tool_use")
    result = contract.stream_sync(s, API_KEY)
    (opening,) = [d for d in result["deltas"] if isinstance(d, ToolCallDelta) and not d.continues]
    assert opening.arguments == {} and opening.name == "get_weather"  # content_block_start
    fragments = [
        d.arguments for d in result["deltas"] if isinstance(d, ToolCallDelta) and d.continues
    ]
    assert fragments[0] == ""  # the first input_json_delta is empty
    (tool,) = result["final"].chat_response.tools()
    assert tool.arguments_raw == "".join(fragments)
    assert tool.arguments == {"location": "Paris, France", "unit": "celsius"}
    assert result["final"].chat_response.finish_reason == "tool_use"


def test_parallel_streamed_calls_stay_apart_by_content_block_index() -> None:
    """Two tool_use blocks (index 1 and 2, after text block 0): each call is its own block's id,
    name and input_json_delta fragments joined, in block order."""
    s = get(PROVIDER, "stream_tool_calls")
    events = wire_events(s)
    started = {
        e["index"]: e["content_block"]
        for e in events
        if e["type"] == "content_block_start" and e["content_block"]["type"] == "tool_use"
    }
    joined = {
        index: "".join(
            e["delta"]["partial_json"]
            for e in events
            if e["type"] == "content_block_delta" and e["index"] == index
        )
        for index in started
    }
    assert sorted(started) == [1, 2]
    assert all(block["input"] == {} for block in started.values())  # input comes as deltas
    stopped = [e["index"] for e in events if e["type"] == "content_block_stop"]
    assert stopped == [0, 1, 2]
    chat = contract.stream_sync(s, API_KEY)["final"].chat_response
    wire = [started[index] for index in sorted(started)]
    contract.check_streamed_calls(
        chat, [(b["id"], b["name"]) for b in wire], [joined[i] for i in sorted(started)]
    )
    assert chat.text() == "".join(
        e["delta"]["text"]
        for e in events
        if e["type"] == "content_block_delta" and e["delta"]["type"] == "text_delta"
    )
    assert chat.finish_reason == "tool_use"


@pytest.mark.parametrize("name", STRUCTURED)
def test_structured_output_on_the_wire(name: str) -> None:
    """On the wire, structured output is what the request asked for: with output_config.format
    one text block whose text is JSON of the report (stop_reason end_turn); with a forced tool
    one tool_use block of the tool tool_choice names, no text before it (stop_reason tool_use),
    its input the report. Either validates as the call's output model. modelwire's reading of
    it is checked in tests/test_tools.py."""
    s = get(PROVIDER, name)
    request = json.loads(contract.interaction(s)["request"]["body"])
    wire = contract.wire_json(s)
    (block,) = wire["content"]
    if "output_config" in request:
        assert block["type"] == "text" and wire["stop_reason"] == "end_turn"
        value = json.loads(block["text"])
    else:
        forced = request["tool_choice"]["name"]
        assert block["type"] == "tool_use" and block["name"] == forced and block["id"]
        assert wire["stop_reason"] == "tool_use"
        value = block["input"]
    assert s.call_config().structured_output.model_validate(value) == EXPECTED_REPORT  # type: ignore[union-attr]


def test_each_tool_result_answers_a_call_of_the_turn_before() -> None:
    """Every tool_result of the round trip answers a tool_use of the assistant turn before it,
    and the text that comes back uses both results."""
    s = get(PROVIDER, "tool_result")
    _user, assistant, results = json.loads(contract.interaction(s)["request"]["body"])["messages"]
    calls = [b["id"] for b in assistant["content"] if b["type"] == "tool_use"]
    assert [b["tool_use_id"] for b in results["content"]] == calls
    assert all(b["type"] == "tool_result" for b in results["content"])
    chat = contract.replay_call(s, API_KEY).chat_response
    assert chat is not None and chat.tools() == [] and chat.finish_reason == "end_turn"
    assert "18°C" in chat.text() and "24°C" in chat.text()


def test_streamed_thinking_keeps_its_signature() -> None:
    s = get(PROVIDER, "stream_thinking")
    result = contract.stream_sync(s, API_KEY)
    (signature,) = [
        e["delta"]["signature"]
        for e in wire_events(s)
        if e.get("delta", {}).get("type") == "signature_delta"
    ]
    thinking = result["final"].chat_response.choices[0].contents[0]
    assert isinstance(thinking, ReasoningContent) and thinking.signature == signature
    deltas = result["deltas"]
    reasoning = [d for d in deltas if isinstance(d, ReasoningDelta)]
    assert "".join(d.get_reasoning_delta() for d in reasoning) == thinking.text
    assert all(d.get_text_delta() == "" for d in reasoning)  # reasoning is not answer text
    assert deltas[: len(reasoning)] == reasoning  # the thinking block streams first
    assert "".join(result["text_deltas"]) == result["final"].chat_response.text()


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HTTP_ERRORS)
def test_error(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    err = contract.call_error(s, API_KEY)
    body = contract.wire_json(s)
    assert body["type"] == "error"
    assert err.status == contract.interaction(s)["response"]["status"]["code"]
    assert err.request_id == contract.wire_header(s, REQUEST_ID) == body["request_id"]
    assert err.message == body["error"]["message"]
    assert err.error_type == body["error"]["type"]
    assert err.code is None  # Anthropic errors have a type, no code
    assert contract.http_error_facts(err, body) == snapshot


@pytest.mark.parametrize(
    ("name", "cls"), [("error_429", RateLimitError), ("error_529", OverloadedError)]
)
def test_retryable_status_with_retries_0_raises_at_once(name: str, cls: type) -> None:
    assert isinstance(contract.raised_at_once(get(PROVIDER, name), API_KEY), cls)


def test_rate_limit_carries_retry_after() -> None:
    s = get(PROVIDER, "error_429")
    assert contract.wire_header(s, "retry-after") == "8"
    assert contract.wire_header(s, "anthropic-ratelimit-input-tokens-remaining") == "0"
    err = contract.call_error(s, API_KEY)
    assert err.kind == "rate_limit" and err.error_type == "rate_limit_error"


def _check_stream_error(s: Scenario, err: Any) -> None:
    events = wire_events(s)
    error_event = events[-1]
    assert error_event["type"] == "error"
    assert isinstance(err, OverloadedError) and err.kind == "overloaded"
    assert err.status == 200  # the HTTP status was fine; the error came inside the stream
    assert err.message == error_event["error"]["message"]
    assert err.error_type == error_event["error"]["type"] == "overloaded_error"
    assert err.request_id == contract.wire_header(s, REQUEST_ID)
    partial = err.partial_response
    assert partial is not None and partial.chat_response is not None
    before = [e["delta"]["text"] for e in events if e["type"] == "content_block_delta"]
    assert before and partial.chat_response.text() == "".join(before)
    assert partial.chat_response.finish_reason is None  # it never finished
    assert partial.chat_response.id == events[0]["message"]["id"]


def test_error_event_inside_a_200_stream(snapshot: Any) -> None:
    s = get(PROVIDER, "stream_error")
    err = contract.call_error(s, API_KEY)
    _check_stream_error(s, err)
    assert contract.stream_error_facts(err) == snapshot


async def test_error_event_inside_a_200_stream_async() -> None:
    s = get(PROVIDER, "stream_error")
    _check_stream_error(s, await contract.call_error_async(s, API_KEY))


def test_text_before_an_error_event_is_yielded_before_the_error() -> None:
    s = get(PROVIDER, "stream_error")
    wire = [e["delta"]["text"] for e in wire_events(s) if e["type"] == "content_block_delta"]
    assert contract.texts_before_error(s, API_KEY) == wire


# --- a thinking turn sent back (no request is made) -------------------------------------------


@pytest.mark.parametrize("name", ["thinking", "stream_thinking"])
def test_thinking_turn_goes_back_with_its_signature(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    if s.call_config().streaming:
        first = contract.stream_sync(s, API_KEY)["final"].chat_response
    else:
        first = contract.replay_call(s, API_KEY).chat_response
    assert isinstance(first, ChatResponse)
    thinking = first.choices[0].contents[0]
    assert isinstance(thinking, ReasoningContent) and thinking.signature
    with contract.client_for(s, API_KEY) as client:
        body = client.request_body(
            messages=[
                {"role": "user", "content": s.prompt},
                first.to_message_item(),
                {"role": "user", "content": "Now explain it to a child."},
            ]
        )
    user, assistant, follow_up = body["messages"]
    assert user == {"role": "user", "content": s.prompt}
    assert follow_up == {"role": "user", "content": "Now explain it to a child."}
    assert assistant["role"] == "assistant"
    assert assistant["content"] == [
        {"type": "thinking", "thinking": thinking.text, "signature": thinking.signature},
        {"type": "text", "text": first.text()},
    ]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 1024}  # still on
    assert body == snapshot


# --- bad calls fail before any request --------------------------------------------------------


def test_thinking_with_a_changed_temperature_fails_before_any_request(tmp_path: Path) -> None:
    sonnet = contract.catalog("ClaudeSonnet45")
    message = contract.fails_before_any_request(
        tmp_path,
        PROVIDER,
        API_KEY,
        sonnet,
        reasoning=True,
        max_reasoning_tokens=1024,
        temperature=0.5,
    )
    assert "temperature=0.5" in message and "ClaudeSonnet45" in message


def test_thinking_budget_not_below_max_tokens_fails_before_any_request(tmp_path: Path) -> None:
    sonnet = contract.catalog("ClaudeSonnet45")
    message = contract.fails_before_any_request(
        tmp_path, PROVIDER, API_KEY, sonnet, max_reasoning_tokens=2048, max_output_tokens=2048
    )
    assert "(2048) must be below max_output_tokens (2048)" in message


# --- the recorder's guard rails (no network) --------------------------------------------------


def test_recorder_refuses_to_run_without_a_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    contract.assert_recorder_needs_key(PROVIDER, "ANTHROPIC_API_KEY", monkeypatch, capsys)
