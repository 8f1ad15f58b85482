"""What the contract tests of every provider share (tests/test_contract_<provider>.py).

Reading a scenario's cassette independently of modelwire (its one interaction, its wire body,
headers and SSE events), making the scenario's call through the public API (sync, and async
for streams), and the checks every cassette, request body and error goes through. Nothing here
knows a provider: what differs (documentation hosts, URI, request-id header, API key) is passed
in by the provider's test module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

import modelwire
from devtools import record
from devtools.cassettes import SECRET_HEADERS, leading_comment, replay
from devtools.scenarios import ROOT, Scenario, get
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    ChatResponse,
    ConfigurationError,
    ModelwireError,
    Pricing,
    TextDelta,
    UsageCharge,
    models,
)

# What a test passes as the key: an API key or access token, or AWS access keys (the
# AIModelAPI(credentials=...) of a SigV4-signed provider: Amazon Bedrock).
Key = str | Mapping[str, str]

# --- reading a cassette -----------------------------------------------------------------------


def catalog(constant: str) -> AIModel:
    """A catalog model by constant name."""
    found = getattr(models, constant, None)
    assert isinstance(found, AIModel), f"modelwire.models.{constant} is not in the catalog"
    return found


def interaction(s: Scenario) -> dict[str, Any]:
    data = yaml.safe_load(s.path.read_text(encoding="utf-8"))
    assert len(data["interactions"]) == 1, f"{s.cassette} must hold exactly one interaction"
    return data["interactions"][0]


def wire_json(s: Scenario) -> Any:
    """The cassette's response body as JSON (non-streamed responses and HTTP errors)."""
    return json.loads(interaction(s)["response"]["body"]["string"])


def sse_events(s: Scenario) -> list[tuple[str | None, str]]:
    """The cassette's SSE body as (`event:` name or None, `data:` text) pairs, in order (lines
    end with LF or CRLF)."""
    body = interaction(s)["response"]["body"]["string"].replace("\r\n", "\n")
    out = []
    for block in body.split("\n\n"):
        name, data = None, []
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                data.append(line[len("data: ") :])
        if data:
            out.append((name, "\n".join(data)))
    return out


def wire_header(s: Scenario, name: str) -> str:
    (value,) = interaction(s)["response"]["headers"][name]
    return value


# --- making the scenario's call ---------------------------------------------------------------


def final_response(endpoint: AIModelEndpoint, config: AIModelCallConfig) -> AIModelCallResponse:
    """One sync call (`prompt="Hi"`) on `endpoint`: its response, or, streamed, the final
    response its stream ends with (the stream read to its end)."""
    with AIModelClient(endpoint, config, is_async=False) as client:
        response = client.generate(prompt="Hi")
        if not response.streamed:
            return response
        final = list(response.stream_generator)[-1][1]
        assert final is not None, "a stream ends with its final response"
        return final


def client_for(s: Scenario, api_key: Key, is_async: bool = False) -> AIModelClient:
    """A client for the scenario's endpoint and config: `api_key` is the key, or the credential
    the scenario names (a Google Cloud access token), or AWS access keys; `s.api_key`, when set,
    wins. The provider's URL values come from `s.api_config`."""
    return AIModelClient(
        model_endpoint=s.endpoint(api_key), config=s.call_config(), is_async=is_async
    )


def shape(value: Any) -> Any:
    """The structure of a JSON-like value: keys and item structure kept, leaves by type."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def normalized(response: AIModelCallResponse) -> dict[str, Any]:
    """What the snapshot pins: call status and ChatResponse, without the raw wire model."""
    assert response.chat_response is not None
    chat = response.chat_response.to_dict()
    chat.pop("provider_response")
    return {"status": response.status.to_dict(), "chat_response": chat}


def assert_status(
    response: AIModelCallResponse, s: Scenario, request_id_header: str | None
) -> None:
    """A 200 in one attempt, with the request id the header holds (None: the provider sends
    none, and modelwire reports none)."""
    assert response.status.http_status == 200
    expected = wire_header(s, request_id_header) if request_id_header else None
    assert response.status.request_id == expected
    assert response.status.attempts == 1


def replay_call(s: Scenario, api_key: Key) -> AIModelCallResponse:
    """Replay a non-streamed scenario: its response, from the cassette's one interaction."""
    with replay(s.path) as cassette, client_for(s, api_key) as client:
        response = client.generate(**s.call_args())
    assert cassette.play_count == 1
    return response


