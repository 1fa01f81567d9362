"""Event services that touch only events: create, publish, close and reopen, clone, series, slugs."""

from __future__ import annotations

import datetime as dt

import pytest

from frukost.core.models import AuditLog
from frukost.events.enums import EventStatus, RegistrationState
from frukost.events.exceptions import InvalidEvent, WrongStatus
from frukost.events.models import Event, Series
from frukost.events.services import (
    Place,
    clone_event,
    close_registration,
    create_event,
    free_slug,
    publish_event,
    reopen_registration,
    save_new_event,
)
from frukost.importer.services import save_checked_event
from frukost.registrations import queries
from frukost.registrations.exceptions import RegistrationClosed
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import stockholm

pytestmark = pytest.mark.django_db


def new_event(organisation, **overrides) -> Event:
    fields = {
        "organisation": organisation,
        "slug": "chefsfrukost",
        "title": "Chefsfrukost",
        "starts_at": stockholm(2029, 5, 16, 8, 0),
        "ends_at": stockholm(2029, 5, 16, 9, 30),
        "capacity": 40,
    }
    return Event(**(fields | overrides))


def test_create_event_saves_a_draft_and_audits_the_actor(organisation, staff_factory):
    organiser = staff_factory("organiser")

    event = create_event(event=new_event(organisation), actor=organiser)

    assert (event.status, event.slug) == (EventStatus.DRAFT, "chefsfrukost")
    assert list(AuditLog.objects.filter(event_id=event.pk).values_list("action", "event_id", "actor")) == [
        ("event.created", event.pk, organiser.pk)
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": stockholm(2029, 5, 16, 7, 0)}, "ends_at"),
        ({"doors_at": stockholm(2029, 5, 16, 8, 30)}, "doors_at"),
        ({"registration_deadline": dt.date(2029, 5, 17)}, "registration_deadline"),
        ({"colleague_hold_hours": 721}, "colleague_hold_hours"),
        ({"capacity": 0}, "capacity"),
    ],
)
def test_create_event_refuses_values_that_do_not_make_an_event(organisation, overrides, field):
    with pytest.raises(InvalidEvent) as refused:
        create_event(event=new_event(organisation, **overrides))

    assert field in refused.value.errors
    assert Event.objects.count() == 0


def test_create_event_takes_the_next_free_address_when_taken(organisation):
    create_event(event=new_event(organisation))

    second = create_event(event=new_event(organisation))

    assert second.slug == "chefsfrukost-2"


@pytest.fixture
def competitor_takes_the_slug(organisation, monkeypatch):
    """Simulate the race: another request saves an event with the same slug after our check for a
    free slug and before our insert. The first check answers as it would have a moment earlier."""
    from frukost.events import services

    real = services.free_slug
    raced = []

    def stale_check(*, organisation, slug, exclude_pk=None):
        if not raced:
            raced.append(slug)
            new_event(organisation, slug=slug, title="Konkurrent").save()
            return slug
        return real(organisation=organisation, slug=slug, exclude_pk=exclude_pk)

    monkeypatch.setattr(services, "free_slug", stale_check)
    return raced


def test_save_new_event_survives_a_concurrent_save_of_the_slug(organisation, competitor_takes_the_slug):
    event = save_new_event(new_event(organisation))

    assert competitor_takes_the_slug == ["chefsfrukost"]
    assert sorted(Event.objects.values_list("slug", "title")) == [
        ("chefsfrukost", "Konkurrent"),
        ("chefsfrukost-2", "Chefsfrukost"),
    ]
    assert event.slug == "chefsfrukost-2"


def test_importer_save_checked_event_survives_two_imports_racing_for_a_slug(
    organisation, competitor_takes_the_slug
):
    event = save_checked_event(event=new_event(organisation, slug="chefsfrukost-leda-med-tillit"))

    assert event.slug == "chefsfrukost-leda-med-tillit-2"
    assert Event.objects.count() == 2


def test_free_slug_skips_every_taken_number(event_factory, organisation):
    for slug in ("frukost", "frukost-2", "frukost-3"):
        event_factory(slug=slug)

    assert free_slug(organisation=organisation, slug="frukost") == "frukost-4"


