"""The `modelwire` command, run as a subprocess: against an OpenAI-shaped server on 127.0.0.1,
on a pseudo-terminal (colour) and piped (plain), and replaying cassettes offline."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
CLI = [sys.executable, "-m", "modelwire.cli"]
ESC = "\x1b["
DIM = "\x1b[2m"


def _env(**extra: str) -> dict[str, str]:
    """The environment without keys, colour settings or a terminal width of the caller's."""
    dropped = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "TERM")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in dropped and not k.endswith(("_API_KEY", "_TOKEN", "_BASE_URL"))
    }
    return {**env, "OPENAI_API_KEY": "sk-test", **extra}


def cli(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=_env(**env),
        cwd=ROOT,
        timeout=30,
    )


def on_tty(*args: str, **env: str) -> tuple[str, int]:
    """Run with stdout and stderr on a pseudo-terminal; what the terminal showed, exit code."""
    import pty

    main, child = pty.openpty()
    proc = subprocess.Popen(
        [*CLI, *args], stdin=subprocess.DEVNULL, stdout=child, stderr=child, env=_env(**env)
    )
    os.close(child)
    shown, deadline = b"", time.monotonic() + 30
    while time.monotonic() < deadline:
        if not select.select([main], [], [], 0.1)[0]:
            if proc.poll() is not None:
                break
            continue
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        shown += data
    os.close(main)
    return shown.decode().replace("\r\n", "\n"), proc.wait(timeout=10)


def unspun(shown: str) -> str:
    """What a terminal showed without the spinner's redraws (`\\r`, clear line, text)."""
    return re.sub(r"\r\x1b\[K(?:[|/\\-] waiting for the answer, [\d.]+ s)?", "", shown)


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def chat(server: LoopbackServer, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return cli("chat", "-m", "gpt-4o-mini", "--base-url", server.url + "/v1", *args, **kw)


def thinking_stream() -> Reply:
    events = [oa.chunk({"role": "assistant", "content": ""})]
    events += [oa.chunk({"reasoning_content": t}) for t in ("Two and ", "two make four.")]
    events += [oa.chunk({"content": "4"}), oa.chunk({}, finish_reason="stop")]
    usage = {"prompt_tokens": 12, "completion_tokens": 9, "total_tokens": 21}
    usage["completion_tokens_details"] = {"reasoning_tokens": 7}  # type: ignore[assignment]
    events.append(oa.chunk({}, choices=False, usage=usage))
    return Reply.sse(events)


# --- chat ---------------------------------------------------------------------------------------


def test_chat_streams_the_answer_to_stdout_and_usage_and_cost_to_stderr(server) -> None:
    server.queue(Reply.sse(oa.stream_events(["Hel", "lo", "!"])))
    done = chat(server, "-s", "Be brief", "Say hi")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Hello!\n"
    assert "tokens: 9 input, 3 output, 12 total" in done.stderr
    # gpt-4o-mini: $0.15 in, $0.60 out per million
    assert "cost:   $0.00000315 USD (input $0.00000135, output $0.0000018)" in done.stderr
    assert ESC not in done.stdout + done.stderr  # piped: plain
    sent = server.requests[0].json()
    assert sent["model"] == "gpt-4o-mini" and sent["stream"] is True
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief"},
        {"role": "user", "content": "Say hi"},
    ]


def test_a_refusal_is_shown_as_the_answer(server) -> None:
    """The model's refusal, in its words, streamed or not (and under `refusal` in --json)."""
    sorry = ["I'm sorry, ", "I can't help with that."]
    events = [oa.chunk({"role": "assistant", "content": None, "refusal": ""})]
    events += [oa.chunk({"refusal": w}) for w in sorry] + [oa.chunk({}, finish_reason="stop")]
    whole = oa.completion()
    whole["choices"][0]["message"].update(content=None, refusal="".join(sorry))
    server.queue(Reply.sse(events), Reply.json(whole), Reply.json(whole))
    assert chat(server, "Pick a lock").stdout == "".join(sorry) + "\n"
    assert chat(server, "--no-stream", "Pick a lock").stdout == "".join(sorry) + "\n"
    shown = json.loads(chat(server, "--no-stream", "--json", "Pick a lock").stdout)
    assert (shown["refusal"], shown["text"]) == ("".join(sorry), "")


