"""tasks.py hands a command's arguments on as given."""

from __future__ import annotations

import pytest

import tasks


@pytest.mark.parametrize(
    ("argv", "command", "expected"),
    [
        (
            ["test", "-q", "-p", "no:randomly", "-k", "x"],
            "test",
            ["-q", "-p", "no:randomly", "-k", "x"],
        ),
        (["test"], "test", []),
        (["bench", "--rounds", "3", "--quick"], "bench", ["--rounds", "3", "--quick"]),
        (["record", "openai", "--only", "x"], "record", ["openai", "--only", "x"]),
    ],
)
def test_arguments_after_the_command_pass_in_order(
    argv: list[str], command: str, expected: list[str]
) -> None:
    assert tasks.passthrough(argv, command) == expected


def test_test_hands_pytest_its_arguments_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(tasks, "test", lambda args: seen.append(args) or 0)
    assert tasks.main(["test", "-q", "-p", "no:randomly"]) == 0
    assert seen == [["-q", "-p", "no:randomly"]]
