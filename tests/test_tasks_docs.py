"""tasks.py's `docs` step: one line when the strict build passes, mkdocs' output when not."""

from __future__ import annotations

import subprocess

import pytest

import tasks


def _built(code: int, output: str) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(["mkdocs"], code, stdout=output, stderr="")


def test_docs_step_prints_one_line_when_the_build_passes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tasks, "_mkdocs", lambda capture: _built(0, "INFO - built\n"))
    assert tasks._docs_step() == 0
    out, err = capsys.readouterr()
    assert out.startswith("docs: build/site built strictly, no warnings") and out.count("\n") == 1
    assert err == ""


def test_docs_step_shows_what_failed_the_strict_build(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warning = "WARNING - Doc file 'index.md' contains a link 'x.md', but the target is not found\n"
    monkeypatch.setattr(tasks, "_mkdocs", lambda capture: _built(1, warning))
    assert tasks._docs_step() == 1
    assert capsys.readouterr().err == warning


def test_test_builds_the_docs_after_lint_and_wire_check(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    monkeypatch.setattr(tasks, "setup", lambda: None)
    monkeypatch.setattr(tasks, "generate", lambda check: ran.append("generate") or 0)
    monkeypatch.setattr(tasks, "lint", lambda: ran.append("lint") or 0)
    monkeypatch.setattr(tasks, "_wire_check_step", lambda: ran.append("wire-check") or 0)
    monkeypatch.setattr(tasks, "_docs_step", lambda: ran.append("docs") or 0)
    monkeypatch.setattr(tasks, "_run", lambda cmd: ran.append("pytest") or 0)
    assert tasks.test([]) == 0
    assert ran == ["generate", "lint", "wire-check", "docs", "pytest"]
