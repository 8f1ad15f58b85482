"""Keys never reach a repr, a log line, an exception or a cassette (issue 10).

1. Every file under cassettes/ and tests/__snapshots__/ is scanned for key shapes (OpenAI,
   Anthropic, Google, AWS, bearer tokens, ...), credential headers and `key=` query parameters.
2. For each auth scheme a provider spec uses (bearer, header, google_oauth, aws_sigv4 with
   access keys and with a Bedrock API key, Azure api-key and Entra token; plus the `query`
   scheme the runtime supports but no spec uses) a call against a server on 127.0.0.1 that
   answers 401 echoing the key: the exception, the reprs, `to_dict()` and every log record
   (all loggers at DEBUG) hold no key.
3. The recorder (devtools/record.py `_record`, its own vcrpy configuration) run against a
   server on 127.0.0.1: credential headers, SigV4 headers and query keys are not written.

Known leaks are `xfail(strict=True)` with the exact place: fixing one makes its test pass,
and strict xfail then fails until the mark is removed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest
import yaml

from devtools import record
from devtools.cassettes import SECRET_HEADERS
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ModelwireError,
    NotFoundError,
)
from modelwire._provider import AuthScheme
from modelwire.models import Claude37Sonnet, Gemini25Flash, GPT4o
from tests.support import anthropic_shapes as an
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Recorded, Reply

ROOT = Path(__file__).resolve().parent.parent
SCANNED_DIRS = (ROOT / "cassettes", ROOT / "tests" / "__snapshots__")

# --- 1. cassettes and snapshots ------------------------------------------------------------

# Shapes of real credentials. Lengths are the real ones' (or a floor below them), so that the
# short made-up keys the suite sends ("sk-test", "sk-ant-test-0000") do not match.
KEY_PATTERNS = {
    "openai/anthropic sk- key": re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"),
    "google api key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),
    "google oauth token": re.compile(r"\bya29\.[0-9A-Za-z_-]{20,}"),
    "aws access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "bedrock api key": re.compile(r"\bABSK[A-Za-z0-9+/=]{20,}"),
    "bearer token": re.compile(r"\b[Bb]earer\s+[A-Za-z0-9._~+/-]{12,}=*"),
    "aws sigv4 credential": re.compile(r"Credential=[A-Z0-9]{16,}/"),
    "huggingface token": re.compile(r"\bhf_[A-Za-z0-9]{30,}"),
    "groq key": re.compile(r"\bgsk_[A-Za-z0-9]{40,}"),
    "xai key": re.compile(r"\bxai-[A-Za-z0-9]{40,}"),
    "jwt": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "key= query parameter": re.compile(r"[?&](?:key|api[_-]?key|access_token)=[^&\s'\"]+"),
}

# Made-up values that have a real key's shape, each allowed by name and why. Every entry must
# be defined by the test suite itself (checked below), so that the list cannot hide a real key.
ALLOWED_FAKES: dict[str, str] = {
    "AKIAMODELWIRETEST000": (
        "the made-up AWS access key id tests/test_contract_bedrock.py and tests/test_tools.py "
        "sign with (AKIA + 16 characters, the real shape; no AWS account has it)"
    ),
}

# Request headers that carry a credential; none may be recorded.
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "x-goog-api-key",
        "x-amz-security-token",
        "cookie",
        "set-cookie",
    }
)
CREDENTIAL_QUERY = frozenset(
    {
        "key",
        "api_key",
        "api-key",
        "apikey",
        "access_token",
        "token",
        "x-amz-security-token",
        "x-amz-credential",
        "x-amz-signature",
    }
)


def _scanned_files() -> list[Path]:
    return sorted(p for d in SCANNED_DIRS for p in d.rglob("*") if p.is_file())


def _key_hits(text: str) -> list[tuple[str, str]]:
    return [
        (name, m.group(0))
        for name, pattern in KEY_PATTERNS.items()
        for m in pattern.finditer(text)
        if not any(fake in m.group(0) for fake in ALLOWED_FAKES)
    ]


def _strings(value: Any) -> list[str]:
    """Every string in a parsed YAML document; bytes (`!!binary` bodies) decoded."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [value.decode("latin-1")]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_the_scan_sees_the_cassettes_and_snapshots() -> None:
    files = _scanned_files()
    assert sum(p.suffix == ".yaml" for p in files) >= 100
    assert sum(p.suffix == ".ambr" for p in files) >= 8


