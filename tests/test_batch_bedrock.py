"""Amazon Bedrock batch inference (`bedrock_invocation_jobs`) through the public API
(`modelwire.batch`), sync and async, against a fake control plane and S3 on 127.0.0.1
(tests/support/batch_service_bedrock.py), requests signed with SigV4 from made-up AWS keys; and
the authored cassette of the control plane's exchanges (cassettes/amazon_bedrock/batch_job.yaml)
replayed against the real hosts' URLs.

Claude 3.7 Sonnet through InvokeModel (`bedrock_invoke`): a batch line's `modelInput` is the
body a direct InvokeModel call sends, and its `modelOutput` reads as the very response the
direct call gives, priced at the catalog's batch rate (Claude's `batch` dimension: half).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.cassettes import leading_comment, replay
from modelwire import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelCallResponse,
    AIModelClient,
    AIModelEndpoint,
    BadRequestError,
    ConfigurationError,
    ModelwireError,
)
from modelwire.batch import BatchClient, Call
from modelwire.batch._bedrock import BedrockInvocationJobs
from modelwire.models import Claude37Sonnet
from tests.support import bedrock_shapes as bd
from tests.support.batch_service_bedrock import BedrockBatchService
from tests.support.server import LoopbackServer, Reply

BEDROCK = AIModelAPIProviderEnum.AMAZON_BEDROCK
CREDS = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG"}
ROLE = "arn:aws:iam::123456789012:role/BedrockBatchInference"
STORAGE = "s3://modelwire-batch/jobs"
CONFIG = AIModelCallConfig(max_output_tokens=200)
CASSETTE = Path(__file__).parent.parent / "cassettes" / "amazon_bedrock" / "batch_job.yaml"
BAD_MESSAGE = "Malformed input request: #/temperature: 3.0 is not less or equal to 1.0"
N = 100  # Bedrock's least number of records in a job (its default quota)


@pytest.fixture(autouse=True)
def _no_bedrock_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)


def answer(custom_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if custom_id == "bad":
        return 400, {"message": BAD_MESSAGE}
    return 200, bd.claude_response(f"re: {body['messages'][-1]['content']}")


@pytest.fixture
def service():
    with BedrockBatchService(answer) as svc:
        yield svc


def endpoint(url: str, **kw: Any) -> AIModelEndpoint:
    kw = {"credentials": CREDS, **kw}
    api = AIModelAPI(BEDROCK, base_url=url, config={"region": "us-east-1"}, **kw)
    return AIModelEndpoint(api, Claude37Sonnet, protocol="bedrock_invoke")


def client(svc: BedrockBatchService, is_async: bool = False, **kw: Any) -> BatchClient:
    options = {"role_arn": ROLE, "s3_url": svc.url, **kw.pop("options", {})}
    kw.setdefault("storage", STORAGE)
    return BatchClient(endpoint(svc.url), CONFIG, is_async, options=options, **kw)


def calls(n: int = N, *extra: Call) -> list[Call]:
    return [Call(prompt=f"q{i}", custom_id=f"c{i}") for i in range(n - len(extra))] + [*extra]


def direct(body: dict[str, Any], prompt: str) -> AIModelCallResponse[Any]:
    """A direct InvokeModel call answered with `body`."""
    with LoopbackServer() as server:
        server.queue(Reply.json(body))
        with AIModelClient(endpoint(server.url), CONFIG) as c:
            response = c.generate(prompt=prompt)
        sent = server.requests[0]
    assert sent.path.endswith("/invoke")
    return response


# --- the whole flow ---------------------------------------------------------------------------


def test_results_are_the_direct_calls_responses_at_the_batch_rate(service) -> None:
    seen: list[str] = []
    with client(service) as batches:
        job = batches.submit(calls(N, Call(prompt="oops", custom_id="bad")), name="test-job")
        assert job.state == "queued" and job.state_raw == "Submitted"
        assert job.provider == "amazon_bedrock" and len(job.id) == 12
        job.wait(poll_interval=0, progress=lambda j: seen.append(j.state_raw or ""))
        results = dict(job.results())
    assert seen == ["Validating", "Scheduled", "InProgress", "PartiallyCompleted"]
    assert job.state == "completed" and job.ended_at is not None and job.ends_at is not None
    # the counts of the manifest (this job's JSON gives none)
    assert (job.counts.total, job.counts.succeeded, job.counts.failed) == (N, N - 1, 1)
    assert job.counts.pending == 0
    assert len(results) == N and service.problems == []
    got = results["c7"]
    assert isinstance(got, AIModelCallResponse)
    want = direct(bd.claude_response("re: q7"), "q7")
    assert got.chat_response is not None and want.chat_response is not None
    mine, theirs = got.chat_response.to_dict(), want.chat_response.to_dict()
    charge, full = mine.pop("usage_charge"), theirs.pop("usage_charge")
    assert mine == theirs
    # Claude's catalog entry has a batch rate (factor 0.5): the batch result is priced at it
    assert charge["dimensions"] == {"batch": "true"} and full.get("dimensions") is None
    assert charge["total"] == pytest.approx(full["total"] / 2) and charge["total"] > 0


def test_a_failed_record_is_a_typed_error_with_its_message(service) -> None:
    with client(service) as batches:
        job = batches.submit(calls(N, Call(prompt="oops", custom_id="bad")))
        job.wait(poll_interval=0)
        error = dict(job.results())["bad"]
    assert isinstance(error, BadRequestError)
    assert error.status == 400 and BAD_MESSAGE in str(error)


def test_the_input_file_and_the_job_request(service) -> None:
    with client(service) as batches:
        batches.submit(calls(), name="test-job")
    with AIModelClient(endpoint(service.url), CONFIG) as c:
        expected = c.request_body("q3")
    put, create, get = service.requests[:3]
    assert put.method == "PUT"
    assert put.path.startswith("/modelwire-batch/jobs/test-job-") and put.path.endswith(".jsonl")
    lines = [json.loads(x) for x in put.body.splitlines()]
    assert len(lines) == N and lines[3] == {"recordId": "c3", "modelInput": expected}
    assert put.headers["x-amz-content-sha256"] == hashlib.sha256(put.body).hexdigest()
    assert "/us-east-1/s3/aws4_request" in put.headers["authorization"]
    assert (create.method, create.path) == ("POST", "/model-invocation-job")
    assert "/us-east-1/bedrock/aws4_request" in create.headers["authorization"]
    key = put.path.removeprefix("/modelwire-batch/")
    assert create.json() == {
        "jobName": "test-job",
        "roleArn": ROLE,
        "modelId": "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "inputDataConfig": {
            "s3InputDataConfig": {"s3Uri": f"s3://modelwire-batch/{key}", "s3InputFormat": "JSONL"}
        },
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://modelwire-batch/jobs/output/"}},
    }
    assert get.method == "GET" and get.path.startswith("/model-invocation-job/")


def test_async_submit_wait_results(service) -> None:
    async def run() -> dict[str, Any]:
        async with client(service, is_async=True) as batches:
            job = await batches.submit_async(calls())
            await job.wait_async(poll_interval=0)
            assert job.state == "completed" and job.state_raw == "Completed"
            again = await batches.get_async(job.id)
            assert again.counts.succeeded == N
            listed = await batches.list_async()
            assert [j.id for j in listed] == [job.id]
            return {k: v async for k, v in job.results_async()}

    results = asyncio.run(run())
    assert len(results) == N and service.problems == []
    response = results["c42"]
    assert isinstance(response, AIModelCallResponse) and response.chat_response is not None
    assert response.chat_response.text() == "re: q42"


def test_stop_keeps_what_was_done(service) -> None:
    with client(service) as batches:
        job = batches.submit(calls())
        job.cancel()
        assert job.state == "cancelling" and job.state_raw == "Stopping"
        job.wait(poll_interval=0)
        results = dict(job.results())
    assert job.state == "cancelled" and job.state_raw == "Stopped"
    stop = next(r for r in service.requests if r.path.endswith("/stop"))
    assert stop.method == "POST" and stop.body == b""
    assert list(results) == ["c0"]  # the one record run before the stop
    assert (job.counts.total, job.counts.succeeded, job.counts.pending) == (N, 1, N - 1)


def test_list_and_reopen_by_id_in_a_fresh_client(service) -> None:
    with client(service) as batches:
        first = batches.submit(calls(), name="one").id
        second = batches.submit(calls(), name="two").id
    with client(service) as other:
        assert [j.id for j in other.list()] == [second, first]
        assert [j.id for j in other.list(limit=1)] == [second]
        job = other.get(first).wait(poll_interval=0)
        assert job.state == "completed"
        assert len(list(other.results(first))) == N
    listing = next(r for r in service.requests if r.path.startswith("/model-invocation-jobs"))
    assert "maxResults=20" in listing.path and "sortBy=CreationTime" in listing.path


def test_results_are_read_across_listing_pages_and_counts_from_the_job() -> None:
    with BedrockBatchService(answer, page_size=1, job_counts=True) as svc:
        with client(svc) as batches:
            job = batches.submit(calls()).wait(poll_interval=0)
            assert job.counts.succeeded == N
            results = list(job.results())
        lists = [r for r in svc.requests if "list-type=2" in r.path]
        assert len(results) == N and svc.problems == []
    # the job's JSON gave the counts (no manifest read); the results' listing took two pages
    assert len(lists) == 2 and "continuation-token=1" in lists[1].path


def test_expired_job_gives_what_was_done() -> None:
    with (
        BedrockBatchService(answer, outcome="expired", answered=2) as svc,
        client(svc) as batches,
    ):
        job = batches.submit(calls()).wait(poll_interval=0)
        results = dict(job.results())
    assert job.state == "expired" and list(results) == ["c0", "c1"]


def test_the_job_host_and_the_s3_host_come_from_the_spec() -> None:
    api = AIModelAPI(BEDROCK, credentials=CREDS, config={"region": "eu-west-1"})
    ep = AIModelEndpoint(api, Claude37Sonnet, protocol="bedrock_invoke")
    with BatchClient(ep, storage=STORAGE, options={"role_arn": ROLE}) as batches:
        assert batches.base_url == "https://bedrock.eu-west-1.amazonaws.com"
        assert isinstance(batches.style, BedrockInvocationJobs)
        req = batches.style.s3("GET", "modelwire-batch", "jobs/a.jsonl")
    assert req.path == "https://modelwire-batch.s3.eu-west-1.amazonaws.com/jobs/a.jsonl"


# --- refused before anything is sent ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"options": {"role_arn": ""}}, "role_arn"),
        ({"storage": None}, "storage='s3://bucket/prefix'"),
        ({"storage": "gs://bucket/x"}, "is not an S3 URI"),
        ({"storage": "s3://modelwire-batch/a b"}, "in its prefix"),
    ],
)
def test_missing_role_or_storage_is_refused_before_any_request(service, kw, message) -> None:
    with client(service, **kw) as batches, pytest.raises(ConfigurationError, match=message):
        batches.submit(calls())
    assert service.requests == []


def test_too_few_records_or_a_bad_name_is_refused_before_any_request(service) -> None:
    with client(service) as batches:
        with pytest.raises(ConfigurationError, match="at least 100 calls, not 99"):
            batches.submit(calls(99))
        with pytest.raises(ConfigurationError, match="job name"):
            batches.submit(calls(), name="bad name!")
    assert service.requests == []


def test_an_api_key_alone_is_refused_before_any_request(service) -> None:
    api = AIModelAPI(
        BEDROCK,
        api_key="bedrock-api-key-test",
        base_url=service.url,
        config={"region": "us-east-1"},
    )
    ep = AIModelEndpoint(api, Claude37Sonnet, protocol="bedrock_invoke")
    try:
        with (
            pytest.raises(ConfigurationError, match="AWS credentials"),
            BatchClient(ep, storage=STORAGE, options={"role_arn": ROLE}) as batches,
        ):
            batches.submit(calls())
    finally:
        assert service.requests == []


def test_converse_calls_are_not_taken(service) -> None:
    api = AIModelAPI(BEDROCK, credentials=CREDS, config={"region": "us-east-1"})
    with pytest.raises(ConfigurationError, match="bedrock_invoke"):
        BatchClient(AIModelEndpoint(api, Claude37Sonnet, protocol="bedrock_converse"))


def test_a_job_request_error_is_typed(service) -> None:
    with client(service) as batches, pytest.raises(ModelwireError) as caught:
        batches.get("zzzzzzzzzzzz")
    assert caught.value.status == 404 and "could not be found" in str(caught.value)
    assert type(caught.value).__name__ == "NotFoundError"


# --- the authored cassette ---------------------------------------------------------------------


def test_the_cassettes_control_plane_exchanges_replay() -> None:
    api = AIModelAPI(BEDROCK, credentials=CREDS, config={"region": "us-east-1"})
    ep = AIModelEndpoint(api, Claude37Sonnet, protocol="bedrock_invoke")
    work = [Call(prompt=f"Question {i}", custom_id=f"CALL{i:07d}") for i in range(1, N + 1)]
    with replay(CASSETTE) as cassette:
        with BatchClient(ep, CONFIG, storage=STORAGE, options={"role_arn": ROLE}) as batches:
            job = batches.submit(work, name="modelwire-contract-batch")
            assert (job.id, job.state, job.state_raw) == ("a1b2c3d4e5f6", "queued", "Submitted")
            job.refresh()
            assert (job.state, job.state_raw) == ("running", "InProgress")
            job.cancel()
            assert (job.state, job.state_raw) == ("cancelling", "Stopping")
            listed = batches.list(limit=10)
        assert cassette.all_played
    assert [j.id for j in listed] == ["a1b2c3d4e5f6"] and listed[0].state == "cancelled"
    assert (
        job.created_at is not None
        and job.created_at.isoformat() == "2026-12-07T10:00:00.512000+00:00"
    )
    assert job.ends_at is not None and job.ends_at.day == 14 and listed[0].ended_at is not None
    recorded = cassette.requests
    put = recorded[0]
    assert put.method == "PUT" and put.uri.startswith("https://modelwire-batch.s3.us-east-1.")


def test_the_cassettes_requests_are_the_ones_modelwire_sends() -> None:
    api = AIModelAPI(BEDROCK, credentials=CREDS, config={"region": "us-east-1"})
    ep = AIModelEndpoint(api, Claude37Sonnet, protocol="bedrock_invoke")
    work = [Call(prompt=f"Question {i}", custom_id=f"CALL{i:07d}") for i in range(1, N + 1)]
    with BatchClient(ep, CONFIG, storage=STORAGE, options={"role_arn": ROLE}) as batches:
        flow = batches.style.submit(batches.lines(work), "modelwire-contract-batch")
        put = flow.send(None)
        create = flow.send({})
    recorded = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))["interactions"]
    assert recorded[0]["request"]["uri"] == put.path and put.content is not None
    assert recorded[0]["request"]["body"] == put.content.decode()
    assert recorded[0]["request"]["headers"]["x-amz-content-sha256"] == [
        put.headers["x-amz-content-sha256"]
    ]
    assert json.loads(recorded[1]["request"]["body"]) == create.json


def test_the_cassette_says_where_it_came_from() -> None:
    comment = leading_comment(CASSETTE)
    assert comment[0].startswith("Authored from AWS's Amazon Bedrock API reference on 2026-12-07")
    cited = [comment[0].rsplit(": ", 1)[1]] + [
        line.split("also: ", 1)[1] for line in comment if "also: " in line
    ]
    assert all(url.startswith("https://docs.aws.amazon.com/") for url in cited)
    index = (CASSETTE.parent.parent / "README.md").read_text(encoding="utf-8")
    if "amazon_bedrock/batch_job.yaml" not in index:
        pytest.skip("cassettes/README.md has no row for this cassette yet")
    assert "| [`amazon_bedrock/batch_job.yaml`](amazon_bedrock/batch_job.yaml) |" in index


@pytest.mark.parametrize(
    ("line", "status", "kind"),
    [
        ({"errorCode": 400, "errorMessage": BAD_MESSAGE}, 400, "BadRequestError"),
        ({"errorCode": "400", "errorMessage": BAD_MESSAGE}, 400, "BadRequestError"),
        ({"errorCode": 429, "errorMessage": "Too many requests"}, 429, "RateLimitError"),
        ({"errorMessage": BAD_MESSAGE}, None, None),
    ],
)
def test_a_result_lines_error_is_typed(service, line, status, kind) -> None:
    with client(service) as batches:
        record = batches.style.record({"recordId": "r1", "modelInput": {}, "error": line})
        custom_id, error = batches.result(record)
    assert custom_id == "r1" and isinstance(error, ModelwireError)
    assert record.status == status and line["errorMessage"] in str(error)
    if kind is not None:
        assert type(error).__name__ == kind