def test_publish_event_opens_a_draft(event_factory):
    event = event_factory(status=EventStatus.DRAFT)

    publish_event(event=event)

    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


@pytest.mark.parametrize("status", [EventStatus.PUBLISHED, EventStatus.CANCELLED])
def test_publish_event_refuses_what_is_not_a_draft(event_factory, status):
    event = event_factory(status=status)

    with pytest.raises(WrongStatus):
        publish_event(event=event)


def test_close_registration_refuses_new_registrations(event, person):
    close_registration(event=event)

    with pytest.raises(RegistrationClosed):
        register(event=event, person=person("anna@example.se"))
    event.refresh_from_db()
    assert queries.registration_state(event, seats_taken=0) == RegistrationState.CLOSED
    assert event.is_closed_early


def test_reopen_registration_lets_people_register_again(event, person):
    close_registration(event=event)

    reopen_registration(event=event)

    result = register(event=event, person=person("anna@example.se"))
    assert result.registration.pk is not None
    event.refresh_from_db()
    assert event.registration_closed_at is None


def test_reopen_registration_refuses_an_event_not_closed_early(event):
    with pytest.raises(WrongStatus):
        reopen_registration(event=event)


def test_close_registration_refuses_a_draft(event_factory):
    with pytest.raises(WrongStatus):
        close_registration(event=event_factory(status=EventStatus.DRAFT))


def test_clone_event_copies_content_and_settings_not_registrations(event_factory, person):
    source = event_factory(
        questions="Vad är tillit?\nHur leder du?",
        custom_question="Vad vill du ta upp?",
        colleague_hold_hours=48,
        max_colleagues=2,
        capacity=35,
        contact_phone="070-123 45 67",
    )
    register(event=source, person=person("anna@example.se"))

    clone = clone_event(
        source=source,
        starts_at=stockholm(2029, 9, 12, 8, 0),
        place=Place(venue_name="Clarion Hotel Umeå", street_address="Storgatan 36", city="Umeå"),
    )

    copied = [
        "title", "host_name", "host_role", "lead", "body", "questions", "gift", "capacity", "max_colleagues",
        "colleague_hold_hours", "custom_question", "contact_name", "contact_email", "contact_phone",
    ]  # fmt: skip
    assert {name: getattr(clone, name) for name in copied} == {name: getattr(source, name) for name in copied}
    assert (clone.status, clone.venue_name, clone.street_address, clone.city) == (
        EventStatus.DRAFT,
        "Clarion Hotel Umeå",
        "Storgatan 36",
        "Umeå",
    )
    assert (clone.starts_at, clone.ends_at, clone.doors_at) == (
        stockholm(2029, 9, 12, 8, 0),
        stockholm(2029, 9, 12, 9, 30),
        stockholm(2029, 9, 12, 7, 30),
    )
    assert clone.registration_deadline == dt.date(2029, 8, 28)  # 15 days before, as the source
    assert clone.slug == "chefsfrukost-leda-med-tillit-2029-09-12-umea"
    assert clone.ical_uid != source.ical_uid
    assert Registration.objects.filter(event=clone).count() == 0
    assert Registration.objects.filter(event=source).count() == 1


def test_clone_event_puts_both_in_one_series(event):
    first = clone_event(source=event, starts_at=stockholm(2029, 9, 12, 8, 0), place=Place(city="Umeå"))
    second = clone_event(source=first, starts_at=stockholm(2029, 10, 3, 8, 0), place=Place(city="Luleå"))

    event.refresh_from_db()
    [series] = Series.objects.all()
    assert series.name == "Chefsfrukost: Leda med tillit"
    assert (event.series, first.series, second.series) == (series, series, series)
    assert list(series.events.order_by("starts_at").values_list("city", flat=True)) == [
        "Sundsvall",
        "Umeå",
        "Luleå",
    ]


def test_clone_event_refuses_a_start_beyond_the_years_an_event_can_have(event):
    import datetime as dt

    from frukost.events.exceptions import InvalidEvent
    from frukost.events.models import STOCKHOLM
    from frukost.events.services import Place, clone_event

    with pytest.raises(InvalidEvent) as refused:
        clone_event(
            source=event, starts_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=STOCKHOLM), place=Place()
        )

    assert list(refused.value.errors) == ["starts_at"]
