"""The back-office audit log: owners only, the organisation's own entries, no special-category values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.core.models import AuditLog, audit
from frukost.events.models import Event, Organisation
from frukost.registrations.services import cancel_registration, register

pytestmark = pytest.mark.django_db

URL = "/backoffice/akademikerforbundet-ssr/handelselogg/"


@pytest.fixture
def other_organisation(db):
    return Organisation.objects.create(name="Vision", slug="vision")


@pytest.fixture
def owner(client, staff_factory):
    user = staff_factory("owner", "agnes@example.se")
    client.force_login(user)
    return user


def test_audit_log_lists_the_organisations_entries_in_words(client, owner, event, person):
    registration = register(event=event, person=person("anna@example.se")).registration
    cancel_registration(registration=registration, actor=owner)

    response = client.get(URL)

    rows = [
        (r["actor"], r["action"], r["label"], r["event_title"], r["registration_id"])
        for r in response.context["rows"]
    ]
    assert rows[:2] == [
        ("agnes@example.se", "registration.cancelled", "Avanmäld", event.title, registration.pk),
        ("", "registration.created", "Anmäld", event.title, registration.pk),
    ]
    page = response.content.decode()
    assert "Avanmäld" in page
    assert f"#{registration.pk}" in page


def test_audit_log_never_shows_another_organisations_entries(
    client, owner, event_factory, person, other_organisation
):
    theirs = Event.objects.create(
        organisation=other_organisation, slug="deras", title="Deras frukost", status="published",
        starts_at=event_factory().starts_at, ends_at=event_factory().ends_at, capacity=5,
    )  # fmt: skip
    register(event=theirs, person=person("eva@example.se"))
    audit("member.added", organisation_id=other_organisation.pk, member_id=99, role="owner")

    rows = client.get(URL).context["rows"]

    assert [r["action"] for r in rows] == ["member.added"]  # our owner joining, nothing of Vision's
    assert AuditLog.objects.filter(organisation_id=other_organisation.pk).count() == 2


def test_audit_log_never_shows_special_category_values(client, owner, event, person):
    register(
        event=event,
        person=person("anna@example.se", membership="member", diets=["gluten"], other_needs="Teleslinga"),
    )

    page = client.get(URL).content.decode()

    table = page.split('<table class="bo-table bo-audit">', 1)[1].split("</table>", 1)[0]
    assert "Anmäld" in table
    for value in (
        "Ja, jag är medlem",
        ">member<",
        "gluten",
        "Gluten",
        "Teleslinga",
        "Anna",
        "Svensson",
        "anna@",
    ):
        assert value not in table, value


def test_audit_log_filters_by_event_action_and_actor(client, owner, event_factory, person):
    first, second = event_factory(), event_factory(title="Andra frukosten")
    one = register(event=first, person=person("anna@example.se")).registration
    register(event=second, person=person("bo@example.se"))
    cancel_registration(registration=one, actor=owner)

    by_event = client.get(URL, {"event": second.pk}).context["rows"]
    by_action = client.get(URL, {"action": "registration.cancelled"}).context["rows"]
    by_actor = client.get(URL, {"actor": owner.pk}).context["rows"]

    assert [(r["action"], r["event_id"]) for r in by_event] == [("registration.created", second.pk)]
    assert [(r["action"], r["event_id"]) for r in by_action] == [("registration.cancelled", first.pk)]
    assert [r["action"] for r in by_actor] == ["registration.cancelled"]


def test_audit_log_refuses_an_event_of_another_organisation_as_a_filter(
    client, owner, other_organisation, event
):
    theirs = Event.objects.create(
        organisation=other_organisation, slug="deras", title="Deras", starts_at=event.starts_at,
        ends_at=event.ends_at, capacity=5,
    )  # fmt: skip

    response = client.get(URL, {"event": theirs.pk})

    assert response.status_code == 400
    assert response.context["rows"] == [
        r for r in response.context["rows"] if r["event_id"] != theirs.pk
    ]  # nothing of theirs either way


def test_audit_log_pages_by_fifty(client, owner, event):
    AuditLog.objects.bulk_create(
        [AuditLog(action="registration.changed", event_id=event.pk, organisation_id=event.organisation_id)]
        * 60
    )

    first = client.get(URL).context
    second = client.get(URL, {"page": 2}).context

    assert (len(first["rows"]), len(second["rows"]), first["page"].paginator.num_pages) == (50, 11, 2)


def test_audit_log_is_for_owners_only(client, staff_factory, event, other_organisation):
    statuses = []
    for user in (
        staff_factory("organiser"),
        staff_factory("door", events=[event]),
        staff_factory("owner", of=other_organisation),
    ):
        client.force_login(user)
        statuses.append(client.get(URL).status_code)

    assert statuses == [403, 403, 404]


def test_audit_log_query_count_is_flat(client, owner, event_factory, person, staff_factory):
    counts = []
    for size in (1, 3):
        AuditLog.objects.all().delete()
        for number in range(size):
            event = event_factory()
            actor = staff_factory("organiser")
            registration = register(event=event, person=person(f"p{number}@example.se")).registration
            cancel_registration(registration=registration, actor=actor)
        client.get(URL)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_audit_records_the_organisation_of_an_event_entry(event):
    entry = audit("registration.changed", event_id=event.pk, registration_id=1)

    assert (entry.organisation_id, entry.data) == (event.organisation_id, {})


def test_every_action_the_code_logs_has_words_in_the_log():
    """Read the source for audit("…") calls: a new action cannot reach the owners' log as a bare name."""
    import re
    from pathlib import Path

    import frukost
    from frukost.backoffice.audit_actions import ACTION_LABELS

    source = Path(frukost.__file__).parent
    logged = set()
    for path in source.rglob("*.py"):
        logged |= set(re.findall(r'audit\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))

    assert len(logged) > 20
    assert sorted(logged - set(ACTION_LABELS)) == []


def test_audit_log_shows_an_exports_columns_and_row_count_in_words(client, staff_factory, event, person):
    from frukost.accounts.models import OrganisationMember
    from frukost.registrations.exports import export_registrations
    from frukost.registrations.services import register

    owner = staff_factory("owner", "agare@example.se")
    register(event=event, person=person("anna@example.se"))
    export_registrations(
        event=event,
        columns=["first_name", "email"],
        format="csv",
        actor=owner,
        member=OrganisationMember.objects.get(user=owner),
    )
    client.force_login(owner)

    page = client.get("/backoffice/akademikerforbundet-ssr/handelselogg/").content.decode()

    assert "Anmälningar exporterade" in page
    assert "Förnamn, E-post" in page
