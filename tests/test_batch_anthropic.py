"""Anthropic Message Batches through `modelwire.batch.BatchClient`, sync and async.

Against a fake Message Batches service (tests/support/batch_service_anthropic.py): a batch's
lifecycle (in_progress -> ended), a partial failure (an `errored` result as a typed error with
the API's message), expiry, cancel, list (paged), re-opening a batch by id, custom ids and the
request limit checked before anything is sent. The key check: a batch result is the very
response a direct call gives for the same Messages answer, priced at the catalog's batch rate
(half). Last, the authored cassette cassettes/anthropic/batch_lifecycle.yaml replays the
create / retrieve / results exchanges as the API reference shows them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
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
    ChatResponse,
    ConfigurationError,
    ModelwireError,
)
from modelwire.batch import BatchClient, BatchJob, Call
from modelwire.models import ClaudeHaiku45
from tests.support import anthropic_shapes as an
from tests.support.batch_service_anthropic import AnthropicBatchService, error_body
from tests.support.server import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "cassettes" / "anthropic" / "batch_lifecycle.yaml"
API_KEY = "sk-ant-test-0000"  # not a key
BAD_MESSAGE = "temperature: Input should be less than or equal to 1"
PROMPTS = ["one", "two", "three"]


def answer(custom_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The fake's answer to a request: `bad` errors (400-like), the rest succeed."""
    if custom_id == "bad":
        return 400, error_body("invalid_request_error", BAD_MESSAGE)
    prompt = body["messages"][-1]["content"]
    return 200, an.message(f"answer to {prompt}", input_tokens=20, output_tokens=7)


def endpoint(url: str) -> AIModelEndpoint:
    return AIModelEndpoint(AIModelAPI("anthropic", api_key=API_KEY, base_url=url), ClaudeHaiku45)


def calls() -> list[Any]:
    return [*PROMPTS[:2], {"prompt": "four", "custom_id": "bad"}, PROMPTS[2]]


def chat(response: AIModelCallResponse[Any]) -> ChatResponse:
    assert response.chat_response is not None
    return response.chat_response


def by_id(results: list[tuple[str, Any]]) -> dict[str, Any]:
    ids = [custom_id for custom_id, _ in results]
    assert len(set(ids)) == len(ids)
    return dict(results)


def check_ended(job: BatchJob, results: dict[str, Any], svc: AnthropicBatchService) -> None:
    """A batch of `calls()` that ended: three responses and one typed error."""
    assert job.state == "completed" and job.state_raw == "ended" and job.done
    c = job.counts
    assert (c.total, c.succeeded, c.failed, c.pending, c.cancelled, c.expired) == (4, 3, 1, 0, 0, 0)
    assert job.created_at is not None and job.created_at.utcoffset() is not None
    assert job.ended_at is not None and job.ends_at is not None
    sent = [r["custom_id"] for r in svc.seen[0]]
    assert set(results) == set(sent) and len(sent) == 4
    texts = {chat(r).text() for r in results.values() if isinstance(r, AIModelCallResponse)}
    assert texts == {f"answer to {p}" for p in PROMPTS}
    error = results["bad"]
    assert isinstance(error, BadRequestError)
    assert error.message == BAD_MESSAGE and error.error_type == "invalid_request_error"


# --- the lifecycle -----------------------------------------------------------------------


def test_submit_wait_results() -> None:
    seen: list[str] = []
    with AnthropicBatchService(answer) as svc, BatchClient(endpoint(svc.url)) as batches:
        job = batches.submit(calls())
        assert job.state == "running" and job.state_raw == "in_progress"
        assert job.counts.pending == 4 and job.counts.total == 4
        job = batches.wait(job, poll_interval=0, progress=lambda j: seen.append(j.state))
        check_ended(job, by_id(list(job.results())), svc)
    assert seen[-1] == "completed"
    create = svc.requests[0]
    assert (create.method, create.path) == ("POST", "/v1/messages/batches")
    assert all(r.headers["anthropic-version"] == "2023-06-01" for r in svc.requests)
    assert svc.requests[-1].path == f"/v1/messages/batches/{job.id}/results"


