"""`.venv-peers`: the official `openai` and `anthropic` SDKs and LiteLLM, apart from `.venv`.

They stay out of the project's environment (their dependency pins are not ours). Only the
peers' workers run there, and a worker imports only the library it measures, so modelwire is
not installed in it: `devtools.bench.worker` is found from the repository root (the cwd).
httpx and httpx2 are pinned to `.venv`'s versions when the peers allow it, so they run on the
floors' HTTP stacks (current SDKs are built on httpx2, LiteLLM and older SDKs on httpx); a
peer that wants another version gets it (the machine line reports which).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-peers"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
PACKAGES = {"openai": "openai", "anthropic": "anthropic", "litellm": "litellm"}
PINNED = ("httpx", "httpx2")  # the floors' HTTP stacks, at .venv's versions


def _pip(args: list[str]) -> subprocess.CompletedProcess[str]:
    cmd = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q", "install", *args]
    env = {**os.environ, "PIP_NO_INPUT": "1"}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)


def _why(proc: subprocess.CompletedProcess[str]) -> str:
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return " / ".join(line.strip() for line in lines[-3:]) or f"pip exited {proc.returncode}"


def _installed(package: str) -> bool:
    """Already in `.venv-peers`: an existing environment is kept as it is, not rebuilt."""
    code = f"import importlib.util as u; exit(u.find_spec({package!r}) is None)"
    return subprocess.run([str(PYTHON), "-c", code], cwd=ROOT, capture_output=True).returncode == 0


def _pins() -> str:
    lines = []
    for dist in PINNED:
        with contextlib.suppress(PackageNotFoundError):  # not in .venv: nothing to match
            lines.append(f"{dist}=={version(dist)}\n")
    return "".join(lines)


def _create() -> bool:
    if PYTHON.exists():
        return True
    print(f"bench: creating {VENV.name}", file=sys.stderr, flush=True)
    made = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True)
    if made.returncode:
        print(f"bench: could not create {VENV.name}: {made.stderr.decode()[-300:]}")
    return made.returncode == 0


def install(wanted: list[str]) -> None:
    """Create `.venv-peers` if missing and install the wanted peers not there yet; failures
    are reported and skipped (that column is left out)."""
    if not _create():
        return
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as pins:
        pins.write(_pins())
    try:
        for name in wanted:
            package = PACKAGES[name]
            if _installed(package):
                continue
            print(f"bench: installing {package} into {VENV.name}", file=sys.stderr, flush=True)
            proc = _pip([package, "-c", pins.name])
            if proc.returncode:  # the peer wants another httpx or httpx2: let it have it
                proc = _pip([package])
            if proc.returncode:
                print(f"bench: could not install {package} ({_why(proc)}); no {name} column")
    finally:
        os.unlink(pins.name)
