"""Soak: many mixed calls on one sync client (8 threads) and one async client (many tasks)
against a server process on 127.0.0.1 that also injects faults. Every call must end in a
result or a typed modelwire error; after `close()` no socket may be left open; resident
memory must stay flat.

    .venv/bin/python -m tests.support.soak --calls 10000

prints the figures (the test suite runs a smaller version: tests/test_soak.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from modelwire import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ModelwireError,
)
from modelwire.models import GPT4o
from tests.support import openai_shapes as oa
from tests.support.server import Recorded, Reply, ServerProcess

# what the server answers, by the prompt's first word, and how often it is asked for
KINDS = {
    "ok": 30,  # a finished answer
    "stream": 45,  # a stream of 12 text deltas
    "reset": 6,  # a stream reset after a few events
    "err500": 5,  # an HTTP 500 (retried once, then raised)
    "r429": 5,  # an HTTP 429 asking for a 5 ms wait (retried once, then raised)
    "cut": 4,  # a finished answer whose body breaks off half-way
    "bad": 4,  # a stream with an event cut short (undecodable)
    "stall": 1,  # a stream that stops sending (the client's read timeout ends it)
}
# what the caller does with a stream
MODES = ("read", "abandon", "close", "cancel")
WORDS = [f"w{i} " for i in range(12)]


def respond(rec: Recorded) -> Reply:
    """The server's answer (runs in the server's process)."""
    prompt = json.loads(rec.body)["messages"][-1]["content"]
    kind = prompt.split()[0]
    events = [*oa.stream_events(WORDS)]
    if kind == "ok":
        return Reply.json(oa.completion("Hello!"))
    if kind == "err500":
        return Reply.json({"error": {"message": "boom", "type": "server_error"}}, status=500)
    if kind == "r429":
        body = {"error": {"message": "slow down", "type": "requests"}}
        return Reply.json(body, status=429, headers={"retry-after-ms": "5"})
    if kind == "cut":
        body = json.dumps(oa.completion("Hello!")).encode()
        return Reply(body=[body[:40], body[40:]], chunked=False, reset_after=1)
    if kind == "bad":
        return Reply.sse([*events[:3], '{"id": "x", "choices": [{"del'])
    if kind == "reset":
        return Reply.sse(events, reset_after=4)
    if kind == "stall":
        return Reply.sse(events, stall_after=3)
    return Reply.sse(events)


def plan(calls: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, mode) of each call, the same for the same seed."""
    rng = random.Random(seed)
    kinds = rng.choices(list(KINDS), weights=list(KINDS.values()), k=calls)
    return [(k, rng.choice(MODES)) for k in kinds]


def _endpoint(url: str) -> AIModelEndpoint:
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key="sk-soak-0123456789", base_url=url)
    return AIModelEndpoint(api, GPT4o)


def _config(kind: str) -> AIModelCallConfig:
    streaming = kind not in ("ok", "cut")
    return AIModelCallConfig(streaming=streaming, retries=1, timeout=0.5 if kind == "stall" else 5)


def _sync_call(client: AIModelClient, n: int, kind: str, mode: str) -> str:
    try:
        response = client.generate(prompt=f"{kind} {n}", config=_config(kind))
        if not response.streamed:
            return "result"
        items = iter(response.stream_generator)
        if mode in ("read", "cancel"):  # a sync caller cannot be cancelled: it reads
            final = [acc for _c, acc in items if acc]
            return "result" if final else "ended"
        next(items)
        if mode == "close":
            response.close()
        return "left"
    except ModelwireError as exc:
        return type(exc).__name__
    except Exception as exc:  # what the soak is looking for
        return f"UNTYPED {type(exc).__name__}: {exc}"


async def _async_call(client: AIModelClient, n: int, kind: str, mode: str) -> str:
    try:
        response = await client.generate_async(prompt=f"{kind} {n}", config=_config(kind))
        if not response.streamed:
            return "result"
        items = response.stream_generator.__aiter__()  # type: ignore[union-attr]
        if mode == "read":
            final = [acc async for _c, acc in items if acc]
            return "result" if final else "ended"
        await items.__anext__()
        if mode == "close":
            await response.aclose()
        elif mode == "cancel":
            task = asyncio.ensure_future(items.__anext__())
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                return "cancelled"
        return "left"
    except ModelwireError as exc:
        return type(exc).__name__
    except Exception as exc:
        return f"UNTYPED {type(exc).__name__}: {exc}"


def open_sockets(port: int) -> int:
    """TCP connections this process holds open to `port` on 127.0.0.1 (a socket's inode, in
    /proc/self/fd, matched with /proc/net/tcp's remote address)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # an fd closed meanwhile
            link = os.readlink(f"/proc/self/fd/{fd}")
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            for line in list(f)[1:]:
                fields = line.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                count += remote_port == port and fields[9] in inodes
    return count


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def soak(calls: int, threads: int = 8, tasks: int = 64) -> dict[str, Any]:
    """Half the calls on a sync client from `threads` threads, half on an async client from
    `tasks` tasks at a time, in rounds of 1,000; the figures of the run."""
    outcomes: Counter[str] = Counter()
    calls_plan = plan(calls)
    half = calls // 2
    rounds = [calls_plan[i : i + 1000] for i in range(0, half, 1000)]
    async_rounds = [calls_plan[i : i + 1000] for i in range(half, calls, 1000)]
    start = time.monotonic()
    rss: list[float] = []
    with ServerProcess(responder="tests.support.soak:respond") as server:
        port = int(server.url.rsplit(":", 1)[1])
        sync_client = AIModelClient(_endpoint(server.url), is_async=False)
        async_client = AIModelClient(_endpoint(server.url), is_async=True)

        async def run_async(batch: list[tuple[str, str]], first: int) -> list[str]:
            gate = asyncio.Semaphore(tasks)

            async def one(n: int, kind: str, mode: str) -> str:
                async with gate:
                    return await _async_call(async_client, n, kind, mode)

            return await asyncio.gather(*(one(first + i, k, m) for i, (k, m) in enumerate(batch)))

        async def async_phase() -> None:
            for r, batch in enumerate(async_rounds):
                outcomes.update(await run_async(batch, half + r * 1000))
                gc.collect()
                rss.append(rss_mb())
            await async_client.aclose()

        with ThreadPoolExecutor(threads) as pool:
            for r, batch in enumerate(rounds):
                first = r * 1000
                outcomes.update(
                    pool.map(
                        lambda a: _sync_call(sync_client, *a),
                        [(first + i, k, m) for i, (k, m) in enumerate(batch)],
                    )
                )
                gc.collect()
                rss.append(rss_mb())
        sync_client.close()
        asyncio.run(async_phase())
        gc.collect()
        left = open_sockets(port)
        stats = server.stats()
    untyped = {k: v for k, v in outcomes.items() if k.startswith("UNTYPED")}
    return {
        "calls": calls,
        "seconds": round(time.monotonic() - start, 1),
        "outcomes": dict(sorted(outcomes.items())),
        "untyped": untyped,
        "ended": sum(outcomes.values()),
        "requests_served": stats["requests"],
        "client_sockets_left_open": left,
        "server_connections_left_open": stats["open"],
        "peak_server_connections": stats["peak_open"],
        "rss_mb_after_each_1000": [round(x, 1) for x in rss],
        "rss_growth_mb": round(rss[-1] - rss[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(soak(args.calls), indent=2))


if __name__ == "__main__":
    main()
