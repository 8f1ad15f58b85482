"""`python tasks.py wire-check`: provider drift is found, at the right `specs/...yaml:LINE`.

The comparison runs on a stale copy of a wire schema against a small fixed reference dump
(tests/fixtures/wirecheck/), so these tests need neither `.venv-wirecheck` nor a network. The
real run's report is checked when `python tasks.py test` has just made it (or from the cached
dump in `.venv-wirecheck`), and skipped, saying so, otherwise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import tasks
from devtools.wirecheck import __main__ as cli
from devtools.wirecheck import refvenv
from devtools.wirecheck.compare import ACTIONABLE, INFORMATIONAL, Finding, check_protocol
from devtools.wirecheck.references import PROTOCOLS

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "wirecheck" / "anthropic_messages.reference.json"
WIRE = "specs/wire/anthropic_messages.schema.yaml"
PROTOCOL = "specs/protocols/anthropic_messages.yaml"
FINDING = re.compile(r"^(specs/(?:wire|protocols)/[\w.]+\.yaml):(\d+): \S.*$")


def _copy_specs(tmp: Path) -> Path:
    """The specs the anthropic_messages check reads, copied under `tmp`."""
    for rel in (WIRE, PROTOCOL):
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp / rel)
    if (ROOT / "specs" / "tables").is_dir():
        shutil.copytree(ROOT / "specs" / "tables", tmp / "specs" / "tables")
    return tmp


def _line(text: str, after: str, needle: str) -> int:
    """The 1-based line of the first `needle` line after the line starting with `after`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(after))
    return next(i for i in range(start + 1, len(lines)) if needle in lines[i]) + 1


def _edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path}: the test needs updating"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def _found(findings: list[Finding], path: str, line: int, severity: str, *words: str) -> Finding:
    for f in findings:
        if (f.path, f.line, f.severity) == (path, line, severity) and all(
            w in f.message for w in words
        ):
            return f
    listed = "\n".join(f.render(verbose=True) for f in findings)
    raise AssertionError(f"no {severity} finding at {path}:{line} with {words}; got:\n{listed}")


@pytest.fixture
def reference() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def stale(tmp_path: Path) -> tuple[Path, str]:
    """A copy of specs/ whose anthropic wire schema is out of date with the fixture: a type
    that changed, a field that became nullable, a renamed field, a field left out."""
    root = _copy_specs(tmp_path)
    wire = root / WIRE
    _edit(
        wire, 'output_tokens: {type: [integer, "null"]}', 'output_tokens: {type: [string, "null"]}'
    )
    _edit(
        wire,
        'stop_sequence: {type: [string, "null"]}\n      usage:',
        "stop_sequence: {type: string}\n      usage:",
    )
    _edit(wire, "cache_creation_input_tokens: {type", "cache_creation_tokens: {type")
    text = _edit(wire, '      cache_read_input_tokens: {type: [integer, "null"]}\n', "")
    return root, text


def test_a_stale_wire_schema_reports_the_drift_at_its_lines(
    stale: tuple[Path, str], reference: dict[str, Any]
) -> None:
    root, text = stale
    result = check_protocol("anthropic_messages", root, reference)
    found = result.findings
    retyped = _found(
        found, WIRE, _line(text, "  Usage:", "output_tokens:"), ACTIONABLE, "Usage.output_tokens"
    )
    assert "retyped" in retyped.message and "integer" in retyped.message
    _found(
        found,
        WIRE,
        _line(text, "  Message:", "stop_sequence:"),
        ACTIONABLE,
        "Message.stop_sequence",
        "may be null",
    )
    _found(
        found,
        WIRE,
        _line(text, "  Usage:", "cache_creation_tokens:"),
        ACTIONABLE,
        "Usage.cache_creation_tokens",
        "renamed? it has 'cache_creation_input_tokens'",
    )
    left_out = _found(
        found, WIRE, _line(text, "  Usage:", "properties:"), INFORMATIONAL, "Usage:", "left out"
    )
    assert "cache_read_input_tokens" in left_out.details
    assert "service_tier" in left_out.details  # the provider's field we never had
    assert "cache_read_input_tokens" in left_out.render(verbose=True)
    assert "cache_read_input_tokens" not in left_out.render(verbose=False)


def test_a_value_the_provider_added_is_reported_at_the_table_it_belongs_in(
    stale: tuple[Path, str], reference: dict[str, Any]
) -> None:
    root, _ = stale
    protocol = (root / PROTOCOL).read_text(encoding="utf-8").splitlines()
    finish = next(i for i, line in enumerate(protocol) if line.startswith("finish_reasons:")) + 1
    errors = next(i for i, line in enumerate(protocol) if line.startswith("errors:"))
    types = next(i for i in range(errors, len(protocol)) if "  types:" in protocol[i]) + 1
    found = check_protocol("anthropic_messages", root, reference).findings
    stop = _found(found, PROTOCOL, finish, ACTIONABLE, "'wirecheck_fixture_reason'")
    assert "not mapped in finish_reasons" in stop.message
    assert "x-known-values of Message.stop_reason" in stop.message  # and where to list it
    _found(found, PROTOCOL, types, ACTIONABLE, "error type 'wirecheck_fixture_error'")
    # values the provider and we both have are not reported
    assert not [f for f in found if "'end_turn'" in f.message or "'api_error'" in f.message]


