"""A real HTTP/1.1 server on 127.0.0.1 for tests: scripted replies, faults included.

Each request takes the next `Reply` from the queue (or asks `responder`, when set). A reply
can delay its headers, send its body in paced chunks, stop sending (stall), or reset the
connection after some chunks. Requests are recorded for assertions.
"""

from __future__ import annotations

import json
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
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # silence
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        rec = Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        reply = self.server.owner.next_reply(rec)
        self._send(reply)

    do_GET = do_POST

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
            time.sleep(reply.header_delay)
        if reply.reset_before_headers:
            return self._reset()
        chunks = reply.body if isinstance(reply.body, list) else [reply.body]
        streamed = isinstance(reply.body, list)
        self.send_response(reply.status)
        self.send_header("content-type", reply.content_type)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if streamed:
            self.send_header("transfer-encoding", "chunked")
        else:
            self.send_header("content-length", str(len(chunks[0])))
        self.end_headers()
        for i, chunk in enumerate(chunks):
            if reply.reset_after is not None and i >= reply.reset_after:
                self.wfile.flush()
                return self._reset()
            if reply.stall_after is not None and i >= reply.stall_after:
                self.wfile.flush()
                self.server.owner.stalled.wait(30)
                self.close_connection = True
                return None
            if i and reply.chunk_delay:
                time.sleep(reply.chunk_delay)
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


class LoopbackServer:
    """Start with `with LoopbackServer() as server:`; `server.url` is its base URL."""

    def __init__(self, responder: Callable[[Recorded], Reply] | None = None) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self.responder = responder
        self.stalled = threading.Event()
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
            self.requests.append(rec)
            if self.replies:
                return self.replies.popleft()
        if self.responder is not None:
            return self.responder(rec)
        return Reply.json({"error": {"message": "no reply scripted"}}, status=500)

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
