"""The spec language: pydantic models of the three spec kinds (protocol, provider, catalog).

These models are the grammar. `python tasks.py generate` also writes their JSON Schemas to
`specs/schema/`, so editors validate and complete the YAML. Every model forbids unknown keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveFloat, PositiveInt

Kind = Literal[
    "bad_request",
    "context_length",
    "authentication",
    "permission",
    "not_found",
    "timeout",
    "conflict",
    "request_too_large",
    "unprocessable",
    "rate_limit",
    "overloaded",
    "server",
    "content_filter",
    "other",
]
UnifiedFinishReason = Literal[
    "end_turn", "max_tokens", "tool_use", "stop_sequence", "content_filter", "other"
]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Path = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$",
        description="Dotted property path into the wire schema, e.g. `usage.prompt_tokens` "
        "(a property name may hold `-`: `amazon-bedrock-invocationMetrics`).",
    ),
]
Condition = Annotated[
    str,
    Field(
        pattern=r"^!?[A-Za-z_][A-Za-z0-9_.-]*( [!=]= \S+)?$",
        description="`path` (truthy), `!path` (falsy), `path == value` or `path != value`.",
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class First(Strict):
    """The first of these paths whose value is present and non-empty."""

    first: list[Path] = Field(min_length=1)


class Sum(Strict):
    """The sum of the values present (absent ones count 0); absent when all are. With `item`:
    the sum of that integer field over the elements of the list(s) at `sum`."""

    sum: Path | list[Path] = Field(min_length=1)
    item: Path | None = Field(
        None, description="One integer field of the list's elements, summed over them all."
    )


class Join(Strict):
    """Text of a value that is a string, or a list whose items' `item` field (one string
    property of the elements) is joined; with several paths, their texts one after the other."""

    join: Path | list[Path]
    item: Path


Value = Path | First | Sum | Join
# where a usage object is: a path, the first present of several, or `.` (the response or event
# itself holds the counts at its top level)
UsagePath = Annotated[str, Field(pattern=r"^\.$")] | Path | First


# --- protocol ----------------------------------------------------------------------------


PartKind = Literal[
    "text",
    "reasoning",
    "refusal",
    "redacted_reasoning",
    "tool_call",
    "tool_result",
    "image",
    "image_url",
    "document",
    "document_url",
    "audio",
    "audio_url",
]
SchemaDialect = Literal["json_schema", "closed", "strict"]


class PromptSpec(Strict):
    """The conversation written as one text (a model's chat template): `begin`, then each
    turn, then `end`."""

    begin: str = Field("", description="Text before the first turn.")
    turn: str = Field(
        description="One turn: `{role}` (its wire role, from `roles`) and `{text}` (its parts, "
        "rendered by their templates, joined); any other `{` is an error."
    )
    end: str = Field("", description="Text after the last turn (the cue for the model's turn).")


class MessagesSpec(Strict):
    """How the unified conversation becomes the wire's message list."""

    system: Literal["inline", "field"] = Field(
        description="`inline`: the system prompt is a message with the `system` role; "
        "`field`: it is only available as `$system` for the body template."
    )
    roles: dict[Literal["system", "user", "assistant", "tool"], str]
    unsigned_call: str | None = Field(
        None,
        description="The stand-in signature sent with the first tool call of an assistant "
        "turn whose calls carry none (built by the caller, or from another model), for models "
        "whose catalog says `reasoning.signed_calls`.",
    )
    message: dict[str, Any] | None = Field(
        None,
        description="Template of one message: `$role`, `$content`, and one variable per "
        "`fields` entry (required, unless `prompt` writes the conversation as one text).",
    )
    prompt: PromptSpec | None = Field(
        None,
        description="The conversation as one text: `$messages` is then a string (models that "
        "take a prompt, not a message list: Titan, Llama on Bedrock InvokeModel). Part "
        "templates are then text.",
    )
    single_text: Literal["string", "parts"] = Field(
        "parts", description="`string`: a message made of one text part is sent as a string."
    )
    parts: dict[PartKind, Any] = Field(
        description="Template per content part kind: `text` ($text), `reasoning` ($text, "
        "$signature), `redacted_reasoning` ($signature: the opaque data), `tool_call` ($id, "
        "$name, $arguments as an object), `tool_result` ($id, $name, $output as text, "
        "$output_object, $is_error), media given as bytes `image`/`document`/`audio` "
        "($media_type, $data as base64, $data_url, $format, $filename, $document_name) or by "
        "URL `image_url`/`document_url`/`audio_url` ($url, $media_type). A kind without a "
        "template cannot be sent."
    )
    drop: list[Literal["reasoning", "tool_call"]] = Field(
        default_factory=lambda: [],
        description="Content kinds this protocol leaves out of history.",
    )
    fields: dict[str, list[PartKind]] = Field(
        default_factory=dict,
        description="Message variables collecting parts of these kinds (rendered by their "
        "part templates) instead of `$content`, e.g. `tool_calls: [tool_call]` beside the content; None "
        "when the message has none (and `$content` is None when only such parts are left).",
    )
    text_fields: dict[str, Literal["reasoning", "refusal"]] = Field(
        default_factory=dict,
        description="Message variables holding the joined text of that kind's parts, which "
        "then leave `$content` (e.g. `reasoning_content: reasoning`); None when there is none.",
    )
    own_message: dict[PartKind, Any] = Field(
        default_factory=lambda: {},
        description="Part kinds sent as messages of their own, one per part, with this "
        "template (the part's variables), e.g. tool results as `tool` messages.",
    )
    merge_consecutive: bool = Field(
        False,
        description="Consecutive turns with the same wire role become one message (e.g. tool "
        "results and the user text after them).",
    )


class ToolsSpec(Strict):
    """How tools and the tool choice are written."""

    definition: dict[str, Any] = Field(
        description="Template of one tool: `$name`, `$description`, `$parameters` (JSON "
        "Schema in `schema`'s dialect), `$strict`. The list is the body's `$tools`."
    )
    choice: dict[Literal["auto", "none", "required", "tool"], Any] = Field(
        description="The body's `$tool_choice` per mode; `tool` forces the tool `$name`. A "
        "mode without an entry cannot be sent (the call fails naming the others)."
    )
    schema_: SchemaDialect = Field(
        "json_schema",
        alias="schema",
        description="JSON Schema dialect of `$parameters`: as given (`json_schema`), every "
        "object closed (`closed`), or the strict subset (`strict`: every property required, closed objects).",
    )


class StructuredOutputSpec(Strict):
    """How structured output is asked for."""

    via: Literal["native", "tool", "json_mode"] = Field(
        description="`native`: the body template's own form (`$structured_output`, `$schema`, "
        "`$schema_name`), for models whose catalog lists `structured_output`; `tool`: a forced "
        "call of a tool whose parameters are the schema."
    )
    schema_: SchemaDialect = Field("json_schema", alias="schema")
    fallback: Literal["tool"] | None = Field(
        None,
        description="What models without the `structured_output` capability use instead of "
        "the native form.",
    )
    json_mode: bool = Field(
        False,
        description="The body has a JSON mode (`$structured_json_mode`: JSON asked for, the "
        "schema given in the system prompt and validated on arrival), for hosts that name it.",
    )


class RequestSpec(Strict):
    schema_: str = Field(alias="schema", description="Wire schema $defs name of the body.")
    method: Literal["POST"] = "POST"
    body: dict[str, Any] = Field(
        description="Body template. `$var` inserts a call value (omitted when None); "
        "`{$when: var, ...}` includes a mapping only when `var` is truthy; "
        "`{$when: var, $value: X}` includes X; `{$one_of: [...]}` takes the first "
        "alternative whose `$when` holds."
    )
    options: str = Field(
        "body",
        pattern=r"^(body|none|[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)$",
        description="Where AIModelCallConfig.options go: merged into the body, nowhere "
        "(`none`), or into the mapping at this dotted path of the body (e.g. `parameters`). "
        "A catalog option's `wire` name may itself be a dotted path below it.",
    )
    overridable: list[Path] = Field(
        default_factory=list,
        description="Body fields the template builds that AIModelCallConfig.options may "
        "nevertheless set (dotted paths). Options add fields; any other field the template "
        "builds is refused to them.",
    )
    messages: MessagesSpec | None = Field(
        None, description="How the conversation is sent (chat protocols; image ones take $prompt)."
    )
    min_output_tokens: PositiveInt | None = Field(
        None, description="The smallest max_output_tokens the protocol accepts."
    )
    unsupported: list[Literal["temperature", "top_p", "stop", "seed", "reasoning_effort"]] = Field(
        default_factory=lambda: [],
        description="Call settings this protocol has no field for: a call that sets one fails "
        "before the request.",
    )
    tools: ToolsSpec | None = None
    structured_output: StructuredOutputSpec | None = None


class UsageSpec(Strict):
    """Paths inside a usage object to the unified usage counts."""

    prompt_tokens: Value | None = None
    completion_tokens: Value | None = None
    reasoning_tokens: Value | None = None
    cache_read_tokens: Value | None = None
    cache_write_tokens: Value | None = None


class ContentRule(Strict):
    """One source of content items: a value, or each element of a list (`each`)."""

    kind: Literal["text", "reasoning", "refusal", "tool_call", "image", "embedding"] | None = None
    each: Path | None = None
    when: Condition | list[Condition] | None = None
    key: Path | None = Field(None, description="Stream deltas with the same key accumulate.")
    continues: bool = Field(
        False,
        description="Stream delta that only extends an item an earlier event opened under "
        "the same `key`; dropped when none did (e.g. deltas of a provider-run tool).",
    )
    text: Value | None = None
    signature: Value | None = None
    redacted: bool = Field(
        False, description="Reasoning whose text is withheld; `signature` is its opaque data."
    )
    whole: bool = Field(
        False,
        description="Stream tool calls that arrive complete, one per element: each is its own "
        "call, never merged with another (no `key`).",
    )
    id: Value | None = None
    name: Value | None = None
    arguments: Value | None = None
    data: Value | None = Field(None, description="Image: its bytes, base64.")
    url: Value | None = Field(None, description="Image: a URL to fetch it from.")
    media_type: Value | None = None
    revised_prompt: Value | None = None
    vector: Value | None = Field(None, description="Embedding: one vector (a list of numbers).")
    vectors: Value | None = Field(
        None, description="Embedding: a list of vectors (lists of numbers), one item each."
    )
    cases: list[ContentRule] | None = Field(
        None,
        description="Alternatives for each element: the first whose `when` holds. A rule "
        "with `cases` takes only `each` and `cases`; `kind`, `when`, `key` and the fields go "
        "on its cases.",
    )


# the object a choice's shared content rules are read in: a path from the choice, or `.` (the
# choice itself)
ContentBase = Annotated[str, Field(pattern=r"^\.$")] | Path


class ChoiceSpec(Strict):
    index: Path | None = None
    finish_reason: Path | First | None = None
    content: list[ContentRule] | None = Field(
        None, description="This choice's own content rules (or `content_in`, not both)."
    )
    content_in: ContentBase | None = Field(
        None,
        description="The protocol's shared `content` rules, read in the object at this path "
        "of the choice (`message`, `delta`), or `.`: in the choice itself.",
    )


class ErrorFields(Strict):
    message: Path | None = None
    type: Path | None = None
    code: Path | None = None
    status: Path | None = None


class BodyErrorSpec(ErrorFields):
    """An error reported in place of a result, inside a 2xx body."""

    when: Condition | list[Condition]


class ResponseSpec(Strict):
    schema_: str = Field(alias="schema")
    error: BodyErrorSpec | list[BodyErrorSpec] | None = None
    id: Path | None = None
    model: Path | None = None
    usage: UsagePath | None = Field(
        None,
        description="Path to a usage object, the first present of several, or `.`: the "
        "object itself holds the counts.",
    )
    finish_reason: Path | First | None = Field(
        None,
        description="The finish reason of a response that has no choice (a prompt the "
        "provider blocked): it then answers with one empty choice that ends so.",
    )
    choices: Path | None = Field(None, description="List of choices; absent: the root is one.")
    choice: ChoiceSpec
    service_tier: Path | None = Field(
        None, description="The service tier that served the call (a pricing dimension)."
    )


class StreamEventSpec(Strict):
    when: Condition | list[Condition] | None = None
    error: ErrorFields | None = None
    id: Path | None = None
    model: Path | None = None
    usage: UsagePath | None = Field(
        None,
        description="Path to a usage object, the first present of several, or `.`: the "
        "object itself holds the counts.",
    )
    finish_reason: Path | First | None = None
    choices: Path | None = None
    choice: ChoiceSpec | None = None
    service_tier: Path | None = None
    payload: Path | None = Field(
        None,
        description="The event wraps one stream event of the protocol's dialect: this string "
        "holds its JSON (base64-decoded first when the wire schema says "
        "`contentEncoding: base64`), which the dialect's own event rules read. Takes only `when`.",
    )


class PayloadSpec(Strict):
    """What a protocol with dialects reads itself in each wrapped event (besides the dialect)."""

    schema_: str = Field(alias="schema", description="Wire schema $defs name of a payload.")
    usage: Path = Field(
        description="A usage object the host adds (in the protocol's `usage` terms), used "
        "for an event whose dialect rules report none."
    )


class StreamSpec(Strict):
    framing: Literal["sse", "aws_eventstream"] | None = Field(
        None,
        description="`sse`, or `aws_eventstream` (binary frames; each event's data is "
        '`{"<event type>": payload}`, exceptions `{"exception": {"type", "message"}}`). '
        "Absent: the events only arrive wrapped in another protocol's (its `dialects`).",
    )
    done: str | None = Field(None, description="Data payload that ends the stream.")
    schema_: str = Field(alias="schema", description="Wire schema $defs name of one event.")
    json_array: bool = Field(
        False,
        description="A response with content-type application/json is one JSON array of "
        "events (Gemini without ?alt=sse), decoded element by element.",
    )
    usage_update: Literal["replace", "merge"] | None = Field(
        None,
        description="`replace`: the last usage reported wins; `merge`: key by key. Required, "
        "except with `dialects` (each dialect's own applies).",
    )
    events: list[StreamEventSpec] = Field(
        min_length=1, description="Event rules; the first whose `when` holds applies."
    )
    payload: PayloadSpec | None = Field(
        None, description="With `dialects`: what the host adds to each wrapped event."
    )


TableName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class SharedStatuses(Strict):
    """Retry statuses from shared tables (`specs/tables/`), and this protocol's own."""

    shared: TableName | list[TableName] = Field(
        description="A `retry_statuses` table, or several (all their statuses)."
    )
    add: list[int] = Field(
        default_factory=lambda: [], description="Statuses of this protocol's own, besides."
    )


class SharedTypes(Strict):
    """Error types from shared tables (`specs/tables/`), and this protocol's own."""

    shared: TableName | list[TableName] = Field(
        description="An `error_types` table, or several (no type in two of them)."
    )
    add: dict[str, Kind] = Field(
        default_factory=lambda: {}, description="Types of this protocol's own, besides."
    )


class SharedPattern(Strict):
    """A shared `context_length_patterns` table (`specs/tables/`)."""

    shared: TableName


class ContextLengthSpec(Strict):
    codes: list[str] = Field(default_factory=list)
    pattern: str | SharedPattern | None = Field(
        default=None,
        description="A regular expression searched (case-insensitively) in a 400's message, or "
        "`{shared: name}`: a pattern of `specs/tables/`.",
    )


class ErrorsSpec(Strict):
    schema_: str = Field(alias="schema")
    message: Path | None = None
    type: Path | None = None
    code: Path | None = None
    type_header: str | None = Field(
        None, description="Header naming the error type when the body does not (before any ':')."
    )
    request_id_headers: list[str] = Field(default_factory=list)
    retry_statuses: list[int] | SharedStatuses = Field(
        default_factory=lambda: [],
        description="Statuses retried, or `{shared: name, add: [...]}` (tables of specs/tables/).",
    )
    status: dict[int, Kind] = Field(
        default_factory=lambda: {}, description="Overrides of the standard HTTP status table."
    )
    context_length: ContextLengthSpec = Field(default_factory=ContextLengthSpec)
    types: Annotated[dict[str, Kind], Field(min_length=1)] | SharedTypes = Field(
        default_factory=dict,
        description="Error type/code -> kind, for errors inside a 2xx; or `{shared: name, "
        "add: {...}}` (tables of specs/tables/).",
    )


class DialectSpec(Strict):
    """One model family's own request and response bodies, carried by a protocol that only
    frames them (Bedrock InvokeModel): another protocol spec, as this host sends it."""

    protocol: Identifier = Field(description="The protocol spec of the family's own API.")
    ids: str | None = Field(
        None,
        description="Regular expression searched in the model id (the inference profile "
        "included) that picks this dialect, e.g. `(^|\\.)amazon\\.nova-`.",
    )
    creators: list[Identifier] = Field(
        default_factory=list,
        description="Model creators (catalog `creator`) this dialect is for, when no `ids` "
        "matches the model id.",
    )
    body: dict[str, Any] = Field(
        default_factory=dict,
        description="Top-level keys this protocol sets in the dialect's body (null removes one "
        "its template builds).",
    )
    structured_output: Literal["tool"] | None = Field(
        None,
        description="`tool`: structured output through a forced tool call (the dialect's "
        "native form is not served here).",
    )


class EmbeddingSpec(Strict):
    """How an embedding protocol takes its inputs."""

    max_inputs: PositiveInt = Field(
        description="Inputs one request takes at most; more are split over several requests."
    )
    input_types: dict[str, str] = Field(
        default_factory=dict,
        description="The input types the wire takes: a name a call may give -> the wire value "
        "(a call may give the wire value too). Empty: the protocol takes none.",
    )


class ProtocolSpec(Strict):
    protocol: Identifier
    title: str
    docs: str
    kind: Literal["chat", "image", "embedding"] = Field(
        "chat",
        description="What its models make: `chat` (messages in, content out), `image` "
        "(a `$prompt` in, images out as `image` content items) or `embedding` (`$inputs` in, "
        "vectors out as `embedding` content items).",
    )
    embedding: EmbeddingSpec | None = Field(
        None, description="Required for (and only for) `kind: embedding`."
    )
    wire: str = Field(description="File under specs/wire/ holding the wire JSON Schema.")
    dialects: list[DialectSpec] = Field(
        default_factory=lambda: [],
        description="The protocol frames other protocols' bodies (Bedrock InvokeModel): per "
        "model, the first dialect whose `ids` matches its id, else the first listing its "
        "creator, else the first. It then has no `request` or `response` of its own.",
    )
    request: RequestSpec | None = Field(None, description="Required, except with `dialects`.")
    usage: UsageSpec = Field(default_factory=lambda: UsageSpec())
    usage_of: dict[str, UsageSpec] = Field(
        default_factory=dict,
        description="Usage objects of another shape, by wire $defs name: their own paths "
        "(e.g. a stream chunk that counts differently from the whole response).",
    )
    finish_reasons: dict[str, UnifiedFinishReason] = Field(
        default_factory=dict,
        description="Raw finish reason -> unified. Must cover the wire's x-known-values; "
        "anything else maps to `other`.",
    )
    finish_reasons_with_tool_calls: dict[str, UnifiedFinishReason] = Field(
        default_factory=dict,
        description="Raw finish reason -> unified, for a choice that called tools (Gemini "
        "ends those with STOP).",
    )
    content: list[ContentRule] = Field(
        default_factory=lambda: [],
        description="Content rules written once for the response and the stream: a choice "
        "with `content_in` reads them in its message (delta) object. Hosts add to them "
        "(`serves.<protocol>.adds.content`).",
    )
    response: ResponseSpec | None = Field(None, description="Required, except with `dialects`.")
    stream: StreamSpec | None = Field(None, description="Absent: calls are not streamed.")
    errors: ErrorsSpec


# --- provider ----------------------------------------------------------------------------


class AuthSpec(Strict):
    scheme: Literal["bearer", "header", "query", "google_oauth", "aws_sigv4", "none"] = Field(
        description="`google_oauth`: a Google Cloud access token (static, service account or "
        "Application Default Credentials; needs the `vertex` extra), sent as a bearer token. "
        "`aws_sigv4`: a key from `env`/api_key is sent as a bearer token; without one, "
        "requests are signed with AWS Signature V4 (the `bedrock` extra)."
    )
    service: str | None = Field(None, description="aws_sigv4: the signing service name.")
    bearer_credential: str | None = Field(
        None,
        description="A credentials key whose value, when given, is sent as a bearer token "
        "instead of the key (e.g. a Microsoft Entra ID token).",
    )
    region_param: Identifier | None = Field(
        None, description="aws_sigv4: the provider param holding the signing region."
    )
    name: str | None = Field(None, description="Header or query parameter name (header/query).")
    env: list[str] = Field(default_factory=list, description="Env vars read for the key.")
    optional: bool = Field(False, description="True when calls work without a key (local).")


class ConfigHeaderSpec(Strict):
    """A header sent when `AIModelAPI(config={key: ...})` sets the key."""

    header: str
    join: str = Field(",", description="Separator when the config value is a list.")
    env: list[str] = Field(
        default_factory=list,
        description="Env vars read when the config key is not given (an organization id, say).",
    )


class ParamSpec(Strict):
    """A value the provider's URLs need (`{name}` in base_url and paths)."""

    env: list[str] = Field(default_factory=list, description="Env vars read for it.")
    default: str | None = None
    required: bool = Field(False, description="No default: a call without it fails early.")
    description: str = ""


class ServeVariantSpec(Strict):
    """How a protocol is served when a param has one value (`""`: when it has none)."""

    path: str = Field(pattern=r"^/")
    stream_path: str | None = Field(None, pattern=r"^/")
    query: dict[str, str] = Field(default_factory=dict)
    base_url: str | None = Field(
        None, pattern=r"^https?://", description="Base URL of this variant, when it differs."
    )
    auth: AuthSpec | None = Field(None, description="Auth of this variant, when it differs.")


class ModelVariantSpec(ServeVariantSpec):
    """How a protocol is served for the models whose id matches `ids`."""

    ids: str = Field(description="Regular expression searched in the model id.")


class UsagePlaces(Strict):
    """Further places of usage counts, inside a usage object (a path, or several)."""

    prompt_tokens: Path | First | None = None
    completion_tokens: Path | First | None = None
    reasoning_tokens: Path | First | None = None
    cache_read_tokens: Path | First | None = None
    cache_write_tokens: Path | First | None = None


class AddedResponse(Strict):
    error: BodyErrorSpec | list[BodyErrorSpec] | None = Field(
        None, description="Errors this host reports in place of a result, in a 2xx body."
    )


class AddedStream(Strict):
    usage: Path | First | None = Field(
        None,
        description="A further place of the usage object in stream events, for the event "
        "rules of the protocol that read one.",
    )


class AddsSpec(Strict):
    """What a host adds to a protocol it serves: fields of its own in the same wire format.
    Every host's additions are folded into the protocol's one adapter (hosts relay one
    another's answers), so they are read whichever host answers."""

    usage: UsagePlaces | None = Field(
        None,
        description="Further places of the protocol's usage counts (read with its own, in the "
        "order the wire schema lists them).",
    )
    content: list[ContentRule] = Field(
        default_factory=lambda: [],
        description="Content rules added to the protocol's shared `content` (relative to the "
        "same message / delta object).",
    )
    response: AddedResponse | None = None
    stream: AddedStream | None = None


# a dotted name in a JSON document that has no wire schema (a count request or answer)
Dotted = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$",
        description="Dotted key path in a JSON object, e.g. `input.converse`.",
    ),
]


