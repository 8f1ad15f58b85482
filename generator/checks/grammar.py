"""Grammar: each spec file against its kind's pydantic model (generator/spec.py), every
violation reported at its line, with a did-you-mean for an unknown key or value."""

from __future__ import annotations

import copy
import difflib
import re
from types import UnionType
from typing import Annotated, Any, Union, cast, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..errors import SpecError, did_you_mean
from ..source import Source


def validate(model: type[BaseModel], src: Source) -> tuple[Any, list[SpecError]]:
    """(the spec, or None when it does not fit the grammar; every error found). When the only
    faults are unknown keys, the file is validated again with each read as the key it is a
    near miss of (one the mapping lacks: `usage_updates` as `usage_update`), or else left out,
    so that the rest of the file is still checked and its other errors reported in the same
    run."""
    try:
        return model.model_validate(src.data), []
    except ValidationError as exc:
        errors = _errors(model, src, exc)
        problems = exc.errors()
        if any(e["type"] != "extra_forbidden" for e in problems):
            return None, errors
        data = copy.deepcopy(src.data)
        for e in problems:
            loc = _key_path(src, tuple(e["loc"]))
            if not _set_aside(data, loc, _keys_at(model, loc[:-1])):
                return None, errors
        try:
            return model.model_validate(data), errors
        except ValidationError:
            return None, errors


def _set_aside(data: Any, loc: tuple[Any, ...], allowed: set[str]) -> bool:
    """The unknown key at `loc` renamed to the allowed key it is a near miss of, when its
    mapping lacks that key, else removed; False if it is not there."""
    for part in loc[:-1]:
        if not _has(data, part):
            return False
        data = data[part]
    if not loc or not isinstance(data, dict) or loc[-1] not in data:
        return False
    mapping = cast("dict[Any, Any]", data)
    value = mapping.pop(loc[-1])
    free = sorted(allowed - set(mapping))
    close = difflib.get_close_matches(str(loc[-1]), free, n=1, cutoff=0.6)
    if close:
        mapping[close[0]] = value
    return True


def _has(data: Any, part: Any) -> bool:
    """`data` (a mapping or a list) holds key or index `part`."""
    if isinstance(data, dict):
        return part in data
    return isinstance(data, list) and isinstance(part, int) and 0 <= part < len(cast("Any", data))


def _errors(model: type[BaseModel], src: Source, exc: ValidationError) -> list[SpecError]:
    """Each pydantic error as a SpecError at its line, with a did-you-mean where one helps."""
    errors: list[SpecError] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # pydantic appends union-member and type names to loc; keep the real key path
        clean = _key_path(src, loc)
        where = ".".join(str(p) for p in clean) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {clean[-1]!r}" if clean else "unknown key"
            if clean:
                msg += did_you_mean(clean[-1], _keys_at(model, clean[:-1]))
        elif err["type"] == "literal_error" and isinstance(err["input"], str):
            expected = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected")))
            msg = f"{where}: {msg}{did_you_mean(err['input'], expected)}"
        elif err["type"] == "missing":
            msg = f"missing required key {clean[-1]!r}" if clean else msg
        else:
            msg = f"{where}: {msg}"
        errors.append(src.error(clean, msg))
    return _dedupe(errors)


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """The keys the grammar allows in the mapping at `loc` (of every model it may be)."""
    types: list[Any] = [model]
    for part in loc:
        types = [t for a in types for t in _step(a, part)]
    return {
        f.alias or name
        for a in types
        for t in _members(a)
        if isinstance(t, type) and issubclass(t, BaseModel)
        for name, f in t.model_fields.items()
    }


def _step(ann: Any, part: Any) -> list[Any]:
    """The types a value of type `ann` may hold at key or index `part`."""
    out: list[Any] = []
    for t in _members(ann):
        origin = get_origin(t)
        if isinstance(t, type) and issubclass(t, BaseModel):
            fields = {f.alias or n: f for n, f in t.model_fields.items()}
            if part in fields:
                out.append(fields[part].annotation)
        elif origin is dict and isinstance(part, str):
            out.append(get_args(t)[1])
        elif origin is list and isinstance(part, int):
            out.append(get_args(t)[0])
    return out


def _members(ann: Any) -> list[Any]:
    """The alternatives of a (possibly Annotated, Optional or union) type."""
    while get_origin(ann) is Annotated:
        ann = get_args(ann)[0]
    if get_origin(ann) in (Union, UnionType):
        return [m for a in get_args(ann) for m in _members(a)]
    return [ann]


def _key_path(src: Source, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The keys and indices of a pydantic error location, without the union-member and type
    names pydantic inserts. A part that is a location of the file is a key even when it looks
    like a type name (`STOP`, `FAILED_PRECONDITION`)."""
    clean: tuple[Any, ...] = ()
    for part in loc:
        here = (*clean, part)
        if here in src.lines or (isinstance(part, str) and not _looks_like_type(part)):
            clean = here
    return clean


def _looks_like_type(part: str) -> bool:
    return (
        part[:1].isupper()
        or "[" in part
        or "-" in part  # constrained-str
        or part in {"str", "int", "float", "bool", "dict", "list"}
    )


def _dedupe(errors: list[SpecError]) -> list[SpecError]:
    seen: dict[tuple[str, int], SpecError] = {}
    for e in errors:
        seen.setdefault((e.file, e.line), e)
    return list(seen.values())
