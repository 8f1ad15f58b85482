"""The specs of one run, by kind, as loaded and validated (what the checks and the lowering
read)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lower import Addition
from ..source import Source
from ..spec import CatalogSpec, ProtocolSpec, ProviderSpec
from ..tables import ErrorTables, Tables
from ..wire import WireSchema


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
