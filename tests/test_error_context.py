"""What an error says beyond the provider's message (issue 25): `status_code` beside `status`,
the request's URL and the response's headers (secrets scrubbed), the attempts made; a 404
from something that does not serve the API at a base URL the user gave says to check it, an
API's own 404 (an unknown model) does not; a timeout names the wait and its value."""

from __future__ import annotations

import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    APITimeoutError,
    NotFoundError,
    RateLimitError,
)
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

KEY = "sk-error-context-0123456789abcdef"


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def call(base_url: str, **config: object) -> None:
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=KEY, base_url=base_url)
    endpoint = AIModelEndpoint(api, AIModel(model_name="some-model"))
    settings = AIModelCallConfig(max_output_tokens=10, **config)  # pyright: ignore[reportArgumentType]
    with AIModelClient(endpoint, settings, is_async=False) as client:
        client.generate(prompt="Hi")


def test_a_404_from_a_base_url_missing_its_path_says_to_check_it(server: LoopbackServer) -> None:
    server.queue(Reply(status=404, body=b"Not Found", content_type="text/plain"))
    with pytest.raises(NotFoundError) as info:
        call(server.url, retries=0)  # an OpenAI-compatible server serves under /v1
    error = info.value
    assert error.status_code == error.status == 404
    assert error.url == f"POST {server.url}/chat/completions"
    assert f"is base_url right? ({server.url} was given)" in error.message
    assert f"url=POST {server.url}/chat/completions" in str(error)
    assert error.response_headers is not None
    assert error.response_headers["content-type"] == "text/plain"


def test_an_apis_own_404_is_left_as_it_is(server: LoopbackServer) -> None:
    body = {
        "error": {"message": "The model `some-model` does not exist", "code": "model_not_found"}
    }
    server.queue(Reply.json(body, status=404))
    with pytest.raises(NotFoundError) as info:
        call(server.url + "/v1", retries=0)
    assert info.value.message == "The model `some-model` does not exist"


def test_headers_echoing_the_key_are_scrubbed_and_attempts_counted(
    server: LoopbackServer,
) -> None:
    limited = {"error": {"message": "Rate limit reached", "type": "requests"}}
    headers = {"retry-after": "0", "x-echo": KEY}
    server.queue(*(Reply.json(limited, status=429, headers=headers) for _ in range(3)))
    with pytest.raises(RateLimitError) as info:
        call(server.url + "/v1", retries=2)
    error = info.value
    assert error.attempts == 3 and error.message.endswith("(after 3 attempts)")
    assert error.response_headers is not None and error.response_headers["x-echo"] == "<redacted>"


def test_a_timeout_names_the_wait_and_its_value(server: LoopbackServer) -> None:
    server.queue(Reply.json(oa.completion(), header_delay=1.0))
    with pytest.raises(APITimeoutError) as info:
        call(server.url + "/v1", retries=0, timeout=0.2)
    message = info.value.message
    assert "did not answer within timeout=0.2 s: waited for data longer than that" in message
    assert "(ReadTimeout)" in message
