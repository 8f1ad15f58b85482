"""`modelwire embed -m MODEL TEXT...`: the texts' vectors, usage and cost as one JSON object.

The texts come from the arguments, else one per line of stdin (blank lines skipped). Inputs
beyond the provider's per-request limit are split and the vectors reassembled in input order.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from modelwire._api import AIModelAPI, AIModelEndpoint
from modelwire._client import AIModelClient
from modelwire._config import AIModelCallConfig

from ._resolve import JSON, CliError, json_object, resolve
from ._term import Term

__all__ = ["EmbedArguments", "add_parser", "run"]


class EmbedArguments(argparse.Namespace):
    """The parsed command line of `modelwire embed`."""

    command: str
    texts: list[str]
    model: str
    provider: str | None
    dimensions: int | None
    input_type: str | None
    timeout: float | None
    retries: int | None
    api_config: str | None
    base_url: str | None
    custom_model: bool
    indent: int | None


def add_parser(sub: Any, help_for: Any) -> None:
    """The `embed` command on the top parser's subparsers (`help_for`: its help builder)."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "embed",
        help="embed texts with an embedding model; print the vectors as JSON",
        **help_for(
            "embed",
            "Embed each TEXT (or each non-blank line of stdin) with an embedding model and "
            "print one JSON object on stdout: the vectors in input order, their dimensions, "
            "usage and usage_charge. More texts than the provider takes per request are "
            "split over several requests.",
        ),
    )
    parser.add_argument("texts", nargs="*", metavar="TEXT", help="none: one per line of stdin")
    parser.add_argument("-m", "--model", required=True, help="a catalog constant, name or id")
    parser.add_argument("-p", "--provider", help="where to call it (default: the model's first)")
    parser.add_argument("--dimensions", type=int, metavar="N", help="a reduced vector length")
    parser.add_argument(
        "--input-type", metavar="TYPE", help="what the texts are for (query, document, ...)"
    )
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="per read (600)")
    parser.add_argument("--retries", type=int, metavar="N", help="extra attempts (2)")
    parser.add_argument("--api-config", metavar="JSON", help="AIModelAPI config, or @file")
    parser.add_argument("--base-url", help="send requests here instead (a proxy, a local server)")
    parser.add_argument(
        "--custom-model",
        action="store_true",
        help="call -m as a model id the catalog does not list (needs -p)",
    )
    parser.add_argument("--indent", type=int, metavar="N", help="indent the JSON (default: none)")


def _texts(given: list[str]) -> list[str]:
    if given:
        return given
    if sys.stdin is None or sys.stdin.isatty():
        raise CliError("no text: give them as arguments, or pipe them in (one per line)")
    texts = [line for line in sys.stdin.read().splitlines() if line.strip()]
    if not texts:
        raise CliError("stdin held no text")
    return texts


def run(args: EmbedArguments, term: Term) -> int:
    model, provider = resolve(args.model, args.provider, args.custom_model)
    if args.custom_model:
        model = dataclasses.replace(model, kind="embedding")
    api = AIModelAPI(
        provider, config=json_object(args.api_config, "--api-config"), base_url=args.base_url
    )
    flags: dict[str, JSON] = {"timeout": args.timeout, "retries": args.retries}
    config = AIModelCallConfig().updated(**{k: v for k, v in flags.items() if v is not None})
    texts = _texts(args.texts)
    with AIModelClient(AIModelEndpoint(api, model), config) as client:
        result = client.embed(texts, dimensions=args.dimensions, input_type=args.input_type)
    term.answer(json.dumps(result.to_dict(), indent=args.indent) + "\n")
    return 0
