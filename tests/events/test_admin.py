import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.events.models import Organisation
from frukost.registrations.services import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(organisation):
    user = get_user_model().objects.create_user("organiser", "o@example.se", "a-long-password", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_event",
                "change_event",
                "add_event",
                "view_registration",
                "change_registration",
            ]
        )
    )
    organisation.members.add(user)
    return user


@pytest.fixture
def other_event(event_factory):
    other = Organisation.objects.create(name="Vision", slug="vision")
    return event_factory(organisation=other, title="Visions hemliga frukost")


def test_organiser_sees_only_their_organisations_events(client, organiser, event, other_event):
    client.force_login(organiser)

    page = client.get("/admin/events/event/").content.decode()

    assert event.title in page
    assert other_event.title not in page


def test_organiser_sees_only_their_organisations_registrations(client, organiser, event, other_event, person):
    register(event=other_event, person=person("secret@example.se"))
    register(event=event, person=person("anna@example.se"))
    client.force_login(organiser)

    page = client.get("/admin/registrations/registration/").content.decode()

    assert "anna@example.se" in page
    assert "secret@example.se" not in page


def test_registration_list_does_not_show_special_category_answers(client, organiser, event, person):
    register(event=event, person=person("anna@example.se", diets=["gluten"], other_needs="Teleslinga"))
    client.force_login(organiser)

    page = client.get("/admin/registrations/registration/").content.decode()

    assert "Teleslinga" not in page
    assert "gluten" not in page.lower()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_event_changelist_query_count_is_flat(client, organiser, event_factory, person):
    client.force_login(organiser)
    register(event=event_factory(), person=person("p0@example.se"))
    one = _queries(client, "/admin/events/event/")
    for number in (1, 2):
        register(event=event_factory(), person=person(f"p{number}@example.se"))

    assert _queries(client, "/admin/events/event/") == one


def test_registration_changelist_query_count_is_flat(client, organiser, event, person, colleague):
    client.force_login(organiser)
    register(event=event, person=person("p0@example.se"), colleagues=[colleague("c0@example.se")])
    one = _queries(client, "/admin/registrations/registration/")
    for number in (1, 2):
        register(
            event=event,
            person=person(f"p{number}@example.se"),
            colleagues=[colleague(f"c{number}@example.se")],
        )

    assert _queries(client, "/admin/registrations/registration/") == one


def test_reserved_organisation_slug_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Organisation(name="Admin", slug="admin").full_clean()
