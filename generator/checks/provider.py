"""Providers (specs/providers/*.yaml): the file name, a unique enum member, URL templates
naming only declared params, variants keyed by params, served protocols that exist and frame
their own streams, and `for_models` regular expressions that compile."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import SpecError, did_you_mean
from ..source import Loc, Source
from ..spec import ProviderSpec
from .specs import Specs


def check_providers(specs: Specs, loaded: list[tuple[ProviderSpec, Source]]) -> list[SpecError]:
    """Every provider file's errors; each file's spec is added to `specs.providers`."""
    errors: list[SpecError] = []
    enums: dict[str, Source] = {}
    for spec, src in loaded:
        expected = Path(src.path).stem
        if spec.provider != expected:
            errors.append(src.error(("provider",), f"provider must be {expected!r} (file name)"))
        if spec.enum in enums:
            errors.append(
                src.error(("enum",), f"enum {spec.enum} already used by {enums[spec.enum].path}")
            )
        enums[spec.enum] = src
        errors += _check_placeholders(spec, src)
        errors += _check_params(spec, src)
        errors += _check_serves(specs, spec, src)
        errors += _check_batch(spec, src)
        specs.providers[spec.provider] = (spec, src)
    return errors


def _templates(spec: ProviderSpec) -> list[tuple[Loc, str, bool]]:
    """Every URL template of the provider: (where, the template, whether `{model}` may appear)."""
    out: list[tuple[Loc, str, bool]] = [(("base_url",), spec.base_url, False)]
    out += [
        (("base_url_for", k, v), url, False)
        for k, m in spec.base_url_for.items()
        for v, url in m.items()
    ]
    for n, s in spec.serves.items():
        out.append((("serves", n, "path"), s.path, True))
        if s.count_tokens is not None:
            out.append((("serves", n, "count_tokens", "path"), s.count_tokens.path, True))
        if s.base_url:
            out.append((("serves", n, "base_url"), s.base_url, False))
        if s.stream_path:
            out.append((("serves", n, "stream_path"), s.stream_path, True))
        places = [(("for_models", i), v) for i, v in enumerate(s.for_models)]
        places += [
            (("variants", param, value), v)
            for param, table in s.variants.items()
            for value, v in table.items()
        ]
        for at, v in places:
            for key, template in (
                ("path", v.path),
                ("stream_path", v.stream_path),
                ("base_url", v.base_url),
            ):
                if template:
                    out.append((("serves", n, *at, key), template, True))
    return out


def _check_batch(spec: ProviderSpec, src: Source) -> list[SpecError]:
    """A batch API takes protocols the provider serves; its templates name known values; its
    custom-id pattern compiles."""
    batch = spec.batch
    if batch is None:
        return []
    errors = [
        src.error(
            ("batch", "protocols", name),
            f"{name!r} is not served by {spec.provider}{did_you_mean(name, spec.serves)}; "
            f"it serves: {', '.join(spec.serves)}",
        )
        for name in batch.protocols
        if name not in spec.serves
    ]
    known = set(spec.params) | {"storage"}
    places: list[tuple[Loc, str, set[str]]] = [
        (("batch", "paths", op), t, known | {"id", "model"}) for op, t in batch.paths.items()
    ]
    places += [(("batch", "query", k), t, known) for k, t in batch.query.items()]
    if batch.base_url:
        places.append((("batch", "base_url"), batch.base_url, known))
    for where, template, allowed in places:
        for name in re.findall(r"\{([^}]*)\}", template):
            if name not in allowed:
                errors.append(
                    src.error(
                        where,
                        f"unknown placeholder {{{name}}}; known: {', '.join(sorted(allowed))}",
                    )
                )
    if batch.limits.custom_id is not None:
        try:
            re.compile(batch.limits.custom_id)
        except re.error as exc:
            errors.append(src.error(("batch", "limits", "custom_id"), f"bad regex: {exc}"))
    return errors


def _check_placeholders(spec: ProviderSpec, src: Source) -> list[SpecError]:
    """Each `{placeholder}` of a URL template is a declared param (or `{model}` in a path)."""
    errors: list[SpecError] = []
    known = set(spec.params)
    for where, template, model in _templates(spec):
        allowed = known | {"model"} if model else known
        for field_name in re.findall(r"\{([^}]*)\}", template):
            if field_name not in allowed:
                errors.append(
                    src.error(
                        where,
                        f"unknown placeholder {{{field_name}}}; known: "
                        f"{', '.join(sorted(allowed)) or 'none (declare it under params)'}",
                    )
                )
    return errors


def _check_params(spec: ProviderSpec, src: Source) -> list[SpecError]:
    """`base_url_for` and `variants` are keyed by declared params."""
    known = set(spec.params)
    errors = [
        src.error(("base_url_for", param), f"{param!r} is not a param")
        for param in spec.base_url_for
        if param not in known
    ]
    errors += [
        src.error(("serves", n, "variants", param), f"{param!r} is not a param")
        for n, s in spec.serves.items()
        for param in s.variants
        if param not in known
    ]
    return errors


def _check_serves(specs: Specs, spec: ProviderSpec, src: Source) -> list[SpecError]:
    """Each served protocol exists and frames its own stream; `for_models` ids compile."""
    errors: list[SpecError] = []
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
    return errors
