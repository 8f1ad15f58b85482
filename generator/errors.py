"""The one error a bad spec produces: `file:line: what is wrong`."""

from __future__ import annotations


class SpecError(Exception):
    def __init__(self, file: str, line: int | None, message: str) -> None:
        super().__init__(f"{file}:{line or 1}: {message}")
        self.file = file
        self.line = line or 1
        self.message = message


class SpecErrors(Exception):
    """Several spec errors at once, reported together, in file and line order."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line, e.message))
        super().__init__("\n".join(str(e) for e in self.errors))
