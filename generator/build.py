"""The compiler pipeline: load -> check (generator/checks/, every spec kind) -> lower ->
render -> format.

`compile_specs(root)` returns every output file (relative path -> text) without touching
`generated/`; `__main__` writes them or, with --check, compares them.
"""

from __future__ import annotations

import ast
import json
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import jinja2

from .checks.catalog import lint_catalog
from .checks.grammar import validate
from .checks.protocol import check_protocols, check_shapes
from .checks.provider import check_providers
from .checks.specs import Specs
from .checks.tables import check_tables
from .checks.wire import check_wires
from .errors import SpecError, SpecErrors
from .lower import AdapterIR, EnvelopeIR, EnvelopeLowering, Lowering
from .source import Source, load
from .spec import SPEC_KINDS
from .tables import ErrorTables
from .wire import WireSchema, typed_wire_models

if TYPE_CHECKING:
    from datamodel_code_generator import InputFileType, PythonVersion
    from datamodel_code_generator.enums import DataModelType
    from datamodel_code_generator.format import Formatter

TEMPLATES = Path(__file__).parent / "templates"
GENERATED = "generated"
SCHEMA_DIR = "specs/schema"


def load_specs(root: Path) -> Specs:
    """The specs, checked; every error found raised together (SpecErrors)."""
    specs, errors = check_specs(root)
    if errors:
        raise SpecErrors(errors)
    return specs


# the spec kinds validated against the grammar, in the order they are checked, and their folder
FOLDERS = (
    ("tables", "tables"),
    ("protocol", "protocols"),
    ("provider", "providers"),
    ("catalog", "models"),
)


def check_specs(root: Path) -> tuple[Specs, list[SpecError]]:
    """The specs that load and validate, and every error found in them, by the checker of
    each kind (generator/checks/). A file that does not parse or fit the grammar is left out
    of the checks across files, and a reference to it is not reported as unknown (its own
    errors say what is wrong)."""
    specs = Specs()
    errors: list[SpecError] = []
    wires = _load_folder(root, specs, errors, "wire", "wire", "*.schema.yaml")
    errors += check_wires(specs, wires)
    loaded = {kind: _validated(root, specs, errors, kind, folder) for kind, folder in FOLDERS}
    errors += check_tables(specs, loaded["tables"], loaded["protocol"])
    errors += check_protocols(specs, loaded["protocol"])
    errors += check_providers(specs, loaded["provider"])
    specs.catalogs = loaded["catalog"]
    errors += lint_catalog(specs)
    return specs, errors


def _load_folder(
    root: Path, specs: Specs, errors: list[SpecError], kind: str, folder: str, pattern: str
) -> list[Source]:
    """The YAML files of one spec folder, loaded; one that does not load is recorded broken."""
    out: list[Source] = []
    for path in sorted((root / "specs" / folder).glob(pattern)):
        specs.mtimes[path.relative_to(root).as_posix()] = path.stat().st_mtime
        try:
            out.append(load(path, root))
        except SpecError as exc:
            errors.append(exc)
            specs.broken.setdefault(kind, set()).add(path.name if kind == "wire" else path.stem)
    return out


def _validated(
    root: Path, specs: Specs, errors: list[SpecError], kind: str, folder: str
) -> list[tuple[Any, Source]]:
    """The files of one spec kind that fit its grammar (an unknown key left out), each with
    its source; one that does not fit is recorded broken."""
    out: list[tuple[Any, Source]] = []
    for src in _load_folder(root, specs, errors, kind, folder, "*.yaml"):
        spec, problems = validate(SPEC_KINDS[kind], src)
        errors.extend(problems)
        if spec is None:
            specs.broken.setdefault(kind, set()).add(Path(src.path).stem)
        else:
            out.append((spec, src))
    return out


# --- rendering -------------------------------------------------------------------------------


def _pyrepr(value: Any) -> str:
    if isinstance(value, dict):
        mapping = cast("dict[Any, Any]", value)  # a dict: its keys and values are anything
        return "{" + ", ".join(f"{_pyrepr(k)}: {_pyrepr(v)}" for k, v in mapping.items()) + "}"
    if isinstance(value, tuple):
        return _pytuple(value)
    if isinstance(value, list):
        items = cast("list[Any]", value)  # a list: its items are anything
        return "[" + ", ".join(map(_pyrepr, items)) + "]"
    return repr(value)


