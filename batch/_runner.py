"""Live bulk runs: many calls through one client, a bounded number at a time, each result
paired with its call's custom id, in input order or as the calls complete.

`run` drives a sync client from a pool of threads, `arun` an async client from tasks; both
read their calls lazily (a file of a million lines is never held whole) and keep at most
`concurrency` calls in flight and at most `2 x concurrency` results waiting to be taken. A call
that fails comes back as `(custom_id, error)`: nothing is raised for one call's failure and
nothing is dropped. Bad arguments raise `ConfigurationError` before anything is sent; a bad
item met in `calls` (or any error reading them) stops the run from sending more, the calls in
flight finish and are yielded, then the error is raised.

A `RateLimiter` (with `limiter=True`, the client's own: made by its first run and shared by
its later ones; `False` for none; or one of your own, to share between clients of an
account) paces the calls by the provider's rate-limit headers. The client retries
failures itself (`config.retries`); the runner adds no retries of its own but one: a 429 that
still reached it is sent again after the limiter's wait, up to `RATE_LIMIT_RETRIES` times
(counted in `Progress.rate_limited`). With a `budget` (USD), once the cost tracker's total
(what it held before the run included; a tracker of the run's own when none is given)
reaches it no new call is sent (calls in flight finish, so the total may pass it by what they
cost), and every call not sent comes back as `(custom_id, BudgetExceededError)`. A streamed
call's stream is read to its end and its accumulated response is the result.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, TypeAlias

from modelwire import (
    AIModelCallResponse,
    AIModelClient,
    BudgetExceededError,
    ConfigurationError,
    CostTracker,
    ModelwireError,
    RateLimitError,
)
from modelwire._types import AsyncStream, SyncStream

from ._items import Call, CallLike, Result, call_from, calls_from
from ._limiter import RateLimiter

__all__ = ["RATE_LIMIT_RETRIES", "Progress", "arun", "run"]

RATE_LIMIT_RETRIES = 3  # times a call that got a 429 through the client's retries is sent again

Outcome: TypeAlias = "AIModelCallResponse[Any] | ModelwireError"


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a run stands, given to its `progress` callback after each result.

        `done` results so far (`failed` of them errors of sent calls, `skipped` of them calls not
        sent for the budget), `in_flight` calls under way (waiting for the limiter included),
        `issued` calls sent, `rate_limited` 429s that reached the runner (sent again when a
    limiter paces the run), `cost`
        USD so far by the run's cost tracker, `elapsed` seconds since the run started."""

    done: int
    failed: int
    skipped: int
    in_flight: int
    issued: int
    rate_limited: int
    cost: float
    elapsed: float


class _Run:
    """What the driver of a run and its calls share: the settings, the counters (under a
    lock: calls run in threads), the cost tracker and the limiter."""

    def __init__(
        self,
        client: AIModelClient[Any],
        concurrency: int,
        cost_tracker: CostTracker | None,
        budget: float | None,
        limiter: RateLimiter | bool | None,
        progress: Callable[[Progress], object] | None,
    ) -> None:
        _check(concurrency, cost_tracker, budget, limiter, progress)
        self.concurrency = concurrency
        self.window = 2 * concurrency  # results sent for and not yet taken, at most
        self.budget = budget
        self.tracker = cost_tracker if cost_tracker is not None or budget is None else CostTracker()
        self.limiter = _limiter_for(client) if limiter is True else limiter or None
        self.progress = progress
        self.client = client
        self.started = time.monotonic()
        self.in_flight = 0
        self._lock = threading.Lock()
        self._counts = {"done": 0, "failed": 0, "skipped": 0, "issued": 0, "rate_limited": 0}

    def count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def over_budget(self) -> bool:
        return (
            self.budget is not None
            and self.tracker is not None
            and self.tracker.total.total >= self.budget
        )

    def not_sent(self) -> BudgetExceededError:
        return BudgetExceededError(f"not sent: the budget of ${self.budget:g} is spent")

    def finished(self, call: Call, outcome: Outcome) -> Outcome:
        """Count a sent call's outcome (its cost to the tracker, unless its config's tracker
        is the run's: the client added it already)."""
        if isinstance(outcome, AIModelCallResponse) and self.tracker is not None:
            config = call.config or self.client.config
            if config.cost_tracker is not self.tracker and (
                outcome.chat_response is not None or outcome.image_response is not None
            ):
                self.tracker.add(outcome)
        return outcome

    def taken(self, result: Result) -> Result:
        """A result handed to the caller: counted, and reported to `progress`."""
        outcome = result[1]
        with self._lock:
            self._counts["done"] += 1
            if isinstance(outcome, BudgetExceededError):
                self._counts["skipped"] += 1
            elif isinstance(outcome, ModelwireError):
                self._counts["failed"] += 1
        if self.progress is not None:
            self.progress(self.snapshot())
        return result

    def snapshot(self) -> Progress:
        with self._lock:
            counts = dict(self._counts)
        cost = self.tracker.total.total if self.tracker is not None else 0.0
        return Progress(
            in_flight=self.in_flight,
            cost=cost,
            elapsed=time.monotonic() - self.started,
            **counts,
        )