@pytest.mark.parametrize("path", _scanned_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_key_shape_in_a_recorded_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    hits = _key_hits(text)
    if path.suffix == ".yaml":  # bodies stored base64 (`!!binary`) too, decoded
        for s in _strings(yaml.safe_load(text)):
            hits += _key_hits(s)
    assert not hits, f"{path.relative_to(ROOT)} holds key-shaped text: {sorted(set(hits))}"


def _interactions() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted((ROOT / "cassettes").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, interaction in enumerate(data["interactions"]):
            out.append((f"{path.relative_to(ROOT / 'cassettes')}#{i}", interaction))
    return out


INTERACTIONS = _interactions()


def test_every_cassette_interaction_is_scanned() -> None:
    files = {where.split("#")[0] for where, _ in INTERACTIONS}
    assert len(files) == len(list((ROOT / "cassettes").rglob("*.yaml"))) >= 100


@pytest.mark.parametrize(("where", "interaction"), INTERACTIONS, ids=[w for w, _ in INTERACTIONS])
def test_no_credential_header_or_query_key_in_a_cassette(where: str, interaction: dict) -> None:
    request, response = interaction["request"], interaction["response"]
    sent = {k.lower() for k in request.get("headers") or {}}
    assert not sent & CREDENTIAL_HEADERS, f"{where}: request headers {sent & CREDENTIAL_HEADERS}"
    assert not sent & {h.lower() for h in SECRET_HEADERS}
    got = {k.lower() for k in response.get("headers") or {}}
    assert not got & CREDENTIAL_HEADERS, f"{where}: response headers {got & CREDENTIAL_HEADERS}"
    query = {k.lower() for k, _ in parse_qsl(urlsplit(request["uri"]).query)}
    assert not query & CREDENTIAL_QUERY, f"{where}: query parameters {query & CREDENTIAL_QUERY}"


@pytest.mark.parametrize("fake", sorted(ALLOWED_FAKES))
def test_every_allowed_fake_is_one_the_suite_defines(fake: str) -> None:
    defined_in = [
        p.name
        for p in (ROOT / "tests").glob("test_*.py")
        if p.name != Path(__file__).name and fake in p.read_text(encoding="utf-8")
    ]
    assert defined_in, f"{fake} is allow-listed but no test defines it: drop it from the list"


def test_the_patterns_catch_real_shapes_and_spare_the_suites_fakes() -> None:
    real_shaped = [
        "sk-" + "proj-" + "A1b2C3d4" * 6,
        "sk-" + "ant-api03-" + "Zz9_" * 20,
        "AIza" + "Sy" + "B" * 33,
        "ya29." + "a0AfH6SM" * 4,
        "AKIA" + "Q" * 16,
        "ASIA" + "7" * 16,
        "Authorization: Bearer " + "abc123DEF456ghi789",
        "https://generativelanguage.googleapis.com/v1beta/models/x?key=" + "abc",
        "-----BEGIN " + "PRIVATE KEY-----",
    ]
    for text in real_shaped:
        assert _key_hits(text), text
    for fake in ("sk-test", "sk-ant-test-0000", "sk-ant", "invalid-modelwire-key-0000", "k"):
        assert not _key_hits(f"api_key: {fake}"), fake
    assert not _key_hits("signed with AKIAMODELWIRETEST000")


# --- 2. calls against a server on 127.0.0.1 that echoes the key ------------------------------


def _fake(prefix: str, filler: str, length: int) -> str:
    """A made-up credential of a real one's shape (built here, so no scanner sees a literal)."""
    return (prefix + (filler * length))[:length]


OPENAI_KEY = _fake("sk-" + "proj-" + "MWTEST", "q7Rt", 164)
ANTHROPIC_KEY = _fake("sk-" + "ant-api03-" + "MWTEST", "Lp2_", 108)
GEMINI_KEY = _fake("AIza" + "MWTEST", "x9", 39)
QUERY_KEY = _fake("AIza" + "MWQUERY", "z4", 39)
VERTEX_TOKEN = _fake("ya29." + "a0MWTEST", "Gh5k", 180)
VERTEX_FETCHED_TOKEN = _fake("ya29." + "c0MWFETCHED", "Tn3w", 180)
AWS_ACCESS_KEY_ID = "AKIA" + "MWSECRETTEST0001"
AWS_SECRET_KEY = _fake("MWTESTsecret/", "Ab3+", 40)
AWS_SESSION_TOKEN = _fake("IQoJb3JpZ2luX2VjMWTEST", "Zm9v", 360)
BEDROCK_API_KEY = _fake("ABSK" + "QmVkcm9ja0FQSUtleS1MWTEST", "c2Vj", 132)
AZURE_KEY = _fake("mwtest", "0f9e", 32)
AZURE_ENTRA_TOKEN = "eyJ0eXAiOiJKV1Qi" + "." + _fake("eyJNV1RFU1Qi", "YWJj", 120) + ".MWTESTsig"


def _gemini_reply() -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": "Hi"}]}, "finishReason": "STOP"}
        ],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 1, "totalTokenCount": 6},
        "modelVersion": "gemini-2.5-flash",
    }


