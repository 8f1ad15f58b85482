"""Foundation-model descriptions: what the generated catalog constants are made of."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import cast

from ._errors import ConfigurationError
from ._types import Usage, UsageCharge

__all__ = [
    "PARAMS",
    "AIModel",
    "Host",
    "ImagePrice",
    "OptionSpec",
    "ParamRule",
    "PriceTier",
    "PriceVariant",
    "Pricing",
    "ReasoningControls",
    "SecondarySource",
    "image_charge",
]

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
class SecondarySource:
    """Where prices were read when the provider's own page could not be: a dataset copying
    them (`dataset` on GitHub, its `file` at `version`, dated `date`). `fields`: the figures
    taken from it (empty: all of them)."""

    dataset: str
    file: str
    version: str
    date: str
    of: str | None = None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PriceVariant:
    """The rates of calls with one value of a pricing dimension (a batch job, a service
    tier, a regional inference profile): figures of their own, or the rates it varies, tiers
    included, times `factor`."""

    factor: float | None = None
    input: float | None = None
    output: float | None = None
    cached_input: float | None = None
    cache_write: float | None = None
    reasoning: float | None = None
    source: str | None = None

    def applied_to(self, p: Pricing) -> Pricing:
        f = self.factor
        if f is None:
            return replace(
                p,
                input=self.input or 0.0,
                output=self.output or 0.0,
                cached_input=self.cached_input,
                cache_write=self.cache_write,
                reasoning=self.reasoning,
                tiers=(),
            )
        times = {k: _times(getattr(p, k), f) for k in _RATES}
        tiers = tuple(replace(t, **{k: _times(getattr(t, k), f) for k in _RATES}) for t in p.tiers)
        return replace(p, **times, tiers=tiers)


_RATES = ("input", "output", "cached_input", "cache_write", "reasoning")


def _times(rate: float | None, factor: float) -> float | None:
    return None if rate is None else rate * factor


@dataclass(frozen=True, slots=True)
class Pricing:
    """USD per million tokens. A missing cache rate falls back to the input rate. `tiers`:
    context-tiered rates, the highest tier whose threshold the prompt exceeds applying.
    `secondary`: set when figures come from a secondary source, not the provider's page."""

    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None
    reasoning: float | None = None
    tiers: tuple[PriceTier, ...] = ()
    source: str | None = None
    checked: str | None = None
    secondary: SecondarySource | None = None
    # dimension -> value -> the rates of calls with that value (applied in this order)
    by: Mapping[str, Mapping[str, PriceVariant]] = field(
        default_factory=dict[str, Mapping[str, PriceVariant]]
    )

    def charge(
        self, usage: Usage | None, dimensions: Mapping[str, object] | None = None
    ) -> UsageCharge | None:
        """Price each part of `usage` at its own rate (cache reads and writes split out), at
        the rates `dimensions` choose (e.g. {"batch": "true"}, {"service_tier": "flex"},
        {"inference_profile": "us"}; the call's own are passed by the client). A variant
        keyed `*` applies to every value not listed."""
        pricing, applied = self, {}
        for name, table in self.by.items():
            value = dimensions.get(name) if dimensions else None
            key = str(value).lower() if value is not None else None
            variant = table.get(key, table.get("*")) if key is not None else None
            if variant is not None:
                pricing, applied[name] = variant.applied_to(pricing), str(key)
        charge = pricing._charge(usage)
        if charge is not None:
            charge.dimensions = applied
        return charge

    def _charge(self, usage: Usage | None) -> UsageCharge | None:
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
    when_on: Mapping[str, ParamRule] = field(default_factory=dict[str, ParamRule])
    tool_choices_when_on: tuple[str, ...] | None = None  # None: any
    signed_calls: bool = False  # a replayed tool call needs its signature (a stand-in else)


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One provider option a model accepts: its allowed values and default."""

    allowed: tuple[object, ...] | None = None
    default: object = None
    wire: str | None = None  # its name on the wire (a dotted path) when it differs


@dataclass(frozen=True, slots=True)
class ImagePrice:
    """USD per generated image when the call's options match `when` (values compared as
    given; an option left out of `when` matches any value)."""

    per_image: float
    when: Mapping[str, object] = field(default_factory=dict[str, object])

    def matches(self, options: Mapping[str, object]) -> bool:
        return all(options.get(k) == v for k, v in self.when.items())


@dataclass(frozen=True, slots=True)
class Host:
    """What differs for a model on one provider: where it is served, and its limits there."""

    locations: tuple[str, ...] = ()
    context_window: int | None = None
    max_output_tokens: int | None = None
    id_prefixes: tuple[str, ...] = ()  # e.g. Bedrock inference profiles: `us.<id>`
    pricing: Pricing | None = None  # prices on this host, when they differ
    max_inputs: int | None = None  # embedding inputs per request here, when fewer


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
    ids: Mapping[str, str] = field(default_factory=dict[str, str])
    hosts: Mapping[str, Host] = field(default_factory=dict[str, Host])
    context_window: int | None = None
    max_output_tokens: int | None = None
    reasoning: ReasoningControls | None = None
    capabilities: frozenset[str] = frozenset()
    # embedding models: the vector's length, the reduced lengths a call may ask for, the
    # longest input in tokens, inputs per request when fewer than the protocol's limit
    dimensions: int | None = None
    allowed_dimensions: tuple[int, ...] = ()
    min_dimensions: int | None = None  # any length from it up to `dimensions`
    max_input_tokens: int | None = None
    max_inputs: int | None = None
    pricing: Pricing | None = None
    valid_options: Mapping[str, OptionSpec] = field(default_factory=dict[str, OptionSpec])
    unsupported_params: tuple[str, ...] = ()
    # per-image prices (the first row whose `when` matches the options); images so priced
    # are not also charged as output tokens
    image_pricing: tuple[ImagePrice, ...] = ()
    protocols: tuple[str, ...] = ()  # the protocols this model takes, preferred first
    release_date: str | None = None
    deprecation_date: str | None = None
    constant: str | None = None

    def __post_init__(self) -> None:
        """Check a model made in code (the catalog's constants are checked when generated)."""
        if self.constant is None:
            problem = _model_problem(self)
            if problem is not None:
                raise ConfigurationError(f"AIModel(model_name={self.model_name!r:.40}): {problem}")

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

    def image_price(self, options: Mapping[str, object]) -> float | None:
        """The price of one image made with `options`, when the catalog gives one."""
        return next((p.per_image for p in self.image_pricing if p.matches(options)), None)

    def __repr__(self) -> str:
        return f"AIModel({self.constant or self.model_name!r})"


# the call settings a model may refuse (`unsupported_params`)
PARAMS = ("temperature", "top_p", "stop", "seed")


def _model_problem(m: AIModel) -> str | None:
    """What is wrong with the fields of a model made in code (None: nothing); each field is
    checked: the caller's code may be untyped."""
    checks = (
        ("model_name", isinstance(m.model_name, str) and m.model_name != "", "a non-empty string"),  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        ("kind", m.kind in ("chat", "image", "embedding"), "'chat', 'image' or 'embedding'"),
        ("display_name", isinstance(m.display_name, (str, type(None))), "a string"),  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        ("creator", isinstance(m.creator, (str, type(None))), "a string"),  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        ("ids", _mapping_of(m.ids, str), "a mapping of provider names to model ids"),
        ("hosts", _mapping_of(m.hosts, Host), "a mapping of provider names to Host"),
        ("valid_options", _mapping_of(m.valid_options, OptionSpec), "a mapping to OptionSpec"),
        ("reasoning", isinstance(m.reasoning, (ReasoningControls, type(None))), "controls"),  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        ("pricing", isinstance(m.pricing, (Pricing, type(None))), "a Pricing"),  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        ("capabilities", _names(m.capabilities, None), "a set of capability names"),
        ("protocols", _names(m.protocols, None), "a tuple of protocol names"),
        ("unsupported_params", _names(m.unsupported_params, PARAMS), f"a tuple of {PARAMS}"),
    )
    for name, ok, said in checks:
        if not ok:
            return f"{name} must be {said}, not {getattr(m, name)!r:.60}"
    for name in ("context_window", "max_output_tokens"):
        value = getattr(m, name)
        if value is not None and (type(value) is not int or value < 1):
            return f"{name} must be a positive integer, not {value!r:.40}"
    return None


def _mapping_of(value: object, kind: type) -> bool:
    return isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, kind)
        for k, v in cast("Mapping[object, object]", value).items()
    )


def _names(value: object, allowed: tuple[str, ...] | None) -> bool:
    return isinstance(value, (tuple, list, set, frozenset)) and all(
        isinstance(v, str) and (allowed is None or v in allowed)
        for v in cast("Collection[object]", value)
    )


def image_charge(
    model: AIModel, provider: str, usage: Usage | None, options: Mapping[str, object], count: int
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
