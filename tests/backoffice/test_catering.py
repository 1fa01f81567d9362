"""The back office's catering pages: figures without names, books, the venue form, sending."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.accounts import access
from frukost.accounts.enums import Permission, Role
from frukost.catering.models import CateringList, CateringPlan
from frukost.catering.services import update_catering_plan
from frukost.events.models import Organisation
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.services import register

pytestmark = pytest.mark.django_db

MARKERS = ["Xylofonia", "Markörsdotter", "markor-epost@example.se", "Medlem"]


def url(name, event, organisation=None):
    return reverse(f"backoffice:{name}", args=[(organisation or event.organisation).slug, event.pk])


@pytest.fixture
def organiser(staff_factory):
    return staff_factory("organiser")


@pytest.fixture
def registered(event, person, colleague, frozen):
    frozen("2029-04-20 10:00")
    register(
        event=event,
        person=person(
            "markor-epost@example.se",
            first_name="Xylofonia",
            last_name="Markörsdotter",
            diets=["vegetarian", "gluten"],
            diet_other="Xylofonia tål inte koriander",
        ),
        colleagues=[colleague("kollega@example.se", first_name="Kollegina", last_name="Okänd")],
    )
    return event


def with_venue(event, margin=0):
    update_catering_plan(
        event=event,
        venue_contact_name="Köket",
        venue_email="kok@scandic.example",
        language="sv",
        book_margin=margin,
    )


def test_event_catering_shows_figures_books_and_no_names(client, organiser, registered):
    with_venue(registered, margin=3)
    client.force_login(organiser)

    response = client.get(url("event-catering", registered))

    page = response.content.decode()
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.headcount, figures.unconfirmed, figures.diets) == (2, 1, {"vegetarian": 1, "gluten": 1})
    assert response.context["books"].to_order == 5
    assert "1 kollega har en hållen plats men har inte bekräftat än" in page
    assert "… tål inte koriander" in page
    for marker in [*MARKERS, "Kollegina", "kollega@example.se"]:
        assert marker not in page, marker


def test_event_catering_hides_diet_notes_without_special_category_permission(
    client, organiser, registered, monkeypatch
):
    monkeypatch.setitem(
        access.PERMISSIONS,
        Role.ORGANISER,
        access.PERMISSIONS[Role.ORGANISER] - {Permission.VIEW_SPECIAL_CATEGORY},
    )
    client.force_login(organiser)

    page = client.get(url("event-catering", registered)).content.decode()

    assert "koriander" not in page
    assert "Vegetarisk" in page


def test_event_catering_print_has_figures_and_no_names(client, organiser, registered):
    client.force_login(organiser)

    response = client.get(url("event-catering-print", registered))

    page = response.content.decode()
    assert response.status_code == 200
    assert "@media print" not in page  # the print rules live in the stylesheet (CSP: no inline styles)
    assert "Vegetarisk" in page and "… tål inte koriander" in page
    for marker in [*MARKERS, "Kollegina"]:
        assert marker not in page, marker


def test_event_catering_saves_the_venue_contact_and_margin(client, organiser, event):
    client.force_login(organiser)

    response = client.post(
        url("event-catering", event),
        {
            "venue_contact_name": "Köket",
            "venue_email": "Kok@Scandic.example",
            "language": "sv",
            "book_margin": "4",
        },
    )

    plan = CateringPlan.objects.get(event=event)
    assert response.status_code == 302
    assert (plan.venue_email, plan.book_margin) == ("kok@scandic.example", 4)


def test_event_catering_form_errors_answer_400_in_swedish(client, organiser, event):
    client.force_login(organiser)

    response = client.post(
        url("event-catering", event),
        {"venue_contact_name": "", "venue_email": "inte-en-adress", "language": "sv", "book_margin": "-1"},
    )

    assert response.status_code == 400
    assert "Fyll i en giltig e-postadress." in response.content.decode()
    assert not CateringPlan.objects.exists()


def test_event_catering_send_asks_first_with_a_preview(client, organiser, registered):
    with_venue(registered)
    client.force_login(organiser)

    response = client.get(url("event-catering-send", registered))

    assert response.status_code == 200
    assert (
        response.context["preview"].subject == "Förtäring: Chefsfrukost: Leda med tillit, onsdag 16 maj 2029"
    )
    assert "Xylofonia" not in response.content.decode()
    assert not OutboxMessage.objects.filter(kind=MailKind.CATERING).exists()


def test_event_catering_send_post_queues_the_list(client, organiser, registered):
    with_venue(registered)
    client.force_login(organiser)

    response = client.post(url("event-catering-send", registered), {"confirm": "yes"})

    [message] = OutboxMessage.objects.filter(kind=MailKind.CATERING)
    [snapshot] = CateringList.objects.all()
    assert response.status_code == 302
    assert (message.to, snapshot.sent_to, snapshot.actor) == (
        "kok@scandic.example",
        "kok@scandic.example",
        organiser,
    )
    for marker in MARKERS:
        assert marker.lower() not in (message.body_text + message.body_html).lower(), marker
    history = client.get(url("event-catering", registered)).context["history"]
    assert history == [snapshot]


def test_event_catering_send_without_venue_contact_explains(client, organiser, event):
    client.force_login(organiser)

    response = client.post(url("event-catering-send", event), {"confirm": "yes"}, follow=True)

    assert "Lägg först till e-postadressen till kontaktpersonen på lokalen." in response.content.decode()
    assert not CateringList.objects.exists()


def test_event_catering_query_count_is_flat(client, organiser, event, person, frozen):
    frozen("2029-04-20 10:00")
    with_venue(event)
    client.force_login(organiser)
    client.get(url("event-catering", event))  # the first request of a session also writes the session

    def queries(count: int) -> int:
        for number in range(count):
            register(
                event=event, person=person(f"p{count}-{number}@example.se", diets=["vegan"], diet_other="x")
            )
        with CaptureQueriesContext(connection) as context:
            assert client.get(url("event-catering", event)).status_code == 200
        return len(context.captured_queries)

    assert queries(1) == queries(3)


@pytest.mark.parametrize("name", ["event-catering", "event-catering-print", "event-catering-send"])
def test_event_catering_pages_refuse_door_staff_and_other_organisations(client, staff_factory, event, name):
    other = Organisation.objects.create(name="Vision", slug="vision")
    door = staff_factory("door", events=[event])
    stranger = staff_factory("owner", of=other)

    client.force_login(door)
    door_status = client.get(url(name, event)).status_code
    client.force_login(stranger)
    stranger_status = client.get(url(name, event)).status_code
    other_event_status = client.get(url(name, event, organisation=other)).status_code

    assert (door_status, stranger_status, other_event_status) == (403, 404, 404)
