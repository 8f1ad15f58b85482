"""How a provider runs batch jobs: what the generated `modelwire.generated.batches` is made of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from modelwire._provider import AuthScheme

__all__ = ["TERMINAL", "BatchInfo", "JobState"]

# a job's state in modelwire's terms (the provider's own is kept as `state_raw`)
JobState = Literal["queued", "running", "cancelling", "completed", "failed", "expired", "cancelled"]
TERMINAL: frozenset[str] = frozenset({"completed", "failed", "expired", "cancelled"})


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """A provider's batch API: `style` names the registered flow that runs its jobs
    (`modelwire.batch`), `protocols` the protocols whose request bodies its lines carry (with
    each one's settings), `paths` its operations' URL templates, `states` its job states in
    modelwire's terms; the limits checked before a job is submitted."""

    style: str
    protocols: Mapping[str, Mapping[str, str]]
    paths: Mapping[str, str]
    states: Mapping[str, str]
    max_requests: int
    max_bytes: int | None = None
    min_requests: int = 1
    custom_id: str | None = None  # a regular expression every custom id must match
    query: Mapping[str, str] = field(default_factory=dict[str, str])
    settings: Mapping[str, str] = field(default_factory=dict[str, str])
    base_url: str | None = None  # where jobs are served, when not at the provider's base URL
    auth: AuthScheme | None = None  # how job requests authenticate, when not as calls do
    storage: Literal["gs", "s3"] | None = None  # the bucket kind input and output go through
    docs: str | None = None
