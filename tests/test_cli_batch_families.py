"""`modelwire batch` for every batch family: submit a JSONL file, wait, read the results, with
the command's own code (`modelwire.cli.main`, in this process) against each family's fake
service on 127.0.0.1. (tests/test_cli_batch.py runs the command as a subprocess.)"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from modelwire.cli import main
from tests import test_batch_anthropic as anthropic
from tests import test_batch_bedrock as bedrock
from tests import test_batch_gemini as gemini
from tests import test_batch_vertex as vertex
from tests.support.batch_service import BatchService
from tests.support.batch_service_anthropic import AnthropicBatchService
from tests.support.batch_service_bedrock import BedrockBatchService
from tests.support.batch_service_gemini import GeminiBatchService
from tests.support.batch_service_vertex import VertexBatchService

Family = tuple[Callable[[], BatchService], Callable[[BatchService], list[str]], int]


def _anthropic(svc: BatchService) -> list[str]:
    return ["-m", "ClaudeHaiku45", "-p", "anthropic", "--base-url", svc.url]


def _gemini(svc: BatchService) -> list[str]:
    return ["-m", "Gemini25Flash", "-p", "google_gemini_api", "--base-url", svc.url + "/v1beta"]


def _vertex(svc: BatchService) -> list[str]:
    config = json.dumps({"project_id": "proj-1", "location": "us-central1"})
    return [
        *("-m", "Gemini25Flash", "-p", "google_vertex_ai", "--base-url", svc.url + "/v1"),
        *("--api-config", config, "--storage", vertex.STORAGE),
        *("--option", f"storage_url={svc.url}"),
    ]


def _bedrock(svc: BatchService) -> list[str]:
    return [
        *("-m", "Claude37Sonnet", "-p", "amazon_bedrock", "--protocol", "bedrock_invoke"),
        *("--api-config", '{"region": "us-east-1"}', "--base-url", svc.url),
        *("--storage", bedrock.STORAGE, "--option", f"role_arn={bedrock.ROLE}"),
        *("--option", f"s3_url={svc.url}"),
    ]


FAMILIES: dict[str, Family] = {
    "anthropic": (lambda: AnthropicBatchService(anthropic.answer), _anthropic, 3),
    "gemini": (lambda: GeminiBatchService(gemini.answer), _gemini, 3),
    "vertex": (lambda: VertexBatchService(vertex.answer), _vertex, 3),
    "bedrock": (lambda: BedrockBatchService(bedrock.answer), _bedrock, 100),
}


@pytest.fixture(autouse=True)
def _accounts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Keys and credentials the fakes accept, and a state folder of this test's own."""
    monkeypatch.setenv("MODELWIRE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", anthropic.API_KEY)
    monkeypatch.setenv("GEMINI_API_KEY", gemini.KEY)
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", bedrock.CREDS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", bedrock.CREDS["aws_secret_access_key"])
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    from modelwire._google_auth import GoogleTokenSource

    monkeypatch.setattr(GoogleTokenSource, "token", lambda self: vertex.TOKEN["access_token"])
    yield


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_submit_wait_results(family: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    make, where, count = FAMILIES[family]
    calls = tmp_path / "calls.jsonl"
    lines = [json.dumps({"prompt": f"prompt {n}", "custom_id": f"c{n}"}) for n in range(count)]
    calls.write_text("\n".join(lines) + "\n")
    with make() as svc:
        flags = where(svc)
        code, out, err = cli(capsys, "batch", "submit", str(calls), *flags)
        assert code == 0, err
        job_id = out.strip()
        code, out, err = cli(capsys, "batch", "wait", job_id, "--poll", "0", *flags)
        assert code == 0, err
        assert f"{job_id}: completed" in out
        code, out, err = cli(capsys, "batch", "results", job_id, "--jsonl", *flags)
        assert code == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    assert sorted(r["custom_id"] for r in rows) == sorted(f"c{n}" for n in range(count))
    answered = [r for r in rows if "response" in r]
    assert answered, rows
    for row in answered:
        charge = row["response"]["chat_response"]["usage_charge"]
        assert charge["dimensions"].get("batch") == "true"
