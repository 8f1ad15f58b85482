"""Gemini API batch mode through `modelwire.batch.BatchClient`, sync and async, against a fake
service (tests/support/batch_service_gemini.py) and an authored cassette
(cassettes/google_gemini_api/batch_lifecycle.yaml).

Inline input (the create body under `inline_bytes`) and file input (uploaded to the Files API,
forced by lowering the threshold), a partial failure (a google.rpc.Status for one request, a
typed error with the provider's message), expiry, cancel, list, re-opening a job by id from a
fresh client, results matched by position when their keys are not echoed, both state-name
families. The key check: a result is the very response a direct `generateContent` call gets for
the same body, priced at half.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.cassettes import leading_comment, replay
from modelwire import (
    AIModelAPI,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    BadRequestError,
    ModelwireError,
)
from modelwire.batch import BatchClient
from modelwire.models import Gemini25Flash, Gemini25FlashLite
from tests.support import gemini_shapes as gs
from tests.support.batch_service_gemini import GeminiBatchService
from tests.support.server import LoopbackServer, Reply

PROVIDER = "google_gemini_api"
KEY = "gemini-test-key"  # not a key
BAD = "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\""
ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "cassettes" / "google_gemini_api" / "batch_lifecycle.yaml"
FILE_INPUT = {"inline_bytes": "0"}  # every job's create body is over it: file input


def text_of(body: dict[str, Any]) -> str:
    return body["contents"][-1]["parts"][0]["text"]


def reply(prompt: str) -> dict[str, Any]:
    """The GenerateContentResponse the model gives `prompt` (the same, batched or direct)."""
    return gs.response(f"Answer to {prompt}.", usage=gs.usage(prompt=12, candidates=5))


def answer(custom_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if custom_id == "bad":
        return 400, gs.error_body(400, "INVALID_ARGUMENT", BAD)
    return 200, reply(text_of(body))


def endpoint(url: str, model: Any = Gemini25Flash) -> AIModelEndpoint:
    return AIModelEndpoint(AIModelAPI(PROVIDER, api_key=KEY, base_url=url + "/v1beta"), model)


def direct(prompt: str) -> AIModelCallResponse[Any]:
    """The direct generateContent call's response to the same answer body."""
    with LoopbackServer() as srv:
        srv.queue(Reply.json(reply(prompt)))
        with AIModelClient(endpoint(srv.url)) as client:
            return client.generate(prompt)


def without_charge(response: AIModelCallResponse[Any]) -> dict[str, Any]:
    plain = response.to_dict()["chat_response"]
    plain.pop("usage_charge", None)
    return plain


CALLS = ["Name a planet", {"prompt": "Name a colour", "custom_id": "bad"}, "Name a river"]


def check_results(results: list[tuple[str, Any]], ids: list[str]) -> None:
    """Three results in order: two responses equal to the direct call's at half its price,
    and `bad` a BadRequestError carrying the provider's message."""
    assert [cid for cid, _ in results] == ids
    by_id = dict(results)
    error = by_id["bad"]
    assert isinstance(error, BadRequestError) and BAD in str(error)
    for cid, prompt in ((ids[0], "Name a planet"), (ids[2], "Name a river")):
        got = by_id[cid]
        assert isinstance(got, AIModelCallResponse), got
        want = direct(prompt)
        assert without_charge(got) == without_charge(want)
        mine, theirs = got.chat_response, want.chat_response
        assert mine is not None and theirs is not None
        charge, full = mine.usage_charge, theirs.usage_charge
        assert charge is not None and full is not None
        assert charge.total == full.total / 2 and charge.total > 0
        assert charge.dimensions == {"batch": "true"}


def sent_requests(
    svc: GeminiBatchService, batches: BatchClient
) -> list[tuple[str, dict[str, Any]]]:
    """(key, request) of the job's lines as the fake received them (inline or from the file)."""
    create = next(r for r in svc.requests if r.path.endswith(":batchGenerateContent")).json()
    config = create["batch"]["input_config"]
    if "requests" in config:
        return [(r["metadata"]["key"], r["request"]) for r in config["requests"]["requests"]]
    data = svc.files[config["file_name"].removeprefix("files/")]
    return [(x["key"], x["request"]) for x in map(json.loads, data.splitlines())]


def check_sent(svc: GeminiBatchService, batches: BatchClient, ids: list[str]) -> None:
    sent = sent_requests(svc, batches)
    assert [key for key, _ in sent] == ids
    for (_, request), prompt in zip(
        sent, ["Name a planet", "Name a colour", "Name a river"], strict=True
    ):
        assert request == batches.calls.request_body(prompt)


# --- the lifecycle, sync and async, inline and file input -----------------------------------


