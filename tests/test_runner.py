"""The live runner (`modelwire.batch._runner`) and its rate limiter (`_limiter`): against
OpenAI-shaped servers on 127.0.0.1, one of them enforcing a rate limit as OpenAI documents
it; the limiter's header reading and pacing with a fake clock; `modelwire run`."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from modelwire import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    BadRequestError,
    BudgetExceededError,
    ConfigurationError,
    CostTracker,
    RateLimitError,
)
from modelwire.batch import Progress, arun, run
from modelwire.batch._items import Call
from modelwire.batch._limiter import RateLimiter, parse_reset, read_limits, retry_delay
from modelwire.models import GPT4o
from tests.support import openai_shapes as oa
from tests.support.ratelimit_server import Bucket, RateLimited, go_duration
from tests.support.server import LoopbackServer, Recorded, Reply

ROOT = Path(__file__).resolve().parent.parent
CALL_COST = (9 * 2.5 + 3 * 10.0) / 1e6  # GPT-4o, 9 prompt and 3 completion tokens


def _prompt(rec: Recorded) -> str:
    return rec.json()["messages"][-1]["content"]


def echo(rec: Recorded) -> Reply:
    """The prompt back; "slow..." prompts after 0.3 s, "bad..." ones refused (400)."""
    prompt = _prompt(rec)
    if prompt.startswith("bad"):
        return Reply.json({"error": {"message": "bad prompt", "type": "invalid"}}, status=400)
    return Reply.json(
        oa.completion(f"echo {prompt}"), header_delay=0.3 if prompt.startswith("slow") else 0.0
    )


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(responder=echo) as srv:
        yield srv


def endpoint(url: str) -> AIModelEndpoint:
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key="sk-test", base_url=url + "/v1")
    return AIModelEndpoint(api=api, ai_model=GPT4o)


def texts(results: list[Any]) -> list[str]:
    return [r.chat_response.text() for _, r in results]


# --- the runner ---------------------------------------------------------------------------


def test_ordered_results_come_in_input_order(server: LoopbackServer) -> None:
    prompts = ["slow 0", *(f"p{i}" for i in range(1, 20))]
    with AIModelClient(endpoint(server.url)) as client:
        results = list(run(client, prompts, concurrency=4))
    assert texts(results) == [f"echo {p}" for p in prompts]
    assert all(cid.startswith(f"call-{i}-") for i, (cid, _) in enumerate(results))


def test_as_completed_does_not_wait_for_a_slow_call(server: LoopbackServer) -> None:
    prompts = ["slow 0", *(f"p{i}" for i in range(1, 12))]
    calls = [Call(prompt=p, custom_id=f"id-{p}") for p in prompts]
    with AIModelClient(endpoint(server.url)) as client:
        results = list(run(client, calls, concurrency=4, ordered=False, limiter=False))
    assert sorted(cid for cid, _ in results) == sorted(f"id-{p}" for p in prompts)
    assert results[0][0] != "id-slow 0"
    assert results[-1][0] == "id-slow 0"


async def test_async_ordered_and_as_completed(server: LoopbackServer) -> None:
    prompts = ["slow 0", *(f"p{i}" for i in range(1, 12))]

    async def source() -> Any:
        for p in prompts:
            yield {"prompt": p, "custom_id": p}

    async with AIModelClient(endpoint(server.url), is_async=True) as client:
        ordered = [r async for r in arun(client, prompts, concurrency=4)]
        completed = [
            r async for r in arun(client, source(), concurrency=4, ordered=False, limiter=False)
        ]
    assert texts(ordered) == [f"echo {p}" for p in prompts]
    assert sorted(cid for cid, _ in completed) == sorted(prompts)
    assert completed[-1][0] == "slow 0"


def test_calls_are_read_lazily_and_no_more_than_concurrency_in_flight(
    server: LoopbackServer,
) -> None:
    taken = 0

    def million() -> Iterator[str]:
        nonlocal taken
        for i in range(1_000_000):
            taken += 1
            yield f"p{i}"

    with AIModelClient(endpoint(server.url)) as client:
        results = run(client, million(), concurrency=4)
        first = list(itertools.islice(results, 5))
        results.close()  # type: ignore[attr-defined]
    assert texts(first) == [f"echo p{i}" for i in range(5)]
    assert taken <= 5 + 2 * 4 + 1  # taken, plus at most the window of 2 x concurrency
    assert len(server.requests) <= taken


async def test_async_reads_lazily(server: LoopbackServer) -> None:
    taken = 0

    def million() -> Iterator[str]:
        nonlocal taken
        for i in range(1_000_000):
            taken += 1
            yield f"p{i}"

    async with AIModelClient(endpoint(server.url), is_async=True) as client:
        results = arun(client, million(), concurrency=4, ordered=False)
        first = [await results.__anext__() for _ in range(5)]
        await results.aclose()  # type: ignore[attr-defined]
    assert len(first) == 5
    assert taken <= 5 + 2 * 4 + 1


def test_errors_are_returned_per_call(server: LoopbackServer) -> None:
    with AIModelClient(endpoint(server.url), AIModelCallConfig(retries=0)) as client:
        results = list(run(client, ["a", "bad b", "c"], concurrency=2))
    assert isinstance(results[1][1], BadRequestError)
    assert results[1][1].status == 400
    assert texts([results[0], results[2]]) == ["echo a", "echo c"]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_budget_stops_sending_and_returns_every_call_not_sent(
    server: LoopbackServer, concurrency: int
) -> None:
    tracker = CostTracker()
    budget = 9.5 * CALL_COST  # spent by the 10th call
    with AIModelClient(endpoint(server.url)) as client:
        results = list(
            run(
                client,
                [f"p{i}" for i in range(30)],
                concurrency=concurrency,
                cost_tracker=tracker,
                budget=budget,
            )
        )
    assert len(results) == 30
    sent = [r for _, r in results if not isinstance(r, BudgetExceededError)]
    skipped = [r for _, r in results if isinstance(r, BudgetExceededError)]
    assert len(server.requests) == len(sent) == tracker.calls
    assert 10 <= len(sent) <= 10 + concurrency - 1  # calls in flight finish
    assert len(sent) + len(skipped) == 30
    assert tracker.total.total == pytest.approx(len(sent) * CALL_COST)
    if concurrency == 1:
        assert len(sent) == 10


async def test_async_budget_with_the_config_tracker_counts_once(server: LoopbackServer) -> None:
    tracker = CostTracker()
    config = AIModelCallConfig(cost_tracker=tracker)
    async with AIModelClient(endpoint(server.url), config, is_async=True) as client:
        results = [
            r
            async for r in arun(
                client, [f"p{i}" for i in range(12)], cost_tracker=tracker, budget=4.5 * CALL_COST
            )
        ]
    sent = sum(not isinstance(r, BudgetExceededError) for _, r in results)
    assert tracker.calls == sent == len(server.requests)
    assert len(results) == 12


def test_a_budget_of_zero_sends_nothing(server: LoopbackServer) -> None:
    with AIModelClient(endpoint(server.url)) as client:
        results = list(run(client, ["a", "b"], budget=0))
    assert [type(r) for _, r in results] == [BudgetExceededError] * 2
    assert server.requests == []


def test_progress_reports_each_result(server: LoopbackServer) -> None:
    seen: list[Progress] = []
    tracker = CostTracker()
    with AIModelClient(endpoint(server.url), AIModelCallConfig(retries=0)) as client:
        list(run(client, ["a", "bad", "c", "d"], cost_tracker=tracker, progress=seen.append))
    assert [p.done for p in seen] == [1, 2, 3, 4]
    last = seen[-1]
    assert (last.failed, last.skipped, last.issued, last.in_flight) == (1, 0, 4, 0)
    assert last.cost == pytest.approx(3 * CALL_COST)
    assert last.elapsed > 0


def test_streamed_calls_come_back_accumulated(server: LoopbackServer) -> None:
    server.responder = lambda rec: Reply.sse(oa.stream_events(["Hel", "lo"]))
    with AIModelClient(endpoint(server.url), AIModelCallConfig(streaming=True)) as client:
        results = list(run(client, ["a", "b"], cost_tracker=CostTracker()))
    assert texts(results) == ["Hello", "Hello"]


async def test_async_streamed_calls_come_back_accumulated(server: LoopbackServer) -> None:
    server.responder = lambda rec: Reply.sse(oa.stream_events(["Hel", "lo"]))
    config = AIModelCallConfig(streaming=True)
    async with AIModelClient(endpoint(server.url), config, is_async=True) as client:
        results = [r async for r in arun(client, ["a", "b"])]
    assert texts(results) == ["Hello", "Hello"]


def test_a_429_that_gets_through_is_sent_again_after_the_wait(server: LoopbackServer) -> None:
    limited = Reply.json(
        {"error": {"message": "slow down", "code": "rate_limit_exceeded"}},
        status=429,
        headers={"retry-after-ms": "50"},
    )
    server.queue(limited)
    seen: list[Progress] = []
    limiter = RateLimiter()
    with AIModelClient(endpoint(server.url), AIModelCallConfig(retries=0)) as client:
        started = time.monotonic()
        results = list(run(client, ["a"], limiter=limiter, progress=seen.append))
    assert texts(results) == ["echo a"]
    assert seen[-1].rate_limited == 1 and limiter.rate_limited == 1
    assert time.monotonic() - started >= 0.05
    with AIModelClient(endpoint(server.url), AIModelCallConfig(retries=0)) as client:
        server.queue(limited)
        results = list(run(client, ["b"], limiter=False))
    assert isinstance(results[0][1], RateLimitError)  # no limiter: returned as it came


def test_the_runs_of_one_client_share_its_limiter(server: LoopbackServer) -> None:
    from modelwire.batch._runner import _limiter_for

    with AIModelClient(endpoint(server.url)) as client:
        list(run(client, ["a", "b"]))
        list(run(client, ["c"]))
        assert _limiter_for(client).calls == 3
        assert _limiter_for(client).in_flight == 0
        list(run(client, ["d"], limiter=False))
        assert _limiter_for(client).calls == 3


def test_bad_arguments_raise_before_anything_is_sent(server: LoopbackServer) -> None:
    with AIModelClient(endpoint(server.url)) as client:
        for kwargs in ({"concurrency": 0}, {"budget": -1}, {"limiter": "yes"}):
            with pytest.raises(ConfigurationError):
                run(client, ["a"], **kwargs)
    async_client = AIModelClient(endpoint(server.url), is_async=True)
    with pytest.raises(ConfigurationError, match="arun"):
        run(async_client, ["a"])  # type: ignore[arg-type]
    assert server.requests == []


def test_a_bad_call_stops_the_run_after_the_calls_in_flight(server: LoopbackServer) -> None:
    got: list[Any] = []
    with (
        AIModelClient(endpoint(server.url)) as client,
        pytest.raises(ConfigurationError, match="call 2"),
    ):
        for result in run(client, ["a", "b", 5, "c"], concurrency=1):  # type: ignore[list-item]
            got.append(result)
    assert texts(got) == ["echo a", "echo b"]


# --- the limiter: reading headers ---------------------------------------------------------

WALL = 1_800_000_000.0  # a Unix time: 2027-01-15


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("20", 20.0),
        ("1.5", 1.5),
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("120ms", 0.12),
        ("2m59.56s", 179.56),
        ("1h2m", 3720.0),
        ("250µs", 0.00025),
        ("2027-01-15T08:00:12Z", 12.0),
        ("2027-01-15T08:00:12.500000123+00:00", 12.5),
        (str(WALL + 30), 30.0),  # a Unix time
        (format_datetime(datetime.fromtimestamp(WALL + 7, timezone.utc), usegmt=True), 7.0),
        ("2027-01-15T07:59:00Z", 0.0),  # past: now
    ],
)
def test_reset_values_in_every_form(value: str, seconds: float) -> None:
    assert datetime.fromtimestamp(WALL, timezone.utc).isoformat() == "2027-01-15T08:00:00+00:00"
    assert parse_reset(value, WALL) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["", "soon", "1x", "s", "12:00", "NaN", "inf", "--1"])
def test_unknown_reset_forms_are_ignored(value: str) -> None:
    assert parse_reset(value, WALL) is None


def test_headers_are_read_by_their_shape_not_by_provider() -> None:
    headers = {
        "X-RateLimit-Limit-Requests": "500",
        "x-ratelimit-remaining-requests": "499",
        "x-ratelimit-reset-requests": "120ms",
        "x-ratelimit-limit-tokens": "30000",
        "x-ratelimit-remaining-tokens": "29000",
        "x-ratelimit-reset-tokens": "2s",
        "anthropic-ratelimit-input-tokens-remaining": "4000",
        "anthropic-ratelimit-input-tokens-reset": "2027-01-15T08:00:30Z",
        "content-type": "application/json",
        "x-ratelimit-remaining-requests-day": "not a number",
    }
    assert read_limits(headers, WALL) == {
        "requests": {"limit": 500, "remaining": 499, "reset": pytest.approx(0.12)},
        "tokens": {"limit": 30000, "remaining": 29000, "reset": 2.0},
        "input-tokens": {"remaining": 4000, "reset": 30.0},
    }
    ietf = {"RateLimit-Limit": "100", "RateLimit-Remaining": "7", "RateLimit-Reset": "3"}
    assert read_limits(ietf, WALL) == {"requests": {"limit": 100, "remaining": 7, "reset": 3.0}}
    structured = {"RateLimit": '"default";r=50;t=30', "RateLimit-Policy": '"default";q=100;w=60'}
    assert read_limits(structured, WALL) == {"requests": {"remaining": 50, "reset": 30}}


def test_retry_after_in_every_form() -> None:
    assert retry_delay({"Retry-After": "2"}, WALL) == 2.0
    assert retry_delay({"retry-after-ms": "1500", "retry-after": "2"}, WALL) == 1.5
    date = format_datetime(datetime.fromtimestamp(WALL + 5, timezone.utc), usegmt=True)
    assert retry_delay({"retry-after": date}, WALL) == pytest.approx(5.0)
    assert retry_delay({"retry-after": "whenever"}, WALL) is None
    assert retry_delay({}, WALL) is None


# --- the limiter: pacing, on a fake clock -------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def limiter(**kwargs: Any) -> tuple[RateLimiter, Clock]:
    clock = Clock()
    return RateLimiter(clock=clock, wall=lambda: WALL + clock.now, **kwargs), clock


def requests_left(remaining: int, reset: str) -> dict[str, str]:
    return {"x-ratelimit-remaining-requests": str(remaining), "x-ratelimit-reset-requests": reset}


def went(lim: RateLimiter, clock: Clock, n: int) -> list[float]:
    """When each of `n` calls went (from now, on the fake clock), each waiting as told."""
    start, times = clock.now, []
    for _ in range(n):
        while (delay := lim.try_acquire()[0]) > 0:
            clock.now += delay
        times.append(round(clock.now - start, 9))
    return times


def test_what_is_left_is_spread_over_the_time_to_reset() -> None:
    lim, clock = limiter()
    assert went(lim, clock, 1) == [0.0]
    assert lim.try_acquire()[0] == pytest.approx(0.02)  # the others wait for the first answer
    lim.done(None)
    assert went(lim, clock, 2) == [0.0, 0.0]  # answered, no limits stated: at once
    for _ in range(2):
        lim.done(None)
    lim.observe(requests_left(10, "1s"))
    times = went(lim, clock, 12)
    assert times[:10] == pytest.approx([i / 10 for i in range(10)])  # ten within the second
    assert times[10:] == pytest.approx([1.0, 1.1])  # the reset, then ten more a second


def test_the_others_wait_for_the_first_answer_a_while_only() -> None:
    lim, clock = limiter(first_wait=0.5)
    assert went(lim, clock, 2) == [0.0, 0.5]
    lim, clock = limiter(first_wait=0)
    assert went(lim, clock, 2) == [0.0, 0.0]


def test_calls_in_flight_are_taken_off_what_is_left() -> None:
    lim, clock = limiter()
    lim.observe({})  # an answer without limits: no waiting for the first
    went(lim, clock, 5)
    lim.done(None)  # one back; four still in flight
    lim.observe(requests_left(5, "1s"))
    assert went(lim, clock, 2) == [0.0, 1.0]  # 5 - 4 in flight: one, then the reset


def test_a_response_counts_only_the_calls_sent_after_it_and_old_news_is_skipped() -> None:
    lim, clock = limiter()
    lim.observe({})
    turns = [lim.try_acquire()[1] for _ in range(5)]
    assert turns == [0, 1, 2, 3, 4]
    lim.done(None, turns[1])  # sent second: the three sent after it are still in flight
    lim.observe(requests_left(5, "1s"), turn=turns[1])
    assert went(lim, clock, 3) == [0.0, 0.5, 1.0]  # 5 - 3 left: two in the second
    lim.done(None, turns[0])  # an older answer saying more is left: stale, skipped
    lim.observe(requests_left(100, "1s"), turn=turns[0])
    assert lim.try_acquire()[0] > 0


def test_a_reset_that_passed_stops_the_pacing() -> None:
    lim, clock = limiter()
    lim.observe(requests_left(0, "2s"))
    assert lim.try_acquire()[0] == pytest.approx(2.0)
    assert lim.in_flight == 0  # nothing taken
    clock.now += 5
    assert lim.try_acquire()[0] == 0.0
    assert lim.in_flight == 1


def test_a_spent_limit_is_renewed_at_its_reset_not_sent_all_at_once() -> None:
    lim, clock = limiter()
    lim.observe({"x-ratelimit-limit-requests": "4", **requests_left(0, "1s")})
    times = went(lim, clock, 9)
    assert times == pytest.approx([1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0])


def test_retry_after_pauses_everyone() -> None:
    lim, clock = limiter()
    lim.observe({"retry-after": "3"}, status=429)
    assert [lim.try_acquire()[0] for _ in range(3)] == [3.0, 3.0, 3.0]
    assert lim.rate_limited == 1
    clock.now += 3
    assert lim.try_acquire()[0] == 0.0
    lim.observe({}, status=429)  # a 429 that says nothing: a short pause all the same
    assert lim.try_acquire()[0] == pytest.approx(1.0)


def test_tokens_pace_by_the_mean_tokens_a_call_used() -> None:
    lim, clock = limiter()
    headers = {
        **requests_left(10_000, "1s"),
        "x-ratelimit-remaining-tokens": "1000",
        "x-ratelimit-reset-tokens": "1s",
    }
    lim.observe(headers, input_tokens=90, output_tokens=10)  # 100 a call: 10 calls a second
    assert went(lim, clock, 11) == pytest.approx([i / 10 for i in range(11)])


def test_input_tokens_count_only_the_input() -> None:
    lim, clock = limiter()
    headers = {
        "anthropic-ratelimit-input-tokens-remaining": "900",
        "anthropic-ratelimit-input-tokens-reset": "2027-01-15T08:01:41Z",  # 1 s from now
    }
    lim.observe(headers, input_tokens=90, output_tokens=1000)
    assert went(lim, clock, 2) == pytest.approx([0.0, 0.1])


def test_a_long_reset_is_spread_over_the_horizon_only() -> None:
    lim, clock = limiter(horizon=60.0)
    lim.observe(requests_left(1000, "20h0m0s"))  # a daily quota
    assert went(lim, clock, 2) == pytest.approx([0.0, 0.06])


def test_explicit_caps() -> None:
    lim, clock = limiter(requests_per_minute=120, first_wait=0)
    assert went(lim, clock, 3) == [0.0, 0.5, 1.0]
    lim, clock = limiter(tokens_per_minute=6000)
    lim.observe({}, input_tokens=50, output_tokens=50)  # 100 a call: one a second
    assert went(lim, clock, 2) == [0.0, 1.0]
    with pytest.raises(ConfigurationError):
        RateLimiter(requests_per_minute=0)


def test_the_limiter_never_raises_on_junk() -> None:
    lim, _ = limiter()
    lim.observe(
        {
            "x-ratelimit-remaining-requests": "-5",
            "x-ratelimit-reset-requests": "a while",
            "ratelimit": "garbage;;r=;t=x",
            "x-ratelimit-": "1",
            "retry-after": "",
        },
        status=200,
    )
    assert lim.try_acquire()[0] == 0.0


async def test_acquire_async_waits_without_blocking_the_loop() -> None:
    lim = RateLimiter()
    lim.observe({"retry-after-ms": "100"})
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.ensure_future(tick())
    assert await lim.acquire_async() == 0  # the first turn
    ticker.cancel()
    assert lim.waited >= 0.09
    assert ticks >= 3


# --- the rate-limited server ----------------------------------------------------------------


def test_the_server_limits_as_documented() -> None:
    now = [0.0]
    bucket = Bucket(10, 1.0, "bucket", clock=lambda: now[0])
    assert all(bucket.take(1, 0.0) for _ in range(10))
    assert not bucket.take(1, 0.0)
    assert bucket.headers("requests", 0.0) == {
        "x-ratelimit-limit-requests": "10",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "1s",
    }
    assert bucket.take(1, 0.1)  # a tenth of the limit back each tenth of the window
    fixed = Bucket(10, 1.0, "fixed", clock=lambda: now[0])
    assert all(fixed.take(1, 0.5) for _ in range(10))
    assert not fixed.take(1, 0.99)
    assert fixed.take(1, 1.0)
    assert [go_duration(s) for s in (0.017, 1.5, 360.0, 0.0005)] == [
        "17ms",
        "1.5s",
        "6m0s",
        "500µs",
    ]


def _limited_server(limit: int, mode: str) -> tuple[subprocess.Popen[str], str]:
    """The rate-limited server in a process of its own (not sharing this one's GIL)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.ratelimit_server",
            "--limit",
            f"{limit}",
            "--mode",
            mode,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def _stats(url: str) -> dict[str, Any]:
    import httpx2

    return httpx2.get(url + "/_stats").json()


@pytest.mark.parametrize(("mode", "is_async"), [("bucket", False), ("fixed", True)])
def test_a_rate_limited_run_learns_the_limit_and_keeps_to_it(mode: str, is_async: bool) -> None:
    limit, calls = 150, 450  # requests a second; three windows' worth
    proc, url = _limited_server(limit, mode)
    try:
        started = time.monotonic()
        if is_async:
            results = asyncio.run(_arun_all(url, calls))
        else:
            with AIModelClient(endpoint(url)) as client:
                results = list(run(client, (f"p{i}" for i in range(calls)), concurrency=16))
        elapsed = time.monotonic() - started
        stats = _stats(url)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)
    assert all(not isinstance(r, Exception) for _, r in results)
    assert stats["refused_after_window"] == 0, stats  # none once it has learned the limit
    # the best possible: the first window's limit at once, the rest at the limit's rate
    best = (calls - limit) / limit
    assert elapsed >= best * 0.9, stats  # it did not go faster than the limit allows
    assert elapsed <= best / 0.5 + 2, stats  # generous: a loaded machine; see the bench


