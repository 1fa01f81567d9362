"""Hard bounces: a 5xx refusal of an invitation, a reminder or a registration's own mail puts the
address on the organisation's do-not-mail list, so nothing more is sent there and later imports
show it as undeliverable. A temporary refusal changes nothing."""

from __future__ import annotations

import pytest

from frukost.contacts.models import Suppression
from frukost.contacts.suppression import suppressed_reasons
from frukost.events.models import Organisation
from frukost.mail.enums import MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.registrations.services import register
from tests.invitations.factories import make_list, send

pytestmark = pytest.mark.django_db


def test_a_refused_invitation_marks_the_address_undeliverable_for_the_organisation(
    smtp_server, event, frozen
):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=["borta@example.se"])
    send(invitation_list)
    smtp_server.handler.rcpt_answer = "550 5.1.1 <borta@example.se>: no such mailbox"

    send_due()

    [row] = Suppression.objects.all()
    assert (row.organisation, row.email, row.reason) == (event.organisation, "borta@example.se", "bounced")
    assert "550" in row.detail and "borta@example.se" not in row.detail
    assert suppressed_reasons(event.organisation, ["borta@example.se"]) == {"borta@example.se": "bounced"}
    other = Organisation.objects.create(name="Annan", slug="annan")
    assert suppressed_reasons(other, ["borta@example.se"]) == {}


def test_a_refused_confirmation_marks_the_address_too(smtp_server, event, person, frozen):
    frozen("2029-04-20 10:00")
    register(event=event, person=person("dod@example.se"))
    smtp_server.handler.rcpt_answer = "550 5.1.1 mailbox unknown"

    send_due()

    assert OutboxMessage.objects.get().status == MessageStatus.FAILED
    assert list(Suppression.objects.values_list("email", "reason")) == [("dod@example.se", "bounced")]


def test_a_temporary_refusal_marks_nothing(smtp_server, event, frozen):
    frozen("2029-04-20 10:00")
    send(make_list(event=event, people=["kanske@example.se"]))
    smtp_server.handler.rcpt_answer = "451 4.3.0 try again later"

    send_due()

    assert not Suppression.objects.exists()


def test_a_bounced_address_gets_no_later_invitation(smtp_server, event, event_factory, frozen):
    frozen("2029-04-20 10:00")
    send(make_list(event=event, people=["borta@example.se"]))
    smtp_server.handler.rcpt_answer = "550 5.1.1 no such mailbox"
    send_due()
    smtp_server.handler.rcpt_answer = ""
    later = make_list(event=event_factory(), people=["borta@example.se", "finns@example.se"])

    assert send(later) == 1

    send_due()
    assert [m.rcpt_tos for m in smtp_server.received] == [["finns@example.se"]]
