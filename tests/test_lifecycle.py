"""The client's lifecycle under real use, against a server on 127.0.0.1: a streamed response
never read gives its connection back (dropped, closed or with `with`); a pool that is really
exhausted says so; one sync client shared by threads makes one pool; one async client works
across several `asyncio.run` calls; nothing stays open after `close()`."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest

from modelwire import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    APITimeoutError,
    ModelwireError,
)
from modelwire._client import POOL_LIMITS
from modelwire.models import GPT4o
from tests.support import openai_shapes as oa
from tests.support.server import LoopbackServer, Reply

POOL = POOL_LIMITS.max_connections
STREAM = AIModelCallConfig(streaming=True, retries=0, timeout=5)


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        srv.responder = lambda rec: (
            Reply.sse(oa.stream_events(["Hi"]))
            if b'"stream":true' in rec.body
            else Reply.json(oa.completion("Hi"))
        )
        yield srv


def client(server: LoopbackServer, is_async: bool = False) -> AIModelClient:
    api = AIModelAPI(
        AIModelAPIProviderEnum.OPEN_AI, api_key="sk-test-0123456789", base_url=server.url
    )
    return AIModelClient(AIModelEndpoint(api, GPT4o), STREAM, is_async=is_async)


def _text(response) -> str:
    return next(acc for _c, acc in response.stream_generator if acc).chat_response.text()


async def _atext(response) -> str:
    async for _chunk, accumulated in response.stream_generator:
        if accumulated:
            return accumulated.chat_response.text()
    raise AssertionError("no accumulated response")


# --- 1. a stream never read gives its connection back ---------------------------------------


@pytest.mark.parametrize("how", ["dropped", "close", "with"])
def test_unread_streams_give_their_connections_back(server: LoopbackServer, how: str) -> None:
    with client(server) as c:
        for _ in range(POOL + 20):  # more than the pool holds
            response = c.generate(prompt="Hi")
            if how == "close":
                response.close()
            elif how == "with":
                with response:
                    pass
            del response  # dropped: freed by reference counting alone, no gc run needed
        assert _text(c.generate(prompt="Hi")) == "Hi"
    assert server.wait_all_closed()


@pytest.mark.parametrize("how", ["dropped", "aclose", "async with"])
def test_unread_async_streams_give_their_connections_back(server: LoopbackServer, how: str) -> None:
    async def main() -> str:
        async with client(server, is_async=True) as c:
            for _ in range(POOL + 20):
                response = await c.generate_async(prompt="Hi")
                if how == "aclose":
                    await response.aclose()
                elif how == "async with":
                    async with response:
                        pass
                del response
                await asyncio.sleep(0)  # a dropped one's release runs on the loop
            return await _atext(await c.generate_async(prompt="Hi"))

    assert asyncio.run(main()) == "Hi"
    assert server.wait_all_closed()


def test_closing_a_stream_mid_way_ends_it(server: LoopbackServer) -> None:
    with client(server) as c:
        response = c.generate(prompt="Hi")
        items = iter(response.stream_generator)
        next(items)
        response.close()
        assert list(items) == []  # ended, no error and no final response
        assert _text(c.generate(prompt="Hi")) == "Hi"


def test_an_exhausted_pool_says_so(server: LoopbackServer) -> None:
    config = STREAM.updated(timeout=0.5)
    with client(server) as c:
        held = [c.generate(prompt="Hi") for _ in range(POOL)]  # kept, never read
        with pytest.raises(APITimeoutError, match="connections are in use") as info:
            c.generate(prompt="Hi", config=config)
        assert info.value.retryable is False
        for response in held:
            response.close()
        assert _text(c.generate(prompt="Hi")) == "Hi"


def test_closing_the_client_closes_its_unread_streams(server: LoopbackServer) -> None:
    c = client(server)
    held = [c.generate(prompt="Hi") for _ in range(5)]
    assert server.open >= 1
    c.close()
    assert server.wait_all_closed()
    del held


# --- 7. one sync client shared by threads: one pool ------------------------------------------


def test_threads_making_their_first_call_at_once_share_one_pool(server: LoopbackServer) -> None:
    c = client(server)
    config = STREAM.updated(streaming=False)
    start = threading.Barrier(8)
    pools, texts = set(), []

    def first_call() -> None:
        start.wait()
        texts.append(c.generate(prompt="Hi", config=config).chat_response.text())
        pools.add(id(c._sync))

    threads = [threading.Thread(target=first_call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    c.close()
    assert texts == ["Hi"] * 8 and len(pools) == 1
    assert server.wait_all_closed()


# --- 8. one async client across several event loops ------------------------------------------


def test_one_async_client_across_several_asyncio_runs(server: LoopbackServer) -> None:
    c = client(server, is_async=True)
    config = STREAM.updated(streaming=False)

    async def call() -> str:
        return (await c.generate_async(prompt="Hi", config=config)).chat_response.text()

    assert [asyncio.run(call()) for _ in range(3)] == ["Hi"] * 3

    async def stream_then_close() -> str:
        text = await _atext(await c.generate_async(prompt="Hi"))
        await c.aclose()
        return text

    assert asyncio.run(stream_then_close()) == "Hi"
    # the pools of the earlier runs' loops are left to the collector (an asyncio transport is a
    # reference cycle, and its loop is closed: nothing can close it sooner); it closes them
    gc.collect()
    assert server.wait_all_closed()


# --- 12. `retryable` says what modelwire itself does with an error ---------------------------


@pytest.mark.parametrize(
    ("status", "headers", "retryable"),
    [(429, {}, True), (503, {}, True), (400, {}, False), (500, {"x-should-retry": "false"}, False)],
)
def test_retryable_says_whether_modelwire_retries(
    server: LoopbackServer, status: int, headers: dict, retryable: bool
) -> None:
    body = {"error": {"message": "no", "type": "server_error"}}
    server.queue(Reply.json(body, status=status, headers=headers))
    with client(server) as c, pytest.raises(ModelwireError) as info:
        c.generate(prompt="Hi", config=STREAM.updated(streaming=False, retries=0))
    assert (info.value.status, info.value.retryable) == (status, retryable)
