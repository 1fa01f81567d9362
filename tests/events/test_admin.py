"""The Django admin is for the site's operators (superusers) only; organisers use the back office."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.events.models import Organisation
from frukost.registrations.services import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("drift", "drift@example.se", "a-long-password")


def test_admin_refuses_an_organiser_even_with_staff_status(client, staff_factory):
    organiser = staff_factory("organiser")
    organiser.is_staff = True
    organiser.save()
    client.force_login(organiser)

    response = client.get("/admin/registrations/registration/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_organisation_page_cannot_be_reached_by_an_owner(client, staff_factory, organisation):
    owner = staff_factory("owner")
    owner.is_staff = True
    owner.save()
    client.force_login(owner)

    assert client.get(f"/admin/events/organisation/{organisation.pk}/change/").status_code == 302


def test_admin_registration_list_does_not_show_special_category_answers(client, operator, event, person):
    register(event=event, person=person("anna@example.se", diets=["gluten"], other_needs="Teleslinga"))
    client.force_login(operator)

    page = client.get("/admin/registrations/registration/").content.decode()

    assert "anna@example.se" in page
    assert "Teleslinga" not in page
    assert "gluten" not in page.lower()


def _queries(client, url) -> int:
    client.get(url)  # the first request after signing in also writes the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_admin_event_changelist_query_count_is_flat(client, operator, event_factory, person):
    client.force_login(operator)
    register(event=event_factory(), person=person("p0@example.se"))
    one = _queries(client, "/admin/events/event/")
    for number in (1, 2):
        register(event=event_factory(), person=person(f"p{number}@example.se"))

    assert _queries(client, "/admin/events/event/") == one


def test_admin_registration_changelist_query_count_is_flat(client, operator, event, person, colleague):
    client.force_login(operator)
    register(event=event, person=person("p0@example.se"), colleagues=[colleague("c0@example.se")])
    one = _queries(client, "/admin/registrations/registration/")
    for number in (1, 2):
        register(
            event=event,
            person=person(f"p{number}@example.se"),
            colleagues=[colleague(f"c{number}@example.se")],
        )

    assert _queries(client, "/admin/registrations/registration/") == one


@pytest.mark.parametrize("slug", ["admin", "backoffice", "konto"])
def test_reserved_organisation_slug_is_refused(slug):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        Organisation(name="Admin", slug=slug).full_clean()

    assert raised.value.message_dict == {"slug": [f"”{slug}” används redan av webbplatsen. Välj ett annat."]}


def _admin_form_data(response) -> dict:
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    return data


def test_admin_event_change_leaves_time_place_seats_and_status_to_the_back_office(client, operator, event):
    client.force_login(operator)

    response = client.get(f"/admin/events/event/{event.pk}/change/")

    form = response.context["adminform"].form
    assert [
        name for name in ("starts_at", "city", "capacity", "status", "online_url") if name in form.fields
    ] == []


def test_admin_event_change_goes_through_the_service(client, operator, event, person):
    from frukost.core.models import AuditLog
    from frukost.mail.models import OutboxMessage

    register(event=event, person=person("anna@example.se"))
    OutboxMessage.objects.all().delete()
    client.force_login(operator)
    data = _admin_form_data(client.get(f"/admin/events/event/{event.pk}/change/"))

    response = client.post(
        f"/admin/events/event/{event.pk}/change/", data | {"title": "Chefsfrukost: Tillit"}
    )

    event.refresh_from_db()
    assert response.status_code == 302
    assert (event.title, event.ical_sequence, OutboxMessage.objects.count()) == ("Chefsfrukost: Tillit", 1, 0)
    assert AuditLog.objects.filter(action="event.changed", actor=operator).count() == 1
