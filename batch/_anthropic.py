"""Anthropic's Message Batches flow.

A job is one request, `{"requests": [{custom_id, params}]}`, each `params` the Messages
request body a direct call sends; a batch is `in_progress`, then `canceling` when asked to
stop, then `ended` (done, cancelled or expired alike: its `request_counts` tell which). Results
are JSON lines, `{custom_id, result}`, the result `succeeded` (with the `message`), `errored`
(with an error body), `canceled` or `expired`.
https://platform.claude.com/docs/en/api/messages/batches
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._spec import JobState
from ._style import (
    BatchCounts,
    BatchStyle,
    Flow,
    JobData,
    Line,
    Record,
    Req,
    Source,
    number,
    timestamp,
)

__all__ = ["AnthropicBatches"]

PAGE = 1000  # the most batches one list request returns (`limit`: 1 to 1000)

# why a request of a batch was not run, as its result's type says (the error a Record carries,
# in the protocol's error shape so its tables read it)
NOT_RUN = {
    "canceled": "the batch was canceled before this request was run",
    "expired": "the batch expired (24 hours) before this request was run",
}


class AnthropicBatches(BatchStyle):
    """Message Batches: the calls inline, results as JSON lines. No settings."""

    name = "message_batches"

    def submit(self, lines: Sequence[Line], name: str) -> Flow:
        """Create a batch of `lines` (a batch has no name: `name` is not sent)."""
        requests = [{"custom_id": x.custom_id, "params": x.body} for x in lines]
        data = yield Req("POST", self.path("create"), json={"requests": requests})
        return self.job(data)

    def list(self, limit: int) -> Flow:
        """The newest batches first, page after page (`after_id`) until `limit` are read."""
        found: list[JobData] = []
        query: dict[str, str] = {}
        while len(found) < limit:
            query["limit"] = str(min(limit - len(found), PAGE))
            page = yield Req("GET", self.path("list"), query=dict(query))
            items: list[Any] = page.get("data") or []
            found += [self.job(item) for item in items]
            if not page.get("has_more") or not page.get("last_id"):
                break
            query["after_id"] = str(page["last_id"])
        return found[:limit]

    def job(self, data: Any) -> JobData:
        """A batch's JobData; `ended` reads as cancelled when some of its requests were
        canceled, else as expired when some expired, else as completed (errored requests
        included: they are results too)."""
        counts: dict[str, Any] = data.get("request_counts") or {}
        keys = ("processing", "succeeded", "errored", "canceled", "expired")
        numbers = [number(counts.get(k)) for k in keys]
        pending, succeeded, errored, canceled, expired = numbers
        status = data.get("processing_status")
        return JobData(
            id=data["id"],
            state=self.ended_as(self.state(status), canceled, expired),
            state_raw=status,
            counts=BatchCounts(
                total=None if None in numbers else sum(n or 0 for n in numbers),
                succeeded=succeeded,
                failed=errored,
                pending=pending,
                cancelled=canceled,
                expired=expired,
            ),
            created_at=timestamp(data.get("created_at")),
            ends_at=timestamp(data.get("expires_at")),
            ended_at=timestamp(data.get("ended_at")),
            raw=data,
        )

    @staticmethod
    def ended_as(state: JobState, canceled: int | None, expired: int | None) -> JobState:
        """An ended batch's state from its counts: cancelled, expired or completed."""
        if state != "completed":
            return state
        if canceled:
            return "cancelled"
        if expired:
            return "expired"
        return state

    def sources(self, job: JobData) -> Flow:
        """The batch's results, once it has a `results_url` (it has none until it ends).

        They are read from the spec's `results` path on the jobs' base URL, the path the
        results_url names (so a base URL given for a proxy is kept)."""
        found: list[Source] = []
        if job.raw.get("results_url"):
            path = self.path("results", id=job.id)
            # as the official SDK asks for them (the answer is JSON lines, not one JSON)
            found.append(Req("GET", path, lines=True, headers={"accept": "application/binary"}))
        return found
        yield  # a generator that needs no request

    def record(self, item: Any) -> Record:
        """A result line as a Record: the message, or the error (the `errored` result's error
        body as the API reports errors; one in that shape for a canceled or expired one)."""
        custom_id = item["custom_id"]
        result: dict[str, Any] = item.get("result") or {}
        kind: Any = result.get("type")
        if kind == "succeeded":
            return Record(custom_id, body=result.get("message"))
        if kind == "errored":
            return Record(custom_id, error=result.get("error"))
        message = NOT_RUN.get(str(kind), f"the request was not run (result type {kind!r})")
        return Record(
            custom_id, error={"type": "error", "error": {"type": kind, "message": message}}
        )
