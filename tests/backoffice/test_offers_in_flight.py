"""The organiser sees the seats offered from the waiting list and not yet taken (the claim window):
on the waiting list, the event's overview and in the registrations table."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from frukost.registrations.models import Registration
from frukost.registrations.services import cancel_registration, register, update_event
from tests.backoffice.test_registrations import _count_queries
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, staff_factory, frozen):
    """Signed in at the frozen time the tests start from (10.00 on 2 May 2029)."""
    frozen("2029-05-02 10:00")
    client.force_login(staff_factory("organiser", "julia@example.se"))
    return client


def _url(name, event):
    return reverse(f"backoffice:{name}", args=[event.organisation.slug, event.pk])


def _event_with_offers(event_factory, offers: int):
    """`offers` seats freed at 10.00 on 2 May and offered to the first in the queue (24 hours)."""
    event = event_factory(capacity=1, registration_deadline=None)
    register(event=event, person=make_person(f"seated{offers}@example.se"))
    for n in range(offers + 1):
        register(event=event, person=make_person(f"w{offers}-{n}@example.se", first_name=f"Nr{n}"))
    update_event(event=event, changes={"capacity": 1 + offers})
    return event


def test_the_waiting_list_shows_the_offers_in_flight(signed_in, event_factory, frozen):
    frozen("2029-05-02 10:00")
    event = _event_with_offers(event_factory, 1)

    response = signed_in.get(_url("event-waiting-list", event))

    page = response.content.decode()
    assert [r.email for r in response.context["offers"]] == ["w1-0@example.se"]
    assert "Platser som erbjuds just nu" in page
    assert '<td class="bo-nowrap">2 maj 2029 10.00</td>' in page  # offered
    assert '<td class="bo-nowrap">3 maj 2029 10.00</td>' in page  # open until
    assert "erbjuden plats till 3 maj 2029 10.00" in page  # the queue's row says it too
    assert response.context["free_seats"] == 0  # the offered seat is taken


def test_the_overview_counts_the_offers_and_links_to_them(signed_in, event_factory, frozen):
    frozen("2029-05-02 10:00")
    event = _event_with_offers(event_factory, 2)

    page = signed_in.get(_url("event", event)).content.decode()

    assert "<dt>Platser som erbjuds just nu</dt>" in page
    assert f'<a href="{_url("event-waiting-list", event)}#offers-heading">2</a>' in page
    assert "3 av 3 platser tagna" in page


def test_the_table_shows_who_is_offered_a_seat_and_whose_offer_passed(signed_in, event_factory, frozen):
    from frukost.registrations.services import pass_on_lapsed_offers

    frozen("2029-05-02 10:00")
    event = _event_with_offers(event_factory, 1)
    frozen("2029-05-03 10:00")
    pass_on_lapsed_offers()  # Nr0's offer passes to Nr1
    signed_in.force_login(get_user_model().objects.get(email="julia@example.se"))  # a new day's session

    page = signed_in.get(_url("event-registrations", event)).content.decode()

    assert "erbjudandet togs inte i tid" in page
    assert "erbjuden plats till 4 maj 2029 10.00" in page


def test_the_waiting_list_and_table_query_counts_stay_flat_with_offers(signed_in, event_factory, frozen):
    frozen("2029-05-02 10:00")
    one, three = _event_with_offers(event_factory, 1), _event_with_offers(event_factory, 3)
    assert Registration.objects.filter(offer_expires_at__isnull=False).count() == 4

    for name in ("event-waiting-list", "event-registrations"):
        assert _count_queries(signed_in, _url(name, one)) == _count_queries(signed_in, _url(name, three))


def test_cancelling_for_someone_says_who_the_seat_is_offered_to_and_until_when(
    signed_in, event_factory, frozen
):
    frozen("2029-05-02 10:00")
    event = event_factory(capacity=1, registration_deadline=None)
    seated = register(event=event, person=make_person("bo@example.se")).registration
    register(event=event, person=make_person("anna@example.se"))
    url = reverse("backoffice:registration-cancel", args=[event.organisation.slug, event.pk, seated.pk])

    consequences = signed_in.get(url).context["consequences"]

    assert consequences[1] == (
        "Platsen erbjuds Anna Svensson, som står först på väntelistan, får ett mejl och har till "
        "torsdag 3 maj 2029 kl. 10.00 på sig att ta den; annars går den vidare till nästa."
    )
    cancel_registration(registration=seated)


def test_the_registration_page_says_until_when_and_still_offers_to_move_them_up(signed_in, event_factory):
    event = _event_with_offers(event_factory, 1)
    offered = Registration.objects.get(email="w1-0@example.se")
    url = reverse("backoffice:registration", args=[event.organisation.slug, event.pk, offered.pk])

    response = signed_in.get(url)

    assert "Erbjuden en plats 2 maj 2029 10.00, att ta senast 3 maj 2029 10.00." in response.content.decode()
    assert response.context["can_promote"] is True  # the seat set aside for them is theirs to give


def test_raising_the_capacity_says_how_many_are_offered_a_seat(signed_in, event_factory):
    from tests.backoffice.test_events import form_data

    event = event_factory(capacity=1, registration_deadline=None)
    register(event=event, person=make_person("anna@example.se"))
    register(event=event, person=make_person("bo@example.se"))

    response = signed_in.post(_url("event-edit", event), form_data(event, capacity="2"), follow=True)

    assert "1 person på väntelistan erbjuds en plats per mejl." in response.content.decode()
