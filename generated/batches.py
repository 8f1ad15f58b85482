# generated from specs/providers/ — do not edit; run `python tasks.py generate`
"""Every provider's batch API modelwire can run jobs on, compiled from specs/providers/."""

from __future__ import annotations

from modelwire._provider import AuthScheme
from modelwire.batch._spec import BatchInfo

BATCHES: dict[str, BatchInfo] = {
    "openai": BatchInfo(
        style="openai_files",
        protocols={
            "openai_chat": {"url": "/v1/chat/completions"},
            "openai_responses": {"url": "/v1/responses"},
        },
        paths={
            "upload": "/files",
            "create": "/batches",
            "get": "/batches/{id}",
            "cancel": "/batches/{id}/cancel",
            "list": "/batches",
            "results": "/files/{id}/content",
        },
        states={
            "validating": "queued",
            "in_progress": "running",
            "finalizing": "running",
            "completed": "completed",
            "failed": "failed",
            "expired": "expired",
            "cancelling": "cancelling",
            "cancelled": "cancelled",
        },
        max_requests=50000,
        max_bytes=209715200,
        min_requests=1,
        custom_id=None,
        settings={"completion_window": "24h"},
        docs="https://platform.openai.com/docs/api-reference/batch",
    ),
}
