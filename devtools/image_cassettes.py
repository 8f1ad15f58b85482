"""python -m devtools.image_cassettes [--check]: write the authored image-generation cassettes.

One cassette per image scenario of devtools/scenarios.py (IMAGE_SCENARIOS: every image model of
the catalog), replayed by tests/test_contract_images.py. Their responses carry base64 image
data, which is easier to get right from a script than by hand: every image is devtools/tooling.py's
2x2 red PNG (RED_PNG), standing in for the full-size image the API returns. Request bodies are
written here as the API references describe them, and the script refuses to write a cassette
whose body is not byte for byte the one modelwire sends (`client.request_body`, serialized
compactly); response bodies follow the pages each cassette cites:

- OpenAI Images (POST /v1/images/generations): `{created, data: [{b64_json, revised_prompt?}]}`;
  GPT image models add `background`, `output_format`, `quality`, `size` and token `usage`;
  DALL·E models report no usage, and only dall-e-3 returns a `revised_prompt`.
- Imagen (`:predict` on the Gemini API and Vertex AI): `{predictions: [{mimeType,
  bytesBase64Encoded}]}`; Vertex AI adds each image's rewritten `prompt` (the prompt rewriter is
  on by default for Imagen 4 and answers for prompts under 30 words).
- Gemini image models (generateContent): inlineData parts (mimeType image/png, base64 data) in the
  candidate's content, text too when the model gives some, finishReason STOP, usageMetadata.

`--check` compares instead of writing and exits 1 on a difference. A cassette recorded live
(`python tasks.py record ...`) is left alone.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from dataclasses import dataclass, field
from typing import Any

from devtools.cassettes import leading_comment
from devtools.scenarios import ROOT, Scenario, get
from devtools.tooling import RED_PNG

DAY = "2026-11-25"
B64 = base64.b64encode(RED_PNG).decode("ascii")
PROMPT = "A plain red square, nothing else."

OPENAI_URI = "https://api.openai.com/v1/images/generations"
GEMINI_URI = "https://generativelanguage.googleapis.com/v1beta/models/{model}:{method}"
VERTEX_URI = (
    "https://us-central1-aiplatform.googleapis.com/v1/projects/modelwire-contract/locations/"
    "us-central1/publishers/google/models/{model}:{method}"
)

OPENAI_DOCS = "https://platform.openai.com/docs/"
IMAGES_OBJECT = OPENAI_DOCS + "api-reference/images/object"
IMAGES_CREATE = OPENAI_DOCS + "api-reference/images/create"
IMAGE_GUIDE = OPENAI_DOCS + "guides/image-generation"
DEBUGGING = OPENAI_DOCS + "api-reference/debugging-requests"
OPENAI_DEPRECATIONS = "https://developers.openai.com/api/docs/deprecations"
OPENAI_MODELS = "https://developers.openai.com/api/docs/models/"

GEMINI_IMAGEN = "https://ai.google.dev/gemini-api/docs/imagen"
GEMINI_IMAGE_GENERATION = "https://ai.google.dev/gemini-api/docs/image-generation"
GENERATE_CONTENT = "https://ai.google.dev/api/generate-content"
GEMINI_PRICING = "https://ai.google.dev/gemini-api/docs/pricing"
GEMINI_DEPRECATIONS = "https://ai.google.dev/gemini-api/docs/deprecations"
THOUGHT_SIGNATURES = "https://ai.google.dev/gemini-api/docs/thought-signatures"
IMAGEN_MIGRATION = "https://firebase.google.com/docs/ai-logic/imagen-models-migration"
VERTEX_IMAGEN_API = (
    "https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/imagen-api"
)
VERTEX_PROMPT_REWRITER = (
    "https://cloud.google.com/vertex-ai/generative-ai/docs/image/use-prompt-rewriter"
)
VERTEX_IMAGE_RESULT = (
    "https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/Shared.Types/"
    "VisionGenerativeModelResult"
)

ILLUSTRATIVE = (
    "Ids, token counts, texts and signatures are illustrative (made up); only the field names "
    "and value shapes come from the pages above."
)
# what the test keys are (never recorded): the request body does not depend on them
TEST_KEYS = {
    "openai": "sk-test",
    "google_gemini_api": "AIza-test-0000",
    "google_vertex_ai": "ya29.test-0000",
}
RECORD_WITH = {"openai": "OPENAI_API_KEY", "google_gemini_api": "GEMINI_API_KEY"}
ORIGIN = {
    "openai": "the OpenAI API reference",
    "google_gemini_api": "Google's API reference",
    "google_vertex_ai": "Google's API reference",
}


def openai_usage(input_tokens: int, output_tokens: int, details: bool) -> dict[str, Any]:
    """An Images API `usage`: a text prompt only (no input images); `details` adds the newer
    reference's output_tokens_details (all output tokens are image tokens here)."""
    usage: dict[str, Any] = {
        "input_tokens": input_tokens,
        "input_tokens_details": {"image_tokens": 0, "text_tokens": input_tokens},
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }
    if details:
        usage["output_tokens_details"] = {"image_tokens": output_tokens, "text_tokens": 0}
    return usage


