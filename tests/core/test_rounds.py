"""A round of work's shared dict (core/rounds.py): one per round and thread, gone when it ends."""

from __future__ import annotations

import threading

import pytest

from frukost.core import rounds


def test_outside_a_round_nothing_is_kept():
    assert rounds.kept() is None


def test_a_round_has_one_dict_and_drops_it_at_its_end():
    with rounds.round_of_work() as kept:
        assert rounds.kept() is kept == {}
        kept["event"] = 1
        assert rounds.kept() == {"event": 1}
    assert rounds.kept() is None
    with rounds.round_of_work() as again:
        assert again == {}  # the next round starts empty


def test_a_nested_round_is_the_outer_one():
    with rounds.round_of_work() as outer:
        outer["event"] = 1
        with rounds.round_of_work() as inner:
            assert inner is outer
        assert rounds.kept() is outer  # the inner round's end does not end the outer one
    assert rounds.kept() is None


def test_a_round_that_fails_still_drops_what_it_kept():
    with pytest.raises(RuntimeError), rounds.round_of_work() as kept:
        kept["event"] = 1
        raise RuntimeError("SMTP down")
    assert rounds.kept() is None


def test_another_thread_never_sees_this_threads_round():
    seen = []
    with rounds.round_of_work() as kept:
        kept["event"] = 1
        thread = threading.Thread(target=lambda: seen.append(rounds.kept()))
        thread.start()
        thread.join()
    assert seen == [None]