def test_the_fresh_schema_has_none_of_that_drift(tmp_path: Path, reference: dict[str, Any]) -> None:
    root = _copy_specs(tmp_path)
    found = check_protocol("anthropic_messages", root, reference).findings
    assert not [f for f in found if f.message.startswith(("Usage.", "Message.stop_sequence"))]


def test_listing_a_value_in_x_known_values_acknowledges_it(
    stale: tuple[Path, str], reference: dict[str, Any]
) -> None:
    root, _ = stale
    _edit(
        root / WIRE,
        "x-known-values: [end_turn,",
        "x-known-values: [wirecheck_fixture_reason, end_turn,",
    )
    found = check_protocol("anthropic_messages", root, reference).findings
    assert not [f for f in found if "'wirecheck_fixture_reason'" in f.message]


def test_x_extension_marks_a_field_the_provider_does_not_define(
    tmp_path: Path, reference: dict[str, Any]
) -> None:
    root = _copy_specs(tmp_path)
    _edit(
        root / WIRE,
        'stop_sequence: {type: [string, "null"]}\n      usage:',
        'stop_sequence: {type: [string, "null"]}\n      only_ours: {type: [string, "null"]}\n      usage:',
    )
    found = check_protocol("anthropic_messages", root, reference).findings
    assert [f for f in found if "Message.only_ours: not in anthropic Message" in f.message]
    _edit(root / WIRE, "only_ours: {type", 'only_ours: {x-extension: "a test host", type')
    found = check_protocol("anthropic_messages", root, reference).findings
    assert not [f for f in found if "only_ours" in f.message]


def test_a_union_member_the_wire_schema_lacks_is_actionable(tmp_path: Path) -> None:
    """botocore marks unions: a member we do not know is content that would be dropped."""
    for rel in ("specs/wire/bedrock_converse.schema.yaml", "specs/protocols/bedrock_converse.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    block = {
        "title": "ContentBlock",
        "type": "object",
        "x-union": True,
        "properties": {"text": {"type": "string"}, "hologram": {"type": "object"}},
    }
    response = {
        "title": "ConverseResponse",
        "type": "object",
        "properties": {
            "output": {"$ref": "#/$defs/ConverseOutput"},
            "stopReason": {"type": "string", "enum": ["end_turn"]},
        },
        "$defs": {
            "ConverseOutput": {
                "title": "ConverseOutput",
                "type": "object",
                "x-union": True,
                "properties": {"message": {"$ref": "#/$defs/Message"}},
            },
            "Message": {
                "title": "Message",
                "type": "object",
                "properties": {
                    "role": {"type": "string"},
                    "content": {"type": "array", "items": {"$ref": "#/$defs/ContentBlock"}},
                },
            },
            "ContentBlock": block,
        },
    }
    dump = {"schemas": {"botocore:bedrock-runtime:ConverseResponse": response}}
    found = check_protocol("bedrock_converse", tmp_path, dump).findings
    text = (tmp_path / "specs/wire/bedrock_converse.schema.yaml").read_text(encoding="utf-8")
    member = _found(
        found,
        "specs/wire/bedrock_converse.schema.yaml",
        _line(text, "  ContentBlock:", "properties:"),
        ACTIONABLE,
        "member 'hologram'",
    )
    assert "ContentBlock" in member.message
    # listed as known (and not read), it is no longer reported (ContentBlock lists some)
    _edit(
        tmp_path / "specs/wire/bedrock_converse.schema.yaml",
        "    x-known-members: [image, ",
        "    x-known-members: [hologram, image, ",
    )
    found = check_protocol("bedrock_converse", tmp_path, dump).findings
    assert not [f for f in found if "hologram" in f.message]


