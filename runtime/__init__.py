"""modelwire: one typed client over many LLM provider APIs, compiled from YAML specs.

from modelwire import AIModelAPI, AIModelAPIProviderEnum, AIModelEndpoint, AIModelClient
from modelwire.models import GPT4o
"""

from typing import TYPE_CHECKING

from modelwire.generated.providers import AIModelAPIProviderEnum

from ._api import AIModelAPI, AIModelEndpoint
from ._catalog import AIModel, OptionSpec, Pricing, ReasoningControls
from ._client import AIModelClient
from ._config import AIModelCallConfig
from ._count import TokenCount
from ._embedding import EmbeddingResponse
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BudgetExceededError,
    ConfigurationError,
    ConflictError,
    ContentFilterError,
    ContextLengthExceededError,
    ModelwireError,
    NotFoundError,
    OtherAPIError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    RequestTooLargeError,
    ResponseDecodeError,
    ServerError,
    StreamInterruptedError,
    StructuredOutputError,
    UnprocessableEntityError,
)
from ._fallback import FallbackEndpoint
from ._protocol import Message
from ._redact import configure_from_env, install
from ._types import (
    AIModelCallResponse,
    AIModelStreamChunk,
    AsyncStream,
    CallStatus,
    ChatResponse,
    ChatResponseChoice,
    ChatResponseChunk,
    ChoiceDelta,
    EmbeddingContent,
    ImageContent,
    ImageDelta,
    ImageResponse,
    MediaContent,
    ReasoningContent,
    ReasoningDelta,
    RefusalContent,
    RefusalDelta,
    StreamItem,
    SyncStream,
    TextContent,
    TextDelta,
    ToolCallContent,
    ToolCallDelta,
    ToolCallResult,
    Usage,
    UsageCharge,
)

__version__ = "0.1.0"

install()  # secrets out of httpx2's, httpcore2's, botocore's, google-auth's log records
configure_from_env()  # MODELWIRE_LOG=debug|info


if TYPE_CHECKING:  # loaded on first use at run time (optional pieces; import stays cheap)
    from ._cost import CostTracker
    from ._tools import Tool

# the names these had until 0.1: they shadowed the built-ins under `from modelwire import *`
_RENAMED = {"TimeoutError": "APITimeoutError", "ConnectionError": "APIConnectionError"}


def __getattr__(name: str) -> object:
    """`Tool` and `CostTracker` are imported on first use; the renamed errors warn."""
    if name == "Tool":
        from ._tools import Tool

        return Tool
    if name == "CostTracker":
        from ._cost import CostTracker

        return CostTracker
    if name in _RENAMED:
        import warnings

        new = _RENAMED[name]
        warnings.warn(
            f"modelwire.{name} is now modelwire.{new} (the old name shadowed the built-in)",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[new]
    raise AttributeError(f"module 'modelwire' has no attribute {name!r}")


__all__ = [
    "AIModel",
    "AIModelAPI",
    "AIModelAPIProviderEnum",
    "AIModelCallConfig",
    "AIModelCallResponse",
    "AIModelClient",
    "AIModelEndpoint",
    "AIModelStreamChunk",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "CallStatus",
    "ChatResponse",
    "ChatResponseChoice",
    "ChatResponseChunk",
    "ChoiceDelta",
    "ConfigurationError",
    "ConflictError",
    "ContentFilterError",
    "ContextLengthExceededError",
    "CostTracker",
    "EmbeddingContent",
    "EmbeddingResponse",
    "FallbackEndpoint",
    "ImageContent",
    "ImageDelta",
    "ImageResponse",
    "MediaContent",
    "Message",
    "ModelwireError",
    "NotFoundError",
    "OptionSpec",
    "OtherAPIError",
    "OverloadedError",
    "PermissionDeniedError",
    "Pricing",
    "RateLimitError",
    "ReasoningContent",
    "ReasoningControls",
    "ReasoningDelta",
    "RefusalContent",
    "RefusalDelta",
    "RequestTimeoutError",
    "RequestTooLargeError",
    "ResponseDecodeError",
    "ServerError",
    "StreamInterruptedError",
    "StreamItem",
    "StructuredOutputError",
    "SyncStream",
    "TextContent",
    "TextDelta",
    "TokenCount",
    "Tool",
    "ToolCallContent",
    "ToolCallDelta",
    "ToolCallResult",
    "UnprocessableEntityError",
    "Usage",
    "UsageCharge",
    "__version__",
]
