"""The compiler pipeline: load -> validate -> lower -> render -> format.

`compile_specs(root)` returns every output file (relative path -> text) without touching
`generated/`; `__main__` writes them or, with --check, compares them.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Protocol, Union, cast, get_args, get_origin

import jinja2
from pydantic import BaseModel, ValidationError

from .errors import SpecError, SpecErrors, did_you_mean
from .lower import Addition, EnvelopeLowering, Lowering
from .source import Loc, Source, load
from .spec import (
    SPEC_KINDS,
    CatalogSpec,
    PriceSpec,
    PriceTierSpec,
    ProtocolSpec,
    ProviderSpec,
)
from .tables import ErrorTables, Tables
from .wire import WireSchema, typed_wire_models

if TYPE_CHECKING:
    from datamodel_code_generator import InputFileType, PythonVersion
    from datamodel_code_generator.enums import DataModelType
    from datamodel_code_generator.format import Formatter

TEMPLATES = Path(__file__).parent / "templates"
GENERATED = "generated"
SCHEMA_DIR = "specs/schema"


@dataclass
class Specs:
    protocols: dict[str, tuple[ProtocolSpec, Source]] = field(default_factory=lambda: {})
    providers: dict[str, tuple[ProviderSpec, Source]] = field(default_factory=lambda: {})
    catalogs: list[tuple[CatalogSpec, Source]] = field(default_factory=lambda: [])
    wires: dict[str, WireSchema] = field(default_factory=lambda: {})
    # names (file stems) of spec files that failed to load or validate, by kind: a reference
    # to one of them is not reported again as unknown
    broken: dict[str, set[str]] = field(default_factory=lambda: {})
    # when each spec file last changed: of two entries that clash, the newer file's introduced it
    mtimes: dict[str, float] = field(default_factory=lambda: {})
    tables: Tables = field(default_factory=Tables)
    # each protocol's error tables, the shared ones it names resolved
    error_tables: dict[str, ErrorTables] = field(default_factory=lambda: {})

    def additions(self, protocol: str) -> list[Addition]:
        """What the hosts serving `protocol` add to it, in provider file-name order."""
        return [
            Addition(name, serve.adds, src, ("serves", protocol, "adds"))
            for name, (spec, src) in sorted(self.providers.items())
            for p, serve in spec.serves.items()
            if p == protocol and serve.adds is not None
        ]

    def known(self, kind: str, name: str) -> bool:
        names = self.protocols if kind == "protocol" else self.providers
        return name in names or name in self.broken.get(kind, set())


def _validate(model: type[BaseModel], src: Source) -> Any:
    try:
        return model.model_validate(src.data)
    except ValidationError as exc:
        errors: list[SpecError] = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            # pydantic appends union-member and type names to loc; keep the real key path
            clean = _key_path(src, loc)
            where = ".".join(str(p) for p in clean) or "(top level)"
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = f"unknown key {clean[-1]!r}" if clean else "unknown key"
                if clean:
                    msg += did_you_mean(clean[-1], _keys_at(model, clean[:-1]))
            elif err["type"] == "literal_error" and isinstance(err["input"], str):
                expected = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected")))
                msg = f"{where}: {msg}{did_you_mean(err['input'], expected)}"
            elif err["type"] == "missing":
                msg = f"missing required key {clean[-1]!r}" if clean else msg
            else:
                msg = f"{where}: {msg}"
            errors.append(src.error(clean, msg))
        raise SpecErrors(_dedupe(errors)) from None


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """The keys the grammar allows in the mapping at `loc` (of every model it may be)."""
    types: list[Any] = [model]
    for part in loc:
        types = [t for a in types for t in _step(a, part)]
    return {
        f.alias or name
        for a in types
        for t in _members(a)
        if isinstance(t, type) and issubclass(t, BaseModel)
        for name, f in t.model_fields.items()
    }


def _step(ann: Any, part: Any) -> list[Any]:
    """The types a value of type `ann` may hold at key or index `part`."""
    out: list[Any] = []
    for t in _members(ann):
        origin = get_origin(t)
        if isinstance(t, type) and issubclass(t, BaseModel):
            fields = {f.alias or n: f for n, f in t.model_fields.items()}
            if part in fields:
                out.append(fields[part].annotation)
        elif origin is dict and isinstance(part, str):
            out.append(get_args(t)[1])
        elif origin is list and isinstance(part, int):
            out.append(get_args(t)[0])
    return out


def _members(ann: Any) -> list[Any]:
    """The alternatives of a (possibly Annotated, Optional or union) type."""
    while get_origin(ann) is Annotated:
        ann = get_args(ann)[0]
    if get_origin(ann) in (Union, UnionType):
        return [m for a in get_args(ann) for m in _members(a)]
    return [ann]


def _key_path(src: Source, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The keys and indices of a pydantic error location, without the union-member and type
    names pydantic inserts. A part that is a location of the file is a key even when it looks
    like a type name (`STOP`, `FAILED_PRECONDITION`)."""
    clean: tuple[Any, ...] = ()
    for part in loc:
        here = (*clean, part)
        if here in src.lines or (isinstance(part, str) and not _looks_like_type(part)):
            clean = here
    return clean


