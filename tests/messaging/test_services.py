"""messaging.services: who an announcement reaches, the preview, sending through the outbox."""

from __future__ import annotations

import pytest
from django.core import mail

from frukost.core.models import AuditLog
from frukost.mail.enums import MailKind, Priority
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.messaging.enums import Audience
from frukost.messaging.exceptions import InvalidAnnouncement, NoRecipients
from frukost.messaging.services import (
    AnnouncementText,
    audience_counts,
    preview_announcement,
    recipients,
    send_announcement,
)
from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_registration, register

pytestmark = pytest.mark.django_db

TEXT = AnnouncementText(
    subject="Ny lokal: Sal B",
    body="Vi har flyttat till Sal B på plan 2.\n\nVälkommen!",
)


@pytest.fixture
def crowd(event_factory, person, colleague, frozen):
    """Two seats: anna (with unconfirmed colleague bo) seated, cia waiting, dan cancelled."""
    frozen("2029-04-02 09:00")
    event = event_factory(capacity=2)
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    register(event=event, person=person("cia@example.se", language="en"))
    dan = register(event=event, person=person("dan@example.se")).registration
    cancel_registration(registration=dan)
    return event


def _emails(queryset) -> list[str]:
    return sorted(queryset.values_list("email", flat=True))


def test_recipients_selects_each_audience_and_never_the_cancelled(crowd):
    by_audience = {audience: _emails(recipients(event=crowd, audience=audience)) for audience in Audience}

    assert by_audience == {
        Audience.ALL: ["anna@example.se", "bo@example.se", "cia@example.se"],
        Audience.SEATED: ["anna@example.se", "bo@example.se"],
        Audience.WAITING_LIST: ["cia@example.se"],
        Audience.UNCONFIRMED_COLLEAGUES: ["bo@example.se"],
    }
    assert audience_counts(event=crowd) == {
        "all": 3,
        "seated": 2,
        "waiting_list": 1,
        "unconfirmed_colleagues": 1,
    }


def test_preview_announcement_renders_swedish_and_english_without_saving(crowd):
    english = AnnouncementText(
        subject=TEXT.subject,
        body=TEXT.body,
        subject_en="New room: Hall B",
        body_en="We have moved to Hall B.",
    )

    preview = preview_announcement(event=crowd, text=english, audience=Audience.ALL)

    assert preview.recipient_count == 3
    assert (preview.swedish.subject, preview.english.subject) == ("Ny lokal: Sal B", "New room: Hall B")
    assert preview.swedish.body_text.startswith(
        "Hej [förnamn]!\n\nVi har flyttat till Sal B på plan 2.\n\nVälkommen!"
    )
    assert preview.english.body_text.startswith("Hello [first name],\n\nWe have moved to Hall B.")
    assert "(the recipient’s personal link)" in preview.english.body_text
    # Every message's footer links the organisation's own privacy notice.
    assert (
        "Privacy notice: http://testserver/akademikerforbundet-ssr/integritet/" in preview.english.body_text
    )
    assert OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT).count() == 0


def test_preview_announcement_without_english_frames_swedish_text_in_english(crowd):
    preview = preview_announcement(event=crowd, text=TEXT, audience=Audience.WAITING_LIST)

    assert preview.english.subject == "Ny lokal: Sal B"
    assert preview.english.body_text.startswith("Hello [first name],\n\nVi har flyttat till Sal B")
    assert "You are on the waiting list." in preview.english.body_text


