"""The model catalog (specs/models/*.yaml): across its files, unique constants, names and ids,
known providers and protocols; in each model, sane limits, reasoning settings and options,
and prices with a source and a date (the model's, its hosts' and per-image prices alike)."""

from __future__ import annotations

import datetime as dt

from ..errors import SpecError, did_you_mean
from ..source import Loc, Source
from ..spec import ModelSpec, PriceSpec, PriceTierSpec
from .specs import Specs


def _lint_rates(
    src: Source, where: Loc, p: PriceSpec, context_window: int | None
) -> list[SpecError]:
    """A price table (the model's or a host's): cache reads below input, tiers rising."""
    errors: list[SpecError] = []
    rate_sets: list[tuple[Loc, PriceSpec | PriceTierSpec]] = [(where, p)]
    rate_sets += [((*where, "tiers", i), t) for i, t in enumerate(p.tiers)]
    for at, rates in rate_sets:
        if rates.cached_input is not None and rates.cached_input >= rates.input:
            errors.append(
                src.error(
                    (*at, "cached_input"),
                    f"cached_input {rates.cached_input} is not below input {rates.input}",
                )
            )
    thresholds = [t.above_prompt_tokens for t in p.tiers]
    if thresholds != sorted(set(thresholds)) or any(
        context_window is not None and t >= context_window for t in thresholds
    ):
        errors.append(
            src.error(
                (*where, "tiers"),
                "tiers must rise strictly by above_prompt_tokens, each below the "
                f"context window {context_window}",
            )
        )
    if p.checked > _latest_checked():
        errors.append(src.error((*where, "checked"), f"checked {p.checked} is in the future"))
    if p.secondary is not None:
        errors.extend(_lint_secondary(src, where, p))
    errors.extend(_lint_variants(src, where, p))
    return errors


def _lint_variants(src: Source, where: Loc, p: PriceSpec) -> list[SpecError]:
    """Each variant gives a `factor` or its own `input` and `output`, never both; its own
    cache reads, like the table's, cost less than its input."""
    errors: list[SpecError] = []
    for dim, table in p.by.items():
        for value, v in table.items():
            at = (*where, "by", dim, value)
            figures = v.input is not None and v.output is not None
            if (v.factor is not None) == figures:
                errors.append(
                    src.error(at, "a price variant gives a factor or its own input and output")
                )
            if v.cached_input is not None and v.input is not None and v.cached_input >= v.input:
                errors.append(
                    src.error(
                        (*at, "cached_input"),
                        f"cached_input {v.cached_input} is not below input {v.input}",
                    )
                )
    return errors


def _lint_secondary(src: Source, where: Loc, p: PriceSpec) -> list[SpecError]:
    """A secondary source: dated no later than the price was checked, naming figures the table
    has, and, when every figure is from it, the `source` is the dataset's own address."""
    s = p.secondary
    assert s is not None
    at = (*where, "secondary")
    errors: list[SpecError] = []
    if s.date > p.checked:
        errors.append(
            src.error((*at, "date"), f"date {s.date} is after the price was checked ({p.checked})")
        )
    for i, name in enumerate(s.fields):
        if getattr(p, name) is None:
            errors.append(src.error((*at, "fields", i), f"{name} is not in this price table"))
    if not s.fields and s.dataset not in p.source:
        errors.append(
            src.error(
                (*where, "source"),
                f"every figure is from {s.dataset}: the source must be its address, not "
                f"{p.source!r} (or list the figures it gives in secondary.fields)",
            )
        )
    return errors


def _latest_checked() -> dt.date:
    """The latest plausible `checked` date: today, with a day's slack for time zones."""
    return dt.date.today() + dt.timedelta(days=1)


def _duplicate_entries(specs: Specs) -> list[SpecError]:
    """A model constant (a member of the generated enum) defined twice, and a model `name`
    given twice on one provider (`-m` would find only the first). Each is reported at the entry
    that introduced it, naming the other's file and line: of two entries, the one in the file
    changed last (modification time), or in the same file the later one."""
    constants: dict[str, list[tuple[Source, Loc]]] = {}
    names: dict[tuple[str, str], list[tuple[Source, Loc]]] = {}
    for catalog, src in specs.catalogs:
        for i, m in enumerate(catalog.models):
            constants.setdefault(m.constant, []).append((src, ("models", i, "constant")))
            for provider in m.ids:
                names.setdefault((provider, m.name.lower()), []).append(
                    (src, ("models", i, "name"))
                )

    def in_order(entries: list[tuple[Source, Loc]]) -> list[tuple[Source, Loc]]:
        return sorted(
            entries, key=lambda e: (specs.mtimes.get(e[0].path, 0.0), e[0].path, e[0].line(e[1]))
        )

    def at(entry: tuple[Source, Loc]) -> str:
        return f"{entry[0].path}:{entry[0].line(entry[1])}"

    errors: list[SpecError] = []
    for constant, entries in constants.items():
        first, *rest = in_order(entries)
        for src, loc in rest:
            errors.append(src.error(loc, f"duplicate constant {constant} (also in {at(first)})"))
    # an entry repeating a name -> (the entry it repeats, the providers both are on)
    clashes: dict[tuple[str, Loc], tuple[Source, str, list[str]]] = {}
    for (provider, name), entries in sorted(names.items()):
        first, *rest = in_order(entries)
        for src, loc in rest:
            clash = clashes.setdefault(
                (src.path, loc), (src, f"{name!r} (also at {at(first)})", [])
            )
            clash[2].append(provider)
    for (_, loc), (src, what, providers) in clashes.items():
        errors.append(src.error(loc, f"duplicate model name on {', '.join(providers)}: {what}"))
    return errors


