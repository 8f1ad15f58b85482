"""What the contract tests of every provider share (tests/test_contract_<provider>.py).

Reading a scenario's cassette independently of modelwire (its one interaction, its wire body,
headers and SSE events), making the scenario's call through the public API (sync, and async
for streams), and the checks every cassette, request body and error goes through. Nothing here
knows a provider: what differs (documentation hosts, URI, request-id header, API key) is passed
in by the provider's test module.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import modelwire
from devtools import record
from devtools.cassettes import SECRET_HEADERS, leading_comment, replay
from devtools.scenarios import ROOT, Scenario
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


def client_for(s: Scenario, api_key: str, is_async: bool = False) -> AIModelClient:
    """A client for the scenario's endpoint and config: `api_key` is the key, or the credential
    the scenario names (a Google Cloud access token); `s.api_key`, when set, wins. The provider's
    URL values come from `s.api_config`."""
    return AIModelClient(
        model_endpoint=s.endpoint(api_key), config=s.call_config(), is_async=is_async
    )


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


def replay_call(s: Scenario, api_key: str) -> AIModelCallResponse:
    """Replay a non-streamed scenario: its response, from the cassette's one interaction."""
    with replay(s.path) as cassette, client_for(s, api_key) as client:
        response = client.generate(prompt=s.prompt, instructions=s.instructions)
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


def stream_sync(s: Scenario, api_key: str) -> dict[str, Any]:
    """Replay a streamed scenario (sync): every delta, the text deltas and the final response."""
    with replay(s.path) as cassette, client_for(s, api_key) as client:
        response = client.generate(prompt=s.prompt, instructions=s.instructions)
        assert response.stream_generator is not None and response.chat_response is None
        items = list(response.stream_generator)  # type: ignore[arg-type]
    assert cassette.play_count == 1
    return _stream_items(items)


async def stream_async(s: Scenario, api_key: str) -> dict[str, Any]:
    """`stream_sync` with an async client."""
    with replay(s.path) as cassette:
        async with client_for(s, api_key, is_async=True) as client:
            response = await client.generate_async(prompt=s.prompt, instructions=s.instructions)
            assert response.stream_generator is not None
            items = [item async for item in response.stream_generator]  # type: ignore[union-attr]
    assert cassette.play_count == 1
    return _stream_items(items)


def call_error(s: Scenario, api_key: str) -> ModelwireError:
    """Replay a scenario that must fail (before or while streaming) in one attempt."""
    with (
        replay(s.path) as cassette,
        client_for(s, api_key) as client,
        pytest.raises(ModelwireError) as caught,
    ):
        response = client.generate(prompt=s.prompt, instructions=s.instructions)
        for _item in response.stream_generator or ():  # type: ignore[union-attr]
            pass
    assert cassette.play_count == 1  # one attempt: a retry would find no response and fail
    err = caught.value
    assert isinstance(err, getattr(modelwire, s.error or ""))
    assert err.provider == s.provider
    assert api_key not in f"{err} {err!r}"
    return err


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
) -> dict[str, Any]:
    """One clean interaction: its origin in the leading comment and the index, the expected
    URI, no secret header, a request id (when the provider sends one in `request_id_header`).
    Returns the interaction."""
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
        assert wire_header(s, request_id_header).startswith("req_")
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


def check_request_body(s: Scenario, api_key: str) -> dict[str, Any]:
    """The body modelwire builds for the scenario is the one the cassette recorded."""
    with client_for(s, api_key) as client:
        body = client.request_body(
            prompt=s.prompt, instructions=s.instructions, config=s.call_config()
        )
    assert body == json.loads(interaction(s)["request"]["body"])
    return body


def next_turn_body(
    s: Scenario, api_key: str, first: ChatResponse, follow_up: str | None = None
) -> dict[str, Any]:
    """The body of the scenario's next turn: its prompt, `first` as the assistant's answer
    (`to_message_item()`), then `follow_up` when given. No request is made."""
    messages: list[Any] = [{"role": "user", "content": s.prompt}, first.to_message_item()]
    if follow_up is not None:
        messages.append({"role": "user", "content": follow_up})
    with client_for(s, api_key) as client:
        return client.request_body(messages=messages)


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