@pytest.mark.parametrize("options", [{}, FILE_INPUT], ids=["inline", "file"])
def test_submit_wait_results_sync(options: dict[str, str]) -> None:
    with GeminiBatchService(answer) as svc, BatchClient(endpoint(svc.url), options=options) as b:
        job = b.submit(CALLS, name="planets")
        assert (job.state, job.state_raw, job.counts.total) == ("queued", "BATCH_STATE_PENDING", 3)
        seen: list[str] = []
        job.wait(poll_interval=0, progress=lambda j: seen.append(j.state))
        assert seen == ["running", "completed"] and job.done
        assert (job.counts.succeeded, job.counts.failed) == (2, 1)
        assert job.ended_at is not None and job.ends_at is not None
        results = list(job.results())
        ids = [cid for cid, _ in results]
        check_results(results, ids)
        check_sent(svc, b, ids)
        create = next(r for r in svc.requests if r.path.endswith(":batchGenerateContent"))
        assert create.path == "/v1beta/models/gemini-2.5-flash:batchGenerateContent"
        assert create.headers["x-goog-api-key"] == KEY
        assert create.json()["batch"]["display_name"] == "planets"
        uploads = [r for r in svc.requests if r.path.startswith("/upload/v1beta/files")]
        assert len(uploads) == (1 if options else 0)


@pytest.mark.parametrize("options", [{}, FILE_INPUT], ids=["inline", "file"])
async def test_submit_wait_results_async(options: dict[str, str]) -> None:
    with GeminiBatchService(answer) as svc:
        async with BatchClient(endpoint(svc.url), is_async=True, options=options) as b:
            job = await b.submit_async(CALLS)
            await job.wait_async(poll_interval=0)
            assert job.state == "completed"
            results = [r async for r in job.results_async()]
            ids = [cid for cid, _ in results]
            check_results(results, ids)
            check_sent(svc, b, ids)


def test_file_input_uploads_jsonl_lines_with_their_keys() -> None:
    with GeminiBatchService(answer) as svc, BatchClient(endpoint(svc.url), options=FILE_INPUT) as b:
        job = b.submit(CALLS, name="big-job")
        ((meta, mime),) = svc.uploads
        assert meta == {"file": {"displayName": "big-job"}} and mime == "application/jsonl"
        create = next(r for r in svc.requests if r.path.endswith(":batchGenerateContent")).json()
        assert create["batch"]["input_config"] == {"file_name": "files/batch-input-0001"}
        job.wait(poll_interval=0)
        download = [r.path for r in svc.requests if r.path.startswith("/download/")]
        assert not download  # read only when results are asked for
        assert len(list(job.results())) == 3
        download = [r.path for r in svc.requests if r.path.startswith("/download/")]
        assert download == [f"/download/v1beta/files/batch-{job.id}-responses:download?alt=media"]


# --- outcomes --------------------------------------------------------------------------------


def test_an_expired_job_has_no_results() -> None:
    with GeminiBatchService(answer, outcome="expired") as svc, BatchClient(endpoint(svc.url)) as b:
        job = b.submit(["one", "two"])
        job.wait(poll_interval=0)
        assert (job.state, job.state_raw) == ("expired", "BATCH_STATE_EXPIRED")
        assert list(job.results()) == []


async def test_cancel_async() -> None:
    with GeminiBatchService(answer) as svc:
        async with BatchClient(endpoint(svc.url), is_async=True) as b:
            job = await b.submit_async(["one", "two"])
            await job.cancel_async()
            assert (job.state, job.state_raw) == ("cancelled", "BATCH_STATE_CANCELLED")
            cancel = [r for r in svc.requests if r.method == "POST" and r.path.endswith(":cancel")]
            assert [r.path for r in cancel] == [f"/v1beta/batches/{job.id}:cancel"]
            assert [r async for r in job.results_async()] == []


def test_cancel_sync_then_list() -> None:
    with GeminiBatchService(answer) as svc, BatchClient(endpoint(svc.url)) as b:
        first = b.submit(["one"])
        second = b.submit(["two"])
        first.cancel()
        assert first.state == "cancelled"
        listed = b.list(limit=5)
        assert [j.id for j in listed] == [second.id, first.id]
        assert [j.state for j in listed] == ["queued", "cancelled"]
        assert svc.requests[-1].path == "/v1beta/batches?pageSize=5"
        assert [j.id for j in b.list(limit=1)] == [second.id]


def test_job_state_names_as_the_guide_reads_them() -> None:
    with (
        GeminiBatchService(answer, prefix="JOB_STATE_") as svc,
        BatchClient(endpoint(svc.url)) as b,
    ):
        job = b.submit(["one"])
        assert (job.state, job.state_raw) == ("queued", "JOB_STATE_PENDING")
        job.wait(poll_interval=0)
        assert (job.state, job.state_raw) == ("completed", "JOB_STATE_SUCCEEDED")


