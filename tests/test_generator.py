"""The generator: deterministic output, `file:line` errors for bad specs, and the two edits
users make (change a price, add a model) working end to end in a temporary copy of specs/."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from generator.__main__ import run
from generator.build import compile_specs, format_files
from generator.errors import SpecErrors
from modelwire import AIModelAPI, AIModelAPIProviderEnum, AIModelClient, AIModelEndpoint
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compiled() -> dict[str, str]:
    return format_files(compile_specs(ROOT), ROOT)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what the generator reads: specs/ and pyproject.toml (for ruff)."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def edit(tree: Path, rel: str, old: str, new: str) -> int:
    """Replace `old` (once) in a spec file; returns the 1-based line where it started."""
    path = tree / rel
    text = path.read_text()
    assert text.count(old) >= 1, f"{old!r} not in {rel}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1))
    return line


def errors_of(tree: Path) -> list[str]:
    with pytest.raises(SpecErrors) as info:
        compile_specs(tree)
    return [str(e) for e in info.value.errors]


def test_committed_output_is_what_the_specs_produce(compiled: dict[str, str]) -> None:
    for rel, text in compiled.items():
        assert (ROOT / rel).read_text() == text, f"{rel} is stale: run python tasks.py generate"


def test_generation_is_byte_identical(compiled: dict[str, str]) -> None:
    assert format_files(compile_specs(ROOT), ROOT) == compiled


def test_every_generated_file_starts_with_the_fixed_header(compiled: dict[str, str]) -> None:
    for rel, text in compiled.items():
        if rel.endswith(".py"):
            first = text.splitlines()[0]
            assert first.startswith("# generated from specs/"), rel
            assert first.endswith("— do not edit; run `python tasks.py generate`"), rel


def test_json_schemas_of_the_spec_kinds_are_emitted(compiled: dict[str, str]) -> None:
    for kind in ("protocol", "provider", "catalog", "tables"):
        assert f"specs/schema/{kind}.schema.json" in compiled


NEW_MODEL = """
  - constant: GPT4oTest
    name: gpt-4o-test
    display_name: GPT-4o (test entry)
    creator: openai
    ids: {openai: gpt-4o-test-2026}
    context_window: 128000
    max_output_tokens: 4096
    capabilities: [text_input, text_output, streaming]
    pricing: {input: 1.0, output: 2.0, source: "https://example.com/pricing", checked: 2026-11-24}
