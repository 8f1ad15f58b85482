"""Tools, independent of any protocol.

A tool comes from a pydantic model (its fields are the parameters), a typed Python function
(parameters from its type hints, descriptions from its docstring) or a raw JSON Schema; it
becomes a `Tool`: name, description and a JSON Schema object of parameters. Each protocol's
spec says how a `Tool` and a tool choice are written on its wire, and which dialect of JSON
Schema it takes (`schema_for`). pydantic and docstring-parser are imported here, when a tool
is made, not by `import modelwire`.
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard, Union, cast

from ._conversation import is_array, is_mapping, json_ready
from ._errors import ConfigurationError

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "CHOICE_MODES",
    "Tool",
    "ToolChoice",
    "ToolChoiceInput",
    "ToolInput",
    "choice_from",
    "is_model_class",
    "model_schema",
    "schema_for",
    "tool_from",
    "tools_from",
]

CHOICE_MODES = ("auto", "none", "required")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$")

# what a tool may be given as: a Tool, a pydantic model class, a typed function, or a JSON
# Schema tool definition (a mapping)
ToolInput: TypeAlias = Union["Tool", "type[BaseModel]", Callable[..., object], Mapping[str, object]]
# a tool choice: a mode ("auto", "none", "required"), a tool's name, or the tool itself
ToolChoiceInput: TypeAlias = str | ToolInput


def _is_dict(value: object) -> TypeGuard[dict[object, object]]:
    return isinstance(value, dict)


def _is_list(value: object) -> TypeGuard[list[object]]:
    return isinstance(value, list)


@dataclass(frozen=True, slots=True)
class Tool:
    """A client-side tool: what the model sees. `parameters` is a JSON Schema object."""

    name: str
    description: str | None
    parameters: Mapping[str, object]
    strict: bool | None = None

    def __post_init__(self) -> None:
        # each field is checked: callers (and tool definitions read from JSON) may be untyped
        if not isinstance(self.name, str) or not _NAME.match(self.name):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(
                f"tool name {self.name!r} must start with a letter or underscore and hold only "
                "letters, digits, '_', '.', ':' or '-' (at most 64 characters)"
            )
        if (
            not isinstance(self.parameters, Mapping)  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            or self.parameters.get("type") != "object"
        ):
            raise ConfigurationError(
                f"tool {self.name!r}: parameters must be a JSON Schema with type 'object'"
            )
        json_ready(self.parameters, f"tool {self.name!r}: parameters")
        if self.description is not None and not isinstance(self.description, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(f"tool {self.name!r}: description must be a string")
        if self.strict is not None and not isinstance(self.strict, bool):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(f"tool {self.name!r}: strict must be True, False or None")


@dataclass(frozen=True, slots=True)
class ToolChoice:
    """What the model must do with the tools: a mode, or (`name`) call that one tool."""

    mode: str  # "auto" | "none" | "required" | "tool"
    name: str | None = None


# --- tools from Python objects --------------------------------------------------------------


def is_model_class(obj: object) -> TypeGuard[type[BaseModel]]:
    return isinstance(obj, type) and hasattr(obj, "model_json_schema")


def tool_from(obj: object) -> Tool:
    """A `Tool` from a Tool, a pydantic model class, a typed function, or a JSON Schema tool
    definition ({"name", "description", "parameters"}, or the wrapped form {"type": "function",
    "function": {...}})."""
    if isinstance(obj, Tool):
        return obj
    if is_model_class(obj):
        return Tool(obj.__name__, _doc_summary(obj.__doc__), model_schema(obj))
    if is_mapping(obj):
        spec = obj.get("function", obj) if obj.get("type") == "function" else obj
        if not is_mapping(spec):
            raise ConfigurationError(
                f"a tool's 'function' is a mapping ({{'name': ..., 'parameters': ...}}), "
                f"not {type(spec).__name__}"
            )
        known = ("name", "description", "parameters", "strict", "input_schema")
        unknown = sorted(k if isinstance(k, str) else repr(k) for k in spec if k not in known)
        if "name" not in spec or unknown:
            raise ConfigurationError(
                f"a tool given as a mapping needs 'name' and takes 'description', 'parameters' "
                f"(a JSON Schema object){'; unknown: ' + ', '.join(unknown) if unknown else ''}"
            )
        params: object = spec.get("parameters", spec.get("input_schema"))
        if params is None:
            params = {"type": "object", "properties": {}}
        # the fields as given: Tool checks each one
        return Tool(
            cast(str, spec["name"]),
            cast("str | None", spec.get("description")),
            cast("Mapping[str, object]", params),
            cast("bool | None", spec.get("strict")),
        )
    if callable(obj):
        return _function_tool(obj)
    raise ConfigurationError(
        f"unsupported tool {obj!r}: use a pydantic model class, a typed function, a Tool "
        "or a JSON Schema mapping"
    )


def model_schema(model: type[BaseModel], keep_description: bool = False) -> dict[str, Any]:
    """A pydantic model's JSON Schema without titles (pydantic derives them from the class
    and field names, which the schema already carries); the docstring is a tool's
    description, so it is left out too (`keep_description`: kept)."""
    import pydantic

    try:
        schema = model.model_json_schema()
    except (TypeError, ValueError, pydantic.PydanticUserError) as exc:  # a type JSON lacks
        raise ConfigurationError(f"{model.__name__} has no JSON Schema: {exc}") from None
    if not keep_description:
        schema.pop("description", None)
    _drop_titles(schema)
    return schema


def _drop_titles(node: object) -> None:
    if _is_dict(node):
        node.pop("title", None)
        for key, value in node.items():
            if key in ("properties", "$defs"):  # pydantic writes these as dicts
                for sub in cast("dict[object, object]", value).values():
                    _drop_titles(sub)
            elif key not in ("enum", "const", "default", "examples"):
                _drop_titles(value)
    elif _is_list(node):
        for item in node:
            _drop_titles(item)


def _function_tool(fn: Callable[..., object]) -> Tool:
    import pydantic

    name = getattr(fn, "__name__", None)
    if not name or name == "<lambda>":
        raise ConfigurationError(f"a tool function needs a name, got {fn!r}")
    summary, arg_docs = _parse_docstring(inspect.getdoc(fn))
    try:
        hints = inspect.get_annotations(fn, eval_str=True)
        parameters = inspect.signature(fn).parameters.values()
    except Exception as exc:  # an unresolvable annotation; a callable without a signature
        raise ConfigurationError(f"tool {name}: cannot read its signature ({exc})") from None
    fields: dict[str, Any] = {}
    for param in parameters:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ConfigurationError(f"tool {name}: *args and **kwargs cannot be tool parameters")
        if param.name not in hints:
            raise ConfigurationError(
                f"tool {name}: parameter {param.name!r} has no type hint (every parameter "
                "needs one: it becomes the parameter's JSON Schema)"
            )
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (
            hints[param.name],
            pydantic.Field(default, description=arg_docs.get(param.name)),
        )
    try:
        model = pydantic.create_model(name, **fields)
    except (TypeError, ValueError, pydantic.PydanticUserError) as exc:
        raise ConfigurationError(f"tool {name}: {exc}") from None
    return Tool(name, summary, model_schema(model))


def _doc_summary(doc: str | None) -> str | None:
    return _parse_docstring(inspect.cleandoc(doc) if doc else None)[0]


def _parse_docstring(doc: str | None) -> tuple[str | None, dict[str, str]]:
    """(description, {parameter: description}) of a docstring in Google, NumPy, Sphinx (reST)
    or Epydoc style: the text before its sections, then its parameter entries, each on one
    line (a model reads no layout). docstring-parser guesses the style (the one that finds
    the most); it is imported here, so only turning a function into a tool pays for it."""
    if not doc:
        return None, {}
    import docstring_parser

    try:
        parsed = docstring_parser.parse(doc)
    except docstring_parser.ParseError:  # a malformed section: the whole text describes it
        return doc.strip() or None, {}
    args = {p.arg_name: " ".join(p.description.split()) for p in parsed.params if p.description}
    return (parsed.description or "").strip() or None, args


def tools_from(values: Iterable[object] | None) -> list[Tool]:
    """The call's tools, each checked; names must be unique."""
    if values is None:
        return []
    if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
        raise ConfigurationError(f"tools must be a list, got {values!r}")
    tools = [tool_from(v) for v in values]
    names = [t.name for t in tools]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigurationError(f"tool names must be unique; repeated: {', '.join(dupes)}")
    return tools


