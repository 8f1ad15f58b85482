"""A fake Gemini API Batch Mode service on 127.0.0.1 (shapes from https://ai.google.dev/api/batch-api
and the guide https://ai.google.dev/gemini-api/docs/batch-mode).

Jobs are long-running Operations (`batches/{id}`, `metadata`: the GenerateContentBatch, `done`,
`response`: the GenerateContentBatchOutput) moving PENDING -> RUNNING -> SUCCEEDED (or EXPIRED)
as they are polled. Inline input gets inline results (`inlinedResponses.inlinedResponses[]`,
with `metadata.key` unless `echo_keys=False`); file input (uploaded with a multipart/related
request to /upload/v1beta/files) gets a responses file, read from /download/v1beta/...:download.
A line answered with an HTTP error gets a google.rpc.Status (numeric code) as its error. An
expired or cancelled job has no results (the guide: "The job will not have any results").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from tests.support.batch_service import Answer, BatchService, FakeJob
from tests.support.server import Recorded, Reply

BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch"
OUTPUT_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"
RPC = {"INVALID_ARGUMENT": 3, "NOT_FOUND": 5, "PERMISSION_DENIED": 7, "RESOURCE_EXHAUSTED": 8}
CREATED, ENDED = "2026-12-01T10:00:00.123456789Z", "2026-12-01T10:05:00Z"


def related_parts(rec: Recorded) -> tuple[dict[str, Any], bytes, str]:
    """(metadata, media bytes, media content type) of a multipart/related upload."""
    boundary = rec.headers["content-type"].split("boundary=")[1].encode()
    parts = rec.body.split(b"--" + boundary)[1:-1]
    meta_head, _, meta = parts[0].strip(b"\r\n").partition(b"\r\n\r\n")
    assert b"application/json" in meta_head
    head, _, data = parts[1].removeprefix(b"\r\n").partition(b"\r\n\r\n")
    mime = head.decode().split(":", 1)[1].strip()
    return json.loads(meta), data.removesuffix(b"\r\n"), mime


class GeminiBatchService(BatchService):
    """Routes of the Gemini API's batch mode and Files API upload/download. `prefix`: the
    state names' prefix (the reference's `BATCH_STATE_`, or `JOB_STATE_` as the guide reads)."""

    def __init__(
        self, answer: Answer, prefix: str = "BATCH_STATE_", echo_keys: bool = True, **kw: Any
    ) -> None:
        super().__init__(answer, **kw)
        self.prefix = prefix
        self.echo_keys = echo_keys
        self.uploads: list[tuple[dict[str, Any], str]] = []  # (metadata, content type)

    def __enter__(self) -> GeminiBatchService:
        super().__enter__()
        return self

    def routes(self) -> list[tuple[str, str, Callable[..., Reply]]]:
        return [
            ("POST", r"/upload/v1beta/files", self.upload),
            ("POST", r"/v1beta/models/([^/:]+):batchGenerateContent", self.create),
            ("GET", r"/v1beta/batches", self.list),
            ("GET", r"/v1beta/batches/([^/:]+)", self.get),
            ("POST", r"/v1beta/batches/([^/:]+):cancel", self.cancel),
            ("GET", r"/download/v1beta/files/([^/:]+):download", self.download),
        ]

    def upload(self, rec: Recorded) -> Reply:
        assert rec.headers.get("x-goog-upload-protocol") == "multipart"
        meta, data, mime = related_parts(rec)
        self.uploads.append((meta, mime))
        file_id = self.new_id("batch-input-")
        self.files[file_id] = data
        name = f"files/{file_id}"
        return Reply.json(
            {
                "file": {
                    "name": name,
                    "displayName": meta["file"]["displayName"],
                    "mimeType": mime,
                    "sizeBytes": str(len(data)),
                    "createTime": CREATED,
                    "uri": f"https://generativelanguage.googleapis.com/v1beta/{name}",
                    "state": "ACTIVE",
                    "source": "UPLOADED",
                }
            }
        )

    def create(self, rec: Recorded, model: str) -> Reply:
        batch = rec.json()["batch"]
        config = batch["input_config"]
        if "file_name" in config:
            file_id = config["file_name"].removeprefix("files/")
            lines = [json.loads(x) for x in self.files[file_id].splitlines() if x]
            pairs = [(x["key"], x["request"]) for x in lines]
        else:
            pairs = [(r["metadata"]["key"], r["request"]) for r in config["requests"]["requests"]]
        end = "EXPIRED" if self.outcome == "expired" else "SUCCEEDED"
        job = FakeJob(
            self.new_id(""),
            pairs,
            ["PENDING", "RUNNING", end],
            extra={
                "model": model,
                "display_name": batch["display_name"],
                "file": "file_name" in config,
            },
        )
        self.jobs[job.id] = job
        return Reply.json(self.operation(job))

    def get(self, rec: Recorded, job_id: str) -> Reply:
        if job_id not in self.jobs:
            return Reply.json(
                {"error": {"code": 404, "message": "Batch not found.", "status": "NOT_FOUND"}}, 404
            )
        return Reply.json(self.operation(self.advance(self.jobs[job_id])))

    def list(self, rec: Recorded) -> Reply:
        ops = [self.operation(j) for j in reversed(self.jobs.values())]
        size = re.search(r"pageSize=(\d+)", rec.path)
        return Reply.json({"operations": ops[: int(size.group(1))] if size else ops})

    def cancel(self, rec: Recorded, job_id: str) -> Reply:
        job = self.jobs[job_id]
        job.cancelled_at = 0
        job.states = [*job.states[: job.step + 1], "CANCELLED"]
        job.step = len(job.states) - 1
        return Reply.json({})  # google.protobuf.Empty

    def download(self, rec: Recorded, file_id: str) -> Reply:
        assert rec.path.endswith("?alt=media"), rec.path
        return Reply(body=[self.files[file_id]], content_type="application/octet-stream")

    # --- the Operation ----------------------------------------------------------------------

    def operation(self, job: FakeJob) -> dict[str, Any]:
        state = job.state
        batch: dict[str, Any] = {
            "@type": BATCH_TYPE,
            "model": f"models/{job.extra['model']}",
            "displayName": job.extra["display_name"],
            "createTime": CREATED,
            "updateTime": CREATED,
            "batchStats": {
                "requestCount": str(len(job.lines)),
                "pendingRequestCount": str(len(job.lines)),
            },
            "state": self.prefix + state,
            "name": f"batches/{job.id}",
        }
        out: dict[str, Any] = {"name": f"batches/{job.id}", "metadata": batch}
        if state in ("SUCCEEDED", "EXPIRED", "CANCELLED"):
            out["done"] = True
            batch["endTime"] = batch["updateTime"] = ENDED
        if state == "SUCCEEDED":
            out["response"] = {"@type": OUTPUT_TYPE, **self.output(job, batch)}
        return out

    def output(self, job: FakeJob, batch: dict[str, Any]) -> dict[str, Any]:
        items: list[dict[str, Any]] = []
        for custom_id, status, body in self.results(job):
            assert status is not None and body is not None  # only a succeeded job has output
            item: dict[str, Any] = (
                {"response": body} if status < 400 else {"error": self.status(body)}
            )
            items.append(item | {"key": custom_id} if job.extra["file"] else item)
            if not job.extra["file"] and self.echo_keys:
                item["metadata"] = {"key": custom_id}
        failed = sum("error" in x for x in items)
        batch["batchStats"] = {
            "requestCount": str(len(items)),
            "successfulRequestCount": str(len(items) - failed),
            **({"failedRequestCount": str(failed)} if failed else {}),
        }
        if not job.extra["file"]:
            return {"inlinedResponses": {"inlinedResponses": items}}
        file_id = f"batch-{job.id}-responses"
        self.files[file_id] = b"".join(json.dumps(x).encode() + b"\n" for x in items)
        return {"responsesFile": f"files/{file_id}"}

    @staticmethod
    def status(body: dict[str, Any]) -> dict[str, Any]:
        """A google.rpc.Status (numeric code, as a Status carries it) of an error body."""
        error = body["error"]
        return {"code": RPC.get(error.get("status"), 2), "message": error["message"], "details": []}
