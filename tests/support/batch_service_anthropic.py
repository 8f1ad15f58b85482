"""A fake Anthropic Message Batches service on 127.0.0.1 (shapes from the API reference:
https://platform.claude.com/docs/en/api/messages/batches).

A batch is `in_progress` for a poll, then `ended`; a cancel makes it `canceling`, then `ended`
with the requests not yet run `canceled`; the `expired` outcome ends it with the requests
past `answered` `expired`. Results stream as JSON lines from the batch's `results_url`, in
reverse order (the API does not promise the requests' order). Every request must carry
`x-api-key` and `anthropic-version`, as the API requires.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.batch_service import Answer, BatchService, FakeJob
from tests.support.server import Recorded, Reply

__all__ = ["AnthropicBatchService", "error_body"]

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
CREATED_AT = "2024-09-24T18:37:24.100435Z"
EXPIRES_AT = "2024-09-25T18:37:24.100435Z"
CANCEL_AT = "2024-09-24T18:39:03.114875Z"
ENDED_AT = "2024-09-24T18:44:03.114875Z"
PREFIX = "/v1/messages/batches"


def error_body(kind: str, message: str) -> dict[str, Any]:
    """Anthropic's error shape (an HTTP error's body, and an `errored` result's error)."""
    return {"type": "error", "error": {"type": kind, "message": message}}


class AnthropicBatchService(BatchService):
    """Message Batches under /v1/messages/batches; `seen` holds each created batch's requests
    (`{custom_id, params}`) as sent."""

    STATES = ("in_progress", "ended")

    def __init__(self, answer: Answer, **kw: Any) -> None:
        super().__init__(answer, **kw)
        self.seen: list[list[dict[str, Any]]] = []

    def __enter__(self) -> AnthropicBatchService:
        super().__enter__()
        return self

    def respond(self, rec: Recorded) -> Reply:
        if not rec.headers.get("x-api-key"):
            return Reply.json(error_body("authentication_error", "invalid x-api-key"), 401)
        if rec.headers.get("anthropic-version") != "2023-06-01":
            message = "anthropic-version: header is required"
            return Reply.json(error_body("invalid_request_error", message), 400)
        return super().respond(rec)

    def routes(self) -> list[tuple[str, str, Callable[..., Reply]]]:
        p = re.escape(PREFIX)
        return [
            ("POST", p, self.create),
            ("GET", p, self.list),
            ("GET", f"{p}/([^/]+)", self.get),
            ("POST", f"{p}/([^/]+)/cancel", self.cancel),
            ("GET", f"{p}/([^/]+)/results", self.content),
        ]

    def create(self, rec: Recorded) -> Reply:
        requests: list[dict[str, Any]] = rec.json()["requests"]
        ids = [r["custom_id"] for r in requests]
        bad = [i for i in ids if not CUSTOM_ID.fullmatch(i)]
        if bad or len(set(ids)) != len(ids) or not requests:
            message = f"requests: custom_id must be unique and match {CUSTOM_ID.pattern}"
            return Reply.json(error_body("invalid_request_error", message), 400)
        self.seen.append(requests)
        job = FakeJob(
            self.new_id("msgbatch_"),
            [(r["custom_id"], r["params"]) for r in requests],
            list(self.STATES),
        )
        self.jobs[job.id] = job
        return Reply.json(self.batch(job))

    def get(self, rec: Recorded, job_id: str) -> Reply:
        if job_id not in self.jobs:
            return Reply.json(error_body("not_found_error", f"no batch {job_id}"), 404)
        return Reply.json(self.batch(self.advance(self.jobs[job_id])))

    def list(self, rec: Recorded) -> Reply:
        query = parse_qs(urlsplit(rec.path).query)
        limit = int(query.get("limit", ["20"])[0])
        jobs = list(reversed(self.jobs.values()))  # the newest first
        after = query.get("after_id", [None])[0]
        if after is not None:
            jobs = jobs[[j.id for j in jobs].index(after) + 1 :]
        data = [self.batch(j) for j in jobs[:limit]]
        return Reply.json(
            {
                "data": data,
                "has_more": len(jobs) > limit,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
            }
        )

    def cancel(self, rec: Recorded, job_id: str) -> Reply:
        job = self.jobs[job_id]
        job.cancelled_at = 1  # the first request ran before the cancel took
        job.states = [*job.states[: job.step + 1], "canceling", "ended"]
        job.step = len(job.states) - 2
        return Reply.json(self.batch(job))

    def content(self, rec: Recorded, job_id: str) -> Reply:
        job = self.jobs[job_id]
        if job.state != "ended":
            message = f"Batch {job_id} has not ended: results are not available yet"
            return Reply.json(error_body("invalid_request_error", message), 400)
        lines = [json.dumps(x).encode() + b"\n" for x in reversed(self.lines(job))]
        return Reply(body=lines, content_type="application/x-jsonl")

    def lines(self, job: FakeJob) -> list[dict[str, Any]]:
        """Each request's result line, in the requests' order."""
        out: list[dict[str, Any]] = []
        for custom_id, status, body in self.results(job):
            if status is None:
                result: dict[str, Any] = {
                    "type": "expired" if job.cancelled_at is None else "canceled"
                }
            elif status < 400:
                result = {"type": "succeeded", "message": body}
            else:
                result = {"type": "errored", "error": body}
            out.append({"custom_id": custom_id, "result": result})
        return out

    def batch(self, job: FakeJob) -> dict[str, Any]:
        """The MessageBatch object of `job` as it is now."""
        state = job.state
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if state == "ended":
            for line in self.lines(job):
                counts[line["result"]["type"]] += 1
        else:
            counts["processing"] = len(job.lines)
        ended = state == "ended"
        return {
            "id": job.id,
            "type": "message_batch",
            "processing_status": state,
            "request_counts": counts,
            "ended_at": ENDED_AT if ended else None,
            "created_at": CREATED_AT,
            "expires_at": EXPIRES_AT,
            "archived_at": None,
            "cancel_initiated_at": CANCEL_AT if job.cancelled_at is not None else None,
            "results_url": f"{self.url}{PREFIX}/{job.id}/results" if ended else None,
        }
