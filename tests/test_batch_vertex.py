"""Vertex AI batch prediction through `modelwire.batch.BatchClient`, sync and async.

Against a fake Vertex AI service that also serves the Cloud Storage JSON API
(tests/support/batch_service_vertex.py): the input uploaded to the caller's bucket, a
batchPredictionJob's lifecycle (pending -> running -> succeeded), its output directory listed
page by page and its predictions read; a partial failure (a line whose `status` holds the error
as a typed error with the provider's message), expiry, cancel, list (paged), re-opening a job by
id with a fresh client, custom ids carried in the request's labels (Gemini) or a top-level
`custom_id` (Claude), and `storage` refused before anything is sent. The key check: a batch
result is the very response a direct call gives for the same GenerateContentResponse, priced
at the catalog's batch rate. Last, the authored cassette
cassettes/google_vertex_ai/batch_prediction.yaml replays through BatchClient.
"""

from __future__ import annotations

import asyncio
import json
import types
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.cassettes import leading_comment, replay
from modelwire import (
    AIModelAPI,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    BadRequestError,
    ConfigurationError,
    ModelwireError,
)
from modelwire.batch import BatchClient, BatchJob, Call
from modelwire.models import Claude37Sonnet, Gemini25Flash
from tests.support import anthropic_shapes as an
from tests.support import gemini_shapes as gs
from tests.support.batch_service_vertex import VertexBatchService
from tests.support.server import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "cassettes" / "google_vertex_ai" / "batch_prediction.yaml"
TOKEN = {"access_token": "ya29.static-test-token"}  # not a token
STORAGE = "gs://batch-bucket/runs/nightly"
BAD_MESSAGE = "Please use a valid role: user, model."
PROMPTS = ["one", "two", "three"]


