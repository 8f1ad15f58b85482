"""python -m devtools.bedrock_cassettes [--check]: write the authored Bedrock stream cassettes.

ConverseStream answers with binary AWS event-stream frames (`application/vnd.amazon.eventstream`:
prelude, headers, JSON payload, CRC32s), which cannot be typed into a YAML file by hand. This
script builds them with `encode_frame` below and writes the `stream_*` cassettes
of cassettes/amazon_bedrock/ (vcrpy format 1; the body is `!!binary` base64, as vcrpy stores
bytes). It writes exactly the committed bytes: `--check` compares instead of writing and exits 1
on a difference. A cassette recorded live (`python tasks.py record amazon_bedrock ...`) is left
alone. The frames follow https://smithy.io/2.0/aws/amazon-eventstream.html (`:message-type`
`event` with `:event-type` = the ConverseStreamOutput member; `exception` with `:exception-type`
and a `{"message": ...}` payload); every field name comes from the pages each cassette cites.
"""

from __future__ import annotations

import argparse
import base64
import json
import struct
import sys
import zlib
from dataclasses import dataclass
from typing import Any

from devtools.cassettes import leading_comment
from devtools.scenarios import ROOT, get

PROVIDER = "amazon_bedrock"
DAY = "2026-11-25"
HOST = "https://bedrock-runtime.us-east-1.amazonaws.com"
CLAUDE = "us.anthropic.claude-3-7-sonnet-20250219-v1%3A0"  # the URL-quoted inference profile id
REFERENCE = "https://docs.aws.amazon.com/bedrock/latest/APIReference/"
GUIDE = "https://docs.aws.amazon.com/bedrock/latest/userguide/"
EVENTSTREAM = "https://smithy.io/2.0/aws/amazon-eventstream.html"
STREAM_PAGES = (
    REFERENCE + "API_runtime_ConverseStream.html",
    REFERENCE + "API_runtime_ConverseStreamOutput.html",
    REFERENCE + "API_runtime_ContentBlockDeltaEvent.html",
    REFERENCE + "API_runtime_ConverseStreamMetadataEvent.html",
    REFERENCE + "API_runtime_TokenUsage.html",
    EVENTSTREAM,
)
ILLUSTRATIVE = (
    "Ids, token counts, texts and signatures are illustrative (made up); only the field names "
    "and value shapes come from the pages above."
)

Frame = tuple[str, str, dict[str, Any]]  # (message type, event or exception type, payload)


def event(kind: str, payload: dict[str, Any]) -> Frame:
    return ("event", kind, payload)


def delta(index: int, **value: Any) -> Frame:
    """A contentBlockDelta event: `value` is the ContentBlockDelta member it sets."""
    return event("contentBlockDelta", {"delta": value, "contentBlockIndex": index})


def text(index: int, value: str) -> Frame:
    return delta(index, text=value)


def reasoning(index: int, **value: str) -> Frame:
    """A reasoningContent delta: its `text`, or its `signature`."""
    return delta(index, reasoningContent=value)


def tool_input(index: int, fragment: str) -> Frame:
    return delta(index, toolUse={"input": fragment})


def stop(index: int) -> Frame:
    return event("contentBlockStop", {"contentBlockIndex": index})


def metadata(input_tokens: int, output_tokens: int, latency_ms: int) -> Frame:
    usage = {
        "inputTokens": input_tokens,
        "outputTokens": output_tokens,
        "totalTokens": input_tokens + output_tokens,
    }
    return event("metadata", {"usage": usage, "metrics": {"latencyMs": latency_ms}})


START = event("messageStart", {"role": "assistant"})


def tool_start(index: int, tool_use_id: str, name: str) -> Frame:
    """A contentBlockStart event opening a toolUse block: its id and the tool's name."""
    start = {"toolUse": {"toolUseId": tool_use_id, "name": name}}
    return event("contentBlockStart", {"start": start, "contentBlockIndex": index})


