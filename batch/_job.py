"""BatchJob: a handle on one batch job — refreshed, waited on, cancelled, its results read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._spec import TERMINAL, JobState
from ._style import BatchCounts, JobData

if TYPE_CHECKING:
    from ._client import BatchClient
    from ._items import Result

__all__ = ["BatchJob"]


class BatchJob:
    """One job: `id` (re-open it anywhere with `BatchClient.get(id)`), `provider`, `state`
    (queued, running, cancelling, completed, failed, expired, cancelled; the provider's own in
    `state_raw`), `counts`, `created_at`, `ends_at` (when it expires unless done), `ended_at`.
    Sync methods for a sync BatchClient, `*_async` ones for an async one."""

    __slots__ = ("client", "data")

    def __init__(self, client: BatchClient, data: JobData) -> None:
        self.client = client
        self.data = data

    @property
    def id(self) -> str:
        return self.data.id

    @property
    def provider(self) -> str:
        return self.client.endpoint.api.info.name

    @property
    def state(self) -> JobState:
        return self.data.state

    @property
    def state_raw(self) -> str | None:
        return self.data.state_raw

    @property
    def counts(self) -> BatchCounts:
        return self.data.counts

    @property
    def created_at(self) -> datetime | None:
        return self.data.created_at

    @property
    def ends_at(self) -> datetime | None:
        return self.data.ends_at

    @property
    def ended_at(self) -> datetime | None:
        return self.data.ended_at

    @property
    def done(self) -> bool:
        """Whether the job has ended (completed, failed, expired or cancelled)."""
        return self.data.state in TERMINAL

    @property
    def raw(self) -> dict[str, Any]:
        """The provider's JSON for the job, as last read."""
        return self.data.raw

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form of the job (times as ISO 8601 text)."""
        d = self.data
        times = {k: getattr(d, k) for k in ("created_at", "ends_at", "ended_at")}
        return {
            "id": d.id,
            "provider": self.provider,
            "state": d.state,
            "state_raw": d.state_raw,
            "counts": {k: getattr(d.counts, k) for k in BatchCounts.__dataclass_fields__},
            **{k: v.isoformat() if v is not None else None for k, v in times.items()},
        }

    def __repr__(self) -> str:
        return f"BatchJob(id={self.id!r}, provider={self.provider!r}, state={self.state!r})"

    # --- sync --------------------------------------------------------------------------------

    def refresh(self) -> BatchJob:
        """Read the job's state again (this handle is updated; returns it)."""
        self.data = self.client.get(self.id).data
        return self

    def cancel(self) -> BatchJob:
        """Ask the provider to cancel the job (results done so far stay readable)."""
        self.data = self.client.cancel(self.id).data
        return self

    def wait(
        self,
        *,
        poll_interval: float = 30.0,
        timeout: float | None = None,
        progress: Callable[[BatchJob], None] | None = None,
    ) -> BatchJob:
        """Refresh every `poll_interval` seconds until the job ends; `progress(job)` after each
        refresh; APITimeoutError after `timeout` seconds."""
        self.data = self.client.wait(
            self, poll_interval=poll_interval, timeout=timeout, progress=progress
        ).data
        return self

    def results(self) -> Iterator[Result]:
        """(custom id, AIModelCallResponse) or (custom id, typed error) per call, read from the
        provider as iterated (memory stays flat however many there are)."""
        return self.client.results(self)

    # --- async -------------------------------------------------------------------------------

    async def refresh_async(self) -> BatchJob:
        self.data = (await self.client.get_async(self.id)).data
        return self

    async def cancel_async(self) -> BatchJob:
        self.data = (await self.client.cancel_async(self.id)).data
        return self

    async def wait_async(
        self,
        *,
        poll_interval: float = 30.0,
        timeout: float | None = None,
        progress: Callable[[BatchJob], None] | None = None,
    ) -> BatchJob:
        job = await self.client.wait_async(
            self, poll_interval=poll_interval, timeout=timeout, progress=progress
        )
        self.data = job.data
        return self

    def results_async(self) -> AsyncIterator[Result]:
        return self.client.results_async(self)