def _stream_items(items: list[Any]) -> dict[str, Any]:
    """Check the (chunk, None)... (None, accumulated) protocol; return deltas and final."""
    *chunks, last = items
    assert all(chunk is not None and acc is None for chunk, acc in chunks)
    assert last[0] is None and last[1] is not None
    deltas = [
        d for chunk, _ in chunks for cd in chunk.data.choice_deltas for d in cd.content_deltas
    ]
    assert all(chunk.data.choice_deltas for chunk, _ in chunks)
    text = [d.get_text_delta() for d in deltas if isinstance(d, TextDelta)]
    return {"deltas": deltas, "text_deltas": text, "final": last[1]}


def stream_facts(result: dict[str, Any]) -> dict[str, Any]:
    """What a stream snapshot pins: the deltas as they came, and the final response."""
    return {
        "deltas": [d.to_dict() for d in result["deltas"]],
        "final": normalized(result["final"]),
    }


def stream_sync(s: Scenario, api_key: Key) -> dict[str, Any]:
    """Replay a streamed scenario (sync): every delta, the text deltas and the final response."""
    with replay(s.path) as cassette, client_for(s, api_key) as client:
        response = client.generate(**s.call_args())
        assert response.streamed and response.chat_response is None
        items = list(response.stream_generator)  # type: ignore[arg-type]
    assert cassette.play_count == 1
    return _stream_items(items)


async def stream_async(s: Scenario, api_key: Key) -> dict[str, Any]:
    """`stream_sync` with an async client."""
    with replay(s.path) as cassette:
        async with client_for(s, api_key, is_async=True) as client:
            response = await client.generate_async(**s.call_args())
            assert response.streamed
            items = [item async for item in response.stream_generator]  # type: ignore[union-attr]
    assert cassette.play_count == 1
    return _stream_items(items)


def checked_stream(
    s: Scenario, api_key: Key, check: Callable[[Scenario, dict[str, Any]], None]
) -> dict[str, Any]:
    """Replay a streamed scenario (sync), `check` what it gave; what its snapshot pins."""
    result = stream_sync(s, api_key)
    check(s, result)
    return stream_facts(result)


async def check_async_stream(
    s: Scenario, api_key: Key, check: Callable[[Scenario, dict[str, Any]], None]
) -> None:
    """Replay a streamed scenario with an async client: `check` holds, and it gives what the
    sync client gives."""
    result = await stream_async(s, api_key)
    check(s, result)
    assert stream_facts(result) == stream_facts(stream_sync(s, api_key))


def call_error(s: Scenario, api_key: Key) -> ModelwireError:
    """Replay a scenario that must fail (before or while streaming) in one attempt."""
    with (
        replay(s.path) as cassette,
        client_for(s, api_key) as client,
        pytest.raises(ModelwireError) as caught,
    ):
        response = client.generate(**s.call_args())
        for _item in response.stream_generator or ():  # type: ignore[union-attr]
            pass
    assert cassette.play_count == 1  # one attempt: a retry would find no response and fail
    err = caught.value
    assert isinstance(err, getattr(modelwire, s.error or ""))
    assert err.provider == s.provider
    secrets = [api_key] if isinstance(api_key, str) else list(api_key.values())
    assert not any(secret in f"{err} {err!r}" for secret in secrets)
    return err


def raised_at_once(s: Scenario, api_key: Key) -> ModelwireError:
    """A scenario with `retries=0` whose status the adapter would otherwise retry: its error is
    raised after one attempt (a second would find no response in the cassette)."""
    assert s.call_config().retries == 0
    err = call_error(s, api_key)
    with client_for(s, api_key) as client:
        assert err.status in client.adapter.RETRY_STATUSES  # retries=0 is what held it back
    return err


async def call_error_async(s: Scenario, api_key: Key) -> ModelwireError:
    """`call_error` with an async client, for an error raised while streaming."""
    with replay(s.path) as cassette, pytest.raises(ModelwireError) as caught:
        async with client_for(s, api_key, is_async=True) as client:
            response = await client.generate_async(**s.call_args())
            async for _item in response.stream_generator:  # type: ignore[union-attr]
                pass
    assert cassette.play_count == 1
    err = caught.value
    assert isinstance(err, getattr(modelwire, s.error or ""))
    return err


