"""Overbooking: one seat limit (capacity + overbooking) for every seat rule, never shown publicly."""

from __future__ import annotations

import pytest

from frukost.core.models import AuditLog
from frukost.events.enums import RegistrationState
from frukost.events.exceptions import CapacityBelowSeatsTaken, InvalidEvent
from frukost.events.models import Event
from frukost.events.services import create_event, event_problems
from frukost.mail.enums import MailKind
from frukost.registrations import queries
from frukost.registrations.enums import Status
from frukost.registrations.exceptions import NoFreeSeat
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    PersonData,
    add_colleague,
    add_registration_by_organiser,
    cancel_registration,
    promote_registration,
    register,
    take_offered_seat,
    update_event,
)
from frukost.registrations.statistics import event_statistics
from tests.conftest import outbox_for

pytestmark = pytest.mark.django_db


def _fill(event, count, prefix="p"):
    return [
        register(
            event=event, person=PersonData(first_name="Per", last_name="Son", email=f"{prefix}{n}@example.se")
        ).registration
        for n in range(count)
    ]


def _statuses(event):
    return list(Registration.objects.filter(event=event).order_by("id").values_list("status", flat=True))


def test_register_takes_the_overbooked_seats_then_waitlists(event_factory):
    event = event_factory(capacity=4, overbooking=2)

    _fill(event, 7)

    assert _statuses(event) == [Status.REGISTERED] * 6 + [Status.WAITLISTED]


def test_colleagues_count_against_the_seat_limit(event_factory, person, colleague):
    event = event_factory(capacity=2, overbooking=1, max_colleagues=2)
    anna = register(event=event, person=person("anna@example.se")).registration
    register(event=event, person=person("bo@example.se"))

    guest = add_colleague(registration=anna, colleague=colleague("cilla@example.se", first_name="Cilla"))
    late = add_colleague(registration=anna, colleague=colleague("dan@example.se", first_name="Dan"))

    assert (guest.status, late.status) == (Status.REGISTERED, Status.WAITLISTED)


def test_an_organiser_adds_into_an_overbooked_seat_and_can_promote_into_one(event_factory, organisation):
    event = event_factory(capacity=1, overbooking=0)
    _fill(event, 2)
    waiting = Registration.objects.get(event=event, status=Status.WAITLISTED)
    with pytest.raises(NoFreeSeat):
        promote_registration(registration=waiting, actor=None)

    update_event(event=event, changes={"capacity": 2, "overbooking": 1})
    added = add_registration_by_organiser(
        event=event, person=PersonData(first_name="Eva", last_name="Ek", email="eva@example.se"), actor=None
    )

    # The first new seat is offered to the one waiting, the overbooked one the organiser adds into;
    # the organiser's "move up" then gives the offered seat directly.
    waiting.refresh_from_db()
    assert (waiting.has_open_offer, added.status) == (True, Status.REGISTERED)
    promote_registration(registration=waiting, actor=None)
    waiting.refresh_from_db()
    assert waiting.status == Status.REGISTERED


def test_raising_the_overbooking_promotes_the_waiting_list_in_order(event_factory):
    event = event_factory(capacity=2)
    _fill(event, 5)

    change = update_event(event=event, changes={"overbooking": 1})

    assert [r.email for r in change.promoted] == ["p2@example.se"]
    assert [m.kind for m in outbox_for("p2@example.se")] == [MailKind.WAITLISTED, MailKind.SEAT_OFFERED]
    take_offered_seat(registration=change.promoted[0])
    assert _statuses(event) == [Status.REGISTERED] * 3 + [Status.WAITLISTED] * 2


def test_a_cancellation_gives_the_overbooked_seat_to_the_waiting_list(event_factory):
    event = event_factory(capacity=2, overbooking=1)
    people = _fill(event, 4)

    cancel_registration(registration=people[0])

    assert Registration.objects.get(email="p3@example.se").has_open_offer
    assert take_offered_seat(registration=Registration.objects.get(email="p3@example.se")).status == (
        Status.REGISTERED
    )


def test_lowering_the_overbooking_below_the_seats_taken_cancels_nobody(event_factory):
    event = event_factory(capacity=4, overbooking=2)
    _fill(event, 6)

    update_event(event=event, changes={"overbooking": 0})
    later = _fill(event, 1, prefix="late")[0]
    cancel_registration(registration=Registration.objects.get(email="p0@example.se"))

    assert Registration.objects.filter(event=event, status=Status.REGISTERED).count() == 5
    later.refresh_from_db()
    # 5 seated against a limit of 4: the freed seat is not given away.
    assert later.status == Status.WAITLISTED


