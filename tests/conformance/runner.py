"""Replaying one conformance case through the public API and reporting the facts.

The facts are those of ../shared/conformance/README.md (`expected/<id>.json`): text,
reasoning, has_reasoning_signature, tool_calls, finish reason, usage, error.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import vcr
import yaml

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    APIError,
    ModelwireError,
    ReasoningContent,
)
from modelwire.generated.providers import PROVIDERS

ROOT = Path(__file__).resolve().parents[2]
GAPS_FILE = Path(__file__).with_name("known_gaps.yaml")


def corpus_dir() -> Path:
    return Path(
        os.environ.get("MODELWIRE_CONFORMANCE_DIR") or ROOT.parent / "shared" / "conformance"
    )


@dataclass(frozen=True)
class Case:
    id: str
    provider: str
    protocol: str
    model: str
    streaming: bool
    status: int
    endpoint: dict[str, Any]
    cassette: Path
    expected: Path

    @property
    def served(self) -> bool:
        info = PROVIDERS.get(self.provider)
        return info is not None and self.protocol in info.protocols


def load_cases(folder: Path) -> list[Case]:
    index = json.loads((folder / "index.json").read_text())
    return [
        Case(
            id=c["id"],
            provider=c["provider"],
            protocol=c["protocol"],
            model=c["model"],
            streaming=c["streaming"],
            status=c["status"],
            endpoint=c["endpoint"],
            cassette=folder / c["cassette"],
            expected=folder / c["expected"],
        )
        for c in index
    ]


def load_gaps() -> dict[tuple[str, str], str]:
    """(provider, protocol) -> why modelwire does not serve that pair yet."""
    data = yaml.safe_load(GAPS_FILE.read_text())
    return {(g["provider"], g["protocol"]): g["reason"] for g in data.get("groups") or []}


def gap_reason(case: Case) -> str | None:
    return load_gaps().get((case.provider, case.protocol))


def _facts(response: AIModelCallResponse | None) -> dict[str, Any]:
    chat = response.chat_response if response is not None else None
    choice = chat.choices[0] if chat is not None and chat.choices else None
    tools = []
    for call in chat.tools() if chat is not None else []:
        arguments = call.arguments if call.parse_error is None else call.arguments_raw
        tools.append({"id": call.id, "name": call.name, "arguments": arguments})
    usage = chat.usage if chat is not None else None
    return {
        "text": chat.text() if chat is not None else "",
        "reasoning": chat.reasoning() if chat is not None else None,
        # an opaque continuity token on any item (Gemini signs text and tool-call parts)
        "has_reasoning_signature": any(
            bool(getattr(c, "signature", None)) or (isinstance(c, ReasoningContent) and c.redacted)
            for c in (choice.contents if choice else [])
        ),
        "tool_calls": tools,
        "finish_reason": choice.finish_reason if choice else None,
        "finish_reason_raw": choice.finish_reason_raw if choice else None,
        "usage": {
            "prompt_tokens": usage.prompt_tokens if usage else None,
            "completion_tokens": usage.completion_tokens if usage else None,
            "reasoning_tokens": usage.reasoning_tokens if usage else None,
            "cache_read_tokens": usage.cache_read_tokens if usage else None,
            "cache_write_tokens": usage.cache_write_tokens if usage else None,
        },
    }


def _endpoint(case: Case) -> AIModelEndpoint:
    # everything the index gives besides the base URL (project, location, region, ...) is the
    # provider's config; any credentials work (none are checked): a key, and a static token
    config = {k: v for k, v in case.endpoint.items() if k != "base_url"}
    # the base URL as the corpus gives it (Azure's `.../openai`, `.../openai/v1`): the client
    # must neither double a path prefix the URL already ends with nor miss the variant it names
    base_url = case.endpoint["base_url"]
    api = AIModelAPI(
        case.provider,
        api_key="test",
        credentials={"access_token": "test"},
        config=config,
        base_url=base_url,
    )
    # a request that named no model (the API's default model) gets a placeholder: modelwire
    # always sends a model id, and refuses a model without one (AIModel(model_name=None))
    model = AIModel(model_name=case.model or "unnamed-model")
    return AIModelEndpoint(api, model, protocol=case.protocol)


async def _call(case: Case, is_async: bool) -> AIModelCallResponse:
    # models outside the catalog have no output limit; protocols that require one get this
    config = AIModelCallConfig(
        streaming=case.streaming, retries=0, timeout=30, max_output_tokens=1024
    )
    client = AIModelClient(_endpoint(case), config, is_async=is_async)
    try:
        if is_async:
            response = await client.generate_async(prompt="conformance")
            if not response.streamed:
                return response
            final = None
            async for _chunk, accumulated in response.stream_generator:  # type: ignore[union-attr]
                final = accumulated or final
            return final  # type: ignore[return-value]
        response = client.generate(prompt="conformance")
        if not response.streamed:
            return response
        final = None
        for _chunk, accumulated in response.stream_generator:  # type: ignore[union-attr]
            final = accumulated or final
        return final  # type: ignore[return-value]
    finally:
        await client.aclose()


def _same_path(r1: Any, r2: Any) -> None:
    """The paths are the same once percent-decoded. Recordings of one API differ in whether
    their client escaped a character a path segment may hold as is (a Bedrock model id's `:`
    is `%3A` from botocore, `:` from the Anthropic SDK's Bedrock client), and the API reads
    both alike; the corpus README's plain `path` match would hold one client to one of them."""
    if unquote(r1.path or "/") != unquote(r2.path or "/"):
        raise AssertionError(f"{r1.path} != {r2.path}")


REPLAY = vcr.VCR()
REPLAY.register_matcher("decoded_path", _same_path)


def run_case(case: Case, is_async: bool = False) -> dict[str, Any]:
    """What modelwire reports for the case, in the shape of expected/<id>.json."""
    with REPLAY.use_cassette(
        str(case.cassette),
        record_mode="none",
        match_on=["method", "scheme", "host", "port", "decoded_path"],
    ):
        try:
            response = asyncio.run(_call(case, is_async))
        except ModelwireError as exc:
            partial = exc.partial_response
            facts = _facts(partial)
            if partial is None:
                facts = {**_facts(None), "usage": None}
            elif partial.chat_response is not None and partial.chat_response.usage is None:
                facts["usage"] = {k: None for k in facts["usage"]}
            error = {"status": exc.status, "kind": exc.kind, "message": exc.message}
            if not isinstance(exc, APIError):
                error["class"] = type(exc).__name__
            return {"kind": "error", **facts, "error": error}
    return {"kind": "response", **_facts(response), "error": None}