def test_reasoning_is_dimmed_on_a_terminal_only(server) -> None:
    server.queue(thinking_stream(), thinking_stream(), thinking_stream(), thinking_stream())
    shown, code = on_tty("chat", "-m", "gpt-4o-mini", "--base-url", server.url, "2+2?")
    assert code == 0
    assert f"{DIM}Two and \x1b[0m{DIM}two make four.\x1b[0m" in shown
    assert "\n4\n" in shown and "[reasoning]" not in shown

    shown, code = on_tty(
        "chat", "-m", "gpt-4o-mini", "--base-url", server.url, "2+2?", NO_COLOR="1"
    )
    assert code == 0 and ESC not in unspun(shown)  # no colour; the spinner moves the cursor
    assert "[reasoning]\nTwo and two make four.\n[/reasoning]\n4\n" in shown
    assert "9 output (7 reasoning)" in shown

    piped = chat(server, "2+2?")  # reasoning on stderr, plain: stdout holds only the answer
    assert piped.stdout == "4\n"
    assert piped.stderr.startswith("[reasoning]\nTwo and two make four.\n[/reasoning]\n")
    assert ESC not in piped.stderr

    forced = chat(server, "2+2?", FORCE_COLOR="1")
    assert forced.stdout == "4\n" and DIM in forced.stderr


def test_json_is_one_object_with_usage_and_charge(server) -> None:
    server.queue(
        Reply.json(
            oa.completion("Hi", prompt_tokens=10, completion_tokens=2),
            headers={"x-request-id": "req_7"},
        )
    )
    done = chat(server, "--json", "--no-stream", "Hello")
    assert done.returncode == 0 and done.stderr == ""
    data = json.loads(done.stdout)
    assert data["text"] == "Hi" and data["reasoning"] is None
    assert data["usage"]["total_tokens"] == 12
    assert data["usage_charge"]["total"] == pytest.approx((10 * 0.15 + 2 * 0.6) / 1e6)
    assert data["status"] == {
        "http_status": 200,
        "request_id": "req_7",
        "attempts": 1,
        "successful": True,
    }
    assert data["choices"][0]["finish_reason"] == "end_turn"
    assert "provider_response" not in data
    assert server.requests[0].json().get("stream") is None


def test_prompt_from_stdin(server) -> None:
    server.queue(Reply.sse(oa.stream_events(["a"])), Reply.sse(oa.stream_events(["b"])))
    assert chat(server, stdin="What is 2+2?\n").stdout == "a\n"
    assert chat(server, "-", stdin="from a pipe").stdout == "b\n"
    contents = [r.json()["messages"][-1]["content"] for r in server.requests]
    assert contents == ["What is 2+2?\n", "from a pipe"]
    empty = chat(server, stdin="")
    assert empty.returncode == 2 and empty.stderr == "error: the prompt is empty\n"


def test_config_json_and_flags_reach_the_request(server, tmp_path) -> None:
    server.queue(Reply.json(oa.completion()), Reply.json(oa.completion()))
    config = tmp_path / "call.json"
    config.write_text('{"top_p": 0.5, "seed": 7, "stop": ["END"]}')
    done = chat(
        server,
        "--config",
        f"@{config}",
        "--max-tokens",
        "20",
        "--temperature",
        "0.1",
        "--no-stream",
        "x",
    )
    assert done.returncode == 0, done.stderr
    sent = server.requests[0].json()
    assert (sent["top_p"], sent["seed"], sent["stop"]) == (0.5, 7, ["END"])
    assert (sent["max_completion_tokens"], sent["temperature"]) == (20, 0.1)
    assert "stream" not in sent
    assert chat(server, "--config", '{"streaming": false}', "x").returncode == 0
    assert "stream" not in server.requests[1].json()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--config", '{"nope": 1}'],
            "error: unknown AIModelCallConfig field(s) ['nope']; allowed: ",
        ),
        (["--config", "{bad"], "error: --config: not valid JSON"),
        (["--effort", "high"], "error: GPT4oMini is not a reasoning model"),
        (["-m", "gpt-4o-mnii"], "error: unknown model 'gpt-4o-mnii'; did you mean gpt-4o-mini"),
        (["-p", "opnai"], "error: unknown provider 'opnai'; did you mean openai"),
        (["-p", "anthropic"], "error: GPT4oMini is not served by anthropic; it is on: openai"),
    ],
)
def test_a_bad_command_line_is_one_line_and_exit_2(server, args: list[str], message: str) -> None:
    done = chat(server, *args, "x")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1
    assert server.requests == []


