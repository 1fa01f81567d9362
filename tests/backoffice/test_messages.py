"""Back-office messages to attendees: write, preview in both languages, send, follow delivery."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.events.models import Organisation
from frukost.mail.enums import MailKind, MessageStatus
from frukost.mail.models import OutboxMessage
from frukost.mail.worker import send_due
from frukost.messaging.enums import Audience
from frukost.messaging.models import Announcement
from frukost.messaging.services import AnnouncementText, send_announcement
from frukost.registrations.services import register

pytestmark = pytest.mark.django_db

FORM = {
    "audience": "all",
    "subject": "Ny lokal: Sal B",
    "body": "Vi har flyttat till Sal B.\r\n\r\nVälkommen!",
    "subject_en": "",
    "body_en": "",
}


def base(event) -> str:
    return f"/backoffice/{event.organisation.slug}/evenemang/{event.pk}/utskick/"


@pytest.fixture
def attended(event_factory, person, colleague, frozen):
    frozen("2029-04-02 09:00")
    event = event_factory(capacity=2)
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    register(event=event, person=person("cia@example.se", language="en"))
    OutboxMessage.objects.all().delete()
    return event


@pytest.fixture
def organiser(client, staff_factory, frozen):
    frozen("2029-04-02 09:00")  # the same moment as `attended`: sessions have an idle limit
    user = staff_factory("organiser", "olle@example.se")
    client.force_login(user)
    return user


def test_message_new_shows_how_many_each_group_reaches(client, organiser, attended):
    page = client.get(base(attended) + "nytt/").content.decode()

    assert "Alla anmälda (platser och väntelista) (3)" in page
    assert "De som har en plats (2)" in page
    assert "Väntelistan (1)" in page
    assert "Kollegor som inte har bekräftat (1)" in page


def test_message_preview_shows_both_languages_and_the_count_and_sends_nothing(client, organiser, attended):
    response = client.post(base(attended) + "nytt/", FORM | {"step": "preview"})

    page = response.content.decode()
    preview = response.context["preview"]
    assert response.status_code == 200
    assert preview.recipient_count == 3
    assert preview.swedish.body_text.startswith("Hej [förnamn]!\n\nVi har flyttat till Sal B.")
    assert preview.english.body_text.startswith("Hello [first name],\n\nVi har flyttat till Sal B.")
    assert "Skicka till 3 personer" in page
    assert OutboxMessage.objects.count() == 0
    assert Announcement.objects.count() == 0


def test_message_send_queues_one_message_per_recipient_and_shows_the_recipients(client, organiser, attended):
    preview = client.post(base(attended) + "nytt/", FORM | {"step": "preview"})

    response = client.post(
        base(attended) + "nytt/",
        FORM | {"step": "send", "send_key": preview.context["send_key"]},
        follow=True,
    )

    announcement = Announcement.objects.get()
    assert response.redirect_chain == [(f"{base(attended)}{announcement.pk}/", 302)]
    assert sorted(OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT).values_list("to", flat=True)) == [
        "anna@example.se",
        "bo@example.se",
        "cia@example.se",
    ]
    assert [(m.to, m.status) for m in response.context["recipients"]] == [
        ("bo@example.se", MessageStatus.QUEUED),
        ("anna@example.se", MessageStatus.QUEUED),
        ("cia@example.se", MessageStatus.QUEUED),
    ]  # by last name: Ek, Svensson, Svensson
    assert announcement.created_by == organiser


def test_message_send_twice_with_the_same_key_sends_once(client, organiser, attended):
    data = FORM | {"step": "send", "send_key": "abc123"}

    client.post(base(attended) + "nytt/", data)
    client.post(base(attended) + "nytt/", data)

    assert Announcement.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=MailKind.ANNOUNCEMENT).count() == 3


def test_message_preview_refuses_a_subject_with_a_line_break(client, organiser, attended):
    response = client.post(
        base(attended) + "nytt/", FORM | {"step": "preview", "subject": "Hej\nBcc: x@example.com"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "subject": ["Ämnesraden ska vara en enda rad: ta bort radbrytningen (eller tabben)."]
    }
    assert "Ämnesraden ska vara en enda rad" in response.content.decode()


def test_message_preview_to_an_empty_group_says_so(client, organiser, event, person):
    register(event=event, person=person("anna@example.se"))

    response = client.post(base(event) + "nytt/", FORM | {"step": "preview", "audience": "waiting_list"})

    assert response.status_code == 409
    assert response.context["form"].errors == {
        "audience": ["Ingen finns i den här gruppen just nu. Välj en annan grupp."]
    }


def test_message_edit_returns_to_the_form_with_the_text_kept(client, organiser, attended):
    response = client.post(base(attended) + "nytt/", FORM | {"step": "edit"})

    assert response.status_code == 200
    assert response.context["form"]["subject"].value() == "Ny lokal: Sal B"


def test_message_history_shows_each_message_with_delivery_counts(client, organiser, attended):
    text = AnnouncementText(subject="Först", body="A")
    send_announcement(event=attended, text=text, audience=Audience.SEATED, actor=organiser)
    send_due()

    page = client.get(base(attended)).content.decode()

    [row] = client.get(base(attended)).context["history"]
    assert (row.announcement.subject, row.delivery.sent, row.delivery.queued, row.delivery.failed) == (
        "Först",
        2,
        0,
        0,
    )
    assert "olle@example.se" in page
    assert "De som har en plats" in page
    assert "2 skickade" in page


@pytest.mark.parametrize("view", ["history", "detail"])
def test_message_pages_query_count_is_flat(client, organiser, event_factory, person, view):
    counts = []
    for size in (1, 3):
        event = event_factory()
        for number in range(size):
            register(event=event, person=person(f"p{number}@example.se"))
        for number in range(size):
            announcement = send_announcement(
                event=event, text=AnnouncementText(subject=f"Nr {number}", body="Text"), audience=Audience.ALL
            )
        path = base(event) if view == "history" else f"{base(event)}{announcement.pk}/"
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_message_pages_are_closed_to_door_staff_and_other_organisations(client, staff_factory, attended):
    announcement = send_announcement(event=attended, text=AnnouncementText(subject="Hej", body="A"),
                                     audience=Audience.ALL)  # fmt: skip
    other = Organisation.objects.create(name="Vision", slug="vision")
    other_event = attended.__class__.objects.create(
        organisation=other, slug="annat", title="Annat", capacity=5,
        starts_at=attended.starts_at, ends_at=attended.ends_at,
    )  # fmt: skip
    paths = [base(attended), base(attended) + "nytt/", f"{base(attended)}{announcement.pk}/"]

    client.force_login(staff_factory("door", events=[attended]))
    door = [client.get(path).status_code for path in paths]
    client.force_login(staff_factory("owner", of=other))
    outsider = [client.get(path).status_code for path in paths]
    client.force_login(staff_factory("organiser"))
    wrong_event = client.get(
        f"{base(other_event).replace('vision', attended.organisation.slug)}{announcement.pk}/"
    )

    assert door == [403, 403, 403]
    assert outsider == [404, 404, 404]
    assert wrong_event.status_code == 404
