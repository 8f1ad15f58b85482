"""Tools, tool results, structured output and media input: the same definitions everywhere.

Two halves. Units: tools from functions, pydantic models and JSON Schema; tool choices; the
schema dialects; structured-output validation; the checks that fail a call before any request.
Contract: the tool scenarios of devtools/scenarios.py (`_tool_scenarios`), which use one tool
(`get_weather`), one output model (`WeatherReport`), one image and one tool-result turn
(devtools/tooling.py) unchanged on OpenAI, Anthropic, Gemini, Vertex AI, Bedrock and DeepSeek;
their cassettes (cassettes/<provider>/, authored, see cassettes/README.md) are replayed here and
each provider's own module checks them against the wire.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from typing import Any

import pytest
from pydantic import BaseModel, Field

from devtools.scenarios import SCENARIOS, Scenario
from devtools.tooling import (
    EXPECTED_REPORT,
    PARIS_RESULT,
    RED_PNG,
    TOKYO_RESULT,
    WeatherReport,
    get_weather,
)
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ChatResponse,
    ChatResponseChoice,
    ConfigurationError,
    MediaContent,
    Message,
    StructuredOutputError,
    TextContent,
    Tool,
    ToolCallContent,
    ToolCallResult,
    models,
)
from modelwire._structured import StructuredOutput, structured_from, structured_result
from modelwire._tools import choice_from, schema_for, tool_from
from tests.support import contract

AWS_KEYS = {"aws_access_key_id": "AKIAMODELWIRETEST000", "aws_secret_access_key": "not-a-secret"}
WEATHER_CALLS = [("get_weather", "Paris, France"), ("get_weather", "Tokyo, Japan")]


def calls_of(chat: ChatResponse) -> list[tuple[str | None, Any]]:
    """(name, location) of each tool call (models may also fill in the optional `unit`)."""
    return [(c.name, c.arguments.get("location")) for c in chat.tools()]


def key(s: Scenario) -> Any:
    """What a test passes as the scenario's key (none of these is a real credential)."""
    if s.provider == "amazon_bedrock":
        return AWS_KEYS
    return "ya29.test-0000" if s.credential else "test-key-0000"


def tool_scenarios(*names: str) -> list[Scenario]:
    return [s for s in SCENARIOS if s.name in names and s.path.exists()]


def sid(s: Scenario) -> str:
    return f"{s.provider}-{s.name}"


def endpoint(provider: str, model: AIModel | str, **config: Any) -> AIModelEndpoint:
    ai_model = model if isinstance(model, AIModel) else AIModel(model_name=model)
    p = AIModelAPIProviderEnum(provider)
    if provider == "amazon_bedrock":
        api = AIModelAPI(p, credentials=AWS_KEYS, config={"region": "us-east-1", **config})
    else:
        api = AIModelAPI(p, api_key="test-key-0000", config=config)
    return AIModelEndpoint(api=api, ai_model=ai_model)


def body_for(ep: AIModelEndpoint, **kwargs: Any) -> dict[str, Any]:
    config = AIModelCallConfig(**kwargs.pop("config", {}))
    with AIModelClient(ep, config) as client:
        return client.request_body(**{"prompt": "Hi", **kwargs})


# --- tools from Python objects ----------------------------------------------------------------


def test_a_typed_function_becomes_a_tool_with_its_docstring() -> None:
    tool = tool_from(get_weather)
    assert tool.name == "get_weather"
    assert tool.description == "Get the current weather in a given location."
    assert tool.parameters == {
        "type": "object",
        "properties": {
            "location": {
                "type": "string",
                "description": "The city and country, e.g. Paris, France.",
            },
            "unit": {
                "type": "string",
                "enum": ["celsius", "fahrenheit"],
                "default": "celsius",
                "description": "The temperature unit to answer in.",
            },
        },
        "required": ["location"],
    }


class Point(BaseModel):
    x: int
    y: int


