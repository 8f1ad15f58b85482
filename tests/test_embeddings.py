"""Embeddings through the public API (`AIModelClient.embed` / `embed_async`) against a server on
127.0.0.1, for every embedding protocol: the bodies sent, the vectors in input order, usage and
its charge, the split of inputs beyond a protocol's per-request limit, typed errors, and bad
input refused before any request. The authored cassettes (cassettes/<provider>/embed_*.yaml)
are replayed at the end."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from devtools.cassettes import leading_comment, replay
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    EmbeddingResponse,
    Pricing,
    RateLimitError,
)
from modelwire.models import (
    CohereEmbedEnglishV3,
    GeminiEmbedding001,
    GPT4o,
    MistralEmbed,
    TextEmbedding3Large,
    TextEmbedding3Small,
    TitanTextEmbeddingsV2,
)
from tests.support.server import LoopbackServer, Recorded, Reply

P = AIModelAPIProviderEnum
ROOT = Path(__file__).resolve().parent.parent
CREDS = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG"}
NO_RETRY = AIModelCallConfig(retries=0)


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def vec(text: str) -> list[float]:
    """The vector the test servers answer for a text: its number and its length (`t12` ->
    [12.0, 3.0]), so order and pairing are checked."""
    return [float(text[1:]) if text[1:].isdigit() else -1.0, float(len(text))]


def texts(n: int) -> list[str]:
    return [f"t{i}" for i in range(n)]


# --- what each protocol's test server answers ------------------------------------------------


def openai_answer(req: Recorded) -> Reply:
    inputs = req.json()["input"]
    inputs = [inputs] if isinstance(inputs, str) else inputs
    data = [{"object": "embedding", "index": i, "embedding": vec(t)} for i, t in enumerate(inputs)]
    usage = {"prompt_tokens": 2 * len(inputs), "total_tokens": 2 * len(inputs)}
    body = {"object": "list", "data": data, "model": req.json()["model"], "usage": usage}
    return Reply.json(body, headers={"x-request-id": "req-embed"})


def gemini_answer(req: Recorded) -> Reply:
    embeddings = [{"values": vec(r["content"]["parts"][0]["text"])} for r in req.json()["requests"]]
    return Reply.json({"embeddings": embeddings})


def vertex_answer(req: Recorded) -> Reply:
    predictions = [
        {"embeddings": {"values": vec(i["content"]), "statistics": {"token_count": 3}}}
        for i in req.json()["instances"]
    ]
    return Reply.json({"predictions": predictions, "metadata": {"billableCharacterCount": 9}})


def titan_answer(req: Recorded) -> Reply:
    text = req.json()["inputText"]
    body = {"embedding": vec(text), "inputTextTokenCount": 4, "embeddingsByType": {}}
    return Reply.json(body)


def cohere_answer(req: Recorded) -> Reply:
    sent = req.json()["texts"]
    body = {
        "id": "emb-1",
        "response_type": "embeddings_floats",
        "texts": sent,
        "embeddings": [vec(t) for t in sent],
    }
    return Reply.json(body)


def openai_api(server: LoopbackServer) -> AIModelAPI:
    return AIModelAPI(P.OPEN_AI, api_key="sk-test", base_url=server.url + "/v1")


def gemini_api(server: LoopbackServer) -> AIModelAPI:
    return AIModelAPI(P.GOOGLE_AI, api_key="AIza-test", base_url=server.url + "/v1beta")


def vertex_api(server: LoopbackServer) -> AIModelAPI:
    config = {"project_id": "proj-1", "location": "us-central1"}
    creds = {"access_token": "ya29.static"}
    return AIModelAPI(
        P.GOOGLE_VERTEX_AI, base_url=server.url + "/v1", config=config, credentials=creds
    )


def bedrock_api(server: LoopbackServer) -> AIModelAPI:
    return AIModelAPI(
        P.AMAZON_BEDROCK, base_url=server.url, config={"region": "us-east-1"}, credentials=CREDS
    )


# --- OpenAI --------------------------------------------------------------------------------------


def test_openai_vectors_usage_cost_and_body(server: LoopbackServer) -> None:
    server.responder = openai_answer
    ep = AIModelEndpoint(openai_api(server), TextEmbedding3Small)
    with AIModelClient(ep) as client:
        result = client.embed(["t0", "t1", "t2"], dimensions=512)
    assert isinstance(result, EmbeddingResponse)
    assert result.vectors == [vec("t0"), vec("t1"), vec("t2")]
    assert (result.model, result.provider, result.api_provider) == (
        "text-embedding-3-small",
        "openai",
        "openai",
    )
    assert result.usage is not None and result.usage.prompt_tokens == 6
    assert result.usage_charge is not None
    assert result.usage_charge.total == pytest.approx(6 * 0.02 / 1e6)
    assert (result.dimensions, result.requests) == (2, 1)
    sent = server.requests[0]
    assert sent.path == "/v1/embeddings"
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.json() == {
        "model": "text-embedding-3-small",
        "input": ["t0", "t1", "t2"],
        "dimensions": 512,
        "encoding_format": "float",
    }
    assert json.loads(json.dumps(result.to_dict()))["usage"]["prompt_tokens"] == 6


def test_one_text_is_one_input(server: LoopbackServer) -> None:
    server.responder = openai_answer
    with AIModelClient(AIModelEndpoint(openai_api(server), TextEmbedding3Large)) as client:
        result = client.embed("t7")
    assert result.vectors == [vec("t7")]
    assert server.requests[0].json()["input"] == ["t7"]


def test_5000_inputs_are_split_per_openai_limit_in_order(server: LoopbackServer) -> None:
    server.responder = openai_answer
    inputs = texts(5000)
    with AIModelClient(AIModelEndpoint(openai_api(server), TextEmbedding3Small)) as client:
        result = client.embed(inputs)
    assert [len(r.json()["input"]) for r in server.requests] == [2048, 2048, 904]
    assert len(result.vectors) == 5000
    assert result.vectors == [vec(t) for t in inputs]
    assert result.requests == 3
    assert result.usage is not None and result.usage.prompt_tokens == 10000
    assert result.usage_charge is not None
    assert result.usage_charge.total == pytest.approx(10000 * 0.02 / 1e6)


def test_async_embed_splits_and_keeps_order(server: LoopbackServer) -> None:
    server.responder = openai_answer
    inputs = texts(2050)

    async def main() -> EmbeddingResponse:
        ep = AIModelEndpoint(openai_api(server), TextEmbedding3Small)
        async with AIModelClient(ep, is_async=True) as client:
            return await client.embed_async(inputs, dimensions=256)

    result = asyncio.run(main())
    assert [len(r.json()["input"]) for r in server.requests] == [2048, 2]
    assert result.vectors == [vec(t) for t in inputs]
    assert result.usage is not None and result.usage.prompt_tokens == 4100


def test_openai_error_body_raises_the_typed_error(server: LoopbackServer) -> None:
    error = {
        "error": {
            "message": "Incorrect API key provided: sk-test.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }
    server.queue(Reply.json(error, status=401, headers={"x-request-id": "req-401"}))
    with (
        AIModelClient(AIModelEndpoint(openai_api(server), TextEmbedding3Small)) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.embed(["t0"])
    assert caught.value.status == 401 and caught.value.request_id == "req-401"
    assert "Incorrect API key" in caught.value.message


def test_a_failed_part_fails_the_call(server: LoopbackServer) -> None:
    """The second request of a split call is rate limited: the call raises (no partial
    vectors), after the retries the config allows."""
    error = {
        "error": {
            "message": "Rate limit reached",
            "type": "requests",
            "code": "rate_limit_exceeded",
        }
    }
    server.queue(Reply.json(openai_body(2048)), Reply.json(error, status=429))
    with (
        AIModelClient(AIModelEndpoint(openai_api(server), TextEmbedding3Small), NO_RETRY) as c,
        pytest.raises(RateLimitError),
    ):
        c.embed(texts(2049))
    assert len(server.requests) == 2


def openai_body(n: int) -> dict[str, Any]:
    data = [{"object": "embedding", "index": i, "embedding": [0.5]} for i in range(n)]
    return {"object": "list", "data": data, "model": "m", "usage": {"prompt_tokens": n}}


def test_a_vector_count_that_does_not_match_fails(server: LoopbackServer) -> None:
    from modelwire import ResponseDecodeError

    server.queue(Reply.json(openai_body(1)))
    with (
        AIModelClient(AIModelEndpoint(openai_api(server), TextEmbedding3Small)) as client,
        pytest.raises(ResponseDecodeError, match="1 vectors for 2 inputs"),
    ):
        client.embed(["t0", "t1"])


# --- bad input, before any request ------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "kwargs", "message"),
    [
        (TextEmbedding3Small, {"inputs": []}, "at least one input"),
        (TextEmbedding3Small, {"inputs": ["a", 3]}, "input 1 is a int"),
        (TextEmbedding3Small, {"inputs": 42}, "not int"),
        (TextEmbedding3Small, {"inputs": ["a"], "dimensions": 2000}, r"allowed: 1\.\.1536"),
        (TextEmbedding3Small, {"inputs": ["a"], "dimensions": 0}, "positive integer"),
        (TextEmbedding3Small, {"inputs": ["a"], "input_type": "query"}, "allowed: none"),
        (GeminiEmbedding001, {"inputs": ["a"], "input_type": "search"}, "allowed: query, document"),
        (GeminiEmbedding001, {"inputs": ["a"], "dimensions": 64}, r"allowed: 128\.\.3072"),
        (TitanTextEmbeddingsV2, {"inputs": ["a"], "dimensions": 300}, "allowed: 256, 512, 1024"),
        (MistralEmbed, {"inputs": ["a"], "dimensions": 512}, "allowed: 1024"),
        (GPT4o, {"inputs": ["a"]}, "embed\\(\\) needs an embedding model"),
    ],
)
def test_bad_input_fails_before_any_request(
    server: LoopbackServer, model: AIModel, kwargs: dict[str, Any], message: str
) -> None:
    provider = {
        "google": gemini_api,
        "amazon": bedrock_api,
    }.get(model.creator or "", openai_api)
    api = provider(server)
    if model is MistralEmbed:
        api = AIModelAPI(P.MISTRAL, api_key="mistral-test", base_url=server.url + "/v1")
    inputs = kwargs.pop("inputs")
    with (
        AIModelClient(AIModelEndpoint(api, model)) as client,
        pytest.raises(ConfigurationError, match=message),
    ):
        client.embed(inputs, **kwargs)
    assert server.requests == []


def test_generate_on_an_embedding_model_fails_clearly(server: LoopbackServer) -> None:
    with (
        AIModelClient(AIModelEndpoint(openai_api(server), TextEmbedding3Small)) as client,
        pytest.raises(ConfigurationError, match=r"makes embeddings: call client\.embed"),
    ):
        client.generate(prompt="Hello")
    assert server.requests == []


def test_embed_on_an_async_client_asks_for_embed_async(server: LoopbackServer) -> None:
    client = AIModelClient(AIModelEndpoint(openai_api(server), TextEmbedding3Small), is_async=True)
    with pytest.raises(ConfigurationError, match="is_async=True"):
        client.embed(["a"])


# --- Gemini API and Vertex AI --------------------------------------------------------------------


def test_gemini_api_batch_embed_contents(server: LoopbackServer) -> None:
    server.responder = gemini_answer
    with AIModelClient(AIModelEndpoint(gemini_api(server), GeminiEmbedding001)) as client:
        result = client.embed(["t0", "t1"], dimensions=768, input_type="query")
    sent = server.requests[0]
    assert sent.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents"
    assert sent.headers["x-goog-api-key"] == "AIza-test"
    request = {
        "model": "models/gemini-embedding-001",
        "taskType": "RETRIEVAL_QUERY",
        "outputDimensionality": 768,
    }
    assert sent.json() == {
        "requests": [
            {**request, "content": {"parts": [{"text": "t0"}]}},
            {**request, "content": {"parts": [{"text": "t1"}]}},
        ]
    }
    assert result.vectors == [vec("t0"), vec("t1")]
    # batchEmbedContents reports no token count: no usage, no charge
    assert result.usage is None and result.usage_charge is None


def test_gemini_takes_its_own_task_type_names(server: LoopbackServer) -> None:
    server.responder = gemini_answer
    with AIModelClient(AIModelEndpoint(gemini_api(server), GeminiEmbedding001)) as client:
        client.embed(["t0"], input_type="CODE_RETRIEVAL_QUERY")
    assert server.requests[0].json()["requests"][0]["taskType"] == "CODE_RETRIEVAL_QUERY"


def test_5000_inputs_are_split_per_gemini_limit_in_order(server: LoopbackServer) -> None:
    server.responder = gemini_answer
    inputs = texts(5000)
    with AIModelClient(AIModelEndpoint(gemini_api(server), GeminiEmbedding001)) as client:
        result = client.embed(inputs, input_type="document")
    assert [len(r.json()["requests"]) for r in server.requests] == [100] * 50
    assert result.vectors == [vec(t) for t in inputs] and result.requests == 50


def test_gemini_error_body_raises_the_typed_error(server: LoopbackServer) -> None:
    error = {
        "error": {
            "code": 400,
            "message": "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch",
            "status": "INVALID_ARGUMENT",
        }
    }
    server.queue(Reply.json(error, status=400))
    with (
        AIModelClient(AIModelEndpoint(gemini_api(server), GeminiEmbedding001)) as client,
        pytest.raises(BadRequestError, match="at most 100 requests"),
    ):
        client.embed(["t0"])


def test_vertex_predict_one_instance_per_request(server: LoopbackServer) -> None:
    server.responder = vertex_answer
    with AIModelClient(AIModelEndpoint(vertex_api(server), GeminiEmbedding001)) as client:
        result = client.embed(["t0", "t1", "t2"], dimensions=256, input_type="similarity")
    path = "/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-embedding-001:predict"
    assert [r.path for r in server.requests] == [path] * 3
    assert server.requests[0].headers["authorization"] == "Bearer ya29.static"
    assert server.requests[1].json() == {
        "instances": [{"content": "t1", "task_type": "SEMANTIC_SIMILARITY"}],
        "parameters": {"outputDimensionality": 256},
    }
    assert result.vectors == [vec("t0"), vec("t1"), vec("t2")]
    assert result.usage is not None and result.usage.prompt_tokens == 9
    assert result.usage_charge is not None
    assert result.usage_charge.total == pytest.approx(9 * 0.15 / 1e6)


# --- Bedrock: Titan and Cohere -------------------------------------------------------------------


def test_titan_one_input_per_request(server: LoopbackServer, monkeypatch) -> None:
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    server.responder = titan_answer
    inputs = texts(50)
    with AIModelClient(AIModelEndpoint(bedrock_api(server), TitanTextEmbeddingsV2)) as client:
        result = client.embed(inputs, dimensions=512)
    assert len(server.requests) == 50
    first = server.requests[0]
    assert first.path == "/model/amazon.titan-embed-text-v2%3A0/invoke"
    assert first.headers["authorization"].startswith("AWS4-HMAC-SHA256 ")
    assert first.json() == {"inputText": "t0", "dimensions": 512}
    assert result.vectors == [vec(t) for t in inputs]
    assert result.usage is not None and result.usage.prompt_tokens == 200
    assert result.usage_charge is None  # no verified price in the catalog (pricing_missing)


def test_titan_priced_when_the_model_has_prices(server: LoopbackServer) -> None:
    """A Titan model of one's own with a price: the summed input tokens at that rate."""
    server.responder = titan_answer
    priced = AIModel(
        model_name="amazon.titan-embed-text-v2:0",
        kind="embedding",
        creator="amazon",
        dimensions=1024,
        pricing=Pricing(input=0.02, output=0.0),
    )
    with AIModelClient(AIModelEndpoint(bedrock_api(server), priced)) as client:
        result = client.embed(texts(3))
    assert result.usage_charge is not None
    assert result.usage_charge.total == pytest.approx(12 * 0.02 / 1e6)


