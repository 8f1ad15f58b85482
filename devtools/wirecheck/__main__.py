"""python tasks.py wire-check [--verbose] [--strict] [--protocol P] [--reference FILE]

Compares each wire schema (specs/wire/) and protocol spec with the provider's published
definition of the same objects, and prints findings as `specs/...yaml:LINE: what`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .compare import ACTIONABLE, INFORMATIONAL, Result, check_protocol
from .references import PROTOCOLS, reference_names
from .refvenv import ROOT, SetupError, reference

# exit codes: 0 reported (or nothing actionable), 1 actionable drift with --strict,
# 3 the reference could not be read (.venv-wirecheck could not be made, the worker failed)
NO_REFERENCE = 3

CLOSING = (
    'How an actionable finding is closed (README.md, "Upgrading a provider\'s API"):',
    "- a value: map or handle it at the line given, or list it in the wire property's",
    "  x-known-values (known, and deliberately ignored unless a rule reads it);",
    "- a field not in the provider's definition: fix its name or type, or, when only another",
    "  host or the framing sends it, mark it `x-extension: <who sends it>` in the wire schema;",
    "- a union member: add it to the wire schema's object and a rule reading it, or list it",
    "  in the object's x-known-members (known, and deliberately not read);",
    "- retyped or nullable: widen the wire schema's type; then `python tasks.py generate`.",
)


def _versions(dump: dict[str, Any]) -> str:
    versions: dict[str, str] = dump.get("versions", {})
    parts = [f"{k} {v}" for k, v in versions.items() if k != "bedrock-runtime"]
    if "bedrock-runtime" in versions:
        parts.append(f"bedrock-runtime service model {versions['bedrock-runtime']}")
    return ", ".join(parts) or "unknown versions"


def _report(results: list[Result], dump: dict[str, Any], verbose: bool) -> list[str]:
    out = [f"wire-check: specs/wire and specs/protocols beside {_versions(dump)}"]
    for result in results:
        package = PROTOCOLS[result.protocol].package
        version = dump.get("versions", {}).get(package, "?")
        out += ["", f"{result.protocol} ({package} {version}): {', '.join(result.compared)}"]
        out += [f"  note: {note}" for note in result.notes]
        for severity in (ACTIONABLE, INFORMATIONAL):
            found = result.of(severity)
            if found:
                out.append(f"  {severity} ({len(found)}):")
                out += [f.render(verbose) for f in found]
    return out


def _summary(results: list[Result]) -> tuple[int, int, str]:
    actionable = sum(len(r.of(ACTIONABLE)) for r in results)
    informational = sum(len(r.of(INFORMATIONAL)) for r in results)
    per = ", ".join(f"{r.protocol} {len(r.of(ACTIONABLE))}" for r in results)
    line = (
        f"wire-check: {actionable} actionable ({per}), {informational} informational "
        f"in {len(results)} protocols"
    )
    return actionable, informational, line


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tasks.py wire-check",
        description="Compare specs/wire and specs/protocols with the providers' published "
        "definitions (the pinned SDKs' types and botocore's service model, read in "
        ".venv-wirecheck), and print findings with their specs/...yaml:LINE.",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="list informational fields")
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything is actionable")
    parser.add_argument(
        "--protocol", action="append", choices=sorted(PROTOCOLS), help="only these (repeatable)"
    )
    parser.add_argument(
        "--reference", type=Path, help="read the reference dump from this JSON file (no venv)"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the tree holding specs/")
    parser.add_argument(
        "--summary", action="store_true", help="print one line (the report goes to --report)"
    )
    parser.add_argument("--report", type=Path, help="also write the full report to this file")
    args = parser.parse_args(argv)
    protocols: list[str] = args.protocol or list(PROTOCOLS)
    mode = "strict" if args.strict else "reporting"
    try:
        if args.reference is not None:
            dump: dict[str, Any] = json.loads(args.reference.read_text(encoding="utf-8"))
        else:
            dump = reference(reference_names(protocols))
    except SetupError as exc:
        line = (
            f"wire-check: the providers' definitions could not be read ({exc}); "
            f"nothing was compared ({mode} mode)"
        )
        print(line, file=sys.stderr)
        if args.report is not None:
            args.report.parent.mkdir(parents=True, exist_ok=True)
            args.report.write_text(line + "\n", encoding="utf-8")
        return NO_REFERENCE
    results = [check_protocol(p, args.root, dump) for p in protocols]
    actionable, _, summary = _summary(results)
    lines = _report(results, dump, args.verbose)
    ending = (
        "strict: exit 1 on actionable findings"
        if args.strict
        else "reporting mode: exit 0 (--strict fails on actionable findings)"
    )
    if actionable:
        lines += ["", *CLOSING]
    lines += ["", f"{summary}; {ending}"]
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.summary:
        where = f"; the report: {_shown(args.report)}" if args.report is not None else ""
        print(f"{summary} (`python tasks.py wire-check` lists them{where})")
    else:
        print("\n".join(lines))
    return 1 if args.strict and actionable else 0


if __name__ == "__main__":
    sys.exit(main())
