"""Contract tests for image generation: every image model of the catalog, on each provider that
serves it (IMAGE_SCENARIOS of devtools/scenarios.py).

Each scenario replays its cassette (cassettes/<provider>/image_*.yaml, written by
`python -m devtools.image_cassettes`, origin in cassettes/README.md; vcrpy `record_mode="none"`,
so nothing reaches the network) through the public API: OpenAI Images (`openai_images`), Imagen
through `:predict` (`imagen_predict`, Gemini API and Vertex AI) and Gemini image models through
`generateContent`. The facts are asserted against the cassette's own wire body, read here
independently of modelwire: the request (model, prompt, and the call's options under their wire
names, catalog defaults included), every image (a real PNG, whose bytes are the wire's base64
decoded, and which `save()` writes), the image count the options asked for, revised prompts,
usage, and what it all costs: per-image prices from the catalog for the call's options (the
known figures asserted too), token prices for token-priced models, no charge for a model
without a verified price. The normalized ImageResponse is pinned with a syrupy snapshot.

`python tasks.py record openai image_gpt_image1_mini` (and the other recordable ones) re-records.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from devtools import image_cassettes
from devtools.cassettes import leading_comment
from devtools.scenarios import IMAGE_PROMPT_RED, IMAGE_SCENARIOS, SCENARIOS, Scenario
from devtools.tooling import RED_PNG
from modelwire import AIModel, AIModelCallResponse, models
from tests import test_contract_google as google_contract
from tests.support import contract

AUTHORED_ON = "2026-11-25"
KEYS = {
    "openai": "sk-test",  # not keys: what the tests pretend to send (never recorded)
    "google_gemini_api": "AIza-test-0000",
    "google_vertex_ai": "ya29.test-0000",  # a Google Cloud access token on Vertex AI
}
DOCS = {
    "openai": ("https://platform.openai.com/docs/", "https://developers.openai.com/api/"),
    "google_gemini_api": ("https://ai.google.dev/", "https://firebase.google.com/docs/"),
    "google_vertex_ai": ("https://cloud.google.com/", "https://firebase.google.com/docs/"),
}
REQUEST_ID = {"openai": "x-request-id"}  # Google sends no request-id header
OPENAI_URI = "https://api.openai.com/v1/images/generations"
GEMINI_URL = "https://generativelanguage.googleapis.com/v1beta/models/{model}:{method}"
VERTEX_URL = (
    "https://{location}-aiplatform.googleapis.com/v1/projects/{project_id}/locations/{location}"
    "/publishers/google/models/{model}:{method}"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# USD per image for the scenario's options: the catalog's figures, as its sources give them
# (DALL·E from OpenAI's pricing page, Imagen and Gemini images from the Gemini API's)
PER_IMAGE_USD = {
    "openai/image_dall_e2": 0.016,  # 256x256
    "openai/image_dall_e3": 0.040,  # standard, 1024x1024
    "google_gemini_api/image_imagen4": 0.04,
    "google_gemini_api/image_imagen4_fast": 0.02,
    "google_gemini_api/image_imagen4_ultra": 0.06,
    "google_vertex_ai/image_imagen4": 0.04,
    "google_gemini_api/image_gemini25_flash_image": 0.039,
    "google_gemini_api/image_gemini3_pro_image": 0.134,  # 1K and 2K alike
}
# the image output of token-priced models, in USD: output tokens at the image output rate,
# as OpenAI's own per-size tables give them (272 tokens x $40/1M = $0.01088 for GPT Image 1 low
# at 1024x1024; 1056 x $32/1M for GPT Image 1.5 medium); 2.6 Sunburst at its $30/1M, GPT Image 2
# at its $30/1M (a secondary-source price: genai-prices')
OUTPUT_USD = {
    "openai/image_gpt_image1": 0.01088,
    "openai/image_gpt_image1_mini": 0.002176,
    "openai/image_gpt_image15": 0.033792,
    "openai/image_gpt_image2": 0.00588,
    "openai/image_gpt_image26_sunburst": 0.00588,
}
# catalog models without a verified price (`pricing_missing` in specs/models/): no usage_charge
UNPRICED: set[str] = set()


def sid(s: Scenario) -> str:
    return f"{s.provider}/{s.name}"


def api(s: Scenario) -> str:
    """The API the scenario's model is called through; known by the constant's name, so that
    collecting the tests does not need the catalog."""
    if s.provider == "openai":
        return "openai_images"
    return "imagen_predict" if (s.model or "").startswith("Imagen") else "generate_content"


def key(s: Scenario) -> str:
    return KEYS[s.provider]


def expected_uri(s: Scenario) -> str:
    """The URI the providers' references give for the scenario's call."""
    if api(s) == "openai_images":
        return OPENAI_URI
    model = s.ai_model().id_for(s.provider)
    method = "predict" if api(s) == "imagen_predict" else "generateContent"
    if s.provider == "google_vertex_ai":
        return VERTEX_URL.format(model=model, method=method, **s.api_config)
    return GEMINI_URL.format(model=model, method=method)


def call_options(s: Scenario) -> dict[str, Any]:
    """The options the call is made with: the catalog's defaults, then the scenario's own."""
    model = s.ai_model()
    defaults = {n: o.default for n, o in model.valid_options.items() if o.default is not None}
    return {**defaults, **s.config["options"]}


def at_path(dotted: str, value: Any) -> dict[str, Any]:
    """`{"a": {"b": value}}` for "a.b"."""
    head, _, rest = dotted.partition(".")
    return {head: at_path(rest, value) if rest else value}


def merged(a: dict[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = merged(out[k], v) if isinstance(v, Mapping) and k in out else v
    return out


def expected_body(s: Scenario) -> dict[str, Any]:
    """The body the API references describe for the scenario, built from the scenario and the
    catalog's option names (never by modelwire): OpenAI Images takes the model, the prompt and
    each option by its own name; Imagen the prompt as `instances[0].prompt` and the options
    under `parameters` by their REST names; a Gemini image model the prompt as one user turn,
    responseModalities TEXT and IMAGE, and the options at their generationConfig paths."""
    model = s.ai_model()
    options = call_options(s)
    wire = {n: model.valid_options[n].wire or n for n in options}
    if api(s) == "openai_images":
        assert all(wire[n] == n for n in options)
        return {"model": model.id_for(s.provider), "prompt": s.prompt, **options}
    if api(s) == "imagen_predict":
        return {
            "instances": [{"prompt": s.prompt}],
            "parameters": {wire[n]: v for n, v in options.items()},
        }
    body: dict[str, Any] = {
        "contents": [{"role": "user", "parts": [{"text": s.prompt}]}],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]},
    }
    for name, value in options.items():
        body = merged(body, at_path(wire[name], value))
    return body


def asked_count(s: Scenario) -> int:
    """How many images the call's options ask for (one where the API makes one a call)."""
    options = call_options(s)
    return int(options.get("n", options.get("number_of_images", 1)))


