"""`modelwire run FILE.jsonl -m MODEL`: a file of calls sent live, a bounded number at a time.

Each line of the file is a call: a JSON string (the prompt) or an object with `prompt` or
`messages`, and optionally `instructions` and `custom_id`. The whole file is checked before
anything is sent (a bad line is exit 2, naming it), then read again as the calls go. Each
result is one JSON line on stdout (or `-o`): `{"custom_id": ..., "response": {...}}` or
`{"custom_id": ..., "error": {"type", "message", "status"}}`. On a terminal a progress line
is redrawn on stderr; the summary and cost always end on stderr. Exit 0 when every call
answered, 1 when any failed or was not sent for the budget.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from modelwire import BudgetExceededError
from modelwire._api import AIModelAPI, AIModelEndpoint
from modelwire._client import AIModelClient
from modelwire._config import AIModelCallConfig
from modelwire._cost import CostTracker, describe_parts, money
from modelwire._errors import ConfigurationError, ModelwireError
from modelwire.batch._items import CallLike, Result, call_from
from modelwire.batch._runner import Progress, run

from ._batch import result_json
from ._progress import ERASE, spinner_enabled
from ._resolve import JSON, CliError, json_object, jsonl_lines, resolve
from ._term import Term

__all__ = ["RunArguments", "add_parser", "run_file"]

REDRAW = 0.1  # seconds between progress redraws


class RunArguments(argparse.Namespace):
    """The parsed command line of `modelwire run`."""

    command: str
    file: Path
    model: str
    provider: str | None
    system: str | None
    concurrency: int
    ordered: bool
    budget: float | None
    output: Path | None
    max_tokens: int | None
    temperature: float | None
    timeout: float | None
    retries: int | None
    config: str | None
    api_config: str | None
    base_url: str | None
    protocol: str | None
    custom_model: bool


def add_parser(sub: Any, help_for: Any) -> None:
    """The `run` command on the top parser's subparsers (`help_for`: its help builder)."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "run",
        help="send a JSONL file of calls live, N at a time, paced by the provider's limits",
        **help_for(
            "run",
            "Send each line of FILE.jsonl (a prompt string, or an object with prompt or "
            "messages, instructions, custom_id) as a live call, --concurrency at a time, paced "
            "by the provider's rate-limit headers; one JSON line per result on stdout or -o, "
            "progress (on a terminal) and the cost on stderr. The file is checked whole "
            "before anything is sent. Exit 0 when every call answered, 1 when any failed or "
            "was not sent for --budget.",
        ),
    )
    parser.add_argument("file", type=Path, help="JSONL: one call per line (see above)")
    parser.add_argument("-m", "--model", required=True, help="a catalog constant, name or id")
    parser.add_argument("-p", "--provider", help="where to call it (default: the model's first)")
    parser.add_argument("-s", "--system", help="instructions for calls that give none")
    parser.add_argument(
        "-c", "--concurrency", type=int, default=8, metavar="N", help="calls in flight (8)"
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--ordered", dest="ordered", action="store_true", default=True, help="in input order"
    )
    order.add_argument(
        "--as-completed", dest="ordered", action="store_false", help="as the calls complete"
    )
    parser.add_argument(
        "--budget", type=float, metavar="USD", help="send no more calls once this is spent"
    )
    parser.add_argument("-o", "--output", type=Path, metavar="OUT.jsonl", help="default: stdout")
    parser.add_argument("--max-tokens", type=int, help="max output tokens")
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="per read (600)")
    parser.add_argument("--retries", type=int, metavar="N", help="extra attempts (2)")
    parser.add_argument("--config", metavar="JSON", help="AIModelCallConfig fields, or @file")
    parser.add_argument("--api-config", metavar="JSON", help="AIModelAPI config, or @file")
    parser.add_argument("--base-url", help="send requests here instead (a proxy, a local server)")
    parser.add_argument("--protocol", help="the wire protocol")
    parser.add_argument(
        "--custom-model", action="store_true", help="-m is a model id the catalog lacks"
    )


