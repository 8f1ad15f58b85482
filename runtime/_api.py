"""Who to call: the provider account (`AIModelAPI`) and the model on it (`AIModelEndpoint`)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import cast
from urllib.parse import quote, urlsplit

import httpx2

from modelwire.generated.providers import PROVIDERS, AIModelAPIProviderEnum

from ._auth import Account, auth_scheme, header_problem, sendable
from ._catalog import AIModel, Host
from ._errors import ConfigurationError
from ._provider import AuthScheme, ProtocolBinding, ProviderInfo, Variant
from ._redact import watch

__all__ = ["AIModelAPI", "AIModelEndpoint", "provider_info"]


def provider_info(provider: AIModelAPIProviderEnum | str) -> ProviderInfo:
    if not isinstance(provider, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers (an AIModelAPIProviderEnum member is a str too)
        raise ConfigurationError(
            "provider must be an AIModelAPIProviderEnum member or a provider name (a string), "
            f"not {type(provider).__name__}"
        )
    name = provider.value if isinstance(provider, AIModelAPIProviderEnum) else provider
    # the generated table is typed through the installed `modelwire` package and this module
    # through its source path: to the checker two modules, at run time one class
    info = cast("ProviderInfo | None", PROVIDERS.get(name))
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
        "_account",
        "_api_key",
        "_base_url",
        "_credentials",
        "config",
        "default_headers",
        "http2",
        "info",
        "provider",
    )

    def __init__(
        self,
        provider: AIModelAPIProviderEnum | str,
        api_key: str | None = None,
        credentials: Mapping[str, object] | None = None,
        config: Mapping[str, object] | None = None,
        base_url: str | None = None,
        http2: bool = False,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.info: ProviderInfo = provider_info(provider)
        self.provider: AIModelAPIProviderEnum = AIModelAPIProviderEnum(self.info.name)
        if api_key is not None and not isinstance(api_key, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(f"api_key must be a string, not {type(api_key).__name__}")
        for name, value in (("credentials", credentials), ("config", config)):
            if value is not None and not isinstance(value, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
                raise ConfigurationError(f"{name} must be a mapping, not {type(value).__name__}")
        env = os.environ
        self._api_key = api_key or next((env[v] for v in self.info.auth.env if env.get(v)), None)
        self._credentials: dict[str, object] = dict(credentials or {})
        self.config: dict[str, object] = dict(config or {})
        var = next((v for v in self.info.base_url_env if env.get(v)), None)
        self._base_url = (
            _checked_base_url("base_url", base_url)
            if base_url is not None
            else _checked_base_url(f"{var} (the base_url from the environment)", env[var])
            if var
            else None
        )
        self.http2: bool = _checked_http2(http2)
        # sent on every request (after the provider's own; the auth headers win over them)
        self.default_headers: dict[str, str] = _checked_headers(default_headers)
        # what the auth schemes read, and keep (a Google token source, an AWS signer)
        self._account = Account(self._api_key, self._credentials, self.info.display_name)
        watch(self)

    @property
    def base_url(self) -> str:
        """The base URL given (or from the environment), else the provider's (a template
        when it depends on params such as a location)."""
        return self._base_url or self.info.base_url

    def param_values(
        self, model: AIModel | None = None, binding: ProtocolBinding | None = None
    ) -> dict[str, str]:
        """The provider's URL params: from `config`, else env, else the model's host (the
        first of its list for the param, e.g. a location it is served in), else the default. A missing required one fails here,
        unless `binding` has a variant for its absence (`""`)."""
        env = os.environ
        host = model.hosts.get(self.info.name) if model is not None else None
        values: dict[str, str] = {}
        for param in self.info.params:
            value = self.config.get(param.name)
            if value is not None and not isinstance(value, str):
                raise ConfigurationError(
                    f"config[{param.name!r}] must be a string, not {type(value).__name__}"
                )
            value = value or next((env[v] for v in param.env if env.get(v)), None)
            allowed = _host_values(host, param.name)
            if allowed and value is not None and value not in allowed and model is not None:
                raise ConfigurationError(  # (`allowed` comes from the model's host)
                    f"{model.constant or model.model_name} is served by "
                    f"{self.info.display_name} only in {', '.join(allowed)}; "
                    f"{param.name}={value!r}"
                )
            value = value or (allowed[0] if allowed else None) or param.default
            if value is None:
                absent = binding.variants.get(param.name, {}).get("") if binding else None
                if absent is not None and (absent.auth is None or self._key(absent.auth)):
                    continue  # served without it (Vertex AI express mode: an API key)
                if param.required and self._needs(param.name):
                    where = " or set " + " or ".join(param.env) if param.env else ""
                    if absent is not None and absent.auth is not None:
                        hint = auth_scheme(absent.auth).hint(absent.auth)
                        where += f"; or, without it, an API key ({hint})"
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

    @property
    def explicit_base_url(self) -> bool:
        """Whether a base URL was given (argument or environment), replacing the provider's."""
        return self._base_url is not None

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
    def credentials(self) -> dict[str, object]:
        return self._credentials

    def config_headers(self) -> dict[str, str]:
        """Headers the provider takes from `config` keys (e.g. opt-in beta features), or from
        their environment variables when the key is not given (OpenAI's organization)."""
        out: dict[str, str] = {}
        for key, (header, join, env) in self.info.config_headers.items():
            value = self.config.get(key)
            if value is None:
                value = next((os.environ[v] for v in env if os.environ.get(v)), None)
            if value is None:
                continue
            what = f"config[{key!r}] (sent as the {header} header)"
            values = (
                cast("Sequence[object]", value) if isinstance(value, (list, tuple)) else [value]
            )
            strings = [v for v in values if isinstance(v, str)]
            if len(strings) != len(values):
                raise ConfigurationError(f"{what} must be a string or a list of strings")
            joined = join.join(strings)
            if joined:
                out[header] = sendable(joined, what, token=False)
        return out

    def secrets(self) -> tuple[str, ...]:
        """Every secret string this account holds (scrubbed from error messages)."""
        found = [self._api_key] if self._api_key else []
        found += [os.environ[v] for v in self._key_env() if os.environ.get(v)]
        found += [v for v in self._credentials.values() if isinstance(v, str) and v]
        for source in self._account.sources.values():  # tokens fetched, credentials resolved
            found += source.secrets()
        return tuple(found)

    def _key(self, scheme: AuthScheme) -> str | None:
        """The key for `scheme`: `api_key`, else the first of its env variables set."""
        return self._api_key or next((os.environ[v] for v in scheme.env if os.environ.get(v)), None)

    def _key_env(self) -> set[str]:
        """The env variables any of this provider's auth schemes reads a key from."""
        schemes = [self.info.auth]
        for b in self.info.protocols.values():
            schemes += [b.auth, *(v.auth for t in b.variants.values() for v in t.values())]
        return {v for s in schemes if s is not None for v in s.env}

    def auth_blocks(self, scheme: AuthScheme | None = None) -> bool:
        """Whether authenticating now may wait on the network (a Google token to fetch or
        refresh): an async client then does it off its event loop."""
        scheme = scheme or self.info.auth
        if self._credentials.get(scheme.bearer_credential or ""):
            return False
        return auth_scheme(scheme).blocks(scheme, self._account)

    def auth(self, scheme: AuthScheme | None = None) -> tuple[dict[str, str], dict[str, str]]:
        """(headers, query parameters) that authenticate a request (`scheme`: a protocol's
        own, else the provider's; its key from `api_key`, else its own env variables)."""
        scheme = scheme or self.info.auth
        where = self.info.display_name
        token = self._credentials.get(scheme.bearer_credential or "")
        if token:
            token = sendable(token, f"credentials[{scheme.bearer_credential!r}] for {where}")
            return {"authorization": f"Bearer {token}"}, {}
        key = self._key(scheme)
        problem = None if key is None else header_problem(key)
        if problem is not None:
            env = (*scheme.env, *self.info.auth.env)
            var = next((v for v in env if os.environ.get(v) == key), None)
            raise ConfigurationError(
                f"the API key for {where}{f' (from {var})' if var else ''} {problem}"
            )
        return auth_scheme(scheme).authenticate(scheme, key, self._account)

    def sign(
        self,
        url: str,
        headers: dict[str, str],
        body: bytes,
        params: Mapping[str, str],
        scheme: AuthScheme | None = None,
        method: str = "POST",
    ) -> dict[str, str]:
        """Headers that sign the request (AWS Signature V4 when the scheme asks for it and no
        key is set); empty for every other scheme."""
        scheme = scheme or self.info.auth
        account = self._account
        return auth_scheme(scheme).sign(scheme, account, url, headers, body, params, method)

    def __repr__(self) -> str:
        key = "<set>" if self._api_key else None
        creds = "<set>" if self._credentials else None
        return (
            f"AIModelAPI(provider={self.provider.value!r}, api_key={key}, "
            f"credentials={creds}, base_url={self.base_url!r}"
            + (", http2=True)" if self.http2 else ")")
        )

    __str__ = __repr__