def test_missing_key_is_exit_2_before_any_request(server) -> None:
    done = chat(server, "x", OPENAI_API_KEY="")
    assert done.returncode == 2
    assert (
        done.stderr.startswith("error: no API key for OpenAI") and "OPENAI_API_KEY" in done.stderr
    )
    assert server.requests == []


def test_provider_error_is_one_line_and_exit_1(server) -> None:
    body = {
        "error": {
            "message": "Incorrect API key provided: sk-t****.\nSee docs.",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    server.queue(Reply.json(body, status=401, headers={"x-request-id": "req_401"}))
    done = chat(server, "x")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "error: AuthenticationError (status 401, request id req_401): "
        "Incorrect API key provided: sk-t****. See docs.\n"
    )


def test_a_stream_broken_off_keeps_the_text_and_fails(server) -> None:
    events = oa.stream_events(["partial", " answer"])[:3]
    server.queue(Reply.sse(events, done=None, reset_after=3))
    done = chat(server, "x")
    assert done.returncode == 1
    assert done.stdout == "partial answer\n"
    assert done.stderr.startswith("error: StreamInterruptedError")


def test_ctrl_c_exits_130(server) -> None:
    server.queue(Reply.sse(oa.stream_events(["one", "two"]), stall_after=2))
    proc = subprocess.Popen(
        [*CLI, "chat", "-m", "gpt-4o-mini", "--base-url", server.url, "x"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None
    assert proc.stdout.read(3) == "one"  # the stream is under way
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert "Traceback" not in err


# --- waiting, timeouts and retries --------------------------------------------------------------

ERASE = "\r\x1b[K"


def rate_limited(retry_after: str = "0") -> Reply:
    body = {"error": {"message": "Rate limit reached.", "type": "requests", "code": "rate_limit"}}
    return Reply.json(body, status=429, headers={"retry-after": retry_after})


def test_the_wait_for_the_first_token_is_shown_on_a_terminal_then_erased(server) -> None:
    """A spinner with the seconds waited, streamed or not; erased before the answer, which
    nothing is drawn after."""
    server.queue(
        Reply.sse(oa.stream_events(["Hel", "lo"]), header_delay=0.6),
        Reply.json(oa.completion("Hello"), header_delay=0.6),
    )
    for extra in ([], ["--no-stream"]):
        shown, code = on_tty("chat", "-m", "gpt-4o-mini", "--base-url", server.url, *extra, "x")
        assert code == 0
        assert f"{DIM}waiting for the answer, 0." in shown
        waited, answer = shown.rsplit(ERASE, 1)
        assert "waiting" in waited and answer.startswith("Hello\n") and "waiting" not in answer


def test_no_spinner_in_a_pipe_with_json_or_quiet(server) -> None:
    server.queue(*[Reply.json(oa.completion("Hello"), header_delay=0.4) for _ in range(3)])
    piped = chat(server, "--no-stream", "x")
    assert piped.stdout == "Hello\n" and "\r" not in piped.stderr and "waiting" not in piped.stderr
    for flag in ("--json", "-q"):
        shown, code = on_tty(
            "chat", "-m", "gpt-4o-mini", "--base-url", server.url, "--no-stream", flag, "x"
        )
        assert code == 0 and "waiting" not in shown and "\r" not in shown


def test_a_retry_is_reported_on_stderr_plain_in_a_pipe(server) -> None:
    server.queue(rate_limited(), Reply.sse(oa.stream_events(["ok"])))
    done = chat(server, "x")
    assert (done.returncode, done.stdout) == (0, "ok\n")
    assert done.stderr.startswith(
        "retrying OpenAI in 0.00 s (attempt 2 of 3): RateLimitError: Rate limit reached."
    )
    assert done.stderr.count("\n") == 5  # the retry, then the answer's three lines of stats
    assert ESC not in done.stderr and len(server.requests) == 2


def test_a_retry_is_dimmed_on_a_terminal_and_json_stdout_stays_clean(server) -> None:
    server.queue(rate_limited(), Reply.sse(oa.stream_events(["ok"])))
    shown, code = on_tty("chat", "-m", "gpt-4o-mini", "--base-url", server.url, "x")
    assert code == 0 and f"{DIM}retrying OpenAI in 0.00 s (attempt 2 of 3)" in shown
    server.queue(rate_limited(), Reply.json(oa.completion("ok")))
    done = chat(server, "--json", "--no-stream", "x")
    assert json.loads(done.stdout)["status"]["attempts"] == 2
    assert done.stderr.startswith("retrying OpenAI in 0.00 s (attempt 2 of 3): RateLimitError")


def test_retries_and_giving_up_with_retries_and_quiet(server) -> None:
    server.queue(rate_limited(), rate_limited(), rate_limited(), rate_limited())
    done = chat(server, "--retries", "1", "x")
    assert done.returncode == 1 and len(server.requests) == 2
    retrying, giving_up, error = done.stderr.splitlines()  # the message: the runtime's
    assert retrying.startswith("retrying OpenAI in 0.00 s (attempt 2 of 2): RateLimitError: Rate")
    assert giving_up.startswith("giving up on OpenAI after 2 attempts: RateLimitError: Rate")
    assert error.startswith("error: RateLimitError (status 429): Rate limit reached.")
    quiet = chat(server, "--retries", "1", "-q", "x")  # quiet: no retry notes, giving up stays
    assert quiet.stderr.startswith("giving up on OpenAI after 2 attempts")
    assert chat(server, "--retries", "0", "x").returncode == 1 and len(server.requests) == 5


def test_timeout_and_total_timeout_reach_the_call(server) -> None:
    server.queue(Reply.json(oa.completion(), header_delay=5))
    started = time.monotonic()
    slow = chat(server, "--timeout", "0.3", "--retries", "0", "x")
    assert slow.returncode == 1 and slow.stderr.startswith("error: APITimeoutError")
    # a wait past the whole call's deadline is not waited: one attempt, at once
    server.queue(rate_limited(retry_after="20"))
    capped = chat(server, "--total-timeout", "5", "x")
    assert capped.returncode == 1 and capped.stderr.startswith("error: RateLimitError")
    assert len(server.requests) == 2 and time.monotonic() - started < 4.5


def test_the_spinner_thread_is_joined_and_writes_nothing_after_stop() -> None:
    import io
    import threading

    from modelwire.cli._progress import Waiting
    from modelwire.cli._term import Term

    err = io.StringIO()
    waiting = Waiting(Term(io.StringIO(), err), enabled=True)
    time.sleep(0.35)
    waiting.note("retrying\n")  # on a line of its own, the spinner redrawn below it
    time.sleep(0.3)
    waiting.stop()
    shown = err.getvalue()
    assert re.match(r"\r\x1b\[K\| waiting for the answer, 0\.\d s\r\x1b\[K/ waiting", shown)
    drawn, after = shown.split(f"{ERASE}retrying\n")
    assert drawn.endswith(" s") and after.endswith(f" s{ERASE}")
    time.sleep(0.25)
    assert err.getvalue() == shown
    assert not [t for t in threading.enumerate() if t.name == "modelwire-waiting"]
    waiting.stop()  # again: nothing
    assert err.getvalue() == shown


def test_call_notes_leave_the_logger_as_they_found_it() -> None:
    import io
    import logging

    from modelwire.cli._progress import Waiting, call_notes
    from modelwire.cli._term import Term

    err = io.StringIO()
    waiting = Waiting(Term(io.StringIO(), err), enabled=False)
    logger = logging.getLogger("modelwire")
    before = list(logger.handlers)
    for level in (logging.NOTSET, logging.DEBUG):
        logger.setLevel(level)
        with call_notes(waiting):
            assert logger.getEffectiveLevel() == (level or logging.INFO)
            logging.getLogger("modelwire.call").info("retrying %s", "X")
            logging.getLogger("modelwire.call").debug("not shown")
        assert logger.level == level and logger.handlers == before
    logger.setLevel(logging.NOTSET)
    assert err.getvalue() == "retrying X\nretrying X\n"


# --- help ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["", "chat", "models", "replay", "batch", "run", "embed"])
def test_every_help_ends_with_examples_that_parse(command: str) -> None:
    import shlex

    from modelwire.cli import EXAMPLES, _parser

    done = cli(*[command] * bool(command), "--help")
    assert done.returncode == 0
    examples = EXAMPLES[command or "modelwire"]
    assert done.stdout.endswith(f"examples:\n{examples}\n")
    assert 2 <= len(examples.splitlines()) <= 4
    for line in examples.splitlines():
        words = shlex.split(line)
        words = words[words.index("modelwire") + 1 :]
        words = words[: words.index(">")] if ">" in words else words
        assert _parser().parse_args(words).command in (
            "chat",
            "models",
            "replay",
            "batch",
            "run",
            "embed",
        )


# --- models -------------------------------------------------------------------------------------


def test_models_filters_by_provider_and_capability() -> None:
    done = cli("models", "--provider", "ANTHROPIC", "--capability", "structured_output")
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split()[:4] == ["MODEL", "KIND", "CONTEXT", "MAX"]
    assert "ClaudeSonnet45" in done.stdout and "GPT4o" not in done.stdout
    assert "Claude37Sonnet" not in done.stdout  # no structured_output
    assert all("structured_output" in r and "anthropic" in r for r in rows)
    sonnet = next(r for r in rows if r.startswith("ClaudeSonnet45 "))
    assert sonnet.split()[1:10] == [
        "chat",
        "200,000",
        "64,000",
        "3",
        "0.3",
        "3.75",
        "15",
        "-",
        "claude-sonnet-4-5-20250929",
    ]

    bedrock = cli("models", "--provider", "amazon_bedrock", "--json")
    data = json.loads(bedrock.stdout)
    nova = next(m for m in data if m["constant"] == "NovaLite")
    assert nova["id"] == "amazon.nova-lite-v1:0" and nova["pricing"]["input"] == 0.06

    images = cli("models", "--kind", "image")
    assert (
        "DallE3" in images.stdout and "0.04-0.12" in images.stdout and "GPT4o " not in images.stdout
    )


def test_bedrock_models_are_listed_with_prices_and_where_each_was_read() -> None:
    """Nova, Llama, Mistral and Claude on Bedrock, each priced and with the source of its
    prices; the ones read from a secondary source say so, in the table and in JSON."""
    done = cli("models", "--provider", "amazon_bedrock", "--json")
    assert done.returncode == 0, done.stderr
    data = {m["constant"]: m for m in json.loads(done.stdout)}
    families = {
        "Nova": ["NovaMicro", "NovaLite", "NovaPro", "NovaPremier"],
        "Llama": ["Llama31_70B", "Llama4Maverick"],
        "Mistral": ["PixtralLarge2502"],
        "Claude": ["ClaudeSonnet45", "ClaudeHaiku45", "ClaudeOpus46", "ClaudeSonnet5"],
    }
    for family, constants in families.items():
        for constant in constants:
            pricing = data[constant]["pricing"]
            assert pricing is not None, f"{family}: {constant} has no price on Bedrock"
            assert pricing["input"] > 0 and pricing["output"] > 0
            assert pricing["source"].startswith("https://") and pricing["checked"]
    nova = data["NovaMicro"]
    assert nova["id"] == "amazon.nova-micro-v1:0"
    assert (nova["pricing"]["input"], nova["pricing"]["output"]) == (0.035, 0.14)
    assert nova["pricing"]["secondary"] == {
        "dataset": "pydantic/genai-prices",
        "file": "prices/providers/aws.yml",
        "version": "47df840a5ab10bbcffb8e5ac01b9899032245d1b",
        "date": "2026-08-21",
        "of": "AWS Price List API (AmazonBedrock, us-east-1, on-demand)",
        "fields": [],
    }
    assert data["ClaudeSonnet45"]["pricing"]["secondary"] is None  # Anthropic's own page

    table = cli("models", "--provider", "amazon_bedrock").stdout
    header, *rows = table.splitlines()
    assert header.split()[-2:] == ["PRICE", "SOURCE"]
    by_model = {row.split()[0]: row for row in rows}
    for constants in families.values():
        for constant in constants:
            assert by_model[constant].split()[4] != "-"  # IN $/M
    assert by_model["Llama4Maverick"].endswith("pydantic/genai-prices@47df840 (secondary)")
    assert by_model["PixtralLarge2502"].endswith("pydantic/genai-prices@47df840 (secondary)")
    assert by_model["ClaudeOpus46"].endswith("platform.claude.com")


def test_models_unknown_capability_names_the_allowed_ones() -> None:
    done = cli("models", "--capability", "telepathy")
    assert done.returncode == 2
    assert done.stderr.startswith("error: unknown capability telepathy; allowed: text_input,")
    assert "reasoning" in done.stderr and done.stderr.count("\n") == 1


def test_models_table_fits_the_terminal_and_stays_whole_when_piped() -> None:
    shown, code = on_tty("models", COLUMNS="100")
    assert code == 0
    assert max(len(line) for line in shown.splitlines()) <= 100
    assert "…" in shown and ESC not in shown
    piped = cli("models").stdout
    assert max(map(len, piped.splitlines())) > 100 and "…" not in piped
    assert "anthropic,google_vertex_ai,amazon_bedrock" in piped


def test_a_closed_pipe_is_not_a_traceback() -> None:
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"'{sys.executable}' -m modelwire.cli models | head -n 1"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=30,
    )
    assert done.stdout.startswith("MODEL ")
    assert done.stderr == "" and done.returncode in (0, 141)


# --- replay -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cassette", "answer", "stderr_has"),
    [
        (
            "openai/stream_text_usage",
            "Hello there, how are you?\n",
            "GPT4oMini on openai, openai_chat, streamed",
        ),
        ("anthropic/stream_thinking", "27 × 453 = **12,231**.\n", "27 x 453 = 27 x 400"),
        (
            "google_gemini_api/stream_text",
            "Hello there, how are you today?\n",
            "gemini_generate_content, streamed",
        ),
        (
            "amazon_bedrock/stream_thinking",
            "27 * 453 = 12,231.\n",
            "Claude37Sonnet on amazon_bedrock",
        ),
        (
            "google_vertex_ai/claude_stream_text",
            "Hello there, how are you?\n",
            "Claude37Sonnet on google_vertex_ai",
        ),
        ("anthropic/cache_write", "539\n", "1,791 written to cache"),
    ],
)
def test_replay_plays_a_cassette_offline(cassette: str, answer: str, stderr_has: str) -> None:
    done = cli("replay", str(CASSETTES / f"{cassette}.yaml"), OPENAI_API_KEY="")
    assert done.returncode == 0, done.stderr
    assert done.stdout == answer
    assert stderr_has in done.stderr and "cost:   $" in done.stderr
    assert "not recorded live" in done.stderr.splitlines()[0]


def test_replay_an_image_saves_it(tmp_path) -> None:
    target = tmp_path / "square.png"
    done = cli("replay", str(CASSETTES / "openai/image_dall_e3.yaml"), "--save", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"image 1: image/png, 73 bytes, saved to {target}\n")
    assert target.read_bytes().startswith(b"\x89PNG")
    assert "cost:   $0.04 USD (images $0.04)" in done.stderr
    data = json.loads(
        cli("replay", str(CASSETTES / "google_gemini_api/image_imagen4.yaml"), "--json").stdout
    )
    assert data["image_count"] == 2 and data["options"]["number_of_images"] == 2
    assert data["usage_charge"]["images"] == pytest.approx(0.08)


def test_replay_of_an_error_cassette_fails_like_the_call() -> None:
    done = cli("replay", str(CASSETTES / "anthropic/error_529.yaml"), "-q")
    assert (done.returncode, done.stdout) == (1, "")
    assert (
        done.stderr
        == "error: OverloadedError (status 529, request id req_011C7NdI4ONySTXhiHdeY1cy): Overloaded\n"
    )
    missing = cli("replay", "cassettes/none.yaml")
    assert (missing.returncode, missing.stderr) == (
        2,
        "error: no cassette at cassettes/none.yaml\n",
    )


# --- the installed script, and import cost --------------------------------------------------------


def test_the_installed_console_script() -> None:
    script = Path(sys.executable).parent / "modelwire"
    if not script.exists():
        pytest.skip("modelwire is not installed as a console script here")
    done = subprocess.run(
        [str(script), "models", "--kind", "image"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=30,
    )
    assert done.returncode == 0 and "Imagen4" in done.stdout


def test_import_modelwire_does_not_load_the_cli() -> None:
    code = "import sys, modelwire; sys.exit('modelwire.cli' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=30).returncode == 0