def _pytuple(values: Any) -> str:
    items = [_pyrepr(v) for v in values]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


class _Filtered(Protocol):
    """A jinja2 Environment's filters, typed (jinja2 leaves them to inference from its defaults,
    some of which are untyped)."""

    filters: dict[str, Callable[..., Any]]


def _filters(env: _Filtered) -> dict[str, Callable[..., Any]]:
    return env.filters


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    filters = _filters(env)
    filters["pyrepr"] = _pyrepr
    filters["pytuple"] = _pytuple
    filters["tojson"] = json.dumps
    return env


class _CodeGenerator(Protocol):
    """What wire_models calls of the datamodel_code_generator module. Its own `generate` types
    `**options` with `typing.Unpack`, which pyright's Python 3.10 target lacks (so Unknown)."""

    def generate(
        self,
        input_: str,
        *,
        input_file_type: InputFileType,
        input_filename: str,
        output: Path,
        output_model_type: DataModelType,
        target_python_version: PythonVersion,
        use_standard_collections: bool,
        use_union_operator: bool,
        disable_timestamp: bool,
        allow_extra_fields: bool,
        collapse_root_models: bool,
        use_schema_description: bool,
        custom_file_header: str,
        formatters: list[Formatter],
    ) -> object: ...


def _code_generator(module: _CodeGenerator) -> _CodeGenerator:
    return module


def wire_models(wire: WireSchema) -> str:
    """datamodel-code-generator's pydantic models for one wire schema (extra fields allowed),
    their declarations made explicit for type checkers (see `typed_wire_models`)."""
    import datamodel_code_generator
    from datamodel_code_generator import InputFileType, PythonVersion
    from datamodel_code_generator.enums import DataModelType

    text = json.dumps(wire.source.data)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "wire.py"
        _code_generator(datamodel_code_generator).generate(
            text,
            input_file_type=InputFileType.JsonSchema,
            input_filename=Path(wire.source.path).name,
            output=out,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_310,
            use_standard_collections=True,
            use_union_operator=True,
            disable_timestamp=True,
            allow_extra_fields=True,
            collapse_root_models=True,
            use_schema_description=True,
            custom_file_header="",
            formatters=[],
        )
        body = typed_wire_models(out.read_text(), wire)
    wire.aliases = _aliases(body)
    return body


def _aliases(code: str) -> dict[str, dict[str, str]]:
    """class -> {json name: attribute} for fields datamodel-code-generator renamed."""
    out: dict[str, dict[str, str]] = {}
    for node in ast.parse(code).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.keyword) and sub.arg == "alias":
                    alias = ast.literal_eval(sub.value)
                    out.setdefault(node.name, {})[alias] = stmt.target.id
    return out


def compile_specs(root: Path) -> dict[str, str]:
    """Every output file, relative path -> text (before formatting). Every spec is checked
    (generator/checks/) before any is lowered; every error found is raised together
    (SpecErrors) before anything is rendered."""
    specs, errors = check_specs(root)
    shapes = check_shapes(specs)
    errors += [e for found in shapes.values() for e in found]
    adapters = _lower_protocols(specs, {n for n, found in shapes.items() if not found}, errors)
    if errors:
        raise SpecErrors(errors)
    env = environment()

    def render(template: str, source: str, **ctx: Any) -> str:
        return env.get_template(template).render(source=source, **ctx)

    files = _packages(render)
    for name, (wire, body, ir) in adapters.items():
        files[f"{GENERATED}/wire/{name}.py"] = render("wire.py.jinja", wire.source.path, body=body)
        template = "envelope.py.jinja" if isinstance(ir, EnvelopeIR) else "adapter.py.jinja"
        files[f"{GENERATED}/adapters/{name}.py"] = render(template, ir.spec_file, ir=ir)
    files.update(_catalog_files(specs, render))
    return files


Render = Callable[..., str]


