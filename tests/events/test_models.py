"""What the database itself refuses about organisations and events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.template.loader import render_to_string
from django.test import RequestFactory

from frukost.events.models import Organisation, hex_colour
from tests.conftest import stockholm

HOSTILE_COLOUR = "#000;}</style><script>alert(1)</script>"


@pytest.mark.parametrize("colour", ["red", "#12345", "#12345g", "#abc", "", " #abcde", "</style", "#ab\ncde"])
def test_organisation_with_invalid_colour_is_refused_by_the_database(db, colour):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="SSR", slug="ssr", colour=colour)

    assert Organisation.objects.count() == 0


def test_organisation_colour_update_to_invalid_value_is_refused_by_the_database(organisation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk).update(colour="#6a1b4x")

    organisation.refresh_from_db()
    assert organisation.colour == "#6a1b4d"


@pytest.mark.parametrize("colour", ["#6a1b4d", "#6A1B4D", "#000000", "#ffffff"])
def test_organisation_with_hex_colour_is_saved(db, colour):
    organisation = Organisation.objects.create(name="SSR", slug="ssr", colour=colour)

    assert Organisation.objects.get(pk=organisation.pk).colour == colour


def test_hex_colour_validator_refuses_trailing_newline():
    # A regular expression ending in $ matches before a final newline; the validator's must not.
    with pytest.raises(ValidationError) as caught:
        hex_colour("#6a1b4d\n")

    assert caught.value.messages == ["Ange färgen som #rrggbb, till exempel #6a1b4d."]


@pytest.mark.django_db(transaction=True)
def test_migration_resets_invalid_colours_to_the_default():
    executor = MigrationExecutor(connection)
    before = [("events", "0003_remove_organisation_members")]
    executor.migrate(before)
    old = MigrationExecutor(connection).loader.project_state(before).apps.get_model("events", "Organisation")
    old.objects.create(name="Fel", slug="fel", colour="red")
    old.objects.create(name="Rätt", slug="ratt", colour="#00AA11")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # 0004 resets, 0005 adds the constraint

    assert dict(Organisation.objects.values_list("slug", "colour")) == {"fel": "#6a1b4d", "ratt": "#00AA11"}


def test_base_template_escapes_organisation_colour_anyway():
    request = RequestFactory().get("/")
    request.csp_nonce = "nonce"
    organisation = Organisation(name="SSR", slug="ssr", colour=HOSTILE_COLOUR)

    html = render_to_string("base.html", {"organisation": organisation}, request=request)

    assert "</style><script>" not in html
    assert ":root { --brand: #000;}&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;; }" in html


def test_mail_template_escapes_organisation_colour_anyway():
    organisation = Organisation(name="SSR", slug="ssr", colour='#000;" onmouseover="alert(1)')

    html = render_to_string(
        "mail/message.html", {"organisation": organisation, "link": "https://frukost.example/r/x/"}
    )

    assert 'onmouseover="' not in html
    assert html.count("background:#000;&quot; onmouseover=&quot;alert(1);") == 2


@pytest.mark.parametrize(
    ("deadline", "closes_at_utc"),
    [
        (dt.date(2029, 5, 1), dt.datetime(2029, 5, 1, 22, 0, tzinfo=dt.UTC)),  # summer time, UTC+2
        (dt.date(2029, 1, 10), dt.datetime(2029, 1, 10, 23, 0, tzinfo=dt.UTC)),  # winter time, UTC+1
    ],
)
def test_registration_closes_at_stockholm_midnight_in_summer_and_winter(
    event_factory, deadline, closes_at_utc
):
    event = event_factory(
        starts_at=stockholm(2029, 5, 16, 8), ends_at=stockholm(2029, 5, 16, 9), registration_deadline=deadline
    )

    assert event.registration_closes_at == closes_at_utc


@pytest.mark.django_db(transaction=True)
def test_events_from_before_the_upgrade_send_no_still_coming_mail_and_new_ones_do():
    """An organiser who never saw the "still coming?" setting must not have everyone mailed the
    minute the upgraded worker starts: existing events get 0 days, new ones the default 2."""
    executor = MigrationExecutor(connection)
    before = [("events", "0011_merge_20261201_1319")]
    executor.migrate(before)
    apps = MigrationExecutor(connection).loader.project_state(before).apps
    organisation = apps.get_model("events", "Organisation").objects.create(name="SSR", slug="ssr")
    apps.get_model("events", "Event").objects.create(
        organisation=organisation,
        slug="chefsfrukost",
        title="Chefsfrukost",
        starts_at=stockholm(2029, 5, 16, 8),
        ends_at=stockholm(2029, 5, 16, 9, 30),
        capacity=60,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from frukost.events.models import Event

    assert Event.objects.get(slug="chefsfrukost").reminder_days_before == 0
    assert Event(capacity=10).reminder_days_before == 2
