"""Amazon Bedrock batch inference (model invocation jobs): input and output pass through S3.

A job's input is a JSONL file the flow writes to S3, one line per call,
`{"recordId": <custom id>, "modelInput": <the InvokeModel body>}` — so its lines carry
`bedrock_invoke` calls; CreateModelInvocationJob makes the job (Bedrock reads and writes the
bucket as the IAM service role given: `options["role_arn"]`). Bedrock writes, under
`{output S3 URI}/{job id}/`, `{input file name}.out` (each input line with `modelOutput`, the
InvokeModel response body, or `error: {errorCode, errorMessage}`) and `manifest.json.out` (the
job's record counts). The flow lists them with S3 ListObjectsV2 and streams the `.out` files.

S3 requests are signed with SigV4 for service `s3` (and carry `x-amz-content-sha256`, the hex
SHA-256 of the body, which S3 requires on every SigV4 request); an API key does not authorize
S3. The S3 host is the `s3_url` setting (virtual-hosted: `https://{bucket}.s3.{region}...`),
or `options["s3_url"]`: a template without `{bucket}` is path-style (`{s3_url}/{bucket}/{key}`,
as S3-compatible servers and tests use).

https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference.html
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelInvocationJob.html
https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any, ClassVar, cast
from urllib.parse import quote

from modelwire import ConfigurationError
from modelwire._provider import AuthScheme

from ._spec import TERMINAL
from ._style import (
    BatchCounts,
    BatchStyle,
    Flow,
    JobData,
    Line,
    Record,
    Req,
    Source,
    jsonl,
    timestamp,
)

__all__ = ["BedrockInvocationJobs"]

# S3 requests: SigV4 for service s3, in the jobs' region (the bucket must be in it)
S3_AUTH = AuthScheme("aws_sigv4", service="s3", region_param="region")

# CreateModelInvocationJob's jobName (API reference: length 1-63)
_JOB_NAME = re.compile(r"[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9+\-.]){0,63}")
# key characters SigV4 signs alike whether the path is encoded once or twice (the signer
# encodes paths as for every service but S3, which encodes them once)
_KEY_SAFE = re.compile(r"[A-Za-z0-9._~/-]*")
_S3_NS = re.compile(r"^\{[^}]*\}")
_MANIFEST = "manifest.json.out"


class BedrockInvocationJobs(BatchStyle):
    """Settings: `s3_url` (the S3 endpoint template: `{bucket}`, `{region}`). Options:
    `role_arn` (required: the service role Bedrock assumes), `s3_url` (overrides the
    setting). Storage: `s3://bucket[/prefix]`, where inputs and outputs are written."""

    name = "bedrock_invocation_jobs"

    # why an API key alone cannot run these jobs (a BatchClient refuses one before sending)
    needs_signing: ClassVar[str | None] = (
        "batch jobs write their input to S3 and read their results from S3, which an API key "
        "does not authorize: use AWS credentials (AIModelAPI(credentials={'aws_access_key_id': "
        "..., 'aws_secret_access_key': ...}) or the AWS credential chain) and no API key"
    )

    # --- operations --------------------------------------------------------------------

    def submit(self, lines: Sequence[Line], name: str) -> Flow:
        """Write the input file, create the job, and return its JobData (read back)."""
        bucket, prefix = self.storage()
        role = self.role_arn()
        if len(name) > 63 or not _JOB_NAME.fullmatch(name):
            raise ConfigurationError(
                f"job name {name!r} is not one Amazon Bedrock takes: 1-63 letters, digits, "
                "'-', '+' or '.', starting with a letter or digit"
            )
        data = jsonl([{"recordId": x.custom_id, "modelInput": x.body} for x in lines])
        # the input file: the job's name and its content's hash (no two jobs' inputs collide)
        stem = re.sub(r"[^A-Za-z0-9._-]", "-", name)
        key = f"{prefix}{stem}-{hashlib.sha256(data).hexdigest()[:12]}.jsonl"
        yield self.s3("PUT", bucket, key, content=data, content_type="application/jsonl")
        create = {
            "jobName": name,
            "roleArn": role,
            "modelId": self.model_id,
            "inputDataConfig": {
                "s3InputDataConfig": {"s3Uri": f"s3://{bucket}/{key}", "s3InputFormat": "JSONL"}
            },
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": f"s3://{bucket}/{prefix}output/"}},
        }
        made = yield Req("POST", self.path("create"), json=create)
        return (yield from self.get(id_from_arn(made["jobArn"])))

    def get(self, job_id: str) -> Flow:
        """The job (GetModelInvocationJob); an ended one's counts from its manifest when the
        job's JSON gives none."""
        data = yield Req("GET", self.path("get", id=job_id))
        job = self.job(data)
        if job.state in TERMINAL and job.counts.total is None:
            keys = yield from self.outputs(job)
            found = [k for k in keys if k.rsplit("/", 1)[-1] == _MANIFEST]
            if found:
                bucket, _ = self.output(job)
                manifest = yield self.s3("GET", bucket, found[0], raw=True)
                job.counts = counts(json.loads(manifest or b"{}"))
        return job

    def cancel(self, job_id: str) -> Flow:
        """StopModelInvocationJob (it answers with no body), then the job as it is now."""
        yield Req("POST", self.path("cancel", id=job_id))
        return (yield from self.get(job_id))

    def list(self, limit: int) -> Flow:
        """The newest jobs first (ListModelInvocationJobs takes at most 1,000 a page)."""
        query = {
            "maxResults": str(max(1, min(limit, 1000))),
            "sortBy": "CreationTime",
            "sortOrder": "Descending",
        }
        page = yield Req("GET", self.path("list"), query=query)
        items: list[Any] = page.get("invocationJobSummaries") or []
        return [self.job(item) for item in items][:limit]

    def job(self, data: Any) -> JobData:
        status = data.get("status")
        return JobData(
            id=id_from_arn(data.get("jobArn") or ""),
            state=self.state(status),
            state_raw=status,
            counts=counts(data),
            created_at=timestamp(data.get("submitTime")),
            ends_at=timestamp(data.get("jobExpirationTime")),
            ended_at=timestamp(data.get("endTime")),
            raw=data,
        )

    def sources(self, job: JobData) -> Flow:
        """Every `.out` file under the job's output folder but the manifest."""
        keys = yield from self.outputs(job)
        bucket, _ = self.output(job)
        found: list[Source] = [
            self.s3("GET", bucket, key, lines=True)
            for key in keys
            if key.endswith(".out") and key.rsplit("/", 1)[-1] != _MANIFEST
        ]
        return found

    def record(self, item: Any) -> Record:
        """A result line: its `modelOutput` (the InvokeModel response body), or its error
        (`errorCode`: the HTTP status the call got; the message as Bedrock's errors carry it)."""
        custom_id = str(item.get("recordId"))
        found: Any = item.get("error")
        if found is None and item.get("modelOutput") is not None:
            return Record(custom_id, body=item["modelOutput"])
        error: dict[str, Any] = {"errorMessage": str(found) if found else "no modelOutput"}
        if isinstance(found, dict):
            error = cast("dict[str, Any]", found)
        code: Any = error.get("errorCode")
        status = int(code) if isinstance(code, (int, str)) and str(code).isdigit() else None
        message: Any = error.get("errorMessage") or json.dumps(error, sort_keys=True)
        return Record(custom_id, status=status, error={"message": message})

    # --- S3 ----------------------------------------------------------------------------

    def outputs(self, job: JobData) -> Flow:
        """The keys of the job's output objects (ListObjectsV2 under `{output}/{job id}/`,
        page by page)."""
        bucket, prefix = self.output(job)
        folder = f"{prefix}{job.id}/"
        keys: list[str] = []
        token: str | None = None
        while True:
            query = {"list-type": "2", "prefix": folder}
            if token:
                query["continuation-token"] = token
            answer = yield self.s3("GET", bucket, "", query=query, raw=True)
            found, token = listing(answer)
            keys += found
            if not token:
                return keys

    def s3(
        self,
        method: str,
        bucket: str,
        key: str,
        *,
        content: bytes | None = None,
        content_type: str | None = None,
        query: dict[str, str] | None = None,
        raw: bool = False,
        lines: bool = False,
    ) -> Req:
        """A request for an object (or, with key "", the bucket), signed for S3. Its query is
        written into the URL, encoded as SigV4's canonical form wants (the signer takes the
        URL's query as it is)."""
        url = self.s3_base(bucket) + "/" + quote(key, safe="-._~/")
        if query:
            url += "?" + "&".join(
                f"{quote(k, safe='-._~')}={quote(v, safe='-._~')}" for k, v in sorted(query.items())
            )
        digest = hashlib.sha256(content or b"").hexdigest()
        return Req(
            method,
            url,
            content=content,
            content_type=content_type,
            headers={"x-amz-content-sha256": digest},
            raw=raw,
            lines=lines,
            scheme=S3_AUTH,
        )

    def s3_base(self, bucket: str) -> str:
        """The bucket's URL: the template's host with the bucket in it (virtual-hosted), or
        `{template}/{bucket}` when the template has no `{bucket}` (path-style)."""
        template = str(self.options.get("s3_url") or self.settings.get("s3_url") or "")
        if not template:
            raise ConfigurationError("this provider's batch spec names no s3_url setting")
        base = template.format(bucket=bucket, region=self.params.get("region", "")).rstrip("/")
        return base if "{bucket}" in template else f"{base}/{bucket}"

    # --- what the job is given ---------------------------------------------------------

    def storage(self) -> tuple[str, str]:
        """(bucket, key prefix ending in '/' or empty) of the `storage` URI; refused when
        absent or not an S3 URI."""
        uri = self.params.get("storage")
        if not uri:
            raise ConfigurationError(
                "Amazon Bedrock batch jobs read their input from S3 and write their results "
                "there: give the bucket, BatchClient(endpoint, storage='s3://bucket/prefix', "
                "options={'role_arn': ...})"
            )
        return s3_uri(uri, "storage")

    def role_arn(self) -> str:
        """The service role's ARN (`options["role_arn"]`), refused when absent."""
        role = self.options.get("role_arn")
        if not isinstance(role, str) or not role:
            raise ConfigurationError(
                "Amazon Bedrock batch jobs run as an IAM service role that can read and write "
                "the bucket: BatchClient(endpoint, storage=..., options={'role_arn': "
                "'arn:aws:iam::<account>:role/<name>'})"
            )
        return role

    def output(self, job: JobData) -> tuple[str, str]:
        """(bucket, key prefix) of the job's output S3 URI (as the job says)."""
        config: Any = job.raw.get("outputDataConfig") or {}
        place: Any = config.get("s3OutputDataConfig") or {}
        uri: Any = place.get("s3Uri")
        if not isinstance(uri, str) or not uri:
            raise ConfigurationError(f"batch job {job.id} names no output S3 URI")
        return s3_uri(uri, f"job {job.id}'s output S3 URI")


