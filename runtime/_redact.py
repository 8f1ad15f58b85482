"""Secrets out of log lines that modelwire does not write itself.

modelwire logs nothing, but the libraries it drives do, when an application turns their
loggers on: httpx2 logs each request line (a query-string key with it), httpcore2 logs response
headers (a key a server echoes), botocore logs the SigV4 canonical request (the session
token). A filter on those loggers replaces every secret held by a live `AIModelAPI` (keys,
credentials, tokens fetched since) before the record reaches any handler. It runs only for
records that are emitted, so calls with logging off pay nothing.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import weakref
from collections.abc import Iterable
from typing import Protocol, TypeVar, cast
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "SHORTEST",
    "THIRD_PARTY_LOGGERS",
    "SecretHolder",
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
_installed = False
_install_lock = threading.Lock()


class _Redactor(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        forms = secret_forms(s for holder in list(_holders) for s in holder.secrets())
        if forms:
            text = record.getMessage()
            scrubbed = scrub(text, forms)
            if scrubbed != text:
                record.msg, record.args = scrubbed, ()
        return True


def watch(holder: SecretHolder) -> None:
    """Scrub `holder.secrets()` from third-party log lines while it lives."""
    global _installed
    _holders.add(holder)
    if not _installed:
        with _install_lock:
            if not _installed:
                redactor = _Redactor()
                for name in THIRD_PARTY_LOGGERS:
                    logging.getLogger(name).addFilter(redactor)
                _installed = True
