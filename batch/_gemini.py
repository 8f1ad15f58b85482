"""The Gemini API's Batch Mode flow (generativelanguage.googleapis.com).

A job is made by `models/{model}:batchGenerateContent`, whose answer is a long-running
Operation: `name` (`batches/{id}`), `metadata` (the GenerateContentBatch: `state`, `batchStats`,
`createTime`, `endTime`), and once done `response` (GenerateContentBatchOutput, mirrored in
`metadata.output`) or `error`. Its requests go one of two ways:

- inline, when the create body is at most `inline_bytes` (setting, or `options`; the guide's
  limit is a total request size under 20 MB): `input_config.requests.requests[]`, each
  `{request: GenerateContentRequest, metadata: {key: custom_id}}`;
- else as a JSONL file, each line `{key: custom_id, request}`, uploaded to the Files API in one
  multipart request (`X-Goog-Upload-Protocol: multipart`: a JSON metadata part, then the file)
  and named by `input_config.file_name`.

Results are inline (`inlinedResponses.inlinedResponses[]`, each `{response} | {error: Status}`
with `metadata.key`) or a responses file (`responsesFile: files/...`, read from the download
endpoint with `alt=media`, each line `{key, response} | {key, error}`), whichever the job
reports, whatever its input was. Where an inline result does not echo its key, it is matched by
position (the reference: "in the same order as the input requests") with the custom ids this
client submitted, or the job's echoed input; failing both, its custom id is its position.
https://ai.google.dev/api/batch-api
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Generator, Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

from ._spec import BatchInfo
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
    number,
    timestamp,
)

__all__ = ["GeminiBatches"]

# google.rpc.Code: a Status's numeric code -> its name (what the protocol's error table reads)
RPC_CODES = {
    1: "CANCELLED",
    2: "UNKNOWN",
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND",
    6: "ALREADY_EXISTS",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    10: "ABORTED",
    11: "OUT_OF_RANGE",
    12: "UNIMPLEMENTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    15: "DATA_LOSS",
    16: "UNAUTHENTICATED",
}
INLINE_BYTES = 20_000_000  # the guide: inline requests keep "the total request size under 20MB"


class GeminiBatches(BatchStyle):
    """Settings: `inline_bytes` (the largest create body sent inline; larger jobs go through an
    uploaded file; `options` may override it), `expires_after_hours` (how long a job may stay
    pending or running before it expires: 48 in the guide), `upload_mime_type`."""

    name = "gemini_batches"

    def __init__(
        self,
        info: BatchInfo,
        protocol: str,
        model_id: str,
        params: Mapping[str, str],
        options: Mapping[str, Any],
    ) -> None:
        super().__init__(info, protocol, model_id, params, options)
        self.submitted: dict[str, list[str]] = {}  # job id -> its custom ids, in input order

    def setting(self, key: str, default: str) -> str:
        """A setting, `options` (BatchClient(options=...)) first."""
        return str(self.options.get(key, self.settings.get(key, default)))

    # --- submitting --------------------------------------------------------------------------

    def submit(self, lines: Sequence[Line], name: str) -> Flow:
        """Create the job: requests inline when the create body is within `inline_bytes`,
        else uploaded as a JSONL file first; returns its JobData."""
        requests = [{"request": x.body, "metadata": {"key": x.custom_id}} for x in lines]
        create: dict[str, Any] = {
            "batch": {"display_name": name, "input_config": {"requests": {"requests": requests}}}
        }
        if len(_compact(create)) > int(self.setting("inline_bytes", str(INLINE_BYTES))):
            file_name = yield from self.upload(lines, name)
            create = {"batch": {"display_name": name, "input_config": {"file_name": file_name}}}
        operation = yield Req("POST", self.path("create"), json=create)
        job = self.job(operation)
        self.submitted[job.id] = [x.custom_id for x in lines]
        return job

    def upload(self, lines: Sequence[Line], name: str) -> Generator[Req, Any, str]:
        """Upload the lines as a JSONL file (Files API, multipart); returns its `files/...` name."""
        data = jsonl([{"key": x.custom_id, "request": x.body} for x in lines])
        mime = self.setting("upload_mime_type", "application/jsonl")
        content, content_type = related({"file": {"displayName": name}}, data, mime)
        answer = yield Req(
            "POST",
            self.path("upload"),
            content=content,
            content_type=content_type,
            headers={"x-goog-upload-protocol": "multipart"},
        )
        return str(answer["file"]["name"])

    # --- reading jobs ------------------------------------------------------------------------

    def get(self, job_id: str) -> Flow:
        """Read the job's Operation (by id or by its `batches/{id}` name)."""
        data = yield Req("GET", self.path("get", id=_short(job_id)))
        return self.job(data)

    def cancel(self, job_id: str) -> Flow:
        """Cancel (its answer is empty), then read the job again."""
        yield Req("POST", self.path("cancel", id=_short(job_id)))
        return (yield from self.get(job_id))

    def list(self, limit: int) -> Flow:
        """The newest jobs: one page of `operations` (`pageSize` = limit)."""
        page = yield Req("GET", self.path("list"), query={"pageSize": str(limit)})
        return [self.job(item) for item in _list(_obj(page).get("operations"))][:limit]

    def job(self, data: Any) -> JobData:
        """JobData of an Operation (its `metadata` is the batch); `ends_at` is when it expires
        unless done: `createTime` plus `expires_after_hours`."""
        batch = _obj(data.get("metadata")) or _obj(data)
        stats = _obj(batch.get("batchStats"))
        keys = ("requestCount", "successfulRequestCount", "failedRequestCount")
        total, succeeded, failed = (number(stats.get(k)) for k in keys)
        created = timestamp(batch.get("createTime"))
        hours = float(self.setting("expires_after_hours", "48"))
        state = batch.get("state")
        return JobData(
            id=_short(str(data.get("name") or batch.get("name"))),
            state=self.state(state),
            state_raw=state,
            counts=BatchCounts(total, succeeded, failed, number(stats.get("pendingRequestCount"))),
            created_at=created,
            ends_at=created + timedelta(hours=hours) if created is not None else None,
            ended_at=timestamp(batch.get("endTime")),
            raw=data,
        )

    # --- results -----------------------------------------------------------------------------

    def sources(self, job: JobData) -> Flow:
        """The responses file (a download read as JSON lines) and/or the inline results, each
        with its key (its own, else by position)."""
        output = _output(job.raw)
        found: list[Source] = []
        file_name = output.get("responsesFile")
        if file_name:
            results = self.path("results", id=str(file_name))
            found.append(Req("GET", results, query={"alt": "media"}, lines=True))
        inlined = _list(_obj(output.get("inlinedResponses")).get("inlinedResponses"))
        if inlined:
            order = self.submitted.get(job.id) or _input_keys(job.raw)
            found.append([_keyed(_obj(item), i, order) for i, item in enumerate(inlined)])
        return found
        yield  # a generator that needs no request

    def record(self, item: Any) -> Record:
        """A result (inline or a file's line) as a Record: its key, and its response or its
        Status (named from its numeric code, so the protocol's error table classifies it)."""
        key: Any = item.get("key")
        if key is None:
            key = _obj(item.get("metadata")).get("key")
        custom_id = "" if key is None else str(key)
        if item.get("response") is not None and item.get("error") is None:
            return Record(custom_id, body=item["response"])
        status = dict(_obj(item.get("error")))
        if not status:
            return Record(custom_id, error={"error": {"message": "a result with no response"}})
        code = status.get("code")
        if "status" not in status and isinstance(code, int) and code in RPC_CODES:
            status["status"] = RPC_CODES[code]  # the name the protocol's error table knows
        return Record(custom_id, error={"error": status})