def _bedrock_reply() -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": "Hi"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 5, "outputTokens": 1, "totalTokens": 6},
    }


def _echo(secrets: tuple[str, ...]) -> str:
    return " ".join(secrets)


# protocol family -> (a success body, an error body quoting the given text, extra error headers)
FAMILIES: dict[str, tuple[Callable[[], Any], Callable[[str], Any], dict[str, str]]] = {
    "openai": (
        lambda: oa.completion("Hi"),
        lambda s: {
            "error": {
                "message": f"Incorrect API key provided: {s}.",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_api_key",
                "echo": [{"sent": s}],
            }
        },
        {},
    ),
    "anthropic": (
        lambda: an.message("Hi"),
        lambda s: {
            "type": "error",
            "error": {"type": "authentication_error", "message": f"invalid x-api-key: {s}"},
            "echo": [s],
        },
        {},
    ),
    "gemini": (
        _gemini_reply,
        lambda s: {
            "error": {
                "code": 401,
                "message": f"API key not valid: {s}",
                "status": "UNAUTHENTICATED",
                "details": [{"reason": "API_KEY_INVALID", "metadata": {"key": s}}],
            }
        },
        {},
    ),
    "bedrock": (
        _bedrock_reply,
        lambda s: {"message": f"The security token included in the request is invalid: {s}"},
        {"x-amzn-errortype": "UnrecognizedClientException:"},
    ),
}