def test_the_command_prints_file_line_findings_and_strict_fails(
    stale: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = stale
    args = ["--reference", str(FIXTURE), "--root", str(root), "--protocol", "anthropic_messages"]
    assert cli.main(args) == 0  # reporting mode
    out = capsys.readouterr().out
    assert any(FINDING.match(line) for line in out.splitlines())
    assert "reporting mode" in out
    assert cli.main([*args, "--strict"]) == 1
    assert cli.main([*args, "--summary"]) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith("wire-check: ") and " actionable " in summary


def test_a_reference_that_cannot_be_made_is_reported_clearly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(names: list[str]) -> dict[str, Any]:
        raise refvenv.SetupError("pip install openai==0 into .venv-wirecheck failed: no network")

    monkeypatch.setattr(cli, "reference", broken)
    report = tmp_path / "report.txt"
    assert cli.main(["--report", str(report)]) == cli.NO_REFERENCE
    err = capsys.readouterr().err
    assert "could not be read" in err and "no network" in err and "nothing was compared" in err
    assert "no network" in report.read_text(encoding="utf-8")


def test_every_protocol_of_the_issue_is_covered() -> None:
    assert set(PROTOCOLS) >= {
        "openai_chat",
        "openai_responses",
        "openai_images",
        "anthropic_messages",
        "gemini_generate_content",
        "bedrock_converse",
        "bedrock_invoke",
    }
    for name in PROTOCOLS:
        assert (ROOT / "specs" / "protocols" / f"{name}.yaml").exists()


def _real_report(tmp_path: Path) -> str:
    made = os.environ.get("MODELWIRE_WIRECHECK_REPORT")
    if made and Path(made).exists():
        return Path(made).read_text(encoding="utf-8")
    if not refvenv.CACHE.exists():
        pytest.skip(
            "the real wire-check report is checked when `python tasks.py test` runs the check "
            "(or once `python tasks.py wire-check` has filled .venv-wirecheck); neither has"
        )
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(json.loads(refvenv.CACHE.read_text())["dump"]), encoding="utf-8")
    report = tmp_path / "report.txt"
    assert cli.main(["--reference", str(dump), "--report", str(report), "--summary"]) == 0
    return report.read_text(encoding="utf-8")


def test_the_real_report_names_real_lines(tmp_path: Path) -> None:
    text = _real_report(tmp_path)
    findings = [line for line in text.splitlines() if line.startswith("specs")]
    assert findings, text[:2000]
    lengths: dict[str, int] = {}
    for line in findings:
        m = FINDING.match(line)
        assert m, f"not `specs/...yaml:LINE: what`: {line}"
        path, number = m.group(1), int(m.group(2))
        if path not in lengths:
            lengths[path] = len((ROOT / path).read_text(encoding="utf-8").splitlines())
        assert 1 <= number <= lengths[path], line
    for protocol in PROTOCOLS:
        assert f"\n{protocol} (" in text
    assert "no machine-readable spec" in text  # bedrock_invoke says what is not compared


# --- tasks.py ----------------------------------------------------------------------------


def test_tasks_hands_wire_check_its_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tasks.passthrough(["wire-check", "--strict", "-v"], "wire-check") == ["--strict", "-v"]
    seen: list[list[str]] = []

    def wire_check(args: list[str]) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(tasks, "wire_check", wire_check)
    assert tasks.main(["wire-check", "--verbose", "--protocol", "openai_chat"]) == 0
    assert seen == [["--verbose", "--protocol", "openai_chat"]]


@pytest.mark.parametrize(
    ("strict", "exit_code", "expected"),
    [(False, 0, 0), (False, 1, 0), (False, 3, 0), (True, 0, 0), (True, 1, 1), (True, 3, 3)],
)
def test_the_test_step_reports_unless_switched_to_strict(
    monkeypatch: pytest.MonkeyPatch, strict: bool, exit_code: int, expected: int
) -> None:
    commands: list[list[str]] = []

    def run(cmd: list[Any]) -> int:
        commands.append([str(c) for c in cmd])
        return exit_code

    monkeypatch.setattr(tasks, "_run", run)
    monkeypatch.setattr(tasks, "WIRE_CHECK_STRICT", strict)
    # setenv first: the step sets the variable itself, and monkeypatch puts it back after
    monkeypatch.setenv("MODELWIRE_WIRECHECK_REPORT", "")
    monkeypatch.delenv("MODELWIRE_WIRECHECK_REPORT")
    assert tasks._wire_check_step() == expected  # pyright: ignore[reportPrivateUsage]  # the step itself
    assert ("--strict" in commands[0]) is strict and "--summary" in commands[0]
    assert ("MODELWIRE_WIRECHECK_REPORT" in os.environ) is (exit_code in (0, 1))


def test_test_runs_wire_check_before_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    monkeypatch.setattr(tasks, "setup", lambda force=False: None)
    monkeypatch.setattr(tasks, "generate", lambda check=False: order.append("generate") or 0)
    monkeypatch.setattr(tasks, "lint", lambda: order.append("lint") or 0)
    monkeypatch.setattr(tasks, "_wire_check_step", lambda: order.append("wire-check") or 0)

    def pytest_run(cmd: list[Any]) -> int:
        order.append("pytest")
        return 0

    monkeypatch.setattr(tasks, "_run", pytest_run)
    assert tasks.test(["-q"]) == 0
    assert order == ["generate", "lint", "wire-check", "pytest"]


def test_a_member_listed_as_known_and_ignored_is_not_compared_field_by_field(
    tmp_path: Path,
) -> None:
    """Responses' shell-output event has an object `delta`; our StreamEvent's `delta` is the
    text of the events we read. Listed in x-known-values, the event is ignored whole: its
    fields are not compared with ours (that was a false "retyped" finding)."""
    text = _real_report(tmp_path)
    assert "StreamEvent.delta:" not in text
    assert "response.shell_call_output_content.delta" not in text
