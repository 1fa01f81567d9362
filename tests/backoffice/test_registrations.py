"""The back office's registration pages: the table, one registration, the actions, the waiting list."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.accounts import access
from frukost.accounts.enums import Permission, Role
from frukost.core import formats
from frukost.events.enums import EventStatus
from frukost.events.models import Event, Organisation
from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import outbox_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(staff_factory):
    return staff_factory("organiser", "julia@example.se")


@pytest.fixture
def signed_in(client, organiser):
    client.force_login(organiser)
    return client


def _url(name, event, registration=None, query=""):
    args = [event.organisation.slug, event.pk] + ([registration.pk] if registration else [])
    return reverse(f"backoffice:{name}", args=args) + query


def _rows(response) -> list[str]:
    return [r.email for r in response.context["page"].object_list]


def _add(event, address, **kwargs):
    from tests.conftest import make_person

    return register(event=event, person=make_person(address, **kwargs)).registration


# --- The table ---------------------------------------------------------------------------------


def test_registration_table_lists_the_events_registrations_only(signed_in, event_factory):
    event, other = event_factory(), event_factory()
    _add(event, "anna@example.se")
    _add(other, "bo@example.se")

    response = signed_in.get(_url("event-registrations", event))

    assert response.status_code == 200
    assert _rows(response) == ["anna@example.se"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("anna", ["anna@example.se"]),
        ("Anna Svensson", ["anna@example.se"]),
        ("svensson", ["anna@example.se", "bo@example.se"]),
        ("bo@example", ["bo@example.se"]),
        ("region", ["bo@example.se"]),
        ("nobody", []),
    ],
)
def test_registration_table_searches_name_email_and_workplace(signed_in, event, query, expected):
    _add(event, "anna@example.se", workplace="Sundsvalls kommun")
    _add(event, "bo@example.se", first_name="Bo", workplace="Region Västernorrland")
    _add(event, "cilla@example.se", first_name="Cilla", last_name="Ek")

    response = signed_in.get(_url("event-registrations", event), {"q": query})

    assert _rows(response) == expected


@pytest.fixture
def varied(event_factory, colleague):
    """Anna (member, gluten) brings Bo (unconfirmed); Cilla (not member) queues; Dan cancelled."""
    from frukost.registrations.services import cancel_registration
    from tests.conftest import make_person

    event = event_factory(capacity=2)
    register(
        event=event,
        person=make_person("anna@example.se", diets=["gluten"]),
        colleagues=[colleague("bo@example.se")],
    )
    _add(event, "cilla@example.se", first_name="Cilla", membership="not_member")
    dan = _add(event, "dan@example.se", first_name="Dan", membership="undisclosed", diet_other="Laktos")
    cancel_registration(registration=dan)
    return event


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "registered"}, ["anna@example.se", "bo@example.se"]),
        ({"status": "waitlisted"}, ["cilla@example.se", "dan@example.se"][:1]),
        ({"status": "cancelled"}, ["dan@example.se"]),
        ({"status": "active"}, ["anna@example.se", "bo@example.se", "cilla@example.se"]),
        ({"member": "member"}, ["anna@example.se"]),
        ({"member": "not_member"}, ["cilla@example.se"]),
        ({"member": "unanswered"}, ["bo@example.se"]),
        ({"colleague": "yes"}, ["bo@example.se"]),
        ({"colleague": "no"}, ["anna@example.se", "cilla@example.se", "dan@example.se"]),
        ({"unconfirmed": "on"}, ["bo@example.se"]),
        ({"diet": "gluten"}, ["anna@example.se"]),
        ({"diet": "any"}, ["anna@example.se", "dan@example.se"]),
        ({"diet": "none"}, ["bo@example.se", "cilla@example.se"]),
        ({"status": "registered", "colleague": "no"}, ["anna@example.se"]),
        ({"status": "bogus", "colleague": "yes"}, ["bo@example.se"]),
    ],
)
def test_registration_table_filters(signed_in, varied, params, expected):
    response = signed_in.get(_url("event-registrations", varied), params)

    assert _rows(response) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["bo@example.se", "cilla@example.se", "anna@example.se"]),
        ("-name", ["anna@example.se", "cilla@example.se", "bo@example.se"]),
        ("email", ["anna@example.se", "bo@example.se", "cilla@example.se"]),
        ("-registered", ["cilla@example.se", "bo@example.se", "anna@example.se"]),
        ("workplace", ["cilla@example.se", "anna@example.se", "bo@example.se"]),
        ("nonsense", ["anna@example.se", "bo@example.se", "cilla@example.se"]),
    ],
)
def test_registration_table_sorts(signed_in, event, sort, expected):
    _add(event, "anna@example.se", last_name="Öberg", workplace="B")
    _add(event, "bo@example.se", first_name="Bo", last_name="Andersson", workplace="C")
    _add(event, "cilla@example.se", first_name="Cilla", last_name="Berg", workplace="A")

    response = signed_in.get(_url("event-registrations", event), {"sort": sort})

    assert _rows(response) == expected


def test_registration_table_header_links_toggle_the_order_and_keep_the_filters(signed_in, event):
    _add(event, "anna@example.se")

    response = signed_in.get(_url("event-registrations", event), {"q": "anna", "sort": "name"})

    name = next(c for c in response.context["columns"] if c["key"] == "name")
    assert (name["sorted"], name["url"]) == ("ascending", "?q=anna&sort=-name")
    assert 'aria-sort="ascending"' in response.content.decode()


def test_registration_table_pages_fifty_rows(signed_in, event_factory):
    event = event_factory(capacity=200)
    Registration.objects.bulk_create(
        Registration(event=event, first_name="P", last_name=f"{n:03}", email=f"p{n:03}@example.se")
        for n in range(120)
    )

    first = signed_in.get(_url("event-registrations", event), {"sort": "name"})
    last = signed_in.get(_url("event-registrations", event), {"sort": "name", "page": "3"})
    beyond = signed_in.get(_url("event-registrations", event), {"sort": "name", "page": "x"})

    assert len(first.context["page"].object_list) == 50
    assert "Visar 1–50 av 120" in first.content.decode()
    assert first.context["next_url"] == "?sort=name&page=2"
    assert _rows(last) == [f"p{n:03}@example.se" for n in range(100, 120)]
    assert "Visar 101–120 av 120" in last.content.decode()
    assert _rows(beyond) == _rows(first)


def test_registration_table_shows_counts_per_status(signed_in, varied):
    response = signed_in.get(_url("event-registrations", varied))

    assert {c["status"]: c["count"] for c in response.context["counts"]} == {
        "registered": 2,
        "waitlisted": 1,
        "cancelled": 1,
        "released": 0,
    }


def test_registration_table_shows_special_category_to_an_organiser(signed_in, varied):
    page = signed_in.get(_url("event-registrations", varied)).content.decode()

    assert "Gluten" in page
    assert 'name="diet"' in page
    assert 'name="member"' in page


def test_registration_table_hides_special_category_without_the_permission(signed_in, varied, monkeypatch):
    without = access.PERMISSIONS[Role.ORGANISER] - {Permission.VIEW_SPECIAL_CATEGORY}
    monkeypatch.setitem(access.PERMISSIONS, Role.ORGANISER, without)

    response = signed_in.get(_url("event-registrations", varied), {"member": "member", "diet": "gluten"})

    page = response.content.decode()
    assert _rows(response) == ["anna@example.se", "bo@example.se", "cilla@example.se", "dan@example.se"]
    assert "Gluten" not in page
    assert "Laktos" not in page
    assert 'name="diet"' not in page
    assert 'name="member"' not in page
    assert [str(c["label"]) for c in response.context["columns"]] == [
        "Namn", "E-post", "Arbetsplats", "Status", "Anmäld av", "Anmäld",
    ]  # fmt: skip


def _count_queries(client, url) -> int:
    client.get(url)  # the first request after signing in also writes the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_registration_table_query_count_is_flat_with_rows(signed_in, event_factory, colleague):
    from tests.conftest import make_person

    def event_with(count):
        event = event_factory(capacity=500)
        for n in range(count):
            register(
                event=event,
                person=make_person(f"p{n}@example.se", diets=["gluten"]),
                colleagues=[colleague(f"c{n}@example.se")],
            )
        return event

    one, three = event_with(1), event_with(3)

    assert _count_queries(signed_in, _url("event-registrations", one)) == _count_queries(
        signed_in, _url("event-registrations", three)
    )


def test_registration_table_query_count_is_flat_with_pages(signed_in, event_factory):
    def event_with(count):
        event = event_factory(capacity=500)
        Registration.objects.bulk_create(
            Registration(event=event, first_name="P", last_name=str(n), email=f"p{n}@example.se")
            for n in range(count)
        )
        return event

    one, three = event_with(50), event_with(150)

    assert _count_queries(signed_in, _url("event-registrations", one)) == _count_queries(
        signed_in, _url("event-registrations", three, query="?page=2")
    )


# --- Permissions and scoping -------------------------------------------------------------------


def _every_registration_url(event, registration):
    return [
        _url("event-registrations", event),
        _url("registration-add", event),
        _url("event-waiting-list", event),
        *(
            _url(name, event, registration)
            for name in (
                "registration",
                "registration-edit",
                "registration-cancel",
                "registration-promote",
                "registration-resend-link",
                "registration-revoke-links",
            )
        ),
    ]


def test_registration_pages_answer_404_to_another_organisation(client, staff_factory, event):
    registration = _add(event, "anna@example.se")
    vision = Organisation.objects.create(name="Vision", slug="vision")
    client.force_login(staff_factory("organiser", of=vision))

    statuses = {url: client.get(url).status_code for url in _every_registration_url(event, registration)}

    assert set(statuses.values()) == {404}


def test_registration_pages_answer_404_for_another_organisations_event_under_own_slug(
    client, staff_factory, organisation, event
):
    registration = _add(event, "anna@example.se")
    vision = Organisation.objects.create(name="Vision", slug="vision")
    client.force_login(staff_factory("organiser", of=vision))
    urls = [url.replace(organisation.slug, "vision") for url in _every_registration_url(event, registration)]

    assert {client.get(url).status_code for url in urls} == {404}


def test_registration_page_answers_404_for_a_registration_of_another_event(signed_in, event_factory):
    event, other = event_factory(), event_factory()
    elsewhere = _add(other, "anna@example.se")

    assert signed_in.get(_url("registration", event, elsewhere)).status_code == 404


def test_registration_pages_refuse_door_staff(client, staff_factory, event):
    registration = _add(event, "anna@example.se")
    client.force_login(staff_factory("door", events=[event]))

    statuses = {client.get(url).status_code for url in _every_registration_url(event, registration)}

    assert statuses == {403}


# --- One registration --------------------------------------------------------------------------


def test_registration_page_shows_facts_answers_and_colleagues(signed_in, event_factory, colleague):
    from tests.conftest import make_person

    event = event_factory(custom_question="Vad vill du fråga?")
    register(
        event=event,
        person=make_person(
            "anna@example.se", workplace="Sundsvalls kommun", answer="Om tillit", other_needs="Teleslinga"
        ),
        colleagues=[colleague("bo@example.se")],
    )
    anna = Registration.objects.get(email="anna@example.se")

    page = signed_in.get(_url("registration", event, anna)).content.decode()

    for text in ["Anna Svensson", "anna@example.se", "Sundsvalls kommun", "Om tillit", "Teleslinga", "Bo Ek"]:
        assert text in page, text


def test_registration_page_hides_special_category_without_the_permission(signed_in, event, monkeypatch):
    anna = _add(event, "anna@example.se", diets=["gluten"], other_needs="Teleslinga")
    without = access.PERMISSIONS[Role.ORGANISER] - {Permission.VIEW_SPECIAL_CATEGORY}
    monkeypatch.setitem(access.PERMISSIONS, Role.ORGANISER, without)

    page = signed_in.get(_url("registration", event, anna)).content.decode()

    assert "Teleslinga" not in page
    assert "Gluten" not in page
    assert "Ja, jag är medlem" not in page


def test_registration_page_history_shows_actions_and_mails_with_actor(signed_in, event_factory):
    event = event_factory(capacity=1)
    seated = _add(event, "bo@example.se")
    anna = _add(event, "anna@example.se")
    signed_in.post(_url("registration-cancel", event, seated), {"confirm": "yes"})
    signed_in.post(_url("registration-resend-link", event, anna), {"confirm": "yes"})

    history = signed_in.get(_url("registration", event, anna)).context["history"]

    assert [(str(e["label"]), e["actor"]) for e in history] == [
        ("Anmäld", ""),
        ("Mejl: På väntelistan", ""),
        ("Erbjuden en plats från väntelistan", ""),
        ("Mejl: Plats erbjuden från väntelistan", ""),
        ("Ny personlig länk skickad", "julia@example.se"),
        ("Mejl: Personlig länk skickad av arrangören", ""),
    ]


def test_registration_page_history_of_cancel_on_behalf_names_the_organiser(signed_in, event):
    anna = _add(event, "anna@example.se")

    signed_in.post(_url("registration-cancel", event, anna), {"confirm": "yes"})

    page = signed_in.get(_url("registration", event, anna)).content.decode()
    history = signed_in.get(_url("registration", event, anna)).context["history"]
    assert [(str(e["label"]), e["actor"]) for e in history if e["kind"] == "audit"] == [
        ("Anmäld", ""),
        ("Avanmäld", "julia@example.se"),
    ]
    assert "av julia@example.se" in page


# --- Add and edit ------------------------------------------------------------------------------


def _form(**overrides):
    return {
        "first_name": "Anna",
        "last_name": "Svensson",
        "email": "anna@example.se",
        "workplace": "Sundsvalls kommun",
        "job_title": "",
        "membership": "member",
        "language": "sv",
    } | overrides


def test_registration_add_registers_and_mails_the_person(signed_in, event):
    response = signed_in.post(_url("registration-add", event), _form(email="Anna@Example.se"))

    anna = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("registration", event, anna)
    assert (anna.email, anna.status, anna.membership) == ("anna@example.se", Status.REGISTERED, "member")
    assert [m.kind for m in outbox_for("anna@example.se")] == [MailKind.CONFIRMATION]


def test_registration_add_refuses_an_address_already_registered(signed_in, event):
    _add(event, "anna@example.se")

    response = signed_in.post(_url("registration-add", event), _form(email="ANNA@example.se"))

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Adressen är redan anmäld till evenemanget."]
    assert Registration.objects.count() == 1


def test_registration_add_without_special_category_permission_has_no_such_fields(
    signed_in, event, monkeypatch
):
    without = access.PERMISSIONS[Role.ORGANISER] - {Permission.VIEW_SPECIAL_CATEGORY}
    monkeypatch.setitem(access.PERMISSIONS, Role.ORGANISER, without)

    signed_in.post(_url("registration-add", event), _form(membership="member", diets=["gluten"]))

    anna = Registration.objects.get()
    assert (anna.membership, anna.diets) == ("", [])


def test_registration_edit_lower_cases_the_address(signed_in, event):
    anna = _add(event, "anna@example.se")

    response = signed_in.post(_url("registration-edit", event, anna), _form(email="Anna.S@Example.se"))

    anna.refresh_from_db()
    assert response.status_code == 302
    assert anna.email == "anna.s@example.se"


def test_registration_edit_to_an_address_already_registered_is_a_form_error(signed_in, event):
    _add(event, "bo@example.se", first_name="Bo")
    anna = _add(event, "anna@example.se")

    response = signed_in.post(_url("registration-edit", event, anna), _form(email="Bo@example.se"))

    anna.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Adressen är redan anmäld till evenemanget."]
    assert anna.email == "anna@example.se"


def test_registration_edit_without_permission_keeps_special_answers(signed_in, event, monkeypatch):
    anna = _add(event, "anna@example.se", diets=["gluten"], other_needs="Teleslinga")
    without = access.PERMISSIONS[Role.ORGANISER] - {Permission.VIEW_SPECIAL_CATEGORY}
    monkeypatch.setitem(access.PERMISSIONS, Role.ORGANISER, without)

    form = signed_in.get(_url("registration-edit", event, anna)).content.decode()
    signed_in.post(_url("registration-edit", event, anna), _form(first_name="Annie"))

    anna.refresh_from_db()
    assert "Teleslinga" not in form
    assert (anna.first_name, anna.diets, anna.other_needs) == ("Annie", ["gluten"], "Teleslinga")


# --- Actions behind a confirmation -------------------------------------------------------------


def test_registration_cancel_asks_first_and_changes_nothing_on_get(signed_in, event):
    anna = _add(event, "anna@example.se")

    response = signed_in.get(_url("registration-cancel", event, anna))

    anna.refresh_from_db()
    assert response.status_code == 200
    assert response.templates[0].name == "backoffice/confirm.html"
    assert anna.status == Status.REGISTERED


def test_registration_cancel_frees_the_seat_and_moves_the_queue_up(signed_in, event_factory):
    event = event_factory(capacity=1)
    seated = _add(event, "bo@example.se")
    waiting = _add(event, "anna@example.se")

    consequences = signed_in.get(_url("registration-cancel", event, seated)).context["consequences"]
    response = signed_in.post(_url("registration-cancel", event, seated), {"confirm": "yes"})

    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert response.status_code == 302
    assert (seated.status, waiting.status, waiting.has_open_offer) == (
        Status.CANCELLED,
        Status.WAITLISTED,
        True,
    )
    assert consequences[1] == (
        "Platsen erbjuds Anna Svensson, som står först på väntelistan, får ett mejl och har till "
        f"{formats.long_date(waiting.offer_expires_at)} kl. {formats.clock(waiting.offer_expires_at)} "
        "på sig att ta den; annars går den vidare till nästa."
    )
    assert OutboxMessage.objects.filter(kind=MailKind.SEAT_OFFERED, to="anna@example.se").count() == 1


def test_registration_promote_refused_without_a_free_seat(signed_in, event_factory):
    event = event_factory(capacity=1)
    _add(event, "bo@example.se")
    waiting = _add(event, "anna@example.se")

    asked = signed_in.get(_url("registration-promote", event, waiting))
    posted = signed_in.post(_url("registration-promote", event, waiting), {"confirm": "yes"}, follow=True)

    waiting.refresh_from_db()
    assert asked.status_code == 302
    assert waiting.status == Status.WAITLISTED
    assert {str(m) for m in posted.context["messages"]} == {
        "Alla platser är tagna. Höj antalet platser eller avanmäl någon först."
    }


def test_registration_promote_page_refuses_for_a_cancelled_event_before_asking(signed_in, event_factory):
    """The confirmation page asks the service's own rule (ensure_promotable), not a copy of it."""
    event = event_factory(capacity=1)
    _add(event, "bo@example.se")
    waiting = _add(event, "anna@example.se")
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED, capacity=2)

    asked = signed_in.get(_url("registration-promote", event, waiting), follow=True)

    assert asked.redirect_chain[0][1] == 302
    assert {str(m) for m in asked.context["messages"]} == {
        "Evenemanget är inte öppet: ett utkast eller ett inställt evenemang tar inte emot anmälningar."
    }


