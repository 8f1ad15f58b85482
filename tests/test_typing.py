"""The public API is typed for the code users write: a strict type checker accepts ordinary
use (tests/typing/user_code.py and the README's code blocks) and catches misuse
(tests/typing/misuse.py). The README's runnable blocks also run, against a loopback server."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.support import anthropic_shapes as an
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"
BIN = Path(sys.executable).parent
CHECKERS = ("pyright", "mypy")


def _errors(checker: str, files: list[Path], tmp_path: Path) -> list[tuple[str, int, str]]:
    """(file name, line, message) of each error `checker` finds in `files`, in strict mode
    as a user's project would check them."""
    exe = BIN / checker
    if not exe.exists():
        pytest.skip(f"{checker} is not installed")
    if checker == "mypy":
        proc = subprocess.run(
            [
                exe,
                "--strict",
                "--python-executable",
                sys.executable,
                "--no-error-summary",
                "--cache-dir",
                str(tmp_path / ".mypy_cache"),
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        found = re.findall(r"^(.+?):(\d+): error: (.*)$", proc.stdout, re.M)
        return [(Path(f).name, int(n), m) for f, n, m in found]
    config = tmp_path / "pyrightconfig.json"
    config.write_text(
        json.dumps(
            {
                "typeCheckingMode": "strict",
                "pythonVersion": "3.10",
                "venvPath": str(Path(sys.prefix).parent),
                "venv": Path(sys.prefix).name,
            }
        )
    )
    proc = subprocess.run(
        [exe, "-p", str(config), "--outputjson", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    report = json.loads(proc.stdout)
    return [
        (Path(d["file"]).name, d["range"]["start"]["line"] + 1, d["message"])
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]


def _lines(errors: list[tuple[str, int, str]]) -> str:
    return "\n".join(f"{name}:{line}: {message}" for name, line, message in errors)


@pytest.mark.parametrize("checker", CHECKERS)
def test_ordinary_use_type_checks_strictly(checker: str, tmp_path: Path) -> None:
    errors = _errors(checker, [TYPING / "user_code.py"], tmp_path)
    assert not errors, _lines(errors)


@pytest.mark.parametrize("checker", CHECKERS)
def test_misuse_is_caught_where_marked(checker: str, tmp_path: Path) -> None:
    source = TYPING / "misuse.py"
    marked = {
        n for n, line in enumerate(source.read_text().splitlines(), 1) if line.endswith("# error")
    }
    errors = _errors(checker, [source], tmp_path)
    assert {line for _, line, _ in errors} == marked, _lines(errors)


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)```", text, re.S)]


@pytest.mark.parametrize("checker", CHECKERS)
def test_readme_code_type_checks_strictly(checker: str, tmp_path: Path) -> None:
    """The README's Python blocks, in order, as one script (a block may use a name an
    earlier one defined, as a reader does)."""
    script = tmp_path / "readme.py"
    script.write_text("\n\n".join(readme_blocks()), encoding="utf-8")
    errors = _errors(checker, [script], tmp_path)
    assert not errors, _lines(errors) + "\n\n" + script.read_text()


def _answer(rec: Any) -> Reply:
    """The loopback server's answer to a README block's request, by the API it is for."""
    body = json.loads(rec.body or b"{}")
    if rec.path.endswith("/chat/completions"):
        if body.get("stream"):
            return Reply.sse(oa.stream_events(["Hello", " there."]))
        return Reply.json(oa.completion("Hello there."))
    if rec.path.endswith("/messages"):
        thinking = {"type": "thinking", "thinking": "Try 7.", "signature": "sig-test"}
        text = {"type": "text", "text": "No: 1001 = 7 x 11 x 13."}
        return Reply.json(an.message(content=[thinking, text]))
    return Reply.json({"error": {"message": f"no answer for {rec.path}"}}, status=404)


# the README's blocks that open their own client (the others continue an earlier one): the
# first, and the one that opens with its own model's import
RUNNABLE = [
    0,
    next(
        i
        for i, b in enumerate(readme_blocks())
        if b.startswith("from modelwire.models import ClaudeSonnet45")
    ),
]
_PRELUDE = """
import httpx2

def _to_loopback(handle):
    def send(self, request):
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port={port})
        return handle(self, request)
    return send

httpx2.HTTPTransport.handle_request = _to_loopback(httpx2.HTTPTransport.handle_request)
"""


@pytest.mark.parametrize("index", RUNNABLE)
def test_readme_block_runs(index: int, tmp_path: Path) -> None:
    """A block that opens its own client runs as written, every request sent to a loopback
    server answering as the provider's API reference says (keys are placeholders)."""
    blocks = readme_blocks()
    first = blocks[0]
    imports = "\n".join(
        ast.get_source_segment(first, node) or ""
        for node in ast.parse(first).body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    )
    with LoopbackServer(responder=_answer) as server:
        script = tmp_path / "block.py"
        prelude = _PRELUDE.replace("{port}", str(server.port))
        script.write_text(prelude + "\n" + imports + "\n" + blocks[index], encoding="utf-8")
        env = {**os.environ, "OPENAI_API_KEY": "sk-test-readme", "ANTHROPIC_API_KEY": "sk-ant-test"}
        proc = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert server.requests, "the block made no request"
    assert proc.stdout.strip()


def test_the_package_types_are_complete(tmp_path: Path) -> None:
    """pyright --verifytypes on the package as installed (runtime/ as modelwire, with its
    generated and cli subpackages): every public symbol's type is known, none ambiguous."""
    exe = BIN / "pyright"
    if not exe.exists():
        pytest.skip("pyright is not installed")
    package = tmp_path / "site" / "modelwire"
    shutil.copytree(ROOT / "runtime", package, ignore=shutil.ignore_patterns("__pycache__"))
    for sub in ("generated", "cli"):
        shutil.copytree(ROOT / sub, package / sub, ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run(
        [
            exe,
            "--pythonpath",
            sys.executable,
            "--verifytypes",
            "modelwire",
            "--ignoreexternal",
            "--outputjson",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(package.parent)},
    )
    report = json.loads(proc.stdout)["typeCompleteness"]
    assert report["packageRootDirectory"] == str(package)
    unknown = [s["name"] for s in report["symbols"] if s["isExported"] and not s["isTypeKnown"]]
    assert report["completenessScore"] >= 0.98, unknown[:20]
    assert not unknown, unknown[:20]
