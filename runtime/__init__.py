"""modelwire: one typed client over many LLM provider APIs, compiled from YAML specs.

from modelwire import AIModelAPI, AIModelAPIProviderEnum, AIModelEndpoint, AIModelClient
from modelwire.models import GPT4o
"""

from ._api import AIModelAPI, AIModelEndpoint
from ._catalog import AIModel, OptionSpec, Pricing, ReasoningControls
from ._client import AIModelClient
from ._config import AIModelCallConfig
from ._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ConnectionError,
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
    TimeoutError,
    UnprocessableEntityError,
)
from ._protocol import Message
from ._types import (
    AIModelCallResponse,
    AIModelStreamChunk,
    CallStatus,
    ChatResponse,
    ChatResponseChoice,
    ChatResponseChunk,
    ChoiceDelta,
    ImageContent,
    ImageDelta,
    ImageResponse,
    MediaContent,
    ReasoningContent,
    ReasoningDelta,
    TextContent,
    TextDelta,
    ToolCallContent,
    ToolCallDelta,
    ToolCallResult,
    Usage,
    UsageCharge,
)
from .generated.providers import AIModelAPIProviderEnum

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`Tool` and `CostTracker` are imported on first use (optional; import stays cheap)."""
    if name == "Tool":
        from ._tools import Tool

        return Tool
    if name == "CostTracker":
        from ._cost import CostTracker

        return CostTracker
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
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "CallStatus",
    "ChatResponse",
    "ChatResponseChoice",
    "ChatResponseChunk",
    "ChoiceDelta",
    "ConfigurationError",
    "ConflictError",
    "ConnectionError",
    "ContentFilterError",
    "ContextLengthExceededError",
    "CostTracker",
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
    "RequestTimeoutError",
    "RequestTooLargeError",
    "ResponseDecodeError",
    "ServerError",
    "StreamInterruptedError",
    "StructuredOutputError",
    "TextContent",
    "TextDelta",
    "TimeoutError",
    "Tool",
    "ToolCallContent",
    "ToolCallDelta",
    "ToolCallResult",
    "UnprocessableEntityError",
    "Usage",
    "UsageCharge",
    "__version__",
]