def lint_catalog(specs: Specs) -> list[SpecError]:
    """Cross-file catalog checks: unique constants and ids, known providers, sane limits,
    prices with a source and a date (model, host and per-image prices alike)."""
    errors = _duplicate_entries(specs)
    ids: dict[tuple[str, str], str] = {}
    for catalog, src in specs.catalogs:
        for i, m in enumerate(catalog.models):
            loc = ("models", i)
            errors += _check_ids(specs, src, loc, m, ids)
            if m.kind == "chat" and (m.context_window is None or m.max_output_tokens is None):
                errors.append(
                    src.error(loc, "a chat model needs context_window and max_output_tokens")
                )
                continue
            errors += _check_protocols(specs, src, loc, m)
            errors += _check_limits(src, loc, m)
            errors += _check_embedding(src, loc, m)
            errors += _check_pricing(src, loc, m)
            errors += _check_image_pricing(src, loc, m)
            errors += _check_dates_and_capabilities(src, loc, m)
            errors += _check_reasoning(src, loc, m)
            errors += _check_options(src, loc, m)
    return errors


def _check_embedding(src: Source, loc: Loc, m: ModelSpec) -> list[SpecError]:
    """An embedding model has its vector length; reduced lengths are below it; the embedding
    keys are for embedding models only."""
    keys = ("dimensions", "allowed_dimensions", "min_dimensions", "max_input_tokens", "max_inputs")
    if m.kind != "embedding":
        return [
            src.error((*loc, k), f"`{k}` is for embedding models") for k in keys if getattr(m, k)
        ]
    if m.dimensions is None:
        return [src.error(loc, "an embedding model needs `dimensions`")]
    errors = [
        src.error((*loc, "allowed_dimensions", i), f"{d} is above dimensions ({m.dimensions})")
        for i, d in enumerate(m.allowed_dimensions)
        if d > m.dimensions
    ]
    if m.min_dimensions is not None and m.min_dimensions > m.dimensions:
        errors.append(src.error((*loc, "min_dimensions"), "min_dimensions is above dimensions"))
    return errors


def _check_ids(
    specs: Specs, src: Source, loc: Loc, m: ModelSpec, ids: dict[tuple[str, str], str]
) -> list[SpecError]:
    """The model's hosts are among its ids; each id is on a known provider and names one model
    there (`ids`: the ids seen so far, provider and id -> constant)."""
    errors: list[SpecError] = []
    for provider in m.hosts:
        if provider not in m.ids:
            errors.append(
                src.error(
                    (*loc, "hosts", provider),
                    f"hosts names {provider!r}, which is not in the model's ids",
                )
            )
    for provider, model_id in m.ids.items():
        if not specs.known("provider", provider):
            errors.append(
                src.error(
                    (*loc, "ids", provider),
                    f"unknown provider {provider!r}"
                    f"{did_you_mean(provider, specs.providers)}; "
                    f"known: {', '.join(sorted(specs.providers))}",
                )
            )
        key = (provider, model_id)
        if key in ids:
            errors.append(
                src.error(
                    (*loc, "ids", provider),
                    f"id {model_id!r} on {provider} is already {ids[key]}",
                )
            )
        ids[key] = m.constant
    return errors


def _check_protocols(specs: Specs, src: Source, loc: Loc, m: ModelSpec) -> list[SpecError]:
    known = set(specs.protocols)
    return [
        src.error(
            (*loc, "protocols", i),
            f"unknown protocol {name!r}{did_you_mean(name, known)}; "
            f"known: {', '.join(sorted(known))}",
        )
        for i, name in enumerate(m.protocols)
        if not specs.known("protocol", name)
    ]


def _check_limits(src: Source, loc: Loc, m: ModelSpec) -> list[SpecError]:
    """The output limit fits in the context window, the model's and each host's."""
    errors: list[SpecError] = []
    if (
        m.max_output_tokens is not None
        and m.context_window is not None
        and m.max_output_tokens > m.context_window
    ):
        errors.append(
            src.error(
                (*loc, "max_output_tokens"),
                f"max_output_tokens {m.max_output_tokens} exceeds context_window {m.context_window}",
            )
        )
    for provider, host in m.hosts.items():
        context = host.context_window or m.context_window
        output = host.max_output_tokens or m.max_output_tokens
        if (
            (host.context_window or host.max_output_tokens)
            and context is not None
            and output is not None
            and output > context
        ):
            at = "max_output_tokens" if host.max_output_tokens else "context_window"
            errors.append(
                src.error(
                    (*loc, "hosts", provider, at),
                    f"max_output_tokens {output} exceeds context_window {context} on {provider}",
                )
            )
    return errors