def test_sphinx_docstrings_and_nested_types() -> None:
    def plot(points: list[Point], label: str | None = None) -> None:
        """Plot points.

        :param points: where to draw
        :param label: a caption
        """

    tool = tool_from(plot)
    assert tool.description == "Plot points."
    props = tool.parameters["properties"]
    assert props["points"]["description"] == "where to draw"
    assert props["points"]["items"] == {"$ref": "#/$defs/Point"}
    assert tool.parameters["$defs"]["Point"]["required"] == ["x", "y"]
    assert tool.parameters["required"] == ["points"]


def _google(city: str, days: int = 1) -> None:
    """Forecast the weather.

    Days ahead, one line per day.

    Args:
        city: The city and country,
            e.g. Paris, France.
        days (int): How many days.

    Returns:
        The forecast.
    """


def _numpy(city: str, days: int = 1) -> None:
    """Forecast the weather.

    Days ahead, one line per day.

    Parameters
    ----------
    city : str
        The city and country,
        e.g. Paris, France.
    days : int, optional
        How many days.

    Returns
    -------
    None
    """


def _sphinx(city: str, days: int = 1) -> None:
    """Forecast the weather.

    Days ahead, one line per day.

    :param city: The city and country,
        e.g. Paris, France.
    :param int days: How many days.
    :returns: The forecast.
    """


def _epydoc(city: str, days: int = 1) -> None:
    """Forecast the weather.

    Days ahead, one line per day.

    @param city: The city and country,
        e.g. Paris, France.
    @param days: How many days.
    @return: The forecast.
    """


@pytest.mark.parametrize("fn", [_google, _numpy, _sphinx, _epydoc], ids=lambda f: f.__name__)
def test_each_docstring_style_gives_the_description_and_the_parameters(fn: Any) -> None:
    """Google, NumPy, Sphinx and Epydoc: the text before the sections is the description,
    each parameter's entry (wrapped lines joined) its description in the schema."""
    tool = tool_from(fn)
    assert tool.description == "Forecast the weather.\n\nDays ahead, one line per day."
    assert tool.parameters["properties"] == {
        "city": {"type": "string", "description": "The city and country, e.g. Paris, France."},
        "days": {"type": "integer", "default": 1, "description": "How many days."},
    }


def test_a_docstring_without_sections_is_all_description() -> None:
    def ping(host: str) -> None:
        """Ping a host: once.

        Note the colon above, which starts no section."""

    tool = tool_from(ping)
    assert (
        tool.description == "Ping a host: once.\n\nNote the colon above, which starts no section."
    )
    assert "description" not in tool.parameters["properties"]["host"]


def test_a_docstring_no_style_can_parse_is_all_description(monkeypatch: Any) -> None:
    import docstring_parser

    def fail(text: str) -> None:
        raise docstring_parser.ParseError(f"cannot parse {text!r}")

    monkeypatch.setattr(docstring_parser, "parse", fail)
    assert tool_from(_google).description == inspect.cleandoc(_google.__doc__ or "")


FUNCTION_TOOL = '''
import sys
import modelwire
from modelwire._tools import tool_from

def f(a: int) -> None:
    """F.

    Args:
        a: A.
    """

assert "docstring_parser" not in sys.modules
assert tool_from(f).parameters["properties"]["a"]["description"] == "A."
assert "docstring_parser" in sys.modules
'''


def test_the_docstring_parser_is_loaded_only_for_a_function_tool() -> None:
    subprocess.run([sys.executable, "-c", FUNCTION_TOOL], check=True, timeout=30)


