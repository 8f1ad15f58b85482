"""`modelwire replay CASSETTE`: a recorded call played offline through the real client.

The cassette (vcrpy's format) is served by vcrpy, as in the contract tests: requests match on
method, scheme, host, port and path, never on the body. What to call is read back from the
recorded request: the provider from the cassette's folder (else from the URL), the protocol,
streaming and the URL's params (region, project, location, model id) by matching the URL
against each provider's URL templates, the model from the URL or the body's `model`, image
options from the body. vcrpy is not a dependency of modelwire: `pip install 'modelwire[replay]'`.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from modelwire._api import AIModelAPI, AIModelEndpoint
from modelwire._catalog import AIModel
from modelwire._client import AIModelClient
from modelwire._config import AIModelCallConfig
from modelwire._provider import ProtocolBinding, ProviderInfo
from modelwire.generated.models import ALL_MODELS
from modelwire.generated.providers import PROVIDERS, AIModelAPIProviderEnum

from . import _show
from ._resolve import JSON, CliError
from ._term import Term

MATCH_ON = ["method", "scheme", "host", "port", "path"]  # as devtools/cassettes.py
_FIELD = re.compile(r"\{(\w+)\}")
# where a request body holds what was asked (the last one found is taken as the prompt)
_TEXT_KEYS = frozenset({"prompt", "text", "content", "input"})
_NOT_PROMPT = frozenset({"system", "instructions", "systemInstruction", "tools", "toolConfig"})


@dataclass(slots=True)
class Route:
    """One URL a provider serves a protocol at: base and path templates, and the params a
    path variant implies (`{"api_version": "v1"}`)."""

    binding: ProtocolBinding
    base: str
    path: str
    stream: bool
    implied: Mapping[str, str]

    def pattern(self) -> re.Pattern[str]:
        seen: set[str] = set()
        return re.compile(f"(?P<_base>{_regex(self.base, seen)}){_regex(self.path, seen)}")


def _regex(template: str, seen: set[str]) -> str:
    """A URL template as a regex: each `{name}` a group (a repeated one must be equal)."""
    out: list[str] = []
    pos = 0
    for m in _FIELD.finditer(template):
        out.append(re.escape(template[pos : m.start()]))
        name = m.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>[^/]+?)")
        seen.add(name)
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return "".join(out)


def _routes(info: ProviderInfo) -> Iterator[Route]:
    bases = [info.base_url, *(u for table in info.base_url_for.values() for u in table.values())]
    for b in info.protocols.values():
        paths: list[tuple[str, str | None, Mapping[str, str], str | None]]
        paths = [(b.path, b.stream_path, {}, None)]
        paths += [
            (v.path, v.stream_path, {param: value}, v.base_url)
            for param, t in b.variants.items()
            for value, v in t.items()
        ]
        for path, stream_path, implied, own_base in paths:
            where = own_base or b.base_url
            for base in [where] if where else bases:
                if stream_path:
                    yield Route(b, base, stream_path, True, implied)
                yield Route(b, base, path, False, implied)


@dataclass(slots=True)
class Plan:
    """What the recorded request asked for, as modelwire calls it."""

    endpoint: AIModelEndpoint
    stream: bool
    prompt: str | None
    options: dict[str, JSON]


def _catalog_model(
    provider: ProviderInfo, model_id: str, kind: str
) -> tuple[AIModel, dict[str, str]]:
    """The catalog model with `model_id` on `provider` (a host prefix such as Bedrock's `us.`
    becomes its param), else a model outside the catalog."""
    param = provider.model_id_prefix_param
    for model in ALL_MODELS:
        base = model.ids.get(provider.name)
        if base is None:
            continue
        prefixes = host.id_prefixes if (host := model.hosts.get(provider.name)) else ()
        if model_id == base:
            return model, ({param: "none"} if param and prefixes else {})
        if param:
            for prefix in prefixes:
                if model_id == f"{prefix}.{base}":
                    return model, {param: prefix}
    return AIModel(model_name=model_id, kind=kind), {}


def _texts(node: JSON, key: str | None = None) -> Iterator[str]:
    if isinstance(node, str):
        if key in _TEXT_KEYS:
            yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            if k not in _NOT_PROMPT:
                yield from _texts(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _texts(v, key)


def _options(body: dict[str, JSON], model: AIModel, binding: ProtocolBinding) -> dict[str, JSON]:
    """An image model's options as the body holds them (they decide its per-image price)."""
    if model.kind != "image" and binding.kind != "image":
        return {}
    root: str | None = importlib.import_module(binding.adapter).OPTIONS_PATH
    under = root.split(".") if root else []
    found: dict[str, JSON] = {}
    for name, spec in model.valid_options.items():
        node = _at(body, [*under, *(spec.wire or name).split(".")])
        if node is not None:
            found[name] = node
    return found


