"""The back office's event pages: create, edit (with the confirmation step), preview, publish,
close and reopen registration, cancel, clone, and who may open them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from frukost.events.enums import EventStatus
from frukost.events.models import STOCKHOLM, Event, Organisation
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import stockholm

pytestmark = pytest.mark.django_db

ORG = "akademikerforbundet-ssr"

BLANK = {
    "title": "Chefsfrukost: Leda med tillit",
    "slug": "chefsfrukost-umea",
    "starts_at": "2029-09-12T08:00",
    "ends_at": "2029-09-12T09:30",
    "doors_at": "2029-09-12T07:30",
    "venue_name": "Clarion Hotel Umeå",
    "city": "Umeå",
    "registration_deadline": "2029-09-01",
    "capacity": "40",
    "few_seats_threshold": "10",
    "max_colleagues": "1",
    "contact_email": "julia.walbrink@akademssr.se",
}


@pytest.fixture
def organiser(staff_factory, client):
    user = staff_factory("organiser")
    client.force_login(user)
    return user


def url(name: str, event: Event | None = None) -> str:
    return reverse(f"backoffice:{name}", args=[ORG, event.pk] if event else [ORG])


def form_data(event: Event, **changes) -> dict:
    """What the edit form sends back for the event unchanged, with `changes` on top."""
    data = {}
    for name in [
        "title", "slug", "host_name", "host_role", "lead", "body", "questions", "gift", "venue_name",
        "street_address", "postal_code", "city", "online_url", "capacity", "few_seats_threshold",
        "max_colleagues", "custom_question", "contact_name", "contact_email", "contact_phone",
    ]:  # fmt: skip
        data[name] = getattr(event, name)
    for name in ("starts_at", "ends_at", "doors_at"):
        value = getattr(event, name)
        data[name] = value.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M") if value else ""
    data["registration_deadline"] = (
        event.registration_deadline.isoformat() if event.registration_deadline else ""
    )
    if event.online:
        data["online"] = "on"
    data.update(changes)
    return {key: "" if value is None else value for key, value in data.items()}


def test_event_create_saves_a_blank_form_as_a_draft(client, organiser, organisation):
    response = client.post(url("event-create"), BLANK)

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("event", event)
    assert (event.organisation, event.status, event.slug, event.city) == (
        organisation,
        EventStatus.DRAFT,
        "chefsfrukost-umea",
        "Umeå",
    )
    assert event.starts_at == stockholm(2029, 9, 12, 8, 0)


def test_event_create_form_has_swedish_labels_and_datetime_inputs(client, organiser):
    page = client.get(url("event-create")).content.decode()

    assert '<label for="id_starts_at">Börjar</label>' in page
    assert 'type="datetime-local" name="starts_at"' in page
    assert '<label for="id_colleague_hold_hours">' in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_at": "2029-09-12T07:00"}, "ends_at", "Evenemanget måste sluta efter att det börjar."),
        (
            {"doors_at": "2029-09-12T08:15"},
            "doors_at",
            "Frukosten måste serveras från starttiden eller tidigare.",
        ),
        ({"capacity": "0"}, "capacity", None),
        (
            {"colleague_hold_hours": "1000"},
            "colleague_hold_hours",
            "Håll en kollegas plats mellan 1 och 720 timmar (30 dagar).",
        ),
        (
            {"registration_deadline": "2029-09-13"},
            "registration_deadline",
            "Sista anmälningsdag måste vara samma dag som evenemanget eller tidigare.",
        ),
    ],
)
def test_event_create_refuses_bad_values_with_a_clear_message(client, organiser, changes, field, message):
    response = client.post(url("event-create"), BLANK | changes)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert Event.objects.count() == 0


def test_event_create_refuses_an_address_another_event_has(client, organiser, event_factory):
    event_factory(slug="chefsfrukost-umea")

    response = client.post(url("event-create"), BLANK)

    assert response.status_code == 400
    assert response.context["form"].errors["slug"] == [
        "Ett annat av era evenemang har redan den här adressen. Välj en annan."
    ]


def test_event_create_series_choices_are_the_organisations_own(client, organiser, organisation):
    from frukost.events.models import Series

    other = Organisation.objects.create(name="Vision", slug="vision")
    Series.objects.create(organisation=other, name="Visions frukost", slug="visions-frukost")
    own = Series.objects.create(organisation=organisation, name="Chefsfrukost", slug="chefsfrukost")

    form = client.get(url("event-create")).context["form"]

    assert list(form.fields["series"].queryset) == [own]


def test_event_edit_without_registrations_saves_at_once(client, organiser, event):
    response = client.post(url("event-edit", event), form_data(event, city="Härnösand"))

    event.refresh_from_db()
    assert response.status_code == 302
    assert (event.city, OutboxMessage.objects.count()) == ("Härnösand", 0)


def test_event_edit_of_text_only_does_not_ask_or_mail(client, organiser, event, person):
    register(event=event, person=person("anna@example.se"))
    OutboxMessage.objects.all().delete()

    response = client.post(url("event-edit", event), form_data(event, lead="En ny ingress."))

    event.refresh_from_db()
    assert (response.status_code, event.lead, event.ical_sequence) == (302, "En ny ingress.", 0)
    assert OutboxMessage.objects.count() == 0


def test_event_edit_new_start_asks_first_with_counts_and_the_mail(client, organiser, event_factory, person):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))
    register(event=event, person=person("bo@example.se"))
    OutboxMessage.objects.all().delete()

    response = client.post(url("event-edit", event), form_data(event, starts_at="2029-05-16T08:30"))

    event.refresh_from_db()
    assert response.status_code == 200
    assert response.template_name == "backoffice/confirm.html"
    assert response.context["consequences"] == [
        "Börjar: onsdag 16 maj 2029 kl. 08.00 → onsdag 16 maj 2029 kl. 08.30",
        "1 person med plats och 1 på väntelistan får ett mejl med de nya uppgifterna och en uppdaterad "
        "kalenderfil.",
    ]
    assert response.context["preview"].subject == "Ny tid: Chefsfrukost: Leda med tillit"
    assert ("starts_at", "2029-05-16T08:30") in response.context["hidden"]
    assert (event.starts_at, event.ical_sequence) == (stockholm(2029, 5, 16, 8, 0), 0)
    assert OutboxMessage.objects.count() == 0


def test_event_edit_confirmed_saves_and_tells_everyone(client, organiser, event_factory, person):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))
    register(event=event, person=person("bo@example.se"))
    OutboxMessage.objects.all().delete()
    asked = client.post(url("event-edit", event), form_data(event, starts_at="2029-05-16T08:30"))

    response = client.post(url("event-edit", event), dict(asked.context["hidden"]) | {"confirm": "yes"})

    event.refresh_from_db()
    assert response.status_code == 302
    assert (event.starts_at, event.ical_sequence) == (stockholm(2029, 5, 16, 8, 30), 1)
    assert sorted(OutboxMessage.objects.values_list("to", "kind")) == [
        ("anna@example.se", MailKind.EVENT_CHANGED),
        ("bo@example.se", MailKind.EVENT_CHANGED),
    ]


def test_event_edit_capacity_below_seats_taken_is_a_form_error(client, organiser, event, person):
    for address in ("anna@example.se", "bo@example.se", "cecilia@example.se"):
        register(event=event, person=person(address))

    response = client.post(url("event-edit", event), form_data(event, capacity="2", city="Umeå"))

    event.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].errors["capacity"] == [
        "3 personer har redan en plats, så evenemanget kan inte ha färre än 3 platser. "
        "Avboka anmälningar först om du behöver göra plats."
    ]
    assert (event.capacity, event.city) == (60, "Sundsvall")


def test_event_edit_capacity_raised_promotes_the_waiting_list(client, organiser, event_factory, person):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))
    register(event=event, person=person("bo@example.se"))

    response = client.post(url("event-edit", event), form_data(event, capacity="2"))

    # The new seat is offered to Bo (the claim window), set aside for him meanwhile.
    assert response.status_code == 302
    assert Registration.objects.get(email="bo@example.se").has_open_offer
    assert OutboxMessage.objects.filter(to="bo@example.se", kind=MailKind.SEAT_OFFERED).count() == 1


def test_event_edit_of_a_cancelled_event_goes_back_to_the_overview(client, organiser, event_factory):
    event = event_factory(status=EventStatus.CANCELLED)

    response = client.get(url("event-edit", event))

    assert (response.status_code, response["Location"]) == (302, url("event", event))


def test_event_preview_shows_a_draft_marked_as_preview_with_an_inert_form(client, organiser, event_factory):
    event = event_factory(status=EventStatus.DRAFT, online=True, online_url="https://meet.example.se/x")

    response = client.get(url("event-preview", event))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Förhandsvisning" in page
    assert "utkastet är inte offentligt än" in page
    assert '<fieldset disabled class="preview-fieldset">' in page
    assert 'action="#"' in page
    assert "meet.example.se" not in page
    assert client.get(event.get_absolute_url()).status_code == 404  # still not public


def test_public_page_never_shows_the_meeting_link(client, event_factory):
    event = event_factory(online=True, online_url="https://meet.example.se/frukost-123")

    page = client.get(event.get_absolute_url()).content.decode()
    ics = client.get(reverse("public:event-ics", args=[ORG, event.slug])).content.decode()

    assert "meet.example.se" not in page + ics


def test_personal_page_shows_the_meeting_link_to_a_person_with_a_seat(client, event_factory, person):
    from frukost.registrations.links import issue_link

    event = event_factory(online=True, online_url="https://meet.example.se/frukost-123", capacity=1)
    anna = register(event=event, person=person("anna@example.se")).registration
    bo = register(event=event, person=person("bo@example.se")).registration

    seat = client.get(issue_link(anna).removeprefix("http://testserver")).content.decode()
    waiting = client.get(issue_link(bo).removeprefix("http://testserver")).content.decode()

    assert 'href="https://meet.example.se/frukost-123"' in seat
    assert "meet.example.se" not in waiting


def test_event_publish_opens_the_public_page(client, organiser, event_factory):
    event = event_factory(status=EventStatus.DRAFT)

    response = client.post(url("event-publish", event))

    event.refresh_from_db()
    assert (response.status_code, event.status) == (302, EventStatus.PUBLISHED)
    assert client.get(event.get_absolute_url()).status_code == 200


def test_event_publish_is_a_post_only(client, organiser, event_factory):
    event = event_factory(status=EventStatus.DRAFT)

    assert client.get(url("event-publish", event)).status_code == 405
    event.refresh_from_db()
    assert event.status == EventStatus.DRAFT


def test_event_close_refuses_public_registration_and_reopen_allows_it(client, organiser, event):
    client.post(url("event-close", event))
    visitor = Client()
    data = {"first_name": "Anna", "last_name": "Svensson", "email": "anna@example.se", "membership": "member"}

    closed = visitor.post(event.get_absolute_url(), data)
    client.post(url("event-reopen", event))
    reopened = visitor.post(event.get_absolute_url(), data)

    assert closed.status_code == 409
    assert "Anmälan till evenemanget är stängd." in closed.content.decode()
    assert reopened.status_code == 302
    assert list(Registration.objects.values_list("email", flat=True)) == ["anna@example.se"]


def test_event_list_shows_an_event_closed_early(client, organiser, event):
    client.post(url("event-close", event))

    page = client.get(url("events")).content.decode()

    assert "Stängd i förtid" in page


def test_event_cancel_asks_first_then_cancels_and_tells_everyone(client, organiser, event_factory, person):
    event = event_factory(capacity=1)
    register(event=event, person=person("anna@example.se"))
    register(event=event, person=person("bo@example.se"))
    OutboxMessage.objects.all().delete()

    asked = client.get(url("event-cancel", event))
    done = client.post(url("event-cancel", event), {"confirm": "yes"})

    event.refresh_from_db()
    assert asked.context["consequences"][0] == (
        "Alla 1 anmälda och 1 på väntelistan får besked via mejl, med en kalenderfil som tar bort "
        "evenemanget ur deras kalendrar."
    )
    assert asked.context["preview"].subject == "Inställt: Chefsfrukost: Leda med tillit"
    assert (done.status_code, event.status) == (302, EventStatus.CANCELLED)
    assert sorted(OutboxMessage.objects.values_list("to", "kind")) == [
        ("anna@example.se", MailKind.EVENT_CANCELLED),
        ("bo@example.se", MailKind.EVENT_CANCELLED),
    ]
    public = client.get(event.get_absolute_url()).content.decode()
    assert "<strong>Inställt</strong>" in public


def test_event_cancel_post_without_confirmation_changes_nothing(client, organiser, event):
    response = client.post(url("event-cancel", event))

    event.refresh_from_db()
    assert (response.status_code, event.status) == (200, EventStatus.PUBLISHED)


def test_event_clone_makes_a_draft_copy_and_opens_its_form(client, organiser, event, person):
    register(event=event, person=person("anna@example.se"))

    response = client.post(
        url("event-clone", event),
        {"starts_at": "2029-09-12T08:00", "venue_name": "Clarion Hotel Umeå", "city": "Umeå"},
    )

    clone = Event.objects.exclude(pk=event.pk).get()
    assert response.status_code == 302
    assert response["Location"] == url("event-edit", clone)
    assert (clone.status, clone.city, clone.title, clone.series_id) == (
        EventStatus.DRAFT,
        "Umeå",
        event.title,
        Event.objects.get(pk=event.pk).series_id,
    )
    assert clone.registrations.count() == 0


def test_event_clone_needs_a_city_or_online(client, organiser, event):
    response = client.post(url("event-clone", event), {"starts_at": "2029-09-12T08:00"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["city"]


def test_event_overview_shows_only_the_actions_that_apply(client, organiser, event_factory):
    draft = event_factory(status=EventStatus.DRAFT)
    cancelled = event_factory(status=EventStatus.CANCELLED)

    draft_page = client.get(url("event", draft)).content.decode()
    cancelled_page = client.get(url("event", cancelled)).content.decode()

    assert url("event-publish", draft) in draft_page
    assert url("event-close", draft) not in draft_page
    assert url("event-edit", draft) in draft_page
    assert url("event-preview", draft) in draft_page
    assert url("event-clone", draft) in draft_page
    assert url("event-cancel", draft) not in draft_page  # a draft was never announced
    assert url("event-edit", cancelled) not in cancelled_page
    assert url("event-cancel", cancelled) not in cancelled_page
    assert url("event-publish", cancelled) not in cancelled_page


def test_event_overview_offers_reopen_once_closed(client, organiser, event):
    client.post(url("event-close", event))

    page = client.get(url("event", event)).content.decode()

    assert url("event-reopen", event) in page
    assert url("event-close", event) not in page


EVENT_PAGES = [
    ("get", "event-edit"),
    ("get", "event-preview"),
    ("post", "event-publish"),
    ("post", "event-close"),
    ("post", "event-reopen"),
    ("get", "event-cancel"),
    ("post", "event-cancel"),
    ("get", "event-clone"),
]


@pytest.mark.parametrize(("method", "name"), EVENT_PAGES)
def test_event_pages_are_refused_to_door_staff(client, staff_factory, event_factory, method, name):
    event = event_factory(status=EventStatus.DRAFT)
    client.force_login(staff_factory("door", events=[event]))

    response = getattr(client, method)(url(name, event), {"confirm": "yes"} if method == "post" else None)

    assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).status == EventStatus.DRAFT


def test_event_create_is_refused_to_door_staff(client, staff_factory):
    client.force_login(staff_factory("door"))

    assert client.get(url("event-create")).status_code == 403
    assert client.post(url("event-create"), BLANK).status_code == 403


@pytest.mark.parametrize(("method", "name"), EVENT_PAGES)
def test_event_pages_answer_404_for_another_organisations_event(client, organiser, method, name):
    other = Organisation.objects.create(name="Vision", slug="vision")
    theirs = Event.objects.create(
        organisation=other,
        slug="visions-frukost",
        title="Visions frukost",
        starts_at=stockholm(2029, 5, 16, 8, 0),
        ends_at=stockholm(2029, 5, 16, 9, 0),
        capacity=10,
        status=EventStatus.DRAFT,
    )

    response = getattr(client, method)(url(name, theirs), {"confirm": "yes"} if method == "post" else None)
    in_their_address = getattr(client, method)(
        reverse(f"backoffice:{name}", args=["vision", theirs.pk]),
        {"confirm": "yes"} if method == "post" else None,
    )

    assert (response.status_code, in_their_address.status_code) == (404, 404)
    assert Event.objects.get(pk=theirs.pk).status == EventStatus.DRAFT


def test_event_create_ignores_an_organisation_in_the_form(client, organiser, organisation):
    other = Organisation.objects.create(name="Vision", slug="vision")

    client.post(url("event-create"), BLANK | {"organisation": other.pk})

    assert list(Event.objects.values_list("organisation", flat=True)) == [organisation.pk]


def test_event_form_leaves_status_and_early_closing_to_their_buttons(client, organiser, event):
    form = client.get(url("event-edit", event)).context["form"]

    assert ("status" in form.fields, "registration_closed_at" in form.fields) == (False, False)
    assert form.fields["registration_deadline_time"].widget.input_type == "time"


def test_event_create_refuses_a_meeting_link_on_an_event_that_is_not_online(client, organiser):
    response = client.post(url("event-create"), BLANK | {"online_url": "https://meet.example.se/x"})

    assert response.status_code == 400
    assert response.context["form"].errors["online"] == [
        "Du har angett en möteslänk: kryssa i ”digitalt evenemang” eller ta bort länken."
    ]


def test_event_clone_to_a_date_far_beyond_any_event_is_a_form_error(client, organiser, event):
    response = client.post(url("event-clone", event), {"starts_at": "9999-12-31T23:59", "city": "Umeå"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["starts_at"]
    assert Event.objects.count() == 1


@pytest.mark.parametrize("role", ["organiser", "door"])
def test_event_list_query_count_is_flat(client, staff_factory, event_factory, person, role):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    events = [event_factory()]
    member = staff_factory(role, events=events)
    client.force_login(member)
    register(event=events[0], person=person("p0@example.se"))

    def queries() -> int:
        client.get(url("events"))  # the first request after signing in also writes the session
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("events")).status_code == 200
        return len(captured)

    one = queries()
    for number in (1, 2):
        events.append(event_factory())
        register(event=events[-1], person=person(f"p{number}@example.se"))
    member.memberships.get().events.set(events)

    assert queries() == one


def test_event_cancel_of_a_draft_is_refused_with_a_message(client, organiser, event_factory):
    draft = event_factory(status=EventStatus.DRAFT)

    response = client.post(url("event-cancel", draft), {"confirm": "yes"}, follow=True)

    draft.refresh_from_db()
    assert response.redirect_chain == [(url("event", draft), 302)]
    assert draft.status == EventStatus.DRAFT
    assert "Ett utkast har inte gått ut till någon" in response.content.decode()
