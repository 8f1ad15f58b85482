"""Provider descriptions: what the generated `modelwire.generated.providers` is made of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["AuthScheme", "CountTokens", "Param", "ProtocolBinding", "ProviderInfo", "Variant"]


@dataclass(frozen=True, slots=True)
class AuthScheme:
    """How a request authenticates: `scheme` names the registered class that does it
    (`modelwire._auth`: a key as `bearer`, in a named `header` or `query` parameter, `none`,
    a Google Cloud token, AWS Signature V4); the other fields are its settings."""

    scheme: str
    name: str | None = None
    env: tuple[str, ...] = ()
    optional: bool = False
    service: str | None = None  # the service a signing scheme signs for
    bearer_credential: str | None = None  # credentials key sent as a bearer token instead
    region_param: str | None = None  # a signing scheme: the param holding the region


@dataclass(frozen=True, slots=True)
class Variant:
    """Another way a protocol is served, used when a param has a given value (`""`: when it
    has none): its path (and stream path and query), and a base URL and auth of its own."""

    path: str
    stream_path: str | None = None
    query: Mapping[str, str] = field(default_factory=dict[str, str])
    base_url: str | None = None
    auth: AuthScheme | None = None


@dataclass(frozen=True, slots=True)
class CountTokens:
    """A host's endpoint counting a call's input tokens: its path, the call body's keys it
    takes (under `wrap`, with `set` values added), where the answer holds the count, and
    whether `{model}` is the bare model id."""

    path: str
    keep: tuple[str, ...]
    tokens: str
    wrap: str | None = None
    set: Mapping[str, str] = field(default_factory=dict[str, str])
    bare_model: bool = False


@dataclass(frozen=True, slots=True)
class ProtocolBinding:
    """A protocol a provider serves: the adapter module, the path it is served at (a
    template: `{model}` and the provider's params), and what this host changes."""

    protocol: str
    adapter: str
    path: str
    kind: str = "chat"
    stream_path: str | None = None
    stream_query: Mapping[str, str] = field(default_factory=dict[str, str])
    body: Mapping[str, object] = field(
        default_factory=dict[str, object]
    )  # keys set (None: removed)
    creators: tuple[str, ...] = ()
    query: Mapping[str, str] = field(
        default_factory=dict[str, str]
    )  # on every call; may use {param}
    # param -> value -> how the protocol is served when the param has that value
    variants: Mapping[str, Mapping[str, Variant]] = field(
        default_factory=dict[str, Mapping[str, Variant]]
    )
    # (regular expression searched in the model id, how the protocol is served for those)
    for_models: tuple[tuple[str, Variant], ...] = ()
    base_url: str | None = None  # when this protocol is served elsewhere than the provider's
    auth: AuthScheme | None = None  # when this protocol authenticates differently
    structured_output: str | None = None  # "native" | "tool" | "json_mode": this host's way
    keep: tuple[str, ...] = ()  # content kinds the protocol drops that this host wants back
    count_tokens: CountTokens | None = None  # where this host counts a call's input tokens


@dataclass(frozen=True, slots=True)
class Param:
    """A value the provider's URLs need: from AIModelAPI.config, env, or its default."""

    name: str
    env: tuple[str, ...] = ()
    default: str | None = None
    required: bool = False


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    display_name: str
    base_url: str
    auth: AuthScheme
    protocols: Mapping[str, ProtocolBinding]
    base_url_env: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict[str, str])
    docs: str | None = None
    otel_name: str | None = None  # gen_ai.provider.name in OpenTelemetry spans
    # AIModelAPI.config key -> (header, separator for list values, env vars read without it)
    config_headers: Mapping[str, tuple[str, str, tuple[str, ...]]] = field(
        default_factory=dict[str, tuple[str, str, tuple[str, ...]]]
    )
    params: tuple[Param, ...] = ()
    model_id_prefix_param: str | None = None
    base_url_for: Mapping[str, Mapping[str, str]] = field(
        default_factory=dict[str, Mapping[str, str]]
    )

    def protocol_for(self, kind: str, creator: str | None = None) -> ProtocolBinding | None:
        """The protocol for this kind of model: the first one listed for its creator, else
        the first one listed for any creator, else the first one of its kind."""
        of_kind = [b for b in self.protocols.values() if b.kind == kind]
        return next(
            (b for b in of_kind if creator in b.creators),
            next((b for b in of_kind if not b.creators), of_kind[0] if of_kind else None),
        )
