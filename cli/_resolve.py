"""Names on the command line → catalog models and providers, with close matches on a miss."""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeAlias

from modelwire._catalog import AIModel
from modelwire.generated.models import ALL_MODELS
from modelwire.generated.providers import PROVIDERS, AIModelAPIProviderEnum

# a value `json.loads` returns
JSON: TypeAlias = "str | int | float | bool | list[JSON] | dict[str, JSON] | None"


class CliError(Exception):
    """A mistake on the command line: printed as one line, exit `code` (2 by default)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _close(word: str, candidates: Iterable[str]) -> str:
    by_lower: dict[str, str] = {}
    for c in candidates:
        by_lower.setdefault(c.lower(), c)
    found = difflib.get_close_matches(word.lower(), list(by_lower), n=4, cutoff=0.6)
    return f"; did you mean {', '.join(by_lower[f] for f in found)}?" if found else ""


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def provider_enum(name: str) -> AIModelAPIProviderEnum:
    """A provider by enum name (`OPEN_AI`) or value (`openai`), any letter case, - or _."""
    wanted = _key(name)
    for member in AIModelAPIProviderEnum:
        if wanted in (_key(member.name), _key(member.value)):
            return member
    names = [m.value for m in AIModelAPIProviderEnum]
    hint = _close(name, [*names, *(m.name for m in AIModelAPIProviderEnum)])
    raise CliError(f"unknown provider {name!r}{hint or '; known: ' + ', '.join(names)}")


def display_name(provider: AIModelAPIProviderEnum) -> str:
    return PROVIDERS[provider.value].display_name


def _catalog_index() -> dict[str, tuple[AIModel, str | None]]:
    """lower-cased name → (model, the provider whose id it is, if it is a provider's id)."""
    index: dict[str, tuple[AIModel, str | None]] = {}
    for model in ALL_MODELS:  # constants and names first: they win over a provider's id
        for name in (model.constant, model.model_name):
            if name:
                index.setdefault(name.lower(), (model, None))
    for model in ALL_MODELS:
        for provider, model_id in model.ids.items():
            index.setdefault(model_id.lower(), (model, provider))
    return index


def resolve(
    model_name: str, provider_name: str | None, custom: bool = False
) -> tuple[AIModel, AIModelAPIProviderEnum]:
    """The model `-m` names and the provider to call it on: `-p`, else the provider whose id
    was given, else the first one the catalog lists for the model."""
    provider = provider_enum(provider_name) if provider_name else None
    if custom:
        if provider is None:
            raise CliError("--custom-model needs -p PROVIDER (where the model is served)")
        return AIModel(model_name=model_name), provider
    index = _catalog_index()
    found = index.get(model_name.strip().lower())
    if found is None:
        hint = _close(model_name, [*(m.constant or "" for m in ALL_MODELS), *index])
        raise CliError(
            f"unknown model {model_name!r}{hint} (`modelwire models` lists the catalog; "
            "-p PROVIDER --custom-model calls a model id the catalog does not list)"
        )
    model, id_provider = found
    if provider is None:
        first = id_provider or next(iter(model.ids), None)
        if first is None:
            raise CliError(f"{model.constant or model.model_name} has no provider: pass -p")
        provider = AIModelAPIProviderEnum(first)
    return model, provider


def json_argument(value: str, flag: str) -> JSON:
    """A JSON value given inline or as `@file.json`."""
    text = value
    if value.startswith("@"):
        try:
            text = Path(value[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"{flag}: cannot read {value[1:]}: {exc.strerror}") from None
    try:
        data: JSON = json.loads(text)
    except ValueError as exc:
        raise CliError(f"{flag}: not valid JSON ({exc})") from None
    return data


def json_object(value: str | None, flag: str) -> dict[str, JSON]:
    if value is None:
        return {}
    data = json_argument(value, flag)
    if not isinstance(data, dict):
        raise CliError(f"{flag} takes a JSON object, got {type(data).__name__}")
    return data


def jsonl_lines(path: Path, stdin: bool = False) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON) of each non-blank line of a JSONL file (`-`: standard
    input, where `stdin`); a line that is not JSON, or a file that cannot be read, is a
    CliError naming it."""
    try:
        if stdin and str(path) == "-":
            yield from _numbered(sys.stdin, path)
            return
        with path.open(encoding="utf-8") as file:
            yield from _numbered(file, path)
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None


def _numbered(lines: Iterable[str], path: Path) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item: Any = json.loads(line)
        except ValueError as exc:
            raise CliError(f"{path}:{number}: not valid JSON ({exc})") from None
        yield number, item
