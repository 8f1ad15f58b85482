"""The `modelwire` command: chat with a model, list the catalog, replay a cassette.

    modelwire chat -m gpt-4o-mini "Say hello"        # streams; usage and cost on stderr
    echo "Say hello" | modelwire chat -m Claude37Sonnet --json
    modelwire models --provider anthropic --capability reasoning
    modelwire replay cassettes/openai/stream_text_usage.yaml

Keys come from each provider's usual environment variables. Exit codes:
0 done, 1 the provider or the connection failed, 2 a bad command line or setup (unknown model,
missing key, bad option), 130 interrupted. Imported only by the console script:
`import modelwire` never loads it.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path
from typing import TypedDict, cast

from modelwire._errors import ConfigurationError, ModelwireError

from ._resolve import CliError
from ._term import Term

EXIT_FAILED = 1  # the provider answered with an error, or could not be reached
EXIT_USAGE = 2  # the command line or the setup is wrong: nothing was sent
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_BROKEN_PIPE = 141  # the reader of stdout went away (128 + SIGPIPE), e.g. `| head`


class Arguments(argparse.Namespace):
    """The parsed command line; a command sets only its own options (`command` says which)."""

    command: str
    # chat
    prompt: str | None
    model: str
    provider: str | None  # also models
    system: str | None
    max_tokens: int | None
    temperature: float | None
    reasoning: bool
    effort: str | None
    no_stream: bool
    timeout: float | None
    total_timeout: float | None
    retries: int | None
    config: str | None
    api_config: str | None
    base_url: str | None
    protocol: str | None
    custom_model: bool
    # models
    capability: list[str]
    kind: str | None
    # replay
    cassette: Path
    # output: chat and replay (json also models)
    json: bool
    quiet: bool
    save: Path | None


def _examples() -> dict[str, str]:
    """The `--help` examples, per command, from examples.txt beside this file (help text is
    documentation: it names real providers and cassettes, which code here does not)."""
    from pathlib import Path

    out: dict[str, list[str]] = {}
    section: list[str] = []
    lines = (Path(__file__).with_name("examples.txt")).read_text(encoding="utf-8").splitlines()
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        if line.endswith(":") and not line.startswith(" "):
            section = out[line[:-1]] = []
        else:
            section.append(line)
    return {command: "\n".join(examples) for command, examples in out.items()}


EXAMPLES = _examples()


class _Help(TypedDict):
    description: str
    epilog: str
    formatter_class: type[argparse.HelpFormatter]


def _help(command: str, description: str, notes: str = "") -> _Help:
    """A parser's description and epilog (its examples after `notes`), wrapped here: the raw
    formatter keeps the examples' lines as written, so it wraps nothing itself."""
    epilog = textwrap.fill(notes, 88) + "\n\n" if notes else ""
    return {
        "description": textwrap.fill(description, 88),
        "epilog": f"{epilog}examples:\n{EXAMPLES[command]}",
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }


