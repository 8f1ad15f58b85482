"""A client-side rate limiter for one endpoint that learns the provider's limits from the
rate-limit headers of its responses, and spaces calls out so they never run into a 429.

Providers tell what is left of a limit on every response, under names of one shape: a header
whose lower-cased name contains `ratelimit`, one of the parts `limit` / `remaining` / `reset`,
and the resource counted (`x-ratelimit-remaining-requests`, `x-ratelimit-reset-tokens`,
`anthropic-ratelimit-input-tokens-remaining`, IETF `ratelimit-remaining`, which counts
requests). Headers are read by that shape, never by provider; a value in a form not known here
is ignored. A reset is seconds ("20", "1.5"), a Go-style duration ("1s", "6m0s", "120ms"), an
RFC 3339 time, or a Unix time. `retry-after` (seconds or an HTTP date) and `retry-after-ms`
pause every caller of the limiter.

Pacing: what is left of each resource is spread evenly over the time to its reset (at most
`horizon` seconds ahead, so a daily quota does not slow a run that needs a small part of it):
the next call starts `time to reset x cost / remaining` after the one before, the slowest
resource deciding. Calls already in flight when a response comes are taken off what it says is
left; a token resource costs each call the running mean of the tokens calls used so far
(prompt and completion; a resource named for input or output tokens counts only those). With
a token bucket that refills continuously this settles at the refill rate with the bucket half
full; with a fixed window it spreads the window's requests over it. When nothing is left the
next call waits for the reset, and the limit renewed then is spread over the window again
(the limit stated, or the most ever left; the window the longest reset seen). Nothing is
booked ahead: a waiter asks again when its time comes, so each call goes by the latest
response.

Before the first response there is nothing to go by: the first call goes alone and the others
wait for its answer, `first_wait` seconds at most (so a limit smaller than the concurrency is
not overrun by the first calls, and a slow first call does not hold the run up for long).
`requests_per_minute` / `tokens_per_minute` cap the pace throughout when given. The client's
own retries (`config.retries`) are not paced: the limiter sees the response a call ends with.
"""

from __future__ import annotations

import asyncio
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from modelwire import AIModelCallResponse, ConfigurationError, ModelwireError

__all__ = ["RateLimiter", "parse_duration", "parse_reset", "read_limits", "retry_delay"]

_FIELDS = ("limit", "remaining", "reset")
_GO_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_EPOCH = 1e9  # a "reset" number this large is a Unix time, not seconds from now
_FIRST_ANSWER_POLL = 0.02  # seconds between looks for the first call's answer
_NO_INFO_PAUSE = 1.0  # seconds everyone waits after a 429 that says nothing of when to retry


def _number(value: str) -> float | None:
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def parse_duration(value: str) -> float | None:
    """Seconds in a Go-style duration ("1s", "6m0s", "120ms", "2m59.56s"), else None."""
    text = value.strip()
    if not text or _GO_PART.sub("", text):
        return None
    return sum(float(n) * _GO_UNITS[unit] for n, unit in _GO_PART.findall(text))


