"""Values the providers' published definitions name that `tasks.py wire-check` found unmapped
(issue 23), each answered on 127.0.0.1 the way the specs now read it: new finish and stop
reasons mapped to the closest unified reason, new error types and codes to their error kind,
Bedrock's citationsContent blocks read as the answer's text, and the events, blocks and deltas
listed as known and ignored passing through a stream without changing what it says.

The payloads follow the SDK types the check compares with (openai, anthropic, google-genai,
botocore's bedrock-runtime model): tests/support/*_shapes.py, with the new value put in."""

from __future__ import annotations

from typing import Any

import pytest

from modelwire import (
    AIModel,
    AIModelAPI,
    AIModelAPIProviderEnum,
    AIModelCallConfig,
    AIModelEndpoint,
    APIError,
    BadRequestError,
    ConflictError,
    ContentFilterError,
    PermissionDeniedError,
)
from tests.support import anthropic_shapes as an
from tests.support import bedrock_shapes as br
from tests.support import gemini_shapes as gm
from tests.support import responses_shapes as rs
from tests.support.contract import final_response
from tests.support.server import LoopbackServer, Reply

P = AIModelAPIProviderEnum
MODEL = AIModel(model_name="some-model")
BEDROCK_MODEL = AIModel(model_name=br.MODEL)


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


def generate(
    server: LoopbackServer,
    provider: P,
    protocol: str | None,
    streaming: bool = False,
    model: AIModel = MODEL,
    **kw: Any,
):
    api = AIModelAPI(provider, base_url=server.url, **kw)
    config = AIModelCallConfig(streaming=streaming, retries=0, max_output_tokens=100)
    return final_response(AIModelEndpoint(api, model, protocol=protocol), config)


def bedrock(server: LoopbackServer, streaming: bool = False):
    return generate(
        server,
        P.AMAZON_BEDROCK,
        None,
        streaming,
        model=BEDROCK_MODEL,
        api_key="bedrock-api-key-0123456789",
        config={"region": "us-east-1"},
    )


def eventstream(frames: list[bytes]) -> Reply:
    return Reply(body=frames, content_type="application/vnd.amazon.eventstream")


# --- Gemini: finish and block reasons ---------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "unified"),
    [
        ("CONTINUATION", "max_tokens"),  # the per-request token limit, generation not complete
        ("ESCALATION", "content_filter"),  # filtered by an escalation rule
        ("MALFORMED_RESPONSE", "other"),
        ("PUP_LIMITED_DISABLED", "other"),  # the account, not the content
    ],
)
@pytest.mark.parametrize("streaming", [False, True])
def test_gemini_finish_reasons(
    server: LoopbackServer, reason: str, unified: str, streaming: bool
) -> None:
    body = gm.response("Partial answer", finish_reason=reason)
    if streaming:
        server.queue(Reply(body=[gm.event(body)], content_type="text/event-stream"))
    else:
        server.queue(Reply.json(body))
    kw = {"api_key": "k" * 20}
    chat = generate(server, P.GOOGLE_AI, "gemini_generate_content", streaming, **kw).chat_response
    choice = chat.choices[0]
    assert (choice.finish_reason, choice.finish_reason_raw) == (unified, reason)
    assert chat.text() == "Partial answer"


def test_gemini_block_reason_by_its_google_genai_name(server: LoopbackServer) -> None:
    body = {
        "promptFeedback": {"blockReason": "BLOCKED_REASON_UNSPECIFIED"},
        "usageMetadata": gm.usage(candidates=None),
        "modelVersion": gm.MODEL,
        "responseId": gm.RESPONSE_ID,
    }
    server.queue(Reply.json(body))
    response = generate(server, P.GOOGLE_AI, "gemini_generate_content", api_key="k" * 20)
    choice = response.chat_response.choices[0]
    assert (choice.finish_reason, choice.finish_reason_raw) == (
        "other",
        "BLOCKED_REASON_UNSPECIFIED",
    )


# --- Bedrock Converse: stop reasons, citations ------------------------------------------------


@pytest.mark.parametrize("reason", ["malformed_model_output", "malformed_tool_use"])
def test_bedrock_malformed_stop_reasons_are_other(server: LoopbackServer, reason: str) -> None:
    body = br.response("")
    body["stopReason"] = reason
    server.queue(Reply.json(body))
    choice = bedrock(server).chat_response.choices[0]
    assert (choice.finish_reason, choice.finish_reason_raw) == ("other", reason)


def test_bedrock_malformed_tool_use_ends_a_stream_as_other(server: LoopbackServer) -> None:
    frames = br.stream_events(["Hel", "lo"])
    frames[-2] = br.event("messageStop", {"stopReason": "malformed_tool_use"})
    server.queue(eventstream(frames))
    chat = bedrock(server, streaming=True).chat_response
    assert chat.text() == "Hello"
    assert (chat.finish_reason, chat.choices[0].finish_reason_raw) == (
        "other",
        "malformed_tool_use",
    )


CITED = {
    "citationsContent": {
        "content": [{"text": "The warranty lasts two years."}],
        "citations": [
            {
                "title": "warranty.pdf",
                "sourceContent": [{"text": "Warranty: 24 months from purchase."}],
                "location": {"documentPage": {"documentIndex": 0, "start": 1, "end": 1}},
            }
        ],
    }
}


def test_bedrock_citations_content_is_the_answers_text(server: LoopbackServer) -> None:
    """With document citations on, Converse answers the cited text in citationsContent
    blocks (CitationsContentBlock.content: the generated text), between plain text blocks."""
    body = br.response("According to the manual: ")
    body["output"]["message"]["content"].extend([CITED, {"text": " Keep the receipt."}])
    server.queue(Reply.json(body))
    chat = bedrock(server).chat_response
    assert chat.text() == "According to the manual: The warranty lasts two years. Keep the receipt."
    assert [c.type for c in chat.choices[0].contents] == ["text", "text", "text"]