def _looks_like_type(part: str) -> bool:
    return (
        part[:1].isupper()
        or "[" in part
        or "-" in part  # constrained-str
        or part in {"str", "int", "float", "bool", "dict", "list"}
    )


def _dedupe(errors: list[SpecError]) -> list[SpecError]:
    seen: dict[tuple[str, int], SpecError] = {}
    for e in errors:
        seen.setdefault((e.file, e.line), e)
    return list(seen.values())


def load_specs(root: Path) -> Specs:
    """The specs, checked; every error found raised together (SpecErrors)."""
    specs, errors = check_specs(root)
    if errors:
        raise SpecErrors(errors)
    return specs


def check_specs(root: Path) -> tuple[Specs, list[SpecError]]:
    """The specs that load and validate, and every error found in them. A file that does not
    parse or validate is left out of the checks across files, and a reference to it is not
    reported as unknown (its own errors say what is wrong)."""
    specs = Specs()
    errors: list[SpecError] = []

    def each(kind: str, folder: str, pattern: str = "*.yaml") -> list[Source]:
        out: list[Source] = []
        for path in sorted((root / "specs" / folder).glob(pattern)):
            specs.mtimes[path.relative_to(root).as_posix()] = path.stat().st_mtime
            try:
                out.append(load(path, root))
            except SpecError as exc:
                errors.append(exc)
                specs.broken.setdefault(kind, set()).add(path.name if kind == "wire" else path.stem)
        return out

    for src in each("wire", "wire", "*.schema.yaml"):
        specs.wires[Path(src.path).name] = WireSchema(src)
    loaded: dict[str, list[tuple[Any, Source]]] = {
        "protocol": [],
        "provider": [],
        "catalog": [],
        "tables": [],
    }
    for kind, folder in (
        ("tables", "tables"),
        ("protocol", "protocols"),
        ("provider", "providers"),
        ("catalog", "models"),
    ):
        for src in each(kind, folder):
            try:
                loaded[kind].append((_validate(SPEC_KINDS[kind], src), src))
            except SpecErrors as exc:
                errors.extend(exc.errors)
                specs.broken.setdefault(kind, set()).add(Path(src.path).stem)
    for spec, src in loaded["tables"]:
        errors.extend(specs.tables.add(spec, src))
    for spec, src in loaded["protocol"]:
        resolved, problems = specs.tables.resolve(spec.errors, src)
        specs.error_tables[spec.protocol] = resolved
        errors.extend(problems)
    if not specs.broken.get("protocol") and not specs.broken.get("tables"):
        errors.extend(specs.tables.unshared())
    for spec, src in loaded["protocol"]:
        expected = Path(src.path).stem
        if spec.protocol != expected:
            errors.append(src.error(("protocol",), f"protocol must be {expected!r} (file name)"))
        if spec.wire not in specs.wires and spec.wire not in specs.broken.get("wire", set()):
            errors.append(
                src.error(
                    ("wire",),
                    f"specs/wire/{spec.wire} does not exist" + did_you_mean(spec.wire, specs.wires),
                )
            )
        specs.protocols[spec.protocol] = (spec, src)
    enums: dict[str, Source] = {}
    for spec, src in loaded["provider"]:
        expected = Path(src.path).stem
        if spec.provider != expected:
            errors.append(src.error(("provider",), f"provider must be {expected!r} (file name)"))
        if spec.enum in enums:
            errors.append(
                src.error(("enum",), f"enum {spec.enum} already used by {enums[spec.enum].path}")
            )
        enums[spec.enum] = src
        known = set(spec.params)
        for where, template, allowed in [
            (("base_url",), spec.base_url, known),
            *[
                (("base_url_for", k, v), url, known)
                for k, m in spec.base_url_for.items()
                for v, url in m.items()
            ],
            *[(("serves", n, "path"), s.path, known | {"model"}) for n, s in spec.serves.items()],
            *[
                (("serves", n, "base_url"), s.base_url, known)
                for n, s in spec.serves.items()
                if s.base_url
            ],
            *[
                (("serves", n, "stream_path"), s.stream_path, known | {"model"})
                for n, s in spec.serves.items()
                if s.stream_path
            ],
            *[
                (("serves", n, "for_models", i, key), template, known | {"model"})
                for n, s in spec.serves.items()
                for i, v in enumerate(s.for_models)
                for key, template in (
                    ("path", v.path),
                    ("stream_path", v.stream_path),
                    ("base_url", v.base_url),
                )
                if template
            ],
            *[
                (("serves", n, "variants", param, value, key), template, known | {"model"})
                for n, s in spec.serves.items()
                for param, table in s.variants.items()
                for value, v in table.items()
                for key, template in (
                    ("path", v.path),
                    ("stream_path", v.stream_path),
                    ("base_url", v.base_url),
                )
                if template
            ],
        ]:
            for field_name in re.findall(r"\{([^}]*)\}", template):
                if field_name not in allowed:
                    errors.append(
                        src.error(
                            where,
                            f"unknown placeholder {{{field_name}}}; known: "
                            f"{', '.join(sorted(allowed)) or 'none (declare it under params)'}",
                        )
                    )
        for param in spec.base_url_for:
            if param not in known:
                errors.append(src.error(("base_url_for", param), f"{param!r} is not a param"))
        for n, s in spec.serves.items():
            for param in s.variants:
                if param not in known:
                    errors.append(
                        src.error(("serves", n, "variants", param), f"{param!r} is not a param")
                    )
        for name, serve in spec.serves.items():
            if name not in specs.protocols:
                if not specs.known("protocol", name):
                    errors.append(
                        src.error(
                            ("serves", name),
                            f"unknown protocol {name!r}{did_you_mean(name, specs.protocols)}; "
                            f"known: {', '.join(sorted(specs.protocols))}",
                        )
                    )
                continue
            stream = specs.protocols[name][0].stream
            if stream is not None and stream.framing is None:
                errors.append(
                    src.error(
                        ("serves", name),
                        f"{name!r} has no stream framing of its own (it is a dialect, its events "
                        "arrive inside another protocol's): serve the protocol that carries it",
                    )
                )
            for i, v in enumerate(serve.for_models):
                try:
                    re.compile(v.ids)
                except re.error as exc:
                    errors.append(
                        src.error(("serves", name, "for_models", i, "ids"), f"bad regex: {exc}")
                    )
        specs.providers[spec.provider] = (spec, src)
    specs.catalogs = loaded["catalog"]
    errors.extend(lint_catalog(specs))
    return specs, errors


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
    """Each variant gives a `factor` or its own `input` and `output`, never both."""
    errors: list[SpecError] = []
    for dim, table in p.by.items():
        for value, v in table.items():
            at = (*where, "by", dim, value)
            figures = v.input is not None and v.output is not None
            if (v.factor is not None) == figures:
                errors.append(
                    src.error(at, "a price variant gives a factor or its own input and output")
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
            if m.kind == "chat" and (m.context_window is None or m.max_output_tokens is None):
                errors.append(
                    src.error(loc, "a chat model needs context_window and max_output_tokens")
                )
                continue
            known = set(specs.protocols)
            for i, name in enumerate(m.protocols):
                if not specs.known("protocol", name):
                    errors.append(
                        src.error(
                            (*loc, "protocols", i),
                            f"unknown protocol {name!r}{did_you_mean(name, known)}; "
                            f"known: {', '.join(sorted(known))}",
                        )
                    )
            rows = m.image_pricing.per_image if m.image_pricing is not None else []
            for i, row in enumerate(rows):
                for key in row.when:
                    if key not in m.valid_options:
                        errors.append(
                            src.error(
                                (*loc, "image_pricing", "per_image", i, "when", key),
                                f"{key!r} is not one of the model's valid_options "
                                f"({', '.join(m.valid_options) or 'none'})",
                            )
                        )
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
            p = m.pricing
            if p is None and not m.pricing_missing and m.image_pricing is None:
                errors.append(
                    src.error(loc, "pricing is missing: add it, or say why in pricing_missing")
                )
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
                hloc = (*loc, "hosts", provider)
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
                            (*hloc, at),
                            f"max_output_tokens {output} exceeds context_window {context} "
                            f"on {provider}",
                        )
                    )
                if host.pricing is not None:
                    errors.extend(_lint_rates(src, (*hloc, "pricing"), host.pricing, context))
            ip = m.image_pricing
            if ip is not None:
                if not ip.source.startswith("https://"):
                    errors.append(
                        src.error(
                            (*loc, "image_pricing", "source"),
                            f"source {ip.source!r} must start with an https:// URL",
                        )
                    )
                if ip.checked > _latest_checked():
                    errors.append(
                        src.error(
                            (*loc, "image_pricing", "checked"),
                            f"checked {ip.checked} is in the future",
                        )
                    )
                for i, row in enumerate(ip.per_image):
                    for key, value in row.when.items():
                        allowed = m.valid_options[key].allowed if key in m.valid_options else None
                        if allowed is not None and value not in allowed:
                            errors.append(
                                src.error(
                                    (*loc, "image_pricing", "per_image", i, "when", key),
                                    f"{key} {value!r} is not one of its allowed values {allowed}",
                                )
                            )
            if (
                m.release_date is not None
                and m.deprecation_date is not None
                and m.deprecation_date < m.release_date
            ):
                errors.append(
                    src.error(
                        (*loc, "deprecation_date"),
                        f"deprecation_date {m.deprecation_date} is before release_date "
                        f"{m.release_date}",
                    )
                )
            for i, capability in enumerate(m.capabilities):
                if capability in m.capabilities[:i]:
                    errors.append(
                        src.error(
                            (*loc, "capabilities", i), f"capability {capability} is listed twice"
                        )
                    )
            r = m.reasoning
            if r is not None and r.default_effort is not None and r.default_effort not in r.effort:
                errors.append(
                    src.error(
                        (*loc, "reasoning", "default_effort"),
                        f"default_effort {r.default_effort!r} is not one of {r.effort}",
                    )
                )
            if r is not None and r.budget is not None:
                b = r.budget
                if b.min > b.max:
                    errors.append(
                        src.error((*loc, "reasoning", "budget"), "budget min exceeds max")
                    )
                if b.default is not None and not b.min <= b.default <= b.max:
                    errors.append(
                        src.error(
                            (*loc, "reasoning", "budget", "default"),
                            f"budget default {b.default} is outside {b.min}..{b.max}",
                        )
                    )
                if b.within_output and m.max_output_tokens and b.max >= m.max_output_tokens:
                    errors.append(
                        src.error(
                            (*loc, "reasoning", "budget", "max"),
                            f"budget max {b.max} must stay below max_output_tokens "
                            f"{m.max_output_tokens} (within_output)",
                        )
                    )
            for name, opt in m.valid_options.items():
                if (
                    opt.allowed is not None
                    and opt.default is not None
                    and opt.default not in opt.allowed
                ):
                    errors.append(
                        src.error(
                            (*loc, "valid_options", name, "default"),
                            f"default {opt.default!r} is not one of {opt.allowed}",
                        )
                    )
    return errors


