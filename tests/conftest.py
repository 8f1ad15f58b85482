from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests import test_conformance

    if not test_conformance.CASES or not test_conformance.RESULTS:
        return
    results = test_conformance.RESULTS
    counts = {k: sum(1 for v in results.values() if v == k) for k in ("passed", "failed", "gap")}
    terminalreporter.write_line(
        f"conformance: {len(test_conformance.CASES)} cases, {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['gap']} known gaps"
    )