class CountTokensSpec(Strict):
    """Where this host counts a call's input tokens without running it, and how the call's
    body becomes the count request's."""

    path: str = Field(
        pattern=r"^/", description="The count endpoint's path (`{model}` and `{param}`s)."
    )
    keep: list[str] = Field(
        min_length=1, description="The keys of the call's body the count request takes."
    )
    wrap: Dotted | None = Field(
        None, description="The dotted path the kept keys go under (e.g. `input.converse`)."
    )
    set: dict[Dotted, str] = Field(
        default_factory=dict,
        description="Dotted path -> a value set in the count request (`{model}` filled in).",
    )
    tokens: Dotted = Field(description="Where the answer holds the count.")
    bare_model: bool = Field(
        False,
        description="`{model}` is the model's bare id, without the host's prefix (an "
        "inference profile), which the count endpoint refuses.",
    )


class ServeSpec(Strict):
    base_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="Base URL of this protocol when it differs from the provider's (an "
        "explicit AIModelAPI base_url still wins).",
    )
    auth: AuthSpec | None = Field(None, description="Auth of this protocol, when it differs.")
    path: str = Field(
        pattern=r"^/",
        description="Path appended to the base URL; `{model}` and `{param}` are filled in.",
    )
    stream_path: str | None = Field(
        None, pattern=r"^/", description="Path for streamed calls, when it differs."
    )
    stream_query: dict[str, str] = Field(
        default_factory=dict, description="Query parameters of streamed calls."
    )
    body: dict[str, Any] = Field(
        default_factory=dict,
        description="Keys this host sets in the protocol's request body (null removes a key).",
    )
    query: dict[str, str] = Field(
        default_factory=dict, description="Query parameters of every call (may use `{param}`)."
    )
    variants: dict[Identifier, dict[str, ServeVariantSpec]] = Field(
        default_factory=dict,
        description="param -> value -> the path/query (and base_url/auth) used when the param "
        'has that value (e.g. an API version served at another path); the value `""` '
        "applies when the param has none, which then is not required.",
    )
    for_models: list[ModelVariantSpec] = Field(
        default_factory=lambda: [],
        description="Per model: the first entry whose `ids` matches the model id gives the "
        "path/query (and base_url/auth) the protocol is served at for it (a host that serves "
        "some models under another path prefix); a param's variant still wins.",
    )
    creators: list[Identifier] = Field(
        default_factory=list,
        description="Model creators this protocol serves here (default protocol for their "
        "models); empty: any.",
    )
    structured_output: Literal["native", "tool", "json_mode"] | None = Field(
        None,
        description="How this host gives structured output, when it differs from the "
        "protocol's rule (e.g. `json_mode` on a host without the protocol's schema form).",
    )
    keep: list[Literal["reasoning"]] = Field(
        default_factory=lambda: [],
        description="Content kinds the protocol leaves out of history (`drop`) that this host "
        "wants back (e.g. reasoning text on a host that needs it with tool calls).",
    )
    adds: AddsSpec | None = Field(
        None,
        description="Fields this host adds to the protocol's wire format (folded into the "
        "protocol's adapter, read for every host).",
    )
    count_tokens: CountTokensSpec | None = Field(
        None, description="Its endpoint counting a call's input tokens, if it has one."
    )


