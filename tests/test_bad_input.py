"""Bad input gets a clear error and loses nothing (issue 19).

Every case here fails with a `ConfigurationError` (a `ModelwireError`) before any request
reaches the server on 127.0.0.1, sync and async alike, and never with a raw built-in exception,
a value coerced to something else, or a secret quoted back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
    TextContent,
    ToolCallResult,
)
from modelwire.models import Claude37Sonnet, Gemini25Flash, GPT4o, NovaLite
from tests.support import anthropic_shapes as an
from tests.support import bedrock_shapes as br
from tests.support import gemini_shapes as ge
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Recorded, Reply

P = AIModelAPIProviderEnum
KEY = "sk-test-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"  # 51 characters
MODES = ["sync", "async"]
# the variables that would put a key, or a base URL, in the way of the arguments tested
ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GOOGLE_GEMINI_BASE_URL",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "AWS_BEARER_TOKEN_BEDROCK",
)


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def _answer(rec: Recorded) -> Reply:
    """A valid answer in the shape of the protocol the request path names."""
    if "generateContent" in rec.path:
        return Reply.json(ge.response())
    if rec.path.endswith("/messages"):
        return Reply.json(an.message())
    if rec.path.endswith("/converse"):
        return Reply.json(br.response())
    return Reply.json(oa.completion())


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(responder=_answer) as srv:
        yield srv


def endpoint(server: LoopbackServer, provider: P = P.OPEN_AI, model: Any = GPT4o, **kw: Any):
    kw.setdefault("api_key", KEY)
    api = AIModelAPI(provider, base_url=server.url, **kw)
    return AIModelEndpoint(api, model)


def generate(ep: AIModelEndpoint, mode: str, **kw: Any) -> Any:
    """`generate` (sync) or `generate_async` (async) with the keyword arguments given."""
    if mode == "sync":
        with AIModelClient(ep) as client:
            return client.generate(**kw)

    async def run() -> Any:
        async with AIModelClient(ep, is_async=True) as client:
            return await client.generate_async(**kw)

    return asyncio.run(run())


def refused(server: LoopbackServer, ep: AIModelEndpoint, mode: str, **kw: Any) -> str:
    """The message of the ConfigurationError the call raises; no request was sent."""
    with pytest.raises(ConfigurationError) as info:
        generate(ep, mode, **kw)
    assert server.requests == []
    return str(info.value)


# --- 5. keys, credentials and config headers that HTTP headers cannot carry -----------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("bad", "named"),
    [("\u00a0", "U+00A0 no-break space"), ("é", "U+00E9 latin small letter e with acute")],
)
def test_a_key_with_a_non_ascii_character_is_refused_without_quoting_it(
    server: LoopbackServer, mode: str, bad: str, named: str
) -> None:
    key = KEY + bad
    message = refused(server, endpoint(server, api_key=key), mode, prompt="hi")
    assert "the API key for OpenAI" in message and "HTTP header" in message
    assert f"{named} at position 52 of 52" in message
    assert KEY not in message


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bad", ["\n", " ", "\t", "\x00"])
def test_a_key_with_whitespace_or_a_control_character_is_refused(
    server: LoopbackServer, mode: str, bad: str
) -> None:
    message = refused(server, endpoint(server, api_key=KEY + bad), mode, prompt="hi")
    assert f"U+{ord(bad):04X}" in message and KEY not in message


@pytest.mark.parametrize("mode", MODES)
def test_a_key_from_the_environment_is_checked_too(
    server: LoopbackServer, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY + "\u00a0")
    ep = endpoint(server, P.ANTHROPIC, Claude37Sonnet, api_key=None)
    message = refused(server, ep, mode, prompt="hi")
    assert "the API key for Anthropic" in message and "U+00A0" in message
    assert "ANTHROPIC_API_KEY" in message and KEY not in message


@pytest.mark.parametrize("mode", MODES)
def test_a_bearer_credential_with_a_non_ascii_character_is_refused(
    server: LoopbackServer, mode: str
) -> None:
    token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.é"
    api = AIModelAPI(P.MICROSOFT_OPENAI, base_url=server.url, credentials={"azure_ad_token": token})
    ep = AIModelEndpoint(api, AIModel(model_name="gpt-4o-deployment"))
    message = refused(server, ep, mode, prompt="hi")
    assert "credentials['azure_ad_token']" in message and "U+00E9" in message
    assert token not in message and token[:20] not in message


@pytest.mark.parametrize("mode", MODES)
def test_a_static_access_token_with_a_non_ascii_character_is_refused(
    server: LoopbackServer, mode: str
) -> None:
    token = "ya29.a0AfH6SMBx\u00a0"
    api = AIModelAPI(
        P.GOOGLE_VERTEX_AI,
        base_url=server.url + "/v1",
        credentials={"access_token": token},
        config={"project_id": "proj-1", "location": "us-central1"},
    )
    message = refused(server, AIModelEndpoint(api, Gemini25Flash), mode, prompt="hi")
    assert "credentials['access_token']" in message and "U+00A0" in message
    assert token.strip() not in message


@pytest.mark.parametrize("mode", MODES)
def test_aws_credentials_that_headers_cannot_carry_are_refused(
    server: LoopbackServer, mode: str
) -> None:
    creds = {
        "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_session_token": "FwoGZXIvYXdzEJr//////////wEaDM\u00a0",
    }
    api = AIModelAPI(
        P.AMAZON_BEDROCK, base_url=server.url, credentials=creds, config={"region": "us-east-1"}
    )
    message = refused(server, AIModelEndpoint(api, NovaLite), mode, prompt="hi")
    assert "x-amz-security-token" in message and "U+00A0" in message
    assert creds["aws_session_token"].strip() not in message


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("beta", [["tools-2024-04-04", "fine\u00a0"], "caf\u00e9", 5, [1, 2]])
def test_a_config_header_value_that_headers_cannot_carry_is_refused(
    server: LoopbackServer, mode: str, beta: Any
) -> None:
    ep = endpoint(server, P.ANTHROPIC, Claude37Sonnet, config={"beta": beta})
    message = refused(server, ep, mode, prompt="hi")
    assert "config['beta']" in message and "anthropic-beta" in message


# --- 6. base URLs ---------------------------------------------------------------------------------


def test_a_base_url_with_user_and_password_is_refused_without_echoing_the_password() -> None:
    with pytest.raises(ConfigurationError) as info:
        AIModelAPI(P.OPEN_AI, api_key=KEY, base_url="https://alice:s3cr3t-pw@gateway.example/v1")
    message = str(info.value)
    assert "user:password@" in message and "s3cr3t-pw" not in message
    assert "HTTPS_PROXY" in message  # says how to pass a proxy's credentials instead


def test_a_base_url_with_user_and_password_from_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://bob:hunter2-pw@127.0.0.1:9/v1")
    with pytest.raises(ConfigurationError) as info:
        AIModelAPI(P.OPEN_AI, api_key=KEY)
    assert "OPENAI_BASE_URL" in str(info.value) and "hunter2-pw" not in str(info.value)


@pytest.mark.parametrize(
    ("base_url", "says"),
    [
        (5, "must be a string"),
        (b"http://h", "must be a string"),
        ("", "empty"),
        ("   ", "empty"),
        ("http://[::1", "not a valid URL"),
        ("ftp://x", "http:// or https://"),
        ("localhost:8000", "http:// or https://"),
        ("http://", "no host"),
        ("https:///v1", "no host"),
        ("http://h:99999/v1", "port"),
        ("http://h/v1?key=1", "query"),
        ("http://h/v1#top", "fragment"),
        (" http://h/v1", "whitespace"),
        ("http://h/v1\n", "whitespace"),
    ],
)
def test_a_bad_base_url_is_refused_at_construction(base_url: Any, says: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        AIModelAPI(P.OPEN_AI, api_key=KEY, base_url=base_url)
    assert "base_url" in str(info.value) and says in str(info.value)


def test_a_bad_base_url_from_the_environment_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "ftp://files.example/v1beta")
    with pytest.raises(ConfigurationError) as info:
        AIModelAPI(P.GOOGLE_AI, api_key=KEY)
    assert "GOOGLE_GEMINI_BASE_URL" in str(info.value)


@pytest.mark.parametrize("mode", MODES)
def test_a_good_base_url_still_works(server: LoopbackServer, mode: str) -> None:
    ep = endpoint(server)
    assert generate(ep, mode, prompt="hi").chat_response.text() == "Hello!"
    assert repr(ep.api).endswith(f"base_url={server.url!r})")


# --- 9. values coerced and sent, options overwriting the call -------------------------------------

BAD_MESSAGES = {
    "text part None": [{"role": "user", "content": [{"type": "text", "text": None}]}],
    "text part int": [{"role": "user", "content": [{"type": "text", "text": 5}]}],
    "image_url {}": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}],
    "image_url url None": [
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": None}}]}
    ],
    "TextContent(None)": [{"role": "user", "content": [TextContent(None)]}],  # type: ignore[arg-type]
    "tool output not JSON": [
        {"role": "tool", "tool_call_id": "c1", "name": "f", "content": {1, 2}}
    ],
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", BAD_MESSAGES)
def test_a_bad_content_part_is_refused_not_sent_as_text(
    server: LoopbackServer, mode: str, case: str
) -> None:
    refused(server, endpoint(server), mode, messages=BAD_MESSAGES[case])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("prompt", [123, b"", b"hello", ["hi"], 1.5])
def test_a_prompt_that_is_not_text_is_refused(
    server: LoopbackServer, mode: str, prompt: Any
) -> None:
    assert "prompt must be a string" in refused(server, endpoint(server), mode, prompt=prompt)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("provider", "model", "options", "field"),
    [
        (P.OPEN_AI, GPT4o, {"messages": []}, "messages"),
        (P.OPEN_AI, GPT4o, {"model": "gpt-4o-mini"}, "model"),
        (P.OPEN_AI, GPT4o, {"stream": True}, "stream"),
        (P.OPEN_AI, GPT4o, {"max_completion_tokens": 5}, "max_completion_tokens"),
        (P.OPEN_AI, GPT4o, {"response_format": {"type": "json_object"}}, "response_format.type"),
        (P.ANTHROPIC, Claude37Sonnet, {"system": "be terse"}, "system"),
        (P.ANTHROPIC, Claude37Sonnet, {"max_tokens": 5}, "max_tokens"),
        (P.GOOGLE_AI, Gemini25Flash, {"contents": []}, "contents"),
        (
            P.GOOGLE_AI,
            Gemini25Flash,
            {"generationConfig": {"maxOutputTokens": 5}},
            "generationConfig.maxOutputTokens",
        ),
        (P.GOOGLE_AI, Gemini25Flash, {"generationConfig": "x"}, "generationConfig"),
    ],
)
def test_options_may_not_overwrite_a_field_the_call_builds(
    server: LoopbackServer, mode: str, provider: P, model: Any, options: dict, field: str
) -> None:
    config = AIModelCallConfig(options=options)
    message = refused(server, endpoint(server, provider, model), mode, prompt="hi", config=config)
    assert f"'{field}'" in message and "builds" in message


@pytest.mark.parametrize("mode", MODES)
def test_options_add_provider_fields_and_merge_into_objects_the_call_builds(
    server: LoopbackServer, mode: str
) -> None:
    config = AIModelCallConfig(
        max_output_tokens=100,
        options={"generationConfig": {"candidateCount": 1}, "safetySettings": []},
    )
    generate(endpoint(server, P.GOOGLE_AI, Gemini25Flash), mode, prompt="hi", config=config)
    body = server.requests[0].json()
    assert body["generationConfig"] == {"maxOutputTokens": 100, "candidateCount": 1}
    assert body["safetySettings"] == []


@pytest.mark.parametrize("mode", MODES)
def test_a_field_the_spec_lets_options_override_is_sent_as_given(
    server: LoopbackServer, mode: str
) -> None:
    """Bedrock's `system` (a cachePoint after the system prompt is how Converse caches)."""
    system = [{"text": "You are terse."}, {"cachePoint": {"type": "default"}}]
    ep = endpoint(server, P.AMAZON_BEDROCK, NovaLite, config={"region": "us-east-1"})
    generate(ep, mode, prompt="hi", config=AIModelCallConfig(options={"system": system}))
    assert server.requests[0].json()["system"] == system


