"""Google hosts against a server on 127.0.0.1: Vertex AI URLs (project, location, `global`),
Claude on Vertex through the Anthropic protocol (host body changes, no Python), the Gemini
API, Google Cloud credentials (static token, service account with refresh, missing extra),
and context-tiered prices."""

from __future__ import annotations

import datetime as dt
import json
import sys

import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
    Usage,
)
from modelwire._catalog import PriceTier, Pricing
from modelwire.models import Claude37Sonnet
from tests.support import anthropic_shapes as an
from tests.support.server import LoopbackServer, Reply

VERTEX = AIModelAPIProviderEnum.GOOGLE_VERTEX_AI
GEMINI_REPLY = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "Hi!", "thoughtSignature": "c2ln"}]},
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 2, "totalTokenCount": 7},
    "modelVersion": "gemini-2.5-flash",
    "responseId": "resp-1",
}


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def vertex(server: LoopbackServer, **kw) -> AIModelAPI:
    config = {"project_id": "proj-1", "location": "us-east5", **kw.pop("config", {})}
    kw.setdefault("credentials", {"access_token": "ya29.static"})
    return AIModelAPI(VERTEX, base_url=server.url + "/v1", config=config, **kw)


def test_claude_on_vertex_uses_the_anthropic_protocol_with_the_hosts_changes(
    server: LoopbackServer,
) -> None:
    server.queue(Reply.json(an.message("Hello from Vertex")))
    endpoint = AIModelEndpoint(vertex(server), Claude37Sonnet)
    assert endpoint.binding.protocol == "anthropic_messages"
    with AIModelClient(endpoint, AIModelCallConfig(max_output_tokens=100), is_async=False) as c:
        response = c.generate(prompt="Hello")
    assert response.chat_response.text() == "Hello from Vertex"
    sent = server.requests[0]
    assert sent.path == (
        "/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/"
        "claude-3-7-sonnet@20250219:rawPredict"
    )
    assert sent.headers["authorization"] == "Bearer ya29.static"
    body = sent.json()
    assert body["anthropic_version"] == "vertex-2023-10-16"
    assert "model" not in body
    assert body["max_tokens"] == 100


def test_the_same_claude_constant_on_anthropic(server: LoopbackServer) -> None:
    server.queue(Reply.json(an.message("Hello from Anthropic")))
    api = AIModelAPI(AIModelAPIProviderEnum.ANTHROPIC, api_key="sk-ant", base_url=server.url)
    with AIModelClient(AIModelEndpoint(api, Claude37Sonnet), is_async=False) as c:
        assert c.generate(prompt="Hello").chat_response.text() == "Hello from Anthropic"
    assert server.requests[0].path == "/v1/messages"
    assert server.requests[0].json()["model"] == "claude-3-7-sonnet-20250219"


def test_streamed_claude_on_vertex_uses_stream_raw_predict(server: LoopbackServer) -> None:
    server.queue(Reply(body=an.stream_events(["Hel", "lo"]), content_type="text/event-stream"))
    config = AIModelCallConfig(streaming=True, max_output_tokens=50)
    with AIModelClient(AIModelEndpoint(vertex(server), Claude37Sonnet), config, False) as c:
        items = list(c.generate(prompt="Hello").stream_generator)
    assert items[-1][1].chat_response.text() == "Hello"
    assert server.requests[0].path.endswith("claude-3-7-sonnet@20250219:streamRawPredict")
    assert server.requests[0].json()["stream"] is True


def test_gemini_on_vertex_and_its_stream_query(server: LoopbackServer) -> None:
    sse = [f"data: {json.dumps(GEMINI_REPLY)}\r\n\r\n".encode()]
    server.queue(Reply(body=sse, content_type="text/event-stream"))
    model = AIModel(model_name="gemini-2.5-flash", creator="google")
    config = AIModelCallConfig(streaming=True)
    with AIModelClient(AIModelEndpoint(vertex(server), model), config, is_async=False) as c:
        final = list(c.generate(prompt="Hi", instructions="Be brief").stream_generator)[-1][1]
    chat = final.chat_response
    assert chat.text() == "Hi!" and chat.choices[0].contents[0].signature == "c2ln"
    sent = server.requests[0]
    assert sent.path == (
        "/v1/projects/proj-1/locations/us-east5/publishers/google/models/"
        "gemini-2.5-flash:streamGenerateContent?alt=sse"
    )
    assert sent.json() == {
        "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief"}]},
    }


