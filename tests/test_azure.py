"""Azure OpenAI on 127.0.0.1: deployment path with api-version, the v1 path, api-key and
Entra ID bearer auth — all from specs/providers/microsoft_openai.yaml."""

from __future__ import annotations

import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
)
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

AZURE = AIModelAPIProviderEnum.MICROSOFT_OPENAI
DEPLOYMENT = AIModel(model_name="my-gpt-4o")


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def call(server: LoopbackServer, **kw) -> None:
    server.queue(Reply.json(oa.completion("Hi")))
    api = AIModelAPI(AZURE, base_url=server.url, **kw)
    with AIModelClient(AIModelEndpoint(api, DEPLOYMENT), is_async=False) as c:
        assert c.generate(prompt="Hello").chat_response.text() == "Hi"


def test_deployment_path_with_api_version_and_api_key(server: LoopbackServer, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)
    call(server, api_key="azure-key")
    sent = server.requests[0]
    assert sent.path == "/openai/deployments/my-gpt-4o/chat/completions?api-version=2024-10-21"
    assert sent.headers["api-key"] == "azure-key"


def test_v1_path_and_entra_token(server: LoopbackServer) -> None:
    call(server, credentials={"azure_ad_token": "entra-token"}, config={"api_version": "v1"})
    sent = server.requests[0]
    assert sent.path == "/openai/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer entra-token"
    assert "api-key" not in sent.headers
    assert sent.json()["model"] == "my-gpt-4o"


def test_resource_names_the_endpoint(monkeypatch) -> None:
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    api = AIModelAPI(AZURE, api_key="k", config={"resource": "contoso"})
    assert AIModelEndpoint(api, DEPLOYMENT).base_url == "https://contoso.openai.azure.com"
    with pytest.raises(ConfigurationError, match="needs resource"):
        AIModelEndpoint(AIModelAPI(AZURE, api_key="k"), DEPLOYMENT)


@pytest.mark.parametrize(
    ("config", "path"),
    [
        (
            {"api_version": "2025-04-01-preview"},
            "/openai/deployments/my-image/images/generations?api-version=2025-04-01-preview",
        ),
        ({"api_version": "v1"}, "/openai/v1/images/generations"),
    ],
)
def test_image_deployments_use_the_images_path(
    server: LoopbackServer, config: dict, path: str
) -> None:
    """An image deployment (kind image) goes to Azure's images/generations, in both forms."""
    import base64

    from devtools.tooling import RED_PNG

    server.queue(
        Reply.json({"created": 1, "data": [{"b64_json": base64.b64encode(RED_PNG).decode()}]})
    )
    api = AIModelAPI(AZURE, base_url=server.url, api_key="azure-key", config=config)
    deployment = AIModel(model_name="my-image", kind="image")
    with AIModelClient(AIModelEndpoint(api, deployment)) as c:
        images = c.generate(prompt="A red square").image_response
    assert server.requests[0].path == path
    assert server.requests[0].json() == {"model": "my-image", "prompt": "A red square"}
    assert images is not None and images.get_content_as_bytes() == RED_PNG


# --- a base URL that already ends with the provider's path prefix (issue 18) ----------------


@pytest.mark.parametrize(
    ("suffix", "config", "path"),
    [
        # the official SDK's `azure_endpoint` + `/openai` form: the prefix is not doubled
        (
            "/openai",
            {"api_version": "2024-12-01-preview"},
            "/openai/deployments/my-gpt-4o/chat/completions?api-version=2024-12-01-preview",
        ),
        ("/openai/", {"api_version": "v1"}, "/openai/v1/chat/completions"),
        # a base URL ending in the v1 prefix selects the v1 path, whatever api_version says
        ("/openai/v1", {"api_version": "2024-10-21"}, "/openai/v1/chat/completions"),
        ("/openai/v1", {}, "/openai/v1/chat/completions"),
    ],
)
def test_base_url_with_the_path_prefix_is_not_doubled(
    server: LoopbackServer, monkeypatch, suffix: str, config: dict, path: str
) -> None:
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)
    server.queue(Reply.json(oa.completion("Hi")))
    api = AIModelAPI(AZURE, api_key="azure-key", config=config, base_url=server.url + suffix)
    with AIModelClient(AIModelEndpoint(api, DEPLOYMENT), is_async=False) as c:
        assert c.generate(prompt="Hello").chat_response.text() == "Hi"
    assert server.requests[0].path == path


def test_responses_base_url_with_the_prefix(server: LoopbackServer) -> None:
    from tests.support import responses_shapes as rs

    server.queue(Reply.json(rs.response("Hi")))
    api = AIModelAPI(
        AZURE,
        api_key="k",
        config={"api_version": "2025-03-01-preview"},
        base_url=server.url + "/openai",
    )
    endpoint = AIModelEndpoint(api, DEPLOYMENT, protocol="openai_responses")
    with AIModelClient(endpoint, is_async=False) as c:
        assert c.generate(prompt="Hello").chat_response.text() == "Hi"
    assert server.requests[0].path == "/openai/responses?api-version=2025-03-01-preview"


def test_overlap_is_generic_for_every_provider() -> None:
    """Whole path segments only: any provider, any prefix the base URL already ends with."""
    from modelwire import AIModelEndpoint as Endpoint

    openai = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key="k", base_url="http://h/v1/chat")
    assert Endpoint(openai, DEPLOYMENT).path(False) == "/completions"
    plain = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key="k", base_url="http://h/chatty")
    assert Endpoint(plain, DEPLOYMENT).path(False) == "/chat/completions"
