# generated from specs/providers/ — do not edit; run `python tasks.py generate`
"""Every provider modelwire can call, compiled from specs/providers/."""

from __future__ import annotations

from enum import Enum

from modelwire._provider import (
    AuthScheme,
    CountTokens,
    Param,
    ProtocolBinding,
    ProviderInfo,
    Variant,
)


class AIModelAPIProviderEnum(str, Enum):
    """The API providers (hosts) modelwire can call."""

    AMAZON_BEDROCK = "amazon_bedrock"
    ANTHROPIC = "anthropic"
    CEREBRAS = "cerebras"
    DEEPSEEK = "deepseek"
    FIREWORKS = "fireworks"
    GOOGLE_AI = "google_gemini_api"
    GOOGLE_VERTEX_AI = "google_vertex_ai"
    GROQ = "groq"
    HUGGINGFACE = "huggingface"
    MICROSOFT_OPENAI = "microsoft_openai"
    MISTRAL = "mistral"
    OLLAMA = "ollama"
    OPEN_AI = "openai"
    OPENROUTER = "openrouter"
    TOGETHER = "together"
    VLLM = "vllm"
    XAI = "xai"

    def __str__(self) -> str:
        return self.value


PROVIDERS: dict[str, ProviderInfo] = {
    "amazon_bedrock": ProviderInfo(
        name="amazon_bedrock",
        display_name="Amazon Bedrock",
        base_url="https://bedrock-runtime.{region}.amazonaws.com",
        base_url_env=("AWS_ENDPOINT_URL_BEDROCK_RUNTIME",),
        auth=AuthScheme(
            "aws_sigv4",
            name=None,
            env=("AWS_BEARER_TOKEN_BEDROCK",),
            optional=False,
            service="bedrock",
            region_param="region",
        ),
        headers={},
        protocols={
            "bedrock_converse": ProtocolBinding(
                protocol="bedrock_converse",
                adapter="modelwire.generated.adapters.bedrock_converse",
                path="/model/{model}/converse",
                kind="chat",
                stream_path="/model/{model}/converse-stream",
                count_tokens=CountTokens(
                    "/model/{model}/count-tokens",
                    ("messages", "system", "toolConfig", "additionalModelRequestFields"),
                    "inputTokens",
                    wrap="input.converse",
                    set={},
                    bare_model=True,
                ),
            ),
            "bedrock_invoke": ProtocolBinding(
                protocol="bedrock_invoke",
                adapter="modelwire.generated.adapters.bedrock_invoke",
                path="/model/{model}/invoke",
                kind="chat",
                stream_path="/model/{model}/invoke-with-response-stream",
            ),
            "bedrock_titan_embed": ProtocolBinding(
                protocol="bedrock_titan_embed",
                adapter="modelwire.generated.adapters.bedrock_titan_embed",
                path="/model/{model}/invoke",
                kind="embedding",
                creators=("amazon",),
            ),
            "bedrock_cohere_embed": ProtocolBinding(
                protocol="bedrock_cohere_embed",
                adapter="modelwire.generated.adapters.bedrock_cohere_embed",
                path="/model/{model}/invoke",
                kind="embedding",
                creators=("cohere",),
            ),
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/v1/chat/completions",
                kind="chat",
                base_url="https://bedrock-mantle.{region}.api.aws",
                auth=AuthScheme(
                    "aws_sigv4",
                    name=None,
                    env=("AWS_BEARER_TOKEN_BEDROCK",),
                    optional=False,
                    service="bedrock-mantle",
                    region_param="region",
                ),
            ),
            "openai_responses": ProtocolBinding(
                protocol="openai_responses",
                adapter="modelwire.generated.adapters.openai_responses",
                path="/v1/responses",
                kind="chat",
                for_models=(
                    (
                        "^openai\\.gpt-5",
                        Variant(
                            "/openai/v1/responses",
                            None,
                            {},
                        ),
                    ),
                ),
                base_url="https://bedrock-mantle.{region}.api.aws",
                auth=AuthScheme(
                    "aws_sigv4",
                    name=None,
                    env=("AWS_BEARER_TOKEN_BEDROCK",),
                    optional=False,
                    service="bedrock-mantle",
                    region_param="region",
                ),
            ),
        },
        docs="https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Operations_Amazon_Bedrock_Runtime.html",
        otel_name="aws.bedrock",
        params=(
            Param("region", env=("AWS_REGION", "AWS_DEFAULT_REGION"), default=None, required=True),
            Param("inference_profile", env=(), default=None, required=False),
        ),
        model_id_prefix_param="inference_profile",
    ),
    "anthropic": ProviderInfo(
        name="anthropic",
        display_name="Anthropic",
        base_url="https://api.anthropic.com",
        base_url_env=("ANTHROPIC_BASE_URL",),
        auth=AuthScheme("header", name="x-api-key", env=("ANTHROPIC_API_KEY",), optional=False),
        headers={"anthropic-version": "2023-06-01"},
        protocols={
            "anthropic_messages": ProtocolBinding(
                protocol="anthropic_messages",
                adapter="modelwire.generated.adapters.anthropic_messages",
                path="/v1/messages",
                kind="chat",
                count_tokens=CountTokens(
                    "/v1/messages/count_tokens",
                    ("model", "messages", "system", "tools", "tool_choice", "thinking"),
                    "input_tokens",
                    wrap=None,
                    set={},
                    bare_model=False,
                ),
            ),
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
                base_url="https://api.anthropic.com/v1",
                auth=AuthScheme("bearer", name=None, env=("ANTHROPIC_API_KEY",), optional=False),
            ),
        },
        docs="https://docs.anthropic.com/en/api/overview",
        config_headers={
            "beta": ("anthropic-beta", ",", ()),
        },
    ),
    "cerebras": ProviderInfo(
        name="cerebras",
        display_name="Cerebras",
        base_url="https://api.cerebras.ai/v1",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("CEREBRAS_API_KEY",), optional=False),
        headers={},
        protocols={
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
        },
        docs="https://inference-docs.cerebras.ai/api-reference",
    ),
    "deepseek": ProviderInfo(
        name="deepseek",
        display_name="DeepSeek",
        base_url="https://api.deepseek.com",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("DEEPSEEK_API_KEY",), optional=False),
        headers={},
        protocols={
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
                structured_output="json_mode",
                keep=("reasoning",),
            ),
            "openai_responses": ProtocolBinding(
                protocol="openai_responses",
                adapter="modelwire.generated.adapters.openai_responses",
                path="/responses",
                kind="chat",
            ),
        },
        docs="https://api-docs.deepseek.com/",
    ),
    "fireworks": ProviderInfo(
        name="fireworks",
        display_name="Fireworks AI",
        base_url="https://api.fireworks.ai/inference/v1",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("FIREWORKS_API_KEY",), optional=False),
        headers={},
        protocols={
            "openai_embeddings": ProtocolBinding(
                protocol="openai_embeddings",
                adapter="modelwire.generated.adapters.openai_embeddings",
                path="/embeddings",
                kind="embedding",
            ),
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
        },
        docs="https://docs.fireworks.ai/api-reference/introduction",
    ),
    "google_gemini_api": ProviderInfo(
        name="google_gemini_api",
        display_name="Google Gemini API",
        base_url="https://generativelanguage.googleapis.com/v1beta",
        base_url_env=("GOOGLE_GEMINI_BASE_URL",),
        auth=AuthScheme(
            "header",
            name="x-goog-api-key",
            env=("GEMINI_API_KEY", "GOOGLE_API_KEY"),
            optional=False,
        ),
        headers={},
        protocols={
            "gemini_generate_content": ProtocolBinding(
                protocol="gemini_generate_content",
                adapter="modelwire.generated.adapters.gemini_generate_content",
                path="/models/{model}:generateContent",
                kind="chat",
                stream_path="/models/{model}:streamGenerateContent",
                stream_query={"alt": "sse"},
                count_tokens=CountTokens(
                    "/models/{model}:countTokens",
                    ("contents", "systemInstruction", "tools", "toolConfig", "generationConfig"),
                    "totalTokens",
                    wrap="generateContentRequest",
                    set={"generateContentRequest.model": "models/{model}"},
                    bare_model=False,
                ),
            ),
            "imagen_predict": ProtocolBinding(
                protocol="imagen_predict",
                adapter="modelwire.generated.adapters.imagen_predict",
                path="/models/{model}:predict",
                kind="image",
            ),
            "gemini_embed": ProtocolBinding(
                protocol="gemini_embed",
                adapter="modelwire.generated.adapters.gemini_embed",
                path="/models/{model}:batchEmbedContents",
                kind="embedding",
            ),
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
                base_url="https://generativelanguage.googleapis.com/v1beta/openai",
                auth=AuthScheme(
                    "bearer", name=None, env=("GEMINI_API_KEY", "GOOGLE_API_KEY"), optional=False
                ),
            ),
        },
        docs="https://ai.google.dev/api",
        otel_name="gcp.gemini",
    ),
    "google_vertex_ai": ProviderInfo(
        name="google_vertex_ai",
        display_name="Google Vertex AI",
        base_url="https://{location}-aiplatform.googleapis.com/v1",
        base_url_env=("GOOGLE_VERTEX_BASE_URL",),
        auth=AuthScheme("google_oauth", name=None, env=(), optional=False),
        headers={},
        protocols={
            "gemini_generate_content": ProtocolBinding(
                protocol="gemini_generate_content",
                adapter="modelwire.generated.adapters.gemini_generate_content",
                path="/projects/{project_id}/locations/{location}/publishers/google/models/{model}:generateContent",
                kind="chat",
                stream_path="/projects/{project_id}/locations/{location}/publishers/google/models/{model}:streamGenerateContent",
                stream_query={"alt": "sse"},
                count_tokens=CountTokens(
                    "/projects/{project_id}/locations/{location}/publishers/google/models/{model}:countTokens",
                    ("contents", "systemInstruction", "tools", "generationConfig"),
                    "totalTokens",
                    wrap=None,
                    set={},
                    bare_model=False,
                ),
                variants={
                    "project_id": {
                        "": Variant(
                            "/publishers/google/models/{model}:generateContent",
                            "/publishers/google/models/{model}:streamGenerateContent",
                            {},
                            base_url="https://aiplatform.googleapis.com/v1",
                            auth=AuthScheme(
                                "header",
                                name="x-goog-api-key",
                                env=("GOOGLE_API_KEY",),
                                optional=False,
                            ),
                        ),
                    },
                },
                creators=("google",),
            ),
            "imagen_predict": ProtocolBinding(
                protocol="imagen_predict",
                adapter="modelwire.generated.adapters.imagen_predict",
                path="/projects/{project_id}/locations/{location}/publishers/google/models/{model}:predict",
                kind="image",
            ),
            "vertex_embed_predict": ProtocolBinding(
                protocol="vertex_embed_predict",
                adapter="modelwire.generated.adapters.vertex_embed_predict",
                path="/projects/{project_id}/locations/{location}/publishers/google/models/{model}:predict",
                kind="embedding",
            ),
            "anthropic_messages": ProtocolBinding(
                protocol="anthropic_messages",
                adapter="modelwire.generated.adapters.anthropic_messages",
                path="/projects/{project_id}/locations/{location}/publishers/anthropic/models/{model}:rawPredict",
                kind="chat",
                stream_path="/projects/{project_id}/locations/{location}/publishers/anthropic/models/{model}:streamRawPredict",
                body={"anthropic_version": "vertex-2023-10-16", "model": None},
                creators=("anthropic",),
            ),
        },
        docs="https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest",
        otel_name="gcp.vertex_ai",
        params=(
            Param("project_id", env=("GOOGLE_CLOUD_PROJECT",), default=None, required=True),
            Param(
                "location", env=("GOOGLE_CLOUD_LOCATION",), default="us-central1", required=False
            ),
        ),
        base_url_for={
            "location": {
                "global": "https://aiplatform.googleapis.com/v1",
                "us": "https://aiplatform.us.rep.googleapis.com/v1",
                "eu": "https://aiplatform.eu.rep.googleapis.com/v1",
            }
        },
    ),
    "groq": ProviderInfo(
        name="groq",
        display_name="Groq",
        base_url="https://api.groq.com/openai/v1",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("GROQ_API_KEY",), optional=False),
        headers={},
        protocols={
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
        },
        docs="https://console.groq.com/docs/api-reference",
    ),
    "huggingface": ProviderInfo(
        name="huggingface",
        display_name="Hugging Face Inference Providers",
        base_url="https://router.huggingface.co/v1",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("HF_TOKEN",), optional=False),
        headers={},
        protocols={
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
        },
        docs="https://huggingface.co/docs/inference-providers/index",
    ),
    "microsoft_openai": ProviderInfo(
        name="microsoft_openai",
        display_name="Azure OpenAI",
        base_url="https://{resource}.openai.azure.com",
        base_url_env=("AZURE_OPENAI_ENDPOINT",),
        auth=AuthScheme(
            "header",
            name="api-key",
            env=("AZURE_OPENAI_API_KEY",),
            optional=False,
            bearer_credential="azure_ad_token",
        ),
        headers={},
        protocols={
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/openai/deployments/{model}/chat/completions",
                kind="chat",
                query={"api-version": "{api_version}"},
                variants={
                    "api_version": {
                        "v1": Variant(
                            "/openai/v1/chat/completions",
                            None,
                            {},
                        ),
                    },
                },
            ),
            "openai_images": ProtocolBinding(
                protocol="openai_images",
                adapter="modelwire.generated.adapters.openai_images",
                path="/openai/deployments/{model}/images/generations",
                kind="image",
                query={"api-version": "{api_version}"},
                variants={
                    "api_version": {
                        "v1": Variant(
                            "/openai/v1/images/generations",
                            None,
                            {},
                        ),
                    },
                },
            ),
            "openai_embeddings": ProtocolBinding(
                protocol="openai_embeddings",
                adapter="modelwire.generated.adapters.openai_embeddings",
                path="/openai/deployments/{model}/embeddings",
                kind="embedding",
                query={"api-version": "{api_version}"},
                variants={
                    "api_version": {
                        "v1": Variant(
                            "/openai/v1/embeddings",
                            None,
                            {},
                        ),
                    },
                },
            ),
            "openai_responses": ProtocolBinding(
                protocol="openai_responses",
                adapter="modelwire.generated.adapters.openai_responses",
                path="/openai/responses",
                kind="chat",
                query={"api-version": "{api_version}"},
                variants={
                    "api_version": {
                        "v1": Variant(
                            "/openai/v1/responses",
                            None,
                            {},
                        ),
                    },
                },
            ),
        },
        docs="https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference",
        otel_name="azure.ai.openai",
        params=(
            Param("resource", env=(), default=None, required=True),
            Param("api_version", env=("OPENAI_API_VERSION",), default="2024-10-21", required=False),
        ),
    ),
    "mistral": ProviderInfo(
        name="mistral",
        display_name="Mistral AI",
        base_url="https://api.mistral.ai/v1",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("MISTRAL_API_KEY",), optional=False),
        headers={},
        protocols={
            "openai_embeddings": ProtocolBinding(
                protocol="openai_embeddings",
                adapter="modelwire.generated.adapters.openai_embeddings",
                path="/embeddings",
                kind="embedding",
            ),
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
        },
        docs="https://docs.mistral.ai/inference/quickstarts/send-your-first-request",
        otel_name="mistral_ai",
    ),
    "ollama": ProviderInfo(
        name="ollama",
        display_name="Ollama",
        base_url="http://localhost:11434/v1",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("OLLAMA_API_KEY",), optional=True),
        headers={},
        protocols={
            "openai_embeddings": ProtocolBinding(
                protocol="openai_embeddings",
                adapter="modelwire.generated.adapters.openai_embeddings",
                path="/embeddings",
                kind="embedding",
            ),
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
        },
        docs="https://docs.ollama.com/api/openai-compatibility",
    ),
    "openai": ProviderInfo(
        name="openai",
        display_name="OpenAI",
        base_url="https://api.openai.com/v1",
        base_url_env=("OPENAI_BASE_URL",),
        auth=AuthScheme("bearer", name=None, env=("OPENAI_API_KEY",), optional=False),
        headers={},
        protocols={
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
            "openai_images": ProtocolBinding(
                protocol="openai_images",
                adapter="modelwire.generated.adapters.openai_images",
                path="/images/generations",
                kind="image",
            ),
            "openai_responses": ProtocolBinding(
                protocol="openai_responses",
                adapter="modelwire.generated.adapters.openai_responses",
                path="/responses",
                kind="chat",
                count_tokens=CountTokens(
                    "/responses/input_tokens",
                    (
                        "model",
                        "input",
                        "instructions",
                        "tools",
                        "tool_choice",
                        "reasoning",
                        "text",
                        "parallel_tool_calls",
                        "truncation",
                    ),
                    "input_tokens",
                    wrap=None,
                    set={},
                    bare_model=False,
                ),
            ),
            "openai_embeddings": ProtocolBinding(
                protocol="openai_embeddings",
                adapter="modelwire.generated.adapters.openai_embeddings",
                path="/embeddings",
                kind="embedding",
            ),
        },
        docs="https://platform.openai.com/docs/api-reference",
        config_headers={
            "organization": ("OpenAI-Organization", ",", ("OPENAI_ORG_ID",)),
            "project": ("OpenAI-Project", ",", ("OPENAI_PROJECT_ID",)),
        },
    ),
    "openrouter": ProviderInfo(
        name="openrouter",
        display_name="OpenRouter",
        base_url="https://openrouter.ai/api/v1",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("OPENROUTER_API_KEY",), optional=False),
        headers={},
        protocols={
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
            "openai_responses": ProtocolBinding(
                protocol="openai_responses",
                adapter="modelwire.generated.adapters.openai_responses",
                path="/responses",
                kind="chat",
            ),
        },
        docs="https://openrouter.ai/docs/api-reference/overview",
    ),
    "together": ProviderInfo(
        name="together",
        display_name="Together AI",
        base_url="https://api.together.ai/v1",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("TOGETHER_API_KEY",), optional=False),
        headers={},
        protocols={
            "openai_embeddings": ProtocolBinding(
                protocol="openai_embeddings",
                adapter="modelwire.generated.adapters.openai_embeddings",
                path="/embeddings",
                kind="embedding",
            ),
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
        },
        docs="https://docs.together.ai/docs/inference/openai-compatibility",
    ),
    "vllm": ProviderInfo(
        name="vllm",
        display_name="vLLM",
        base_url="http://localhost:8000/v1",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("VLLM_API_KEY",), optional=True),
        headers={},
        protocols={
            "openai_embeddings": ProtocolBinding(
                protocol="openai_embeddings",
                adapter="modelwire.generated.adapters.openai_embeddings",
                path="/embeddings",
                kind="embedding",
            ),
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
        },
        docs="https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html",
    ),
    "xai": ProviderInfo(
        name="xai",
        display_name="xAI",
        base_url="https://api.x.ai/v1",
        base_url_env=(),
        auth=AuthScheme("bearer", name=None, env=("XAI_API_KEY",), optional=False),
        headers={},
        protocols={
            "openai_chat": ProtocolBinding(
                protocol="openai_chat",
                adapter="modelwire.generated.adapters.openai_chat",
                path="/chat/completions",
                kind="chat",
            ),
        },
        docs="https://docs.x.ai/api/integrations",
        otel_name="x_ai",
    ),
}