def test_cohere_96_texts_per_request_with_input_type(server: LoopbackServer) -> None:
    server.responder = cohere_answer
    inputs = texts(100)
    with AIModelClient(AIModelEndpoint(bedrock_api(server), CohereEmbedEnglishV3)) as client:
        result = client.embed(inputs, input_type="document")
    assert [r.path for r in server.requests] == ["/model/cohere.embed-english-v3/invoke"] * 2
    assert server.requests[1].json() == {"texts": inputs[96:], "input_type": "search_document"}
    assert [len(r.json()["texts"]) for r in server.requests] == [96, 4]
    assert result.vectors == [vec(t) for t in inputs]
    assert result.usage is None  # the body reports no token count


def test_bedrock_throttling_raises_the_typed_error(server: LoopbackServer) -> None:
    headers = {"x-amzn-errortype": "ThrottlingException", "x-amzn-requestid": "rid-1"}
    server.queue(Reply.json({"message": "Too many requests"}, status=429, headers=headers))
    ep = AIModelEndpoint(bedrock_api(server), TitanTextEmbeddingsV2)
    with AIModelClient(ep, NO_RETRY) as client, pytest.raises(RateLimitError) as caught:
        client.embed("t0")
    assert caught.value.request_id == "rid-1"


# --- OpenAI-compatible hosts and Azure -----------------------------------------------------------


