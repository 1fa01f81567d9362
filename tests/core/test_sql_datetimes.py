"""core.sql.with_datetimes_kept: SQLite's datetimes made aware once per process, to exactly
what Django's converter makes of it; an event's changed time is read at once."""

from __future__ import annotations

import datetime as dt

import hypothesis
import pytest
from django.db import connection
from django.db.models import F
from django.test import override_settings
from django.utils import timezone
from hypothesis import strategies as st

from frukost.core import sql
from frukost.events import queries as event_queries
from frukost.events.models import Event

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's converter only")


def _text(moment: dt.datetime, micro: bool) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f" if micro else "%Y-%m-%d %H:%M:%S")


@sqlite_only
@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    moment=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    micro=st.booleans(),
    use_tz=st.booleans(),
    twice=st.booleans(),
)
def test_kept_datetime_converter_answers_as_django_does(moment, micro, use_tz, twice):
    original = connection.ops.convert_datetimefield_value
    ((functions, _expression),) = sql.with_datetimes_kept({0: ([original], None)}, connection).values()
    (kept,) = functions
    text = _text(moment, micro)
    read = moment if micro else moment.replace(microsecond=0)  # as the driver parses the text

    with override_settings(USE_TZ=use_tz):
        ours = [kept(read, None, connection) for _ in range(2 if twice else 1)]
        django = original(read, None, connection)
        assert kept(text, None, connection) == original(text, None, connection)
        assert kept(None, None, connection) is None

    assert [(value, value.tzinfo) for value in ours] == [(django, django.tzinfo)] * len(ours)


def test_kept_datetime_converter_leaves_other_converters_and_backends():
    def other(value, expression, connection):
        return value

    converters = {0: ([other], "expression"), 3: ([other, other], "other")}

    assert sql.with_datetimes_kept(converters, connection) == converters


@sqlite_only
def test_kept_datetimes_are_bounded(monkeypatch):
    monkeypatch.setattr(sql, "MAX_DATETIMES", 3)
    sql._DATETIMES.clear()
    original = connection.ops.convert_datetimefield_value
    ((functions, _),) = sql.with_datetimes_kept({0: ([original], None)}, connection).values()

    for second in range(10):
        functions[0](dt.datetime(2029, 5, 16, 7, 45, second), None, connection)

    assert len(sql._DATETIMES) <= 3


@pytest.mark.django_db
def test_event_read_for_pages_shows_a_changed_time_at_once(event):
    def read():
        return event_queries.published_event(organisation=event.organisation.slug, event=event.slug)

    before = read().starts_at
    day = dt.timedelta(days=1)
    Event.objects.filter(pk=event.pk).update(
        starts_at=F("starts_at") + day, ends_at=F("ends_at") + day, doors_at=F("doors_at") + day
    )

    assert before == event.starts_at
    assert read().starts_at == event.starts_at + day
    assert read().starts_at == Event.objects.get(pk=event.pk).starts_at


@sqlite_only
@pytest.mark.django_db
def test_event_read_for_pages_makes_an_event_time_aware_once(event, monkeypatch):
    event_queries.published_event(organisation=event.organisation.slug, event=event.slug)
    parsed = []
    make_aware = timezone.make_aware

    def counting(value, *args, **kwargs):
        parsed.append(value)
        return make_aware(value, *args, **kwargs)

    monkeypatch.setattr(timezone, "make_aware", counting)
    found = event_queries.published_event(organisation=event.organisation.slug, event=event.slug)

    assert found.starts_at == event.starts_at
    assert parsed == []
