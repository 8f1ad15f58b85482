"""Contract tests for provider `amazon_bedrock`, protocol `bedrock_converse`.

Every scenario of devtools/scenarios.py for Amazon Bedrock replays its cassette
(cassettes/amazon_bedrock/, origin in cassettes/README.md; vcrpy `record_mode="none"`, so nothing
reaches the network) through the public API, sync and (for streams) async, with requests signed
(SigV4) from made-up AWS keys. Converse answers are JSON; ConverseStream answers are binary AWS
event-stream frames, read here with botocore's EventStreamBuffer (prelude, headers, payload and
both CRC32 checks), independently of modelwire's decoder. The normalized result is pinned with a
syrupy snapshot, and the key facts are also asserted against the cassette's own wire data:
content blocks (text, signed reasoningContent, toolUse with its input), stop reasons, usage in
modelwire's unified terms and its price, the `x-amzn-RequestId` header, and typed errors (HTTP
errors with their `x-amzn-ErrorType`, and an exception frame inside a 200 stream). Request bodies
are pinned for every scenario and for a thinking turn sent back as history, checked against
botocore's bedrock-runtime service model, and read for what they must carry: the conversation
(tool calls and their toolResult blocks, an image block), toolConfig (the declared tool, or the
forced `structured_output` tool). Structured-output scenarios (outcome "structured") are replayed
through modelwire in tests/test_tools.py; here their cassettes, request bodies and wire answers
are checked.

`python tasks.py record amazon_bedrock` re-records the recordable cassettes with a Bedrock API
key; `python -m devtools.bedrock_cassettes` writes the authored event-stream ones.
"""

from __future__ import annotations

import base64
import inspect
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from devtools import bedrock_cassettes
from devtools.cassettes import leading_comment
from devtools.scenarios import BEDROCK_CACHED_SYSTEM, Scenario, get, scenarios
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
    RateLimitError,
    ReasoningContent,
    ReasoningDelta,
    TextDelta,
    ToolCallDelta,
)
from tests import test_contract_anthropic as anthropic_contract
from tests.support import contract

PROVIDER = "amazon_bedrock"
# made-up AWS keys the requests are signed with (the authorization header is never recorded)
CREDENTIALS = {
    "aws_access_key_id": "AKIAMODELWIRETEST000",
    "aws_secret_access_key": "modelwire-test-secret-access-key-0000",
}
SCENARIOS = scenarios(PROVIDER)
MESSAGES = [s.name for s in SCENARIOS if s.outcome in ("text", "tool_calls")]
STREAMS = [s.name for s in SCENARIOS if s.outcome == "stream"]
# replayed through modelwire in tests/test_tools.py; here the cassette and its wire answer
STRUCTURED = [s.name for s in SCENARIOS if s.outcome == "structured"]
HTTP_ERRORS = [s.name for s in SCENARIOS if s.name.startswith("error_")]
EVENT_STREAMS = [s.name for s in SCENARIOS if s.call_config().streaming]
AUTHORED_ON = "2026-11-25"
DOCS = ("https://docs.aws.amazon.com/", "https://smithy.io/")
HOST = "https://bedrock-runtime.us-east-1.amazonaws.com"
REQUEST_ID = "x-amzn-RequestId"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
EVENTSTREAM = "application/vnd.amazon.eventstream"
# the members of ConverseStreamOutput that are events (the others are exceptions)
STREAM_EVENTS = {
    "messageStart",
    "contentBlockStart",
    "contentBlockDelta",
    "contentBlockStop",
    "messageStop",
    "metadata",
}
# HTTP status -> (x-amzn-ErrorType, modelwire error class) of the Converse errors
ERRORS = {
    400: ("ValidationException", "BadRequestError"),
    403: ("AccessDeniedException", "PermissionDeniedError"),
    429: ("ThrottlingException", "RateLimitError"),
}


