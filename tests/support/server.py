"""A real HTTP/1.1 server on 127.0.0.1 for tests: scripted replies, faults included.

Each request takes the next `Reply` from the queue (or asks `responder`, when set). A reply
can delay its headers, send its body in paced chunks, stop sending (stall), or reset the
connection after some chunks. Requests are recorded for assertions, and so are connections
(how many were opened, how many are open, the most open at once) to tell leaks apart.
A delay or a stall ends early when the client hangs up, so no handler outlives its client.
"""

from __future__ import annotations

import json
import select
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes | list[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    header_delay: float = 0.0  # seconds before the status line
    chunk_delay: float = 0.0  # seconds between body chunks
    stall_after: int | None = None  # stop sending (keep the socket open) after N chunks
    reset_after: int | None = None  # reset the connection after N chunks (None: never)
    reset_before_headers: bool = False
    chunked: bool = True  # a list body: chunked encoding, or (False) one content-length body

    @property
    def size(self) -> int:
        return sum(map(len, self.body)) if isinstance(self.body, list) else len(self.body)

    @classmethod
    def json(cls, data: Any, status: int = 200, **kw: Any) -> Reply:
        return cls(status=status, body=json.dumps(data).encode(), **kw)

    @classmethod
    def sse(cls, events: list[Any], done: str | None = "[DONE]", **kw: Any) -> Reply:
        chunks = [
            f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n".encode() for e in events
        ]
        if done is not None:
            chunks.append(f"data: {done}\n\n".encode())
        return cls(body=chunks, content_type="text/event-stream", **kw)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when the request arrived

    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each reply's body waits on a delayed ACK (~40 ms)
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # silence
        pass

    def setup(self) -> None:
        super().setup()
        self.server.owner.opened()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner.closed()

    def _wait(self, seconds: float | None) -> None:
        """Sleep `seconds` (None: until the server stops); raises when the client hangs up."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while not self.server.owner.stalled.is_set():
            left = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
            if left <= 0:
                return
            readable, _, _ = select.select([self.connection], [], [], left)
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                raise ConnectionAbortedError("the client closed the connection")
            if readable:  # bytes of a next request: not ours to read yet
                time.sleep(left)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        rec = Recorded(self.command, self.path, headers, body)
        reply = self.server.owner.next_reply(rec)
        self._send(reply)

    do_GET = do_POST
    do_PUT = do_POST

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _send(self, reply: Reply) -> None:
        try:
            self._write(reply)
        except OSError:  # the client went away (timed out, reset): nothing to report
            self.close_connection = True

    def _write(self, reply: Reply) -> None:
        if reply.header_delay:
            self._wait(reply.header_delay)
        if reply.reset_before_headers:
            return self._reset()
        chunks = reply.body if isinstance(reply.body, list) else [reply.body]
        streamed = isinstance(reply.body, list) and reply.chunked
        self.send_response(reply.status)
        self.send_header("content-type", reply.content_type)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if streamed:
            self.send_header("transfer-encoding", "chunked")
        else:
            self.send_header("content-length", str(reply.size))
        self.end_headers()
        for i, chunk in enumerate(chunks):
            if reply.reset_after is not None and i >= reply.reset_after:
                self.wfile.flush()
                return self._reset()
            if reply.stall_after is not None and i >= reply.stall_after:
                self.wfile.flush()
                self.close_connection = True
                return self._wait(None)
            if i and reply.chunk_delay:
                self._wait(reply.chunk_delay)
            if streamed:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
            self.wfile.flush()
        if streamed:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], OSError):  # a client that hung up is no news
            super().handle_error(request, client_address)


class LoopbackServer:
    """Start with `with LoopbackServer() as server:`; `server.url` is its base URL."""

    def __init__(self, responder: Callable[[Recorded], Reply] | None = None) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self.responder = responder
        self.record = True  # keep every request in `requests` (False: for load tests)
        self.stalled = threading.Event()  # set when the server stops: stalls end
        self.connections = 0  # connections accepted so far
        self.open = 0  # connections open now
        self.peak_open = 0  # the most open at once
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def queue(self, *replies: Reply) -> LoopbackServer:
        self.replies.extend(replies)
        return self

    def next_reply(self, rec: Recorded) -> Reply:
        with self._lock:
            if self.record:
                self.requests.append(rec)
            if self.replies:
                return self.replies.popleft()
        if self.responder is not None:
            return self.responder(rec)
        return Reply.json({"error": {"message": "no reply scripted"}}, status=500)

    def opened(self) -> None:
        with self._lock:
            self.connections += 1
            self.open += 1
            self.peak_open = max(self.peak_open, self.open)

    def closed(self) -> None:
        with self._lock:
            self.open -= 1

    def wait_all_closed(self, timeout: float = 2.0) -> bool:
        """True once every connection the server accepted is closed (within `timeout`)."""
        deadline = time.monotonic() + timeout
        while self.open and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.open == 0

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stalled.set()
        self._server.shutdown()
        self._server.server_close()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (for connection-refused tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A `LoopbackServer` in a process of its own that answers every request with one reply:
    for load tests, where a server sharing the client's interpreter (and its GIL and memory
    accounting) would measure itself. `stats()` reports its connection counts."""

    def __init__(
        self, body: bytes = b"", content_type: str = "application/json", responder: str = ""
    ) -> None:
        """Every request answered with `body`, or by `responder` ("module:function", taking
        a `Recorded` and returning a `Reply`; imported in the server's process)."""
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(
            target=_serve_in_child, args=(child, body, content_type, responder), daemon=True
        )
        self.url = ""

    def __enter__(self) -> ServerProcess:
        self._process.start()
        if not self._pipe.poll(30):
            raise RuntimeError("the server process did not start")
        self.url = self._pipe.recv()
        return self

    def stats(self, settle: float = 2.0) -> dict[str, int]:
        """requests, connections, open, peak_open (waiting up to `settle` s for open == 0)."""
        self._pipe.send(settle)
        return self._pipe.recv()

    def __exit__(self, *exc: object) -> None:
        self._pipe.send(None)
        self._process.join(5)
        if self._process.is_alive():
            self._process.kill()


def _serve_in_child(pipe: Any, body: bytes, content_type: str, responder: str) -> None:
    served = 0
    lock = threading.Lock()

    def answer(rec: Recorded) -> Reply:
        return Reply(body=body, content_type=content_type)

    if responder:
        import importlib

        module, _, name = responder.partition(":")
        answer = getattr(importlib.import_module(module), name)

    def respond(rec: Recorded) -> Reply:
        nonlocal served
        with lock:
            served += 1
        return answer(rec)

    server = LoopbackServer(responder=respond)
    server.record = False
    with server:
        pipe.send(server.url)
        while (settle := pipe.recv()) is not None:
            server.wait_all_closed(settle)
            with lock:
                stats = {"requests": served, "connections": server.connections}
            stats |= {"open": server.open, "peak_open": server.peak_open}
            pipe.send(stats)
