"""Adding a walk-in from the door list: one form, POST-redirect-GET, messages in Swedish."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.checkin.models import CheckIn
from frukost.checkin.services import check_in, register_walk_in
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import Status
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import make_person, stockholm

pytestmark = pytest.mark.django_db


def _list(event):
    return reverse("backoffice:event-door", args=[event.organisation.slug, event.pk])


def _walk_in_url(event):
    return reverse("backoffice:event-door-walk-in", args=[event.organisation.slug, event.pk])


ANNA = {"first_name": "Anna", "last_name": "Svensson", "workplace": "Sundsvalls kommun", "email": ""}


@pytest.fixture
def full_event(event_factory, frozen):
    event = event_factory(capacity=1)
    register(event=event, person=make_person("bo@example.se", first_name="Bo"))
    frozen("2029-05-16 07:42")
    return event


def test_door_list_links_to_the_walk_in_page_and_counts_walk_ins(
    client, event_factory, staff_factory, frozen
):
    event = event_factory()
    client.force_login(staff_factory("door", events=[event]))
    page = client.get(_list(event)).content.decode()
    assert f'href="{_walk_in_url(event)}">Lägg till på plats</a>' in page
    assert '<dt>Tillagda på plats</dt><dd data-count="walk_ins">0</dd>' in page


def test_door_staff_add_a_walk_in_and_land_on_the_door_list_without_javascript(
    client, event_factory, staff_factory, frozen
):
    event = event_factory(capacity=10)
    frozen("2029-05-16 07:42")
    client.force_login(staff_factory("door", events=[event]))
    form = client.get(_walk_in_url(event)).content.decode()
    assert 'name="first_name"' in form and "autofocus" in form and 'inputmode="email"' in form
    assert "10 platser är lediga." in form

    response = client.post(_walk_in_url(event), ANNA)

    anna = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _list(event) + f"#p{anna.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Anna Svensson tillagd och incheckad kl. 07.42." in page
    assert '<span class="bo-status bo-status--walk-in">På plats</span>' in page
    assert '<dt>Tillagda på plats</dt><dd data-count="walk_ins">1</dd>' in page
    assert (anna.status, anna.email, anna.workplace) == (Status.REGISTERED, "", "Sundsvalls kommun")
    assert CheckIn.objects.get().walk_in
    assert not OutboxMessage.objects.exists()


def test_an_address_already_registered_is_checked_in_and_the_user_is_told(
    client, event_factory, staff_factory, frozen
):
    event = event_factory()
    register(event=event, person=make_person("anna@example.se", first_name="Åsa"))
    frozen("2029-05-16 07:42")
    client.force_login(staff_factory("door", events=[event]))

    response = client.post(_walk_in_url(event), {**ANNA, "email": "Anna@Example.se"}, follow=True)

    assert (
        "Adressen var redan anmäld, för Åsa Svensson: incheckad kl. 07.42 i stället."
        in response.content.decode()
    )
    assert Registration.objects.count() == 1 and CheckIn.objects.get().walk_in is False


def test_bad_input_is_shown_in_swedish_and_nothing_is_saved(client, event_factory, staff_factory, frozen):
    event = event_factory()
    frozen("2029-05-16 07:42")
    client.force_login(staff_factory("door", events=[event]))

    response = client.post(_walk_in_url(event), {**ANNA, "first_name": "", "email": "anna@"})

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in page
    assert "Förnamn:" in page  # the summary names the field left empty
    assert "Skriv e-postadressen så här: namn@exempel.se" in page
    assert 'value="Svensson"' in page  # what was typed stays
    assert not Registration.objects.exists() and not CheckIn.objects.exists()


def test_full_event_refuses_door_staff_with_ask_an_organiser_and_no_second_button(
    client, full_event, staff_factory
):
    client.force_login(staff_factory("door", events=[full_event]))
    assert "Ge en plats utöver antalet platser" not in client.get(_walk_in_url(full_event)).content.decode()

    response = client.post(_walk_in_url(full_event), ANNA)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Fullt – be en arrangör avgöra." in page
    assert "Ge en plats utöver antalet platser" not in page
    assert Registration.objects.count() == 1


def test_door_staff_asking_for_a_seat_beyond_capacity_are_forbidden(client, full_event, staff_factory):
    client.force_login(staff_factory("door", events=[full_event]))

    response = client.post(_walk_in_url(full_event), {**ANNA, "beyond_capacity": "1"})

    assert response.status_code == 403
    assert Registration.objects.count() == 1


def test_an_organiser_gives_a_seat_beyond_capacity_with_the_second_button(client, full_event, staff_factory):
    client.force_login(staff_factory("organiser"))
    page = client.get(_walk_in_url(full_event)).content.decode()
    assert "Alla platser är tagna." in page
    assert 'name="beyond_capacity" value="1"' in page and "Ge en plats utöver antalet platser" in page

    refused = client.post(_walk_in_url(full_event), ANNA)
    assert "Alla platser är tagna. Du kan ge en plats utöver antalet platser." in refused.content.decode()
    response = client.post(_walk_in_url(full_event), {**ANNA, "beyond_capacity": "1"}, follow=True)

    assert "Anna Svensson tillagd och incheckad kl. 07.42." in response.content.decode()
    assert Registration.objects.filter(status=Status.REGISTERED).count() == 2


def test_door_staff_of_another_event_and_other_organisations_get_404(
    client, event_factory, staff_factory, organisation
):
    from frukost.events.models import Organisation

    event = event_factory()
    client.force_login(staff_factory("door", events=[event_factory()]))
    assert client.get(_walk_in_url(event)).status_code == 404
    assert client.post(_walk_in_url(event), ANNA).status_code == 404
    other = Organisation.objects.create(name="Annat förbund", slug="annat")
    client.force_login(staff_factory("owner", of=other))
    assert client.post(_walk_in_url(event), ANNA).status_code == 404
    assert not Registration.objects.exists()


def test_a_walk_in_without_address_is_a_normal_row_for_the_organiser(
    client, event_factory, staff_factory, frozen
):
    event = event_factory()
    organiser = staff_factory("organiser")
    frozen("2029-05-16 07:42")
    anna = register_walk_in(
        event=event, first_name="Anna", last_name="Svensson", actor=organiser
    ).registration
    client.force_login(organiser)
    slug = event.organisation.slug

    table = client.get(reverse("backoffice:event-registrations", args=[slug, event.pk])).content.decode()
    assert "Svensson" in table
    detail = client.get(reverse("backoffice:registration", args=[slug, event.pk, anna.pk])).content.decode()
    assert "Ingen e-postadress" in detail
    resend = reverse("backoffice:registration-resend-link", args=[slug, event.pk, anna.pk])
    assert (
        "Det finns ingen e-postadress till den här personen"
        in client.get(resend, follow=True).content.decode()
    )
    client.post(resend)
    assert not OutboxMessage.objects.exists()

    edit = reverse("backoffice:registration-edit", args=[slug, event.pk, anna.pk])
    response = client.post(
        edit, {"first_name": "Anna", "last_name": "Svensson-Ek", "email": "", "workplace": ""}
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.last_name, anna.email) == ("Svensson-Ek", "")


def test_door_list_query_count_is_flat_from_10_to_200_people(client, event_factory, staff_factory):
    def event_with(count):
        event = event_factory(capacity=count + 5)
        for n in range(count):
            person = make_person(f"p{n}-{event.pk}@example.se", last_name=f"Efternamn{n}")
            registration = register(event=event, person=person).registration
            if n % 2:
                check_in(registration=registration, actor=None, at=stockholm(2029, 5, 16, 7, 40))
        return event

    small, large = event_with(10), event_with(200)
    client.force_login(staff_factory("door", events=[small, large]))

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count(_list(small)) == count(_list(large))
    assert count(_list(large) + "?q=efternamn1") == count(_list(small) + "?q=efternamn1")


def test_door_list_rows_escape_what_people_typed(client, event_factory, staff_factory):
    event = event_factory()
    register(event=event, person=make_person("x@example.se", first_name='<b>"Ann', last_name="O'Neil&Co"))
    client.force_login(staff_factory("door", events=[event]))

    page = client.get(_list(event)).content.decode()

    assert "<strong>O&#x27;Neil&amp;Co</strong>, &lt;b&gt;&quot;Ann" in page
    assert "<b>" not in page
