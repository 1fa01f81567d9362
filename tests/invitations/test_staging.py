"""The staged upload between preview and confirmation, when two submissions of one confirmation
meet (a double click, a retry from the browser): one imports, the other gets its list."""

import os
import threading
import time
from types import SimpleNamespace

import pytest

from frukost.invitations import staging
from frukost.invitations.exceptions import UploadExpired

ORGANISATION, MEMBER = 7, 11


def _stage() -> str:
    return staging.stage(
        data=b"E-post\na@example.se\n",
        filename="lista.csv",
        organisation_id=ORGANISATION,
        member_id=MEMBER,
        event_id=3,
    )


def _claim(token):
    return staging.claim(token, organisation_id=ORGANISATION, member_id=MEMBER)


class _Second(threading.Thread):
    """The second submission, claiming in a thread of its own; `.answer` is what it got."""

    def __init__(self, token):
        super().__init__()
        self.token, self.answer = token, None

    def run(self):
        try:
            self.answer = _claim(self.token)
        except UploadExpired as exc:
            self.answer = exc


def test_a_second_submission_waits_for_the_first_import_and_gets_its_list():
    token = _stage()
    upload = _claim(token)
    second = _Second(token)
    second.start()

    staging.finish(upload, 42)
    second.join()

    assert second.answer == 42


def test_a_second_submission_never_reads_half_written_answer(monkeypatch):
    """The answer is written aside and renamed into place: while its bytes are on their way,
    the waiting request sees no answer yet rather than an empty one."""
    token = _stage()
    upload = _claim(token)
    real_fdopen, second = os.fdopen, _Second(token)

    class _SlowHandle:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def write(self, content):
            second.start()  # the second submission comes between creating the file and filling it
            second.join(timeout=0.5)
            return self.handle.write(content)

    monkeypatch.setattr(staging.os, "fdopen", lambda fd, mode: _SlowHandle(real_fdopen(fd, mode)))

    staging.finish(upload, 42)
    second.join()

    assert second.answer == 42


def test_when_the_first_import_fails_the_second_submission_imports():
    token = _stage()
    _claim(token)
    second = _Second(token)
    second.start()

    staging.release(token)  # the first import was refused and gave the upload back
    second.join()

    assert isinstance(second.answer, staging.Upload) and second.answer.filename == "lista.csv"


@pytest.mark.parametrize("round_", range(25))
def test_two_submissions_at_the_same_moment_claim_once(round_):
    token, start = _stage(), threading.Barrier(2)
    answers = []

    def submit():
        start.wait()
        answer = _claim(token)
        if isinstance(answer, staging.Upload):
            staging.finish(answer, 42)
        answers.append(answer)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(isinstance(a, staging.Upload) for a in answers) == [False, True]
    assert 42 in answers


def test_an_upload_nobody_is_importing_is_refused_at_once(monkeypatch):
    def no_waiting(seconds):
        raise AssertionError("claim() waited for an import that nobody is doing")

    token = _stage()
    staging.discard(token)
    # Only staging's clock: time.sleep itself is every thread's.
    monkeypatch.setattr(staging, "time", SimpleNamespace(monotonic=time.monotonic, sleep=no_waiting))

    with pytest.raises(UploadExpired):
        _claim(token)
    with pytest.raises(UploadExpired):
        _claim("x" * 32)


def test_another_members_submission_is_refused_during_and_after_the_import(monkeypatch):
    token = _stage()
    upload = _claim(token)

    def no_waiting(seconds):
        raise AssertionError("claim() waited for another member's import")

    monkeypatch.setattr(staging, "time", SimpleNamespace(monotonic=time.monotonic, sleep=no_waiting))

    with pytest.raises(UploadExpired):
        staging.claim(token, organisation_id=ORGANISATION, member_id=MEMBER + 1)
    staging.finish(upload, 42)
    with pytest.raises(UploadExpired):
        staging.claim(token, organisation_id=ORGANISATION, member_id=MEMBER + 1)
