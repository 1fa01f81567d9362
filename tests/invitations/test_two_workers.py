"""Two real `frukost worker` processes sending one invitation list: each invitee gets exactly one
invitation, each with its own one-click unsubscribe header."""

from __future__ import annotations

import collections
import email
import signal
from email import policy

import pytest

from frukost.invitations.models import Invitee
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from tests.invitations.factories import make_list, send
from tests.mail.test_worker_processes import _start_worker, _wait_for

PEOPLE = 120


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_invitation_once(tmp_path, event):
    invitation_list = make_list(event=event, people=PEOPLE)
    workers = [_start_worker(tmp_path, name) for name in ("one", "two")]
    logs = [log for _process, log in workers]
    try:
        _wait_for(
            lambda: all("worker started" in log.read_text() for log in logs),
            within=60,
            what="both workers started",
            logs=logs,
        )
        assert send(invitation_list) == PEOPLE

        _wait_for(
            lambda: (
                not OutboxMessage.objects.filter(
                    kind=MailKind.INVITATION, status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
                ).exists()
            ),
            within=120,
            what="the invitations went out",
            logs=logs,
        )
    finally:
        for process, _log in workers:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process, _log in workers]

    mails = [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in (tmp_path / "var" / "mail").glob("*.eml")
    ]
    per_address = collections.Counter(mail["To"] for mail in mails)
    assert codes == [0, 0]
    assert per_address == {address: 1 for address in Invitee.objects.values_list("email", flat=True)}
    unsubscribe_urls = {mail["List-Unsubscribe"] for mail in mails}
    assert len(unsubscribe_urls) == PEOPLE  # a link of its own for everyone
    assert all(mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for mail in mails)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    sent_by = [log.read_text().count(" sent (invitation") for log in logs]
    assert sum(sent_by) == PEOPLE and all(sent_by), sent_by  # both workers took part
