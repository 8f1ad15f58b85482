"""devtools/cassettes.py Scrubber: what the recorder (devtools/record.py) keeps out of a cassette.

tests/test_secrets.py runs the recorder end to end against a server on 127.0.0.1 for each auth
scheme; these cases pin the rules no end-to-end case reaches: other hosts, late secrets,
encodings, and auth names derived from the provider specs.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from vcr.request import Request

from devtools import record
from devtools.cassettes import MASK, Scrubber
from modelwire import AIModelAPI, AIModelAPIProviderEnum, AIModelEndpoint
from modelwire._provider import AuthScheme
from modelwire.models import GPT4o

PROVIDER = "https://api.example.test/v1"
TOKEN = "ya29." + "MWTESTtoken/with+slash" * 3
REFRESH = "1//0gMWTESTrefresh-" + "Rk8" * 10


def _request(uri: str, body: bytes = b"{}", **headers: str) -> Request:
    return Request("POST", uri, body, {"content-length": str(len(body)), **headers})


def _response(body: bytes, **headers: str) -> dict[str, Any]:
    all_headers = {"Content-Length": [str(len(body))], **{k: [v] for k, v in headers.items()}}
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": all_headers,
        "body": {"string": body},
    }


def test_requests_to_other_hosts_are_not_written() -> None:
    scrubber = Scrubber(origins=[PROVIDER])
    token_exchange = _request("https://oauth2.googleapis.com/token?x=1", b"grant_type=x")
    assert scrubber.request(token_exchange) is None
    assert scrubber.request(_request("https://api.example.test:8443/v1/chat")) is None  # port
    assert scrubber.request(_request("https://API.example.test:443/v1/chat")) is not None
    assert scrubber.not_written == {
        "POST https://oauth2.googleapis.com/token",
        "POST https://api.example.test:8443/v1/chat",
    }


def test_credential_headers_and_query_parameters_are_dropped_and_their_values_masked() -> None:
    scrubber = Scrubber(headers=["X-Custom-Key"], query=["auth"])
    request = scrubber.request(
        _request(
            f"{PROVIDER}/chat?alt=sse&Key=MWTESTquerykey1&auth=MWTESTquerykey2",
            b'{"echo": "MWTESTheaderkey"}',
            authorization=f"Bearer {TOKEN}",
            **{"x-custom-key": "MWTESTheaderkey", "x-request-id": "req_1"},
        )
    )
    assert request.uri == f"{PROVIDER}/chat?alt=sse"
    assert set(request.headers) == {"content-length", "x-request-id"}
    assert request.body == f'{{"echo": "{MASK}"}}'.encode()
    assert request.headers["content-length"] == str(len(request.body))
    echoed = f"MWTESTquerykey1 {TOKEN} MWTESTquerykey2".encode()
    response = scrubber.response(_response(echoed, **{"x-echo": TOKEN, "set-cookie": "s=1"}))
    assert response["body"]["string"] == f"{MASK} {MASK} {MASK}".encode()
    assert response["headers"] == {"Content-Length": ["32"], "x-echo": [MASK]}


def test_an_uri_without_credentials_is_left_as_it_was() -> None:
    uri = f"{PROVIDER}/models/m:streamGenerateContent?alt=sse&b=%2F&a="
    assert Scrubber().request(_request(uri)).uri == uri


def test_an_oauth_token_exchange_keeps_only_its_grant_type_and_scope() -> None:
    scrubber = Scrubber()
    body = (
        "grant_type=refresh_token&client_id=c.apps&client_secret=GOCSPX-MWTEST"
        f"&refresh_token={REFRESH}"
    )
    form = {"content-type": "application/x-www-form-urlencoded"}
    request = scrubber.request(_request("https://oauth2.example.test/token", body.encode(), **form))
    assert (
        request.body
        == (
            f"grant_type=refresh_token&client_id={MASK}&client_secret={MASK}&refresh_token={MASK}"
        ).encode()
    )
    assert request.headers["content-length"] == str(len(request.body))
    answer = json.dumps({"access_token": TOKEN, "refresh_token": REFRESH}).replace("/", "\\/")
    response = scrubber.response(_response(answer.encode()))
    assert json.loads(response["body"]["string"]) == {"access_token": MASK, "refresh_token": MASK}
    later = scrubber.request(_request(f"{PROVIDER}/chat", f'"{TOKEN}" {REFRESH}'.encode()))
    assert later.body == f'"{MASK}" {MASK}'.encode()
    prompt = b'{"prompt": "a&grant_type=b&c=d"}'  # not a form: left alone
    assert scrubber.request(_request(f"{PROVIDER}/chat", prompt)).body == prompt


def test_secrets_are_masked_in_binary_bodies_and_in_every_encoding() -> None:
    scrubber = Scrubber(secrets=[TOKEN, "short"])
    raw = b"\x89PNG\x00" + TOKEN.encode() + b"\xff" + quote(TOKEN, safe="").encode()
    response = scrubber.response(_response(raw + quote_plus(TOKEN).encode()))
    assert (
        response["body"]["string"] == b"\x89PNG\x00" + (MASK.encode() + b"\xff") + MASK.encode() * 2
    )
    assert scrubber.response(_response(b"short"))["body"]["string"] == b"short"  # too short


def test_mask_all_masks_what_was_learned_after_an_interaction_was_recorded() -> None:
    scrubber = Scrubber()
    early = (scrubber.request(_request(f"{PROVIDER}/a", TOKEN.encode())), _response(b"ok"))
    assert early[0].body == TOKEN.encode()
    scrubber.learn(TOKEN)
    scrubber.mask_all([early])
    assert early[0].body == MASK.encode()


def test_the_recorder_drops_the_auth_names_of_every_provider_spec(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import modelwire.generated.providers as generated

    openai = generated.PROVIDERS["openai"]
    by_query = dataclasses.replace(openai, auth=AuthScheme("query", name="X-Auth-Q", env=("MW_Q",)))
    monkeypatch.setattr(generated, "PROVIDERS", {**generated.PROVIDERS, "new": by_query})
    monkeypatch.setenv("MW_Q", "MWTESTfromenvironment")
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key="MWTESTexplicitkey")
    scrubber = record._scrubber(AIModelEndpoint(api, GPT4o))
    assert "x-auth-q" in scrubber.query
    assert {"api-key", "x-api-key", "x-goog-api-key"} <= scrubber.headers  # header schemes
    assert scrubber.origins == {("https", "api.openai.com", 443)}
    masked = scrubber.request(
        _request(f"{api.base_url}/x", b"MWTESTfromenvironment MWTESTexplicitkey")
    )
    assert masked.body == f"{MASK} {MASK}".encode()