def choice_from(value: object, tools: list[Tool]) -> ToolChoice | None:
    """The tool choice: "auto", "none", "required", a tool's name, or the tool object itself."""
    if value is None:
        return None
    names = [t.name for t in tools]
    if not tools:
        raise ConfigurationError("tool_choice is set but no tools are given (tools=[...])")
    if isinstance(value, str) and value in CHOICE_MODES:
        return ToolChoice(value)
    name: object = value if isinstance(value, str) else None
    if name is None and not is_mapping(value):
        try:
            name = tool_from(value).name
        except ConfigurationError:
            name = None
    if name is None and is_mapping(value):  # {"type": "function", "function": {...}}
        function = value.get("function")
        inner = function.get("name") if is_mapping(function) else None
        name = inner or value.get("name")
    if name not in names:
        raise ConfigurationError(
            f"tool_choice={value!r} is not accepted; allowed: {', '.join(CHOICE_MODES)}, "
            f"or one of the tools: {', '.join(names)}"
        )
    return ToolChoice("tool", cast(str, name))  # equal to one of the tools' names


# --- structured output ----------------------------------------------------------------------


# JSON Schema dialects a protocol may ask for (its spec's `schema:`)


def schema_for(schema: Mapping[str, object], dialect: str) -> dict[str, Any]:
    """`schema` written in `dialect`:
    - `json_schema`: as is;
    - `closed`: every object says `additionalProperties: false`;
    - `strict`: closed, and every property required (strict mode; a property that
      had a default stays optional by also accepting null), `default`s removed.
    """
    out = copy.deepcopy(dict(schema))
    if dialect == "json_schema":
        return out
    _walk(out, dialect == "strict")
    return out