def test_a_pydantic_model_and_raw_json_schema_become_tools() -> None:
    class Lookup(BaseModel):
        """Look a word up in the dictionary."""

        word: str = Field(description="the word")

    assert tool_from(Lookup) == Tool(
        "Lookup",
        "Look a word up in the dictionary.",
        {
            "type": "object",
            "properties": {"word": {"type": "string", "description": "the word"}},
            "required": ["word"],
        },
    )
    raw = {"name": "ping", "parameters": {"type": "object", "properties": {}}}
    wrapped = {"type": "function", "function": {**raw, "description": "Ping."}}
    assert tool_from(raw) == Tool("ping", None, raw["parameters"])
    assert tool_from(wrapped).description == "Ping."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"description": "no name"}, "needs 'name'"),
        ({"name": "bad name!", "parameters": {"type": "object"}}, "tool name 'bad name!'"),
        ({"name": "x", "parameters": {"type": "string"}}, "type 'object'"),
        (lambda x: x, "needs a name"),
        (42, "unsupported tool 42"),
    ],
)
def test_bad_tools_fail_clearly(value: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        tool_from(value)


def test_a_parameter_without_a_type_hint_is_named() -> None:
    def f(a: int, b):  # type: ignore[no-untyped-def]
        """F."""

    with pytest.raises(ConfigurationError, match="parameter 'b' has no type hint"):
        tool_from(f)


def test_tool_choice_modes_names_and_errors() -> None:
    tools = [tool_from(get_weather)]
    assert choice_from("auto", tools).mode == "auto"  # type: ignore[union-attr]
    named = choice_from(get_weather, tools)
    assert (named.mode, named.name) == ("tool", "get_weather")  # type: ignore[union-attr]
    assert choice_from({"type": "function", "function": {"name": "get_weather"}}, tools)
    with pytest.raises(ConfigurationError, match="allowed: auto, none, required, or one of"):
        choice_from("get_time", tools)
    with pytest.raises(ConfigurationError, match="no tools are given"):
        choice_from("auto", [])


# --- schema dialects --------------------------------------------------------------------------


def test_strict_dialect_requires_every_property_and_closes_objects() -> None:
    class Inner(BaseModel):
        a: int = 1

    class Outer(BaseModel):
        name: str
        inner: Inner | None = None
        tags: list[str] = []

    strict = schema_for(tool_from(Outer).parameters, "strict")
    assert strict["additionalProperties"] is False
    assert strict["required"] == ["name", "inner", "tags"]
    assert strict["properties"]["tags"]["type"] == ["array", "null"]
    assert "default" not in strict["properties"]["tags"]
    assert {"type": "null"} in strict["properties"]["inner"]["anyOf"]
    inner = strict["$defs"]["Inner"]
    assert inner["additionalProperties"] is False and inner["required"] == ["a"]
    closed = schema_for(tool_from(Outer).parameters, "closed")
    assert (
        closed["required"] == ["name"] and closed["$defs"]["Inner"]["additionalProperties"] is False
    )
    original = tool_from(Outer).parameters
    assert (
        schema_for(original, "json_schema") == original and "additionalProperties" not in original
    )


# --- structured output on the response ----------------------------------------------------------


def _chat(*contents: Any, finish: Any = "end_turn") -> ChatResponse:
    return ChatResponse(
        model="m",
        provider="p",
        api_provider="p",
        choices=[ChatResponseChoice(0, finish, list(contents))],
    )


def test_a_valid_structured_output_is_an_instance() -> None:
    chat = _chat(TextContent(EXPECTED_REPORT.model_dump_json()))
    structured_result(
        chat.choices[0], StructuredOutput({}, "WeatherReport", WeatherReport, "native")
    )
    assert chat.structured() == EXPECTED_REPORT
    assert chat.to_dict()["choices"][0]["contents"][0]["parsed"] == EXPECTED_REPORT.model_dump()


def test_an_invalid_structured_output_keeps_its_text_and_raises_on_access() -> None:
    chat = _chat(TextContent('{"city": "Paris"}'))
    structured_result(
        chat.choices[0], StructuredOutput({}, "WeatherReport", WeatherReport, "native")
    )
    item = chat.choices[0].contents[0]
    assert isinstance(item, TextContent) and item.text == '{"city": "Paris"}'
    assert item.parse_error is not None and "temperature_c" in item.parse_error
    with pytest.raises(StructuredOutputError) as caught:
        chat.structured()
    assert caught.value.text == '{"city": "Paris"}'


def test_a_forced_tool_call_becomes_the_structured_text() -> None:
    call = ToolCallContent("t1", "structured_output", EXPECTED_REPORT.model_dump())
    chat = _chat(call, finish="tool_use")
    structured_result(chat.choices[0], StructuredOutput({}, "WeatherReport", WeatherReport, "tool"))
    assert chat.finish_reason == "end_turn" and chat.tools() == []
    assert (
        chat.structured() == EXPECTED_REPORT
        and json.loads(chat.text()) == EXPECTED_REPORT.model_dump()
    )


def test_without_structured_output_nothing_is_parsed() -> None:
    assert _chat(TextContent("{}")).structured() is None


# --- checks before any request ------------------------------------------------------------------


def test_tool_choice_a_protocol_lacks_fails_naming_the_others() -> None:
    ep = endpoint("amazon_bedrock", models.Claude37Sonnet)
    with pytest.raises(
        ConfigurationError, match=r"tool_choice='none'; allowed: auto, required, tool"
    ):
        body_for(ep, config={"tools": [get_weather], "tool_choice": "none"})


def test_inputs_the_model_cannot_take_fail_before_the_request() -> None:
    image = MediaContent.from_bytes(RED_PNG)
    ep = endpoint("deepseek", models.DeepSeekChat)
    with pytest.raises(ConfigurationError, match="DeepSeekChat cannot take image input"):
        body_for(ep, prompt=None, messages=[{"role": "user", "content": ["What is it?", image]}])
    reasoner = endpoint("deepseek", models.DeepSeekReasoner)
    with pytest.raises(ConfigurationError, match="DeepSeekReasoner cannot take tools"):
        body_for(reasoner, config={"tools": [get_weather]})


def test_media_a_protocol_cannot_send_is_named() -> None:
    ep = endpoint("amazon_bedrock", models.Claude37Sonnet)
    url = MediaContent.from_url("https://example.com/cat.png")
    with pytest.raises(
        ConfigurationError, match="cannot send image content by URL: give its bytes"
    ):
        body_for(ep, prompt=None, messages=[{"role": "user", "content": ["What is it?", url]}])


def test_structured_output_with_a_tool_choice_on_a_forced_tool_protocol_fails() -> None:
    ep = endpoint("amazon_bedrock", models.Claude37Sonnet)
    config = {"structured_output": WeatherReport, "tools": [get_weather], "tool_choice": "auto"}
    with pytest.raises(ConfigurationError, match="forced tool call: leave tool_choice unset"):
        body_for(ep, config=config)


def test_a_tool_result_needs_a_name_or_an_earlier_call() -> None:
    ep = endpoint("google_gemini_api", models.Gemini25Flash)
    orphan = Message("tool", [ToolCallResult("c1", "42")])
    with pytest.raises(ConfigurationError, match=r"ToolCallResult\(id='c1'\) has no name"):
        body_for(ep, prompt=None, messages=[{"role": "user", "content": "q"}, orphan])


def test_tool_messages_in_the_common_dict_form_are_accepted() -> None:
    """An assistant turn with `tool_calls` and a `tool` message, as dicts: the result gets
    the call's name, which Gemini sends back."""
    messages = [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "arguments": '{"location":"Paris, France"}',
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": PARIS_RESULT},
    ]
    body = body_for(
        endpoint("google_gemini_api", models.Gemini25Flash), prompt=None, messages=messages
    )
    assert body["contents"][1:] == [
        {
            "role": "model",
            "parts": [
                {
                    "functionCall": {
                        "id": "c1",
                        "name": "get_weather",
                        "args": {"location": "Paris, France"},
                    }
                }
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "id": "c1",
                        "name": "get_weather",
                        "response": {"output": PARIS_RESULT},
                    }
                }
            ],
        },
    ]


