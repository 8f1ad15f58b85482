"""`modelwire batch`: submit a JSONL file of calls as a provider batch job, follow it, read
its results.

Jobs submitted here are remembered (id, provider, model, protocol, API config, base URL,
storage and options; never a key) in `batches.jsonl` under `MODELWIRE_STATE_DIR` (default
`$XDG_STATE_HOME/modelwire` or `~/.local/state/modelwire`), so `status`, `wait`, `results`
and `cancel` need only the id; `-m`/`-p` reach a job submitted elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from modelwire import AIModelAPI, AIModelEndpoint, ModelwireError

from ._resolve import CliError, json_object, jsonl_lines, resolve
from ._term import Term

if TYPE_CHECKING:
    from modelwire.batch import BatchClient, BatchJob, Result

__all__ = ["add_parser", "read_calls", "result_json", "run"]


class BatchArguments(argparse.Namespace):
    batch_command: str
    file: Path
    job_id: str
    model: str | None
    provider: str | None
    protocol: str | None
    api_config: str | None
    base_url: str | None
    storage: str | None
    option: list[str]
    config: str | None
    name: str | None
    split: bool
    poll: float
    timeout: float | None
    jsonl: bool
    output: Path | None
    limit: int
    json: bool


def add_parser(sub: Any, help_for: Any) -> None:
    """The `batch` command and its subcommands, on the top parser's subparsers."""
    batch = sub.add_parser(
        "batch",
        help="run calls as a provider batch job (about half price, results within a day)",
        **help_for(
            "batch",
            "Submit a JSONL file of calls as a provider batch job, follow it, read its results "
            "(the same responses as direct calls, priced at the batch rate).",
        ),
    )
    steps = batch.add_subparsers(dest="batch_command", metavar="STEP", required=True)
    submit = steps.add_parser("submit", help="submit FILE.jsonl (one call per line) as a job")
    submit.add_argument("file", type=Path, help="JSONL: a prompt string or an object per line")
    submit.add_argument("--name", help="the job's name (default: modelwire-<time>)")
    submit.add_argument("--split", action="store_true", help="split into several jobs if needed")
    submit.add_argument("--config", metavar="JSON", help="AIModelCallConfig fields as JSON")
    for step, text in (
        ("status", "show a job's state and counts"),
        ("wait", "wait until a job ends (progress on stderr)"),
        ("results", "print a job's results"),
        ("cancel", "cancel a job"),
    ):
        parser = steps.add_parser(step, help=text)
        parser.add_argument("job_id", metavar="ID", help="the job's id")
    steps.choices["wait"].add_argument("--poll", type=float, default=30.0, metavar="SECONDS")
    steps.choices["wait"].add_argument("--timeout", type=float, metavar="SECONDS")
    results = steps.choices["results"]
    results.add_argument("--jsonl", action="store_true", help="one JSON object per result")
    results.add_argument("-o", "--output", type=Path, metavar="PATH", help="write them here")
    listing = steps.add_parser("list", help="jobs submitted from here (with -p: the provider's)")
    listing.add_argument("--limit", type=int, default=20)
    for parser in steps.choices.values():
        _where_flags(parser)
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.set_defaults(option=[], poll=30.0, timeout=None, jsonl=False, output=None)


def _where_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-m", "--model", help="a catalog constant, name or model id")
    parser.add_argument("-p", "--provider", help="where the job runs (default: the model's)")
    parser.add_argument("--protocol", help="the protocol of its calls (default: the model's)")
    parser.add_argument("--api-config", metavar="JSON", help="AIModelAPI config as JSON")
    parser.add_argument("--base-url", help="send requests here instead")
    parser.add_argument("--storage", help="the bucket (gs://... or s3://...) for bucket jobs")
    parser.add_argument(
        "--option", action="append", metavar="KEY=VALUE", help="a job option (e.g. role_arn=...)"
    )


# --- the remembered jobs ------------------------------------------------------------------


def state_file() -> Path:
    base = os.environ.get("MODELWIRE_STATE_DIR")
    if not base:
        xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        base = str(Path(xdg) / "modelwire")
    return Path(base) / "batches.jsonl"


def _remember(job: BatchJob, where: dict[str, Any]) -> None:
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"id": job.id, **where}) + "\n")


def _remembered() -> list[dict[str, Any]]:
    path = state_file()
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [cast("dict[str, Any]", json.loads(x)) for x in lines if x.strip()]


def _where(args: BatchArguments) -> dict[str, Any]:
    """Where a job runs: the flags, else what was remembered of the job."""
    given = {
        "model": args.model,
        "provider": args.provider,
        "protocol": args.protocol,
        "api_config": args.api_config,
        "base_url": args.base_url,
        "storage": args.storage,
        "options": dict(_option(o) for o in args.option or []),
    }
    job_id = getattr(args, "job_id", None)
    known = next((j for j in reversed(_remembered()) if j["id"] == job_id), None)
    if known is not None:
        given = {k: v if v else known.get(k) for k, v in given.items()}
    if not given["model"]:
        raise CliError(
            f"job {job_id} was not submitted from here: say where it runs with -m MODEL "
            "(and -p PROVIDER)"
            if job_id
            else "-m MODEL is needed"
        )
    return given