JobState = Literal["queued", "running", "cancelling", "completed", "failed", "expired", "cancelled"]
BatchOperation = Literal["upload", "create", "get", "cancel", "list", "results"]


class BatchLimitsSpec(Strict):
    """What one job may hold, checked before it is submitted (`submit_all` splits by them)."""

    requests: PositiveInt = Field(description="Most calls in one job.")
    bytes: PositiveInt | None = Field(None, description="Largest input (JSONL) in bytes.")
    min_requests: PositiveInt = Field(1, description="Fewest calls in one job.")
    custom_id: str | None = Field(
        None, description="A regular expression every custom id must match whole."
    )


class BatchSpec(Strict):
    """The provider's batch API: which registered flow runs its jobs, and that flow's data."""

    style: Literal[
        "file_batches",
        "message_batches",
        "gemini_batches",
        "vertex_batch_prediction",
        "bedrock_invocation_jobs",
    ] = Field(
        description="The flow (a registered class in `modelwire.batch`): `file_batches` "
        "(upload a JSONL file, make a batch of it, read output and error files), "
        "`message_batches` (requests inline, results as JSONL from a URL), `gemini_batches` "
        "(inline requests, results inline or in a file), `vertex_batch_prediction` and "
        "`bedrock_invocation_jobs` (input and output in a bucket: `storage`)."
    )
    docs: str = Field(description="The batch API's reference.")
    protocols: dict[Identifier, dict[str, str]] = Field(
        min_length=1,
        description="protocol -> its settings: the protocols whose request bodies a job's "
        "lines carry (a served one), each with what the flow needs for it (e.g. `url`).",
    )
    paths: dict[BatchOperation, str] = Field(
        description="operation -> URL path template on the jobs' base URL (`{id}`: a job's or "
        "a file's id, `{model}` and the provider's params)."
    )
    states: dict[str, JobState] = Field(
        min_length=1, description="the provider's job state -> modelwire's."
    )
    limits: BatchLimitsSpec
    query: dict[str, str] = Field(
        default_factory=dict, description="Query parameters of every job request (may use params)."
    )
    settings: dict[str, str] = Field(
        default_factory=dict, description="The flow's own settings for every protocol."
    )
    base_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="Where jobs are served, when not at the provider's base URL (may use params).",
    )
    auth: AuthSpec | None = Field(None, description="Job requests' auth, when not the calls'.")
    storage: Literal["gs", "s3"] | None = Field(
        None, description="The bucket kind a job's input and output pass through."
    )


