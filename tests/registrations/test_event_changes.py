"""Changes to an event that people registered must hear about: time, place, capacity, cancelling."""

from __future__ import annotations

import icalendar
import pytest
from django.core import mail

from frukost.core.models import AuditLog
from frukost.events.enums import EventStatus
from frukost.events.exceptions import CapacityBelowSeatsTaken, InvalidEvent, WrongStatus
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.registrations.enums import Status
from frukost.registrations.models import PersonalLink, Registration
from frukost.registrations.services import (
    cancel_event,
    cancel_registration,
    change_capacity,
    preview_event_cancellation,
    preview_event_change,
    register,
    take_offered_seat,
    update_event,
)
from tests.conftest import outbox_for, stockholm

pytestmark = pytest.mark.django_db


def calendar_of(message) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(message.ics)
    [entry] = calendar.walk("VEVENT")
    return calendar, entry


@pytest.fixture
def full_event(event_factory, person):
    """Two seats taken (Anna, Bo), Cecilia waitlisted, David cancelled."""
    event = event_factory(capacity=2)
    for address in ("anna@example.se", "bo@example.se", "cecilia@example.se", "david@example.se"):
        register(event=event, person=person(address))
    cancel_registration(registration=Registration.objects.get(email="david@example.se"))
    OutboxMessage.objects.all().delete()
    return event


def kinds_by_address() -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for to, kind in OutboxMessage.objects.order_by("id").values_list("to", "kind"):
        result.setdefault(to, []).append(kind)
    return result


def test_update_event_new_start_tells_registered_and_waitlisted_not_cancelled(full_event, staff_factory):
    organiser = staff_factory("organiser")

    change = update_event(
        event=full_event,
        changes={"starts_at": stockholm(2029, 5, 16, 8, 30), "ends_at": stockholm(2029, 5, 16, 10, 0)},
        actor=organiser,
    )

    assert sorted(change.changed) == ["ends_at", "starts_at"]
    assert kinds_by_address() == {
        "anna@example.se": [MailKind.EVENT_CHANGED],
        "bo@example.se": [MailKind.EVENT_CHANGED],
        "cecilia@example.se": [MailKind.EVENT_CHANGED],
    }
    assert list(
        AuditLog.objects.filter(action__startswith="event.").order_by("id").values_list("action", "actor")
    ) == [("event.changed", organiser.pk), ("event.change_announced", organiser.pk)]


def test_update_event_mail_says_old_and_new_time_and_carries_a_newer_calendar(full_event, person):
    register(event=full_event, person=person("erik@example.se", language="en"))
    [confirmation] = outbox_for("erik@example.se")

    update_event(event=full_event, changes={"starts_at": stockholm(2029, 5, 16, 8, 30)})

    [swedish] = outbox_for("anna@example.se")
    [_, english] = outbox_for("erik@example.se")
    assert swedish.subject == "Ny tid: Chefsfrukost: Leda med tillit"
    assert "Tid: tidigare onsdag 16 maj 2029, kl. 08.00–09.30, nu onsdag 16 maj 2029, kl. 08.30–09.30." in (
        swedish.body_text
    )
    assert english.subject == "New time: Chefsfrukost: Leda med tillit"
    assert "Time: was Wednesday 16 May 2029" in english.body_text
    _before_calendar, before = calendar_of(confirmation)
    calendar, after = calendar_of(english)
    assert str(calendar["method"]) == "PUBLISH"
    assert str(after["uid"]) == str(before["uid"])
    assert after["sequence"] > before["sequence"]
    assert after.decoded("dtstart") == stockholm(2029, 5, 16, 8, 30)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("starts_at", stockholm(2029, 5, 16, 7, 45)),
        ("ends_at", stockholm(2029, 5, 16, 10, 0)),
        ("doors_at", stockholm(2029, 5, 16, 7, 0)),
        ("venue_name", "Hotell Södra Berget"),
        ("street_address", "Södra Stadsberget 1"),
        ("postal_code", "856 40"),
        ("city", "Härnösand"),
        ("online", True),
    ],
)
def test_update_event_time_and_place_notify_and_raise_sequence(full_event, field, value):
    change = update_event(event=full_event, changes={field: value})

    full_event.refresh_from_db()
    assert (change.notifies, full_event.ical_sequence, OutboxMessage.objects.count()) == (True, 1, 3)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lead", "Ny ingress."),
        ("body", "Ny text."),
        ("gift", "en bok"),
        ("contact_email", "ny@akademssr.se"),
        ("max_colleagues", 3),
        ("few_seats_threshold", 2),
    ],
)
def test_update_event_other_fields_neither_notify_nor_raise_sequence(full_event, field, value):
    change = update_event(event=full_event, changes={field: value})

    full_event.refresh_from_db()
    assert (change.notifies, full_event.ical_sequence, getattr(full_event, field)) == (False, 0, value)
    assert OutboxMessage.objects.count() == 0


