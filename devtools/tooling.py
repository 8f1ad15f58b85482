"""What the tool, structured-output and image scenarios send, the same on every provider.

One tool (`get_weather`, a typed function), one output model (`WeatherReport`), one image (a
2x2 red PNG) and one tool-result round trip: devtools/scenarios.py uses them for every provider,
and tests/test_tools.py checks that they work unchanged on each protocol.
"""

from __future__ import annotations

import base64
from typing import Any, Literal

from pydantic import BaseModel

WEATHER_PROMPT = "What is the weather like in Paris and in Tokyo right now?"
REPORT_PROMPT = "Give a short weather report for Paris: 18 degrees Celsius and partly cloudy."
IMAGE_PROMPT = "What colour is this image? Answer in one word."
# a valid 2x2 PNG, all pixels rgb(220, 30, 30)
RED_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGO4IycHRAwQCgAhpgRhTxp8CQAAAABJRU5ErkJggg=="
)
# what the tool "returned" in the round-trip scenarios
PARIS_RESULT = "18°C, partly cloudy"
TOKYO_RESULT = "24°C, clear sky"


def get_weather(location: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
    """Get the current weather in a given location.

    Args:
        location: The city and country, e.g. Paris, France.
        unit: The temperature unit to answer in.
    """
    return PARIS_RESULT if location.startswith("Paris") else TOKYO_RESULT


class WeatherReport(BaseModel):
    """A short weather report for one city."""

    city: str
    temperature_c: float
    conditions: str


# what every structured-output cassette answers
EXPECTED_REPORT = WeatherReport(city="Paris", temperature_c=18.0, conditions="partly cloudy")

TOOLS: dict[str, Any] = {"tools": [get_weather]}
STRUCTURED: dict[str, Any] = {"structured_output": WeatherReport}


def image_messages() -> list[Any]:
    from modelwire import MediaContent

    return [{"role": "user", "content": [IMAGE_PROMPT, MediaContent.from_bytes(RED_PNG)]}]


def tool_result_messages(
    ids: tuple[str | None, str | None], reasoning: str | None = None
) -> list[Any]:
    """The weather question, the assistant's two `get_weather` calls (with the provider's call
    ids, after its `reasoning` when the model gave some), and both results: the turn after
    which the model answers in text."""
    from modelwire import Message, ReasoningContent, ToolCallContent

    thought = [ReasoningContent(reasoning)] if reasoning else []
    calls = [
        ToolCallContent(ids[0], "get_weather", {"location": "Paris, France"}),
        ToolCallContent(ids[1], "get_weather", {"location": "Tokyo, Japan"}),
    ]
    return [
        {"role": "user", "content": WEATHER_PROMPT},
        Message("assistant", [*thought, *calls]),
        Message("tool", [calls[0].result(PARIS_RESULT), calls[1].result(TOKYO_RESULT)]),
    ]
