"""A loopback OpenAI-shaped server that enforces a rate limit as OpenAI documents it.

Requests (and, optionally, tokens) are limited to `limit` per `window` seconds, replenished
continuously (a token bucket that starts full, `mode="bucket"`, how OpenAI's limits behave) or
all at once when each window ends (`mode="fixed"`). Every response carries
`x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests` and
`x-ratelimit-reset-requests` (the time until the limit is whole again, as a Go duration such as
"1s", "6m0s" or "17ms"), and the `-tokens` three when tokens are limited. A request over the
limit gets a 429 in OpenAI's error shape with `retry-after-ms` and `retry-after` (whole
seconds, rounded up), and is counted. `GET /_stats` answers the counts as JSON.

`python -m tests.support.ratelimit_server --limit 500` serves it in a process of its own
(its first line on stdout is the URL), so a load test does not share its interpreter.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Recorded, Reply

__all__ = ["Bucket", "RateLimited", "go_duration", "main"]


def go_duration(seconds: float) -> str:
    """A duration as Go prints one (OpenAI's reset headers): "17ms", "1.5s", "6m0s"."""
    if seconds < 1e-3:
        return f"{round(seconds * 1e6)}µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3f}".rstrip("0").rstrip(".") + "ms"
    minutes, rest = divmod(seconds, 60)
    text = f"{rest:.3f}".rstrip("0").rstrip(".") + "s"
    return f"{int(minutes)}m{text}" if minutes else text


@dataclass
class Bucket:
    """`limit` units per `window` seconds: a bucket refilled continuously ("bucket", starts
    full) or emptied of its count at each window's end ("fixed")."""

    limit: float
    window: float
    mode: str = "bucket"
    clock: Callable[[], float] = time.monotonic
    level: float = field(init=False)  # units left
    since: float = field(init=False)  # when `level` was last refilled (bucket), or window start

    def __post_init__(self) -> None:
        self.level, self.since = self.limit, self.clock()

    def _refill(self, now: float) -> None:
        if self.mode == "bucket":
            self.level = min(self.limit, self.level + (now - self.since) * self.limit / self.window)
            self.since = now
        elif now - self.since >= self.window:
            self.since += (now - self.since) // self.window * self.window
            self.level = self.limit

    def reset_in(self, now: float) -> float:
        """Seconds until the limit is whole again."""
        if self.mode == "bucket":
            return (self.limit - self.level) * self.window / self.limit
        return self.since + self.window - now if self.level < self.limit else 0.0

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds until `cost` units are there."""
        if self.mode == "bucket":
            return max(cost - self.level, 0.0) * self.window / self.limit
        return self.since + self.window - now

    def take(self, cost: float, now: float) -> bool:
        self._refill(now)
        if self.level + 1e-9 < cost:
            return False
        self.level -= cost
        return True

    def headers(self, resource: str, now: float) -> dict[str, str]:
        return {
            f"x-ratelimit-limit-{resource}": str(int(self.limit)),
            f"x-ratelimit-remaining-{resource}": str(max(math.floor(self.level + 1e-9), 0)),
            f"x-ratelimit-reset-{resource}": go_duration(self.reset_in(now)),
        }


class RateLimited:
    """The responder (for `LoopbackServer(responder=...)`): a chat completion while within the
    limits, else a 429. Each call costs one request and `tokens_per_call` tokens (the usage its
    body reports). Counts what it accepted and refused, and when."""

    def __init__(
        self,
        limit: float = 200,
        window: float = 1.0,
        mode: str = "bucket",
        tokens: float | None = None,
        tokens_per_call: int = 20,
        latency: float = 0.0,
    ) -> None:
        self.requests = Bucket(limit, window, mode)
        self.tokens = Bucket(tokens, window, mode) if tokens else None
        self.tokens_per_call = tokens_per_call
        self.latency = latency
        self.body = json.dumps(
            oa.completion("ok", prompt_tokens=tokens_per_call - 3, completion_tokens=3)
        ).encode()
        self.lock = threading.Lock()
        self.accepted = 0
        self.accepted_after_window = 0  # accepted after the first window (the learning one)
        self.refused_at: list[float] = []  # seconds after the first request, of each 429
        self.first: float | None = None
        self.last = 0.0

    def __call__(self, rec: Recorded) -> Reply:
        if rec.path.endswith("/_stats"):
            return Reply.json(self.stats())
        if rec.path.endswith("/_clear"):
            self.clear()
            return Reply.json({})
        now = time.monotonic()
        with self.lock:
            if self.first is None:
                self.first = now
            self.last = now
            ok = self.requests.take(1, now)
            if ok and self.tokens is not None and not self.tokens.take(self.tokens_per_call, now):
                self.requests.level += 1  # not served: the request is given back
                ok = False
            headers = self._headers(now)
            if ok:
                self.accepted += 1
                self.accepted_after_window += now - self.first > self.requests.window
            else:
                self.refused_at.append(now - self.first)
                headers |= self._retry_after(now)
        if not ok:
            return Reply.json(_refusal(), status=429, headers=headers)
        return Reply(body=self.body, headers=headers, header_delay=self.latency)

    def _headers(self, now: float) -> dict[str, str]:
        headers = self.requests.headers("requests", now)
        if self.tokens is not None:
            headers |= self.tokens.headers("tokens", now)
        return headers

    def _retry_after(self, now: float) -> dict[str, str]:
        wait = self.requests.wait_for(1, now)
        if self.tokens is not None:
            wait = max(wait, self.tokens.wait_for(self.tokens_per_call, now))
        return {"retry-after-ms": f"{wait * 1000:.0f}", "retry-after": str(math.ceil(wait))}

    def stats(self) -> dict[str, Any]:
        """accepted, refused (429s), refused_after_window (429s after the first window),
        seconds from the first request to the last, and the rate of requests accepted after
        the first window (per second: comparable with `limit / window`)."""
        with self.lock:
            window = self.requests.window
            seconds = self.last - self.first if self.first is not None else 0.0
            return {
                "accepted": self.accepted,
                "refused": len(self.refused_at),
                "refused_after_window": sum(1 for t in self.refused_at if t > window),
                "seconds": seconds,
                "rate_after_window": self.accepted_after_window / (seconds - window)
                if seconds > window
                else None,
            }

    def clear(self) -> None:
        """Counts back to zero and the limits whole (between runs)."""
        with self.lock:
            self.requests = Bucket(self.requests.limit, self.requests.window, self.requests.mode)
            if self.tokens is not None:
                self.tokens = Bucket(self.tokens.limit, self.tokens.window, self.tokens.mode)
            self.accepted = self.accepted_after_window = 0
            self.refused_at, self.first, self.last = [], None, 0.0


def _refusal() -> dict[str, Any]:
    return {
        "error": {
            "message": "Rate limit reached for requests. Please try again later.",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }


def main(argv: list[str] | None = None) -> None:
    """Serve until stdin closes; prints the URL first."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=float, default=500)
    parser.add_argument("--window", type=float, default=1.0)
    parser.add_argument("--mode", choices=("bucket", "fixed"), default="bucket")
    parser.add_argument("--tokens", type=float)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    responder = RateLimited(args.limit, args.window, args.mode, args.tokens, latency=args.latency)
    server = LoopbackServer(responder=responder)
    server.record = False
    with server:
        print(server.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