"""


# --- bad specs fail with file:line ----------------------------------------------------------

PROTOCOL = "specs/protocols/openai_chat.yaml"
CATALOG = "specs/models/openai.yaml"


def test_unknown_key(tree: Path) -> None:
    line = edit(tree, PROTOCOL, "  usage_update: replace", "  usage_updates: replace")
    message = "unknown key 'usage_updates'; did you mean 'usage_update'?"
    assert errors_of(tree) == [f"{PROTOCOL}:{line}: {message}"]


def test_response_path_that_does_not_exist_in_the_wire_schema(tree: Path) -> None:
    line = edit(tree, PROTOCOL, "{kind: text, text: content}", "{kind: text, text: contnet}")
    errs = errors_of(tree)
    # a shared content rule is read in the response's message and in each chunk's delta
    assert len(errs) == 2, errs
    assert all(e.startswith(f"{PROTOCOL}:{line}: 'contnet'") for e in errs), errs
    for where in ("'message.contnet') does not exist in ResponseMessage", "in Delta"):
        assert any(where in e and "did you mean 'content'?" in e for e in errs), errs


def test_usage_path_of_the_wrong_type(tree: Path) -> None:
    line = edit(
        tree, PROTOCOL, "prompt_tokens: prompt_tokens", "prompt_tokens: prompt_tokens_details"
    )
    errs = errors_of(tree)
    assert errs and errs[0].startswith(f"{PROTOCOL}:{line}:"), errs
    assert "expected integer" in errs[0]


ANTHROPIC = "specs/protocols/anthropic_messages.yaml"


def test_one_of_alternative_without_when(tree: Path) -> None:
    line = edit(
        tree,
        ANTHROPIC,
        "- {$when: reasoning_adaptive, type: adaptive}",
        "- {type: adaptive}",
    )
    errs = errors_of(tree)
    assert errs == [f"{ANTHROPIC}:{line}: each `$one_of` alternative needs a `$when`"], errs


BEDROCK = "specs/protocols/bedrock_converse.yaml"


def test_overridable_names_a_field_the_body_builds(tree: Path) -> None:
    line = edit(tree, BEDROCK, "overridable: [system]", "overridable: [system, cachePoint]")
    errs = errors_of(tree)
    assert errs and errs[0].startswith(
        f"{BEDROCK}:{line}: 'cachePoint' is not a field the body template builds"
    ), errs


def test_adapters_list_the_fields_the_body_template_builds() -> None:
    from modelwire.generated.adapters import bedrock_converse, gemini_generate_content

    gemini = gemini_generate_content
    assert {"contents", "generationConfig.maxOutputTokens", "toolConfig"} <= gemini.BODY_FIELDS
    # objects spelled out key by key: options merge into them
    assert {
        "generationConfig",
        "generationConfig.thinkingConfig",
        "systemInstruction",
    } == gemini.BODY_OBJECTS
    assert not gemini.BODY_FIELDS & gemini.BODY_OBJECTS
    assert {"system"} == bedrock_converse.OVERRIDABLE


def test_continuing_delta_needs_a_key(tree: Path) -> None:
    line = edit(tree, ANTHROPIC, "key: index, continues: true", "continues: true")
    errs = errors_of(tree)
    assert errs and errs[0].startswith(f"{ANTHROPIC}:{line}: `continues` needs a `key`"), errs


def test_redacted_rule_needs_a_signature(tree: Path) -> None:
    line = edit(
        tree,
        ANTHROPIC,
        "kind: reasoning, redacted: true, signature: data}",
        "kind: reasoning, redacted: true, text: data}",
    )
    errs = errors_of(tree)
    assert errs and errs[0].startswith(f"{ANTHROPIC}:{line}: `redacted` applies"), errs


def test_refusal_rule_takes_only_text(tree: Path) -> None:
    rel = "specs/protocols/openai_chat.yaml"
    line = edit(tree, rel, "{kind: refusal, text: refusal}", "{kind: refusal, signature: refusal}")
    errs = errors_of(tree)
    assert errs and errs[0].startswith(f"{rel}:{line}: `signature` does not apply to refusal"), errs


INVOKE = "specs/protocols/bedrock_invoke.yaml"
TITAN = "specs/protocols/amazon_titan_text.yaml"
BEDROCK_PROVIDER = "specs/providers/amazon_bedrock.yaml"


def _error_at(tree: Path, rel: str, line: int, message: str) -> None:
    errs = errors_of(tree)
    assert any(e.startswith(f"{rel}:{line}:") and message in e for e in errs), errs


# (file, text, its replacement, text on the line the error is at (at or after the edit), part
# of the message)
DIALECT_CHECKS = [
    # a dialect names a protocol spec, matched by a valid regular expression, and sets body
    # keys its request schema has (null only for a key its template builds)
    (
        INVOKE,
        "- protocol: meta_llama",
        "- protocol: meta_llamas",
        "meta_llamas",
        "unknown protocol",
    ),
    (INVOKE, '"(^|\\\\.)meta', '"((^|\\\\.)meta', "((^", "bad regex"),
    (INVOKE, "{schemaVersion:", "{schemaVersions:", "schemaVersions", "'schemaVersions'"),
    (INVOKE, "version: bedrock-2023-05-31", "version: null", "version: null", "null removes a key"),
    (
        INVOKE,
        'titan-t"\n',
        'titan-t"\n    structured_output: tool\n',
        "output: tool",
        "no forced tool",
    ),
    # an envelope's event rule takes `when` and `error` or `payload`, nothing else
    (
        INVOKE,
        "payload: chunk.bytes",
        "payload: chunk.bytes\n      usage: chunk",
        "usage: chunk",
        "does not apply here",
    ),
    (INVOKE, "payload: chunk.bytes", "payload: chunk.bytes_x", "bytes_x", "'bytes_x'"),
    (
        INVOKE,
        "\nusage:\n",
        "\nfinish_reasons: {x: other}\nusage:\n",
        "finish_reasons",
        "with `dialects`",
    ),
    # a protocol without dialects neither wraps events nor leaves out how usage updates
    (
        TITAN,
        "    - usage: .",
        "    - payload: outputText\n      usage: .",
        "payload:",
        "with `dialects`",
    ),
    (TITAN, "  usage_update: merge", "  json_array: false", "stream:", "key 'usage_update'"),
    # the prompt's turn writes {role} and {text} only; usage_of names a wire $def; a summed
    # item is an integer
    (TITAN, "{role}: {text}", "{role}: {txt}", "{txt}", "`{role}` and `{text}` only"),
    (TITAN, "  TitanChunk:\n", "  TitanChunks:\n", "TitanChunks", "is not defined"),
    (TITAN, "item: tokenCount", "item: outputText", "item: outputText", "expected integer"),
    # a provider serves no dialect-only protocol, and its for_models match by regex
    (
        BEDROCK_PROVIDER,
        "  bedrock_invoke:\n",
        "  meta_llama: {path: /x}\n  bedrock_invoke:\n",
        "meta_llama",
        "no stream framing",
    ),
    (BEDROCK_PROVIDER, '{ids: "^openai', '{ids: "(^openai', "(^openai", "bad regex"),
]


@pytest.mark.parametrize(("rel", "old", "new", "at", "message"), DIALECT_CHECKS)
def test_dialects_prompts_and_model_variants_fail_at_their_line(
    tree: Path, rel: str, old: str, new: str, at: str, message: str
) -> None:
    edit(tree, rel, old, new)
    text = (tree / rel).read_text()
    line = text[: text.index(at, max(0, text.index(new) - 40))].count("\n") + 1  # near the edit
    _error_at(tree, rel, line, message)


def test_a_protocol_without_dialects_needs_a_request(tree: Path) -> None:
    text = (tree / TITAN).read_text()
    start, end = text.index("request:\n"), text.index("# the whole answer")
    (tree / TITAN).write_text(text[:start] + text[end:])
    errs = errors_of(tree)
    assert any(e.startswith(f"{TITAN}:") and "missing required key 'request'" in e for e in errs), (
        errs
    )


BEDROCK_MODELS = "specs/models/bedrock.yaml"


def test_a_secondary_source_names_figures_the_price_has(tree: Path) -> None:
    rel = "specs/models/anthropic.yaml"
    line = edit(tree, rel, "fields: [cached_input]}", "fields: [reasoning]}")
    errs = errors_of(tree)
    assert f"{rel}:{line}: reasoning is not in this price table" in errs, errs


def test_prices_all_from_a_dataset_cite_the_dataset(tree: Path) -> None:
    old = 'source: &aws_dataset "https://github.com/pydantic/genai-prices/blob/'
    line = edit(tree, BEDROCK_MODELS, old, 'source: &aws_dataset "https://aws.amazon.com/x/')
    errs = errors_of(tree)
    assert any(
        e.startswith(f"{BEDROCK_MODELS}:{line}: every figure is from pydantic/genai-prices")
        for e in errs
    ), errs


# --- every error in one run, did you mean, duplicates ----------------------------------------


def test_independent_errors_are_all_reported_in_one_run_sorted(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a wire field renamed (two paths of openai_chat now dangle), an unknown key in another
    # protocol, an unknown provider in a catalog: all reported at once, by file and line
    wire = tree / "specs/wire/openai_chat.schema.yaml"
    renamed = wire.read_text().replace("      prompt_tokens: {", "      input_tokens: {")
    wire.write_text(renamed.replace("      prompt_tokens_details:", "      input_tokens_details:"))
    key = edit(tree, ANTHROPIC, "  usage_update: merge", "  usage_updat: merge")
    provider = edit(tree, CATALOG, "ids: {openai: gpt-4o}", "ids: {openia: gpt-4o}")
    text = (tree / PROTOCOL).read_text().splitlines()
    dangling = [i + 1 for i, t in enumerate(text) if t.startswith("  ") and "prompt_tokens" in t]
    errs = errors_of(tree)
    assert errs == sorted(errs, key=lambda e: (e.split(":")[0], int(e.split(":")[1])))
    assert [e.split(": ")[0] for e in errs] == [
        f"{CATALOG}:{provider}",
        f"{ANTHROPIC}:{key}",
        *(f"{PROTOCOL}:{line}" for line in dangling),
    ], errs
    assert "unknown provider 'openia'; did you mean 'openai'?" in errs[0]
    assert "unknown key 'usage_updat'; did you mean 'usage_update'?" in errs[1]
    assert all("prompt_tokens" in e and "; did you mean '" in e for e in errs[2:]), errs
    assert len(dangling) >= 2
    # the command line prints each as file:line: message, then fails
    assert run(tree, check=True) == 2
    out = capsys.readouterr().err.splitlines()
    assert out == [*errs, f"generate: {len(errs)} spec error(s)"]


def test_several_errors_in_one_protocol_file_are_all_reported_in_one_run(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # in openai_chat alone: a rule that does not apply to its kind, an unknown template
    # variable, a dangling response path, an unknown key and a path of the wrong type in a
    # stream event — independent mistakes that used to surface one run at a time; with them a
    # provider file and a catalog file in error: one run reports all seven, sorted
    whole = edit(
        tree,
        PROTOCOL,
        "  - {kind: text, text: content}",
        "  - {kind: text, text: content, whole: true}",
    )
    variable = edit(tree, PROTOCOL, "    seed: $seed", "    seed: $sed")
    model = edit(tree, PROTOCOL, "  model: model\n  usage: usage", "  model: modle\n  usage: usage")
    key = (
        edit(tree, PROTOCOL, "  usage_update: replace", "  usage_update: replace\n  colour: red")
        + 1
    )
    event_id = edit(tree, PROTOCOL, "    - id: id", "    - id: created")
    provider = (
        edit(
            tree, "specs/providers/deepseek.yaml", "enum: DEEPSEEK", "enum: DEEPSEEK\nbase_urll: x"
        )
        + 1
    )
    catalog = edit(tree, CATALOG, "ids: {openai: gpt-4o}", "ids: {openia: gpt-4o}")
    errs = errors_of(tree)
    expected = [
        (CATALOG, catalog, "unknown provider 'openia'; did you mean 'openai'?"),
        (PROTOCOL, variable, "unknown variable '$sed'"),
        (PROTOCOL, whole, "`whole` applies to tool_call rules without a `key`"),
        (PROTOCOL, model, "'modle' (in path 'modle') does not exist in ChatCompletion"),
        (PROTOCOL, key, "unknown key 'colour'"),
        (PROTOCOL, event_id, "'created' is integer in the wire schema, expected string"),
        ("specs/providers/deepseek.yaml", provider, "unknown key 'base_urll'"),
    ]
    assert [e.split(": ", 1)[0] for e in errs] == [f"{f}:{n}" for f, n, _ in expected], errs
    for err, (_, _, message) in zip(errs, expected, strict=True):
        assert message in err, (message, err)
    assert run(tree, check=True) == 2
    assert capsys.readouterr().err.splitlines() == [*errs, f"generate: {len(errs)} spec error(s)"]


def test_a_misspelt_key_is_checked_as_the_key_it_is_close_to(tree: Path) -> None:
    # `usage_updat` is reported, and the stream is checked as if it said `usage_update`: no
    # "missing required key" follows from it, and a dangling path elsewhere is still found
    key = edit(tree, PROTOCOL, "  usage_update: replace", "  usage_updat: replace")
    path = edit(tree, PROTOCOL, "  model: model\n  usage: usage", "  model: modle\n  usage: usage")
    errs = errors_of(tree)
    assert [e.split(": ", 1)[0] for e in errs] == [f"{PROTOCOL}:{path}", f"{PROTOCOL}:{key}"], errs
    assert "unknown key 'usage_updat'; did you mean 'usage_update'?" in errs[1]


def test_an_unknown_part_kind_suggests_the_close_one(tree: Path) -> None:
    line = edit(
        tree, ANTHROPIC, "      tool_call: {type: tool_use", "      tool_cal: {type: tool_use"
    )
    errs = errors_of(tree)
    assert len(errs) == 1 and errs[0].startswith(f"{ANTHROPIC}:{line}:"), errs
    assert errs[0].endswith("; did you mean 'tool_call'?"), errs


def test_a_model_name_given_twice_on_one_provider(tree: Path) -> None:
    text = (tree / CATALOG).read_text()
    first = text.splitlines().index("    name: gpt-4o") + 1
    line = text.count("\n") + 3  # the appended entry's `name:`, after `constant:`
    (tree / CATALOG).write_text(text + NEW_MODEL.replace("name: gpt-4o-test", "name: gpt-4o"))
    message = f"duplicate model name on openai: 'gpt-4o' (also at {CATALOG}:{first})"
    assert errors_of(tree) == [f"{CATALOG}:{line}: {message}"]


def test_a_duplicate_constant_is_reported_where_it_was_introduced(tree: Path) -> None:
    # anthropic.yaml comes first, but it is the file that changed: the error is there, and
    # names the entry in openai.yaml that was there before
    rel = "specs/models/anthropic.yaml"
    text = (tree / rel).read_text()
    line = text.count("\n") + 2  # the appended entry's `constant:`
    (tree / rel).write_text(text + NEW_MODEL.replace("GPT4oTest", "GPT4o"))
    original = (tree / CATALOG).read_text().splitlines().index("  - constant: GPT4o") + 1
    assert errors_of(tree) == [
        f"{rel}:{line}: duplicate constant GPT4o (also in {CATALOG}:{original})"
    ]


def test_check_mode_lists_stale_files(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tree, check=True) == 1  # the copy has no generated/ yet
    assert "changed: generated/adapters/openai_chat.py" in capsys.readouterr().err
    assert run(tree, check=False) == 0
    assert run(tree, check=True) == 0


# --- the edits users make --------------------------------------------------------------------


def _diff(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_changing_a_price_changes_exactly_that_constant(
    tree: Path, compiled: dict[str, str]
) -> None:
    edit(tree, CATALOG, "output: 10.00, source", "output: 12.00, source")
    after = format_files(compile_specs(tree), tree)
    changed = [rel for rel in compiled if after[rel] != compiled[rel]]
    assert changed == ["generated/models.py"]
    assert _diff(compiled["generated/models.py"], after["generated/models.py"]) == [
        "-        output=10.0,",
        "+        output=12.0,",
    ]


def test_adding_a_model_is_one_yaml_entry(tree: Path, compiled: dict[str, str]) -> None:
    from modelwire import AIModel

    (tree / CATALOG).write_text((tree / CATALOG).read_text() + NEW_MODEL)
    after = format_files(compile_specs(tree), tree)
    assert [rel for rel in compiled if after[rel] != compiled[rel]] == ["generated/models.py"]
    namespace: dict[str, object] = {}
    exec(compile(after["generated/models.py"], "models.py", "exec"), namespace)
    model = namespace["GPT4oTest"]
    assert isinstance(model, AIModel)
    assert model.id_for("openai") == "gpt-4o-test-2026"
    assert model.max_output_tokens == 4096
    assert "GPT4oTest" in namespace["__all__"]  # type: ignore[operator]

    # and it is callable at once, with its own id and prices
    with LoopbackServer() as server:
        server.queue(Reply.json(oa.completion("ok", prompt_tokens=1_000_000, completion_tokens=0)))
        api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key="sk-test", base_url=server.url)
        with AIModelClient(AIModelEndpoint(api, model)) as client:
            response = client.generate(prompt="hi")
        assert server.requests[0].json()["model"] == "gpt-4o-test-2026"
    assert response.chat_response.usage_charge.total == 1.0


# --- the shape of the generated adapters: code a person can step through ----------------------

ADAPTERS = sorted((ROOT / "generated" / "adapters").glob("*.py"))


@pytest.mark.parametrize("path", ADAPTERS, ids=lambda p: p.stem)
def test_generated_adapters_read_like_handwritten_code(path: Path) -> None:
    """Short functions, no dead `if True:` branches, no numbered temporaries (`_v12`,
    `_i3`, `_e7`): each path prefix is a named local, each loop variable named after its
    list. (ruff checks the imports and locals are all used.)"""
    import ast
    import re

    tree = ast.parse(path.read_text(), str(path))
    numbered = re.compile(r"_[vie]\d+$")
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            assert length <= 60, f"{path.name}: {node.name} is {length} lines long"
        if isinstance(node, ast.If):
            test = node.test
            assert not (isinstance(test, ast.Constant) and test.value is True), (
                f"{path.name}:{node.lineno}: `if True:`"
            )
        if isinstance(node, ast.Name):
            assert not numbered.match(node.id), f"{path.name}:{node.lineno}: {node.id}"
        if isinstance(node, ast.arg):
            assert not numbered.match(node.arg), f"{path.name}:{node.lineno}: {node.arg}"


# --- what hosts add to a protocol, folded into its one adapter --------------------------------

CHAT_ADAPTER = "generated/adapters/openai_chat.py"


def test_host_additions_are_folded_into_the_protocols_one_adapter(
    compiled: dict[str, str],
) -> None:
    """openai_chat.yaml names no host; what each host adds (its provider spec's `adds`) is
    read by the one adapter, whichever host answers: hosts relay one another's answers."""
    protocol = (ROOT / PROTOCOL).read_text()
    for host in ("mistral", "openrouter", "groq", "deepseek", "azure", "anthropic"):
        assert host not in protocol.lower(), host
    adapter = compiled[CHAT_ADAPTER]
    # two hosts' places of one reasoning text are one rule, read in the wire schema's order
    assert "first_present(message.reasoning_content, message.reasoning)" in adapter
    assert "first_present(delta.reasoning_content, delta.reasoning)" in adapter
    assert "u.prompt_cache_hit_tokens" in adapter  # DeepSeek's cache count
    assert "x_groq" in adapter  # Groq's stream usage
    assert "reasoning_details" in adapter  # OpenRouter's reasoning blocks
    assert 'content_item_type == "thinking"' in adapter  # Mistral's content parts


def test_a_hosts_additions_leave_with_it(tree: Path, compiled: dict[str, str]) -> None:
    """Deleting a host's `adds` changes only the protocol's adapter, by what it added."""
    deepseek = tree / "specs/providers/deepseek.yaml"
    text = deepseek.read_text()
    start = text.index("    adds:\n")
    end = text.index("  openai_responses:")
    deepseek.write_text(text[:start] + text[end:])
    after = format_files(compile_specs(tree), tree)
    assert [rel for rel in compiled if after[rel] != compiled[rel]] == [CHAT_ADAPTER]
    assert "prompt_cache_hit_tokens" not in after[CHAT_ADAPTER]
    # Hugging Face's router and vLLM still add `reasoning_content`
    assert "first_present(message.reasoning_content, message.reasoning)" in after[CHAT_ADAPTER]


def test_places_of_one_value_are_read_in_the_wire_schemas_order(tree: Path) -> None:
    wire = "specs/wire/openai_chat.schema.yaml"
    text = (tree / wire).read_text()
    block = text[text.index("      reasoning_content:\n") : text.index("      refusal:")]
    first, second = block.split("      reasoning:\n")
    (tree / wire).write_text(text.replace(block, "      reasoning:\n" + second + first, 1))
    adapter = format_files(compile_specs(tree), tree)[CHAT_ADAPTER]
    assert "first_present(message.reasoning, message.reasoning_content)" in adapter
    assert "first_present(delta.reasoning_content, delta.reasoning)" in adapter  # Delta unchanged


def test_a_new_hosts_field_is_yaml_only(tree: Path, compiled: dict[str, str]) -> None:
    """A host that puts its reasoning text in a field of its own: the wire schema lists the
    field, the host's provider spec adds it; no Python."""
    wire = "specs/wire/openai_chat.schema.yaml"
    field = "      thoughts: {type: [string, 'null']}\n"
    text = (tree / wire).read_text()
    text = text.replace(
        '      refusal: {type: [string, "null"]}\n',
        field + '      refusal: {type: [string, "null"]}\n',
    )
    (tree / wire).write_text(text)
    (tree / "specs/providers/examplehost.yaml").write_text(
        "provider: examplehost\nenum: EXAMPLEHOST\ndisplay_name: Example host\n"
        "docs: https://example.com/docs\nbase_url: https://api.example.com/v1\n"
        "auth: {scheme: bearer, env: [EXAMPLEHOST_API_KEY]}\n"
        "serves:\n  openai_chat:\n    path: /chat/completions\n"
        "    adds: {content: [{kind: reasoning, text: thoughts}]}\n"
    )
    adapter = format_files(compile_specs(tree), tree)[CHAT_ADAPTER]
    assert (
        "first_present(message.reasoning_content, message.reasoning, message.thoughts)" in adapter
    )
    # a rule two hosts add alike is read once
    (tree / "specs/providers/examplehost.yaml").write_text(
        (tree / "specs/providers/examplehost.yaml").read_text().replace("thoughts", "reasoning")
    )
    again = format_files(compile_specs(tree), tree)
    assert again[CHAT_ADAPTER] == compiled[CHAT_ADAPTER]


def test_shared_content_rules_are_read_in_the_message_and_the_delta(
    compiled: dict[str, str],
) -> None:
    """One list, two readings: the response's tool calls have no `key` (a stream's do)."""
    adapter = compiled[CHAT_ADAPTER]
    response = adapter[adapter.index("def _response_choice") : adapter.index("def parse_response")]
    stream = adapter[adapter.index("def _choice_delta") :]
    assert "message.tool_calls" in response and "enumerate" not in response
    assert "delta.tool_calls" in stream and "first_present(call.index, position)" in stream


def test_a_table_defined_in_two_files_is_an_error(tree: Path) -> None:
    (tree / "specs/tables/more.yaml").write_text("retry_statuses:\n  transient: [500]\n")
    errs = errors_of(tree)
    assert any(
        e.startswith("specs/tables/more.yaml:2:")
        and "'transient' is defined in specs/tables/errors.yaml too" in e
        for e in errs
    ), errs


def test_shared_tables_resolve_to_the_protocols_own_values() -> None:
    from modelwire.generated.adapters import anthropic_messages, bedrock_converse, bedrock_invoke

    assert 529 in anthropic_messages.RETRY_STATUSES and 409 in anthropic_messages.RETRY_STATUSES
    assert bedrock_converse.ERROR_TYPES["accessDeniedException"] == "permission"
    assert "accessDeniedException" not in bedrock_invoke.ERROR_TYPES
    pattern = bedrock_invoke.CONTEXT_LENGTH_PATTERN
    assert (
        pattern is not None and pattern.pattern == anthropic_messages.CONTEXT_LENGTH_PATTERN.pattern
    )  # type: ignore[union-attr]


def test_every_spec_key_is_named_in_the_spec_language_page() -> None:
    """Each key of the grammar (generator/spec.py) is named, in backticks, in
    docs/spec-language.md."""
    import re

    from generator import spec as grammar

    doc = (ROOT / "docs/spec-language.md").read_text()
    missing = sorted(
        f"{model.__name__}.{key}"
        for model in vars(grammar).values()
        if isinstance(model, type) and issubclass(model, grammar.Strict)
        for name, info in model.model_fields.items()
        for key in [info.alias or name]
        if not re.search(rf"`[^`]*\b{re.escape(key)}\b[^`]*`", doc)
    )
    assert not missing, missing
