"""An e-mail describes the state that caused it: one composed after the state changed is not sent.

The worker composes each message just before sending; these tests change the registration
between queueing and sending, as a slow queue or a busy minute would.
"""

from __future__ import annotations

import pytest
from django.core import mail

from frukost.events.enums import EventStatus
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    cancel_registration,
    promote_registration,
    register,
    take_offered_seat,
)

pytestmark = pytest.mark.django_db


def _statuses(address: str) -> list[tuple[str, str]]:
    return [(m.kind, m.status) for m in OutboxMessage.objects.filter(to=address).order_by("created_at", "id")]


def test_confirmation_composed_after_cancel_is_not_sent(event, person):
    registration = register(event=event, person=person("anna@example.se")).registration
    cancel_registration(registration=registration)

    send_due()

    assert _statuses("anna@example.se") == [
        (MailKind.CONFIRMATION, MessageStatus.SKIPPED),
        (MailKind.CANCELLATION, MessageStatus.SENT),
    ]
    assert [m.subject for m in mail.outbox] == ["Avanmälan bekräftad: Chefsfrukost: Leda med tillit"]
    assert all("Du har en plats" not in m.body for m in mail.outbox)


def test_skipped_message_is_not_retried_or_failed(event, person):
    registration = register(event=event, person=person("anna@example.se")).registration
    cancel_registration(registration=registration)
    send_due()

    send_due()

    skipped = OutboxMessage.objects.get(kind=MailKind.CONFIRMATION)
    assert (skipped.status, skipped.attempts, skipped.last_error) == (
        MessageStatus.SKIPPED,
        1,
        "the registration is cancelled now",
    )
    assert len(mail.outbox) == 1


def test_waitlisted_notice_composed_after_promotion_says_what_is_true_now(event_factory, person):
    event = event_factory(capacity=1)
    seated = register(event=event, person=person("bo@example.se")).registration
    register(event=event, person=person("anna@example.se"))
    cancel_registration(registration=seated)  # Anna is offered the seat and takes it
    take_offered_seat(registration=Registration.objects.get(email="anna@example.se"))

    send_due()

    anna = [m for m in mail.outbox if m.to == ["anna@example.se"]]
    assert [m.subject for m in anna] == [
        "Du är anmäld: Chefsfrukost: Leda med tillit",
        "Du har fått en plats på Chefsfrukost: Leda med tillit",
    ]
    assert all("väntelistan" not in m.body for m in anna)


def test_promotion_composed_after_cancel_is_not_sent(event_factory, person, staff_factory):
    event = event_factory(capacity=1)
    register(event=event, person=person("bo@example.se"))
    waiting = register(event=event, person=person("anna@example.se")).registration
    event.capacity = 2
    event.save()
    promote_registration(registration=waiting, actor=staff_factory("organiser"))
    cancel_registration(registration=waiting)

    send_due()

    assert _statuses("anna@example.se") == [
        (MailKind.WAITLISTED, MessageStatus.SKIPPED),
        (MailKind.PROMOTED, MessageStatus.SKIPPED),
        (MailKind.CANCELLATION, MessageStatus.SENT),
    ]


def test_colleague_reminder_composed_after_confirmation_is_not_sent(event, person, colleague):
    from frukost.registrations.models import Registration
    from frukost.registrations.services import Answers, confirm_colleague, remind_unconfirmed_colleagues

    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    guest = Registration.objects.get(email="bo@example.se")
    Registration.objects.filter(pk=guest.pk).update(remind_after=guest.created_at)
    remind_unconfirmed_colleagues()
    confirm_colleague(registration=guest, answers=Answers(membership="member"))

    send_due()

    assert _statuses("bo@example.se") == [
        (MailKind.COLLEAGUE_INVITATION, MessageStatus.SENT),
        (MailKind.COLLEAGUE_REMINDER, MessageStatus.SKIPPED),
        (MailKind.CONFIRMATION, MessageStatus.SENT),
    ]


def test_cancellation_receipt_composed_after_registering_again_is_not_sent(event, person):
    first = register(event=event, person=person("anna@example.se")).registration
    cancel_registration(registration=first)
    register(event=event, person=person("anna@example.se"))

    send_due()

    assert _statuses("anna@example.se") == [
        (MailKind.CONFIRMATION, MessageStatus.SKIPPED),
        (MailKind.CANCELLATION, MessageStatus.SKIPPED),
        (MailKind.CONFIRMATION, MessageStatus.SENT),
    ]


def test_confirmation_composed_after_the_event_was_cancelled_is_not_sent(event, person):
    register(event=event, person=person("anna@example.se"))
    event.status = EventStatus.CANCELLED
    event.save()

    send_due()

    assert _statuses("anna@example.se") == [(MailKind.CONFIRMATION, MessageStatus.SKIPPED)]
    assert mail.outbox == []


def test_confirmation_still_sent_when_nothing_changed(event, person):
    register(event=event, person=person("anna@example.se"))

    send_due()

    assert _statuses("anna@example.se") == [(MailKind.CONFIRMATION, MessageStatus.SENT)]
    assert event.registrations.get().status == Status.REGISTERED