class ProviderSpec(Strict):
    provider: Identifier
    enum: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
    display_name: str
    docs: str
    otel_name: str | None = Field(
        None,
        description="`gen_ai.provider.name` of its OpenTelemetry spans: the GenAI semantic "
        "conventions' well-known value (`aws.bedrock`, `gcp.vertex_ai`); without one, the "
        "provider's name.",
    )
    base_url: str = Field(pattern=r"^https?://", description="May use `{param}`.")
    base_url_for: dict[Identifier, dict[str, str]] = Field(
        default_factory=dict,
        description="param -> value -> the base URL used when the param has that value.",
    )
    base_url_env: list[str] = Field(default_factory=list)
    params: dict[Identifier, ParamSpec] = Field(
        default_factory=dict,
        description="Values for URL templates, from AIModelAPI(config=...), env or default.",
    )
    auth: AuthSpec
    headers: dict[str, str] = Field(default_factory=dict)
    model_id_prefix_param: Identifier | None = Field(
        None, description="The param choosing a model's id prefix (see catalog hosts.id_prefixes)."
    )
    config_headers: dict[Identifier, ConfigHeaderSpec] = Field(
        default_factory=dict, description="AIModelAPI.config key -> header it is sent as."
    )
    serves: dict[Identifier, ServeSpec] = Field(min_length=1)
    batch: BatchSpec | None = Field(None, description="Its batch API, if it has one.")


