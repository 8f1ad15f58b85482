"""Foundation-model descriptions: what the generated catalog constants are made of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._types import Usage, UsageCharge

_PER_MILLION = 1_000_000


@dataclass(frozen=True, slots=True)
class PriceTier:
    """Rates for a call whose prompt exceeds `above_prompt_tokens` (all of its tokens)."""

    above_prompt_tokens: int
    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None
    reasoning: float | None = None


@dataclass(frozen=True, slots=True)
class Pricing:
    """USD per million tokens. A missing cache rate falls back to the input rate. `tiers`:
    context-tiered rates, the highest tier whose threshold the prompt exceeds applying."""

    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None
    reasoning: float | None = None
    tiers: tuple[PriceTier, ...] = ()
    source: str | None = None
    checked: str | None = None

    def charge(self, usage: Usage | None) -> UsageCharge | None:
        """Price each part of `usage` at its own rate (cache reads and writes split out)."""
        if usage is None or (usage.prompt_tokens is None and usage.completion_tokens is None):
            return None
        prompt = usage.prompt_tokens or 0
        tier: PriceTier | None = None
        for t in self.tiers:  # the highest tier the prompt is above
            if prompt > t.above_prompt_tokens and (
                tier is None or t.above_prompt_tokens > tier.above_prompt_tokens
            ):
                tier = t
        rates: Pricing | PriceTier = self if tier is None else tier
        cache_read = usage.cache_read_tokens or 0
        cache_write = usage.cache_write_tokens or 0
        reasoning = usage.reasoning_tokens or 0
        parts = (
            max(prompt - cache_read - cache_write, 0) * rates.input,
            cache_read * _rate(rates.cached_input, rates.input),
            cache_write * _rate(rates.cache_write, rates.input),
            max((usage.completion_tokens or 0) - reasoning, 0) * rates.output,
            reasoning * _rate(rates.reasoning, rates.output),
        )
        return UsageCharge(
            *(round(v / _PER_MILLION, 10) for v in parts),
            total=round(sum(parts) / _PER_MILLION, 10),
        )


def _rate(specific: float | None, fallback: float) -> float:
    return fallback if specific is None else specific


@dataclass(frozen=True, slots=True)
class ParamRule:
    """What a sampling parameter may be: one of `allowed`, or within `min`..`max`."""

    allowed: tuple[float, ...] | None = None
    min: float | None = None
    max: float | None = None

    def accepts(self, value: float) -> bool:
        if self.allowed is not None and value not in self.allowed:
            return False
        return not (
            (self.min is not None and value < self.min)
            or (self.max is not None and value > self.max)
        )

    def describe(self) -> str:
        if self.allowed is not None:
            return "one of " + ", ".join(f"{v:g}" for v in self.allowed)
        if self.min is not None and self.max is not None:
            return f"between {self.min:g} and {self.max:g}"
        if self.min is not None:
            return f"at least {self.min:g}"
        return f"at most {self.max:g}"


@dataclass(frozen=True, slots=True)
class ReasoningControls:
    """How a model's reasoning is steered: effort levels, a token budget within bounds, or
    the adaptive form; and the rules sampling parameters follow while it is on."""

    effort_levels: tuple[str, ...] = ()
    default_effort: str | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    budget_default: int | None = None
    budget_within_output: bool = False
    adaptive: bool = False
    when_on: Mapping[str, ParamRule] = field(default_factory=dict)
    tool_choices_when_on: tuple[str, ...] | None = None  # None: any


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One provider option a model accepts: its allowed values and default."""

    allowed: tuple[Any, ...] | None = None
    default: Any = None
    wire: str | None = None  # its name on the wire (a dotted path) when it differs


@dataclass(frozen=True, slots=True)
class ImagePrice:
    """USD per generated image when the call's options match `when` (values compared as
    given; an option left out of `when` matches any value)."""

    per_image: float
    when: Mapping[str, Any] = field(default_factory=dict)

    def matches(self, options: Mapping[str, Any]) -> bool:
        return all(options.get(k) == v for k, v in self.when.items())


@dataclass(frozen=True, slots=True)
class Host:
    """What differs for a model on one provider: where it is served, and its limits there."""

    locations: tuple[str, ...] = ()
    context_window: int | None = None
    max_output_tokens: int | None = None
    id_prefixes: tuple[str, ...] = ()  # e.g. Bedrock inference profiles: `us.<id>`
    pricing: Pricing | None = None  # prices on this host, when they differ


@dataclass(frozen=True, slots=True)
class AIModel:
    """A foundation model: catalog constants (`modelwire.models`) or your own, in code.

    `ids` gives the model's id on each provider that hosts it; any other provider gets
    `model_name`.
    """

    model_name: str
    display_name: str | None = None
    kind: str = "chat"
    creator: str | None = None
    ids: Mapping[str, str] = field(default_factory=dict)
    hosts: Mapping[str, Host] = field(default_factory=dict)
    context_window: int | None = None
    max_output_tokens: int | None = None
    reasoning: ReasoningControls | None = None
    capabilities: frozenset[str] = frozenset()
    pricing: Pricing | None = None
    valid_options: Mapping[str, OptionSpec] = field(default_factory=dict)
    unsupported_params: tuple[str, ...] = ()
    # per-image prices (the first row whose `when` matches the options); images so priced
    # are not also charged as output tokens
    image_pricing: tuple[ImagePrice, ...] = ()
    protocols: tuple[str, ...] = ()  # the protocols this model takes, preferred first
    release_date: str | None = None
    deprecation_date: str | None = None
    constant: str | None = None

    def id_for(self, provider: str) -> str:
        return self.ids.get(provider, self.model_name)

    def max_output_for(self, provider: str) -> int | None:
        """The output limit on `provider`: the host's own when the catalog lists one."""
        host = self.hosts.get(provider)
        if host is not None and host.max_output_tokens is not None:
            return host.max_output_tokens
        return self.max_output_tokens

    def pricing_for(self, provider: str) -> Pricing | None:
        """The prices on `provider`: the host's own when the catalog lists them."""
        host = self.hosts.get(provider)
        return host.pricing if host is not None and host.pricing is not None else self.pricing

    def image_price(self, options: Mapping[str, Any]) -> float | None:
        """The price of one image made with `options`, when the catalog gives one."""
        return next((p.per_image for p in self.image_pricing if p.matches(options)), None)

    def __repr__(self) -> str:
        return f"AIModel({self.constant or self.model_name!r})"


def image_charge(
    model: AIModel, provider: str, usage: Usage | None, options: Mapping[str, Any], count: int
) -> UsageCharge | None:
    """What generated images cost: per image by their options where the catalog prices them so
    (input tokens, when reported, still at the input rate, and reasoning tokens at the
    reasoning rate — else `pricing.output`, which is then the text and thinking rate; the other
    output tokens are the images), else the token prices."""
    pricing = model.pricing_for(provider)
    per_image = model.image_price(options)
    if per_image is None:
        return pricing.charge(usage) if pricing is not None else None
    inputs = None
    if pricing is not None and usage is not None and usage.prompt_tokens is not None:
        inputs = pricing.charge(
            Usage(
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.reasoning_tokens,
                reasoning_tokens=usage.reasoning_tokens,
                cache_read_tokens=usage.cache_read_tokens,
                cache_write_tokens=usage.cache_write_tokens,
            )
        )
    charge = inputs or UsageCharge()
    charge.images = round(per_image * count, 10)
    charge.total = round(charge.total + charge.images, 10)
    return charge
