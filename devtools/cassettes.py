"""Cassettes (vcrpy, format version 1): replay for tests, scrubbing for the recorder.

Tests only ever replay, with `record_mode="none"`: a request the cassette does not hold fails
(vcrpy's CannotOverwriteExistingCassetteException) instead of reaching the network, and each
recorded response plays once, so an unexpected retry fails too. Interactions match on method,
scheme, host, port and path; the request body is not matched (the recorded body documents what
was asked). Recording lives in devtools/record.py and is never used by tests; what it writes
goes through `Scrubber`, which keeps every credential it knows or meets out of the cassette.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, AnyStr
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from modelwire._redact import MASK, secret_forms

MATCH_ON = ("method", "scheme", "host", "port", "path")

# Never written to a cassette: credentials, cookies, and account identifiers. Request and
# response headers alike, compared case-insensitively.
SECRET_HEADERS = (
    "authorization",
    "api-key",
    "x-api-key",
    "x-goog-api-key",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
    "anthropic-organization-id",
    "x-amz-security-token",  # an AWS session token (SigV4-signed Bedrock requests)
)


@contextmanager
def replay(cassette_path: str | os.PathLike[str]) -> Iterator[Any]:
    """Serve HTTP from the cassette at `cassette_path`; any other request fails. Yields the
    vcrpy Cassette (`play_count`, `all_played`)."""
    import vcr

    path = Path(cassette_path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no cassette at {path}: author it, or record it with `python tasks.py record ...`"
        )
    with vcr.use_cassette(
        str(path), record_mode="none", match_on=list(MATCH_ON), allow_playback_repeats=False
    ) as cassette:
        yield cassette


def prepend_comment(path: Path, lines: list[str]) -> None:
    """Put `# ` comment lines at the top of a cassette (vcrpy ignores YAML comments)."""
    body = path.read_text(encoding="utf-8")
    header = "".join(f"# {line}\n" if line else "#\n" for line in lines)
    path.write_text(header + body, encoding="utf-8")


def leading_comment(path: Path) -> list[str]:
    """The `#` comment lines a cassette starts with, without the `# ` prefix."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        out.append(line[1:].removeprefix(" "))
    return out


# --- recording: what the recorder (devtools/record.py) writes -------------------------------

SHORTEST_SECRET = 8  # shorter values are not masked by value: no credential is, ordinary words are

# Query parameters that carry a credential whatever the provider: API keys, OAuth tokens and
# presigned-URL signatures (AWS, Google Cloud Storage, Azure SAS). devtools/record.py adds the
# name of every `query` auth scheme of the provider specs. Compared case-insensitively.
SECRET_QUERY = (
    "key",
    "api-key",
    "api_key",
    "apikey",
    "access_token",
    "token",
    "sig",
    "signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-amz-signature",
    "x-goog-credential",
    "x-goog-signature",
)

# An OAuth 2.0 token request (RFC 6749 section 4: a form with `grant_type`) keeps these fields;
# every other one (assertion, client_secret, refresh_token, code, subject_token ...) is masked.
OAUTH_KEPT_FIELDS = frozenset({"grant_type", "scope"})

# JSON fields holding a credential in token responses and requests (OAuth, Google STS and IAM
# credentials, AWS SSO and metadata credentials), compared without case, `_` and `-`: their
# values are learned as secrets, so they are masked wherever they appear.
TOKEN_FIELDS = frozenset(
    {
        "accesstoken",
        "actortoken",
        "clientsecret",
        "idtoken",
        "refreshtoken",
        "secretaccesskey",
        "sessiontoken",
        "subjecttoken",
    }
)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return (
        scheme,
        (parts.hostname or "").lower(),
        parts.port or {"http": 80, "https": 443}.get(scheme),
    )