def gpt_image(
    created: int, quality: str, output_tokens: int, details: bool = True
) -> dict[str, Any]:
    """A GPT image model's answer for one 1024x1024 PNG: the options it used, echoed, and usage
    (the prompt is 9 tokens)."""
    return {
        "created": created,
        "background": "opaque",
        "data": [{"b64_json": B64}],
        "output_format": "png",
        "quality": quality,
        "size": "1024x1024",
        "usage": openai_usage(9, output_tokens, details),
    }


def openai_headers(date: str, processing_ms: int, request_id: str) -> dict[str, str]:
    return {
        "date": date,
        "openai-processing-ms": str(processing_ms),
        "openai-version": "2020-10-01",
        "x-request-id": request_id,
    }


def gemini_usage(prompt: int, image: int, text: int = 0, thoughts: int = 0) -> dict[str, Any]:
    """usageMetadata of a text prompt answered with one image (and `text` tokens of text):
    candidatesTokenCount counts both, thoughtsTokenCount the thinking apart."""
    candidates = [{"modality": "IMAGE", "tokenCount": image}]
    if text:
        candidates.append({"modality": "TEXT", "tokenCount": text})
    usage: dict[str, Any] = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": image + text,
        "totalTokenCount": prompt + image + text + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
        "candidatesTokensDetails": candidates,
    }
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return usage