def test_image_data_urls_become_bytes_for_any_protocol() -> None:
    import base64

    url = "data:image/png;base64," + base64.b64encode(RED_PNG).decode()
    content = ["What colour?", {"type": "image_url", "image_url": {"url": url}}]
    body = body_for(
        endpoint("anthropic", models.ClaudeHaiku45),
        prompt=None,
        messages=[{"role": "user", "content": content}],
    )
    image = body["messages"][0]["content"][1]
    assert image == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": url.split(",")[1]},
    }


# --- the same definitions on every protocol (cassettes) ---------------------------------------


def _tool_defs(body: dict[str, Any]) -> list[tuple[str, Any]]:
    """(name, parameters schema) of the tools a body declares, whatever the protocol."""
    found: list[tuple[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            name = node.get("name")
            for key in ("parameters", "input_schema", "parametersJsonSchema"):
                if isinstance(name, str) and key in node:
                    found.append((name, node[key]))
            if isinstance(name, str) and isinstance(node.get("inputSchema"), dict):
                found.append((name, node["inputSchema"]["json"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in body.items() if k not in ("messages", "contents")})
    return found


CALLS = tool_scenarios("tool_calls", "tool_use", "function_call")


@pytest.mark.parametrize("s", CALLS, ids=sid)
def test_the_same_tool_is_declared_and_its_calls_parsed(s: Scenario) -> None:
    body = contract.check_request_body(s, key(s))
    assert _tool_defs(body) == [("get_weather", tool_from(get_weather).parameters)]
    chat = contract.replay_call(s, key(s)).chat_response
    assert chat is not None and chat.finish_reason == "tool_use"
    calls = calls_of(chat)
    assert calls == WEATHER_CALLS[: len(calls)] and calls
    assert all(c.parse_error is None for c in chat.tools())


STREAMED_CALLS = tool_scenarios("stream_tool_calls")


@pytest.mark.parametrize("s", STREAMED_CALLS, ids=sid)
async def test_parallel_tool_calls_stream_apart_with_their_ids(s: Scenario) -> None:
    result = await contract.stream_async(s, key(s))
    chat = result["final"].chat_response
    assert calls_of(chat) == WEATHER_CALLS
    ids = [c.id for c in chat.tools() if c.id is not None]  # Gemini's calls come without ids
    assert len(set(ids)) == len(ids)
    assert chat.finish_reason == "tool_use"
    assert contract.stream_facts(result) == contract.stream_facts(contract.stream_sync(s, key(s)))


RESULTS = tool_scenarios("tool_result")


@pytest.mark.parametrize("s", RESULTS, ids=sid)
def test_tool_results_go_back_and_the_answer_uses_them(s: Scenario) -> None:
    body = contract.check_request_body(s, key(s))
    sent = json.dumps(body, ensure_ascii=False)
    assert PARIS_RESULT in sent and TOKYO_RESULT in sent
    chat = contract.replay_call(s, key(s)).chat_response
    assert chat is not None and chat.finish_reason == "end_turn" and chat.tools() == []
    assert "Paris" in chat.text() and "Tokyo" in chat.text()


STRUCTURED = tool_scenarios("structured_output", "structured_output_tool")


@pytest.mark.parametrize("s", STRUCTURED, ids=sid)
def test_the_same_output_model_gives_the_same_instance(s: Scenario, snapshot: Any) -> None:
    contract.check_request_body(s, key(s))
    response = contract.replay_call(s, key(s))
    chat = response.chat_response
    assert chat is not None
    assert chat.structured() == EXPECTED_REPORT
    assert chat.finish_reason == "end_turn" and chat.tools() == []
    assert contract.normalized(response) == snapshot


def test_every_protocol_serves_the_tool_scenarios() -> None:
    """The cross-protocol claim covers each provider named in issue 7."""
    wanted = {
        "openai",
        "anthropic",
        "google_gemini_api",
        "google_vertex_ai",
        "amazon_bedrock",
        "deepseek",
    }
    assert {s.provider for s in STRUCTURED} == wanted
    assert {s.provider for s in CALLS + STREAMED_CALLS} == wanted


IMAGES = tool_scenarios("image_input")


@pytest.mark.parametrize("s", IMAGES, ids=sid)
def test_an_image_goes_as_bytes(s: Scenario) -> None:
    import base64

    body = contract.check_request_body(s, key(s))
    assert base64.b64encode(RED_PNG).decode() in json.dumps(body)
    chat = contract.replay_call(s, key(s)).chat_response
    assert chat is not None and "red" in chat.text().lower()


# --- multi-turn with tools: reasoning signatures kept ---------------------------------------


def _turn(*contents: Any) -> ChatResponse:
    return _chat(*contents, finish="tool_use")


def _round_trip(provider: str, model: AIModel, first: ChatResponse) -> dict[str, Any]:
    call = first.tools()[0]
    messages = [
        {"role": "user", "content": "Weather in Paris?"},
        first.to_message_item(),
        Message("tool", [call.result(PARIS_RESULT)]),
        {"role": "user", "content": "And in short?"},
    ]
    return body_for(
        endpoint(provider, model), prompt=None, messages=messages, config={"tools": [get_weather]}
    )


def test_anthropic_thinking_signature_tool_use_and_result_round_trip() -> None:
    from modelwire import ReasoningContent

    first = _turn(
        ReasoningContent("I should call the tool.", "sig-1"),
        ToolCallContent("toolu_1", "get_weather", {"location": "Paris, France"}),
    )
    body = _round_trip("anthropic", models.ClaudeSonnet45, first)
    assert body["messages"][1:] == [
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "I should call the tool.", "signature": "sig-1"},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "get_weather",
                    "input": {"location": "Paris, France"},
                },
            ],
        },
        {  # the result and the next question: one user turn
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": PARIS_RESULT},
                {"type": "text", "text": "And in short?"},
            ],
        },
    ]