_LIMITERS: weakref.WeakKeyDictionary[AIModelClient[Any], RateLimiter] = weakref.WeakKeyDictionary()
_LIMITERS_LOCK = threading.Lock()


def _limiter_for(client: AIModelClient[Any]) -> RateLimiter:
    """The client's limiter (`limiter=True`): made by its first run, kept while the client
    lives, so the runs of one client share what was learned of the endpoint's limits."""
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(client)
        if limiter is None:
            limiter = _LIMITERS[client] = RateLimiter()
        return limiter


def _check(
    concurrency: object,
    cost_tracker: object,
    budget: object,
    limiter: object,
    progress: object,
) -> None:
    """ConfigurationError for an argument of the wrong kind (the caller's types unchecked)."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ConfigurationError(f"concurrency must be an int of 1 or more, got {concurrency!r}")
    if budget is not None and (
        isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget >= 0
    ):
        raise ConfigurationError(f"budget must be a number of USD (>= 0), got {budget!r}")
    if cost_tracker is not None and not isinstance(cost_tracker, CostTracker):
        raise ConfigurationError(f"cost_tracker must be a CostTracker, got {cost_tracker!r}")
    if limiter is not None and not isinstance(limiter, (bool, RateLimiter)):
        raise ConfigurationError(f"limiter must be True, False or a RateLimiter, got {limiter!r}")
    if progress is not None and not callable(progress):
        raise ConfigurationError(f"progress must be callable, got {progress!r}")


def _client(client: object, is_async: bool) -> None:
    if not isinstance(client, AIModelClient):
        raise ConfigurationError(f"client must be an AIModelClient, got {client!r}")
    if client.is_async != is_async:
        raise ConfigurationError(
            "arun takes a client made with is_async=True; use run for a sync client"
            if is_async
            else "run takes a client made with is_async=False; use arun for an async client"
        )


@dataclass(slots=True)
class _Slot:
    """A call taken from the input: its id, and its result once there is one."""

    custom_id: str
    result: Outcome | None = None
    future: Future[Outcome] | None = None
    task: asyncio.Task[Outcome] | None = None

    def ready(self) -> bool:
        if self.result is None and self.future is not None and self.future.done():
            self.result = self.future.result()  # an unexpected exception (a bug) raises here
        if self.result is None and self.task is not None and self.task.done():
            self.result = self.task.result()
        return self.result is not None


def _ready(slots: deque[_Slot], ordered: bool) -> list[Result]:
    """The results to hand out now, taken off `slots`: its ready head (ordered), or every
    ready slot."""
    out: list[Result] = []
    if ordered:
        while slots and slots[0].ready():
            slot = slots.popleft()
            assert slot.result is not None
            out.append((slot.custom_id, slot.result))
        return out
    for slot in [s for s in slots if s.ready()]:
        slots.remove(slot)
        assert slot.result is not None
        out.append((slot.custom_id, slot.result))
    return out


# --- sync: threads ------------------------------------------------------------------------


def run(
    client: AIModelClient[SyncStream],
    calls: Iterable[CallLike],
    *,
    concurrency: int = 8,
    ordered: bool = True,
    cost_tracker: CostTracker | None = None,
    budget: float | None = None,
    limiter: RateLimiter | bool | None = True,
    progress: Callable[[Progress], object] | None = None,
) -> Iterator[Result]:
    """Send `calls` through a sync `client`, `concurrency` at a time from threads; yields
    `(custom_id, response)` or `(custom_id, error)` per call, in input order (`ordered`) or as
    they complete. See the module's documentation for the budget, limiter and errors.
    Stopping early (breaking out, or `close()`) sends no more; the calls in flight finish."""
    _client(client, is_async=False)
    state = _Run(client, concurrency, cost_tracker, budget, limiter, progress)
    return _drive(state, client, iter(calls_from(calls)), ordered)


def _drive(
    run: _Run, client: AIModelClient[SyncStream], calls: Iterator[Call], ordered: bool
) -> Iterator[Result]:
    pool = ThreadPoolExecutor(max_workers=run.concurrency, thread_name_prefix="modelwire-run")
    slots: deque[_Slot] = deque()
    active: set[Future[Outcome]] = set()
    failure: BaseException | None = None
    exhausted = False
    try:
        while True:
            while (
                not exhausted
                and failure is None
                and len(active) < run.concurrency
                and len(slots) < run.window
            ):
                try:
                    call = next(calls)
                except StopIteration:
                    exhausted = True
                    break
                except Exception as exc:  # a bad item: send no more, finish what is sent
                    failure = exc
                    break
                slot = _Slot(call.custom_id or "")
                if run.over_budget():
                    slot.result = run.not_sent()
                else:
                    slot.future = pool.submit(_call, run, client, call)
                    active.add(slot.future)
                slots.append(slot)
            run.in_flight = len(active)
            for result in _ready(slots, ordered):
                yield run.taken(result)
            if not active and not slots and (exhausted or failure is not None):
                break
            if active:  # returns at once when one is done already
                wait(active, return_when=FIRST_COMPLETED)
            active = {f for f in active if not f.done()}
        if failure is not None:
            raise failure
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _call(run: _Run, client: AIModelClient[SyncStream], call: Call) -> Outcome:
    """One call in a worker thread: its turn from the limiter, then sent (again after a 429
    that got through, with a limiter), unless the budget was spent meanwhile."""
    limiter = run.limiter
    attempt = 0
    while True:
        turn = limiter.acquire() if limiter is not None else -1
        if run.over_budget():
            if limiter is not None:
                limiter.done(None, turn)
            return run.not_sent()
        if not attempt:
            run.count("issued")
        outcome = _generate(client, call)
        if limiter is not None:
            limiter.done(outcome, turn)
        if not _again(run, outcome, attempt):
            return run.finished(call, outcome)
        attempt += 1


def _again(run: _Run, outcome: Outcome, attempt: int) -> bool:
    """Whether to send a call again: a 429 reached the runner (counted), a limiter paces the
    run, and the call has retries left."""
    if not isinstance(outcome, RateLimitError):
        return False
    run.count("rate_limited")
    return run.limiter is not None and attempt < RATE_LIMIT_RETRIES


def _generate(client: AIModelClient[SyncStream], call: Call) -> Outcome:
    """The call's response (a stream read to its end: the accumulated response), or its
    error."""
    try:
        response = client.generate(
            call.prompt, instructions=call.instructions, messages=call.messages, config=call.config
        )
        if not response.streamed:
            return response
        final: AIModelCallResponse[Any] | None = None
        for _, accumulated in response.stream_generator:
            final = accumulated or final
    except ModelwireError as exc:
        return exc
    return final or _no_final()


def _no_final() -> ModelwireError:
    return ModelwireError("the stream ended without a final response")


# --- async: tasks -------------------------------------------------------------------------


def arun(
    client: AIModelClient[AsyncStream],
    calls: Iterable[CallLike] | AsyncIterable[CallLike],
    *,
    concurrency: int = 8,
    ordered: bool = True,
    cost_tracker: CostTracker | None = None,
    budget: float | None = None,
    limiter: RateLimiter | bool | None = True,
    progress: Callable[[Progress], object] | None = None,
) -> AsyncIterator[Result]:
    """`run` for an async `client`: the calls are tasks of the running event loop, and
    `calls` may be an async iterable. Iterate it with `async for`; stopping early (`aclose()`)
    cancels the calls in flight."""
    _client(client, is_async=True)
    state = _Run(client, concurrency, cost_tracker, budget, limiter, progress)
    source = _acalls_from(calls) if isinstance(calls, AsyncIterable) else _aiter(calls)
    return _adrive(state, client, source, ordered)


async def _aiter(calls: Iterable[CallLike]) -> AsyncIterator[Call]:
    for call in calls_from(calls):
        yield call


async def _acalls_from(items: AsyncIterable[CallLike]) -> AsyncIterator[Call]:
    """`calls_from` for an async iterable."""
    seen: set[str] = set()
    index = 0
    async for item in items:
        call = call_from(item, index)
        assert call.custom_id is not None  # call_from made one
        if call.custom_id in seen:
            raise ConfigurationError(f"call {index}: custom_id {call.custom_id!r} is given twice")
        seen.add(call.custom_id)
        index += 1
        yield call


async def _adrive(
    run: _Run, client: AIModelClient[AsyncStream], calls: AsyncIterator[Call], ordered: bool
) -> AsyncIterator[Result]:
    slots: deque[_Slot] = deque()
    active: set[asyncio.Task[Outcome]] = set()
    failure: BaseException | None = None
    exhausted = False
    try:
        while True:
            while (
                not exhausted
                and failure is None
                and len(active) < run.concurrency
                and len(slots) < run.window
            ):
                try:
                    call = await calls.__anext__()
                except StopAsyncIteration:
                    exhausted = True
                    break
                except Exception as exc:  # a bad item: send no more, finish what is sent
                    failure = exc
                    break
                slot = _Slot(call.custom_id or "")
                if run.over_budget():
                    slot.result = run.not_sent()
                else:
                    slot.task = asyncio.ensure_future(_acall(run, client, call))
                    active.add(slot.task)
                slots.append(slot)
            run.in_flight = len(active)
            for result in _ready(slots, ordered):
                yield run.taken(result)
            if not active and not slots and (exhausted or failure is not None):
                break
            if active:  # returns at once when one is done already
                await asyncio.wait(active, return_when=asyncio.FIRST_COMPLETED)
            active = {t for t in active if not t.done()}
        if failure is not None:
            raise failure
    finally:
        for task in active:
            task.cancel()
        if active:
            await asyncio.wait(active)


async def _acall(run: _Run, client: AIModelClient[AsyncStream], call: Call) -> Outcome:
    """`_call` as a task (cancelled: its turn is given back to the limiter)."""
    limiter = run.limiter
    attempt = 0
    while True:
        outcome: Outcome | None = None
        turn = await limiter.acquire_async() if limiter is not None else -1
        try:
            if run.over_budget():
                return run.not_sent()
            if not attempt:
                run.count("issued")
            outcome = await _agenerate(client, call)
        finally:
            if limiter is not None:
                limiter.done(outcome, turn)
        assert outcome is not None  # sent, or returned above
        if not _again(run, outcome, attempt):
            return run.finished(call, outcome)
        attempt += 1


async def _agenerate(client: AIModelClient[AsyncStream], call: Call) -> Outcome:
    """`_generate` on an async client."""
    try:
        response = await client.generate_async(
            call.prompt, instructions=call.instructions, messages=call.messages, config=call.config
        )
        if not response.streamed:
            return response
        final: AIModelCallResponse[Any] | None = None
        async for _, accumulated in response.stream_generator:
            final = accumulated or final
    except ModelwireError as exc:
        return exc
    return final or _no_final()
