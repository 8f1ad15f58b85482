"""The OpenAI Batch API's flow (and every host that serves its shape: Azure OpenAI, ...).

A job is a JSONL file uploaded to the Files API (`purpose=batch`), each line
`{custom_id, method, url, body}`, then a batch made from it; results are the batch's output
and error files, each line `{custom_id, response: {status_code, request_id, body}, error}`.
https://platform.openai.com/docs/api-reference/batch
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    multipart,
    number,
    timestamp,
)

__all__ = ["OpenAIFiles"]


class OpenAIFiles(BatchStyle):
    """Settings: `url` (each line's and the batch's endpoint), `completion_window`."""

    name = "file_batches"

    def submit(self, lines: Sequence[Line], name: str) -> Flow:
        url = self.settings["url"]
        data = jsonl(
            [
                {"custom_id": x.custom_id, "method": "POST", "url": url, "body": x.body}
                for x in lines
            ]
        )
        content, content_type = multipart({"purpose": "batch"}, "file", f"{name}.jsonl", data)
        uploaded = yield Req(
            "POST", self.path("upload"), content=content, content_type=content_type
        )
        create = {
            "input_file_id": uploaded["id"],
            "endpoint": url,
            "completion_window": self.settings.get("completion_window", "24h"),
            "metadata": {"name": name},
        }
        job = yield Req("POST", self.path("create"), json=create)
        return self.job(job)

    def list(self, limit: int) -> Flow:
        page = yield Req("GET", self.path("list"), query={"limit": str(limit)})
        return [self.job(item) for item in page.get("data", [])]

    def job(self, data: Any) -> JobData:
        counts: dict[str, Any] = data.get("request_counts") or {}
        total, done, failed = (number(counts.get(k)) for k in ("total", "completed", "failed"))
        pending = None
        if total is not None and done is not None and failed is not None:
            pending = total - done - failed
        ended = next(
            (
                data[k]
                for k in ("completed_at", "failed_at", "expired_at", "cancelled_at")
                if data.get(k)
            ),
            None,
        )
        return JobData(
            id=data["id"],
            state=self.state(data.get("status")),
            state_raw=data.get("status"),
            counts=BatchCounts(total, done, failed, pending),
            created_at=timestamp(data.get("created_at")),
            ends_at=timestamp(data.get("expires_at")),
            ended_at=timestamp(ended),
            raw=data,
        )

    def sources(self, job: JobData) -> Flow:
        found: list[Source] = []
        for key in ("output_file_id", "error_file_id"):
            file_id = job.raw.get(key)
            if file_id:
                found.append(Req("GET", self.path("results", id=file_id), lines=True))
        return found
        yield  # a generator that needs no request

    def record(self, item: Any) -> Record:
        response = item.get("response")
        if response:
            status = response.get("status_code")
            body = response.get("body")
            if isinstance(status, int) and status < 400:
                return Record(item["custom_id"], body=body, status=status)
            return Record(item["custom_id"], status=status, error=body)
        return Record(item["custom_id"], error={"error": item.get("error")})
