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

needs_corpus = pytest.mark.skipif(not CASES, reason=f"no conformance corpus at {FOLDER}")


def _compare(case: Case, is_async: bool) -> None:
    expected = json.loads(case.expected.read_text())
    actual = run_case(case, is_async=is_async)
    actual.get("error", {}) and actual["error"].pop("class", None)
    assert actual == expected


@needs_corpus
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


@needs_corpus
@pytest.mark.parametrize("case", ASYNC_SAMPLE, ids=[c.id for c in ASYNC_SAMPLE])
def test_case_async_client(case: Case) -> None:
    """The async client reports the same facts (a sample of served cases)."""
    _compare(case, is_async=True)


def test_known_gaps_name_pairs_not_served() -> None:
    """A gap names a known provider and a protocol it does not serve: true of any corpus
    folder, whichever cases it holds (cases move between folders; pairs do not)."""
    from modelwire.generated.providers import PROVIDERS

    for provider, protocol in load_gaps():
        assert provider in PROVIDERS, f"known_gaps.yaml: unknown provider {provider!r}"
        served = PROVIDERS[provider].protocols
        assert protocol not in served, f"known_gaps.yaml: {provider}/{protocol} is served"
