"""The reminder to invitees who have not answered: N days before the deadline at the reminder hour
in Stockholm (across daylight saving, never at a UTC hour), once per person even with two workers,
and never to anyone who registered, declined or unsubscribed, even a moment before it went."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from frukost.contacts.enums import SuppressionReason
from frukost.contacts.suppression import suppress
from frukost.core import periodic
from frukost.invitations import reminders
from frukost.invitations.models import Invitee
from frukost.invitations.reminders import reminder_send_at, send_invitation_reminders
from frukost.invitations.responses import decline
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.registrations.services import register
from tests.conftest import make_person, stockholm
from tests.invitations.factories import invitee, make_list, send

pytestmark = pytest.mark.django_db


def reminded() -> list[str]:
    return sorted(
        OutboxMessage.objects.filter(kind=MailKind.INVITATION_REMINDER).values_list("to", flat=True)
    )


@pytest.fixture
def sent_list(event, frozen):
    """Three invited on 20 April; the deadline is 1 May, the reminder 3 days before: 28 April 09.00."""
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=3)
    send(invitation_list)
    return invitation_list


def test_the_reminder_goes_at_nine_three_days_before_the_deadline(sent_list, frozen):
    assert reminder_send_at(sent_list) == stockholm(2029, 4, 28, 9)

    frozen("2029-04-28 08:59")
    assert send_invitation_reminders() == 0
    frozen("2029-04-28 09:00")
    assert send_invitation_reminders() == 3
    frozen("2029-04-28 09:01")
    assert send_invitation_reminders() == 0  # once

    assert reminded() == ["anna1@example.se", "anna2@example.se", "anna3@example.se"]
    message = OutboxMessage.objects.filter(kind=MailKind.INVITATION_REMINDER).first()
    assert (message.list_unsubscribe, message.batch_id) == (True, sent_list.pk)


def test_the_worker_runs_it_as_a_frequent_job(sent_list, frozen):
    frozen("2029-04-28 09:00")

    results = periodic.run_frequent_jobs()

    assert results["invitation_reminders"] == 3


def test_never_at_a_utc_hour_nor_on_the_utc_date(sent_list, time_machine):
    # 03:00 UTC on the day is 05:00 in Stockholm; 23:30 UTC the evening before is already the
    # 28th in Stockholm (01:30), but not yet nine o'clock.
    for utc in (
        dt.datetime(2029, 4, 28, 3, 0, tzinfo=dt.UTC),
        dt.datetime(2029, 4, 27, 23, 30, tzinfo=dt.UTC),
    ):
        time_machine.move_to(utc, tick=False)
        assert send_invitation_reminders() == 0
    time_machine.move_to(dt.datetime(2029, 4, 28, 7, 0, tzinfo=dt.UTC), tick=False)  # 09.00 CEST
    assert send_invitation_reminders() == 3


@pytest.mark.parametrize(
    ("deadline", "day", "utc_hour"),
    [
        # 25 March 2029 is the night clocks go forward: 09.00 that day is 07.00 UTC (CEST).
        (dt.date(2029, 3, 28), dt.date(2029, 3, 25), 7),
        # 28 October 2029 they go back: 09.00 that day is 08.00 UTC (CET).
        (dt.date(2029, 10, 31), dt.date(2029, 10, 28), 8),
    ],
)
def test_the_reminder_hour_holds_across_daylight_saving(event_factory, time_machine, deadline, day, utc_hour):
    starts = dt.datetime.combine(
        deadline + dt.timedelta(days=7), dt.time(8), tzinfo=stockholm(2029, 1, 1).tzinfo
    )
    event = event_factory(
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1, minutes=30),
        doors_at=None,
        registration_deadline=deadline,
    )
    time_machine.move_to(dt.datetime(2029, 3, 1, 12, tzinfo=dt.UTC), tick=False)
    invitation_list = make_list(event=event, people=1)
    send(invitation_list)

    assert reminder_send_at(invitation_list) == dt.datetime(
        day.year, day.month, day.day, utc_hour, tzinfo=dt.UTC
    )
    time_machine.move_to(
        dt.datetime(day.year, day.month, day.day, utc_hour - 1, 59, tzinfo=dt.UTC), tick=False
    )
    assert send_invitation_reminders() == 0
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, utc_hour, 0, tzinfo=dt.UTC), tick=False)
    assert send_invitation_reminders() == 1


def test_zero_days_sends_no_reminder(event, frozen):
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=1, reminder_days_before_deadline=0)
    send(invitation_list)
    frozen("2029-04-30 12:00")

    assert send_invitation_reminders() == 0
    assert reminder_send_at(invitation_list) is None


def test_only_those_who_have_not_answered_are_reminded(event, frozen, person):
    frozen("2029-04-20 10:00")
    people = ["anna@example.se", "bo@example.se", "cecilia@example.se", "david@example.se", "erik@example.se"]
    invitation_list = make_list(event=event, people=people)
    send(invitation_list)
    register(event=event, person=person("anna@example.se"))  # on the public page
    decline(invitee=invitee(invitation_list, "bo@example.se"))
    suppress(
        organisation=event.organisation, email="cecilia@example.se", reason=SuppressionReason.UNSUBSCRIBED
    )
    Invitee.objects.filter(email="david@example.se").update(registered_at=stockholm(2029, 4, 21))
    frozen("2029-04-28 09:00")

    send_invitation_reminders()

    assert reminded() == ["erik@example.se"]


def test_someone_who_registers_between_the_query_and_the_claim_is_not_reminded(
    sent_list, frozen, monkeypatch
):
    frozen("2029-04-28 09:00")

    def answer_meanwhile(invitation_list, ids):
        register(event=invitation_list.event, person=make_person("anna1@example.se"))
        decline(invitee=invitee(invitation_list, "anna2@example.se"))

    monkeypatch.setattr(reminders, "_before_claim", answer_meanwhile)

    send_invitation_reminders()

    assert reminded() == ["anna3@example.se"]
    assert invitee(sent_list, "anna1@example.se").reminded_at is None


def test_someone_who_answers_after_queueing_but_before_sending_is_mailed_nothing(
    sent_list, frozen, mailoutbox
):
    frozen("2029-04-28 09:00")
    send_invitation_reminders()
    OutboxMessage.objects.filter(kind=MailKind.INVITATION).update(status=MessageStatus.SENT)
    # A second before the worker sends: one registers on the public page, one through the link,
    # one declines, one unsubscribes.
    register(event=sent_list.event, person=make_person("anna1@example.se"))
    decline(invitee=invitee(sent_list, "anna2@example.se"))
    suppress(
        organisation=sent_list.organisation, email="anna3@example.se", reason=SuppressionReason.UNSUBSCRIBED
    )

    send_due()

    statuses = dict(
        OutboxMessage.objects.filter(kind=MailKind.INVITATION_REMINDER).values_list("to", "status")
    )
    assert statuses == {
        "anna1@example.se": MessageStatus.SKIPPED,
        "anna2@example.se": MessageStatus.SKIPPED,
        "anna3@example.se": MessageStatus.SKIPPED,
    }
    assert [m.to[0] for m in mailoutbox] == ["anna1@example.se"]  # their own confirmation only
    assert "Påminnelse" not in mailoutbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_remind_each_person_once(event_factory, frozen, monkeypatch):
    event = event_factory()
    frozen("2029-04-20 10:00")
    invitation_list = make_list(event=event, people=12)
    send(invitation_list)
    now = frozen("2029-04-28 09:00")
    barrier = threading.Barrier(2)

    def both_have_listed(invitation_list, ids):
        # Both workers have listed the same people before either claims anyone.
        barrier.wait(timeout=30)
        time.sleep(0.1)

    monkeypatch.setattr(reminders, "_before_claim", both_have_listed)

    def worker(_):
        try:
            return send_invitation_reminders(now)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(worker, range(2)))

    assert sum(counts) == 12
    assert reminded() == sorted(f"anna{n}@example.se" for n in range(1, 13))


def test_the_reminder_mail_has_its_own_text_and_the_links(sent_list, frozen, mailoutbox):
    sent_list.reminder_subject, sent_list.reminder_body = "Hinner du?", "Sista chansen att anmäla sig."
    sent_list.save()
    frozen("2029-04-28 09:00")
    send_invitation_reminders()
    OutboxMessage.objects.filter(kind=MailKind.INVITATION).update(status=MessageStatus.SENT)

    send_due()

    assert {m.subject for m in mailoutbox} == {"Hinner du?"}
    body = mailoutbox[0].body
    assert "Sista chansen att anmäla sig." in body
    assert "/kan-inte-komma/" in body and "/avregistrera/" in body
    assert mailoutbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