def test_submit_wait_results_async() -> None:
    async def run(svc: AnthropicBatchService) -> None:
        async with BatchClient(endpoint(svc.url), is_async=True) as batches:
            job = await batches.submit_async(calls())
            job = await batches.wait_async(job, poll_interval=0)
            check_ended(job, by_id([r async for r in batches.results_async(job)]), svc)

    with AnthropicBatchService(answer) as svc:
        asyncio.run(run(svc))


def test_expired_batch_reads_as_expired_and_its_unrun_requests_as_errors() -> None:
    with (
        AnthropicBatchService(answer, outcome="expired", answered=1) as svc,
        BatchClient(endpoint(svc.url)) as batches,
    ):
        job = batches.wait(batches.submit(PROMPTS), poll_interval=0)
        assert (job.state, job.state_raw) == ("expired", "ended")
        assert (job.counts.succeeded, job.counts.expired, job.counts.total) == (1, 2, 3)
        results = by_id(list(job.results()))
    first = svc.seen[0][0]["custom_id"]
    assert isinstance(results.pop(first), AIModelCallResponse)
    for error in results.values():
        assert isinstance(error, ModelwireError) and not isinstance(error, BadRequestError)
        assert getattr(error, "error_type", None) == "expired"
        assert "expired" in str(error)


def test_cancel_sync() -> None:
    with AnthropicBatchService(answer) as svc, BatchClient(endpoint(svc.url)) as batches:
        job = batches.submit(PROMPTS)
        cancelling = job.cancel()
        assert (cancelling.state, cancelling.state_raw) == ("cancelling", "canceling")
        assert cancelling.raw["cancel_initiated_at"] is not None
        job = batches.wait(job, poll_interval=0)
        assert (job.state, job.state_raw) == ("cancelled", "ended")
        assert (job.counts.succeeded, job.counts.cancelled) == (1, 2)
        results = by_id(list(job.results()))
    assert svc.requests[1].method == "POST"
    assert svc.requests[1].path == f"/v1/messages/batches/{job.id}/cancel"
    assert isinstance(results.pop(svc.seen[0][0]["custom_id"]), AIModelCallResponse)
    assert {getattr(e, "error_type", None) for e in results.values()} == {"canceled"}


def test_cancel_async() -> None:
    async def run(svc: AnthropicBatchService) -> None:
        async with BatchClient(endpoint(svc.url), is_async=True) as batches:
            job = await batches.submit_async(PROMPTS)
            assert (await batches.cancel_async(job.id)).state == "cancelling"
            job = await batches.wait_async(job, poll_interval=0)
            assert job.state == "cancelled"
            results = by_id([r async for r in batches.results_async(job.id)])
            errors = [r for r in results.values() if isinstance(r, ModelwireError)]
            assert len(errors) == 2 and len(results) == 3

    with AnthropicBatchService(answer) as svc:
        asyncio.run(run(svc))


def test_list_newest_first_page_by_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from modelwire.batch import _anthropic

    with AnthropicBatchService(answer) as svc, BatchClient(endpoint(svc.url)) as batches:
        ids = [batches.submit([p]).id for p in PROMPTS]
        assert [j.id for j in batches.list()] == ids[::-1]
        assert [j.id for j in batches.list(limit=2)] == ids[:0:-1]
        monkeypatch.setattr(_anthropic, "PAGE", 1)
        before = len(svc.requests)
        assert [j.id for j in batches.list(limit=5)] == ids[::-1]
        paged = svc.requests[before:]
    assert [r.path for r in paged] == [
        "/v1/messages/batches?limit=1",
        f"/v1/messages/batches?limit=1&after_id={ids[2]}",
        f"/v1/messages/batches?limit=1&after_id={ids[1]}",
    ]


def test_list_async() -> None:
    async def run(svc: AnthropicBatchService) -> list[str]:
        async with BatchClient(endpoint(svc.url), is_async=True) as batches:
            await batches.submit_async(PROMPTS)
            return [j.state for j in await batches.list_async(limit=10)]

    with AnthropicBatchService(answer) as svc:
        assert asyncio.run(run(svc)) == ["running"]


def test_reopen_by_id_with_a_fresh_client() -> None:
    with AnthropicBatchService(answer) as svc:
        with BatchClient(endpoint(svc.url)) as batches:
            job_id = batches.submit(calls()).id
        with BatchClient(endpoint(svc.url)) as fresh:
            job = fresh.get(job_id)
            assert job.id == job_id and job.provider == "anthropic"
            job = job.wait(poll_interval=0)
            check_ended(job, by_id(list(fresh.results(job_id))), svc)


