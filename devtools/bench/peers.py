"""`.venv-peers`: the official `openai` and `anthropic` SDKs and LiteLLM, apart from `.venv`.

They stay out of the project's environment (their dependency pins are not ours). Only the
peers' workers run there, and a worker imports only the library it measures, so modelwire is
not installed in it: `devtools.bench.worker` is found from the repository root (the cwd).
httpx is pinned to `.venv`'s version when the peers allow it, so they run on the floor's httpx.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-peers"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
PACKAGES = {"openai": "openai", "anthropic": "anthropic", "litellm": "litellm"}


def _pip(args: list[str]) -> subprocess.CompletedProcess[str]:
    cmd = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q", "install", *args]
    env = {**os.environ, "PIP_NO_INPUT": "1"}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)


def _why(proc: subprocess.CompletedProcess[str]) -> str:
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return " / ".join(line.strip() for line in lines[-3:]) or f"pip exited {proc.returncode}"


def install(wanted: list[str]) -> None:
    """Create `.venv-peers` if missing and install the wanted peers; failures are reported
    and skipped (that column is left out)."""
    if not PYTHON.exists():
        print(f"bench: creating {VENV.name}", file=sys.stderr, flush=True)
        made = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True)
        if made.returncode:
            print(f"bench: could not create {VENV.name}: {made.stderr.decode()[-300:]}")
            return
    import httpx

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as pins:
        pins.write(f"httpx=={httpx.__version__}\n")
    try:
        for name in wanted:
            package = PACKAGES[name]
            print(f"bench: installing {package} into {VENV.name}", file=sys.stderr, flush=True)
            proc = _pip([package, "-c", pins.name])
            if proc.returncode:  # the peer wants another httpx: let it have it
                proc = _pip([package])
            if proc.returncode:
                print(f"bench: could not install {package} ({_why(proc)}); no {name} column")
    finally:
        os.unlink(pins.name)
