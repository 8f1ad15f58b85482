"""Shared tables: error tables several protocols have in common, defined once in
specs/tables/*.yaml and named from a protocol's `errors` (`{shared: name, add: ...}`).

`Tables.resolve` turns a protocol's `errors` into the plain values its adapter holds, and
reports, at the protocol's line, a name that no table has or a type given twice; `unused`
reports, at the table's line, a table that fewer than two protocols name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import SpecError, did_you_mean
from .source import Loc, Source
from .spec import ErrorsSpec, SharedPattern, SharedStatuses, SharedTypes, TablesSpec

# the sections of a tables file, and what a protocol calls the value it names
SECTIONS = ("error_types", "retry_statuses", "context_length_patterns")


@dataclass
class ErrorTables:
    """A protocol's error tables, shared ones resolved."""

    types: dict[str, str] = field(default_factory=lambda: {})
    retry_statuses: list[int] = field(default_factory=lambda: [])
    context_length_pattern: str | None = None


@dataclass
class _Table:
    value: Any
    src: Source
    loc: Loc
    users: set[str] = field(default_factory=lambda: set())  # the protocol files naming it


class Tables:
    """Every shared table, by section and name."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, _Table]] = {s: {} for s in SECTIONS}

    def add(self, spec: TablesSpec, src: Source) -> list[SpecError]:
        """The tables of one file; a name another file already defines is an error."""
        errors: list[SpecError] = []
        for section in SECTIONS:
            table: dict[str, Any] = getattr(spec, section)
            for name, value in table.items():
                loc = (section, name)
                other = self.tables[section].get(name)
                if other is not None:
                    errors.append(
                        src.error(
                            loc, f"{section} table {name!r} is defined in {other.src.path} too"
                        )
                    )
                    continue
                if section == "context_length_patterns":
                    try:
                        re.compile(value)
                    except re.error as exc:
                        errors.append(src.error(loc, f"bad regex: {exc}"))
                self.tables[section][name] = _Table(value, src, loc)
        return errors

    def _named(
        self, section: str, names: str | list[str], src: Source, loc: Loc
    ) -> tuple[list[tuple[str, Any]], list[SpecError]]:
        found: list[tuple[str, Any]] = []
        errors: list[SpecError] = []
        many = isinstance(names, list)
        for i, name in enumerate(names if isinstance(names, list) else [names]):
            where = (*loc, "shared", i) if many else (*loc, "shared")
            table = self.tables[section].get(name)
            if table is None:
                known = ", ".join(sorted(self.tables[section])) or "none"
                hint = did_you_mean(name, self.tables[section])
                errors.append(
                    src.error(
                        where, f"no {section} table {name!r}{hint} (specs/tables/; known: {known})"
                    )
                )
                continue
            table.users.add(src.path)
            found.append((name, table.value))
        return found, errors

    def resolve(self, errors: ErrorsSpec, src: Source) -> tuple[ErrorTables, list[SpecError]]:
        """A protocol's error tables, and what is wrong in how it names shared ones."""
        out = ErrorTables()
        problems: list[SpecError] = []
        retry = errors.retry_statuses
        if isinstance(retry, SharedStatuses):
            found, bad = self._named(
                "retry_statuses", retry.shared, src, ("errors", "retry_statuses")
            )
            problems += bad
            statuses = [s for _, table in found for s in table] + retry.add
            out.retry_statuses = sorted(set(statuses))
        else:
            out.retry_statuses = list(retry)
        types = errors.types
        if isinstance(types, SharedTypes):
            loc: Loc = ("errors", "types")
            found, bad = self._named("error_types", types.shared, src, loc)
            problems += bad
            tables = [*found, ("add", types.add)]
            for i, (name, table) in enumerate(tables):
                for key, kind in table.items():
                    if key in out.types:
                        first = next(n for n, t in tables[:i] if key in t)
                        at = (*loc, "add", key) if name == "add" else loc
                        problems.append(
                            src.error(at, f"error type {key!r} is given by {first!r} already")
                        )
                        continue
                    out.types[key] = kind
        else:
            out.types = dict(types)
        pattern = errors.context_length.pattern
        if isinstance(pattern, SharedPattern):
            at: Loc = ("errors", "context_length", "pattern")
            found, bad = self._named("context_length_patterns", pattern.shared, src, at)
            problems += bad
            out.context_length_pattern = found[0][1] if found else None
        else:
            out.context_length_pattern = pattern
        return out, problems

    def unshared(self) -> list[SpecError]:
        """A table fewer than two protocols name is not shared: it belongs in the protocol."""
        return [
            t.src.error(
                t.loc,
                f"{section} table {name!r} is named by "
                + (f"{next(iter(t.users))} only" if t.users else "no protocol")
                + ": a shared table is for values several protocols have in common",
            )
            for section, tables in self.tables.items()
            for name, t in tables.items()
            if len(t.users) < 2
        ]
