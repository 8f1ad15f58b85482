"""python -m devtools.refresh_requests PROVIDER SCENARIO...: re-write authored request bodies.

An authored cassette records the request modelwire sends (the contract tests check that it
still does). When modelwire's request changes on purpose (a spec change), this rewrites the
recorded request body of the named scenarios' cassettes with what modelwire now sends and
leaves everything else (comments, response) alone. Recorded-live cassettes are refused: they
are re-recorded (`python tasks.py record ...`), not edited. Review the diff before committing.
"""

from __future__ import annotations

import argparse
import json
import sys

from devtools.cassettes import leading_comment
from devtools.scenarios import get

# what the body is built with: no request is made, so no credential is real
KEYS = {
    "amazon_bedrock": {"aws_access_key_id": "AKIAREFRESH000000000", "aws_secret_access_key": "x"},
}


def refresh(provider: str, name: str) -> bool:
    from modelwire import AIModelClient

    s = get(provider, name)
    if not any("not recorded live" in line for line in leading_comment(s.path)):
        print(f"{provider}/{name}: recorded live, not edited (re-record it instead)")
        return False
    key = KEYS.get(provider, "refresh-0000")
    with AIModelClient(s.endpoint(key), s.call_config()) as client:
        body = client.request_body(**s.call_args(), config=s.call_config())
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":")).replace("'", "''")
    lines = s.path.read_text(encoding="utf-8").split("\n")
    start = lines.index("- request:")
    for i in range(start, len(lines)):
        if lines[i].startswith("    body: '"):
            changed = lines[i] != f"    body: '{text}'"
            lines[i] = f"    body: '{text}'"
            break
    else:
        print(f"{provider}/{name}: no one-line request body found; edit it by hand")
        return False
    s.path.write_text("\n".join(lines), encoding="utf-8")
    print(f"{provider}/{name}: {'rewritten' if changed else 'unchanged'}")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("provider")
    parser.add_argument("scenarios", nargs="+")
    args = parser.parse_args(argv)
    for name in args.scenarios:
        refresh(args.provider, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
