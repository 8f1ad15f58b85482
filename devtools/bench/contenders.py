"""The ways of calling the API that the bench compares, each doing the same work per call.

Every contender sends the same request (one user message, 1,024 max output tokens), takes the
answer's text (non-streamed) or each chunk's text delta (streamed; the text joined at the end)
and is imported lazily, so a worker process imports only the library it measures (the peers
run from `.venv-peers`, where modelwire need not be installed).

- `floor` and `floor-httpx2`: raw httpx and raw httpx2 (the same code on either module), what
  no client can beat: `json.dumps` the body, `post`, `json.loads`; for streams
  `client.stream` + `iter_lines` + `json.loads` of each `data:` line. Two floors because the
  project moves from httpx (httpcore 1.0) to httpx2, whose async pool is much faster under
  concurrency: the report compares with the faster floor of each figure.
- `modelwire`: the public API (`AIModelAPI` with `base_url`, `AIModelClient.generate`,
  `stream_generator`), default retries and timeouts.
- `openai`, `anthropic`: the official SDKs (raw streamed events, as the floor).
- `litellm`: `litellm.completion` / `acompletion`.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from typing import Any, ClassVar

from .payloads import ANTHROPIC_MODEL, OPENAI_MODEL

KEY = "sk-bench-not-a-secret"
PROMPT = "Say hello."
MAX_TOKENS = 1024
# modelwire's pool is fixed (100 connections, 20 kept alive: runtime's MAX_CONNECTIONS, not
# settable through its public API): the floors and the SDKs get the same, so that at 1,000
# concurrent calls every contender queues 900 of them, not only some
POOL_CONNECTIONS, POOL_KEEPALIVE = 100, 20
# past httpx's 5 s default: at 1,000 concurrent calls a request may queue for the pool longer
POOL_TIMEOUT_S = 120.0


class Contender:
    """One client for one protocol, pointed at `base` (the server URL with its route prefix)."""

    name: ClassVar[str]
    label: ClassVar[str]
    protocols: ClassVar[tuple[str, ...]] = ("openai", "anthropic")
    module: ClassVar[str]  # what must be importable for this contender to run

    def __init__(self, protocol: str, base: str, is_async: bool) -> None:
        self.protocol = protocol
        self.base = base
        self.is_async = is_async
        self.text = ""  # the last stream's text

    @classmethod
    def load(cls) -> None:
        """Import what the contender needs (the cold-call figure times this apart from
        building the client; `__init__` imports it too, at no cost once loaded)."""
        importlib.import_module(cls.module)

    def call(self) -> str:
        raise NotImplementedError

    def stream(self) -> int:
        """Read one streamed answer; the number of text deltas seen."""
        raise NotImplementedError

    async def acall(self) -> str:
        raise NotImplementedError

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


class Floor(Contender):
    """The floor on `module` (httpx or httpx2: the same API), imported on first use only."""

    name = "floor"
    label = "raw httpx"
    module = "httpx"

    def __init__(self, protocol: str, base: str, is_async: bool) -> None:
        super().__init__(protocol, base, is_async)
        http = importlib.import_module(self.module)
        messages = [{"role": "user", "content": PROMPT}]
        self.body: dict[str, Any]
        if protocol == "openai":
            self.url = f"{base}/v1/chat/completions"
            self.headers = {"authorization": f"Bearer {KEY}", "content-type": "application/json"}
            self.body = {
                "model": OPENAI_MODEL,
                "messages": messages,
                "max_completion_tokens": MAX_TOKENS,
            }
            self.stream_body = {
                **self.body,
                "stream": True,
                "stream_options": {"include_usage": True},
            }
        else:
            self.url = f"{base}/v1/messages"
            self.headers = {
                "x-api-key": KEY,
                "anthropic-version": "2023-06-01",
                "content-type": "application/json",
            }
            self.body = {"model": ANTHROPIC_MODEL, "max_tokens": MAX_TOKENS, "messages": messages}
            self.stream_body = {**self.body, "stream": True}
        limits = http.Limits(
            max_connections=POOL_CONNECTIONS, max_keepalive_connections=POOL_KEEPALIVE
        )
        cls = http.AsyncClient if is_async else http.Client
        self.http: Any = cls(limits=limits, timeout=http.Timeout(POOL_TIMEOUT_S))

    def _text(self, status: int, content: bytes) -> str:
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {content[:200]!r}")
        data = json.loads(content)
        if self.protocol == "openai":
            return data["choices"][0]["message"]["content"]
        return "".join(b["text"] for b in data["content"] if b["type"] == "text")

    def call(self) -> str:
        r = self.http.post(self.url, content=json.dumps(self.body).encode(), headers=self.headers)
        return self._text(r.status_code, r.content)

    async def acall(self) -> str:
        content = json.dumps(self.body).encode()
        r = await self.http.post(self.url, content=content, headers=self.headers)
        return self._text(r.status_code, r.content)

    def stream(self) -> int:
        parts: list[str] = []
        content = json.dumps(self.stream_body).encode()
        openai = self.protocol == "openai"
        with self.http.stream("POST", self.url, content=content, headers=self.headers) as r:
            if r.status_code != 200:
                raise RuntimeError(f"HTTP {r.status_code}")
            for line in r.iter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                event = json.loads(line[6:])
                if openai:
                    choices = event["choices"]
                    text = choices[0]["delta"].get("content") if choices else None
                elif event["type"] == "content_block_delta":
                    text = event["delta"].get("text")
                else:
                    text = None
                if text:
                    parts.append(text)
        self.text = "".join(parts)
        return len(parts)

    def close(self) -> None:
        self.http.close()

    async def aclose(self) -> None:
        await self.http.aclose()


class FloorHttpx2(Floor):
    name = "floor-httpx2"
    label = "raw httpx2"
    module = "httpx2"


class Modelwire(Contender):
    name = "modelwire"
    label = "modelwire"
    module = "modelwire"

    @classmethod
    def load(cls) -> None:
        importlib.import_module("modelwire")
        importlib.import_module("modelwire.models")

    def __init__(self, protocol: str, base: str, is_async: bool) -> None:
        super().__init__(protocol, base, is_async)
        from modelwire import (
            AIModelAPI,
            AIModelAPIProviderEnum,
            AIModelCallConfig,
            AIModelClient,
            AIModelEndpoint,
        )
        from modelwire.models import ClaudeSonnet45, GPT4oMini

        if protocol == "openai":
            api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=KEY, base_url=f"{base}/v1")
            endpoint = AIModelEndpoint(api=api, ai_model=GPT4oMini)
        else:
            api = AIModelAPI(AIModelAPIProviderEnum.ANTHROPIC, api_key=KEY, base_url=base)
            endpoint = AIModelEndpoint(api=api, ai_model=ClaudeSonnet45)
        config = AIModelCallConfig(max_output_tokens=MAX_TOKENS)
        self.stream_config = config.updated(streaming=True)
        self.client = AIModelClient(endpoint, config, is_async=is_async)

    def call(self) -> str:
        chat = self.client.generate(prompt=PROMPT).chat_response
        assert chat is not None
        return chat.text()

    async def acall(self) -> str:
        chat = (await self.client.generate_async(prompt=PROMPT)).chat_response
        assert chat is not None
        return chat.text()

    def stream(self) -> int:
        response = self.client.generate(prompt=PROMPT, config=self.stream_config)
        assert response.streamed
        parts: list[str] = []
        for chunk, accumulated in response.stream_generator:
            if chunk:
                parts.append(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta())
            if accumulated:
                chat = accumulated.chat_response
                assert chat is not None
                self.text = chat.text()
        return len(parts)

    def close(self) -> None:
        self.client.close()

    async def aclose(self) -> None:
        await self.client.aclose()


def _sdk_pool(sdk: Any, is_async: bool) -> dict[str, Any]:
    """The SDK's own default HTTP client (its timeout and redirects kept) with the common pool
    limits instead of its own (1,000 connections in openai's), where the SDK offers one."""
    make = getattr(sdk, "DefaultAsyncHttpxClient" if is_async else "DefaultHttpxClient", None)
    if not isinstance(make, type):
        return {}
    # the SDK's HTTP module (httpx or httpx2, by its version): the one its client derives from
    http = importlib.import_module(make.__mro__[1].__module__.partition(".")[0])
    limits = http.Limits(max_connections=POOL_CONNECTIONS, max_keepalive_connections=POOL_KEEPALIVE)
    return {"http_client": make(limits=limits)}


class OpenAISDK(Contender):
    name = "openai"
    label = "openai SDK"
    protocols = ("openai",)
    module = "openai"

    def __init__(self, protocol: str, base: str, is_async: bool) -> None:
        super().__init__(protocol, base, is_async)
        import openai

        cls = openai.AsyncOpenAI if is_async else openai.OpenAI
        self.client: Any = cls(api_key=KEY, base_url=f"{base}/v1", **_sdk_pool(openai, is_async))
        self.kw: dict[str, Any] = {
            "model": OPENAI_MODEL,
            "messages": [{"role": "user", "content": PROMPT}],
            "max_completion_tokens": MAX_TOKENS,
        }

    def call(self) -> str:
        return self.client.chat.completions.create(**self.kw).choices[0].message.content

    async def acall(self) -> str:
        return (await self.client.chat.completions.create(**self.kw)).choices[0].message.content

    def stream(self) -> int:
        parts = []
        for c in self.client.chat.completions.create(
            **self.kw, stream=True, stream_options={"include_usage": True}
        ):
            if c.choices and (text := c.choices[0].delta.content):
                parts.append(text)
        self.text = "".join(parts)
        return len(parts)

    def close(self) -> None:
        self.client.close()

    async def aclose(self) -> None:
        await self.client.close()


class AnthropicSDK(Contender):
    name = "anthropic"
    label = "anthropic SDK"
    protocols = ("anthropic",)
    module = "anthropic"

    def __init__(self, protocol: str, base: str, is_async: bool) -> None:
        super().__init__(protocol, base, is_async)
        import anthropic

        cls = anthropic.AsyncAnthropic if is_async else anthropic.Anthropic
        self.client: Any = cls(api_key=KEY, base_url=base, **_sdk_pool(anthropic, is_async))
        self.kw: dict[str, Any] = {
            "model": ANTHROPIC_MODEL,
            "max_tokens": MAX_TOKENS,
            "messages": [{"role": "user", "content": PROMPT}],
        }

    @staticmethod
    def _text(message: Any) -> str:
        return "".join(b.text for b in message.content if b.type == "text")

    def call(self) -> str:
        return self._text(self.client.messages.create(**self.kw))

    async def acall(self) -> str:
        return self._text(await self.client.messages.create(**self.kw))

    def stream(self) -> int:
        parts = []
        for event in self.client.messages.create(**self.kw, stream=True):
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                parts.append(event.delta.text)
        self.text = "".join(parts)
        return len(parts)

    def close(self) -> None:
        self.client.close()

    async def aclose(self) -> None:
        await self.client.close()


class LiteLLM(Contender):
    name = "litellm"
    label = "LiteLLM"
    module = "litellm"

    def __init__(self, protocol: str, base: str, is_async: bool) -> None:
        super().__init__(protocol, base, is_async)
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no fetch at import
        import litellm

        litellm.telemetry = False
        openai = protocol == "openai"
        self.kw: dict[str, Any] = {
            "model": f"openai/{OPENAI_MODEL}" if openai else f"anthropic/{ANTHROPIC_MODEL}",
            "api_base": f"{base}/v1" if openai else base,
            "api_key": KEY,
            "max_tokens": MAX_TOKENS,
            "messages": [{"role": "user", "content": PROMPT}],
        }
        self.completion: Callable[..., Any] = litellm.completion
        self.acompletion: Callable[..., Any] = litellm.acompletion

    def call(self) -> str:
        return self.completion(**self.kw).choices[0].message.content

    async def acall(self) -> str:
        return (await self.acompletion(**self.kw)).choices[0].message.content

    def stream(self) -> int:
        parts = []
        for c in self.completion(**self.kw, stream=True, stream_options={"include_usage": True}):
            if c.choices and (text := c.choices[0].delta.content):
                parts.append(text)
        self.text = "".join(parts)
        return len(parts)


CONTENDERS: dict[str, type[Contender]] = {
    c.name: c for c in (Floor, FloorHttpx2, Modelwire, OpenAISDK, AnthropicSDK, LiteLLM)
}
FLOORS = ("floor", "floor-httpx2")
PEERS = ("openai", "anthropic", "litellm")