# --- the wire, read without modelwire ---------------------------------------------------------


def wire_images(s: Scenario) -> list[dict[str, Any]]:
    """The images of the cassette's response, in order: base64 data, MIME type (when the wire
    names one) and the prompt the provider rewrote (DALL·E 3 revised_prompt, Vertex AI Imagen
    `prompt`)."""
    wire = contract.wire_json(s)
    if api(s) == "openai_images":
        return [
            {"b64": d["b64_json"], "mime": None, "revised": d.get("revised_prompt")}
            for d in wire["data"]
        ]
    if api(s) == "imagen_predict":
        return [
            {"b64": p["bytesBase64Encoded"], "mime": p["mimeType"], "revised": p.get("prompt")}
            for p in wire["predictions"]
        ]
    (candidate,) = wire["candidates"]
    return [
        {"b64": p["inlineData"]["data"], "mime": p["inlineData"]["mimeType"], "revised": None}
        for p in candidate["content"]["parts"]
        if "inlineData" in p
    ]


def wire_text(s: Scenario) -> str | None:
    """The text a Gemini image model gave with its images (None: no text part)."""
    if api(s) != "generate_content":
        return None
    (candidate,) = contract.wire_json(s)["candidates"]
    texts = [p["text"] for p in candidate["content"]["parts"] if "text" in p]
    return "".join(texts) or None