def test_mistral_serves_openai_embeddings(server: LoopbackServer) -> None:
    server.responder = openai_answer
    api = AIModelAPI(P.MISTRAL, api_key="mistral-test", base_url=server.url + "/v1")
    with AIModelClient(AIModelEndpoint(api, MistralEmbed)) as client:
        result = client.embed(["t0", "t1"])
    sent = server.requests[0]
    assert sent.path == "/v1/embeddings"
    assert sent.json() == {
        "model": "mistral-embed",
        "input": ["t0", "t1"],
        "encoding_format": "float",
    }
    assert result.usage_charge is not None
    assert result.usage_charge.total == pytest.approx(4 * 0.1 / 1e6)


@pytest.mark.parametrize("provider", [P.TOGETHER, P.FIREWORKS, P.OLLAMA, P.VLLM])
def test_a_compatible_host_takes_a_model_of_ones_own(server: LoopbackServer, provider) -> None:
    server.responder = openai_answer
    api = AIModelAPI(provider, api_key="host-test", base_url=server.url + "/v1")
    model = AIModel(model_name="BAAI/bge-large-en-v1.5", kind="embedding")
    with AIModelClient(AIModelEndpoint(api, model)) as client:
        result = client.embed(["t0"], dimensions=64)  # a model of one's own: not checked
    assert server.requests[0].path == "/v1/embeddings"
    assert server.requests[0].json()["dimensions"] == 64
    assert result.vectors == [vec("t0")] and result.usage_charge is None