def test_bedrock_stream_citation_deltas_leave_the_text_as_it_came(server: LoopbackServer) -> None:
    """A `citation` delta carries the source and location only: the text is in `text` deltas."""
    frames = br.stream_events(["The warranty ", "lasts two years."])
    citation = {"title": "warranty.pdf", "location": {"documentPage": {"documentIndex": 0}}}
    frames.insert(
        3, br.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"citation": citation}})
    )
    server.queue(eventstream(frames))
    chat = bedrock(server, streaming=True).chat_response
    assert chat.text() == "The warranty lasts two years."
    assert chat.finish_reason == "end_turn"


# --- OpenAI Responses: incomplete reasons, failed responses' codes, ignored events -------------


@pytest.mark.parametrize("reason", ["max_messages", "steered"])
def test_responses_new_incomplete_reasons_are_other(server: LoopbackServer, reason: str) -> None:
    body = rs.response("Partial")
    body["status"] = "incomplete"
    body["incomplete_details"] = {"reason": reason}
    server.queue(Reply.json(body))
    kw = {"api_key": "k" * 20}
    choice = generate(server, P.OPEN_AI, "openai_responses", **kw).chat_response.choices[0]
    assert (choice.finish_reason, choice.finish_reason_raw) == ("other", reason)


@pytest.mark.parametrize(
    ("code", "error_class", "kind"),
    [
        ("bio_policy", ContentFilterError, "content_filter"),
        ("misalignment_policy_violation", ContentFilterError, "content_filter"),
        ("image_content_policy_violation", ContentFilterError, "content_filter"),
        ("invalid_prompt", BadRequestError, "bad_request"),
        ("invalid_image_url", BadRequestError, "bad_request"),
        ("vector_store_timeout", APIError, "timeout"),
    ],
)
@pytest.mark.parametrize("streaming", [False, True])
def test_responses_failed_response_codes(
    server: LoopbackServer, code: str, error_class: type[APIError], kind: str, streaming: bool
) -> None:
    message = f"The response failed: {code}."
    if streaming:
        events = rs.stream_events(["Hel"])[:5]  # created .. the first text delta
        server.queue(
            Reply(body=[*events, rs.failed_event(code, message)], content_type="text/event-stream")
        )
    else:
        body = rs.response(None, "failed", error={"code": code, "message": message})
        server.queue(Reply.json(body))
    with pytest.raises(error_class) as info:
        generate(server, P.OPEN_AI, "openai_responses", streaming, api_key="k" * 20)
    assert (info.value.kind, info.value.code, info.value.message) == (kind, code, message)


def test_responses_ignored_events_pass_through_a_stream(server: LoopbackServer) -> None:
    """Progress, annotation and *.done events carry nothing the deltas did not bring."""
    events = rs.stream_events(["Hel", "lo"])
    common = {"item_id": rs.ITEM_ID, "output_index": 0, "content_index": 0}
    annotation = {
        "type": "url_citation",
        "url": "https://example.com",
        "title": "Example",
        "start_index": 0,
        "end_index": 5,
    }
    extra = [
        {"type": "response.queued", "response": rs.response(None, "in_progress")},
        {
            "type": "response.output_text.annotation.added",
            **common,
            "annotation_index": 0,
            "annotation": annotation,
        },
    ]
    for i, data in enumerate(extra):
        events.insert(2 + i, rs.event({**data, "sequence_number": 100 + i}))
    server.queue(Reply(body=events, content_type="text/event-stream"))
    chat = generate(server, P.OPEN_AI, "openai_responses", True, api_key="k" * 20).chat_response
    assert chat.text() == "Hello" and chat.finish_reason == "end_turn"


# --- Anthropic: error types, ignored deltas ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "error_class"),
    [
        ("billing_error", PermissionDeniedError),
        ("conflict_error", ConflictError),
        ("memory_path_conflict_error", ConflictError),
        ("memory_precondition_failed_error", ConflictError),
    ],
)
def test_anthropic_new_error_types_in_a_stream(
    server: LoopbackServer, kind: str, error_class: type[APIError]
) -> None:
    events = an.stream_events(["Hel", "lo"])[:4]  # message_start .. the first text delta
    server.queue(
        Reply(body=[*events, an.error_event(kind, "No.")], content_type="text/event-stream")
    )
    with pytest.raises(error_class) as info:
        generate(server, P.ANTHROPIC, "anthropic_messages", True, api_key="k" * 20)
    assert (info.value.error_type, info.value.message) == (kind, "No.")
    assert info.value.partial_response.chat_response.text() == "Hel"


def test_anthropic_citations_deltas_leave_the_text_as_it_came(server: LoopbackServer) -> None:
    """A citations_delta carries a citation of the block; its text came as text_delta."""
    events = an.stream_events(["The warranty ", "lasts two years."])
    citation = {
        "type": "char_location",
        "cited_text": "Warranty: 24 months from purchase.",
        "document_index": 0,
        "document_title": "warranty.pdf",
        "start_char_index": 0,
        "end_char_index": 34,
    }
    delta = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "citations_delta", "citation": citation},
    }
    events.insert(4, an.event(delta))
    server.queue(Reply(body=events, content_type="text/event-stream"))
    chat = generate(server, P.ANTHROPIC, "anthropic_messages", True, api_key="k" * 20).chat_response
    assert chat.text() == "The warranty lasts two years."
    assert chat.finish_reason == "end_turn"
