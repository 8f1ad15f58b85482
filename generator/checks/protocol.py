"""Protocols (specs/protocols/*.yaml): the file name and wire file; then, before any lowering,
the shape of each protocol — the sections its kind needs, `$defs` names that exist in its wire
schema, the stream's keys for a protocol that reads its events itself or one that frames
dialects, the dialects themselves, the tool and structured-output variables of the body, what
its hosts add. A protocol with such an error is not lowered; one without is, and the lowering
(generator/lower.py) checks each path against the wire schema, recording every path error and
going on, so that a run reports them all."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import SpecError, did_you_mean
from ..lower import Addition
from ..source import Loc, Source
from ..spec import DialectSpec, ProtocolSpec, StreamEventSpec, StreamSpec
from ..wire import PathError
from .specs import Specs


def check_protocols(specs: Specs, loaded: list[tuple[ProtocolSpec, Source]]) -> list[SpecError]:
    """The file name and wire file of each protocol; each goes to `specs.protocols`."""
    errors: list[SpecError] = []
    for spec, src in loaded:
        expected = Path(src.path).stem
        if spec.protocol != expected:
            errors.append(src.error(("protocol",), f"protocol must be {expected!r} (file name)"))
        if spec.wire not in specs.wires and spec.wire not in specs.broken.get("wire", set()):
            errors.append(
                src.error(
                    ("wire",),
                    f"specs/wire/{spec.wire} does not exist" + did_you_mean(spec.wire, specs.wires),
                )
            )
        specs.protocols[spec.protocol] = (spec, src)
    return errors


def check_shapes(specs: Specs) -> dict[str, list[SpecError]]:
    """Each protocol's errors of shape (those that would make its lowering meaningless), by
    protocol; a protocol whose wire schema (or a dialect's) is missing is left out (reported)."""
    out: dict[str, list[SpecError]] = {}
    for name, (spec, src) in sorted(specs.protocols.items()):
        if spec.wire not in specs.wires:
            continue
        check = ProtocolCheck(spec, src, specs)
        if spec.dialects:
            check.envelope()
        else:
            check.plain()
        out[name] = check.errors
    return out


class ProtocolCheck:
    """The checks of one protocol's shape, every error recorded."""

    def __init__(self, spec: ProtocolSpec, src: Source, specs: Specs) -> None:
        self.spec = spec
        self.src = src
        self.specs = specs
        self.wire = specs.wires[spec.wire]
        self.additions = specs.additions(spec.protocol)
        self.errors: list[SpecError] = []

    def fail(self, loc: Loc, message: str) -> None:
        self.errors.append(self.src.error(loc, message))

    def host_fail(self, a: Addition, loc: Loc, message: str) -> None:
        self.errors.append(a.src.error((*a.loc, *loc), message))

    def defined(self, loc: Loc, name: str, hint: bool = True) -> bool:
        """`name` is a `$defs` model of the protocol's wire schema (else an error at `loc`)."""
        if self.wire.has_def(name):
            return True
        self.fail(
            loc,
            f"{name!r} is not defined in specs/wire/{self.spec.wire}"
            + (did_you_mean(name, self.wire.defs) if hint else ""),
        )
        return False

    def context_pattern(self) -> None:
        pattern = self.spec.errors.context_length.pattern
        if isinstance(pattern, str):  # a shared one: its own file
            try:
                re.compile(pattern)
            except re.error as exc:
                self.fail(("errors", "context_length", "pattern"), f"bad regex: {exc}")

    # --- a protocol that reads its own bodies and events ---------------------------------

    def plain(self) -> None:
        spec, stream = self.spec, self.spec.stream
        for part in ("request", "response"):
            if getattr(spec, part) is None:
                self.fail(
                    (), f"missing required key {part!r} (only a protocol with `dialects` has none)"
                )
        if spec.request is None or spec.response is None:
            return
        if stream is not None:
            self.plain_stream(stream)
        for name in spec.usage_of:
            self.defined(("usage_of", name), name)
        if spec.kind == "chat" and (stream is None or spec.request.messages is None):
            self.fail(("kind",), "a chat protocol needs `stream` and `request.messages`")
        if (spec.kind == "embedding") != (spec.embedding is not None):
            self.fail(("kind",), "`embedding` is required for, and only for, `kind: embedding`")
        self.defined(("response", "schema"), spec.response.schema_)
        self.defined(("errors", "schema"), spec.errors.schema_)
        if stream is not None:
            self.defined(("stream", "schema"), stream.schema_)
        if not self.wire.has_def(spec.request.schema_):
            self.fail(("request", "schema"), f"{spec.request.schema_!r} is not in the wire schema")
        self.additions_apply()
        self.tool_vars()
        self.context_pattern()

    def plain_stream(self, stream: StreamSpec) -> None:
        """A protocol without `dialects` reads its events itself: its stream says how usage
        updates, and nothing in it wraps another protocol's events."""
        if stream.usage_update is None:
            self.fail(("stream",), "missing required key 'usage_update'")
        if stream.payload is not None:
            self.fail(("stream", "payload"), "`payload` applies to a protocol with `dialects`")
        for i, ev in enumerate(stream.events):
            if ev.payload is not None:
                self.fail(
                    ("stream", "events", i, "payload"),
                    "`payload` applies to a protocol with `dialects`",
                )

    def additions_apply(self) -> None:
        """Each host adds to something the protocol has: shared content rules, a stream
        whose events read usage."""
        spec, stream = self.spec, self.spec.stream
        reads_usage = stream is not None and any(
            ev.usage is not None and ev.usage != "." for ev in stream.events
        )
        for a in self.additions:
            if a.adds.content and not spec.content:
                self.host_fail(
                    a,
                    ("content",),
                    f"{spec.protocol} has no shared `content` rules (a choice's `content_in`) "
                    "for a host to add to",
                )
            if a.adds.stream is not None and not reads_usage:
                self.host_fail(
                    a,
                    ("stream",),
                    f"{spec.protocol} has no stream event rule reading a usage object at a path",
                )

    def tool_vars(self) -> None:
        """The body uses the tool and structured-output variables exactly when the spec's
        `tools` / `structured_output` sections say how to fill them."""
        req = self.spec.request
        assert req is not None
        text = json.dumps(req.body)
        so = req.structured_output
        if req.tools is None and ('"$tools"' in text or '"$tool_choice"' in text):
            self.fail(("request", "body"), "`$tools` needs a `request.tools` section")
        if req.tools is not None and '"$tools"' not in text:
            self.fail(("request", "tools"), "the body template never uses `$tools`")
        native = so is not None and so.via == "native"
        uses_schema = '"$schema"' in text or '"$schema_json"' in text
        if native and not uses_schema:
            self.fail(
                ("request", "structured_output", "via"),
                "`via: native` needs `$schema` (or `$schema_json`) in the body template",
            )
        if not native and uses_schema:
            self.fail(
                ("request", "body"), "`$schema` needs `request.structured_output.via: native`"
            )
        json_mode = so is not None and so.json_mode
        if json_mode != ('"structured_json_mode"' in text or '"$structured_json_mode"' in text):
            self.fail(
                ("request", "structured_output", "json_mode"),
                "`json_mode: true` and `$structured_json_mode` in the body need each other",
            )
        uses_tool = so is not None and (so.via == "tool" or so.fallback == "tool")
        if uses_tool and (req.tools is None or "tool" not in req.tools.choice):
            self.fail(
                ("request", "structured_output"),
                "structured output through a tool needs `request.tools` with a `tool` choice",
            )

    # --- a protocol that frames its dialects' bodies --------------------------------------

    def envelope(self) -> None:
        spec = self.spec
        for a in self.additions:
            self.host_fail(
                a,
                (),
                f"{spec.protocol} only frames its dialects' bodies: a host adds to the "
                "dialect's own protocol",
            )
        for key in ("request", "response", "finish_reasons", "finish_reasons_with_tool_calls"):
            if getattr(spec, key):
                self.fail(
                    (key,),
                    f"`{key}` does not apply with `dialects` (each dialect's spec has its own)",
                )
        for i, d in enumerate(spec.dialects):
            self.dialect(d, ("dialects", i))
        self.defined(("errors", "schema"), spec.errors.schema_, hint=False)
        if spec.stream is not None:
            self.envelope_stream(spec.stream)
        self.context_pattern()

    def envelope_stream(self, stream: StreamSpec) -> None:
        if stream.framing is None:
            self.fail(("stream",), "missing required key 'framing'")
        for key in ("usage_update", "done", "json_array"):
            if key in stream.model_fields_set:
                self.fail(
                    ("stream", key),
                    f"`{key}` does not apply with `dialects` (the dialect's own applies)",
                )
        self.defined(("stream", "schema"), stream.schema_, hint=False)
        for i, ev in enumerate(stream.events):
            self.envelope_event(ev, ("stream", "events", i))
        if not any(ev.payload for ev in stream.events):
            self.fail(
                ("stream", "events"),
                "no event rule has a `payload`: the dialects' events never arrive",
            )
        if stream.payload is not None:
            self.defined(("stream", "payload", "schema"), stream.payload.schema_, hint=False)

    def envelope_event(self, ev: StreamEventSpec, loc: Loc) -> None:
        """An event of the envelope: an error, or a wrapped event of the dialect (`payload`)."""
        taken = sorted(ev.model_fields_set - {"when"})
        if len(taken) != 1 or taken[0] not in ("error", "payload"):
            stray = next((k for k in taken if k not in ("error", "payload")), None)
            at: Loc = (*loc, stray) if stray else (*loc, taken[1]) if taken else loc
            self.fail(
                at,
                f"{'`' + stray + '` does not apply here: ' if stray else ''}with `dialects`, an "
                "event rule takes `when` and either `error` or `payload` (the dialect's own rules "
                "read the rest)",
            )

    def dialect(self, d: DialectSpec, loc: Loc) -> None:
        protocols = self.specs.protocols
        found = protocols.get(d.protocol)
        if found is None and self.specs.known("protocol", d.protocol):
            return  # a protocol file that did not load: its own errors say why
        if found is None:
            known = ", ".join(sorted(protocols))
            hint = did_you_mean(d.protocol, protocols)
            self.fail((*loc, "protocol"), f"unknown protocol {d.protocol!r}{hint}; known: {known}")
            return
        inner, _ = found
        if inner.dialects:
            self.fail((*loc, "protocol"), f"{d.protocol!r} has dialects itself: they do not nest")
            return
        if inner.request is None:
            self.fail((*loc, "protocol"), f"{d.protocol!r} has no `request`")
            return
        if inner.kind != self.spec.kind:
            self.fail(
                (*loc, "protocol"),
                f"{d.protocol!r} is a {inner.kind} protocol, not {self.spec.kind}",
            )
        if d.ids is not None:
            try:
                re.compile(d.ids)
            except re.error as exc:
                self.fail((*loc, "ids"), f"bad regex: {exc}")
        wire = self.specs.wires.get(inner.wire)
        for key, value in d.body.items():
            if wire is not None:
                try:
                    wire.resolve(inner.request.schema_, key)
                except PathError as exc:
                    self.fail((*loc, "body", key), f"{exc} (the {d.protocol} request)")
                    continue
            if value is None and key not in inner.request.body:
                self.fail(
                    (*loc, "body", key),
                    f"null removes a key the {d.protocol} body template builds; {key!r} is not one",
                )
        tools = inner.request.tools
        if d.structured_output == "tool" and (tools is None or "tool" not in tools.choice):
            self.fail(
                (*loc, "structured_output"),
                f"the {d.protocol} protocol has no forced tool choice (`request.tools.choice.tool`)",
            )
