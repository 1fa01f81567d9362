"""The "still coming?" e-mail: when it goes (Stockholm time), to whom, once; and its page."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from frukost.core.models import AuditLog
from frukost.events.enums import EventStatus
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.registrations.enums import LinkPurpose, Status
from frukost.registrations.links import STILL_COMING_PATH, mint_token
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    cancel_registration,
    register,
    reminders,
    send_still_coming_reminders,
    still_coming_send_at,
    take_offered_seat,
    update_event,
)
from tests.conftest import make_person, outbox_for, read_eml_files, stockholm

pytestmark = pytest.mark.django_db


def _still_coming(address=None):
    messages = OutboxMessage.objects.filter(kind=MailKind.STILL_COMING)
    if address:
        messages = messages.filter(to=address)
    return sorted(messages.values_list("to", flat=True))


def _seat(event, address, **kwargs):
    return register(event=event, person=make_person(address, **kwargs)).registration


# --- When ---------------------------------------------------------------------------------------


def test_it_goes_two_days_before_at_nine_stockholm_time(event, frozen):
    # The event: Wednesday 16 May 2029 at 08.00 (summer time, UTC+2).
    _seat(event, "anna@example.se")

    frozen("2029-05-14 08:59")
    early = send_still_coming_reminders()
    frozen("2029-05-14 09:00")
    due = send_still_coming_reminders()

    assert still_coming_send_at(event) == dt.datetime(2029, 5, 14, 7, 0, tzinfo=dt.UTC)
    assert (early, due, _still_coming()) == (0, 1, ["anna@example.se"])


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        # Sunday 25 March 2029: clocks go from 02.00 to 03.00; 09.00 is 07.00 UTC.
        (dt.date(2029, 3, 27), 7),
        # Sunday 28 October 2029: clocks go from 03.00 back to 02.00; 09.00 is 08.00 UTC.
        (dt.date(2029, 10, 30), 8),
    ],
)
def test_it_goes_at_nine_local_time_on_a_daylight_saving_weekend(event_factory, frozen, day, utc_hour):
    starts = dt.datetime.combine(day, dt.time(8), tzinfo=stockholm(2029, 1, 1).tzinfo)
    event = event_factory(starts_at=starts, ends_at=starts + dt.timedelta(hours=1), doors_at=None,
                          registration_deadline=None)  # fmt: skip
    frozen(f"{day - dt.timedelta(days=3)} 12:00")
    _seat(event, "anna@example.se")

    sent_at = []
    for clock in ("01:30", "03:30", "08:59", "09:00"):
        frozen(f"{day - dt.timedelta(days=2)} {clock}")
        if send_still_coming_reminders():
            sent_at.append(clock)

    assert still_coming_send_at(event) == dt.datetime.combine(
        day - dt.timedelta(days=2), dt.time(utc_hour), tzinfo=dt.UTC
    )
    assert sent_at == ["09:00"]


def test_the_days_before_and_the_hour_are_settings(event_factory, frozen, settings):
    settings.FRUKOST_REMINDER_HOUR = 7
    event = event_factory(reminder_days_before=5)
    off = event_factory(reminder_days_before=0)
    _seat(event, "anna@example.se")
    _seat(off, "bo@example.se")

    frozen("2029-05-11 07:00")
    send_still_coming_reminders()
    frozen("2029-05-15 23:00")
    send_still_coming_reminders()

    assert still_coming_send_at(off) is None
    assert _still_coming() == ["anna@example.se"]


def test_it_goes_once_however_often_the_worker_runs(event, frozen):
    _seat(event, "anna@example.se")
    frozen("2029-05-14 09:00")

    counts = [send_still_coming_reminders() for _ in range(3)]
    frozen("2029-05-15 09:00")
    counts.append(send_still_coming_reminders())

    assert counts == [1, 0, 0, 0]
    assert _still_coming() == ["anna@example.se"]


# --- To whom ------------------------------------------------------------------------------------


def test_only_people_with_a_confirmed_seat_from_before_the_send_time(event_factory, frozen, colleague):
    event = event_factory(capacity=3, max_colleagues=1, registration_deadline=None)
    frozen("2029-05-10 12:00")
    anna = _seat(event, "anna@example.se")
    # Bo brings a colleague who never confirms (a held seat): not reminded.
    register(event=event, person=make_person("bo@example.se"), colleagues=[colleague("cilla@example.se")])
    _seat(event, "dan@example.se")  # on the waiting list
    eva = _seat(event, "eva@example.se")  # on the waiting list, and stays there
    cancel_registration(registration=anna)  # Dan is offered the seat, and takes it
    take_offered_seat(registration=Registration.objects.get(email="dan@example.se"))
    frozen("2029-05-14 10:00")
    _seat(event, "fia@example.se")  # registered after the send time: just told of her seat

    send_still_coming_reminders()

    seated = set(
        Registration.objects.filter(event=event, status=Status.REGISTERED).values_list("email", flat=True)
    )
    assert seated == {"bo@example.se", "cilla@example.se", "dan@example.se"}
    assert eva.status == Status.WAITLISTED
    # Dan was moved up on 10 May, before the send time: he gets it. Cilla (held) and Anna
    # (cancelled), Eva (waiting) and Fia (after the send time) do not.
    assert _still_coming() == ["bo@example.se", "dan@example.se"]


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.CANCELLED])
def test_not_for_an_event_that_is_not_published(event_factory, frozen, status):
    event = event_factory()
    _seat(event, "anna@example.se")
    event.status = status
    event.save()

    frozen("2029-05-14 09:00")

    assert (send_still_coming_reminders(), _still_coming()) == (0, [])


def test_not_sent_when_the_person_cancels_before_the_worker_sends_it(event, frozen):
    anna = _seat(event, "anna@example.se")
    frozen("2029-05-14 09:00")
    send_still_coming_reminders()

    cancel_registration(registration=anna)
    send_due()

    message = OutboxMessage.objects.get(kind=MailKind.STILL_COMING)
    assert message.status == MessageStatus.SKIPPED


def test_a_moved_event_reminds_again_for_its_new_date(event, frozen):
    _seat(event, "anna@example.se")
    frozen("2029-05-14 09:00")
    send_still_coming_reminders()

    update_event(
        event=event, changes={"starts_at": stockholm(2029, 5, 23, 8), "ends_at": stockholm(2029, 5, 23, 9)}
    )
    send_still_coming_reminders()
    frozen("2029-05-21 09:00")
    send_still_coming_reminders()

    assert _still_coming() == ["anna@example.se", "anna@example.se"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_person_one_mail(event_factory, frozen, monkeypatch):
    event = event_factory(capacity=20)
    for number in range(12):
        _seat(event, f"person{number}@example.se")
    now = frozen("2029-05-14 09:00")
    real_due = reminders.due_still_coming
    barrier = threading.Barrier(2)

    def slow_due(event, *, send_at):
        # Both workers have listed the same people before either claims anyone.
        due = list(real_due(event, send_at=send_at))
        barrier.wait(timeout=30)
        time.sleep(0.1)
        return due

    monkeypatch.setattr(reminders, "due_still_coming", slow_due)

    def worker(_):
        try:
            return send_still_coming_reminders(now=now)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(worker, range(2)))

    assert sum(counts) == 12
    assert _still_coming() == sorted(f"person{number}@example.se" for number in range(12))


# --- The e-mail ---------------------------------------------------------------------------------


def test_the_mail_has_the_facts_the_line_the_page_and_the_calendar(event, frozen, client):
    _seat(event, "anna@example.se")
    frozen("2029-05-14 09:00")
    send_still_coming_reminders()

    [message] = [m for m in outbox_for("anna@example.se") if m.kind == MailKind.STILL_COMING]

    assert message.subject == "Kommer du fortfarande? Chefsfrukost: Leda med tillit"
    assert "Om du inte kan komma: säg till, så går platsen till någon på väntelistan." in message.body_text
    assert "Onsdag 16 maj 2029, kl. 08.00–09.30" in message.body_text
    assert "Scandic Sundsvall City, Trädgårdsgatan 31-33, Sundsvall" in message.body_text
    assert "BEGIN:VEVENT" in message.ics
    link = next(line for line in message.body_text.splitlines() if STILL_COMING_PATH in line)
    assert link.startswith("http://testserver/r/") and link.endswith("/kommer-du/")
    page = client.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert "Jag kan inte komma" in page.content.decode()


def test_the_mail_carries_every_fact_the_personal_link_and_the_cant_come_page(event, frozen, client):
    _seat(event, "anna@example.se")
    frozen("2029-05-14 09:00")
    send_still_coming_reminders()

    [message] = [m for m in outbox_for("anna@example.se") if m.kind == MailKind.STILL_COMING]

    lines = message.body_text.splitlines()
    for fact in (
        "Onsdag 16 maj 2029, kl. 08.00–09.30",  # date and time in Stockholm
        "Frukost serveras från kl. 07.30.",
        "Scandic Sundsvall City, Trädgårdsgatan 31-33, Sundsvall",
        "Alla deltagare får: boken Leda med tillit",
        "Frågor? Kontakta Julia Wålbrink, julia.walbrink@akademssr.se",
    ):
        assert fact in lines, fact
    assert "Din incheckningskod:" in message.body_text
    cant_come = lines[lines.index("Kan du inte komma? Säg till:") + 1]
    personal = lines[lines.index("Se eller ändra din anmälan:") + 1]
    # One token: the personal page and its "can't come" page below it.
    assert cant_come == personal + "kommer-du/"
    page = client.get(personal.removeprefix("http://testserver"))
    assert (page.status_code, page.context["registration"].email) == (200, "anna@example.se")
    assert f'href="{personal}"' in message.body_html and f'href="{cant_come}"' in message.body_html
    assert "BEGIN:VEVENT" in message.ics and "DTSTART;TZID=Europe/Stockholm:20290516T080000" in message.ics


def test_the_mail_in_english(event, frozen):
    _seat(event, "anna@example.se", language="en")
    frozen("2029-05-14 09:00")
    send_still_coming_reminders()

    [message] = [m for m in outbox_for("anna@example.se") if m.kind == MailKind.STILL_COMING]

    assert message.subject == "Still coming? Chefsfrukost: Leda med tillit"
    assert (
        "If you cannot come: let us know, and the seat goes to someone on the waiting list."
        in message.body_text
    )
    assert "Can&#x27;t come? Let us know</a>" in message.body_html


def test_the_sent_mail_carries_the_calendar_file_and_no_token_in_the_outbox(event, frozen, tmp_path):
    _seat(event, "anna@example.se")
    frozen("2029-05-14 09:00")
    send_still_coming_reminders()
    send_due()

    [sent] = [m for m in mail.outbox if m.subject.startswith("Kommer du fortfarande?")]
    (tmp_path / "still-coming.eml").write_bytes(sent.message().as_bytes())
    [eml] = read_eml_files(tmp_path)
    stored = OutboxMessage.objects.get(kind=MailKind.STILL_COMING)
    calendar = [part for part in eml.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(calendar) == 1 and "BEGIN:VEVENT" in calendar[0].get_content()
    assert "/kommer-du/" in eml.get_body(("plain",)).get_content()
    assert eml["Reply-To"] == "julia.walbrink@akademssr.se"
    assert (stored.status, stored.body_text) == (MessageStatus.SENT, "")


def test_the_page_path_follows_the_personal_link():
    assert reverse("public:registration-still-coming", kwargs={"token": "x" * 32}) == (
        reverse("public:registration", kwargs={"token": "x" * 32}) + STILL_COMING_PATH
    )


# --- The page -----------------------------------------------------------------------------------


@pytest.fixture
def full_event(event_factory):
    event = event_factory(capacity=1)
    anna = _seat(event, "anna@example.se")
    _seat(event, "bo@example.se")  # waiting
    return event, anna


def _page(registration):
    token = mint_token(registration, LinkPurpose.MANAGE)
    return reverse("public:registration-still-coming", kwargs={"token": token})


def test_the_page_shows_the_event_and_a_get_changes_nothing(client, full_event):
    event, anna = full_event
    page_url = _page(anna)
    before = OutboxMessage.objects.count()

    response = client.get(page_url)
    client.get(page_url + "?action=cannot_come")

    page = response.content.decode()
    anna.refresh_from_db()
    assert response.status_code == 200
    assert "Kan du inte komma?" in page and "Jag kan inte komma" in page and "Jag kommer" in page
    assert "onsdag 16 maj 2029" in page
    assert (response["Referrer-Policy"], response["Cache-Control"]) == ("no-referrer", "no-store, private")
    assert (anna.status, OutboxMessage.objects.count()) == (Status.REGISTERED, before)


def test_i_cant_come_cancels_and_the_waiting_list_gets_the_seat(client, full_event):
    event, anna = full_event
    page_url = _page(anna)

    response = client.post(page_url, {"action": "cannot_come"})
    page = client.get(response["Location"]).content.decode()

    anna.refresh_from_db()
    bo = Registration.objects.get(email="bo@example.se")
    assert response["Location"] == page_url + "?done=cancelled"
    assert "Tack för att du sa till" in page
    # The freed seat goes through the claim window: offered to Bo, the first in the queue.
    assert (anna.status, bo.status, bo.has_open_offer) == (Status.CANCELLED, Status.WAITLISTED, True)
    kinds = OutboxMessage.objects.filter(to="anna@example.se").order_by("id").values_list("kind", flat=True)
    assert list(kinds) == [MailKind.CONFIRMATION, MailKind.CANCELLATION]
    [offered] = [m for m in outbox_for("bo@example.se") if m.kind == MailKind.SEAT_OFFERED]
    assert offered.subject == "En plats är ledig för dig: Chefsfrukost: Leda med tillit"


def test_i_cant_come_twice_is_one_cancellation(client, full_event):
    event, anna = full_event
    page_url = _page(anna)

    client.post(page_url, {"action": "cannot_come"})
    again = client.post(page_url, {"action": "cannot_come"})
    page = client.get(again["Location"]).content.decode()

    assert again["Location"] == page_url + "?done=already_cancelled"
    assert "Du är redan avanmäld" in page
    assert AuditLog.objects.filter(action="registration.cancelled").count() == 1
    assert OutboxMessage.objects.filter(kind=MailKind.CANCELLATION).count() == 1


def test_i_am_coming_changes_nothing_and_says_thanks(client, full_event):
    event, anna = full_event
    page_url = _page(anna)
    before = OutboxMessage.objects.count()

    response = client.post(page_url, {"action": "coming"})
    page = client.get(response["Location"]).content.decode()

    anna.refresh_from_db()
    assert "Tack, vi ses!" in page
    assert (anna.status, OutboxMessage.objects.count()) == (Status.REGISTERED, before)


def test_a_cross_site_post_is_refused(client, full_event):
    event, anna = full_event

    response = client.post(_page(anna), {"action": "cannot_come"}, headers={"Sec-Fetch-Site": "cross-site"})

    anna.refresh_from_db()
    assert (response.status_code, anna.status) == (403, Status.REGISTERED)


def test_after_the_start_the_page_gives_nothing_up(client, full_event, frozen):
    event, anna = full_event
    page_url = _page(anna)
    frozen("2029-05-16 08:05")

    response = client.post(page_url, {"action": "cannot_come"})

    anna.refresh_from_db()
    assert (response.status_code, anna.status) == (409, Status.REGISTERED)
    assert "Evenemanget har börjat" in response.content.decode()


def test_an_unknown_link_is_not_found(client):
    response = client.get(reverse("public:registration-still-coming", kwargs={"token": "x" * 32}))

    assert response.status_code == 404
