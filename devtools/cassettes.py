"""Cassettes (vcrpy, format version 1): replay for tests, scrubbing for the recorder.

Tests only ever replay, with `record_mode="none"`: a request the cassette does not hold fails
(vcrpy's CannotOverwriteExistingCassetteException) instead of reaching the network, and each
recorded response plays once, so an unexpected retry fails too. Interactions match on method,
scheme, host, port and path; the request body is not matched (the recorded body documents what
was asked). Recording lives in devtools/record.py and is never used by tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def without_secrets(headers: Mapping[str, Any]) -> dict[str, Any]:
    """`headers` minus SECRET_HEADERS (any letter case)."""
    return {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy `before_record_response` hook: drop secret response headers (set-cookie, ...)."""
    response["headers"] = without_secrets(response.get("headers") or {})
    return response


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
