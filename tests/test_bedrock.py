"""Amazon Bedrock pieces on their own and against a server on 127.0.0.1: the AWS event-stream
decoder (chunk boundaries, checksums, fuzzing), SigV4 signing through botocore, Bedrock API
keys, exception frames as typed errors with the partial response, Claude on Bedrock."""

from __future__ import annotations

import json
import struct
import sys
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import modelwire
from devtools.bedrock_cassettes import encode_frame
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
)
from modelwire._eventstream import EventStreamDecoder, EventStreamError
from modelwire.models import Claude37Sonnet
from tests.support.server import LoopbackServer, Reply

BEDROCK = AIModelAPIProviderEnum.AMAZON_BEDROCK
MODEL = AIModel(model_name="us.anthropic.claude-3-7-sonnet-20250219-v1:0")
CREDS = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG"}


def event(kind: str, payload: dict) -> bytes:
    return encode_frame(
        {":event-type": kind, ":content-type": "application/json", ":message-type": "event"},
        json.dumps(payload).encode(),
    )


def exception(kind: str, message: str) -> bytes:
    return encode_frame(
        {
            ":exception-type": kind,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps({"message": message}).encode(),
    )


def stream(words: list[str], stop: bool = True) -> list[bytes]:
    frames = [event("messageStart", {"role": "assistant"})]
    frames += [
        event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": w}}) for w in words
    ]
    if stop:
        frames += [
            event("contentBlockStop", {"contentBlockIndex": 0}),
            event("messageStop", {"stopReason": "end_turn"}),
            event(
                "metadata",
                {
                    "usage": {
                        "inputTokens": 9,
                        "outputTokens": len(words),
                        "totalTokens": 9 + len(words),
                    }
                },
            ),
        ]
    return frames


def test_decoding_one_byte_at_a_time_gives_the_same_events() -> None:
    data = b"".join(stream(["Hel", "lo"]))
    whole = [(e.event, e.data) for e in EventStreamDecoder().feed(data)]
    decoder = EventStreamDecoder()
    single = [(e.event, e.data) for i in range(len(data)) for e in decoder.feed(data[i : i + 1])]
    assert single == whole and len(whole) == 6
    assert json.loads(whole[1][1]) == {
        "contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "Hel"}}
    }
    assert decoder.flush() == []


@pytest.mark.parametrize("where", ["prelude", "payload"])
def test_a_checksum_mismatch_is_a_typed_error(where: str) -> None:
    frame = bytearray(event("messageStart", {"role": "assistant"}))
    frame[5 if where == "prelude" else len(frame) - 6] ^= 0xFF
    with pytest.raises(EventStreamError, match="checksum mismatch"):
        EventStreamDecoder().feed(bytes(frame))


def test_a_stream_ending_inside_a_frame_is_a_typed_error() -> None:
    decoder = EventStreamDecoder()
    decoder.feed(event("messageStart", {"role": "assistant"})[:20])
    with pytest.raises(EventStreamError, match="ends inside a frame"):
        decoder.flush()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.binary(max_size=64), max_size=6),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=255),
)
def test_fuzz_only_events_or_the_typed_error(chunks: list[bytes], flip: int, value: int) -> None:
    good = b"".join(stream(["a", "b"]))
    corrupted = bytearray(good)
    corrupted[flip % len(corrupted)] = value
    for data in (b"".join(chunks), bytes(corrupted), good[: flip % len(good)] + b"".join(chunks)):
        decoder = EventStreamDecoder()
        try:
            for i in range(0, len(data), 7):
                for e in decoder.feed(data[i : i + 7]):
                    json.loads(e.data)
            decoder.flush()
        except EventStreamError:
            pass


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def eventstream(frames: list[bytes], **kw) -> Reply:
    return Reply(body=frames, content_type="application/vnd.amazon.eventstream", **kw)


def bedrock(server: LoopbackServer, **kw) -> AIModelAPI:
    kw.setdefault("credentials", CREDS)
    return AIModelAPI(BEDROCK, base_url=server.url, config={"region": "us-east-1"}, **kw)