# --- rendering -------------------------------------------------------------------------------


def _pyrepr(value: Any) -> str:
    if isinstance(value, dict):
        mapping = cast("dict[Any, Any]", value)  # a dict: its keys and values are anything
        return "{" + ", ".join(f"{_pyrepr(k)}: {_pyrepr(v)}" for k, v in mapping.items()) + "}"
    if isinstance(value, tuple):
        return _pytuple(value)
    if isinstance(value, list):
        items = cast("list[Any]", value)  # a list: its items are anything
        return "[" + ", ".join(map(_pyrepr, items)) + "]"
    return repr(value)


def _pytuple(values: Any) -> str:
    items = [_pyrepr(v) for v in values]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


class _Filtered(Protocol):
    """A jinja2 Environment's filters, typed (jinja2 leaves them to inference from its defaults,
    some of which are untyped)."""

    filters: dict[str, Callable[..., Any]]


def _filters(env: _Filtered) -> dict[str, Callable[..., Any]]:
    return env.filters


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    filters = _filters(env)
    filters["pyrepr"] = _pyrepr
    filters["pytuple"] = _pytuple
    filters["tojson"] = json.dumps
    return env


class _CodeGenerator(Protocol):
    """What wire_models calls of the datamodel_code_generator module. Its own `generate` types
    `**options` with `typing.Unpack`, which pyright's Python 3.10 target lacks (so Unknown)."""

    def generate(
        self,
        input_: str,
        *,
        input_file_type: InputFileType,
        input_filename: str,
        output: Path,
        output_model_type: DataModelType,
        target_python_version: PythonVersion,
        use_standard_collections: bool,
        use_union_operator: bool,
        disable_timestamp: bool,
        allow_extra_fields: bool,
        collapse_root_models: bool,
        use_schema_description: bool,
        custom_file_header: str,
        formatters: list[Formatter],
    ) -> object: ...