def test_reopen_by_id_async() -> None:
    async def run(svc: AnthropicBatchService, job_id: str) -> None:
        async with BatchClient(endpoint(svc.url), is_async=True) as fresh:
            job = await fresh.wait_async(await fresh.get_async(job_id), poll_interval=0)
            check_ended(job, by_id([r async for r in fresh.results_async(job)]), svc)

    with AnthropicBatchService(answer) as svc:
        with BatchClient(endpoint(svc.url)) as batches:
            job_id = batches.submit(calls()).id
        asyncio.run(run(svc, job_id))


# --- refused before anything is sent -------------------------------------------------------


@pytest.mark.parametrize("custom_id", ["has space", "dot.ted", "", "x" * 65, "ünïcode"])
def test_a_custom_id_the_api_refuses_is_refused_before_any_request(custom_id: str) -> None:
    with (
        AnthropicBatchService(answer) as svc,
        BatchClient(endpoint(svc.url)) as batches,
        pytest.raises(ConfigurationError, match="custom_id"),
    ):
        batches.submit([Call("one", custom_id="fine_id-1"), Call("two", custom_id=custom_id)])
    assert svc.requests == []


def test_a_64_character_custom_id_is_taken() -> None:
    with AnthropicBatchService(answer) as svc, BatchClient(endpoint(svc.url)) as batches:
        batches.submit([Call("one", custom_id="A-z_9" + "x" * 59)])
    assert svc.seen[0][0]["custom_id"] == "A-z_9" + "x" * 59


def small_limit(batches: BatchClient, requests: int) -> None:
    batches.info = dataclasses.replace(batches.info, max_requests=requests)
    batches.style.info = dataclasses.replace(batches.style.info, max_requests=requests)


def test_more_calls_than_a_batch_holds_are_refused_before_sending() -> None:
    with AnthropicBatchService(answer) as svc, BatchClient(endpoint(svc.url)) as batches:
        small_limit(batches, 2)
        with pytest.raises(ConfigurationError, match="submit_all"):
            batches.submit(PROMPTS)
        assert svc.requests == []
        jobs = batches.submit_all([*PROMPTS, "four", "five"])
    assert len(jobs) == 3
    assert [len(requests) for requests in svc.seen] == [2, 2, 1]
    sent = [r["params"]["messages"][0]["content"] for rs in svc.seen for r in rs]
    assert sent == [*PROMPTS, "four", "five"]


def test_submit_all_async_splits_too() -> None:
    async def run(svc: AnthropicBatchService) -> int:
        async with BatchClient(endpoint(svc.url), is_async=True) as batches:
            small_limit(batches, 2)
            return len(await batches.submit_all_async(PROMPTS))

    with AnthropicBatchService(answer) as svc:
        assert asyncio.run(run(svc)) == 2
    assert [len(requests) for requests in svc.seen] == [2, 1]


def test_the_openai_compatibility_layer_has_no_batch_api() -> None:
    api = AIModelAPI("anthropic", api_key=API_KEY)
    with pytest.raises(ConfigurationError, match="anthropic_messages"):
        BatchClient(AIModelEndpoint(api, ClaudeHaiku45, protocol="openai_chat"))


# --- a result is the direct call's response, at half the price -----------------------------


def test_a_result_is_the_direct_calls_response_at_the_batch_price() -> None:
    body = an.message("Paris.", input_tokens=1200, output_tokens=345, cache_read_input_tokens=64)
    config = AIModelCallConfig(max_output_tokens=512, temperature=0.5)
    with LoopbackServer() as server:
        server.queue(Reply.json(body))
        with AIModelClient(endpoint(server.url), config) as client:
            direct = client.generate("Capital of France?", instructions="Be brief.")
            expected_params = client.request_body(
                "Capital of France?", instructions="Be brief.", config=config
            )
        direct_sent = server.requests[0].json()
    with (
        AnthropicBatchService(lambda _id, _body: (200, body)) as svc,
        BatchClient(endpoint(svc.url), config) as batches,
    ):
        job = batches.submit([{"prompt": "Capital of France?", "instructions": "Be brief."}])
        ((_, result),) = list(batches.wait(job, poll_interval=0).results())
    params = svc.seen[0][0]["params"]
    assert params == expected_params == direct_sent
    assert params["model"] == ClaudeHaiku45.model_name and params["max_tokens"] == 512
    assert "stream" not in params
    assert isinstance(result, AIModelCallResponse)
    got, want = chat(result).to_dict(), chat(direct).to_dict()
    got.pop("usage_charge")
    want.pop("usage_charge")
    assert got == want
    charge, direct_charge = chat(result).usage_charge, chat(direct).usage_charge
    assert charge is not None and direct_charge is not None
    assert direct_charge.total > 0
    assert charge.total == direct_charge.total / 2
    assert charge.dimensions == {"batch": "true"}