def test_gemini_api_key_header_and_thought_signature_round_trip(server: LoopbackServer) -> None:
    server.queue(Reply.json(GEMINI_REPLY), Reply.json(GEMINI_REPLY))
    api = AIModelAPI(AIModelAPIProviderEnum.GOOGLE_AI, api_key="AIza-test", base_url=server.url)
    endpoint = AIModelEndpoint(api, AIModel(model_name="gemini-2.5-flash"))
    with AIModelClient(endpoint, is_async=False) as c:
        first = c.generate(prompt="Hi").chat_response
        c.generate(messages=[{"role": "user", "content": "Hi"}, first.to_message_item()])
    assert server.requests[0].path == "/models/gemini-2.5-flash:generateContent"
    assert server.requests[0].headers["x-goog-api-key"] == "AIza-test"
    history = server.requests[1].json()["contents"]
    assert history[1] == {"role": "model", "parts": [{"text": "Hi!", "thoughtSignature": "c2ln"}]}


def test_vertex_base_url_follows_the_location() -> None:
    creds = {"access_token": "t"}
    regional = AIModelAPI(VERTEX, credentials=creds, config={"project_id": "p"})
    endpoint = AIModelEndpoint(regional, AIModel(model_name="gemini-2.5-flash"))
    assert endpoint.base_url == "https://us-central1-aiplatform.googleapis.com/v1"
    world = AIModelAPI(VERTEX, credentials=creds, config={"project_id": "p", "location": "global"})
    endpoint = AIModelEndpoint(world, AIModel(model_name="gemini-2.5-flash"))
    assert endpoint.base_url == "https://aiplatform.googleapis.com/v1"
    assert endpoint.path(False).startswith("/projects/p/locations/global/")


def test_missing_project_names_the_config_key_and_env(monkeypatch) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    api = AIModelAPI(VERTEX, credentials={"access_token": "t"})
    with pytest.raises(ConfigurationError, match=r"project_id.*GOOGLE_CLOUD_PROJECT"):
        AIModelEndpoint(api, AIModel(model_name="gemini-2.5-flash"))


def test_service_account_token_is_fetched_and_refreshed_before_expiry(
    server: LoopbackServer,
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "proj-1",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "tester@proj-1.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": server.url + "/token",
    }
    token = {"access_token": "ya29.first", "expires_in": 3600, "token_type": "Bearer"}
    server.queue(
        Reply.json(token),
        Reply.json(an.message("one")),
        Reply.json({**token, "access_token": "ya29.second"}),
        Reply.json(an.message("two")),
    )
    api = vertex(server, credentials={"service_account_info": info})
    with AIModelClient(AIModelEndpoint(api, Claude37Sonnet), is_async=False) as c:
        c.generate(prompt="one")
        # about to expire: google-auth's threshold makes the next call refresh first
        (source,) = api._account.sources.values()  # the token source the scheme made
        source._creds.expiry = dt.datetime.utcnow() + dt.timedelta(seconds=30)
        c.generate(prompt="two")
    paths = [r.path for r in server.requests]
    assert paths[0] == "/token" and paths[2] == "/token"
    assert server.requests[1].headers["authorization"] == "Bearer ya29.first"
    assert server.requests[3].headers["authorization"] == "Bearer ya29.second"
    assert "ya29" not in repr(api)


def test_missing_google_auth_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "google.auth", None)
    api = AIModelAPI(VERTEX, config={"project_id": "p"})
    with pytest.raises(ConfigurationError, match=r"modelwire\[vertex\]"):
        api.auth()


