"""Property tests (hypothesis) of the public API's input checks (issue 19).

Arguments to `AIModelAPI(...)`, `AIModelEndpoint(...)`, `AIModelCallConfig(...)` and
`AIModelClient(...).generate(...)` / `generate_async(...)` — well-formed, ill-typed or junk —
either work or raise a `ModelwireError` subclass, never a built-in exception; a
`ConfigurationError` is raised before any request (the server on 127.0.0.1 saw none), and no
error message quotes the API key. Valid calls get a canned valid answer (streamed when asked).

Deterministic (derandomize, no example database) and bounded: a few seconds at the default
scale; MODELWIRE_FUZZ_SCALE=20 runs twenty times the examples (tests/test_fuzz.py's knob).
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
    MediaContent,
    Message,
    ModelwireError,
    ReasoningContent,
    TextContent,
    ToolCallContent,
    ToolCallResult,
)
from modelwire.models import Claude37Sonnet, Gemini25Flash, GPT4o
from tests.support import anthropic_shapes as an
from tests.support import gemini_shapes as ge
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Recorded, Reply

P = AIModelAPIProviderEnum
SCALE = int(os.environ.get("MODELWIRE_FUZZ_SCALE", "1"))
MODELS: dict[P, AIModel] = {
    P.OPEN_AI: GPT4o,
    P.ANTHROPIC: Claude37Sonnet,
    P.GOOGLE_AI: Gemini25Flash,
    P.MICROSOFT_OPENAI: AIModel(model_name="gpt-4o-deployment"),
}
# variables that would give a key or a base URL the arguments do not
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
    "OPENAI_API_VERSION",
)


def fuzz(n: int) -> settings:
    """Deterministic, database-less, bounded."""
    return settings(
        max_examples=n * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _answer(rec: Recorded) -> Reply:
    """A valid answer in the protocol the request's path names, streamed when it asks."""
    streamed = b'"stream":true' in rec.body
    if "generateContent" in rec.path:
        if "streamGenerateContent" in rec.path:
            return Reply(body=ge.stream_events(["Hel", "lo"]), content_type="text/event-stream")
        return Reply.json(ge.response())
    if rec.path.endswith("/messages"):
        if streamed:
            return Reply(body=an.stream_events(["Hel", "lo"]), content_type="text/event-stream")
        return Reply.json(an.message())
    return Reply.sse(oa.stream_events(["Hel", "lo"])) if streamed else Reply.json(oa.completion())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackServer]:
    """The server, with no key or base URL in the environment; and CA certificates from an
    empty folder, so that each client made costs ~2 ms instead of the ~30 ms httpx takes to
    load a CA bundle (every request here is plain HTTP to 127.0.0.1)."""
    names = (*ENV, "SSL_CERT_FILE", "SSL_CERT_DIR")
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    os.environ["SSL_CERT_DIR"] = str(tmp_path_factory.mktemp("no-ca-certificates"))
    try:
        with LoopbackServer(responder=_answer) as srv:
            yield srv
    finally:
        del os.environ["SSL_CERT_DIR"]
        os.environ.update(saved)


# --- strategies -----------------------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()  # nan and infinities included
    | st.text(max_size=8)
    | st.binary(max_size=8)
)
# anything a caller might pass by mistake: scalars, containers of them, objects JSON lacks
junk = st.recursive(
    _scalars | st.builds(object) | st.frozensets(st.integers(), max_size=2),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner)
        | st.dictionaries(st.text(max_size=6) | st.integers(), inner, max_size=3)
    ),
    max_leaves=6,
)


@dataclass(frozen=True)
class AtServer:
    """A base URL on the test server: its URL followed by `suffix`."""

    suffix: str


def lookup(query: str, limit: int = 3) -> str:
    """Look something up.

    Args:
        query: what to look for
        limit: how many results
    """
    return query


