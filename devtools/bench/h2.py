"""HTTP/2 (h2c, prior knowledge) against HTTP/1.1: modelwire's async calls at high concurrency.

`python -m devtools.bench.h2 [--n 2000] [--concurrency 50,500] [--max-streams 100,1000]`
prints a markdown table: for each transport and concurrency, a fresh server process (pinned
to core 0) and a fresh client process (pinned to core 1) run a warm-up round of `concurrency`
calls, then `n` calls in `concurrency` lanes: calls/s (wall clock), client CPU per call
(`time.process_time`, the client process only) and the connections the server accepted.

- HTTP/1.1: `devtools.bench.server.BenchServer` (its accept loop counting connections),
  modelwire's pool capped at 100 connections.
- HTTP/2: a small asyncio server on `h2` answering every request with the same precomputed
  OpenAI answer (`payloads.completion("openai")`), advertising `--max-streams` concurrent
  streams per connection (h2's own default is 100); `AIModelAPI(..., http2=True)`.

Calls run with `retries=0`, so a failure is counted (`errors`), not retried away.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-bench-not-a-secret"
WORKER_TIMEOUT = 300
SERVER_CORE, CLIENT_CORE = 0, 1


def _pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {core})


# --- the servers (in a process of their own) --------------------------------------------------


def _h2_server(stats: dict[str, int], max_streams: int) -> tuple[asyncio.AbstractEventLoop, int]:
    import h2.config
    import h2.connection
    import h2.events
    import h2.exceptions
    import h2.settings

    from . import payloads

    body = payloads.completion("openai")
    head = [
        (b":status", b"200"),
        (b"content-type", b"application/json"),
        (b"x-request-id", b"req_bench0123456789"),
        (b"content-length", str(len(body)).encode()),
    ]
    config = h2.config.H2Configuration(client_side=False, header_encoding=None)

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            stats["connections"] += 1
            self.transport: asyncio.Transport = transport  # type: ignore[assignment]
            self.h2 = h2.connection.H2Connection(config=config)
            self.h2.local_settings = h2.settings.Settings(
                client=False,
                initial_values={
                    h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: max_streams,
                    h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: 2**16,
                },
            )
            self.pending: dict[int, bytes] = {}  # what a stream has yet to send
            self.open_streams = 0  # streams opened by the client and not yet answered in full
            self.h2.initiate_connection()
            self.transport.write(self.h2.data_to_send())

        def data_received(self, data: bytes) -> None:
            try:
                events = self.h2.receive_data(data)
            except h2.exceptions.ProtocolError:
                self.transport.close()
                return
            for event in events:
                if isinstance(event, h2.events.DataReceived):
                    self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.RequestReceived):
                    self.open_streams += 1
                    stats["peak_streams"] = max(stats["peak_streams"], self.open_streams)
                elif isinstance(event, h2.events.StreamEnded):
                    stats["requests"] += 1
                    self.h2.send_headers(event.stream_id, head)
                    self.pending[event.stream_id] = body
                    self.push(event.stream_id)
                elif isinstance(event, h2.events.WindowUpdated | h2.events.RemoteSettingsChanged):
                    for stream_id in list(self.pending):
                        self.push(stream_id)
                elif (
                    isinstance(event, h2.events.StreamReset)
                    and self.pending.pop(event.stream_id, None) is not None
                ):
                    self.open_streams -= 1
            self.transport.write(self.h2.data_to_send())

        def push(self, stream_id: int) -> None:
            """What the windows let through now; the rest waits for a WINDOW_UPDATE."""
            data = self.pending[stream_id]
            while data:
                size = min(
                    self.h2.local_flow_control_window(stream_id),
                    self.h2.max_outbound_frame_size,
                    len(data),
                )
                if size <= 0:
                    self.pending[stream_id] = data
                    return
                self.h2.send_data(stream_id, data[:size], end_stream=size == len(data))
                data = data[size:]
            del self.pending[stream_id]
            self.open_streams -= 1

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(Protocol, "127.0.0.1", 0, backlog=4096))
    return loop, server.sockets[0].getsockname()[1]


def _h1_server(stats: dict[str, int]) -> tuple[Any, int]:
    import socket

    from .server import BenchServer

    class Counting(BenchServer):
        def serve_forever(self) -> None:
            while True:
                conn, _ = self.sock.accept()
                stats["connections"] += 1
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

        def _reply(self, conn: socket.socket, target: bytes, body: bytes) -> None:
            stats["requests"] += 1
            super()._reply(conn, target, body)

    server = Counting([], 0.0)
    return server, server.sock.getsockname()[1]


def serve(http: int, max_streams: int) -> None:
    """Print the URL, then a stats line per "stats" line read; exit when stdin closes."""
    _pin(SERVER_CORE)
    threading.stack_size(256 * 1024)
    stats = {"connections": 0, "requests": 0, "peak_streams": 0}
    if http == 2:
        loop, port = _h2_server(stats, max_streams)
        run = loop.run_forever
    else:
        server, port = _h1_server(stats)
        run = server.serve_forever
    threading.Thread(target=run, daemon=True).start()
    print(f"http://127.0.0.1:{port}", flush=True)
    for line in sys.stdin:
        if line.strip() == "stats":
            print(json.dumps(stats), flush=True)
    os._exit(0)


# --- the client (in a process of its own) ------------------------------------------------------


def work(spec: dict[str, Any]) -> dict[str, Any]:
    _pin(CLIENT_CORE)
    from modelwire import (
        AIModelAPI,
        AIModelAPIProviderEnum,
        AIModelCallConfig,
        AIModelClient,
        AIModelEndpoint,
    )
    from modelwire.models import GPT4oMini

    conc, n = spec["concurrency"], spec["n"]
    per_lane = max(1, n // conc)
    errors: list[str] = []

    async def main() -> dict[str, Any]:
        api = AIModelAPI(
            AIModelAPIProviderEnum.OPEN_AI,
            api_key=KEY,
            base_url=spec["server"] + "/v1",
            http2=spec["http2"],
        )
        config = AIModelCallConfig(max_output_tokens=1024, retries=0)
        client = AIModelClient(AIModelEndpoint(api, GPT4oMini), config, is_async=True)

        async def call() -> None:
            try:
                chat = (await client.generate_async(prompt="Say hello.")).chat_response
                if chat is None or not chat.text():
                    errors.append("an empty answer")
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}"[:200])

        await asyncio.gather(*(call() for _ in range(conc)))  # warm-up: opens the pool
        warm_errors = len(errors)

        async def lane() -> None:
            for _ in range(per_lane):
                await call()

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(conc)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        await client.aclose()
        return {
            "calls": per_lane * conc,
            "cpu_s": cpu,
            "wall_s": wall,
            "warmup_errors": warm_errors,
            "errors": len(errors) - warm_errors,
            "first_error": errors[0] if errors else "",
        }

    return asyncio.run(main())


# --- the runner --------------------------------------------------------------------------------


def measure(http: int, max_streams: int, concurrency: int, n: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "devtools.bench.h2", "serve", "--http", str(http)]
    cmd += ["--max-streams", str(max_streams)]
    server = subprocess.Popen(
        cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        url = server.stdout.readline().strip()
        spec = {"server": url, "http2": http == 2, "concurrency": concurrency, "n": n}
        env = {**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
        worker = [sys.executable, "-m", "devtools.bench.h2", "worker", json.dumps(spec)]
        try:
            proc = subprocess.run(
                worker, cwd=ROOT, capture_output=True, text=True, env=env, timeout=WORKER_TIMEOUT
            )
            if proc.returncode:
                out = {"failed": proc.stderr.strip().splitlines()[-1:]}
            else:
                out = json.loads(proc.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            out = {"failed": f"no result in {WORKER_TIMEOUT} s (a stall?)"}
        server.stdin.write("stats\n")
        server.stdin.flush()
        out |= json.loads(server.stdout.readline())
    finally:
        server.stdin.close()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return out


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def table(rows: list[dict[str, Any]]) -> str:
    """One row per transport and concurrency: medians over the rounds (calls/s: its range)."""
    lines = [
        "| transport | concurrency | calls/round | calls/s (median, range) "
        "| client CPU µs/call | connections opened/round | peak streams/conn | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        label, conc, runs = row["transport"], row["concurrency"], row["runs"]
        failed = [r["failed"] for r in runs if "failed" in r]
        ok = [r for r in runs if "failed" not in r]
        errors = sum(r["errors"] + r["warmup_errors"] for r in ok)
        first = [r["first_error"] for r in ok if r["first_error"]][:1]
        notes = [str(errors), *first]
        notes += [f"failed: {f}" for f in failed[:1]]
        if not ok:
            lines.append(f"| {label} | {conc} | - | - | - | - | - | {'; '.join(notes)} |")
            continue
        rates = [r["calls"] / r["wall_s"] for r in ok]
        cpu = _median([r["cpu_s"] / r["calls"] * 1e6 for r in ok])
        conns = sorted({r["connections"] for r in ok})
        peak = max(r["peak_streams"] for r in ok) or "-"
        lines.append(
            f"| {label} | {conc} | {ok[0]['calls']} "
            f"| {_median(rates):,.0f} ({min(rates):,.0f}-{max(rates):,.0f}) | {cpu:,.0f} "
            f"| {'/'.join(map(str, conns))} | {peak} | {'; '.join(notes)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["worker"]:
        print(json.dumps(work(json.loads(argv[1]))), flush=True)
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m devtools.bench.h2",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("mode", nargs="?", choices=["run", "serve"], default="run")
    parser.add_argument("--n", type=int, default=2000, help="measured calls (after warm-up)")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per figure")
    parser.add_argument("--concurrency", default="50,500")
    parser.add_argument(
        "--max-streams", default="100,1000", help="the h2 server's SETTINGS_MAX_CONCURRENT_STREAMS"
    )
    parser.add_argument("--http", type=int, choices=[1, 2], default=2, help="(serve only)")
    args = parser.parse_args(argv)
    if args.mode == "serve":
        serve(args.http, int(args.max_streams.split(",")[0]))
        return 0
    levels = [int(c) for c in args.concurrency.split(",")]
    streams = [int(m) for m in args.max_streams.split(",")]
    print(table(collect(args.n, args.rounds, levels, streams)))
    return 0


def collect(n: int, rounds: int, levels: list[int], max_streams: list[int]) -> list[dict[str, Any]]:
    """Every figure, `rounds` times (round after round: a slow spell of the machine hits all);
    JSON-ready rows for `table` (the bench report's HTTP/2 section stores them)."""
    transports = [("HTTP/1.1 (pool 100)", 1, 0)]
    transports += [(f"HTTP/2 h2c, server max {m} streams", 2, m) for m in max_streams]
    rows = [
        {"transport": label, "http": http, "max_streams": m, "concurrency": conc, "runs": []}
        for label, http, m in transports
        for conc in levels
    ]
    for r in range(rounds):
        for row in rows:
            print(
                f"http2 round {r + 1}: {row['transport']}, concurrency {row['concurrency']}",
                file=sys.stderr,
                flush=True,
            )
            row["runs"].append(measure(row["http"], row["max_streams"], row["concurrency"], n))
    return rows


if __name__ == "__main__":
    sys.exit(main())