def wire_usage(s: Scenario) -> dict[str, Any] | None:
    """The wire's usage in modelwire's terms; None where the API reports none (DALL·E, Imagen)."""
    wire = contract.wire_json(s)
    if api(s) == "generate_content":
        return google_contract.usage_facts(wire["usageMetadata"])
    usage = wire.get("usage")
    if usage is None:
        return None
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    return {
        "prompt_tokens": usage["input_tokens"],
        "completion_tokens": usage["output_tokens"],
        "reasoning_tokens": None,
        "cache_read_tokens": None,
        "cache_write_tokens": None,
        "total_tokens": usage["total_tokens"],
    }


def wire_prompt_tokens(s: Scenario) -> int:
    wire = contract.wire_json(s)
    if api(s) == "generate_content":
        return int(wire["usageMetadata"]["promptTokenCount"])
    return int(wire.get("usage", {}).get("input_tokens", 0))


def decode_png(data: bytes) -> tuple[int, int, bytes]:
    """Decode a PNG (8-bit, non-interlaced, as the cassettes hold) far enough to know it is
    one: signature, chunks and their CRCs, IHDR, IDAT inflated to one filter byte and one row of
    pixels per line, IEND. Returns width, height and the raw scanlines."""
    assert data.startswith(PNG_SIGNATURE), "not a PNG signature"
    pos, chunks = len(PNG_SIGNATURE), []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, payload = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + payload) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, payload))
        pos += 12 + length
    assert pos == len(data) and chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, color, _comp, _filter, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    assert depth == 8 and interlace == 0
    raw = zlib.decompress(b"".join(p for k, p in chunks if k == b"IDAT"))
    assert len(raw) == height * (1 + width * channels)
    assert all(raw[row * (1 + width * channels)] <= 4 for row in range(height))  # filter types
    return width, height, raw


def normalized(response: AIModelCallResponse) -> dict[str, Any]:
    """What the snapshot pins: call status and ImageResponse (without the raw wire model)."""
    assert response.image_response is not None
    return {
        "status": response.status.to_dict(),
        "image_response": response.image_response.to_dict(),
    }


# --- every image model has its cassette -------------------------------------------------------


def test_every_image_model_of_the_catalog_has_a_scenario_and_a_cassette() -> None:
    """The issue's "done when": each image model of the catalog has a cassette test here that
    decodes a real PNG and prices it; and every image scenario is replayed here."""
    image_models = {m.constant for m in models.ALL_MODELS if m.kind == "image"}
    assert image_models
    assert {s.model for s in IMAGE_SCENARIOS} == image_models
    assert [s for s in SCENARIOS if s.outcome == "image"] == list(IMAGE_SCENARIOS)
    assert all(s.path.is_file() for s in IMAGE_SCENARIOS)
    priced = {sid(s) for s in IMAGE_SCENARIOS if s.model not in UNPRICED}
    assert priced == set(PER_IMAGE_USD) | set(OUTPUT_USD)
    assert not set(PER_IMAGE_USD) & set(OUTPUT_USD)


@pytest.mark.parametrize("s", IMAGE_SCENARIOS, ids=sid)
def test_cassette_is_one_clean_interaction_with_its_origin(s: Scenario) -> None:
    recorded = contract.check_cassette(
        s,
        docs=DOCS[s.provider],
        authored_on=AUTHORED_ON,
        uri=expected_uri(s),
        request_id_header=REQUEST_ID.get(s.provider),
    )
    headers = recorded["request"]["headers"]
    assert set(headers) == {"accept", "content-type", "user-agent"}  # the key is filtered out
    assert headers["accept"] == ["application/json"]  # image calls are never streamed
    assert recorded["response"]["status"]["code"] == 200
    assert contract.wire_header(s, "content-type") == "application/json"
    comment = leading_comment(s.path)
    if comment[0].startswith("Authored"):
        assert any("python -m devtools.image_cassettes" in line for line in comment)
    # a model already shut down cannot be recorded, and its cassette says why
    shut_down = s.ai_model().deprecation_date
    assert (s.not_recordable is not None) is (shut_down is not None and shut_down <= AUTHORED_ON)
    if s.not_recordable:
        assert comment[-1] == f"Not recordable live: {s.not_recordable}."


