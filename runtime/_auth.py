"""Auth schemes: one registered class per `scheme` a provider spec names.

`AIModelAPI` looks its scheme up by that name (`auth_scheme`) and calls it: what a request
carries (headers, query parameters), whether getting that may wait on the network, the
signature of a built request, the hint shown when credentials are missing. Adding a scheme
is adding a subclass with its `name`. The Google and AWS schemes load google-auth and
botocore (through `_google_auth` and `_aws_auth`) on first use only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

from ._errors import ConfigurationError
from ._provider import AuthScheme

if TYPE_CHECKING:
    from ._aws_auth import AWSSigner
    from ._google_auth import GoogleTokenSource

__all__ = [
    "AUTH_SCHEMES",
    "AWSSigV4",
    "Account",
    "Authenticator",
    "BearerAuth",
    "CredentialSource",
    "GoogleOAuth",
    "HeaderAuth",
    "NoAuth",
    "QueryAuth",
    "auth_scheme",
    "bearer",
    "header_problem",
    "sendable",
]


class CredentialSource(Protocol):
    """What a scheme makes on first use and keeps for the account (a token source, a signer)."""

    def secrets(self) -> tuple[str, ...]: ...


@dataclass(slots=True)
class Account:
    """What an auth scheme reads of an `AIModelAPI`, and the sources it keeps there (by
    scheme name: the schemes of one name on an account share one)."""

    api_key: str | None
    credentials: Mapping[str, object]
    where: str  # the provider's display name, for messages
    sources: dict[str, CredentialSource] = field(default_factory=dict[str, CredentialSource])


# scheme name -> the scheme (filled by each subclass's declaration of its `name`)
AUTH_SCHEMES: dict[str, Authenticator] = {}


class Authenticator:
    """How requests authenticate under one scheme. The defaults are a key's: sent as the
    subclass's `send` says, and required unless the spec says it is optional."""

    name: ClassVar[str]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        declared = cls.__dict__.get("name")
        if isinstance(declared, str):
            AUTH_SCHEMES[declared] = cls()

    def authenticate(
        self, spec: AuthScheme, key: str | None, account: Account
    ) -> tuple[dict[str, str], dict[str, str]]:
        """(headers, query parameters) for a request; `key`: the scheme's key, if set (a
        sendable one)."""
        if key is None:
            if spec.optional:
                return {}, {}
            raise ConfigurationError(f"no API key for {account.where}: {self.hint(spec)}")
        return self.send(spec, key)

    def send(self, spec: AuthScheme, key: str) -> tuple[dict[str, str], dict[str, str]]:
        """(headers, query parameters) carrying `key`."""
        return {}, {}

    def blocks(self, spec: AuthScheme, account: Account) -> bool:
        """Whether `authenticate` may now wait on the network (a token to fetch)."""
        return False

    def sign(
        self,
        spec: AuthScheme,
        account: Account,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        params: Mapping[str, str],
        method: str = "POST",
    ) -> dict[str, str]:
        """Headers that sign the built request (none for most schemes)."""
        return {}

    def hint(self, spec: AuthScheme) -> str:
        """How to supply the key, for a message about a missing one."""
        how = "pass api_key="
        return f"set {' or '.join(spec.env)} (or {how})" if spec.env else how


def auth_scheme(spec: AuthScheme) -> Authenticator:
    """The registered scheme `spec` names."""
    found = AUTH_SCHEMES.get(spec.scheme)
    if found is None:
        raise ConfigurationError(
            f"unknown auth scheme {spec.scheme!r}; known: {', '.join(sorted(AUTH_SCHEMES))}"
        )
    return found


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


class BearerAuth(Authenticator):
    """The key as a bearer token."""

    name = "bearer"

    def send(self, spec: AuthScheme, key: str) -> tuple[dict[str, str], dict[str, str]]:
        return bearer(key), {}


class HeaderAuth(Authenticator):
    """The key in the header the spec names."""

    name = "header"

    def send(self, spec: AuthScheme, key: str) -> tuple[dict[str, str], dict[str, str]]:
        return {str(spec.name): key}, {}


