"""Memory while reading a batch job's results: 100,000 results from a loopback service that
writes its output file as it is read. Prints the results read, the file's size, the peak of
Python allocations while reading and the process's peak RSS growth.

    python -m devtools.bench.batch_memory [COUNT]
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
import tracemalloc


def main() -> None:
    from modelwire import AIModelAPI, AIModelEndpoint
    from modelwire.batch import BatchClient
    from modelwire.models import GPT4o
    from tests.support.batch_stream_server import line

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    size = sum(len(line(n)) for n in range(0, count, 1000)) * 1000
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.batch_stream_server", str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        api = AIModelAPI("openai", api_key="sk-bench", base_url=f"http://127.0.0.1:{port}/v1")
        with BatchClient(AIModelEndpoint(api, GPT4o)) as batches:
            job = batches.get("batch_big")
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            started = time.perf_counter()
            read = sum(1 for _ in job.results())
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    finally:
        proc.kill()
        proc.wait()
    print(f"results read: {read:,} (~{size / 1e6:.0f} MB of JSON lines) in {elapsed:.1f} s")
    print(f"peak Python allocations while reading: {peak / 1e6:.2f} MB")
    print(f"peak RSS growth while reading: {(after - before) / 1e3:.1f} MB")


if __name__ == "__main__":
    main()
