#!/usr/bin/env python3
"""Developer tasks for modelwire. Standard library only; works from a bare Python 3.10+.

Every subcommand creates `.venv` and installs the project (editable, with dev dependencies)
when it is missing, so `python tasks.py test` is all a fresh clone needs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".modelwire-setup"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
MIN_PYTHON = (3, 10)


def _run(cmd: list[str | os.PathLike[str]]) -> int:
    return subprocess.call([str(c) for c in cmd], cwd=ROOT)


def _must(cmd: list[str | os.PathLike[str]]) -> None:
    code = _run(cmd)
    if code:
        sys.exit(code)


def _install_fingerprint() -> str:
    """What the editable install depends on: pyproject.toml and the set of module files.

    The install is `editable_mode=strict` (a link tree), so a new module needs a reinstall.
    """
    h = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for folder in ("runtime", "cli", "telemetry", "batch", "generated"):
        for p in sorted((ROOT / folder).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(ROOT)).encode())
    return h.hexdigest()


def setup(force: bool = False) -> None:
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"modelwire needs Python >= {'.'.join(map(str, MIN_PYTHON))}")
    if not PY.exists():
        print(f"setup: creating {VENV.name} with {sys.executable}", flush=True)
        _must([sys.executable, "-m", "venv", VENV])
    fingerprint = _install_fingerprint()
    if not force and STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    print("setup: installing modelwire (editable) with dev dependencies", flush=True)
    pip = [PY, "-m", "pip", "--disable-pip-version-check", "-q"]
    for cmd in (
        [*pip, "install", "-U", "pip"],
        [*pip, "install", "-e", ".[dev]", "--config-settings", "editable_mode=strict"],
    ):
        # pip is chatty (index and editable-mode warnings); show its output only on failure
        proc = subprocess.run(
            [str(c) for c in cmd],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PIP_NO_INPUT": "1"},
        )
        if proc.returncode:
            sys.stderr.write(proc.stdout + proc.stderr)
            sys.exit(f"setup: {' '.join(map(str, cmd[3:]))} failed")
    STAMP.write_text(_install_fingerprint())


def generate(check: bool = False) -> int:
    setup()
    started = time.perf_counter()
    code = _run([PY, "-m", "generator", *(["--check"] if check else [])])
    if code == 0 and not check:
        setup()  # new generated modules need the editable link tree refreshed
        print(f"generate: done in {time.perf_counter() - started:.2f}s")
    return code


# a type-check suppression names its rule and says why, on its line: `pyright: ignore`, the
# rule in brackets, then `# why`; mypy-style `type: ignore` is off (enableTypeIgnoreComments)
_SUPPRESSION = re.compile(r"#\s*(type|pyright):\s*ignore(\[[^\]]+\])?(.*)")
TYPED = ("runtime", "cli", "telemetry", "batch", "generator", "generated", "tasks.py")


def _suppressions() -> tuple[int, list[str]]:
    """(how many type-check suppressions the checked sources hold, the malformed ones)."""
    count, bad = 0, list[str]()
    for top in TYPED:
        for path in [ROOT / top] if top.endswith(".py") else sorted((ROOT / top).rglob("*.py")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                m = _SUPPRESSION.search(line)
                if m is None:
                    continue
                count += 1
                where = f"{path.relative_to(ROOT)}:{n}"
                if m.group(1) == "type":
                    bad.append(f"{where}: write `# pyright: ignore[rule]  # why`, not type: ignore")
                elif not m.group(2) or not m.group(3).strip(" #-"):
                    bad.append(f"{where}: a suppression names its rule and says why")
    return count, bad


def lint() -> int:
    """ruff (lint + format) and pyright (strict on runtime/, cli/, generator/; standard on
    generated/, as pyproject.toml's [tool.pyright] says)."""
    setup()
    ruff = BIN / "ruff"
    code = _run([ruff, "check", "."])
    code = _run([ruff, "format", "--check", "."]) or code
    count, bad = _suppressions()
    for line in bad:
        print(line)
    print(f"lint: {count} type-check suppressions, each naming its rule and why", flush=True)
    code = code or (1 if bad else 0)
    # --project: this tree's pyproject.toml, not a pyrightconfig.json in a parent folder
    return _run([BIN / "pyright", "--project", ROOT, "--warnings"]) or code


def fmt() -> int:
    setup()
    ruff = BIN / "ruff"
    _run([ruff, "check", "--fix", "."])
    return _run([ruff, "format", "."])


def test(pytest_args: list[str]) -> int:
    setup()
    steps = (
        ("generate --check", lambda: generate(check=True)),
        ("lint", lint),
        ("wire-check" + (" --strict" if WIRE_CHECK_STRICT else ""), _wire_check_step),
        ("docs", _docs_step),
    )
    for name, step in steps:
        print(f"test: {name}", flush=True)
        if code := step():
            print(f"test: {name} failed", file=sys.stderr)
            return code
    print("test: pytest", flush=True)
    return _run([PY, "-m", "pytest", *pytest_args])


# `test` runs `wire-check` (the wire schemas beside the providers' published definitions) and
# prints its one-line summary. Strict: an actionable finding (or a reference that cannot be
# read) fails `test`, so CI; informational findings never do. False is reporting mode, where
# nothing fails `test` (for a maintainer mid-upgrade with findings still open).
WIRE_CHECK_STRICT = True
WIRE_CHECK_REPORT = ROOT / "build" / "wire-check.txt"


def wire_check(args: list[str]) -> int:
    setup()
    return _run([PY, "-m", "devtools.wirecheck", *args])


def _wire_check_step() -> int:
    """`wire-check` as a step of `test`: one line here, the whole report in build/."""
    cmd: list[str | os.PathLike[str]] = [PY, "-m", "devtools.wirecheck", "--summary"]
    cmd += ["--report", WIRE_CHECK_REPORT, *(["--strict"] if WIRE_CHECK_STRICT else [])]
    code = _run(cmd)
    if code in (0, 1):  # compared: tests/test_wire_check.py checks the report's lines
        os.environ["MODELWIRE_WIRECHECK_REPORT"] = str(WIRE_CHECK_REPORT)
    if WIRE_CHECK_STRICT or code == 0:
        return code
    print("test: wire-check could not compare (above); reporting mode goes on", flush=True)
    return 0


SITE = ROOT / "build" / "site"


def _mkdocs(capture: bool) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` into build/site (mkdocs.yml says the rest).

    Strict: any warning fails, so a guide link that leads nowhere or a docstring naming a
    parameter its function lacks fails `test`, where GitHub would render it silently.
    """
    cmd = [str(PY), "-m", "mkdocs", "build", "--strict", "--site-dir", str(SITE)]
    # mkdocs-material prints a banner about MkDocs 2 on every build; this turns it off
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=capture, text=True)


def docs() -> int:
    setup()
    started = time.perf_counter()
    code = _mkdocs(capture=False).returncode
    if code == 0:
        print(f"docs: built {SITE.relative_to(ROOT)} in {time.perf_counter() - started:.1f}s")
    return code


def _docs_step() -> int:
    """`docs` as a step of `test`: one line, and mkdocs' output only when the build fails."""
    started = time.perf_counter()
    proc = _mkdocs(capture=True)
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
    else:
        took = time.perf_counter() - started
        print(f"docs: {SITE.relative_to(ROOT)} built strictly, no warnings ({took:.1f}s)")
    return proc.returncode


def demo(live: bool) -> int:
    if code := generate():
        return code
    return _run([PY, "-m", "devtools.demo", *(["--live"] if live else [])])


def record(args: list[str]) -> int:
    setup()
    return _run([PY, "-m", "devtools.record", *args])


def catalog_check(as_json: bool) -> int:
    setup()
    return _run([PY, "-m", "devtools.catalog_check", *(["--json"] if as_json else [])])


def bench(args: list[str]) -> int:
    setup()
    return _run([PY, "-m", "devtools.bench", *args])


def clean() -> int:
    for p in (VENV, ROOT / "build"):
        shutil.rmtree(p, ignore_errors=True)
    return 0


# commands whose arguments go to another program as given: argparse would reorder them
# (`test -q -p X` became `-p X -q`, and `-p` took `-q` as its value)
PASSED_THROUGH = ("test", "record", "bench", "wire-check")


def passthrough(argv: list[str], command: str) -> list[str]:
    """The arguments after `command` in `argv`, in their order."""
    return argv[argv.index(command) + 1 :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tasks.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser("setup", help="create .venv and install modelwire with dev dependencies")
    p.add_argument("--force", action="store_true", help="reinstall even when up to date")
    p = sub.add_parser("generate", help="compile specs/ into generated/ (then ruff format)")
    p.add_argument("--check", action="store_true", help="exit 1 and list files that differ")
    sub.add_parser("lint", help="ruff check + ruff format --check + pyright")
    sub.add_parser("format", help="ruff check --fix + ruff format")
    p = sub.add_parser(
        "test",
        help="setup, generate --check, lint, wire-check (reporting), docs, pytest [PYTEST_ARGS]",
    )
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    p = sub.add_parser("demo", help="regenerate, then stream a response offline from a cassette")
    p.add_argument("--live", action="store_true", help="call the real API (needs OPENAI_API_KEY)")
    p = sub.add_parser("record", help="re-record cassettes against the real APIs (keys from env)")
    p.add_argument("record_args", nargs=argparse.REMAINDER)
    p = sub.add_parser(
        "catalog-check", help="compare the catalog's prices and limits with genai-prices' data"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser(
        "bench",
        add_help=False,
        help="benchmark vs raw httpx and httpx2 floors (and peers); `bench --help`",
    )
    p.add_argument("bench_args", nargs=argparse.REMAINDER)
    p = sub.add_parser(
        "wire-check",
        add_help=False,
        help="compare specs/wire with the providers' published API definitions; `--help`",
    )
    p.add_argument("wire_check_args", nargs=argparse.REMAINDER)
    sub.add_parser("docs", help="build the docs site into build/site (mkdocs --strict)")
    sub.add_parser("clean", help="remove .venv and build/")
    raw = sys.argv[1:] if argv is None else argv
    args, extra = parser.parse_known_args(raw)
    if extra and args.command not in PASSED_THROUGH:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    # everything after the command, in order
    passed = passthrough(raw, args.command) if args.command in PASSED_THROUGH else []

    if args.command == "setup":
        setup(force=args.force)
        return 0
    if args.command == "generate":
        return generate(check=args.check)
    if args.command == "lint":
        return lint()
    if args.command == "format":
        return fmt()
    if args.command == "test":
        return test(passed)
    if args.command == "demo":
        return demo(args.live)
    if args.command == "record":
        return record(passed)
    if args.command == "catalog-check":
        return catalog_check(args.json)
    if args.command == "bench":
        return bench(passed)
    if args.command == "wire-check":
        return wire_check(passed)
    if args.command == "docs":
        return docs()
    return clean()


if __name__ == "__main__":
    sys.exit(main())