def _walk(node: object, strict: bool) -> None:
    if _is_list(node):
        for item in node:
            _walk(item, strict)
        return
    if not _is_dict(node):
        return
    if node.get("type") == "object" or "properties" in node:
        props = node.get("properties") or dict[object, object]()
        required = node.get("required") or list[object]()
        if not _is_dict(props) or not is_array(required):
            raise ConfigurationError(
                "a JSON Schema object's 'properties' is a mapping and its 'required' a list "
                f"of names, not {props!r:.60} and {required!r:.60}"
            )
        node.setdefault("additionalProperties", False)
        if strict:
            names = {r for r in required if isinstance(r, str)}
            for key, prop in props.items():
                if key not in names and _is_dict(prop):
                    _nullable(prop)
            node["required"] = list(props)
    if strict:
        node.pop("default", None)
    for key, value in node.items():
        if key in ("properties", "$defs", "definitions") and _is_dict(value):
            for sub in value.values():
                _walk(sub, strict)
        elif (_is_dict(value) or _is_list(value)) and key not in ("enum", "const", "required"):
            _walk(value, strict)


def _nullable(prop: dict[object, object]) -> None:
    """Let an optional property also be null (strict mode requires every property)."""
    options = prop.get("anyOf")
    if _is_list(options):
        if not any(o.get("type") == "null" for o in options if _is_dict(o)):
            options.append({"type": "null"})
        return
    kind = prop.get("type")
    if isinstance(kind, str) and kind != "null":
        prop["type"] = [kind, "null"]
    elif "$ref" in prop:
        ref = prop.pop("$ref")
        prop["anyOf"] = [{"$ref": ref}, {"type": "null"}]
