"""A fake Amazon Bedrock batch inference service on 127.0.0.1: the control plane's model
invocation jobs and the S3 operations a job's input and output go through, on one server
(S3 path-style: `/{bucket}/{key}`; point the style at it with `options={"s3_url": url}`).

Shapes from AWS's references: CreateModelInvocationJob, GetModelInvocationJob,
StopModelInvocationJob, ListModelInvocationJobs
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html ...),
the batch input and output formats (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html,
.../batch-inference-results.html), S3 PutObject, GetObject and ListObjectsV2
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html). Every request must be
signed with SigV4 for its service (`bedrock` for jobs, `s3` for objects) and every S3 request
must carry `x-amz-content-sha256`, the hex SHA-256 of its body: a request that is not is
answered 403 and noted in `problems`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from tests.support.batch_service import Answer, BatchService, FakeJob
from tests.support.server import Recorded, Reply

ACCOUNT = "123456789012"


class BedrockBatchService(BatchService):
    """Jobs move Submitted -> Validating -> Scheduled -> InProgress -> Completed (or
    PartiallyCompleted when a record failed, Expired for `outcome="expired"`), one state per
    GetModelInvocationJob. `credentials`: (access key id, secret key) the requests are signed
    with (each signature is checked). `job_counts`: GetModelInvocationJob gives the record counts (else
    only the manifest does). `page_size`: ListObjectsV2 keys per page."""

    STATES: ClassVar[list[str]] = ["Submitted", "Validating", "Scheduled", "InProgress"]

    def __init__(
        self,
        answer: Answer,
        region: str = "us-east-1",
        job_counts: bool = False,
        page_size: int = 1000,
        credentials: tuple[str, str] = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG"),
        **kw: Any,
    ) -> None:
        super().__init__(answer, **kw)
        self.region = region
        self.job_counts = job_counts
        self.page_size = page_size
        self.credentials = credentials  # the made-up AWS keys requests must be signed with
        self.problems: list[str] = []

    def __enter__(self) -> BedrockBatchService:
        super().__enter__()
        return self

    def routes(self) -> list[tuple[str, str, Callable[..., Reply]]]:
        return [
            ("POST", "/model-invocation-job", self.bedrock(self.create)),
            ("GET", "/model-invocation-jobs", self.bedrock(self.list)),
            ("GET", "/model-invocation-job/([a-z0-9]{12})", self.bedrock(self.get)),
            ("POST", "/model-invocation-job/([a-z0-9]{12})/stop", self.bedrock(self.stop)),
            ("PUT", "/([^/]+)/(.+)", self.s3(self.put_object)),
            ("GET", "/([^/]+)/", self.s3(self.list_objects)),
            ("GET", "/([^/]+)/(.+)", self.s3(self.get_object)),
        ]

    # --- signing checks ------------------------------------------------------------------

    def signed(self, rec: Recorded, service: str) -> str | None:
        """What is wrong with the request's SigV4 signature for `service` (None: nothing):
        its scope, and its signature as the service computes it (botocore's S3 signer for s3:
        paths encoded once, the payload hash from x-amz-content-sha256), from `credentials`."""
        auth = rec.headers.get("authorization", "")
        scope = f"/{self.region}/{service}/aws4_request"
        if not auth.startswith("AWS4-HMAC-SHA256 Credential=") or scope not in auth:
            return f"{rec.method} {rec.path}: not signed for {service}: {auth[:40]!r}"
        if "x-amz-date" not in rec.headers:
            return f"{rec.method} {rec.path}: no x-amz-date"
        if f"Signature={self.signature(rec, service)}" not in auth:
            return f"{rec.method} {rec.path}: the signature is not the one {service} computes"
        return None

    def signature(self, rec: Recorded, service: str) -> str:
        """The SigV4 signature the service computes for the request's signed headers."""
        from botocore.auth import S3SigV4Auth, SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        headers = {h: rec.headers[h] for h in signed_headers(rec) if h in rec.headers}
        url = f"http://{rec.headers['host']}{rec.path}"
        request = AWSRequest(method=rec.method, url=url, data=rec.body, headers=headers)
        request.context["timestamp"] = rec.headers["x-amz-date"]
        signer = (S3SigV4Auth if service == "s3" else SigV4Auth)(
            Credentials(*self.credentials), service, self.region
        )
        canonical = signer.canonical_request(request)
        return str(signer.signature(signer.string_to_sign(request, canonical), request))

    def bedrock(self, handler: Callable[..., Reply]) -> Callable[..., Reply]:
        def checked(rec: Recorded, *args: str) -> Reply:
            return self.refused(self.signed(rec, "bedrock")) or handler(rec, *args)

        return checked

    def s3(self, handler: Callable[..., Reply]) -> Callable[..., Reply]:
        def checked(rec: Recorded, *args: str) -> Reply:
            problem = self.signed(rec, "s3")
            digest = hashlib.sha256(rec.body).hexdigest()
            if problem is None and rec.headers.get("x-amz-content-sha256") != digest:
                problem = f"{rec.method} {rec.path}: x-amz-content-sha256 is not the body's"
            if problem is None and "x-amz-content-sha256" not in signed_headers(rec):
                problem = f"{rec.method} {rec.path}: x-amz-content-sha256 is not signed"
            return self.refused(problem) or handler(rec, *args)

        return checked

    def refused(self, problem: str | None) -> Reply | None:
        if problem is None:
            return None
        self.problems.append(problem)
        return Reply.json(
            {"message": problem}, 403, headers={"x-amzn-ErrorType": "AccessDeniedException"}
        )

    # --- the control plane ---------------------------------------------------------------

    def create(self, rec: Recorded) -> Reply:
        body = rec.json()
        assert set(body) >= {"jobName", "roleArn", "modelId", "inputDataConfig"}
        given = body["inputDataConfig"]["s3InputDataConfig"]
        assert given["s3InputFormat"] == "JSONL"
        assert body["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"].startswith("s3://")
        data = self.files[given["s3Uri"].removeprefix("s3://")]
        lines = [json.loads(x) for x in data.splitlines() if x.strip()]
        job_id = self.new_id("abcdefgh")
        job = FakeJob(
            job_id,
            [(x["recordId"], x["modelInput"]) for x in lines],
            [self.STATES[0], *self.STATES],  # the first state twice: submit reads the job back
            extra={"request": body, "arn": self.arn(job_id)},
        )
        self.jobs[job.id] = job
        return Reply.json({"jobArn": job.extra["arn"]})

    def get(self, rec: Recorded, job_id: str) -> Reply:
        if job_id not in self.jobs:
            return not_found(job_id)
        job = self.advance(self.jobs[job_id])
        if job.step == len(job.states) and job.states[-1] in self.STATES:
            job.states.append(self.end(job))
        return Reply.json(self.describe(job))

    def list(self, rec: Recorded) -> Reply:
        query = dict(parse_qsl(urlsplit(rec.path).query))
        limit = int(query.get("maxResults", "1000"))
        assert query.get("sortOrder") == "Descending"
        jobs = [self.describe(j) for j in reversed(self.jobs.values())][:limit]
        return Reply.json({"invocationJobSummaries": jobs})

    def stop(self, rec: Recorded, job_id: str) -> Reply:
        if job_id not in self.jobs:
            return not_found(job_id)
        job = self.jobs[job_id]
        job.cancelled_at = 1
        job.states = [*job.states[: job.step + 1], "Stopping", "Stopped"]
        job.step = len(job.states) - 3  # the next read says Stopping, the one after Stopped
        return Reply(body=b"")

    def end(self, job: FakeJob) -> str:
        if self.outcome == "expired":
            return "Expired"
        failed = any(s is None or s >= 400 for _, s, _ in self.results(job))
        return "PartiallyCompleted" if failed else "Completed"

    def arn(self, job_id: str) -> str:
        return f"arn:aws:bedrock:{self.region}:{ACCOUNT}:model-invocation-job/{job_id}"

    def describe(self, job: FakeJob) -> dict[str, Any]:
        """The job as GetModelInvocationJob (and a list's summary) gives it."""
        request = job.extra["request"]
        out: dict[str, Any] = {
            "jobArn": job.extra["arn"],
            "jobName": request["jobName"],
            "modelId": request["modelId"],
            "roleArn": request["roleArn"],
            "status": job.state,
            "submitTime": "2026-12-07T06:00:00.123Z",
            "lastModifiedTime": "2026-12-07T06:05:00.456Z",
            "inputDataConfig": request["inputDataConfig"],
            "outputDataConfig": request["outputDataConfig"],
            "timeoutDurationInHours": 24,
            "jobExpirationTime": "2026-12-08T06:00:00.123Z",
        }
        if job.state in ("Completed", "PartiallyCompleted", "Expired", "Stopped", "Failed"):
            out["endTime"] = "2026-12-07T07:00:00Z"
            counts = self.write_output(job)
            if self.job_counts:
                out |= counts
        if job.state == "Stopped":
            out["message"] = "Job stopped by the user"
        return out

    def write_output(self, job: FakeJob) -> dict[str, int]:
        """The job's `.out` file and manifest under `{output}/{job id}/`; returns its counts."""
        request = job.extra["request"]
        input_uri = request["inputDataConfig"]["s3InputDataConfig"]["s3Uri"]
        folder = request["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"].removeprefix("s3://")
        folder = folder.rstrip("/") + f"/{job.id}/"
        lines, good, bad = [], 0, 0
        for (custom_id, body), (_, status, answer) in zip(
            job.lines, self.results(job), strict=True
        ):
            if status is None:
                continue  # not run: the job ended first
            line: dict[str, Any] = {"recordId": custom_id, "modelInput": body}
            if status < 400:
                line["modelOutput"] = answer
                good += 1
            else:
                message = (answer or {}).get("message", "")
                line["error"] = {"errorCode": status, "errorMessage": message}
                bad += 1
            lines.append(line)
        name = input_uri.rsplit("/", 1)[-1]
        self.files[folder + name + ".out"] = b"".join(json.dumps(x).encode() + b"\n" for x in lines)
        counts = {
            "totalRecordCount": len(job.lines),
            "processedRecordCount": good + bad,
            "successRecordCount": good,
            "errorRecordCount": bad,
        }
        manifest = {**counts, "inputTokenCount": 9 * (good + bad), "outputTokenCount": 3 * good}
        self.files[folder + "manifest.json.out"] = json.dumps(manifest).encode()
        return counts

    # --- S3 ------------------------------------------------------------------------------

    def put_object(self, rec: Recorded, bucket: str, key: str) -> Reply:
        self.files[f"{bucket}/{key}"] = rec.body
        etag = hashlib.md5(rec.body).hexdigest()  # S3's ETag of a simple upload
        return Reply(body=b"", headers={"ETag": f'"{etag}"'})

    def get_object(self, rec: Recorded, bucket: str, key: str) -> Reply:
        data = self.files.get(f"{bucket}/{key}")
        if data is None:
            return Reply(status=404, body=b"<Error><Code>NoSuchKey</Code></Error>")
        return Reply(body=[data], content_type="application/octet-stream")

    def list_objects(self, rec: Recorded, bucket: str) -> Reply:
        query = dict(parse_qsl(urlsplit(rec.path).query))
        assert query.get("list-type") == "2"
        prefix = query.get("prefix", "")
        keys = sorted(
            k.removeprefix(f"{bucket}/") for k in self.files if k.startswith(f"{bucket}/{prefix}")
        )
        start = int(query.get("continuation-token", "0"))
        page = keys[start : start + self.page_size]
        more = start + self.page_size < len(keys)
        contents = "".join(
            f"<Contents><Key>{escape(k)}</Key><LastModified>2026-12-07T07:00:00.000Z"
            f"</LastModified><Size>{len(self.files[f'{bucket}/{k}'])}</Size>"
            "<StorageClass>STANDARD</StorageClass></Contents>"
            for k in page
        )
        token = f"<NextContinuationToken>{start + self.page_size}</NextContinuationToken>"
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Name>{escape(bucket)}</Name><Prefix>{escape(prefix)}</Prefix>"
            f"<KeyCount>{len(page)}</KeyCount><MaxKeys>{self.page_size}</MaxKeys>"
            f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>"
            f"{contents}{token if more else ''}</ListBucketResult>"
        )
        return Reply(body=xml.encode(), content_type="application/xml")


def signed_headers(rec: Recorded) -> list[str]:
    """The SignedHeaders of a SigV4 authorization header."""
    found = re.search(r"SignedHeaders=([^,\s]+)", rec.headers.get("authorization", ""))
    return found.group(1).split(";") if found else []


def not_found(job_id: str) -> Reply:
    """Bedrock's 404 (restJson1: the error's type in x-amzn-ErrorType, `message` in the body)."""
    return Reply.json(
        {"message": f"The specified batch inference job {job_id} could not be found."},
        404,
        headers={"x-amzn-ErrorType": "ResourceNotFoundException"},
    )
