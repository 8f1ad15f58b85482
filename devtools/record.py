"""python -m devtools.record <provider> [scenario ...]: re-record contract cassettes live.

Runs the scenarios of devtools/scenarios.py against the real API (all of the provider's, or the
named ones) with vcrpy `record_mode="all"`, keeps every credential out of the cassette
(devtools.cassettes.Scrubber: requests to other hosts than the provider's, such as OAuth token
exchanges, are not written; credential headers and query parameters are dropped; every secret
known is masked in URIs, headers and bodies), and replaces
`cassettes/<provider>/<scenario>.yaml` and its row in cassettes/README.md. A cassette is
replaced only when the live call ended the way the scenario expects. Needs the provider's key
in the environment (OPENAI_API_KEY for openai):

    OPENAI_API_KEY=sk-... python tasks.py record openai            # every openai scenario
    OPENAI_API_KEY=sk-... python tasks.py record openai text       # one scenario

Then run `python tasks.py test tests/test_contract_<provider>.py --snapshot-update` (image
scenarios: tests/test_contract_images.py) and review
the snapshot diff. Tests never record.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devtools.cassettes import MATCH_ON, Scrubber, prepend_comment
from devtools.scenarios import CASSETTES, ROOT, MissingModelError, Scenario, providers, scenarios

if TYPE_CHECKING:
    from modelwire import AIModelEndpoint

INDEX = CASSETTES / "README.md"
# Read by botocore's credential chain: their values are masked like the provider's own keys.
AWS_CREDENTIAL_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def _scrubber(endpoint: AIModelEndpoint) -> Scrubber:
    """What keeps credentials out of the endpoint's cassette: its host is the one written; the
    secrets masked are the account's and every credential variable of the environment; the
    header and query names of every auth scheme of the provider specs are dropped (so a new
    provider's are, without editing the recorder)."""
    from modelwire.generated.providers import PROVIDERS

    schemes = [endpoint.api.info.auth, endpoint.binding.auth]
    for info in PROVIDERS.values():
        schemes += [info.auth, *(b.auth for b in info.protocols.values())]
    known = [s for s in schemes if s is not None]
    env = sorted({v for s in known for v in s.env}.union(AWS_CREDENTIAL_ENV))
    return Scrubber(
        origins=[endpoint.base_url],
        secrets=[*endpoint.api.secrets(), *(os.environ[v] for v in env if os.environ.get(v))],
        headers=[s.name for s in known if s.scheme == "header" and s.name],
        query=[s.name for s in known if s.scheme == "query" and s.name],
    )


def _run(scenario: Scenario, endpoint: AIModelEndpoint) -> tuple[str, str | None, str, Any]:
    """Make the scenario's call: (outcome kind, error class name or None, summary, Usage)."""
    from modelwire import AIModelClient, ModelwireError

    with AIModelClient(endpoint, scenario.call_config(), is_async=False) as client:
        try:
            response = client.generate(**scenario.call_args())
            kind = "text"
            if response.streamed:
                kind, final = "stream", None
                for _chunk, accumulated in response.stream_generator:  # type: ignore[union-attr]
                    final = accumulated or final
                response = final  # type: ignore[assignment]
        except ModelwireError as exc:
            return "error", type(exc).__name__, f"{type(exc).__name__}: {exc}", None
    if response.image_response is not None:
        images = response.image_response
        return "image", None, f"image: {images.image_count} image(s)", images.usage
    chat = response.chat_response
    if chat is None:
        return "none", None, "no chat response", None
    if kind == "text" and chat.tools():
        kind = "tool_calls"
    if kind == "text" and scenario.call_config().structured_output is not None:
        try:
            kind = "structured" if chat.structured() is not None else kind
        except ModelwireError as exc:  # it did not validate: not what the scenario wants
            return "text", None, f"structured output did not validate: {exc}", chat.usage
    return kind, None, f"{kind}: {chat.text()[:60]!r}, usage {chat.usage}", chat.usage


def _record(scenario: Scenario, today: str) -> bool:
    import vcr

    endpoint = scenario.endpoint(api_key=None)
    scrubber = _scrubber(endpoint)
    if scenario.warmup:  # e.g. fill the prompt cache so the recorded call reports cached tokens
        print(f"  warm-up call (not recorded): {_run(scenario, endpoint)[2]}")
    recorder = vcr.VCR(
        record_mode="all",
        match_on=MATCH_ON,
        decode_compressed_response=True,
        **scrubber.vcr_options(),
    )
    with tempfile.TemporaryDirectory() as tmp:
        recorded = Path(tmp) / "cassette.yaml"
        with recorder.use_cassette(str(recorded)) as cassette:
            kind, error, summary, usage = _run(scenario, endpoint)
            scrubber.learn(*endpoint.api.secrets())  # with any token fetched during the call
            scrubber.mask_all(cassette.data)  # before vcrpy saves it, as the `with` ends
        print(f"  {summary}")
        for request in sorted(scrubber.not_written):
            print(f"  not written (not the provider's host): {request}")
        if kind != scenario.outcome or error != scenario.error:
            want = scenario.error or scenario.outcome
            print(f"  NOT saved: expected {want}, got {error or kind}; {scenario.cassette} kept")
            return False
        zero = [f for f in scenario.nonzero_usage if not getattr(usage, f, None)]
        if zero:
            print(f"  NOT saved: {', '.join(zero)} not > 0; {scenario.cassette} kept")
            return False
        prepend_comment(
            recorded,
            [
                f"Contract cassette for scenario `{scenario.name}` ({scenario.provider}), "
                "see devtools/scenarios.py.",
                f"Recorded live by `python tasks.py record {scenario.provider} {scenario.name}` "
                f"on {today}.",
                "Credential headers and query parameters removed, other hosts' requests "
                "(token exchanges) left out, known secrets masked (devtools/cassettes.py).",
            ],
        )
        scenario.path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(recorded), scenario.path)
    _update_index(scenario, "recorded live", today)
    print(f"  saved {scenario.cassette}")
    return True


