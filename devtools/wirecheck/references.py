"""What each protocol's wire schema is compared with: data, one table per protocol.

`roots` pairs a `$defs` object of our wire schema with the provider's published type of the
same object; the objects they contain are paired by following the properties both have (our
`Choice` is reached through `ChatCompletion.choices[]`), so only the entry points are listed.
`unions` names our objects whose provider type is a union told apart by which field is set
(Gemini's `Part`): a field of theirs we lack is then a kind of content we do not know, not a
detail (botocore marks its unions itself). `enums` lists the value sets compared exactly: the
provider's values at `theirs` (a reference name and a path in it: `a.b[]` steps into a list's
items), the `x-known-values` at `wire` (the values our wire schema documents, a value listed
there being known even when no rule reads it), and the places in the protocol spec that name
values (`table`: the keys of a mapping; `when`: the values conditions compare `path` with
under a part of the spec; `errors`: the error types, shared tables resolved).

Reference names: `py:<module>:<attribute>` (an SDK type) or `botocore:<service>:<Shape>`; the
worker (`worker.py`) dumps them as JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Theirs:
    """A value set of the provider's: the values at `path` in reference `ref` (`""`: the
    reference itself), or with `take="exceptions"` the names of its exception members."""

    ref: str
    path: str = ""
    take: str = "values"  # "values" | "exceptions"


@dataclass(frozen=True)
class Ours:
    """Where the protocol spec names values: `table` (the keys of the mapping at `loc`),
    `when` (values compared with `path` in conditions under `loc`), `errors` (the error types
    at `loc`, shared tables resolved)."""

    kind: str
    loc: Loc
    path: str = ""


@dataclass(frozen=True)
class EnumCheck:
    what: str  # "finish reason", "stream event type", ...
    theirs: tuple[Theirs, ...]
    ours: tuple[Ours, ...] = ()
    wire: tuple[str, str] | None = None  # (our $defs name, property) holding x-known-values


@dataclass(frozen=True)
class Reference:
    package: str  # the pinned package the definitions come from
    roots: dict[str, str]
    enums: tuple[EnumCheck, ...] = ()
    unions: tuple[str, ...] = ()
    note: str = ""  # what the reference does not cover


FINISH_TABLE = Ours("table", ("finish_reasons",))
ERROR_TYPES = Ours("errors", ("errors", "types"))

OPENAI_CHAT = "py:openai.types.chat:ChatCompletion"
OPENAI_CHUNK = "py:openai.types.chat:ChatCompletionChunk"
OPENAI_ERROR = "py:openai.types.shared:ErrorObject"
RESPONSE = "py:openai.types.responses:Response"
RESPONSE_EVENT = "py:openai.types.responses:ResponseStreamEvent"
RESPONSE_MESSAGE = "py:openai.types.responses:ResponseOutputMessage"
ANTHROPIC_MESSAGE = "py:anthropic.types:Message"
ANTHROPIC_EVENT = "py:anthropic.types:RawMessageStreamEvent"
ANTHROPIC_DELTA = "py:anthropic.types:RawContentBlockDelta"
ANTHROPIC_ERROR = "py:anthropic.types.shared:ErrorResponse"
ANTHROPIC_ERROR_TYPE = "py:anthropic.types.shared:ErrorType"
GEMINI_RESPONSE = "py:google.genai.types:GenerateContentResponse"
CONVERSE = "botocore:bedrock-runtime:ConverseResponse"
CONVERSE_STREAM = "botocore:bedrock-runtime:ConverseStreamOutput"
INVOKE_STREAM = "botocore:bedrock-runtime:ResponseStream"
BEDROCK_ERROR = "botocore:bedrock-runtime:ValidationException"

PROTOCOLS: dict[str, Reference] = {
    "openai_chat": Reference(
        package="openai",
        roots={
            "ChatCompletion": OPENAI_CHAT,
            "ChatCompletionChunk": OPENAI_CHUNK,
            "ErrorObject": OPENAI_ERROR,
        },
        enums=(
            EnumCheck(
                "finish reason",
                (
                    Theirs(OPENAI_CHAT, "choices[].finish_reason"),
                    Theirs(OPENAI_CHUNK, "choices[].finish_reason"),
                ),
                (FINISH_TABLE,),
                wire=("Choice", "finish_reason"),
            ),
        ),
    ),
    "openai_responses": Reference(
        package="openai",
        roots={"Response": RESPONSE, "StreamEvent": RESPONSE_EVENT, "ErrorObject": OPENAI_ERROR},
        enums=(
            EnumCheck(
                "finish reason (status)",
                (Theirs(RESPONSE, "status"),),
                (FINISH_TABLE,),
                wire=("Response", "status"),
            ),
            EnumCheck(
                "finish reason (incomplete_details.reason)",
                (Theirs(RESPONSE, "incomplete_details.reason"),),
                (FINISH_TABLE,),
                wire=("IncompleteDetails", "reason"),
            ),
            EnumCheck(
                "stream event type",
                (Theirs(RESPONSE_EVENT, "type"),),
                (Ours("when", ("stream", "events"), "type"),),
                wire=("StreamEvent", "type"),
            ),
            EnumCheck(
                "output item type",
                (Theirs(RESPONSE, "output[].type"),),
                (Ours("when", ("response", "choice", "content"), "type"),),
                wire=("OutputItem", "type"),
            ),
            EnumCheck(
                "message content part type",
                (Theirs(RESPONSE_MESSAGE, "content[].type"),),
                wire=("ContentPart", "type"),
            ),
            EnumCheck("error code", (Theirs(RESPONSE, "error.code"),), (ERROR_TYPES,)),
        ),
    ),
    "openai_images": Reference(
        package="openai",
        roots={"ImagesResponse": "py:openai.types:ImagesResponse", "ErrorObject": OPENAI_ERROR},
    ),
    "anthropic_messages": Reference(
        package="anthropic",
        roots={
            "Message": ANTHROPIC_MESSAGE,
            "StreamEvent": ANTHROPIC_EVENT,
            "ErrorResponse": ANTHROPIC_ERROR,
        },
        enums=(
            EnumCheck(
                "stop reason",
                (
                    Theirs(ANTHROPIC_MESSAGE, "stop_reason"),
                    Theirs(ANTHROPIC_EVENT, "delta.stop_reason"),
                ),
                (FINISH_TABLE,),
                wire=("Message", "stop_reason"),
            ),
            EnumCheck(
                "stream event type",
                (Theirs(ANTHROPIC_EVENT, "type"),),
                (Ours("when", ("stream", "events"), "type"),),
                wire=("StreamEvent", "type"),
            ),
            EnumCheck(
                "content block type",
                (
                    Theirs(ANTHROPIC_MESSAGE, "content[].type"),
                    Theirs(ANTHROPIC_EVENT, "content_block.type"),
                ),
                (
                    Ours("when", ("response", "choice", "content"), "type"),
                    Ours("when", ("stream", "events"), "content_block.type"),
                ),
                wire=("ContentBlock", "type"),
            ),
            EnumCheck(
                "content block delta type",
                (Theirs(ANTHROPIC_DELTA, "type"),),
                (Ours("when", ("stream", "events"), "delta.type"),),
                wire=("StreamDelta", "type"),
            ),
            EnumCheck(
                "error type",
                (Theirs(ANTHROPIC_ERROR_TYPE), Theirs(ANTHROPIC_ERROR, "error.type")),
                (ERROR_TYPES,),
            ),
        ),
    ),
    "gemini_generate_content": Reference(
        package="google-genai",
        roots={"GenerateContentResponse": GEMINI_RESPONSE},
        unions=("Part",),
        enums=(
            EnumCheck(
                "finish reason",
                (Theirs(GEMINI_RESPONSE, "candidates[].finishReason"),),
                (FINISH_TABLE,),
                wire=("Candidate", "finishReason"),
            ),
            EnumCheck(
                "prompt block reason",
                (Theirs(GEMINI_RESPONSE, "promptFeedback.blockReason"),),
                (FINISH_TABLE,),
                wire=("PromptFeedback", "blockReason"),
            ),
        ),
        note="google-genai has no type for the error body (google.rpc.Status): not compared",
    ),
    "bedrock_converse": Reference(
        package="botocore",
        roots={
            "ConverseResponse": CONVERSE,
            "StreamEvent": CONVERSE_STREAM,
            "ErrorResponse": BEDROCK_ERROR,
        },
        enums=(
            EnumCheck(
                "stop reason",
                (Theirs(CONVERSE, "stopReason"), Theirs(CONVERSE_STREAM, "messageStop.stopReason")),
                (FINISH_TABLE,),
                wire=("ConverseResponse", "stopReason"),
            ),
            EnumCheck(
                "tool use type",
                (Theirs(CONVERSE, "output.message.content[].toolUse.type"),),
                (Ours("when", ("response", "choice", "content"), "toolUse.type"),),
                wire=("ToolUseBlock", "type"),
            ),
            EnumCheck(
                "stream exception type",
                (Theirs(CONVERSE_STREAM, take="exceptions"),),
                (ERROR_TYPES,),
            ),
        ),
    ),
    "bedrock_invoke": Reference(
        package="botocore",
        roots={"ResponseStream": INVOKE_STREAM, "ErrorResponse": BEDROCK_ERROR},
        enums=(
            EnumCheck(
                "stream exception type",
                (Theirs(INVOKE_STREAM, take="exceptions"),),
                (ERROR_TYPES,),
            ),
        ),
        note=(
            "the envelope only: the bodies inside are each model family's own API, which has "
            "no machine-readable spec (Claude's is checked as anthropic_messages, Nova's as "
            "bedrock_converse; Titan Text's and Llama's bodies are not checked)"
        ),
    ),
}


def reference_names(protocols: list[str] | None = None) -> list[str]:
    """Every reference the given protocols' tables name (all protocols: None)."""
    names: set[str] = set()
    for name, ref in PROTOCOLS.items():
        if protocols is not None and name not in protocols:
            continue
        names.update(ref.roots.values())
        for check in ref.enums:
            names.update(t.ref for t in check.theirs)
    return sorted(names)
