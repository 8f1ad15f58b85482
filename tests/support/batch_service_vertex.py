"""A fake Vertex AI batch prediction service on 127.0.0.1, with the Cloud Storage JSON API it
reads and writes through, on the same server.

Jobs (`/v1/projects/{project}/locations/{location}/batchPredictionJobs`: create, get, list,
`:cancel`) read their input object from the fake bucket and, once ended, write
`<outputUriPrefix>/prediction-model-<time>/predictions.jsonl`, each line
`{"status", "processed_time", "request", "response"}` (`status` empty, or the error's text).
Objects: upload (`POST /upload/storage/v1/b/{bucket}/o?uploadType=media&name=...`), list
(`GET /storage/v1/b/{bucket}/o?prefix=...`, paged by `page_size`), download
(`GET /storage/v1/b/{bucket}/o/{name}?alt=media`). Shapes from the Vertex AI REST reference
(BatchPredictionJob, CompletionStats, JobState) and the Cloud Storage JSON API reference.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.batch_service import Answer, BatchService, FakeJob
from tests.support.server import Recorded, Reply

JOBS = r"/v1/projects/([^/]+)/locations/([^/]+)/batchPredictionJobs"
STARTED = "2026-11-25T10:00:00.000000Z"
ENDED = "2026-11-25T10:20:00.000000Z"
STATUS_TEXT = {400: "Bad Request", 403: "Forbidden", 429: "Too Many Requests", 500: "Internal"}


def query(rec: Recorded) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(rec.path).query).items()}


def line_id(line: dict[str, Any]) -> str:
    """The custom id a line carries: top-level `custom_id` (Claude), else the request's
    labels (as is, or base32 in numbered labels)."""
    if "custom_id" in line:
        return line["custom_id"]
    labels = line["request"].get("labels") or {}
    if "modelwire_custom_id" in labels:
        return labels["modelwire_custom_id"]
    prefix = "modelwire_custom_id_b32_"
    chunks = sorted((int(k[len(prefix) :]), v) for k, v in labels.items() if k.startswith(prefix))
    encoded = "".join(v for _, v in chunks).upper()
    return base64.b32decode(encoded + "=" * (-len(encoded) % 8)).decode()


class VertexBatchService(BatchService):
    """Vertex AI batchPredictionJobs plus Cloud Storage objects. `page_size`: most objects
    (and jobs) per list page, to exercise paging."""

    STATES = ("JOB_STATE_PENDING", "JOB_STATE_RUNNING", "JOB_STATE_SUCCEEDED")

    def __init__(self, answer: Answer, page_size: int = 100, **kw: Any) -> None:
        super().__init__(answer, **kw)
        self.page_size = page_size
        self.objects: dict[tuple[str, str], bytes] = {}  # (bucket, name) -> bytes

    def __enter__(self) -> VertexBatchService:
        super().__enter__()
        return self

    def routes(self) -> list[tuple[str, str, Callable[..., Reply]]]:
        return [
            ("POST", r"/upload/storage/v1/b/([^/]+)/o", self.upload),
            ("GET", r"/storage/v1/b/([^/]+)/o", self.list_objects),
            ("GET", r"/storage/v1/b/([^/]+)/o/(.+)", self.download),
            ("POST", JOBS, self.create),
            ("GET", JOBS, self.list),
            ("GET", JOBS + r"/([0-9]+)", self.get),
            ("POST", JOBS + r"/([0-9]+):cancel", self.cancel),
        ]

    # --- Cloud Storage ---------------------------------------------------------------------------

    def upload(self, rec: Recorded, bucket: str) -> Reply:
        q = query(rec)
        assert q["uploadType"] == "media", q
        self.objects[(bucket, q["name"])] = rec.body
        return Reply.json(self.resource(bucket, q["name"], rec.headers.get("content-type")))

    def resource(self, bucket: str, name: str, content_type: str | None = None) -> dict[str, Any]:
        return {
            "kind": "storage#object",
            "id": f"{bucket}/{name}/1764064800000000",
            "name": name,
            "bucket": bucket,
            "generation": "1764064800000000",
            "contentType": content_type or "application/octet-stream",
            "size": str(len(self.objects[(bucket, name)])),
            "timeCreated": STARTED,
        }

    def list_objects(self, rec: Recorded, bucket: str) -> Reply:
        q = query(rec)
        names = sorted(n for b, n in self.objects if b == bucket and n.startswith(q["prefix"]))
        start = int(q.get("pageToken", "0"))
        page = names[start : start + self.page_size]
        out: dict[str, Any] = {"kind": "storage#objects"}
        if page:
            out["items"] = [self.resource(bucket, n) for n in page]
        if start + self.page_size < len(names):
            out["nextPageToken"] = str(start + self.page_size)
        return Reply.json(out)

    def download(self, rec: Recorded, bucket: str, name: str) -> Reply:
        assert query(rec).get("alt") == "media"
        data = self.objects.get((bucket, unquote(name)))
        if data is None:
            return Reply.json({"error": {"code": 404, "message": "No such object"}}, 404)
        return Reply(body=[data], content_type="application/octet-stream")

    # --- jobs ------------------------------------------------------------------------------------

    def create(self, rec: Recorded, project: str, location: str) -> Reply:
        body = rec.json()
        assert body["inputConfig"]["instancesFormat"] == "jsonl"
        assert body["outputConfig"]["predictionsFormat"] == "jsonl"
        (uri,) = body["inputConfig"]["gcsSource"]["uris"]
        bucket, _, name = uri.removeprefix("gs://").partition("/")
        lines = [json.loads(x) for x in self.objects[(bucket, name)].splitlines() if x]
        end = "JOB_STATE_EXPIRED" if self.outcome == "expired" else "JOB_STATE_SUCCEEDED"
        job = FakeJob(
            str(4000000000000000000 + next(self.ids)),
            [(line_id(x), x["request"]) for x in lines],
            [*self.STATES[:-1], end],
            extra={"project": project, "location": location, "create": body, "lines": lines},
        )
        self.jobs[job.id] = job
        return Reply.json(self.resource_of(job))

    def get(self, rec: Recorded, project: str, location: str, job_id: str) -> Reply:
        job = self.jobs.get(job_id)
        if job is None:
            return Reply.json(
                {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}}, 404
            )
        return Reply.json(self.resource_of(self.advance(job)))

    def list(self, rec: Recorded, project: str, location: str) -> Reply:
        q = query(rec)
        size = min(int(q.get("pageSize", "100")), self.page_size)
        start = int(q.get("pageToken", "0"))
        jobs = list(reversed(self.jobs.values()))
        out: dict[str, Any] = {
            "batchPredictionJobs": [self.resource_of(j) for j in jobs[start : start + size]]
        }
        if start + size < len(jobs):
            out["nextPageToken"] = str(start + size)
        return Reply.json(out)

    def cancel(self, rec: Recorded, project: str, location: str, job_id: str) -> Reply:
        job = self.jobs[job_id]
        job.cancelled_at = 1
        job.states = [*job.states[: job.step + 1], "JOB_STATE_CANCELLING", "JOB_STATE_CANCELLED"]
        job.step = len(job.states) - 2
        return Reply.json({})  # google.protobuf.Empty

    # --- the job resource ------------------------------------------------------------------------

    def resource_of(self, job: FakeJob) -> dict[str, Any]:
        create, state = job.extra["create"], job.state
        out: dict[str, Any] = {
            "name": f"projects/{job.extra['project']}/locations/{job.extra['location']}"
            f"/batchPredictionJobs/{job.id}",
            "displayName": create["displayName"],
            "model": create["model"],
            "inputConfig": create["inputConfig"],
            "outputConfig": create["outputConfig"],
            "state": state,
            "createTime": "2026-11-25T09:59:58.123456Z",
            "updateTime": STARTED,
        }
        if state == "JOB_STATE_PENDING":
            return out
        prefix = create["outputConfig"]["gcsDestination"]["outputUriPrefix"]
        out["startTime"] = STARTED
        out["outputInfo"] = {"gcsOutputDirectory": f"{prefix}/prediction-model-{job.id}"}
        out["completionStats"] = {
            "successfulCount": "0",
            "failedCount": "0",
            "incompleteCount": str(len(job.lines)),
        }
        if state in ("JOB_STATE_SUCCEEDED", "JOB_STATE_EXPIRED", "JOB_STATE_CANCELLED"):
            out["endTime"] = ENDED
            out["completionStats"] = self.write_results(
                job, out["outputInfo"]["gcsOutputDirectory"]
            )
        return out

    def write_results(self, job: FakeJob, directory: str) -> dict[str, str]:
        """Write the job's predictions file (run lines only); returns its completionStats."""
        rows, good, bad, left = [], 0, 0, 0
        for (custom_id, status, body), line in zip(
            self.results(job), job.extra["lines"], strict=True
        ):
            row: dict[str, Any] = {"status": "", "processed_time": "2026-11-25T10:12:41.512+00:00"}
            if "custom_id" in line:
                row["custom_id"] = custom_id
            row["request"] = line["request"]
            if status is None:
                left += 1
                continue
            if status < 400:
                row["response"] = body
                good += 1
            else:
                row["status"] = f"{STATUS_TEXT.get(status, 'Error')}: {json.dumps(body)}"
                bad += 1
            rows.append(row)
        bucket, _, folder = directory.removeprefix("gs://").partition("/")
        self.objects[(bucket, f"{folder}/predictions.jsonl")] = b"".join(
            json.dumps(r).encode() + b"\n" for r in rows
        )
        return {"successfulCount": str(good), "failedCount": str(bad), "incompleteCount": str(left)}