def _config(args: RunArguments) -> AIModelCallConfig:
    values = json_object(args.config, "--config")
    flags: dict[str, JSON] = {
        "max_output_tokens": args.max_tokens,
        "temperature": args.temperature,
        "timeout": args.timeout,
        "retries": args.retries,
    }
    values |= {k: v for k, v in flags.items() if v is not None}
    return AIModelCallConfig().updated(**values)


def _checked(path: Path) -> int:
    """Every line read as a call (exit 2 naming the first bad one); the number of calls."""
    seen: set[str] = set()
    count = 0
    for number, found in jsonl_lines(path):
        item: CallLike = found  # checked below (call_from)
        try:
            call = call_from(item, count)
        except ConfigurationError as exc:
            raise CliError(f"{path}:{number}: {exc.message}") from None
        if call.custom_id in seen:
            raise CliError(f"{path}:{number}: custom_id {call.custom_id!r} is given twice")
        if isinstance(item, dict) and item.get("custom_id") is not None:  # given, not made up
            seen.add(call.custom_id or "")
        count += 1
    return count


def _calls(path: Path, system: str | None) -> Iterator[CallLike]:
    for _, found in jsonl_lines(path):
        item: CallLike = found
        if system is not None and isinstance(item, (str, dict)):
            item = {"prompt": item} if isinstance(item, str) else item
            item = {"instructions": system, **item}
        yield item


def _line(result: Result) -> str:
    return json.dumps(result_json(*result), ensure_ascii=False, default=str) + "\n"


class _Shown:
    """The progress line on stderr (a terminal only), redrawn at most every REDRAW s."""

    def __init__(self, term: Term, total: int) -> None:
        self.term, self.total = term, total
        self.enabled = spinner_enabled(term)
        self.last = 0.0
        self.drawn = False

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < REDRAW and p.done < self.total):
            return
        self.last = now
        failed = f", {p.failed} failed" if p.failed else ""
        text = f"{p.done}/{self.total} done{failed}, {p.in_flight} in flight, {money(p.cost)}"
        self.term.note(f"{ERASE}{text}, {p.elapsed:.1f} s")
        self.drawn = True

    def erase(self) -> None:
        if self.drawn:
            self.term.note(ERASE, style="")


def _summary(term: Term, counts: dict[str, int], tracker: CostTracker, elapsed: float) -> None:
    ok = counts["done"] - counts["failed"] - counts["skipped"]
    parts = [f"{ok} answered", f"{counts['failed']} failed"]
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} not sent (budget)")
    total = tracker.total
    detail = describe_parts(total)
    cost = f"{money(total.total)}" + (f" ({detail})" if detail else "")
    if tracker.unpriced:
        cost += f", {tracker.unpriced} calls unpriced"
    term.note(f"{counts['done']} calls in {elapsed:.1f} s: {', '.join(parts)}; cost {cost}\n")


def run_file(args: RunArguments, term: Term) -> int:
    """The `run` command: 0 when every call answered, 1 otherwise."""
    total = _checked(args.file)
    model, provider = resolve(args.model, args.provider, args.custom_model)
    api = AIModelAPI(
        provider, config=json_object(args.api_config, "--api-config"), base_url=args.base_url
    )
    endpoint = AIModelEndpoint(api, model, protocol=args.protocol)
    config = _config(args)
    tracker = CostTracker()
    shown = _Shown(term, total)
    counts = {"done": 0, "failed": 0, "skipped": 0}
    started = time.monotonic()
    out: TextIO = args.output.open("w", encoding="utf-8") if args.output else term.out
    try:
        with AIModelClient(endpoint, config) as client:
            results = run(
                client,
                _calls(args.file, args.system),
                concurrency=args.concurrency,
                ordered=args.ordered,
                cost_tracker=tracker,
                budget=args.budget,
                progress=shown,
            )
            for result in results:
                out.write(_line(result))
                out.flush()
                _count(counts, result)
    finally:
        shown.erase()
        if out is not term.out:
            out.close()
    _summary(term, counts, tracker, time.monotonic() - started)
    return 0 if counts["failed"] == counts["skipped"] == 0 else 1


def _count(counts: dict[str, int], result: Result) -> None:
    counts["done"] += 1
    if isinstance(result[1], BudgetExceededError):
        counts["skipped"] += 1
    elif isinstance(result[1], ModelwireError):
        counts["failed"] += 1
