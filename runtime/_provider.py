"""Provider descriptions: what the generated `modelwire.generated.providers` is made of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class AuthScheme:
    """How a key is sent: `bearer`, `header` (named), `query` (named parameter) or `none`."""

    scheme: str
    name: str | None = None
    env: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True, slots=True)
class ProtocolBinding:
    """A protocol a provider serves: the adapter module and the path it is served at."""

    protocol: str
    adapter: str
    path: str
    kind: str = "chat"


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    display_name: str
    base_url: str
    auth: AuthScheme
    protocols: Mapping[str, ProtocolBinding]
    base_url_env: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    docs: str | None = None
    # AIModelAPI.config key -> (header, separator for list values)
    config_headers: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def protocol_for(self, kind: str) -> ProtocolBinding | None:
        """The first protocol listed for this kind of model."""
        return next((b for b in self.protocols.values() if b.kind == kind), None)