class QueryAuth(Authenticator):
    """The key in the query parameter the spec names."""

    name = "query"

    def send(self, spec: AuthScheme, key: str) -> tuple[dict[str, str], dict[str, str]]:
        return {}, {str(spec.name): key}


class NoAuth(Authenticator):
    """Nothing sent (a local server)."""

    name = "none"

    def authenticate(
        self, spec: AuthScheme, key: str | None, account: Account
    ) -> tuple[dict[str, str], dict[str, str]]:
        return {}, {}


class GoogleOAuth(Authenticator):
    """A Google Cloud access token as a bearer token: a static one (`credentials=
    {"access_token": ...}` or the key), else one google-auth fetches and refreshes."""

    name = "google_oauth"

    def _source(self, account: Account) -> GoogleTokenSource | None:
        # this scheme's sources are GoogleTokenSources
        return cast("GoogleTokenSource | None", account.sources.get(self.name))

    def authenticate(
        self, spec: AuthScheme, key: str | None, account: Account
    ) -> tuple[dict[str, str], dict[str, str]]:
        source = self._source(account)
        if source is None:
            from ._google_auth import GoogleTokenSource

            given = account.credentials.get("access_token")
            what = f"credentials['access_token'] for {account.where}"
            static = sendable(given, what) if given else None
            source = GoogleTokenSource(account.credentials, static or account.api_key)
            account.sources[self.name] = source
        return bearer(source.token()), {}

    def blocks(self, spec: AuthScheme, account: Account) -> bool:
        source = self._source(account)
        return source is None or source.stale()


class AWSSigV4(Authenticator):
    """A key (from `env` or api_key) as a bearer token; without one, requests signed with
    AWS Signature V4 for the spec's service, in the region its `region_param` holds."""

    name = "aws_sigv4"

    def authenticate(
        self, spec: AuthScheme, key: str | None, account: Account
    ) -> tuple[dict[str, str], dict[str, str]]:
        return (bearer(key) if key else {}), {}

    def sign(
        self,
        spec: AuthScheme,
        account: Account,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        params: Mapping[str, str],
        method: str = "POST",
    ) -> dict[str, str]:
        if account.api_key:
            return {}
        # this scheme's sources are AWSSigners
        signer = cast("AWSSigner | None", account.sources.get(self.name))
        if signer is None:
            from ._aws_auth import AWSSigner

            instead = f"use an API key for {account.where}: {self.hint(spec)}"
            signer = AWSSigner(account.credentials, instead)
            account.sources[self.name] = signer
        region = params.get(spec.region_param or "")
        signed = signer.sign(str(spec.service), region, url, headers, body, method)
        for header, value in signed.items():  # made from the credentials (a session token)
            what = f"the {header.lower()} header that AWS signing made from the credentials"
            sendable(value, f"{what} for {account.where}", token=False)
        return signed


_NAMES = {"\t": "tab", "\n": "line feed", "\r": "carriage return", " ": "space"}


def header_problem(value: object, token: bool = True) -> str | None:
    """What keeps `value` out of an HTTP header (None: nothing). Keys and tokens (`token`)
    are visible ASCII; other header values may also hold spaces between words. It names the
    first character at fault and where it is, never the value itself."""
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    spaced = " " in value if token else value != value.strip()
    if value.isascii() and value.isprintable() and not spaced:
        return None
    for i, ch in enumerate(value):
        inner = not token and ch == " " and 0 < i < len(value) - 1
        if not (inner or "!" <= ch <= "~"):
            name = _NAMES.get(ch) or unicodedata.name(ch, "").lower() or "control character"
            return (
                "contains a character that cannot be sent in an HTTP header "
                f"(U+{ord(ch):04X} {name} at position {i + 1} of {len(value)})"
                + ("; was a space or line break pasted with it?" if token else "")
            )
    return None


def sendable(value: object, what: str, token: bool = True) -> str:
    """`value`, when an HTTP header can carry it; else a ConfigurationError about `what`."""
    problem = header_problem(value, token)
    if problem is not None or not isinstance(value, str):  # (not a string: a problem)
        raise ConfigurationError(f"{what} {problem}")
    return value