def test_azure_deployment_path(server: LoopbackServer, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)
    server.responder = openai_answer
    api = AIModelAPI(P.MICROSOFT_OPENAI, base_url=server.url, api_key="azure-key")
    deployment = AIModel(model_name="my-embedding", kind="embedding")
    with AIModelClient(AIModelEndpoint(api, deployment)) as client:
        client.embed(["t0"])
    sent = server.requests[0]
    assert sent.path == "/openai/deployments/my-embedding/embeddings?api-version=2024-10-21"
    assert sent.headers["api-key"] == "azure-key"


# --- authored cassettes --------------------------------------------------------------------------

CASSETTES = {
    "openai/embed_text.yaml": (P.OPEN_AI, TextEmbedding3Small, {"dimensions": 4}, {}),
    "google_gemini_api/embed_text.yaml": (
        P.GOOGLE_AI,
        GeminiEmbedding001,
        {"dimensions": 768, "input_type": "document"},
        {},
    ),
    "google_vertex_ai/embed_text.yaml": (
        P.GOOGLE_VERTEX_AI,
        GeminiEmbedding001,
        {"dimensions": 768, "input_type": "document"},
        {"config": {"project_id": "modelwire-contract", "location": "us-central1"}},
    ),
    "amazon_bedrock/embed_titan.yaml": (
        P.AMAZON_BEDROCK,
        TitanTextEmbeddingsV2,
        {"dimensions": 256},
        {"config": {"region": "us-east-1"}},
    ),
    "amazon_bedrock/embed_cohere.yaml": (
        P.AMAZON_BEDROCK,
        CohereEmbedEnglishV3,
        {"input_type": "document"},
        {"config": {"region": "us-east-1"}},
    ),
    "mistral/embed_text.yaml": (P.MISTRAL, MistralEmbed, {}, {}),
}
CASSETTE_INPUTS = ["The capital of France is Paris.", "Tokyo is the capital of Japan."]
KEYS = {
    P.OPEN_AI: {"api_key": "sk-test"},
    P.GOOGLE_AI: {"api_key": "AIza-test-0000"},
    P.GOOGLE_VERTEX_AI: {"credentials": {"access_token": "ya29.test-0000"}},
    P.AMAZON_BEDROCK: {"credentials": CREDS},
    P.MISTRAL: {"api_key": "mistral-test"},
}


