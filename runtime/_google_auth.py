"""Google Cloud access tokens for the `GoogleOAuth` scheme of `_auth` (Vertex AI).

A static token (`credentials={"access_token": ...}` or `api_key=`) is sent as is. Otherwise
google-auth (the optional extra `modelwire[vertex]`, imported here only) supplies one from
`credentials={"service_account_info": {...}}`, `{"service_account_file": "key.json"}`, or
Application Default Credentials, and refreshes it before it expires (google-auth's own
threshold). Refreshes go through httpx2, so no other HTTP library is needed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Protocol, cast

import httpx2

from ._errors import AuthenticationError, ConfigurationError

__all__ = ["EXTRA_HINT", "SCOPES", "GoogleTokenSource"]

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
EXTRA_HINT = "pip install 'modelwire[vertex]'"


class _Response:
    """What google-auth reads from a transport response."""

    __slots__ = ("data", "headers", "status")

    def __init__(self, response: httpx2.Response) -> None:
        self.status = response.status_code
        self.headers = response.headers
        self.data = response.content


class _HttpxRequest:
    """google-auth's transport callable (google.auth.transport.Request), on httpx2."""

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **_: object,
    ) -> _Response:
        from google.auth import exceptions

        client = httpx2.Client(
            timeout=timeout or 60
        )  # (its __enter__'s Self is unknown to pyright)
        try:
            return _Response(client.request(method, url, content=body, headers=headers))
        except httpx2.HTTPError as exc:
            raise exceptions.TransportError(f"{type(exc).__name__}: {exc}") from None
        finally:
            client.close()


class _Credentials(Protocol):
    """What is used of google-auth's credentials (`google.auth.credentials.Credentials`)."""

    @property
    def valid(self) -> bool: ...
    @property
    def token(self) -> object: ...
    def refresh(self, request: _HttpxRequest) -> None: ...


class GoogleTokenSource:
    def __init__(self, credentials: Mapping[str, object], static: str | None = None) -> None:
        self._spec = dict(credentials)
        self._static = static
        self._creds: _Credentials | None = None
        self._lock = threading.Lock()

    def _load(self) -> _Credentials:
        try:
            import google.auth
            from google.auth import exceptions
            from google.oauth2 import service_account
        except ImportError:
            raise ConfigurationError(
                "Google Cloud credentials need google-auth, which is not installed: "
                f"{EXTRA_HINT} (or pass credentials={{'access_token': ...}})"
            ) from None
        # google-auth leaves these functions' parameters (and default()'s credentials) untyped
        accounts = service_account.Credentials
        if "service_account_info" in self._spec:
            info = self._spec["service_account_info"]
            return accounts.from_service_account_info(info, scopes=SCOPES)  # pyright: ignore[reportUnknownMemberType]  # untyped parameters in google-auth
        if "service_account_file" in self._spec:
            path = self._spec["service_account_file"]
            return accounts.from_service_account_file(path, scopes=SCOPES)  # pyright: ignore[reportUnknownMemberType]  # untyped parameters in google-auth
        try:
            creds, _project = cast(
                "tuple[_Credentials, str | None]",
                google.auth.default(scopes=SCOPES),  # pyright: ignore[reportUnknownMemberType]  # untyped parameters in google-auth
            )
        except exceptions.DefaultCredentialsError as exc:
            raise ConfigurationError(
                "no Google Cloud credentials: pass credentials={'service_account_file': ...}, "
                "{'service_account_info': ...} or {'access_token': ...}, or set up "
                f"Application Default Credentials ({exc})"
            ) from None
        return creds

    def secrets(self) -> tuple[str, ...]:
        """The access token fetched, and a user's refresh token and client secret (ADC)."""
        creds = self._creds
        if creds is None:
            return ()
        found = (getattr(creds, a, None) for a in ("token", "refresh_token", "client_secret"))
        return tuple(v for v in found if isinstance(v, str) and v)

    def stale(self) -> bool:
        """Whether `token()` would first go to the network (no token yet, or one expiring)."""
        return not self._static and (self._creds is None or not self._creds.valid)

    def token(self) -> str:
        """A valid access token, refreshed first when it is missing or about to expire."""
        if self._static:
            return self._static
        with self._lock:
            if self._creds is None:
                self._creds = self._load()
            if not self._creds.valid:
                from google.auth import exceptions

                try:
                    self._creds.refresh(_HttpxRequest())
                except exceptions.GoogleAuthError as exc:
                    raise AuthenticationError(
                        f"could not get a Google Cloud access token: {exc}"
                    ) from None
            return str(self._creds.token)
