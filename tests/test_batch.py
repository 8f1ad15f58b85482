"""Batch jobs through the public API (`modelwire.batch`): the shared client and job handle,
the OpenAI Batch flow and Azure OpenAI's global batch, against fake services on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import tracemalloc
from typing import Any

import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ModelwireError,
)
from modelwire.batch import BatchClient, Call
from modelwire.models import GPT4o
from tests.support import openai_shapes as oa
from tests.support.batch_service import OpenAIBatchService
from tests.support.server import LoopbackServer, Reply

BAD = {
    "error": {
        "message": "Invalid value for 'temperature': must be at most 2.",
        "type": "invalid_request_error",
        "param": "temperature",
        "code": "invalid_value",
    }
}


def answer(custom_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if custom_id == "bad":
        return 400, BAD
    prompt = body["messages"][-1]["content"]
    return 200, oa.completion(f"re: {prompt}", prompt_tokens=11, completion_tokens=5)


def endpoint(url: str, key: str = "sk-test-batch-key") -> AIModelEndpoint:
    return AIModelEndpoint(AIModelAPI("openai", api_key=key, base_url=url + "/v1"), GPT4o)


@pytest.fixture
def service():
    with OpenAIBatchService(answer) as svc:
        yield svc


def direct(body: dict[str, Any], prompt: str) -> AIModelCallResponse[Any]:
    """The response of a direct call answered with `body`."""
    with LoopbackServer() as server:
        server.queue(Reply.json(body))
        with AIModelClient(endpoint(server.url)) as client:
            return client.generate(prompt=prompt)


def test_submit_wait_results_give_the_direct_calls_responses_at_batch_prices(service) -> None:
    calls = ["one", Call(prompt="two", custom_id="bad"), {"prompt": "three", "custom_id": "c3"}]
    seen: list[str] = []
    with BatchClient(endpoint(service.url)) as batches:
        job = batches.submit(calls, name="test")
        assert job.state == "queued" and job.provider == "openai"
        job.wait(poll_interval=0, progress=lambda j: seen.append(j.state))
        results = dict(job.results())
    assert seen[-1] == "completed" and "running" in seen
    assert (job.counts.total, job.counts.succeeded, job.counts.failed) == (3, 2, 1)
    assert job.done and job.ended_at is not None
    assert set(results) == {next(k for k in results if k.startswith("call-0-")), "bad", "c3"}
    error = results["bad"]
    assert isinstance(error, BadRequestError)
    assert error.status == 400 and error.code == "invalid_value"
    assert "must be at most 2" in str(error)
    got = results["c3"]
    assert isinstance(got, AIModelCallResponse)
    want = direct(oa.completion("re: three", prompt_tokens=11, completion_tokens=5), "three")
    assert got.chat_response is not None and want.chat_response is not None
    mine, theirs = got.chat_response.to_dict(), want.chat_response.to_dict()
    charge, full = mine.pop("usage_charge"), theirs.pop("usage_charge")
    assert mine == theirs
    assert charge["total"] == pytest.approx(full["total"] / 2)
    assert charge["dimensions"] == {"batch": "true"}


def test_each_line_is_the_body_a_direct_call_sends(service) -> None:
    config = AIModelCallConfig(max_output_tokens=20, temperature=0.3)
    with BatchClient(endpoint(service.url), config) as batches:
        batches.submit([Call(prompt="hi", instructions="Be brief", custom_id="a")])
    with AIModelClient(endpoint(service.url), config) as client:
        expected = client.request_body("hi", instructions="Be brief")
    job = next(iter(service.jobs.values()))
    assert job.lines == [("a", expected)]
    upload, create = service.requests[:2]
    assert upload.headers["authorization"] == "Bearer sk-test-batch-key"
    assert create.json()["endpoint"] == "/v1/chat/completions"
    assert create.json()["completion_window"] == "24h"


def test_async_client_reads_the_same_results(service) -> None:
    async def run() -> dict[str, Any]:
        async with BatchClient(endpoint(service.url), is_async=True) as batches:
            job = await batches.submit_async([Call(prompt="x", custom_id="x")])
            await job.wait_async(poll_interval=0)
            again = await batches.get_async(job.id)
            assert again.state == "completed"
            return {k: v async for k, v in job.results_async()}

    results = asyncio.run(run())
    response = results["x"]
    assert isinstance(response, AIModelCallResponse)
    assert response.chat_response is not None and response.chat_response.text() == "re: x"


def test_expired_calls_come_back_as_errors() -> None:
    with (
        OpenAIBatchService(answer, outcome="expired", answered=1) as svc,
        BatchClient(endpoint(svc.url)) as batches,
    ):
        job = batches.submit([Call(prompt=p, custom_id=p) for p in ("a", "b", "c")])
        job.wait(poll_interval=0)
        results = dict(job.results())
    assert job.state == "expired"
    assert isinstance(results["a"], AIModelCallResponse)
    for late in ("b", "c"):
        error = results[late]
        assert isinstance(error, ModelwireError) and error.code == "batch_expired"


def test_cancel_keeps_what_was_done(service) -> None:
    with BatchClient(endpoint(service.url)) as batches:
        job = batches.submit([Call(prompt=p, custom_id=p) for p in ("a", "b")])
        job.cancel()
        assert job.state == "cancelling"
        job.wait(poll_interval=0)
        results = dict(job.results())
    assert job.state == "cancelled"
    assert isinstance(results["a"], AIModelCallResponse)
    assert isinstance(results["b"], ModelwireError) and results["b"].code == "batch_cancelled"


def test_a_job_is_reopened_by_its_id_in_a_fresh_client(service) -> None:
    with BatchClient(endpoint(service.url)) as batches:
        job_id = batches.submit(["a", "b"]).id
    with BatchClient(endpoint(service.url)) as other:
        job = other.get(job_id).wait(poll_interval=0)
        assert [j.id for j in other.list()] == [job_id]
        assert len(list(other.results(job_id))) == 2
    assert job.to_dict()["state"] == "completed"


def test_limits_are_checked_before_anything_is_sent_and_submit_all_splits(service) -> None:
    with BatchClient(endpoint(service.url)) as batches:
        batches.info = dataclasses.replace(batches.info, max_requests=2)
        with pytest.raises(ConfigurationError, match=r"exceed one batch job.*at most 2 calls"):
            batches.submit(["a", "b", "c"])
        assert service.requests == []
        jobs = batches.submit_all(["a", "b", "c", "d", "e"], name="split")
    assert [j.counts.total for j in jobs] == [2, 2, 1]


@pytest.mark.parametrize(
    ("calls", "config", "message"),
    [
        (["a"], AIModelCallConfig(streaming=True), "not streamed"),
        ([{"prompt": "a", "temprature": 1}], None, "unknown key.*'temprature'"),
        ([Call(custom_id="x")], None, "neither a prompt nor messages"),
        ([Call("a", custom_id="x"), Call("b", custom_id="x")], None, "given twice"),
    ],
)
def test_bad_calls_are_refused_before_anything_is_sent(service, calls, config, message) -> None:
    with (
        BatchClient(endpoint(service.url), config) as batches,
        pytest.raises(ConfigurationError, match=message),
    ):
        batches.submit(calls)
    assert service.requests == []


def test_a_provider_or_protocol_without_a_batch_api_is_refused() -> None:
    api = AIModelAPI("deepseek", api_key="sk-x")
    with pytest.raises(ConfigurationError, match=r"no batch API.*providers with one: .*openai"):
        BatchClient(AIModelEndpoint(api, AIModel(model_name="deepseek-chat")))
    azure = AIModelAPI("microsoft_openai", api_key="k", config={"resource": "r"})
    model = AIModel(model_name="my-deployment")
    with pytest.raises(ConfigurationError, match=r"does not take openai_responses.*openai_chat"):
        BatchClient(AIModelEndpoint(azure, model, protocol="openai_responses"))


def test_a_job_request_error_is_typed_and_holds_no_secret(service) -> None:
    key = "sk-test-batch-key-echoed"
    service.server.responder = lambda rec: Reply.json(
        {
            "error": {
                "message": f"Incorrect API key provided: {key}",
                "type": "invalid_request_error",
            }
        },
        401,
    )
    with (
        BatchClient(endpoint(service.url, key)) as batches,
        pytest.raises(AuthenticationError) as caught,
    ):
        batches.get("batch_x")
    assert key not in str(caught.value) and caught.value.status == 401


def test_azure_global_batch_paths_query_and_key() -> None:
    with OpenAIBatchService(answer, prefix="/openai") as svc:
        api = AIModelAPI("microsoft_openai", api_key="azure-key-1234", base_url=svc.url)
        ep = AIModelEndpoint(api, AIModel(model_name="my-global-batch"))
        with BatchClient(ep) as batches:
            job = batches.submit([Call(prompt="a", custom_id="a")]).wait(poll_interval=0)
            results = dict(job.results())
    assert isinstance(results["a"], AIModelCallResponse)
    upload, create = svc.requests[:2]
    assert upload.path == "/openai/files?api-version=2024-10-21"
    assert upload.headers["api-key"] == "azure-key-1234"
    assert create.json()["endpoint"] == "/chat/completions"
    assert svc.jobs[job.id].lines[0][1]["model"] == "my-global-batch"


def test_reading_many_results_keeps_memory_flat() -> None:
    """20,000 results (~19 MB of JSON lines) read with the results' memory freed as they are
    read: once warm, the peak of Python allocations stays a small fraction of the file."""
    count = 20_000
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.batch_stream_server", str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        with BatchClient(endpoint(f"http://127.0.0.1:{port}")) as batches:
            job = batches.get("batch_big")
            read = 0
            for _, response in job.results():
                assert isinstance(response, AIModelCallResponse)
                read += 1
                if read == 100:  # warm: the wire models are built, the connection is open
                    tracemalloc.start()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    finally:
        proc.kill()
        proc.wait()
    assert read == count
    assert peak < 2_000_000, f"peak {peak:,} bytes"