# --- re-opening and matching -----------------------------------------------------------------


def test_reopen_by_id_with_a_fresh_client() -> None:
    with GeminiBatchService(answer) as svc:
        with BatchClient(endpoint(svc.url)) as b:
            job_id = b.submit(CALLS).id
        with BatchClient(endpoint(svc.url)) as fresh:
            job = fresh.get(job_id)
            assert job.id == job_id and job.state == "running"
            assert fresh.get(f"batches/{job_id}").id == job_id  # the resource name works too
            job.wait(poll_interval=0)
            results = list(fresh.results(job_id))
            check_results(results, [cid for cid, _ in results])


def test_results_without_echoed_keys_are_matched_by_position() -> None:
    calls = [
        {"prompt": "Name a planet", "custom_id": "p"},
        {"prompt": "Name a river", "custom_id": "r"},
    ]
    with GeminiBatchService(answer, echo_keys=False) as svc:
        with BatchClient(endpoint(svc.url)) as b:
            job = b.submit(calls)
            job.wait(poll_interval=0)
            assert [cid for cid, _ in job.results()] == ["p", "r"]  # this client's order
        with BatchClient(endpoint(svc.url)) as fresh:  # knows no order: positions
            got = list(fresh.results(job.id))
            assert [cid for cid, _ in got] == ["0", "1"]
            assert all(isinstance(r, AIModelCallResponse) for _, r in got)


def test_an_unknown_job_is_a_typed_error() -> None:
    with (
        GeminiBatchService(answer) as svc,
        BatchClient(endpoint(svc.url)) as b,
        pytest.raises(ModelwireError, match="Batch not found"),
    ):
        b.get("nope")


# --- the authored cassette -------------------------------------------------------------------


CASSETTE_CALLS = [
    {"prompt": "What is the capital of France?", "custom_id": "request-1"},
    {"prompt": "What is the capital of Japan?", "custom_id": "request-2"},
]


def test_the_cassette_says_where_it_came_from() -> None:
    comment = leading_comment(CASSETTE)
    assert comment[0].startswith("Authored from Google's API reference on 2026-12-07")
    cited = [comment[0].rsplit(": ", 1)[1]] + [
        line.split("also: ", 1)[1] for line in comment if "also: " in line
    ]
    assert all(url.startswith("https://ai.google.dev/") for url in cited)
    index = (ROOT / "cassettes" / "README.md").read_text(encoding="utf-8")
    if "google_gemini_api/batch_lifecycle.yaml" not in index:
        pytest.skip("cassettes/README.md has no row for this cassette yet")
    row = (
        "| [`google_gemini_api/batch_lifecycle.yaml`](google_gemini_api/batch_lifecycle.yaml)"
        " | `batch_lifecycle` |"
    )
    assert row in index


def test_the_cassettes_request_is_the_one_modelwire_sends() -> None:
    api = AIModelAPI(PROVIDER, api_key=KEY)
    with BatchClient(AIModelEndpoint(api, Gemini25FlashLite)) as b:
        lines = b.lines(CASSETTE_CALLS)
    create = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))["interactions"][0]["request"]
    requests = [{"request": x.body, "metadata": {"key": x.custom_id}} for x in lines]
    wanted = {"display_name": "capitals", "input_config": {"requests": {"requests": requests}}}
    assert json.loads(create["body"]) == {"batch": wanted}


def test_cassette_lifecycle_replays_through_batch_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """create -> get (running) -> get (succeeded, inline results) -> results, as the reference
    shows them, replayed against generativelanguage.googleapis.com itself."""
    monkeypatch.delenv("GOOGLE_GEMINI_BASE_URL", raising=False)
    api = AIModelAPI(PROVIDER, api_key=KEY)
    calls = CASSETTE_CALLS
    with replay(CASSETTE) as cassette, BatchClient(AIModelEndpoint(api, Gemini25FlashLite)) as b:
        job = b.submit(calls, name="capitals")
        assert (job.id, job.state, job.counts.total) == ("x1a2b3c4d5e6f7g8", "queued", 2)
        job.wait(poll_interval=0)
        assert (job.state, job.counts.succeeded, job.counts.failed) == ("completed", 1, 1)
        results = dict(job.results())
        assert cassette.play_count == 3 and cassette.all_played
    ok, bad = results["request-1"], results["request-2"]
    assert isinstance(ok, AIModelCallResponse) and not isinstance(ok, ModelwireError)
    chat = ok.chat_response
    assert chat is not None and chat.text() == "The capital of France is Paris."
    assert chat.usage_charge is not None and chat.usage_charge.dimensions == {"batch": "true"}
    assert isinstance(bad, BadRequestError) and "Request contains an invalid argument" in str(bad)
