"""Building the normalized call: conversation normalization and checks against the catalog.

Everything here runs before any request, so a bad call fails without network traffic and
names the allowed values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._catalog import AIModel
from ._config import AIModelCallConfig
from ._errors import ConfigurationError
from ._protocol import Call, Message
from ._types import (
    AIModelCallResponse,
    ChatResponse,
    ContentItem,
    ReasoningContent,
    TextContent,
    ToolCallContent,
)

ROLES = ("system", "user", "assistant", "tool")


def _part(value: Any) -> ContentItem:
    if isinstance(value, (TextContent, ReasoningContent, ToolCallContent)):
        return value
    if isinstance(value, str):
        return TextContent(value)
    if isinstance(value, Mapping) and value.get("type", "text") == "text" and "text" in value:
        return TextContent(str(value["text"]))
    raise ConfigurationError(
        f"unsupported message content {value!r}; use a string, {{'type': 'text', 'text': ...}} "
        "or a content item"
    )


def _message(value: Any) -> Message:
    if isinstance(value, Message):
        return value
    if isinstance(value, AIModelCallResponse):
        value = value.chat_response
    if isinstance(value, ChatResponse):
        return Message("assistant", list(value.choices[0].contents) if value.choices else [])
    if isinstance(value, Mapping):
        role = value.get("role")
        if role not in ROLES:
            raise ConfigurationError(f"message role {role!r} is not one of {', '.join(ROLES)}")
        content = value.get("content")
        parts = [content] if isinstance(content, str) else list(content or [])
        return Message(role, [_part(p) for p in parts])
    raise ConfigurationError(
        f"unsupported message {value!r}; use {{'role': ..., 'content': ...}}, a Message "
        "or an earlier response"
    )


def conversation(
    prompt: str | None, instructions: str | None, messages: Iterable[Any] | None
) -> tuple[list[Message], str | None]:
    """(messages, system prompt): system turns are lifted out, in order, after `instructions`."""
    turns = [_message(m) for m in messages or ()]
    if prompt is not None:
        turns.append(Message("user", [TextContent(prompt)]))
    if not turns:
        raise ConfigurationError("nothing to send: pass prompt= or messages=")
    system = [instructions] if instructions else []
    kept = []
    for m in turns:
        if m.role == "system":
            system.extend(c.text for c in m.content if isinstance(c, TextContent))
        else:
            kept.append(m)
    return kept, ("\n\n".join(system) if system else None)


def check(model: AIModel, cfg: AIModelCallConfig, provider: str = "") -> dict[str, Any]:
    """Check `cfg` against the model's catalog entry; returns the options to send."""
    name = model.constant or model.model_name
    limit = model.max_output_for(provider)
    if cfg.max_output_tokens is not None and limit is not None and cfg.max_output_tokens > limit:
        raise ConfigurationError(
            f"max_output_tokens={cfg.max_output_tokens} exceeds {name}'s limit of {limit}"
        )
    for param in model.unsupported_params:
        if getattr(cfg, param) is not None:
            raise ConfigurationError(f"{name} does not accept {param} (it must be left unset)")
    _check_reasoning(model, name, cfg, provider)
    if cfg.tools or cfg.tool_choice is not None or cfg.structured_output is not None:
        raise ConfigurationError(
            "tools, tool_choice and structured_output are not supported yet by modelwire"
        )
    return _options(model, name, cfg.options)


def _check_reasoning(model: AIModel, name: str, cfg: AIModelCallConfig, provider: str) -> None:
    asks = cfg.reasoning or cfg.reasoning_effort is not None or cfg.max_reasoning_tokens
    if not asks or not model.constant:  # custom models: the provider decides
        return
    controls = model.reasoning
    if controls is None:
        raise ConfigurationError(
            f"{name} is not a reasoning model: it accepts none of reasoning, reasoning_effort "
            "or max_reasoning_tokens; leave them unset"
        )
    if cfg.reasoning_effort is not None and cfg.reasoning_effort not in controls.effort_levels:
        allowed = ", ".join(controls.effort_levels) or "none (it takes a token budget)"
        raise ConfigurationError(
            f"reasoning_effort={cfg.reasoning_effort!r} is not accepted by {name}; "
            f"allowed: {allowed}"
        )
    if cfg.max_reasoning_tokens is not None:
        low, high = controls.budget_min, controls.budget_max
        if low is None and high is None:
            raise ConfigurationError(
                f"{name} takes reasoning_effort ({', '.join(controls.effort_levels)}), "
                "not max_reasoning_tokens"
            )
        if (low is not None and cfg.max_reasoning_tokens < low) or (
            high is not None and cfg.max_reasoning_tokens > high
        ):
            raise ConfigurationError(
                f"max_reasoning_tokens={cfg.max_reasoning_tokens} is outside {name}'s "
                f"range {low}..{high}"
            )
    thinking = cfg.reasoning or cfg.max_reasoning_tokens is not None
    budget_form = cfg.max_reasoning_tokens is not None or not controls.adaptive
    if thinking and controls.budget_within_output and budget_form:
        budget = cfg.max_reasoning_tokens or controls.budget_default or controls.budget_min
        limit = cfg.max_output_tokens or model.max_output_for(provider)
        if budget is not None and limit is not None and budget >= limit:
            raise ConfigurationError(
                f"{name} counts reasoning inside the output limit: the reasoning budget "
                f"({budget}) must be below max_output_tokens ({limit})"
            )
    if thinking:
        for param, rule in controls.when_on.items():
            value = getattr(cfg, param)
            if value is not None and not rule.accepts(value):
                raise ConfigurationError(
                    f"{param}={value:g} is not accepted by {name} while reasoning is on; "
                    f"allowed: {rule.describe()}"
                )


def _options(model: AIModel, name: str, options: Mapping[str, Any]) -> dict[str, Any]:
    if not model.valid_options:
        return dict(options)
    out: dict[str, Any] = {}
    for key in options:
        if key not in model.valid_options:
            raise ConfigurationError(
                f"option {key!r} is not accepted by {name}; allowed: "
                f"{', '.join(model.valid_options)}"
            )
    for key, spec in model.valid_options.items():
        value = options.get(key, spec.default)
        if value is None:
            continue
        if spec.allowed is not None and value not in spec.allowed:
            raise ConfigurationError(
                f"option {key}={value!r} is not accepted by {name}; allowed: "
                f"{', '.join(map(repr, spec.allowed))}"
            )
        out[key] = value
    return out


def build_call(
    model: AIModel,
    model_id: str,
    cfg: AIModelCallConfig,
    prompt: str | None,
    instructions: str | None,
    messages: Iterable[Any] | None,
    protocol: str = "",
    provider: str = "",
) -> tuple[Call, dict[str, Any]]:
    options = check(model, cfg, provider)
    turns, system = conversation(prompt, instructions, messages)
    call = Call(model_id, turns, system, cfg, cfg.streaming, model, protocol, provider)
    return call, options
