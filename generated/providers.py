# generated from specs/providers/ — do not edit; run `python tasks.py generate`
"""Every provider modelwire can call, compiled from specs/providers/."""

from __future__ import annotations

from enum import Enum

from modelwire._provider import AuthScheme, ProtocolBinding, ProviderInfo


class AIModelAPIProviderEnum(str, Enum):
    """The API providers (hosts) modelwire can call."""

    ANTHROPIC = "anthropic"
    OPEN_AI = "openai"

    def __str__(self) -> str:
        return self.value


PROVIDERS: dict[str, ProviderInfo] = {
    "anthropic": ProviderInfo(
        name="anthropic",
        display_name="Anthropic",
        base_url="https://api.anthropic.com",
        base_url_env=("ANTHROPIC_BASE_URL",),
        auth=AuthScheme(
            scheme="header",
            name="x-api-key",
            env=("ANTHROPIC_API_KEY",),
            optional=False,
        ),
        headers={"anthropic-version": "2023-06-01"},
        protocols={
            "anthropic_messages": ProtocolBinding(
                protocol="anthropic_messages",
                adapter="modelwire.generated.adapters.anthropic_messages",
                path="/v1/messages",
                kind="chat",
            ),
        },
        docs="https://docs.anthropic.com/en/api/overview",
        config_headers={
            "beta": ("anthropic-beta", ","),
        },
    ),
    "openai": ProviderInfo(
        name="openai",
        display_name="OpenAI",
        base_url="https://api.openai.com/v1",
        base_url_env=("OPENAI_BASE_URL",),
        auth=AuthScheme(
            scheme="bearer",
            name=None,
            env=("OPENAI_API_KEY",),
            optional=False,
        ),
        headers={},
        protocols={
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
        },
        docs="https://platform.openai.com/docs/api-reference",
    ),
}