def test_gemini_thought_signature_rides_on_the_function_call() -> None:
    first = _turn(
        ToolCallContent(None, "get_weather", {"location": "Paris, France"}, signature="c2ln")
    )
    body = _round_trip("google_gemini_api", models.Gemini25Flash, first)
    assert body["contents"][1:] == [
        {
            "role": "model",
            "parts": [
                {
                    "functionCall": {"name": "get_weather", "args": {"location": "Paris, France"}},
                    "thoughtSignature": "c2ln",
                }
            ],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"output": PARIS_RESULT}}},
                {"text": "And in short?"},
            ],
        },
    ]


def test_bedrock_reasoning_signature_tool_use_and_result_round_trip() -> None:
    from modelwire import ReasoningContent

    first = _turn(
        ReasoningContent("Call the tool.", "sig-b"),
        ToolCallContent("tooluse_1", "get_weather", {"location": "Paris, France"}),
    )
    body = _round_trip("amazon_bedrock", models.Claude37Sonnet, first)
    assert body["messages"][1:] == [
        {
            "role": "assistant",
            "content": [
                {
                    "reasoningContent": {
                        "reasoningText": {"text": "Call the tool.", "signature": "sig-b"}
                    }
                },
                {
                    "toolUse": {
                        "toolUseId": "tooluse_1",
                        "name": "get_weather",
                        "input": {"location": "Paris, France"},
                    }
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": PARIS_RESULT}]}},
                {"text": "And in short?"},
            ],
        },
    ]


def test_openai_results_are_tool_messages_and_reasoning_is_left_out() -> None:
    from modelwire import ReasoningContent

    first = _turn(
        ReasoningContent("hidden", None),
        ToolCallContent("call_1", "get_weather", None, '{"location":"Paris, France"}'),
    )
    body = _round_trip("openai", models.GPT4o, first)
    assert body["messages"][1:] == [
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "arguments": '{"location":"Paris, France"}',
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": PARIS_RESULT},
        {"role": "user", "content": "And in short?"},
    ]


def test_a_failed_tool_is_flagged_where_the_protocol_can_say_so() -> None:
    first = _turn(ToolCallContent("toolu_1", "get_weather", {"location": "Atlantis"}))
    messages = [
        {"role": "user", "content": "Weather in Atlantis?"},
        first.to_message_item(),
        Message("tool", [first.tools()[0].result("no such place", is_error=True)]),
    ]
    anthropic = body_for(
        endpoint("anthropic", models.ClaudeSonnet45), prompt=None, messages=messages
    )
    assert anthropic["messages"][2]["content"][0]["is_error"] is True
    bedrock = body_for(
        endpoint("amazon_bedrock", models.Claude37Sonnet), prompt=None, messages=messages
    )
    assert bedrock["messages"][2]["content"][0]["toolResult"]["status"] == "error"
    gemini = body_for(
        endpoint("google_gemini_api", models.Gemini25Flash), prompt=None, messages=messages
    )
    assert gemini["contents"][2]["parts"][0]["functionResponse"]["response"] == {
        "error": "no such place"
    }


# --- a streamed forced tool call is streamed as text ------------------------------------------


def test_streamed_structured_output_through_a_forced_tool_arrives_as_text() -> None:
    """Claude 3.5 Haiku has no native structured output: modelwire forces a tool; its
    input_json_delta fragments reach the caller as text deltas, and the final response holds
    the validated WeatherReport (against a server on 127.0.0.1 speaking Anthropic's SSE)."""
    from modelwire import TextDelta
    from tests.support.anthropic_shapes import event, message
    from tests.support.server import LoopbackServer, Reply

    text = EXPECTED_REPORT.model_dump_json()
    fragments = [text[:10], text[10:30], text[30:]]
    start = message(content=[], stop_reason=None, output_tokens=1)  # type: ignore[arg-type]
    block = {"type": "tool_use", "id": "toolu_9", "name": "structured_output", "input": {}}
    events = [
        event({"type": "message_start", "message": start}),
        event({"type": "content_block_start", "index": 0, "content_block": block}),
        *[
            event(
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "input_json_delta", "partial_json": f},
                }
            )
            for f in fragments
        ],
        event({"type": "content_block_stop", "index": 0}),
        event(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "tool_use"},
                "usage": {"output_tokens": 20},
            }
        ),
        event({"type": "message_stop"}),
    ]
    with LoopbackServer() as server:
        server.queue(Reply(body=events, content_type="text/event-stream"))
        api = AIModelAPI(
            AIModelAPIProviderEnum.ANTHROPIC, api_key="test-key-0000", base_url=server.url
        )
        ep = AIModelEndpoint(api=api, ai_model=models.Claude35Haiku)
        config = AIModelCallConfig(streaming=True, structured_output=WeatherReport)
        with AIModelClient(ep, config) as client:
            items = list(
                client.generate(prompt="Paris: 18 degrees, partly cloudy.").stream_generator
            )  # type: ignore[arg-type]
        sent = server.requests[0].json()
    assert sent["tool_choice"] == {"type": "tool", "name": "structured_output"}
    deltas = [
        d for chunk, _ in items[:-1] for cd in chunk.data.choice_deltas for d in cd.content_deltas
    ]
    assert all(isinstance(d, TextDelta) for d in deltas)
    assert "".join(d.text for d in deltas) == text
    final = items[-1][1].chat_response
    assert final.structured() == EXPECTED_REPORT and final.finish_reason == "end_turn"