# --- catalog -----------------------------------------------------------------------------

Capability = Literal[
    "text_input",
    "image_input",
    "audio_input",
    "pdf_input",
    "text_output",
    "image_output",
    "audio_output",
    "tools",
    "structured_output",
    "streaming",
    "reasoning",
    "prompt_caching",
]


class PriceTierSpec(Strict):
    """Rates that apply to the whole call when its prompt exceeds `above_prompt_tokens`."""

    above_prompt_tokens: PositiveInt
    input: NonNegativeFloat
    output: NonNegativeFloat
    cached_input: NonNegativeFloat | None = None
    cache_write: NonNegativeFloat | None = None
    reasoning: NonNegativeFloat | None = None


class SecondarySourceSpec(Strict):
    """A secondary source: a dataset that copies a provider's prices, read where the provider's
    own page could not be (e.g. the AWS Price List as published in pydantic/genai-prices)."""

    dataset: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="The dataset's repository, owner/name (pydantic/genai-prices).",
    )
    file: str = Field(min_length=1, description="The file of the dataset the figures are in.")
    version: str = Field(
        min_length=1, description="The dataset's commit or release the figures were read at."
    )
    date: dt.date = Field(description="The date of that version (its commit or release).")
    of: str | None = Field(
        None, description="Where the dataset took the figures from (e.g. AWS Price List API)."
    )
    fields: list[Literal["input", "output", "cached_input", "cache_write", "reasoning"]] = Field(
        default_factory=lambda: [],
        description="The figures taken from it (in the tiers too); all of them when empty, and "
        "then `source` is the dataset's own address.",
    )