def test_registration_promote_gives_the_seat_and_mails_the_person(signed_in, event_factory):
    event = event_factory(capacity=1)
    _add(event, "bo@example.se")
    waiting = _add(event, "anna@example.se")
    outbox_for("anna@example.se")
    event.capacity = 2
    event.save()

    asked = signed_in.get(_url("registration-promote", event, waiting, query="?next=waiting-list"))
    response = signed_in.post(
        _url("registration-promote", event, waiting), {"confirm": "yes", "next": "waiting-list"}
    )

    waiting.refresh_from_db()
    assert asked.context["hidden"] == [("next", "waiting-list")]
    assert response["Location"] == _url("event-waiting-list", event)
    assert waiting.status == Status.REGISTERED
    assert [m.kind for m in outbox_for("anna@example.se")] == [MailKind.WAITLISTED, MailKind.PROMOTED]


def test_registration_resend_link_mails_a_new_link(signed_in, event):
    anna = _add(event, "anna@example.se")

    asked = signed_in.get(_url("registration-resend-link", event, anna))
    signed_in.post(_url("registration-resend-link", event, anna), {"confirm": "yes"})

    assert asked.context["button"] == "Skicka länken"
    assert [m.kind for m in outbox_for("anna@example.se")] == [MailKind.CONFIRMATION, MailKind.LINK_RESENT]


