"""`modelwire chat`: the command line made into an endpoint, a config and a prompt."""

from __future__ import annotations

import sys

from modelwire._api import AIModelAPI, AIModelEndpoint
from modelwire._client import AIModelClient
from modelwire._config import AIModelCallConfig

from . import Arguments, _show
from ._resolve import JSON, CliError, json_object, resolve
from ._term import Term


def _prompt(given: str | None) -> str:
    if given is not None and given != "-":
        text = given
    elif sys.stdin is None or sys.stdin.isatty():
        raise CliError("no prompt: give it as an argument, or pipe it in (with - or nothing)")
    else:
        text = sys.stdin.read()
    if not text.strip():
        raise CliError("the prompt is empty")
    return text


def _config(args: Arguments, image_model: bool) -> AIModelCallConfig:
    values = json_object(args.config, "--config")
    flags: dict[str, JSON] = {
        "max_output_tokens": args.max_tokens,
        "temperature": args.temperature,
        "reasoning_effort": args.effort,
        "reasoning": True if args.reasoning else None,
        "streaming": False if args.no_stream or image_model else None,
        "timeout": args.timeout,
        "total_timeout": args.total_timeout,
        "retries": args.retries,
    }
    values |= {k: v for k, v in flags.items() if v is not None}
    values.setdefault("streaming", True)
    return AIModelCallConfig().updated(**values)


def chat(args: Arguments, term: Term, display: _show.Display) -> int:
    model, provider = resolve(args.model, args.provider, args.custom_model)
    api = AIModelAPI(
        provider, config=json_object(args.api_config, "--api-config"), base_url=args.base_url
    )
    endpoint = AIModelEndpoint(api, model, protocol=args.protocol)
    config = _config(args, model.kind == "image" or endpoint.binding.kind == "image")
    prompt = _prompt(args.prompt)
    with AIModelClient(endpoint, config) as client:
        return _show.run(client, prompt, args.system, config, term, display)