@pytest.fixture(autouse=True)
def _signed_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests are signed with CREDENTIALS, never sent with a Bedrock API key of the
    environment (which AIModelAPI would prefer)."""
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)


def expected_uri(s: Scenario) -> str:
    """POST /model/{modelId}/converse (or /converse-stream), the model id being the catalog's
    Bedrock id with its default cross-region inference profile (`us.` in us-east-1),
    URL-quoted (`:` is `%3A`)."""
    model_id = s.endpoint(CREDENTIALS).model_id
    assert model_id == f"us.{s.ai_model().id_for(PROVIDER)}"
    operation = "converse-stream" if s.call_config().streaming else "converse"
    return f"{HOST}/model/{quote(model_id, safe='')}/{operation}"


# --- the wire, read without modelwire ---------------------------------------------------------


def frames(s: Scenario) -> list[tuple[dict[str, Any], Any]]:
    """The cassette's event-stream body as (frame headers, JSON payload), decoded and checked
    (prelude and message CRC32) by botocore, which must consume every byte."""
    from botocore.eventstream import EventStreamBuffer

    body = contract.interaction(s)["response"]["body"]["string"]
    assert isinstance(body, bytes), f"{s.cassette}: an event stream is binary (!!binary)"
    buffer = EventStreamBuffer()
    buffer.add_data(body)
    messages = list(buffer)
    assert sum(m.prelude.total_length for m in messages) == len(body)
    return [(m.headers, json.loads(m.payload)) for m in messages]


def wire_events(s: Scenario) -> list[tuple[str, dict[str, Any]]]:
    """The stream's events as (:event-type, payload), up to an exception frame if any."""
    out = []
    for headers, payload in frames(s):
        if headers[":message-type"] != "event":
            break
        out.append((headers[":event-type"], payload))
    return out


