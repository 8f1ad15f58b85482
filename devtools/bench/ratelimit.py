"""`python -m devtools.bench.ratelimit`: the live runner against a rate-limited server.

Runs `--calls` calls (10,000 by default) through `modelwire.batch` `run` (sync, threads) and
`arun` (async, tasks) against tests/support/ratelimit_server.py in a process of its own,
which enforces `--limit` requests a second the way OpenAI documents it (a continuously
refilled bucket, or `--mode fixed` windows) and answers 429 past it. Prints, per run: calls,
errors, 429s (all, and after the first window, when the limiter has learned the limit), the
time taken, and the throughput after the first window against the limit's.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2

from modelwire import AIModelAPI, AIModelAPIProviderEnum, AIModelClient, AIModelEndpoint
from modelwire.batch._runner import Progress, arun, run
from modelwire.models import GPT4o

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]


def _endpoint(url: str) -> AIModelEndpoint:
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key="sk-bench", base_url=url + "/v1")
    return AIModelEndpoint(api=api, ai_model=GPT4o)


def _prompts(calls: int) -> Any:
    return (f"prompt {i}" for i in range(calls))


def _sync(url: str, calls: int, concurrency: int) -> tuple[int, Progress | None]:
    last: list[Progress] = []
    errors = 0
    with AIModelClient(_endpoint(url)) as client:
        results = run(
            client, _prompts(calls), concurrency=concurrency, progress=lambda p: _keep(last, p)
        )
        for _, outcome in results:
            errors += isinstance(outcome, Exception)
    return errors, last[0] if last else None


def _keep(last: list[Progress], p: Progress) -> None:
    last[:] = [p]


async def _async(url: str, calls: int, concurrency: int) -> tuple[int, Progress | None]:
    last: list[Progress] = []
    errors = 0
    async with AIModelClient(_endpoint(url), is_async=True) as client:
        results = arun(
            client, _prompts(calls), concurrency=concurrency, progress=lambda p: _keep(last, p)
        )
        async for _, outcome in results:
            errors += isinstance(outcome, Exception)
    return errors, last[0] if last else None


def _report(kind: str, args: argparse.Namespace, errors: int, seconds: float, stats: Any) -> bool:
    rate = stats["rate_after_window"] or 0.0
    ratio = rate / args.limit
    ok = stats["refused_after_window"] == 0 and ratio >= 0.9 and errors == 0
    print(
        f"{kind:5}  calls {args.calls}  errors {errors}  429s {stats['refused']} "
        f"(after the first window {stats['refused_after_window']})  {seconds:.1f} s  "
        f"throughput after the first window {rate:.1f}/s = {ratio:.3f} x the limit "
        f"{args.limit:g}/s  {'ok' if ok else 'MISSED'}",
        flush=True,
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--limit", type=float, default=200, help="requests a second")
    parser.add_argument("--mode", choices=("bucket", "fixed"), default="bucket")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.005, help="server seconds a call")
    parser.add_argument("--only", choices=("sync", "async"))
    args = parser.parse_args(argv)
    command = [sys.executable, "-m", "tests.support.ratelimit_server", "--limit", f"{args.limit}"]
    command += ["--mode", args.mode, "--latency", f"{args.latency}"]
    server = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert server.stdout is not None and server.stdin is not None
    url = server.stdout.readline().strip()
    print(
        f"rate-limited loopback server: {args.limit:g} requests/s ({args.mode}), "
        f"{args.latency * 1000:g} ms a call; concurrency {args.concurrency}",
        flush=True,
    )
    ok = True
    try:
        for kind in ("sync", "async"):
            if args.only and kind != args.only:
                continue
            httpx2.post(url + "/_clear")
            started = time.monotonic()
            if kind == "sync":
                errors, _ = _sync(url, args.calls, args.concurrency)
            else:
                errors, _ = asyncio.run(_async(url, args.calls, args.concurrency))
            seconds = time.monotonic() - started
            ok &= _report(kind, args, errors, seconds, httpx2.get(url + "/_stats").json())
    finally:
        server.stdin.close()
        server.wait(10)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
