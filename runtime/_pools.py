"""A client's HTTP pools: one sync httpx2 client, one async client per event loop (with the
gate in front of it), or the caller's own client, used as given and never closed; and the
client's lifecycle (`with`, `async with`, `close`, `aclose`)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import httpx2
from typing_extensions import Self

from ._attempts import MAX_CONNECTIONS
from ._errors import ConfigurationError

if TYPE_CHECKING:
    import asyncio

__all__ = ["Pools"]


class Pools:
    """The pools of a client (a base of AIModelClient). `_others`: clients that share its
    lifecycle (a fallback's other endpoints'), closed with it."""

    _others: dict[int, Any]

    def _init_pools(
        self, http_client: httpx2.Client | httpx2.AsyncClient | None, is_async: bool
    ) -> None:
        self._others = {}
        self._given = _given_client(http_client, is_async)
        self._sync = http_client if isinstance(http_client, httpx2.Client) else None
        self._async = http_client if isinstance(http_client, httpx2.AsyncClient) else None
        self._loop: Any = None  # the event loop of self._async (when it is ours) and _gate
        self._gate: Any = None
        self._lock = threading.Lock()

    def _http_options(self) -> dict[str, Any]:
        """The options of a pool this client makes (its limits, headers, HTTP/2)."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def close(self) -> None:
        for other in self._others.values():
            other.close()
        if self._sync is not None and not self._given:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        for other in self._others.values():
            await other.aclose()
        if self._async is not None and not self._given:
            await self._async.aclose()
            self._async = None
        self.close()

    def _sync_client(self) -> httpx2.Client:
        with self._lock:  # one pool, however many threads make their first call at once
            if self._sync is None:
                self._sync = httpx2.Client(**self._http_options())
            return self._sync

    def _for_loop(self, loop: asyncio.AbstractEventLoop) -> tuple[httpx2.AsyncClient, Any]:
        """The pool and the gate of this event loop. A client used from a new loop (a second
        `asyncio.run`) gets a new pool (the old one's connections died with their loop; a
        caller's client is kept) and a new gate: at most as many requests in the pool at once
        as it has connections, the rest waiting on the gate (docs/decisions.md, "The async
        pool": httpcore's queue cost seconds of CPU for a burst of 1,000)."""
        import asyncio

        if self._loop is not loop or self._async is None:
            if not self._given:
                self._async = httpx2.AsyncClient(**self._http_options())
            self._loop, self._gate = loop, asyncio.Semaphore(MAX_CONNECTIONS)
        assert self._async is not None  # given, or made just now
        return self._async, self._gate


def _given_client(http_client: object, is_async: bool) -> bool:
    """Whether the caller gave an HTTP client, checked to be of the client's kind."""
    if http_client is None:
        return False
    want = httpx2.AsyncClient if is_async else httpx2.Client
    if not isinstance(http_client, want):
        raise ConfigurationError(
            f"http_client must be an httpx2.{want.__name__} for "
            f"is_async={is_async}, not {type(http_client).__name__}"
        )
    return True