class AIModelEndpoint:
    """A model on a provider: what an AIModelClient calls."""

    __slots__ = (
        "_paths",
        "_query",
        "ai_model",
        "api",
        "auth",
        "base_url",
        "binding",
        "dimensions",
        "params",
    )

    def __init__(self, api: AIModelAPI, ai_model: AIModel, protocol: str | None = None) -> None:
        if not isinstance(api, AIModelAPI):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(
                f"api must be an AIModelAPI (AIModelAPI(provider=..., api_key=...)), "
                f"not {type(api).__name__}"
            )
        if protocol is not None and not isinstance(protocol, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(
                f"protocol must be a protocol name (a string), not {type(protocol).__name__}"
            )
        if not isinstance(ai_model, AIModel):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
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
        self.api: AIModelAPI = api
        self.ai_model: AIModel = ai_model
        self.binding: ProtocolBinding = self._binding(api.info, ai_model, protocol)
        self.params: dict[str, str] = api.param_values(ai_model, self.binding)
        serve = self._serve()
        self.auth: AuthScheme | None = serve.auth or self.binding.auth
        self.base_url: str = api.url_base(self.params, serve.base_url or self.binding.base_url)
        prefix = urlsplit(self.base_url).path
        self._paths: tuple[str | None, ...] = tuple(
            _after(prefix, self._fill(t)) if t else None for t in (serve.path, serve.stream_path)
        )
        self._query = {k: v.format(**self.params) for k, v in serve.query.items()}
        self.dimensions: dict[str, str] = self._dimensions()

    def _dimensions(self) -> dict[str, str]:
        """What prices a call here besides its tokens: the params, and the id prefix (an
        inference profile) the model is called with (`none`: the bare id)."""
        found = dict(self.params)
        param = self.api.info.model_id_prefix_param
        if param is not None:
            base, called = self.ai_model.id_for(self.api.provider.value), self.model_id
            found[param] = called[: -len(base) - 1] if called != base else "none"
        return found

    def _serve(self) -> Variant:
        """How the protocol is served here: the variant its params select (a param without a
        value selects its `""` variant), else the one for models with this id; with a base URL
        given, the variant whose path that URL already ends with the most of, where that is
        more than the selected one's."""
        b = self.binding
        default = Variant(b.path, b.stream_path, b.query)
        others = [v for _, v in b.for_models]
        ids = self.model_id if b.for_models else ""
        chosen = next((v for pattern, v in b.for_models if re.search(pattern, ids)), default)
        picked = False
        for param, table in b.variants.items():
            value = self.params.get(param, "")
            if value in table and not picked:
                chosen, picked = table[value], True
            others += table.values()
        if not self.api.explicit_base_url:
            return chosen
        prefix = urlsplit(self.api.base_url).path
        best = _overlap(prefix, self._fill(chosen.path))
        for variant in [default, *others]:
            try:
                size = _overlap(prefix, self._fill(variant.path))
            except KeyError:  # a variant for params this call does not have
                continue
            if size > best:
                chosen, best = variant, size
        return chosen

    def _fill(self, template: str) -> str:
        """`template` with the URL-quoted model id and params filled in."""
        if "{" not in template:
            return template
        return template.format(
            model=quote(self.model_id, safe="@-._~"),
            **{k: quote(v, safe="-._~") for k, v in self.params.items()},
        )

    def fill_path(self, template: str, bare_model: bool = False) -> str:
        """Another path template of this host (a count endpoint's) with the model id — the
        bare one, without a prefix, when asked — and params filled in (KeyError: a param this
        account lacks), less the leading segments the base URL already ends with."""
        model = self.ai_model.id_for(self.api.provider.value) if bare_model else self.model_id
        params = {k: quote(v, safe="-._~") for k, v in self.params.items()}
        filled = template.format(model=quote(model, safe="@-._~"), **params)
        return _after(urlsplit(self.base_url).path, filled)

    def path(self, stream: bool) -> str:
        """The protocol's path on this host, with the model id and params filled in (less
        the leading segments the base URL already ends with: `.../openai` + `/openai/...`)."""
        path, stream_path = self._paths
        # every protocol binding has a path, so it is never None
        return cast(str, stream_path if stream and stream_path else path)

    def query(self) -> dict[str, str]:
        """Query parameters of every call on this host, params filled in."""
        return dict(self._query)

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


def _host_values(host: Host | None, param: str) -> tuple[str, ...]:
    """The values the model's host allows for a provider param: the host's list named for
    it in the plural (its `locations` for a `location`), first the default; none: any."""
    values: object = getattr(host, param + "s", ()) if host is not None else ()
    if not isinstance(values, tuple):
        return ()
    return tuple(v for v in cast("tuple[object, ...]", values) if isinstance(v, str))


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _overlap(prefix: str, path: str) -> int:
    """How many leading segments of `path` the URL path `prefix` already ends with."""
    head, tail = _segments(prefix), _segments(path.split("?")[0])
    return next((k for k in range(min(len(head), len(tail)), 0, -1) if head[-k:] == tail[:k]), 0)


def _after(prefix: str, path: str) -> str:
    """`path` without the leading segments `prefix` already ends with."""
    k = _overlap(prefix, path)
    rest = path.lstrip("/").split("/", k)
    return path if not k else "/" + rest[k] if len(rest) > k else ""


# `scheme://` and an authority holding `@`: user info (the part after `//` up to `@`)
_USERINFO = re.compile(r"^[^/?#]*//[^/?#]*@")


def _checked_base_url(what: str, value: object) -> str:
    """A base URL given by the user (`what` names where from), checked: a string holding an
    http(s) URL with a host, and no user info, query or fragment (paths are appended to it).
    Errors never quote it: user info would be a password."""
    if not isinstance(value, str):
        raise ConfigurationError(
            f"{what} must be a string such as 'https://host/v1', not {type(value).__name__}"
        )
    if not value.strip():
        raise ConfigurationError(f"{what} is empty: leave it out for the provider's own")
    if not value.isprintable() or value != value.strip() or " " in value:
        raise ConfigurationError(f"{what} contains whitespace or a control character")
    if _USERINFO.match(value):
        raise ConfigurationError(
            f"{what} must not carry user:password@ (httpx2 would send it as Basic auth in place "
            "of the provider's key, and the URL shows in reprs and logs): for a gateway, pass its "
            "key as api_key=...; for an HTTP proxy, set HTTPS_PROXY=http://user:password@host:port"
        )
    scheme = value.split("://", 1)[0].lower() if "://" in value else None
    if scheme not in ("http", "https"):
        shown = scheme is not None and re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme)
        got = f"not {scheme}://" if shown else "it has no scheme"
        raise ConfigurationError(f"{what} must start with http:// or https:// ({got})")
    for mark, part in (("?", "a query"), ("#", "a fragment")):
        if mark in value:
            raise ConfigurationError(
                f"{what} must not have {part} ({mark}...): request paths are appended to it"
            )
    try:
        url = httpx2.URL(value)
    except httpx2.InvalidURL as exc:
        raise ConfigurationError(f"{what} is not a valid URL ({exc})") from None
    if not url.host:
        raise ConfigurationError(f"{what} has no host: give one, as in 'https://host/v1'")
    if url.port is not None and not 0 < url.port < 65536:
        raise ConfigurationError(f"{what} has port {url.port}, outside 1..65535")
    return value.rstrip("/")


def _checked_http2(http2: object) -> bool:
    """`http2=True` needs the h2 package (the `http2` extra): said now, not at the first call."""
    if not isinstance(http2, bool):
        raise ConfigurationError(f"http2 must be True or False, not {http2!r:.40}")
    if http2:
        import importlib.util

        if importlib.util.find_spec("h2") is None:
            raise ConfigurationError(
                'http2=True needs the h2 package: pip install "modelwire[http2]"'
            )
    return http2


def _checked_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """`default_headers`: names and values that can be sent as they are."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        raise ConfigurationError(f"default_headers must be a mapping, not {type(headers).__name__}")
    out: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(f"default_headers[{name!r:.40}] must be a string header")
        sendable(name, "a default_headers name")
        out[name] = sendable(value, f"default_headers[{name!r}]", token=False)
    return out