# --- the authored cassette -----------------------------------------------------------------


def cassette_exchanges() -> list[dict[str, Any]]:
    return yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))["interactions"]


def cassette_calls() -> list[Call]:
    """The calls whose batch the cassette holds (the third sends a `top_k` the API refuses)."""
    config = AIModelCallConfig(max_output_tokens=1024)
    bad = AIModelCallConfig(max_output_tokens=1024, options={"top_k": -1})
    return [
        Call("Hello, world", custom_id="my-first-request", config=config),
        Call("Hi again, friend", custom_id="my-second-request", config=config),
        Call("Hello, world", custom_id="my-third-request", config=bad),
    ]


def test_the_cassette_says_where_it_came_from() -> None:
    comment = leading_comment(CASSETTE)
    assert comment[0].startswith("Authored from the Anthropic API reference on 2026-12-07")
    cited = [comment[0].rsplit(": ", 1)[1]] + [
        line.split("also: ", 1)[1] for line in comment if "also: " in line
    ]
    assert all(url.startswith("https://platform.claude.com/docs/") for url in cited)
    index = (ROOT / "cassettes" / "README.md").read_text(encoding="utf-8")
    if "anthropic/batch_lifecycle.yaml" not in index:
        pytest.skip("cassettes/README.md has no row for this cassette yet")
    row = (
        "| [`anthropic/batch_lifecycle.yaml`](anthropic/batch_lifecycle.yaml) | `batch_lifecycle` |"
    )
    assert row in index


def test_the_cassettes_request_is_the_one_modelwire_sends() -> None:
    with BatchClient(AIModelEndpoint(AIModelAPI("anthropic", api_key=API_KEY), ClaudeHaiku45)) as b:
        lines = b.lines(cassette_calls())
    create = cassette_exchanges()[0]["request"]
    wanted = {"requests": [{"custom_id": x.custom_id, "params": x.body} for x in lines]}
    assert json.loads(create["body"]) == wanted


def wire_results() -> dict[str, Any]:
    """The cassette's result lines, read without modelwire: custom id -> result."""
    text = cassette_exchanges()[2]["response"]["body"]["string"]
    return {x["custom_id"]: x["result"] for x in map(json.loads, text.splitlines())}


def test_the_cassette_replays_through_batch_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    ep = AIModelEndpoint(AIModelAPI("anthropic", api_key=API_KEY), ClaudeHaiku45)
    with replay(CASSETTE) as cassette, BatchClient(ep) as batches:
        job = batches.submit(cassette_calls())
        assert (job.id, job.state, job.counts.pending) == (
            "msgbatch_013Zva2CMHLNnXjNJJKqJ2EF",
            "running",
            3,
        )
        job = job.wait(poll_interval=0)
        assert (job.state, job.counts.succeeded, job.counts.failed) == ("completed", 2, 1)
        results = list(job.results())
    assert cassette.play_count == 3 and cassette.all_played
    wire = wire_results()
    assert [custom_id for custom_id, _ in results] == list(wire)  # in the order they came
    for custom_id, result in results:
        expected = wire[custom_id]
        if expected["type"] == "succeeded":
            assert isinstance(result, AIModelCallResponse)
            message = expected["message"]
            assert chat(result).text() == message["content"][0]["text"]
            assert chat(result).id == message["id"]
            usage = chat(result).usage
            assert (
                usage is not None and usage.completion_tokens == message["usage"]["output_tokens"]
            )
            charge = chat(result).usage_charge
            assert charge is not None and charge.dimensions == {"batch": "true"}
        else:
            assert isinstance(result, BadRequestError)
            assert result.message == expected["error"]["error"]["message"]
