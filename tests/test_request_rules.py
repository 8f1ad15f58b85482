"""Request building from catalog data: output limits, reasoning forms and the parameter rules
reasoning imposes, checked before any request (no network: `request_body` makes none)."""

from __future__ import annotations

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
from modelwire._catalog import ParamRule, ReasoningControls

BUDGETED = AIModel(
    model_name="claude-budget",
    constant="ClaudeBudget",
    ids={"anthropic": "claude-budget-1"},
    max_output_tokens=64000,
    reasoning=ReasoningControls(
        budget_min=1024,
        budget_max=63999,
        budget_default=2048,
        budget_within_output=True,
        when_on={"temperature": ParamRule(allowed=(1.0,)), "top_p": ParamRule(min=0.95, max=1)},
    ),
)
ADAPTIVE = AIModel(
    model_name="claude-adaptive",
    constant="ClaudeAdaptive",
    ids={"anthropic": "claude-adaptive-1"},
    max_output_tokens=128000,
    reasoning=ReasoningControls(
        effort_levels=("low", "medium", "high"),
        budget_min=1024,
        budget_max=127999,
        adaptive=True,
    ),
)


def body(model: AIModel, **config: object) -> dict:
    api = AIModelAPI(AIModelAPIProviderEnum.ANTHROPIC, api_key="sk-ant-test")
    with AIModelClient(AIModelEndpoint(api, model), AIModelCallConfig(), is_async=False) as c:
        return c.request_body(prompt="Hi", config=AIModelCallConfig(**config))  # type: ignore[arg-type]


def test_max_tokens_defaults_to_the_catalog_limit() -> None:
    assert body(BUDGETED)["max_tokens"] == 64000
    assert body(BUDGETED, max_output_tokens=500)["max_tokens"] == 500


def test_a_model_outside_the_catalog_needs_an_output_limit() -> None:
    with pytest.raises(ConfigurationError, match="pass AIModelCallConfig\\(max_output_tokens"):
        body(AIModel(model_name="claude-unknown"))
    assert body(AIModel(model_name="claude-unknown"), max_output_tokens=10)["max_tokens"] == 10


def test_budget_thinking_uses_the_call_budget_else_the_catalog_default() -> None:
    assert body(BUDGETED, reasoning=True)["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    sent = body(BUDGETED, max_reasoning_tokens=5000)
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 5000}
    assert "thinking" not in body(BUDGETED)


def test_budget_outside_the_catalog_bounds_fails_naming_them() -> None:
    with pytest.raises(ConfigurationError, match=r"outside ClaudeBudget's range 1024\.\.63999"):
        body(BUDGETED, max_reasoning_tokens=100)


def test_budget_must_stay_below_the_output_limit() -> None:
    with pytest.raises(ConfigurationError, match=r"budget \(5000\) must be below max_output"):
        body(BUDGETED, max_reasoning_tokens=5000, max_output_tokens=4000)


def test_reasoning_rules_on_sampling_parameters_come_from_the_catalog() -> None:
    with pytest.raises(ConfigurationError, match=r"temperature=0\.5 .* allowed: one of 1"):
        body(BUDGETED, reasoning=True, temperature=0.5)
    with pytest.raises(ConfigurationError, match=r"top_p=0\.5 .* between 0\.95 and 1"):
        body(BUDGETED, reasoning=True, top_p=0.5)
    assert body(BUDGETED, reasoning=True, temperature=1.0)["temperature"] == 1.0
    assert body(BUDGETED, temperature=0.5)["temperature"] == 0.5  # no reasoning: no rule


def test_adaptive_form_and_effort() -> None:
    sent = body(ADAPTIVE, reasoning=True, reasoning_effort="high")
    assert sent["thinking"] == {"type": "adaptive"}
    assert sent["output_config"] == {"effort": "high"}
    # an explicit budget picks the budget form
    assert body(ADAPTIVE, max_reasoning_tokens=2000)["thinking"]["type"] == "enabled"
    with pytest.raises(ConfigurationError, match="allowed: low, medium, high"):
        body(ADAPTIVE, reasoning_effort="max")


def test_system_and_stop_sequences() -> None:
    api = AIModelAPI(AIModelAPIProviderEnum.ANTHROPIC, api_key="sk-ant-test")
    with AIModelClient(AIModelEndpoint(api, BUDGETED), AIModelCallConfig(), is_async=False) as c:
        sent = c.request_body(
            prompt="Hi", instructions="Be brief", config=AIModelCallConfig(stop="END")
        )
    assert sent == {
        "model": "claude-budget-1",
        "system": "Be brief",
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 64000,
        "stop_sequences": ["END"],
    }


def test_beta_headers_from_the_api_config() -> None:
    api = AIModelAPI(
        AIModelAPIProviderEnum.ANTHROPIC, api_key="sk-ant-test", config={"beta": ["a-1", "b-2"]}
    )
    assert api.config_headers() == {"anthropic-beta": "a-1,b-2"}
    assert AIModelAPI(AIModelAPIProviderEnum.ANTHROPIC, api_key="k").config_headers() == {}


def test_a_protocol_served_at_its_own_base_url_with_its_own_auth() -> None:
    api = AIModelAPI(AIModelAPIProviderEnum.ANTHROPIC, api_key="sk-ant-test")
    compat = AIModelEndpoint(api, AIModel(model_name="claude-x"), protocol="openai_chat")
    assert compat.base_url == "https://api.anthropic.com/v1"
    assert api.auth(compat.binding.auth) == ({"authorization": "Bearer sk-ant-test"}, {})
    native = AIModelEndpoint(api, AIModel(model_name="claude-x"))
    assert native.binding.protocol == "anthropic_messages"
    assert native.base_url == "https://api.anthropic.com"
    assert api.auth(native.binding.auth) == ({"x-api-key": "sk-ant-test"}, {})
