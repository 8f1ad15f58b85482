"""Property tests (hypothesis) of everything that reads untrusted bytes or encodes caller data.

- the SSE decoder against a reference reading of the WHATWG algorithm, in any chunking (text
  and UTF-8 bytes), and arbitrary bytes through the UTF-8 framing: events or typed errors;
- the JSON-array decoder: valid arrays in any chunking give their elements; arbitrary text
  gives elements or (downstream) typed errors;
- the AWS event-stream decoder on frames with valid checksums but arbitrary headers/payloads;
- the stream processor of every streaming chat protocol, fed mutated recorded streams (the
  cassettes' events with subtrees replaced, keys dropped, events dropped/duplicated/inserted)
  in arbitrary chunkings: chunks, a response, or a ModelwireError, never anything else; and the
  response it builds sent back as the next turn encodes (or is a ConfigurationError);
- the request encoders of every chat protocol, fed random conversations of the public content
  items: a JSON body holding every text given, or a ConfigurationError.

Deterministic (derandomize, no example database) and bounded, so the file runs in seconds.
The bugs the properties found (all fixed) stay at the end as minimal regression examples.
MODELWIRE_FUZZ_SCALE=20 runs twenty times the examples.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.bedrock_cassettes import encode_frame
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    CallStatus,
    ConfigurationError,
    ImageContent,
    MediaContent,
    Message,
    ModelwireError,
    ReasoningContent,
    StreamInterruptedError,
    TextContent,
    ToolCallContent,
    ToolCallResult,
    models,
)
from modelwire._eventstream import EventStreamDecoder, EventStreamError
from modelwire._framing import JSONArrayFraming, SSEFraming
from modelwire._jsonarray import JSONArrayDecoder
from modelwire._sse import SSEDecoder, SSEEvent
from modelwire._types import tool_call

ROOT = Path(__file__).resolve().parent.parent
P = AIModelAPIProviderEnum
# MODELWIRE_FUZZ_SCALE=20: that many times the examples (a deeper run than CI's few seconds)
SCALE = int(os.environ.get("MODELWIRE_FUZZ_SCALE", "1"))


def fuzz(n: int) -> settings:
    """Deterministic, database-less, bounded."""
    return settings(
        max_examples=n * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def cuts(total: int) -> st.SearchStrategy[list[int]]:
    """Sorted cut points splitting a sequence of `total` items into chunks."""
    return st.lists(st.integers(0, total), max_size=12).map(sorted)


def split(seq: Any, points: list[int]) -> list[Any]:
    edges = [0, *points, len(seq)]
    return [seq[a:b] for a, b in itertools.pairwise(edges)]


def chunked(seq: Any) -> st.SearchStrategy[list[Any]]:
    return cuts(len(seq)).map(lambda p: split(seq, p))


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=5)


# --- 1. SSE -------------------------------------------------------------------------------------


def reference_sse(text: str) -> list[tuple[str, str | None, str | None]]:
    """WHATWG "Parsing an event stream" read literally, with modelwire's documented choice at
    the end of input: an unterminated last line is processed and a pending event dispatched."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = re.split(r"\r\n|\r|\n", text)
    out: list[tuple[str, str | None, str | None]] = []
    data: list[str] = []
    event: str | None = None
    last_id: str | None = None
    for line in [*lines, ""]:
        if line == "":
            if data:
                out.append(("\n".join(data), event, last_id))
            data, event = [], None
        elif line.startswith(":"):
            continue
        else:
            name, colon, value = line.partition(":")
            if colon and value.startswith(" "):
                value = value[1:]
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
            elif name == "id" and "\0" not in value:
                last_id = value
    return out


sse_tokens = st.sampled_from(
    [
        "data:",
        "data: ",
        "data",
        "event:",
        "event: ",
        "id:",
        "id: ",
        "retry: 5",
        ":",
        ": comment",
        "\n",
        "\r",
        "\r\n",
        "\n\n",
        " ",
        "x",
        "{}",
        "é",
        "🙂",
        "\ufeff",
        "\0",
    ]
)
sse_texts = st.lists(sse_tokens | st.text(max_size=4), max_size=40).map("".join)


def decode_text(pieces: list[str]) -> list[tuple[str, str | None, str | None]]:
    decoder = SSEDecoder()
    events = [e for p in pieces for e in decoder.feed(p)]
    events += decoder.flush()
    return [(e.data, e.event, e.id) for e in events]