def related(metadata: Mapping[str, Any], data: bytes, mime: str) -> tuple[bytes, str]:
    """A multipart/related body (Google's multipart upload): the JSON metadata, then the
    media; returns (body, content type)."""
    boundary = f"modelwire-{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        f"{json.dumps(metadata, ensure_ascii=False)}\r\n"
        f"--{boundary}\r\nContent-Type: {mime}\r\n\r\n"
    ).encode()
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/related; boundary={boundary}",
    )


def _compact(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _short(name: str) -> str:
    """A job's id from its resource name (`batches/{id}`); an id is kept as it is."""
    return name.removeprefix("batches/")


def _output(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The job's GenerateContentBatchOutput: the Operation's `response`, else the batch's
    `output`."""
    return _obj(raw.get("response")) or _obj(_obj(raw.get("metadata")).get("output"))


def _input_keys(raw: Mapping[str, Any]) -> list[str]:
    """The custom ids of the job's inline input, in order, when the job JSON echoes it."""
    config = _obj(_obj(raw.get("metadata")).get("inputConfig"))
    requests = _list(_obj(config.get("requests")).get("requests"))
    return [str(_obj(_obj(r).get("metadata")).get("key", i)) for i, r in enumerate(requests)]


def _keyed(item: dict[str, Any], index: int, order: Sequence[str]) -> dict[str, Any]:
    """An inline result with its key: its own, else the one at its position."""
    metadata = _obj(item.get("metadata"))
    if metadata.get("key") is not None:
        return item
    key = order[index] if index < len(order) else str(index)
    return {**item, "metadata": {**metadata, "key": key}}


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """A JSON array, or an empty one for anything else."""
    return cast("list[Any]", value) if isinstance(value, list) else []
