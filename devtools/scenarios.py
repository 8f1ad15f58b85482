"""Contract-test scenarios: one named call per cassette, shared by tests and recorder.

`tests/test_contract_<provider>.py` replays each scenario's cassette (no network) through the
public API; `python -m devtools.record <provider> [scenario ...]` runs the same calls live and
rewrites the cassettes. A scenario names its model by catalog constant (`modelwire.models`); a
constant missing from the catalog raises MissingModelError naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from modelwire import AIModel, AIModelCallConfig, AIModelEndpoint

from devtools.tooling import (
    REPORT_PROMPT,
    STRUCTURED,
    TOOLS,
    WEATHER_PROMPT,
    image_messages,
    tool_result_messages,
)

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"

Outcome = Literal["text", "stream", "tool_calls", "structured", "image", "error"]


class MissingModelError(LookupError):
    """A scenario's catalog constant does not exist (yet) in modelwire.models."""


@dataclass(frozen=True)
class Scenario:
    """One call against one provider, and what its cassette must make of it.

    `outcome` is the kind of result: "text" (non-streamed answer), "stream" (streamed answer with
    usage), "tool_calls" (non-streamed tool calls), "structured" (non-streamed structured output,
    tests/test_tools.py), "image" (generated images, tests/test_contract_images.py) or "error"
    (`error` names the exception class).
    """

    name: str
    provider: str  # an AIModelAPIProviderEnum value
    model: str | None  # a constant of modelwire.models; None means `custom_model_id`
    prompt: str | None  # None: the conversation is `messages`
    instructions: str | None
    config: Mapping[str, Any]  # AIModelCallConfig keyword arguments
    cassette: str  # path relative to the repository root
    outcome: Outcome
    error: str | None = None  # expected exception class name when outcome == "error"
    custom_model_id: str | None = None  # a model id outside the catalog (AIModel(model_name=...))
    api_key: str | None = None  # sent instead of the real key (a deliberately invalid key)
    # AIModelAPI(config=...): the values a provider's URLs need (Vertex AI project_id, location)
    api_config: Mapping[str, Any] = field(default_factory=dict)
    # the AIModelAPI(credentials=...) key the key goes in, for providers authenticated by
    # credentials rather than an API key ("access_token": a Google Cloud access token)
    credential: str | None = None
    warmup: bool = False  # recorder: make the call once, unrecorded, first (fills prompt cache)
    not_recordable: str | None = None  # why a live run cannot produce this cassette, if it cannot
    nonzero_usage: tuple[str, ...] = ()  # Usage fields a recording must report > 0 to be kept
    description: str = ""
    # the conversation, when it is more than `prompt` (built on use: it holds modelwire types)
    messages: Callable[[], list[Any]] | None = None
    protocol: str | None = None  # AIModelEndpoint(protocol=...); None: the catalog's preference

    def call_args(self) -> dict[str, Any]:
        """What `generate` / `request_body` take: prompt, instructions and messages."""
        return {
            "prompt": self.prompt,
            "instructions": self.instructions,
            "messages": self.messages() if self.messages is not None else None,
        }

    @property
    def path(self) -> Path:
        return ROOT / self.cassette

    @property
    def model_label(self) -> str:
        return self.model or f"AIModel(model_name={self.custom_model_id!r})"

    def ai_model(self) -> AIModel:
        """The scenario's model; raises MissingModelError when its constant is not in the catalog."""
        from modelwire import AIModel, models

        if self.model is None:
            if self.custom_model_id is None:
                raise ValueError(f"scenario {self.name}: set model or custom_model_id")
            return AIModel(model_name=self.custom_model_id)
        found = getattr(models, self.model, None)
        if not isinstance(found, AIModel):
            raise MissingModelError(
                f"modelwire.models.{self.model} is not in the catalog yet "
                f"(add it to specs/models/ and run `python tasks.py generate`)"
            )
        return found

    def call_config(self) -> AIModelCallConfig:
        from modelwire import AIModelCallConfig

        return AIModelCallConfig(**self.config)

    def endpoint(self, api_key: str | Mapping[str, str] | None) -> AIModelEndpoint:
        """The endpoint to call; `api_key` None reads the provider's environment variable (or,
        with `credential`, lets the provider find its credentials: Application Default
        Credentials for Google Cloud). A mapping is `AIModelAPI(credentials=...)` itself: AWS
        access keys, with which Amazon Bedrock requests are signed (SigV4)."""
        from modelwire import AIModelAPI, AIModelAPIProviderEnum, AIModelEndpoint

        provider = AIModelAPIProviderEnum(self.provider)
        key = self.api_key or api_key
        if isinstance(key, Mapping):
            api = AIModelAPI(provider, credentials=key, config=self.api_config)
        elif self.credential is not None:
            credentials = {self.credential: key} if key is not None else None
            api = AIModelAPI(provider, credentials=credentials, config=self.api_config)
        else:
            api = AIModelAPI(provider, api_key=key, config=self.api_config)
        return AIModelEndpoint(api=api, ai_model=self.ai_model(), protocol=self.protocol)


def _reference_table(entries: int = 120) -> str:
    """A long, fixed system prompt (over 1,024 tokens), so that its prefix can be cached.

    OpenAI caches prompts of 1,024 tokens or more automatically
    (https://platform.openai.com/docs/guides/prompt-caching); a repeated call then reports
    `usage.prompt_tokens_details.cached_tokens` > 0. Anthropic caches a prefix the request marks
    with `cache_control` once it reaches the model's minimum (1,024 tokens on Claude Sonnet 4.5,
    https://platform.claude.com/docs/en/build-with-claude/prompt-caching); the call that writes
    it reports `usage.cache_creation_input_tokens` > 0, a repeated one `cache_read_input_tokens`.
    """
    lines = [
        "You answer questions about the reference table below. Each line maps a code to a value.",
        "Reply with the value only, with no explanation.",
        "",
    ]
    lines += [f"Code MW-{i:04d} maps to the value {i * 7 % 1000}." for i in range(1, entries + 1)]
    return "\n".join(lines)