def test_registration_resend_link_says_the_old_links_stop_working(signed_in, event):
    anna = _add(event, "anna@example.se")

    asked = signed_in.get(_url("registration-resend-link", event, anna))
    done = signed_in.post(_url("registration-resend-link", event, anna), {"confirm": "yes"}, follow=True)

    assert "Länkarna personen redan har slutar fungera" in asked.content.decode()
    assert [str(m) for m in done.context["messages"]] == [
        "En ny personlig länk är på väg till anna@example.se. Länkarna personen hade fungerar inte längre."
    ]


def test_registration_revoke_links_asks_first_then_the_link_stops_working(signed_in, event):
    anna = _add(event, "anna@example.se")
    [receipt] = outbox_for("anna@example.se")
    link = next(w for w in receipt.body_text.split() if w.startswith("http://testserver/r/"))

    detail = signed_in.get(_url("registration", event, anna)).content.decode()
    asked = signed_in.get(_url("registration-revoke-links", event, anna))
    still_open = Client().get(link.removeprefix("http://testserver")).status_code
    done = signed_in.post(_url("registration-revoke-links", event, anna), {"confirm": "yes"}, follow=True)

    assert _url("registration-revoke-links", event, anna) in detail
    assert asked.context["button"] == "Spärra länkarna"
    assert still_open == 200
    assert [str(m) for m in done.context["messages"]] == [
        "De personliga länkarna för Anna Svensson fungerar inte längre. Inget mejl skickades."
    ]
    assert Client().get(link.removeprefix("http://testserver")).status_code == 404
    assert [m.kind for m in outbox_for("anna@example.se")] == [MailKind.CONFIRMATION]