def _packages(render: Render) -> dict[str, str]:
    """The generated packages' `__init__` modules."""
    return {
        f"{GENERATED}/__init__.py": render(
            "package_init.py.jinja", "specs/", doc="Code compiled from specs/ by generator/."
        ),
        f"{GENERATED}/wire/__init__.py": render(
            "package_init.py.jinja", "specs/wire/", doc="Wire models, one module per protocol."
        ),
        f"{GENERATED}/adapters/__init__.py": render(
            "package_init.py.jinja", "specs/protocols/", doc="Adapters, one module per protocol."
        ),
    }


def _lower_protocols(
    specs: Specs, valid: set[str], errors: list[SpecError]
) -> dict[str, tuple[WireSchema, str, AdapterIR | EnvelopeIR]]:
    """Each protocol whose shape checked out, lowered (name -> its wire schema and adapter
    form, with the wire models' text, whose renamed fields the lowering reads); the errors
    the lowering finds (paths against the wire schema) are added to
    `errors`, and a protocol with any is left out."""
    out: dict[str, tuple[WireSchema, str, AdapterIR | EnvelopeIR]] = {}
    broken = specs.broken.get("protocol", set())
    for name, (spec, src) in sorted(specs.protocols.items()):
        inner = [specs.protocols.get(d.protocol) for d in spec.dialects]
        if (
            name not in valid
            or any(d.protocol in broken for d in spec.dialects)
            or any(i is not None and i[0].wire not in specs.wires for i in inner)
        ):
            continue  # what it depends on is already reported
        wire = specs.wires[spec.wire]
        body = wire_models(wire)
        tables = specs.error_tables.get(name, ErrorTables())
        additions = specs.additions(name)
        lowering = (
            EnvelopeLowering(spec, src, wire, tables, specs.protocols, specs.wires, additions)
            if spec.dialects
            else Lowering(spec, src, wire, tables, additions)
        )
        try:
            ir: AdapterIR | EnvelopeIR = (
                lowering.lower_envelope(name)
                if isinstance(lowering, EnvelopeLowering)
                else lowering.lower(name)
            )
        except SpecError as exc:
            errors.extend([*lowering.errors, exc])
            continue
        if lowering.errors:  # paths that do not exist, each reported where it is
            errors.extend(lowering.errors)
            continue
        out[name] = (wire, body, ir)
    return out


def _catalog_files(specs: Specs, render: Render) -> dict[str, str]:
    """The providers' table, the model constants and the spec kinds' JSON Schemas."""
    files: dict[str, str] = {}
    providers = [spec for spec, _ in sorted(specs.providers.values(), key=lambda t: t[0].provider)]
    files[f"{GENERATED}/providers.py"] = render(
        "providers.py.jinja",
        "specs/providers/",
        providers=providers,
        protocol_kinds={n: s.kind for n, (s, _) in specs.protocols.items()},
    )
    files[f"{GENERATED}/batches.py"] = render(
        "batches.py.jinja", "specs/providers/", providers=providers
    )
    models = [m for catalog, _ in specs.catalogs for m in catalog.models]
    files[f"{GENERATED}/models.py"] = render("models.py.jinja", "specs/models/", models=models)
    for kind, model in SPEC_KINDS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = f"modelwire {kind} spec"
        files[f"{SCHEMA_DIR}/{kind}.schema.json"] = (
            json.dumps(schema, indent=2, sort_keys=True) + "\n"
        )
    return files


def format_files(files: dict[str, str], root: Path) -> dict[str, str]:
    """ruff format (and import sorting) of the Python outputs, in one ruff run."""
    from ruff.__main__ import find_ruff_bin  # pyright: ignore[reportMissingTypeStubs]  # ruff ships no py.typed; its find_ruff_bin() -> str is annotated

    ruff = find_ruff_bin()
    config = str(root / "pyproject.toml")
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in files.items():
            p = Path(tmp) / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        py = [str(Path(tmp) / rel) for rel in files if rel.endswith(".py")]
        for cmd in (
            [ruff, "check", "--config", config, "--select", "I", "--fix", "--quiet", *py],
            [ruff, "format", "--config", config, *py],
        ):
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode not in (0, 1) or (cmd[1] == "format" and proc.returncode):
                raise RuntimeError(f"ruff failed on generated code:\n{proc.stdout}{proc.stderr}")
        return {rel: (Path(tmp) / rel).read_text(encoding="utf-8") for rel in files}
