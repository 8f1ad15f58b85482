"""modelwire's logs: the `MODELWIRE_LOG` switch, and secrets out of the log lines of the
libraries it drives.

Those libraries log when an application turns their loggers on: httpx2 logs each request line
(a query-string key with it), httpcore2 logs response headers (a key a server echoes),
botocore logs the SigV4 canonical request (the session token). A filter on those loggers,
installed once when modelwire is imported, replaces every secret held by a live `AIModelAPI`
(keys, credentials, tokens fetched since) in the records made while a modelwire call runs
(`calling()`); other code's records pass unexamined. It runs only for records that are
emitted, so calls with logging off pay nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import logging
import os
import re
import sys
import weakref
from collections.abc import Generator, Iterable
from typing import Protocol, TypeVar, cast
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "SHORTEST",
    "THIRD_PARTY_LOGGERS",
    "SecretHolder",
    "calling",
    "configure_from_env",
    "install",
    "scrub",
    "secret_forms",
    "watch",
]

MASK = "<redacted>"
# loggers of the libraries modelwire drives that write URLs, headers or signing input
THIRD_PARTY_LOGGERS = (
    "httpx2",
    "httpcore2.connection",
    "httpcore2.http11",
    "httpcore2.http2",
    "httpcore2.proxy",
    "httpcore2.socks",
    "botocore.auth",
    "botocore.credentials",
    "botocore.endpoint",
    "google.auth.transport",
    "google.oauth2",
)
# shorter strings are not scrubbed: no provider issues a credential that short, and the
# placeholders that are (`ollama`, `test`, `EMPTY`) are ordinary words in provider messages
SHORTEST = 8
# a secret is masked where it stands as a whole token: not inside a longer run of these
_TOKEN_CHARS = "A-Za-z0-9_\\-"

_T = TypeVar("_T")


class SecretHolder(Protocol):
    def secrets(self) -> tuple[str, ...]: ...


def secret_forms(secrets: Iterable[str], shortest: int = SHORTEST) -> tuple[str, ...]:
    """The secrets worth scrubbing (`shortest` characters or more) in every form they may be
    written in: as is, URL-encoded (path, query and form styles) and inside a JSON string
    (`/` escaped or not); longest first, so a secret containing another is masked whole."""
    forms = set[str]()
    for s in secrets:
        if len(s) >= shortest:
            in_json = json.dumps(s)[1:-1]
            forms.update(
                (
                    s,
                    quote(s, safe=""),
                    quote(s),
                    quote_plus(s, safe=""),
                    quote_plus(s),
                    in_json,
                    in_json.replace("/", "\\/"),
                )
            )
    return tuple(sorted(forms, key=len, reverse=True))


@functools.lru_cache(maxsize=32)
def _pattern(forms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(map(re.escape, forms))  # longest first: a containing secret wins
    return re.compile(f"(?<![{_TOKEN_CHARS}])(?:{alternatives})(?![{_TOKEN_CHARS}])")


def scrub(value: _T, forms: tuple[str, ...]) -> _T:
    """`value` (text, or a JSON-like tree of it) with each of `forms` that stands as a whole
    token (not part of a longer word or key) replaced by the mask; other text is unchanged."""
    # the same shape comes back: text for text, a dict for a dict, a list for a list
    return cast(_T, _scrub(value, forms))


def _scrub(value: object, forms: tuple[str, ...]) -> object:
    if isinstance(value, str):
        return _pattern(forms).sub(MASK, value) if forms else value
    if isinstance(value, dict):
        tree = cast("dict[object, object]", value)
        return {k: _scrub(v, forms) for k, v in tree.items()}
    if isinstance(value, list):
        items = cast("list[object]", value)
        return [_scrub(v, forms) for v in items]
    return value


_holders: weakref.WeakSet[SecretHolder] = weakref.WeakSet()
_in_call: contextvars.ContextVar[bool] = contextvars.ContextVar("modelwire_in_call", default=False)


class _Redactor(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not _in_call.get():  # another library user's request: not ours to touch
            return True
        forms = secret_forms(s for holder in list(_holders) for s in holder.secrets())
        if forms:
            text = record.getMessage()
            scrubbed = scrub(text, forms)
            if scrubbed != text:
                record.msg, record.args = scrubbed, ()
        return True


def watch(holder: SecretHolder) -> None:
    """Scrub `holder.secrets()` from third-party log lines while it lives."""
    _holders.add(holder)


@contextlib.contextmanager
def calling() -> Generator[None]:
    """The records logged inside are a modelwire call's: the filter scrubs them."""
    token = _in_call.set(True)
    try:
        yield
    finally:
        _in_call.reset(token)


def install() -> None:
    """The filter on the third-party loggers (once: modelwire's import calls it)."""
    redactor = _Redactor()
    for name in THIRD_PARTY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _Redactor) for f in logger.filters):
            logger.addFilter(redactor)


# MODELWIRE_LOG=debug|info: a handler on stderr, as the official SDKs' OPENAI_LOG sets one
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT = "[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s"


def configure_from_env() -> None:
    """`MODELWIRE_LOG=info`: modelwire's records from INFO (retries, giving up) on stderr;
    `debug`: every attempt too, and httpx2's request lines (secrets scrubbed)."""
    level = _LEVELS.get(os.environ.get("MODELWIRE_LOG", "").strip().lower())
    if level is None:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    names = ("modelwire", "httpx2") if level == logging.DEBUG else ("modelwire",)
    for name in names:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level)