def _index_row(scenario: Scenario, origin: str, day: str) -> str:
    relative = Path(scenario.cassette).relative_to("cassettes").as_posix()
    return f"| [`{relative}`]({relative}) | `{scenario.name}` | {origin} | {day} |"


def _update_index(scenario: Scenario, origin: str, day: str) -> None:
    """Replace the scenario's row of the table in cassettes/README.md."""
    if not INDEX.is_file():
        print(f"  note: {INDEX.relative_to(ROOT)} is missing; add a row for {scenario.cassette}")
        return
    row = _index_row(scenario, origin, day)
    prefix = row.split(" | ", 1)[0] + " |"
    lines = INDEX.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(prefix):
            lines[i] = row
            INDEX.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return
    print(f"  note: no row for {scenario.cassette} in {INDEX.relative_to(ROOT)}; add:\n  {row}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tasks.py record",
        description="Re-record contract cassettes against the real API (keys from environment).",
    )
    parser.add_argument("provider", choices=providers())
    parser.add_argument("scenario", nargs="*", help="scenario names (default: all)")
    args = parser.parse_args(argv)

    from modelwire.generated.providers import PROVIDERS

    info = PROVIDERS[args.provider]
    needs = []  # groups of environment variables, one of each must be set
    if info.auth.env and not any(os.environ.get(v) for v in info.auth.env):
        needs.append(info.auth.env)
    if info.auth.scheme == "google_oauth" and not os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"):
        needs.append(("GOOGLE_APPLICATION_CREDENTIALS",))  # a service-account key file
    given = [set(s.api_config or {}) for s in scenarios(args.provider)]
    for param in info.params:
        if given and all(param.name in g for g in given):
            continue  # every scenario sets it
        if param.required and not any(os.environ.get(v) for v in param.env):
            needs.append(param.env or (param.name,))
    if needs:
        extra = (
            " and Google Cloud credentials (Application Default Credentials: "
            "gcloud auth application-default login)"
            if info.auth.scheme == "google_oauth"
            else ""
        )
        example = " ".join(f"{group[0]}=..." for group in needs)
        print(
            f"record {args.provider}: this calls the real API and needs "
            f"{'; '.join(' or '.join(g) for g in needs)} set{extra}, e.g.\n"
            f"  {example} python tasks.py record {args.provider}",
            file=sys.stderr,
        )
        return 2

    for variable in info.base_url_env:
        if os.environ.get(variable):
            print(f"note: {variable} is set; recording against {os.environ[variable]}")

    available = {s.name: s for s in scenarios(args.provider)}
    unknown = [n for n in args.scenario if n not in available]
    if unknown:
        parser.error(
            f"unknown {args.provider} scenario(s) {', '.join(unknown)}; known: "
            f"{', '.join(available)}"
        )
    chosen = [available[n] for n in args.scenario] or list(available.values())

    today = datetime.date.today().isoformat()
    failed = 0
    for scenario in chosen:
        print(f"{scenario.provider}/{scenario.name} ({scenario.model_label})")
        if scenario.not_recordable:
            print(f"  skipped: {scenario.not_recordable}; {scenario.cassette} kept")
            continue
        try:
            scenario.ai_model()
        except MissingModelError as exc:
            print(f"  skipped: {exc}")
            continue
        if not _record(scenario, today):
            failed += 1
    if failed:
        print(f"{failed} scenario(s) not recorded", file=sys.stderr)
        return 1
    print(
        f"done; now run `python tasks.py test tests/test_contract_{args.provider}.py "
        "--snapshot-update` and review the snapshot diff"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
