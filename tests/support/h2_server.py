"""An HTTP/2 server on 127.0.0.1 for tests: cleartext with prior knowledge (h2c), on `h2`.

Its asyncio loop runs in a thread of its own, so sync tests and async tests (on their own
loop) use it alike: `with H2LoopbackServer() as server:`, `server.url`. Each request takes the
next `Reply` of the queue (the `Reply` of `tests.support.server`: a JSON body, or SSE events,
each sent as a DATA frame of its own) and is recorded as an `H2Recorded`. Only HTTP/2 is
spoken: an HTTP/1.1 request is a protocol error that closes its connection (`refused` counts
them). Flow control is honoured both ways: received data is acknowledged, and a body larger
than the stream's or the connection's window waits for the client's WINDOW_UPDATE.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from dataclasses import dataclass

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

from .server import Recorded, Reply


@dataclass
class H2Recorded(Recorded):
    stream_id: int = 0
    connection: int = 0  # which connection (1, 2, ... in the order they were opened)
    http_version: str = "HTTP/2"  # parsed by h2 from frames: nothing else gets recorded


class _Connection:
    def __init__(self, owner: H2LoopbackServer, number: int, writer: asyncio.StreamWriter):
        self.owner, self.number, self.writer = owner, number, writer
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        self.h2 = h2.connection.H2Connection(config=config)
        self.h2.local_settings = h2.settings.Settings(
            client=False,
            initial_values={
                h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: owner.max_concurrent_streams,
                h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: 2**16,
            },
        )
        self.heads: dict[int, dict[str, str]] = {}
        self.bodies: dict[int, bytearray] = {}
        self.window = asyncio.Event()  # set (and replaced) when the peer opens a window

    def flush(self) -> None:
        data = self.h2.data_to_send()
        if data:
            self.writer.write(data)

    async def run(self, reader: asyncio.StreamReader) -> None:
        self.h2.initiate_connection()
        self.flush()
        while data := await reader.read(65536):
            try:
                events = self.h2.receive_data(data)
            except h2.exceptions.ProtocolError:  # an HTTP/1.1 request, say
                self.owner.refused += 1
                self.flush()
                return
            for event in events:
                self.handle(event)
            self.flush()
            await self.writer.drain()

    def handle(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.RequestReceived):
            self.heads[event.stream_id] = dict(event.headers)  # type: ignore[arg-type]
            self.bodies[event.stream_id] = bytearray()
            if event.stream_ended is not None:
                self.respond(event.stream_id)
        elif isinstance(event, h2.events.DataReceived):
            self.bodies[event.stream_id] += event.data or b""
            self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.respond(event.stream_id)
        elif isinstance(event, h2.events.WindowUpdated | h2.events.RemoteSettingsChanged):
            self.window.set()
            self.window = asyncio.Event()

    def respond(self, stream_id: int) -> None:
        head = self.heads.pop(stream_id)
        body = bytes(self.bodies.pop(stream_id))
        rec = H2Recorded(head[":method"], head[":path"], head, body, stream_id=stream_id)
        rec.connection = self.number
        task = asyncio.ensure_future(self.send(stream_id, self.owner.next_reply(rec)))
        self.owner.tasks.add(task)
        task.add_done_callback(self.owner.tasks.discard)

    async def send(self, stream_id: int, reply: Reply) -> None:
        chunks = reply.body if isinstance(reply.body, list) else [reply.body]
        headers = [(":status", str(reply.status)), ("content-type", reply.content_type)]
        headers += list(reply.headers.items())
        if not isinstance(reply.body, list):
            headers.append(("content-length", str(reply.size)))
        try:
            if reply.header_delay:
                await asyncio.sleep(reply.header_delay)
            self.h2.send_headers(stream_id, headers)
            self.flush()
            for i, chunk in enumerate(chunks):
                if i and reply.chunk_delay:
                    await asyncio.sleep(reply.chunk_delay)
                await self.send_data(stream_id, chunk)
            self.h2.end_stream(stream_id)
            self.flush()
            await self.writer.drain()
        except (h2.exceptions.StreamClosedError, ConnectionError):
            pass  # the client reset the stream or went away

    async def send_data(self, stream_id: int, data: bytes) -> None:
        """`data` as DATA frames, each within the flow-control windows and the frame size."""
        while data:
            window = self.h2.local_flow_control_window(stream_id)
            size = min(window, len(data), self.h2.max_outbound_frame_size)
            if size <= 0:
                self.owner.window_waits += 1
                await self.window.wait()
                continue
            self.h2.send_data(stream_id, data[:size])
            data = data[size:]
            self.flush()
            await self.writer.drain()


class H2LoopbackServer:
    def __init__(self, max_concurrent_streams: int = 100) -> None:
        self.max_concurrent_streams = max_concurrent_streams
        self.replies: deque[Reply] = deque()
        self.requests: list[H2Recorded] = []
        self.connections = 0  # connections accepted so far
        self.refused = 0  # connections closed on a protocol error (not HTTP/2)
        self.window_waits = 0  # times a reply waited for the client to open a window
        self.tasks: set[asyncio.Future[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def queue(self, *replies: Reply) -> H2LoopbackServer:
        with self._lock:
            self.replies.extend(replies)
        return self

    def next_reply(self, rec: H2Recorded) -> Reply:
        with self._lock:
            self.requests.append(rec)
            if self.replies:
                return self.replies.popleft()
        return Reply.json({"error": {"message": "no reply scripted"}}, status=500)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            await _Connection(self, self.connections, writer).run(reader)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    def __enter__(self) -> H2LoopbackServer:
        self._thread.start()
        start = asyncio.start_server(self._serve, "127.0.0.1", 0)
        self._server = asyncio.run_coroutine_threadsafe(start, self._loop).result(5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            for task in list(self.tasks):
                task.cancel()
            for writer in list(self._writers):
                writer.close()
            await asyncio.sleep(0.01)  # the connections' readers see their end

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