@dataclass(frozen=True)
class ImageCassette:
    provider: str
    name: str
    pages: tuple[str, ...]  # the first is the main source, the others are cited as `also:`
    about: tuple[str, ...]  # what the cassette shows (comment lines)
    uri: str
    request: dict[str, Any]  # the body as the API reference writes it (modelwire must send it)
    response: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)  # response headers but content-type

    @property
    def scenario(self) -> Scenario:
        return get(self.provider, self.name)

    def request_text(self) -> str:
        return json.dumps(self.request, ensure_ascii=False, separators=(",", ":"))

    def modelwire_request_text(self) -> str:
        """The body modelwire sends for the scenario, serialized as it sends it."""
        from modelwire import AIModelClient

        s = self.scenario
        with AIModelClient(s.endpoint(TEST_KEYS[self.provider]), s.call_config()) as client:
            body = client.request_body(**s.call_args(), config=s.call_config())
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))

    def comment(self) -> list[str]:
        s = self.scenario
        main, *also = self.pages
        lines = [
            f"Authored from {ORIGIN[self.provider]} on {DAY}, not recorded live: {main}",
            *(f"  also: {url}" for url in also),
            f"Contract cassette for scenario `{s.name}` ({self.provider}), see devtools/scenarios.py.",
            *self.about,
            "The image data is devtools/tooling.py's 2x2 red PNG (base64), standing in for the",
            "full-size image the API returns; written by `python -m devtools.image_cassettes`,",
            "which checks that the request body is the one modelwire sends.",
            ILLUSTRATIVE,
        ]
        if s.not_recordable:
            lines.append(f"Not recordable live: {s.not_recordable}.")
        else:
            lines.append(
                f"A live recording replaces it: {RECORD_WITH[self.provider]}=... "
                f"python tasks.py record {self.provider} {s.name}"
            )
        return lines

    def render(self) -> str:
        comment = "".join(f"# {line}\n" for line in self.comment())
        quoted = self.request_text().replace("'", "''")  # a single-quoted YAML scalar
        body = json.dumps(self.response, indent=2, ensure_ascii=False)
        indented = "".join(f"        {line}\n" for line in body.splitlines())
        headers = {"content-type": "application/json", **self.headers}
        rendered_headers = "".join(
            f"      {name}:\n      - {_scalar(value)}\n" for name, value in sorted(headers.items())
        )
        return (
            comment
            + "interactions:\n"
            + "- request:\n"
            + f"    body: '{quoted}'\n"
            + "    headers:\n"
            + "      accept:\n"
            + "      - application/json\n"
            + "      content-type:\n"
            + "      - application/json\n"
            + "      user-agent:\n"
            + "      - modelwire/0.1\n"
            + "    method: POST\n"
            + f"    uri: {self.uri}\n"
            + "  response:\n"
            + "    body:\n"
            + "      string: |-\n"
            + indented
            + "    headers:\n"
            + rendered_headers
            + "    status:\n"
            + "      code: 200\n"
            + "      message: OK\n"
            + "version: 1\n"
        )


def _scalar(value: str) -> str:
    """A header value as YAML keeps it a string: digits and ISO dates quoted."""
    if value.isdigit() or value[:4].isdigit():
        return f"'{value}'"
    return value


def _gemini(model: str, method: str = "generateContent") -> str:
    return GEMINI_URI.format(model=model, method=method)


def _vertex(model: str, method: str = "predict") -> str:
    return VERTEX_URI.format(model=model, method=method)


# the OpenAI cassettes of models already shut down: what the API answered while it served them
SHUT_DOWN_DATED = (
    "It is dated (created, date) the day before the model's shutdown, when the API still",
    "served it.",
)
IMAGEN_SHUT_DOWN = (
    "Imagen is shut down: the Gemini API's Imagen page says so, and Google's migration guide",
    "gave 'as early as August 17, 2026' for the Gemini API and Vertex AI alike.",
)