@pytest.mark.parametrize("s", IMAGE_SCENARIOS, ids=sid)
def test_cassette_request_body_is_what_modelwire_sends(s: Scenario) -> None:
    body = contract.check_request_body(s, key(s))
    assert body == expected_body(s)
    # byte for byte: the compact JSON modelwire puts on the wire
    sent = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    assert contract.interaction(s)["request"]["body"] == sent
    assert IMAGE_PROMPT_RED in sent


def test_authored_cassettes_are_what_the_script_writes() -> None:
    """`python -m devtools.image_cassettes` writes exactly the committed authored cassettes
    (and refuses a request body other than modelwire's)."""
    assert sorted(map(sid, (c.scenario for c in image_cassettes.CASSETTES))) == sorted(
        map(sid, IMAGE_SCENARIOS)
    )
    for cassette in image_cassettes.CASSETTES:
        path = cassette.scenario.path
        if leading_comment(path)[0].startswith("Authored"):
            assert path.read_text(encoding="utf-8") == cassette.render(), path
        assert cassette.request_text() == cassette.modelwire_request_text()
    assert image_cassettes.main(["--check"]) == 0


# --- the replayed calls -----------------------------------------------------------------------


@pytest.mark.parametrize("s", IMAGE_SCENARIOS, ids=sid)
def test_image(s: Scenario, snapshot: Any, tmp_path: Path) -> None:
    response = contract.replay_call(s, key(s))
    images = response.image_response
    assert images is not None
    contract.assert_status(response, s, REQUEST_ID.get(s.provider))
    assert response.full_response == contract.wire_json(s)
    model = s.ai_model()
    assert (images.provider, images.api_provider) == (model.creator, s.provider)
    assert images.model == contract.wire_json(s).get("modelVersion", model.id_for(s.provider))
    assert images.options == call_options(s)

    # every image: a real PNG, the wire's base64 decoded, written whole by save()
    wire = wire_images(s)
    assert images.image_count == len(images.images) == len(wire) == asked_count(s)
    for index, (image, expected) in enumerate(zip(images.images, wire, strict=True)):
        assert image.type == "image" and image.url is None
        data = images.get_content_as_bytes(index)
        assert data == image.get_content_as_bytes() == base64.b64decode(expected["b64"])
        assert data.startswith(PNG_SIGNATURE) and decode_png(data)[:2] == (2, 2)
        assert data == RED_PNG
        assert image.media_type == (expected["mime"] or "image/png") == "image/png"
        assert image.revised_prompt == expected["revised"]
        saved = images.save(tmp_path / f"{s.name}_{index}.png", index)
        assert saved.read_bytes() == data
    assert images.revised_prompt == wire[0]["revised"]
    assert images.text == wire_text(s)

    # a Gemini image model's answer is a chat answer too (its text and image parts)
    if api(s) == "generate_content":
        assert response.chat_response is not None
        assert (response.chat_response.text() or None) == wire_text(s)
        assert images.id == contract.wire_json(s)["responseId"]
    else:
        assert response.chat_response is None and images.id is None

    # usage as the wire reports it
    usage = wire_usage(s)
    assert (images.usage.to_dict() if images.usage else None) == usage
    check_charge(s, images.usage_charge, model)
    assert normalized(response) == snapshot


