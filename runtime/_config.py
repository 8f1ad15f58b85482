"""Call configuration shared by every protocol."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from ._errors import ConfigurationError

if TYPE_CHECKING:
    from ._cost import CostTracker

DEFAULT_TIMEOUT = 600.0
DEFAULT_RETRIES = 2


@dataclass(slots=True)
class AIModelCallConfig:
    """What to ask of the model. Checked against the model's catalog entry before any request.

    `timeout` (seconds) bounds connecting and every read, streams included; `retries` is the
    number of extra attempts for retryable failures; `options` pass provider parameters
    through (checked against the model's `valid_options` when the catalog lists them);
    `cost_tracker` (a `CostTracker`) is given every call that finishes (a stream at its end).
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
    tools: list[Any] | None = None
    tool_choice: Any = None
    structured_output: Any = None
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    options: Mapping[str, Any] = field(default_factory=dict)
    cost_tracker: CostTracker | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("max_output_tokens", "max_reasoning_tokens", "seed", "retries"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise ConfigurationError(f"{name} must be an integer, got {value!r}")
        for name in ("max_output_tokens", "max_reasoning_tokens"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigurationError(f"{name} must be at least 1, got {value}")
        if self.retries < 0:
            raise ConfigurationError(f"retries must be >= 0, got {self.retries}")
        for name in ("temperature", "top_p", "timeout"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, (int, float)) or isinstance(value, bool)
            ):
                raise ConfigurationError(f"{name} must be a number, got {value!r}")
        if not self.timeout or self.timeout <= 0:
            raise ConfigurationError(f"timeout must be > 0 seconds, got {self.timeout!r}")
        if self.cost_tracker is not None and not callable(getattr(self.cost_tracker, "add", None)):
            raise ConfigurationError(
                f"cost_tracker must be a CostTracker (with .add), got {self.cost_tracker!r}"
            )
        if not isinstance(self.options, Mapping):
            raise ConfigurationError(f"options must be a mapping, got {self.options!r}")

    def updated(self, **changes: Any) -> AIModelCallConfig:
        """A copy with `changes` applied (unknown names are an error)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ConfigurationError(
                f"unknown AIModelCallConfig field(s) {unknown}; allowed: {sorted(known)}"
            )
        return replace(self, **changes)