# the toolConfig modelwire sends for `tools=[get_weather]` (devtools/tooling.py): one toolSpec
# whose inputSchema.json is the function's JSON Schema
WEATHER_TOOL_CONFIG = (
    '"toolConfig":{"tools":[{"toolSpec":{"name":"get_weather",'
    '"description":"Get the current weather in a given location.",'
    '"inputSchema":{"json":{"properties":{"location":{"description":'
    '"The city and country, e.g. Paris, France.","type":"string"},'
    '"unit":{"default":"celsius","description":"The temperature unit to answer in.",'
    '"enum":["celsius","fahrenheit"],"type":"string"}},"required":["location"],'
    '"type":"object"}}}}]}'
)
TOOL_PAGES = (
    REFERENCE + "API_runtime_ToolConfiguration.html",
    REFERENCE + "API_runtime_ToolSpecification.html",
    REFERENCE + "API_runtime_ContentBlockStartEvent.html",
    REFERENCE + "API_runtime_ToolUseBlockStart.html",
    REFERENCE + "API_runtime_ToolUseBlockDelta.html",
)


@dataclass(frozen=True)
class StreamCassette:
    name: str
    pages: tuple[str, ...]  # the first is the main source, the others are cited as `also:`
    about: tuple[str, ...]  # what the cassette shows (comment lines)
    request: str  # the request body modelwire sends (checked against request_body in the tests)
    frames: tuple[Frame, ...]
    request_id: str
    date: str

    @property
    def scenario(self) -> Any:
        return get(PROVIDER, self.name)

    def body(self) -> bytes:
        out = b""
        for message_type, kind, payload in self.frames:
            name = ":event-type" if message_type == "event" else ":exception-type"
            headers = {
                name: kind,
                ":content-type": "application/json",
                ":message-type": message_type,
            }
            data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
            out += encode_frame(headers, data)
        return out

    def comment(self) -> list[str]:
        s = self.scenario
        main, *also = self.pages
        lines = [
            f"Authored from AWS's Amazon Bedrock API reference on {DAY}, not recorded live: {main}",
            *(f"  also: {url}" for url in also),
            f"Contract cassette for scenario `{s.name}` ({PROVIDER}), see devtools/scenarios.py.",
            *self.about,
            "The body is binary AWS event-stream frames (base64 below, as vcrpy stores bytes),",
            "written by `python -m devtools.bedrock_cassettes`; each frame's :event-type names the",
            "ConverseStreamOutput member its JSON payload is.",
            ILLUSTRATIVE,
        ]
        if s.not_recordable:
            lines.append(f"Not recordable live: {s.not_recordable}.")
        else:
            lines.append(
                "A live recording replaces it: AWS_BEARER_TOKEN_BEDROCK=... AWS_REGION=us-east-1 "
                f"python tasks.py record {PROVIDER} {s.name}"
            )
        return lines

    def render(self) -> str:
        comment = "".join(f"# {line}\n" for line in self.comment())
        encoded = base64.encodebytes(self.body()).decode("ascii")
        body = "".join(f"        {line}\n" for line in encoded.splitlines())
        quoted = self.request.replace("'", "''")  # a single-quoted YAML scalar
        return (
            comment
            + "interactions:\n"
            + "- request:\n"
            + f"    body: '{quoted}'\n"
            + "    headers:\n"
            + "      accept:\n"
            + "      - application/vnd.amazon.eventstream\n"
            + "      content-type:\n"
            + "      - application/json\n"
            + "      user-agent:\n"
            + "      - modelwire/0.1\n"
            + "      x-amz-date:\n"
            + "      - 20261125T100000Z\n"
            + "    method: POST\n"
            + f"    uri: {HOST}/model/{CLAUDE}/converse-stream\n"
            + "  response:\n"
            + "    body:\n"
            + "      string: !!binary |\n"
            + body
            + "    headers:\n"
            + "      content-type:\n"
            + "      - application/vnd.amazon.eventstream\n"
            + "      date:\n"
            + f"      - {self.date}\n"
            + "      x-amzn-RequestId:\n"
            + f"      - {self.request_id}\n"
            + "    status:\n"
            + "      code: 200\n"
            + "      message: OK\n"
            + "version: 1\n"
        )