def check_charge(s: Scenario, charge: Any, model: AIModel) -> None:
    """Per-image models: count x the catalog price for the call's options (what the sources
    give), the prompt's tokens, when reported, at the input rate, and no output tokens besides;
    token-priced models: the wire's usage at the catalog rates; unpriced models: no charge."""
    if s.model in UNPRICED:
        assert model.pricing is None and not model.image_pricing
        assert charge is None
        return
    assert charge is not None and charge.currency == "USD"
    count = len(wire_images(s))
    if model.image_pricing:
        price = model.image_price(call_options(s))
        assert price == PER_IMAGE_USD[sid(s)]
        assert charge.images == pytest.approx(count * price)
        rate = model.pricing.input if model.pricing is not None else 0.0
        assert charge.input == pytest.approx(wire_prompt_tokens(s) * rate / 1e6)
        assert charge.output == 0.0  # the output tokens are the images, priced per image
        parts = charge.input + charge.cached_input + charge.cache_write + charge.reasoning
        assert charge.total == pytest.approx(charge.images + parts)
        if model.pricing is None:  # DALL·E and Imagen: the images are the whole price
            assert charge.total == pytest.approx(count * price)
        return
    assert model.pricing is not None and charge.images is None
    usage = contract.wire_json(s)["usage"]
    contract.assert_charge(
        charge, model.pricing, fresh_input=usage["input_tokens"], output=usage["output_tokens"]
    )
    assert charge.output == pytest.approx(OUTPUT_USD[sid(s)])


def test_dall_e_3_standard_square_costs_four_cents() -> None:
    """The issue's example: DALL·E 3, standard, 1024x1024, natural, n 1, base64: $0.04."""
    s = next(s for s in IMAGE_SCENARIOS if s.name == "image_dall_e3")
    images = contract.replay_call(s, key(s)).image_response
    assert images is not None and images.usage is None
    assert images.usage_charge is not None and images.usage_charge.total == 0.04
    assert images.revised_prompt and images.revised_prompt != s.prompt


def test_imagen_on_the_gemini_api_makes_the_two_images_asked_for() -> None:
    s = next(s for s in IMAGE_SCENARIOS if sid(s) == "google_gemini_api/image_imagen4")
    assert s.config["options"] == {"number_of_images": 2}
    body = json.loads(contract.interaction(s)["request"]["body"])
    assert body["parameters"]["sampleCount"] == 2
    images = contract.replay_call(s, key(s)).image_response
    assert images is not None and images.image_count == 2
    assert images.usage_charge is not None and images.usage_charge.total == pytest.approx(0.08)


def test_gemini_3_pro_image_reports_its_thinking_and_signs_its_image() -> None:
    """The image part carries a thoughtSignature (Google: to be sent back on a later turn);
    thinking tokens are counted as reasoning within completion tokens."""
    s = next(s for s in IMAGE_SCENARIOS if s.name == "image_gemini3_pro_image")
    (part,) = contract.wire_json(s)["candidates"][0]["content"]["parts"]
    assert part["thoughtSignature"] and "inlineData" in part
    usage = contract.wire_json(s)["usageMetadata"]
    images = contract.replay_call(s, key(s)).image_response
    assert images is not None and images.usage is not None
    assert images.usage.reasoning_tokens == usage["thoughtsTokenCount"] > 0
    assert images.usage.completion_tokens == (
        usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    )
    assert usage["candidatesTokensDetails"] == [{"modality": "IMAGE", "tokenCount": 1120}]
    # the signature stays on the image, and goes back with it on the next turn (image editing)
    assert images.images[0].signature == part["thoughtSignature"]
    response = contract.replay_call(s, key(s))
    assert response.chat_response is not None
    messages = [
        {"role": "user", "content": s.prompt},
        response.chat_response.to_message_item(),
        {"role": "user", "content": "Now make it blue."},
    ]
    with contract.client_for(s, key(s)) as client:
        body = client.request_body(messages=messages, config=s.call_config())
    assert body["contents"][1] == {
        "role": "model",
        "parts": [
            {
                "inlineData": {"mimeType": "image/png", "data": part["inlineData"]["data"]},
                "thoughtSignature": part["thoughtSignature"],
            }
        ],
    }
    # thinking is charged at the text and thinking rate; the image per image
    charge = images.usage_charge
    assert charge is not None and charge.images == 0.134
    assert charge.reasoning == pytest.approx(usage["thoughtsTokenCount"] * 12.0 / 1e6)