CASSETTES: tuple[ImageCassette, ...] = (
    # --- openai: OpenAI Images ------------------------------------------------------------------
    ImageCassette(
        provider="openai",
        name="image_dall_e2",
        pages=(IMAGES_OBJECT, IMAGES_CREATE, DEBUGGING, OPENAI_MODELS + "dall-e-2"),
        about=(
            "DALL·E 2 at 256x256 with response_format b64_json (the default is url): one image",
            "as data[0].b64_json. DALL·E models report no usage and echo no options; only",
            "dall-e-3 returns a revised_prompt. modelwire prices it per image ($0.016 at 256x256).",
            *SHUT_DOWN_DATED,
        ),
        uri=OPENAI_URI,
        request={
            "model": "dall-e-2",
            "prompt": PROMPT,
            "size": "256x256",
            "n": 1,
            "response_format": "b64_json",
        },
        response={"created": 1778493600, "data": [{"b64_json": B64}]},
        headers=openai_headers(
            "Mon, 11 May 2026 10:00:04 GMT", 3184, "req_4d1e9b27c05a83f6e2b71c9d04a5e318"
        ),
    ),
    ImageCassette(
        provider="openai",
        name="image_dall_e3",
        pages=(IMAGES_OBJECT, IMAGES_CREATE, DEBUGGING, OPENAI_MODELS + "dall-e-3"),
        about=(
            "DALL·E 3, quality standard, 1024x1024, style natural, n 1 (the only n it takes),",
            "response_format b64_json: one image with the revised_prompt DALL·E 3 rewrote the",
            "prompt into. No usage. modelwire prices it per image ($0.040).",
            *SHUT_DOWN_DATED,
        ),
        uri=OPENAI_URI,
        request={
            "model": "dall-e-3",
            "prompt": PROMPT,
            "quality": "standard",
            "size": "1024x1024",
            "style": "natural",
            "n": 1,
            "response_format": "b64_json",
        },
        response={
            "created": 1778493660,
            "data": [
                {
                    "revised_prompt": "A single flat square of solid red filling the frame on a "
                    "plain background, with no texture, border, shadow, text or any other object.",
                    "b64_json": B64,
                }
            ],
        },
        headers=openai_headers(
            "Mon, 11 May 2026 10:01:09 GMT", 9127, "req_a83c51f0d2e94b67c1f58e3a9d06b2c4"
        ),
    ),
    ImageCassette(
        provider="openai",
        name="image_gpt_image1",
        pages=(IMAGES_OBJECT, IMAGES_CREATE, IMAGE_GUIDE, DEBUGGING, OPENAI_MODELS + "gpt-image-1"),
        about=(
            "GPT Image 1, quality low, 1024x1024 (n 1, the catalog default): GPT image models",
            "always answer in base64 (no response_format) and echo background, output_format,",
            "quality and size. usage.output_tokens is 272, what the image generation guide gives",
            "for a low-quality square image; priced at the model's token rates.",
            *SHUT_DOWN_DATED,
        ),
        uri=OPENAI_URI,
        request={
            "model": "gpt-image-1",
            "prompt": PROMPT,
            "quality": "low",
            "size": "1024x1024",
            "n": 1,
        },
        response=gpt_image(1792663200, "low", 272, details=False),
        headers=openai_headers(
            "Thu, 22 Oct 2026 10:00:11 GMT", 10742, "req_0b7f3e92a6c14d58b9e2f17c3a04d6e1"
        ),
    ),
    ImageCassette(
        provider="openai",
        name="image_gpt_image1_mini",
        pages=(
            IMAGES_OBJECT,
            IMAGES_CREATE,
            IMAGE_GUIDE,
            DEBUGGING,
            OPENAI_MODELS + "gpt-image-1-mini",
            OPENAI_DEPRECATIONS,
        ),
        about=(
            "GPT Image 1 mini, quality low, 1024x1024: base64 image, the options echoed, and",
            "usage with 272 output tokens (the guide's figure for a low-quality square image),",
            "priced at the model's token rates. The deprecations page gives its shutdown as",
            "2026-12-01: recordable until then.",
        ),
        uri=OPENAI_URI,
        request={
            "model": "gpt-image-1-mini",
            "prompt": PROMPT,
            "quality": "low",
            "size": "1024x1024",
            "n": 1,
        },
        response=gpt_image(1795600800, "low", 272, details=False),
        headers=openai_headers(
            "Wed, 25 Nov 2026 10:00:07 GMT", 6318, "req_7c2a94e1f0b35d86a4c91e2f7b0d53a8"
        ),
    ),
    ImageCassette(
        provider="openai",
        name="image_gpt_image15",
        pages=(IMAGES_OBJECT, IMAGES_CREATE, IMAGE_GUIDE, DEBUGGING, OPENAI_DEPRECATIONS),
        about=(
            "GPT Image 1.5, quality medium, 1024x1024: base64 image, the options echoed, and",
            "usage with 1056 output tokens (the guide's figure for a medium-quality square image)",
            "and output_tokens_details, as the newer reference gives it. Priced at the model's",
            "token rates (image output $32 per 1M). Shutdown 2026-12-01: recordable until then.",
        ),
        uri=OPENAI_URI,
        request={
            "model": "gpt-image-1.5",
            "prompt": PROMPT,
            "quality": "medium",
            "size": "1024x1024",
            "n": 1,
        },
        response=gpt_image(1795600860, "medium", 1056),
        headers=openai_headers(
            "Wed, 25 Nov 2026 10:01:18 GMT", 17604, "req_e19b2d7a4c6f08e3b5d12a9c7f4e0b63"
        ),
    ),
    ImageCassette(
        provider="openai",
        name="image_gpt_image2",
        pages=(IMAGES_OBJECT, IMAGES_CREATE, IMAGE_GUIDE, DEBUGGING, OPENAI_MODELS + "gpt-image-2"),
        about=(
            "GPT Image 2, quality low, 1024x1024: base64 image, the options echoed, usage with",
            "output_tokens_details. 196 output tokens is what the token formula published for",
            "gpt-image-2's calculator gives for a low-quality 1024x1024 image (third-party",
            "reading of OpenAI's calculator). The catalog has no verified price for gpt-image-2",
            "(pricing_missing): modelwire reports the usage and no usage_charge.",
        ),
        uri=OPENAI_URI,
        request={
            "model": "gpt-image-2",
            "prompt": PROMPT,
            "quality": "low",
            "size": "1024x1024",
            "n": 1,
        },
        response=gpt_image(1795600920, "low", 196),
        headers=openai_headers(
            "Wed, 25 Nov 2026 10:02:05 GMT", 5872, "req_3f8e06c1b9a27d4e5c0b83f1a6d92e47"
        ),
    ),
    ImageCassette(
        provider="openai",
        name="image_gpt_image26_sunburst",
        pages=(
            IMAGES_OBJECT,
            IMAGES_CREATE,
            IMAGE_GUIDE,
            DEBUGGING,
            "https://developers.openai.com/api/reference/resources/images/methods/generate",
            OPENAI_MODELS + "gpt-image-2.6-sunburst",
        ),
        about=(
            "GPT Image 2.6 Sunburst (a model the current images reference lists), quality low,",
            "1024x1024: base64 image, the options echoed, usage with output_tokens_details;",
            "196 output tokens as for gpt-image-2 at the same quality and size (no per-model",
            "figure published). Priced at the model's token rates (image output $30 per 1M).",
        ),
        uri=OPENAI_URI,
        request={
            "model": "gpt-image-2.6-sunburst",
            "prompt": PROMPT,
            "quality": "low",
            "size": "1024x1024",
            "n": 1,
        },
        response=gpt_image(1795600980, "low", 196),
        headers=openai_headers(
            "Wed, 25 Nov 2026 10:03:06 GMT", 6127, "req_b5d04a7e2c918f3d6e1a0c4b9f72d58e"
        ),
    ),
    # --- google_gemini_api: Imagen through :predict ----------------------------------------------
    ImageCassette(
        provider="google_gemini_api",
        name="image_imagen4",
        pages=(GEMINI_IMAGEN, GEMINI_PRICING, IMAGEN_MIGRATION),
        about=(
            "Imagen 4 on the Gemini API (POST models/{model}:predict): the prompt as",
            "instances[0].prompt, options under parameters by their REST names (sampleCount 2,",
            "aspectRatio 1:1 the catalog default). Two predictions, each an image as",
            "bytesBase64Encoded with its mimeType; no usage. Priced per image ($0.04 each).",
            *IMAGEN_SHUT_DOWN,
        ),
        uri=_gemini("imagen-4.0-generate-001", "predict"),
        request={
            "instances": [{"prompt": PROMPT}],
            "parameters": {"sampleCount": 2, "aspectRatio": "1:1"},
        },
        response={
            "predictions": [
                {"mimeType": "image/png", "bytesBase64Encoded": B64},
                {"mimeType": "image/png", "bytesBase64Encoded": B64},
            ]
        },
    ),
    ImageCassette(
        provider="google_gemini_api",
        name="image_imagen4_fast",
        pages=(GEMINI_IMAGEN, GEMINI_PRICING, IMAGEN_MIGRATION),
        about=(
            "Imagen 4 Fast on the Gemini API with the catalog defaults: sampleCount 1 (the API's",
            "own default is 4) and aspectRatio 1:1. One prediction; priced per image ($0.02).",
            *IMAGEN_SHUT_DOWN,
        ),
        uri=_gemini("imagen-4.0-fast-generate-001", "predict"),
        request={
            "instances": [{"prompt": PROMPT}],
            "parameters": {"sampleCount": 1, "aspectRatio": "1:1"},
        },
        response={"predictions": [{"mimeType": "image/png", "bytesBase64Encoded": B64}]},
    ),
    ImageCassette(
        provider="google_gemini_api",
        name="image_imagen4_ultra",
        pages=(GEMINI_IMAGEN, GEMINI_PRICING, IMAGEN_MIGRATION),
        about=(
            "Imagen 4 Ultra on the Gemini API at aspectRatio 16:9 (Ultra makes one image at a",
            "time: sampleCount 1). One prediction; priced per image ($0.06).",
            *IMAGEN_SHUT_DOWN,
        ),
        uri=_gemini("imagen-4.0-ultra-generate-001", "predict"),
        request={
            "instances": [{"prompt": PROMPT}],
            "parameters": {"sampleCount": 1, "aspectRatio": "16:9"},
        },
        response={"predictions": [{"mimeType": "image/png", "bytesBase64Encoded": B64}]},
    ),
    # --- google_vertex_ai: Imagen through :predict -----------------------------------------------
    ImageCassette(
        provider="google_vertex_ai",
        name="image_imagen4",
        pages=(VERTEX_IMAGEN_API, VERTEX_PROMPT_REWRITER, VERTEX_IMAGE_RESULT, IMAGEN_MIGRATION),
        about=(
            "Imagen 4 on Vertex AI: :predict under projects/{project}/locations/{location}/",
            "publishers/google/models/{model}, bearer token (never written to a cassette); the",
            "project id is made up. The prompt rewriter is on by default for Imagen 4 and, for a",
            "prompt under 30 words, each prediction carries the rewritten `prompt` (modelwire's",
            "revised_prompt). Priced per image ($0.04).",
            *IMAGEN_SHUT_DOWN,
        ),
        uri=_vertex("imagen-4.0-generate-001"),
        request={
            "instances": [{"prompt": PROMPT}],
            "parameters": {"sampleCount": 1, "aspectRatio": "1:1"},
        },
        response={
            "predictions": [
                {
                    "mimeType": "image/png",
                    "prompt": "A perfectly flat square of solid, saturated red, centered on a "
                    "plain backdrop, with crisp straight edges, even color and no texture, "
                    "shading, text or other elements, in a clean minimalist style.",
                    "bytesBase64Encoded": B64,
                }
            ]
        },
    ),
    # --- google_gemini_api: Gemini image models through generateContent ---------------------------
    ImageCassette(
        provider="google_gemini_api",
        name="image_gemini25_flash_image",
        pages=(GEMINI_IMAGE_GENERATION, GENERATE_CONTENT, GEMINI_PRICING, GEMINI_DEPRECATIONS),
        about=(
            "Gemini 2.5 Flash Image (generateContent): modelwire asks for responseModalities",
            "TEXT and IMAGE and sends aspect_ratio as generationConfig.imageConfig.aspectRatio.",
            "The answer is a text part, then the image as an inlineData part (mimeType image/png,",
            "base64 data), finishReason STOP. An image up to 1024x1024 is 1290 output tokens",
            "(the pricing page's figure); the catalog prices it per image ($0.039), the prompt",
            "at the input rate. The Gemini API's deprecations page gives the model's shutdown",
            "as 2026-10-02.",
        ),
        uri=_gemini("gemini-2.5-flash-image"),
        request={
            "contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
            "generationConfig": {
                "responseModalities": ["TEXT", "IMAGE"],
                "imageConfig": {"aspectRatio": "1:1"},
            },
        },
        response={
            "candidates": [
                {
                    "content": {
                        "parts": [
                            {"text": "Here is a plain red square, with nothing else in it."},
                            {"inlineData": {"mimeType": "image/png", "data": B64}},
                        ],
                        "role": "model",
                    },
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": gemini_usage(prompt=9, image=1290, text=13),
            "modelVersion": "gemini-2.5-flash-image",
            "responseId": "yjEoaa_3Eu2Hz7IPk5jT8Q0",
        },
    ),
    ImageCassette(
        provider="google_gemini_api",
        name="image_gemini3_pro_image",
        pages=(GEMINI_IMAGE_GENERATION, THOUGHT_SIGNATURES, GENERATE_CONTENT, GEMINI_PRICING),
        about=(
            "Gemini 3 Pro Image at imageSize 2K (generationConfig.imageConfig.imageSize, with",
            "responseModalities TEXT and IMAGE). It thinks before it draws (thinking cannot be",
            "turned off; no thought parts come back unless asked for), so usageMetadata reports",
            "thoughtsTokenCount, and the image part carries a thoughtSignature, to be sent back",
            "with it on a later turn. A 1K or 2K image is 1120 output tokens (the pricing",
            "page's figure); the catalog prices it per image ($0.134 at 2K), the prompt at the",
            "input rate.",
        ),
        uri=_gemini("gemini-3-pro-image"),
        request={
            "contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
            "generationConfig": {
                "responseModalities": ["TEXT", "IMAGE"],
                "imageConfig": {"imageSize": "2K"},
            },
        },
        response={
            "candidates": [
                {
                    "content": {
                        "parts": [
                            {
                                "inlineData": {"mimeType": "image/png", "data": B64},
                                "thoughtSignature": "EsAEClkBjz1rX3vQk8ZpWm2Lr7Tt0cYh4NbQe9UoF"
                                "1sKaD6gPjR5xHwVn3CyMi8EtBl2Zq0Ou7SfGd4Jk9Ah1Wp6Xe3Rc5Ty8Nm0Lb2"
                                "Vs4Hq7Kg1Df9Pj3Zx6Ew5Ru2Ty0Ui8Op4As7Dh1Fk3Gl9Jz5Xc2Vb6Nm8Qw0Er4"
                                "Ty7Ui1Op3As5Df9Gh2Jk6Lz0Xc8Vb4Nm1Qw5Er9Ty3Ui7Op1As==",
                            }
                        ],
                        "role": "model",
                    },
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": gemini_usage(prompt=9, image=1120, thoughts=187),
            "modelVersion": "gemini-3-pro-image",
            "responseId": "0DEoaf2aHP6Kz7IPr7nJuA4",
        },
    ),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.image_cassettes")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a change")
    args = parser.parse_args(argv)
    changed, wrong = [], []
    for cassette in CASSETTES:
        path = cassette.scenario.path
        relative = path.relative_to(ROOT).as_posix()
        if cassette.request_text() != cassette.modelwire_request_text():
            wrong.append(relative)
            continue
        if path.is_file() and not leading_comment(path)[0].startswith("Authored"):
            print(f"{relative}: recorded live, left alone")
            continue
        rendered = cassette.render()
        if path.is_file() and path.read_text(encoding="utf-8") == rendered:
            continue
        changed.append(relative)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rendered, encoding="utf-8")
    for relative in wrong:
        print(f"{relative}: modelwire sends another request body; not written", file=sys.stderr)
    verb = "differ" if args.check else "written"
    print(f"{len(changed)} cassette(s) {verb}" + "".join(f"\n  {p}" for p in changed))
    return 1 if wrong or (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
