"""python -m generator [--check]: write generated/ from specs/, or check it is current."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import GENERATED, SCHEMA_DIR, compile_specs, format_files
from .errors import SpecErrors

ROOT = Path(__file__).resolve().parent.parent


def owned_files(root: Path) -> set[str]:
    """Files the generator owns today: everything in generated/ and specs/schema/."""
    out: set[str] = set()
    for folder, pattern in ((GENERATED, "*"), (SCHEMA_DIR, "*.schema.json")):
        for p in (root / folder).rglob(pattern):
            if p.is_file() and "__pycache__" not in p.parts:
                out.add(p.relative_to(root).as_posix())
    return out


def run(root: Path, check: bool) -> int:
    started = time.perf_counter()
    try:
        files = format_files(compile_specs(root), root)
    except SpecErrors as exc:
        for err in exc.errors:
            print(err, file=sys.stderr)
        print(f"generate: {len(exc.errors)} spec error(s)", file=sys.stderr)
        return 2
    existing = owned_files(root)
    changed = sorted(
        rel
        for rel, text in files.items()
        if not (root / rel).exists() or (root / rel).read_text(encoding="utf-8") != text
    )
    stale = sorted(existing - set(files))
    if check:
        if changed or stale:
            print("generate --check: generated files differ from specs:", file=sys.stderr)
            for rel in changed:
                print(f"  changed: {rel}", file=sys.stderr)
            for rel in stale:
                print(f"  stale:   {rel}", file=sys.stderr)
            print("run `python tasks.py generate`", file=sys.stderr)
            return 1
        print(f"generate --check: {len(files)} files up to date")
        return 0
    for rel in changed:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(files[rel], encoding="utf-8")
    for rel in stale:
        (root / rel).unlink()
    elapsed = time.perf_counter() - started
    print(
        f"generate: {len(files)} files ({len(changed)} written, {len(stale)} removed) "
        f"in {elapsed:.2f}s"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator")
    parser.add_argument("--check", action="store_true", help="exit 1 if generated/ is stale")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root")
    args = parser.parse_args(argv)
    return run(args.root.resolve(), args.check)


if __name__ == "__main__":
    sys.exit(main())