def test_sigv4_signed_stream(server: LoopbackServer, monkeypatch) -> None:
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    server.queue(eventstream(stream(["Hel", "lo"])))
    config = AIModelCallConfig(streaming=True)
    with AIModelClient(AIModelEndpoint(bedrock(server), MODEL), config, is_async=False) as c:
        final = list(c.generate(prompt="Hi").stream_generator)[-1][1]
    assert final.chat_response.text() == "Hello"
    assert final.chat_response.usage.prompt_tokens == 9
    sent = server.requests[0]
    assert sent.path == "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse-stream"
    auth = sent.headers["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/bedrock/aws4_request" in auth
    assert "x-amz-date" in sent.headers
    assert sent.headers["accept"] == "application/vnd.amazon.eventstream"


def test_bedrock_api_key_is_a_bearer_token(server: LoopbackServer) -> None:
    body = {
        "output": {"message": {"role": "assistant", "content": [{"text": "Hi"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 3, "outputTokens": 1, "totalTokens": 4},
    }
    server.queue(Reply.json(body))
    api = bedrock(server, api_key="bedrock-api-key-test", credentials=None)
    with AIModelClient(AIModelEndpoint(api, MODEL), is_async=False) as c:
        assert c.generate(prompt="Hi").chat_response.text() == "Hi"
    assert server.requests[0].headers["authorization"] == "Bearer bedrock-api-key-test"


@pytest.mark.parametrize(
    ("kind", "error"),
    [("throttlingException", "RateLimitError"), ("modelStreamErrorException", "ServerError")],
)
async def test_exception_frame_is_a_typed_error_with_the_partial(
    server: LoopbackServer, kind: str, error: str
) -> None:
    server.queue(eventstream([*stream(["Hel", "lo"], stop=False), exception(kind, "Slow down")]))
    config = AIModelCallConfig(streaming=True)
    seen = []
    async with AIModelClient(AIModelEndpoint(bedrock(server), MODEL), config, is_async=True) as c:
        response = await c.generate_async(prompt="Hi")
        with pytest.raises(getattr(modelwire, error)) as caught:
            async for chunk, _ in response.stream_generator:
                seen.append(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta())
    assert seen == ["Hel", "lo"]
    assert caught.value.message == "Slow down"
    assert caught.value.partial_response.chat_response.text() == "Hello"


def test_corrupted_frame_mid_stream_keeps_the_partial(server: LoopbackServer) -> None:
    bad = bytearray(event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "!"}}))
    bad[-1] ^= 0xFF
    server.queue(eventstream([*stream(["Hel"], stop=False), bytes(bad)]))
    config = AIModelCallConfig(streaming=True)
    with AIModelClient(AIModelEndpoint(bedrock(server), MODEL), config, is_async=False) as c:
        response = c.generate(prompt="Hi")
        with pytest.raises(modelwire.StreamInterruptedError, match="checksum") as caught:
            list(response.stream_generator)
    assert caught.value.partial_response.chat_response.text() == "Hel"


def test_claude_on_bedrock_with_the_same_calling_code(server: LoopbackServer) -> None:
    body = {
        "output": {"message": {"role": "assistant", "content": [{"text": "Hello"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 3, "outputTokens": 1, "totalTokens": 4},
    }
    server.queue(Reply.json(body))
    endpoint = AIModelEndpoint(bedrock(server), Claude37Sonnet)
    assert endpoint.binding.protocol == "bedrock_converse"
    with AIModelClient(endpoint, AIModelCallConfig(max_output_tokens=100), is_async=False) as c:
        response = c.generate(prompt="Hello", instructions="Be brief")
    assert response.chat_response.text() == "Hello"
    sent = server.requests[0]
    assert sent.path.startswith("/model/") and "claude-3-7-sonnet" in sent.path
    assert sent.json() == {
        "messages": [{"role": "user", "content": [{"text": "Hello"}]}],
        "system": [{"text": "Be brief"}],
        "inferenceConfig": {"maxTokens": 100},
    }


def test_missing_region_and_missing_botocore(monkeypatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match=r"region.*AWS_REGION"):
        AIModelEndpoint(AIModelAPI(BEDROCK, credentials=CREDS), MODEL)
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    monkeypatch.setitem(sys.modules, "botocore.session", None)
    api = AIModelAPI(BEDROCK, credentials=CREDS, config={"region": "us-east-1"})
    with pytest.raises(ConfigurationError, match=r"modelwire\[bedrock\]"):
        api.sign("https://x/model/m/converse", {}, b"{}", {"region": "us-east-1"})


def test_frame_layout_matches_the_format() -> None:
    frame = encode_frame({":event-type": "x"}, b"{}")
    total, headers_len, prelude_crc = struct.unpack(">III", frame[:12])
    assert total == len(frame) and prelude_crc == zlib.crc32(frame[:8])
    assert struct.unpack(">I", frame[-4:])[0] == zlib.crc32(frame[:-4])
    assert headers_len == len(frame) - 12 - 2 - 4