def test_bedrock_models_with_native_structured_output_use_output_config() -> None:
    """Claude Sonnet 4.5 on Bedrock: outputConfig.textFormat, the schema as JSON text, closed;
    Claude 3.7 Sonnet there: the forced tool."""
    body = body_for(
        endpoint("amazon_bedrock", models.ClaudeSonnet45),
        config={"structured_output": WeatherReport},
    )
    text_format = body["outputConfig"]["textFormat"]
    assert text_format["type"] == "json_schema" and "toolConfig" not in body
    schema = json.loads(text_format["structure"]["jsonSchema"]["schema"])
    assert schema == schema_for(structured_from(WeatherReport, "native").schema, "closed")
    assert text_format["structure"]["jsonSchema"]["name"] == "WeatherReport"
    old = body_for(
        endpoint("amazon_bedrock", models.Claude37Sonnet),
        config={"structured_output": WeatherReport},
    )
    assert "outputConfig" not in old
    assert old["toolConfig"]["toolChoice"] == {"tool": {"name": "structured_output"}}


def test_claude_thinking_refuses_a_forced_tool_before_the_request() -> None:
    thinking = {"reasoning": True, "max_reasoning_tokens": 1024, "max_output_tokens": 2048}
    ep = endpoint("anthropic", models.ClaudeSonnet45)
    with pytest.raises(
        ConfigurationError, match=r"tool_choice='required' is not accepted .* allowed: auto, none"
    ):
        body_for(ep, config={**thinking, "tools": [get_weather], "tool_choice": "required"})
    assert body_for(ep, config={**thinking, "tools": [get_weather], "tool_choice": "auto"})[
        "tool_choice"
    ] == {"type": "auto"}
    bedrock = endpoint("amazon_bedrock", models.Claude37Sonnet)
    with pytest.raises(
        ConfigurationError, match="forced tool call here, which Claude37Sonnet does not accept"
    ):
        body_for(bedrock, config={**thinking, "structured_output": WeatherReport})