def _wire(path: Path) -> tuple[list[list[float]], int | None]:
    """The vectors and the input token count the cassette's own bodies hold (read here, apart
    from modelwire)."""
    import yaml

    vectors: list[list[float]] = []
    tokens: list[int] = []
    for interaction in yaml.safe_load(path.read_text())["interactions"]:
        body = json.loads(interaction["response"]["body"]["string"])
        if "data" in body:
            vectors += [d["embedding"] for d in body["data"]]
            tokens.append(body["usage"]["prompt_tokens"])
        elif "predictions" in body:
            vectors += [p["embeddings"]["values"] for p in body["predictions"]]
            tokens += [p["embeddings"]["statistics"]["token_count"] for p in body["predictions"]]
        elif "embedding" in body:
            vectors.append(body["embedding"])
            tokens.append(body["inputTextTokenCount"])
        elif "texts" in body:
            vectors += body["embeddings"]
        else:
            vectors += [e["values"] for e in body["embeddings"]]
    return vectors, (sum(tokens) if tokens else None)


@pytest.mark.parametrize("name", sorted(CASSETTES))
def test_authored_cassette_replays(name: str, monkeypatch) -> None:
    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    provider, model, kwargs, api_kw = CASSETTES[name]
    path = ROOT / "cassettes" / name
    assert leading_comment(path)[0].startswith("Authored from ")
    api = AIModelAPI(provider, **KEYS[provider], **api_kw)
    vectors, tokens = _wire(path)
    with replay(path) as cassette, AIModelClient(AIModelEndpoint(api, model)) as client:
        result = client.embed(CASSETTE_INPUTS, **kwargs)
    assert cassette.all_played
    assert result.vectors == vectors and len(vectors) == 2
    assert (result.usage.prompt_tokens if result.usage else None) == tokens
    pricing = model.pricing
    if pricing is None or tokens is None:
        assert result.usage_charge is None
    else:
        assert result.usage_charge is not None
        assert result.usage_charge.total == pytest.approx(tokens * pricing.input / 1e6)