REFERENCE_TABLE = _reference_table()

OPENAI_INVALID_KEY = "invalid-modelwire-key-0000"  # not a secret: a key that cannot work
ANTHROPIC_INVALID_KEY = "invalid-modelwire-key-0000"  # not a secret either

# Anthropic thinking on a budget: budget_tokens (>= 1,024) must stay below max_tokens, and
# temperature must be left unset (https://platform.claude.com/docs/en/build-with-claude/extended-thinking).
CLAUDE_THINKING = {"reasoning": True, "max_reasoning_tokens": 1024, "max_output_tokens": 2048}
# Anthropic caches only what a request marks: a top-level `cache_control` (automatic caching) puts
# the breakpoint on the last cacheable block; modelwire passes it through `options`
# (https://platform.claude.com/docs/en/build-with-claude/prompt-caching).
CLAUDE_AUTO_CACHE = {"cache_control": {"type": "ephemeral"}}

GOOGLE_INVALID_KEY = "invalid-modelwire-key-0000"  # not a secret: a key that cannot work
# Gemini thinking on a token budget: thinkingConfig.thinkingBudget, with includeThoughts so the
# response carries thought summaries (https://ai.google.dev/gemini-api/docs/thinking).
GEMINI_THINKING = {"reasoning": True, "max_reasoning_tokens": 1024}
# Vertex AI URLs name a Google Cloud project and a location. The project id is made up (the
# cassettes show it in their URIs); Gemini is called in us-central1, Claude in us-east5, a region
# Anthropic's models are offered in (https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations).
VERTEX_PROJECT = "modelwire-contract"
VERTEX_GEMINI = {"project_id": VERTEX_PROJECT, "location": "us-central1"}
VERTEX_CLAUDE = {"project_id": VERTEX_PROJECT, "location": "us-east5"}
# Amazon Bedrock URLs name a region; us-east-1 serves the `us.` cross-region inference profiles
# that the catalog gives Claude and Nova by default. The cassettes are signed calls (SigV4: tests
# pass made-up AWS keys); the recorder sends a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK).
BEDROCK = {"region": "us-east-1"}
# Bedrock caches a prompt up to a `cachePoint` block put after what is to be cached, here the system
# prompt (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html); modelwire has no
# cache setting, so `options` sends that system list in place of `instructions`.
BEDROCK_CACHED_SYSTEM = {"system": [{"text": REFERENCE_TABLE}, {"cachePoint": {"type": "default"}}]}
SAFETY_ON_DEMAND = (
    "whether Google's safety filters stop a prompt or an answer is up to its classifiers; it "
    "cannot be produced on demand with a harmless prompt"
)

# --- OpenAI-compatible hosts (openai_chat; tests/test_contract_compat.py) ------------------------
# The same three calls on each host: a text answer, a stream, and an HTTP error from an invalid
# key. Models are named by id (AIModel(model_name=...)): these hosts have no catalog entries.
COMPAT_INVALID_KEY = "invalid-modelwire-key-0000"  # not a secret: a key that cannot work
CONCISE = "You are a concise assistant. Answer in one sentence."


def _compat(
    provider: str,
    model_id: str,
    *,
    text: Mapping[str, Any] | None = None,
    stream: str = "streamed text: chat.completion.chunk events, usage, then data: [DONE]",
    error: tuple[str, str, str] | None = (
        "error_401",
        "AuthenticationError",
        "an API key the host does not know",
    ),
) -> tuple[Scenario, ...]:
    """The `text`, `stream` and (`error` = name, exception class, description) scenarios of one
    OpenAI-compatible host; `text` overrides fields of the text scenario."""
    common: dict[str, Any] = {"provider": provider, "model": None, "custom_model_id": model_id}
    made = [
        Scenario(
            **{
                "name": "text",
                "prompt": "What is the capital of France?",
                "instructions": CONCISE,
                "config": {},
                "cassette": f"cassettes/{provider}/text.yaml",
                "outcome": "text",
                "description": "plain non-streamed text answer with a system prompt",
                **common,
                **(text or {}),
            }
        ),
        Scenario(
            name="stream",
            prompt="Say hello in five words.",
            instructions=None,
            config={"streaming": True},
            cassette=f"cassettes/{provider}/stream.yaml",
            outcome="stream",
            description=stream,
            **common,
        ),
    ]
    if error is not None:
        name, error_class, description = error
        made.append(
            Scenario(
                name=name,
                prompt="Hello",
                instructions=None,
                config={},
                cassette=f"cassettes/{provider}/{name}.yaml",
                outcome="error",
                error=error_class,
                api_key=COMPAT_INVALID_KEY,
                description=description,
                **common,
            )
        )
    return tuple(made)


