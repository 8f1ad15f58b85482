"""Building the normalized call (`Call`): the conversation (`_conversation`) checked with the
settings against the model's catalog entry and the protocol's spec.

Everything here runs before any request, so a bad call fails without network traffic and
names the allowed values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypedDict

from ._catalog import AIModel
from ._config import AIModelCallConfig
from ._conversation import conversation, json_ready
from ._errors import ConfigurationError
from ._protocol import AdapterModule, Call, Message, check_options
from ._provider import ProtocolBinding
from ._types import (
    MediaContent,
    ToolCallContent,
)

if TYPE_CHECKING:  # _tools is imported when a call has tools or structured output
    from ._structured import StructuredOutput
    from ._tools import Tool, ToolChoice

__all__ = ["MEDIA_CAPABILITY", "build_call", "check"]

# the catalog capability a kind of input needs
MEDIA_CAPABILITY = {"image": "image_input", "document": "pdf_input", "audio": "audio_input"}


class _Tooling(TypedDict, total=False):
    """The Call's tooling fields (none when the call has no tools or structured output)."""

    tools: list[tuple[Tool, dict[str, Any]]]
    tool_choice: ToolChoice | None
    structured: StructuredOutput | None
    structured_schema: dict[str, Any] | None


def check(model: AIModel, cfg: AIModelCallConfig, provider: str = "") -> dict[str, object]:
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
    return _options(model, name, cfg.options)


def _needs(model: AIModel, capability: str, what: str) -> None:
    """Fail when a catalog model lacks `capability` (models of your own are not checked)."""
    if model.constant and capability not in model.capabilities:
        raise ConfigurationError(
            f"{model.constant} cannot take {what} (no {capability!r} capability in the "
            f"catalog; it has: {', '.join(sorted(model.capabilities))})"
        )


def _check_inputs(model: AIModel, turns: list[Message]) -> None:
    for m in turns:
        for part in m.content:
            if isinstance(part, MediaContent):
                _needs(model, MEDIA_CAPABILITY[part.kind], f"{part.kind} input")


def _check_kind(
    model: AIModel, cfg: AIModelCallConfig, adapter: AdapterModule, system: str | None
) -> None:
    """What an image model or an image protocol cannot do, and settings the protocol lacks."""
    name = model.constant or model.model_name
    if adapter.KIND == "embedding" or model.kind == "embedding":
        raise ConfigurationError(
            f"{name} makes embeddings: call client.embed(texts), not generate(...)"
        )
    low = adapter.MIN_OUTPUT_TOKENS
    if low is not None and cfg.max_output_tokens is not None and cfg.max_output_tokens < low:
        raise ConfigurationError(
            f"the {adapter.PROTOCOL} protocol takes max_output_tokens of at least {low}, "
            f"got {cfg.max_output_tokens}"
        )
    for param in adapter.UNSUPPORTED:
        if getattr(cfg, param) is not None:
            raise ConfigurationError(
                f"the {adapter.PROTOCOL} protocol has no {param}; leave it unset (or call "
                f"{name} through another protocol: AIModelEndpoint(..., protocol=...))"
            )
    if cfg.streaming and (not adapter.STREAMABLE or model.kind == "image"):
        raise ConfigurationError(
            f"{name} makes images, which modelwire does not stream: leave streaming off"
        )
    if adapter.KIND == "image":
        unused = [n for n in ("tools", "structured_output") if getattr(cfg, n)]
        if system is not None:
            unused.append("instructions (or a system message)")
        if unused:
            raise ConfigurationError(
                f"the {adapter.PROTOCOL} protocol takes a prompt and options only; "
                f"{name} cannot use {', '.join(unused)}"
            )


def _structured_via(model: AIModel, adapter: AdapterModule, host_via: str | None) -> str | None:
    """How structured output is asked for: the host's way when its provider spec says, else
    the protocol's native form for models that have it (models of your own are assumed to),
    else its fallback (None: there is none)."""
    if host_via == "json_mode" and not adapter.STRUCTURED_JSON_MODE:
        raise ConfigurationError(  # a provider spec naming a way its protocol lacks
            f"the {adapter.PROTOCOL} protocol has no JSON mode (its spec's structured_output)"
        )
    if host_via is not None:
        return host_via
    if adapter.STRUCTURED_VIA == "native" and (
        not model.constant or "structured_output" in model.capabilities
    ):
        return "native"
    return adapter.STRUCTURED_FALLBACK if adapter.STRUCTURED_VIA == "native" else "tool"


def _thinking(cfg: AIModelCallConfig) -> bool:
    """The call switches reasoning on (asked for, or given a budget)."""
    return cfg.reasoning or cfg.max_reasoning_tokens is not None


def _check_choice_while_reasoning(
    model: AIModel,
    cfg: AIModelCallConfig,
    choice: ToolChoice | None,
    structured: StructuredOutput | None,
) -> None:
    controls = model.reasoning
    thinking = _thinking(cfg)
    if not thinking or choice is None or controls is None:
        return
    allowed = controls.tool_choices_when_on
    if allowed is None or choice.mode in allowed:
        return
    name = model.constant or model.model_name
    if structured is not None and structured.via == "tool":
        raise ConfigurationError(
            f"structured output on {name} is a forced tool call here, which {name} does not "
            "accept while reasoning is on: turn reasoning off, or use a model with native "
            "structured output"
        )
    raise ConfigurationError(
        f"tool_choice={cfg.tool_choice!r} is not accepted by {name} while reasoning is on; "
        f"allowed: {', '.join(allowed)}"
    )