def _timestamp(value: str) -> float | None:
    """The Unix time of an RFC 3339 or HTTP date, else None."""
    text = value.strip()
    try:
        # fromisoformat takes neither "Z" (before 3.11) nor more than 6 fractional digits
        iso = re.sub(r"(\.\d{6})\d+", r"\1", text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
        when = datetime.fromisoformat(iso)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def parse_reset(value: str, wall: float) -> float | None:
    """Seconds from now (`wall`, Unix time) until a reset given as seconds, a Go duration, an
    RFC 3339 or HTTP date, or a Unix time; None for a form not known here."""
    if not value or not value.strip():
        return None
    number = _number(value)
    if number is not None:
        return max(number - wall if number >= _EPOCH else number, 0.0)
    seconds = parse_duration(value)
    if seconds is not None:
        return seconds
    when = _timestamp(value)
    return None if when is None else max(when - wall, 0.0)


def retry_delay(headers: Mapping[str, str], wall: float) -> float | None:
    """Seconds a response asks every caller to wait (`retry-after-ms`, `retry-after`)."""
    lowered = {k.lower(): v for k, v in headers.items() if k.lower().startswith("retry-after")}
    ms = _number(lowered.get("retry-after-ms", ""))
    if ms is not None:
        return max(ms / 1000.0, 0.0)
    value = lowered.get("retry-after")
    if value is None:
        return None
    number = _number(value)
    if number is not None:
        return max(number, 0.0)
    when = _timestamp(value)
    return None if when is None else max(when - wall, 0.0)


def _structured(value: str, wall: float) -> dict[str, float]:
    """The IETF `RateLimit: "policy";r=50;t=30` header: remaining `r`, reset in `t` s."""
    found: dict[str, float] = {}
    for key, field in (("r", "remaining"), ("t", "reset")):
        match = re.search(rf"(?:^|;)\s*{key}\s*=\s*([0-9.]+)", value)
        number = _number(match.group(1)) if match else None
        if number is not None:
            found[field] = number
    return found


def read_limits(headers: Mapping[str, str], wall: float) -> dict[str, dict[str, float]]:
    """The rate limits a response states: {resource: {"limit", "remaining", "reset" (seconds
    from now)}}, each field present when stated in a form known here. The resource is what the
    header names besides the field ("requests", "tokens", "input-tokens"; "requests" when it
    names nothing). `wall` is the Unix time now."""
    limits: dict[str, dict[str, float]] = {}
    for name, value in headers.items():
        key = name.lower()
        if "ratelimit" not in key or not isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # any Mapping
            continue
        parts = [p for p in re.split(r"[-_]", key) if p]
        at = next(i for i, p in enumerate(parts) if "ratelimit" in p)
        rest = parts[at + 1 :]
        named = [p for p in rest if p in _FIELDS]
        if not rest:  # the IETF structured field
            found = _structured(value, wall)
            if found:
                limits.setdefault("requests", {}).update(found)
            continue
        if len(named) != 1:
            continue
        field = named[0]
        resource = "-".join(p for p in rest if p != field) or "requests"
        number = parse_reset(value, wall) if field == "reset" else _number(value)
        if number is not None and number >= 0:
            limits.setdefault(resource, {})[field] = number
    return limits


def _kind(resource: str) -> str | None:
    """What a call costs of a resource: "requests" (1), or tokens: "input", "output" or
    "total" (the running mean of calls so far); None for a resource not known here."""
    if "token" in resource:
        return "input" if "input" in resource else "output" if "output" in resource else "total"
    return "requests" if "request" in resource else None


@dataclass(slots=True)
class _Quota:
    """What is left of one resource, and when it is whole again (on the limiter's clock);
    `limit` (stated, else the most ever left) and `window` (the longest reset seen) renew it
    when a call has to wait for its reset."""

    remaining: float
    reset_at: float
    kind: str
    limit: float
    window: float

    def renew(self, now: float) -> bool:
        """Whole again, its reset passed: `limit` left until the end of the window `now` is
        in; False when either is not known."""
        if self.limit <= 0 or self.window <= 0:
            return False
        windows = math.floor((now - self.reset_at) / self.window) + 1
        self.remaining, self.reset_at = self.limit, self.reset_at + windows * self.window
        return True


@dataclass(slots=True)
class _Mean:
    count: int = 0
    value: float = 0.0

    def add(self, x: float) -> None:
        self.count += 1
        self.value += (x - self.value) / self.count


class RateLimiter:
    """Paces the calls to one endpoint by what its responses' headers say of its limits.

    `acquire()` (threads) or `await acquire_async()` (tasks) before each call waits for the
    call's turn; `done(response_or_error)` after it tells the limiter what came back (headers
    of success and error responses alike, and the tokens used). Thread-safe and safe across
    the tasks of an event loop: its lock is never held across a wait. One limiter may be
    shared by several runs against the same endpoint (and the same account's limits).

    `requests_per_minute` / `tokens_per_minute` cap the pace whatever the headers say (tokens
    by the running mean of the tokens each call used). `horizon` (seconds) bounds how far
    ahead the capacity left is spread. `first_wait` (seconds) is how long the other calls
    wait for the first one's answer before going anyway (0: not at all). `clock` (monotonic seconds) and `wall` (Unix time)
    are injectable for tests.
    """

    def __init__(
        self,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        horizon: float = 60.0,
        first_wait: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        caps = (
            ("requests_per_minute", requests_per_minute),
            ("tokens_per_minute", tokens_per_minute),
            ("horizon", horizon),
            ("first_wait", first_wait + 1),  # 0 is allowed
        )
        for name, cap in caps:
            if cap is not None and not (isinstance(cap, (int, float)) and cap > 0):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
                raise ConfigurationError(f"{name} must be a number above 0, got {cap!r}")
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.horizon = horizon
        self.first_wait = first_wait
        self._clock, self._wall = clock, wall
        self._lock = threading.Lock()
        self._quotas: dict[str, _Quota] = {}  # the quotas in force
        self._seen: dict[str, _Quota] = {}  # the latest of each resource, in force or not
        self._means = {"input": _Mean(), "output": _Mean(), "total": _Mean()}
        self._next = float("-inf")  # the earliest the next call may go
        self._paused_until = float("-inf")
        self._flying: set[int] = set()  # the turns of the calls in flight
        self._turns = 0  # turns taken so far (the next turn's number)
        self._latest = -1  # the latest turn whose response was read
        self._answered = 0  # responses seen (until the first, the others wait for it)
        self._first_at = 0.0  # when the first call went
        self.calls = 0  # calls let go
        self.waited = 0.0  # seconds waited in acquire, summed over calls
        self.rate_limited = 0  # 429s seen

    def __repr__(self) -> str:
        return (
            f"RateLimiter(in_flight={len(self._flying)}, quotas={sorted(self._quotas)}, "
            f"calls={self.calls}, rate_limited={self.rate_limited})"
        )

    # --- taking a turn ---------------------------------------------------------------------

    def try_acquire(self) -> tuple[float, int]:
        """Take a turn if the limits allow one now: `(0.0, turn)`, and the call counts as in
        flight (pair with `done(outcome, turn)`). Else `(seconds, -1)`: the time until one
        may come, nothing taken; a waiter asks again then, with what responses said since."""
        with self._lock:
            now = self._clock()
            self._renew(now)
            start = max(now, self._paused_until, self._next)
            until = self._first_at + self.first_wait
            if not self._answered and self._flying and now < until:  # the first call's
                start = max(start, min(now + _FIRST_ANSWER_POLL, until))  # answer teaches
            for quota in self._quotas.values():
                if quota.remaining < self._cost(quota.kind):  # nothing left: until the reset
                    start = max(start, quota.reset_at)
            if start > now:
                return start - now, -1
            gap = self._gap(now)
            # from the slot this call had, not from when its waiter woke (a late wake-up must
            # not slow every call after it), unless the slot is more than a gap behind
            self._next = (self._next if self._next >= now - gap else now) + gap
            for quota in self._quotas.values():
                quota.remaining = max(quota.remaining - self._cost(quota.kind), 0.0)
            if not self.calls:
                self._first_at = now
            turn = self._turns
            self._turns += 1
            self._flying.add(turn)
            self.calls += 1
            return 0.0, turn

    def acquire(self) -> int:
        """Wait for a turn (sleeping this thread); returns the turn, for `done`."""
        waited = 0.0
        while (taken := self.try_acquire())[0] > 0:
            time.sleep(taken[0])
            waited += taken[0]
        with self._lock:
            self.waited += waited
        return taken[1]

    async def acquire_async(self) -> int:
        """`acquire` for a task: waits without blocking the event loop."""
        waited = 0.0
        while (taken := self.try_acquire())[0] > 0:
            await asyncio.sleep(taken[0])
            waited += taken[0]
        with self._lock:
            self.waited += waited
        return taken[1]

    def _cost(self, kind: str) -> float:
        return 1.0 if kind == "requests" else self._means[kind].value

    def _renew(self, now: float) -> None:
        """The quotas whose reset has passed: whole again (their limit, for a window more),
        or forgotten when their limit or window is not known."""
        for name, quota in list(self._quotas.items()):
            if now >= quota.reset_at and not quota.renew(now):
                del self._quotas[name]

    def _gap(self, start: float) -> float:
        """The time from a call let go at `start` to the next: the largest any resource asks
        (what is left of it, the call's cost included, spread evenly until its reset)."""
        gap = 60.0 / self.requests_per_minute if self.requests_per_minute else 0.0
        if self.tokens_per_minute:
            gap = max(gap, 60.0 * self._means["total"].value / self.tokens_per_minute)
        for quota in self._quotas.values():
            cost = self._cost(quota.kind)
            if cost > 0 and quota.remaining >= cost and start < quota.reset_at:
                ahead = min(quota.reset_at - start, self.horizon)
                gap = max(gap, ahead * cost / quota.remaining)
        return gap

    # --- learning --------------------------------------------------------------------------

    def done(
        self, outcome: AIModelCallResponse[Any] | BaseException | None = None, turn: int = -1
    ) -> None:
        """The call of `turn` is over: learn from its response or error (headers, status,
        tokens used); None for a call that was not sent after all. (Without its turn, the
        oldest call in flight is taken to be the one done.)"""
        headers: Mapping[str, str] = {}
        status = input_tokens = output_tokens = None
        if isinstance(outcome, AIModelCallResponse):
            headers, status = outcome.status.headers, outcome.status.http_status
            usage = outcome.chat_response.usage if outcome.chat_response else None
            if usage is not None:
                input_tokens, output_tokens = usage.prompt_tokens, usage.completion_tokens
        elif isinstance(outcome, ModelwireError):
            headers, status = outcome.response_headers or {}, outcome.status
        with self._lock:
            if turn < 0 and self._flying:
                turn = min(self._flying)
            self._flying.discard(turn)
        self.observe(
            headers,
            status=status,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            turn=turn,
        )

    def observe(
        self,
        headers: Mapping[str, str],
        *,
        status: int | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        turn: int = -1,
    ) -> None:
        """Learn from one response: its headers, HTTP status and the tokens the call used.
        The calls in flight sent after `turn`'s (all, without it) are taken off what it says
        is left; what a response older than one already read says of the limits is stale and
        skipped. Never raises: what cannot be read is ignored."""
        now, wall = self._clock(), self._wall()
        limits = read_limits(headers, wall)
        pause = retry_delay(headers, wall)
        with self._lock:
            self._answered += 1
            self._count_tokens(input_tokens, output_tokens)
            # the calls sent after this one: what this response says is left does not count them
            others = sum(1 for t in self._flying if t > turn) if turn >= 0 else len(self._flying)
            if turn >= 0 and turn < self._latest:
                limits = {}
            self._latest = max(self._latest, turn)
            for resource, stated in limits.items():
                kind = _kind(resource)
                if kind is None or "remaining" not in stated or "reset" not in stated:
                    continue
                left = stated["remaining"] - others * self._cost(kind)
                known = self._quotas.get(resource) or self._seen.get(resource)
                limit = stated.get("limit") or max(stated["remaining"], known.limit if known else 0)
                window = max(stated["reset"], known.window if known else 0.0)
                quota = _Quota(max(left, 0.0), now + stated["reset"], kind, limit, window)
                self._quotas[resource] = self._seen[resource] = quota
            if status == 429:
                self.rate_limited += 1
                quotas = self._quotas.values()
                spent = any(q.remaining < self._cost(q.kind) for q in quotas)
                if pause is None and not spent:  # nothing says when: a short pause
                    pause = _NO_INFO_PAUSE
            if pause is not None:
                self._paused_until = max(self._paused_until, now + pause)

    def _count_tokens(self, input_tokens: int | None, output_tokens: int | None) -> None:
        if input_tokens is not None:
            self._means["input"].add(input_tokens)
        if output_tokens is not None:
            self._means["output"].add(output_tokens)
        if input_tokens is not None or output_tokens is not None:
            self._means["total"].add((input_tokens or 0) + (output_tokens or 0))

    @property
    def in_flight(self) -> int:
        """Calls that took a turn and are not `done` yet."""
        return len(self._flying)
