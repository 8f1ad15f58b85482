"""Call configuration shared by every protocol."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

from ._errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._cost import CostTracker
    from ._structured import StructuredInput
    from ._tools import ToolChoiceInput, ToolInput

__all__ = [
    "DEFAULT_MAX_EVENT_BYTES",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "MAX_TIMEOUT",
    "AIModelCallConfig",
    "check_usd",
]

DEFAULT_TIMEOUT = 600.0
DEFAULT_RETRIES = 2
DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024  # one stream event (an SSE event, a frame)
# the longest timeout taken: sockets refuse much longer ones (OverflowError past ~9e9 s)
MAX_TIMEOUT = 365 * 24 * 3600


@dataclass(slots=True)
class AIModelCallConfig:
    """What to ask of the model. Checked against the model's catalog entry before any request.

    `timeout` (seconds) bounds connecting and every single read, streams included;
    `total_timeout` (seconds, off by default) bounds the whole call: every attempt, the waits
    between them and a stream to its end. `retries` is the number of extra attempts for
    retryable failures, never waiting past `total_timeout`; `max_event_bytes` caps one stream
    event (a longer one is a `StreamInterruptedError`); `options` pass provider parameters
    through (checked against the model's `valid_options` when the catalog lists them);
    `cost_tracker` (a `CostTracker`) is given every call that finishes (a stream at its end).
    `precheck` counts the input tokens before the call (exactly where the provider counts,
    else an estimate) and refuses a call whose input exceeds the model's context window;
    `max_call_cost` (USD) refuses a call whose worst case (its input and `max_output_tokens`
    at the catalog's rates) costs more, and so does a cost tracker's `budget` left.
    """

    max_output_tokens: int | None = None
    streaming: bool = False
    reasoning: bool = False
    max_reasoning_tokens: int | None = None
    reasoning_effort: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: str | list[str] | None = None
    seed: int | None = None
    tools: Sequence[ToolInput] | None = None
    tool_choice: ToolChoiceInput | None = None
    structured_output: StructuredInput | None = None
    timeout: float = DEFAULT_TIMEOUT
    total_timeout: float | None = None
    retries: int = DEFAULT_RETRIES
    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES
    options: Mapping[str, object] = field(default_factory=dict[str, object])
    cost_tracker: CostTracker | None = field(default=None, repr=False, compare=False)
    precheck: bool = False
    max_call_cost: float | None = None

    def __post_init__(self) -> None:
        for name in (
            "max_output_tokens",
            "max_reasoning_tokens",
            "seed",
            "retries",
            "max_event_bytes",
        ):
            value = getattr(self, name)
            optional = name not in ("retries", "max_event_bytes")
            if (value is not None or not optional) and (
                not isinstance(value, int) or isinstance(value, bool)
            ):
                raise ConfigurationError(f"{name} must be an integer, got {value!r:.80}")
        for name in ("max_output_tokens", "max_reasoning_tokens", "max_event_bytes"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigurationError(f"{name} must be at least 1, got {value}")
        if self.retries < 0:
            raise ConfigurationError(f"retries must be >= 0, got {self.retries}")
        for name in ("streaming", "reasoning", "precheck"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigurationError(
                    f"{name} must be True or False, got {getattr(self, name)!r}"
                )
        if self.reasoning_effort is not None and not isinstance(self.reasoning_effort, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(
                f"reasoning_effort must be a string, got {self.reasoning_effort!r}"
            )
        stop = [self.stop] if isinstance(self.stop, str) else self.stop
        if stop is not None and not (
            isinstance(stop, (list, tuple)) and all(isinstance(s, str) for s in stop)  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        ):
            raise ConfigurationError(
                f"stop must be a string or a list of strings, got {stop!r:.80}"
            )
        check_usd("max_call_cost", self.max_call_cost)
        for name in ("temperature", "top_p", "timeout", "total_timeout"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, (int, float)) or isinstance(value, bool)
            ):
                raise ConfigurationError(f"{name} must be a number, got {value!r}")
        for name in ("timeout", "total_timeout"):
            value = getattr(self, name)
            if (value is not None or name == "timeout") and not (0 < (value or 0) <= MAX_TIMEOUT):
                raise ConfigurationError(
                    f"{name} must be a finite number of seconds > 0 (at most a year, "
                    f"{MAX_TIMEOUT}), got {value!r}"
                )
        if self.cost_tracker is not None and not callable(getattr(self.cost_tracker, "add", None)):
            raise ConfigurationError(
                f"cost_tracker must be a CostTracker (with .add), got {self.cost_tracker!r}"
            )
        if not isinstance(self.options, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
            raise ConfigurationError(f"options must be a mapping, got {self.options!r}")

    def updated(self, **changes: object) -> AIModelCallConfig:
        """A copy with `changes` applied (unknown names are an error)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ConfigurationError(
                f"unknown AIModelCallConfig field(s) {unknown}; allowed: {sorted(known)}"
            )
        return replace(self, **changes)


def check_usd(name: str, value: object) -> None:
    """A sum of USD: None, or a number >= 0."""
    if value is not None and (
        not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0
    ):
        raise ConfigurationError(f"{name} must be a number of USD >= 0, got {value!r}")
