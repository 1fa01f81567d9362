import datetime as dt

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from frukost.events import queries
from frukost.events.enums import EventStatus
from frukost.events.models import Event, Organisation

pytestmark = pytest.mark.django_db


def stored(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_published_event_reads_every_field_as_the_orm_does(event_factory, django_assert_num_queries):
    event = event_factory(
        doors_at=dt.datetime(2029, 5, 16, 5, 30, tzinfo=dt.UTC),
        online=True,
        registration_deadline_time=dt.time(12, 0),
        custom_question="Vilken kommun?",
    )
    organisation = event.organisation
    organisation.colour = "#123456"
    organisation.membership_question = "Är du med i facket?"
    organisation.save()

    with django_assert_num_queries(1):
        found = queries.published_event(organisation=organisation.slug, event=event.slug)
        found_organisation = found.organisation

    orm = Event.objects.select_related("organisation").get(pk=event.pk)
    assert stored(found) == stored(orm)
    assert stored(found_organisation) == stored(orm.organisation)
    assert isinstance(found_organisation, Organisation)
    assert found.starts_at.tzinfo is not None
    # The prepared statement is what ran, not the ORM fallback.
    assert queries._prepared(connections[DEFAULT_DB_ALIAS]) is not None


def test_published_event_keeps_cancelled_events_and_hides_drafts_and_others(event_factory):
    cancelled = event_factory(status=EventStatus.CANCELLED)
    draft = event_factory(status=EventStatus.DRAFT)
    other = Organisation.objects.create(name="Vision", slug="vision")
    theirs = event_factory(organisation=other)
    slug = cancelled.organisation.slug

    assert queries.published_event(organisation=slug, event=cancelled.slug) == cancelled
    assert queries.published_event(organisation=slug, event=draft.slug) is None
    assert queries.published_event(organisation=slug, event=theirs.slug) is None
    assert queries.published_event(organisation="vision", event=theirs.slug) == theirs
    assert queries.published_event(organisation=slug, event="finns-inte") is None