def test_context_tier_prices_the_whole_call_at_the_tier_rate() -> None:
    pricing = Pricing(input=1.25, output=10.0, tiers=(PriceTier(200_000, input=2.5, output=15.0),))
    below = pricing.charge(Usage(prompt_tokens=200_000, completion_tokens=1000))
    above = pricing.charge(Usage(prompt_tokens=200_001, completion_tokens=1000))
    assert below.total == pytest.approx((200_000 * 1.25 + 1000 * 10.0) / 1e6)
    assert above.total == pytest.approx((200_001 * 2.5 + 1000 * 15.0) / 1e6)


def test_gemini_25_pro_above_200k_is_priced_at_the_tier_rate() -> None:
    from modelwire.models import Gemini25Pro

    pricing = Gemini25Pro.pricing
    (tier,) = pricing.tiers
    assert tier.above_prompt_tokens == 200_000
    usage = Usage(prompt_tokens=250_000, completion_tokens=2_000, cache_read_tokens=50_000)
    charge = pricing.charge(usage)
    assert charge.input == pytest.approx(200_000 * tier.input / 1e6)
    assert charge.cached_input == pytest.approx(50_000 * tier.cached_input / 1e6)
    assert charge.output == pytest.approx(2_000 * tier.output / 1e6)
    small = pricing.charge(Usage(prompt_tokens=1_000, completion_tokens=10))
    assert small.input == pytest.approx(1_000 * pricing.input / 1e6)


def test_gemini_thinking_config_from_the_call_and_the_catalog() -> None:
    from modelwire.models import Gemini3Flash, Gemini25Flash

    api = AIModelAPI(AIModelAPIProviderEnum.GOOGLE_AI, api_key="k")

    def config_of(model: AIModel, **kw: object) -> dict:
        with AIModelClient(AIModelEndpoint(api, model), is_async=False) as c:
            body = c.request_body(prompt="Hi", config=AIModelCallConfig(**kw))  # type: ignore[arg-type]
        return body.get("generationConfig", {})

    # reasoning on without a budget: the provider's dynamic thinking, thoughts returned
    assert config_of(Gemini25Flash, reasoning=True) == {"thinkingConfig": {"includeThoughts": True}}
    assert config_of(Gemini25Flash, reasoning=True, max_reasoning_tokens=2048) == {
        "thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": True}
    }
    assert config_of(Gemini3Flash, reasoning_effort="low") == {
        "thinkingConfig": {"thinkingLevel": "low"}
    }
    with pytest.raises(ConfigurationError, match="allowed: minimal, low, medium, high"):
        config_of(Gemini3Flash, reasoning_effort="max")
    assert config_of(Gemini25Flash) == {}


def test_a_hosts_own_output_limit_applies_there() -> None:
    from modelwire.models import Gemini25Pro

    assert Gemini25Pro.max_output_tokens == 65536
    assert Gemini25Pro.max_output_for("google_vertex_ai") == 65535
    api = AIModelAPI(VERTEX, credentials={"access_token": "t"}, config={"project_id": "p"})
    with (
        AIModelClient(AIModelEndpoint(api, Gemini25Pro), is_async=False) as c,
        pytest.raises(ConfigurationError, match="exceeds Gemini25Pro's limit of 65535"),
    ):
        c.request_body(prompt="Hi", config=AIModelCallConfig(max_output_tokens=65536))


# --- Vertex AI express mode: an API key, no project (issue 18) ------------------------------


def test_express_mode_without_a_project_uses_the_key_and_the_global_path(
    server: LoopbackServer, monkeypatch
) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    server.queue(Reply.json(GEMINI_REPLY))
    api = AIModelAPI(VERTEX, api_key="express-key-0123456789", base_url=server.url + "/v1")
    model = AIModel(model_name="gemini-2.5-flash", creator="google")
    with AIModelClient(AIModelEndpoint(api, model), is_async=False) as c:
        assert c.generate(prompt="Hi").chat_response.text() == "Hi!"
    sent = server.requests[0]
    assert sent.path == "/v1/publishers/google/models/gemini-2.5-flash:generateContent"
    assert sent.headers["x-goog-api-key"] == "express-key-0123456789"
    assert "authorization" not in sent.headers