def test_lowering_the_capacity_counts_the_overbooked_seats(event_factory):
    event = event_factory(capacity=10, overbooking=2)
    _fill(event, 12)

    with pytest.raises(CapacityBelowSeatsTaken) as refused:
        update_event(event=event, changes={"capacity": 9})
    update_event(event=Event.objects.get(pk=event.pk), changes={"capacity": 10, "overbooking": 2})

    assert str(refused.value.message) == (
        "12 personer har redan en plats, varav 2 genom överbokning, så evenemanget kan inte ha "
        "färre än 10 platser. Avboka anmälningar först om du behöver göra plats."
    )


def test_overbooking_above_half_the_seats_is_refused_with_a_clear_message(event_factory):
    event = event_factory(capacity=60)

    with pytest.raises(InvalidEvent) as refused:
        update_event(event=event, changes={"overbooking": 31})

    assert refused.value.errors == {"overbooking": ["Överboka med högst hälften av platserna: 30 av 60."]}
    assert Event.objects.get(pk=event.pk).overbooking == 0
    assert event_problems({"capacity": 60, "overbooking": 30}) == {}


def test_changing_the_overbooking_is_audited_with_the_numbers(event_factory, organisation):
    event = event_factory(capacity=60)

    update_event(event=event, changes={"overbooking": 4})
    update_event(event=event, changes={"overbooking": 3, "title": "Ny titel"})
    created = create_event(
        event=Event(organisation=organisation, slug="ny", title="Ny", capacity=40, overbooking=2,
                    starts_at=event.starts_at, ends_at=event.ends_at)
    )  # fmt: skip

    entries = [
        (entry.action, entry.event_id, entry.data)
        for entry in AuditLog.objects.filter(action__startswith="event.").order_by("id")
    ]
    assert entries == [
        ("event.overbooking_changed", event.pk, {"overbooking_before": 0, "overbooking": 4, "capacity": 60}),
        ("event.changed", event.pk, {"fields": ["title"]}),
        ("event.overbooking_changed", event.pk, {"overbooking_before": 4, "overbooking": 3, "capacity": 60}),
        ("event.created", created.pk, {}),
        (
            "event.overbooking_changed",
            created.pk,
            {"overbooking_before": 0, "overbooking": 2, "capacity": 40},
        ),
    ]


def test_the_public_states_use_the_seat_limit(event_factory):
    event = event_factory(capacity=10, overbooking=2, few_seats_threshold=3)

    states = []
    for taken in (8, 9, 11, 12):
        states.append(
            (queries.registration_state(event, seats_taken=taken), queries.seats_left(event, taken))
        )

    assert states == [
        (RegistrationState.OPEN, 4),
        (RegistrationState.FEW_LEFT, 3),
        (RegistrationState.FEW_LEFT, 1),
        (RegistrationState.WAITING_LIST, 0),
    ]


def test_the_public_page_shows_more_seats_and_never_the_overbooking(client, event_factory):
    event = event_factory(capacity=2, overbooking=1)
    _fill(event, 2)

    page = client.get(event.get_absolute_url()).content.decode()
    _fill(event, 1, prefix="last")
    full = client.get(event.get_absolute_url()).content.decode()

    assert 'class="state state--few_left"' in page
    assert 'class="state state--waiting_list"' in full
    for text in (page, full):
        assert "överbok" not in text.lower()
        assert "overbook" not in text.lower()


def test_statistics_count_free_seats_against_the_seat_limit(event_factory):
    event = event_factory(capacity=10, overbooking=2)
    _fill(event, 11)

    figures = event_statistics(event).figures

    assert (figures.capacity, figures.seat_limit, figures.seats_left, figures.fill_percent) == (
        10,
        12,
        1,
        110,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_for_the_last_overbooked_seats_take_exactly_the_limit(
    live_server, event_factory, settings
):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from tests.registrations.test_concurrency import _register

    settings.FRUKOST_RATELIMIT_PER_IP = 1000  # every client is 127.0.0.1 here
    settings.FRUKOST_RATELIMIT_PER_IP_PER_EVENT_PER_DAY = 1000
    event = event_factory(capacity=4, overbooking=2)
    _fill(event, 3)  # 3 left of the limit of 6, two of them overbooked
    url = live_server.url + event.get_absolute_url()
    clients = 20
    barrier = threading.Barrier(clients)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(lambda n: _register(url, n, barrier), range(clients)))

    assert statuses == [302] * clients
    assert Registration.objects.filter(event=event, status=Status.REGISTERED).count() == 6
    assert Registration.objects.filter(event=event, status=Status.WAITLISTED).count() == clients - 3


def test_the_caterer_counts_everyone_registered_overbooked_seats_included(event_factory):
    from frukost.catering.services import catering_figures

    event = event_factory(capacity=4, overbooking=2)
    _fill(event, 7)  # six seats, one on the waiting list

    assert catering_figures(event).headcount == 6
