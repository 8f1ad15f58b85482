"""Batch styles: one registered class per `style` a provider's batch spec names.

A style is a flow without I/O (as the runtime's attempt loop is): each operation is a
generator that yields the HTTP requests it needs (`Req`) and is sent back what each returned
(the decoded JSON body, or the raw bytes of a `raw` request); its return value is the
operation's result. `modelwire.batch`'s sync and async clients drive them. Adding a style is
adding a subclass with its `name`; the provider spec gives its data (`BatchInfo`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar

from modelwire import ConfigurationError
from modelwire._provider import AuthScheme

from ._spec import BatchInfo, JobState

__all__ = [
    "STYLES",
    "BatchCounts",
    "BatchStyle",
    "Flow",
    "JobData",
    "Line",
    "Record",
    "Req",
    "Source",
    "jsonl",
    "multipart",
    "number",
    "style_for",
    "timestamp",
]


@dataclass(frozen=True, slots=True)
class Req:
    """One HTTP request of a flow. `path` is relative to the jobs' base URL, or a whole URL
    (`https://...`, a results URL the provider gave). `lines`: the answer is read as JSON
    lines, as the caller iterates; `raw`: the answer is sent back as bytes."""

    method: str
    path: str
    json: Any = None
    content: bytes | None = None
    content_type: str | None = None
    query: Mapping[str, str] = field(default_factory=dict[str, str])
    headers: Mapping[str, str] = field(default_factory=dict[str, str])
    lines: bool = False
    raw: bool = False
    auth: bool = True  # sign or authenticate it (False: a presigned URL)
    scheme: AuthScheme | None = None  # its own auth (a bucket's signing service), else the jobs'


# a flow: yields requests, is sent their answers, returns its result
Flow = Generator[Req, Any, Any]


@dataclass(frozen=True, slots=True)
class Line:
    """One call of a job, as its line will carry it: its custom id and the protocol's body."""

    custom_id: str
    body: dict[str, Any]


@dataclass(slots=True)
class BatchCounts:
    """How many of a job's calls are in each state (None: the provider does not say)."""

    total: int | None = None
    succeeded: int | None = None
    failed: int | None = None
    pending: int | None = None
    cancelled: int | None = None
    expired: int | None = None


@dataclass(slots=True)
class JobData:
    """What a provider said of a job, in modelwire's terms; `raw` is its JSON."""

    id: str
    state: JobState
    state_raw: str | None
    counts: BatchCounts
    created_at: datetime | None = None
    ends_at: datetime | None = None  # when it expires if not done by then
    ended_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict[str, Any])


@dataclass(frozen=True, slots=True)
class Record:
    """One result, as a flow reads it from a result line: the call's custom id and either its
    response body (JSON, as the protocol answers a direct call) or its error (`status`: the
    HTTP status the call got, when the provider says; `error`: the error body, as the
    protocol reports errors, or a message)."""

    custom_id: str
    body: Any = None
    status: int | None = None
    error: Any = None


# where results are read from: a request whose answer is JSON lines, or records in hand
Source = Req | Sequence[Any]

STYLES: dict[str, type[BatchStyle]] = {}


class BatchStyle:
    """A provider family's batch flow. The base reads the common parts of the spec (paths,
    states, limits); subclasses write the requests."""

    name: ClassVar[str]
    # why an API key cannot run this flow's jobs (None: it can); a BatchClient refuses a key
    needs_signing: ClassVar[str | None] = None

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        declared = cls.__dict__.get("name")
        if isinstance(declared, str):
            STYLES[declared] = cls

    def __init__(
        self,
        info: BatchInfo,
        protocol: str,
        model_id: str,
        params: Mapping[str, str],
        options: Mapping[str, Any],
    ) -> None:
        self.info = info
        self.protocol = protocol
        self.settings: dict[str, str] = {**info.settings, **info.protocols.get(protocol, {})}
        self.model_id = model_id
        self.params = params
        self.options = options

    # --- what every style writes -----------------------------------------------------------

    def submit(self, lines: Sequence[Line], name: str) -> Flow:
        """Create a job running `lines`; returns its JobData."""
        raise NotImplementedError

    def get(self, job_id: str) -> Flow:
        """Returns the job's JobData."""
        data = yield Req("GET", self.path("get", id=job_id))
        return self.job(data)

    def cancel(self, job_id: str) -> Flow:
        """Ask the provider to cancel the job; returns its JobData."""
        data = yield Req("POST", self.path("cancel", id=job_id))
        return self.job(data)

    def list(self, limit: int) -> Flow:
        """Returns the newest jobs' JobData, at most `limit`."""
        raise NotImplementedError

    def job(self, data: Any) -> JobData:
        """A job's JobData from the provider's JSON."""
        raise NotImplementedError

    def sources(self, job: JobData) -> Flow:
        """Returns where the job's results are read from (a list of Source)."""
        raise NotImplementedError

    def record(self, item: Any) -> Record:
        """One result line (decoded JSON) as a Record."""
        raise NotImplementedError

    # --- shared helpers ---------------------------------------------------------------------

    def path(self, operation: str, **values: str) -> str:
        """An operation's path, its `{placeholders}` filled (values URL-quoted)."""
        from urllib.parse import quote

        template = self.info.paths.get(operation)
        if template is None:
            raise ConfigurationError(f"this provider's batch API has no {operation!r} operation")
        filled = {k: quote(v, safe="-._~") for k, v in self.params.items()}
        filled["model"] = quote(self.model_id, safe="@-._~")
        filled.update({k: quote(v, safe="-._~/") for k, v in values.items()})
        return template.format(**filled)

    def state(self, raw: object) -> JobState:
        """The provider's state in modelwire's terms (unknown ones read as running)."""
        found = self.info.states.get(str(raw))
        return found if found is not None else "running"  # pyright: ignore[reportReturnType]  # the generator checks every value is a JobState


def style_for(info: BatchInfo) -> type[BatchStyle]:
    style = STYLES.get(info.style)
    if style is None:
        raise ConfigurationError(
            f"unknown batch style {info.style!r}; known: {', '.join(sorted(STYLES))}"
        )
    return style


def number(value: object) -> int | None:
    """A count given as a JSON number or as digits (int64 in Google's JSON); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def timestamp(value: object) -> datetime | None:
    """A time given as Unix seconds or RFC 3339 text; None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if isinstance(value, str) and value:
        text = value.replace("Z", "+00:00")
        if "." in text:  # RFC 3339 allows 9 fraction digits; Python 3.10 reads 3 or 6
            head, _, tail = text.partition(".")
            digits = "".join(itertools.takewhile(str.isdigit, tail))
            text = f"{head}.{digits[:6].ljust(6, '0')}{tail[len(digits) :]}"
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def jsonl(lines: Sequence[Mapping[str, Any]]) -> bytes:
    """Lines as JSON Lines (UTF-8, compact)."""
    return b"".join(
        json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        for line in lines
    )


def multipart(
    fields: Mapping[str, str], name: str, filename: str, data: bytes
) -> tuple[bytes, str]:
    """A multipart/form-data body: `fields`, then the file `data` under form field `name`;
    returns (body, content type)."""
    import uuid

    boundary = f"modelwire-{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
    )
    body = b"".join(parts) + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