class PriceVariantSpec(Strict):
    """The rates of calls with one value of a pricing dimension: figures of their own (then
    `input` and `output` at least, cache rates falling back to `input`), or the rates they
    vary, tiers included, times `factor`."""

    factor: PositiveFloat | None = None
    input: NonNegativeFloat | None = None
    output: NonNegativeFloat | None = None
    cached_input: NonNegativeFloat | None = None
    cache_write: NonNegativeFloat | None = None
    reasoning: NonNegativeFloat | None = None
    source: str | None = Field(None, pattern=r"^https://", description="When not the table's.")


class PriceSpec(Strict):
    """USD per million tokens, with where the figures come from and when they were checked."""

    input: NonNegativeFloat
    output: NonNegativeFloat
    cached_input: NonNegativeFloat | None = None
    cache_write: NonNegativeFloat | None = None
    reasoning: NonNegativeFloat | None = None
    tiers: list[PriceTierSpec] = Field(
        default_factory=lambda: [],
        description="Context tiers: the rates of the highest tier whose threshold the prompt "
        "exceeds apply to every token of the call (e.g. Gemini 2.5 Pro above 200k).",
    )
    source: str = Field(pattern=r"^https://")
    checked: dt.date
    secondary: SecondarySourceSpec | None = Field(
        None,
        description="Set when figures come from a secondary source, not the provider's own "
        "page: `catalog-check` lists every such price for a maintainer to replace.",
    )
    by: dict[Identifier, dict[str, PriceVariantSpec]] = Field(
        default_factory=dict,
        description="Pricing dimensions: dimension -> value -> the rates of calls with that "
        "value, applied in the order listed. Dimensions: `batch` (`true`: a batch job's "
        "results), `service_tier` (the tier the response reports), or a provider param "
        "(`inference_profile`, `location`: what the call was made with).",
    )