def test_registration_actions_refuse_get_changes_on_a_cancelled_registration(signed_in, event):
    anna = _add(event, "anna@example.se")
    signed_in.post(_url("registration-cancel", event, anna), {"confirm": "yes"})

    again = signed_in.post(_url("registration-cancel", event, anna), {"confirm": "yes"}, follow=True)

    assert [str(m) for m in again.context["messages"]][-1] == (
        "Anmälan är avanmäld och kan inte längre ändras."
    )


# --- The waiting list --------------------------------------------------------------------------


def test_waiting_list_shows_the_queue_in_order(signed_in, event_factory):
    event = event_factory(capacity=1)
    _add(event, "seated@example.se")
    for name in ("first", "second", "third"):
        _add(event, f"{name}@example.se")

    response = signed_in.get(_url("event-waiting-list", event))

    assert [r.email for r in response.context["queue"]] == [
        "first@example.se",
        "second@example.se",
        "third@example.se",
    ]
    assert response.context["free_seats"] == 0
    assert "ge-plats" not in response.content.decode()


def test_waiting_list_offers_promotion_when_a_seat_is_free(signed_in, event_factory):
    event = event_factory(capacity=1)
    _add(event, "seated@example.se")
    waiting = _add(event, "first@example.se")
    event.capacity = 2
    event.save()

    page = signed_in.get(_url("event-waiting-list", event)).content.decode()

    assert _url("registration-promote", event, waiting, query="?next=waiting-list") in page


