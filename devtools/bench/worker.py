"""One measurement in a fresh process: `python -m devtools.bench.worker '<json spec>'`.

Prints one JSON line: `ops` done, client `cpu_s` (`time.process_time`, this process only: the
server's CPU is not counted), `wall_s`, `maxrss_kb` at the end and `rss_start_kb` after the
warm-up, and for streams the text deltas `seen` in the last one.

Tasks (spec `task`):
- `call`: `warmup` then `n` sync non-streamed calls (fewer, at least 20, past `budget_s`).
- `stream`: a non-streamed call on the measured client (opens its pool and connection), a
  few warm-up streams of 200 chunks on a second client (code paths), then `n` streams of
  `chunks` chunks (`mode` batched or paced) on the measured client (fewer, at least one,
  past `budget_s`).
- `async`: `warmup` rounds of `warmup_concurrency` (default `concurrency`) calls at once,
  then `n` calls in `concurrency` lanes (each lane awaiting its calls one after another), timed by the wall clock (the same
  task at concurrency 50 and 1,000).
- `cold`: what a fresh process pays for its first answer: import the library, build the
  client, one non-streamed call (no warm-up: that is the point), each part timed. Only
  json, re and typing are loaded before (by this module): no contender's imports.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from .contenders import CONTENDERS, Contender


def _maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _route(server: str, chunks: int, mode: str) -> str:
    return f"{server}/bench-{chunks}-{mode}"


def _timed(run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    rss_start = _maxrss_kb()
    cpu, wall = time.process_time(), time.perf_counter()
    extra = run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"cpu_s": cpu, "wall_s": wall, "rss_start_kb": rss_start, **extra}


def _repeat(op: Callable[[], Any], n: int, least: int, budget: float) -> list[Any]:
    """`op()` `n` times, or fewer (at least `least`) once `budget` seconds have passed: a slow
    contender does less work, not a longer run; its per-op figures are as good."""
    deadline = time.perf_counter() + budget
    out = []
    for i in range(n):
        out.append(op())
        if i + 1 >= least and time.perf_counter() > deadline:
            break
    return out


def calls(spec: dict[str, Any], make: type[Contender]) -> dict[str, Any]:
    c = make(spec["protocol"], _route(spec["server"], 0, "batched"), is_async=False)
    for _ in range(spec["warmup"]):
        if not c.call():
            raise RuntimeError("an empty answer")
    n, budget = spec["n"], spec["budget_s"]
    out = _timed(lambda: {"ops": len(_repeat(c.call, n, min(n, 20), budget))})
    c.close()
    return out


def streams(spec: dict[str, Any], make: type[Contender]) -> dict[str, Any]:
    protocol, server, chunks = spec["protocol"], spec["server"], spec["chunks"]
    c = make(protocol, _route(server, chunks, spec["mode"]), is_async=False)
    c.call()
    warm = make(protocol, _route(server, 200, "batched"), is_async=False)
    for _ in range(spec["warmup"]):
        if warm.stream() != 200:
            raise RuntimeError(f"{warm.name}: a 200-chunk stream did not give 200 text deltas")
    warm.close()

    def run() -> dict[str, Any]:
        seen = _repeat(c.stream, spec["n"], 1, spec["budget_s"])
        return {"ops": len(seen) * chunks, "seen": min(seen)}

    out = _timed(run)
    c.close()
    return out


def concurrent(spec: dict[str, Any], make: type[Contender]) -> dict[str, Any]:
    import asyncio

    conc, n = spec["concurrency"], spec["n"]
    per_lane = max(1, n // conc)
    warm = spec.get("warmup_concurrency", conc)

    async def main() -> dict[str, Any]:
        c = make(spec["protocol"], _route(spec["server"], 0, "batched"), is_async=True)
        for _ in range(spec["warmup"]):
            await asyncio.gather(*(c.acall() for _ in range(warm)))

        async def lane() -> None:
            for _ in range(per_lane):
                await c.acall()

        rss_start = _maxrss_kb()
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(conc)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        await c.aclose()
        return {"cpu_s": cpu, "wall_s": wall, "rss_start_kb": rss_start, "ops": per_lane * conc}

    return asyncio.run(main())


def cold(spec: dict[str, Any], make: type[Contender]) -> dict[str, Any]:
    rss_start = _maxrss_kb()
    cpu, marks = time.process_time(), [time.perf_counter()]
    make.load()
    marks.append(time.perf_counter())
    c = make(spec["protocol"], _route(spec["server"], 0, "batched"), is_async=False)
    marks.append(time.perf_counter())
    if not c.call():
        raise RuntimeError("an empty answer")
    marks.append(time.perf_counter())
    cpu = time.process_time() - cpu
    c.close()
    steps = zip(COLD_PARTS, pairwise(marks), strict=True)
    parts = {f"{part}_s": end - start for part, (start, end) in steps}
    wall = marks[-1] - marks[0]
    return {"ops": 1, "cpu_s": cpu, "wall_s": wall, "rss_start_kb": rss_start, **parts}


COLD_PARTS = ("import", "construct", "call")  # the cold sequence's steps, in order
TASKS = {"call": calls, "stream": streams, "async": concurrent, "cold": cold}


def main(argv: list[str] | None = None) -> int:
    spec = json.loads((argv or sys.argv[1:])[0])
    out = TASKS[spec["task"]](spec, CONTENDERS[spec["contender"]])
    out["maxrss_kb"] = _maxrss_kb()
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