def test_express_mode_host_and_key_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.delenv("GOOGLE_VERTEX_BASE_URL", raising=False)
    monkeypatch.setenv("GOOGLE_API_KEY", "env-express-key-0123456789")
    model = AIModel(model_name="gemini-2.5-flash", creator="google")
    endpoint = AIModelEndpoint(AIModelAPI(VERTEX), model)
    assert endpoint.base_url + endpoint.path(True) == (
        "https://aiplatform.googleapis.com/v1/publishers/google/models/"
        "gemini-2.5-flash:streamGenerateContent"
    )
    assert endpoint.api.auth(endpoint.auth) == (
        {"x-goog-api-key": "env-express-key-0123456789"},
        {},
    )
    assert "env-express-key-0123456789" in endpoint.api.secrets()


def test_a_project_keeps_the_project_path(server: LoopbackServer, monkeypatch) -> None:
    monkeypatch.setenv("GOOGLE_API_KEY", "env-express-key-0123456789")
    server.queue(Reply.json(GEMINI_REPLY))
    model = AIModel(model_name="gemini-2.5-flash", creator="google")
    with AIModelClient(AIModelEndpoint(vertex(server), model), is_async=False) as c:
        c.generate(prompt="Hi")
    sent = server.requests[0]
    assert sent.path.startswith("/v1/projects/proj-1/locations/us-east5/publishers/google/")
    assert sent.headers["authorization"] == "Bearer ya29.static"


def test_claude_on_vertex_still_needs_a_project(monkeypatch) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    with pytest.raises(ConfigurationError, match="needs project_id"):
        AIModelEndpoint(AIModelAPI(VERTEX, api_key="k"), Claude37Sonnet)


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("us", "https://aiplatform.us.rep.googleapis.com/v1"),
        ("eu", "https://aiplatform.eu.rep.googleapis.com/v1"),
        ("global", "https://aiplatform.googleapis.com/v1"),
        ("europe-west4", "https://europe-west4-aiplatform.googleapis.com/v1"),
    ],
)
def test_vertex_hosts_by_location(monkeypatch, location: str, host: str) -> None:
    """Regional, global and the multi-region (us, eu) endpoints, each with its own host."""
    monkeypatch.delenv("GOOGLE_VERTEX_BASE_URL", raising=False)
    config = {"project_id": "p", "location": location}
    api = AIModelAPI(VERTEX, credentials={"access_token": "t"}, config=config)
    endpoint = AIModelEndpoint(api, AIModel(model_name="gemini-2.5-flash", creator="google"))
    assert endpoint.base_url == host
    assert endpoint.path(False).startswith(f"/projects/p/locations/{location}/publishers/google/")


def test_an_async_client_fetches_google_tokens_off_its_event_loop(server: LoopbackServer) -> None:
    """The token endpoint answers slowly: the loop keeps running other tasks meanwhile."""
    import asyncio

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    info = {
        "type": "service_account",
        "project_id": "proj-1",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "tester@proj-1.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": server.url + "/token",
    }
    token = {"access_token": "ya29.slow", "expires_in": 3600, "token_type": "Bearer"}
    server.queue(Reply.json(token, header_delay=0.6), Reply.json(an.message("one")))
    api = vertex(server, credentials={"service_account_info": info})

    async def main() -> tuple[str, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.05)
                ticks += 1

        task = asyncio.create_task(ticker())
        async with AIModelClient(AIModelEndpoint(api, Claude37Sonnet), is_async=True) as c:
            response = await c.generate_async(prompt="one")
        task.cancel()
        return response.chat_response.text(), ticks

    text, ticks = asyncio.run(main())
    assert text == "one"
    assert ticks >= 5  # ~12 ticks in the 0.6 s the token took; a blocked loop makes none
    assert server.requests[1].headers["authorization"] == "Bearer ya29.slow"
