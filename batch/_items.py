"""What a bulk run or a batch job is made of: calls, each with the id its result comes back under."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from modelwire import AIModelCallConfig, AIModelCallResponse, ConfigurationError, ModelwireError

if TYPE_CHECKING:
    from modelwire import Message

__all__ = ["Call", "CallLike", "Result", "calls_from"]

# what a result pairs with its call's custom id: the response, or the call's typed error
Result: TypeAlias = "tuple[str, AIModelCallResponse[Any] | ModelwireError]"


@dataclass(frozen=True, slots=True)
class Call:
    """One call of a bulk run or a batch job: a `prompt` or `messages`, with `instructions`
    and a `config` of its own (else the client's), under `custom_id` (made when absent)."""

    prompt: str | None = None
    messages: Sequence[Message | Mapping[str, Any]] | None = None
    instructions: str | None = None
    config: AIModelCallConfig | None = None
    custom_id: str | None = None

    def with_id(self, custom_id: str) -> Call:
        return Call(self.prompt, self.messages, self.instructions, self.config, custom_id)


CallLike: TypeAlias = "Call | str | Mapping[str, Any]"

_KEYS = frozenset({"prompt", "messages", "instructions", "custom_id"})


def call_from(item: CallLike, index: int) -> Call:
    """A Call from a Call, a prompt, or a mapping of Call's fields (a JSONL line), with its
    custom id made (`call-<n>-<random>`) when it has none."""
    if isinstance(item, str):
        call = Call(prompt=item)
    elif isinstance(item, Call):
        call = item
    elif isinstance(item, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        unknown = sorted(set(item) - _KEYS)
        if unknown:
            raise ConfigurationError(
                f"call {index}: unknown key(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(sorted(_KEYS))}"
            )
        call = Call(
            prompt=item.get("prompt"),
            messages=item.get("messages"),
            instructions=item.get("instructions"),
            custom_id=item.get("custom_id"),
        )
    else:
        raise ConfigurationError(
            f"call {index} must be a Call, a prompt or a mapping, not {type(item).__name__}"
        )
    if call.custom_id is not None and not isinstance(call.custom_id, str):  # pyright: ignore[reportUnnecessaryIsInstance]  # validates untyped callers
        raise ConfigurationError(f"call {index}: custom_id must be a string")
    if call.prompt is None and call.messages is None:
        raise ConfigurationError(f"call {index} has neither a prompt nor messages")
    if call.custom_id is None:
        call = call.with_id(f"call-{index}-{uuid.uuid4().hex[:12]}")
    return call


def calls_from(items: Iterable[CallLike]) -> Iterable[Call]:
    """`items` as Calls (lazily: a run may read its calls from a file as it goes); a custom id
    given twice is refused."""
    seen: set[str] = set()
    for index, item in enumerate(items):
        call = call_from(item, index)
        assert call.custom_id is not None  # call_from made one
        if call.custom_id in seen:
            raise ConfigurationError(f"call {index}: custom_id {call.custom_id!r} is given twice")
        seen.add(call.custom_id)
        yield call