def id_from_arn(arn: str) -> str:
    """A job's id: the last part of its ARN (`arn:aws:bedrock:...:model-invocation-job/<id>`),
    which GetModelInvocationJob takes and the output folder is named after."""
    return arn.rsplit("/", 1)[-1]


def counts(data: Any) -> BatchCounts:
    """A job's (or its manifest's) record counts, when it gives them."""
    total, done, good, bad = (
        data.get(k) if isinstance(data.get(k), int) else None
        for k in (
            "totalRecordCount",
            "processedRecordCount",
            "successRecordCount",
            "errorRecordCount",
        )
    )
    pending = total - done if total is not None and done is not None else None
    return BatchCounts(total=total, succeeded=good, failed=bad, pending=pending)


def s3_uri(uri: str, what: str) -> tuple[str, str]:
    """(bucket, key prefix ending in '/' or empty) of `s3://bucket[/prefix]`."""
    match = re.fullmatch(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/.*)?", uri)
    if match is None:
        raise ConfigurationError(f"{what} {uri!r} is not an S3 URI (s3://bucket/prefix)")
    prefix = "/".join(p for p in (match.group(2) or "").split("/") if p)
    if not _KEY_SAFE.fullmatch(prefix):
        raise ConfigurationError(
            f"{what} {uri!r}: use letters, digits, '.', '_', '~', '-' and '/' in its prefix "
            "(other characters are signed differently by S3)"
        )
    return match.group(1), f"{prefix}/" if prefix else ""


def listing(data: bytes) -> tuple[list[str], str | None]:
    """(object keys, the next continuation token or None) of a ListObjectsV2 XML answer."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(data)
    keys: list[str] = []
    token: str | None = None
    truncated = False
    for element in root:
        tag = _S3_NS.sub("", element.tag)
        if tag == "Contents":
            for child in element:
                if _S3_NS.sub("", child.tag) == "Key" and child.text:
                    keys.append(child.text)
        elif tag == "IsTruncated":
            truncated = (element.text or "").strip() == "true"
        elif tag == "NextContinuationToken":
            token = element.text
    return keys, token if truncated else None
