"""Who to call: the provider account (`AIModelAPI`) and the model on it (`AIModelEndpoint`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ._catalog import AIModel
from ._errors import ConfigurationError
from ._provider import AuthScheme, ProtocolBinding, ProviderInfo
from ._redact import watch
from .generated.providers import PROVIDERS, AIModelAPIProviderEnum


def provider_info(provider: AIModelAPIProviderEnum | str) -> ProviderInfo:
    name = provider.value if isinstance(provider, AIModelAPIProviderEnum) else str(provider)
    info = PROVIDERS.get(name)
    if info is None:
        raise ConfigurationError(
            f"unknown provider {name!r}; known: {', '.join(sorted(PROVIDERS))}"
        )
    return info


class AIModelAPI:
    """A provider account: which provider, its key or credentials, and where it is served.

    The key comes from `api_key`, else from the provider's environment variable(s). Secrets
    never appear in `repr`/`str`.
    """

    __slots__ = (
        "__weakref__",
        "_api_key",
        "_base_url",
        "_credentials",
        "_tokens",
        "config",
        "info",
        "provider",
    )

    def __init__(
        self,
        provider: AIModelAPIProviderEnum | str,
        api_key: str | None = None,
        credentials: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        base_url: str | None = None,
    ) -> None:
        self.info = provider_info(provider)
        self.provider = AIModelAPIProviderEnum(self.info.name)
        env = os.environ
        self._api_key = api_key or next((env[v] for v in self.info.auth.env if env.get(v)), None)
        self._credentials = dict(credentials or {})
        self.config = dict(config or {})
        explicit = base_url or next((env[v] for v in self.info.base_url_env if env.get(v)), None)
        self._base_url = explicit.rstrip("/") if explicit else None
        self._tokens: Any = None  # Google token source or AWS signer, made on first use
        watch(self)

    @property
    def base_url(self) -> str:
        """The base URL given (or from the environment), else the provider's (a template
        when it depends on params such as a location)."""
        return self._base_url or self.info.base_url

    def param_values(self, model: AIModel | None = None) -> dict[str, str]:
        """The provider's URL params: from `config`, else env, else the model's host (a
        `location` it is served in), else the default. A missing required one fails here."""
        env = os.environ
        host = model.hosts.get(self.info.name) if model is not None else None
        values: dict[str, str] = {}
        for param in self.info.params:
            value = self.config.get(param.name) or next(
                (env[v] for v in param.env if env.get(v)), None
            )
            allowed = host.locations if host is not None and param.name == "location" else ()
            if allowed and value is not None and value not in allowed:
                raise ConfigurationError(
                    f"{model.constant or model.model_name} is served by "  # type: ignore[union-attr]
                    f"{self.info.display_name} only in {', '.join(allowed)}; location={value!r}"
                )
            value = value or (allowed[0] if allowed else None) or param.default
            if value is None:
                if param.required and self._needs(param.name):
                    where = " or set " + " or ".join(param.env) if param.env else ""
                    raise ConfigurationError(
                        f"{self.info.display_name} needs {param.name}: pass "
                        f"AIModelAPI(config={{{param.name!r}: ...}}){where}"
                    )
                continue
            values[param.name] = str(value)
        return values

    def _needs(self, name: str) -> bool:
        """Whether a URL this API builds uses param `name` (an explicit base_url replaces
        the provider's, and with it the params only that one used)."""
        field = "{" + name + "}"
        templates = [] if self._base_url else [self.info.base_url]
        for b in self.info.protocols.values():
            templates += [b.path, b.stream_path or "", *b.query.values(), b.base_url or ""]
        return any(field in t for t in templates)

    def url_base(self, values: Mapping[str, str], serve_base: str | None = None) -> str:
        """The base URL with its params filled in (`serve_base`: a protocol's own)."""
        if self._base_url:
            return self._base_url
        if serve_base:
            return serve_base.format(**values).rstrip("/")
        for name, table in self.info.base_url_for.items():
            if values.get(name) in table:
                return table[values[name]].format(**values).rstrip("/")
        return self.info.base_url.format(**values).rstrip("/")

    @property
    def api_key(self) -> str | None:
        return self._api_key

    @property
    def credentials(self) -> dict[str, Any]:
        return self._credentials

    def config_headers(self) -> dict[str, str]:
        """Headers the provider takes from `config` keys (e.g. opt-in beta features)."""
        out = {}
        for key, (header, join) in self.info.config_headers.items():
            value = self.config.get(key)
            if value:
                out[header] = join.join(value) if isinstance(value, (list, tuple)) else str(value)
        return out

    def secrets(self) -> tuple[str, ...]:
        """Every secret string this account holds (scrubbed from error messages)."""
        found = [self._api_key] if self._api_key else []
        found += [v for v in self._credentials.values() if isinstance(v, str) and v]
        if self._tokens is not None:  # tokens fetched or credentials resolved since
            found += self._tokens.secrets()
        return tuple(found)

    def auth(self, scheme: AuthScheme | None = None) -> tuple[dict[str, str], dict[str, str]]:
        """(headers, query parameters) that authenticate a request (`scheme`: a protocol's
        own, else the provider's)."""
        scheme = scheme or self.info.auth
        key = self._api_key
        token = self._credentials.get(scheme.bearer_credential or "")
        if token:
            return {"authorization": f"Bearer {token}"}, {}
        if scheme.scheme == "aws_sigv4":  # a Bedrock API key, else signed in `sign`
            return ({"authorization": f"Bearer {key}"} if key else {}), {}
        if key is None and scheme.scheme != "google_oauth":
            if scheme.optional or scheme.scheme == "none":
                return {}, {}
            how = "pass api_key="
            if scheme.env:
                how = f"set {' or '.join(scheme.env)} (or {how})"
            raise ConfigurationError(f"no API key for {self.info.display_name}: {how}")
        if scheme.scheme == "google_oauth":
            if self._tokens is None:
                from ._google_auth import GoogleTokenSource

                static = self._credentials.get("access_token") or self._api_key
                self._tokens = GoogleTokenSource(self._credentials, static)
            return {"authorization": f"Bearer {self._tokens.token()}"}, {}
        if scheme.scheme == "bearer":
            return {"authorization": f"Bearer {key}"}, {}
        if scheme.scheme == "header":
            return {str(scheme.name): key}, {}
        if scheme.scheme == "query":
            return {}, {str(scheme.name): key}
        return {}, {}

    def sign(
        self,
        url: str,
        headers: dict[str, str],
        body: bytes,
        params: Mapping[str, str],
        scheme: AuthScheme | None = None,
    ) -> dict[str, str]:
        """Headers that sign the request (AWS Signature V4 when the scheme asks for it and no
        key is set); empty for every other scheme."""
        scheme = scheme or self.info.auth
        if scheme.scheme != "aws_sigv4" or self._api_key:
            return {}
        if self._tokens is None:
            from ._aws_auth import AWSSigner

            self._tokens = AWSSigner(self._credentials)
        region = params.get(scheme.region_param or "")
        return self._tokens.sign(str(scheme.service), region, url, headers, body)

    def __repr__(self) -> str:
        key = "<set>" if self._api_key else None
        creds = "<set>" if self._credentials else None
        return (
            f"AIModelAPI(provider={self.provider.value!r}, api_key={key}, "
            f"credentials={creds}, base_url={self.base_url!r})"
        )

    __str__ = __repr__


class AIModelEndpoint:
    """A model on a provider: what an AIModelClient calls."""

    __slots__ = ("ai_model", "api", "base_url", "binding", "params")

    def __init__(self, api: AIModelAPI, ai_model: AIModel, protocol: str | None = None) -> None:
        if not isinstance(ai_model, AIModel):
            raise ConfigurationError(
                f"ai_model must be an AIModel (a modelwire.models constant or AIModel(...)), "
                f"got {ai_model!r}"
            )
        provider = api.provider.value
        if ai_model.ids and provider not in ai_model.ids:
            raise ConfigurationError(
                f"{ai_model.constant or ai_model.model_name} is not served by {provider}; "
                f"it is on: {', '.join(sorted(ai_model.ids))}"
            )
        self.api = api
        self.ai_model = ai_model
        self.binding = self._binding(api.info, ai_model, protocol)
        self.params = api.param_values(ai_model)
        self.base_url = api.url_base(self.params, self.binding.base_url)

    def _serve(self) -> tuple[str, str | None, Mapping[str, str]]:
        b = self.binding
        for param, table in b.variants.items():
            if self.params.get(param) in table:
                return table[self.params[param]]
        return b.path, b.stream_path, b.query

    def path(self, stream: bool) -> str:
        """The protocol's path on this host, with the model id and params filled in."""
        path, stream_path, _ = self._serve()
        template = stream_path if stream and stream_path else path
        if "{" not in template:
            return template
        return template.format(
            model=quote(self.model_id, safe="@-._~"),
            **{k: quote(v, safe="-._~") for k, v in self.params.items()},
        )

    def query(self) -> dict[str, str]:
        """Query parameters of every call on this host, params filled in."""
        return {k: v.format(**self.params) for k, v in self._serve()[2].items()}

    @staticmethod
    def _binding(info: ProviderInfo, model: AIModel, protocol: str | None) -> ProtocolBinding:
        if protocol is not None:
            binding = info.protocols.get(protocol)
            if binding is None:
                raise ConfigurationError(
                    f"{info.name} does not serve protocol {protocol!r}; "
                    f"it serves: {', '.join(info.protocols)}"
                )
            if model.protocols and protocol not in model.protocols:
                raise ConfigurationError(
                    f"{model.constant or model.model_name} does not take protocol {protocol!r}; "
                    f"it takes: {', '.join(model.protocols)}"
                )
            return binding
        for name in model.protocols:  # the catalog's preference, where this host serves it
            if name in info.protocols:
                return info.protocols[name]
        binding = info.protocol_for(model.kind, model.creator)
        if binding is None:
            raise ConfigurationError(f"{info.name} serves no protocol for {model.kind} models")
        return binding

    @property
    def model_id(self) -> str:
        """The model's id on this host, with the host's prefix (an inference profile) when
        the catalog lists prefixes: the configured one, else the first; `none`: bare id."""
        provider = self.api.provider.value
        base = self.ai_model.id_for(provider)
        host = self.ai_model.hosts.get(provider)
        param = self.api.info.model_id_prefix_param
        if host is None or not host.id_prefixes or param is None:
            return base
        chosen = self.params.get(param) or host.id_prefixes[0]
        if chosen == "none":
            return base
        if chosen not in host.id_prefixes:
            raise ConfigurationError(
                f"{param}={chosen!r} is not offered for {self.ai_model.constant or base} on "
                f"{self.api.info.display_name}; allowed: {', '.join(host.id_prefixes)}, none"
            )
        return f"{chosen}.{base}"

    def __repr__(self) -> str:
        return (
            f"AIModelEndpoint(api={self.api!r}, ai_model={self.ai_model!r}, "
            f"protocol={self.binding.protocol!r})"
        )