@fuzz(150)
@given(st.data(), sse_texts)
def test_sse_any_chunking_gives_the_reference_events(data: st.DataObject, text: str) -> None:
    expected = reference_sse(text)
    assert decode_text([text]) == expected
    assert decode_text(data.draw(chunked(text))) == expected


@fuzz(80)
@given(st.data(), sse_texts, st.sampled_from(["\n", "\r\n", "\r"]))
def test_sse_line_ends_are_interchangeable(data: st.DataObject, text: str, end: str) -> None:
    """The same stream written with LF, CRLF or CR line ends, chunked anyhow, as UTF-8 bytes
    through the processor's framing, gives the same events."""
    normalized = re.sub(r"\r\n|\r|\n", "\n", text)
    rewritten = normalized.replace("\n", end).encode()
    framing = SSEFraming()
    events = [e for piece in data.draw(chunked(rewritten)) for e in framing.feed(piece)]
    events += framing.flush()
    assert [(e.data, e.event, e.id) for e in events] == reference_sse(normalized)


@fuzz(50)
@given(
    st.lists(st.text(max_size=10).map(lambda s: re.sub(r"[\r\n]", "", s)), min_size=1, max_size=5),
    st.lists(st.text(max_size=10).map(lambda s: re.sub(r"[\r\n]", "", s)), max_size=3),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_sse_multi_line_data_and_comments(lines: list[str], comments: list[str], end: str) -> None:
    body = "".join(f":{c}{end}" for c in comments)
    body += "".join(f"data: {line}{end}" for line in lines) + end
    assert decode_text([body]) == [("\n".join(lines), None, None)]


@fuzz(150)
@given(st.lists(st.binary(max_size=24), max_size=8))
def test_sse_arbitrary_bytes_give_events_or_the_typed_error(pieces: list[bytes]) -> None:
    framing = SSEFraming()
    try:
        for piece in pieces:
            for e in framing.feed(piece):
                assert isinstance(e, SSEEvent) and isinstance(e.data, str)
        framing.flush()
    except StreamInterruptedError:
        pass


# --- 2. JSON array ------------------------------------------------------------------------------

# elements as Gemini sends them: objects (with any strings inside: brackets, quotes, escapes)
json_tricky_text = st.text(alphabet=st.sampled_from(list('[]{}"\\,: x\n\té🙂\0')), max_size=8)
array_elements = st.lists(
    st.dictionaries(
        json_tricky_text,
        st.recursive(
            st.none() | st.integers() | json_tricky_text,
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(json_tricky_text, inner, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=4,
    ),
    max_size=5,
)


any_elements = st.lists(json_values, max_size=5)


def array_text(elements: list[Any], style: int) -> str:
    if style == 0:
        return json.dumps(elements)
    if style == 1:
        return json.dumps(elements, indent=2, ensure_ascii=False)
    return "[" + ",\r\n".join(json.dumps(e, ensure_ascii=False) for e in elements) + "]"


@fuzz(80)
@given(st.data(), any_elements, st.integers(0, 2))
def test_json_array_any_chunking_gives_the_elements(
    data: st.DataObject, elements: list[Any], style: int
) -> None:
    text = array_text(elements, style)
    decoder = JSONArrayDecoder()
    found = [json.loads(e.data) for p in data.draw(chunked(text)) for e in decoder.feed(p)]
    assert found == elements and decoder.closed
    # and as UTF-8 bytes cut anywhere (inside a multi-byte character too)
    raw = text.encode()
    framing = JSONArrayFraming()
    found = [json.loads(e.data) for p in data.draw(chunked(raw)) for e in framing.feed(p)]
    assert found + [json.loads(e.data) for e in framing.flush()] == elements


@fuzz(100)
@given(st.data(), st.lists(st.sampled_from(list('[]{}"\\, x')) | st.text(max_size=3)).map("".join))
def test_json_array_arbitrary_text_never_raises(data: st.DataObject, text: str) -> None:
    decoder = JSONArrayDecoder()
    for piece in data.draw(chunked(text)):
        for e in decoder.feed(piece):
            assert isinstance(e.data, str)
    assert decoder.flush() == []


# --- 3. AWS event stream: frames with valid checksums, arbitrary insides --------------------


def raw_frame(headers: bytes, payload: bytes) -> bytes:
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + headers + payload
    return body + struct.pack(">I", zlib.crc32(body))


def header(name: str, kind: int, value: bytes) -> bytes:
    encoded = name.encode()
    return bytes([len(encoded)]) + encoded + bytes([kind]) + value


def header_value(kind: int) -> st.SearchStrategy[bytes]:
    sizes = {2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16}
    if kind in (0, 1):
        return st.just(b"")
    if kind in sizes:
        return st.binary(min_size=sizes[kind], max_size=sizes[kind])
    if kind in (6, 7):
        return st.binary(max_size=12).map(lambda b: struct.pack(">H", len(b)) + b)
    return st.binary(max_size=4)


well_formed_header = st.tuples(
    st.sampled_from([":event-type", ":exception-type", ":error-code", ":error-message", "x"]),
    st.sampled_from([7, 6, 9, 0, 1, 2, 3, 4, 5, 8]),
).flatmap(lambda nk: header_value(nk[1]).map(lambda v: header(nk[0], nk[1], v)))
message_type = st.sampled_from(["event", "exception", "error"]).map(
    lambda t: header(":message-type", 7, struct.pack(">H", len(t)) + t.encode())
)
frame_headers = st.tuples(
    st.just(b"") | message_type, st.lists(well_formed_header, max_size=3).map(b"".join)
).map(b"".join)


def decode_frames(data: bytes, step: int) -> None:
    decoder = EventStreamDecoder()
    try:
        for i in range(0, len(data), step):
            for e in decoder.feed(data[i : i + step]):
                assert isinstance(e.data, str)
        decoder.flush()
    except EventStreamError:
        pass


@fuzz(100)
@given(
    frame_headers,
    st.binary(max_size=40) | json_objects.map(lambda o: json.dumps(o).encode()),
    st.integers(1, 64),
)
def test_event_stream_well_formed_headers_give_events_or_typed_errors(
    headers: bytes, payload: bytes, step: int
) -> None:
    decode_frames(raw_frame(headers, payload), step)


@fuzz(100)
@given(st.binary(max_size=40), st.binary(max_size=20), st.integers(1, 64))
def test_event_stream_garbled_headers_with_valid_checksums(
    headers: bytes, payload: bytes, step: int
) -> None:
    """Header bytes that do not parse: a typed error."""
    decode_frames(raw_frame(headers, payload), step)


# --- 4. the stream processor of every streaming chat protocol ---------------------------------

OPENAI = AIModelAPI(P.OPEN_AI, api_key="test-key")
ENDPOINTS: dict[str, Callable[[AIModel | None], AIModelEndpoint]] = {
    "openai_chat": lambda m: AIModelEndpoint(OPENAI, m or models.GPT4o),
    "openai_responses": lambda m: AIModelEndpoint(
        OPENAI, m or models.O4Mini, protocol="openai_responses"
    ),
    "anthropic_messages": lambda m: AIModelEndpoint(
        AIModelAPI(P.ANTHROPIC, api_key="test-key"), m or models.ClaudeSonnet45
    ),
    "gemini_generate_content": lambda m: AIModelEndpoint(
        AIModelAPI(P.GOOGLE_AI, api_key="test-key"), m or models.Gemini25Flash
    ),
    "bedrock_converse": lambda m: AIModelEndpoint(
        AIModelAPI(P.AMAZON_BEDROCK, api_key="test-key", config={"region": "us-east-1"}),
        m or models.Claude37Sonnet,
    ),
}
PROTOCOLS = sorted(ENDPOINTS)

# Seed streams: the recorded cassettes' events, per protocol (framing, [(event, data)]).
Event = tuple[str | None, Any]  # data: decoded JSON, or the raw text when it is not JSON


def _as_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _load_seeds() -> dict[str, list[tuple[str, list[Event]]]]:
    where = {
        "openai_chat": ("openai", "stream_*.yaml"),
        "openai_responses": ("openai", "responses_stream*.yaml"),
        "anthropic_messages": ("anthropic", "stream_*.yaml"),
        "gemini_generate_content": ("google_gemini_api", "stream_*.yaml"),
        "bedrock_converse": ("amazon_bedrock", "stream_*.yaml"),
    }
    seeds: dict[str, list[tuple[str, list[Event]]]] = {}
    for protocol, (folder, pattern) in where.items():
        for path in sorted((ROOT / "cassettes" / folder).glob(pattern)):
            response = yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"][0][
                "response"
            ]
            body = response["body"]["string"]
            if isinstance(body, bytes):
                decoded = EventStreamDecoder().feed(body)
                events: list[Event] = []
                for e in decoded:
                    ((name, payload),) = json.loads(e.data).items()
                    events.append((name, payload))
                framing = "eventstream"
            elif body.lstrip().startswith("["):
                events = [(None, json.loads(e.data)) for e in JSONArrayDecoder().feed(body)]
                framing = "json_array"
            else:
                decoder = SSEDecoder()
                events = [
                    (e.event, _as_json(e.data)) for e in [*decoder.feed(body), *decoder.flush()]
                ]
                framing = "sse"
            seeds.setdefault(protocol, []).append((framing, events))
    return seeds


SEEDS = _load_seeds()


def test_every_protocol_has_seed_streams() -> None:
    assert sorted(SEEDS) == PROTOCOLS
    assert all(len(streams) >= 2 for streams in SEEDS.values())


interesting = st.sampled_from(
    [None, "", 0, -1, 1.5, True, [], {}, "x", 2**64, [None], {"type": "x"}, {"type": None}]
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


_NODES: dict[int, list[tuple[int, tuple[Any, ...]]]] = {}


def nodes(events: list[Event]) -> list[tuple[int, tuple[Any, ...]]]:
    """Every (event index, path to a JSON node) of a seed stream (computed once)."""
    if id(events) not in _NODES:
        _NODES[id(events)] = [(i, p) for i, (_, d) in enumerate(events) for p in _paths(d)]
    return _NODES[id(events)]


def _change(value: Any, path: tuple[Any, ...], new: Any, drop: bool) -> Any:
    """`value` with the node at `path` replaced by `new` (or removed); as is if it is gone."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict) and head in value:
        if drop and not rest:
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: _change(value[head], rest, new, drop)}
    if isinstance(value, list) and isinstance(head, int) and head < len(value):
        if drop and not rest:
            return value[:head] + value[head + 1 :]
        return [*value[:head], _change(value[head], rest, new, drop), *value[head + 1 :]]
    return value


def mutated_events(data: st.DataObject, events: list[Event]) -> list[Event]:
    """A seed stream with a few nodes replaced or removed, and a few events dropped,
    duplicated, swapped or inserted (the rest stays valid, so the change is reached)."""
    out = list(events)
    for _ in range(data.draw(st.integers(0, 4), label="node changes")):
        index, path = data.draw(st.sampled_from(nodes(events)))
        drop = data.draw(st.booleans())
        new = None if drop else data.draw(interesting | json_values)
        name, payload = out[index]
        out[index] = (name, _change(payload, path, new, drop))
    for _ in range(data.draw(st.integers(0, 2), label="event changes")):
        if not out:
            break
        at = data.draw(st.integers(0, len(out) - 1))
        action = data.draw(st.sampled_from(["drop", "duplicate", "swap", "insert"]))
        if action == "drop":
            del out[at]
        elif action == "duplicate":
            out.insert(at, out[at])
        elif action == "swap":
            other = data.draw(st.integers(0, len(out) - 1))
            out[at], out[other] = out[other], out[at]
        else:
            junk = data.draw(json_objects | json_values | st.text(max_size=20))
            out.insert(at, (data.draw(st.sampled_from([out[at][0], None])), junk))
    return out


def _text(payload: Any) -> str:
    return payload if isinstance(payload, str) else json.dumps(payload)


def encode_stream(framing: str, events: list[Event]) -> bytes:
    if framing == "eventstream":
        frames = []
        for name, payload in events:
            headers = {
                ":event-type": name or "unknown",
                ":content-type": "application/json",
                ":message-type": "event",
            }
            frames.append(encode_frame(headers, _text(payload).encode()))
        return b"".join(frames)
    if framing == "json_array":
        return ("[" + ",\r\n".join(_text(p) for _, p in events) + "]").encode()
    out = []
    for name, payload in events:
        lines = re.split(r"\r\n|\r|\n", _text(payload))
        out.append(
            (f"event: {name}\n" if name else "") + "".join(f"data: {x}\n" for x in lines) + "\n"
        )
    return "".join(out).encode()


def processor(protocol: str, framing: str) -> tuple[AIModelClient, Any]:
    client = AIModelClient(ENDPOINTS[protocol](None), AIModelCallConfig(streaming=True))
    kind = "application/json" if framing == "json_array" else "text/event-stream"
    response = httpx2.Response(200, headers={"content-type": kind})
    prep = client._prepare("Hi", None, None, None)
    return client, client._builders[1].processor(response, CallStatus(200), prep)


def run_stream(protocol: str, framing: str, pieces: list[bytes]) -> tuple[list[Any], Any, Any]:
    """(chunks, the final response or None, the failure or None) as the client sees them."""
    client, proc = processor(protocol, framing)
    chunks: list[Any] = []
    for piece in pieces:
        chunks += proc.feed(piece)
        if proc.failed is not None:
            break
    final = None
    if proc.failed is None:
        tail, final = proc.finish()
        chunks += tail
    for c in chunks:
        c.to_dict()
        for cd in c.data.choice_deltas:
            for d in cd.content_deltas:
                d.get_text_delta()
    failed = proc.failed
    if failed is not None:
        assert isinstance(failed, ModelwireError), repr(failed)
        str(failed)
        if failed.partial_response is not None:
            failed.partial_response.to_dict()
    else:
        final.to_dict()
        chat = final.chat_response
        chat.text(), chat.reasoning(), chat.tools(), chat.finish_reason
        # what came back goes out again as the next turn on the same protocol
        with contextlib.suppress(ConfigurationError):
            client.request_body(
                messages=[{"role": "user", "content": "Hi"}, chat.to_message_item()],
                prompt="And?",
            )
    return chunks, final, failed


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_seed_streams_give_the_same_text_in_any_chunking(protocol: str) -> None:
    for framing, events in SEEDS[protocol]:
        data = encode_stream(framing, events)
        whole = run_stream(protocol, framing, [data])
        single = run_stream(protocol, framing, [data[i : i + 1] for i in range(len(data))])
        texts = [[c.data.to_dict() for c in r[0]] for r in (whole, single)]
        assert texts[0] == texts[1]
        assert (whole[1] is None) == (single[1] is None)


@pytest.mark.parametrize("protocol", PROTOCOLS)
@fuzz(50)
@given(data=st.data())
def test_stream_processor_on_mutated_streams(protocol: str, data: st.DataObject) -> None:
    framing, events = data.draw(st.sampled_from(SEEDS[protocol]))
    if protocol == "gemini_generate_content":
        framing = data.draw(st.sampled_from(["sse", "json_array"]))
    stream = encode_stream(framing, mutated_events(data, events))
    run_stream(protocol, framing, data.draw(chunked(stream)))


@pytest.mark.parametrize("protocol", PROTOCOLS)
@fuzz(40)
@given(
    data=st.data(),
    payloads=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    None,
                    "message",
                    "error",
                    "content_block_delta",
                    "response.output_text.delta",
                    "contentBlockDelta",
                    "exception",
                ]
            ),
            json_objects | json_values | st.text(max_size=30),
        ),
        max_size=6,
    ),
)
def test_stream_processor_on_random_events(
    protocol: str, data: st.DataObject, payloads: list[Event]
) -> None:
    framing = {"bedrock_converse": "eventstream"}.get(protocol, "sse")
    run_stream(protocol, framing, data.draw(chunked(encode_stream(framing, payloads))))


@pytest.mark.parametrize("protocol", PROTOCOLS)
@fuzz(30)
@given(data=st.data(), raw=st.lists(st.binary(max_size=32), max_size=6))
def test_stream_processor_on_arbitrary_bytes(
    protocol: str, data: st.DataObject, raw: list[bytes]
) -> None:
    framing = {"bedrock_converse": "eventstream"}.get(protocol, "sse")
    run_stream(protocol, framing, raw)
    if protocol == "gemini_generate_content":
        run_stream(protocol, "json_array", raw)


# --- 5. request encoders --------------------------------------------------------------------

CHAT_PROTOCOLS = PROTOCOLS
OWN_MODEL = AIModel(model_name="fuzz-model-1")

texts = st.text(max_size=16) | st.sampled_from(
    ["", " ", "\n", "é🙂", '"\\', "\0", "\u2028", "\ud800"]
)
maybe_text = st.none() | texts
ids = st.none() | st.text(min_size=1, max_size=8) | st.sampled_from(["call_1", "toolu_1"])
names = st.none() | st.sampled_from(["get_weather", "f", ""]) | st.text(min_size=1, max_size=8)

text_items = st.builds(TextContent, texts, signature=maybe_text)
reasoning_items = st.builds(
    ReasoningContent, maybe_text, maybe_text, st.booleans(), id=st.none() | st.text(max_size=6)
)
tool_calls = st.builds(
    ToolCallContent, ids, names, arguments=json_values
) | st.builds(  # as parsed from JSON text, malformed text kept raw
    tool_call, ids, names, st.text(max_size=16) | json_objects.map(json.dumps), maybe_text
)
tool_results = st.builds(
    ToolCallResult,
    ids,
    st.text(max_size=16) | json_objects | st.lists(json_values, max_size=3) | json_values,
    name=names,
    is_error=st.booleans(),
)
MEDIA_TYPES = [
    "image/png",
    "image/jpeg",
    "image/webp",
    "application/pdf",
    "audio/mpeg",
    "audio/wav",
    "text/plain",
    "video/mp4",
]
media_items = st.builds(
    MediaContent.from_bytes,
    st.binary(max_size=16),
    st.sampled_from(MEDIA_TYPES),
    st.none() | st.text(max_size=8),
) | st.builds(
    MediaContent.from_url,
    st.sampled_from(
        [
            "https://example.com/a.png",
            "https://example.com/doc.pdf",
            "gs://b/a.mp3",
            "https://x/?q=1",
        ]
    )
    | st.text(max_size=12),
    st.none() | st.sampled_from(MEDIA_TYPES),
)
image_items = st.builds(
    ImageContent,
    st.none() | st.binary(min_size=1, max_size=16).map(lambda b: base64.b64encode(b).decode()),
    st.none() | st.just("https://example.com/i.png"),
    st.none() | st.sampled_from(["image/png", "image/jpeg"]),
)
content_items = text_items | reasoning_items | tool_calls | tool_results | media_items | image_items
messages = st.builds(
    Message,
    st.sampled_from(["user", "assistant", "tool", "developer"]),
    st.lists(content_items, max_size=4),
) | st.builds(Message, st.just("system"), st.lists(content_items, max_size=3))
dict_parts = (
    texts
    | st.builds(lambda t: {"type": "text", "text": t}, texts)
    | st.builds(
        lambda u: {"type": "image_url", "image_url": {"url": u}},
        st.sampled_from(
            [
                "https://example.com/a.png",
                "data:image/png;base64,iVBORw0KGgo=",
                "data:image/png;base64,!!",
                "data:,",
            ]
        )
        | st.text(max_size=8),
    )
    | json_values
)
# the common dict form of tool calls: well formed, or not
dict_tool_calls = st.lists(
    st.fixed_dictionaries(
        {"id": ids, "type": st.just("function")},
        optional={
            "function": st.fixed_dictionaries(
                {"name": names},
                optional={"arguments": st.text(max_size=12) | json_objects.map(json.dumps)},
            )
        },
    )
    | json_values
    | st.fixed_dictionaries({"id": ids, "function": json_scalars}),
    max_size=2,
)
dict_messages = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system"]),
        "content": texts | st.none() | st.lists(dict_parts, max_size=3) | json_scalars,
    },
    optional={"tool_calls": dict_tool_calls},
) | st.fixed_dictionaries(
    {"role": st.just("tool"), "tool_call_id": ids, "content": texts | json_values},
    optional={"name": names},
)
conversations = st.lists(messages | dict_messages | texts, min_size=1, max_size=5)


def has_unnamed_result_without_call(conversation: list[Any]) -> bool:
    """A tool result with no name and no earlier call of its id: a ConfigurationError."""
    seen = set()
    for m in conversation:
        for p in m.content if isinstance(m, Message) else ():
            if isinstance(p, ToolCallContent):
                seen.add(p.id)
            elif isinstance(p, ToolCallResult) and p.name is None and p.id not in seen:
                return True
    return False


def given_texts(conversation: list[Any], instructions: str | None) -> list[str]:
    out = [instructions] if instructions else []
    for m in conversation:
        if isinstance(m, str):
            out.append(m)
        elif isinstance(m, dict):
            content = m.get("content")
            if m["role"] == "tool":
                out += [content] if isinstance(content, str) else []
                continue
            for c in [content] if isinstance(content, str) else content or ():
                if isinstance(c, str):
                    out.append(c)
                elif isinstance(c, dict) and c.get("type", "text") == "text" and "text" in c:
                    out.append(str(c["text"]))
        else:
            out += [p.text for p in m.content if isinstance(p, TextContent)]
            out += [
                p.output
                for p in m.content
                if isinstance(p, ToolCallResult) and isinstance(p.output, str)
            ]
    return [t for t in out if t]


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def encode(
    protocol: str, conversation: list[Any], instructions: str | None
) -> dict[str, Any] | None:
    endpoint = ENDPOINTS[protocol](OWN_MODEL)
    with AIModelClient(endpoint, AIModelCallConfig(max_output_tokens=64)) as client:
        normalized = [
            {"role": "user", "content": m} if isinstance(m, str) else m for m in conversation
        ]
        try:
            return client.request_body(messages=normalized, instructions=instructions)
        except ConfigurationError:
            return None


@pytest.mark.parametrize("protocol", CHAT_PROTOCOLS)
@fuzz(60)
@given(conversation=conversations, instructions=st.none() | texts)
def test_encoders_give_a_json_body_holding_every_text_or_a_configuration_error(
    protocol: str, conversation: list[Any], instructions: str | None
) -> None:
    body = encode(protocol, conversation, instructions)
    if body is None:
        return
    json.dumps(body, allow_nan=False)
    found = strings_in(body)
    for text in given_texts(conversation, instructions):
        assert any(text in s for s in found), f"{text!r} is missing from the {protocol} body"


# --- minimal examples of bugs the properties once found (kept as regression tests) ---------


def _request_body(protocol: str, **kw: Any) -> dict[str, Any]:
    with AIModelClient(
        ENDPOINTS[protocol](OWN_MODEL), AIModelCallConfig(max_output_tokens=64)
    ) as c:
        return c.request_body(**kw)


@pytest.mark.parametrize("calls", [[None], [{"id": "1", "function": "f"}]])
def test_dict_tool_calls_that_are_not_mappings(calls: list[Any]) -> None:
    with pytest.raises(ConfigurationError):
        _request_body(
            "openai_chat", messages=[{"role": "user", "content": None, "tool_calls": calls}]
        )


def test_dict_content_that_is_not_a_list() -> None:
    with pytest.raises(ConfigurationError):
        _request_body("openai_chat", messages=[{"role": "user", "content": True}])


def test_a_lone_surrogate_in_text() -> None:
    with pytest.raises(ConfigurationError):
        _request_body("openai_chat", prompt="\ud800")


@pytest.mark.parametrize("protocol", CHAT_PROTOCOLS)
def test_system_turn_non_text_parts_are_refused(protocol: str) -> None:
    turn = Message("system", [ToolCallResult(None, "result-text", name="get_weather")])
    with pytest.raises(ConfigurationError, match="system message takes text only"):
        _request_body(protocol, messages=[turn], prompt="Hi")


def test_event_stream_truncated_header() -> None:
    frame = raw_frame(b"\x00\x00\x00", b"")
    with pytest.raises(EventStreamError):
        EventStreamDecoder().feed(frame)


def test_event_stream_truncated_header_through_the_processor() -> None:
    _, proc = processor("bedrock_converse", "eventstream")
    proc.feed(raw_frame(b"\x00\x00\x00", b""))
    assert isinstance(proc.failed, ModelwireError)


def test_event_stream_bytes_header_value() -> None:
    headers = header(":message-type", 7, b"\x00\x09exception") + header(
        ":exception-type", 6, b"\x00\x00"
    )
    try:
        events = EventStreamDecoder().feed(raw_frame(headers, b""))
    except EventStreamError:
        return
    assert json.loads(events[0].data)["exception"]


def test_json_array_scalar_elements() -> None:
    assert [e.data for e in JSONArrayDecoder().feed("[null, 1]")] == ["null", "1"]


def test_json_array_string_elements() -> None:
    assert [json.loads(e.data) for e in JSONArrayDecoder().feed('["a", {"b": 1}]')] == [
        "a",
        {"b": 1},
    ]
