"""Fake batch services on 127.0.0.1: each keeps jobs in memory and moves them through their
provider's states as they are polled, answering every line with what a test's `answer` says
(the response body a direct call would get, or an error). Shapes from the API references.

`BatchService` is the shared part (jobs, state steps, outcomes: completed, expired, cancel);
one subclass per provider family routes that family's requests. Each is a `responder` of
`LoopbackServer`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tests.support.server import LoopbackServer, Recorded, Reply

# custom id, the line's body -> (HTTP status, the response body a direct call gets)
Answer = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]


@dataclass
class FakeJob:
    id: str
    lines: list[tuple[str, dict[str, Any]]]
    states: list[str]  # the states it moves through, one per poll
    step: int = 0
    cancelled_at: int | None = None  # lines answered before a cancel
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> str:
        return self.states[min(self.step, len(self.states) - 1)]


class BatchService:
    """Jobs and their progress. `outcome`: completed (every line answered), expired (only the
    first `answered` lines answered, the rest expired)."""

    def __init__(self, answer: Answer, outcome: str = "completed", answered: int | None = None):
        self.answer = answer
        self.outcome = outcome
        self.answered = answered
        self.jobs: dict[str, FakeJob] = {}
        self.files: dict[str, bytes] = {}
        self.ids = itertools.count(1)
        self.lock = threading.Lock()
        self.server = LoopbackServer(self.respond)

    def __enter__(self) -> BatchService:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.__exit__(*exc)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self) -> list[Recorded]:
        return self.server.requests

    def respond(self, rec: Recorded) -> Reply:
        with self.lock:
            for method, pattern, handler in self.routes():
                m = re.fullmatch(pattern, rec.path.split("?")[0])
                if m and rec.method == method:
                    return handler(rec, *m.groups())
        return Reply.json({"error": {"message": f"no route {rec.method} {rec.path}"}}, 404)

    def routes(self) -> list[tuple[str, str, Callable[..., Reply]]]:
        raise NotImplementedError

    def advance(self, job: FakeJob) -> FakeJob:
        job.step += 1
        return job

    def results(self, job: FakeJob) -> Iterator[tuple[str, int | None, dict[str, Any] | None]]:
        """(custom id, status, body) per line; status None: not run (expired or cancelled)."""
        limit = len(job.lines)
        if job.cancelled_at is not None:
            limit = job.cancelled_at
        elif self.outcome == "expired":
            limit = self.answered or 0
        for i, (custom_id, body) in enumerate(job.lines):
            if i < limit:
                status, answer = self.answer(custom_id, body)
                yield custom_id, status, answer
            else:
                yield custom_id, None, None

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.ids):04d}"


def multipart_file(rec: Recorded) -> tuple[dict[str, str], bytes]:
    """(form fields, the file's bytes) of a multipart/form-data request."""
    boundary = rec.headers["content-type"].split("boundary=")[1].encode()
    fields: dict[str, str] = {}
    data = b""
    for part in rec.body.split(b"--" + boundary)[1:-1]:
        head, _, value = part.strip(b"\r\n").partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        assert name is not None
        if b"filename=" in head:
            data = value
        else:
            fields[name.group(1).decode()] = value.decode()
    return fields, data


class OpenAIBatchService(BatchService):
    """The OpenAI Batch API (Files + Batches), under /v1 (Azure's form: `prefix`)."""

    STATES: ClassVar[list[str]] = ["validating", "in_progress", "finalizing", "completed"]

    def __init__(self, answer: Answer, prefix: str = "/v1", **kw: Any) -> None:
        super().__init__(answer, **kw)
        self.prefix = prefix

    def routes(self) -> list[tuple[str, str, Callable[..., Reply]]]:
        p = re.escape(self.prefix)
        return [
            ("POST", f"{p}/files", self.upload),
            ("POST", f"{p}/batches", self.create),
            ("GET", f"{p}/batches", self.list),
            ("GET", f"{p}/batches/([^/]+)", self.get),
            ("POST", f"{p}/batches/([^/]+)/cancel", self.cancel),
            ("GET", f"{p}/files/([^/]+)/content", self.content),
        ]

    def upload(self, rec: Recorded) -> Reply:
        fields, data = multipart_file(rec)
        assert fields["purpose"] == "batch"
        file_id = self.new_id("file-")
        self.files[file_id] = data
        return Reply.json({"id": file_id, "object": "file", "bytes": len(data), "purpose": "batch"})

    def create(self, rec: Recorded) -> Reply:
        body = rec.json()
        lines = [json.loads(x) for x in self.files[body["input_file_id"]].splitlines() if x]
        for line in lines:
            assert line["method"] == "POST" and line["url"] == body["endpoint"]
        end = "expired" if self.outcome == "expired" else "completed"
        job = FakeJob(
            self.new_id("batch_"),
            [(x["custom_id"], x["body"]) for x in lines],
            [*self.STATES[:-1], end],
            extra={"input_file_id": body["input_file_id"], "endpoint": body["endpoint"]},
        )
        self.jobs[job.id] = job
        return Reply.json(self.batch(job))

    def get(self, rec: Recorded, job_id: str) -> Reply:
        return Reply.json(self.batch(self.advance(self.jobs[job_id])))

    def list(self, rec: Recorded) -> Reply:
        data = [self.batch(j) for j in reversed(self.jobs.values())]
        return Reply.json({"object": "list", "data": data, "has_more": False})

    def cancel(self, rec: Recorded, job_id: str) -> Reply:
        job = self.jobs[job_id]
        job.cancelled_at = 1
        job.states = [*job.states[: job.step + 1], "cancelling", "cancelled"]
        job.step = len(job.states) - 2
        return Reply.json(self.batch(job))

    def content(self, rec: Recorded, file_id: str) -> Reply:
        return Reply(body=[self.files[file_id]], content_type="application/octet-stream")

    def batch(self, job: FakeJob) -> dict[str, Any]:
        state = job.state
        out: dict[str, Any] = {
            "id": job.id,
            "object": "batch",
            "endpoint": job.extra["endpoint"],
            "errors": None,
            "input_file_id": job.extra["input_file_id"],
            "completion_window": "24h",
            "status": state,
            "output_file_id": None,
            "error_file_id": None,
            "created_at": 1735689600,
            "expires_at": 1735776000,
            "request_counts": {"total": len(job.lines), "completed": 0, "failed": 0},
        }
        if state in ("completed", "expired", "cancelled"):
            self.write_results(job, out)
            out[f"{state}_at"] = 1735693200
        return out

    def write_results(self, job: FakeJob, out: dict[str, Any]) -> None:
        good, bad = [], []
        for n, (custom_id, status, body) in enumerate(self.results(job)):
            line: dict[str, Any] = {"id": f"batch_req_{n}", "custom_id": custom_id}
            if status is None:
                code = "batch_expired" if job.cancelled_at is None else "batch_cancelled"
                line |= {"response": None, "error": {"code": code, "message": f"{code}: not run"}}
            else:
                line |= {
                    "response": {"status_code": status, "request_id": f"req_{n}", "body": body},
                    "error": None,
                }
            (good if status is not None and status < 400 else bad).append(line)
        for key, lines in (("output_file_id", good), ("error_file_id", bad)):
            if lines:
                file_id = f"{job.id}-{key}"
                self.files[file_id] = b"".join(json.dumps(x).encode() + b"\n" for x in lines)
                out[key] = file_id
        out["request_counts"] = {
            "total": len(job.lines),
            "completed": len(good),
            "failed": len(bad),
        }
