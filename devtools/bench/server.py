"""The bench server: OpenAI- and Anthropic-shaped answers on 127.0.0.1, in a process of its own.

`python -m devtools.bench.server [--sizes 2000,10000] [--pace-us 200]` prints its base URL on
the first line of stdout and serves until its stdin closes (the runner going away included).

A thread per connection, HTTP/1.1 keep-alive, every response precomputed as bytes, so the
server costs as little as it can of the 2 cores it shares with the client being measured
(`tests/support/server.py` is built for scripted faults: one reply, every chunk flushed,
headers parsed by `http.server`; too slow for load). Routes:

    POST /bench-{chunks}-{batched|paced}/v1/chat/completions   OpenAI Chat Completions
    POST /bench-{chunks}-{batched|paced}/v1/messages           Anthropic Messages
    (and the same without the /bench-... prefix: 2,000 chunks, batched)

`"stream": true` in the request body asks for SSE (OpenAI with the `include_usage` chunk
last), else the JSON answer. `batched` writes the stream in 64 KiB chunked-encoding frames
at once; `paced` writes one SSE event per frame and per `send`, sleeping `--pace-us`
between events, so the client reads one event at a time as from a real model.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass

from . import payloads

ROUTE = re.compile(
    rb"^(?:/bench-(?P<chunks>\d+)-(?P<mode>batched|paced))?"
    rb"/v1/(?P<api>chat/completions|messages)(?:\?.*)?$"
)
STREAM = re.compile(rb'"stream"\s*:\s*true')
FRAME = 64 * 1024
BACKLOG = 4096
# a thread per connection, up to ~1,000 at once: small stacks (they hold a few frames) keep
# that well within memory; their requests are short, so the GIL is not what limits them
THREAD_STACK = 256 * 1024
DEFAULT_CHUNKS = 2000


@dataclass(frozen=True, slots=True)
class Answer:
    head: bytes  # status line and headers
    body: bytes  # the whole body (JSON, or the stream in big chunked frames)
    frames: tuple[bytes, ...] = ()  # the stream one event per chunked frame (paced)


def _head(protocol: str, content_type: str, length: int | None) -> bytes:
    lines = [
        "HTTP/1.1 200 OK",
        f"content-type: {content_type}",
        f"{payloads.request_id_header(protocol)}: req_bench0123456789",
        "connection: keep-alive",
        f"content-length: {length}" if length is not None else "transfer-encoding: chunked",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _frame(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def build(protocol: str, chunks: int | None) -> Answer:
    """The answer for a protocol: JSON (`chunks` None) or a stream of `chunks` text deltas."""
    if chunks is None:
        body = payloads.completion(protocol)
        return Answer(_head(protocol, "application/json", len(body)), body)
    events = payloads.events(protocol, chunks)
    whole = b"".join(events)
    big = b"".join(_frame(whole[i : i + FRAME]) for i in range(0, len(whole), FRAME))
    head = _head(protocol, "text/event-stream; charset=utf-8", None)
    return Answer(head, big + b"0\r\n\r\n", tuple(map(_frame, events)))


class BenchServer:
    def __init__(self, sizes: list[int], pace: float) -> None:
        self.pace = pace
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, int | None], Answer] = {}
        for protocol in payloads.PROTOCOLS:  # precomputed, so no request waits for it
            for chunks in (None, *sizes):
                self.answer(protocol, chunks)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        # 1,000 concurrent calls from a client whose pool is not capped (LiteLLM's) may connect
        # at once: a backlog above that (the kernel caps it at net.core.somaxconn) so none is
        # refused or retried after a SYN timeout, which would time the backlog, not the client
        self.sock.listen(BACKLOG)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def answer(self, protocol: str, chunks: int | None) -> Answer:
        key = (protocol, chunks)
        found = self._answers.get(key)
        if found is None:
            with self._lock:
                found = self._answers.get(key) or build(protocol, chunks)
                self._answers[key] = found
        return found

    def serve_forever(self) -> None:
        while True:
            conn, _ = self.sock.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        try:
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(FRAME)
                    if not data:
                        return
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                target = lines[0].split(b" ")[1]
                length, chunked, close = 0, False, False
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    name, value = name.strip().lower(), value.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"transfer-encoding":
                        chunked = value == b"chunked"
                    elif name == b"connection":
                        close = value == b"close"
                if chunked:
                    body, buffer = self._read_chunked(conn, buffer)
                else:
                    while len(buffer) < length:
                        data = conn.recv(FRAME)
                        if not data:
                            return
                        buffer += data
                    body, buffer = buffer[:length], buffer[length:]
                self._reply(conn, target, body)
                if close:
                    return
        except OSError:
            pass
        finally:
            conn.close()

    @staticmethod
    def _read_chunked(conn: socket.socket, buffer: bytes) -> tuple[bytes, bytes]:
        body = b""
        while True:
            while b"\r\n" not in buffer:
                buffer += conn.recv(FRAME)
            size_line, _, buffer = buffer.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(buffer) < size + 2:
                data = conn.recv(FRAME)
                if not data:
                    raise ConnectionError("the client went away mid-body")
                buffer += data
            body, buffer = body + buffer[:size], buffer[size + 2 :]
            if size == 0:
                return body, buffer

    def _reply(self, conn: socket.socket, target: bytes, body: bytes) -> None:
        route = ROUTE.match(target)
        if route is None:
            message = b'{"error":{"message":"no such route","type":"invalid_request_error"}}'
            conn.sendall(
                b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\n\r\n%s" % (len(message), message)
            )
            return
        protocol = "openai" if route["api"] == b"chat/completions" else "anthropic"
        if not STREAM.search(body):
            answer = self.answer(protocol, None)
            conn.sendall(answer.head + answer.body)
            return
        chunks = int(route["chunks"]) if route["chunks"] else DEFAULT_CHUNKS
        answer = self.answer(protocol, chunks)
        if route["mode"] != b"paced":
            conn.sendall(answer.head + answer.body)
            return
        conn.sendall(answer.head)
        for frame in answer.frames:
            conn.sendall(frame)
            if self.pace:
                time.sleep(self.pace)
        conn.sendall(b"0\r\n\r\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.bench.server")
    parser.add_argument("--sizes", default=str(DEFAULT_CHUNKS), help="stream sizes to precompute")
    parser.add_argument("--pace-us", type=float, default=200.0, help="sleep between paced events")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    threading.stack_size(THREAD_STACK)
    server = BenchServer(sizes, args.pace_us / 1e6)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.url, flush=True)
    sys.stdin.read()  # until the runner closes our stdin (or exits)
    os._exit(0)  # connection threads may be mid-send: do not wait for them


if __name__ == "__main__":
    sys.exit(main())
