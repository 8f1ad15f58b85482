"""The reference dumper: runs in `.venv-wirecheck`, never in `.venv`.

Reads a JSON list of reference names on stdin and writes, on stdout, one JSON Schema per name
plus the versions of the packages it read them from. It only reads type definitions and data
files; it calls no API and opens no connection. Standard library, pydantic (which the SDKs
bring) and the pinned SDKs only: modelwire is not installed here, so this module is run by
path (`python devtools/wirecheck/worker.py`) and imports nothing of the project.

Names:
- `py:<module>:<attribute>` — a pydantic model, or a type alias (a Union, a Literal, an Enum)
  of an official SDK (openai, anthropic, google-genai): `model_json_schema(by_alias=True)` or
  `TypeAdapter(...).json_schema(by_alias=True)`, so field names are the wire's (google-genai's
  camelCase aliases).
- `botocore:<service>:<Shape>` — a shape of botocore's service model (`service-2.json`) turned
  into JSON Schema: structures become objects (`x-union` for unions, `x-exception` for
  exceptions, `x-event` for event-stream events), lists arrays, maps objects, blobs base64
  strings, documents any value; every shape it reaches is under `$defs`.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import json
import sys
from typing import Any, cast

PACKAGES = ("openai", "anthropic", "google-genai", "botocore")

_SCALARS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "character": {"type": "string"},
    "timestamp": {"type": "string", "format": "date-time"},
    "blob": {"type": "string", "contentEncoding": "base64"},
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "long": {"type": "integer"},
    "short": {"type": "integer"},
    "byte": {"type": "integer"},
    "float": {"type": "number"},
    "double": {"type": "number"},
    "bigdecimal": {"type": "number"},
    "biginteger": {"type": "integer"},
}


def _python(module: str, attribute: str) -> dict[str, Any]:
    from pydantic import BaseModel, TypeAdapter

    obj: Any = getattr(importlib.import_module(module), attribute)
    if isinstance(obj, type) and issubclass(obj, BaseModel):
        return obj.model_json_schema(by_alias=True)
    adapter: TypeAdapter[Any] = TypeAdapter(cast("Any", obj))
    return adapter.json_schema(by_alias=True)


_services: dict[str, dict[str, Any]] = {}


def _service(name: str) -> dict[str, Any]:
    if name not in _services:
        from botocore.loaders import Loader  # pyright: ignore[reportMissingTypeStubs]  # untyped

        loader: Any = Loader()
        _services[name] = loader.load_service_model(name, "service-2")
    return _services[name]


def _shape(shapes: dict[str, Any], name: str, defs: dict[str, Any]) -> dict[str, Any]:
    """The schema of shape `name`: scalars inline, the others a `$ref` into `defs`."""
    shape = shapes[name]
    kind = shape["type"]
    if kind in _SCALARS:
        node = dict(_SCALARS[kind])
        if "enum" in shape:
            node["enum"] = list(shape["enum"])
        return node
    if kind == "document":
        return {}
    if name not in defs:
        defs[name] = {}  # placeholder: a recursive shape refers to itself
        node: dict[str, Any] = {"title": name}
        if kind == "structure":
            node["type"] = "object"
            node["properties"] = {
                member: _shape(shapes, spec["shape"], defs)
                for member, spec in shape.get("members", {}).items()
            }
            if shape.get("required"):
                node["required"] = list(shape["required"])
            for flag in ("union", "exception", "event", "eventstream"):
                if shape.get(flag):
                    node[f"x-{flag}"] = True
        elif kind == "list":
            node["type"] = "array"
            node["items"] = _shape(shapes, shape["member"]["shape"], defs)
        elif kind == "map":
            node["type"] = "object"
            node["additionalProperties"] = _shape(shapes, shape["value"]["shape"], defs)
        else:
            raise ValueError(f"unknown botocore shape type {kind!r} ({name})")
        defs[name] = node
    return {"$ref": f"#/$defs/{name}"}


def _botocore(service: str, shape: str) -> dict[str, Any]:
    model = _service(service)
    defs: dict[str, Any] = {}
    root = _shape(model["shapes"], shape, defs)
    return {**defs[shape], "$defs": defs} if "$ref" in root else root


def dump(name: str) -> dict[str, Any]:
    source, _, rest = name.partition(":")
    first, _, second = rest.partition(":")
    if source == "py":
        return _python(first, second)
    if source == "botocore":
        return _botocore(first, second)
    raise ValueError(f"unknown reference {name!r} (py:module:attr or botocore:service:Shape)")


def versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for package in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            out[package] = importlib.metadata.version(package)
    if "botocore" in out:
        with contextlib.suppress(KeyError):
            out["bedrock-runtime"] = _service("bedrock-runtime")["metadata"]["apiVersion"]
    return out


def main() -> int:
    names: list[str] = json.load(sys.stdin)
    schemas: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in names:
        try:
            schemas[name] = dump(name)
        except Exception as exc:  # a type the pinned version no longer has: reported, not fatal
            errors[name] = f"{type(exc).__name__}: {exc}"
    json.dump({"versions": versions(), "schemas": schemas, "errors": errors}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