def _parser() -> argparse.ArgumentParser:
    from modelwire import __version__
    from modelwire.generated.providers import PROVIDERS

    keys = sorted({v for info in PROVIDERS.values() for v in info.auth.env})
    protocols = sorted({b.protocol for info in PROVIDERS.values() for b in info.protocols.values()})
    parser = argparse.ArgumentParser(
        prog="modelwire",
        **_help(
            "modelwire",
            "One client over many LLM provider APIs.",
            f"Keys come from the providers' environment variables ({', '.join(keys)}). "
            "NO_COLOR turns colour off, FORCE_COLOR on.",
        ),
    )

    parser.add_argument("--version", action="version", version=f"modelwire {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    chat = sub.add_parser(
        "chat",
        help="send a prompt to a model and stream the answer",
        **_help(
            "chat",
            "Send a prompt and stream the answer to stdout; reasoning (dimmed), "
            "usage and cost go to stderr, and so do retries and, on a terminal, the time "
            "waited for the first token.",
        ),
    )
    chat.add_argument("prompt", nargs="?", help="the prompt; '-' or none: read stdin")
    chat.add_argument(
        "-m", "--model", required=True, help="a catalog constant (GPT4oMini), name or model id"
    )
    chat.add_argument(
        "-p",
        "--provider",
        help=f"where to call it: {', '.join(sorted(PROVIDERS))} (or the enum name); "
        "default: the model's first",
    )
    chat.add_argument("-s", "--system", help="system instructions")
    chat.add_argument("--max-tokens", type=int, help="max output tokens")
    chat.add_argument("--temperature", type=float)
    chat.add_argument("--reasoning", action="store_true", help="turn the model's reasoning on")
    chat.add_argument(
        "--effort", help="reasoning effort (low, medium, high, ... as the model takes)"
    )
    chat.add_argument("--no-stream", action="store_true", help="wait for the whole answer")
    chat.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="limit on connecting and on each read, streams included (default 600)",
    )
    chat.add_argument(
        "--total-timeout",
        type=float,
        metavar="SECONDS",
        help="limit on the whole call: every attempt, the waits between, the stream to its end",
    )
    chat.add_argument(
        "--retries",
        type=int,
        metavar="N",
        help="extra attempts after a retryable failure (default 2)",
    )
    chat.add_argument(
        "--config",
        metavar="JSON",
        help="AIModelCallConfig fields as JSON, inline or @file.json: '{\"top_p\": 0.9}'",
    )
    chat.add_argument(
        "--api-config",
        metavar="JSON",
        help='AIModelAPI config (region, project_id, location, ...): \'{"region": "us-east-1"}\'',
    )
    chat.add_argument("--base-url", help="send requests here instead (a proxy, a local server)")
    chat.add_argument("--protocol", help=f"the wire protocol: {', '.join(protocols)}")
    chat.add_argument(
        "--custom-model",
        action="store_true",
        help="-m is a model id the catalog does not list (needs -p)",
    )
    _output_flags(chat)

    models = sub.add_parser(
        "models",
        help="list the model catalog",
        **_help(
            "models",
            "The model catalog: limits, prices (USD per million tokens), "
            "capabilities and the providers that host each model.",
        ),
    )
    models.add_argument("--provider", help="only models served by this provider (as for chat)")
    models.add_argument(
        "--capability",
        action="append",
        default=[],
        help="only models with this capability (repeatable): tools, reasoning, image_input, ...",
    )
    models.add_argument(
        "--kind", choices=("chat", "image", "embedding"), help="only models of this kind"
    )
    models.add_argument("--json", action="store_true", help="print JSON")

    replay = sub.add_parser(
        "replay",
        help="play a recorded call (a cassette) offline through the client",
        **_help(
            "replay",
            "Play a recorded HTTP interaction through the real client, offline; "
            "needs vcrpy (pip install 'modelwire[replay]').",
        ),
    )
    replay.add_argument("cassette", type=Path, help="a vcrpy cassette (cassettes/*/*.yaml)")
    _output_flags(replay)
    from . import _batch, _embed, _live

    _batch.add_parser(sub, _help)
    _live.add_parser(sub, _help)
    _embed.add_parser(sub, _help)
    return parser


def _output_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (the response) instead"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="only the answer: no reasoning, usage or cost"
    )
    parser.add_argument("--save", type=Path, metavar="PATH", help="write generated images here")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def error_line(exc: ModelwireError) -> str:
    """`<Type> (status N, request id X): message` for a failed call."""
    where = [f"status {exc.status}"] if exc.status is not None else []
    where += [f"request id {exc.request_id}"] if exc.request_id else []
    detail = f" ({', '.join(where)})" if where else ""
    return f"{type(exc).__name__}{detail}: {_one_line(exc.message)}"


def _run(args: Arguments, term: Term) -> int:
    if args.command == "run":  # cli/_live.py: `_run` is this function's name
        from . import _live

        return _live.run_file(cast("_live.RunArguments", args), term)
    if args.command == "embed":
        from . import _embed

        return _embed.run(cast("_embed.EmbedArguments", args), term)
    if args.command == "batch":
        from . import _batch

        return _batch.run(cast("_batch.BatchArguments", args), term)
    if args.command == "models":
        from . import _models
        from ._resolve import provider_enum

        provider = provider_enum(args.provider) if args.provider else None
        return _models.run(term, provider, args.capability, args.kind, args.json)
    from ._show import Display

    display = Display(as_json=args.json, quiet=args.quiet, save=args.save)
    if args.command == "replay":
        from . import _replay

        return _replay.run(args.cassette, term, display)
    from ._chat import chat

    return chat(args, term, display)


def main(argv: list[str] | None = None) -> int:
    """The console script `modelwire`; returns the exit code."""
    args = _parser().parse_args(argv, namespace=Arguments())
    term = Term()
    try:
        return _run(args, term)
    except CliError as exc:
        term.error(_one_line(str(exc)))
        return exc.code
    except ConfigurationError as exc:
        term.error(_one_line(exc.message))
        return EXIT_USAGE
    except ModelwireError as exc:
        term.error(error_line(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        term.note("\n", style="")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # nothing more can be written; keep Python's exit flush from failing on stdout too
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