def test_only_the_forced_tool_becomes_structured_text() -> None:
    other = ToolCallContent("t0", "get_weather", {"location": "Paris, France"})
    forced = ToolCallContent("t1", "structured_output", EXPECTED_REPORT.model_dump())
    chat = _chat(other, forced, finish="tool_use")
    structured_result(chat.choices[0], StructuredOutput({}, "WeatherReport", WeatherReport, "tool"))
    assert [c.name for c in chat.tools()] == ["get_weather"]
    assert chat.structured() == EXPECTED_REPORT


# --- Gemini 3: a hand-built function-call turn carries the documented stand-in signature -----


def _call(i: int) -> dict[str, Any]:
    args = json.dumps({"location": f"City {i}"})
    return {
        "id": f"c{i}",
        "type": "function",
        "function": {"name": "get_weather", "arguments": args},
    }


def _replayed(tool_calls: list[Any]) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": None, "tool_calls": tool_calls},
        *({"role": "tool", "tool_call_id": c["id"], "content": "sunny"} for c in tool_calls),
    ]


@pytest.mark.parametrize("provider", ["google_gemini_api", "google_vertex_ai"])
def test_gemini_3_hand_built_calls_carry_the_stand_in_on_the_first_call(provider: str) -> None:
    config = {"project_id": "p"} if provider == "google_vertex_ai" else {}
    ep = endpoint(provider, models.Gemini3Flash, **config)
    body = body_for(ep, prompt=None, messages=_replayed([_call(1), _call(2)]))
    parts = body["contents"][1]["parts"]
    assert parts[0]["thoughtSignature"] == "skip_thought_signature_validator"
    assert "thoughtSignature" not in parts[1]  # parallel calls: the first one signs the step


def test_gemini_3_signed_calls_go_back_as_they_came() -> None:
    from modelwire import Message, ToolCallContent

    signed = Message(
        "assistant",
        [
            ToolCallContent("c1", "get_weather", {"location": "A"}, signature="c2lnbmVk"),
            ToolCallContent("c2", "get_weather", {"location": "B"}),
        ],
    )
    messages = [{"role": "user", "content": "Weather?"}, signed]
    body = body_for(
        endpoint("google_gemini_api", models.Gemini3Flash), prompt=None, messages=messages
    )
    parts = body["contents"][1]["parts"]
    assert parts[0]["thoughtSignature"] == "c2lnbmVk" and "thoughtSignature" not in parts[1]


def test_models_before_gemini_3_get_no_stand_in() -> None:
    ep = endpoint("google_gemini_api", models.Gemini25Flash)
    body = body_for(ep, prompt=None, messages=_replayed([_call(1)]))
    assert "thoughtSignature" not in body["contents"][1]["parts"][0]
