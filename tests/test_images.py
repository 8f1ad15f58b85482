"""Image generation: the public API against servers on 127.0.0.1 shaped like the real APIs
(OpenAI Images, Imagen predict, Gemini image output), and the checks before any request.
The catalog's image models are replayed from cassettes in tests/test_contract_images.py."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from devtools.tooling import RED_PNG
from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ConfigurationError,
    OptionSpec,
)
from modelwire._catalog import ImagePrice, Pricing
from tests.support.server import LoopbackServer, Reply

B64 = base64.b64encode(RED_PNG).decode()
DALLE = AIModel(
    model_name="dall-e-3",
    kind="image",
    creator="openai",
    capabilities=frozenset({"text_input", "image_output"}),
    valid_options={
        "quality": OptionSpec(("standard", "hd"), "standard"),
        "size": OptionSpec(("1024x1024", "1024x1792", "1792x1024"), "1024x1024"),
        "style": OptionSpec(("vivid", "natural"), "vivid"),
        "n": OptionSpec((1,), 1),
        "response_format": OptionSpec(("url", "b64_json"), "url"),
    },
    image_pricing=(
        ImagePrice(0.04, {"quality": "standard", "size": "1024x1024"}),
        ImagePrice(0.08, {"quality": "standard"}),
        ImagePrice(0.08, {"quality": "hd", "size": "1024x1024"}),
        ImagePrice(0.12, {"quality": "hd"}),
    ),
    constant="TestDalle3",
)


def openai_endpoint(server: LoopbackServer, model: AIModel = DALLE) -> AIModelEndpoint:
    api = AIModelAPI(AIModelAPIProviderEnum.OPEN_AI, api_key="sk-test", base_url=server.url + "/v1")
    return AIModelEndpoint(api=api, ai_model=model)


def test_the_seed_example_works_as_written(tmp_path: Path) -> None:
    config = AIModelCallConfig(
        options={
            "quality": "standard",
            "size": "1024x1024",
            "style": "natural",
            "n": 1,
            "response_format": "b64_json",
        }
    )
    body = {
        "created": 1795600000,
        "data": [{"b64_json": B64, "revised_prompt": "A small red square."}],
    }
    with LoopbackServer() as server:
        server.queue(Reply.json(body, headers={"x-request-id": "req_img_1"}))
        with AIModelClient(openai_endpoint(server), config) as client:
            response = client.generate(prompt="A red square")
        sent = server.requests[0]
    assert sent.path == "/v1/images/generations"
    assert sent.json() == {
        "model": "dall-e-3",
        "prompt": "A red square",
        "quality": "standard",
        "size": "1024x1024",
        "style": "natural",
        "n": 1,
        "response_format": "b64_json",
    }
    assert response.chat_response is None and response.status.request_id == "req_img_1"
    images = response.image_response
    assert images is not None and images.image_count == 1
    assert images.get_content_as_bytes() == RED_PNG
    assert images.images[0].media_type == "image/png"
    assert images.revised_prompt == "A small red square."
    assert images.save(tmp_path / "out.png").read_bytes() == RED_PNG
    assert images.usage_charge is not None and images.usage_charge.images == 0.04
    assert images.usage_charge.total == 0.04
    assert images.options["style"] == "natural"


def test_defaults_come_from_the_catalog_and_set_the_price() -> None:
    with LoopbackServer() as server:
        server.queue(Reply.json({"created": 1, "data": [{"url": "https://example.invalid/a.png"}]}))
        config = AIModelCallConfig(options={"quality": "hd", "size": "1792x1024"})
        with AIModelClient(openai_endpoint(server), config) as client:
            images = client.generate(prompt="A red square").image_response
        sent = server.requests[0].json()
    assert sent["style"] == "vivid" and sent["response_format"] == "url" and sent["n"] == 1
    assert images is not None and images.images[0].url == "https://example.invalid/a.png"
    assert images.usage_charge is not None and images.usage_charge.total == 0.12
    with pytest.raises(ValueError, match="is a URL"):
        images.get_content_as_bytes()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"size": "512x512"},
            r"option size='512x512' is not accepted by TestDalle3; allowed: '1024x1024', '1024x1792', '1792x1024'",
        ),
        (
            {"background": "transparent"},
            r"option 'background' is not accepted by TestDalle3; allowed: quality, size, style, n, response_format",
        ),
        ({"n": 2}, r"option n=2 is not accepted by TestDalle3; allowed: 1"),
    ],
)
def test_bad_options_fail_before_any_request(options: dict[str, Any], message: str) -> None:
    with LoopbackServer() as server:
        config = AIModelCallConfig(options=options)
        with (
            AIModelClient(openai_endpoint(server), config) as client,
            pytest.raises(ConfigurationError, match=message),
        ):
            client.generate(prompt="A red square")
        assert server.requests == []


def test_image_calls_take_no_stream_tools_or_instructions() -> None:
    with LoopbackServer() as server:
        ep = openai_endpoint(server)
        with (
            AIModelClient(ep, AIModelCallConfig(streaming=True)) as client,
            pytest.raises(
                ConfigurationError, match="makes images, which modelwire does not stream"
            ),
        ):
            client.generate(prompt="x")
        with (
            AIModelClient(ep) as client,
            pytest.raises(ConfigurationError, match="cannot use instructions"),
        ):
            client.generate(prompt="x", instructions="be brief")
        assert server.requests == []


def test_token_priced_images_use_the_reported_usage() -> None:
    gpt_image = AIModel(
        model_name="gpt-image-1",
        kind="image",
        pricing=Pricing(input=5.0, output=40.0),
        constant="TestGptImage",
    )
    body = {
        "created": 1,
        "data": [{"b64_json": B64}],
        "usage": {
            "total_tokens": 282,
            "input_tokens": 10,
            "output_tokens": 272,
            "input_tokens_details": {"text_tokens": 10, "image_tokens": 0},
        },
    }
    with LoopbackServer() as server:
        server.queue(Reply.json(body))
        with AIModelClient(openai_endpoint(server, gpt_image)) as client:
            images = client.generate(prompt="A red square").image_response
    assert images is not None and images.usage is not None
    assert (images.usage.prompt_tokens, images.usage.completion_tokens) == (10, 272)
    assert images.usage_charge is not None and images.usage_charge.images is None
    assert images.usage_charge.total == pytest.approx(10 * 5.0 / 1e6 + 272 * 40.0 / 1e6)


def test_imagen_options_go_to_parameters_under_their_wire_names() -> None:
    imagen = AIModel(
        model_name="imagen-4.0-generate-001",
        kind="image",
        creator="google",
        valid_options={
            "number_of_images": OptionSpec((1, 2, 3, 4), 1, wire="sampleCount"),
            "aspect_ratio": OptionSpec(("1:1", "16:9"), "1:1", wire="aspectRatio"),
        },
        image_pricing=(ImagePrice(0.04),),
        constant="TestImagen",
    )
    body = {"predictions": [{"bytesBase64Encoded": B64, "mimeType": "image/png"}] * 2}
    with LoopbackServer() as server:
        server.queue(Reply.json(body))
        api = AIModelAPI(
            AIModelAPIProviderEnum.GOOGLE_AI, api_key="test-key", base_url=server.url + "/v1beta"
        )
        config = AIModelCallConfig(options={"number_of_images": 2})
        with AIModelClient(AIModelEndpoint(api=api, ai_model=imagen), config) as client:
            images = client.generate(prompt="A red square").image_response
        sent = server.requests[0]
    assert sent.path == "/v1beta/models/imagen-4.0-generate-001:predict"
    assert sent.json() == {
        "instances": [{"prompt": "A red square"}],
        "parameters": {"sampleCount": 2, "aspectRatio": "1:1"},
    }
    assert images is not None and images.image_count == 2
    assert images.usage_charge is not None and images.usage_charge.total == 0.08


def test_gemini_image_models_ask_for_images_and_get_them_with_text() -> None:
    flash_image = AIModel(
        model_name="gemini-2.5-flash-image",
        kind="image",
        creator="google",
        valid_options={
            "aspect_ratio": OptionSpec(
                ("1:1", "16:9"), None, wire="generationConfig.imageConfig.aspectRatio"
            )
        },
        pricing=Pricing(input=0.30, output=30.0),
        image_pricing=(ImagePrice(0.039),),
        protocols=("gemini_generate_content",),
        constant="TestFlashImage",
    )
    body = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "Here it is."},
                        {"inlineData": {"mimeType": "image/png", "data": B64}},
                    ],
                },
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 6,
            "candidatesTokenCount": 1295,
            "totalTokenCount": 1301,
        },
    }
    with LoopbackServer() as server:
        server.queue(Reply.json(body))
        api = AIModelAPI(
            AIModelAPIProviderEnum.GOOGLE_AI, api_key="test-key", base_url=server.url + "/v1beta"
        )
        config = AIModelCallConfig(options={"aspect_ratio": "16:9"})
        with AIModelClient(AIModelEndpoint(api=api, ai_model=flash_image), config) as client:
            response = client.generate(prompt="A red square")
        sent = server.requests[0].json()
    assert sent["generationConfig"] == {
        "responseModalities": ["TEXT", "IMAGE"],
        "imageConfig": {"aspectRatio": "16:9"},
    }
    images = response.image_response
    assert (
        images is not None
        and images.get_content_as_bytes() == RED_PNG
        and images.text == "Here it is."
    )
    assert response.chat_response is not None and response.chat_response.text() == "Here it is."
    charge = images.usage_charge
    assert charge is not None and charge.images == 0.039 and charge.output == 0.0
    assert charge.total == pytest.approx(0.039 + 6 * 0.30 / 1e6)
    assert json.loads(json.dumps(images.to_dict()))["image_count"] == 1