def _check_pricing(src: Source, loc: Loc, m: ModelSpec) -> list[SpecError]:
    """Pricing is given or its absence explained; the model's and each host's rates are sane."""
    errors: list[SpecError] = []
    p = m.pricing
    if p is None and not m.pricing_missing and m.image_pricing is None:
        errors.append(src.error(loc, "pricing is missing: add it, or say why in pricing_missing"))
    if p is not None and m.pricing_missing is not None:
        errors.append(
            src.error(
                (*loc, "pricing_missing"),
                "pricing_missing is set, but the model has pricing",
            )
        )
    if p is not None:
        errors.extend(_lint_rates(src, (*loc, "pricing"), p, m.context_window))
    for provider, host in m.hosts.items():
        if host.pricing is not None:
            context = host.context_window or m.context_window
            at = (*loc, "hosts", provider, "pricing")
            errors.extend(_lint_rates(src, at, host.pricing, context))
    return errors


def _check_image_pricing(src: Source, loc: Loc, m: ModelSpec) -> list[SpecError]:
    """Per-image prices: a source and a date, rows keyed by the model's valid options."""
    ip = m.image_pricing
    if ip is None:
        return []
    errors: list[SpecError] = []
    at = (*loc, "image_pricing")
    for i, row in enumerate(ip.per_image):
        for key in row.when:
            if key not in m.valid_options:
                errors.append(
                    src.error(
                        (*at, "per_image", i, "when", key),
                        f"{key!r} is not one of the model's valid_options "
                        f"({', '.join(m.valid_options) or 'none'})",
                    )
                )
    if not ip.source.startswith("https://"):
        errors.append(
            src.error((*at, "source"), f"source {ip.source!r} must start with an https:// URL")
        )
    if ip.checked > _latest_checked():
        errors.append(src.error((*at, "checked"), f"checked {ip.checked} is in the future"))
    for i, row in enumerate(ip.per_image):
        for key, value in row.when.items():
            allowed = m.valid_options[key].allowed if key in m.valid_options else None
            if allowed is not None and value not in allowed:
                errors.append(
                    src.error(
                        (*at, "per_image", i, "when", key),
                        f"{key} {value!r} is not one of its allowed values {allowed}",
                    )
                )
    return errors


def _check_dates_and_capabilities(src: Source, loc: Loc, m: ModelSpec) -> list[SpecError]:
    errors: list[SpecError] = []
    if (
        m.release_date is not None
        and m.deprecation_date is not None
        and m.deprecation_date < m.release_date
    ):
        errors.append(
            src.error(
                (*loc, "deprecation_date"),
                f"deprecation_date {m.deprecation_date} is before release_date {m.release_date}",
            )
        )
    for i, capability in enumerate(m.capabilities):
        if capability in m.capabilities[:i]:
            errors.append(
                src.error((*loc, "capabilities", i), f"capability {capability} is listed twice")
            )
    return errors


def _check_reasoning(src: Source, loc: Loc, m: ModelSpec) -> list[SpecError]:
    """The default effort is one of the levels; the budget's bounds hold its default and stay
    below the output limit when the budget counts inside it."""
    r = m.reasoning
    if r is None:
        return []
    errors: list[SpecError] = []
    at = (*loc, "reasoning")
    if r.default_effort is not None and r.default_effort not in r.effort:
        errors.append(
            src.error(
                (*at, "default_effort"),
                f"default_effort {r.default_effort!r} is not one of {r.effort}",
            )
        )
    b = r.budget
    if b is None:
        return errors
    if b.min > b.max:
        errors.append(src.error((*at, "budget"), "budget min exceeds max"))
    if b.default is not None and not b.min <= b.default <= b.max:
        errors.append(
            src.error(
                (*at, "budget", "default"),
                f"budget default {b.default} is outside {b.min}..{b.max}",
            )
        )
    if b.within_output and m.max_output_tokens and b.max >= m.max_output_tokens:
        errors.append(
            src.error(
                (*at, "budget", "max"),
                f"budget max {b.max} must stay below max_output_tokens "
                f"{m.max_output_tokens} (within_output)",
            )
        )
    return errors


def _check_options(src: Source, loc: Loc, m: ModelSpec) -> list[SpecError]:
    """Each valid option's default is one of its allowed values."""
    return [
        src.error(
            (*loc, "valid_options", name, "default"),
            f"default {opt.default!r} is not one of {opt.allowed}",
        )
        for name, opt in m.valid_options.items()
        if opt.allowed is not None and opt.default is not None and opt.default not in opt.allowed
    ]
