"""Mistakes a type checker must catch: each line marked `# error` is reported, the others
not (tests/test_typing.py). Never run."""

from __future__ import annotations

from modelwire import (
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelClient,
    AIModelEndpoint,
    AsyncStream,
    SyncStream,
)
from modelwire.models import GPT4o

endpoint = AIModelEndpoint(AIModelAPI(AIModelAPIProviderEnum.OPEN_AI), GPT4o)


def sync_loop_over_an_async_client() -> None:
    client = AIModelClient(endpoint, is_async=True)
    response = client.generate(prompt="Hi")
    for _ in response.stream_generator:  # error
        pass
    async_stream: AsyncStream = response.stream_generator
    sync_stream: SyncStream = response.stream_generator  # error
    del async_stream, sync_stream


async def async_loop_over_a_sync_client() -> None:
    client = AIModelClient(endpoint, None, False)
    response = client.generate(prompt="Hi")
    async for _ in response.stream_generator:  # error
        pass


def a_flag_known_only_at_run_time(flag: bool) -> None:
    client = AIModelClient(endpoint, is_async=flag)
    sync_stream: SyncStream = client.generate().stream_generator  # error
    del sync_stream


def structured_output_typed(client: AIModelClient[SyncStream]) -> None:
    chat = client.generate(prompt="Hi").chat_response
    if chat is not None:
        number: int = chat.structured(str)  # error
        del number