def test_update_event_new_title_raises_sequence_without_mail(full_event):
    update_event(event=full_event, changes={"title": "Chefsfrukost: Tillit"})

    full_event.refresh_from_db()
    assert (full_event.ical_sequence, OutboxMessage.objects.count()) == (1, 0)


def test_update_event_same_values_change_nothing(full_event):
    change = update_event(event=full_event, changes={"starts_at": full_event.starts_at, "city": "Sundsvall"})

    full_event.refresh_from_db()
    assert (change.changed, full_event.ical_sequence, OutboxMessage.objects.count()) == ({}, 0, 0)


def test_update_event_refuses_an_end_before_the_start(full_event):
    with pytest.raises(InvalidEvent) as refused:
        update_event(event=full_event, changes={"ends_at": stockholm(2029, 5, 16, 7, 0)})

    full_event.refresh_from_db()
    assert list(refused.value.errors) == ["ends_at"]
    assert (full_event.ends_at, OutboxMessage.objects.count()) == (stockholm(2029, 5, 16, 9, 30), 0)


def test_update_event_refuses_a_cancelled_event(full_event):
    cancel_event(event=full_event)

    with pytest.raises(WrongStatus):
        update_event(event=full_event, changes={"city": "Umeå"})


def test_change_capacity_raise_promotes_the_waiting_list_in_order(event_factory, person):
    event = event_factory(capacity=1)
    for address in ("anna@example.se", "bo@example.se", "cecilia@example.se", "david@example.se"):
        register(event=event, person=person(address))

    change = change_capacity(event=event, capacity=3)

    # Two seats more, two offers: to the first two in the queue, each with its claim window.
    assert [r.email for r in change.promoted] == ["bo@example.se", "cecilia@example.se"]
    offered = Registration.objects.filter(offer_expires_at__isnull=False)
    assert sorted(offered.values_list("email", flat=True)) == ["bo@example.se", "cecilia@example.se"]
    assert [m.kind for m in outbox_for("bo@example.se")] == [MailKind.WAITLISTED, MailKind.SEAT_OFFERED]
    assert [m.kind for m in outbox_for("david@example.se")] == [MailKind.WAITLISTED]
    for registration in offered:
        take_offered_seat(registration=registration)
    assert dict(Registration.objects.values_list("email", "status")) == {
        "anna@example.se": Status.REGISTERED,
        "bo@example.se": Status.REGISTERED,
        "cecilia@example.se": Status.REGISTERED,
        "david@example.se": Status.WAITLISTED,
    }


def test_change_capacity_below_seats_taken_is_refused_and_nothing_saved(full_event):
    with pytest.raises(CapacityBelowSeatsTaken) as refused:
        update_event(event=full_event, changes={"capacity": 1, "city": "Umeå"})

    full_event.refresh_from_db()
    assert str(refused.value.message) == (
        "2 personer har redan en plats, så evenemanget kan inte ha färre än 2 platser. "
        "Avboka anmälningar först om du behöver göra plats."
    )
    assert (full_event.capacity, full_event.city, full_event.ical_sequence) == (2, "Sundsvall", 0)
    assert OutboxMessage.objects.count() == 0


def test_change_capacity_down_to_the_seats_taken_is_allowed(full_event):
    change_capacity(event=full_event, capacity=2)
    change_capacity(event=full_event, capacity=5)
    change_capacity(event=full_event, capacity=3)

    full_event.refresh_from_db()
    assert full_event.capacity == 3


def test_preview_event_change_counts_recipients_and_renders_without_saving(full_event):
    links = PersonalLink.objects.count()

    preview = preview_event_change(event=full_event, changes={"city": "Umeå"})

    full_event.refresh_from_db()
    assert (preview.recipients.registered, preview.recipients.waitlisted) == (2, 1)
    assert preview.recipients.message.subject == "Ny plats: Chefsfrukost: Leda med tillit"
    assert "Umeå" in preview.recipients.message.body_text
    assert (full_event.city, full_event.ical_sequence) == ("Sundsvall", 0)
    assert (OutboxMessage.objects.count(), PersonalLink.objects.count()) == (0, links)


def test_preview_event_change_refuses_what_update_refuses(full_event):
    with pytest.raises(CapacityBelowSeatsTaken):
        preview_event_change(event=full_event, changes={"capacity": 1})


def test_cancel_event_tells_everyone_active_with_a_calendar_cancel(full_event, staff_factory):
    organiser = staff_factory("organiser")

    told = cancel_event(event=full_event, actor=organiser)

    full_event.refresh_from_db()
    assert (told, full_event.status) == (3, EventStatus.CANCELLED)
    assert kinds_by_address() == {
        "anna@example.se": [MailKind.EVENT_CANCELLED],
        "bo@example.se": [MailKind.EVENT_CANCELLED],
        "cecilia@example.se": [MailKind.EVENT_CANCELLED],
    }
    [message] = outbox_for("anna@example.se")
    calendar, entry = calendar_of(message)
    assert (str(calendar["method"]), str(entry["status"])) == ("CANCEL", "CANCELLED")
    assert entry["sequence"] == 1
    assert str(entry["uid"]).startswith(full_event.ical_uid)
    assert str(entry["organizer"]) == "mailto:julia.walbrink@akademssr.se"
    assert message.subject == "Inställt: Chefsfrukost: Leda med tillit"
    assert "Välkommen" not in message.body_text
    assert AuditLog.objects.filter(action="event.cancelled", actor=organiser).count() == 1