@pytest.mark.parametrize("mode", ["bucket", "fixed"])
def test_a_limit_below_the_concurrency_is_not_overrun(mode: str) -> None:
    limited = RateLimited(limit=10, mode=mode)  # 10 a second, 16 calls in flight
    with LoopbackServer(responder=limited) as srv:
        srv.record = False
        with AIModelClient(endpoint(srv.url)) as client:
            results = list(run(client, (f"p{i}" for i in range(25)), concurrency=16))
    stats = limited.stats()
    assert all(not isinstance(r, Exception) for _, r in results)
    assert stats["refused_after_window"] == 0, stats  # the first call alone taught the limit
    assert stats["seconds"] >= (25 - 10) / 10 * 0.9, stats


def test_a_token_limit_is_kept_too() -> None:
    limited = RateLimited(limit=1000, tokens=2000, tokens_per_call=20)  # 100 calls a second
    with LoopbackServer(responder=limited) as srv:
        srv.record = False
        with AIModelClient(endpoint(srv.url)) as client:
            results = list(run(client, (f"p{i}" for i in range(250)), concurrency=8))
    stats = limited.stats()
    assert all(not isinstance(r, Exception) for _, r in results)
    assert stats["refused_after_window"] == 0, stats
    assert stats["seconds"] >= (250 - 100) / 100 * 0.9, stats  # paced by tokens, not requests


