"""`modelwire models`: the catalog as a table (or JSON), filtered by provider and capability."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from functools import cache
from typing import Any, TypedDict
from urllib.parse import urlsplit

from modelwire._catalog import AIModel, Pricing
from modelwire.generated.models import ALL_MODELS
from modelwire.generated.providers import AIModelAPIProviderEnum

from ._resolve import CliError
from ._term import Term

# how capabilities are listed: inputs, outputs, then features; names unknown here go last
_ORDER = (
    "text_input",
    "image_input",
    "pdf_input",
    "audio_input",
    "text_output",
    "image_output",
    "tools",
    "structured_output",
    "reasoning",
    "prompt_caching",
    "streaming",
)


@cache
def capabilities() -> tuple[str, ...]:
    """Every capability the catalog names, in display order."""
    known = {c for m in ALL_MODELS for c in m.capabilities}
    return tuple(sorted(known, key=lambda c: (_ORDER.index(c) if c in _ORDER else len(_ORDER), c)))


def _number(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _price(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _image_prices(model: AIModel) -> str:
    prices = [p.per_image for p in model.image_pricing]
    if not prices:
        return "-"
    low, high = min(prices), max(prices)
    return _price(low) if low == high else f"{low:g}-{high:g}"


def _price_source(pricing: Pricing | None) -> str:
    """Where a row's prices were read: the page's host, or, marked as such, the dataset (and
    its version) of the figures read from a secondary source."""
    if pricing is None or pricing.source is None:
        return "-"
    host = urlsplit(pricing.source).netloc or pricing.source
    s = pricing.secondary
    if s is None:
        return host
    version = s.version[:7] if len(s.version) == 40 else s.version.split()[0]
    dataset = f"{s.dataset}@{version}"
    if not s.fields:
        return f"{dataset} (secondary)"
    return f"{host}; {', '.join(s.fields)}: {dataset} (secondary)"


class _Row:
    """One model as the table shows it, on one provider (None: the model's own figures)."""

    def __init__(self, model: AIModel, provider: str | None) -> None:
        self.model: AIModel = model
        self.provider: str | None = provider
        host = model.hosts.get(provider) if provider else None
        self.pricing: Pricing | None = model.pricing_for(provider) if provider else model.pricing
        self.context: int | None = (host.context_window if host else None) or model.context_window
        self.max_output: int | None = (
            model.max_output_for(provider) if provider else model.max_output_tokens
        )
        self.id: str = model.id_for(provider) if provider else model.model_name

    def rate(self, name: str) -> float | None:
        return getattr(self.pricing, name) if self.pricing is not None else None


_Column = tuple[str, Callable[[_Row], str], bool]  # header, cell, right-aligned

_COLUMNS: tuple[_Column, ...] = (
    ("MODEL", lambda r: r.model.constant or r.model.model_name, False),
    ("KIND", lambda r: r.model.kind, False),
    ("CONTEXT", lambda r: _number(r.context), True),
    ("MAX OUT", lambda r: _number(r.max_output), True),
    ("IN $/M", lambda r: _price(r.rate("input")), True),
    ("CACHED", lambda r: _price(r.rate("cached_input")), True),
    ("WRITE", lambda r: _price(r.rate("cache_write")), True),
    ("OUT $/M", lambda r: _price(r.rate("output")), True),
    ("$/IMAGE", lambda r: _image_prices(r.model), True),
    ("ID", lambda r: r.id, False),
    (
        "CAPABILITIES",
        lambda r: ",".join(c for c in capabilities() if c in r.model.capabilities),
        False,
    ),
    ("HOSTS", lambda r: ",".join(r.model.ids), False),
    ("PRICE SOURCE", lambda r: _price_source(r.pricing), False),
)
# the columns a terminal's width may shrink (ID, CAPABILITIES, HOSTS, PRICE SOURCE): text, not
# figures; they come last, so that a line cut at a narrow terminal's edge keeps limits and prices
_SHRINKABLE = (9, 10, 11, 12)


def _cut(text: str, width: int, ellipsis: str) -> str:
    return text if len(text) <= width else text[: width - len(ellipsis)] + ellipsis


def _table(rows: Sequence[_Row], width: int | None, ellipsis: str) -> str:
    """Fixed columns. On a terminal (`width`), the text columns shrink to fit (the last first,
    none below 12), and a line still too long is cut at the edge."""
    cells = [[cell(r) for _, cell, _ in _COLUMNS] for r in rows]
    headers = [h for h, _, _ in _COLUMNS]
    widths = [max(len(x) for x in col) for col in zip(headers, *cells, strict=True)]
    if width is not None:
        for i in reversed(_SHRINKABLE):
            excess = sum(widths) + 2 * (len(widths) - 1) - width
            if excess > 0:
                widths[i] = max(min(12, widths[i]), widths[i] - excess)

    def line(values: list[str]) -> str:
        out = [
            _cut(v, w, ellipsis).rjust(w) if right else _cut(v, w, ellipsis).ljust(w)
            for v, w, (_, _, right) in zip(values, widths, _COLUMNS, strict=True)
        ]
        text = "  ".join(out).rstrip()
        return _cut(text, width, ellipsis) if width is not None else text

    return "\n".join([line(headers), *(line(c) for c in cells)]) + "\n"


class _ImagePriceJSON(TypedDict):
    per_image: float
    when: dict[str, Any]


class _OptionJSON(TypedDict):
    allowed: list[Any] | None
    default: Any


class _ModelJSON(TypedDict):
    """One model in `modelwire models --json`."""

    constant: str | None
    name: str
    display_name: str | None
    kind: str
    creator: str | None
    id: str
    ids: dict[str, str]
    context_window: int | None
    max_output_tokens: int | None
    capabilities: list[str]
    pricing: dict[str, Any] | None
    image_pricing: list[_ImagePriceJSON]
    valid_options: dict[str, _OptionJSON]
    release_date: str | None
    deprecation_date: str | None


def _as_json(row: _Row) -> _ModelJSON:
    m = row.model
    return {
        "constant": m.constant,
        "name": m.model_name,
        "display_name": m.display_name,
        "kind": m.kind,
        "creator": m.creator,
        "id": row.id,
        "ids": dict(m.ids),
        "context_window": row.context,
        "max_output_tokens": row.max_output,
        "capabilities": [c for c in capabilities() if c in m.capabilities],
        "pricing": asdict(row.pricing) if row.pricing is not None else None,
        "image_pricing": [
            {"per_image": p.per_image, "when": dict(p.when)} for p in m.image_pricing
        ],
        "valid_options": {
            k: {"allowed": list(o.allowed) if o.allowed is not None else None, "default": o.default}
            for k, o in m.valid_options.items()
        },
        "release_date": m.release_date,
        "deprecation_date": m.deprecation_date,
    }


def run(
    term: Term,
    provider: AIModelAPIProviderEnum | None,
    wanted: Sequence[str],
    kind: str | None,
    as_json: bool,
) -> int:
    known = capabilities()
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise CliError(f"unknown capability {', '.join(unknown)}; allowed: {', '.join(known)}")
    where = provider.value if provider is not None else None
    rows = [
        _Row(m, where)
        for m in ALL_MODELS
        if (where is None or where in m.ids)
        and all(c in m.capabilities for c in wanted)
        and (kind is None or m.kind == kind)
    ]
    if as_json:
        term.answer(json.dumps([_as_json(r) for r in rows], indent=2) + "\n")
        return 0
    if not rows:
        hint = ""
        if where is not None and not any(where in m.ids for m in ALL_MODELS):
            hint = (
                f"; the catalog lists no model ids on {where}: call any with "
                f"`modelwire chat -p {where} --custom-model -m MODEL_ID`"
            )
        term.note(f"no models match{hint}\n", style="")
        return 0
    encoding = (getattr(term.out, "encoding", None) or "").lower().replace("-", "")
    term.answer(_table(rows, term.width(), "…" if encoding == "utf8" else "~"))
    return 0