# --- the command line ----------------------------------------------------------------------------


def test_cli_embed_prints_json(server: LoopbackServer, monkeypatch, capsys) -> None:
    from modelwire.cli import main

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    server.responder = openai_answer
    argv = ["embed", "-m", "TextEmbedding3Small", "--base-url", server.url + "/v1"]
    assert main([*argv, "--dimensions", "8", "t0", "t1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["vectors"] == [vec("t0"), vec("t1")]
    assert out["usage"]["prompt_tokens"] == 4
    assert out["usage_charge"]["total"] == pytest.approx(4 * 0.02 / 1e6)
    assert out["requests"] == 1 and out["dimensions"] == 2
    assert server.requests[0].json()["dimensions"] == 8


def test_cli_embed_reads_lines_from_stdin(server: LoopbackServer, monkeypatch, capsys) -> None:
    import io

    from modelwire.cli import main

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setattr("sys.stdin", io.StringIO("t3\n\nt4\n"))
    server.responder = openai_answer
    assert main(["embed", "-m", "text-embedding-3-large", "--base-url", server.url + "/v1"]) == 0
    assert json.loads(capsys.readouterr().out)["vectors"] == [vec("t3"), vec("t4")]


def test_cli_embed_bad_input_type_is_a_usage_error(
    server: LoopbackServer, monkeypatch, capsys
) -> None:
    from modelwire.cli import main

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    argv = ["embed", "-m", "TextEmbedding3Small", "--base-url", server.url, "--input-type", "query"]
    assert main([*argv, "t0"]) == 2
    assert "input_type='query' is not taken" in capsys.readouterr().err
    assert server.requests == []
