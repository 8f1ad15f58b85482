"""The terminal: where text goes, and whether it may be coloured.

Colour (plain ANSI escapes) only on a terminal, never when `NO_COLOR` is set (no-color.org);
`FORCE_COLOR` forces it (CI logs that render escapes). Colour is decided per stream: the
answer on stdout is never coloured, so a redirected answer is always plain text.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from typing import TextIO

DIM = "\x1b[2m"
BOLD_RED = "\x1b[1;31m"
RESET = "\x1b[0m"


def color_enabled(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Term:
    """stdout for the answer, stderr for everything about it (reasoning, usage, errors)."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.err_color = color_enabled(self.err)

    def answer(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def note(self, text: str, style: str = DIM) -> None:
        """Text on stderr, in `style` when stderr may be coloured."""
        if self.err_color and style and text:
            text = f"{style}{text}{RESET}"
        self.err.write(text)
        self.err.flush()

    def error(self, message: str) -> None:
        label = f"{BOLD_RED}error:{RESET}" if self.err_color else "error:"
        self.err.write(f"{label} {message}\n")
        self.err.flush()

    def width(self) -> int | None:
        """The terminal's width when stdout is a terminal, else None (no truncation)."""
        return shutil.get_terminal_size().columns if is_tty(self.out) else None
