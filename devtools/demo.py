"""python tasks.py demo [--live]: what was compiled, then one streamed call through the stack.

Offline it replays cassettes/openai/stream_text_usage.yaml (vcrpy, no network); with --live
and OPENAI_API_KEY set it calls the real API.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "cassettes" / "openai" / "stream_text_usage.yaml"


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
    from modelwire import (
        AIModelAPI,
        AIModelAPIProviderEnum,
        AIModelCallConfig,
        AIModelClient,
        AIModelEndpoint,
    )
    from modelwire.models import GPT4oMini

    if live and not os.environ.get("OPENAI_API_KEY"):
        print("demo --live needs OPENAI_API_KEY", file=sys.stderr)
        return 2
    replay: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
    if not live:
        import vcr

        replay = vcr.use_cassette(
            str(CASSETTE), record_mode="none", match_on=["method", "scheme", "host", "port", "path"]
        )
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=None if live else "sk-demo")
    endpoint = AIModelEndpoint(api=api, ai_model=GPT4oMini)
    print(f"\n{'live call' if live else f'replaying {CASSETTE.relative_to(ROOT)}'}: {endpoint}")
    started = time.perf_counter()
    with (
        replay,
        AIModelClient(endpoint, AIModelCallConfig(streaming=True), is_async=False) as client,
    ):
        response = client.generate(prompt="Say hello in five words.")
        final = None
        for chunk, accumulated in response.stream_generator:  # type: ignore[union-attr]
            if chunk:
                print(
                    chunk.data.choice_deltas[0].content_deltas[0].get_text_delta(),
                    end="",
                    flush=True,
                )
            if accumulated:
                final = accumulated
    chat = final.chat_response if final else None
    if chat is None:
        return 1
    usage, charge = chat.usage, chat.usage_charge
    print(f"\n\nfinish: {chat.finish_reason} ({chat.choices[0].finish_reason_raw})")
    if usage is not None:
        print(
            f"usage:  {usage.prompt_tokens} prompt ({usage.cache_read_tokens or 0} cached), "
            f"{usage.completion_tokens} completion ({usage.reasoning_tokens or 0} reasoning)"
        )
    if charge is not None:
        parts = ", ".join(
            f"{name} ${value:.7f}"
            for name, value in (
                ("input", charge.input),
                ("cached", charge.cached_input),
                ("output", charge.output),
            )
            if value
        )
        print(f"cost:   ${charge.total:.7f} {charge.currency} ({parts})")
    print(f"time:   {(time.perf_counter() - started) * 1000:.1f} ms")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tasks.py demo")
    parser.add_argument("--live", action="store_true")
    args = parser.parse_args(argv)
    describe()
    return stream(args.live)


if __name__ == "__main__":
    sys.exit(main())
