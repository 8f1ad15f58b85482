"""Wire schemas (specs/wire/*.schema.yaml): each a JSON Schema whose `$defs` is a mapping of
models. Paths into them are checked with the protocols that read them (checks/protocol.py and
the lowering, which resolves every path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from ..errors import SpecError
from ..source import Source
from ..wire import WireSchema
from .specs import Specs


def check_wires(specs: Specs, sources: list[Source]) -> list[SpecError]:
    """Each wire file's errors; each good one goes to `specs.wires`."""
    errors: list[SpecError] = []
    for src in sources:
        name = Path(src.path).name
        data: Any = src.data
        if not isinstance(data, dict) or not isinstance(cast("Any", data).get("$defs", {}), dict):
            errors.append(src.error((), "a wire schema is a mapping with a `$defs` mapping"))
            specs.broken.setdefault("wire", set()).add(name)
            continue
        specs.wires[name] = WireSchema(src)
    return errors
