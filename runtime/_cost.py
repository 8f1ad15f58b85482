"""CostTracker: what the calls of a session cost, summed by part and by model.

`usage_charge` already prices each part of a call at its own rate (input, cached input, cache
write, output, reasoning, and images priced per image); a tracker adds those up across calls.
Adding takes a lock and never awaits, so one tracker may be shared by threads and by tasks of
an event loop alike.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields, replace

from ._config import check_usd
from ._types import AIModelCallResponse, ChatResponse, ImageResponse, UsageCharge

__all__ = ["PARTS", "CostTracker", "describe_parts", "money"]

# the parts of a charge that add up to its total, in display order
PARTS = ("input", "cached_input", "cache_write", "output", "reasoning", "images")
_AMOUNTS = tuple(f.name for f in fields(UsageCharge) if f.name not in ("currency", "dimensions"))


def _summed(a: UsageCharge, b: UsageCharge) -> UsageCharge:
    """`a` + `b`, part by part (`images` stays None while neither has images)."""
    if a.currency != b.currency:
        raise ValueError(f"cannot add a {b.currency} charge to {a.currency} charges")
    out = UsageCharge(currency=a.currency)
    for name in _AMOUNTS:
        x, y = getattr(a, name), getattr(b, name)
        value = None if x is None and y is None else round((x or 0.0) + (y or 0.0), 10)
        setattr(out, name, value)
    return out


def money(value: float) -> str:
    """USD as text without float noise or trailing zeros: $0.0000072, $0.04, $12.5."""
    return "$" + (f"{value:.10f}".rstrip("0").rstrip(".") or "0")


def describe_parts(charge: UsageCharge) -> str:
    """The parts a charge is made of that cost something: "input $0.01, output $0.03"."""
    return ", ".join(
        f"{name.replace('_', ' ')} {money(value)}"
        for name in PARTS
        if (value := getattr(charge, name))
    )


@dataclass(slots=True)
class _Entry:
    calls: int
    charge: UsageCharge


class CostTracker:
    """Sums what calls cost: `tracker.add(response)` after each call, then `tracker.total`
    (a UsageCharge: input, cached_input, cache_write, output, reasoning, images, total),
    `tracker.by_model`, `tracker.calls`, `print(tracker)`.

    A call whose model the catalog does not price (`usage_charge` None) is counted in `calls`
    and in `unpriced`, and adds nothing. Thread-safe, and safe across asyncio tasks.
    `budget` (USD): what `remaining` counts down from; a call configured with this tracker
    and `precheck` is refused when its worst case would cost more than is left.
    """

    __slots__ = ("_calls", "_dimensions", "_lock", "_models", "_total", "_unpriced", "budget")

    def __init__(self, budget: float | None = None) -> None:
        check_usd("budget", budget)
        self.budget: float | None = budget
        self._lock = threading.Lock()
        self._total = UsageCharge()
        self._models: dict[str, _Entry] = {}
        self._dimensions: dict[str, _Entry] = {}  # "service_tier=flex" (or "standard") -> sum
        self._calls = 0
        self._unpriced = 0

    def add(
        self,
        item: AIModelCallResponse | ChatResponse | ImageResponse | UsageCharge,
        model: str | None = None,
    ) -> UsageCharge | None:
        """Count one call: a finished call (`AIModelCallResponse`, or the accumulated one of a
        stream), its ChatResponse or ImageResponse, or a bare UsageCharge (with `model` to file
        it under). Returns the charge added (None when the call was not priced)."""
        charge, name = self._charge_of(item)
        name = model or name or "unknown"
        with self._lock:
            entry = self._models.get(name) or _Entry(0, UsageCharge())
            if charge is not None:  # summed first: a charge that cannot be added changes nothing
                total, entry_charge = _summed(self._total, charge), _summed(entry.charge, charge)
                key = ", ".join(f"{k}={v}" for k, v in sorted(charge.dimensions.items()))
                rates = self._dimensions.get(key or "standard") or _Entry(0, UsageCharge())
                rates_charge = _summed(rates.charge, charge)
                self._total, entry.charge, rates.charge = total, entry_charge, rates_charge
                rates.calls += 1
                self._dimensions[key or "standard"] = rates
            else:
                self._unpriced += 1
            entry.calls += 1
            self._models[name] = entry
            self._calls += 1
        return charge

    @staticmethod
    def _charge_of(item: object) -> tuple[UsageCharge | None, str | None]:
        if isinstance(item, UsageCharge):
            return item, None
        if isinstance(item, AIModelCallResponse):
            # an image model's call: the image response holds the whole cost (per image, plus
            # its prompt tokens); a chat response kept beside it is not charged again
            response = item.image_response or item.chat_response
            if response is None:
                raise ValueError(
                    "this response has no result yet (a stream): add the accumulated response "
                    "the stream yields last, or its chat_response"
                )
            item = response
        if isinstance(item, (ChatResponse, ImageResponse)):
            return item.usage_charge, item.model
        raise TypeError(
            f"CostTracker.add takes a response or a UsageCharge, not {type(item).__name__}"
        )

    @property
    def total(self) -> UsageCharge:
        """Everything so far, part by part (a copy)."""
        with self._lock:
            return replace(self._total)

    @property
    def by_model(self) -> dict[str, UsageCharge]:
        """What each model cost (keyed by the model the provider reported), copies."""
        with self._lock:
            return {name: replace(e.charge) for name, e in self._models.items()}

    @property
    def by_dimension(self) -> dict[str, UsageCharge]:
        """What the calls priced at each set of rates cost: "standard", or the dimensions that
        chose other rates ("batch=true", "inference_profile=us", "service_tier=flex")."""
        with self._lock:
            return {name: replace(e.charge) for name, e in self._dimensions.items()}

    @property
    def calls_by_model(self) -> dict[str, int]:
        with self._lock:
            return {name: e.calls for name, e in self._models.items()}

    @property
    def remaining(self) -> float | None:
        """What is left of `budget` (USD; None without one; never below 0)."""
        if self.budget is None:
            return None
        return max(0.0, self.budget - self._total.total)

    @property
    def calls(self) -> int:
        return self._calls

    @property
    def unpriced(self) -> int:
        """Calls counted whose model has no prices in the catalog."""
        return self._unpriced

    def reset(self) -> None:
        """Forget every call counted so far."""
        with self._lock:
            self._total = UsageCharge()
            self._models.clear()
            self._dimensions.clear()
            self._calls = self._unpriced = 0

    def summary(self) -> str:
        """A few lines: calls and total, the parts, then one line per model."""
        with self._lock:
            total, calls, unpriced = replace(self._total), self._calls, self._unpriced
            models = [(n, e.calls, replace(e.charge)) for n, e in self._models.items()]
        head = f"{calls} call{'s' * (calls != 1)}, {money(total.total)} {total.currency}"
        if unpriced:
            head += f" ({unpriced} not priced)"
        lines = [head]
        if parts := describe_parts(total):
            lines.append(f"  {parts}")
        for name, count, charge in sorted(models, key=lambda m: -m[2].total):
            lines.append(f"  {name}: {count} call{'s' * (count != 1)}, {money(charge.total)}")
        return "\n".join(lines)

    __str__ = summary

    def __repr__(self) -> str:
        return f"CostTracker(calls={self._calls}, total={money(self._total.total)})"
