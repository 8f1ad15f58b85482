"""Amazon Bedrock InvokeModel (`bedrock_invoke`: each model family's own API, framed by
Bedrock) and Bedrock Mantle (OpenAI-compatible Chat Completions and Responses), against a
server on 127.0.0.1.

Bodies and events follow the pages each spec cites: InvokeModel and
InvokeModelWithResponseStream (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html,
.../API_runtime_ResponseStream.html), the model parameter pages for Claude (Messages), Amazon
Nova, Titan Text and Meta Llama, and the Mantle guide
(https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html). Ids, texts and
counts are made up.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelwire
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
)
from modelwire._types import CallStatus
from modelwire.models import NovaMicro
from tests.support import bedrock_shapes as bd
from tests.support import openai_shapes as oa
from tests.support import responses_shapes as rs
from tests.support.server import LoopbackServer, Reply

BEDROCK = AIModelAPIProviderEnum.AMAZON_BEDROCK
CLAUDE = AIModel(model_name="us.anthropic.claude-3-7-sonnet-20250219-v1:0")
TITAN = AIModel(model_name="amazon.titan-text-express-v1")
LLAMA = AIModel(model_name="meta.llama3-8b-instruct-v1:0")
CREDS = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG"}
EVENTSTREAM = "application/vnd.amazon.eventstream"
METRICS = {
    "inputTokenCount": 7,
    "outputTokenCount": 2,
    "invocationLatency": 90,
    "firstByteLatency": 40,
}


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def bedrock(server: LoopbackServer, **kw: Any) -> AIModelAPI:
    kw.setdefault("api_key", "bedrock-api-key-test")
    return AIModelAPI(BEDROCK, base_url=server.url, config={"region": "us-east-1"}, **kw)


def invoke(server: LoopbackServer, model: AIModel, **cfg: Any) -> AIModelClient:
    endpoint = AIModelEndpoint(bedrock(server), model, protocol="bedrock_invoke")
    cfg.setdefault("max_output_tokens", 200)
    return AIModelClient(endpoint, AIModelCallConfig(**cfg), is_async=False)


def frames(chunks: list[bytes]) -> Reply:
    return Reply(body=chunks, content_type=EVENTSTREAM, headers={"x-amzn-RequestId": "req-1"})


def read_stream(client: AIModelClient, **kw: Any) -> tuple[list[str], Any]:
    texts, final = [], None
    for chunk, accumulated in client.generate(**kw).stream_generator:
        if chunk is not None:
            texts.append(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta())
        final = accumulated or final
    return texts, final.chat_response


# --- Claude: Anthropic's Messages body ----------------------------------------------------------


def test_claude_sends_the_messages_body_with_bedrocks_version_and_reads_the_message(
    server: LoopbackServer,
) -> None:
    server.queue(Reply.json(bd.claude_response("Hello!")))
    with invoke(server, CLAUDE) as client:
        response = client.generate(prompt="Hi", instructions="Be brief")
    chat = response.chat_response
    assert chat.text() == "Hello!" and chat.choices[0].finish_reason == "end_turn"
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens) == (9, 3)
    sent = server.requests[0]
    assert sent.path == "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/invoke"
    assert sent.json() == {  # no `model` (in the path), no `stream`
        "anthropic_version": "bedrock-2023-05-31",
        "system": "Be brief",
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 200,
    }
    assert sent.headers["authorization"] == "Bearer bedrock-api-key-test"


def test_claude_streams_messages_events_inside_invoke_chunks(server: LoopbackServer) -> None:
    server.queue(frames(bd.claude_stream_events(["Hel", "lo"])))
    with invoke(server, CLAUDE, streaming=True) as client:
        texts, chat = read_stream(client, prompt="Hi")
    assert texts == ["Hel", "lo"] and chat.text() == "Hello"
    assert chat.choices[0].finish_reason == "end_turn" and chat.id == "msg_bdrk_01"
    # the family's own counts (message_start, then message_delta), not the metrics
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens) == (9, 2)
    sent = server.requests[0]
    assert sent.path.endswith("v1%3A0/invoke-with-response-stream")
    assert sent.headers["accept"] == EVENTSTREAM
    assert "stream" not in sent.json() and "model" not in sent.json()


def test_claude_tool_use_through_invoke(server: LoopbackServer) -> None:
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return "sunny"

    tool_events = [
        {
            "type": "message_start",
            "message": {"id": "msg_bdrk_02", "usage": {"input_tokens": 30, "output_tokens": 1}},
        },
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {
                "type": "tool_use",
                "id": "toolu_bdrk_1",
                "name": "get_weather",
                "input": {},
            },
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": '{"city": '},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "input_json_delta", "partial_json": '"Paris"}'},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use"},
            "usage": {"output_tokens": 12},
        },
        {"type": "message_stop", "amazon-bedrock-invocationMetrics": METRICS},
    ]
    whole = {
        **bd.claude_response(),
        "content": [
            {
                "type": "tool_use",
                "id": "toolu_bdrk_1",
                "name": "get_weather",
                "input": {"city": "Paris"},
            }
        ],
        "stop_reason": "tool_use",
    }
    server.queue(Reply.json(whole), frames([bd.chunk(e) for e in tool_events]))
    for streaming in (False, True):
        with invoke(server, CLAUDE, tools=[get_weather], streaming=streaming) as client:
            response = client.generate(prompt="Weather in Paris?")
            if streaming:
                response = next(acc for _, acc in response.stream_generator if acc)
        (call,) = response.chat_response.tools()
        assert (call.id, call.name, call.arguments) == (
            "toolu_bdrk_1",
            "get_weather",
            {"city": "Paris"},
        )
        assert response.chat_response.choices[0].finish_reason == "tool_use"
    sent = server.requests[0].json()
    assert sent["tools"][0]["name"] == "get_weather" and "input_schema" in sent["tools"][0]


# --- Amazon Nova: the Converse shape with schemaVersion ---------------------------------------


def test_nova_sends_the_converse_shape_and_reads_converse_events(server: LoopbackServer) -> None:
    server.queue(
        frames(
            [
                bd.chunk({"messageStart": {"role": "assistant"}}),
                bd.chunk({"contentBlockDelta": {"delta": {"text": "Hel"}, "contentBlockIndex": 0}}),
                bd.chunk({"contentBlockDelta": {"delta": {"text": "lo"}, "contentBlockIndex": 0}}),
                bd.chunk({"contentBlockStop": {"contentBlockIndex": 0}}),
                bd.chunk({"messageStop": {"stopReason": "end_turn"}}),
                bd.chunk(
                    {
                        "metadata": {"usage": {"inputTokens": 5, "outputTokens": 2}},
                        "amazon-bedrock-invocationMetrics": METRICS,
                    }
                ),
            ]
        )
    )
    with invoke(server, NovaMicro, streaming=True, temperature=0.3) as client:
        texts, chat = read_stream(client, prompt="Hi", instructions="Be brief")
    assert texts == ["Hel", "lo"] and chat.choices[0].finish_reason == "end_turn"
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens) == (5, 2)
    sent = server.requests[0]
    assert sent.path == "/model/amazon.nova-micro-v1%3A0/invoke-with-response-stream"
    assert sent.json() == {
        "schemaVersion": "messages-v1",
        "messages": [{"role": "user", "content": [{"text": "Hi"}]}],
        "system": [{"text": "Be brief"}],
        "inferenceConfig": {"maxTokens": 200, "temperature": 0.3},
    }


def test_nova_structured_output_is_a_forced_tool_call(server: LoopbackServer) -> None:
    answer = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {
                        "toolUse": {
                            "toolUseId": "t1",
                            "name": "structured_output",
                            "input": {"city": "Paris"},
                        }
                    }
                ],
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": 20, "outputTokens": 8, "totalTokens": 28},
    }
    server.queue(Reply.json(answer))
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    with invoke(server, NovaMicro, structured_output=schema) as client:
        chat = client.generate(prompt="Where?").chat_response
    assert chat.structured() == {"city": "Paris"}
    sent = server.requests[0].json()
    assert "outputConfig" not in sent  # InvokeModel's Nova body has no outputConfig
    assert sent["toolConfig"]["toolChoice"] == {"tool": {"name": "structured_output"}}


# --- Amazon Titan Text: one prompt text -------------------------------------------------------


def test_titan_writes_the_conversation_as_one_prompt_and_reads_its_results(
    server: LoopbackServer,
) -> None:
    body = {
        "inputTextTokenCount": 6,
        "results": [{"tokenCount": 4, "outputText": " Hello there.", "completionReason": "FINISH"}],
    }
    server.queue(Reply.json(body))
    history = [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": "Again"},
    ]
    with invoke(server, TITAN, stop=["User:"], top_p=0.9) as client:
        chat = client.generate(messages=history).chat_response
    assert chat.text() == " Hello there." and chat.choices[0].finish_reason == "end_turn"
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens) == (6, 4)
    assert server.requests[0].path == "/model/amazon.titan-text-express-v1/invoke"
    assert server.requests[0].json() == {
        "inputText": "User: Hi\nBot: Hello.\nUser: Again\nBot:",
        "textGenerationConfig": {"maxTokenCount": 200, "topP": 0.9, "stopSequences": ["User:"]},
    }


def test_titan_streams_chunks_and_takes_the_counts_of_any(server: LoopbackServer) -> None:
    server.queue(
        frames(
            [
                bd.chunk({"outputText": "Hel", "index": 0, "inputTextTokenCount": 6}),
                bd.chunk(
                    {
                        "outputText": "lo",
                        "index": 0,
                        "totalOutputTextTokenCount": 2,
                        "completionReason": "LENGTH",
                    }
                ),
            ]
        )
    )
    with invoke(server, TITAN, streaming=True) as client:
        texts, chat = read_stream(client, prompt="Hi")
    assert texts == ["Hel", "lo"] and chat.choices[0].finish_reason == "max_tokens"
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens) == (6, 2)


def test_usage_from_the_invocation_metrics_when_the_family_reports_none(
    server: LoopbackServer,
) -> None:
    server.queue(
        frames(
            [
                bd.chunk({"outputText": "Hel", "index": 0}),
                bd.chunk(
                    {
                        "outputText": "lo",
                        "index": 0,
                        "completionReason": "FINISH",
                        "amazon-bedrock-invocationMetrics": METRICS,
                    }
                ),
            ]
        )
    )
    with invoke(server, TITAN, streaming=True) as client:
        _, chat = read_stream(client, prompt="Hi")
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens) == (7, 2)


def test_titan_has_no_system_prompt(server: LoopbackServer) -> None:
    with (
        invoke(server, TITAN) as client,
        pytest.raises(ConfigurationError, match="has no 'system' role"),
    ):
        client.request_body("Hi", instructions="Be brief")


# --- Meta Llama: Llama 3's prompt format --------------------------------------------------------


def test_llama_writes_llama3s_format_and_streams_its_generation(server: LoopbackServer) -> None:
    server.queue(
        Reply.json(
            {
                "generation": "Hello!",
                "prompt_token_count": 11,
                "generation_token_count": 3,
                "stop_reason": "stop",
            }
        ),
        frames(
            [
                bd.chunk(
                    {
                        "generation": "Hel",
                        "prompt_token_count": 11,
                        "generation_token_count": 1,
                        "stop_reason": None,
                    }
                ),
                bd.chunk(
                    {
                        "generation": "lo",
                        "prompt_token_count": None,
                        "generation_token_count": 2,
                        "stop_reason": None,
                    }
                ),
                bd.chunk(
                    {
                        "generation": "",
                        "prompt_token_count": None,
                        "generation_token_count": 3,
                        "stop_reason": "length",
                        "amazon-bedrock-invocationMetrics": METRICS,
                    }
                ),
            ]
        ),
    )
    with invoke(server, LLAMA) as client:
        chat = client.generate(prompt="Hi", instructions="Be brief").chat_response
    assert chat.text() == "Hello!" and chat.choices[0].finish_reason == "end_turn"
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens) == (11, 3)
    assert server.requests[0].json() == {
        "prompt": "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
        "max_gen_len": 200,
    }
    with invoke(server, LLAMA, streaming=True) as client:
        texts, chat = read_stream(client, prompt="Hi")
    assert texts == ["Hel", "lo"] and chat.choices[0].finish_reason == "max_tokens"
    assert (chat.usage.prompt_tokens, chat.usage.completion_tokens) == (11, 3)
    with (
        invoke(server, LLAMA, stop=["x"]) as client,
        pytest.raises(ConfigurationError, match="no stop"),
    ):
        client.request_body("Hi")


# --- the dialect, the envelope, the errors ---------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "dialect"),
    [
        (
            AIModel(model_name="global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "anthropic_messages",
        ),
        (AIModel(model_name="eu.amazon.nova-lite-v1:0"), "bedrock_converse"),
        (AIModel(model_name="amazon.titan-text-premier-v1:0"), "amazon_titan_text"),
        (AIModel(model_name="us.meta.llama3-2-3b-instruct-v1:0"), "meta_llama"),
        # an ARN names no family: the model's creator says, else the first dialect
        (
            AIModel(model_name="arn:aws:bedrock:us-east-1:1:provisioned-model/x", creator="amazon"),
            "bedrock_converse",
        ),
        (
            AIModel(model_name="arn:aws:bedrock:us-east-1:1:provisioned-model/x"),
            "anthropic_messages",
        ),
    ],
)
def test_the_dialect_follows_the_model_id_then_its_creator(
    server: LoopbackServer, model: AIModel, dialect: str
) -> None:
    with invoke(server, model) as client:
        assert client.adapter.PROTOCOL.endswith(f"({dialect})")


@pytest.mark.parametrize(
    ("kind", "error"),
    [("modelStreamErrorException", "ServerError"), ("throttlingException", "RateLimitError")],
)
async def test_an_exception_frame_in_an_invoke_stream_is_typed_with_the_partial(
    server: LoopbackServer, kind: str, error: str
) -> None:
    events = bd.claude_stream_events(["Hel", "lo"])[:4]
    server.queue(frames([*events, bd.exception(kind, "The model stream broke")]))
    endpoint = AIModelEndpoint(bedrock(server), CLAUDE, protocol="bedrock_invoke")
    config = AIModelCallConfig(streaming=True, max_output_tokens=100)
    seen = []
    async with AIModelClient(endpoint, config, is_async=True) as client:
        response = await client.generate_async(prompt="Hi")
        with pytest.raises(getattr(modelwire, error)) as caught:
            async for chunk, _ in response.stream_generator:
                seen.append(chunk.data.choice_deltas[0].content_deltas[0].get_text_delta())
    assert seen == ["Hel", "lo"]
    assert caught.value.message == "The model stream broke" and caught.value.status == 200
    assert caught.value.error_type == kind and caught.value.request_id == "req-1"
    assert caught.value.partial_response.chat_response.text() == "Hello"


def test_a_chunk_that_is_not_base64_json_keeps_the_partial(server: LoopbackServer) -> None:
    bad = bd.event("chunk", {"bytes": "not base64!"})
    server.queue(frames([*bd.claude_stream_events(["Hel"])[:3], bad]))
    with invoke(server, CLAUDE, streaming=True) as client:
        response = client.generate(prompt="Hi")
        with pytest.raises(modelwire.ResponseDecodeError, match="base64") as caught:
            list(response.stream_generator)
    assert caught.value.partial_response.chat_response.text() == "Hel"


# any wrapped event, base64 or not, JSON or not, of any family: chunks and a response, or a
# ModelwireError (with the partial response), never anything else
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_family_keys = st.sampled_from(
    [
        "type",
        "delta",
        "index",
        "contentBlockDelta",
        "messageStop",
        "outputText",
        "generation",
        "completionReason",
        "stop_reason",
        "amazon-bedrock-invocationMetrics",
        "metadata",
        "x",
    ]
)
_inner = st.dictionaries(_family_keys, _json, max_size=4)
_frame = st.one_of(
    _inner.map(bd.chunk),
    st.binary(max_size=12).map(bd.chunk),
    st.text(max_size=12).map(lambda t: bd.event("chunk", {"bytes": t})),
    st.just(bd.exception("modelStreamErrorException", "broke")),
    _json.map(lambda v: bd.event("chunk", v if isinstance(v, dict) else {"v": v})),
)


@pytest.mark.parametrize("model", [CLAUDE, NovaMicro, TITAN, LLAMA], ids=lambda m: m.model_name)
@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(frames_=st.lists(_frame, max_size=6), cut=st.integers(1, 40))
def test_any_wrapped_events_give_a_response_or_a_typed_error(
    model: AIModel, frames_: list[bytes], cut: int
) -> None:
    api = AIModelAPI(BEDROCK, api_key="bedrock-api-key-test", config={"region": "us-east-1"})
    endpoint = AIModelEndpoint(api, model, protocol="bedrock_invoke")
    client = AIModelClient(endpoint, AIModelCallConfig(streaming=True, max_output_tokens=9))
    response = httpx2.Response(200, headers={"content-type": EVENTSTREAM})
    prep = client._prepare("Hi", None, None, None)
    proc = client._builders[1].processor(response, CallStatus(200), prep)
    data = b"".join(frames_)
    for i in range(0, len(data), cut):
        for chunk in proc.feed(data[i : i + cut]):
            chunk.to_dict()
        if proc.failed is not None:
            break
    if proc.failed is None:
        _, final = proc.finish()
    if proc.failed is not None:
        assert isinstance(proc.failed, modelwire.ModelwireError), repr(proc.failed)
    else:
        final.to_dict()


@pytest.mark.parametrize(
    ("status", "aws_type", "message", "error"),
    [
        (
            400,
            "ValidationException",
            "Input is too long for requested model.",
            "ContextLengthExceededError",
        ),
        (
            403,
            "AccessDeniedException",
            "You don't have access to the model.",
            "PermissionDeniedError",
        ),
        (
            529,
            "ServiceUnavailableException",
            "Too many requests",
            "ServerError",
        ),  # not `overloaded`
    ],
)
def test_http_errors_are_bedrocks_whatever_the_family(
    server: LoopbackServer, status: int, aws_type: str, message: str, error: str
) -> None:
    headers = {
        "x-amzn-ErrorType": f"{aws_type}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    }
    server.queue(Reply.json(bd.error_body(message), status=status, headers=headers))
    with (
        invoke(server, CLAUDE, retries=0) as client,
        pytest.raises(getattr(modelwire, error)) as caught,
    ):
        client.generate(prompt="Hi")
    assert caught.value.message == message and caught.value.error_type == aws_type


def test_invoke_signs_for_bedrock_with_aws_credentials(server: LoopbackServer, monkeypatch) -> None:
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    server.queue(Reply.json(bd.claude_response()))
    api = bedrock(server, api_key=None, credentials=CREDS)
    with AIModelClient(
        AIModelEndpoint(api, CLAUDE, protocol="bedrock_invoke"),
        AIModelCallConfig(max_output_tokens=9),
    ) as c:
        c.generate(prompt="Hi")
    assert "/us-east-1/bedrock/aws4_request" in server.requests[0].headers["authorization"]


# --- Bedrock Mantle: OpenAI-compatible, under /v1 or /openai/v1 -----------------------------


def mantle(api: AIModelAPI, model: str, protocol: str) -> AIModelEndpoint:
    return AIModelEndpoint(api, AIModel(model_name=model), protocol=protocol)


def test_mantle_urls_follow_the_model_and_the_region() -> None:
    api = AIModelAPI(BEDROCK, api_key="bedrock-api-key-test", config={"region": "eu-west-1"})
    cases = [
        (
            "openai.gpt-oss-120b",
            "openai_chat",
            "https://bedrock-mantle.eu-west-1.api.aws/v1/chat/completions",
        ),
        (
            "openai.gpt-oss-120b",
            "openai_responses",
            "https://bedrock-mantle.eu-west-1.api.aws/v1/responses",
        ),
        (
            "openai.gpt-5.5",
            "openai_responses",
            "https://bedrock-mantle.eu-west-1.api.aws/openai/v1/responses",
        ),
    ]
    for model, protocol, url in cases:
        endpoint = mantle(api, model, protocol)
        assert endpoint.base_url + endpoint.path(stream=False) == url


def test_mantle_chat_completions_with_a_bedrock_api_key(server: LoopbackServer) -> None:
    server.queue(Reply.json(oa.completion("Hello!")))
    endpoint = mantle(bedrock(server), "openai.gpt-oss-120b", "openai_chat")
    with AIModelClient(endpoint, AIModelCallConfig(), is_async=False) as client:
        chat = client.generate(prompt="Hi").chat_response
    assert chat.text() == "Hello!"
    sent = server.requests[0]
    assert sent.path == "/v1/chat/completions" and sent.json()["model"] == "openai.gpt-oss-120b"
    assert sent.headers["authorization"] == "Bearer bedrock-api-key-test"


@pytest.mark.parametrize(
    ("model", "path"),
    [("openai.gpt-5.5", "/openai/v1/responses"), ("openai.gpt-oss-20b", "/v1/responses")],
)
def test_mantle_responses_streamed_on_either_prefix_signed_for_bedrock_mantle(
    server: LoopbackServer, monkeypatch, model: str, path: str
) -> None:
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    server.queue(Reply(body=rs.stream_events(["Hel", "lo"]), content_type="text/event-stream"))
    endpoint = mantle(bedrock(server, api_key=None, credentials=CREDS), model, "openai_responses")
    with AIModelClient(endpoint, AIModelCallConfig(streaming=True), is_async=False) as client:
        texts, chat = read_stream(client, prompt="Hi")
    assert texts == ["Hel", "lo"] and chat.text() == "Hello"
    sent = server.requests[0]
    assert sent.path == path
    assert "/us-east-1/bedrock-mantle/aws4_request" in sent.headers["authorization"]


@pytest.mark.parametrize("suffix", ["/v1", "/openai/v1"])
def test_a_mantle_base_url_given_with_its_prefix_is_not_doubled(
    server: LoopbackServer, suffix: str
) -> None:
    server.queue(Reply.json(rs.response("Hello!")))
    api = AIModelAPI(
        BEDROCK,
        api_key="k-0123456789",
        base_url=server.url + suffix,
        config={"region": "us-east-1"},
    )
    endpoint = mantle(api, "openai.gpt-5.6-luna", "openai_responses")
    with AIModelClient(endpoint, AIModelCallConfig(), is_async=False) as client:
        assert client.generate(prompt="Hi").chat_response.text() == "Hello!"
    assert server.requests[0].path == suffix + "/responses"


def test_converse_stays_the_default_protocol_on_bedrock() -> None:
    api = AIModelAPI(BEDROCK, api_key="bedrock-api-key-test", config={"region": "us-east-1"})
    assert AIModelEndpoint(api, NovaMicro).binding.protocol == "bedrock_converse"
    assert (
        AIModelEndpoint(api, AIModel(model_name="openai.gpt-oss-120b")).binding.protocol
        == "bedrock_converse"
    )
