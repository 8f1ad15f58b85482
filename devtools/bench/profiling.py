"""Profile one contender's hot path against the bench server with cProfile.

`python -m devtools.bench.profiling [call|stream|paced] [--contender modelwire]
[--protocol openai] [--n N] [--chunks 2000] [--top 25] [--out FILE.prof]`

Warms up, then profiles `n` non-streamed calls or `n` streams and prints the top functions
by own time and by cumulative time (file:line), as pstats does; `--out` keeps the raw stats
(for snakeviz or `python -m pstats`). cProfile adds a fixed cost per Python call, so many
small functions look dearer than they are: compare with the bench's figures, or sample with
py-spy (`py-spy record -o out.svg -- python -m devtools.bench.profiling ... --no-profile`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

from .contenders import CONTENDERS
from .run import Server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.bench.profiling")
    parser.add_argument("task", choices=("call", "stream", "paced"), default="call", nargs="?")
    parser.add_argument("--contender", default="modelwire", choices=sorted(CONTENDERS))
    parser.add_argument("--protocol", default="openai", choices=("openai", "anthropic"))
    parser.add_argument("--n", type=int, help="calls (default 3000) or streams (default 20)")
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, help="write the raw stats here")
    parser.add_argument("--no-profile", action="store_true", help="run only (for py-spy)")
    args = parser.parse_args(argv)

    mode = "paced" if args.task == "paced" else "batched"
    server = Server(sorted({args.chunks, 200}), 200.0)
    try:
        c = CONTENDERS[args.contender](
            args.protocol, f"{server.url}/bench-{args.chunks}-{mode}", is_async=False
        )
        if args.task == "call":
            n = args.n or 3000
            op = c.call
        else:
            n = args.n or (3 if mode == "paced" else 20)
            op = c.stream  # type: ignore[assignment]
        for _ in range(max(3, n // 10)):
            op()
        profiler = None if args.no_profile else cProfile.Profile()
        cpu = time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(n):
            op()
        if profiler:
            profiler.disable()
        cpu = time.process_time() - cpu
        c.close()
    finally:
        server.stop()
    per = n * (args.chunks if args.task != "call" else 1)
    unit = "chunk" if args.task != "call" else "call"
    print(f"{args.contender} {args.protocol} {args.task}: {cpu / per * 1e6:.1f} µs CPU per {unit}")
    print("(under the profiler: slower than in the bench)\n" if profiler else "")
    if profiler is None:
        return 0
    if args.out:
        profiler.dump_stats(args.out)
    for key in ("tottime", "cumulative"):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats(key).print_stats(args.top)
        text = buffer.getvalue()
        print(f"--- top {args.top} by {key} ---")
        print(text[text.index("   ncalls") :] if "   ncalls" in text else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
