"""A message retried after a temporary refusal is not composed again: the do-not-mail list and the
invitee's answer are asked once more as it is handed over, so an address unsubscribed (or a person
who answered) between the two attempts gets nothing."""

from __future__ import annotations

import pytest

from frukost.invitations.models import InvitationLink
from frukost.invitations.reminders import send_invitation_reminders
from frukost.invitations.responses import unsubscribe
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.registrations.services import register
from tests.conftest import make_person
from tests.invitations.factories import invitee, make_list, send

pytestmark = pytest.mark.django_db


def test_an_invitation_retried_after_the_address_unsubscribed_is_not_sent(
    smtp_server, event, event_factory, frozen
):
    frozen("2029-04-20 10:00")
    first = make_list(event=event, people=["anna@example.se"])
    second = make_list(event=event_factory(), people=["anna@example.se"])
    send(second)
    smtp_server.handler.rcpt_answer = "451 4.3.0 try again later"
    send_due()
    assert OutboxMessage.objects.get().status == MessageStatus.QUEUED  # to be retried

    unsubscribe(invitee=invitee(first, "anna@example.se"))
    smtp_server.handler.rcpt_answer = ""
    frozen("2029-04-20 12:00")
    send_due()

    assert smtp_server.received == []
    assert OutboxMessage.objects.get().status == MessageStatus.SKIPPED
    assert not InvitationLink.objects.exists()  # neither the refused attempt's links nor new ones


def test_a_reminder_retried_after_the_person_registered_is_not_sent(smtp_server, event, frozen):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["anna@example.se"])
    send(invitation_list)
    send_due()
    smtp_server.received.clear()
    frozen("2029-04-28 09:00")
    send_invitation_reminders()
    smtp_server.handler.rcpt_answer = "451 4.3.0 try again later"
    send_due()
    reminder = OutboxMessage.objects.get(kind=MailKind.INVITATION_REMINDER)
    assert reminder.status == MessageStatus.QUEUED

    register(event=event, person=make_person("anna@example.se"))  # on the public page
    smtp_server.handler.rcpt_answer = ""
    frozen("2029-04-28 11:00")
    send_due()

    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SKIPPED
    assert [m.rcpt_tos for m in smtp_server.received] == [["anna@example.se"]]  # the confirmation only
    assert OutboxMessage.objects.get(kind=MailKind.CONFIRMATION).status == MessageStatus.SENT
