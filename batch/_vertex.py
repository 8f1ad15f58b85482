"""Vertex AI batch prediction's flow: input and output in Cloud Storage.

A job's calls are written as one JSONL object to the caller's bucket through Cloud Storage's
JSON API (`uploadType=media`), each line `{"request": <the protocol's body>}`; a
`batchPredictionJob` is made of it (model `publishers/<publisher>/models/<model>`), and its
results are the `predictions*.jsonl` objects under the job's `outputInfo.gcsOutputDirectory`,
each line `{"request", "response", "status", "processed_time"}` (`status` empty, or the
error's text). Where the caller's custom id rides is the protocol's `custom_id` setting:
`labels` (Gemini: the request's `labels`, which the output line's `request` echoes) or `line`
(Claude: a top-level `custom_id`, as Vertex AI's Claude batch input takes it).
https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/batch-prediction-from-cloud-storage
https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.batchPredictionJobs
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, cast
from urllib.parse import quote

from modelwire import ConfigurationError

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

__all__ = ["VertexBatchPrediction"]

# the request label a Gemini line's custom id rides in (as is, when it is a valid label value)
ID_LABEL = "modelwire_custom_id"
# else base32 (a-z, 2-7: label-safe), cut into label values of at most 63 characters
ID_LABEL_B32 = "modelwire_custom_id_b32_"
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
_LABEL_MAX = 63


class VertexBatchPrediction(BatchStyle):
    """Settings: `storage_url` (Cloud Storage's JSON API host; `options["storage_url"]`
    overrides it), per protocol `publisher` (the model's publisher) and `custom_id` (`labels`
    or `line`: where a line carries its custom id). `storage` (BatchClient's) is the
    `gs://bucket/prefix` a job's input and output go under."""

    name = "vertex_batch_prediction"

    # --- submitting --------------------------------------------------------------------------

    def submit(self, lines: Sequence[Line], name: str) -> Flow:
        """Upload `lines` as `<prefix>/<name>-<random>/input.jsonl`, then create the job with
        its output under `.../output`; returns its JobData."""
        bucket, prefix = self.bucket()
        create_path = self.path("create")  # refused, as storage is, before anything is sent
        folder = "/".join(p for p in (prefix, f"{name}-{uuid.uuid4().hex[:8]}") if p)
        source = f"{folder}/input.jsonl"
        yield Req(
            "POST",
            self.storage_url() + f"/upload/storage/v1/b/{quote(bucket, safe='')}/o",
            query={"uploadType": "media", "name": source},
            content=jsonl([self.line(x) for x in lines]),
            content_type="application/jsonl",
        )
        create = {
            "displayName": name,
            "model": f"publishers/{self.settings['publisher']}/models/{self.model_id}",
            "inputConfig": {
                "instancesFormat": "jsonl",
                "gcsSource": {"uris": [f"gs://{bucket}/{source}"]},
            },
            "outputConfig": {
                "predictionsFormat": "jsonl",
                "gcsDestination": {"outputUriPrefix": f"gs://{bucket}/{folder}/output"},
            },
        }
        job = yield Req("POST", create_path, json=create)
        return self.job(job)

    def bucket(self) -> tuple[str, str]:
        """(bucket, object prefix) of the `storage` URI; refused unless it is gs://bucket/..."""
        storage = self.params.get("storage")
        if not storage:
            raise ConfigurationError(
                "Vertex AI batch prediction reads its input from and writes its results to "
                "Cloud Storage: pass BatchClient(..., storage='gs://<bucket>/<prefix>')"
            )
        if not storage.startswith("gs://") or not storage[len("gs://") :].split("/")[0]:
            raise ConfigurationError(
                f"storage={storage!r} is not a Cloud Storage URI: pass "
                "BatchClient(..., storage='gs://<bucket>/<prefix>')"
            )
        bucket, _, prefix = storage[len("gs://") :].partition("/")
        return bucket, prefix.strip("/")

    def path(self, operation: str, **values: str) -> str:
        """The operation's path; refused when a param it names is empty (jobs live in a
        project and a location: express mode, an API key without a project, has none)."""
        template = self.info.paths.get(operation, "")
        names = re.findall(r"\{(\w+)\}", template)
        empty = [k for k in names if k not in values and k != "model" and not self.params.get(k)]
        if empty:
            raise ConfigurationError(
                f"batch jobs need {', '.join(empty)}: pass AIModelAPI(..., config="
                f"{{{', '.join(repr(k) + ': ...' for k in empty)}}}) with Google Cloud credentials"
            )
        return super().path(operation, **values)

    def storage_url(self) -> str:
        """Cloud Storage's JSON API host (the option's, else the spec's)."""
        return str(self.options.get("storage_url") or self.settings["storage_url"]).rstrip("/")

    def line(self, line: Line) -> dict[str, Any]:
        """One input line: the request, with the custom id where the protocol carries it."""
        if self.settings.get("custom_id") == "line":
            return {"custom_id": line.custom_id, "request": line.body}
        labels = {**cast("Mapping[str, str]", line.body.get("labels") or {}), **id_labels(line)}
        return {"request": {**line.body, "labels": labels}}

    # --- jobs ----------------------------------------------------------------------------------

    def get(self, job_id: str) -> Flow:
        """The job's JobData (`job_id`: its id, or its whole resource name)."""
        data = yield Req("GET", self.path("get", id=job_id.rsplit("/", 1)[-1]))
        return self.job(data)

    def cancel(self, job_id: str) -> Flow:
        """Ask for the job's cancellation (answered with an empty body), then read it."""
        short = job_id.rsplit("/", 1)[-1]
        yield Req("POST", self.path("cancel", id=short), json={})
        data = yield Req("GET", self.path("get", id=short))
        return self.job(data)

    def list(self, limit: int) -> Flow:
        """The newest jobs of the project and location, page after page up to `limit`."""
        found: list[JobData] = []
        token: str | None = None
        while len(found) < limit:
            query = {"pageSize": str(limit - len(found))}
            if token:
                query["pageToken"] = token
            page = yield Req("GET", self.path("list"), query=query)
            jobs: list[Any] = page.get("batchPredictionJobs") or []
            found += [self.job(item) for item in jobs]
            token = page.get("nextPageToken")
            if not token:
                break
        return found[:limit]

    def job(self, data: Any) -> JobData:
        """A BatchPredictionJob resource as JobData: its id is the name's last segment. Its
        `completionStats` counts are int64 (JSON strings), a zero one left out (proto3 JSON);
        an `incompleteCount` of -1 is unknown."""
        return JobData(
            id=str(data.get("name", "")).rsplit("/", 1)[-1],
            state=self.state(data.get("state")),
            state_raw=data.get("state"),
            counts=_counts(data.get("completionStats")),
            created_at=timestamp(data.get("createTime")),
            ended_at=timestamp(data.get("endTime")),
            raw=data,
        )

    # --- results -------------------------------------------------------------------------------

    def sources(self, job: JobData) -> Flow:
        """Every `predictions*.jsonl` object under the job's output directory (none when it
        wrote none), listed page by page."""
        info: Mapping[str, Any] = job.raw.get("outputInfo") or {}
        directory = str(info.get("gcsOutputDirectory") or "")
        if not directory.startswith("gs://"):
            return []
        bucket, _, prefix = directory[len("gs://") :].partition("/")
        base = self.storage_url() + f"/storage/v1/b/{quote(bucket, safe='')}/o"
        found: list[Source] = []
        token: str | None = None
        while True:
            query = {"prefix": prefix.rstrip("/") + "/" if prefix else ""}
            if token:
                query["pageToken"] = token
            page = yield Req("GET", base, query=query)
            items: list[Mapping[str, Any]] = page.get("items") or []
            for item in items:
                name = str(item.get("name", ""))
                if re.fullmatch(r"predictions.*\.jsonl", name.rsplit("/", 1)[-1]):
                    url = f"{base}/{quote(name, safe='')}"
                    found.append(Req("GET", url, query={"alt": "media"}, lines=True))
            token = page.get("nextPageToken")
            if not token:
                return found

    def record(self, item: Any) -> Record:
        """A result line: its response, or its `status` text as the protocol's error shape
        (the embedded `{"error": ...}` JSON when the text holds one)."""
        custom_id = self.custom_id(item)
        status = item.get("status")
        response = item.get("response")
        if not status and response:
            return Record(custom_id, body=response)
        if not status:
            return Record(
                custom_id, error={"error": {"message": "the result line has no response"}}
            )
        error = _embedded_error(str(status))
        code = error["error"].get("code")
        http = code if isinstance(code, int) and 400 <= code <= 599 else None
        return Record(custom_id, status=http, error=error)

    def custom_id(self, item: Mapping[str, Any]) -> str:
        """The line's custom id: its `custom_id`, or the one its request's labels carry."""
        if self.settings.get("custom_id") == "line":
            return str(item.get("custom_id", ""))
        request = cast("Mapping[str, Any]", item.get("request") or {})
        return id_from_labels(cast("Mapping[str, str]", request.get("labels") or {}))


def id_labels(line: Line) -> dict[str, str]:
    """The request labels that carry `line`'s custom id: as is when it is a valid label value,
    else base32 in as many labels as it needs."""
    if _LABEL_VALUE.fullmatch(line.custom_id):
        return {ID_LABEL: line.custom_id}
    encoded = base64.b32encode(line.custom_id.encode()).decode().rstrip("=").lower()
    chunks = [encoded[i : i + _LABEL_MAX] for i in range(0, len(encoded), _LABEL_MAX)]
    return {f"{ID_LABEL_B32}{n}": chunk for n, chunk in enumerate(chunks)}


def id_from_labels(labels: Mapping[str, str]) -> str:
    """The custom id `id_labels` put in these labels ("" when there is none)."""
    if ID_LABEL in labels:
        return str(labels[ID_LABEL])
    parts = sorted(
        (int(key[len(ID_LABEL_B32) :]), str(value))
        for key, value in labels.items()
        if key.startswith(ID_LABEL_B32) and key[len(ID_LABEL_B32) :].isdigit()
    )
    encoded = "".join(value for _, value in parts).upper()
    if not encoded:
        return ""
    return base64.b32decode(encoded + "=" * (-len(encoded) % 8)).decode()


def _embedded_error(status: str) -> dict[str, Any]:
    """A line's `status` text as `{"error": {...}}`: the JSON error object it embeds (e.g.
    `Bad Request: {"error": {"code": 400, ...}}`), else the text as the message."""
    start = status.find("{")
    if start >= 0:
        try:
            data = json.loads(status[start:])
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("error"), dict):  # pyright: ignore[reportUnknownMemberType]  # json.loads gives an untyped dict
            return cast("dict[str, Any]", data)
    return {"error": {"message": status}}


def _counts(stats: Any) -> BatchCounts:
    """BatchCounts from a CompletionStats (none known when the job has none yet)."""
    if not isinstance(stats, Mapping) or not stats:
        return BatchCounts()
    got = cast("Mapping[str, Any]", stats)
    done, failed, left = (
        _count(got.get(k, 0)) for k in ("successfulCount", "failedCount", "incompleteCount")
    )
    pending = left if left is not None and left >= 0 else None
    total = (
        None if None in (done, failed, pending) else (done or 0) + (failed or 0) + (pending or 0)
    )
    return BatchCounts(total=total, succeeded=done, failed=failed, pending=pending)


def _count(value: object) -> int | None:
    """A count (int64 counts come as JSON strings); None when absent."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(cast("str | int", value))
    except (TypeError, ValueError):
        return None
