"""On PostgreSQL a statement a connection runs often is prepared once, and still answers with the
values of each call (settings: FRUKOST_DB_PREPARE_THRESHOLD)."""

import pytest
from django.db import connection

from frukost.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_frequent_query_is_prepared_and_answers_each_calls_values(event_factory):
    first, second = event_factory(title="Frukost ett"), event_factory(title="Frukost två")

    titles = [Event.objects.get(pk=pk).title for pk in [first.pk, second.pk] * 4]

    assert titles == [first.title, second.title] * 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "events_event"' in statement for statement in prepared)