def _at(node: JSON, path: Sequence[str]) -> JSON:
    """The value at `path` (keys of nested objects) in `node`; None where there is none."""
    for step in path:
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return node


def plan(folder: str, uri: str, body: bytes | str | None) -> Plan:
    """How to make, through modelwire, the call the recorded request made."""
    parts = urlsplit(uri)
    url = f"{parts.scheme}://{parts.netloc}{parts.path}"
    try:
        decoded: JSON = json.loads(body or b"{}")
    except ValueError:
        decoded = {}
    data = decoded if isinstance(decoded, dict) else {}
    candidates = [PROVIDERS[folder]] if folder in PROVIDERS else list(PROVIDERS.values())
    for info in candidates:
        for route in _routes(info):
            if (m := route.pattern().fullmatch(url)) is None:
                continue
            found = {k: unquote(v) for k, v in m.groupdict().items()}
            model_id = found.pop("model", None) or data.get("model")
            if not isinstance(model_id, str):
                raise CliError(f"no model id in the recorded request to {url}")
            model, prefix = _catalog_model(info, model_id, route.binding.kind)
            params = {k: v for k, v in found.items() if k != "_base"} | dict(route.implied)
            api = AIModelAPI(
                AIModelAPIProviderEnum(info.name),
                api_key="replayed",  # sent to vcrpy only; it never leaves the process
                config=params | prefix,
                base_url=found["_base"],
            )
            endpoint = AIModelEndpoint(api, model, protocol=route.binding.protocol)
            stream = route.stream or data.get("stream") is True
            rebuilt = endpoint.base_url + endpoint.path(stream)
            if rebuilt != url:
                raise CliError(f"cannot rebuild the recorded request {url} (got {rebuilt})", 1)
            prompt = next(reversed(list(_texts(data))), None)
            return Plan(endpoint, stream, prompt, _options(data, model, route.binding))
    where = f"{folder}'s URLs" if folder in PROVIDERS else "any provider's URLs"
    raise CliError(f"the recorded request to {url} matches none of {where}")


def _origin(path: Path) -> str | None:
    """The cassette's first comment line (where it came from, its links left out), if any."""
    with path.open(encoding="utf-8") as f:
        first = f.readline()
    if not first.startswith("#"):
        return None
    return re.sub(r":?\s*https?://\S+", "", first[1:]).strip() or None


class _Recorded(Protocol):
    """What is read here of a request vcrpy recorded (vcrpy ships no type hints)."""

    @property
    def uri(self) -> str: ...
    @property
    def body(self) -> bytes | str | None: ...


class _Cassette(Protocol):
    @property
    def requests(self) -> Sequence[_Recorded]: ...


class _UseCassette(Protocol):
    """`vcr.use_cassette` as called here."""

    def __call__(
        self, path: str, *, record_mode: str, match_on: list[str], allow_playback_repeats: bool
    ) -> AbstractContextManager[_Cassette]: ...


def run(path: Path, term: Term, display: _show.Display) -> int:
    try:  # vcrpy is optional, and untyped: what is used of it gets its type here
        vcr = importlib.import_module("vcr")
        vcr_errors = importlib.import_module("vcr.errors")
    except ImportError:
        raise CliError("modelwire replay needs vcrpy: pip install 'modelwire[replay]'") from None
    use_cassette: _UseCassette = vcr.use_cassette
    no_answer: type[Exception] = vcr_errors.CannotOverwriteExistingCassetteException
    if not path.is_file():
        raise CliError(f"no cassette at {path}")
    with use_cassette(
        str(path), record_mode="none", match_on=MATCH_ON, allow_playback_repeats=False
    ) as cassette:
        if not cassette.requests:
            raise CliError(f"{path} holds no recorded request")
        request = cassette.requests[0]
        call = plan(path.parent.name, request.uri, request.body)
        ep = call.endpoint
        if not (display.quiet or display.as_json):
            origin = _origin(path)
            label = ep.ai_model.constant or ep.ai_model.model_name
            way = "streamed" if call.stream else "not streamed"
            term.note(f"replaying {path}" + (f" ({origin})" if origin else "") + "\n")
            term.note(f"{label} on {ep.api.provider.value}, {ep.binding.protocol}, {way}\n")
            if call.prompt:
                term.note(f"prompt: {' '.join(call.prompt.split())}\n")
            term.note("\n")
        config = AIModelCallConfig(streaming=call.stream, retries=0, options=call.options)
        try:
            with AIModelClient(ep, config) as client:
                return _show.run(client, call.prompt or "(replayed)", None, config, term, display)
        except no_answer as exc:
            first = str(exc).splitlines()[0]
            raise CliError(f"the cassette holds no answer to this request: {first}", 1) from None
