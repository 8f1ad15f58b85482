"""AWS Signature Version 4 signing (the `AWSSigV4` scheme of `_auth`), via botocore.

botocore (the optional extra `modelwire[bedrock]`, imported here only) signs the request and
finds credentials: `AIModelAPI(credentials={"aws_access_key_id": ..., "aws_secret_access_key":
..., "aws_session_token": ...})`, else the standard chain (environment, shared config and
profiles, SSO, container and instance roles), whose refreshable credentials renew themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Protocol, cast

from ._errors import ConfigurationError

__all__ = ["EXTRA_HINT", "AWSSigner"]

EXTRA_HINT = "pip install 'modelwire[bedrock]'"


class _FrozenCredentials(Protocol):
    """What is read of botocore's `ReadOnlyCredentials` (botocore ships no type stubs)."""

    @property
    def access_key(self) -> object: ...
    @property
    def secret_key(self) -> object: ...
    @property
    def token(self) -> object: ...


class _Credentials(Protocol):
    """What is used of botocore's `Credentials` (refreshable ones renew on this call)."""

    def get_frozen_credentials(self) -> _FrozenCredentials: ...


class AWSSigner:
    def __init__(self, credentials: Mapping[str, object], instead: str) -> None:
        """`instead`: how to use a key instead of credentials (named in their errors)."""
        self._spec = dict(credentials)
        self._instead = instead
        self._creds: _Credentials | None = None
        self._frozen: _FrozenCredentials | None = None
        self._lock = threading.Lock()

    def _credentials(self) -> _Credentials:
        try:
            import botocore.session  # pyright: ignore[reportMissingTypeStubs]  # botocore ships no stubs
            from botocore.credentials import Credentials  # pyright: ignore[reportMissingTypeStubs]  # botocore ships no stubs
        except ImportError:
            raise ConfigurationError(
                "AWS request signing needs botocore, which is not installed: "
                f"{EXTRA_HINT}; or {self._instead}"
            ) from None
        key = self._spec.get("aws_access_key_id")
        if key:
            return Credentials(
                key, self._spec.get("aws_secret_access_key"), self._spec.get("aws_session_token")
            )
        profile = self._spec.get("profile")
        session = botocore.session.Session(profile=profile)
        found = cast("_Credentials | None", session.get_credentials())  # Credentials or None
        if found is None:
            raise ConfigurationError(
                "no AWS credentials: pass credentials={'aws_access_key_id': ..., "
                "'aws_secret_access_key': ...}, configure the AWS credential chain "
                f"(env, profile, SSO, role), or {self._instead}"
            )
        return found

    def secrets(self) -> tuple[str, ...]:
        """The credentials last used to sign (resolved from the chain, maybe refreshed)."""
        frozen = self._frozen
        if frozen is None:
            return ()
        found = (frozen.access_key, frozen.secret_key, frozen.token)
        return tuple(v for v in found if isinstance(v, str) and v)

    def sign(
        self,
        service: str,
        region: str | None,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        method: str = "POST",
    ) -> dict[str, str]:
        if not region:
            raise ConfigurationError("AWS request signing needs a region")
        with self._lock:
            if self._creds is None:
                self._creds = self._credentials()
            frozen = self._creds.get_frozen_credentials()  # refreshes when due
            self._frozen = frozen
        from botocore.auth import SigV4Auth  # pyright: ignore[reportMissingTypeStubs]  # botocore ships no stubs
        from botocore.awsrequest import AWSRequest  # pyright: ignore[reportMissingTypeStubs]  # botocore ships no stubs

        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
        SigV4Auth(frozen, service, region).add_auth(request)  # pyright: ignore[reportUnknownMemberType]  # botocore ships no stubs
        return {k: v for k, v in request.headers.items() if k.lower() not in _SENT}


# headers the client sets itself; only the signature's own come back from `sign`
_SENT = frozenset({"content-type", "accept", "user-agent"})