# error=None: the host's pages show no error body and none was found published, so none is authored.
COMPAT_SCENARIOS: tuple[Scenario, ...] = (
    # DeepSeek retired deepseek-chat / deepseek-reasoner on 2026-07-24; deepseek-flash thinks by
    # default and returns reasoning_content (https://api-docs.deepseek.com/quick_start/pricing).
    *_compat(
        "deepseek",
        "deepseek-flash",
        text={
            "prompt": "Which value does code MW-0042 map to?",
            "instructions": REFERENCE_TABLE,
            "warmup": True,
            "nonzero_usage": ("reasoning_tokens", "cache_read_tokens"),
            "description": "thinking mode (reasoning_content) and a context-cache hit "
            "(prompt_cache_hit_tokens) on a repeated long system prompt",
        },
        stream="streamed reasoning_content, then content; usage in a last chunk without choices",
    ),
    *_compat(
        "groq",
        "llama-3.3-70b-versatile",
        stream="streamed text; usage only in x_groq.usage of the last chunk",
    ),
    *_compat(
        "mistral",
        "mistral-small-latest",
        stream="streamed text; usage in the chunk that carries finish_reason",
        error=("error_401", "AuthenticationError", 'an unknown key: body {"detail": ...}'),
    ),
    *_compat(
        "openrouter",
        "openai/gpt-4o",
        stream="streamed text after `: OPENROUTER PROCESSING` SSE comment lines",
        error=("error_401", "AuthenticationError", "an unknown key: error.code is the number 401"),
    ),
    *_compat("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
    *_compat("cerebras", "llama3.1-8b", error=None),
    *_compat("fireworks", "accounts/fireworks/models/llama-v3p1-8b-instruct", error=None),
    *_compat(
        "xai",
        "grok-4.20-0309-non-reasoning",
        error=(
            "error_400",
            "BadRequestError",
            "xAI answers an unknown key with 400, error a string",
        ),
    ),
    *_compat("huggingface", "meta-llama/Llama-3.1-8B-Instruct", error=None),
)


# --- tools, structured output and images: the same definitions on every protocol -------------
# devtools/tooling.py holds the tool (get_weather), the output model (WeatherReport), the image
# and the tool-result turn; tests/test_tools.py checks them across providers.


def _tool_scenarios(
    provider: str,
    *,
    model: str | None = None,
    ids: tuple[str | None, str | None] = (None, None),
    reasoning: str | None = None,
    config: Mapping[str, Any] | None = None,
    api_config: Mapping[str, Any] | None = None,
    custom_model_id: str | None = None,
    credential: str | None = None,
    only: tuple[str, ...] = (
        "stream_tool_calls",
        "tool_result",
        "structured_output",
        "image_input",
    ),
    models: Mapping[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
    not_recordable: Mapping[str, str] | None = None,
) -> tuple[Scenario, ...]:
    """One provider's tool scenarios (those named in `only`), all asking the same things:
    `config` is added to each call's config (e.g. an output limit the protocol needs), `ids`
    are the provider's ids of the two calls sent back in `tool_result` (after `reasoning`, the
    model's reasoning on that turn, for hosts that need it back), and `models` overrides the
    model of a scenario."""
    base = dict(config or {})
    made = {
        "stream_tool_calls": dict(
            prompt=WEATHER_PROMPT,
            config={**base, **TOOLS, "streaming": True},
            outcome="stream",
            description="two parallel tool calls, streamed: arguments as fragments, per call",
        ),
        "tool_result": dict(
            prompt=None,
            messages=lambda: tool_result_messages(ids, reasoning),
            config={**base, **TOOLS},
            outcome="text",
            description="the two calls' results sent back; the model answers in text",
        ),
        "structured_output": dict(
            prompt=REPORT_PROMPT,
            config={**base, **STRUCTURED},
            outcome="structured",
            description="structured output as a WeatherReport",
        ),
        "structured_output_tool": dict(
            prompt=REPORT_PROMPT,
            config={**base, **STRUCTURED},
            outcome="structured",
            description="a model without native structured output: a forced tool call",
        ),
        "image_input": dict(
            prompt=None,
            messages=image_messages,
            config=base,
            outcome="text",
            description="a PNG image (bytes, base64 on the wire) and a question about it",
        ),
        "tool_calls": dict(
            prompt=WEATHER_PROMPT,
            config={**base, **TOOLS},
            outcome="tool_calls",
            description="two parallel tool calls, non-streamed",
        ),
    }
    out = []
    for name in only:
        fields = made[name]
        if descriptions and name in descriptions:
            fields["description"] = descriptions[name]
        out.append(
            Scenario(
                name=name,
                provider=provider,
                model=(models or {}).get(name, model) if custom_model_id is None else None,
                custom_model_id=custom_model_id,
                instructions=None,
                cassette=f"cassettes/{provider}/{name}.yaml",
                api_config=api_config or {},
                credential=credential,
                not_recordable=(not_recordable or {}).get(name),
                **fields,
            )
        )
    return tuple(out)


TOOL_SCENARIOS: tuple[Scenario, ...] = (
    *_tool_scenarios(
        "openai",
        model="GPT4o",
        ids=("call_VfO1neJMImYu89a3VgkV2Vfa", "call_fwqU70FlC6U4jFRu04hH3EAU"),
    ),
    *_tool_scenarios(
        "anthropic",
        model="ClaudeSonnet45",
        ids=("toolu_01AuFh0R1miCXW2D4hqvZHN9", "toolu_01y0ci72ZSxbgdUXlb7KofCk"),
        models={"image_input": "ClaudeHaiku45"},
        descriptions={"structured_output": "structured output through output_config.format"},
    ),
    *_tool_scenarios(
        "anthropic",
        model="Claude35Haiku",
        only=("structured_output_tool",),
        not_recordable={
            "structured_output_tool": "every Claude model still served has native structured "
            "output; Claude 3.5 Haiku, which has not, was retired on 2026-02-19"
        },
    ),
    *_tool_scenarios(
        "google_gemini_api",
        model="Gemini25Flash",
        models={"image_input": "Gemini25FlashLite"},
    ),
    *_tool_scenarios(
        "google_vertex_ai",
        model="Gemini25FlashLite",
        api_config=VERTEX_GEMINI,
        credential="access_token",
        only=("tool_calls", "structured_output"),
    ),
    *_tool_scenarios(
        "amazon_bedrock",
        model="Claude37Sonnet",
        ids=("tooluse_2mQe8vRkTz6yLp1aXc4bNw", "tooluse_Hs7dK3nWqV0uJr5fBe9xYg"),
        config={"max_output_tokens": 1024},
        api_config=BEDROCK,
        descriptions={"structured_output": "structured output through a forced toolUse"},
    ),
    *_tool_scenarios(
        "deepseek",
        custom_model_id="deepseek-flash",
        ids=("call_00_mWd7Kp2xQvR4sT8nZ1bLcF3e", "call_01_Jh5YtN9aPq2wXe6rUk0sDm7g"),
        # deepseek-flash thinks by default; in thinking mode the reasoning_content of a turn
        # that called tools goes back with it (cassettes/deepseek/tool_calls.yaml's)
        reasoning=(
            "The user wants the current weather in two cities, Paris and Tokyo. I have a "
            "get_weather tool that takes a location, so I will call it once for each city."
        ),
        only=("tool_calls", "tool_result", "structured_output"),
        descriptions={
            "structured_output": "JSON mode (DeepSeek has no JSON Schema response_format and "
            "refuses a forced tool while thinking): the schema in the system prompt"
        },
    ),
)


# --- image generation: every image model of the catalog (tests/test_contract_images.py) ----------
IMAGE_PROMPT_RED = "A plain red square, nothing else."


def _image(
    provider: str, model: str, options: Mapping[str, Any], description: str, **kw: Any
) -> Scenario:
    name = "image_" + re.sub(r"(?<!^)(?=[A-Z])", "_", model).lower()
    return Scenario(
        name=name,
        provider=provider,
        model=model,
        prompt=IMAGE_PROMPT_RED,
        instructions=None,
        config={"options": dict(options)},
        cassette=f"cassettes/{provider}/{name}.yaml",
        outcome="image",
        description=description,
        **kw,
    )


IMAGE_SCENARIOS: tuple[Scenario, ...] = (
    _image(
        "openai",
        "DallE2",
        {"size": "256x256", "response_format": "b64_json"},
        "DALL·E 2, 256x256, base64",
        not_recordable="dall-e-2 was shut down on 2026-05-12",
    ),
    _image(
        "openai",
        "DallE3",
        {
            "quality": "standard",
            "size": "1024x1024",
            "style": "natural",
            "n": 1,
            "response_format": "b64_json",
        },
        "DALL·E 3 with the options of the seed's example; a revised_prompt",
        not_recordable="dall-e-3 was shut down on 2026-05-12",
    ),
    _image(
        "openai",
        "GptImage1",
        {"quality": "low", "size": "1024x1024"},
        "GPT Image 1, low quality; token usage",
        not_recordable="gpt-image-1 was shut down on 2026-10-23",
    ),
    _image(
        "openai",
        "GptImage1Mini",
        {"quality": "low", "size": "1024x1024"},
        "GPT Image 1 mini, low quality; token usage",
    ),
    _image(
        "openai",
        "GptImage15",
        {"quality": "medium", "size": "1024x1024"},
        "GPT Image 1.5, medium quality; token usage",
    ),
    _image(
        "openai",
        "GptImage2",
        {"quality": "low", "size": "1024x1024"},
        "GPT Image 2 (no verified price: no usage_charge)",
    ),
    _image(
        "openai",
        "GptImage26Sunburst",
        {"quality": "low", "size": "1024x1024"},
        "GPT Image 2.6 Sunburst; token usage",
    ),
    _image(
        "google_gemini_api",
        "Imagen4",
        {"number_of_images": 2},
        "Imagen 4 on the Gemini API, two images",
        not_recordable="Imagen was shut down in 2026",
    ),
    _image(
        "google_gemini_api",
        "Imagen4Fast",
        {},
        "Imagen 4 Fast, catalog defaults (one image, 1:1)",
        not_recordable="Imagen was shut down in 2026",
    ),
    _image(
        "google_gemini_api",
        "Imagen4Ultra",
        {"aspect_ratio": "16:9"},
        "Imagen 4 Ultra, 16:9",
        not_recordable="Imagen was shut down in 2026",
    ),
    _image(
        "google_vertex_ai",
        "Imagen4",
        {},
        "Imagen 4 on Vertex AI (its `prompt`: the enhanced prompt)",
        api_config=VERTEX_GEMINI,
        credential="access_token",
        not_recordable="Imagen was shut down in 2026",
    ),
    _image(
        "google_gemini_api",
        "Gemini25FlashImage",
        {"aspect_ratio": "1:1"},
        "Gemini 2.5 Flash Image: text and an inline image",
        not_recordable="gemini-2.5-flash-image was shut down on 2026-10-02",
    ),
    _image(
        "google_gemini_api",
        "Gemini3ProImage",
        {"image_size": "2K"},
        "Gemini 3 Pro Image at 2K: an inline image with a thought signature",
    ),
)


# --- openai over the Responses API (openai_responses; tests/test_contract_responses.py) ---------
# The same catalog models as the openai_chat scenarios, with the protocol named explicitly
# (AIModelEndpoint(..., protocol="openai_responses")): POST /v1/responses, named SSE events.
RESPONSES = "openai_responses"
# o4-mini on low effort; `reasoning` asks for reasoning summaries (reasoning.summary auto)
O4_REASONING = {"reasoning": True, "reasoning_effort": "low"}
# the call ids of cassettes/openai/responses_tool_calls.yaml, sent back in responses_tool_result
RESPONSES_CALL_IDS = ("call_4Fq8WmZ2tKx9LbN3vRp7YcHd", "call_Tj6nE1sQ5uGa0VkM8wXz2BoP")


def _responses(name: str, model: str | None, prompt: str | None, **fields: Any) -> Scenario:
    return Scenario(
        **{
            "name": f"responses_{name}",
            "provider": "openai",
            "model": model,
            "prompt": prompt,
            "instructions": None,
            "config": {},
            "cassette": f"cassettes/openai/responses_{name}.yaml",
            "protocol": RESPONSES,
            **fields,
        }
    )


RESPONSES_SCENARIOS: tuple[Scenario, ...] = (
    _responses(
        "text",
        "GPT4oMini",
        "What is the capital of France?",
        instructions=CONCISE,
        outcome="text",
        description="plain non-streamed text: a message item with an output_text part",
    ),
    _responses(
        "stream",
        "GPT4oMini",
        "What is the capital of France?",
        instructions=CONCISE,
        config={"streaming": True},
        outcome="stream",
        description="named SSE events: response.created, output_text.delta, response.completed",
    ),
    _responses(
        "reasoning",
        "O4Mini",
        "Is 1001 a prime number?",
        config=O4_REASONING,
        outcome="text",
        nonzero_usage=("reasoning_tokens",),
        description="a reasoning item (summary parts, encrypted_content), then a message",
    ),
    _responses(
        "stream_reasoning",
        "O4Mini",
        "Is 1001 a prime number?",
        config={**O4_REASONING, "streaming": True},
        outcome="stream",
        nonzero_usage=("reasoning_tokens",),
        description="reasoning_summary_text.delta events; the reasoning item's encrypted_content "
        "in its output_item.done; then output_text.delta",
    ),
    _responses(
        "tool_calls",
        "GPT4o",
        WEATHER_PROMPT,
        config=TOOLS,
        outcome="tool_calls",
        description="two function_call output items (status completed: modelwire says tool_use)",
    ),
    _responses(
        "stream_tool_calls",
        "GPT4o",
        WEATHER_PROMPT,
        config={**TOOLS, "streaming": True},
        outcome="stream",
        description="function_call items opened by output_item.added, arguments as "
        "function_call_arguments.delta fragments keyed by item_id",
    ),
    _responses(
        "tool_result",
        "GPT4o",
        None,
        messages=lambda: tool_result_messages(RESPONSES_CALL_IDS),
        config=TOOLS,
        outcome="text",
        description="function_call and function_call_output input items; the answer uses both",
    ),
    _responses(
        "structured_output",
        "GPT4o",
        REPORT_PROMPT,
        config=STRUCTURED,
        outcome="structured",
        description="structured output through text.format json_schema (strict)",
    ),
    _responses(
        "max_tokens",
        "GPT4oMini",
        "Write a long story about a lighthouse keeper.",
        config={"max_output_tokens": 16},
        outcome="text",
        description="status incomplete, incomplete_details.reason max_output_tokens (max_tokens)",
    ),
    _responses(
        "error_400",
        None,
        "Hello",
        custom_model_id="gpt-nonexistent",
        outcome="error",
        error="BadRequestError",
        description="an unknown model: /responses answers 400 model_not_found (not 404)",
    ),
)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        name="text",
        provider="openai",
        model="GPT4oMini",
        prompt="What is the capital of France?",
        instructions="You are a concise assistant. Answer in one sentence.",
        config={},
        cassette="cassettes/openai/text.yaml",
        outcome="text",
        description="plain non-streamed text answer with a system prompt",
    ),
    Scenario(
        name="stream_text_usage",
        provider="openai",
        model="GPT4oMini",
        prompt="Say hello in five words.",
        instructions=None,
        config={"streaming": True},
        cassette="cassettes/openai/stream_text_usage.yaml",
        outcome="stream",
        description="streamed text; stream_options.include_usage adds a final usage-only chunk",
    ),
    Scenario(
        name="reasoning_cached",
        provider="openai",
        model="O4Mini",
        prompt="Which value does code MW-0042 map to?",
        instructions=REFERENCE_TABLE,
        config={"reasoning_effort": "low", "max_output_tokens": 2048},
        cassette="cassettes/openai/reasoning_cached.yaml",
        outcome="text",
        warmup=True,
        nonzero_usage=("reasoning_tokens", "cache_read_tokens"),
        description="reasoning model, non-streamed: reasoning_tokens > 0 and cached_tokens > 0",
    ),
    Scenario(
        name="tool_calls",
        provider="openai",
        model="GPT4o",
        prompt="What is the weather like in Paris and in Tokyo right now?",
        instructions=None,
        config=TOOLS,
        cassette="cassettes/openai/tool_calls.yaml",
        outcome="tool_calls",
        description="two parallel tool calls (finish_reason tool_calls)",
    ),
    Scenario(
        name="error_400",
        provider="openai",
        model="GPT4o",
        prompt="Hello",
        instructions=None,
        config={"temperature": 5},
        cassette="cassettes/openai/error_400.yaml",
        outcome="error",
        error="BadRequestError",
        description="temperature above the documented maximum of 2",
    ),
    Scenario(
        name="error_401",
        provider="openai",
        model="GPT4o",
        prompt="Hello",
        instructions=None,
        config={},
        cassette="cassettes/openai/error_401.yaml",
        outcome="error",
        error="AuthenticationError",
        api_key=OPENAI_INVALID_KEY,
        description="an API key OpenAI does not know",
    ),
    Scenario(
        name="error_404",
        provider="openai",
        model=None,
        custom_model_id="gpt-modelwire-missing",
        prompt="Hello",
        instructions=None,
        config={},
        cassette="cassettes/openai/error_404.yaml",
        outcome="error",
        error="NotFoundError",
        description="a model id that does not exist",
    ),
    Scenario(
        name="error_429",
        provider="openai",
        model="GPT4o",
        prompt="Hello",
        instructions=None,
        config={"retries": 0},
        cassette="cassettes/openai/error_429.yaml",
        outcome="error",
        error="RateLimitError",
        not_recordable="a rate limit cannot be reached on demand without spending a quota",
        description="tokens-per-minute rate limit with Retry-After; retries=0 so no retry",
    ),
    # --- anthropic (anthropic_messages) --------------------------------------------------------
    Scenario(
        name="text",
        provider="anthropic",
        model="ClaudeHaiku45",
        prompt="What is the capital of France?",
        instructions="You are a concise assistant. Answer in one sentence.",
        config={},
        cassette="cassettes/anthropic/text.yaml",
        outcome="text",
        description="plain non-streamed text answer with a system prompt",
    ),
    Scenario(
        name="stream_text",
        provider="anthropic",
        model="ClaudeHaiku45",
        prompt="Say hello in five words.",
        instructions=None,
        config={"streaming": True},
        cassette="cassettes/anthropic/stream_text.yaml",
        outcome="stream",
        description="streamed text: named SSE events, a ping, cumulative usage in message_delta",
    ),
    Scenario(
        name="max_tokens",
        provider="anthropic",
        model="ClaudeHaiku45",
        prompt="Write a long poem about the sea.",
        instructions=None,
        config={"max_output_tokens": 16},
        cassette="cassettes/anthropic/max_tokens.yaml",
        outcome="text",
        description="the answer is cut at max_tokens (stop_reason max_tokens)",
    ),
    Scenario(
        name="thinking",
        provider="anthropic",
        model="ClaudeSonnet45",
        prompt="Is 1001 a prime number?",
        instructions=None,
        config=CLAUDE_THINKING,
        cassette="cassettes/anthropic/thinking.yaml",
        outcome="text",
        description="extended thinking, non-streamed: a signed thinking block, then text",
    ),
    Scenario(
        name="stream_thinking",
        provider="anthropic",
        model="ClaudeSonnet45",
        prompt="What is 27 * 453?",
        instructions=None,
        config={**CLAUDE_THINKING, "streaming": True},
        cassette="cassettes/anthropic/stream_thinking.yaml",
        outcome="stream",
        description="extended thinking, streamed: thinking_delta, signature_delta, then text",
    ),
    Scenario(
        name="tool_use",
        provider="anthropic",
        model="ClaudeSonnet45",
        prompt="What is the weather like in Paris and in Tokyo right now?",
        instructions=None,
        config=TOOLS,
        cassette="cassettes/anthropic/tool_use.yaml",
        outcome="tool_calls",
        description="text, then two tool_use blocks (stop_reason tool_use)",
    ),
    Scenario(
        name="stream_tool_use",
        provider="anthropic",
        model="ClaudeSonnet45",
        prompt="What is the weather like in Paris right now?",
        instructions=None,
        config={**TOOLS, "streaming": True},
        cassette="cassettes/anthropic/stream_tool_use.yaml",
        outcome="stream",
        description="streamed tool_use: input arrives as input_json_delta fragments",
    ),
    Scenario(
        name="cache_write",
        provider="anthropic",
        model="ClaudeSonnet45",
        prompt="Which value does code MW-0077 map to?",
        instructions=REFERENCE_TABLE,
        config={"max_output_tokens": 64, "options": CLAUDE_AUTO_CACHE},
        cassette="cassettes/anthropic/cache_write.yaml",
        outcome="text",
        nonzero_usage=("cache_write_tokens",),
        description="automatic prompt caching, first call: the prefix is written to the cache",
    ),
    Scenario(
        name="cache_read",
        provider="anthropic",
        model="ClaudeSonnet45",
        prompt="Which value does code MW-0042 map to?",
        instructions=REFERENCE_TABLE,
        config={"max_output_tokens": 64, "options": CLAUDE_AUTO_CACHE},
        cassette="cassettes/anthropic/cache_read.yaml",
        outcome="text",
        warmup=True,
        nonzero_usage=("cache_read_tokens",),
        description="automatic prompt caching, repeated call: the prefix is read from the cache",
    ),
    Scenario(
        name="error_400",
        provider="anthropic",
        model="ClaudeHaiku45",
        prompt="Hello",
        instructions=None,
        config={"temperature": 2},
        cassette="cassettes/anthropic/error_400.yaml",
        outcome="error",
        error="BadRequestError",
        description="temperature above the documented maximum of 1 (invalid_request_error)",
    ),
    Scenario(
        name="error_401",
        provider="anthropic",
        model="ClaudeHaiku45",
        prompt="Hello",
        instructions=None,
        config={},
        cassette="cassettes/anthropic/error_401.yaml",
        outcome="error",
        error="AuthenticationError",
        api_key=ANTHROPIC_INVALID_KEY,
        description="an API key Anthropic does not know (authentication_error)",
    ),
    Scenario(
        name="error_429",
        provider="anthropic",
        model="ClaudeHaiku45",
        prompt="Hello",
        instructions=None,
        config={"retries": 0},
        cassette="cassettes/anthropic/error_429.yaml",
        outcome="error",
        error="RateLimitError",
        not_recordable="a rate limit cannot be reached on demand without spending a quota",
        description="rate_limit_error with retry-after; retries=0 so no retry",
    ),
    Scenario(
        name="error_529",
        provider="anthropic",
        model="ClaudeHaiku45",
        prompt="Hello",
        instructions=None,
        config={"retries": 0},
        cassette="cassettes/anthropic/error_529.yaml",
        outcome="error",
        error="OverloadedError",
        not_recordable="Anthropic's API is overloaded only when it is, not on demand",
        description="HTTP 529 overloaded_error; retries=0 so no retry",
    ),
    Scenario(
        name="stream_error",
        provider="anthropic",
        model="ClaudeHaiku45",
        prompt="Write a haiku about the sea.",
        instructions=None,
        config={"streaming": True},
        cassette="cassettes/anthropic/stream_error.yaml",
        outcome="error",
        error="OverloadedError",
        not_recordable="an error event inside a 200 stream cannot be produced on demand",
        description="a 200 stream that sends some text, then an `error` event (overloaded_error)",
    ),
    # --- google_gemini_api (gemini_generate_content) -------------------------------------------
    Scenario(
        name="text",
        provider="google_gemini_api",
        model="Gemini25FlashLite",
        prompt="What is the capital of France?",
        instructions="You are a concise assistant. Answer in one sentence.",
        config={},
        cassette="cassettes/google_gemini_api/text.yaml",
        outcome="text",
        description="plain non-streamed text answer with a system instruction",
    ),
    Scenario(
        name="stream_text",
        provider="google_gemini_api",
        model="Gemini25FlashLite",
        prompt="Say hello in five words.",
        instructions=None,
        config={"streaming": True},
        cassette="cassettes/google_gemini_api/stream_text.yaml",
        outcome="stream",
        description="streamGenerateContent?alt=sse: each SSE event is a whole GenerateContentResponse",
    ),
    Scenario(
        name="stream_json_array",
        provider="google_gemini_api",
        model="Gemini25FlashLite",
        prompt="Count from one to five.",
        instructions=None,
        config={"streaming": True},
        cassette="cassettes/google_gemini_api/stream_json_array.yaml",
        outcome="stream",
        not_recordable=(
            "modelwire always asks for ?alt=sse, and the JSON-array form is what "
            "streamGenerateContent sends without it; the cassette is authored"
        ),
        description="streamGenerateContent without alt=sse: one JSON array (application/json)",
    ),
    Scenario(
        name="thinking",
        provider="google_gemini_api",
        model="Gemini25Flash",
        prompt="Is 1001 a prime number?",
        instructions=None,
        config=GEMINI_THINKING,
        cassette="cassettes/google_gemini_api/thinking.yaml",
        outcome="text",
        nonzero_usage=("reasoning_tokens",),
        description="thinking budget with thought summaries, non-streamed; a thoughtSignature",
    ),
    Scenario(
        name="function_call",
        provider="google_gemini_api",
        model="Gemini25Flash",
        prompt="What is the weather like in Paris right now?",
        instructions=None,
        config=TOOLS,
        cassette="cassettes/google_gemini_api/function_call.yaml",
        outcome="tool_calls",
        description="a functionCall part (finishReason STOP: modelwire says tool_use)",
    ),
    Scenario(
        name="safety_stop",
        provider="google_gemini_api",
        model="Gemini25FlashLite",
        prompt="Give me step-by-step instructions for picking a pin tumbler lock.",
        instructions=None,
        config={},
        cassette="cassettes/google_gemini_api/safety_stop.yaml",
        outcome="text",
        not_recordable=SAFETY_ON_DEMAND,
        description="the candidate is stopped with finishReason SAFETY (content_filter), no text",
    ),
    Scenario(
        name="prompt_blocked",
        provider="google_gemini_api",
        model="Gemini25FlashLite",
        prompt="Give me step-by-step instructions for picking a pin tumbler lock.",
        instructions=None,
        config={},
        cassette="cassettes/google_gemini_api/prompt_blocked.yaml",
        outcome="error",
        error="ContentFilterError",
        not_recordable=SAFETY_ON_DEMAND,
        description="HTTP 200 without candidates: promptFeedback.blockReason SAFETY",
    ),
    Scenario(
        name="error_400",
        provider="google_gemini_api",
        model="Gemini25FlashLite",
        prompt="Hello",
        instructions=None,
        config={"temperature": 5},
        cassette="cassettes/google_gemini_api/error_400.yaml",
        outcome="error",
        error="BadRequestError",
        description="temperature above the documented range [0.0, 2.0] (INVALID_ARGUMENT)",
    ),
    Scenario(
        name="error_403",
        provider="google_gemini_api",
        model="Gemini25FlashLite",
        prompt="Hello",
        instructions=None,
        config={},
        cassette="cassettes/google_gemini_api/error_403.yaml",
        outcome="error",
        error="PermissionDeniedError",
        api_key=GOOGLE_INVALID_KEY,
        not_recordable=(
            "the documented 403 comes from a key without the required permissions (e.g. of "
            "another project); a made-up key is not documented to produce it"
        ),
        description="an API key without the required permissions (PERMISSION_DENIED)",
    ),
    Scenario(
        name="error_429",
        provider="google_gemini_api",
        model="Gemini25FlashLite",
        prompt="Hello",
        instructions=None,
        config={"retries": 0},
        cassette="cassettes/google_gemini_api/error_429.yaml",
        outcome="error",
        error="RateLimitError",
        not_recordable="a rate limit cannot be reached on demand without spending a quota",
        description="RESOURCE_EXHAUSTED; retries=0 so no retry",
    ),
    # --- google_vertex_ai (gemini_generate_content; anthropic_messages for Claude) -----------------
    Scenario(
        name="text",
        provider="google_vertex_ai",
        model="Gemini25FlashLite",
        prompt="What is the capital of France?",
        instructions="You are a concise assistant. Answer in one sentence.",
        config={},
        cassette="cassettes/google_vertex_ai/text.yaml",
        outcome="text",
        api_config=VERTEX_GEMINI,
        credential="access_token",
        description="Gemini on Vertex AI: generateContent under publishers/google, bearer token",
    ),
    Scenario(
        name="stream_text",
        provider="google_vertex_ai",
        model="Gemini25FlashLite",
        prompt="Say hello in five words.",
        instructions=None,
        config={"streaming": True},
        cassette="cassettes/google_vertex_ai/stream_text.yaml",
        outcome="stream",
        api_config=VERTEX_GEMINI,
        credential="access_token",
        description="Gemini on Vertex AI: streamGenerateContent?alt=sse",
    ),
    Scenario(
        name="claude_text",
        provider="google_vertex_ai",
        model="Claude37Sonnet",
        prompt="What is the capital of France?",
        instructions="You are a concise assistant. Answer in one sentence.",
        config={"max_output_tokens": 1024},
        cassette="cassettes/google_vertex_ai/claude_text.yaml",
        outcome="text",
        api_config=VERTEX_CLAUDE,
        credential="access_token",
        description="Claude on Vertex AI: rawPredict, anthropic_version in the body, no model",
    ),
    Scenario(
        name="claude_stream_text",
        provider="google_vertex_ai",
        model="Claude37Sonnet",
        prompt="Say hello in five words.",
        instructions=None,
        config={"max_output_tokens": 1024, "streaming": True},
        cassette="cassettes/google_vertex_ai/claude_stream_text.yaml",
        outcome="stream",
        api_config=VERTEX_CLAUDE,
        credential="access_token",
        description="Claude on Vertex AI: streamRawPredict, Anthropic's named SSE events",
    ),
    # --- amazon_bedrock (bedrock_converse: Converse and ConverseStream) -------------------------
    Scenario(
        name="text",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="What is the capital of France?",
        instructions="You are a concise assistant. Answer in one sentence.",
        config={"max_output_tokens": 1024},
        cassette="cassettes/amazon_bedrock/text.yaml",
        outcome="text",
        api_config=BEDROCK,
        description="Claude on Bedrock, Converse: content blocks, stopReason, usage, metrics",
    ),
    Scenario(
        name="stream_text",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="Say hello in five words.",
        instructions=None,
        config={"max_output_tokens": 1024, "streaming": True},
        cassette="cassettes/amazon_bedrock/stream_text.yaml",
        outcome="stream",
        api_config=BEDROCK,
        description="ConverseStream: binary event-stream frames, usage in the metadata event",
    ),
    Scenario(
        name="thinking",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="Is 1001 a prime number?",
        instructions=None,
        config=CLAUDE_THINKING,
        cassette="cassettes/amazon_bedrock/thinking.yaml",
        outcome="text",
        api_config=BEDROCK,
        description="extended thinking via additionalModelRequestFields: signed reasoningContent",
    ),
    Scenario(
        name="stream_thinking",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="What is 27 * 453?",
        instructions=None,
        config={**CLAUDE_THINKING, "streaming": True},
        cassette="cassettes/amazon_bedrock/stream_thinking.yaml",
        outcome="stream",
        api_config=BEDROCK,
        description="streamed reasoningContent text deltas, a signature delta, then text",
    ),
    Scenario(
        name="tool_use",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="What is the weather like in Paris and in Tokyo right now?",
        instructions=None,
        config={**TOOLS, "max_output_tokens": 1024},
        cassette="cassettes/amazon_bedrock/tool_use.yaml",
        outcome="tool_calls",
        api_config=BEDROCK,
        description="text, then two toolUse blocks (stopReason tool_use)",
    ),
    Scenario(
        name="stream_tool_use",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="What is the weather like in Paris right now?",
        instructions=None,
        config={**TOOLS, "max_output_tokens": 1024, "streaming": True},
        cassette="cassettes/amazon_bedrock/stream_tool_use.yaml",
        outcome="stream",
        api_config=BEDROCK,
        description="streamed toolUse: contentBlockStart, then input as JSON text fragments",
    ),
    Scenario(
        name="cache_write",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="Which value does code MW-0077 map to?",
        instructions=None,
        config={"max_output_tokens": 64, "options": BEDROCK_CACHED_SYSTEM},
        cassette="cassettes/amazon_bedrock/cache_write.yaml",
        outcome="text",
        api_config=BEDROCK,
        nonzero_usage=("cache_write_tokens",),
        description="a cachePoint after the system prompt, first call: cacheWriteInputTokens",
    ),
    Scenario(
        name="cache_read",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="Which value does code MW-0042 map to?",
        instructions=None,
        config={"max_output_tokens": 64, "options": BEDROCK_CACHED_SYSTEM},
        cassette="cassettes/amazon_bedrock/cache_read.yaml",
        outcome="text",
        api_config=BEDROCK,
        warmup=True,
        nonzero_usage=("cache_read_tokens",),
        description="the same cached prefix, repeated call: cacheReadInputTokens",
    ),
    Scenario(
        name="nova_text",
        provider="amazon_bedrock",
        model="NovaLite",
        prompt="What is the capital of France?",
        instructions="You are a concise assistant. Answer in one sentence.",
        config={"max_output_tokens": 512},
        cassette="cassettes/amazon_bedrock/nova_text.yaml",
        outcome="text",
        api_config=BEDROCK,
        description="Amazon Nova Lite through the same Converse request and response shapes",
    ),
    Scenario(
        name="error_400",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="Hello",
        instructions=None,
        config={"max_output_tokens": 1024, "temperature": 2},
        cassette="cassettes/amazon_bedrock/error_400.yaml",
        outcome="error",
        error="BadRequestError",
        api_config=BEDROCK,
        description="inferenceConfig.temperature above the documented maximum of 1 (ValidationException)",
    ),
    Scenario(
        name="error_403",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="Hello",
        instructions=None,
        config={"max_output_tokens": 1024},
        cassette="cassettes/amazon_bedrock/error_403.yaml",
        outcome="error",
        error="PermissionDeniedError",
        api_config=BEDROCK,
        not_recordable=(
            "AccessDeniedException needs credentials without bedrock:InvokeModel permission; the "
            "recorder runs with the caller's own, which may call the model"
        ),
        description="credentials without permission to invoke the model (AccessDeniedException)",
    ),
    Scenario(
        name="error_429",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="Hello",
        instructions=None,
        config={"max_output_tokens": 1024, "retries": 0},
        cassette="cassettes/amazon_bedrock/error_429.yaml",
        outcome="error",
        error="RateLimitError",
        api_config=BEDROCK,
        not_recordable="a rate limit cannot be reached on demand without spending a quota",
        description="ThrottlingException; retries=0 so no retry",
    ),
    Scenario(
        name="stream_error",
        provider="amazon_bedrock",
        model="Claude37Sonnet",
        prompt="Write a haiku about the sea.",
        instructions=None,
        config={"max_output_tokens": 1024, "streaming": True},
        cassette="cassettes/amazon_bedrock/stream_error.yaml",
        outcome="error",
        error="RateLimitError",
        api_config=BEDROCK,
        not_recordable="an exception frame inside a 200 stream cannot be produced on demand",
        description="a 200 ConverseStream that sends some text, then a throttlingException frame",
    ),
    *COMPAT_SCENARIOS,
    *TOOL_SCENARIOS,
    *IMAGE_SCENARIOS,
    *RESPONSES_SCENARIOS,
)


def scenarios(provider: str) -> list[Scenario]:
    return [s for s in SCENARIOS if s.provider == provider]


def providers() -> list[str]:
    return sorted({s.provider for s in SCENARIOS})


def get(provider: str, name: str) -> Scenario:
    for s in SCENARIOS:
        if s.provider == provider and s.name == name:
            return s
    known = ", ".join(s.name for s in scenarios(provider)) or "none"
    raise KeyError(f"no scenario {name!r} for {provider}; known: {known}")