# --- 10. raw built-in exceptions for bad input ----------------------------------------------------


def _not_json() -> Any:
    return {1, 2}  # a set: JSON has no such thing


_SET_DEFAULT_TOOL = {
    "name": "f",
    "parameters": {
        "type": "object",
        "properties": {"x": {"type": "array", "default": _not_json()}},
    },
}
BAD_CALLS: dict[str, tuple[dict[str, Any], str]] = {
    "option set": (
        {"config": AIModelCallConfig(options={"logit_bias": _not_json()})},
        "options['logit_bias'] is a set",
    ),
    "option object": (
        {"config": AIModelCallConfig(options={"user": {"id": [object()]}})},
        "options['user']['id'][0] is a object",
    ),
    "option name int": ({"config": AIModelCallConfig(options={1: "x"})}, "option names"),
    "tool default set": (
        {"config": AIModelCallConfig(tools=[_SET_DEFAULT_TOOL])},
        "tool 'f': parameters['properties']['x']['default'] is a set",
    ),
    "messages 42": ({"prompt": None, "messages": 42}, "messages must be a list"),
    "messages str": ({"prompt": None, "messages": "hello"}, "messages must be a list"),
    "messages dict": (
        {"prompt": None, "messages": {"role": "user", "content": "hi"}},
        "messages must be a list",
    ),
    "config dict": ({"config": {"temperature": 0.5}}, "config must be an AIModelCallConfig"),
    "instructions int": ({"instructions": 5}, "instructions must be a string"),
    "instructions bytes": ({"instructions": b"be terse"}, "instructions must be a string"),
    "tool result object": (
        {"messages": [{"role": "tool", "content": [ToolCallResult("c1", object(), "f")]}]},
        "the output of tool result 'c1' is a object",
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_call_arguments_are_configuration_errors_saying_what_is_wrong(
    server: LoopbackServer, mode: str, case: str
) -> None:
    kw, says = BAD_CALLS[case]
    kw = {"prompt": "hi", **kw}
    assert says in refused(server, endpoint(server), mode, **kw)


@pytest.mark.parametrize("provider", [5, None, ["openai"], GPT4o, b"openai"])
def test_a_provider_of_the_wrong_type_is_a_configuration_error(provider: Any) -> None:
    with pytest.raises(ConfigurationError, match="provider must be an AIModelAPIProviderEnum"):
        AIModelAPI(provider, api_key=KEY)


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"api_key": 5}, "api_key must be a string"),
        ({"api_key": b"sk-bytes"}, "api_key must be a string"),
        ({"credentials": 5}, "credentials must be a mapping"),
        ({"credentials": ["token"]}, "credentials must be a mapping"),
        ({"config": 5}, "config must be a mapping"),
        ({"config": "location=us"}, "config must be a mapping"),
    ],
)
def test_api_arguments_of_the_wrong_type_are_configuration_errors(kw: dict, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        AIModelAPI(P.OPEN_AI, **kw)


def test_a_param_of_the_wrong_type_is_a_configuration_error() -> None:
    api = AIModelAPI(P.GOOGLE_VERTEX_AI, api_key=KEY, config={"project_id": ["p"]})
    with pytest.raises(ConfigurationError, match="config\\['project_id'\\] must be a string"):
        AIModelEndpoint(api, Gemini25Flash)


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"api": "x", "ai_model": GPT4o}, "api must be an AIModelAPI"),
        ({"api": None, "ai_model": GPT4o}, "api must be an AIModelAPI"),
        ({"ai_model": GPT4o, "protocol": ["openai_chat"]}, "protocol must be"),
        ({"ai_model": GPT4o, "protocol": 5}, "protocol must be"),
    ],
)
def test_endpoint_arguments_of_the_wrong_type_are_configuration_errors(kw: dict, says: str) -> None:
    kw.setdefault("api", AIModelAPI(P.OPEN_AI, api_key=KEY))
    with pytest.raises(ConfigurationError, match=says):
        AIModelEndpoint(**kw)


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"streaming": "yes"}, "streaming must be True or False"),
        ({"reasoning": 1}, "reasoning must be True or False"),
        ({"reasoning_effort": 5}, "reasoning_effort must be a string"),
        ({"stop": 5}, "stop must be"),
        ({"stop": ["ok", 5]}, "stop must be"),
    ],
)
def test_config_fields_of_the_wrong_type_are_configuration_errors(kw: dict, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        AIModelCallConfig(**kw)


# --- found by the property tests (tests/test_bad_input_fuzz.py), kept as regression examples -----


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"retries": None}, "retries must be an integer"),
        ({"max_event_bytes": None}, "max_event_bytes must be an integer"),
        ({"timeout": 1e300}, "at most a year"),  # was an OverflowError in socket.settimeout
        ({"total_timeout": 1e12}, "at most a year"),
    ],
)
def test_found_config_values_are_configuration_errors(kw: dict, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        AIModelCallConfig(**kw)


def _lookup(query: str) -> str:
    """Look something up."""
    return query


FOUND_CONFIGS: dict[str, tuple[dict[str, Any], str]] = {
    "wrapped tool None": ({"tools": [{"type": "function", "function": None}]}, "'function'"),
    "tool key not a string": ({"tools": [{0: None}]}, "unknown: 0"),
    "tool parameters []": ({"tools": [{"name": "f", "parameters": []}]}, "parameters must be"),
    "tool without signature": ({"tools": [int]}, "cannot read its signature"),
    "tool choice function 5": (
        {"tools": [_lookup], "tool_choice": {"type": "function", "function": 5}},
        "tool_choice=",
    ),
    "tool choice builtin": ({"tools": [_lookup], "tool_choice": int}, "tool_choice="),
    "schema properties 5": (
        {"structured_output": {"type": "object", "properties": 5}},
        "'properties' is a mapping",
    ),
    "schema required 5": (
        {"structured_output": {"type": "object", "properties": {}, "required": 5}},
        "'required' a list",
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", FOUND_CONFIGS)
def test_found_tool_and_schema_values_are_configuration_errors(
    server: LoopbackServer, mode: str, case: str
) -> None:
    fields, says = FOUND_CONFIGS[case]
    config = AIModelCallConfig(**fields)
    assert says in refused(server, endpoint(server), mode, prompt="hi", config=config)


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"model_name": None}, "model_name must be a non-empty string"),
        ({"model_name": ""}, "model_name must be a non-empty string"),
        ({"model_name": "m", "kind": "video"}, "kind must be 'chat', 'image' or 'embedding'"),
        ({"model_name": "m", "ids": {"openai": 5}}, "ids must be"),
        ({"model_name": "m", "unsupported_params": ("tools",)}, "unsupported_params must be"),
        ({"model_name": "m", "unsupported_params": None}, "unsupported_params must be"),
        ({"model_name": "m", "protocols": None}, "protocols must be"),
        ({"model_name": "m", "valid_options": {"size": "1024x1024"}}, "valid_options must be"),
        ({"model_name": "m", "max_output_tokens": 0}, "max_output_tokens must be a positive"),
    ],
)
def test_a_model_of_ones_own_with_bad_fields_is_a_configuration_error(kw: dict, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        AIModel(**kw)