def texts_before_error(s: Scenario, api_key: Key) -> list[str]:
    """The text deltas a stream yields before it raises the scenario's error, in order."""
    texts: list[str] = []
    with (
        replay(s.path),
        client_for(s, api_key) as client,
        pytest.raises(getattr(modelwire, s.error or "")),
    ):
        response = client.generate(**s.call_args())
        for chunk, _acc in response.stream_generator:  # type: ignore[union-attr]
            texts.extend(d.get_text_delta() for d in chunk.data.choice_deltas[0].content_deltas)
    return texts


def http_error_facts(err: ModelwireError, body: Any) -> dict[str, Any]:
    """An HTTP error keeps the wire's error body whole and has no partial response; returns
    what its snapshot pins."""
    assert err.body == body
    assert err.partial_response is None
    return {**error_facts(err), "error_type": err.error_type}


def stream_error_facts(err: ModelwireError) -> dict[str, Any]:
    """What the snapshot of an error inside a 200 stream pins: the error, the partial response."""
    assert err.partial_response is not None
    facts = {**error_facts(err), "error_type": err.error_type}
    return {"error": facts, "partial": normalized(err.partial_response)}


def error_facts(err: ModelwireError) -> dict[str, Any]:
    """What an error snapshot pins."""
    return {
        "class": type(err).__name__,
        "kind": err.kind,
        "status": err.status,
        "message": err.message,
        "request_id": err.request_id,
        "code": err.code,
    }


# --- checks shared by every provider ----------------------------------------------------------


def check_cassette(
    s: Scenario,
    *,
    docs: tuple[str, ...],
    authored_on: str,
    uri: str,
    request_id_header: str | None,
    request_id_pattern: str = "req_",
) -> dict[str, Any]:
    """One clean interaction: its origin in the leading comment and the index, the expected
    URI, no secret header, a request id (when the provider sends one in `request_id_header`)
    that `request_id_pattern` matches. Returns the interaction."""
    comment = leading_comment(s.path)
    assert comment, f"{s.cassette} must start with a comment saying where it came from"
    first = comment[0]
    if first.startswith("Authored"):
        assert any(prefix in first for prefix in docs) and authored_on in first, first
        cited = [line.split("also: ", 1)[1] for line in comment if "also: " in line]
        assert all(url.startswith(docs) for url in cited), cited
    else:
        assert any(line.startswith("Recorded live") for line in comment), comment
    index = (ROOT / "cassettes" / "README.md").read_text(encoding="utf-8")
    relative = Path(s.cassette).relative_to("cassettes").as_posix()
    assert f"| [`{relative}`]({relative}) | `{s.name}` |" in index

    recorded = interaction(s)
    assert recorded["request"]["method"] == "POST"
    assert recorded["request"]["uri"] == uri
    for part in ("request", "response"):
        names = {n.lower() for n in recorded[part]["headers"]}
        assert not names & set(SECRET_HEADERS), f"{part} headers of {s.cassette}"
    if request_id_header is not None:
        assert re.match(request_id_pattern, wire_header(s, request_id_header))
    return recorded


def assert_charge(
    charge: UsageCharge,
    pricing: Pricing,
    *,
    fresh_input: int,
    output: int,
    cache_read: int = 0,
    cache_write: int = 0,
    reasoning: int = 0,
) -> None:
    """Each part of the wire's usage is priced at its own catalog rate (USD per million tokens;
    a cache rate the catalog lacks is the input rate, a reasoning rate the output rate)."""
    rates = {
        "input": pricing.input,
        "cached_input": pricing.input if pricing.cached_input is None else pricing.cached_input,
        "cache_write": pricing.input if pricing.cache_write is None else pricing.cache_write,
        "output": pricing.output,
        "reasoning": pricing.output if pricing.reasoning is None else pricing.reasoning,
    }
    tokens = {
        "input": fresh_input,
        "cached_input": cache_read,
        "cache_write": cache_write,
        "output": output,
        "reasoning": reasoning,
    }
    expected = {part: tokens[part] * rates[part] / 1e6 for part in rates}
    assert {part: getattr(charge, part) for part in rates} == pytest.approx(expected)
    assert charge.total == pytest.approx(sum(expected.values())) and charge.total > 0


def check_streamed_calls(
    chat: ChatResponse, wire: list[tuple[Any, Any]], fragments: list[str]
) -> None:
    """A streamed tool-call scenario's final response: one call per wire block, in order, with
    the block's (id, name), its argument fragments joined and parsed — the two `get_weather`
    calls of devtools/tooling.py."""
    calls = chat.tools()
    assert [(c.id, c.name) for c in calls] == wire
    assert [c.arguments_raw for c in calls] == fragments
    assert [c.arguments for c in calls] == [json.loads(f) for f in fragments]
    assert [c.arguments for c in calls] == [
        {"location": "Paris, France"},
        {"location": "Tokyo, Japan"},
    ]