def test_waiting_list_query_count_is_flat(signed_in, event_factory, colleague):
    def event_with(count):
        event = event_factory(capacity=1)
        _add(event, f"seated{count}@example.se")
        for n in range(count):
            _add(event, f"w{count}-{n}@example.se")
        return event

    one, three = event_with(1), event_with(3)

    assert _count_queries(signed_in, _url("event-waiting-list", one)) == _count_queries(
        signed_in, _url("event-waiting-list", three)
    )


def test_registration_page_query_count_is_flat_with_history(signed_in, event, colleague, organiser):
    from frukost.registrations.services import resend_personal_link
    from tests.conftest import make_person

    short = _add(event, "short@example.se")
    long = register(
        event=event,
        person=make_person("long@example.se"),
        colleagues=[colleague("c1@example.se")],
    ).registration
    for _ in range(3):
        resend_personal_link(registration=long, actor=organiser)

    assert _count_queries(signed_in, _url("registration", event, short)) == _count_queries(
        signed_in, _url("registration", event, long)
    )


def test_registration_promote_says_who_keeps_waiting(signed_in, event_factory):
    event = event_factory(capacity=1)
    _add(event, "seated@example.se")
    _add(event, "first@example.se")
    second = _add(event, "anna@example.se")
    event.capacity = 2
    event.save()

    asked = signed_in.get(_url("registration-promote", event, second))

    assert asked.context["lead"] == "1 plats är ledig."
    assert asked.context["consequences"] == [
        "anna@example.se får ett mejl om att hen har fått en plats.",
        "1 person före i kön får fortsätta vänta.",
    ]


def test_registration_edit_form_offers_every_diet_and_keeps_the_chosen_ones(signed_in, event, person):
    from frukost.registrations.enums import Diet
    from frukost.registrations.services import register

    anna = register(event=event, person=person("anna@example.se", diets=["gluten", "vegan"])).registration

    page = signed_in.get(_url("registration-edit", event, anna)).content.decode()

    boxes = re.findall(r'<input type="checkbox" name="diets" value="([a-z]+)"([^>]*)>', page)
    assert [value for value, _ in boxes] == list(Diet.values)
    assert sorted(value for value, rest in boxes if " checked" in rest) == ["gluten", "vegan"]