def _code_generator(module: _CodeGenerator) -> _CodeGenerator:
    return module


def wire_models(wire: WireSchema) -> str:
    """datamodel-code-generator's pydantic models for one wire schema (extra fields allowed),
    their declarations made explicit for type checkers (see `typed_wire_models`)."""
    import datamodel_code_generator
    from datamodel_code_generator import InputFileType, PythonVersion
    from datamodel_code_generator.enums import DataModelType

    text = json.dumps(wire.source.data)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "wire.py"
        _code_generator(datamodel_code_generator).generate(
            text,
            input_file_type=InputFileType.JsonSchema,
            input_filename=Path(wire.source.path).name,
            output=out,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_310,
            use_standard_collections=True,
            use_union_operator=True,
            disable_timestamp=True,
            allow_extra_fields=True,
            collapse_root_models=True,
            use_schema_description=True,
            custom_file_header="",
            formatters=[],
        )
        body = typed_wire_models(out.read_text(), wire)
    wire.aliases = _aliases(body)
    return body


def _aliases(code: str) -> dict[str, dict[str, str]]:
    """class -> {json name: attribute} for fields datamodel-code-generator renamed."""
    out: dict[str, dict[str, str]] = {}
    for node in ast.parse(code).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.keyword) and sub.arg == "alias":
                    alias = ast.literal_eval(sub.value)
                    out.setdefault(node.name, {})[alias] = stmt.target.id
    return out


