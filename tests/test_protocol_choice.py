"""Which protocol an endpoint uses: the catalog's preference, the caller's override, and the
models that take only one (Responses-only models)."""

from __future__ import annotations

import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelEndpoint,
    ConfigurationError,
    models,
)

OPENAI = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key="test-key")


def test_chat_models_default_to_chat_completions_and_take_responses_on_request() -> None:
    assert AIModelEndpoint(OPENAI, models.GPT4o).binding.protocol == "openai_chat"
    assert models.GPT4o.protocols == ("openai_chat", "openai_responses")
    chosen = AIModelEndpoint(OPENAI, models.O4Mini, protocol="openai_responses")
    assert chosen.binding.protocol == "openai_responses"
    assert chosen.path(stream=False) == "/responses"


def test_a_responses_only_model_gets_responses_and_refuses_chat() -> None:
    assert AIModelEndpoint(OPENAI, models.GPT5Pro).binding.protocol == "openai_responses"
    with pytest.raises(
        ConfigurationError,
        match="GPT5Pro does not take protocol 'openai_chat'; it takes: openai_responses",
    ):
        AIModelEndpoint(OPENAI, models.GPT5Pro, protocol="openai_chat")


def test_a_model_of_your_own_takes_any_protocol_the_host_serves() -> None:
    ep = AIModelEndpoint(OPENAI, AIModel(model_name="gpt-9"), protocol="openai_responses")
    assert ep.binding.protocol == "openai_responses"
    with pytest.raises(ConfigurationError, match="does not serve protocol 'anthropic_messages'"):
        AIModelEndpoint(OPENAI, AIModel(model_name="gpt-9"), protocol="anthropic_messages")


def test_settings_the_responses_protocol_lacks_fail_before_the_request() -> None:
    from modelwire import AIModelCallConfig, AIModelClient

    ep = AIModelEndpoint(OPENAI, models.GPT4o, protocol="openai_responses")
    with (
        AIModelClient(ep, AIModelCallConfig(stop=["\n"])) as client,
        pytest.raises(ConfigurationError, match="the openai_responses protocol has no stop"),
    ):
        client.request_body(prompt="Hi")


def test_an_output_limit_below_the_protocol_minimum_fails_before_the_request() -> None:
    from modelwire import AIModelCallConfig, AIModelClient

    ep = AIModelEndpoint(OPENAI, models.GPT4o, protocol="openai_responses")
    with (
        AIModelClient(ep, AIModelCallConfig(max_output_tokens=8)) as client,
        pytest.raises(ConfigurationError, match="takes max_output_tokens of at least 16, got 8"),
    ):
        client.request_body(prompt="Hi")