def _tooling(
    model: AIModel, cfg: AIModelCallConfig, adapter: AdapterModule, host_via: str | None
) -> _Tooling:
    """The Call's tools, tool choice and structured output, checked against the model and
    the protocol (its spec's `tools` and `structured_output` sections)."""
    if not cfg.tools and cfg.tool_choice is None and cfg.structured_output is None:
        return {}
    from ._structured import structured_from
    from ._tools import choice_from, schema_for, tools_from

    tools = tools_from(cfg.tools)
    choice = choice_from(cfg.tool_choice, tools)
    if tools:
        _needs(model, "tools", "tools")
    structured: StructuredOutput | None = None
    if cfg.structured_output is not None:
        via = _structured_via(model, adapter, host_via) if adapter.STRUCTURED_VIA else None
        if via is None:
            raise ConfigurationError(
                f"{model.constant or model.model_name} cannot give structured output on the "
                f"{adapter.PROTOCOL} protocol (no 'structured_output' capability in the catalog "
                "and no tool fallback in the protocol's spec)"
            )
        if via == "tool":
            _needs(model, "tools", "structured output through a forced tool call")
            if choice is not None:
                raise ConfigurationError(
                    f"structured output on {model.constant or model.model_name} is a forced "
                    "tool call: leave tool_choice unset"
                )
        structured = structured_from(cfg.structured_output, via)
        if via == "tool":
            tools = [*tools, structured.tool()]
            choice = choice_from(structured.tool().name, tools)
    _check_choice_while_reasoning(model, cfg, choice, structured)
    wire_tools = [
        (t, schema_for(t.parameters, "strict" if t.strict else adapter.TOOL_SCHEMA)) for t in tools
    ]
    schema = None
    if structured is not None and structured.via == "native":
        schema = schema_for(structured.schema, adapter.STRUCTURED_SCHEMA)
    return {
        "tools": wire_tools,
        "tool_choice": choice,
        "structured": structured,
        "structured_schema": schema,
    }


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
    thinking = _thinking(cfg)
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


def _options(model: AIModel, name: str, options: Mapping[str, object]) -> dict[str, object]:
    for key, value in options.items():
        if not isinstance(key, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(f"option names must be strings, got {key!r:.40}")
        json_ready(value, f"options[{key!r}]")
    if not model.valid_options:
        return dict(options)
    out: dict[str, object] = {}
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


def _signed_calls(turns: list[Message], stand_in: str) -> list[Message]:
    """Each assistant turn whose tool calls carry no signature (built by the caller, or from
    another model) gets `stand_in` on its first call; signed turns go as they came (a model's
    parallel calls sign only their first)."""
    out: list[Message] = []
    for m in turns:
        calls = [(i, c) for i, c in enumerate(m.content) if isinstance(c, ToolCallContent)]
        if m.role == "assistant" and calls and not any(c.signature for _, c in calls):
            content = list(m.content)
            first, call = calls[0]
            content[first] = replace(call, signature=stand_in)
            m = replace(m, content=content)
        out.append(m)
    return out


def build_call(
    model: AIModel,
    model_id: str,
    cfg: AIModelCallConfig,
    prompt: str | None,
    instructions: str | None,
    messages: Iterable[object] | None,
    adapter: AdapterModule,
    provider: str = "",
    binding: ProtocolBinding | None = None,
) -> tuple[Call, dict[str, object]]:
    """The normalized call, checked; `binding` is how this host serves the protocol."""
    if not isinstance(cfg, AIModelCallConfig):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        raise ConfigurationError(
            f"config must be an AIModelCallConfig (AIModelCallConfig(**fields) for a dict), "
            f"not {type(cfg).__name__}"
        )
    options = check(model, cfg, provider)
    check_options(options, adapter, model)
    turns, system = conversation(prompt, instructions, messages)
    stand_in = adapter.UNSIGNED_CALL
    if stand_in and model.reasoning is not None and model.reasoning.signed_calls:
        turns = _signed_calls(turns, stand_in)
    _check_inputs(model, turns)
    _check_kind(model, cfg, adapter, system)
    host_via = binding.structured_output if binding is not None else None
    # every generated adapter defines the tool and structured output constants
    tooling = _tooling(model, cfg, adapter, host_via)
    structured = tooling.get("structured")
    if structured is not None and structured.via == "json_mode":
        from ._structured import json_mode_instruction

        system = "\n\n".join(s for s in (system, json_mode_instruction(structured)) if s)
    call = Call(
        model_id,
        turns,
        system,
        cfg,
        cfg.streaming,
        model,
        adapter.PROTOCOL,
        provider,
        keep=frozenset(binding.keep) if binding is not None else frozenset(),
        **tooling,
    )
    return call, options
