"""The errors a bad spec produces: `file:line: what is wrong`, all of them in one run."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SpecError(Exception):
    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(f"{file}:{line or 1}: {message}")
        self.file = file
        self.line = line or 1
        self.message = message


class SpecErrors(Exception):
    """Several spec errors at once, reported together, in file and line order (an error
    reported twice, word for word, is listed once)."""

    def __init__(self, errors: list[SpecError]) -> None:
        unique = {(e.file, e.line, e.message): e for e in errors}
        self.errors = [unique[k] for k in sorted(unique)]
        super().__init__("\n".join(str(e) for e in self.errors))


def did_you_mean(word: object, candidates: Iterable[object]) -> str:
    """`; did you mean 'x'?` when `word` is close to one of `candidates`, else ''."""
    names = sorted({str(c) for c in candidates} - {str(word)})
    close = difflib.get_close_matches(str(word), names, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
