"""A small soak (tests/support/soak.py; the closing note of issue 19 has the 10,000-call
figures): mixed calls — streamed and not; read, abandoned, closed, cancelled; sync from 8
threads and async from many tasks — against a server that injects faults."""

from __future__ import annotations

from tests.support.soak import soak


def test_every_call_ends_typed_and_nothing_stays_open() -> None:
    figures = soak(calls=2000)
    assert figures["untyped"] == {}, figures
    assert figures["ended"] == 2000
    assert figures["client_sockets_left_open"] == 0, figures
    assert figures["server_connections_left_open"] == 0, figures