def streamed_response(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The Converse response a stream adds up to: content blocks by contentBlockIndex (text and
    reasoning text joined, the signature kept, a toolUse's input text joined, then parsed),
    messageStop's stopReason, and metadata's usage and metrics."""
    (role,) = [p["role"] for kind, p in events if kind == "messageStart"]
    blocks: dict[int, dict[str, Any]] = {}
    response: dict[str, Any] = {}
    for kind, p in events:
        if kind == "contentBlockStart":
            blocks[p["contentBlockIndex"]] = {"toolUse": {**p["start"]["toolUse"], "input": ""}}
        elif kind == "contentBlockDelta":
            block, delta = blocks.setdefault(p["contentBlockIndex"], {}), p["delta"]
            if "text" in delta:
                block["text"] = block.get("text", "") + delta["text"]
            elif "reasoningContent" in delta:
                default = {"reasoningText": {"text": ""}}
                reasoning = block.setdefault("reasoningContent", default)["reasoningText"]
                reasoning["text"] += delta["reasoningContent"].get("text", "")
                if "signature" in delta["reasoningContent"]:
                    reasoning["signature"] = delta["reasoningContent"]["signature"]
            else:
                block["toolUse"]["input"] += delta["toolUse"]["input"]
        elif kind == "messageStop":
            response["stopReason"] = p["stopReason"]
        elif kind == "metadata":
            response.update(usage=p["usage"], metrics=p["metrics"])
    for block in blocks.values():
        if "toolUse" in block:
            block["toolUse"]["input"] = json.loads(block["toolUse"]["input"])
    content = [blocks[i] for i in sorted(blocks)]
    return {"output": {"message": {"role": role, "content": content}}, **response}


def usage_facts(usage: dict[str, Any]) -> dict[str, Any]:
    """TokenUsage in modelwire's terms: inputTokens is read as leaving out what was read from or
    written to the prompt cache (the bedrock_converse usage rule), so prompt_tokens adds both
    back."""
    read, write = usage.get("cacheReadInputTokens"), usage.get("cacheWriteInputTokens")
    prompt = usage["inputTokens"] + (read or 0) + (write or 0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": usage["outputTokens"],
        "reasoning_tokens": None,  # Claude's thinking is billed inside outputTokens
        "cache_read_tokens": read,
        "cache_write_tokens": write,
        "total_tokens": prompt + usage["outputTokens"],
    }


def block_facts(block: dict[str, Any]) -> tuple[Any, ...]:
    """A ContentBlock as anthropic_contract.content_facts says a content item."""
    if "reasoningContent" in block:
        reasoning = block["reasoningContent"]["reasoningText"]
        return ("reasoning", reasoning["text"], reasoning.get("signature"))
    if "toolUse" in block:
        tool = block["toolUse"]
        return ("tool_call", tool["toolUseId"], tool["name"], tool["input"])
    return ("text", block["text"])


def check_chat(response: AIModelCallResponse, s: Scenario, wire: dict[str, Any]) -> None:
    """modelwire's ChatResponse says what the wire ConverseResponse says, and prices it right."""
    chat = response.chat_response
    assert chat is not None and chat.usage is not None
    message = wire["output"]["message"]
    assert message["role"] == "assistant"
    assert [anthropic_contract.content_facts(c) for c in chat.choices[0].contents] == [
        block_facts(b) for b in message["content"]
    ]
    texts = [b["text"] for b in message["content"] if "text" in b]
    thoughts = [
        b["reasoningContent"]["reasoningText"]["text"]
        for b in message["content"]
        if "reasoningContent" in b
    ]
    assert chat.text() == "".join(texts)
    assert chat.reasoning() == ("".join(thoughts) or None)
    assert chat.choices[0].finish_reason_raw == wire["stopReason"]
    assert chat.finish_reason == wire["stopReason"]  # end_turn, tool_use: the same names
    assert chat.usage.to_dict() == usage_facts(wire["usage"])
    model = s.ai_model()
    assert (chat.provider, chat.api_provider) == (model.creator, PROVIDER)
    assert chat.id is None  # a Converse response carries no id
    assert chat.model == s.endpoint(CREDENTIALS).model_id  # nor a model: the id that was called
    contract.assert_status(response, s, REQUEST_ID)

    pricing = model.pricing_for(PROVIDER)
    if pricing is None:  # the catalog has no Bedrock price for it (pricing_missing)
        assert chat.usage_charge is None
        return
    assert chat.usage_charge is not None
    usage = wire["usage"]
    contract.assert_charge(
        chat.usage_charge,
        pricing,
        fresh_input=usage["inputTokens"],
        cache_read=usage.get("cacheReadInputTokens", 0),
        cache_write=usage.get("cacheWriteInputTokens", 0),
        output=usage["outputTokens"],
    )


# --- the cassettes themselves -----------------------------------------------------------------


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.name)
def test_cassette_is_one_clean_interaction_with_its_origin(s: Scenario) -> None:
    recorded = contract.check_cassette(
        s,
        docs=DOCS,
        authored_on=AUTHORED_ON,
        uri=expected_uri(s),
        request_id_header=REQUEST_ID,
        request_id_pattern=UUID,
    )
    headers = recorded["request"]["headers"]
    # signed with SigV4: x-amz-date is kept, authorization never written
    assert {"accept", "content-type", "user-agent"} <= set(headers)
    assert set(headers) <= {"accept", "content-type", "user-agent", "x-amz-date"}
    streaming = s.call_config().streaming
    assert headers["accept"] == [EVENTSTREAM if streaming else "application/json"]
    status = recorded["response"]["status"]["code"]
    assert (status == 200) is (not s.name.startswith("error_"))
    content_type = contract.wire_header(s, "content-type")
    assert content_type == (EVENTSTREAM if status == 200 and streaming else "application/json")
    if status != 200:
        assert contract.wire_header(s, "x-amzn-ErrorType") == ERRORS[status][0]


@pytest.mark.parametrize("name", EVENT_STREAMS)
def test_event_stream_frames_are_events_of_converse_stream_output(name: str) -> None:
    """Every frame is an event (`:message-type` event, `:event-type` a ConverseStreamOutput
    member, a JSON payload), but a last `exception` frame, as the event-stream spec says."""
    s = get(PROVIDER, name)
    decoded = frames(s)
    *events, last = decoded
    for headers, _payload in events:
        assert headers[":message-type"] == "event"
        assert headers[":event-type"] in STREAM_EVENTS
        assert headers[":content-type"] == "application/json"
    if s.outcome == "error":
        assert last[0][":message-type"] == "exception" and ":event-type" not in last[0]
        assert set(last[1]) == {"message"}
    else:
        assert [kind for kind, _ in wire_events(s)][-2:] == ["messageStop", "metadata"]
    assert wire_events(s)[0] == ("messageStart", {"role": "assistant"})


def test_authored_event_streams_are_what_the_script_writes() -> None:
    """`python -m devtools.bedrock_cassettes` writes exactly the committed bytes of every
    authored event-stream cassette (its request bodies are checked like any other's)."""
    assert sorted(c.name for c in bedrock_cassettes.CASSETTES) == sorted(EVENT_STREAMS)
    for cassette in bedrock_cassettes.CASSETTES:
        path = cassette.scenario.path
        if leading_comment(path)[0].startswith("Authored"):
            assert path.read_text(encoding="utf-8") == cassette.render(), path
    assert bedrock_cassettes.main(["--check"]) == 0


def expected_messages(s: Scenario) -> list[dict[str, Any]]:
    """The scenario's conversation as Converse messages, built from devtools/tooling.py's
    constants rather than by modelwire: the prompt as one user text block; the image question
    with an image block (format png, source.bytes the PNG base64-encoded, a blob in JSON); or
    the tool round trip, whose assistant message holds the calls the `tool_use` cassette
    answered (the same toolUseIds) and whose next user message holds a toolResult per call."""
    if s.name == "image_input":
        image = {"format": "png", "source": {"bytes": base64.b64encode(RED_PNG).decode()}}
        return [{"role": "user", "content": [{"text": IMAGE_PROMPT}, {"image": image}]}]
    if s.name == "tool_result":
        answered = contract.wire_json(get(PROVIDER, "tool_use"))["output"]["message"]["content"]
        ids = [b["toolUse"]["toolUseId"] for b in answered if "toolUse" in b]
        results = {"Paris, France": PARIS_RESULT, "Tokyo, Japan": TOKYO_RESULT}
        calls = [
            {"toolUse": {"toolUseId": i, "name": "get_weather", "input": {"location": place}}}
            for i, place in zip(ids, results, strict=True)
        ]
        sent = [
            {"toolResult": {"toolUseId": i, "content": [{"text": result}]}}
            for i, result in zip(ids, results.values(), strict=True)
        ]
        return [
            {"role": "user", "content": [{"text": WEATHER_PROMPT}]},
            {"role": "assistant", "content": calls},
            {"role": "user", "content": sent},  # tool results go back in a user message
        ]
    assert s.messages is None, f"{s.name}: say here what its conversation is on the wire"
    return [{"role": "user", "content": [{"text": s.prompt}]}]


def check_tool_config(body: dict[str, Any], config: AIModelCallConfig) -> None:
    """toolConfig (ToolConfiguration) says what the call asks, read from the call's own
    definitions: each function a toolSpec (its name, its docstring's first line, an object
    schema of its parameters, those without a default required) left to the model's choice
    (no toolChoice: auto); structured output one tool named `structured_output` over the
    output model's fields, forced with toolChoice.tool (no native outputConfig); else none."""
    tool_config = body.get("toolConfig")
    assert "outputConfig" not in body
    if config.structured_output is not None:
        (tool,) = tool_config["tools"]
        spec, fields = tool["toolSpec"], list(config.structured_output.model_fields)
        schema = spec["inputSchema"]["json"]
        assert spec["name"] == "structured_output"
        assert schema["type"] == "object" and list(schema["properties"]) == fields
        assert schema["required"] == fields
        assert tool_config["toolChoice"] == {"tool": {"name": spec["name"]}}
    elif config.tools:
        specs = [tool["toolSpec"] for tool in tool_config["tools"]]
        assert [spec["name"] for spec in specs] == [f.__name__ for f in config.tools]
        for spec, function in zip(specs, config.tools, strict=True):
            parameters = inspect.signature(function).parameters
            schema = spec["inputSchema"]["json"]
            assert spec["description"] == inspect.getdoc(function).splitlines()[0]
            assert schema["type"] == "object" and set(schema["properties"]) == set(parameters)
            required = [n for n, p in parameters.items() if p.default is inspect.Parameter.empty]
            assert schema["required"] == required
        assert "toolChoice" not in tool_config
    else:
        assert tool_config is None


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.name)
def test_cassette_request_body_is_what_modelwire_sends(s: Scenario, snapshot: Any) -> None:
    body = contract.check_request_body(s, CREDENTIALS)
    config = s.call_config()
    assert body["messages"] == expected_messages(s)
    check_tool_config(body, config)
    system = [{"text": s.instructions}] if s.instructions else None
    assert body.get("system") == config.options.get("system", system)
    inference = body.get("inferenceConfig", {})
    assert inference.get("maxTokens") == config.max_output_tokens
    assert inference.get("temperature") == config.temperature
    assert "stream" not in body and "modelId" not in body  # the operation and the id are the URL
    thinking = body.get("additionalModelRequestFields", {}).get("thinking")
    if config.reasoning:
        assert thinking == {"type": "enabled", "budget_tokens": config.max_reasoning_tokens}
        assert thinking["budget_tokens"] < inference["maxTokens"]
    else:
        assert thinking is None
    if body.get("system") == BEDROCK_CACHED_SYSTEM["system"]:  # pinned by the cassette
        body["system"][0]["text"] = "<devtools.scenarios.REFERENCE_TABLE>"
    assert body == snapshot


