"""`modelwire batch`, run as a subprocess against the fake OpenAI batch service on 127.0.0.1:
submit a JSONL file, follow the job by its id alone, read its results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.batch_service import OpenAIBatchService
from tests.test_batch import answer
from tests.test_cli import cli


@pytest.fixture
def service():
    with OpenAIBatchService(answer) as svc:
        yield svc


def batch(tmp_path: Path, *args: str) -> Any:
    return cli("batch", *args, MODELWIRE_STATE_DIR=str(tmp_path / "state"))


def test_submit_then_follow_the_job_by_its_id(service, tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    lines = ['"first prompt"', json.dumps({"prompt": "second", "custom_id": "bad"}), ""]
    calls.write_text("\n".join(lines))
    base = ("--base-url", service.url + "/v1")
    done = batch(tmp_path, "submit", str(calls), "-m", "gpt-4o-mini", *base)
    assert done.returncode == 0, done.stderr
    job_id = done.stdout.strip()
    assert job_id.startswith("batch_")

    status = batch(tmp_path, "status", job_id)
    assert status.returncode == 0 and status.stdout.startswith(f"{job_id}: running")

    waited = batch(tmp_path, "wait", job_id, "--poll", "0")
    assert waited.returncode == 0
    assert f"{job_id}: completed (completed), 1 succeeded, 1 failed of 2" in waited.stdout
    assert "running" in waited.stderr  # progress

    out = tmp_path / "results.jsonl"
    results = batch(tmp_path, "results", job_id, "--jsonl", "-o", str(out))
    assert results.returncode == 0 and "1 call(s) failed" in results.stderr
    rows = {r["custom_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["bad"]["error"]["type"] == "BadRequestError"
    (good,) = (r for k, r in rows.items() if k != "bad")
    chat = good["response"]["chat_response"]
    assert chat["choices"][0]["contents"][0]["text"] == "re: first prompt"
    assert chat["usage_charge"]["dimensions"] == {"batch": "true"}

    text = batch(tmp_path, "results", job_id)
    assert "re: first prompt" in text.stdout and "bad\terror: BadRequestError" in text.stdout

    listed = batch(tmp_path, "list", "--json")
    assert [j["id"] for j in json.loads(listed.stdout)] == [job_id]
    assert "sk-test" not in (tmp_path / "state" / "batches.jsonl").read_text()


def test_an_unknown_job_needs_to_be_told_where_it_runs(tmp_path: Path) -> None:
    done = batch(tmp_path, "status", "batch_elsewhere")
    assert done.returncode == 2 and "-m MODEL" in done.stderr


def test_a_bad_line_is_named_before_anything_is_sent(service, tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text('"ok"\n{not json}\n')
    done = batch(tmp_path, "submit", str(calls), "-m", "gpt-4o-mini", "--base-url", service.url)
    assert done.returncode == 2 and f"{calls}:2: not valid JSON" in done.stderr
    assert service.requests == []


def test_cancel(service, tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text('"a"\n"b"\n')
    base = ("--base-url", service.url + "/v1")
    job_id = batch(tmp_path, "submit", str(calls), "-m", "gpt-4o-mini", *base).stdout.strip()
    done = batch(tmp_path, "cancel", job_id, "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["state"] == "cancelling"