class BudgetSpec(Strict):
    min: PositiveInt
    max: PositiveInt
    default: PositiveInt | None = Field(
        None, description="Budget sent when reasoning is asked for without one (else `min`)."
    )
    within_output: bool = Field(
        False, description="The budget counts inside the output limit: it must stay below it."
    )


class ParamRule(Strict):
    """What a sampling parameter may be: one of `allowed`, or within `min`..`max`."""

    allowed: list[float] | None = None
    min: float | None = None
    max: float | None = None


class ReasoningSpec(Strict):
    effort: list[str] = Field(default_factory=list)
    default_effort: str | None = None
    budget: BudgetSpec | None = None
    adaptive: bool = Field(
        False, description="Reasoning is switched on in the adaptive form (no budget)."
    )
    when_on: dict[Literal["temperature", "top_p"], ParamRule] = Field(
        default_factory=lambda: {},
        description="Rules sampling parameters must follow while reasoning is on.",
    )
    signed_calls: bool = Field(
        False,
        description="The model refuses a replayed tool call without the signature it came "
        "with; a turn without any gets the protocol's `messages.unsigned_call` stand-in.",
    )
    tool_choices_when_on: list[Literal["auto", "none", "required", "tool"]] | None = Field(
        None,
        description="The tool choice modes accepted while reasoning is on (all when absent); "
        "a forced tool call for structured output counts as `tool`.",
    )


