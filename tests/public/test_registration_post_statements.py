"""What a registration POST costs in SQL statements (issue 10): each is a round trip on
PostgreSQL and a pass through the ORM's cursor on both."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("with_colleague", [False, True])
def test_a_registration_post_costs_eight_statements(event_factory, settings, with_colleague):
    """The event; the rate-limit counters (one statement); and the
    transaction: BEGIN, the event's rules with the seats and the address (one SELECT on SQLite;
    on PostgreSQL the locking SELECT and the counts), the registration, its audit entry (one
    statement with the registration's on PostgreSQL: core.inserts.insert_with), its receipt,
    COMMIT. A colleague adds the look-up of their address and their three rows (two statements
    on PostgreSQL)."""
    settings.FRUKOST_REDIS_URL = ""
    event = event_factory(max_colleagues=2)
    data = {"first_name": "Anna", "last_name": "Svensson", "email": "anna@example.se", "membership": "member"}
    if with_colleague:
        data |= {"colleague1_first_name": "Bo", "colleague1_last_name": "Ek", "colleague1_email": "bo@ex.se"}
    with CaptureQueriesContext(connection) as queries:
        response = Client().post(event.get_absolute_url(), data)

    assert response.status_code == 302
    postgresql = connection.vendor == "postgresql"
    per_colleague = 3 if postgresql else 4
    assert len(queries) == 8 + per_colleague * with_colleague, [
        q["sql"][:60] for q in queries.captured_queries
    ]
