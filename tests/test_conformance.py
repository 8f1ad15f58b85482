"""Conformance: real recorded traffic from other projects (../shared/conformance), replayed
through the public API and compared fact by fact with expected/<id>.json.

Skips cleanly when the corpus is absent (MODELWIRE_CONFORMANCE_DIR overrides its place).
Cases modelwire does not serve yet are listed with their reason in
tests/conformance/known_gaps.yaml; this module keeps that list honest.
"""

from __future__ import annotations

import json

import pytest

from tests.conformance.runner import Case, corpus_dir, gap_reason, load_cases, load_gaps, run_case

FOLDER = corpus_dir()
CASES = load_cases(FOLDER) if (FOLDER / "index.json").exists() else []
RESULTS: dict[str, str] = {}  # case id -> passed / failed / gap (read by conftest's summary)

pytestmark = pytest.mark.skipif(not CASES, reason=f"no conformance corpus at {FOLDER}")


def _compare(case: Case, is_async: bool) -> None:
    expected = json.loads(case.expected.read_text())
    actual = run_case(case, is_async=is_async)
    actual.get("error", {}) and actual["error"].pop("class", None)
    assert actual == expected


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    reason = gap_reason(case)
    if case.served and reason:
        RESULTS[case.id] = "failed"
        pytest.fail(f"{case.id} is listed as a known gap ({reason}) but is served: remove it")
    if not case.served:
        RESULTS[case.id] = "gap"
        if not reason:
            pytest.fail(
                f"{case.id} ({case.provider}/{case.protocol}) is not served and not "
                "listed in tests/conformance/known_gaps.yaml"
            )
        pytest.skip(f"known gap: {reason}")
    RESULTS[case.id] = "failed"
    _compare(case, is_async=False)
    RESULTS[case.id] = "passed"


ASYNC_SAMPLE = [c for c in CASES if c.served][:8]


@pytest.mark.parametrize("case", ASYNC_SAMPLE, ids=[c.id for c in ASYNC_SAMPLE])
def test_case_async_client(case: Case) -> None:
    """The async client reports the same facts (a sample of served cases)."""
    _compare(case, is_async=True)


def test_known_gaps_file_names_real_cases() -> None:
    groups, cases = load_gaps()
    ids = {c.id for c in CASES}
    assert not [i for i in cases if i not in ids], "known_gaps.yaml lists unknown case ids"
    pairs = {(c.provider, c.protocol) for c in CASES}
    assert not [g for g in groups if g not in pairs], "known_gaps.yaml lists unknown groups"