class OptionValueSpec(Strict):
    allowed: list[Any] | None = None
    default: Any = None
    wire: str | None = Field(
        None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$",
        description="The option's name on the wire when it differs (a dotted path below the "
        "protocol's `request.options` place).",
    )


class ImagePriceSpec(Strict):
    """USD per image when the call's options (defaults applied) match `when`."""

    when: dict[str, Any] = Field(default_factory=dict)
    usd: NonNegativeFloat


class ImagePricingSpec(Strict):
    """Per-image prices: the first row whose `when` matches prices each image (output tokens
    are then not charged; input tokens still are, at `pricing.input`, when reported)."""

    per_image: list[ImagePriceSpec] = Field(min_length=1)
    source: str = Field(description="Where the prices were read.")
    checked: dt.date


class HostSpec(Strict):
    """What differs for a model on one provider (host)."""

    locations: list[str] = Field(
        default_factory=list,
        description="Locations (regions) where the host serves the model; the first is used "
        "when the API's config names none, and another configured one is an error.",
    )
    context_window: PositiveInt | None = None
    max_output_tokens: PositiveInt | None = None
    id_prefixes: list[str] = Field(
        default_factory=list,
        description="Prefixes the host puts before the model id (`<prefix>.<id>`: Bedrock's "
        "cross-region inference profiles us, eu, apac, global); the first is the default, "
        "the provider's `model_id_prefix_param` picks another, `none` sends the bare id.",
    )
    pricing: PriceSpec | None = Field(None, description="Prices on this host, when they differ.")
    max_inputs: PositiveInt | None = Field(
        None, description="Embedding models: inputs per request on this host, when fewer."
    )


class ModelSpec(Strict):
    constant: Annotated[str, Field(pattern=r"^[A-Z][A-Za-z0-9_]*$")]
    name: str
    display_name: str
    kind: Literal["chat", "image", "embedding"] = "chat"
    creator: Identifier
    ids: dict[Identifier, str] = Field(min_length=1, description="Model id on each provider.")
    hosts: dict[Identifier, HostSpec] = Field(
        default_factory=dict, description="Per-provider differences (limits, locations)."
    )
    context_window: PositiveInt | None = Field(None, description="Required for chat models.")
    max_output_tokens: PositiveInt | None = Field(None, description="Required for chat models.")
    dimensions: PositiveInt | None = Field(
        None, description="Embedding models (required): the length of a vector by default."
    )
    allowed_dimensions: list[PositiveInt] = Field(
        default_factory=lambda: [],
        description="Embedding models: the reduced lengths a call may ask for (`dimensions=`); "
        "empty: none (or any from `min_dimensions`).",
    )
    min_dimensions: PositiveInt | None = Field(
        None,
        description="Embedding models: any length from this one up to `dimensions` may be asked "
        "for (truncatable vectors).",
    )
    max_input_tokens: PositiveInt | None = Field(
        None, description="Embedding models: the longest input, in tokens."
    )
    max_inputs: PositiveInt | None = Field(
        None,
        description="Embedding models: inputs per request when fewer than the protocol's "
        "`embedding.max_inputs`.",
    )
    reasoning: ReasoningSpec | None = None
    capabilities: list[Capability]
    pricing: PriceSpec | None = Field(
        None,
        description="Prices with their source; left out only when they could not be verified "
        "(say why in `pricing_missing`): such a model reports no usage_charge.",
    )
    pricing_missing: str | None = None
    valid_options: dict[str, OptionValueSpec] = Field(default_factory=dict)
    image_pricing: ImagePricingSpec | None = None
    protocols: list[Identifier] = Field(
        default_factory=list,
        description="The protocols this model takes, preferred first (default: the provider's "
        "protocol for the model's kind and creator).",
    )
    unsupported_params: list[Literal["temperature", "top_p", "stop", "seed"]] = Field(
        default_factory=lambda: []
    )
    release_date: dt.date | None = None
    deprecation_date: dt.date | None = None


class CatalogSpec(Strict):
    models: list[ModelSpec] = Field(min_length=1)


# --- shared tables -----------------------------------------------------------------------


class TablesSpec(Strict):
    """Tables several protocols share, each defined once and named from their `errors`
    (`{shared: name}`). Names are unique across the files of specs/tables/."""

    error_types: dict[Identifier, dict[str, Kind]] = Field(
        default_factory=dict, description="name -> error type/code -> kind."
    )
    retry_statuses: dict[Identifier, list[int]] = Field(
        default_factory=dict, description="name -> HTTP statuses retried."
    )
    context_length_patterns: dict[Identifier, str] = Field(
        default_factory=dict,
        description="name -> a regular expression telling a context-length error by its message.",
    )


SPEC_KINDS: dict[str, type[Strict]] = {
    "protocol": ProtocolSpec,
    "provider": ProviderSpec,
    "catalog": CatalogSpec,
    "tables": TablesSpec,
}
