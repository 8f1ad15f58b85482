"""While a call is under way: a spinner with the time waited, and the runtime's retry notes.

A reasoning model can think for a minute before its first token: without a sign of life the
command looks hung. The spinner is drawn on stderr, only when stderr is a terminal (never in a
pipe, a log or with --json), by a thread that redraws it every 100 ms and is stopped and
joined before the answer is written, so the two never interleave. The runtime logs each retry
(logger `modelwire.call`, INFO) and giving up (WARNING); those records are shown on stderr as
they come, on a line of their own above the spinner.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Generator
from contextlib import contextmanager

from ._term import Term, is_tty

ERASE = "\r\x1b[K"  # back to the line's start, clear to its end
FRAMES = "|/-\\"  # ASCII: whatever the terminal's encoding
TICK = 0.1  # seconds between redraws


def spinner_enabled(term: Term) -> bool:
    """A terminal that can move its cursor: stderr is a tty and TERM is not `dumb`."""
    return is_tty(term.err) and os.environ.get("TERM") != "dumb"


class Waiting:
    """`| waiting for the answer, 3.4 s` on stderr until `stop()`; inert when not `enabled`.

    Every write to stderr while it runs goes through `note`, under the lock the drawing thread
    holds, so a retry note never lands in the middle of a redraw."""

    def __init__(self, term: Term, enabled: bool) -> None:
        self.term = term
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._drawn = False
        self._thread: threading.Thread | None = None
        if enabled:
            self._thread = threading.Thread(
                target=self._spin, name="modelwire-waiting", daemon=True
            )
            self._thread.start()

    def _spin(self) -> None:
        started = time.monotonic()
        frame = 0
        while not self._stopped.wait(TICK):
            with self._lock:
                if self._stopped.is_set():  # stop() came while waiting for the lock
                    return
                waited = time.monotonic() - started
                self.term.note(f"{ERASE}{FRAMES[frame % len(FRAMES)]} ", style="")
                self.term.note(f"waiting for the answer, {waited:.1f} s")
                self._drawn = True
            frame += 1

    def note(self, text: str) -> None:
        """`text` on stderr (dimmed on a terminal), on a clean line when the spinner is up."""
        with self._lock:
            self._erase()
            self.term.note(text)

    def stop(self) -> None:
        """Stop drawing, wait for the thread to end, erase the line; idempotent. Called before
        the first byte of the answer, and when the call ends however it ends."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._erase()

    def _erase(self) -> None:
        if self._drawn:
            self.term.note(ERASE, style="")
            self._drawn = False


class _NoteHandler(logging.Handler):
    """A log record's message alone, as a note on stderr (through the spinner, if up)."""

    def __init__(self, waiting: Waiting, level: int) -> None:
        super().__init__(level)
        self.waiting = waiting

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.waiting.note(record.getMessage() + "\n")
        except Exception:  # a logging handler never raises into the call it reports on
            self.handleError(record)


@contextmanager
def call_notes(waiting: Waiting, level: int = logging.INFO) -> Generator[None]:
    """Show the `modelwire` loggers' records at `level` and up while the call runs; the logger
    is left as it was (its level is set only when unset, and restored)."""
    logger = logging.getLogger("modelwire")
    handler = _NoteHandler(waiting, level)
    unset = logger.level == logging.NOTSET
    if unset:
        logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        if unset:
            logger.setLevel(logging.NOTSET)