def compile_specs(root: Path) -> dict[str, str]:
    """Every output file, relative path -> text (before formatting). Every error found is
    raised together (SpecErrors) before anything is rendered."""
    specs, errors = check_specs(root)
    env = environment()
    files: dict[str, str] = {}

    def render(template: str, source: str, **ctx: Any) -> str:
        return env.get_template(template).render(source=source, **ctx)

    files[f"{GENERATED}/__init__.py"] = render(
        "package_init.py.jinja", "specs/", doc="Code compiled from specs/ by generator/."
    )
    files[f"{GENERATED}/wire/__init__.py"] = render(
        "package_init.py.jinja", "specs/wire/", doc="Wire models, one module per protocol."
    )
    files[f"{GENERATED}/adapters/__init__.py"] = render(
        "package_init.py.jinja", "specs/protocols/", doc="Adapters, one module per protocol."
    )
    broken = specs.broken.get("protocol", set())
    for name, (spec, src) in sorted(specs.protocols.items()):
        inner = [specs.protocols.get(d.protocol) for d in spec.dialects]
        if (
            spec.wire not in specs.wires
            or any(d.protocol in broken for d in spec.dialects)
            or any(i is not None and i[0].wire not in specs.wires for i in inner)
        ):
            continue  # what it depends on is already reported
        wire = specs.wires[spec.wire]
        body = wire_models(wire)
        files[f"{GENERATED}/wire/{name}.py"] = render("wire.py.jinja", wire.source.path, body=body)
        tables = specs.error_tables.get(name, ErrorTables())
        additions = specs.additions(name)
        lowering = (
            EnvelopeLowering(spec, src, wire, tables, specs.protocols, specs.wires, additions)
            if spec.dialects
            else Lowering(spec, src, wire, tables, additions)
        )
        try:
            if isinstance(lowering, EnvelopeLowering):
                template, ir = "envelope.py.jinja", lowering.lower_envelope(name)
            else:
                template, ir = "adapter.py.jinja", lowering.lower(name)
        except SpecError as exc:
            errors.extend([*lowering.errors, exc])
            continue
        if lowering.errors:  # paths that do not exist, each reported where it is
            errors.extend(lowering.errors)
            continue
        files[f"{GENERATED}/adapters/{name}.py"] = render(template, src.path, ir=ir)
    if errors:
        raise SpecErrors(errors)
    providers = [spec for spec, _ in sorted(specs.providers.values(), key=lambda t: t[0].provider)]
    files[f"{GENERATED}/providers.py"] = render(
        "providers.py.jinja",
        "specs/providers/",
        providers=providers,
        protocol_kinds={n: s.kind for n, (s, _) in specs.protocols.items()},
    )
    models = [m for catalog, _ in specs.catalogs for m in catalog.models]
    files[f"{GENERATED}/models.py"] = render("models.py.jinja", "specs/models/", models=models)
    for kind, model in SPEC_KINDS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = f"modelwire {kind} spec"
        files[f"{SCHEMA_DIR}/{kind}.schema.json"] = (
            json.dumps(schema, indent=2, sort_keys=True) + "\n"
        )
    return files


def format_files(files: dict[str, str], root: Path) -> dict[str, str]:
    """ruff format (and import sorting) of the Python outputs, in one ruff run."""
    from ruff.__main__ import find_ruff_bin  # pyright: ignore[reportMissingTypeStubs]  # ruff ships no py.typed; its find_ruff_bin() -> str is annotated

    ruff = find_ruff_bin()
    config = str(root / "pyproject.toml")
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in files.items():
            p = Path(tmp) / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        py = [str(Path(tmp) / rel) for rel in files if rel.endswith(".py")]
        for cmd in (
            [ruff, "check", "--config", config, "--select", "I", "--fix", "--quiet", *py],
            [ruff, "format", "--config", config, *py],
        ):
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode not in (0, 1) or (cmd[1] == "format" and proc.returncode):
                raise RuntimeError(f"ruff failed on generated code:\n{proc.stdout}{proc.stderr}")
        return {rel: (Path(tmp) / rel).read_text(encoding="utf-8") for rel in files}
