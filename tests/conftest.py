from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The conformance summary line and the fault matrix, when those modules ran."""
    conformance = sys.modules.get("tests.test_conformance")
    if conformance is not None and conformance.CASES and conformance.RESULTS:
        results = conformance.RESULTS
        counts = {
            k: sum(1 for v in results.values() if v == k) for k in ("passed", "failed", "gap")
        }
        terminalreporter.write_line(
            f"conformance: {len(conformance.CASES)} cases, {counts['passed']} passed, "
            f"{counts['failed']} failed, {counts['gap']} known gaps"
        )
    faults = sys.modules.get("tests.test_faults")
    if faults is not None and faults.MATRIX:
        modes = ("sync", "async")
        width = max(len(name) for name in faults.MATRIX)
        terminalreporter.write_line(
            f"faults: {'scenario':<{width}}  " + "  ".join(f"{m:<6}" for m in modes)
        )
        for name, results in faults.MATRIX.items():
            cells = "  ".join(f"{results.get(m, '-'):<6}" for m in modes)
            terminalreporter.write_line(f"faults: {name:<{width}}  {cells}")
        tried = sum(len(r) for r in faults.MATRIX.values())
        passed = sum(v == "passed" for r in faults.MATRIX.values() for v in r.values())
        known = sum(v == "xfail" for r in faults.MATRIX.values() for v in r.values())
        terminalreporter.write_line(
            f"faults: {len(faults.MATRIX)} scenarios x {len(modes)} modes: {tried} tried, "
            f"{passed} passed, {known} known modelwire failures (xfail), "
            f"{tried - passed - known} failed"
        )

    mutations = sys.modules.get("tests.test_spec_mutations")
    if mutations is not None and mutations.RESULTS.get("tried"):
        r = mutations.RESULTS
        cats = sorted(k.split(":", 1)[1] for k in r if k.startswith("category:"))
        terminalreporter.write_line(
            f"spec mutations: {r['tried']} tried (sample of {r.get('generated', '?')} generated), "
            f"{r.get('failed_at_line', 0)} failed generation at file:line, "
            f"{r.get('known_gaps', 0)} known gaps; {len(cats)} categories: {', '.join(cats)}"
        )
    concurrency = getattr(faults, "CONCURRENCY", None)
    if concurrency:
        terminalreporter.write_line(
            "faults: concurrency: " + ", ".join(f"{k}={v}" for k, v in concurrency.items())
        )