def _json_strings(data: Any, keys: frozenset[str]) -> Iterator[str]:
    """The string values of `keys` (normalized: lower case, no `_` or `-`) at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            normalized = str(key).lower().replace("_", "").replace("-", "")
            if normalized in keys and isinstance(value, str):
                yield value
            else:
                yield from _json_strings(value, keys)
    elif isinstance(data, list):
        for item in data:
            yield from _json_strings(item, keys)


def _length(body: bytes | str) -> int:
    return len(body.encode() if isinstance(body, str) else body)


class Scrubber:
    """Keeps credentials out of a cassette being recorded (vcrpy hooks, see `vcr_options`).

    Requests to another host than the provider's (OAuth token endpoints, metadata servers,
    STS) are not written; credential headers and query parameters are dropped, and their
    values learned; an OAuth token request keeps only its `grant_type` and `scope`; the
    values of token fields in JSON bodies (`access_token` ...) are learned; and every secret
    known (given, or learned so far) is replaced by MASK wherever it appears, URL-encoded or
    JSON-escaped too: URIs, headers and bodies of requests and responses alike.
    """

    def __init__(
        self,
        *,
        origins: Iterable[str] = (),
        secrets: Iterable[str] = (),
        headers: Iterable[str] = (),
        query: Iterable[str] = (),
    ) -> None:
        self.origins = {_origin(url) for url in origins}  # empty: every host is written
        self.headers = frozenset(h.lower() for h in (*SECRET_HEADERS, *headers))
        self.query = frozenset(q.lower() for q in (*SECRET_QUERY, *query))
        self.not_written: set[str] = set()  # "METHOD url" of requests left out (another host)
        self._secrets: set[str] = set()
        self._forms: tuple[str, ...] = ()
        self.learn(*secrets)

    def learn(self, *secrets: str) -> None:
        """Mask these values from now on (shorter ones than SHORTEST_SECRET are ignored)."""
        new = {s for s in secrets if len(s) >= SHORTEST_SECRET} - self._secrets
        if new:
            self._secrets |= new
            self._forms = secret_forms(self._secrets, SHORTEST_SECRET)

    def vcr_options(self) -> dict[str, Any]:
        return {"before_record_request": self.request, "before_record_response": self.response}

    def request(self, request: Any) -> Any:
        """vcrpy `before_record_request` (it passes a copy): the request as written, or None."""
        if self.origins and _origin(request.uri) not in self.origins:
            self.not_written.add(f"{request.method} {request.uri.split('?', 1)[0]}")
            return None
        for name in [h for h in request.headers if h.lower() in self.headers]:
            self._learn_header(request.headers.pop(name))
        parts = urlsplit(request.uri)
        query = parse_qsl(parts.query, keep_blank_values=True)
        kept = [(k, v) for k, v in query if k.lower() not in self.query]
        if len(kept) < len(query):
            self.learn(*(v for k, v in query if k.lower() in self.query))
            request.uri = urlunsplit(parts._replace(query=urlencode(kept)))
        body = request.body
        request.body = self._token_request_body(body, request.headers.get("content-type", ""))
        self.mask_request(request, changed=request.body != body)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy `before_record_response` (after decompression): the response as written."""
        headers = response.get("headers") or {}
        for name in [h for h in headers if h.lower() in self.headers]:
            for value in headers.pop(name):
                self._learn_header(value)
        response["headers"] = headers
        self._learn_from_json(response.get("body", {}).get("string"))
        self.mask_response(response)
        return response

    def mask_request(self, request: Any, changed: bool = False) -> None:
        """Mask every secret known in a recorded request (a vcrpy Request), in place; a
        `changed` or masked body gets its content-length set again."""
        request.uri = self._mask(request.uri)
        for name, value in list(request.headers.items()):
            request.headers[name] = self._mask(value)
        body = request.body
        if isinstance(body, (bytes, str)):
            request.body = self._mask(body)
            if (changed or request.body != body) and "content-length" in request.headers:
                request.headers["content-length"] = str(_length(request.body))

    def mask_response(self, response: dict[str, Any]) -> None:
        """Mask every secret known in a recorded response (vcrpy's dict), in place; a masked
        body gets its content-length set again."""
        headers = response.get("headers") or {}
        for name, values in headers.items():
            headers[name] = [self._mask(v) for v in values]
        body = response.get("body")
        if isinstance(body, dict) and isinstance(body.get("string"), (bytes, str)):
            masked = self._mask(body["string"])
            if masked != body["string"]:
                body["string"] = masked
                for name in [h for h in headers if h.lower() == "content-length"]:
                    headers[name] = [str(_length(masked))]

    def mask_all(self, interactions: Iterable[tuple[Any, dict[str, Any]]]) -> None:
        """Mask again every secret known by now (some are learned late: a token fetched, a key
        echoed), in a cassette's recorded (request, response) pairs before it is saved."""
        for request, response in interactions:
            self.mask_request(request)
            self.mask_response(response)

    def _mask(self, text: AnyStr) -> AnyStr:
        for form in self._forms:
            if isinstance(text, bytes):
                text = text.replace(form.encode(), MASK.encode())
            else:
                text = text.replace(form, MASK)
        return text

    def _learn_header(self, value: str) -> None:
        """A credential header's value, the token after its auth scheme (`Bearer ...`) and an
        AWS SigV4 access key id (`Credential=AKIA.../...`)."""
        scheme, _, token = value.partition(" ")
        self.learn(value, *re.findall(r"Credential=([^/,\s]+)", value))
        if token and scheme.isalpha():
            self.learn(token.strip())

    def _learn_from_json(self, body: bytes | str | None) -> None:
        if not body:
            return
        try:
            data = json.loads(body)
        except ValueError:
            return
        self.learn(*_json_strings(data, TOKEN_FIELDS))

    def _token_request_body(self, body: Any, content_type: str) -> Any:
        """An OAuth token request's form body with every field but OAUTH_KEPT_FIELDS masked
        (their values learned); a JSON body's token fields learned; any other body as is."""
        if not isinstance(body, (bytes, str)):
            return body
        form: list[tuple[str, str]] = []
        if "x-www-form-urlencoded" in content_type.lower():
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
            form = parse_qsl(text, keep_blank_values=True)
        if not any(k == "grant_type" for k, _ in form):
            self._learn_from_json(body)
            return body
        self.learn(*(v for k, v in form if k not in OAUTH_KEPT_FIELDS))
        masked = [(k, v if k in OAUTH_KEPT_FIELDS else MASK) for k, v in form]
        return urlencode(masked, safe="<>").encode()
