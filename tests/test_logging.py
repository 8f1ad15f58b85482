"""modelwire's own log records (issue 25): each attempt at DEBUG on `modelwire.call` (method,
URL with secrets scrubbed, status, time, request id), each retry at INFO (delay, attempt,
reason), giving up at WARNING; `MODELWIRE_LOG=debug|info` puts a handler on stderr; the
filter that scrubs secrets from other libraries' records is installed once, at import, and
touches only the records made during a modelwire call."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    RateLimitError,
)
from modelwire._redact import THIRD_PARTY_LOGGERS, calling
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

KEY = "sk-logging-test-0123456789abcdef"
RATE_LIMITED = {"error": {"message": "Rate limit reached", "type": "requests", "code": None}}


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def call(server: LoopbackServer, retries: int = 2) -> None:
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=KEY, base_url=server.url + "/v1")
    endpoint = AIModelEndpoint(api, AIModel(model_name="some-model"))
    config = AIModelCallConfig(retries=retries, max_output_tokens=10)
    with AIModelClient(endpoint, config, is_async=False) as client:
        client.generate(prompt="Hi")


def limited() -> Reply:
    return Reply.json(RATE_LIMITED, status=429, headers={"retry-after": "0", "x-request-id": "r1"})


def records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "modelwire.call" and r.levelno == level]


def test_attempts_at_debug_and_a_retry_at_info(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="modelwire")
    server.queue(limited(), Reply.json(oa.completion(), headers={"x-request-id": "r2"}))
    call(server)
    attempts = [r.getMessage() for r in records(caplog, logging.DEBUG)]
    url = f"{server.url}/v1/chat/completions"
    assert attempts[0].startswith(f"POST {url} -> 429 in ")
    assert attempts[0].endswith("(attempt 1, request id r1)")
    assert attempts[1].startswith(f"POST {url} -> 200 in ")
    assert attempts[1].endswith("(attempt 2, request id r2)")
    (retry,) = [r.getMessage() for r in records(caplog, logging.INFO)]
    assert retry.startswith("retrying OpenAI in 0.00 s (attempt 2 of 3): RateLimitError: ")
    assert "Rate limit reached" in retry
    assert not records(caplog, logging.WARNING)
    assert all(KEY not in r.getMessage() for r in caplog.records)


def test_giving_up_at_warning(server: LoopbackServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="modelwire")
    server.queue(limited(), limited())
    with pytest.raises(RateLimitError):
        call(server, retries=1)
    (gave_up,) = [r.getMessage() for r in records(caplog, logging.WARNING)]
    assert gave_up.startswith("giving up on OpenAI after 2 attempts: RateLimitError: ")
    assert not records(caplog, logging.DEBUG)  # INFO asked for: no attempt lines


def test_no_retry_asked_for_logs_no_warning(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="modelwire")
    server.queue(limited())
    with pytest.raises(RateLimitError):
        call(server, retries=0)
    assert not caplog.records


@pytest.mark.parametrize(("level", "attempt_lines"), [("debug", True), ("info", False)])
def test_modelwire_log_puts_a_handler_on_stderr(
    server: LoopbackServer, level: str, attempt_lines: bool
) -> None:
    server.queue(limited(), Reply.json(oa.completion()))
    script = (
        "from modelwire import *\n"
        f"api = AIModelAPI('openai', api_key={KEY!r}, base_url={server.url + '/v1'!r})\n"
        "ep = AIModelEndpoint(api, AIModel(model_name='m'))\n"
        "with AIModelClient(ep, AIModelCallConfig(max_output_tokens=5), is_async=False) as c:\n"
        "    c.generate(prompt='Hi')\n"
    )
    env = {**os.environ, "MODELWIRE_LOG": level}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert " - modelwire.call:" in done.stderr and "- INFO] retrying OpenAI in" in done.stderr
    assert ("- DEBUG] POST " in done.stderr) is attempt_lines
    assert KEY not in done.stderr and done.stdout == ""


def test_the_redacting_filter_is_installed_once_and_scoped_to_calls() -> None:
    counts = [len(logging.getLogger(n).filters) for n in THIRD_PARTY_LOGGERS]
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key=KEY)  # a live secret holder
    assert [len(logging.getLogger(n).filters) for n in THIRD_PARTY_LOGGERS] == counts
    assert all(count == 1 for count in counts)  # modelwire's import installed it

    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logger = logging.getLogger("httpx2")
    handler, level = Keep(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("outside a call: %s", KEY)  # someone else's request: left alone
        with calling():
            logger.debug("inside a call: %s", KEY)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert seen == [f"outside a call: {KEY}", "inside a call: <redacted>"]
    del api