printable = st.characters(codec="utf-8", exclude_categories=["Cs"])
text = st.text(max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
urls = st.sampled_from(["https://x/a.png", "data:image/png;base64,iVBORw0KGgo=", "data:,"])


class Args:
    """Strategies for each argument of the public API: valid values only (`wild` False), or
    valid values with junk at any depth, one time in six (`wild` True). A test makes one
    argument wild and keeps the others valid, so that most calls reach the checks of the
    argument under test instead of failing on another one first."""

    def __init__(self, wild: bool) -> None:
        self.wild = wild
        m = self.maybe
        schemas = st.fixed_dictionaries(
            {"type": st.just("object")},
            optional={"properties": st.dictionaries(text, m(json_values), max_size=2)},
        )
        tool_specs = st.fixed_dictionaries(
            {"name": m(st.sampled_from(["get_weather", "lookup"]))},
            optional={
                "description": m(text),
                "parameters": m(schemas),
                "strict": m(st.booleans()),
            },
        )
        wrapped = st.fixed_dictionaries({"type": st.just("function"), "function": m(tool_specs)})
        tools = st.lists(m(tool_specs | wrapped | st.just(lookup)), max_size=2)
        named = st.fixed_dictionaries({"name": m(text)})
        choices = st.sampled_from(["auto", "none", "required", "lookup", "get_weather"]) | (
            st.fixed_dictionaries({"type": st.just("function"), "function": m(named)})
        )
        self.config_fields: dict[str, st.SearchStrategy[Any]] = {
            "max_output_tokens": m(st.none() | st.integers(1, 4096)),
            "streaming": m(st.booleans()),
            "reasoning": m(st.booleans()),
            "max_reasoning_tokens": m(st.none() | st.integers(1, 4096)),
            "reasoning_effort": m(st.none() | st.sampled_from(["low", "medium", "high"])),
            "temperature": m(st.none() | st.floats(0, 1)),
            "top_p": m(st.none() | st.floats(0, 1)),
            "stop": m(st.none() | text | st.lists(text, max_size=2)),
            "seed": m(st.none() | st.integers(0, 2**31)),
            "tools": m(st.none() | tools),
            "tool_choice": m(st.none() | choices),
            "structured_output": m(st.none() | schemas),
            "timeout": m(st.floats(5, 30)),
            "total_timeout": m(st.none() | st.floats(5, 30)),
            "retries": m(st.just(0)),  # no retries: a failure must not wait out a backoff
            "max_event_bytes": m(st.integers(2**16, 2**24)),
            "options": m(self.options(m)),
            "cost_tracker": m(st.none()),
        }
        self.call = {
            "prompt": m(text),
            "instructions": m(st.none() | text),
            "messages": m(st.none() | st.lists(m(self.message(m)), max_size=3)),
            "config": m(st.none() | st.fixed_dictionaries({}, optional=self.config_fields)),
        }

    def maybe(self, valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        if not self.wild:
            return valid
        return st.integers(0, 5).flatmap(lambda i: junk if i == 0 else valid)

    def options(self, m: Callable[[Any], Any]) -> st.SearchStrategy[Any]:
        names = st.sampled_from(["user", "messages", "model", "generationConfig", "thinking"])
        if self.wild:
            names = names | text | st.integers()
        nested = st.fixed_dictionaries({}, optional={"candidateCount": m(st.integers(1, 2))})
        return st.dictionaries(names, m(json_values | nested), max_size=3)

    def message(self, m: Callable[[Any], Any]) -> st.SearchStrategy[Any]:
        part = m(
            st.one_of(
                text,
                st.fixed_dictionaries({"type": st.just("text"), "text": m(text)}),
                st.fixed_dictionaries(
                    {
                        "type": st.just("image_url"),
                        "image_url": m(urls | st.fixed_dictionaries({}, optional={"url": m(urls)})),
                    }
                ),
                st.builds(TextContent, m(text)),
                st.builds(ReasoningContent, m(text), m(st.none() | text)),
                st.builds(ToolCallResult, m(text), m(json_values), m(st.just("lookup"))),
                st.builds(ToolCallContent, m(text), m(st.just("lookup")), m(json_values)),
                st.builds(
                    MediaContent,
                    m(st.sampled_from(["image", "document"])),
                    m(st.just("image/png")),
                    m(st.none() | st.binary(max_size=8)),
                    m(st.none() | st.just("https://x/a.png")),
                ),
            )
        )
        call = st.fixed_dictionaries(
            {"name": m(st.just("lookup")), "arguments": m(st.just('{"a": 1}') | json_values)}
        )
        tool_calls = st.lists(
            m(st.fixed_dictionaries({"id": m(text), "function": m(call)})), max_size=2
        )
        roles = st.sampled_from(["system", "user", "assistant", "tool"])
        as_dict = st.fixed_dictionaries(
            {"role": m(roles)},
            optional={
                "content": m(st.none() | text | st.lists(part, max_size=3)),
                "tool_call_id": m(text),
                "tool_calls": m(tool_calls),
            },
        )
        as_object = st.builds(Message, m(roles), m(st.lists(part, max_size=2)))
        return as_dict | as_object

    def api(self) -> dict[str, st.SearchStrategy[Any]]:
        m = self.maybe
        keys = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=12, max_size=40)
        if self.wild:
            keys = keys | st.text(printable, min_size=1, max_size=40)
        base_urls = st.builds(AtServer, st.sampled_from(["", "/", "/v1", "/v1beta"]))
        if self.wild:
            base_urls = st.one_of(
                base_urls,
                st.builds(AtServer, st.text(printable, max_size=12)),
                st.sampled_from(["", "ftp://x", "http://[::1", "http://u:p@h", "localhost:1"]),
                st.text(printable, max_size=20).map(lambda t: "http://" + t),
            )
        return {
            "provider": m(
                st.sampled_from(list(MODELS)) | st.sampled_from([p.value for p in MODELS])
            ),
            "api_key": m(st.none() | keys),
            "credentials": m(
                st.none()
                | st.dictionaries(
                    st.sampled_from(["azure_ad_token", "access_token", "other"]),
                    m(keys),
                    max_size=2,
                )
            ),
            "config": m(
                st.none()
                | st.dictionaries(
                    st.sampled_from(["beta", "api_version", "resource", "other"]),
                    m(st.text(printable, max_size=12) | st.lists(st.text(printable, max_size=8))),
                    max_size=3,
                )
            ),
            "base_url": m(base_urls),
            "protocol": m(st.none() | st.sampled_from(["openai_chat", "anthropic_messages"])),
            "ai_model": m(st.none() | self.model(m)),  # None: the provider's model
        }

    def model(self, m: Callable[[Any], Any]) -> st.SearchStrategy[Any]:
        """The arguments of a model of one's own (`AIModel(model_name=...)`), made in the
        test: making it is part of what is checked."""
        names = st.lists(m(st.sampled_from(["temperature", "seed", "tools", "openai_chat"])))
        return st.builds(
            ModelArgs,
            st.fixed_dictionaries(
                {"model_name": m(st.text(min_size=1, max_size=8))},
                optional={
                    "kind": m(st.sampled_from(["chat", "image"])),
                    "ids": m(st.dictionaries(st.sampled_from(["openai", "anthropic"]), m(text))),
                    "max_output_tokens": m(st.none() | st.integers(1, 10**6)),
                    "capabilities": m(st.frozensets(st.sampled_from(["tools", "image_input"]))),
                    "unsupported_params": m(names.map(tuple)),
                    "protocols": m(names.map(tuple)),
                },
            ),
        )


@dataclass(frozen=True)
class ModelArgs:
    """The keyword arguments of an AIModel to make."""

    kw: dict[str, Any]


VALID, WILD = Args(wild=False), Args(wild=True)


def one_wild(
    valid: dict[str, Any], wild: dict[str, Any], optional: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments with one of them wild (always given) and the others valid (left out at
    times when `optional`)."""

    def build(w: str) -> st.SearchStrategy[dict[str, Any]]:
        others = {n: s for n, s in valid.items() if n != w}
        if optional:
            return st.fixed_dictionaries({w: wild[w]}, optional=others)
        return st.fixed_dictionaries({w: wild[w], **others})

    return st.sampled_from(list(valid)).flatmap(build)


def call_args() -> st.SearchStrategy[dict[str, Any]]:
    """generate's arguments, one of them wild: prompt, instructions, messages, the config
    as a whole, or one field of the config."""
    fields = VALID.config_fields

    def build(w: str) -> st.SearchStrategy[dict[str, Any]]:
        args = dict(VALID.call)
        if w in fields:
            others = {n: s for n, s in fields.items() if n != w}
            args["config"] = st.fixed_dictionaries({w: WILD.config_fields[w]}, optional=others)
        else:
            args[w] = WILD.call[w]
        return st.fixed_dictionaries(args)

    return st.sampled_from([*VALID.call, *fields]).flatmap(build)


config_args = one_wild(VALID.config_fields, WILD.config_fields, optional=True)
api_args = one_wild(VALID.api(), WILD.api())


# --- the property -------------------------------------------------------------------------------


def _consume(response: Any) -> None:
    stream = response.stream_generator
    if stream is not None:
        for _ in stream:
            pass


async def _aconsume(response: Any) -> None:
    stream = response.stream_generator
    if stream is not None:
        async for _ in stream:
            pass


@dataclass
class Holds:
    """Runs actions on the public API: each works, or raises a ModelwireError (a
    ConfigurationError before any request reached `server`) that does not quote `secret`
    (unless the arguments' `public` text holds it too); anything else fails the test."""

    server: LoopbackServer
    secret: Any = None
    public: str = ""

    def __call__(self, action: Callable[[], Any]) -> Any:
        before = len(self.server.requests)
        try:
            return action()
        except ModelwireError as exc:
            if isinstance(exc, ConfigurationError):
                assert len(self.server.requests) == before, f"a request was sent, then: {exc}"
            self.keeps_secret(f"{exc} {exc.args!r}")
            return exc

    def keeps_secret(self, text: str) -> None:
        secret = self.secret.strip() if isinstance(self.secret, str) else ""
        if len(secret) >= 12 and secret not in self.public:
            assert secret not in text


def _config(value: Any) -> Any:
    """`config=` for generate: AIModelCallConfig(**value) for a dict of fields, else as is."""
    if isinstance(value, dict) and all(
        isinstance(k, str) and k in VALID.config_fields for k in value
    ):
        return AIModelCallConfig(**value)
    return value


class Clients:
    """A client per provider and mode on the server, kept across examples; async ones run
    on one event loop of their own (which also closes the clients made for one example)."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.made: dict[tuple[P, str], AIModelClient] = {}

    def get(self, provider: P, mode: str) -> AIModelClient:
        if (provider, mode) not in self.made:
            api = AIModelAPI(provider, api_key="test-key-0123456789", base_url=self.server.url)
            endpoint = AIModelEndpoint(api, MODELS[provider])
            self.made[provider, mode] = AIModelClient(endpoint, is_async=mode == "async")
        return self.made[provider, mode]

    def close(self) -> None:
        for client in self.made.values():
            self.loop.run_until_complete(client.aclose())
        self.loop.close()


def call(check: Holds, client: AIModelClient, loop: Any, kw: dict[str, Any]) -> None:
    """generate / generate_async with `kw` (its `config` made first, checked on its own), a
    stream read to its end."""
    config = check(lambda: _config(kw.get("config")))
    if isinstance(config, ModelwireError):
        return
    kw = {**kw, "config": config}

    async def run() -> None:
        await _aconsume(await client.generate_async(**kw))

    before = len(check.server.requests)
    if client.is_async:
        outcome = check(lambda: loop.run_until_complete(run()))
    else:
        outcome = check(lambda: _consume(client.generate(**kw)))
    if not isinstance(outcome, ModelwireError):  # a valid call: sent, once
        assert len(check.server.requests) == before + 1


# --- the tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clients(server: LoopbackServer) -> Iterator[Clients]:
    made = Clients(server)
    yield made
    made.close()


@fuzz(150)
@given(args=api_args, mode=st.sampled_from(["sync", "async"]))
def test_api_and_endpoint_arguments_work_or_raise_a_modelwire_error(
    server: LoopbackServer, clients: Clients, args: dict[str, Any], mode: str
) -> None:
    base_url = args["base_url"]
    if isinstance(base_url, AtServer):
        base_url = server.url + base_url.suffix
    kw = {**args, "base_url": base_url}
    protocol = kw.pop("protocol")
    del kw["ai_model"]
    check = Holds(server, kw["api_key"], repr({**kw, "api_key": None}))
    api = check(lambda: AIModelAPI(**kw))
    if isinstance(api, ModelwireError):
        return
    check.keeps_secret(repr(api))
    given = args["ai_model"]
    model = check(lambda: AIModel(**given.kw)) if isinstance(given, ModelArgs) else given
    if isinstance(model, ModelwireError):
        return
    ep = check(
        lambda: AIModelEndpoint(api, MODELS[api.provider] if model is None else model, protocol)
    )
    if isinstance(ep, ModelwireError):
        return
    check.keeps_secret(repr(ep))
    client = AIModelClient(ep, is_async=mode == "async")
    try:
        call(check, client, clients.loop, {"prompt": "Hello", "config": {"retries": 0}})
    finally:
        clients.loop.run_until_complete(client.aclose())


@fuzz(300)
@given(
    kw=call_args(),
    provider=st.sampled_from([P.OPEN_AI, P.ANTHROPIC, P.GOOGLE_AI]),
    mode=st.sampled_from(["sync", "async"]),
)
def test_generate_arguments_work_or_raise_a_modelwire_error_before_any_request(
    server: LoopbackServer, clients: Clients, kw: dict[str, Any], provider: P, mode: str
) -> None:
    call(Holds(server), clients.get(provider, mode), clients.loop, kw)


@fuzz(200)
@given(fields=config_args)
def test_call_config_arguments_work_or_raise_a_modelwire_error(fields: dict[str, Any]) -> None:
    try:
        config = AIModelCallConfig(**fields)
    except ModelwireError:
        return
    assert config.timeout > 0 and math.isfinite(config.timeout)