@dataclass
class Scheme:
    """One way a provider authenticates, and what a call with it needs."""

    name: str
    provider: AIModelAPIProviderEnum
    model: AIModel
    family: str
    secrets: tuple[str, ...]  # what must never show
    api_key: str | None = None
    credentials: dict[str, Any] | None = None
    config: dict[str, Any] = field(default_factory=dict)
    base_path: str = ""
    query_auth: bool = False  # swap in the `query` scheme (the runtime's; no spec uses it)
    service_account: bool = False  # google_oauth from a service account, token from /token

    def api(self, server: LoopbackServer) -> AIModelAPI:
        credentials = self.credentials
        if self.service_account:
            credentials = {"service_account_info": _service_account_info(server)}
        api = AIModelAPI(
            self.provider,
            api_key=self.api_key,
            credentials=credentials,
            config=self.config,
            base_url=server.url + self.base_path,
        )
        if self.query_auth:
            api.info = dataclasses.replace(api.info, auth=AuthScheme("query", name="key"))
        return api

    def endpoint(self, server: LoopbackServer) -> AIModelEndpoint:
        return AIModelEndpoint(self.api(server), self.model)

    def token_replies(self) -> list[Reply]:
        if not self.service_account:
            return []
        token = {"access_token": VERTEX_FETCHED_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
        return [Reply.json(token)]

    def success(self) -> list[Reply]:
        return [*self.token_replies(), Reply.json(FAMILIES[self.family][0]())]

    def failure(self, echo_in_headers: bool = True) -> list[Reply]:
        _, error, headers = FAMILIES[self.family]
        text = _echo(self.secrets)
        extra = dict(headers)
        if echo_in_headers:
            extra["www-authenticate"] = f'Bearer error="invalid_token", error_description="{text}"'
            extra["x-echoed-credential"] = text
        return [*self.token_replies(), Reply.json(error(text), status=401, headers=extra)]


_SA_INFO: dict[str, Any] = {}


def _service_account_info(server: LoopbackServer) -> dict[str, Any]:
    if "private_key" not in _SA_INFO:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _SA_INFO["private_key"] = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
    return {
        "type": "service_account",
        "project_id": "proj-1",
        "private_key_id": "k1",
        "private_key": _SA_INFO["private_key"],
        "client_email": "tester@proj-1.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": server.url + "/token",
    }


VERTEX_CONFIG = {"project_id": "proj-1", "location": "us-central1"}
BEDROCK_MODEL = AIModel(model_name="us.amazon.nova-lite-v1:0")
AZURE_DEPLOYMENT = AIModel(model_name="my-gpt-4o")
P = AIModelAPIProviderEnum

SCHEMES = [
    Scheme("bearer-openai", P.OPEN_AI, GPT4o, "openai", (OPENAI_KEY,), api_key=OPENAI_KEY),
    Scheme(
        "header-anthropic-x-api-key",
        P.ANTHROPIC,
        Claude37Sonnet,
        "anthropic",
        (ANTHROPIC_KEY,),
        api_key=ANTHROPIC_KEY,
    ),
    Scheme(
        "header-gemini-x-goog-api-key",
        P.GOOGLE_AI,
        Gemini25Flash,
        "gemini",
        (GEMINI_KEY,),
        api_key=GEMINI_KEY,
    ),
    Scheme(
        "query-key-synthetic",
        P.OPEN_AI,
        GPT4o,
        "openai",
        (QUERY_KEY,),
        api_key=QUERY_KEY,
        query_auth=True,
    ),
    Scheme(
        "google_oauth-static-token",
        P.GOOGLE_VERTEX_AI,
        Gemini25Flash,
        "gemini",
        (VERTEX_TOKEN,),
        credentials={"access_token": VERTEX_TOKEN},
        config=VERTEX_CONFIG,
        base_path="/v1",
    ),
    Scheme(
        "google_oauth-service-account",
        P.GOOGLE_VERTEX_AI,
        Gemini25Flash,
        "gemini",
        (VERTEX_FETCHED_TOKEN,),
        config=VERTEX_CONFIG,
        base_path="/v1",
        service_account=True,
    ),
    Scheme(
        "aws_sigv4-access-keys",
        P.AMAZON_BEDROCK,
        BEDROCK_MODEL,
        "bedrock",
        (AWS_ACCESS_KEY_ID, AWS_SECRET_KEY, AWS_SESSION_TOKEN),
        credentials={
            "aws_access_key_id": AWS_ACCESS_KEY_ID,
            "aws_secret_access_key": AWS_SECRET_KEY,
            "aws_session_token": AWS_SESSION_TOKEN,
        },
        config={"region": "us-east-1"},
    ),
    Scheme(
        "aws_sigv4-bedrock-api-key",
        P.AMAZON_BEDROCK,
        BEDROCK_MODEL,
        "bedrock",
        (BEDROCK_API_KEY,),
        api_key=BEDROCK_API_KEY,
        config={"region": "us-east-1"},
    ),
    Scheme(
        "azure-api-key", P.MICROSOFT_OPENAI, AZURE_DEPLOYMENT, "openai", (AZURE_KEY,), AZURE_KEY
    ),
    Scheme(
        "azure-entra-token",
        P.MICROSOFT_OPENAI,
        AZURE_DEPLOYMENT,
        "openai",
        (AZURE_ENTRA_TOKEN,),
        credentials={"azure_ad_token": AZURE_ENTRA_TOKEN},
    ),
]
BY_NAME = {s.name: s for s in SCHEMES}

# httpx2 (request lines with a query key), httpcore2 (echoed response headers) and botocore (the
# SigV4 canonical request with the session token) log secrets when their loggers are on:
# runtime/_redact.py filters those loggers, which the log tests below prove.


@pytest.fixture(autouse=True)
def _no_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (
        "AWS_BEARER_TOKEN_BEDROCK",
        "OPENAI_API_VERSION",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ):
        monkeypatch.delenv(variable, raising=False)


def _run(
    scheme: Scheme,
    server: LoopbackServer,
    *,
    is_async: bool = False,
    stream: bool = False,
    prompt: str = "Hello",
) -> tuple[AIModelClient, AIModelCallConfig, Any, ModelwireError | None]:
    """One call (a stream read to its end): (client, config, response, error)."""
    endpoint = scheme.endpoint(server)
    config = AIModelCallConfig(streaming=stream, retries=0, timeout=10)
    client = AIModelClient(endpoint, config, is_async=is_async)

    async def go_async() -> Any:
        async with client:
            response = await client.generate_async(prompt=prompt)
            if response.streamed:
                final = None
                async for _, accumulated in response.stream_generator:
                    final = accumulated or final
                return final
            return response

    def go() -> Any:
        with client:
            response = client.generate(prompt=prompt)
            if response.streamed:
                final = None
                for _, accumulated in response.stream_generator:
                    final = accumulated or final
                return final
            return response

    try:
        response = asyncio.run(go_async()) if is_async else go()
    except ModelwireError as exc:
        return client, config, None, exc
    return client, config, response, None


def _texts_of_error(error: BaseException) -> dict[str, str]:
    """Everything of an exception a log line or a report may show, chained ones included."""
    out: dict[str, str] = {}
    seen: BaseException | None = error
    depth = 0
    while seen is not None and depth < 5:
        tag = f"[{depth}]" if depth else ""
        out[f"str{tag}"] = str(seen)
        out[f"repr{tag}"] = repr(seen)
        out[f"args{tag}"] = repr(seen.args)
        if isinstance(seen, ModelwireError):
            out[f"message{tag}"] = str(seen.message)
            out[f"body{tag}"] = json.dumps(seen.body, default=repr)
            out[f"fields{tag}"] = repr(
                (seen.provider, seen.status, seen.request_id, seen.code, seen.error_type)
            )
            partial = seen.partial_response
            if partial is not None:
                out[f"partial_response{tag}"] = repr(partial) + json.dumps(
                    partial.to_dict(), default=repr
                )
        seen = seen.__cause__ or seen.__context__
        depth += 1
    out["traceback"] = "".join(traceback.format_exception(error))
    return out


def _leaks(texts: dict[str, str], secrets: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        where: [f"{s[:12]}..." for s in secrets if s in text]
        for where, text in texts.items()
        if any(s in text for s in secrets)
    }


def _objects(client: AIModelClient, config: AIModelCallConfig) -> dict[str, str]:
    endpoint = client.model_endpoint
    return {
        "repr(AIModelAPI)": repr(endpoint.api),
        "str(AIModelAPI)": str(endpoint.api),
        "repr(AIModelEndpoint)": repr(endpoint),
        "repr(AIModelClient)": repr(client),
        "repr(AIModelCallConfig)": repr(config),
        # every token source / signer an auth scheme made on first use
        "repr(token source / signer)": repr(list(endpoint.api._account.sources.values())),
    }


SCHEME_PARAMS = [pytest.param(s, id=s.name) for s in SCHEMES]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("scheme", SCHEME_PARAMS)
def test_a_401_echoing_the_key_raises_an_error_without_it(
    scheme: Scheme, stream: bool, is_async: bool
) -> None:
    with LoopbackServer() as server:
        server.queue(*scheme.failure())
        client, config, response, error = _run(
            server=server, scheme=scheme, stream=stream, is_async=is_async
        )
        sent = server.requests[-1]
    assert response is None and error is not None
    assert error.status == 401 and error.kind == "authentication"
    assert _sent_a_secret(scheme, sent), "the secret was not sent: the test proves nothing"
    leaks = _leaks({**_texts_of_error(error), **_objects(client, config)}, scheme.secrets)
    assert not leaks, f"{scheme.name}: key in {leaks}"


def _sent_a_secret(scheme: Scheme, sent: Recorded) -> bool:
    return any(s in sent.path or s in json.dumps(sent.headers) for s in scheme.secrets)


@pytest.mark.parametrize("scheme", SCHEMES, ids=[s.name for s in SCHEMES])
def test_a_successful_call_keeps_the_key_out_of_reprs_and_to_dict(scheme: Scheme) -> None:
    with LoopbackServer() as server:
        server.queue(*scheme.success())
        client, config, response, error = _run(scheme, server)
        sent = server.requests[-1]
    assert error is None, error
    assert _sent_a_secret(scheme, sent)
    texts = {
        **_objects(client, config),
        "repr(response)": repr(response),
        "to_dict()": json.dumps(response.to_dict(), default=repr),
        "chat_response.to_dict()": json.dumps(response.chat_response.to_dict(), default=repr),
    }
    assert not _leaks(texts, scheme.secrets)


# The provider's own fields of an error (request id, code, type) are scrubbed too.


@pytest.mark.parametrize(
    ("field_name", "reply"),
    [
        pytest.param(
            "request_id",
            lambda k: Reply.json(
                {"error": {"message": "bad key", "type": "invalid_request_error"}},
                status=401,
                headers={"x-request-id": k},
            ),
            id="request_id-from-x-request-id-header",
        ),
        pytest.param(
            "code",
            lambda k: Reply.json({"error": {"message": "bad key", "code": k}}, status=401),
            id="code-from-error.code",
        ),
        pytest.param(
            "error_type",
            lambda k: Reply.json({"error": {"message": "bad key", "type": k}}, status=401),
            id="error_type-from-error.type",
        ),
    ],
)
def test_a_key_echoed_in_an_error_field_is_redacted(field_name: str, reply: Callable) -> None:
    scheme = BY_NAME["bearer-openai"]
    with LoopbackServer() as server:
        server.queue(reply(OPENAI_KEY))
        _client, _config, _response, error = _run(scheme, server)
    assert error is not None
    assert OPENAI_KEY not in str(getattr(error, field_name)), field_name
    assert not _leaks(_texts_of_error(error), scheme.secrets)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_an_error_event_in_a_stream_echoing_the_key_keeps_it_out_of_error_and_partial(
    is_async: bool,
) -> None:
    scheme = BY_NAME["header-anthropic-x-api-key"]
    events = an.stream_events(["Hel", "lo"])[:4]  # start, block start, ping, one delta
    events.append(an.error_event("authentication_error", f"key {ANTHROPIC_KEY} was revoked"))
    with LoopbackServer() as server:
        server.queue(Reply(body=events, content_type="text/event-stream"))
        client, config, _response, error = _run(scheme, server, stream=True, is_async=is_async)
    assert error is not None and error.partial_response is not None
    assert error.partial_response.chat_response.text() == "Hel"
    assert not _leaks({**_texts_of_error(error), **_objects(client, config)}, scheme.secrets)


# --- logging ---------------------------------------------------------------------------------

LOGGERS = ("", "modelwire", "httpx2", "httpcore2", "botocore", "google", "google.auth", "urllib3")


def _log_texts(caplog: pytest.LogCaptureFixture) -> dict[str, str]:
    out = {}
    for i, rec in enumerate(caplog.records):
        text = rec.getMessage()
        if rec.exc_info:
            text += "".join(traceback.format_exception(*rec.exc_info))
        out[f"{i}:{rec.name}:{rec.levelname}"] = text
    out["caplog.text"] = caplog.text
    return out


@pytest.mark.parametrize("scheme", SCHEME_PARAMS)
def test_no_key_in_any_log_record_at_debug(
    scheme: Scheme, caplog: pytest.LogCaptureFixture
) -> None:
    """A successful call, then a 401 quoting the key in its body (not in its headers: httpcore2
    logs response headers verbatim, see the next test), every logger at DEBUG."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    with LoopbackServer() as server:
        server.queue(*scheme.success())
        _, _, response, error = _run(scheme, server)
        assert error is None and response is not None
        server.queue(*scheme.failure(echo_in_headers=False))
        _, _, _, error = _run(scheme, server)
        assert error is not None
        logging.getLogger("tests.secrets").exception("call failed", exc_info=error)
    names = {rec.name for rec in caplog.records}
    assert {"httpx2", "httpcore2.http11", "tests.secrets"} <= names  # DEBUG really captured
    assert not _leaks(_log_texts(caplog), scheme.secrets)


def test_no_key_in_the_log_when_the_server_echoes_it_in_a_header(
    caplog: pytest.LogCaptureFixture,
) -> None:
    scheme = BY_NAME["bearer-openai"]
    caplog.set_level(logging.DEBUG)
    with LoopbackServer() as server:
        server.queue(*scheme.failure(echo_in_headers=True))
        _run(scheme, server)
    assert not _leaks(_log_texts(caplog), scheme.secrets)


@pytest.mark.parametrize("scheme", SCHEME_PARAMS)
def test_modelwire_own_records_hold_no_secret(
    scheme: Scheme, caplog: pytest.LogCaptureFixture
) -> None:
    """modelwire's attempt lines (the URL, a query-string key in it) and failure lines (the
    provider's message quoting the key) are scrubbed like its errors."""
    caplog.set_level(logging.DEBUG, logger="modelwire")
    with LoopbackServer() as server:
        server.queue(*scheme.success(), *scheme.failure())
        _run(scheme, server)
        _run(scheme, server)
    own = [r for r in caplog.records if r.name.startswith("modelwire")]
    assert len(own) >= 2  # an attempt line per call
    assert not _leaks({f"{i}": r.getMessage() for i, r in enumerate(own)}, scheme.secrets)


# --- 3. the recorder's filters ---------------------------------------------------------------


@dataclass
class _RecordScenario:
    """What devtools/record.py `_record` reads of a devtools.scenarios.Scenario, for a call
    to the server on 127.0.0.1 (so `_record`'s own vcrpy configuration records it)."""

    scheme: Scheme
    server: LoopbackServer
    path: Path
    outcome: str = "text"
    error: str | None = None
    name: str = "secrets"
    warmup: bool = False
    nonzero_usage: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        return self.scheme.provider.value

    @property
    def cassette(self) -> str:
        return str(self.path)

    def endpoint(self, api_key: Any) -> AIModelEndpoint:
        return self.scheme.endpoint(self.server)

    def call_config(self) -> AIModelCallConfig:
        return AIModelCallConfig(retries=0, timeout=10)

    def call_args(self) -> dict[str, Any]:
        return {"prompt": "Hello", "instructions": None, "messages": None}


def _record_with_the_recorder(
    scheme: Scheme,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    replies: list[Reply],
    outcome: str = "text",
    error: str | None = None,
) -> tuple[str, dict[str, Any], list[Recorded]]:
    monkeypatch.setattr(record, "_update_index", lambda *a: None)  # never touch cassettes/
    path = tmp_path / "recorded.yaml"
    with LoopbackServer() as server:
        server.queue(*replies)
        scenario = _RecordScenario(scheme, server, path, outcome=outcome, error=error)
        assert record._record(scenario, "2026-01-01"), "the recorder did not keep the cassette"
        sent = list(server.requests)
    text = path.read_text(encoding="utf-8")
    return text, yaml.safe_load(text), sent


def _recorded_requests(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [i["request"] for i in data["interactions"]]


@pytest.mark.parametrize("scheme", SCHEMES, ids=[s.name for s in SCHEMES])
def test_the_recorder_writes_no_credential(
    scheme: Scheme, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = {"set-cookie": "session=MWTESTcookie; HttpOnly", "openai-organization": "org-x"}
    replies = scheme.success()
    replies[-1].headers.update(cookie)
    text, data, sent = _record_with_the_recorder(scheme, tmp_path, monkeypatch, replies)
    assert _sent_a_secret(scheme, sent[-1]), "nothing secret was sent: the test proves nothing"
    assert text.startswith("# Contract cassette for scenario `secrets`")
    requests = _recorded_requests(data)
    assert len(requests) == len(sent)  # the token fetch of a service account is recorded too
    for request in requests:
        headers = {k.lower() for k in request["headers"]}
        assert not headers & CREDENTIAL_HEADERS, headers & CREDENTIAL_HEADERS
        query = {k.lower() for k, _ in parse_qsl(urlsplit(request["uri"]).query)}
        assert not query & CREDENTIAL_QUERY, (request["uri"], query & CREDENTIAL_QUERY)
    for interaction in data["interactions"]:
        got = {k.lower() for k in interaction["response"]["headers"]}
        assert not got & {"set-cookie", "openai-organization"}
    found = [s[:12] for s in scheme.secrets if s in text or quote(s, safe="") in text]
    assert not found, f"secrets in the cassette: {found}"
    if scheme.family == "bedrock" and scheme.credentials:  # SigV4: what is kept, what is not
        (request,) = requests
        assert "x-amz-date" in request["headers"]
        assert "MWTESTcookie" not in text


def test_the_recorder_drops_every_secret_header_in_any_letter_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every SECRET_HEADERS entry, sent by the client (as a provider config header would be)
    and answered by the server, in mixed case: none is written."""
    scheme = BY_NAME["bearer-openai"]
    original = AIModelAPI.config_headers
    # authorization: the client's own (the key) wins over a config header of that name
    sent_values = {
        h: f"MWTEST-{i}-value" for i, h in enumerate(SECRET_HEADERS) if h != "authorization"
    }

    def config_headers(self: AIModelAPI) -> dict[str, str]:
        return {**original(self), **{h.title(): v for h, v in sent_values.items()}}

    monkeypatch.setattr(AIModelAPI, "config_headers", config_headers)
    replies = scheme.success()
    replies[-1].headers.update({h.upper(): v for h, v in sent_values.items()})
    text, _data, sent = _record_with_the_recorder(scheme, tmp_path, monkeypatch, replies)
    assert {h: sent[-1].headers.get(h) for h in sent_values} == sent_values
    assert not [v for v in sent_values.values() if v in text]
    assert OPENAI_KEY not in text


def test_the_recorder_writes_no_key_a_provider_echoes_in_its_response(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheme = BY_NAME["bearer-openai"]
    text, _data, _sent = _record_with_the_recorder(
        scheme,
        tmp_path,
        monkeypatch,
        scheme.failure(echo_in_headers=True),
        outcome="error",
        error="AuthenticationError",
    )
    assert OPENAI_KEY not in text


def test_the_recorder_writes_no_refresh_token_of_application_default_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh_token = _fake("1//0gMWTESTrefresh", "Rk8-", 103)
    client_secret = _fake("GOCSPX-MWTEST", "s3Cr", 35)
    adc = tmp_path / "adc.json"
    scheme = Scheme(
        "google_oauth-adc",
        P.GOOGLE_VERTEX_AI,
        Gemini25Flash,
        "gemini",
        (refresh_token, client_secret, VERTEX_FETCHED_TOKEN),
        config=VERTEX_CONFIG,
        base_path="/v1",
    )
    token = {"access_token": VERTEX_FETCHED_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
    replies = [Reply.json(token), Reply.json(_gemini_reply())]

    info = {
        "type": "authorized_user",
        "client_id": "mwtest.apps.googleusercontent.com",
        "client_secret": client_secret,
        "refresh_token": refresh_token,
    }
    adc.write_text(json.dumps(info), encoding="utf-8")
    import google.oauth2.credentials as user_credentials

    class _Server(LoopbackServer):  # google-auth's token endpoint for users: this server's
        def __enter__(self) -> LoopbackServer:
            monkeypatch.setattr(
                user_credentials, "_GOOGLE_OAUTH2_TOKEN_ENDPOINT", self.url + "/token"
            )
            return super().__enter__()

    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    monkeypatch.setattr(sys.modules[__name__], "LoopbackServer", _Server)
    text, _data, sent = _record_with_the_recorder(scheme, tmp_path, monkeypatch, replies)
    assert sent[0].path == "/token" and refresh_token in unquote(sent[0].body.decode())
    found = [s[:12] for s in scheme.secrets if s in text or quote(s, safe="") in text]
    assert not found, f"secrets in the cassette: {found}"


# --- secrets are masked as whole tokens, and placeholders are not secrets (issue 18) -------


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("key", ["ollama", "test"])
def test_a_placeholder_key_leaves_the_providers_message_intact(key: str, is_async: bool) -> None:
    message = f"model 'llama3:latest' not found; key {key} is a placeholder, attest it"
    with LoopbackServer() as server:
        server.queue(Reply.json({"error": {"message": message, "type": "not_found"}}, status=404))
        api = AIModelAPI(AIModelAPIProviderEnum.OLLAMA, api_key=key, base_url=server.url)
        client = AIModelClient(
            AIModelEndpoint(api, AIModel(model_name="llama3")), is_async=is_async
        )
        with pytest.raises(NotFoundError) as info:
            if is_async:
                asyncio.run(client.generate_async(prompt="Hi"))
            else:
                client.generate(prompt="Hi")
    assert info.value.message == message


def test_a_secret_is_masked_only_where_it_stands_whole() -> None:
    from modelwire._redact import MASK, scrub, secret_forms

    key = "sk-live-0123456789abcdef"
    forms = secret_forms([key])
    text = f"bad key {key}. tried {key}X and X{key}, Bearer {key} ?key={key}&x=1"
    assert scrub(text, forms) == (
        f"bad key {MASK}. tried {key}X and X{key}, Bearer {MASK} ?key={MASK}&x=1"
    )
    # a key inside a JSON string, escaped, and URL-encoded with characters to encode
    slashed = "abc/def+ghi=jkl0123"
    assert scrub(json.dumps({"k": slashed}), secret_forms([slashed])) == json.dumps({"k": MASK})
    assert scrub(f"q={quote(slashed, safe='')}", secret_forms([slashed])) == f"q={MASK}"