def test_cancel_event_calendar_outranks_the_confirmation(event, person):
    register(event=event, person=person("anna@example.se"))
    [confirmation] = outbox_for("anna@example.se")  # composed (and sent) before the cancellation

    cancel_event(event=event)

    _, cancellation = outbox_for("anna@example.se")
    assert calendar_of(cancellation)[1]["sequence"] > calendar_of(confirmation)[1]["sequence"]
    assert str(calendar_of(cancellation)[1]["uid"]) == str(calendar_of(confirmation)[1]["uid"])


def test_cancel_event_mime_part_method_matches_the_calendar(event, person):
    register(event=event, person=person("anna@example.se"))
    send_due()
    cancel_event(event=event)

    send_due()

    methods = [
        part.get_param("method")
        for message in mail.outbox
        for part in message.message().walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert methods == ["PUBLISH", "CANCEL"]


def test_cancel_event_stops_holds_so_nobody_is_reminded_or_released(event, person, colleague):
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])

    cancel_event(event=event)

    bo = Registration.objects.get(email="bo@example.se")
    assert (bo.status, bo.hold_expires_at, bo.remind_after) == (Status.REGISTERED, None, None)


def test_cancel_event_twice_is_refused(event):
    cancel_event(event=event)

    with pytest.raises(WrongStatus):
        cancel_event(event=event)


def test_preview_event_cancellation_counts_and_renders_without_saving(full_event):
    recipients = preview_event_cancellation(event=full_event)

    full_event.refresh_from_db()
    assert (recipients.registered, recipients.waitlisted, full_event.status) == (2, 1, EventStatus.PUBLISHED)
    assert recipients.message.subject == "Inställt: Chefsfrukost: Leda med tillit"
    assert OutboxMessage.objects.count() == 0


def test_confirmation_shows_the_meeting_link_to_people_with_a_seat_only(event_factory, person):
    event = event_factory(online=True, online_url="https://meet.example.se/frukost-123", capacity=1)
    register(event=event, person=person("anna@example.se"))
    register(event=event, person=person("bo@example.se"))

    [seat] = outbox_for("anna@example.se")
    [waiting] = outbox_for("bo@example.se")

    assert "Länk till mötet: https://meet.example.se/frukost-123" in seat.body_text
    assert 'href="https://meet.example.se/frukost-123"' in seat.body_html
    assert "meet.example.se" not in waiting.body_text + waiting.body_html


def test_update_event_earlier_start_shortens_holds_past_it(event_factory, person, colleague, frozen):
    frozen("2029-05-14 08:00")
    event = event_factory(registration_deadline=None, colleague_hold_hours=72)
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])

    update_event(
        event=event,
        changes={
            "starts_at": stockholm(2029, 5, 15, 8, 0),
            "ends_at": stockholm(2029, 5, 15, 9, 30),
            "doors_at": None,
        },
    )

    assert Registration.objects.get(email="bo@example.se").hold_expires_at == stockholm(2029, 5, 15, 8, 0)


def test_update_event_mail_is_withdrawn_for_someone_who_cancels_before_it_is_sent(full_event):
    update_event(event=full_event, changes={"starts_at": stockholm(2029, 5, 16, 8, 30)})
    anna = Registration.objects.get(event=full_event, email="anna@example.se")

    cancel_registration(registration=anna)
    send_due()

    statuses = dict(
        OutboxMessage.objects.filter(to="anna@example.se").values_list("kind", "status").order_by("id")
    )
    assert statuses == {MailKind.EVENT_CHANGED: "skipped", MailKind.CANCELLATION: "sent"}
    assert [m.subject for m in mail.outbox if m.to == ["anna@example.se"]] == [
        "Avanmälan bekräftad: Chefsfrukost: Leda med tillit"
    ]


def test_event_change_and_cancellation_mail_waits_behind_confirmations(full_event, person):
    from frukost.mail.enums import Priority

    update_event(event=full_event, changes={"starts_at": stockholm(2029, 5, 16, 8, 30)})
    cancel_event(event=full_event)

    priorities = set(
        OutboxMessage.objects.filter(kind__in=[MailKind.EVENT_CHANGED, MailKind.EVENT_CANCELLED]).values_list(
            "priority", flat=True
        )
    )
    assert priorities == {Priority.BULK}


def test_cancel_event_refuses_a_draft_which_would_otherwise_get_a_public_page(event_factory):
    draft = event_factory(status=EventStatus.DRAFT)

    with pytest.raises(WrongStatus):
        cancel_event(event=draft)

    draft.refresh_from_db()
    assert draft.status == EventStatus.DRAFT
