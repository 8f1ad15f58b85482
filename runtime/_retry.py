"""When to retry, and how long to wait: exponential backoff with jitter, or what the
server asks for (`retry-after-ms`, `Retry-After` as seconds or an HTTP date)."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

__all__ = ["BASE_DELAY", "MAX_DELAY", "MAX_SERVER_DELAY", "backoff", "server_delay", "should_retry"]

BASE_DELAY = 0.5  # seconds, doubled per attempt
MAX_DELAY = 8.0  # cap of the computed backoff
MAX_SERVER_DELAY = 60.0  # a server asking for longer than this is not waited for


def server_delay(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked us to wait, if it said so in a form we understand."""
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            return max(float(value) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def should_retry(
    status: int | None, retry_statuses: frozenset[int], headers: Mapping[str, str]
) -> bool:
    """`x-should-retry` decides when present; otherwise the protocol's retryable statuses."""
    flag = headers.get("x-should-retry")
    if flag == "true":
        return True
    if flag == "false":
        return False
    return status is None or status in retry_statuses


def backoff(attempt: int, headers: Mapping[str, str] | None = None) -> float | None:
    """Delay before retry number `attempt` (1-based); None when the server asks too much."""
    if headers:
        asked = server_delay(headers)
        if asked is not None:
            return asked if asked <= MAX_SERVER_DELAY else None
    delay = min(BASE_DELAY * 2 ** (attempt - 1), MAX_DELAY)
    return delay * (1 - 0.25 * random.random())
