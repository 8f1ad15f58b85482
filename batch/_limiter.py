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
next call waits for the reset. Before the first response there is nothing to go by: calls go
at once, unless `requests_per_minute` / `tokens_per_minute` cap them.
"""

from __future__ import annotations

import asyncio
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
    """What is left of one resource, and when it is whole again (on the limiter's clock)."""

    remaining: float
    reset_at: float
    kind: str


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
    ahead the capacity left is spread. `clock` (monotonic seconds) and `wall` (Unix time)
    are injectable for tests.
    """

    def __init__(
        self,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        horizon: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        caps = (
            ("requests_per_minute", requests_per_minute),
            ("tokens_per_minute", tokens_per_minute),
        )
        for name, cap in caps:
            if cap is not None and not (isinstance(cap, (int, float)) and cap > 0):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
                raise ConfigurationError(f"{name} must be a number above 0, got {cap!r}")
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.horizon = horizon
        self._clock, self._wall = clock, wall
        self._lock = threading.Lock()
        self._quotas: dict[str, _Quota] = {}
        self._means = {"input": _Mean(), "output": _Mean(), "total": _Mean()}
        self._last = float("-inf")  # when the latest call was let go
        self._paused_until = float("-inf")
        self._in_flight = 0
        self.calls = 0  # calls let go
        self.waited = 0.0  # seconds of waiting handed out, summed over calls
        self.rate_limited = 0  # 429s seen

    def __repr__(self) -> str:
        return (
            f"RateLimiter(in_flight={self._in_flight}, quotas={sorted(self._quotas)}, "
            f"calls={self.calls}, rate_limited={self.rate_limited})"
        )

    # --- taking a turn ---------------------------------------------------------------------

    def reserve(self) -> float:
        """Take the next turn and count the call in flight; returns the seconds to wait before
        sending it (`acquire` waits them). Pair with `done`."""
        with self._lock:
            now = self._clock()
            start = max(now, self._paused_until, self._last + self._interval(now))
            for quota in self._quotas.values():
                if quota.remaining < self._cost(quota.kind):
                    start = max(start, quota.reset_at)  # nothing left: wait for the reset
            for quota in self._quotas.values():
                quota.remaining = max(quota.remaining - self._cost(quota.kind), 0.0)
            self._last = start
            self._in_flight += 1
            self.calls += 1
            self.waited += start - now
            return start - now

    def acquire(self) -> float:
        """Wait for the call's turn (sleeping this thread); returns the seconds waited."""
        delay, waited = self.reserve(), 0.0
        while delay > 0:
            time.sleep(delay)
            waited += delay
            delay = self._pause_left()  # a retry-after came while waiting
        return waited

    async def acquire_async(self) -> float:
        """`acquire` for a task: waits without blocking the event loop."""
        delay, waited = self.reserve(), 0.0
        while delay > 0:
            await asyncio.sleep(delay)
            waited += delay
            delay = self._pause_left()
        return waited

    def _pause_left(self) -> float:
        with self._lock:
            return max(self._paused_until - self._clock(), 0.0)

    def _cost(self, kind: str) -> float:
        return 1.0 if kind == "requests" else self._means[kind].value

    def _interval(self, now: float) -> float:
        """The least time between two calls' starts, now: the largest any resource asks."""
        interval = 60.0 / self.requests_per_minute if self.requests_per_minute else 0.0
        if self.tokens_per_minute:
            interval = max(interval, 60.0 * self._means["total"].value / self.tokens_per_minute)
        for name, quota in list(self._quotas.items()):
            if now >= quota.reset_at:  # reset since: whole again, until a response says more
                del self._quotas[name]
                continue
            cost = self._cost(quota.kind)
            if cost > 0 and quota.remaining >= cost:
                ahead = min(quota.reset_at - now, self.horizon)
                interval = max(interval, ahead * cost / quota.remaining)
        return interval

    # --- learning --------------------------------------------------------------------------

    def done(self, outcome: AIModelCallResponse[Any] | BaseException | None = None) -> None:
        """The call of a turn is over: learn from its response or error (headers, status,
        tokens used); None for a call that was not sent after all."""
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
            self._in_flight = max(self._in_flight - 1, 0)
        if headers or status is not None or input_tokens is not None:
            self.observe(
                headers, status=status, input_tokens=input_tokens, output_tokens=output_tokens
            )

    def observe(
        self,
        headers: Mapping[str, str],
        *,
        status: int | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
    ) -> None:
        """Learn from one response: its headers, HTTP status and the tokens the call used.
        Never raises: what cannot be read is ignored."""
        now, wall = self._clock(), self._wall()
        limits = read_limits(headers, wall)
        pause = retry_delay(headers, wall)
        with self._lock:
            self._count_tokens(input_tokens, output_tokens)
            others = self._in_flight  # calls sent that this response's numbers may not count
            for resource, stated in limits.items():
                kind = _kind(resource)
                if kind is None or "remaining" not in stated or "reset" not in stated:
                    continue
                left = stated["remaining"] - others * self._cost(kind)
                self._quotas[resource] = _Quota(max(left, 0.0), now + stated["reset"], kind)
            if status == 429:
                self.rate_limited += 1
                if pause is None and not limits:
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
        return self._in_flight
