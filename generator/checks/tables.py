"""Shared tables (specs/tables/*.yaml): names unique across the files, each table named by two
protocols or more; a protocol's `errors` naming tables that exist, no error type twice."""

from __future__ import annotations

from ..errors import SpecError
from ..source import Source
from ..spec import ProtocolSpec, TablesSpec
from .specs import Specs


def check_tables(
    specs: Specs,
    tables: list[tuple[TablesSpec, Source]],
    protocols: list[tuple[ProtocolSpec, Source]],
) -> list[SpecError]:
    """The tables files' errors and those of the protocols' names of them; each protocol's
    resolved tables go to `specs.error_tables`."""
    errors: list[SpecError] = []
    for spec, src in tables:
        errors.extend(specs.tables.add(spec, src))
    for spec, src in protocols:
        resolved, problems = specs.tables.resolve(spec.errors, src)
        specs.error_tables[spec.protocol] = resolved
        errors.extend(problems)
    if not specs.broken.get("protocol") and not specs.broken.get("tables"):
        errors.extend(specs.tables.unshared())
    return errors