def test_send_announcement_queues_one_bulk_message_per_recipient_and_audits_the_count(crowd, staff_factory):
    organiser = staff_factory("organiser")
    OutboxMessage.objects.all().delete()

    announcement = send_announcement(event=crowd, text=TEXT, audience=Audience.SEATED, actor=organiser)

    messages = OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT).order_by("to")
    assert [(m.to, m.registration.email, m.priority, m.batch_id) for m in messages] == [
        ("anna@example.se", "anna@example.se", Priority.BULK, announcement.pk),
        ("bo@example.se", "bo@example.se", Priority.BULK, announcement.pk),
    ]
    assert (announcement.recipient_count, announcement.created_by, announcement.sent_at is not None) == (
        2,
        organiser,
        True,
    )
    entry = AuditLog.objects.get(action="announcement.sent")
    assert (entry.actor, entry.event_id, entry.organisation_id) == (
        organiser,
        crowd.pk,
        crowd.organisation_id,
    )
    assert entry.data == {
        "organisation_id": crowd.organisation_id,
        "announcement_id": announcement.pk,
        "audience": "seated",
        "recipients": 2,
    }


def test_send_announcement_delivers_each_recipient_in_their_language(crowd):
    english = AnnouncementText(subject="Ny lokal", body="Sal B.", subject_en="New room", body_en="Hall B.")
    OutboxMessage.objects.all().delete()
    send_announcement(event=crowd, text=english, audience=Audience.ALL)

    send_due()

    delivered = {m.to[0]: (m.subject, m.body.split("\n\n")[1]) for m in mail.outbox}
    assert delivered == {
        "anna@example.se": ("Ny lokal", "Sal B."),
        "bo@example.se": ("Ny lokal", "Sal B."),
        "cia@example.se": ("New room", "Hall B."),
    }
    assert "/r/" in mail.outbox[0].body  # each with their own personal link


def test_send_announcement_with_the_same_send_key_sends_once(crowd):
    first = send_announcement(event=crowd, text=TEXT, audience=Audience.ALL, send_key="k" * 32)

    again = send_announcement(event=crowd, text=TEXT, audience=Audience.ALL, send_key="k" * 32)

    assert again.pk == first.pk
    assert OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT).count() == 3


def test_send_announcement_refuses_a_subject_with_a_line_break(crowd):
    text = AnnouncementText(subject="Hej\r\nBcc: everyone@example.com", body="Text")

    with pytest.raises(InvalidAnnouncement) as refused:
        send_announcement(event=crowd, text=text, audience=Audience.ALL)

    assert refused.value.errors == {
        "subject": "Ämnesraden ska vara en enda rad: ta bort radbrytningen (eller tabben)."
    }
    assert OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT).count() == 0


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            AnnouncementText(subject=" ", body=""),
            {"subject": "Skriv en ämnesrad.", "body": "Skriv meddelandet."},
        ),
        (
            AnnouncementText(subject="x" * 151, body="y"),
            {"subject": "Ämnesraden får vara högst 150 tecken; den har 151."},
        ),
        (
            AnnouncementText(subject="x", body="y" * 5001),
            {"body": "Meddelandet får vara högst 5000 tecken; det har 5001."},
        ),
        (
            AnnouncementText(subject="x", body="y", subject_en="English"),
            {"body_en": "Skriv både ämnesraden och meddelandet på engelska, eller lämna båda tomma."},
        ),
    ],
)
def test_send_announcement_refuses_text_breaking_the_rules(crowd, text, errors):
    with pytest.raises(InvalidAnnouncement) as refused:
        send_announcement(event=crowd, text=text, audience=Audience.ALL)

    assert refused.value.errors == errors


def test_send_announcement_strips_control_characters_from_the_body(crowd):
    text = AnnouncementText(subject="Hej", body="Rad ett\r\nrad\x0b två\x00")

    announcement = send_announcement(event=crowd, text=text, audience=Audience.ALL)

    assert announcement.body == "Rad ett\nrad två"


def test_send_announcement_to_an_empty_audience_is_refused(event):
    with pytest.raises(NoRecipients):
        send_announcement(event=event, text=TEXT, audience=Audience.ALL)


def test_recipients_excludes_released_seats(crowd):
    Registration.objects.filter(email="bo@example.se").update(status="released")

    assert _emails(recipients(event=crowd, audience=Audience.UNCONFIRMED_COLLEAGUES)) == []
