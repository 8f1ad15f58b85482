"""python tasks.py demo [--live]: what was compiled, then one streamed call through the stack.

Offline it runs `modelwire replay cassettes/openai/stream_text_usage.yaml` (vcrpy, no network);
with --live and OPENAI_API_KEY set, `modelwire chat -m GPT4oMini ...` calls the real API.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "cassettes" / "openai" / "stream_text_usage.yaml"
PROMPT = "Say hello in five words."  # what the cassette's request asked


def describe() -> None:
    from modelwire.generated.models import ALL_MODELS
    from modelwire.generated.providers import PROVIDERS

    protocols = sorted({b.protocol for p in PROVIDERS.values() for b in p.protocols.values()})
    files = sorted(p for p in (ROOT / "generated").rglob("*.py") if "__pycache__" not in p.parts)
    print(f"providers ({len(PROVIDERS)}): {', '.join(sorted(PROVIDERS))}")
    print(f"protocols ({len(protocols)}): {', '.join(protocols)}")
    print(
        f"models    ({len(ALL_MODELS)}): {', '.join(m.constant or m.model_name for m in ALL_MODELS)}"
    )
    print(f"files     ({len(files)}): {', '.join(str(f.relative_to(ROOT)) for f in files)}")


def stream(live: bool) -> int:
    """One streamed call through the `modelwire` command: replayed from the cassette, or live."""
    if live and not os.environ.get("OPENAI_API_KEY"):
        print("demo --live needs OPENAI_API_KEY", file=sys.stderr)
        return 2
    args = (
        ["chat", "-m", "GPT4oMini", PROMPT] if live else ["replay", str(CASSETTE.relative_to(ROOT))]
    )
    script = Path(sys.executable).parent / "modelwire"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "modelwire.cli"]
    print(f"\n$ modelwire {' '.join(shlex.quote(a) for a in args)}", flush=True)
    return subprocess.call([*command, *args], cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tasks.py demo")
    parser.add_argument("--live", action="store_true")
    args = parser.parse_args(argv)
    describe()
    return stream(args.live)


if __name__ == "__main__":
    sys.exit(main())