def _option(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise CliError(f"--option takes KEY=VALUE, not {text!r}")
    return key, value


def _client(where: dict[str, Any], config: str | None = None) -> BatchClient:
    from modelwire import AIModelCallConfig
    from modelwire.batch import BatchClient

    model, provider = resolve(where["model"], where["provider"])
    api_config = json_object(where["api_config"], "--api-config")
    api = AIModelAPI(provider, config=api_config, base_url=where["base_url"])
    endpoint = AIModelEndpoint(api, model, protocol=where["protocol"])
    values = json_object(config, "--config")
    cfg = AIModelCallConfig().updated(**values) if values else None
    return BatchClient(endpoint, cfg, storage=where["storage"], options=where["options"])


# --- input and output ---------------------------------------------------------------------


def read_calls(path: Path) -> Iterator[Any]:
    """The calls of a JSONL file (`-`: standard input), line by line: a JSON string is a
    prompt, an object holds prompt/messages/instructions/custom_id. A bad line fails naming
    its line number."""
    for n, item in jsonl_lines(path, stdin=True):
        if not isinstance(item, (str, dict)):
            raise CliError(f"{path}:{n}: a line is a prompt string or an object")
        yield item


def result_json(custom_id: str, result: object) -> dict[str, Any]:
    """One result as a JSON object: its response's `to_dict()`, or its error."""
    if isinstance(result, ModelwireError):
        error = {
            "type": type(result).__name__,
            "message": result.message,
            "status": result.status,
            "code": result.code,
        }
        return {"custom_id": custom_id, "error": error}
    data: dict[str, Any] = cast(Any, result).to_dict()
    for kind in ("chat_response", "image_response"):
        if data.get(kind):  # the wire object: in `--json` of chat neither
            data[kind].pop("provider_response", None)
    return {"custom_id": custom_id, "response": data}


def _text_line(custom_id: str, result: object) -> str:
    if isinstance(result, ModelwireError):
        return f"{custom_id}\terror: {type(result).__name__}: {' '.join(result.message.split())}"
    chat = cast(Any, result).chat_response
    text = chat.text() if chat is not None else ""
    return f"{custom_id}\t{' '.join(text.split())}"


def _status_line(job: BatchJob) -> str:
    c = job.counts
    done = [f"{n} {k}" for k, n in (("succeeded", c.succeeded), ("failed", c.failed)) if n]
    total = f" of {c.total}" if c.total is not None else ""
    return f"{job.id}: {job.state} ({job.state_raw}){', ' if done else ''}{', '.join(done)}{total}"


# --- the steps ----------------------------------------------------------------------------


def run(args: BatchArguments, term: Term) -> int:
    step = args.batch_command
    if step == "list" and not (args.model or args.provider):
        return _list_remembered(args, term)
    where = _where(args)
    with _client(where, getattr(args, "config", None)) as batches:
        if step == "submit":
            return _submit(batches, args, where, term)
        if step == "list":
            return _show([j.to_dict() for j in batches.list(args.limit)], args, term)
        if step == "cancel":
            return _show(batches.cancel(args.job_id).to_dict(), args, term)
        job = batches.get(args.job_id)
        if step == "wait":
            job = _wait(job, args, term)
        if step == "results":
            return _results(batches.results(job), args, term)
        term.answer((json.dumps(job.to_dict()) if args.json else _status_line(job)) + "\n")
        return 0 if job.state != "failed" else 1


def _submit(batches: BatchClient, args: BatchArguments, where: dict[str, Any], term: Term) -> int:
    calls = read_calls(args.file)
    jobs = (
        batches.submit_all(calls, name=args.name)
        if args.split
        else [batches.submit(calls, name=args.name)]
    )
    for job in jobs:
        _remember(job, where)
        term.answer((json.dumps(job.to_dict()) if args.json else job.id) + "\n")
    return 0


def _wait(job: BatchJob, args: BatchArguments, term: Term) -> BatchJob:
    last = [""]

    def progress(j: BatchJob) -> None:
        line = _status_line(j)
        if line != last[0]:
            term.note(line + "\n")
            last[0] = line

    progress(job)
    if job.done:
        return job
    return job.wait(poll_interval=args.poll, timeout=args.timeout, progress=progress)


def _results(results: Iterator[Result], args: BatchArguments, term: Term) -> int:
    out: TextIO = args.output.open("w", encoding="utf-8") if args.output else term.out
    failed = 0
    try:
        for custom_id, result in results:
            failed += isinstance(result, ModelwireError)
            line = json.dumps(result_json(custom_id, result)) if args.jsonl or args.json else None
            out.write((line or _text_line(custom_id, result)) + "\n")
    finally:
        if args.output:
            out.close()
    if failed:
        term.note(f"{failed} call(s) failed\n")
    return 0


def _show(data: Any, args: BatchArguments, term: Term) -> int:
    if args.json:
        term.answer(json.dumps(data) + "\n")
    else:
        rows = cast("list[dict[str, Any]]", data if isinstance(data, list) else [data])
        for row in rows:
            term.answer(f"{row['id']}\t{row['state']}\t{row.get('provider', '')}\n")
    return 0


def _list_remembered(args: BatchArguments, term: Term) -> int:
    jobs = _remembered()[-args.limit :]
    if args.json:
        term.answer(json.dumps(jobs) + "\n")
    for job in jobs if not args.json else []:
        term.answer(f"{job['id']}\t{job.get('provider') or ''}\t{job.get('model') or ''}\n")
    return 0
