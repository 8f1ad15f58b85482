"""A model's refusal is content of its own kind (issue 23): OpenAI Chat Completions'
`message.refusal` / `delta.refusal` and the Responses API's `refusal` content parts and
`response.refusal.delta` events become a `RefusalContent`, read by `ChatResponse.refusal()`,
never part of `text()`. Sent back in a conversation, a refusal goes as the protocol's own
refusal part where it has one (Chat Completions), else as the text it is.

Payloads follow the API references' shapes (openai-python's ChatCompletionMessage.refusal,
ChoiceDelta.refusal, ResponseOutputRefusal, ResponseRefusalDeltaEvent / DoneEvent)."""

from __future__ import annotations

from typing import Any

import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelClient,
    AIModelEndpoint,
    ChatResponse,
    ConfigurationError,
    Message,
    RefusalContent,
    RefusalDelta,
    TextContent,
)
from modelwire._types import ChatResponseChoice
from tests.support import openai_shapes as oa
from tests.support import responses_shapes as rs
from tests.support.server import LoopbackServer, Reply

P = AIModelAPIProviderEnum
MODEL = AIModel(model_name="some-model")
SORRY = "I'm sorry, I can't help with that."
KEY = {"api_key": "k" * 20}


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def call(server: LoopbackServer, protocol: str, streaming: bool) -> tuple[ChatResponse, list[Any]]:
    """The final ChatResponse, and every content delta the stream yielded on the way."""
    api = AIModelAPI(P.OPEN_AI, base_url=server.url, **KEY)
    config = AIModelCallConfig(streaming=streaming, retries=0, max_output_tokens=100)
    endpoint = AIModelEndpoint(api, MODEL, protocol=protocol)
    deltas: list[Any] = []
    with AIModelClient(endpoint, config, is_async=False) as client:
        response = client.generate(prompt="Hi")
        if response.streamed:
            for chunk, final in response.stream_generator:
                if chunk is not None:
                    deltas += chunk.data.choice_deltas[0].content_deltas
                if final is not None:
                    response = final
    assert response.chat_response is not None
    return response.chat_response, deltas


def test_chat_completions_refusal(server: LoopbackServer) -> None:
    body = oa.completion()
    body["choices"][0]["message"].update(content=None, refusal=SORRY)
    server.queue(Reply.json(body))
    chat, _ = call(server, "openai_chat", False)
    assert (chat.refusal(), chat.text(), chat.finish_reason) == (SORRY, "", "end_turn")
    assert chat.choices[0].contents == [RefusalContent(SORRY)]


def test_chat_completions_streamed_refusal(server: LoopbackServer) -> None:
    words = ["I'm sorry, ", "I can't ", "help with that."]
    events = [oa.chunk({"role": "assistant", "content": None, "refusal": ""})]
    events += [oa.chunk({"refusal": w}) for w in words]
    events.append(oa.chunk({}, finish_reason="stop"))
    server.queue(Reply.sse(events))
    chat, deltas = call(server, "openai_chat", True)
    assert deltas == [RefusalDelta(w) for w in words]
    assert all(d.get_text_delta() == "" for d in deltas)  # not answer text
    assert (chat.refusal(), chat.text()) == (SORRY, "")


def _refusal_item(text: str, status: str = "completed") -> dict[str, Any]:
    content = [{"type": "refusal", "refusal": text}] if text else []
    return {
        "id": rs.ITEM_ID,
        "type": "message",
        "status": status,
        "content": content,
        "role": "assistant",
    }


def test_responses_refusal_part(server: LoopbackServer) -> None:
    body = rs.response(None)
    body["output"] = [_refusal_item(SORRY)]
    server.queue(Reply.json(body))
    chat, _ = call(server, "openai_responses", False)
    assert (chat.refusal(), chat.text(), chat.finish_reason) == (SORRY, "", "end_turn")