async def _arun_all(url: str, calls: int) -> list[Any]:
    async with AIModelClient(endpoint(url), is_async=True) as client:
        return [r async for r in arun(client, (f"p{i}" for i in range(calls)), concurrency=16)]


# --- modelwire run --------------------------------------------------------------------------


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "modelwire.cli", *args],
        capture_output=True,
        text=True,
        env={**env, "OPENAI_API_KEY": "sk-test"},
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        timeout=60,
    )


def test_cli_run_writes_a_line_per_result_and_the_cost(
    server: LoopbackServer, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    lines = ['"one"', '{"prompt": "two", "custom_id": "b"}', "", '{"prompt": "bad three"}']
    calls.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = cli(
        "run", str(calls), "-m", "gpt-4o", "--base-url", server.url + "/v1", "-o", str(out),
        "--retries", "0", "-s", "Be brief",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # one call failed
    assert done.stdout == ""
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert results[1]["custom_id"] == "b"
    assert results[0]["response"]["chat_response"]["choices"][0]["contents"][0]["text"] == (
        "echo one"
    )
    assert results[2]["error"] == {
        "type": "BadRequestError",
        "message": "bad prompt",
        "status": 400,
        "code": None,
    }
    assert server.requests[0].json()["messages"][0] == {"role": "system", "content": "Be brief"}
    assert "3 calls in" in done.stderr and "2 answered, 1 failed" in done.stderr
    assert f"cost ${2 * CALL_COST:.7f}".rstrip("0") in done.stderr


def test_cli_run_to_stdout_with_a_budget(server: LoopbackServer, tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text("".join(f'"p{i}"\n' for i in range(5)), encoding="utf-8")
    done = cli(
        "run", str(calls), "-m", "gpt-4o", "--base-url", server.url + "/v1",
        "--concurrency", "1", "--budget", str(1.5 * CALL_COST), "--as-completed",
    )  # fmt: skip
    assert done.returncode == 1
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [("response" in r) for r in results] == [True, True, False, False, False]
    assert results[-1]["error"]["type"] == "BudgetExceededError"
    assert "3 not sent (budget)" in done.stderr


def test_cli_run_checks_the_whole_file_before_sending(
    server: LoopbackServer, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text('"fine"\n{"prompt": "x", "colour": "red"}\n', encoding="utf-8")
    done = cli("run", str(calls), "-m", "gpt-4o", "--base-url", server.url + "/v1")
    assert done.returncode == 2
    assert "calls.jsonl:2:" in done.stderr and "colour" in done.stderr
    calls.write_text('"fine"\n{not json\n', encoding="utf-8")
    done = cli("run", str(calls), "-m", "gpt-4o", "--base-url", server.url + "/v1")
    assert done.returncode == 2 and "calls.jsonl:2: not valid JSON" in done.stderr
    assert server.requests == []


def test_cli_run_help_examples_parse() -> None:
    import shlex

    from modelwire.cli import EXAMPLES, _parser

    done = cli("run", "--help")
    assert done.returncode == 0 and done.stdout.endswith(f"examples:\n{EXAMPLES['run']}\n")
    for line in EXAMPLES["run"].splitlines():
        words = shlex.split(line)
        assert _parser().parse_args(words[words.index("modelwire") + 1 :]).command == "run"