def check_request_body(s: Scenario, api_key: Key) -> dict[str, Any]:
    """The body modelwire builds for the scenario is the one the cassette recorded."""
    with client_for(s, api_key) as client:
        body = client.request_body(**s.call_args(), config=s.call_config())
    assert body == json.loads(interaction(s)["request"]["body"])
    return body


def next_turn_body(
    s: Scenario, api_key: Key, first: ChatResponse, follow_up: str | None = None
) -> dict[str, Any]:
    """The body of the scenario's next turn: its prompt, `first` as the assistant's answer
    (`to_message_item()`), then `follow_up` when given. No request is made."""
    messages: list[Any] = [{"role": "user", "content": s.prompt}, first.to_message_item()]
    if follow_up is not None:
        messages.append({"role": "user", "content": follow_up})
    with client_for(s, api_key) as client:
        return client.request_body(messages=messages)


def check_cache_usage(
    s: Scenario, api_key: Key, *, read: bool, written: bool, wire_prompt: int
) -> None:
    """A call with a cached prompt prefix: prompt_tokens is the wire's whole prompt (`wire_prompt`:
    fresh input, cache reads and writes), the long system prompt in it, and cache reads and
    writes are reported and priced as `read` and `written` say."""
    chat = replay_call(s, api_key).chat_response
    assert chat is not None and chat.usage is not None and chat.usage_charge is not None
    assert bool(chat.usage.cache_read_tokens) is read
    assert bool(chat.usage.cache_write_tokens) is written
    assert chat.usage.prompt_tokens == wire_prompt
    assert chat.usage.prompt_tokens > 1024  # the long system prompt is in the count
    assert (chat.usage_charge.cached_input > 0) is read
    assert (chat.usage_charge.cache_write > 0) is written


ANTHROPIC_TEST_KEY = "sk-ant-test-0000"  # not a key: what the tests pretend to send


def chats_here_and_on_anthropic(s: Scenario, api_key: Key) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Claude scenario of another host and the same call through ANTHROPIC (replayed from the
    anthropic `text` cassette, which vcrpy matches on the path alone), as ChatResponse dicts
    without `api_provider`: both say provider `anthropic` and the same finish reason."""
    on_anthropic = replace(get("anthropic", "text"), model=s.model, config=s.config)
    chats = [
        replay_call(s, api_key).chat_response,
        replay_call(on_anthropic, ANTHROPIC_TEST_KEY).chat_response,
    ]
    assert all(isinstance(chat, ChatResponse) for chat in chats)
    here, anthropic = [chat.to_dict() for chat in chats]  # type: ignore[union-attr]
    assert here.pop("api_provider") == s.provider and anthropic.pop("api_provider") == "anthropic"
    assert here["provider"] == anthropic["provider"] == "anthropic"
    assert here["choices"][0]["finish_reason"] == anthropic["choices"][0]["finish_reason"]
    return here, anthropic


def fails_before_any_request(
    tmp_path: Path, provider: str, api_key: str, model: AIModel, **config: Any
) -> str:
    """A call the catalog forbids raises ConfigurationError with nothing sent; its message."""
    empty = tmp_path / "empty.yaml"
    empty.write_text("interactions: []\nversion: 1\n", encoding="utf-8")
    api = AIModelAPI(AIModelAPIProviderEnum(provider), api_key=api_key)
    endpoint = AIModelEndpoint(api=api, ai_model=model)
    with replay(empty) as cassette, AIModelClient(endpoint, AIModelCallConfig(**config)) as client:
        with pytest.raises(ConfigurationError) as caught:
            client.generate(prompt="Hello")
        with pytest.raises(ConfigurationError):
            client.request_body(prompt="Hello")
    assert cassette.play_count == 0 and len(cassette) == 0
    return str(caught.value)


def assert_recorder_needs_key(
    provider: str, variable: str, monkeypatch: pytest.MonkeyPatch, err: Any
) -> None:
    """`python tasks.py record <provider>` refuses to run without the key, naming it."""
    monkeypatch.delenv(variable, raising=False)
    assert record.main([provider]) == 2
    text = err.readouterr().err
    assert variable in text and f"python tasks.py record {provider}" in text