@pytest.mark.parametrize("s", SCENARIOS, ids=lambda s: s.name)
def test_cassette_request_body_is_a_valid_converse_request(s: Scenario) -> None:
    """Each recorded body, with the model id of its URL, validates against the Converse (or
    ConverseStream) input shape of botocore's bedrock-runtime service model, the API model AWS
    publishes (blobs such as image bytes are base64 text in JSON)."""
    from botocore.session import get_session
    from botocore.validate import ParamValidator

    service = get_session().get_service_model("bedrock-runtime")
    operation = service.operation_model(
        "ConverseStream" if s.call_config().streaming else "Converse"
    )
    body = json.loads(contract.interaction(s)["request"]["body"])
    params = {"modelId": s.endpoint(CREDENTIALS).model_id, **body}
    report = ParamValidator().validate(params, operation.input_shape)
    assert not report.has_errors(), report.generate_report()


def test_every_outcome_is_checked_here_or_in_test_tools() -> None:
    """Each scenario is replayed by one of this module's tests (text and tool calls, streams,
    errors), or its outcome is structured output, replayed in tests/test_tools.py and checked
    on the wire below; an outcome this module does not know fails here first."""
    replayed = set(MESSAGES) | set(STREAMS) | set(STRUCTURED)
    replayed |= {s.name for s in SCENARIOS if s.outcome == "error"}
    assert replayed == {s.name for s in SCENARIOS}
    assert {s.outcome for s in SCENARIOS} <= {"text", "tool_calls", "stream", "structured", "error"}


