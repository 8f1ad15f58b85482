"""Counting a call's input tokens before it is made, and the checks a caller can turn on
with them (the context window, a cost limit, a cost tracker's budget left).

Where the host offers a count endpoint (the provider spec's `count_tokens`), the call's own
body is sent to it, reshaped as the spec says: the count is exact. Elsewhere it is estimated
from the call's text (about four characters a token) and says so.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, cast

from ._errors import (
    DECODE_ERRORS,
    BudgetExceededError,
    ContextLengthExceededError,
    ResponseDecodeError,
    http_error,
    request_id,
)
from ._types import Usage

if TYPE_CHECKING:
    import httpx2

    from ._api import AIModelEndpoint
    from ._attempts import Exchanged
    from ._provider import CountTokens
    from ._request import Prepared, RequestBuilder
    from ._response import ResponseBuilder

__all__ = ["TokenCount", "check_call", "count_request", "counted", "estimated", "needs_check"]

CHARS_PER_TOKEN = 4  # the estimate's ratio: a rough mean of English text in BPE tokenizers


@dataclass(slots=True)
class TokenCount:
    """A call's input tokens: `exact` when the provider counted them, else an estimate."""

    input_tokens: int
    exact: bool
    model: str | None = None
    provider: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form."""
        return asdict(self)


def count_request(
    endpoint: AIModelEndpoint, builder: RequestBuilder, prep: Prepared
) -> Prepared | None:
    """The count request for a prepared call, or None where the host counts none (or its
    count path needs a param this account lacks)."""
    spec = endpoint.binding.count_tokens
    if spec is None:
        return None
    try:
        path = endpoint.fill_path(spec.path, bare_model=spec.bare_model)
    except KeyError:
        return None
    body = _count_body(spec, json.loads(prep.content), endpoint.model_id)
    return builder.side_request(prep, path, body)


def _count_body(spec: CountTokens, body: dict[str, Any], model: str) -> dict[str, Any]:
    kept: dict[str, Any] = {k: body[k] for k in spec.keep if k in body}
    out: dict[str, Any] = kept
    if spec.wrap:
        out = {}
        _put(out, spec.wrap, kept)
    for path, value in spec.set.items():
        _put(out, path, value.format(model=model))
    return out


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value


def counted(
    endpoint: AIModelEndpoint, responses: ResponseBuilder, exchanged: Exchanged
) -> TokenCount:
    """The count from a count request's answer; its failure as the call's typed error."""
    from ._attempts import transport_error

    spec = endpoint.binding.count_tokens
    assert spec is not None  # a count request was made
    if not isinstance(exchanged, tuple):
        raise responses.redacted(transport_error(responses, exchanged))
    response, body = exchanged
    if not isinstance(body, bytes):
        raise responses.redacted(transport_error(responses, _failed(body)))
    if response.status_code >= 400:
        error = http_error(
            responses.adapter, responses.provider, response.status_code, body, response.headers
        )
        raise responses.redacted(error)
    value = _read(body, spec.tokens)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ResponseDecodeError(
            f"the token count answer holds no count at {spec.tokens}",
            provider=responses.provider,
            status=response.status_code,
            request_id=request_id(responses.adapter, response.headers),
        )
    return TokenCount(value, True, endpoint.model_id, responses.provider)


def _failed(body: httpx2.HTTPError | None) -> httpx2.HTTPError:
    assert body is not None  # a count request is not streamed: its body was read
    return body


def _read(body: bytes, path: str) -> Any:
    try:
        value: Any = json.loads(body)
    except DECODE_ERRORS:
        return None
    for key in path.split("."):
        value = cast("dict[str, Any]", value).get(key) if isinstance(value, dict) else None
    return value


def estimated(endpoint: AIModelEndpoint, prep: Prepared) -> TokenCount:
    """An estimate of the call's input tokens: its text (instructions, messages, tool
    definitions) at about four characters a token, and a few tokens a message."""
    text = len(prep.system or "")
    for message in prep.messages:
        for part in message.content:
            value = getattr(part, "text", None) or getattr(part, "output", None) or ""
            text += len(value if isinstance(value, str) else json.dumps(value, default=str))
    tools = prep.config.tools or ()
    text += sum(len(json.dumps(getattr(t, "parameters", None) or {}, default=str)) for t in tools)
    tokens = math.ceil(text / CHARS_PER_TOKEN) + 4 * len(prep.messages)
    return TokenCount(tokens, False, endpoint.model_id, endpoint.api.info.name)


def needs_check(prep: Prepared) -> bool:
    """Whether the call is to be checked before it is sent (the caller turned a check on)."""
    cfg = prep.config
    tracker = cfg.cost_tracker
    return (
        cfg.precheck
        or cfg.max_call_cost is not None
        or getattr(tracker, "budget", None) is not None
    )


def check_call(endpoint: AIModelEndpoint, prep: Prepared, count: TokenCount) -> None:
    """Refuse the call when its input exceeds the model's context window, or its worst case
    (input and the most output it may make, at the catalog's rates) costs more than
    `max_call_cost` or the cost tracker's budget left."""
    model, provider = endpoint.ai_model, endpoint.api.info.name
    name = model.constant or endpoint.model_id
    how = "" if count.exact else "about "
    host = model.hosts.get(provider)
    window = (host.context_window if host else None) or model.context_window
    if prep.config.precheck and window is not None and count.input_tokens > window:
        raise ContextLengthExceededError(
            f"the input is {how}{count.input_tokens} tokens, over {name}'s context window of "
            f"{window} (refused before sending)",
            provider=provider,
        )
    _check_cost(endpoint, prep, count, name)


def _check_cost(endpoint: AIModelEndpoint, prep: Prepared, count: TokenCount, name: str) -> None:
    cfg, provider = prep.config, endpoint.api.info.name
    tracker = cfg.cost_tracker
    left = getattr(tracker, "remaining", None)
    limits = [
        (v, w)
        for v, w in ((cfg.max_call_cost, "max_call_cost"), (left, "the budget left"))
        if v is not None
    ]
    if not limits:
        return
    pricing = endpoint.ai_model.pricing_for(provider)
    output = cfg.max_output_tokens or endpoint.ai_model.max_output_for(provider) or 0
    charge = (
        pricing.charge(Usage(count.input_tokens, output), endpoint.dimensions) if pricing else None
    )
    if charge is None:
        return  # the catalog does not price it: nothing to compare
    for limit, what in limits:
        if charge.total > limit:
            raise BudgetExceededError(
                f"{name}'s call could cost up to ${charge.total:.6f} ({count.input_tokens} input "
                f"tokens{'' if count.exact else ', estimated'}, {output} output at most), over "
                f"{what} (${limit:.6f}); refused before sending",
                provider=provider,
            )
