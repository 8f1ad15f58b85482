"""A batch service whose one finished job's output file holds N results, written as it is read
(chunked, generated line by line): for measuring that reading results keeps memory flat.

    python -m tests.support.batch_stream_server N    # prints the port, serves until killed
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support import openai_shapes as oa


def line(n: int) -> bytes:
    body = oa.completion(f"answer number {n} " + "x" * 200, prompt_tokens=20, completion_tokens=50)
    item = {
        "id": f"batch_req_{n}",
        "custom_id": f"call-{n}",
        "response": {"status_code": 200, "request_id": f"req_{n}", "body": body},
        "error": None,
    }
    return json.dumps(item).encode() + b"\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    count = 0

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/v1/batches/"):
            job = {
                "id": "batch_big",
                "object": "batch",
                "status": "completed",
                "output_file_id": "file-out",
                "error_file_id": None,
                "created_at": 1735689600,
                "request_counts": {"total": self.count, "completed": self.count, "failed": 0},
            }
            data = json.dumps(job).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("content-type", "application/octet-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        chunk: list[bytes] = []
        for n in range(self.count):
            chunk.append(line(n))
            if len(chunk) == 50 or n == self.count - 1:
                data = b"".join(chunk)
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                chunk = []
        self.wfile.write(b"0\r\n\r\n")


def main() -> None:
    Handler.count = int(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
