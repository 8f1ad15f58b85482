"""Client construction as the official SDKs allow it (issue 25): an httpx2 client of the
caller's own (`http_client=`, sync or async; never closed by modelwire), `default_headers=`
on every request, and headers a provider reads from the environment (OpenAI's organization
and project, declared in specs/providers/openai.yaml: no provider name in Python)."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
)
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

KEY = "sk-construction-0123456789abcdef"
CONFIG = AIModelCallConfig(max_output_tokens=10, retries=0)


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def endpoint(server: LoopbackServer, **api: object) -> AIModelEndpoint:
    made = AIModelAPI(
        AIModelAPIProviderEnum.OPEN_AI, api_key=KEY, base_url=server.url + "/v1", **api
    )  # pyright: ignore[reportArgumentType]
    return AIModelEndpoint(made, AIModel(model_name="some-model"))


def test_a_sync_http_client_of_ones_own(server: LoopbackServer) -> None:
    seen: list[str] = []
    http = httpx2.Client(event_hooks={"request": [lambda r: seen.append(str(r.url))]})
    server.queue(Reply.json(oa.completion("one")), Reply.json(oa.completion("two")))
    with AIModelClient(endpoint(server), CONFIG, http_client=http) as client:
        assert client.generate(prompt="Hi").chat_response.text() == "one"
    assert not http.is_closed  # not modelwire's to close
    with AIModelClient(endpoint(server), CONFIG, http_client=http) as client:
        assert client.generate(prompt="Hi").chat_response.text() == "two"
    assert seen == [f"{server.url}/v1/chat/completions"] * 2
    sent = server.requests[0].headers  # the fixed headers go with each request
    assert sent["content-type"] == "application/json"
    assert sent["user-agent"].startswith("modelwire/")
    assert sent["authorization"] == f"Bearer {KEY}"
    http.close()


def test_an_async_http_client_of_ones_own(server: LoopbackServer) -> None:
    server.queue(Reply.json(oa.completion("async")))

    async def run() -> tuple[str, bool]:
        async with httpx2.AsyncClient() as http:
            async with AIModelClient(
                endpoint(server), CONFIG, is_async=True, http_client=http
            ) as client:
                text = (await client.generate_async(prompt="Hi")).chat_response.text()
            return text, http.is_closed

    assert asyncio.run(run()) == ("async", False)


@pytest.mark.parametrize("is_async", [False, True])
def test_the_wrong_kind_of_http_client_is_refused(server: LoopbackServer, is_async: bool) -> None:
    wrong = httpx2.Client() if is_async else httpx2.AsyncClient()
    kind = "AsyncClient" if is_async else "Client"
    with pytest.raises(ConfigurationError, match=f"http_client must be an httpx2.{kind}"):
        AIModelClient(endpoint(server), CONFIG, is_async, http_client=wrong)  # pyright: ignore[reportCallIssue, reportArgumentType]


def test_default_headers_go_with_every_request(server: LoopbackServer) -> None:
    server.queue(Reply.json(oa.completion()))
    ep = endpoint(server, default_headers={"x-team": "search", "user-agent": "my-app/1.0"})
    with AIModelClient(ep, CONFIG) as client:
        client.generate(prompt="Hi")
    sent = server.requests[0].headers
    assert sent["x-team"] == "search" and sent["user-agent"] == "my-app/1.0"
    assert sent["authorization"] == f"Bearer {KEY}"  # auth is not a default to override


@pytest.mark.parametrize(
    "bad", [{"x-bad": "two\nlines"}, {"bad name": "v"}, {"x-n": 3}, ["x-team", "search"]]
)
def test_bad_default_headers_fail_at_construction(server: LoopbackServer, bad: object) -> None:
    with pytest.raises(ConfigurationError, match="default_headers"):
        endpoint(server, default_headers=bad)


def test_openai_organization_and_project_from_the_environment(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ORG_ID", "org-123")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj_456")
    server.queue(Reply.json(oa.completion()), Reply.json(oa.completion()))
    with AIModelClient(endpoint(server), CONFIG) as client:
        client.generate(prompt="Hi")
    sent = server.requests[0].headers
    assert (sent["openai-organization"], sent["openai-project"]) == ("org-123", "proj_456")
    given = endpoint(server, config={"organization": "org-given"})  # the config wins
    with AIModelClient(given, CONFIG) as client:
        client.generate(prompt="Hi")
    assert server.requests[1].headers["openai-organization"] == "org-given"


def test_a_custom_transport_through_http_client() -> None:
    """The official SDKs' way to fake or reroute requests: a transport of one's own."""
    import json

    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=oa.completion("from the transport"))

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=KEY)
    with AIModelClient(
        AIModelEndpoint(api, AIModel(model_name="m")), CONFIG, http_client=http
    ) as c:
        assert c.generate(prompt="Hi").chat_response.text() == "from the transport"
    (request,) = seen
    assert str(request.url) == "https://api.openai.com/v1/chat/completions"
    assert json.loads(request.content)["messages"] == [{"role": "user", "content": "Hi"}]
    assert request.headers["authorization"] == f"Bearer {KEY}"