THINKING_SIGNATURE = (
    "EqoBCkgIAxABGAIiQJ3tGx0bLn6mV4YqkEw8cR2Pz9sUo1hXf7aD5TnC0yKjM8vWbQeZr4LdN6pFs2iHuA9oBxVwYc3t"
    "E1gKlRmJ0nQSDGh7VwLx2sT9cPqYzRoMnB4fKd8aJwEu5sXhIjA0pL6vTq2yN9bZc1fRkD7mWx3sG8eHaU5oJtC4iQvP"
)

CASSETTES = (
    StreamCassette(
        name="stream_text",
        pages=STREAM_PAGES,
        about=(
            "ConverseStream (POST /model/{modelId}/converse-stream): messageStart, text in",
            "contentBlockDelta events (a text block has no contentBlockStart), contentBlockStop,",
            "messageStop with the stopReason, then metadata with the usage and metrics.",
        ),
        request=(
            '{"messages":[{"role":"user","content":[{"text":"Say hello in five words."}]}],'
            '"inferenceConfig":{"maxTokens":1024}}'
        ),
        frames=(
            START,
            text(0, "Hello"),
            text(0, " there, wonderful"),
            text(0, " friend, welcome!"),
            stop(0),
            event("messageStop", {"stopReason": "end_turn"}),
            metadata(14, 11, 618),
        ),
        request_id="5c1e8a37-2f4b-4d9e-9a61-3b7f0c2d8e14",
        date="Wed, 25 Nov 2026 10:00:01 GMT",
    ),
    StreamCassette(
        name="stream_thinking",
        pages=(
            GUIDE + "claude-messages-extended-thinking.html",
            *STREAM_PAGES,
            REFERENCE + "API_runtime_ReasoningContentBlockDelta.html",
        ),
        about=(
            "Claude 3.7 Sonnet with extended thinking (additionalModelRequestFields.thinking):",
            "block 0 streams reasoningContent text deltas, then one reasoningContent signature",
            "delta; block 1 streams the answer text. The signature goes back on the next turn.",
        ),
        request=(
            '{"messages":[{"role":"user","content":[{"text":"What is 27 * 453?"}]}],'
            '"inferenceConfig":{"maxTokens":2048},'
            '"additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":1024}}}'
        ),
        frames=(
            START,
            reasoning(0, text="I need to multiply 27 by 453."),
            reasoning(0, text=" 27 * 453 = 27 * 400 + 27 * 53 = 10800 + 1431."),
            reasoning(0, text=" That is 12231."),
            reasoning(0, signature=THINKING_SIGNATURE),
            stop(0),
            text(1, "27 * 453 = "),
            text(1, "12,231."),
            stop(1),
            event("messageStop", {"stopReason": "end_turn"}),
            metadata(44, 98, 2140),
        ),
        request_id="9d4b2e61-7a3c-4f08-b5d2-61c8e0a4f937",
        date="Wed, 25 Nov 2026 10:00:04 GMT",
    ),
    StreamCassette(
        name="stream_tool_use",
        pages=(GUIDE + "tool-use-inference-call.html", *STREAM_PAGES, *TOOL_PAGES),
        about=(
            "The request declares the client tool `get_weather` (toolConfig: one toolSpec with",
            "its JSON Schema as inputSchema.json). A text block, then a toolUse block:",
            "contentBlockStart carries its toolUseId and name, and its contentBlockDelta events",
            "carry the input as JSON text fragments that join into one object; messageStop says",
            "tool_use.",
        ),
        request=(
            '{"messages":[{"role":"user","content":[{"text":'
            '"What is the weather like in Paris right now?"}]}],'
            '"inferenceConfig":{"maxTokens":1024},' + WEATHER_TOOL_CONFIG + "}"
        ),
        frames=(
            START,
            text(0, "I'll look up the current weather in Paris for you."),
            stop(0),
            tool_start(1, "tooluse_Xp3qR7vLTm2c9WbN4sKjHA", "get_weather"),
            tool_input(1, '{"location": "Par'),
            tool_input(1, 'is, France", "unit"'),
            tool_input(1, ': "celsius"}'),
            stop(1),
            event("messageStop", {"stopReason": "tool_use"}),
            metadata(389, 74, 1287),
        ),
        request_id="e2a7c915-04d8-4b6f-8c3e-7f19d5a60b28",
        date="Wed, 25 Nov 2026 10:00:06 GMT",
    ),
    StreamCassette(
        name="stream_tool_calls",
        pages=(GUIDE + "tool-use-inference-call.html", *STREAM_PAGES, *TOOL_PAGES),
        about=(
            "Two parallel calls of the declared `get_weather` tool (toolConfig), streamed: a",
            "text block 0, then toolUse blocks 1 and 2, each opened by a contentBlockStart with",
            "its own toolUseId and name, its input streamed as JSON text fragments in",
            "contentBlockDelta events of its contentBlockIndex, and closed by contentBlockStop;",
            "messageStop says tool_use, metadata carries the usage.",
        ),
        request=(
            '{"messages":[{"role":"user","content":[{"text":'
            '"What is the weather like in Paris and in Tokyo right now?"}]}],'
            '"inferenceConfig":{"maxTokens":1024},' + WEATHER_TOOL_CONFIG + "}"
        ),
        frames=(
            START,
            text(0, "I'll check the current weather"),
            text(0, " in Paris and in Tokyo for you."),
            stop(0),
            tool_start(1, "tooluse_Qm4vT8sLxR2nWc7bKe1jPa", "get_weather"),
            tool_input(1, '{"location"'),
            tool_input(1, ': "Paris, France"}'),
            stop(1),
            tool_start(2, "tooluse_Fz6hN3dYpU9aGt0rVk5wXs", "get_weather"),
            tool_input(2, '{"locati'),
            tool_input(2, 'on": "Tokyo, Japan"}'),
            stop(2),
            event("messageStop", {"stopReason": "tool_use"}),
            metadata(421, 112, 2034),
        ),
        request_id="6a9d3f12-b47e-4c58-8e21-d3f5a7b0c964",
        date="Wed, 25 Nov 2026 10:00:15 GMT",
    ),
    StreamCassette(
        name="stream_error",
        pages=(
            REFERENCE + "API_runtime_ConverseStreamOutput.html",
            REFERENCE + "API_runtime_ConverseStream.html",
            REFERENCE + "API_runtime_ContentBlockDeltaEvent.html",
            GUIDE + "troubleshooting-api-error-codes.html",
            EVENTSTREAM,
        ),
        about=(
            "HTTP 200: messageStart and two text deltas, then an exception frame",
            "(:message-type exception, :exception-type throttlingException, the member of",
            'ConverseStreamOutput) whose payload is {"message": ...}; the stream ends there.',
            "The message text is made up.",
        ),
        request=(
            '{"messages":[{"role":"user","content":[{"text":"Write a haiku about the sea."}]}],'
            '"inferenceConfig":{"maxTokens":1024}}'
        ),
        frames=(
            START,
            text(0, "Waves fold into foam,"),
            text(0, "\nsalt wind carries the gull's cry"),
            ("exception", "throttlingException", {"message": "Too many tokens, please wait."}),
        ),
        request_id="41f0d6b8-c93a-4e27-a5b1-d08e7c6f2a53",
        date="Wed, 25 Nov 2026 10:00:08 GMT",
    ),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.bedrock_cassettes")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a change")
    args = parser.parse_args(argv)
    changed = []
    for cassette in CASSETTES:
        path = cassette.scenario.path
        if path.is_file() and not leading_comment(path)[0].startswith("Authored"):
            print(f"{path.relative_to(ROOT)}: recorded live, left alone")
            continue
        rendered = cassette.render()
        if path.is_file() and path.read_text(encoding="utf-8") == rendered:
            continue
        changed.append(path.relative_to(ROOT).as_posix())
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rendered, encoding="utf-8")
    verb = "differ" if args.check else "written"
    print(f"{verb}: {', '.join(changed)}" if changed else "up to date")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())


def encode_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One frame with string headers (the AWS event-stream encoding: prelude, headers of type string, payload, CRCs)."""
    head = b"".join(
        bytes([len(k)]) + k.encode() + b"\x07" + struct.pack(">H", len(v)) + v.encode()
        for k, v in headers.items()
    )
    total = 12 + len(head) + len(payload) + 4
    prelude = struct.pack(">II", total, len(head))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + head + payload
    return body + struct.pack(">I", zlib.crc32(body))
