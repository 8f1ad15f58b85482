"""`.venv-wirecheck`: the pinned reference packages, apart from `.venv`.

The pins are pyproject.toml's `wirecheck` extra (read with tomllib, or on Python 3.10 from
the metadata of the modelwire installed in `.venv`, which tasks.py reinstalls when
pyproject.toml changes), so bumping a pin there is the only step. The packages are installed by name and version, not modelwire with the
extra, so nothing of the project is in this environment and nothing of it in `.venv`: the
bench, the tests and the type checkers never see the SDKs. The worker's dump is kept in the
environment, keyed by the pins, the worker's source and the names asked for.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-wirecheck"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
WORKER = Path(__file__).resolve().parent / "worker.py"
STAMP = VENV / ".wirecheck-pins"
CACHE = VENV / "reference-dump.json"
EXTRA = "wirecheck"


class SetupError(Exception):
    """The reference environment could not be made (or the worker failed)."""


def pins() -> list[str]:
    """The `wirecheck` extra's requirements, e.g. ["openai==3.63.0", ...]: from pyproject.toml
    (Python 3.11+), else from the metadata of the modelwire installed in `.venv`."""
    try:
        toml: Any = importlib.import_module("tomllib")  # the standard library from 3.11
    except ImportError:
        toml = None
    if toml is not None:
        project: Any = toml.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        listed: Any = project.get("project", {}).get("optional-dependencies", {}).get(EXTRA)
        if isinstance(listed, list) and listed:
            return sorted(str(r) for r in cast("list[Any]", listed))
    try:
        requires = importlib.metadata.requires("modelwire") or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise SetupError("modelwire is not installed in .venv (run python tasks.py setup)") from exc
    extra = re.compile(r"""extra\s*==\s*["']""" + EXTRA + """["']""")
    found = [r.split(";")[0].strip() for r in requires if ";" in r and extra.search(r)]
    if not found:
        raise SetupError(f"pyproject.toml has no [project.optional-dependencies] {EXTRA} pins")
    return sorted(found)


def _why(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in (proc.stderr or proc.stdout).strip().splitlines()]
    lines = [line for line in lines if line and not line.startswith("WARNING: Location")]
    return " / ".join(lines[-3:]) or f"exit {proc.returncode}"


def ensure(wanted: list[str]) -> None:
    """Create `.venv-wirecheck` if missing and install the pins when they changed."""
    if not PYTHON.exists():
        print(f"wire-check: creating {VENV.name}", file=sys.stderr, flush=True)
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True
        )
        if made.returncode:
            raise SetupError(f"could not create {VENV.name}: {_why(made)}")
    if STAMP.exists() and STAMP.read_text() == "\n".join(wanted):
        return
    print(
        f"wire-check: installing {' '.join(wanted)} into {VENV.name}", file=sys.stderr, flush=True
    )
    cmd = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q", "install", *wanted]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PIP_NO_INPUT": "1"}
    )
    if proc.returncode:
        raise SetupError(f"pip install {' '.join(wanted)} into {VENV.name} failed: {_why(proc)}")
    STAMP.write_text("\n".join(wanted))
    CACHE.unlink(missing_ok=True)


def reference(names: list[str]) -> dict[str, Any]:
    """The worker's dump of `names` (from the cache when nothing it depends on changed)."""
    wanted = pins()
    ensure(wanted)
    key = hashlib.sha256(
        json.dumps([wanted, WORKER.read_text(encoding="utf-8"), names]).encode()
    ).hexdigest()
    if CACHE.exists():
        try:
            cached: dict[str, Any] = json.loads(CACHE.read_text(encoding="utf-8"))
            if cached.get("key") == key:
                return cached["dump"]
        except (OSError, ValueError):
            pass
    # run by path, isolated (-I): the worker must not import anything from the repository
    proc = subprocess.run(
        [str(PYTHON), "-I", str(WORKER)],
        input=json.dumps(names),
        capture_output=True,
        text=True,
        cwd=VENV,
    )
    if proc.returncode:
        raise SetupError(f"the reference worker failed in {VENV.name}: {_why(proc)}")
    dump: dict[str, Any] = json.loads(proc.stdout)
    CACHE.write_text(json.dumps({"key": key, "dump": dump}), encoding="utf-8")
    return dump
