"""Fallback between endpoints: an ordered list of endpoints a client calls in turn.

A call goes to the first endpoint with its own retries; when it fails with an error modelwire
classes as retryable (rate limits, overload, server errors, timeouts, lost connections) once
those retries are spent — or with a context-length or content-filter error, where the caller
opts in — the next endpoint is called, and so on. A stream that has begun is never moved: a
streamed call falls over only on what fails before its response is returned. The response's
`endpoint` says which answered; each is priced at its own rates.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Literal, TypeVar

from ._errors import ConfigurationError, ModelwireError

if TYPE_CHECKING:
    from ._api import AIModelEndpoint

__all__ = ["FALL_OVER_ON", "FallbackEndpoint", "call_in_turn", "call_in_turn_async"]

log = logging.getLogger("modelwire.call")

# the errors a caller may add to the retryable ones, by kind
FALL_OVER_ON = {
    "context_length": "ContextLengthExceededError",
    "content_filter": "ContentFilterError",
}
Also = Literal["context_length", "content_filter"]
_R = TypeVar("_R")


class FallbackEndpoint:
    """Endpoints called in turn: the same model on other hosts (Claude on Anthropic, Bedrock
    and Vertex AI) or other models. `also_on`: the non-retryable errors that move a call on
    too (`"context_length"`, `"content_filter"`)."""

    __slots__ = ("also_on", "endpoints")

    def __init__(
        self, endpoints: Sequence[AIModelEndpoint], *, also_on: Iterable[Also] = ()
    ) -> None:
        from ._api import AIModelEndpoint

        endpoints = list(endpoints)
        if len(endpoints) < 2:
            raise ConfigurationError("a FallbackEndpoint takes at least two endpoints")
        for n, endpoint in enumerate(endpoints):
            if not isinstance(endpoint, AIModelEndpoint):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
                raise ConfigurationError(
                    f"endpoint {n} must be an AIModelEndpoint, not {type(endpoint).__name__}"
                )
        also = tuple(also_on)
        unknown = [a for a in also if a not in FALL_OVER_ON]
        if unknown:
            raise ConfigurationError(
                f"also_on takes {', '.join(map(repr, FALL_OVER_ON))}, not {', '.join(map(repr, unknown))}"
            )
        self.endpoints: list[AIModelEndpoint] = endpoints
        self.also_on: tuple[str, ...] = also

    def moves_on(self, error: ModelwireError) -> bool:
        """Whether `error` (the current endpoint's last) moves the call to the next endpoint."""
        if getattr(error, "partial_response", None) is not None:
            return False  # a stream that had begun: never answered elsewhere
        if isinstance(error, ConfigurationError):
            return False  # the call itself is wrong: it would be wrong anywhere
        named = {FALL_OVER_ON[a] for a in self.also_on}
        return error.retryable or type(error).__name__ in named

    def __repr__(self) -> str:
        return f"FallbackEndpoint({self.endpoints!r}, also_on={self.also_on!r})"


def _moved(fallback: FallbackEndpoint, n: int, error: ModelwireError) -> None:
    if n + 1 >= len(fallback.endpoints) or not fallback.moves_on(error):
        raise error
    if log.isEnabledFor(logging.WARNING):
        log.warning(
            "falling over from %s to %s: %s: %s",
            fallback.endpoints[n].api.info.display_name,
            fallback.endpoints[n + 1].api.info.display_name,
            type(error).__name__,
            error.message,
        )


def call_in_turn(fallback: FallbackEndpoint, call: Callable[[int], _R]) -> _R:
    """`call(n)` for each endpoint n in turn, until one answers or an error does not move on."""
    for n in range(len(fallback.endpoints)):
        try:
            return call(n)
        except ModelwireError as exc:
            _moved(fallback, n, exc)
    raise AssertionError("unreachable: the last endpoint's error is raised")


async def call_in_turn_async(
    fallback: FallbackEndpoint, call: Callable[[int], Awaitable[_R]]
) -> _R:
    """`call_in_turn` for an async client."""
    for n in range(len(fallback.endpoints)):
        try:
            return await call(n)
        except ModelwireError as exc:
            _moved(fallback, n, exc)
    raise AssertionError("unreachable: the last endpoint's error is raised")