def answer(custom_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The fake's answer: `Bad id` errors (400), the rest succeed (Gemini or Claude bodies)."""
    if custom_id == "Bad id":
        return 400, gs.error_body(400, "INVALID_ARGUMENT", BAD_MESSAGE)
    if "messages" in body:
        return 200, an.message(f"answer to {body['messages'][-1]['content']}")
    prompt = body["contents"][-1]["parts"][0]["text"]
    return 200, gs.response(f"answer to {prompt}", usage=gs.usage(20, 7))


def api(url: str | None = None) -> AIModelAPI:
    config = {"project_id": "proj-1", "location": "us-central1"}
    base = {"base_url": url + "/v1"} if url else {}
    return AIModelAPI("google_vertex_ai", credentials=TOKEN, config=config, **base)


def endpoint(url: str, model: Any = Gemini25Flash) -> AIModelEndpoint:
    return AIModelEndpoint(api(url), model)


def client(svc: VertexBatchService, is_async: bool = False, **kw: Any) -> BatchClient:
    kw.setdefault("storage", STORAGE)
    return BatchClient(
        endpoint(svc.url, kw.pop("model", Gemini25Flash)),
        is_async=is_async,
        options={"storage_url": svc.url},
        **kw,
    )


def calls() -> list[Any]:
    return [*PROMPTS[:2], {"prompt": "four", "custom_id": "Bad id"}, PROMPTS[2]]


def by_id(results: list[tuple[str, Any]]) -> dict[str, Any]:
    ids = [custom_id for custom_id, _ in results]
    assert len(set(ids)) == len(ids)
    return dict(results)


def sent_lines(svc: VertexBatchService) -> list[dict[str, Any]]:
    (upload,) = [r for r in svc.requests if r.path.startswith("/upload/")]
    return [json.loads(x) for x in upload.body.splitlines()]


def check_ended(job: BatchJob, results: dict[str, Any], svc: VertexBatchService) -> None:
    """A job of `calls()` that succeeded: three responses and one typed error."""
    assert (job.state, job.state_raw, job.done) == ("completed", "JOB_STATE_SUCCEEDED", True)
    c = job.counts
    assert (c.total, c.succeeded, c.failed, c.pending) == (4, 3, 1, 0)
    assert job.created_at is not None and job.created_at.utcoffset() is not None
    assert job.ended_at is not None and job.ended_at.utcoffset() is not None
    assert job.raw["name"].endswith(f"/batchPredictionJobs/{job.id}")
    assert len(results) == 4 and "Bad id" in results
    texts = {r.chat_response.text() for r in results.values() if isinstance(r, AIModelCallResponse)}
    assert texts == {f"answer to {p}" for p in PROMPTS}
    error = results["Bad id"]
    assert isinstance(error, BadRequestError)
    assert error.message == BAD_MESSAGE and error.status == 400
    assert error.error_type == "INVALID_ARGUMENT" and error.provider == "google_vertex_ai"
    assert len(sent_lines(svc)) == 4


# --- the lifecycle -------------------------------------------------------------------------


def test_submit_wait_results() -> None:
    seen: list[str] = []
    with VertexBatchService(answer) as svc, client(svc) as batches:
        job = batches.submit(calls(), name="nightly")
        assert (job.state, job.state_raw) == ("queued", "JOB_STATE_PENDING")
        assert job.counts.total is None  # no completionStats yet
        job = batches.wait(job, poll_interval=0, progress=lambda j: seen.append(j.state))
        check_ended(job, by_id(list(job.results())), svc)
    assert seen == ["running", "completed"]
    upload, create = svc.requests[:2]
    assert upload.method == "POST" and upload.path.startswith(
        "/upload/storage/v1/b/batch-bucket/o?uploadType=media&name=runs%2Fnightly%2Fnightly-"
    )
    assert upload.headers["content-type"] == "application/jsonl"
    assert create.path == "/v1/projects/proj-1/locations/us-central1/batchPredictionJobs"
    body = create.json()
    (source,) = body["inputConfig"]["gcsSource"]["uris"]
    folder = source.removesuffix("/input.jsonl")
    assert folder.startswith("gs://batch-bucket/runs/nightly/nightly-")
    assert body == {
        "displayName": "nightly",
        "model": "publishers/google/models/gemini-2.5-flash",
        "inputConfig": {"instancesFormat": "jsonl", "gcsSource": {"uris": [source]}},
        "outputConfig": {
            "predictionsFormat": "jsonl",
            "gcsDestination": {"outputUriPrefix": f"{folder}/output"},
        },
    }
    assert all(r.headers["authorization"] == "Bearer ya29.static-test-token" for r in svc.requests)
    assert [r.method for r in svc.requests[-2:]] == ["GET", "GET"]
    assert svc.requests[-1].path.endswith("%2Fpredictions.jsonl?alt=media")


def test_submit_wait_results_async() -> None:
    async def run(svc: VertexBatchService) -> None:
        async with client(svc, is_async=True) as batches:
            job = await batches.submit_async(calls())
            job = await batches.wait_async(job, poll_interval=0)
            check_ended(job, by_id([r async for r in batches.results_async(job)]), svc)

    with VertexBatchService(answer) as svc:
        asyncio.run(run(svc))


def test_custom_ids_ride_in_the_requests_labels() -> None:
    """A label-safe id as is; any other (capitals, spaces, length) base32 in numbered labels;
    labels the call sets itself are kept."""
    odd = "Row 7 / Ünïcode — " + "x" * 80
    config = AIModelCallConfig(options={"labels": {"team": "search"}})
    with VertexBatchService(answer) as svc, client(svc) as batches:
        job = batches.submit(
            [Call("a", custom_id="plain-id_1", config=config), Call("b", custom_id=odd)]
        )
        results = by_id(list(job.wait(poll_interval=0).results()))
    first, second = (line["request"]["labels"] for line in sent_lines(svc))
    assert first == {"team": "search", "modelwire_custom_id": "plain-id_1"}
    assert len(second) > 1 and all(k.startswith("modelwire_custom_id_b32_") for k in second)
    assert all(len(v) <= 63 and v == v.lower() for v in second.values())
    assert set(results) == {"plain-id_1", odd}
    assert all(isinstance(r, AIModelCallResponse) for r in results.values())


def test_expired_job_reads_as_expired_with_the_lines_it_ran() -> None:
    with (
        VertexBatchService(answer, outcome="expired", answered=1) as svc,
        client(svc) as batches,
    ):
        job = batches.wait(batches.submit(PROMPTS), poll_interval=0)
        assert (job.state, job.state_raw) == ("expired", "JOB_STATE_EXPIRED")
        assert (job.counts.succeeded, job.counts.pending, job.counts.total) == (1, 2, 3)
        results = list(job.results())
    assert len(results) == 1 and isinstance(results[0][1], AIModelCallResponse)


def test_cancel_sync() -> None:
    with VertexBatchService(answer) as svc, client(svc) as batches:
        job = batches.submit(PROMPTS)
        job.cancel()
        assert job.state in ("cancelling", "cancelled")
        job = batches.wait(job, poll_interval=0)
        assert (job.state, job.state_raw) == ("cancelled", "JOB_STATE_CANCELLED")
        results = list(job.results())
    cancel = [r for r in svc.requests if r.path.endswith(":cancel")]
    assert len(cancel) == 1 and cancel[0].method == "POST"
    assert (
        cancel[0].path
        == f"/v1/projects/proj-1/locations/us-central1/batchPredictionJobs/{job.id}:cancel"
    )
    assert len(results) == 1  # only what ran before the cancel


def test_cancel_async() -> None:
    async def run(svc: VertexBatchService) -> None:
        async with client(svc, is_async=True) as batches:
            job = await batches.submit_async(PROMPTS)
            assert (await batches.cancel_async(job.id)).state in ("cancelling", "cancelled")
            job = await batches.wait_async(job, poll_interval=0)
            assert job.state == "cancelled"
            assert len([r async for r in batches.results_async(job.id)]) == 1

    with VertexBatchService(answer) as svc:
        asyncio.run(run(svc))


def test_list_newest_first_page_by_page() -> None:
    with VertexBatchService(answer, page_size=1) as svc, client(svc) as batches:
        ids = [batches.submit([p]).id for p in PROMPTS]
        before = len(svc.requests)
        assert [j.id for j in batches.list(limit=5)] == ids[::-1]
        paged = svc.requests[before:]
        assert [j.id for j in batches.list(limit=2)] == ids[:0:-1]
    base = "/v1/projects/proj-1/locations/us-central1/batchPredictionJobs"
    assert [r.path for r in paged] == [
        f"{base}?pageSize=5",
        f"{base}?pageSize=4&pageToken=1",
        f"{base}?pageSize=3&pageToken=2",
    ]


def test_list_async() -> None:
    async def run(svc: VertexBatchService) -> list[str]:
        async with client(svc, is_async=True) as batches:
            await batches.submit_async(PROMPTS)
            return [j.state for j in await batches.list_async(limit=10)]

    with VertexBatchService(answer) as svc:
        assert asyncio.run(run(svc)) == ["queued"]


def test_results_read_every_predictions_file_page_by_page_and_nothing_else() -> None:
    with VertexBatchService(answer, page_size=1) as svc, client(svc) as batches:
        job = batches.wait(batches.submit(PROMPTS), poll_interval=0)
        bucket, _, folder = job.raw["outputInfo"]["gcsOutputDirectory"][5:].partition("/")
        first = svc.objects[(bucket, f"{folder}/predictions.jsonl")].splitlines(keepends=True)
        svc.objects[(bucket, f"{folder}/predictions.jsonl")] = b"".join(first[:2])
        svc.objects[(bucket, f"{folder}/predictions_2.jsonl")] = b"".join(first[2:])
        svc.objects[(bucket, f"{folder}/errors_stats.json")] = b'{"not": "results"}\n'
        results = by_id(list(job.results()))
    assert len(results) == 3
    listed = [r.path for r in svc.requests if "/o?prefix=" in r.path]
    assert len(listed) == 3 and listed[1].endswith("&pageToken=1")


def test_reopen_by_id_with_a_fresh_client_that_has_no_storage() -> None:
    with VertexBatchService(answer) as svc:
        with client(svc) as batches:
            job_id = batches.submit(calls()).id
        with client(svc, storage=None) as fresh:
            job = fresh.get(job_id)
            assert job.id == job_id and job.provider == "google_vertex_ai"
            job = job.wait(poll_interval=0)
            check_ended(job, by_id(list(fresh.results(job_id))), svc)
            name = job.raw["name"]
            assert fresh.get(name).id == job_id  # the whole resource name works too


def test_reopen_by_id_async() -> None:
    async def run(svc: VertexBatchService, job_id: str) -> None:
        async with client(svc, is_async=True, storage=None) as fresh:
            job = await fresh.wait_async(await fresh.get_async(job_id), poll_interval=0)
            check_ended(job, by_id([r async for r in fresh.results_async(job)]), svc)

    with VertexBatchService(answer) as svc:
        with client(svc) as batches:
            job_id = batches.submit(calls()).id
        asyncio.run(run(svc, job_id))


def test_claude_on_vertex_carries_a_top_level_custom_id() -> None:
    config = AIModelCallConfig(max_output_tokens=100)
    with VertexBatchService(answer) as svc, client(svc, model=Claude37Sonnet, config=config) as b:
        job = b.submit([Call("hi", custom_id="c-1"), Call("there", custom_id="Bad id")])
        results = by_id(list(job.wait(poll_interval=0).results()))
    create = next(r for r in svc.requests if r.path.endswith("/batchPredictionJobs")).json()
    assert create["model"] == "publishers/anthropic/models/claude-3-7-sonnet@20250219"
    lines = sent_lines(svc)
    assert [line["custom_id"] for line in lines] == ["c-1", "Bad id"]
    request = lines[0]["request"]
    assert request["anthropic_version"] == "vertex-2023-10-16" and "model" not in request
    assert "labels" not in request
    ok = results["c-1"]
    assert isinstance(ok, AIModelCallResponse) and ok.chat_response.text() == "answer to hi"
    assert isinstance(results["Bad id"], BadRequestError)


# --- refused before anything is sent -------------------------------------------------------


@pytest.mark.parametrize("storage", [None, "", "s3://bucket/prefix", "gs://", "bucket/prefix"])
def test_storage_missing_or_not_gs_is_refused_before_any_request(storage: str | None) -> None:
    with (
        VertexBatchService(answer) as svc,
        client(svc, storage=storage) as batches,
        pytest.raises(ConfigurationError, match=r"storage='gs://<bucket>/<prefix>'"),
    ):
        batches.submit(PROMPTS)
    assert svc.requests == []


def test_storage_missing_is_refused_async_too() -> None:
    async def run(svc: VertexBatchService) -> None:
        async with client(svc, is_async=True, storage=None) as batches:
            with pytest.raises(ConfigurationError, match="Cloud Storage"):
                await batches.submit_async(PROMPTS)

    with VertexBatchService(answer) as svc:
        asyncio.run(run(svc))
        assert svc.requests == []


def test_express_mode_without_a_project_is_refused_before_any_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An API key without a project (express mode) has no batch jobs: refused, not a 404."""
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    with VertexBatchService(answer) as svc:
        express = AIModelAPI("google_vertex_ai", api_key="express-key-0123456789", base_url=svc.url)
        ep = AIModelEndpoint(express, Gemini25Flash)
        with BatchClient(ep, storage=STORAGE, options={"storage_url": svc.url}) as batches:
            for operation in (lambda: batches.submit(PROMPTS), lambda: batches.get("1")):
                with pytest.raises(ConfigurationError, match="need project_id"):
                    operation()
        assert svc.requests == []


def test_a_bucket_without_a_prefix_is_taken() -> None:
    with VertexBatchService(answer) as svc, client(svc, storage="gs://bare-bucket") as batches:
        batches.submit(["x"], name="n")
    assert "/b/bare-bucket/o?uploadType=media&name=n-" in svc.requests[0].path


# --- a result is the direct call's response, at the batch price ----------------------------


def test_a_result_is_the_direct_calls_response_at_the_batch_price() -> None:
    body = gs.response("Paris.", usage=gs.usage(1200, 345))
    config = AIModelCallConfig(max_output_tokens=512, temperature=0.5)
    with LoopbackServer() as server:
        server.queue(Reply.json(body))
        with AIModelClient(endpoint(server.url), config) as direct_client:
            direct = direct_client.generate("Capital of France?", instructions="Be brief.")
        direct_sent = server.requests[0].json()
    with (
        VertexBatchService(lambda _id, _body: (200, body)) as svc,
        client(svc, config=config) as batches,
    ):
        job = batches.submit([{"prompt": "Capital of France?", "instructions": "Be brief."}])
        ((_, result),) = list(batches.wait(job, poll_interval=0).results())
    (line,) = sent_lines(svc)
    request = dict(line["request"])
    assert set(request.pop("labels")) == {"modelwire_custom_id"}
    assert request == direct_sent
    assert isinstance(result, AIModelCallResponse)
    got, want = result.chat_response.to_dict(), direct.chat_response.to_dict()
    got.pop("usage_charge"), want.pop("usage_charge")
    assert got == want
    charge, direct_charge = result.chat_response.usage_charge, direct.chat_response.usage_charge
    assert charge is not None and direct_charge is not None and direct_charge.total > 0
    pricing = Gemini25Flash.pricing_for("google_vertex_ai")
    batch_rates = (pricing.by if pricing is not None else {}).get("batch", {})
    if "true" in batch_rates:
        factor = batch_rates["true"].factor
        assert factor is not None
        assert charge.dimensions == {"batch": "true"}
        assert charge.total == pytest.approx(direct_charge.total * factor)
    else:  # the catalog has no Gemini batch rate yet: priced as a direct call
        assert "batch" not in charge.dimensions
        assert charge.total == pytest.approx(direct_charge.total)


# --- the authored cassette -----------------------------------------------------------------


def cassette_exchanges() -> list[dict[str, Any]]:
    return yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))["interactions"]


def cassette_calls() -> list[Call]:
    """The calls whose job the cassette holds (the third asks for a temperature of 3)."""
    config = AIModelCallConfig(max_output_tokens=256)
    hot = AIModelCallConfig(max_output_tokens=256, temperature=3.0)
    return [
        Call("What is the capital of France?", custom_id="capital-fr", config=config),
        Call("What is the capital of Japan?", custom_id="capital-jp", config=config),
        Call("What is the capital of Peru?", custom_id="capital-pe", config=hot),
    ]


def test_the_cassette_says_where_it_came_from() -> None:
    comment = leading_comment(CASSETTE)
    assert comment[0].startswith("Authored from Google's API reference on 2026-12-07")
    cited = [comment[0].rsplit(": ", 1)[1]] + [
        line.split("also: ", 1)[1] for line in comment if "also: " in line
    ]
    assert all(url.startswith("https://cloud.google.com/") for url in cited)
    index = (ROOT / "cassettes" / "README.md").read_text(encoding="utf-8")
    if "google_vertex_ai/batch_prediction.yaml" not in index:
        pytest.skip("cassettes/README.md has no row for this cassette yet")


def wire_results() -> dict[str, Any]:
    """The cassette's output lines, read without modelwire: custom id -> line."""
    text = cassette_exchanges()[4]["response"]["body"]["string"]
    lines = [json.loads(x) for x in text.splitlines()]
    return {x["request"]["labels"]["modelwire_custom_id"]: x for x in lines}


def test_the_cassette_replays_through_batch_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelwire.batch import _vertex

    monkeypatch.delenv("GOOGLE_VERTEX_BASE_URL", raising=False)
    fixed = types.SimpleNamespace(uuid4=lambda: uuid.UUID("1a2b3c4d" + "0" * 24))
    monkeypatch.setattr(_vertex, "uuid", fixed)
    ep = AIModelEndpoint(
        AIModelAPI(
            "google_vertex_ai",
            credentials=TOKEN,
            config={"project_id": "modelwire-contract", "location": "us-central1"},
        ),
        Gemini25Flash,
    )
    with (
        replay(CASSETTE) as cassette,
        BatchClient(ep, storage="gs://modelwire-contract-batch/jobs") as batches,
    ):
        job = batches.submit(cassette_calls(), name="modelwire-cassette")
        assert (job.id, job.state, job.state_raw) == (
            "2883956728411865088",
            "queued",
            "JOB_STATE_PENDING",
        )
        job = job.wait(poll_interval=0)
        assert (job.state, job.counts.succeeded, job.counts.failed) == ("completed", 2, 1)
        assert (job.counts.pending, job.counts.total) == (0, 3)
        results = list(job.results())
    assert cassette.play_count == 5 and cassette.all_played
    upload, create = (x["request"] for x in cassette_exchanges()[:2])
    with BatchClient(ep, storage="gs://modelwire-contract-batch/jobs") as b:
        wanted = [b.style.line(x) for x in b.lines(cassette_calls())]
    assert [json.loads(x) for x in upload["body"].splitlines()] == wanted
    assert json.loads(create["body"])["displayName"] == "modelwire-cassette"
    wire = wire_results()
    assert [custom_id for custom_id, _ in results] == list(wire)  # in the order they came
    for custom_id, result in results:
        line = wire[custom_id]
        if not line["status"]:
            assert isinstance(result, AIModelCallResponse)
            response = line["response"]
            assert (
                result.chat_response.text()
                == response["candidates"][0]["content"]["parts"][0]["text"]
            )
            assert result.chat_response.id == response["responseId"]
            assert result.chat_response.usage is not None
            assert (
                result.chat_response.usage.completion_tokens
                == response["usageMetadata"]["candidatesTokenCount"]
            )
        else:
            assert isinstance(result, BadRequestError) and result.status == 400
            assert result.message in line["status"] and result.message.startswith(
                "Unable to submit"
            )


def test_an_unreadable_status_is_kept_whole_as_the_message() -> None:
    """A failed line whose status embeds no JSON error: its text is the error's message."""
    with VertexBatchService(answer) as svc, client(svc) as batches:
        job = batches.wait(batches.submit(["x"]), poll_interval=0)
        bucket, _, folder = job.raw["outputInfo"]["gcsOutputDirectory"][5:].partition("/")
        (line,) = [
            json.loads(x) for x in svc.objects[(bucket, f"{folder}/predictions.jsonl")].splitlines()
        ]
        line["status"], line["response"] = (
            "Internal error occurred. Failed to get predictions.",
            None,
        )
        svc.objects[(bucket, f"{folder}/predictions.jsonl")] = json.dumps(line).encode() + b"\n"
        ((_, error),) = list(job.results())
    assert isinstance(error, ModelwireError)
    assert "Internal error occurred. Failed to get predictions." in str(error)