# --- successful calls -------------------------------------------------------------------------


@pytest.mark.parametrize("name", MESSAGES)
def test_message(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    response = contract.replay_call(s, CREDENTIALS)
    wire = contract.wire_json(s)
    check_chat(response, s, wire)
    assert response.full_response == wire
    assert contract.normalized(response) == snapshot


def test_thinking_keeps_the_signed_reasoning_block_before_the_text() -> None:
    s = get(PROVIDER, "thinking")
    chat = contract.replay_call(s, CREDENTIALS).chat_response
    assert chat is not None
    reasoning, answer = chat.choices[0].contents
    wire_block = contract.wire_json(s)["output"]["message"]["content"][0]["reasoningContent"]
    assert isinstance(reasoning, ReasoningContent) and not reasoning.redacted
    assert reasoning.signature == wire_block["reasoningText"]["signature"] and reasoning.signature
    assert reasoning.text == wire_block["reasoningText"]["text"] == chat.reasoning()
    assert answer.text == chat.text() and chat.finish_reason == "end_turn"  # type: ignore[union-attr]


def test_tool_use_input_arrives_parsed() -> None:
    s = get(PROVIDER, "tool_use")
    chat = contract.replay_call(s, CREDENTIALS).chat_response
    assert chat is not None
    assert chat.finish_reason == "tool_use" and chat.choices[0].finish_reason_raw == "tool_use"
    calls = chat.tools()
    assert [c.arguments for c in calls] == [
        {"location": "Paris, France", "unit": "celsius"},
        {"location": "Tokyo, Japan", "unit": "celsius"},
    ]
    assert all(c.id.startswith("tooluse_") and c.name == "get_weather" for c in calls)  # type: ignore[union-attr]
    assert all(c.arguments_raw is None for c in calls)  # given as JSON values, not text
    assert chat.text()  # the text block before the calls is kept


@pytest.mark.parametrize(
    ("name", "read", "written"), [("cache_write", False, True), ("cache_read", True, False)]
)
def test_cache_usage(name: str, read: bool, written: bool) -> None:
    s = get(PROVIDER, name)
    wire = contract.wire_json(s)["usage"]
    prompt = wire["inputTokens"] + wire["cacheReadInputTokens"] + wire["cacheWriteInputTokens"]
    contract.check_cache_usage(s, CREDENTIALS, read=read, written=written, wire_prompt=prompt)


def test_nova_answers_through_the_same_converse_shapes() -> None:
    s = get(PROVIDER, "nova_text")
    chat = contract.replay_call(s, CREDENTIALS).chat_response
    assert chat is not None and chat.usage is not None
    assert (chat.provider, chat.api_provider) == ("amazon", PROVIDER)
    assert chat.text() and chat.reasoning() is None and chat.finish_reason == "end_turn"
    assert chat.usage.cache_read_tokens is None  # not reported: no cache fields on the wire
    # priced at the AWS Price List rates (secondary source: genai-prices): $0.06 / $0.24 per 1M
    charge = chat.usage_charge
    assert charge is not None and chat.usage.prompt_tokens and chat.usage.completion_tokens
    assert charge.input == round(chat.usage.prompt_tokens * 0.06 / 1e6, 10)
    assert charge.output == round(chat.usage.completion_tokens * 0.24 / 1e6, 10)


def delta_facts(delta: Any) -> tuple[str, Any]:
    """A modelwire delta as the ContentBlockDelta it came from: (delta member, its value)."""
    if isinstance(delta, TextDelta):
        return ("text", delta.text)
    if isinstance(delta, ReasoningDelta):
        if delta.signature:
            return ("reasoningContent", {"signature": delta.signature})
        return ("reasoningContent", {"text": delta.text})
    assert isinstance(delta, ToolCallDelta) and delta.continues
    return ("toolUse", {"input": delta.arguments})


def check_stream(s: Scenario, result: dict[str, Any]) -> None:
    """Each delta is the wire's, under its block's contentBlockIndex: a toolUse block opens
    (contentBlockStart) with its id and name, then its input fragments follow."""
    events = wire_events(s)
    wire = [
        (p["contentBlockIndex"], p["delta"]) for kind, p in events if kind == "contentBlockDelta"
    ]
    started = [
        (p["contentBlockIndex"], p["start"]["toolUse"])
        for kind, p in events
        if kind == "contentBlockStart"
    ]
    opened = [d for d in result["deltas"] if isinstance(d, ToolCallDelta) and not d.continues]
    assert [(d.key, {"toolUseId": d.id, "name": d.name}) for d in opened] == started
    deltas = [d for d in result["deltas"] if d not in opened]
    assert [(d.key, delta_facts(d)) for d in deltas] == [
        (index, next(iter(d.items()))) for index, d in wire
    ]
    assert result["text_deltas"] == [d["text"] for _, d in wire if "text" in d]
    check_chat(result["final"], s, streamed_response(events))


@pytest.mark.parametrize("name", STREAMS)
def test_stream_sync(name: str, snapshot: Any) -> None:
    assert contract.checked_stream(get(PROVIDER, name), CREDENTIALS, check_stream) == snapshot


@pytest.mark.parametrize("name", STREAMS)
async def test_stream_async(name: str) -> None:
    await contract.check_async_stream(get(PROVIDER, name), CREDENTIALS, check_stream)


def test_streamed_thinking_keeps_its_signature() -> None:
    s = get(PROVIDER, "stream_thinking")
    result = contract.stream_sync(s, CREDENTIALS)
    (signature,) = [
        p["delta"]["reasoningContent"]["signature"]
        for kind, p in wire_events(s)
        if "signature" in p.get("delta", {}).get("reasoningContent", {})
    ]
    reasoning = result["final"].chat_response.choices[0].contents[0]
    assert isinstance(reasoning, ReasoningContent) and reasoning.signature == signature
    deltas = result["deltas"]
    thinking = [d for d in deltas if isinstance(d, ReasoningDelta)]
    assert "".join(d.get_reasoning_delta() for d in thinking) == reasoning.text
    assert all(d.get_text_delta() == "" for d in thinking)  # reasoning is not answer text
    assert deltas[: len(thinking)] == thinking  # the reasoning block streams first
    assert "".join(result["text_deltas"]) == result["final"].chat_response.text()


def test_streamed_tool_input_is_joined_then_parsed() -> None:
    s = get(PROVIDER, "stream_tool_use")
    result = contract.stream_sync(s, CREDENTIALS)
    calls = [d for d in result["deltas"] if isinstance(d, ToolCallDelta)]
    opening, *fragments = calls
    assert not opening.continues and opening.name == "get_weather"  # contentBlockStart
    assert all(f.continues for f in fragments)
    (tool,) = result["final"].chat_response.tools()
    assert tool.arguments_raw == "".join(f.arguments for f in fragments)
    assert tool.arguments == {"location": "Paris, France", "unit": "celsius"}
    assert tool.id == opening.id and tool.id.startswith("tooluse_")
    assert result["final"].chat_response.finish_reason == "tool_use"


def test_parallel_streamed_calls_stay_apart_by_content_block_index() -> None:
    """Two toolUse blocks (contentBlockIndex 1 and 2, after text block 0): each call is its own
    block's id, name and input fragments joined, in block order."""
    s = get(PROVIDER, "stream_tool_calls")
    events = wire_events(s)
    started = {
        p["contentBlockIndex"]: p["start"]["toolUse"]
        for kind, p in events
        if kind == "contentBlockStart"
    }
    joined = {
        index: "".join(
            p["delta"]["toolUse"]["input"]
            for kind, p in events
            if kind == "contentBlockDelta" and p["contentBlockIndex"] == index
        )
        for index in started
    }
    assert sorted(started) == [1, 2]
    chat = contract.stream_sync(s, CREDENTIALS)["final"].chat_response
    wire = [started[index] for index in sorted(started)]
    contract.check_streamed_calls(
        chat, [(u["toolUseId"], u["name"]) for u in wire], [joined[i] for i in sorted(started)]
    )
    assert chat.text() == "".join(
        p["delta"]["text"]
        for kind, p in events
        if kind == "contentBlockDelta" and "text" in p["delta"]
    )
    assert chat.finish_reason == "tool_use"


@pytest.mark.parametrize("name", STRUCTURED)
def test_structured_output_is_one_call_of_the_forced_tool(name: str) -> None:
    """On the wire, structured output is the forced tool's call: the answer is one toolUse
    block of the tool the request's toolChoice names, stopReason tool_use, and its input is
    the report (it validates as the call's output model). modelwire's reading of it is checked
    in tests/test_tools.py."""
    s = get(PROVIDER, name)
    request = json.loads(contract.interaction(s)["request"]["body"])
    forced = request["toolConfig"]["toolChoice"]["tool"]["name"]
    wire = contract.wire_json(s)
    (block,) = wire["output"]["message"]["content"]
    assert block["toolUse"]["name"] == forced and block["toolUse"]["toolUseId"]
    assert wire["stopReason"] == "tool_use"
    report = s.call_config().structured_output.model_validate(block["toolUse"]["input"])
    assert report == EXPECTED_REPORT


def test_the_same_claude_constant_gives_the_same_response_shape_on_anthropic_and_bedrock() -> None:
    """Claude37Sonnet through AMAZON_BEDROCK (Converse) and through ANTHROPIC, with the same
    calling code: one ChatResponse shape. Only what the Converse wire does not carry is absent
    on Bedrock: the response id, and cache counts of a call that touched no cache."""
    bedrock, anthropic = contract.chats_here_and_on_anthropic(get(PROVIDER, "text"), CREDENTIALS)
    for chat in (bedrock, anthropic):  # each provider's own wire body
        chat.pop("provider_response")
    assert bedrock.pop("id") is None and anthropic.pop("id")
    for field in ("cache_read_tokens", "cache_write_tokens"):
        assert bedrock["usage"].pop(field) is None and anthropic["usage"].pop(field) == 0
    assert contract.shape(bedrock) == contract.shape(anthropic)


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HTTP_ERRORS)
def test_http_error(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    err = contract.call_error(s, CREDENTIALS)
    body = contract.wire_json(s)
    status = contract.interaction(s)["response"]["status"]["code"]
    error_type, error_class = ERRORS[status]
    assert type(err).__name__ == error_class == s.error
    assert contract.wire_header(s, "x-amzn-ErrorType") == error_type
    assert err.status == status
    assert set(body) == {"message"} and err.message == body["message"]
    assert err.request_id == contract.wire_header(s, REQUEST_ID)
    assert contract.http_error_facts(err, body) == snapshot


def test_rate_limit_with_retries_0_raises_at_once() -> None:
    err = contract.raised_at_once(get(PROVIDER, "error_429"), CREDENTIALS)
    assert isinstance(err, RateLimitError) and err.kind == "rate_limit"


@pytest.mark.parametrize("name", HTTP_ERRORS)
def test_http_error_type_comes_from_the_error_type_header(name: str) -> None:
    s = get(PROVIDER, name)
    err = contract.call_error(s, CREDENTIALS)
    assert err.error_type == contract.wire_header(s, "x-amzn-ErrorType")


def check_stream_error(s: Scenario, err: Any) -> None:
    headers, payload = frames(s)[-1]
    assert headers[":message-type"] == "exception"
    assert isinstance(err, RateLimitError) and err.kind == "rate_limit"
    assert err.status == 200  # the HTTP status was fine; the error came inside the stream
    assert err.message == payload["message"]
    assert err.error_type == headers[":exception-type"] == "throttlingException"
    assert err.request_id == contract.wire_header(s, REQUEST_ID)
    partial = err.partial_response
    assert partial is not None and partial.chat_response is not None
    before = [p["delta"]["text"] for kind, p in wire_events(s) if kind == "contentBlockDelta"]
    assert before and partial.chat_response.text() == "".join(before)
    assert partial.chat_response.finish_reason is None  # it never finished


def test_exception_frame_inside_a_200_stream(snapshot: Any) -> None:
    s = get(PROVIDER, "stream_error")
    err = contract.call_error(s, CREDENTIALS)
    check_stream_error(s, err)
    assert contract.stream_error_facts(err) == snapshot


async def test_exception_frame_inside_a_200_stream_async() -> None:
    s = get(PROVIDER, "stream_error")
    check_stream_error(s, await contract.call_error_async(s, CREDENTIALS))


def test_text_before_an_exception_frame_is_yielded_before_the_error() -> None:
    s = get(PROVIDER, "stream_error")
    wire = [p["delta"]["text"] for kind, p in wire_events(s) if kind == "contentBlockDelta"]
    assert contract.texts_before_error(s, CREDENTIALS) == wire


# --- turns sent back (no request is made) -----------------------------------------------------


@pytest.mark.parametrize("name", ["thinking", "stream_thinking"])
def test_thinking_turn_goes_back_with_its_signature(name: str, snapshot: Any) -> None:
    s = get(PROVIDER, name)
    if s.call_config().streaming:
        first = contract.stream_sync(s, CREDENTIALS)["final"].chat_response
    else:
        first = contract.replay_call(s, CREDENTIALS).chat_response
    assert isinstance(first, ChatResponse)
    reasoning = first.choices[0].contents[0]
    assert isinstance(reasoning, ReasoningContent) and reasoning.signature
    body = contract.next_turn_body(s, CREDENTIALS, first, "Now explain it to a child.")
    user, assistant, follow_up = body["messages"]
    assert user == {"role": "user", "content": [{"text": s.prompt}]}
    assert follow_up == {"role": "user", "content": [{"text": "Now explain it to a child."}]}
    signed = {"text": reasoning.text, "signature": reasoning.signature}
    assert assistant == {
        "role": "assistant",
        "content": [{"reasoningContent": {"reasoningText": signed}}, {"text": first.text()}],
    }
    thinking = {"type": "enabled", "budget_tokens": 1024}
    assert body["additionalModelRequestFields"] == {"thinking": thinking}  # still on
    assert body == snapshot


def test_tool_use_turn_goes_back_as_it_came() -> None:
    s = get(PROVIDER, "tool_use")
    first = contract.replay_call(s, CREDENTIALS).chat_response
    assert isinstance(first, ChatResponse)
    body = contract.next_turn_body(s, CREDENTIALS, first)
    assert body["messages"][1] == contract.wire_json(s)["output"]["message"]


# --- bad calls fail before any request --------------------------------------------------------


def test_thinking_with_a_changed_temperature_fails_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    message = contract.fails_before_any_request(
        tmp_path,
        PROVIDER,
        "bedrock-api-key-test",
        contract.catalog("Claude37Sonnet"),
        reasoning=True,
        max_reasoning_tokens=1024,
        max_output_tokens=2048,
        temperature=0.5,
    )
    assert "temperature=0.5" in message and "Claude37Sonnet" in message


# --- the recorder's guard rails (no network) --------------------------------------------------


def test_recorder_refuses_to_run_without_a_bedrock_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    contract.assert_recorder_needs_key(PROVIDER, "AWS_BEARER_TOKEN_BEDROCK", monkeypatch, capsys)
