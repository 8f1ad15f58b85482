"""python tasks.py catalog-check [--json]: our catalog's prices and limits beside genai-prices'.

genai-prices (a dev dependency) ships the price data of many providers as Python objects; it is
used as data only: its providers, their models' match rules, context windows and prices are read
into plain dicts (`load_theirs`), and everything else happens here. For each model of ours on
each provider that hosts it, their provider's model matching our id (their match rules: equals,
starts_with, ends_with, contains, regex, or/and; one step of their fallback providers, as their
own lookup does) is compared: input, cached input, cache write and output prices (USD per
million tokens; a tiered price by its base rate) and the context window. Only differences are
listed, with the YAML line of ours, so a maintainer sees where specs/models/ may be stale;
their figures are not necessarily right. The output price of an image model priced by tokens
is compared with their image-output rate where they have one (their plain output rate is text's).

It also lists the prices to refresh (`refresh`, from specs/models/ alone): every price table whose
`checked` date is more than 180 days old, and every one marked `secondary` (figures read from a
dataset copying the provider's prices, not from the provider's page). Exit 0 whatever differs or
is listed: it informs, it does not gate.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# our provider → theirs (providers of ours not listed: they have none, e.g. Hugging Face's router)
PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google_gemini_api": "google",
    "google_vertex_ai": "google",
    "amazon_bedrock": "aws",
    "microsoft_openai": "azure",
    "deepseek": "deepseek",
    "groq": "groq",
    "mistral": "mistral",
    "openrouter": "openrouter",
    "together": "together",
    "cerebras": "cerebras",
    "fireworks": "fireworks",
    "xai": "x-ai",
}
# our Pricing field → their price key
PRICES = {
    "input": "input_mtok",
    "cached_input": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
    "output": "output_mtok",
}
FIELDS = (*PRICES, "context_window")

# --- their data, as plain values ------------------------------------------------------------


def _match(clause: Any) -> dict[str, Any]:
    """A match rule of theirs as {"equals": ...}, {"or": [...]}, ..."""
    for name in ("equals", "starts_with", "ends_with", "contains", "regex"):
        if hasattr(clause, name):
            return {name: getattr(clause, name)}
    for name in ("or", "and"):
        if hasattr(clause, name + "_"):
            return {name: [_match(c) for c in getattr(clause, name + "_")]}
    raise ValueError(f"unknown genai-prices match clause {clause!r}")


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value.base if hasattr(value, "base") else value)  # tiered: its base rate


def _constraint(constraint: Any) -> dict[str, Any] | None:
    if constraint is None:
        return None
    if hasattr(constraint, "start_date"):
        return {"start_date": constraint.start_date.isoformat()}
    start, end = constraint.start_time, constraint.end_time  # a time-of-day window
    day = date(2000, 1, 1)
    hours = (datetime.combine(day, end) - datetime.combine(day, start)) / timedelta(hours=1)
    return {"hours": hours % 24}


def _prices(price: Any) -> dict[str, float | None]:
    values = vars(price)  # ModelPrice keeps its prices as attributes
    found = {ours: _number(values.get(theirs)) for ours, theirs in PRICES.items()}
    found["image_output"] = _number(values.get("output_image_mtok"))
    return found


def load_theirs() -> tuple[str, list[dict[str, Any]]]:
    """genai-prices' version and providers: [{id, fallback, models: [{id, match,
    context_window, prices: [{constraint, prices}]}]}]."""
    from importlib.metadata import version

    from genai_prices.data import providers

    plain = []
    for p in providers:
        models = []
        for m in p.models:
            conditional = m.prices if isinstance(m.prices, list) else [m.prices]
            prices = [
                {
                    "constraint": _constraint(getattr(c, "constraint", None)),
                    "prices": _prices(getattr(c, "prices", c)),
                }
                for c in conditional
            ]
            models.append(
                {
                    "id": m.id,
                    "match": _match(m.match),
                    "context_window": m.context_window,
                    "prices": prices,
                }
            )
        plain.append(
            {"id": p.id, "fallback": list(p.fallback_model_providers or []), "models": models}
        )
    return version("genai-prices"), plain


def matches(rule: Mapping[str, Any], text: str) -> bool:
    """Their match rules, on a lower-cased model id (as their lookup does)."""
    ((kind, arg),) = rule.items()
    if kind == "or":
        return any(matches(r, text) for r in arg)
    if kind == "and":
        return all(matches(r, text) for r in arg)
    if kind == "regex":
        return re.search(arg, text) is not None
    arg = arg.lower()
    return {
        "equals": text == arg,
        "starts_with": text.startswith(arg),
        "ends_with": text.endswith(arg),
        "contains": arg in text,
    }[kind]


def find(providers: Sequence[Mapping[str, Any]], provider: str, model_id: str) -> Any:
    """Their model for `model_id` on their `provider` (first match, then their fallbacks)."""
    by_id = {p["id"]: p for p in providers}
    text = model_id.lower()
    start = by_id.get(provider)
    if start is None:
        return None
    for p in [start, *(by_id[f] for f in start["fallback"] if f in by_id)]:
        for model in p["models"]:
            if matches(model["match"], text):
                return model
    return None


def current_prices(model: Mapping[str, Any], today: date) -> dict[str, float | None]:
    """The prices in force: the last whose start date has come; a price for part of the day
    only (off-peak) counts when it covers most of the day."""

    def active(constraint: Mapping[str, Any] | None) -> bool:
        if constraint is None:
            return True
        if "start_date" in constraint:
            return date.fromisoformat(constraint["start_date"]) <= today
        return constraint["hours"] >= 12

    prices = model["prices"]
    chosen = next((p for p in reversed(prices) if active(p["constraint"])), prices[0])
    return chosen["prices"]


# --- ours -----------------------------------------------------------------------------------


@dataclass
class Ours:
    """One model of ours on one provider: its figures there, and the YAML line of each."""

    constant: str
    provider: str
    model_id: str
    values: dict[str, float | None]
    lines: dict[str, str] = field(default_factory=dict)
    image: bool = False  # priced by tokens, its output tokens images: `output` is their rate


def _yaml_lines() -> dict[str, tuple[Any, int]]:
    """constant → (the loaded specs/models file, the model's index in it)."""
    from generator.source import load

    found = {}
    for path in sorted((ROOT / "specs" / "models").glob("*.yaml")):
        source = load(path, ROOT)
        for i, entry in enumerate(source.data.get("models") or []):
            found[entry.get("constant")] = (source, i)
    return found


def _lines(source: Any, index: int, provider: str) -> dict[str, str]:
    """`file:line` of each figure of model `index` on `provider`: the host's own prices when
    it has them. A figure that comes through a YAML alias (`*opus_prices`) is placed at the
    model's own `pricing:` key, not at the anchor's line in another entry."""
    at = ("models", index)
    start = source.line(at)
    end = source.lines.get(("models", index + 1), float("inf"))
    host_prices = (*at, "hosts", provider, "pricing")
    prices_at = host_prices if host_prices in source.lines else (*at, "pricing")
    lines = {}
    for name in FIELDS:
        loc = (*at, name) if name == "context_window" else (*prices_at, name)
        line = source.line(loc)
        if not start <= line < end:
            line = source.line(loc[:-1])
        lines[name] = f"{source.path}:{line}"
    return lines


def ours() -> Iterator[Ours]:
    """Every model on every provider that hosts it, by the id modelwire sends by default
    (with the host's default prefix: Bedrock's `global.` or `us.` inference profile)."""
    from modelwire.generated.providers import PROVIDERS as INFO
    from modelwire.models import ALL_MODELS

    located = _yaml_lines()
    for model in ALL_MODELS:
        source, index = located.get(model.constant, (None, 0))
        for provider, model_id in model.ids.items():
            pricing = model.pricing_for(provider)
            host = model.hosts.get(provider)
            if host and host.id_prefixes and INFO[provider].model_id_prefix_param:
                model_id = f"{host.id_prefixes[0]}.{model_id}"
            values: dict[str, float | None] = {
                name: getattr(pricing, name) if pricing is not None else None for name in PRICES
            }
            values["context_window"] = (
                host.context_window if host else None
            ) or model.context_window
            lines = _lines(source, index, provider) if source is not None else {}
            yield Ours(
                model.constant or model.model_name,
                provider,
                model_id,
                values,
                lines,
                image=model.kind == "image" and not model.image_pricing,
            )


# --- the comparison ---------------------------------------------------------------------------


@dataclass
class Difference:
    constant: str
    provider: str
    field: str
    ours: float | None
    theirs: float | None
    where: str
    their_model: str


@dataclass
class Report:
    version: str
    compared: int = 0  # model-provider pairs found in both
    equal: int = 0  # of those, the pairs with no difference
    differences: list[Difference] = field(default_factory=list)
    only_ours: list[str] = field(default_factory=list)  # "Constant on provider"
    refresh: list[Refresh] = field(default_factory=list)  # prices to read again

    @property
    def differing(self) -> int:
        return self.compared - self.equal


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def compare(
    entries: Sequence[Ours], version: str, theirs: Sequence[Mapping[str, Any]], today: date
) -> Report:
    """What differs: a figure they have that we lack or state otherwise (one they lack is not
    a difference: their data is not complete)."""
    report = Report(version)
    for entry in entries:
        provider = PROVIDERS.get(entry.provider)
        model = find(theirs, provider, entry.model_id) if provider else None
        if model is None:
            report.only_ours.append(f"{entry.constant} on {entry.provider}")
            continue
        report.compared += 1
        their_values: dict[str, float | None] = {
            **current_prices(model, today),
            "context_window": model["context_window"],
        }
        if entry.image and their_values.get("image_output") is not None:
            their_values["output"] = their_values["image_output"]
        found = [
            Difference(
                entry.constant,
                entry.provider,
                name,
                entry.values.get(name),
                theirs_value,
                entry.lines.get(name, ""),
                model["id"],
            )
            for name in FIELDS
            if (theirs_value := their_values.get(name)) is not None
            and ((mine := entry.values.get(name)) is None or not _same(float(mine), theirs_value))
        ]
        report.differences += found
        report.equal += not found
    return report


# --- the prices to refresh ---------------------------------------------------------------------

STALE_DAYS = 180  # a price checked longer ago than this is listed for a maintainer to re-read


@dataclass
class Refresh:
    """A price table a maintainer should read again: too old, or (partly) from a secondary
    source rather than the provider's own page."""

    constant: str
    table: str  # pricing, hosts.<provider>.pricing or image_pricing
    checked: str
    source: str
    reasons: list[str]
    where: str


def _why(table: Any, today: date) -> list[str]:
    reasons = []
    age = (today - table.checked).days
    if age > STALE_DAYS:
        reasons.append(f"checked {age} days ago")
    s = getattr(table, "secondary", None)
    if s is not None:
        version = s.version[:12] if re.fullmatch(r"[0-9a-f]{40}", s.version) else s.version
        figures = ", ".join(s.fields) or "all figures"
        reasons.append(f"secondary ({figures}): {s.dataset} {s.file} at {version} of {s.date}")
    return reasons


def refresh_list(today: date, root: Path = ROOT) -> list[Refresh]:
    """Every price table in specs/models/ checked more than STALE_DAYS before `today`, and
    every one whose figures come, some or all, from a secondary source; in file order."""
    from generator.source import load
    from generator.spec import CatalogSpec

    found = []
    for path in sorted((root / "specs" / "models").glob("*.yaml")):
        source = load(path, root)
        for i, m in enumerate(CatalogSpec.model_validate(source.data).models):
            tables: list[tuple[tuple[str, ...], Any]] = [
                (("pricing",), m.pricing),
                *((("hosts", h, "pricing"), host.pricing) for h, host in m.hosts.items()),
                (("image_pricing",), m.image_pricing),
            ]
            for at, table in tables:
                reasons = _why(table, today) if table is not None else []
                if reasons:
                    line = source.line(("models", i, *at))
                    found.append(
                        Refresh(
                            m.constant,
                            ".".join(at),
                            table.checked.isoformat(),
                            table.source,
                            reasons,
                            f"{source.path}:{line}",
                        )
                    )
    return found


# --- output -----------------------------------------------------------------------------------


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 1000 else f"{value:g}"


def _table(rows: list[tuple[str, ...]], right: set[int] = frozenset()) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def render_refresh(refresh: Sequence[Refresh], today: date) -> str:
    head = (
        f"to refresh: {len(refresh)} price tables checked more than {STALE_DAYS} days before "
        f"{today} or read (some figures or all) from a secondary source"
    )
    rows = [("MODEL", "PRICES", "CHECKED", "WHY", "AT")]
    rows += [(r.constant, r.table, r.checked, "; ".join(r.reasons), r.where) for r in refresh]
    return "\n".join([head, *(_table(rows) if refresh else [])]) + "\n"


def render(report: Report) -> str:
    head = (
        f"our catalog (specs/models/) vs genai-prices {report.version}: prices in USD per "
        "million tokens (a tiered price by its base rate), context in tokens"
    )
    lines = [head, ""]
    if report.differences:
        rows = [("MODEL", "PROVIDER", "FIELD", "OURS", "THEIRS", "THEIR MODEL", "OURS AT")]
        rows += [
            (
                d.constant,
                d.provider,
                d.field,
                _figure(d.ours),
                _figure(d.theirs),
                d.their_model,
                d.where,
            )
            for d in report.differences
        ]
        lines += [*_table(rows, {3, 4}), ""]
    lines.append(
        f"compared {report.compared} model-provider pairs: {report.equal} equal, "
        f"{report.differing} differ ({len(report.differences)} figures), "
        f"{len(report.only_ours)} only ours"
    )
    if report.only_ours:
        lines.append("only ours (no genai-prices model matches): " + ", ".join(report.only_ours))
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> dict[str, Any]:
    return {
        "genai_prices": report.version,
        "counts": {
            "compared": report.compared,
            "equal": report.equal,
            "differ": report.differing,
            "differences": len(report.differences),
            "only_ours": len(report.only_ours),
            "refresh": len(report.refresh),
        },
        "differences": [asdict(d) for d in report.differences],
        "only_ours": report.only_ours,
        "refresh": [asdict(r) for r in report.refresh],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tasks.py catalog-check", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    today = date.today()
    refresh = refresh_list(today)
    try:
        version, theirs = load_theirs()
    except ImportError:
        sys.stdout.write(render_refresh(refresh, today))
        print("the comparison needs genai-prices: python tasks.py setup", file=sys.stderr)
        return 1
    report = compare(list(ours()), version, theirs, today)
    report.refresh = refresh
    if args.json:
        print(json.dumps(as_json(report), indent=2))
    else:
        sys.stdout.write(render(report) + "\n" + render_refresh(refresh, today))
    return 0


if __name__ == "__main__":
    sys.exit(main())