def test_responses_streamed_refusal(server: LoopbackServer) -> None:
    words = ["I'm sorry, ", "I can't help with that."]
    common = {"item_id": rs.ITEM_ID, "output_index": 0, "content_index": 0}
    final = rs.response(None)
    final["output"] = [_refusal_item(SORRY)]
    raw: list[dict[str, Any]] = [
        {"type": "response.created", "response": rs.response(None, "in_progress")},
        {"type": "response.output_item.added", "item": _refusal_item("", "in_progress")},
        {
            "type": "response.content_part.added",
            **common,
            "part": {"type": "refusal", "refusal": ""},
        },
        *({"type": "response.refusal.delta", **common, "delta": w} for w in words),
        {"type": "response.refusal.done", **common, "refusal": SORRY},
        {
            "type": "response.content_part.done",
            **common,
            "part": {"type": "refusal", "refusal": SORRY},
        },
        {"type": "response.output_item.done", "item": _refusal_item(SORRY), "output_index": 0},
        {"type": "response.completed", "response": final},
    ]
    events = [rs.event({**e, "sequence_number": i}) for i, e in enumerate(raw)]
    server.queue(Reply(body=events, content_type="text/event-stream"))
    chat, deltas = call(server, "openai_responses", True)
    assert [d.text for d in deltas] == words and all(isinstance(d, RefusalDelta) for d in deltas)
    assert (chat.refusal(), chat.text(), chat.finish_reason) == (SORRY, "", "end_turn")


# --- sent back in a conversation -------------------------------------------------------------


def refused() -> ChatResponse:
    choice = ChatResponseChoice(0, "end_turn", [RefusalContent(SORRY)])
    return ChatResponse("some-model", "openai", "openai", [choice])


def body_for(provider: P, protocol: str | None, **kw: Any) -> dict[str, Any]:
    api = AIModelAPI(provider, **{**KEY, **kw})
    endpoint = AIModelEndpoint(api, MODEL, protocol=protocol)
    history = [
        {"role": "user", "content": "How do I pick a lock?"},
        refused(),
        {"role": "user", "content": "Then how do locks work?"},
    ]
    config = AIModelCallConfig(max_output_tokens=100)
    with AIModelClient(endpoint, config, is_async=False) as client:
        return client.request_body(messages=history)


def test_sent_back_to_chat_completions_as_its_refusal_part() -> None:
    messages = body_for(P.OPEN_AI, "openai_chat")["messages"]
    assert messages[1] == {"role": "assistant", "content": [{"type": "refusal", "refusal": SORRY}]}


@pytest.mark.parametrize(
    ("provider", "protocol", "assistant"),
    [
        (P.OPEN_AI, "openai_responses", {"role": "assistant", "content": SORRY}),
        (P.ANTHROPIC, None, {"role": "assistant", "content": SORRY}),
        (P.GOOGLE_AI, None, {"role": "model", "parts": [{"text": SORRY}]}),
    ],
)
def test_sent_back_elsewhere_as_text(
    provider: P, protocol: str | None, assistant: dict[str, Any]
) -> None:
    body = body_for(provider, protocol)
    messages = body.get("messages") or body.get("input") or body["contents"]
    assert messages[1] == assistant


def test_a_refusal_given_by_the_caller_is_checked() -> None:
    """A RefusalContent in a caller's Message is checked like any item: its text is a string."""
    api = AIModelAPI(P.OPEN_AI, **KEY)
    endpoint = AIModelEndpoint(api, MODEL, protocol="openai_chat")
    bad = Message("assistant", [RefusalContent(None)])  # pyright: ignore[reportArgumentType]
    with (
        AIModelClient(endpoint, AIModelCallConfig(), is_async=False) as client,
        pytest.raises(ConfigurationError, match="a string"),
    ):
        client.request_body(messages=[{"role": "user", "content": "Hi"}, bad])


def test_text_content_is_not_a_refusal() -> None:
    choice = ChatResponseChoice(0, "end_turn", [TextContent("Hello")])
    assert ChatResponse("m", "openai", "openai", [choice]).refusal() is None
